//! Writing JSON by hand on the hot path: a string escaper that skips eight bytes at a time, and the
//! numbers. Both write exactly what serde_json writes (the tests compare them byte for byte), so an
//! output record is the same whichever writes it; they exist because serde_json escapes a byte at a
//! time, and the cleaned text and the removed strings are most of an output record's bytes.

/// Appends `s` as a JSON string, escaped as serde_json escapes it: `"` and `\` with a backslash,
/// the control characters below U+0020 as `\b \t \n \f \r` or `\u00XX` (lower-case hex), everything
/// else (U+2028 and DEL included) as it is.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(word) = bytes.get(i..i + 8) {
            if !needs_escape(u64::from_le_bytes(word.try_into().expect("eight bytes"))) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            b'\t' => b't',
            b'\n' => b'n',
            0x0c => b'f',
            b'\r' => b'r',
            0..=0x1f => 0,
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        if short != 0 {
            out.extend_from_slice(&[b'\\', short]);
        } else {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Whether any of the eight bytes is below 0x20, a `"` or a `\` (the exact test of "has a byte less
/// than n" and "has a zero byte" on a word: a borrow can only start at a byte that qualifies).
fn needs_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    let quote = w ^ (ONES * b'"' as u64);
    let backslash = w ^ (ONES * b'\\' as u64);
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    below_space | zero(quote) | zero(backslash) != 0
}

/// The string a JSON string literal stands for, when its escapes are all of the one-character kind
/// (`\n`, `\"`, ...); `None` for anything else (a `\u` escape, a value that is not a string), which
/// the caller hands to serde_json. `raw` must be valid JSON, as a [`serde_json::value::RawValue`] is:
/// then a literal that starts with a quote ends with one, and holds no bare quote or control byte.
///
/// serde_json stops at every escape and copies the string twice; prose extracted from PDFs has an
/// escaped newline every 40 bytes or so, which made reading the text a tenth of a record's cost.
pub fn unescape_plain(raw: &str) -> Option<String> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut rest = inner;
    while let Some(i) = memchr::memchr(b'\\', rest.as_bytes()) {
        out.push_str(&rest[..i]);
        out.push(match rest.as_bytes().get(i + 1)? {
            b'n' => '\n',
            b'"' => '"',
            b'\\' => '\\',
            b't' => '\t',
            b'r' => '\r',
            b'/' => '/',
            b'b' => '\x08',
            b'f' => '\x0c',
            _ => return None,
        });
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    Some(out)
}

/// Appends an unsigned integer.
pub fn write_usize(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(s: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, s);
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn strings_come_out_as_serde_json_writes_them() {
        let mut every_byte: String = (0u8..0x80).map(char::from).collect();
        every_byte.push_str("é\u{2028}\u{2029}\u{7f}ﬁ😀");
        let cases = [
            "",
            "plain",
            "exactly8",
            "\"",
            "\\",
            "a \"quoted\" word and a back\\slash, longer than eight bytes",
            "line one\nline two\n\nline three\t\r\x0c\x08\x00\x1f end",
            "0123456\n0123456\"01234567\\",
            every_byte.as_str(),
        ];
        for s in cases {
            assert_eq!(ours(s), serde_json::to_string(s).expect("a string"), "{s:?}");
        }
        // Every position of every escaped byte relative to the eight-byte steps.
        for b in (0u8..0x20).chain([b'"', b'\\']) {
            for at in 0..20 {
                let mut s = "x".repeat(24);
                s.replace_range(at..at + 1, &char::from(b).to_string());
                assert_eq!(ours(&s), serde_json::to_string(&s).expect("a string"), "{s:?}");
            }
        }
    }

    #[test]
    fn plain_escapes_read_as_serde_json_reads_them() {
        let strings = [
            "",
            "plain",
            "line one\nline two\n\nthree \"quoted\" back\\slash\t\r\x08\x0c/",
            "é ﬁ 😀 \u{2028}",
            "\\n is not a newline",
        ];
        for s in strings {
            let raw = serde_json::to_string(s).expect("a string");
            assert_eq!(unescape_plain(&raw).as_deref(), Some(s), "{raw}");
            // The solidus may be escaped too.
            let solidus = raw.replace('/', "\\/");
            assert_eq!(unescape_plain(&solidus).as_deref(), Some(s), "{solidus}");
        }
        // Left to serde_json: \u escapes (surrogate pairs, lone surrogates), and values that are not
        // strings.
        for raw in [r#""caf\u00e9""#, r#""\ud83d\ude00""#, r#""\ud800""#, "12", "null", r#"["a"]"#] {
            assert_eq!(unescape_plain(raw), None, "{raw}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_string_round_trips_as_serde_json_says(s in "(?s).{0,40}|[\\x00-\\x7f]{0,40}") {
            let mut out = Vec::new();
            write_str(&mut out, &s);
            proptest::prop_assert_eq!(&out, &serde_json::to_vec(&s).expect("a string"));
            let raw = String::from_utf8(out).expect("UTF-8");
            // serde_json writes most control characters as `\u00XX`, which is left to it.
            match unescape_plain(&raw) {
                Some(t) => proptest::prop_assert_eq!(t, s),
                None => proptest::prop_assert!(raw.contains("\\u"), "{}", raw),
            }
        }
    }

    #[test]
    fn numbers_come_out_as_serde_json_writes_them() {
        for n in [0, 7, 10, 12345, usize::MAX] {
            let mut out = Vec::new();
            write_usize(&mut out, n);
            assert_eq!(out, serde_json::to_vec(&n).expect("a number"));
        }
    }
}
