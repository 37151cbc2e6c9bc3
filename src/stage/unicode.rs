//! Unicode debris: what PDF fonts and extractors leave in text that is not the author's.
//!
//! - `ligature`: Latin presentation ligatures (`ﬁ` `ﬂ` `ﬀ` `ﬃ` `ﬄ` `ﬅ` `ﬆ`) spelled out, since nobody
//!   searches for `ﬁnance`.
//! - `invisible-char`: soft hyphens, zero-width spaces, word joiners and stray byte-order marks dropped.
//!   Zero-width (non-)joiners are kept: scripts and emoji need them.
//! - `unicode-space`: no-break, thin, figure and other Unicode spaces become a plain space.
//! - `control-char`: C0 and C1 control characters dropped, except tab, newline and form feed.
//! - `line-ending`: CRLF and CR become LF; U+2028 a line break, U+2029 a paragraph break.
//! - `symbol-letter`: a symbol that PDF fonts use for a Greek letter (`µ` MICRO SIGN, `∆` INCREMENT,
//!   `Ω` OHM SIGN) becomes that letter, as the author typed it.
//! - `spacing-accent`: an accent printed as a character of its own before its letter (`Fr´echet`,
//!   `S˜ao`, as pdfminer prints TeX accents) is put on the letter (`Fréchet`, `São`).
//! - `nfc`: the text is put in Unicode Normalization Form C (a letter and its combining accent become
//!   one character).
//!
//! A form feed is left in place: it marks a page break for the passes below, and reflow removes it.

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::edit::{Edits, RuleId};
use crate::lines::{self, Doc};
use crate::pipeline::Pass;
use crate::rules::ResolvedStage;
use crate::stage::rule_on;

pub const RULES: &[&str] = &[
    "ligature",
    "invisible-char",
    "unicode-space",
    "control-char",
    "line-ending",
    "symbol-letter",
    "spacing-accent",
    "nfc",
];

pub fn build(s: &ResolvedStage) -> Vec<Box<dyn Pass>> {
    let chars = CharPass {
        ligature: rule_on(s, "ligature"),
        invisible: rule_on(s, "invisible-char"),
        space: rule_on(s, "unicode-space"),
        control: rule_on(s, "control-char"),
        line_ending: rule_on(s, "line-ending"),
        symbol: rule_on(s, "symbol-letter"),
        accent: rule_on(s, "spacing-accent"),
    };
    let mut passes: Vec<Box<dyn Pass>> = vec![Box::new(chars)];
    if let Some(rule) = rule_on(s, "nfc") {
        passes.push(Box::new(NfcPass { rule }));
    }
    passes
}

struct CharPass {
    ligature: Option<RuleId>,
    invisible: Option<RuleId>,
    space: Option<RuleId>,
    control: Option<RuleId>,
    line_ending: Option<RuleId>,
    symbol: Option<RuleId>,
    accent: Option<RuleId>,
}

/// What a character becomes, and under which rule.
enum Fix {
    Keep,
    Ligature(&'static str),
    Invisible,
    Space,
    Control,
    LineEnd(&'static str),
    Symbol(&'static str),
    /// A spacing accent and the combining mark it stands for.
    Accent(char),
}

fn classify(c: char) -> Fix {
    match c {
        '\t' | '\n' | '\x0c' => Fix::Keep,
        '\r' => Fix::LineEnd("\n"),
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => Fix::Control,
        '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' => Fix::Space,
        '\u{ad}' | '\u{200b}' | '\u{2060}' | '\u{feff}' => Fix::Invisible,
        '\u{2028}' => Fix::LineEnd("\n"),
        '\u{2029}' => Fix::LineEnd("\n\n"),
        '\u{fb00}' => Fix::Ligature("ff"),
        '\u{fb01}' => Fix::Ligature("fi"),
        '\u{fb02}' => Fix::Ligature("fl"),
        '\u{fb03}' => Fix::Ligature("ffi"),
        '\u{fb04}' => Fix::Ligature("ffl"),
        '\u{fb05}' | '\u{fb06}' => Fix::Ligature("st"),
        '\u{b5}' => Fix::Symbol("\u{3bc}"),
        '\u{2206}' => Fix::Symbol("\u{394}"),
        '\u{2126}' => Fix::Symbol("\u{3a9}"),
        // U+1FFD (Greek oxia) is `´` once in NFC: it must go the same way, or a second run would fix
        // what NFC left (issue 7).
        '\u{b4}' | '\u{1ffd}' => Fix::Accent('\u{301}'),
        '\u{2dc}' => Fix::Accent('\u{303}'),
        '\u{a8}' => Fix::Accent('\u{308}'),
        '\u{2c6}' => Fix::Accent('\u{302}'),
        '\u{2c7}' => Fix::Accent('\u{30c}'),
        '\u{2da}' => Fix::Accent('\u{30a}'),
        '\u{b8}' => Fix::Accent('\u{327}'),
        '\u{2dd}' => Fix::Accent('\u{30b}'),
        '\u{2d8}' => Fix::Accent('\u{306}'),
        '\u{2d9}' => Fix::Accent('\u{307}'),
        _ => Fix::Keep,
    }
}

impl Pass for CharPass {
    fn apply(&self, doc: &Doc, edits: &mut Edits) {
        let text = doc.text;
        let bytes = text.as_bytes();
        let skip = Skip::new();
        let mut i = 0;
        while i < bytes.len() {
            // Fast path: printable ASCII, newline and tab need nothing.
            i = skip.plain(bytes, i);
            if i >= bytes.len() {
                break;
            }
            // The characters past ASCII that most texts have need nothing either: skipped without
            // decoding and classifying them.
            if let Some(len) = keep_len(&bytes[i..]) {
                i += len;
                continue;
            }
            let c = text[i..].chars().next().expect("i is on a char boundary");
            let len = c.len_utf8();
            match classify(c) {
                Fix::Keep => {}
                Fix::Ligature(s) => {
                    if let Some(r) = &self.ligature {
                        edits.push(i..i + len, s, r);
                    }
                }
                Fix::Invisible => {
                    if let Some(r) = &self.invisible {
                        edits.remove(i..i + len, r);
                    }
                }
                Fix::Space => {
                    if let Some(r) = &self.space {
                        edits.push(i..i + len, " ", r);
                    }
                }
                Fix::Control => {
                    if let Some(r) = &self.control {
                        edits.remove(i..i + len, r);
                    }
                }
                Fix::Symbol(s) => {
                    if let Some(r) = &self.symbol {
                        edits.push(i..i + len, s, r);
                    }
                }
                Fix::Accent(mark) => {
                    // Only right before a letter: alone, `´` is a character the author may have meant.
                    // Accents in a row (`¸´e`) all go on the letter after them, and so do accents
                    // before control or invisible characters this pass removes: taking only the last,
                    // or stopping at what is about to go, would leave accents before a letter for a
                    // second run (issue 7).
                    let mut marks = vec![mark];
                    let mut after = i + len;
                    let mut next = text[after..].chars().next();
                    loop {
                        match next.map(classify) {
                            Some(Fix::Accent(m)) => marks.push(m),
                            Some(Fix::Control) if self.control.is_some() => {}
                            Some(Fix::Invisible) if self.invisible.is_some() => {}
                            _ => break,
                        }
                        after += next.map_or(0, char::len_utf8);
                        next = text[after..].chars().next();
                    }
                    let next = next.filter(|c| c.is_alphabetic());
                    if let (Some(r), Some(letter)) = (&self.accent, next) {
                        let end = after + letter.len_utf8();
                        // The edit covers the letter, so the letter's own fix goes into it: a ligature is
                        // spelled out with the mark on its first letter (`¨ﬀ` -> `f̈f`), a symbol becomes
                        // its letter; otherwise a second run would still find them (issue 7).
                        let mut buf = [0; 4];
                        let spelled: &str = match classify(letter) {
                            Fix::Ligature(s) if self.ligature.is_some() => s,
                            Fix::Symbol(s) if self.symbol.is_some() => s,
                            _ => letter.encode_utf8(&mut buf),
                        };
                        let mut rest = spelled.chars();
                        let first = rest.next().expect("a letter is spelled with at least one");
                        let composed: String = std::iter::once(first)
                            .chain(marks.iter().rev().copied())
                            .collect::<String>()
                            .nfc()
                            .chain(rest)
                            .collect();
                        edits.push(i..end, composed, r);
                        i = end;
                        continue;
                    }
                    // No letter after the run: every accent in it stays as it is, and what this pass
                    // removes goes as it would have (the run is not scanned twice).
                    for (k, c) in text[i + len..after].char_indices() {
                        let at = i + len + k;
                        match (classify(c), &self.control, &self.invisible) {
                            (Fix::Control, Some(r), _) | (Fix::Invisible, _, Some(r)) => {
                                edits.remove(at..at + c.len_utf8(), r)
                            }
                            _ => {}
                        }
                    }
                    i = after;
                    continue;
                }
                Fix::LineEnd(s) => {
                    if let Some(r) = &self.line_ending {
                        // CRLF is one line end.
                        let end = if c == '\r' && bytes.get(i + 1) == Some(&b'\n') { i + 2 } else { i + len };
                        edits.push(i..end, s, r);
                        i = end;
                        continue;
                    }
                }
            }
            i += len;
        }
    }
}

/// The length of the character that `text` starts with, when it is one of the common characters
/// past ASCII that [`classify`] keeps: U+00C0 to U+00FF (Latin-1 letters, lead byte C3), and U+200C
/// to U+2027 and U+2030 to U+203F (dashes, curly quotes, bullets, primes: E2 80 8C to A7 and B0 to
/// BF). (Test: every such character is kept, and the bytes say no more.)
#[inline]
fn keep_len(text: &[u8]) -> Option<usize> {
    match *text {
        [0xc3, _, ..] => Some(2),
        [0xe2, 0x80, 0x8c..=0xa7 | 0xb0..=0xbf, ..] => Some(3),
        _ => None,
    }
}

/// Whether `CharPass` leaves byte `b` alone without a look: printable ASCII (0x20 to 0x7e), newline
/// and tab.
#[inline]
fn is_plain(b: u8) -> bool {
    b.wrapping_sub(0x20) < 0x5f || b == b'\n' || b == b'\t'
}

/// The first position at or after `i` whose byte is not [`is_plain`], or the end.
///
/// Sixteen bytes at a time while they are all plain (nearly all text is, newlines included): the
/// test of a block is a fold without branches, which the compiler turns into a few vector compares,
/// about one instruction for two bytes. The byte loop finds the byte that stopped a block.
fn skip_plain(bytes: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = bytes.get(i..i + 16) {
        let chunk: &[u8; 16] = chunk.try_into().expect("16 bytes");
        if !chunk.iter().fold(true, |all, &b| all & is_plain(b)) {
            break;
        }
        i += 16;
    }
    while i < bytes.len() && is_plain(bytes[i]) {
        i += 1;
    }
    i
}

/// The skips of [`skip_plain`] and [`lines::skip_ascii`], 64 bytes at a time with AVX2 when the
/// processor has it (asked once a pass, not once a skip). Nearly all text is plain ASCII, and the
/// 16-byte folds cost over a instruction a byte, then a byte loop to find the byte that stopped
/// them; with AVX2 a block of 64 bytes costs about fifteen, and its bit mask says where it stops.
#[derive(Clone, Copy)]
struct Skip {
    avx2: bool,
}

impl Skip {
    fn new() -> Skip {
        #[cfg(target_arch = "x86_64")]
        let avx2 = std::arch::is_x86_feature_detected!("avx2");
        #[cfg(not(target_arch = "x86_64"))]
        let avx2 = false;
        Skip { avx2 }
    }

    /// [`skip_plain`].
    #[inline]
    fn plain(self, bytes: &[u8], i: usize) -> usize {
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: the processor has AVX2 (`Skip::new` checked).
            return unsafe { skip_avx2::<true>(bytes, i) };
        }
        skip_plain(bytes, i)
    }

    /// [`lines::skip_ascii`].
    #[inline]
    fn ascii(self, bytes: &[u8], i: usize) -> usize {
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: the processor has AVX2 (`Skip::new` checked).
            return unsafe { skip_avx2::<false>(bytes, i) };
        }
        lines::skip_ascii(bytes, i)
    }
}

/// [`skip_plain`] if `PLAIN`, else [`lines::skip_ascii`]: the first position at or after `i` (at most
/// `bytes.len()`) whose byte is not plain (not ASCII), or the end, 64 bytes at a time. The last,
/// partial block is read padded with spaces, which are plain ASCII. (Test: the same positions as the
/// byte loops.)
///
/// # Safety
/// The processor must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn skip_avx2<const PLAIN: bool>(bytes: &[u8], mut i: usize) -> usize {
    // SAFETY (both): the processor has AVX2 (the caller's promise).
    while let Some(block) = bytes.get(i..i + 64) {
        let stops = unsafe { stops_avx2::<PLAIN>(block.try_into().expect("64 bytes")) };
        if stops != 0 {
            return i + stops.trailing_zeros() as usize;
        }
        i += 64;
    }
    if i >= bytes.len() {
        return bytes.len();
    }
    let mut block = [b' '; 64];
    block[..bytes.len() - i].copy_from_slice(&bytes[i..]);
    let stops = unsafe { stops_avx2::<PLAIN>(&block) };
    if stops != 0 {
        i + stops.trailing_zeros() as usize
    } else {
        bytes.len()
    }
}

/// The bytes of `block` that are not [`is_plain`] (if `PLAIN`) or not ASCII, each as a bit, the first
/// byte the lowest.
///
/// A byte is not ASCII when its top bit is set, which `movemask` takes. It is not plain when it is
/// below 0x20 or 0x7f or above, save newline and tab: one signed compare of the byte plus one, which
/// takes 0x7f to 0x80 and 0xff to 0, finds 0 to 0x1f and 0x7f to 0xff (the bytes past ASCII are
/// negative, and stay so but for 0xff), and newline and tab are taken out again.
///
/// # Safety
/// The processor must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn stops_avx2<const PLAIN: bool>(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{
        __m256i, _mm256_add_epi8, _mm256_andnot_si256, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8,
        _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8,
    };
    // SAFETY: the processor has AVX2 (the caller's promise), and the loads read the 64 bytes of
    // `block`, with no alignment needed.
    unsafe {
        let stops = |v: __m256i| -> u32 {
            if !PLAIN {
                return _mm256_movemask_epi8(v) as u32;
            }
            let odd = _mm256_cmpgt_epi8(_mm256_set1_epi8(0x21), _mm256_add_epi8(v, _mm256_set1_epi8(1)));
            let kept = _mm256_or_si256(
                _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\n' as i8)),
                _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\t' as i8)),
            );
            _mm256_movemask_epi8(_mm256_andnot_si256(kept, odd)) as u32
        };
        let lo = _mm256_loadu_si256(block.as_ptr().cast());
        let hi = _mm256_loadu_si256(block.as_ptr().add(32).cast());
        u64::from(stops(lo)) | u64::from(stops(hi)) << 32
    }
}

/// Whether the non-ASCII run `run` (whole characters) is made only of U+0080 to U+00FF and U+2002 to
/// U+207F: Latin-1 letters and signs, curly quotes, dashes, bullets. Each is a starter (combining class
/// 0) that is NFC as it stands and never composes with the character before it (quick check Yes), so
/// a run of them after an ASCII character is NFC: the quick check would say Yes, without its table
/// lookups. Told on the bytes: a lead byte C2 or C3 and one more, or E2 80 82 to E2 81 BF.
/// (Test: every such character is a quick-check-Yes starter.)
fn is_nfc_starters(run: &[u8]) -> bool {
    let mut k = 0;
    while k < run.len() {
        k += match run[k..] {
            [0xc2 | 0xc3, _, ..] => 2,
            [0xe2, 0x80, 0x82..=0xbf, ..] | [0xe2, 0x81, _, ..] => 3,
            _ => return false,
        };
    }
    true
}

struct NfcPass {
    rule: RuleId,
}

impl Pass for NfcPass {
    fn apply(&self, doc: &Doc, edits: &mut Edits) {
        let text = doc.text;
        // No quick check of the whole text first: the check starts afresh at every ASCII character,
        // so it says Yes for the text exactly when it says Yes for each run below.
        //
        // ASCII characters are starters that never compose with what precedes them, so the text splits
        // into runs of non-ASCII characters, each with the ASCII character before it (a base letter
        // that a combining mark may join).
        let bytes = text.as_bytes();
        let skip = Skip::new();
        let mut i = 0;
        while i < bytes.len() {
            i = skip.ascii(bytes, i);
            if i >= bytes.len() {
                break;
            }
            let start = if i > 0 && bytes[i - 1].is_ascii() { i - 1 } else { i };
            let mut end = i;
            while end < bytes.len() && !bytes[end].is_ascii() {
                end += 1;
            }
            let run = &text[start..end];
            if !is_nfc_starters(&bytes[i..end]) && is_nfc_quick(run.chars()) != IsNormalized::Yes {
                let nfc: String = run.nfc().collect();
                if nfc != run {
                    edits.push(start..end, nfc, &self.rule);
                }
            }
            i = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pipeline::Pipeline;
    use crate::rules::RuleSet;

    #[test]
    fn the_word_at_a_time_skips_stop_where_the_byte_loops_do() {
        let texts = [
            "plain printable text, long enough for a few words of eight",
            "tab\there and a newline\nthere, ~ and \x7f and \x1f and ÿ and é",
            "~~~~~~~~~~~~~~~~\u{7f}",
            "ÿÿÿÿÿÿÿÿ ascii after ÿ",
            "                 \u{80}",
            "",
        ];
        for t in texts {
            let b = t.as_bytes();
            for i in 0..=b.len() {
                let plain = (i..b.len())
                    .find(|&k| !((0x20..0x7f).contains(&b[k]) || b[k] == b'\n' || b[k] == b'\t'))
                    .unwrap_or(b.len());
                assert_eq!(super::skip_plain(b, i), plain, "{t:?} at {i}");
                let ascii = (i..b.len()).find(|&k| !b[k].is_ascii()).unwrap_or(b.len());
                assert_eq!(crate::lines::skip_ascii(b, i), ascii, "{t:?} at {i}");
            }
        }
    }

    #[test]
    fn the_block_skip_stops_at_every_byte_that_is_not_plain() {
        // Each byte value, at each place of a plain text that spans a few 16-byte blocks.
        let plain = b"line one\tand two\nand three, four five six seven eight";
        for x in 0..=255u8 {
            for at in 0..plain.len() {
                let mut b = plain.to_vec();
                b[at] = x;
                for i in 0..=b.len() {
                    let want = (i..b.len()).find(|&k| !super::is_plain(b[k])).unwrap_or(b.len());
                    assert_eq!(super::skip_plain(&b, i), want, "{x} at {at}, from {i}");
                    let want = (i..b.len()).find(|&k| !b[k].is_ascii()).unwrap_or(b.len());
                    assert_eq!(crate::lines::skip_ascii(&b, i), want, "{x} at {at}, from {i}");
                }
            }
        }
        for b in 0..=255u8 {
            assert_eq!(super::is_plain(b), (0x20..0x7f).contains(&b) || b == b'\n' || b == b'\t', "{b}");
        }
    }

    #[test]
    fn the_avx2_skips_stop_where_the_byte_loops_do() {
        let skip = super::Skip::new();
        if !skip.avx2 {
            return;
        }
        // Each byte value, at places of a plain text that spans a few 64-byte blocks and ends in a
        // partial one, skipped from places before, at and after it.
        let plain: Vec<u8> = b"line one\tand two\nand three, four five six seven eight ~ nine."
            .iter()
            .cycle()
            .take(150)
            .copied()
            .collect();
        for x in 0..=255u8 {
            for at in [0, 1, 31, 32, 63, 64, 65, 100, 127, 128, 129, 149] {
                let mut b = plain.clone();
                b[at] = x;
                for i in [0, 1, at.saturating_sub(1), at, at + 1, 64, 86, 87, 120, 149, 150] {
                    let want = (i..b.len()).find(|&k| !super::is_plain(b[k])).unwrap_or(b.len());
                    assert_eq!(skip.plain(&b, i), want, "{x} at {at}, from {i}");
                    let want = (i..b.len()).find(|&k| !b[k].is_ascii()).unwrap_or(b.len());
                    assert_eq!(skip.ascii(&b, i), want, "{x} at {at}, from {i}");
                }
            }
        }
        for n in 0..200 {
            let b = &plain[..n.min(150)];
            assert_eq!(skip.plain(b, 0), b.len());
            assert_eq!(skip.ascii(b, 0), b.len());
        }
    }

    #[test]
    fn the_characters_skipped_undecoded_are_kept() {
        let mut taken = 0;
        for c in ('\u{80}'..='\u{ffff}').chain(['\u{10000}', '\u{1f600}']) {
            let mut buf = [0; 5];
            let len = c.encode_utf8(&mut buf[..4]).len();
            buf[len] = b'x';
            if let Some(n) = super::keep_len(&buf[..len + 1]) {
                taken += 1;
                assert_eq!(n, len, "{c:?}");
                assert!(matches!(super::classify(c), super::Fix::Keep), "{c:?}");
            }
        }
        assert_eq!(taken, 0x40 + (0x2028 - 0x200c) + 0x10);
    }

    #[test]
    fn the_runs_taken_as_nfc_are_quick_check_yes_starters() {
        use unicode_normalization::char::canonical_combining_class;
        use unicode_normalization::{is_nfc_quick, IsNormalized};
        let mut taken = 0;
        for c in ('\u{80}'..='\u{ffff}').chain(['\u{10000}', '\u{1f600}']) {
            let mut buf = [0; 4];
            let run = c.encode_utf8(&mut buf).as_bytes();
            if super::is_nfc_starters(run) {
                taken += 1;
                assert_eq!(canonical_combining_class(c), 0, "{c:?}");
                assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
                assert_eq!(is_nfc_quick(['e', c, 'x', c, c].into_iter()), IsNormalized::Yes, "{c:?}");
            }
        }
        assert_eq!(taken, 0x80 + (0x2080 - 0x2002));
        assert!(super::is_nfc_starters("é“ü”—".as_bytes()));
        assert!(!super::is_nfc_starters("é\u{301}".as_bytes()));
        assert!(!super::is_nfc_starters("\u{2000}".as_bytes()));
    }

    fn unicode_only(text: &str) -> String {
        let rules = RuleSet::from_source("[[stage]]\nid = \"unicode\"\nkind = \"unicode\"\n", "test.toml", 0)
            .unwrap();
        Pipeline::new(&rules).unwrap().clean(text).text
    }

    #[test]
    fn spells_out_ligatures() {
        assert_eq!(unicode_only("ﬁnance ﬂow oﬀ oﬃce waﬄe ﬆop"), "finance flow off office waffle stop");
    }

    #[test]
    fn drops_invisible_and_control_characters() {
        assert_eq!(
            unicode_only("hy\u{ad}phen zero\u{200b}width \u{feff}bom bell\u{7}"),
            "hyphen zerowidth bom bell"
        );
    }

    #[test]
    fn keeps_joiners_tabs_and_form_feeds() {
        let s = "a\u{200d}b\tc\x0cd";
        assert_eq!(unicode_only(s), s);
    }

    #[test]
    fn puts_spacing_accents_on_their_letters_and_symbols_back_to_letters() {
        assert_eq!(unicode_only("Fr´echet and S˜ao Paulo, 5 µm, ∆x"), "Fréchet and São Paulo, 5 μm, Δx");
        assert_eq!(unicode_only("a lone ´ stays"), "a lone ´ stays");
    }

    #[test]
    fn normalises_spaces_line_ends_and_nfc() {
        assert_eq!(unicode_only("a\u{a0}b\r\nc\rd"), "a b\nc\nd");
        assert_eq!(unicode_only("cafe\u{301} nai\u{308}ve"), "café naïve");
    }
}
