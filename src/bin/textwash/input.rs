//! Reading inputs for the commands that take documents (`clean`, `diff`): files, directories and
//! standard input, plain text or JSONL, compressed or not, in order, as batches of units.
//!
//! A reader thread turns the inputs into batches of units (a whole text file, or one JSONL line) and
//! hands them over a bounded channel, so memory stays bounded whatever the input size.

use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;

use serde_json::Value;
use textwash::decode::decode;
use textwash::io::{self as tio, RecordError};

use crate::args::{InputFormat, InputOptions};

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
    pub fn len(&self) -> usize {
        match self {
            Unit::Text { bytes, .. } | Unit::Json { bytes, .. } => bytes.len(),
            Unit::Unreadable { .. } => 0,
        }
    }
}

/// One document to look at, read from a unit.
pub struct Document {
    /// How to call it: the path of a text file, the id of a JSONL record (or `path:line` without one).
    pub name: String,
    pub text: String,
}

impl Unit {
    /// The document of this unit, or the message saying why there is none (with where it is).
    pub fn into_document(self, text_field: &str, id_field: &str) -> Result<Document, String> {
        match self {
            Unit::Unreadable { source, line: Some(n), message } => Err(format!("{source}:{n}: {message}")),
            Unit::Unreadable { source, line: None, message } => Err(format!("{source}: {message}")),
            Unit::Text { source, bytes } => {
                Ok(Document { name: source.to_string(), text: decode(&bytes).text })
            }
            Unit::Json { source, line, bytes } => {
                let record = || -> Result<(Option<String>, String), (Option<String>, RecordError)> {
                    let v: Value = serde_json::from_slice(&bytes)
                        .map_err(|e| (None, RecordError::Json(e.to_string())))?;
                    let Value::Object(obj) = v else {
                        return Err((None, RecordError::NotObject));
                    };
                    let id = tio::field(&obj, id_field).map(|v| match v {
                        Value::String(s) => s.clone(),
                        v => v.to_string(),
                    });
                    match tio::field(&obj, text_field) {
                        None => Err((id, RecordError::MissingField(text_field.to_string()))),
                        Some(Value::String(t)) => Ok((id, t.clone())),
                        Some(_) => Err((id, RecordError::NotString(text_field.to_string()))),
                    }
                };
                match record() {
                    Ok((id, text)) => {
                        Ok(Document { name: id.unwrap_or_else(|| format!("{source}:{line}")), text })
                    }
                    Err((Some(id), e)) => Err(format!("{source}:{line}: record {id}: {e}")),
                    Err((None, e)) => Err(format!("{source}:{line}: {e}")),
                }
            }
        }
    }
}

/// Starts the reader thread: inputs in order, as batches.
pub fn spawn_reader(opts: InputOptions) -> Receiver<Vec<Unit>> {
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
        match read_line(&mut *reader) {
            Ok(None) => return true,
            Ok(Some(mut bytes)) => {
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

/// The next line with its newline, `None` at the end. A line that lies whole in the reader's buffer
/// (nearly all of them: the buffer is 1 MB) is copied once into a vector of its size; `read_until`
/// into an empty vector grew it by doubling, copying a 10 KB record a dozen times.
fn read_line(reader: &mut dyn BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut out: Option<Vec<u8>> = None;
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(out);
        }
        let (taken, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        match &mut out {
            Some(v) => v.extend_from_slice(&buf[..taken]),
            None => out = Some(buf[..taken].to_vec()),
        }
        reader.consume(taken);
        if done {
            return Ok(out);
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
