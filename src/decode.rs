//! Bytes to text: the first stage of every document read from a file.
//!
//! A byte-order mark decides (UTF-8, UTF-16LE, UTF-16BE) and is removed. Valid UTF-8 is taken as it
//! is. UTF-16 without a BOM is recognised by its zero bytes. Text that is mostly UTF-8 with a few
//! broken sequences stays UTF-8 with U+FFFD in their place. Anything else goes to chardetng, the
//! detector Firefox uses, which names a legacy encoding (Windows-1252, Shift_JIS, ...). Invalid
//! sequences become U+FFFD and are counted; decoding never fails.

use chardetng::EncodingDetector;
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// A decoded document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// The encoding's WHATWG name (`UTF-8`, `UTF-16LE`, `windows-1252`, ...).
    pub encoding: &'static str,
    /// Whether a byte-order mark was found (and removed).
    pub bom: bool,
    /// How many invalid sequences became U+FFFD.
    pub replaced: usize,
}

/// Decodes bytes of unknown encoding.
pub fn decode(bytes: &[u8]) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return with(enc, &bytes[bom_len..], true);
    }
    // Before UTF-8: the zero bytes of UTF-16 are valid UTF-8.
    if let Some(enc) = utf16_without_bom(bytes) {
        return with(enc, bytes, false);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Decoded { text: s.to_string(), encoding: "UTF-8", bom: false, replaced: 0 };
    }
    if mostly_utf8(bytes) {
        return with(UTF_8, bytes, false);
    }
    let mut det = EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    let enc = det.guess(None, chardetng::Utf8Detection::Allow);
    with(enc, bytes, false)
}

/// Whether bytes are a binary file rather than text in some encoding: after a BOM and UTF-16 are ruled
/// out, the first 8 KiB hold a NUL byte or more than one control byte in twenty (text has tab, line
/// ends and form feeds, and at most a few stray others). The `clean` command reports such a file
/// instead of cleaning it into noise.
pub fn looks_binary(bytes: &[u8]) -> bool {
    if Encoding::for_bom(bytes).is_some() || utf16_without_bom(bytes).is_some() {
        return false;
    }
    let head = &bytes[..bytes.len().min(8192)];
    if memchr::memchr(0, head).is_some() {
        return true;
    }
    let controls = head.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)).count();
    controls * 20 > head.len()
}

fn with(enc: &'static Encoding, bytes: &[u8], bom: bool) -> Decoded {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    let text = text.into_owned();
    let replaced = if had_errors { text.matches('\u{FFFD}').count() } else { 0 };
    Decoded { text, encoding: enc.name(), bom, replaced }
}

/// UTF-16 text in a Latin script has a zero byte in every other position.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let n = bytes.len().min(4096) & !1;
    if n < 8 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in bytes[..n].chunks_exact(2) {
        even += (pair[0] == 0) as usize;
        odd += (pair[1] == 0) as usize;
    }
    let half = n / 2;
    if odd * 10 >= half * 7 && even * 10 <= half {
        Some(UTF_16LE)
    } else if even * 10 >= half * 7 && odd * 10 <= half {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// UTF-8 with a few broken sequences: more valid multi-byte characters than invalid sequences.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut valid_multi, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        valid_multi += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        if !chunk.invalid().is_empty() {
            invalid += 1;
        }
    }
    valid_multi > invalid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_as_is() {
        let d = decode("héllo".as_bytes());
        assert_eq!((d.text.as_str(), d.encoding, d.replaced), ("héllo", "UTF-8", 0));
    }

    #[test]
    fn boms() {
        let d = decode(b"\xef\xbb\xbfhi");
        assert_eq!((d.text.as_str(), d.encoding, d.bom), ("hi", "UTF-8", true));
        let d = decode(b"\xff\xfeh\0i\0");
        assert_eq!((d.text.as_str(), d.encoding), ("hi", "UTF-16LE"));
        let d = decode(b"\xfe\xff\0h\0i");
        assert_eq!((d.text.as_str(), d.encoding), ("hi", "UTF-16BE"));
    }

    #[test]
    fn utf16_without_a_bom() {
        let bytes: Vec<u8> = "plain text here".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let d = decode(&bytes);
        assert_eq!((d.text.as_str(), d.encoding), ("plain text here", "UTF-16LE"));
    }

    #[test]
    fn windows_1252() {
        let d = decode(b"\x93Quoted\x94 caf\xe9 \x80 5 \x97 done, the committee said it would meet again");
        assert_eq!(d.encoding, "windows-1252");
        assert_eq!(d.text, "“Quoted” café € 5 — done, the committee said it would meet again");
    }

    #[test]
    fn binary_is_told_from_text() {
        assert!(looks_binary(b"\x7fELF\x02\x01\x01\0\0\0\0"));
        assert!(looks_binary(b"\x01\x02\x03\x04 abc"));
        assert!(!looks_binary(b""));
        assert!(!looks_binary(b"plain\ttext\r\n\x0cnext page\x07"));
        let utf16: Vec<u8> = "plain text here".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        assert!(!looks_binary(&utf16));
        assert!(!looks_binary(b"\xff\xfeh\0i\0"));
    }

    #[test]
    fn broken_utf8_is_counted() {
        let d = decode(b"caf\xc3\xa9 and \xff then na\xc3\xafve");
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.replaced, 1);
        assert!(d.text.contains('\u{FFFD}'));
    }
}
