//! Reading inputs for the commands that take documents (`clean`, `diff`): files, directories and
//! standard input, plain text or JSONL, compressed or not, in order, as batches of units.
//!
//! A reader thread turns the inputs into batches of units (a whole text file, or one JSONL line) and
//! hands them over a bounded channel, so memory stays bounded whatever the input size.

use std::io::{self, BufRead, Read};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

use serde_json::Value;
use textwash::decode::decode;
use textwash::io::{self as tio, RecordError};

use crate::args::{InputFormat, InputOptions};

/// Bytes of input per batch: big enough to keep every core busy, small enough to bound memory. A JSONL
/// input sends a batch at the end of each block it reads ([`BLOCK_BYTES`], a little less).
const BATCH_BYTES: usize = 8 << 20;
const BATCH_UNITS: usize = 4096;

/// One piece of work.
pub enum Unit {
    /// A whole plain-text file.
    Text { source: Arc<str>, bytes: Vec<u8> },
    /// One line of a JSONL input.
    Json { source: Arc<str>, line: usize, bytes: LineBytes },
    /// An input that could not be read.
    Unreadable { source: Arc<str>, line: Option<usize>, message: String },
}

impl Unit {
    pub fn len(&self) -> usize {
        match self {
            Unit::Text { bytes, .. } => bytes.len(),
            Unit::Json { bytes, .. } => bytes.len(),
            Unit::Unreadable { .. } => 0,
        }
    }
}

/// The bytes of one JSONL line (without its line end): a range of a block of the input that the
/// lines of the block share.
///
/// The input is read a block of about 6 MB at a time straight into a buffer that the block's lines
/// share, and the buffer goes back to the reader once the last of them is done, so reading costs
/// one copy (out of the kernel) and no allocation per line. Reading line by line into a vector each
/// cost a second copy of the whole input, an allocation and a free per line, and fresh pages for the
/// allocator whenever it had handed freed memory back to the system.
pub struct LineBytes {
    block: Arc<Block>,
    start: usize,
    end: usize,
}

impl Deref for LineBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.block.buf[self.start..self.end]
    }
}

/// A block of input bytes, handed back to the reader's pool when dropped.
struct Block {
    buf: Vec<u8>,
    pool: SyncSender<Vec<u8>>,
}

impl Drop for Block {
    fn drop(&mut self) {
        // A buffer grown for a long line, a full pool, or a reader that has finished: the buffer is
        // freed instead.
        if self.buf.len() <= BUFFER_BYTES {
            let _ = self.pool.try_send(std::mem::take(&mut self.buf));
        }
    }
}

/// Bytes read per block (and so per batch, see [`BATCH_BYTES`]), and the size of a block's buffer: the
/// block, the unfinished line carried over from the one before, and one more read.
const BLOCK_BYTES: usize = 6 << 20;
const BUFFER_BYTES: usize = BLOCK_BYTES + 2 * READ_BYTES;
/// Buffers kept for reuse: the blocks of the batches in flight (two in the channel, up to five being
/// cleaned or written, see `clean::run`, one being read), and one spare.
const POOL: usize = 9;

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
        let mut out = Batcher { tx, batch: Vec::new(), size: 0 };
        let inputs = if opts.inputs.is_empty() { vec![PathBuf::from("-")] } else { opts.inputs.clone() };
        let mut pool = Pool::new();
        for input in inputs {
            for (path, problem) in expand(&input) {
                let source: Arc<str> = Arc::from(if path.as_os_str() == "-" {
                    "<stdin>".to_string()
                } else {
                    path.display().to_string()
                });
                if let Some(message) = problem {
                    if !out.push(Unit::Unreadable { source, line: None, message }) {
                        return;
                    }
                    continue;
                }
                if !read_input(&path, source, opts.input_format, &mut pool, &mut out) {
                    return;
                }
            }
        }
        out.send();
    });
    rx
}

/// Gathers units into batches and sends them.
struct Batcher {
    tx: SyncSender<Vec<Unit>>,
    batch: Vec<Unit>,
    /// Input bytes in the batch.
    size: usize,
}

impl Batcher {
    /// Adds a unit, and sends the batch when it is full; false when the receiver is gone.
    fn push(&mut self, u: Unit) -> bool {
        self.size += u.len();
        self.batch.push(u);
        if self.size >= BATCH_BYTES || self.batch.len() >= BATCH_UNITS {
            return self.send();
        }
        true
    }

    /// Sends what there is; false when the receiver is gone.
    fn send(&mut self) -> bool {
        self.size = 0;
        self.batch.is_empty() || self.tx.send(std::mem::take(&mut self.batch)).is_ok()
    }
}

/// Reads one input into units; returns false when the receiver is gone.
fn read_input(
    path: &Path,
    source: Arc<str>,
    format: InputFormat,
    pool: &mut Pool,
    out: &mut Batcher,
) -> bool {
    let mut reader = match tio::open(path) {
        Ok(r) => r,
        Err(e) => return out.push(Unit::Unreadable { source, line: None, message: e.to_string() }),
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
            Ok(_) => out.push(Unit::Text { source, bytes }),
            Err(e) => out.push(Unit::Unreadable { source, line: None, message: e.to_string() }),
        };
    }
    read_jsonl(&mut *reader, source, pool, out)
}

/// Reads JSONL into units, a batch per block; returns false when the receiver is gone.
fn read_jsonl(reader: &mut dyn BufRead, source: Arc<str>, pool: &mut Pool, out: &mut Batcher) -> bool {
    let mut line = 0usize;
    // The start of a line that the block before did not finish, copied to the front of the next.
    let mut carry: Vec<u8> = Vec::new();
    // Where the block's newlines are, found as the bytes come in.
    let mut ends: Vec<usize> = Vec::new();
    loop {
        let mut buf = pool.take();
        if buf.len() < carry.len() + READ_BYTES {
            buf.resize(carry.len() + BLOCK_BYTES, 0);
        }
        buf[..carry.len()].copy_from_slice(&carry);
        let mut filled = carry.len();
        carry.clear();
        ends.clear();
        let at_end = match fill(reader, &mut buf, &mut filled, &mut ends) {
            Ok(at_end) => at_end,
            Err(e) => {
                return out.push(Unit::Unreadable { source, line: Some(line + 1), message: e.to_string() });
            }
        };
        // Complete lines end at the last newline; at the end of the input, the rest is a line too.
        let cut = if at_end { filled } else { ends.last().map_or(0, |&i| i + 1) };
        carry.extend_from_slice(&buf[cut..filled]);
        let block = Arc::new(Block { buf, pool: pool.sender.clone() });
        let mut start = 0;
        let mut ends = ends.iter();
        while start < cut {
            let end = ends.next().map_or(cut, |&i| i + 1);
            line += 1;
            let (mut s, mut e) = (start, end);
            start = end;
            while e > s && matches!(block.buf[e - 1], b'\n' | b'\r') {
                e -= 1;
            }
            // Files written by Windows tools may start with a byte-order mark, which is not JSON.
            if line == 1 && block.buf[s..e].starts_with(b"\xef\xbb\xbf") {
                s += 3;
            }
            if block.buf[s..e].iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let bytes = LineBytes { block: block.clone(), start: s, end: e };
            if !out.push(Unit::Json { source: source.clone(), line, bytes }) {
                return false;
            }
        }
        // A batch is a block: its buffer goes back to the pool once the batch is cleaned.
        if !out.send() {
            return false;
        }
        if at_end {
            return true;
        }
    }
}

/// Reads into `buf[*filled..]` until a newline follows the first `BLOCK_BYTES` bytes, or the input
/// ends (returns true then). A line longer than a block grows the buffer until it ends.
///
/// The buffer's bytes are all initialised (zeroed once, when it was made or grown), and `filled`
/// says how many hold input: reading into the spare capacity of a vector would need the unstable
/// `Read::read_buf`, and zeroing it before each read cost as much as the copy saved.
fn fill(
    reader: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    filled: &mut usize,
    ends: &mut Vec<usize>,
) -> io::Result<bool> {
    loop {
        // A newline read here (the carried start of a line has none) ends the block.
        if !ends.is_empty() && *filled >= BLOCK_BYTES {
            return Ok(false);
        }
        if buf.len() - *filled < READ_BYTES {
            // A line longer than the block: twice the room.
            buf.resize(buf.len() * 2, 0);
        }
        // A read at a time of the size that bypasses the reader's buffer, and its newlines found
        // while the bytes are still in the cache: a second pass over the whole block read it back
        // from memory.
        match reader.read(&mut buf[*filled..*filled + READ_BYTES]) {
            Ok(0) => return Ok(true),
            Ok(n) => {
                ends.extend(memchr::memchr_iter(b'\n', &buf[*filled..*filled + n]).map(|i| *filled + i));
                *filled += n;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// The smallest read asked of the input: the size of `tio::open`'s buffer, so that reads bypass it.
const READ_BYTES: usize = 1 << 20;

/// Buffers for blocks, handed back by the blocks when their last line is done.
struct Pool {
    sender: SyncSender<Vec<u8>>,
    returned: Receiver<Vec<u8>>,
}

impl Pool {
    fn new() -> Pool {
        let (sender, returned) = sync_channel(POOL);
        Pool { sender, returned }
    }

    /// A buffer with room for a block, a carried line and a read: a returned one, or a new one.
    fn take(&mut self) -> Vec<u8> {
        self.returned.try_recv().unwrap_or_else(|_| vec![0; BUFFER_BYTES])
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes a read, like a pipe.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.step).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// The units' line numbers and bytes, and the batches' sizes in units.
    fn read_all(data: &[u8], step: usize) -> (Vec<(usize, Vec<u8>)>, Vec<usize>) {
        let (tx, rx) = sync_channel(1 << 16);
        let mut out = Batcher { tx, batch: Vec::new(), size: 0 };
        let mut reader = io::BufReader::with_capacity(READ_BYTES, Trickle { data, step });
        assert!(read_jsonl(&mut reader, Arc::from("t"), &mut Pool::new(), &mut out));
        out.send();
        drop(out);
        let mut units = Vec::new();
        let mut batches = Vec::new();
        for batch in rx {
            batches.push(batch.len());
            for u in batch {
                match u {
                    Unit::Json { line, bytes, .. } => units.push((line, bytes.to_vec())),
                    _ => panic!("only JSON lines here"),
                }
            }
        }
        (units, batches)
    }

    /// What reading line by line gives.
    fn expected(data: &[u8]) -> Vec<(usize, Vec<u8>)> {
        let mut data = data;
        if data.starts_with(b"\xef\xbb\xbf") {
            data = &data[3..];
        }
        let mut lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
        if data.ends_with(b"\n") {
            lines.pop();
        }
        lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| (i + 1, l.strip_suffix(b"\r").unwrap_or(l).to_vec()))
            .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
            .collect()
    }

    /// Lines of many sizes, blank ones, CRLF ends, and lines longer than a block.
    fn sample(long: usize) -> Vec<u8> {
        let mut data = b"\xef\xbb\xbf{\"id\":0}\n".to_vec();
        for i in 0..40_000usize {
            let text = "x".repeat(i * 7919 % 600);
            data.extend_from_slice(format!("{{\"id\":{i},\"text\":\"{text}\"}}").as_bytes());
            data.extend_from_slice(if i % 5 == 0 { b"\r\n" } else { b"\n" });
            if i % 997 == 0 {
                data.extend_from_slice(b"  \n\n");
            }
            if i % 15_000 == 7 {
                data.extend_from_slice(format!("{{\"long\":\"{}\"}}\n", "y".repeat(long)).as_bytes());
            }
        }
        data.extend_from_slice(b"{\"last\":\"no newline\"}");
        data
    }

    #[test]
    fn blocks_give_the_lines_that_reading_line_by_line_gives() {
        let data = sample(BLOCK_BYTES + BLOCK_BYTES / 2);
        assert!(data.len() > 3 * BLOCK_BYTES);
        let want = expected(&data);
        for step in [usize::MAX, 65_536, 1 << 20] {
            let (got, batches) = read_all(&data, step);
            assert_eq!(got.len(), want.len(), "step {step}");
            assert!(got == want, "step {step}");
            assert!(batches.len() >= 3, "a batch per block: {batches:?}");
        }
    }

    #[test]
    fn a_file_of_one_line_without_a_newline() {
        let (got, _) = read_all(b"{\"a\":1}", usize::MAX);
        assert_eq!(got, vec![(1, b"{\"a\":1}".to_vec())]);
        let (got, batches) = read_all(b"", usize::MAX);
        assert!(got.is_empty() && batches.is_empty());
    }
}
