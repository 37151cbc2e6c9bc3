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
    loop {
        i = find_escape(bytes, i);
        if i == bytes.len() {
            break;
        }
        let b = bytes[i];
        out.extend_from_slice(&bytes[start..i]);
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            b'\t' => b't',
            b'\n' => b'n',
            0x0c => b'f',
            b'\r' => b'r',
            _ => 0,
        };
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

/// Where the first byte from `from` on that needs escaping is (a `"`, a `\` or a control character),
/// or the length when none does. Inlined into `write_str` and `unescape_literal`, which call it once
/// for every escape (every 40 bytes or so of prose): a call cost 25 instructions or so each time, 2.4M
/// of a 5 MB run.
#[inline(always)]
pub fn find_escape(bytes: &[u8], from: usize) -> usize {
    // Sixteen bytes a step, two words tested with one branch.
    let mut pairs = bytes[from..].chunks_exact(16);
    for (k, pair) in pairs.by_ref().enumerate() {
        let (a, b) = pair.split_at(8);
        let a = escape_mask(u64::from_le_bytes(a.try_into().expect("eight bytes")));
        let b = escape_mask(u64::from_le_bytes(b.try_into().expect("eight bytes")));
        if a | b != 0 {
            // The lowest flagged byte is one to escape (see `escape_mask`).
            let at = if a != 0 { a.trailing_zeros() / 8 } else { 8 + b.trailing_zeros() / 8 };
            return from + 16 * k + at as usize;
        }
    }
    let mut i = bytes.len() - pairs.remainder().len();
    if let Some(w) = bytes.get(i..i + 8) {
        let found = escape_mask(u64::from_le_bytes(w.try_into().expect("eight bytes")));
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    if i == bytes.len() {
        return i;
    }
    let Some(last) = bytes.len().checked_sub(8) else {
        return bytes[i..]
            .iter()
            .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
            .map_or(bytes.len(), |k| i + k);
    };
    // The last eight bytes, those before `i` (looked at already) made spaces: a byte that was escaped
    // could otherwise flag the one after it.
    let seen = (1u64 << (8 * (i - last))) - 1;
    let w = u64::from_le_bytes(bytes[last..].try_into().expect("eight bytes"));
    let found = escape_mask(w & !seen | u64::from_le_bytes([b' '; 8]) & seen);
    if found == 0 {
        bytes.len()
    } else {
        last + (found.trailing_zeros() / 8) as usize
    }
}

/// The high bit of each of the eight bytes that is below 0x20, a `"` or a `\`, and perhaps of bytes
/// above such a byte: the exact test of "has a byte less than n" and "has a zero byte" on a word, where
/// a borrow can only start at a byte that qualifies. So the mask is zero exactly when no byte needs
/// escaping, and its lowest set bit always marks one that does.
///
/// `"` (0x22) with bit 1 flipped is 0x20, and flipping that bit keeps the bytes below 0x20 below it
/// and takes 0x20 and 0x21 to 0x22 and 0x23: so one test, "below 0x21" on the flipped word, finds the
/// control characters and the quote together (four instructions fewer a word than two tests).
fn escape_mask(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let flipped = w ^ (ONES * 0x02);
    let control_or_quote = flipped.wrapping_sub(ONES * 0x21) & !flipped & HIGH;
    let backslash = w ^ (ONES * b'\\' as u64);
    control_or_quote | backslash.wrapping_sub(ONES) & !backslash & HIGH
}

/// The string a JSON string literal stands for, when its escapes are all of the one-character kind
/// (`\n`, `\"`, ...); `None` for anything else (a `\u` escape, a value that is not a string), which
/// the caller hands to serde_json. `raw` must be valid JSON, as a [`serde_json::value::RawValue`] is:
/// then a literal that starts with a quote ends with one, and holds no bare quote or control byte.
///
/// serde_json stops at every escape and copies the string twice; prose extracted from PDFs has an
/// escaped newline every 40 bytes or so, which made reading the text a tenth of a record's cost.
pub fn unescape_plain(raw: &str) -> Option<String> {
    let rest = raw.strip_prefix('"')?;
    let (text, end) = unescape_literal(raw.as_bytes(), raw.len() - rest.len())?;
    (end == raw.len()).then_some(text)
}

/// The string whose JSON literal starts at `bytes[from..]` (just after its opening quote), and the
/// index just past its closing quote. `None` for a `\u` escape (left to serde_json, as in
/// [`unescape_plain`]), and for what serde_json rejects: a control character, an unknown escape, a
/// literal that does not end, invalid UTF-8.
///
/// One pass finds the end of the literal and unescapes it, where serde_json's `RawValue` and
/// [`unescape_plain`] take one each.
pub fn unescape_literal(bytes: &[u8], from: usize) -> Option<(String, usize)> {
    // The literal is read from the valid UTF-8 that starts it; one that does not end inside it is
    // unterminated or not UTF-8. The pieces between escapes are then whole strings, since an escape
    // starts and ends at ASCII bytes.
    let rest = valid_utf8_start(&bytes[from..]);
    let raw = rest.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    loop {
        let stop = find_escape(raw, i);
        out.push_str(&rest[i..stop]);
        match raw.get(stop)? {
            b'"' => return Some((out, from + stop + 1)),
            b'\\' => out.push(match raw.get(stop + 1)? {
                b'n' => '\n',
                b'"' => '"',
                b'\\' => '\\',
                b't' => '\t',
                b'r' => '\r',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                _ => return None,
            }),
            _ => return None,
        }
        i = stop + 2;
    }
}

/// The longest start of `bytes` that is valid UTF-8. encoding_rs checks it with vector instructions
/// (simdutf8's, AVX2 where the CPU has it): about 0.2 instructions a byte, where `String::from_utf8`
/// took one on prose with a non-ASCII letter every few hundred bytes.
fn valid_utf8_start(bytes: &[u8]) -> &str {
    let utf8 = |b| match encoding_rs::UTF_8.decode_without_bom_handling_and_without_replacement(b) {
        Some(std::borrow::Cow::Borrowed(s)) => Some(s),
        _ => None,
    };
    // The whole of it, nearly always; or the part before the first malformed sequence. (Anything
    // unexpected from encoding_rs reads as nothing valid: the caller then declines the literal.)
    utf8(bytes).or_else(|| utf8(&bytes[..encoding_rs::Encoding::utf8_valid_up_to(bytes)])).unwrap_or_default()
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
        // Two escaped bytes at every pair of positions, in one word or two, in the last (overlapping)
        // word or not. The fillers are the bytes a borrow from an escaped byte below could flag.
        for len in [5, 9, 16, 19, 23, 37] {
            for a in 0..len {
                for b in a + 1..len {
                    let mut s: Vec<u8> = [b' ', b'#', b']', b'y'][len % 4..len % 4 + 1].repeat(len);
                    s[a] = b'\n';
                    s[b] = if b % 2 == 0 { b'"' } else { 0x01 };
                    let s = String::from_utf8(s).expect("ASCII");
                    assert_eq!(ours(&s), serde_json::to_string(&s).expect("a string"), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn escape_mask_finds_the_first_byte_to_escape() {
        let first = |word: &[u8; 8]| word.iter().position(|&b| b < 0x20 || b == b'"' || b == b'\\');
        for filler in 0..=255u8 {
            for b in 0..=255u8 {
                for at in 0..8 {
                    let mut word = [filler; 8];
                    word[at] = b;
                    let mask = escape_mask(u64::from_le_bytes(word));
                    let found = (mask != 0).then(|| mask.trailing_zeros() as usize / 8);
                    assert_eq!(found, first(&word), "{word:?}");
                }
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

    /// What `unescape_literal` reads from `bytes` (a literal from its opening quote on), checked
    /// against serde_json: the same string and end, or `None` where serde_json fails or the literal
    /// has a `\u` escape.
    fn literal_as_serde_json_reads_it(bytes: &[u8]) {
        let ours = unescape_literal(bytes, 1);
        let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<String>();
        let theirs = match stream.next() {
            Some(Ok(s)) => Some((s, stream.byte_offset())),
            _ => None,
        };
        match (&ours, &theirs) {
            (Some(o), Some(t)) => assert_eq!(o, t, "{bytes:?}"),
            (Some(o), None) => {
                // serde_json may only object to what follows the literal.
                let end = o.1;
                assert_eq!(
                    serde_json::from_slice::<String>(&bytes[..end]).ok().as_ref(),
                    Some(&o.0),
                    "{bytes:?}"
                );
            }
            (None, Some(_)) => {
                let end = theirs.as_ref().expect("some").1;
                assert!(bytes[..end].windows(2).any(|w| w == b"\\u"), "{bytes:?}");
            }
            (None, None) => {}
        }
    }

    #[test]
    fn literals_read_as_serde_json_reads_them() {
        let mut every_byte: String = (0u8..0x80).map(char::from).collect();
        every_byte.push_str("é\u{2028}\u{2029}\u{7f}ﬁ😀");
        for s in ["", "plain", "line one\nline two\n\nthree \"quoted\" back\\slash\t\r\x08\x0c/", &every_byte]
        {
            for tail in ["", ",\"id\":1}", "}"] {
                let line = format!("{}{tail}", serde_json::to_string(s).expect("a string"));
                literal_as_serde_json_reads_it(line.as_bytes());
                assert_eq!(
                    unescape_literal(line.as_bytes(), 1).map(|(t, _)| t).as_deref(),
                    Some(s).filter(|s| !s.contains(|c: char| c < ' ' && !"\n\t\r\x08\x0c".contains(c)))
                );
            }
        }
        let bad: [&[u8]; 9] = [
            b"\"unterminated",
            b"\"bare \x01 control\"",
            b"\"bare\nnewline\"",
            b"\"unknown \\x escape\"",
            b"\"caf\\u00e9\"",
            b"\"ends in a backslash\\",
            b"\"\xff\xfe not UTF-8\"",
            b"\"split \xc3\\n\xa9 sequence\"",
            b"\"0123456789abcdef\\/0123456789abcdef\\b\\f\"",
        ];
        for b in bad {
            literal_as_serde_json_reads_it(b);
        }
        // Every position of every byte of interest relative to the sixteen-byte steps.
        for b in [b'"', b'\\', b'\n', 0x01, 0xc3] {
            for at in 1..40 {
                let mut line = b"\"".to_vec();
                line.extend(b"x".repeat(44));
                line.push(b'"');
                line[at] = b;
                literal_as_serde_json_reads_it(&line);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_literal_reads_as_serde_json_reads_it(s in "(?s).{0,40}|[\\x00-\\x7f]{0,40}", tail in "[,}\\]\"x ]{0,3}") {
            let mut line = serde_json::to_vec(&s).expect("a string");
            line.extend_from_slice(tail.as_bytes());
            literal_as_serde_json_reads_it(&line);
            // And the raw bytes of any short string as a literal's inside.
            let mut raw = b"\"".to_vec();
            raw.extend_from_slice(s.as_bytes());
            raw.extend_from_slice(tail.as_bytes());
            literal_as_serde_json_reads_it(&raw);
        }
    }

    proptest::proptest! {
        #[test]
        fn valid_utf8_start_is_std_valid_up_to(s in "(?s).{0,100}", cut in 0usize..400, junk in proptest::collection::vec(proptest::num::u8::ANY, 0..4), n in 0usize..200) {
            // Long enough for the vector path (64 bytes and up), cut anywhere, perhaps with bytes
            // that are not UTF-8 after the cut.
            let mut bytes = s.repeat(1 + n / 40).into_bytes();
            bytes.truncate(cut.min(bytes.len()));
            bytes.extend_from_slice(&junk);
            let want = match std::str::from_utf8(&bytes) {
                Ok(t) => t.len(),
                Err(e) => e.valid_up_to(),
            };
            proptest::prop_assert_eq!(valid_utf8_start(&bytes).as_bytes(), &bytes[..want]);
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
