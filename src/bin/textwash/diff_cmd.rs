//! `textwash diff`: what cleaning would do, per document, from the edit log.
//!
//! Documents are read like `clean` reads them ([`crate::input`]), cleaned in parallel batches, and
//! shown in input order by one of the library's printers: the unified diff, JSON edits, the per-rule
//! table or the HTML page.

use std::io::{self, BufWriter, IsTerminal, Write};

use anyhow::{Context, Result};
use rayon::prelude::*;
use textwash::diff::html::{self, Page};
use textwash::diff::stats::Stats;
use textwash::diff::{edits_json, unified, Review};
use textwash::io::AtomicFile;
use textwash::Pipeline;

use crate::args::{ColorChoice, DiffArgs, Display};
use crate::exit;
use crate::input::{spawn_reader, Unit};

/// Documents the HTML page holds unless `--max-docs` says otherwise: a page of this size still opens
/// quickly, and the counts on top cover every document anyway.
const HTML_CAP: usize = 1000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Text { color: bool },
    Json,
    Stat,
    Html,
}

/// What one document gives.
struct Shown {
    stats: Stats,
    /// Whether it has something to show (an edit, or an edit of `--rule`).
    changed: bool,
    /// The printed diff or JSON lines, or the page's JSON for the document.
    output: String,
}

pub fn run(args: DiffArgs, pipeline: Pipeline) -> Result<u8> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("starting the thread pool")?;
    let mode = if args.html.is_some() {
        Mode::Html
    } else if args.stat {
        Mode::Stat
    } else if args.display == Display::Json {
        Mode::Json
    } else {
        Mode::Text { color: use_color(args.color) }
    };
    let mut page = args.html.as_ref().map(|_| Page::new(args.max_docs.unwrap_or(HTML_CAP)));
    // With a page and no --max-docs, reading goes on past the page's cap so the counts cover every
    // document.
    let limit = args.max_docs;
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let rx = spawn_reader(args.input.clone());
    let mut stats = Stats::default();
    let (mut shown, mut errors) = (0usize, 0usize);
    let rule = args.rule.as_deref();
    'batches: for batch in rx {
        let results: Vec<Result<Shown, String>> =
            pool.install(|| batch.into_par_iter().map(|u| show(u, &pipeline, &args, rule, mode)).collect());
        for r in results {
            if limit.is_some_and(|m| shown >= m) {
                break 'batches;
            }
            match r {
                Err(e) => {
                    errors += 1;
                    eprintln!("textwash: {e}");
                }
                Ok(s) => {
                    stats.merge(&s.stats);
                    if !s.changed {
                        continue;
                    }
                    shown += 1;
                    match (&mut page, mode) {
                        (Some(p), _) => p.push(s.output),
                        (None, Mode::Text { .. } | Mode::Json) => {
                            out.write_all(s.output.as_bytes()).map_err(exit::write_error)?
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    if mode == Mode::Stat {
        if args.display == Display::Json {
            let mut v = serde_json::to_string(&stats).expect("serialisable");
            v.push('\n');
            out.write_all(v.as_bytes()).map_err(exit::write_error)?;
        } else {
            out.write_all(stats.table().as_bytes()).map_err(exit::write_error)?;
        }
    }
    out.flush().map_err(exit::write_error)?;
    if let (Some(path), Some(page)) = (&args.html, &page) {
        let title = match rule {
            Some(r) => format!("textwash review: rule {r}"),
            None => "textwash review".to_string(),
        };
        let mut f = AtomicFile::create(path).with_context(|| format!("cannot write {}", path.display()))?;
        f.write_all(page.render(&stats, &title).as_bytes())
            .and_then(|_| f.commit())
            .with_context(|| format!("writing {}", path.display()))?;
        if !args.quiet {
            eprintln!("textwash: wrote {} ({} documents on the page)", path.display(), page.len());
        }
    }
    if !args.quiet {
        eprintln!(
            "textwash: {} documents read, {} with {}, {errors} error{}",
            stats.documents,
            stats.changed,
            match rule {
                Some(r) => format!("edits of {r}"),
                None => "edits".to_string(),
            },
            if errors == 1 { "" } else { "s" }
        );
    }
    Ok(if errors > 0 { exit::FAILURES } else { exit::OK })
}

/// Colour for `--color`: `auto` means standard output is a terminal and NO_COLOR is unset or empty.
fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            io::stdout().is_terminal() && std::env::var_os("NO_COLOR").map_or(true, |v| v.is_empty())
        }
    }
}

fn show(u: Unit, p: &Pipeline, args: &DiffArgs, rule: Option<&str>, mode: Mode) -> Result<Shown, String> {
    let doc = u.into_document(&args.input.text_field, &args.input.id_field)?;
    let cleaned = p.clean(&doc.text);
    let mut stats = Stats::default();
    stats.add(&cleaned, rule);
    let changed = stats.changed > 0;
    let mut output = String::new();
    if changed {
        match mode {
            Mode::Stat => {}
            Mode::Json => {
                for e in edits_json(&doc.name, &cleaned, rule) {
                    output.push_str(&serde_json::to_string(&e).expect("serialisable"));
                    output.push('\n');
                }
            }
            Mode::Text { color } => {
                let review = review(&doc.text, &cleaned, rule);
                unified::render(&mut output, &doc.name, &review, args.context, color);
            }
            Mode::Html => {
                let review = review(&doc.text, &cleaned, rule);
                let counts =
                    cleaned.counts().into_iter().filter(|(k, _)| rule.map_or(true, |r| r == *k)).collect();
                output = html::doc_json(&doc.name, &review, &counts);
            }
        }
    }
    Ok(Shown { stats, changed, output })
}

fn review<'a>(input: &'a str, cleaned: &'a textwash::Cleaned, rule: Option<&str>) -> Review<'a> {
    match rule {
        Some(r) => Review::for_rule(input, cleaned, r),
        None => Review::new(input, cleaned),
    }
}
