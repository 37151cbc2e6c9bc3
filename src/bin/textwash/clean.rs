//! `textwash clean`: read documents, clean them in parallel, write them in input order.
//!
//! A reader thread turns the inputs into batches of units (a whole text file, or one JSONL line) and
//! hands them over a bounded channel, so memory stays bounded whatever the input size; each batch is
//! cleaned across the thread pool and written in order before the next one is taken.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde_json::{Map, Value};
use textwash::decode::{decode, looks_binary};
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

    let mut out: Box<dyn Write + Send>;
    let mut atomic: Option<AtomicFile> = None;
    match &args.output {
        Some(p) if p.as_os_str() != "-" => {
            let f = AtomicFile::create(p).map_err(|e| {
                let what = format!("cannot write {}: {e}", p.display());
                // A missing directory, or a directory given as the file, is a mistake in the command,
                // found before any work: exit 2.
                if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::InvalidInput) {
                    anyhow::Error::new(crate::UsageError(what))
                } else {
                    anyhow::anyhow!(what)
                }
            })?;
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
            if looks_binary(&bytes) {
                return Outcome {
                    output: None,
                    error: Some(format!("{source}: not text (binary data: NUL or control bytes), skipped")),
                    counts: BTreeMap::new(),
                    input_bytes,
                };
            }
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
                    // Serialised straight from the borrowed report: building a `Value` tree first cost
                    // 7.5 GB for a 200 MB document with millions of edits (issue 7).
                    #[derive(serde::Serialize)]
                    struct TextRecord<'a> {
                        id: String,
                        source: &'a str,
                        text: &'a str,
                        textwash: Report<'a>,
                    }
                    let rec = TextRecord { id, source: &source, text: &cleaned.text, textwash: report };
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
        } else if wanted(&p) && meta.is_file() {
            out.push((p, None));
        } else if wanted(&p) && meta.file_type().is_symlink() {
            // A link to a file is read; a dangling link or a link loop is reported, not skipped
            // silently (issue 7). Links to directories are not followed.
            match std::fs::metadata(&p) {
                Ok(m) if m.is_file() => out.push((p, None)),
                Ok(_) => {}
                Err(e) => out.push((p, Some(format!("cannot read: {e}")))),
            }
        }
    }
}

fn wanted(p: &Path) -> bool {
    let base = tio::strip_compression(p);
    matches!(base.extension().and_then(|e| e.to_str()), Some("txt") | Some("jsonl") | Some("ndjson"))
}
