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
    fn numbers_come_out_as_serde_json_writes_them() {
        for n in [0, 7, 10, 12345, usize::MAX] {
            let mut out = Vec::new();
            write_usize(&mut out, n);
            assert_eq!(out, serde_json::to_vec(&n).expect("a number"));
        }
    }
}
