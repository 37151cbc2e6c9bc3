//! Reading and writing files: compression by extension or magic bytes, atomic output files, the JSONL
//! record shape.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

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
        let file = File::create(&tmp)?;
        let writer = compressed_writer(Box::new(file), Compression::from_path(path))?;
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

/// A writer that finishes its compression stream when flushed for the last time and dropped.
fn compressed_writer(inner: Box<dyn Write + Send>, c: Compression) -> io::Result<Box<dyn Write + Send>> {
    let buffered = BufWriter::with_capacity(BUF, inner);
    Ok(match c {
        Compression::None => Box::new(buffered),
        Compression::Gzip => Box::new(FinishOnDrop::Gz(Some(flate2::write::GzEncoder::new(
            buffered,
            flate2::Compression::fast(),
        )))),
        Compression::Zstd => {
            Box::new(FinishOnDrop::Zstd(Some(zstd::stream::write::Encoder::new(buffered, 3)?)))
        }
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

/// Writes `fields` as an object, the value at dotted `path` replaced by the JSON string `text`.
fn write_object(
    fields: &[(Cow<'_, str>, &RawValue)],
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
    let target = fields.iter().rposition(|(k, _)| k == head);
    let has_report = report.is_some() && fields.iter().any(|(k, _)| k == "textwash");
    out.push(b'{');
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        crate::json::write_str(out, k);
        out.push(b':');
        if Some(i) == target {
            match rest {
                None => crate::json::write_str(out, text),
                Some(rest) => {
                    let inner: RawObject = serde_json::from_str(v.get()).expect("checked by text()");
                    write_object(&inner.0, rest, text, None, out);
                }
            }
        } else if let (Some(r), true) = (report, k == "textwash") {
            r.write_json(out);
        } else {
            out.extend_from_slice(v.get().as_bytes());
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
    let rec = RawRecord::parse(line)?;
    let input = rec.text(text_field)?;
    let cleaned = p.clean(&input);
    let report = crate::record::Report::new(&input, &cleaned, "UTF-8", 0);
    rec.write(text_field, &cleaned.text, &report, out);
    Ok(cleaned)
}
