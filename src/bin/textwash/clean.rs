//! `textwash clean`: read documents, clean them in parallel, write them in input order.
//!
//! The reader thread ([`crate::input`]) hands over batches of units; each batch is cleaned across the
//! thread pool and written in order before the next one is taken.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde_json::{Map, Value};
use textwash::decode::decode;
use textwash::io::{self as tio, AtomicFile, Compression, RecordError};
use textwash::record::Report;
use textwash::Pipeline;

use crate::args::{CleanArgs, OnError, OutputFormat};
use crate::exit;
use crate::input::{spawn_reader, Unit};

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

    let mut out: Box<dyn Write + Send>;
    let mut atomic: Option<AtomicFile> = None;
    match &args.output {
        Some(p) if p.as_os_str() != "-" => {
            let f = AtomicFile::create(p).with_context(|| format!("cannot write {}", p.display()))?;
            atomic = Some(f);
            out = Box::new(io::sink());
        }
        _ => out = tio::stdout_writer(Compression::None)?,
    }

    let rx = spawn_reader(args.input.clone());
    let (mut docs, mut bytes, mut errors) = (0usize, 0usize, 0usize);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut first_doc = true;
    let mut failed = false;
    'batches: for batch in rx {
        let outcomes: Vec<Outcome> = pool.install(|| {
            batch
                .into_par_iter()
                .map(|u| clean_unit(u, &pipeline, format, &text_field, &id_field, args.on_error))
                .collect()
        });
        for o in outcomes {
            bytes += o.input_bytes;
            if let Some(e) = &o.error {
                errors += 1;
                eprintln!("textwash: {e}");
                if args.on_error == OnError::Fail {
                    failed = true;
                    break 'batches;
                }
            }
            for (k, v) in o.counts {
                *counts.entry(k).or_insert(0) += v;
            }
            if let Some(data) = o.output {
                docs += 1;
                let w: &mut dyn Write = match atomic.as_mut() {
                    Some(f) => f,
                    None => &mut out,
                };
                if format == OutputFormat::Text && !first_doc {
                    w.write_all(b"\x0c\n").map_err(exit::write_error)?;
                }
                first_doc = false;
                w.write_all(&data).map_err(exit::write_error)?;
            }
        }
    }
    match atomic {
        Some(f) if !failed => f.commit().context("finishing the output file")?,
        Some(f) => drop(f),
        None => out.flush().map_err(exit::write_error)?,
    }
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64();
        let mb = bytes as f64 / 1e6;
        eprintln!(
            "textwash: {docs} documents, {mb:.1} MB in {secs:.2} s ({:.1} MB/s), {errors} error{}",
            mb / secs.max(1e-9),
            if errors == 1 { "" } else { "s" }
        );
        if !counts.is_empty() {
            let line: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
            eprintln!("textwash: edits by rule: {}", line.join(", "));
        }
    }
    Ok(if errors > 0 { exit::FAILURES } else { exit::OK })
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
                let id = serde_json::from_slice::<Map<String, Value>>(&bytes)
                    .ok()
                    .and_then(|m| tio::field(&m, id_field).map(|v| v.to_string()));
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
    let v: Value = serde_json::from_slice(bytes).map_err(|e| RecordError::Json(e.to_string()))?;
    let Value::Object(mut obj) = v else {
        return Err(RecordError::NotObject);
    };
    let field = tio::field_mut(&mut obj, text_field)
        .ok_or_else(|| RecordError::MissingField(text_field.to_string()))?;
    let Value::String(text) = field else {
        return Err(RecordError::NotString(text_field.to_string()));
    };
    let input = std::mem::take(text);
    let cleaned = p.clean(&input);
    let counts = owned_counts(&cleaned);
    let out = match format {
        OutputFormat::Text => {
            let mut s = cleaned.text.into_bytes();
            s.push(b'\n');
            s
        }
        OutputFormat::Jsonl => {
            let report =
                serde_json::to_value(Report::new(&input, &cleaned, "UTF-8", 0)).expect("serialisable");
            *text = cleaned.text.clone();
            obj.insert("textwash".to_string(), report);
            let mut v = serde_json::to_vec(&obj).expect("serialisable");
            v.push(b'\n');
            v
        }
    };
    Ok((out, counts))
}
