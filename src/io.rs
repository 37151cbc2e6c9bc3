//! Reading and writing files: compression by extension or magic bytes, atomic output files, the JSONL
//! record shape.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

#[cfg(target_os = "linux")]
mod direct;

/// How an input is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// From a file name's extension.
    pub fn from_path(path: &Path) -> Compression {
        match path.extension().and_then(|e| e.to_str()) {
            Some("gz") | Some("gzip") => Compression::Gzip,
            Some("zst") | Some("zstd") => Compression::Zstd,
            _ => Compression::None,
        }
    }

    /// From the first bytes of a stream.
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

const BUF: usize = 1 << 20;

/// Opens a file or standard input (`-`) for reading, decompressing gzip (all members) and zstd. The
/// compression is read from the magic bytes, so a misnamed file still opens.
pub fn open(path: &Path) -> io::Result<Box<dyn BufRead + Send>> {
    let raw: Box<dyn Read + Send> =
        if path.as_os_str() == "-" { Box::new(io::stdin()) } else { Box::new(File::open(path)?) };
    let mut r = BufReader::with_capacity(BUF, raw);
    let head = r.fill_buf()?;
    Ok(match Compression::sniff(head) {
        Compression::Gzip => Box::new(BufReader::with_capacity(BUF, MultiGzDecoder::new(r))),
        Compression::Zstd => {
            Box::new(BufReader::with_capacity(BUF, zstd::stream::read::Decoder::with_buffer(r)?))
        }
        Compression::None => Box::new(r),
    })
}

/// The name a path has once its compression extension is taken off (`a.jsonl.gz` -> `a.jsonl`).
pub fn strip_compression(path: &Path) -> PathBuf {
    match Compression::from_path(path) {
        Compression::None => path.to_path_buf(),
        _ => path.with_extension(""),
    }
}

/// Whether a path names JSON Lines (`.jsonl`, `.ndjson`, `.json`, optionally compressed).
pub fn is_jsonl_path(path: &Path) -> bool {
    matches!(
        strip_compression(path).extension().and_then(|e| e.to_str()),
        Some("jsonl") | Some("ndjson") | Some("jsonlines")
    )
}

/// An output file written beside its final name and moved there only by [`AtomicFile::commit`], so a
/// failed run never leaves a half-written file that looks complete. Compressed by the final name's
/// extension.
pub struct AtomicFile {
    /// `None` when writing in place to something that is not a regular file.
    tmp: Option<PathBuf>,
    path: PathBuf,
    writer: Option<Box<dyn Write + Send>>,
}

impl AtomicFile {
    pub fn create(path: &Path) -> io::Result<AtomicFile> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("directory {} does not exist", dir.display()),
            ));
        }
        if path.is_dir() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "it is a directory"));
        }
        // A device, FIFO or socket (`-o /dev/null`, `-o /dev/full`, a named pipe) is written in place:
        // renaming a temporary file over it would replace the device node itself (issue 7).
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            let file = std::fs::OpenOptions::new().write(true).open(path)?;
            let writer = compressed_writer(Box::new(file), Compression::from_path(path))?;
            return Ok(AtomicFile { tmp: None, path: path.to_path_buf(), writer: Some(writer) });
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
        let tmp = dir.join(format!(".{name}.textwash-{}.tmp", std::process::id()));
        let writer = file_writer(File::create(&tmp)?, Compression::from_path(path))?;
        Ok(AtomicFile { tmp: Some(tmp), path: path.to_path_buf(), writer: Some(writer) })
    }

    /// Flushes, finishes compression and renames into place. On any error the temporary file is
    /// removed, so nothing half-written is left behind.
    pub fn commit(mut self) -> io::Result<()> {
        let flushed = match self.writer.take() {
            Some(mut w) => w.flush(),
            None => Ok(()),
        };
        let tmp = self.tmp.take();
        let result = flushed.and_then(|()| match &tmp {
            Some(t) => std::fs::rename(t, &self.path),
            None => Ok(()),
        });
        if let (Err(_), Some(t)) = (&result, &tmp) {
            let _ = std::fs::remove_file(t);
        }
        result
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.as_mut().expect("not committed").write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer.as_mut().expect("not committed").write_all(buf)
    }
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        self.writer.as_mut().expect("not committed").write_vectored(bufs)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer.as_mut().expect("not committed").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.is_some() {
            self.writer = None;
            if let Some(tmp) = &self.tmp {
                let _ = std::fs::remove_file(tmp);
            }
        }
    }
}

/// An output file that hands what it has written to the disk as it goes and then lets the page cache
/// forget it ("drop-behind"), so that a run writing gigabytes keeps a few windows of its output in
/// memory instead of filling the page cache with it and pushing out everything else.
///
/// Every [`DropBehind::WINDOW`] bytes, the window just written is handed to writeback
/// (`sync_file_range`, which does not wait), and the window [`DropBehind::LAG`] windows before it is
/// dropped from the cache (`posix_fadvise(DONTNEED)`). Both are advice: the kernel drops only pages that
/// are already on disk, never dirty ones, so nothing can be lost, and a slow disk only means that fewer
/// pages are dropped. Nothing waits for the disk. Errors from the advice (a file system without
/// writeback ranges) are ignored; errors from the writes are not.
///
/// It also makes writing cheaper. Each page of the cache that a new output fills must first be taken
/// from the free memory; recycling the pages of the windows already written costs a third of the
/// system time of taking fresh ones on the development machine (a virtual machine whose host takes
/// back memory its guest leaves free): `make bench` writes 670 MB of output per run.
struct DropBehind {
    file: File,
    /// Bytes written so far.
    written: u64,
    /// Where the next window to hand to writeback starts.
    handed: u64,
}

impl DropBehind {
    const WINDOW: u64 = 8 << 20;
    /// Windows between handing one to writeback and dropping it: time for the disk to take it.
    const LAG: u64 = 3;

    fn new(file: File) -> DropBehind {
        DropBehind { file, written: 0, handed: 0 }
    }

    /// Counts `n` more bytes written, and advises the kernel about the windows now complete.
    fn wrote(&mut self, n: usize) {
        self.written += n as u64;
        while self.written - self.handed >= Self::WINDOW {
            let start = self.handed;
            #[cfg(target_os = "linux")]
            {
                use std::os::fd::AsRawFd;
                let fd = self.file.as_raw_fd();
                let window = Self::WINDOW as libc::off64_t;
                // SAFETY: plain system calls on a file descriptor this value owns; no memory is passed.
                unsafe {
                    libc::sync_file_range(fd, start as libc::off64_t, window, libc::SYNC_FILE_RANGE_WRITE);
                    if let Some(old) = start.checked_sub(Self::LAG * Self::WINDOW) {
                        libc::posix_fadvise(fd, old as libc::off_t, window, libc::POSIX_FADV_DONTNEED);
                    }
                }
            }
            self.handed = start + Self::WINDOW;
        }
    }
}

impl Write for DropBehind {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.wrote(n);
        Ok(n)
    }
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        let n = self.file.write_vectored(bufs)?;
        self.wrote(n);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// A writer to a new regular file: directly to the disk where that is done (`direct::DirectFile`, a
/// buffer itself), through the page cache with drop-behind otherwise.
fn file_writer(file: File, c: Compression) -> io::Result<Box<dyn Write + Send>> {
    #[cfg(target_os = "linux")]
    let file = match direct::DirectFile::new(file) {
        Ok(direct) => return encoder(Box::new(direct), c),
        Err(file) => file,
    };
    compressed_writer(Box::new(DropBehind::new(file)), c)
}

/// A buffered writer that finishes its compression stream when flushed for the last time and dropped.
fn compressed_writer(inner: Box<dyn Write + Send>, c: Compression) -> io::Result<Box<dyn Write + Send>> {
    encoder(Box::new(BufWriter::with_capacity(BUF, inner)), c)
}

/// Compresses into `inner` (unbuffered) when asked, finishing the stream on the last flush.
fn encoder(inner: Box<dyn Write + Send>, c: Compression) -> io::Result<Box<dyn Write + Send>> {
    Ok(match c {
        Compression::None => inner,
        Compression::Gzip => Box::new(FinishOnDrop::Gz(Some(flate2::write::GzEncoder::new(
            inner,
            flate2::Compression::fast(),
        )))),
        Compression::Zstd => Box::new(FinishOnDrop::Zstd(Some(zstd::stream::write::Encoder::new(inner, 3)?))),
    })
}

/// Wraps an encoder so that `flush` + drop writes its trailer. Errors at finish surface on `flush`.
enum FinishOnDrop<W: Write> {
    Gz(Option<flate2::write::GzEncoder<W>>),
    Zstd(Option<zstd::stream::write::Encoder<'static, W>>),
}

impl<W: Write> FinishOnDrop<W> {
    fn finish(&mut self) -> io::Result<()> {
        match self {
            FinishOnDrop::Gz(e) => {
                if let Some(e) = e.take() {
                    e.finish()?.flush()?;
                }
            }
            FinishOnDrop::Zstd(e) => {
                if let Some(e) = e.take() {
                    e.finish()?.flush()?;
                }
            }
        }
        Ok(())
    }
}

impl<W: Write> Write for FinishOnDrop<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            FinishOnDrop::Gz(Some(e)) => e.write(buf),
            FinishOnDrop::Zstd(Some(e)) => e.write(buf),
            _ => Err(io::Error::other("write after finish")),
        }
    }
    /// The final flush finishes the stream: callers flush once, at the end.
    fn flush(&mut self) -> io::Result<()> {
        self.finish()
    }
}

/// Writes to standard output, compressed when asked.
pub fn stdout_writer(c: Compression) -> io::Result<Box<dyn Write + Send>> {
    compressed_writer(Box::new(io::stdout()), c)
}

/// Why a JSONL record could not be cleaned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("not valid JSON: {0}")]
    Json(String),
    #[error("not a JSON object")]
    NotObject,
    #[error("no field `{0}`")]
    MissingField(String),
    #[error("field `{0}` is not a string")]
    NotString(String),
}

/// Follows a dotted path (`metadata.body`) to a field of an object.
pub fn field_mut<'v>(obj: &'v mut Map<String, Value>, path: &str) -> Option<&'v mut Value> {
    let mut parts = path.split('.');
    let mut v = obj.get_mut(parts.next()?)?;
    for p in parts {
        v = v.as_object_mut()?.get_mut(p)?;
    }
    Some(v)
}

/// Reads a field by dotted path.
pub fn field<'v>(obj: &'v Map<String, Value>, path: &str) -> Option<&'v Value> {
    let mut parts = path.split('.');
    let mut v = obj.get(parts.next()?)?;
    for p in parts {
        v = v.as_object()?.get(p)?;
    }
    Some(v)
}

/// A JSONL record with its fields kept as the raw JSON they were written as, in their order: cleaning
/// rewrites the text field and adds `textwash`, and every other field goes back out byte for byte,
/// without a round trip through [`Value`] (which costs more than a third of a run and may re-escape).
pub struct RawRecord<'a> {
    fields: Vec<(Cow<'a, str>, &'a RawValue)>,
}

impl<'a> RawRecord<'a> {
    /// Parses one line (without its newline).
    pub fn parse(line: &'a [u8]) -> Result<RawRecord<'a>, RecordError> {
        match serde_json::from_slice::<RawObject<'a>>(line) {
            Ok(o) => Ok(RawRecord { fields: o.0 }),
            Err(e) => Err(match serde_json::from_slice::<serde::de::IgnoredAny>(line) {
                Ok(_) => RecordError::NotObject,
                Err(_) => RecordError::Json(e.to_string()),
            }),
        }
    }

    /// The raw JSON of a field, by dotted path.
    pub fn get(&self, path: &str) -> Option<&'a RawValue> {
        let mut parts = path.split('.');
        let first = parts.next()?;
        let mut v = self.fields.iter().rev().find(|(k, _)| k == first)?.1;
        for p in parts {
            let o: RawObject<'a> = serde_json::from_str(v.get()).ok()?;
            v = o.0.into_iter().rev().find(|(k, _)| k == p)?.1;
        }
        Some(v)
    }

    /// The string at `path`: the text to clean.
    pub fn text(&self, path: &str) -> Result<String, RecordError> {
        let v = self.get(path).ok_or_else(|| RecordError::MissingField(path.to_string()))?;
        if let Some(text) = crate::json::unescape_plain(v.get()) {
            return Ok(text);
        }
        serde_json::from_str::<String>(v.get()).map_err(|_| RecordError::NotString(path.to_string()))
    }

    /// Writes the record with the string at `path` replaced by `text` and a `textwash` field set to
    /// `report` (in place when the record has one, last otherwise), then a newline.
    pub fn write(&self, path: &str, text: &str, report: &crate::record::Report, out: &mut Vec<u8>) {
        write_object(&self.fields, path, text, Some(report), out);
        out.push(b'\n');
    }
}

/// A field's value as the raw JSON it was written as.
trait RawJson {
    fn json(&self) -> &str;
}

impl RawJson for &RawValue {
    fn json(&self) -> &str {
        self.get()
    }
}

impl RawJson for &str {
    fn json(&self) -> &str {
        self
    }
}

/// Writes `fields` as an object, the value at dotted `path` replaced by the JSON string `text`.
fn write_object<K: AsRef<str>, V: RawJson>(
    fields: &[(K, V)],
    path: &str,
    text: &str,
    report: Option<&crate::record::Report>,
    out: &mut Vec<u8>,
) {
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    // Like a map, the last of duplicate keys is the one that counts.
    let target = fields.iter().rposition(|(k, _)| k.as_ref() == head);
    let has_report = report.is_some() && fields.iter().any(|(k, _)| k.as_ref() == "textwash");
    out.push(b'{');
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let k = k.as_ref();
        crate::json::write_str(out, k);
        out.push(b':');
        if Some(i) == target {
            match rest {
                None => crate::json::write_str(out, text),
                Some(rest) => {
                    let inner: RawObject = serde_json::from_str(v.json()).expect("checked by text()");
                    write_object(&inner.0, rest, text, None, out);
                }
            }
        } else if let (Some(r), true) = (report, k == "textwash") {
            r.write_json(out);
        } else {
            out.extend_from_slice(v.json().as_bytes());
        }
    }
    if let (Some(r), false) = (report, has_report) {
        if !fields.is_empty() {
            out.push(b',');
        }
        out.extend_from_slice(b"\"textwash\":");
        r.write_json(out);
    }
    out.push(b'}');
}

/// An object's members in order, values unparsed.
struct RawObject<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> serde::Deserialize<'de> for RawObject<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        #[derive(serde::Deserialize)]
        struct Key<'a>(#[serde(borrow)] Cow<'a, str>);
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = RawObject<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut fields = Vec::with_capacity(m.size_hint().unwrap_or(8));
                while let Some(Key(k)) = m.next_key::<Key<'de>>()? {
                    fields.push((k, m.next_value::<&'de RawValue>()?));
                }
                Ok(RawObject(fields))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// Cleans one JSONL record: appends the output record (with its newline) to `out` and returns what the
/// pipeline did. On error nothing is appended.
pub fn clean_record(
    line: &[u8],
    p: &crate::Pipeline,
    text_field: &str,
    out: &mut Vec<u8>,
) -> Result<crate::Cleaned, RecordError> {
    if let Some((fields, input)) = parse_plain(line, text_field) {
        let cleaned = p.clean(&input);
        let report = crate::record::Report::new(&input, &cleaned, "UTF-8", 0);
        write_object(&fields, text_field, &cleaned.text, Some(&report), out);
        out.push(b'\n');
        return Ok(cleaned);
    }
    let rec = RawRecord::parse(line)?;
    let input = rec.text(text_field)?;
    let cleaned = p.clean(&input);
    let report = crate::record::Report::new(&input, &cleaned, "UTF-8", 0);
    rec.write(text_field, &cleaned.text, &report, out);
    Ok(cleaned)
}

/// A record's fields (keys and raw values, the text field's value left empty) and its text, read in
/// one pass over the text; `None` whenever the record is anything but the plain case, and then
/// [`RawRecord`] reads it, errors and all. The plain case: `text_field` is a top-level field (no dot),
/// comes once, and is a string whose escapes are all of the one-character kind, and no key has an
/// escape. Every other value is read by serde_json, as [`RawRecord::parse`] reads it.
///
/// serde_json reads the text once to find where it ends and [`RawRecord::text`] a second time to
/// unescape it; here one scan does both (the text is most of a record).
fn parse_plain<'a>(line: &'a [u8], text_field: &str) -> Option<(Vec<(&'a str, &'a str)>, String)> {
    if text_field.contains('.') {
        return None;
    }
    let ws = |mut i: usize| {
        while matches!(line.get(i), Some(b' ' | b'\n' | b'\t' | b'\r')) {
            i += 1;
        }
        i
    };
    let mut i = ws(0);
    if line.get(i) != Some(&b'{') {
        return None;
    }
    let mut fields = Vec::with_capacity(8);
    let mut text = None;
    i = ws(i + 1);
    if line.get(i) == Some(&b'}') {
        i += 1;
    } else {
        loop {
            // A key, without escapes or control characters.
            if line.get(i) != Some(&b'"') {
                return None;
            }
            let len = line[i + 1..].iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
            if line[i + 1 + len] != b'"' {
                return None;
            }
            let key = std::str::from_utf8(&line[i + 1..i + 1 + len]).ok()?;
            i = ws(i + len + 2);
            if line.get(i) != Some(&b':') {
                return None;
            }
            i = ws(i + 1);
            if key == text_field {
                if text.is_some() || line.get(i) != Some(&b'"') {
                    return None;
                }
                let (t, end) = crate::json::unescape_literal(line, i + 1)?;
                text = Some(t);
                fields.push((key, ""));
                i = end;
            } else {
                // Read as serde_json reads the value inside the object (the same checks and the same
                // raw text), or declined (then serde_json reads the record).
                let (raw, end) = crate::json::skip_value(line, i)?;
                fields.push((key, raw));
                i = end;
            }
            i = ws(i);
            match line.get(i) {
                Some(b',') => i = ws(i + 1),
                Some(b'}') => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    if ws(i) != line.len() {
        return None;
    }
    Some((fields, text?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes lines of many lengths, by `write_all` and `write_vectored`, for more than five
    /// drop-behind windows; returns what was written.
    fn write_lines(w: &mut dyn Write) -> Vec<u8> {
        let mut want = Vec::new();
        let mut i = 0u64;
        while (want.len() as u64) < 5 * DropBehind::WINDOW + 12_345 {
            let line = format!("{{\"n\":{i}}}\n").repeat(1 + (i % 700) as usize);
            let parts = [io::IoSlice::new(line.as_bytes()), io::IoSlice::new(b"")];
            match i % 2 {
                0 => w.write_all(line.as_bytes()).unwrap(),
                _ => assert_eq!(w.write_vectored(&parts).unwrap(), line.len()),
            }
            want.extend_from_slice(line.as_bytes());
            i += 1;
        }
        want
    }

    #[test]
    fn an_output_file_longer_than_several_windows_is_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        // As `-o` writes it: directly to the disk where that is done.
        let path = dir.path().join("out.jsonl");
        let mut f = AtomicFile::create(&path).unwrap();
        let want = write_lines(&mut f);
        f.commit().unwrap();
        assert!(std::fs::read(&path).unwrap() == want);
        // Through the page cache with drop-behind, as on other file systems.
        let path = dir.path().join("cached.jsonl");
        let mut w =
            compressed_writer(Box::new(DropBehind::new(File::create(&path).unwrap())), Compression::None)
                .unwrap();
        let want = write_lines(&mut w);
        w.flush().unwrap();
        drop(w);
        assert!(std::fs::read(&path).unwrap() == want);
    }

    /// `parse_plain` reads a line as `RawRecord` does, or declines it.
    fn plain_reads_as_raw_record(line: &str, field: &str) -> bool {
        let Some((fields, text)) = parse_plain(line.as_bytes(), field) else {
            return false;
        };
        let rec = RawRecord::parse(line.as_bytes()).expect("RawRecord reads what parse_plain reads");
        assert_eq!(rec.text(field).as_ref(), Ok(&text), "{line}");
        assert_eq!(fields.len(), rec.fields.len(), "{line}");
        for ((k, v), (rk, rv)) in fields.iter().zip(&rec.fields) {
            assert_eq!(k, rk, "{line}");
            if k != &field {
                assert_eq!(*v, rv.get(), "{line}");
            }
        }
        true
    }

    #[test]
    fn plain_records_read_as_raw_records_do() {
        let deep = |n: usize| format!(r#"{{"text":"t","m":{}{}}}"#, "[".repeat(n), "]".repeat(n));
        let read = [
            r#"{"id":"a","text":"line one\nline two \"q\" \\ \/ \t\r\b\f","metadata":{"x":[1,2.5e3,null,true]}}"#,
            " \t{ \"text\" : \"x\" , \"n\" : -0.5 }\r\n ",
            r#"{"text":""}"#,
            r#"{"textwash":{"old":1},"text":"é ﬁ 😀"}"#,
            r#"{"a":"\u00e9","text":"x"}"#,
            &deep(64),
        ];
        for line in read {
            assert!(plain_reads_as_raw_record(line, "text"), "{line}");
        }
        let declined = [
            // Left to RawRecord, which reads them.
            r#"{"text":"caf\u00e9"}"#.to_string(),
            r#"{"text":"a","text":"b"}"#.to_string(),
            r#"{"text":1}"#.to_string(),
            r#"{"te\u0078t":"a"}"#.to_string(),
            r#"{"id":1}"#.to_string(),
            "{}".to_string(),
            // Errors.
            r#"{"text":"a",}"#.to_string(),
            r#"{"text":"a"} x"#.to_string(),
            r#"{"text" "a"}"#.to_string(),
            r#"{"text":"a""#.to_string(),
            "{\"text\":\"a\nb\"}".to_string(),
            r#"{"text":"a","m":01}"#.to_string(),
            r#"["text"]"#.to_string(),
        ];
        for line in &declined {
            assert!(!plain_reads_as_raw_record(line, "text"), "{line}");
        }
        // Deeper than `json::skip_value` reads: left to serde_json, which skips a raw value without a
        // depth limit.
        for n in [65, 300] {
            assert!(parse_plain(deep(n).as_bytes(), "text").is_none());
            assert!(RawRecord::parse(deep(n).as_bytes()).is_ok());
        }
        // Bytes that are not UTF-8, in the text and in a key.
        for line in [
            &b"{\"text\":\"a\xff\"}"[..],
            b"{\"t\xffext\":\"a\",\"text\":\"b\"}",
            b"{\"text\":\"a\xc3\\n\xa9\"}",
        ] {
            assert!(parse_plain(line, "text").is_none());
            assert!(RawRecord::parse(line).is_err());
        }
        // A dotted field is left to RawRecord.
        assert!(parse_plain(br#"{"m":{"body":"x"}}"#, "m.body").is_none());
    }
}
