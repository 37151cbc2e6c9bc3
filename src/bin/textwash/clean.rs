//! `textwash clean`: read documents, clean them in parallel, write them in input order.
//!
//! A reader thread turns the inputs into batches of units (a whole text file, or one JSONL line) and
//! hands them over a bounded channel, so memory stays bounded whatever the input size; each batch is
//! cleaned across the thread pool and written in order before the next one is taken.

use std::collections::BTreeMap;
use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use textwash::decode::decode;
use textwash::io::{self as tio, AtomicFile, Compression, RecordError};
use textwash::record::Report;
use textwash::Pipeline;

use crate::args::{CleanArgs, InputFormat, InputOptions, OnError, OutputFormat};
use crate::exit;

/// Bytes of input per batch: big enough to keep every core busy, small enough to bound memory.
const BATCH_BYTES: usize = 8 << 20;
const BATCH_UNITS: usize = 4096;

/// One piece of work.
pub enum Unit {
    /// A whole plain-text file.
    Text { source: Arc<str>, bytes: Vec<u8> },
    /// One line of a JSONL input.
    Json { source: Arc<str>, line: usize, bytes: Vec<u8> },
    /// An input that could not be read.
    Unreadable { source: Arc<str>, line: Option<usize>, message: String },
}

impl Unit {
    fn len(&self) -> usize {
        match self {
            Unit::Text { bytes, .. } | Unit::Json { bytes, .. } => bytes.len(),
            Unit::Unreadable { .. } => 0,
        }
    }
}

/// The result of cleaning one unit.
pub struct Outcome {
    /// The bytes to write (a JSONL line with its newline, or a text).
    pub output: Option<Vec<u8>>,
    pub error: Option<String>,
    pub counts: BTreeMap<String, usize>,
    pub input_bytes: usize,
}

pub fn run(args: CleanArgs, pipeline: Pipeline) -> Result<u8> {
    let threads = args.threads.unwrap_or(0);
    let pool =
        rayon::ThreadPoolBuilder::new().num_threads(threads).build().context("starting the thread pool")?;
    let started = Instant::now();
    let text_field = args.input.text_field.clone();
    let id_field = args.input.id_field.clone();
    let format = args.format;

    let sink = match &args.output {
        Some(p) if p.as_os_str() != "-" => {
            Sink::File(AtomicFile::create(p).with_context(|| format!("cannot write {}", p.display()))?)
        }
        _ => Sink::Stdout(tio::stdout_writer(Compression::None)?),
    };
    let progress = Progress::new(&args.input, args.quiet);

    // Three stages overlap: the reader thread parses the inputs into batches, the pool cleans one batch,
    // and the writer thread writes the one before, so no core waits for the output.
    let rx = spawn_reader(args.input.clone());
    let stop = Arc::new(AtomicBool::new(false));
    let (wtx, wrx) = sync_channel::<Vec<Outcome>>(1);
    let writer = {
        let stop = stop.clone();
        let fail_fast = args.on_error == OnError::Fail;
        let progress = progress.clone();
        std::thread::spawn(move || write_outcomes(wrx, sink, format, fail_fast, &stop, &progress))
    };
    for batch in rx {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let outcomes: Vec<Outcome> = pool.install(|| {
            batch
                .into_par_iter()
                .map(|u| clean_unit(u, &pipeline, format, &text_field, &id_field, args.on_error))
                .collect()
        });
        if wtx.send(outcomes).is_err() {
            break;
        }
    }
    drop(wtx);
    let t = writer.join().expect("the writer thread does not panic")?;
    progress.finish();
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64();
        let mb = t.bytes as f64 / 1e6;
        eprintln!(
            "textwash: {} document{}, {mb:.1} MB in {secs:.2} s ({:.1} MB/s), {} error{}",
            t.docs,
            if t.docs == 1 { "" } else { "s" },
            mb / secs.max(1e-9),
            t.errors,
            if t.errors == 1 { "" } else { "s" }
        );
        if !t.counts.is_empty() {
            let line: Vec<String> = t.counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
            eprintln!("textwash: edits by rule: {}", line.join(", "));
        }
    }
    Ok(if t.errors > 0 { exit::FAILURES } else { exit::OK })
}

/// Where the output goes.
enum Sink {
    Stdout(Box<dyn Write + Send>),
    /// Renamed into place only when the run is not stopped by `--on-error fail`.
    File(AtomicFile),
}

#[derive(Default)]
struct Totals {
    docs: usize,
    bytes: usize,
    errors: usize,
    counts: BTreeMap<String, usize>,
}

/// The writer thread: reports errors and writes outputs in input order.
fn write_outcomes(
    rx: Receiver<Vec<Outcome>>,
    mut sink: Sink,
    format: OutputFormat,
    fail_fast: bool,
    stop: &AtomicBool,
    progress: &Progress,
) -> Result<Totals> {
    let mut t = Totals::default();
    let mut failed = false;
    'batches: for outcomes in rx {
        let w: &mut dyn Write = match &mut sink {
            Sink::File(f) => f,
            Sink::Stdout(w) => w,
        };
        for o in outcomes {
            t.bytes += o.input_bytes;
            if let Some(e) = &o.error {
                t.errors += 1;
                progress.println(&format!("textwash: {e}"));
                if fail_fast {
                    failed = true;
                    stop.store(true, Ordering::Relaxed);
                    break 'batches;
                }
            }
            for (k, v) in o.counts {
                *t.counts.entry(k).or_insert(0) += v;
            }
            if let Some(data) = o.output {
                if format == OutputFormat::Text && t.docs > 0 {
                    w.write_all(b"\x0c\n").map_err(exit::write_error)?;
                }
                t.docs += 1;
                w.write_all(&data).map_err(exit::write_error)?;
            }
        }
        progress.update(t.docs, t.bytes);
    }
    match sink {
        Sink::File(f) if !failed => f.commit().context("finishing the output file")?,
        Sink::File(f) => drop(f),
        Sink::Stdout(mut w) => w.flush().map_err(exit::write_error)?,
    }
    Ok(t)
}

/// The progress bar: on standard error when it is a terminal, nothing otherwise.
#[derive(Clone)]
struct Progress(Option<ProgressBar>);

impl Progress {
    fn new(opts: &InputOptions, quiet: bool) -> Progress {
        if quiet || !io::stderr().is_terminal() {
            return Progress(None);
        }
        // The total is known when every input is a plain file read as it is; compressed inputs,
        // directories and standard input leave it open (no ETA).
        let total: Option<u64> = opts.inputs.iter().try_fold(0u64, |sum, p| {
            let meta = std::fs::metadata(p).ok().filter(|m| m.is_file())?;
            (Compression::from_path(p) == Compression::None).then_some(sum + meta.len())
        });
        let (bar, template) = match total {
            Some(n) if !opts.inputs.is_empty() => (
                ProgressBar::new(n),
                "{msg} {wide_bar} {decimal_bytes}/{decimal_total_bytes} {decimal_bytes_per_sec} ETA {eta}",
            ),
            _ => (
                ProgressBar::no_length(),
                "{spinner} {msg} {decimal_bytes} {decimal_bytes_per_sec} {elapsed}",
            ),
        };
        bar.set_draw_target(ProgressDrawTarget::stderr());
        bar.set_style(ProgressStyle::with_template(template).expect("a valid template"));
        bar.set_message("0 documents");
        Progress(Some(bar))
    }

    fn update(&self, docs: usize, bytes: usize) {
        if let Some(b) = &self.0 {
            b.set_position(bytes as u64);
            b.set_message(format!("{docs} documents"));
        }
    }

    /// A message that must not be drawn over by the bar.
    fn println(&self, msg: &str) {
        match &self.0 {
            Some(b) => b.suspend(|| eprintln!("{msg}")),
            None => eprintln!("{msg}"),
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

fn clean_unit(
    u: Unit,
    p: &Pipeline,
    format: OutputFormat,
    text_field: &str,
    id_field: &str,
    on_error: OnError,
) -> Outcome {
    let input_bytes = u.len();
    match u {
        Unit::Unreadable { source, line, message } => Outcome {
            output: None,
            error: Some(match line {
                Some(n) => format!("{source}:{n}: {message}"),
                None => format!("{source}: {message}"),
            }),
            counts: BTreeMap::new(),
            input_bytes,
        },
        Unit::Text { source, bytes } => {
            let d = decode(&bytes);
            let cleaned = p.clean(&d.text);
            let counts = owned_counts(&cleaned);
            let output = match format {
                OutputFormat::Text => {
                    let mut s = cleaned.text.clone().into_bytes();
                    s.push(b'\n');
                    s
                }
                OutputFormat::Jsonl => {
                    let report = Report::from_decoded(&d, &cleaned);
                    let id = Path::new(&*source)
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let rec = serde_json::json!({
                        "id": id,
                        "source": &*source,
                        "text": cleaned.text,
                        "textwash": report,
                    });
                    let mut v = serde_json::to_vec(&rec).expect("serialisable");
                    v.push(b'\n');
                    v
                }
            };
            Outcome { output: Some(output), error: None, counts, input_bytes }
        }
        Unit::Json { source, line, bytes } => match clean_record(&bytes, p, format, text_field) {
            Ok((output, counts)) => Outcome { output: Some(output), error: None, counts, input_bytes },
            Err(e) => {
                let id = tio::RawRecord::parse(&bytes)
                    .ok()
                    .and_then(|r| r.get(id_field).map(|v| v.get().to_string()));
                let what = match id {
                    Some(id) => format!("{source}:{line}: record {id}: {e}"),
                    None => format!("{source}:{line}: {e}"),
                };
                let output = (on_error == OnError::Keep).then(|| {
                    let mut b = bytes;
                    b.push(b'\n');
                    b
                });
                Outcome { output, error: Some(what), counts: BTreeMap::new(), input_bytes }
            }
        },
    }
}

fn owned_counts(c: &textwash::Cleaned) -> BTreeMap<String, usize> {
    c.counts().into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn clean_record(
    bytes: &[u8],
    p: &Pipeline,
    format: OutputFormat,
    text_field: &str,
) -> Result<(Vec<u8>, BTreeMap<String, usize>), RecordError> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 4 + 256);
    let cleaned = match format {
        OutputFormat::Jsonl => tio::clean_record(bytes, p, text_field, &mut out)?,
        OutputFormat::Text => {
            let input = tio::RawRecord::parse(bytes)?.text(text_field)?;
            let cleaned = p.clean(&input);
            out.extend_from_slice(cleaned.text.as_bytes());
            out.push(b'\n');
            cleaned
        }
    };
    Ok((out, owned_counts(&cleaned)))
}

/// Starts the reader thread: inputs in order, as batches.
fn spawn_reader(opts: InputOptions) -> Receiver<Vec<Unit>> {
    let (tx, rx) = sync_channel::<Vec<Unit>>(2);
    std::thread::spawn(move || {
        let mut batch: Vec<Unit> = Vec::new();
        let mut size = 0usize;
        let emit = |u: Unit, batch: &mut Vec<Unit>, size: &mut usize| -> bool {
            *size += u.len();
            batch.push(u);
            if *size >= BATCH_BYTES || batch.len() >= BATCH_UNITS {
                *size = 0;
                return tx.send(std::mem::take(batch)).is_ok();
            }
            true
        };
        let inputs = if opts.inputs.is_empty() { vec![PathBuf::from("-")] } else { opts.inputs.clone() };
        for input in inputs {
            for (path, problem) in expand(&input) {
                let source: Arc<str> = Arc::from(if path.as_os_str() == "-" {
                    "<stdin>".to_string()
                } else {
                    path.display().to_string()
                });
                if let Some(message) = problem {
                    if !emit(Unit::Unreadable { source, line: None, message }, &mut batch, &mut size) {
                        return;
                    }
                    continue;
                }
                if !read_input(&path, source, opts.input_format, &mut |u| emit(u, &mut batch, &mut size)) {
                    return;
                }
            }
        }
        if !batch.is_empty() {
            let _ = tx.send(batch);
        }
    });
    rx
}

/// Reads one input into units; returns false when the receiver is gone.
fn read_input(
    path: &Path,
    source: Arc<str>,
    format: InputFormat,
    emit: &mut dyn FnMut(Unit) -> bool,
) -> bool {
    let mut reader = match tio::open(path) {
        Ok(r) => r,
        Err(e) => return emit(Unit::Unreadable { source, line: None, message: e.to_string() }),
    };
    let jsonl = match format {
        InputFormat::Jsonl => true,
        InputFormat::Text => false,
        InputFormat::Auto => {
            if path.as_os_str() == "-" {
                matches!(
                    reader.fill_buf().ok().and_then(|b| b.iter().find(|c| !c.is_ascii_whitespace())),
                    Some(b'{')
                )
            } else {
                tio::is_jsonl_path(path)
            }
        }
    };
    if !jsonl {
        let mut bytes = Vec::new();
        return match reader.read_to_end(&mut bytes) {
            Ok(_) => emit(Unit::Text { source, bytes }),
            Err(e) => emit(Unit::Unreadable { source, line: None, message: e.to_string() }),
        };
    }
    let mut line = 0usize;
    loop {
        let mut bytes = Vec::new();
        match reader.read_until(b'\n', &mut bytes) {
            Ok(0) => return true,
            Ok(_) => {
                line += 1;
                while matches!(bytes.last(), Some(b'\n') | Some(b'\r')) {
                    bytes.pop();
                }
                // Files written by Windows tools may start with a byte-order mark, which is not JSON.
                if line == 1 && bytes.starts_with(b"\xef\xbb\xbf") {
                    bytes.drain(..3);
                }
                if bytes.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                if !emit(Unit::Json { source: source.clone(), line, bytes }) {
                    return false;
                }
            }
            Err(e) => {
                return emit(Unit::Unreadable { source, line: Some(line + 1), message: e.to_string() });
            }
        }
    }
}

/// An input path as the files it names: itself, or for a directory the text and JSONL files below it
/// (sorted; symbolic links to directories are not followed, so a link loop cannot trap the walk).
fn expand(input: &Path) -> Vec<(PathBuf, Option<String>)> {
    if input.as_os_str() == "-" || !input.is_dir() {
        return vec![(input.to_path_buf(), None)];
    }
    let mut out = Vec::new();
    walk(input, &mut out);
    out
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, Option<String>)>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            out.push((dir.to_path_buf(), Some(format!("cannot read directory: {e}"))));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            walk(&p, out);
        } else if wanted(&p) && (meta.is_file() || meta.file_type().is_symlink() && p.is_file()) {
            out.push((p, None));
        }
    }
}

fn wanted(p: &Path) -> bool {
    let base = tio::strip_compression(p);
    matches!(base.extension().and_then(|e| e.to_str()), Some("txt") | Some("jsonl") | Some("ndjson"))
}
