//! Page furniture: what a page layout repeats around the text.
//!
//! Extractors separate pages with form feeds, so plain text still knows where each page starts and
//! ends. Only the first and last `zone-lines` non-blank lines of a page are ever looked at.
//!
//! - `running-head` / `running-foot`: a line that recurs at the top (bottom) of at least `min-pages`
//!   pages and of about half the pages, compared with its digits masked (`Page 3` = `Page 4`) and
//!   case and spacing folded.
//! - `page-number`: a bare page number (`12`, `- 12 -`, `Page 12`, `Page 12 of 30`, `12/30`, `xii`) at
//!   the top or bottom of a page. On a text without page breaks only the unambiguous forms
//!   (`Page 3 of 9`, `3/9` as the last line) count. `Page 12` alone on a line counts anywhere.
//! - `print-header`: the date and time line a browser prints at the top of each page
//!   (`11/26/26, 9:14 AM`) and the page title printed beside it.
//! - `print-footer`: the URL and `n/N` page count a browser prints at the bottom of each page.
//!
//! - `recurring-line`: a short line (no sentence end) that recurs three times or more anywhere in the
//!   text, digits masked: furniture of an extractor that prints no page breaks (pypdf).
//! - `title-echo`: on a later page, a line made only of words of the document's first lines (the
//!   title and the authors), or a truncated copy of the title (`Title of the pa...`): a running head.
//!   Without page breaks (pypdf), a later copy of a first line or of most of the title, also after
//!   the authors' names or before a page label (`Costa Micro-structure of ...`, `TITLE ... Page 2`),
//!   at most once every 15 lines.
//! - `title-block`: the authors, affiliations, e-mails and `Received ...` lines between a paper's title
//!   and its text, found from an affiliation line (`Department of ...`, `... University ...`) in the
//!   first lines of the document. Authors above it, or (pdfminer's order) a list of people right
//!   below it; an arXiv stamp among these lines is passed over.
//! - `footnote`: at the foot of a page, right above the page number, a line that starts with a note
//!   marker (`1 `, `*`, `†`) and reads as a note (ends a sentence or holds a URL).
//!   Without page breaks (pypdf), one such line right above a page number, its marker one digit or
//!   sign (`1 Also at ...`, `1This work ...`).
//!
//! - `vertical-text`: eight or more lines in a row of one or two characters each: text set sideways
//!   in a margin (an arXiv stamp), which pdfminer prints a character a line.
//!
//! Pattern rules with `scope = "page-edge"` can be added for the furniture of a particular publisher.

use std::cell::OnceCell;

use std::collections::hash_map::Entry;

use crate::hash::{FxHashMap, FxHashSet};

use regex::Regex;

use crate::edit::{Edits, RuleId};
use crate::lines::Doc;
use crate::lines::{self, Line};
use crate::pipeline::Pass;
use crate::rules::ResolvedStage;
use crate::stage::patterns::PatternPass;
use crate::stage::rule_on;

pub const RULES: &[&str] = &[
    "running-head",
    "running-foot",
    "page-number",
    "print-header",
    "print-footer",
    "recurring-line",
    "title-echo",
    "title-block",
    "footnote",
    "vertical-text",
];

/// The words of an affiliation line (`Department of ...`, `... University ...`). The rule wants them
/// followed by a word boundary, but a Unicode word boundary next to a non-ASCII character stops the
/// lazy DFA, and the slow engine then ran over every head line with an accent or a curly quote (1-2%
/// of a run). A line that lacks the words cannot match with the boundary either, so the words alone
/// are tested first, with the DFA.
const AFFILIATION: &str = r"(?i)(?:department|dept\.|university|universit[éyàä]t?|universidad|universidade|universiteit|università|hochschule|instituto|istituto|école|escuela|institute|institut|school\s+of|college|laborato(?:ry|ries|ire|rio)|centre|center\s+for|faculty|hospital|academy|polytechnic|research\s+(?:center|centre|lab)|inc\.|ltd\.|gmbh|corporation)";

/// A bare page number: `12`, `- 12 -`, `Page 12`, `Page 12 of 30`, `12/30`, `xii`.
const PAGE_NUMBER: &str = r"(?i)^(?:(?:page|p\.|seite|pág\.?|página)\s*)?[-–—(\[]?\s*(?:\d{1,4}|[ivxlc]{1,7})\s*[-–—)\]]?(?:\s*(?:of|/|von|de)\s*\d{1,4})?$";

/// An unambiguous page number (`Page 3 of 9`, `3/9`); [`plain_page_count`] is its second branch on ASCII
/// digits, without the regex engine.
const SURE_PAGE_NUMBER: &str = r"(?i)^(?:page\s+\d{1,4}\s+of\s+\d{1,4}|\d{1,4}\s*/\s*\d{1,4})$";

/// A URL alone on a line; [`is_url`] is this regex without the regex engine.
#[cfg(test)]
const URL: &str = r"^(?:https?://|file:/|www\.)\S+$";

/// An author line (see [`FurniturePass::is_names`]; [`may_be_names`] is a cheap test that every match
/// passes, which whoever edits this must keep so).
const NAMES: &str = r"^(?:\p{Lu}[\p{L}'’.\-]*\.?|and|&|[0-9,*∗†‡§¶]+)(?:[\s,]+(?:\p{Lu}[\p{L}'’.\-]*\.?|and|&|[0-9,*∗†‡§¶]+)|[0-9,*∗†‡§¶]+)*$";

/// A `Received ...` line of a paper's title block, or a month and year alone.
const RECEIVED: &str = r"^(?i:received|accepted|revised|submitted|dated|published\s+online)\b.{0,60}\d{4}\.?$|^(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{4}$";

/// The date and time line a browser prints at the top of a page.
const PRINT_DATE: &str =
    r"(?i)^\d{1,2}[/.]\d{1,2}[/.]\d{2,4},?\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s+\S.*)?$";

pub fn build(s: &ResolvedStage) -> Result<Vec<Box<dyn Pass>>, String> {
    let pass = FurniturePass {
        running_head: rule_on(s, "running-head"),
        running_foot: rule_on(s, "running-foot"),
        page_number: rule_on(s, "page-number"),
        print_header: rule_on(s, "print-header"),
        print_footer: rule_on(s, "print-footer"),
        recurring: rule_on(s, "recurring-line"),
        title_echo: rule_on(s, "title-echo"),
        title_block: rule_on(s, "title-block"),
        footnote: rule_on(s, "footnote"),
        vertical: rule_on(s, "vertical-text"),
        head_lines: s.head_lines.max(4),
        affiliation_re: Regex::new(&format!("{AFFILIATION}\\b")).expect("valid"),
        affiliation_words_re: Regex::new(AFFILIATION).expect("valid"),
        affiliation_lower_re: regex::bytes::Regex::new(AFFILIATION.trim_start_matches("(?i)"))
            .expect("valid"),
        affiliation_bound_lower_re: regex::bytes::Regex::new(&format!(
            "{}\\b",
            AFFILIATION.trim_start_matches("(?i)")
        ))
        .expect("valid"),
        affiliation_ascii_re: regex::bytes::Regex::new(&format!(
            "{}(?-u:\\b)",
            AFFILIATION.trim_start_matches("(?i)")
        ))
        .expect("valid"),
        received_re: Regex::new(RECEIVED).expect("valid"),
        email_re: Regex::new(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\{[\w.,\s-]+\}@").expect("valid"),
        names_re: Regex::new(NAMES).expect("valid"),
        footnote_re: Regex::new(r"^(?:\d{1,2}|[*∗†‡§¶])\s?\p{Lu}").expect("valid"),
        url_page_re: Regex::new(r"^(?:https?://|www\.)\S+\s+\d{1,3}\s*/\s*\d{1,3}$").expect("valid"),
        zone: s.zone_lines.max(1),
        min_pages: s.min_pages.max(2),
        page_number_re: Regex::new(PAGE_NUMBER).expect("valid"),
        sure_page_number_re: Regex::new(SURE_PAGE_NUMBER).expect("valid"),
        print_date_re: Regex::new(PRINT_DATE).expect("valid"),
        et_al: memchr::memmem::Finder::new(b" et al."),
    };
    let mut passes: Vec<Box<dyn Pass>> = vec![Box::new(pass)];
    if let Some(p) = PatternPass::new(s)? {
        passes.push(Box::new(p));
    }
    Ok(passes)
}

struct FurniturePass {
    running_head: Option<RuleId>,
    running_foot: Option<RuleId>,
    page_number: Option<RuleId>,
    print_header: Option<RuleId>,
    print_footer: Option<RuleId>,
    recurring: Option<RuleId>,
    title_echo: Option<RuleId>,
    title_block: Option<RuleId>,
    footnote: Option<RuleId>,
    vertical: Option<RuleId>,
    head_lines: usize,
    affiliation_re: Regex,
    /// `affiliation_re` without its final word boundary: see [`AFFILIATION`].
    affiliation_words_re: Regex,
    /// `affiliation_words_re` with case kept (its words are lower case), for ASCII lines lower-cased:
    /// see [`FurniturePass::has_affiliation_words`].
    affiliation_lower_re: regex::bytes::Regex,
    /// `affiliation_re` with case kept, likewise.
    affiliation_bound_lower_re: regex::bytes::Regex,
    /// `affiliation_bound_lower_re` with an ASCII word boundary, for ASCII lines lower-cased: see
    /// [`FurniturePass::has_affiliation`].
    affiliation_ascii_re: regex::bytes::Regex,
    received_re: Regex,
    email_re: Regex,
    names_re: Regex,
    footnote_re: Regex,
    url_page_re: Regex,
    zone: usize,
    min_pages: usize,
    page_number_re: Regex,
    sure_page_number_re: Regex,
    print_date_re: Regex,
    /// `" et al."`, searched for in the lines of a text without page breaks (see `title_echo`).
    et_al: memchr::memmem::Finder<'static>,
}

/// A line's identity for recurrence: lower case, digits masked, spacing folded.
#[cfg(test)]
fn key(s: &str) -> String {
    let mut k = Vec::new();
    key_into(s, &mut k);
    String::from_utf8(k).expect("a key is UTF-8")
}

/// Writes a line's key (see [`key`]) into `out`, as UTF-8, in place of what it held.
fn key_into(s: &str, out: &mut Vec<u8>) {
    out.clear();
    push_key(s, out);
}

/// Appends a line's key (see [`key`]) to `out`, as UTF-8.
fn push_key(s: &str, out: &mut Vec<u8>) {
    if s.is_ascii() {
        fold_ascii(s.as_bytes(), OTHER, out);
        return;
    }
    // A line with other characters: its runs of ASCII folded as an ASCII line's, and the characters
    // between them as `fold_key` folds them (none is a digit; the white space among them continues or
    // starts a run of white space). The class of the last byte or character carries over.
    let mut prev = OTHER;
    let mut rest = s;
    loop {
        let n = rest.bytes().position(|b| !b.is_ascii()).unwrap_or(rest.len());
        prev = fold_ascii(&rest.as_bytes()[..n], prev, out);
        let Some(c) = rest[n..].chars().next() else { return };
        if c.is_whitespace() {
            if prev != SPACE {
                out.push(b' ');
            }
            prev = SPACE;
        } else {
            c.to_lowercase().for_each(|l| out.extend_from_slice(l.encode_utf8(&mut [0; 4]).as_bytes()));
            prev = OTHER;
        }
        rest = &rest[n + c.len_utf8()..];
    }
}

/// Appends the key of the ASCII bytes `run` to `out`, where `prev` is the class of what came before
/// (see [`ASCII_KEY`]), and returns the class of its last byte (`prev` when `run` is empty).
fn fold_ascii(run: &[u8], prev: u8, out: &mut Vec<u8>) -> u8 {
    let Some(&last) = run.last() else { return prev };
    // A run that is its own key lower-cased is copied so, unless its first space continues a run of
    // white space before it.
    if is_own_key(run) && !(prev == SPACE && run[0] == b' ') {
        let start = out.len();
        out.extend_from_slice(run);
        out[start..].make_ascii_lowercase();
        return if last == b' ' { SPACE } else { OTHER };
    }
    // `fold_key` on ASCII, without a branch per byte (the unit test compares the two): each byte is
    // written as its key byte, and the write is kept unless the byte continues a run of digits or of
    // white space.
    let mut len = out.len();
    out.resize(len + run.len(), 0);
    let mut prev = prev;
    for &b in run {
        let (byte, class) = ASCII_KEY[b as usize];
        out[len] = byte;
        len += (class == OTHER || class != prev) as usize;
        prev = class;
    }
    out.truncate(len);
    prev
}

/// Whether an ASCII line's key is the line lower-cased: it has no digit, no white space but the space
/// (the others are control characters), and no two spaces in a row, so that no byte changes class or
/// joins a run. Most zone lines are such (running heads, titles), and this test and the lower-casing
/// are loops the compiler vectorises, where the fold takes a branch-free but serial step per byte.
fn is_own_key(b: &[u8]) -> bool {
    let Some(&last) = b.last() else { return true };
    let odd = |c: u8| (c < b' ') | c.is_ascii_digit();
    // Each byte with the one after it (the last alone): `&` and `|`, not `&&` and `||`, keep the loop
    // free of branches.
    !b.iter().zip(&b[1..]).fold(odd(last), |bad, (&x, &y)| bad | odd(x) | ((x == b' ') & (y == b' ')))
}

/// Numbers the keys of lines (see [`key`]): lines get the same number exactly when they have the same
/// key, numbered from 0 in the order their keys first come.
///
/// Most zone lines have a key no other line has (a line of text at the top or bottom of a page), and
/// folding their keys to look them up was most of the stage. A line is first summed up by
/// [`key_sig`], a function of its key that is read off the line's bytes without folding: a line whose
/// sum no line before it had has a new key. Only where sums meet are keys compared, and only where
/// the lines' texts differ (a running head recurs as it is printed) are keys folded.
#[derive(Default)]
struct KeyNumbers<'t> {
    /// The first key (its number) of each sum; the others with that sum follow through `Key::next`.
    by_sig: FxHashMap<u64, u32>,
    /// By number: each key's first line.
    keys: Vec<Key<'t>>,
    /// The keys folded so far, one after another (`Key::folded`).
    folded: Vec<u8>,
    /// The key of the line being numbered, once folded.
    buf: Vec<u8>,
}

struct Key<'t> {
    /// The first line with the key.
    text: &'t str,
    /// The next key with the same sum ([`NO_KEY`] for none).
    next: u32,
    /// Where the key is in `KeyNumbers::folded`, once folded.
    folded: Option<std::ops::Range<usize>>,
}

const NO_KEY: u32 = u32::MAX;

impl<'t> KeyNumbers<'t> {
    fn with_capacity(n: usize) -> Self {
        let mut numbers = KeyNumbers::default();
        numbers.by_sig.reserve(n);
        numbers.keys.reserve(n);
        numbers
    }

    /// How many keys are numbered.
    fn len(&self) -> usize {
        self.keys.len()
    }

    /// The number of the key of `t`.
    fn number(&mut self, t: &'t str) -> u32 {
        let KeyNumbers { by_sig, keys, folded, buf } = self;
        let new = keys.len() as u32;
        let mut k = match by_sig.entry(key_sig(t)) {
            Entry::Vacant(v) => {
                v.insert(new);
                keys.push(Key { text: t, next: NO_KEY, folded: None });
                return new;
            }
            Entry::Occupied(o) => *o.get(),
        };
        // The keys with this sum, all different: the line's is one of them or a new one.
        let mut t_folded = false;
        loop {
            // The same text has the same key.
            if keys[k as usize].text == t {
                return k;
            }
            if !t_folded {
                key_into(t, buf);
                t_folded = true;
            }
            let key = &mut keys[k as usize];
            let range = key.folded.get_or_insert_with(|| {
                let start = folded.len();
                push_key(key.text, folded);
                start..folded.len()
            });
            if folded[range.clone()] == buf[..] {
                return k;
            }
            if key.next == NO_KEY {
                key.next = new;
                let start = folded.len();
                folded.extend_from_slice(buf);
                keys.push(Key { text: t, next: NO_KEY, folded: Some(start..folded.len()) });
                return new;
            }
            k = key.next;
        }
    }
}

/// A sum of a line's key that is read off the line without folding it: how many ASCII letters other
/// than `i` and `k` the key has, and the sum of their bytes (each in 32 bits, wrapping). Lines with the
/// same key have the same sum.
///
/// The key's ASCII letters are the line's lower-cased, in order, and perhaps some more: the fold
/// masks digits and white space, lower-cases ASCII letters, and writes each other character as its
/// lower case, which holds no ASCII byte but the `i` of `İ` (U+0130, `i̇`) and the `k` of the Kelvin
/// sign (the unit test reads every character). Leaving out `i` and `k`, the sum reads the line.
///
/// With SSE2 (part of every x86-64 processor), sixteen bytes at a time: [`key_sig_plainly`] otherwise
/// (the proptest compares the two).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn key_sig(t: &str) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi64, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8,
        _mm_cvtsi128_si64, _mm_loadu_si128, _mm_min_epu8, _mm_or_si128, _mm_sad_epu8, _mm_set1_epi8,
        _mm_setr_epi8, _mm_setzero_si128, _mm_srli_si128, _mm_sub_epi8,
    };
    let b = t.as_bytes();
    // SAFETY: SSE2 is enabled (the `cfg`); each load reads sixteen bytes within `b` or within `buf`,
    // with no alignment needed.
    unsafe {
        let zero = _mm_setzero_si128();
        let (mut n, mut sum) = (zero, zero);
        // Adds the letters among the bytes of `v` that `keep` selects (all ones in their lanes).
        let mut add = |v: __m128i, keep: __m128i| {
            let lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
            // A letter's lower case less `a` is at most 25 (as an unsigned byte); any other byte's is more.
            let d = _mm_sub_epi8(lower, _mm_set1_epi8(b'a' as i8));
            let letter = _mm_and_si128(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(25)), d), keep);
            let i_or_k = _mm_or_si128(
                _mm_cmpeq_epi8(lower, _mm_set1_epi8(b'i' as i8)),
                _mm_cmpeq_epi8(lower, _mm_set1_epi8(b'k' as i8)),
            );
            let counted = _mm_andnot_si128(i_or_k, letter);
            // `sad` against zero sums each eight bytes into a 64-bit lane.
            sum = _mm_add_epi64(sum, _mm_sad_epu8(_mm_and_si128(lower, counted), zero));
            n = _mm_add_epi64(n, _mm_sad_epu8(_mm_and_si128(counted, _mm_set1_epi8(1)), zero));
        };
        let all = _mm_set1_epi8(-1);
        let mut chunks = b.chunks_exact(16);
        for c in &mut chunks {
            add(_mm_loadu_si128(c.as_ptr().cast()), all);
        }
        let rest = chunks.remainder().len();
        if rest > 0 && b.len() >= 16 {
            // The last sixteen bytes, of which the first `16 - rest` were added already.
            let lanes = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            let keep = _mm_cmpgt_epi8(lanes, _mm_set1_epi8(15 - rest as i8));
            add(_mm_loadu_si128(b[b.len() - 16..].as_ptr().cast()), keep);
        } else if rest > 0 {
            let mut buf = [0u8; 16];
            buf[..rest].copy_from_slice(b);
            add(_mm_loadu_si128(buf.as_ptr().cast()), all);
        }
        let total = |v: __m128i| {
            let (lo, hi) = (_mm_cvtsi128_si64(v) as u64, _mm_cvtsi128_si64(_mm_srli_si128(v, 8)) as u64);
            // (Taken to 32 bits: the plain sums wrap there.)
            lo.wrapping_add(hi) as u32 as u64
        };
        total(n) << 32 | total(sum)
    }
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn key_sig(t: &str) -> u64 {
    key_sig_plainly(t.as_bytes())
}

/// What [`key_sig`] computes, byte by byte, of a line or of a key.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn key_sig_plainly(b: &[u8]) -> u64 {
    let (mut n, mut sum) = (0u32, 0u32);
    for &c in b {
        let lower = c | 0x20;
        if lower.is_ascii_lowercase() && lower != b'i' && lower != b'k' {
            // (Wrapping: the sum of a line of more than 35 MB overflows, and is a sum still.)
            n = n.wrapping_add(1);
            sum = sum.wrapping_add(lower as u32);
        }
    }
    (n as u64) << 32 | sum as u64
}

/// The classes of [`ASCII_KEY`].
const OTHER: u8 = 0;
const DIGIT: u8 = 1;
const SPACE: u8 = 2;

/// For each ASCII byte, what [`fold_key`] makes of it: `#` for a digit, a space for white space
/// (`char::is_whitespace`: the space and tab to carriage return), the lower case of anything else; and
/// its class, since a run of digits or of white space makes one key byte.
const ASCII_KEY: [(u8, u8); 128] = {
    let mut t = [(0, OTHER); 128];
    let mut b = 0;
    while b < 128 {
        t[b] = match b as u8 {
            b'0'..=b'9' => (b'#', DIGIT),
            b' ' | b'\t'..=b'\r' => (b' ', SPACE),
            c => (c.to_ascii_lowercase(), OTHER),
        };
        b += 1;
    }
    t
};

/// Feeds `emit` the characters of a line's key (see [`key`]): a run of digits is one `#`, a run of white
/// space one space, everything else lower-cased. The definition, a character at a time: the tests hold
/// [`push_key`] (which folds runs of ASCII through [`ASCII_KEY`]) and [`key_hash`] to it.
#[cfg(test)]
fn fold_key(s: &str, mut emit: impl FnMut(char)) {
    let (mut prev_digit, mut prev_space) = (false, false);
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !prev_digit {
                emit('#');
            }
            (prev_digit, prev_space) = (true, false);
        } else if c.is_whitespace() {
            if !prev_space {
                emit(' ');
            }
            (prev_digit, prev_space) = (false, true);
        } else {
            if c.is_ascii() {
                emit(c.to_ascii_lowercase());
            } else {
                c.to_lowercase().for_each(&mut emit);
            }
            (prev_digit, prev_space) = (false, false);
        }
    }
}

impl Pass for FurniturePass {
    fn apply(&self, doc: &Doc, edits: &mut Edits) {
        let text = doc.text;
        // Text already in the reflowed shape (one block a line, blank lines between, no page break) has
        // no printed lines left to be furniture: a line is a paragraph, and the first run of the pipeline
        // took the furniture off its pages. Looking again would read paragraphs as lines, and a heading
        // that repeats the title as a running head (issue 7: a second run must change nothing).
        // (Tested before the split: it needs no lines, and the lines of such a text are not looked at.)
        if lines::is_reflowed(text) {
            return;
        }
        let lines = doc.lines();
        let (nonblank, vertical) = nonblank_lines(lines, VERTICAL_LINES);
        let pages = pages(lines, &nonblank);
        let mut verdict: Vec<Option<&RuleId>> = vec![None; lines.len()];
        let multi = pages.len() >= 2;

        // Recurring lines, counted once per page, separately for tops and bottoms. Each distinct key of
        // a zone line gets a number, computed once per line: two lines have the same number exactly when
        // they have the same key, so counting and comparing numbers is counting and comparing keys.
        let mut key_id: Vec<u32> = Vec::new();
        let mut tops: Vec<usize> = Vec::new();
        let mut bottoms: Vec<usize> = Vec::new();
        if multi {
            key_id = vec![u32::MAX; lines.len()];
            // (Room for as many keys as there are zone lines: most lines are their own.)
            let mut numbers = KeyNumbers::with_capacity((pages.len() * 2 * self.zone).min(nonblank.len()));
            // A running head or foot is mostly printed as it was on the page before, at the same place in
            // the zone: where the text is that line's, so are its key and number, found by a comparison
            // instead of a sum and a lookup. (Asking `numbers` would give the same number and change
            // nothing: the line's key is numbered already.)
            let mut number = |i: usize, same_place: Option<usize>| {
                if key_id[i] == u32::MAX {
                    let t = lines[i].text(text);
                    key_id[i] = match same_place {
                        Some(j) if lines[j].text(text) == t => key_id[j],
                        _ => numbers.number(t),
                    };
                }
            };
            let mut prev: &[usize] = &[];
            for page in &pages {
                for (n, &i) in page.iter().take(self.zone).enumerate() {
                    number(i, prev.get(n).copied());
                }
                for (n, &i) in page.iter().rev().take(self.zone).enumerate() {
                    number(i, prev.len().checked_sub(n + 1).map(|k| prev[k]));
                }
                prev = page;
            }
            let ids = numbers.len();
            tops = vec![0; ids];
            bottoms = vec![0; ids];
            // The last page (counted from 1) on whose top and bottom each key was counted: a key that
            // recurs within one zone counts once for the page.
            let (mut top_page, mut bottom_page) = (vec![0u32; ids], vec![0u32; ids]);
            for (p, page) in (1..).zip(&pages) {
                for &i in page.iter().take(self.zone) {
                    let k = key_id[i] as usize;
                    if top_page[k] != p {
                        tops[k] += 1;
                        top_page[k] = p;
                    }
                }
                for &i in page.iter().rev().take(self.zone) {
                    let k = key_id[i] as usize;
                    if bottom_page[k] != p {
                        bottoms[k] += 1;
                        bottom_page[k] = p;
                    }
                }
            }
        }
        let need = self.min_pages.max((pages.len().saturating_sub(1)) / 2);

        // The keys taken at the top of the page (one vector for all pages: most take a line or two).
        let mut taken: Vec<u32> = Vec::new();
        for (p, page) in pages.iter().enumerate() {
            let top = &page[..self.zone.min(page.len())];
            // Top of the page: walk down while lines are furniture; stop at the first that is not, so
            // that text below a real line is never taken for a header.
            // A running head is printed once a page: a second copy at the same top is the headline
            // under a browser's print title that repeats it, and stays.
            // (Keys are numbered only when there are pages to compare: `taken` matters only then.)
            taken.clear();
            // Whether the line above is a print date, where it was asked on that line's turn (the regex
            // search of a date line is ~600 instructions: once a line is enough).
            let mut prev_date: Option<bool> = None;
            for (n, &i) in top.iter().enumerate() {
                let t = lines[i].text(text);
                let print_title = n > 0
                    && verdict[top[n - 1]].is_some()
                    && prev_date.unwrap_or_else(|| self.is_print_date(lines[top[n - 1]].text(text)))
                    && is_print_title(t);
                let date = !print_title && self.is_print_date(t);
                prev_date = (!print_title).then_some(date);
                let k = key_id.get(i).copied().unwrap_or(u32::MAX);
                let v = if print_title || date {
                    self.print_header.as_ref()
                } else if multi && tops[k as usize] >= need && !(p == 0 && n == 0) && !taken.contains(&k) {
                    // The first line of the first page is the title, even when later pages repeat it.
                    self.running_head.as_ref()
                } else if self.is_page_number(t, multi, false) {
                    self.page_number.as_ref()
                } else {
                    None
                };
                match v {
                    Some(r) => {
                        verdict[i] = Some(r);
                        taken.push(k);
                    }
                    None => break,
                }
            }
            // Bottom of the page, walking up.
            for &i in page.iter().rev().take(self.zone) {
                if verdict[i].is_some() {
                    continue;
                }
                let t = lines[i].text(text);
                let v = if self.is_page_number(t, multi, p + 1 == pages.len()) {
                    if t.contains('/') && (plain_page_count(t) || self.sure_page_number_re.is_match(t)) {
                        self.print_footer.as_ref()
                    } else {
                        self.page_number.as_ref()
                    }
                } else if multi && bottoms[key_id[i] as usize] >= need {
                    if self.is_url(t) {
                        self.print_footer.as_ref()
                    } else {
                        self.running_foot.as_ref()
                    }
                } else if self.is_url(t) && self.next_is_page_count(text, lines, page, i) {
                    self.print_footer.as_ref()
                } else {
                    None
                };
                match v {
                    Some(r) => verdict[i] = Some(r),
                    None => break,
                }
            }
        }
        self.anywhere(text, lines, &nonblank, vertical, &mut verdict);
        self.title_block(text, lines, &pages, &mut verdict);
        self.title_echo(text, lines, &pages, &mut verdict);
        self.footnotes(text, lines, &nonblank, &pages, &mut verdict);
        for (i, v) in verdict.iter().enumerate() {
            if let Some(rule) = v {
                edits.remove(lines::removal_range(text, lines, i), rule);
            }
        }
    }
}

/// The indices of the non-blank lines, in order; and the runs of `min` or more of them of one or two
/// characters, as ranges of the indices, each as long as it goes (the vertical text of `anywhere`),
/// counted in the same walk (the unit test compares a scan from each line).
fn nonblank_lines(lines: &[Line], min: usize) -> (Vec<usize>, Vec<std::ops::Range<usize>>) {
    let mut out = Vec::with_capacity(lines.len());
    let (mut runs, mut run) = (Vec::new(), 0);
    for (i, l) in lines.iter().enumerate() {
        if !l.is_blank() {
            if l.chars <= 2 {
                run += 1;
            } else {
                if run >= min {
                    runs.push(out.len() - run..out.len());
                }
                run = 0;
            }
            out.push(i);
        }
    }
    if run >= min {
        runs.push(out.len() - run..out.len());
    }
    (out, runs)
}

/// [`lines::pages`] as slices of the non-blank lines (which `anywhere` and `footnotes` walk too): the
/// runs of lines on one page. One vector for the whole text instead of one a page (the unit test
/// compares the two).
fn pages<'n>(lines: &[Line], nonblank: &'n [usize]) -> Vec<&'n [usize]> {
    // Pages are numbered in order, so each run ends where a binary search for the next page number
    // finds it: a few steps a page instead of a comparison a line (`chunk_by`).
    let mut pages = Vec::new();
    let mut rest = nonblank;
    while let Some(&first) = rest.first() {
        let page = lines[first].page;
        let (run, after) = rest.split_at(rest.partition_point(|&i| lines[i].page == page));
        pages.push(run);
        rest = after;
    }
    pages
}

/// The fewest lines in a row of one or two characters that are vertical text.
const VERTICAL_LINES: usize = 8;

/// The fewest lines a page of text has: furniture recurs no more often than that.
const MIN_PAGE_LINES: usize = 15;

/// A hash of a line's recurrence key (see [`key`]): the key written into `buf` (by `key_into`, whose
/// runs of ASCII are folded by vectorised loops) and hashed 8 bytes at a time by the Fx hash, its length
/// last. The hash is a function of the key alone, so lines with equal keys hash alike however their
/// keys were folded. (FNV-1a a character at a time, with `fold_key` decoding and lower-casing each
/// character of a line with any that is not ASCII, cost ~1,100 instructions a line on real text.)
fn key_hash(s: &str, buf: &mut Vec<u8>) -> u64 {
    use std::hash::Hasher;
    key_into(s, buf);
    let mut h = crate::hash::FxHasher::default();
    h.write(buf);
    h.write_usize(buf.len());
    h.finish()
}

/// `t.split_whitespace().take(max).count()`: the number of words of `t`, up to `max`. An ASCII line is
/// counted by its bytes (white space is the space and tab to carriage return there), without decoding
/// characters; the proptest compares the two.
fn count_words(t: &str, max: usize) -> usize {
    // A character that is not ASCII and not white space is a run of bytes that are not ASCII white
    // space either: where there is no other white space, words are counted by the bytes as well.
    if !t.is_ascii() && has_wide_space(t) {
        return t.split_whitespace().take(max).count();
    }
    let space = |b: u8| (b == b' ') | (b.wrapping_sub(b'\t') < 5);
    // A word starts at each byte that is not white space after one that is (or the start): counted a
    // chunk at a time, each chunk's count a sum over pairs of bytes that the compiler vectorises, and
    // no further chunk once there are `max`.
    let (mut n, mut after_space) = (0, true);
    for chunk in t.as_bytes().chunks(64) {
        n += (after_space & !space(chunk[0])) as usize;
        // (Summed in a byte, at most 63: the compiler then adds 16 or 32 pairs an instruction.)
        let starts = chunk.iter().zip(&chunk[1..]).fold(0u8, |n, (&a, &b)| n + (space(a) & !space(b)) as u8);
        n += starts as usize;
        if n >= max {
            return max;
        }
        after_space = space(chunk[chunk.len() - 1]);
    }
    n
}

/// Whether `t` has a white space character that is not ASCII. Each starts with one of the bytes C2
/// (U+0085, U+00A0), E1 (U+1680), E2 (U+2000 to U+205F) and E3 (U+3000), always at the start of a
/// character: only the characters there are decoded (curly quotes and dashes start with E2 too).
fn has_wide_space(t: &str) -> bool {
    let b = t.as_bytes();
    let starts = memchr::memchr3_iter(0xc2, 0xe1, 0xe2, b).chain(memchr::memchr_iter(0xe3, b));
    starts.into_iter().any(|i| t[i..].chars().next().is_some_and(char::is_whitespace))
}

/// `caseless.is_match(t)`, where `lower` is [`AFFILIATION`] without `(?i)`: on a line of up to 512 bytes
/// without [`has_case_variant`]'s characters, lower-cased on the stack, `lower` is asked. (An ASCII
/// letter matches a pattern letter caselessly exactly when its lower case is that letter; the other
/// characters that match a letter of the pattern caselessly are its own `é`, `à` and `ä`, which match
/// themselves either way, and those `has_case_variant` looks for.)
fn caseless_match(caseless: &Regex, lower: &regex::bytes::Regex, t: &str) -> bool {
    let mut buf = [0u8; 512];
    match buf.get_mut(..t.len()) {
        Some(buf) if !has_case_variant(t) => {
            buf.copy_from_slice(t.as_bytes());
            buf.make_ascii_lowercase();
            lower.is_match(buf)
        }
        _ => caseless.is_match(t),
    }
}

/// `re.is_match` of an ASCII line of up to 512 bytes lower-cased on the stack; `None` for another line.
fn ascii_lower_match(re: &regex::bytes::Regex, t: &str) -> Option<bool> {
    let mut buf = [0u8; 512];
    let buf = buf.get_mut(..t.len()).filter(|_| t.is_ascii())?;
    buf.copy_from_slice(t.as_bytes());
    buf.make_ascii_lowercase();
    Some(re.is_match(buf))
}

/// Whether `t` holds a character that matches a letter of [`AFFILIATION`] caselessly other than itself
/// and its ASCII case: `É`, `À`, `Ä` (C3 89, C3 80, C3 84), `ſ` for `s` (C5 BF), or the Kelvin sign for
/// `k` (E2 84 AA).
fn has_case_variant(t: &str) -> bool {
    let b = t.as_bytes();
    memchr::memchr3_iter(0xc3, 0xc5, 0xe2, b).any(|i| {
        matches!(
            (b[i], b.get(i + 1), b.get(i + 2)),
            (0xc3, Some(0x80 | 0x84 | 0x89), _) | (0xc5, Some(0xbf), _) | (0xe2, Some(0x84), Some(0xaa))
        )
    })
}

/// The words of a line, lower-cased, letters only.
#[cfg(test)]
fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    words_as_written(s).map(str::to_lowercase)
}

/// The words of the lines `texts` as [`words`] gives them, one after another in one buffer, and each
/// word's span in it: the set of words is then borrowed from the buffer, without a `String` a word.
/// An ASCII word is lower-cased in place, which is what `str::to_lowercase` gives it; any other by
/// `str::to_lowercase` itself (a final `Σ` is `ς` there).
fn lower_words<'t>(texts: impl Iterator<Item = &'t str> + Clone) -> (String, Vec<std::ops::Range<usize>>) {
    let mut buf = String::with_capacity(texts.clone().map(str::len).sum());
    let mut spans = Vec::new();
    for t in texts {
        for w in words_as_written(t) {
            let start = buf.len();
            if w.is_ascii() {
                buf.push_str(w);
                buf[start..].make_ascii_lowercase();
            } else {
                buf.push_str(&w.to_lowercase());
            }
            spans.push(start..buf.len());
        }
    }
    (buf, spans)
}

/// Whether `t` has words and each of them is in a set (`contains`, which is asked only when there is a
/// word to look up): `words(t)` collected and looked up, but each word lower-cased and looked up as it
/// comes, stopping at the first that is not in the set. An ASCII word is lower-cased into one buffer;
/// any other by `str::to_lowercase`, as `words` does (a final `Σ` is `ς` there, where
/// `char::to_lowercase` gives `σ`).
fn all_words_in(t: &str, mut contains: impl FnMut(&str) -> bool) -> bool {
    let (mut any, mut lower) = (false, String::new());
    let all = words_as_written(t).all(|w| {
        any = true;
        if w.is_ascii() {
            lower.clear();
            lower.push_str(w);
            lower.make_ascii_lowercase();
        } else {
            lower = w.to_lowercase();
        }
        contains(lower.as_str())
    });
    any && all
}

/// The words of [`words`], before lower-casing.
fn words_as_written(s: &str) -> impl Iterator<Item = &str> + '_ {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().any(char::is_alphabetic))
}

impl FurniturePass {
    /// Furniture recognisable wherever it stands: pypdf prints no page breaks, and pdftotext prints
    /// two-column pages' numbers between the columns.
    fn anywhere<'r>(
        &'r self,
        text: &str,
        lines: &[Line],
        nonblank: &[usize],
        vertical: Vec<std::ops::Range<usize>>,
        verdict: &mut [Option<&'r RuleId>],
    ) {
        // Per key: occurrences, the line of the last one, and the smallest distance between two.
        let mut counts: FxHashMap<u64, (u32, usize, usize)> = FxHashMap::default();
        // At most 15 words (`nth` stops counting at the 16th). `may_be_candidate` is the cheap part.
        let may_be_candidate = |t: &str| t.len() >= 10 && !lines::ends_sentence(t);
        let candidate = |t: &str| may_be_candidate(t) && count_words(t, 16) <= 15;
        // The key hash of each candidate line whose key may recur (none when the lines are not counted:
        // then no line can be a recurring one).
        let mut candidate_hash: Vec<Option<u64>> = Vec::new();
        // The key sum (`key_sig`) of each line that may be a candidate, in order.
        let mut sigs: Vec<(usize, u64)> = Vec::new();
        let mut key_buf = Vec::new();
        // Only where the extractor printed no page breaks: with them, the page zones tell furniture, and
        // a line repeated mid-page (a price list, a refrain) is content.
        // (`text.contains('\x0c')` by the memchr crate: the standard library's byte search has no
        // vector loop, and reads the whole of a text without page breaks.)
        if self.recurring.is_some() && memchr::memchr(b'\x0c', text.as_bytes()).is_none() {
            candidate_hash = vec![None; lines.len()];
            // Lines with one key have one sum, so the lines of a key that recurs three times (all that
            // can be recurring lines) have a sum that three lines that may be candidates have. Only
            // theirs are counted and hashed: folding and hashing a key (~500 instructions a line of real
            // text) and counting words (~400) on every line cost more than a vectorised sum (the unit
            // test compares the counts with those of all candidate lines).
            let mut sig_counts: FxHashMap<u64, u32> = FxHashMap::default();
            for (i, l) in lines.iter().enumerate().filter(|(_, l)| !l.is_blank()) {
                let t = l.text(text);
                if may_be_candidate(t) {
                    let sig = key_sig(t);
                    sigs.push((i, sig));
                    *sig_counts.entry(sig).or_insert(0) += 1;
                }
            }
            for &(i, sig) in &sigs {
                let t = lines[i].text(text);
                if sig_counts[&sig] >= 3 && candidate(t) {
                    let h = key_hash(t, &mut key_buf);
                    candidate_hash[i] = Some(h);
                    let e = counts.entry(h).or_insert((0, i, usize::MAX));
                    if e.0 > 0 {
                        e.2 = e.2.min(i - e.1);
                    }
                    e.0 += 1;
                    e.1 = i;
                }
            }
        }
        // Whether line `i` is a candidate or has the key of one (with the lines counted): such a line
        // has its sum. (Asked of the first three lines only.)
        let mut has_candidate_key = |i: usize| {
            let t = lines[i].text(text);
            if candidate(t) {
                return true;
            }
            let sig = key_sig(t);
            if !sigs.iter().any(|&(_, s)| s == sig) {
                return false;
            }
            let h = key_hash(t, &mut key_buf);
            sigs.iter().any(|&(j, s)| {
                let u = lines[j].text(text);
                s == sig && candidate(u) && key_hash(u, &mut key_buf) == h
            })
        };
        let bare_number = |i: usize| -> bool {
            let t = lines[i].text(text);
            !t.is_empty() && t.len() <= 3 && t.bytes().all(|b| b.is_ascii_digit())
        };
        if let Some(rule) = self.vertical.as_ref() {
            for run in vertical {
                nonblank[run].iter().for_each(|&i| verdict[i] = Some(rule));
            }
        }
        for (n, &i) in nonblank.iter().enumerate() {
            if verdict[i].is_some() {
                continue;
            }
            // Where no line is a recurring one, only a line that starts with a digit (a date, a bare
            // number), `h` or `w` (a URL), or a character that is not ASCII (maybe a digit) can be
            // furniture here: the others are told apart by their first byte.
            let first = text.as_bytes()[lines[i].content.start];
            // `Page 7` alone on a line: a page number wherever it stands (pypdf prints no page
            // breaks, and pdftotext may print a footer between two columns).
            let page_label = first | 0x20 == b'p' && is_page_label(lines[i].text(text));
            if candidate_hash.is_empty()
                && first.is_ascii()
                && !first.is_ascii_digit()
                && first != b'h'
                && first != b'w'
                && !page_label
            {
                continue;
            }
            // The first lines are the title: a running head repeats it, not the other way round.
            if n < 3 && !candidate_hash.is_empty() && has_candidate_key(i) {
                continue;
            }
            let t = lines[i].text(text);
            verdict[i] = if page_label {
                self.page_number.as_ref()
            } else if self.is_print_date(t) {
                self.print_header.as_ref()
            } else if self.is_url_page(t) {
                self.print_footer.as_ref()
            } else if bare_number(i)
                && !(n > 0 && bare_number(nonblank[n - 1]))
                && !nonblank.get(n + 1).is_some_and(|&j| bare_number(j))
            {
                // A bare number alone on a line, not in a column of numbers (a table).
                self.page_number.as_ref()
            } else if candidate_hash
                .get(i)
                .copied()
                .flatten()
                .and_then(|h| counts.get(&h))
                .is_some_and(|&(n, _, gap)| n >= 3 && gap >= MIN_PAGE_LINES)
            {
                // Furniture recurs once a page; lines repeated close together (a list of figure
                // captions, a price list) are content.
                self.recurring.as_ref()
            } else {
                None
            };
        }
    }

    /// The lines between a paper's title and its text that name its authors: found from an affiliation,
    /// e-mail or `Received` line among the first lines, and extended up over the author lines.
    fn title_block<'r>(
        &'r self,
        text: &str,
        lines: &[Line],
        pages: &[&[usize]],
        verdict: &mut [Option<&'r RuleId>],
    ) {
        let Some(rule) = self.title_block.as_ref() else { return };
        let Some(first) = pages.first() else { return };
        // (An arXiv stamp set sideways in the margin comes out among these lines, as one line; it is
        // the `arxiv-stamp` rule's, and does not part the authors from their affiliation.)
        let head: Vec<usize> = first
            .iter()
            .copied()
            .filter(|&i| verdict[i].is_none() && !lines[i].text(text).starts_with("arXiv:"))
            .take(self.head_lines)
            .collect();
        let is_meta = |i: usize| {
            let t = lines[i].text(text);
            let short = || {
                // (Counted up to 21: the tests below ask only whether there are more than 20 or 8 words,
                // and the first lines of a page of pdfminer text can be whole paragraphs.)
                let n = count_words(t, 21);
                // An affiliation is a name and an address, not a sentence about one.
                let prose = lines::ends_sentence(t) && n > 8;
                n <= 20 && !prose
            };
            let meta = || self.has_affiliation(t) || self.is_received(t) || self.has_email(t);
            // The tests are pure, so any may go first. A long line (a paragraph) is counted first, which
            // answers no sooner than a search through all of it. On another line the search for
            // affiliation words goes first, and answers no on most: the words are then counted only
            // where the cheap tests in front of the other two regexes pass (the `Received` one is slow
            // on a line with other characters, of which a sentence is ruled out by the count).
            if t.len() > 256 {
                short() && meta()
            } else if self.has_affiliation(t) {
                short()
            } else {
                may_be_own(t) && short() && (self.is_received(t) || self.has_email(t))
            }
        };
        // Without an author line above it, an affiliation-like line may be a sentence that mentions a
        // university: only an e-mail or `Received` line is enough on its own.
        let own = |i: usize| {
            let t = lines[i].text(text);
            self.is_received(t) || self.has_email(t)
        };
        // The authors come right under the title: the block must start within the first lines.
        // A block is taken only where its first line (`first_meta`, not the first line of all) is its own
        // evidence or has an author line above it (see below). The search for the first meta line need
        // go no further than the last line that may be such, which the cheap tests in front of the
        // regexes tell (the search for affiliation words costs ~1,000 instructions a line, the e-mail
        // and `Received` regexes several times that on some lines); where no line may be, no block is
        // taken, and nothing is searched (most documents).
        let may_start = |k: usize| {
            (k >= 2 && may_be_names(lines[head[k - 1]].text(text))) || may_be_own(lines[head[k]].text(text))
        };
        let Some(last) = (1..head.len().min(6)).rev().find(|&k| may_start(k)) else { return };
        let Some(first_meta) = head[..=last].iter().position(|&i| is_meta(i)) else { return };
        if first_meta == 0 {
            return;
        }
        // Up from the first affiliation: author lines (names, initials, markers, commas, `and`), keeping
        // at least one line above them as the title.
        let mut start = first_meta;
        while start > 1 && start + 3 > first_meta {
            let t = lines[head[start - 1]].text(text);
            if self.is_names(t) {
                start -= 1;
            } else {
                break;
            }
        }
        // No author line above the affiliation: pdfminer may print the affiliation first, and the
        // authors right under it, where only a list of people is taken for them (an initial, `L.
        // Ferreira`, or a comma, `A, B and C`), not a heading (`Introduction`, `Results and Methods`).
        let people_below = start == first_meta
            && head.get(first_meta + 1).is_some_and(|&i| {
                let t = lines[i].text(text);
                self.is_names(t) && (t.contains(',') || has_initial(t))
            });
        if start == first_meta && !own(head[first_meta]) && !people_below {
            return;
        }
        // (Measured only when first needed: most documents have no title block, and most title blocks
        // have no second affiliation line.)
        let width = OnceCell::new();
        // A line that fills the column is part of a wrapped paragraph, not an address.
        let full = |i: usize| {
            let width = *width.get_or_init(|| lines::typical_width(text, lines));
            width > 0 && lines[i].chars * 20 >= width * 19
        };
        // Down: further affiliation, e-mail, `Received` and author lines.
        let mut end = first_meta;
        while end + 1 < head.len() {
            let i = head[end + 1];
            // An author line below an affiliation belongs to the block only when another affiliation
            // follows it (a second author group); otherwise it may be the first heading.
            if (is_meta(i) && !full(i))
                || (people_below && end == first_meta)
                || (self.is_names(lines[i].text(text))
                    && head.get(end + 2).is_some_and(|&j| is_meta(j) && !full(j)))
            {
                end += 1;
            } else {
                break;
            }
        }
        for &i in &head[start..=end] {
            verdict[i] = Some(rule);
        }
    }

    /// Running heads that repeat the title or the authors: on a page after the first, a top line made
    /// only of words from the document's first lines, or the title cut short with an ellipsis. Without
    /// page breaks (pypdf), a later copy of one of the first lines anywhere.
    fn title_echo<'r>(
        &'r self,
        text: &str,
        lines: &[Line],
        pages: &[&[usize]],
        verdict: &mut [Option<&'r RuleId>],
    ) {
        let Some(rule) = self.title_echo.as_ref() else { return };
        let Some(first) = pages.first() else { return };
        // The title and the authors: the first lines, up to the first that reads as text or as a table
        // of contents.
        let head: Vec<usize> = first
            .iter()
            .copied()
            .take(6)
            .take_while(|&i| {
                let t = lines[i].text(text);
                !lines::ends_sentence(t) && !has_leaders(t)
            })
            .collect();
        // (Gathered on first use: most lines are told apart before their words are looked up.)
        // (The set borrows its words from one lower-cased copy of them.)
        let head_lower: OnceCell<(String, Vec<std::ops::Range<usize>>)> = OnceCell::new();
        let head_words: OnceCell<FxHashSet<&str>> = OnceCell::new();
        let head_words = || {
            head_words.get_or_init(|| {
                let (buf, spans) =
                    head_lower.get_or_init(|| lower_words(head.iter().map(|&i| lines[i].text(text))));
                spans.iter().map(|r| &buf[r.clone()]).collect()
            })
        };
        // (Likewise lower-cased on first use: most documents have no line that gets as far.)
        // A title the typesetter hyphenated across lines (`gravi-` / `tational waves`) is echoed whole
        // (`... OF GRAVITATIONAL ...`): the first lines follow once more with such words joined, after
        // a line end, which no line searched for holds.
        let head_text: OnceCell<String> = OnceCell::new();
        let head_text = || {
            head_text.get_or_init(|| {
                let head_lines = || head.iter().map(|&i| lines[i].text(text));
                let mut all = head_lines().collect::<Vec<_>>().join(" ");
                if head_lines().any(lines::ends_with_word_hyphen) {
                    all.push('\n');
                    for t in head_lines() {
                        if lines::ends_with_word_hyphen(t) {
                            all.push_str(&t[..t.len() - 1]);
                        } else {
                            all.push_str(t);
                            all.push(' ');
                        }
                    }
                }
                all.to_lowercase()
            })
        };
        let echoes = |t: &str| {
            // (The cheap tests first: each of these answers no.)
            if lines::ends_sentence(t) && !t.ends_with("...") {
                return false;
            }
            // A numbered heading at the top of a page repeats the table of contents, not the title.
            if t.starts_with(|c: char| c.is_ascii_digit()) {
                return false;
            }
            // (Counted up to 15: only whether there are more than 14 words matters.)
            let n = count_words(t, 15);
            if n == 0 || n > 14 {
                return false;
            }
            let trimmed = t.trim_end_matches(['.', '…', ' ']).to_lowercase();
            if trimmed.len() >= 12 && contains_at_byte(head_text().as_bytes(), trimmed.as_bytes()) {
                return true;
            }
            // (The capital first: the words of the first lines are gathered only when a line has one.)
            t.chars().any(char::is_uppercase) && all_words_in(t, |w| head_words().contains(w))
        };
        if pages.len() >= 2 {
            for page in &pages[1..] {
                for &i in page.iter().take(self.zone.min(2)) {
                    if verdict[i].is_none() && echoes(lines[i].text(text)) {
                        verdict[i] = Some(rule);
                    }
                }
            }
        } else {
            // No page breaks: a later line that copies (part of) the title or authors, or names the
            // authors `et al.`. Running heads recur once a page, so copies closer together than a page
            // are the text repeating itself, and stay.
            let mut key_buf = Vec::new();
            // The key sum and hash of each of the first three lines: a line with one of their keys has
            // its sum, which is asked first (a vectorised sum instead of a fold and a hash a line).
            let head_lines: Vec<(u64, u64)> = head
                .iter()
                .take(3)
                .map(|&i| {
                    let t = lines[i].text(text);
                    (key_sig(t), key_hash(t, &mut key_buf))
                })
                .collect();
            let mut lower_buf = Vec::new();
            let title_chars = head.first().map_or(0, |&i| lines[i].chars);
            // The words of the title (the first lines above the authors' names) and of the names,
            // lower-cased; gathered on first use.
            let signed_sets: OnceCell<(FxHashSet<String>, FxHashSet<String>)> = OnceCell::new();
            let signed_sets = || {
                signed_sets.get_or_init(|| {
                    let is_names = |&i: &usize| self.is_names(lines[i].text(text));
                    // (The first line is the title's, whatever it looks like: `Expressions`.)
                    let names = head.iter().skip(1).position(is_names).map_or(head.len(), |k| k + 1);
                    let names_end =
                        head[names..].iter().position(|i| !is_names(i)).map_or(head.len(), |k| names + k);
                    let words = |ls: &[usize]| -> FxHashSet<String> {
                        ls.iter()
                            .flat_map(|&i| words_as_written(lines[i].text(text)).map(str::to_lowercase))
                            .collect()
                    };
                    (words(&head[..names]), words(&head[names..names_end]))
                })
            };
            let after = head.last().copied().unwrap_or(0) + 1;
            let mut found: Vec<usize> = Vec::new();
            for (i, l) in lines.iter().enumerate().skip(after) {
                let t = l.text(text);
                if l.is_blank() || verdict[i].is_some() {
                    continue;
                }
                if lines::ends_sentence(t) && !t.ends_with("...") {
                    continue;
                }
                // (`et` among the first four words is where the first `et` is at most the fourth.)
                // (The byte search first: most lines have no `" et al."`, and the split decodes
                // characters.)
                let et_al = self.et_al.find(t.as_bytes()).is_some()
                    && t.split_whitespace().take(4).any(|w| w == "et")
                    && t.split_whitespace()
                        .next()
                        .is_some_and(|w| head_words().contains(w.to_lowercase().as_str()));
                // A part of the title is a running head only when it is most of it or cut short with an
                // ellipsis: a section heading often repeats the title's first words (`Stochastic
                // Stability` under `Stochastic stability in spatial games`), and the text may repeat a
                // phrase of the abstract.
                // (The line is lower-cased only once the byte tests before it pass: most lines fail one.)
                let mut part_of_title =
                    || is_part_of_title(t, title_chars, || head_text().as_str(), &mut lower_buf);
                // (The first character before the search for `. `: most lines of text start lower-case.)
                let copy = starts_upper_or_digit(t)
                    && !has_sentence_gap(t)
                    && (part_of_title()
                        || (t.len() >= 8 && {
                            let sig = key_sig(t);
                            head_lines.iter().any(|&(s, _)| s == sig) && {
                                let h = key_hash(t, &mut key_buf);
                                head_lines.iter().any(|&(s, k)| s == sig && k == h)
                            }
                        })
                        // pypdf prints a page's head on one line: the authors' names before the
                        // title (`Costa Micro-structure of ...`, `Osei Expressions`), or the page
                        // label after it (`CIRCULAR POLARIZATION OF ... AND THE Page 2`).
                        || {
                            let (title_words, name_words) = signed_sets();
                            signed_title(t, name_words).is_some_and(|(rest, named)| {
                                is_part_of_title(rest, title_chars, || head_text().as_str(), &mut lower_buf)
                                    || (named && all_words_in(rest, |w| title_words.contains(w)))
                            })
                        });
                if copy || et_al {
                    found.push(i);
                }
            }
            let spaced = found.windows(2).all(|w| w[1] - w[0] >= MIN_PAGE_LINES);
            if spaced {
                for i in found {
                    verdict[i] = Some(rule);
                }
            }
        }
    }

    /// A note at the foot of a page: just above the page's furniture at the bottom, starting with a
    /// marker and reading as a note, one to three lines long.
    fn footnotes<'r>(
        &'r self,
        text: &str,
        lines: &[Line],
        nonblank: &[usize],
        pages: &[&[usize]],
        verdict: &mut [Option<&'r RuleId>],
    ) {
        let Some(rule) = self.footnote.as_ref() else { return };
        let is_marker = |i: usize| {
            let t = lines[i].text(text);
            // Two marker characters take at most six bytes (`†` is three): a longer line is no marker,
            // and its characters need no counting.
            t.len() <= 6
                && !t.is_empty()
                && t.chars().count() <= 2
                && t.chars().all(|c| c.is_ascii_digit() || "*∗†‡§¶".contains(c))
        };
        let reads_as_note = |t: &str| lines::ends_sentence(t) || t.contains("://") || t.contains("www.");
        if pages.len() < 2 {
            // No page breaks (pypdf): a note right above a page number, its marker one digit or sign,
            // glued to it or not (`1This work was ...`, `1 Also at ...`, `* Also at ...`).
            for w in 0..nonblank.len().saturating_sub(1) {
                let (i, next) = (nonblank[w], nonblank[w + 1]);
                let t = lines[i].text(text);
                // (The marker is one character: what follows it is a letter or one space.)
                let marked = t.len() > 3
                    && self.is_footnote_start(t)
                    && t.chars()
                        .nth(1)
                        .is_some_and(|c| !c.is_ascii_digit() && (c == ' ' || !c.is_whitespace()));
                if verdict[i].is_none()
                    && marked
                    && reads_as_note(t)
                    && verdict[next] == self.page_number.as_ref()
                {
                    verdict[i] = Some(rule);
                }
            }
            return;
        }
        let mut body: Vec<usize> = Vec::new();
        for page in pages {
            // The page's last lines that are not furniture, with a marker line the page-number rule
            // may have taken (`1` alone above the note).
            // Only the last of these lines that is not furniture (`last_note`) and the three above it are
            // read, and their number only up to 6: they are gathered from the foot of the page up, and
            // no further. (Where the gathering stops early, `last_note` has three or more lines above
            // it here and on the whole page, so that the walk below reads the same lines.)
            body.clear();
            let mut last_from_foot = None;
            for &i in page.iter().rev() {
                if verdict[i].is_none() || is_marker(i) {
                    if last_from_foot.is_none() && verdict[i].is_none() {
                        last_from_foot = Some(body.len());
                    }
                    body.push(i);
                    if body.len() >= 6 && last_from_foot.is_some_and(|r| body.len() >= r + 4) {
                        break;
                    }
                }
            }
            body.reverse();
            let n = body.len();
            if n < 6 {
                continue;
            }
            let last_note = body.iter().rposition(|&i| verdict[i].is_none()).unwrap_or(0);
            for k in 0..3.min(last_note) {
                let at = last_note - k;
                let i = body[at];
                let t = lines[i].text(text);
                let marked = self.is_footnote_start(t) || (at > 0 && is_marker(body[at - 1]));
                if marked && verdict[i].is_none() {
                    if reads_as_note(lines[body[last_note]].text(text)) {
                        let from = if is_marker(body[at - 1]) { at - 1 } else { at };
                        for &j in &body[from..=last_note] {
                            verdict[j] = Some(rule);
                        }
                    }
                    break;
                }
            }
        }
    }
}

/// Whether `t` can start with a decimal digit (`\d`, any Unicode one): a cheap test that lets most lines
/// skip a regex that starts with one. A decimal digit is an ASCII digit or a non-ASCII character.
fn may_start_with_digit(t: &str) -> bool {
    t.as_bytes().first().is_some_and(|&b| b.is_ascii_digit() || !b.is_ascii())
}

/// Whether `t` can start as `print_date_re` does, `^\d{1,2}[/.]\d{1,2}[/.]\d{2}`: one or two digits, a `/` or
/// `.`, one or two digits, a `/` or `.`, two digits. Where a digit may stand, a byte that is not ASCII
/// may start a (Unicode) digit (see [`may_lead_digit`]), and the rest is not read. (A line numbered
/// `1.` or `3.2` passed the test of the first three bytes alone, and a regex search of ~400
/// instructions.)
fn may_be_print_date(t: &[u8]) -> bool {
    let mut rest = t;
    for (min, max, sep_after) in [(1, 2, true), (1, 2, true), (2, 2, false)] {
        let mut n = 0;
        while n < max {
            match rest.get(n) {
                Some(b) if b.is_ascii_digit() => n += 1,
                Some(&b) if !b.is_ascii() && may_lead_digit(b) => return true,
                _ => break,
            }
        }
        if n < min {
            return false;
        }
        // After the most digits a group may have, only a separator continues the match (the digits
        // and the separators are different characters, so no shorter group does better).
        match rest[n..].split_first() {
            Some((&b, after)) if sep_after && (b == b'/' || b == b'.') => rest = after,
            _ if sep_after => return false,
            _ => {}
        }
    }
    true
}

/// Whether a character whose UTF-8 starts with `lead`, a byte beyond ASCII, can be a decimal digit (`\d`,
/// Unicode's `Nd`). None of U+0080 to U+00FF (C2, C3) and U+2000 to U+3FFF (E2, E3) is, where the
/// quotes, dashes and bullets that start lines are (the unit test reads every character).
fn may_lead_digit(lead: u8) -> bool {
    !matches!(lead, 0xc2 | 0xc3 | 0xe2 | 0xe3)
}

/// `^(?:https?://|file:/|www\.)\S+$` ([`URL`]; the proptest compares the two): one of the prefixes (no two
/// of which can start one line), then one or more characters and no white space. (`\s` and
/// `char::is_whitespace` are both Unicode's `White_Space`, which [`lines::first_ws`] looks for.)
fn is_url(t: &str) -> bool {
    // (Each prefix starts with `h`, `f` or `w`: most lines are ruled out by their first byte, before
    // four prefix comparisons.)
    if !matches!(t.as_bytes().first(), Some(b'h' | b'f' | b'w')) {
        return false;
    }
    let Some(rest) = ["https://", "http://", "file:/", "www."].iter().find_map(|p| t.strip_prefix(p)) else {
        return false;
    };
    // (White space among ASCII bytes is the space and tab to carriage return: an ASCII rest is read in a
    // loop without an exit, which the compiler vectorises.)
    let ws = |b: u8| (b == b' ') | (b.wrapping_sub(b'\t') < 5);
    !rest.is_empty()
        && if rest.is_ascii() {
            !rest.bytes().fold(false, |any, b| any | ws(b))
        } else {
            lines::first_ws(rest).is_none()
        }
}

/// [`PAGE_NUMBER`]'s answer on its most common lines, without the regex (the proptest compares the
/// two): ASCII digits alone (`12`), which it matches up to four; and `12/30` and `Page 12 of 30`, which
/// it matches where both numbers are one to four ASCII digits. `None` for any other line.
fn plain_page_number(t: &str) -> Option<bool> {
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return Some(t.len() <= 4);
    }
    let numbers = |(a, b): (&str, &str)| short_number(a) && short_number(b);
    let page_of = || t.strip_prefix("Page ").and_then(|rest| rest.split_once(" of ")).is_some_and(numbers);
    (plain_page_count(t) || page_of()).then_some(true)
}

/// Whether `t` is `Page` (any case) and a number of one to four digits, nothing else: a page's label,
/// which a sentence never leaves alone on a line (it would end in a full stop).
fn is_page_label(t: &str) -> bool {
    let (Some(word), Some(rest)) = (t.get(..4), t.get(4..)) else { return false };
    let number = rest.trim_ascii_start();
    word.eq_ignore_ascii_case("page") && number.len() < rest.len() && short_number(number)
}

/// Whether `t` is `12/30`, both numbers one to four ASCII digits: a match of `sure_page_number_re` (and of
/// [`PAGE_NUMBER`]) without the regex.
fn plain_page_count(t: &str) -> bool {
    t.split_once('/').is_some_and(|(a, b)| short_number(a) && short_number(b))
}

/// One to four ASCII digits.
fn short_number(s: &str) -> bool {
    (1..=4).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `t` can start and end as [`PAGE_NUMBER`] does. It starts with `p` or `s` (`page`, `seite`,
/// ...), a dash or bracket, a digit or a roman numeral letter (`[ivxlc]` caselessly: ASCII letters
/// only), or white space; it ends with a digit, a roman numeral letter, a dash or closing bracket, or
/// white space. Any byte that is not ASCII may start or end a character that is one of these (`ſ`,
/// `–`, a Unicode digit or space).
fn may_be_page_number(t: &[u8]) -> bool {
    let roman = |b: u8| b"ivxlcIVXLC".contains(&b);
    let other =
        |b: u8| !b.is_ascii() || b.is_ascii_digit() || roman(b) || b == b' ' || b.wrapping_sub(b'\t') < 5;
    let (Some(&first), Some(&last)) = (t.first(), t.last()) else { return false };
    (other(first) || b"pPsS-([".contains(&first)) && (other(last) || b"-)]".contains(&last))
}

/// Whether `t` can start and end as [`RECEIVED`] does (the proptest: every match passes). Its branches
/// start with `received`, `accepted`, `revised`, `submitted`, `dated` or `published` in any case (of
/// which only `s` has a case variant that is not ASCII, `ſ`), or with the name of a month; both end with
/// four digits (`\d`: maybe not ASCII), the first maybe with a `.` after them. A line that starts with
/// three ASCII bytes can start only one branch: no month starts as a word of the first.
fn may_be_received(t: &[u8]) -> bool {
    const STARTS: [&[u8; 3]; 6] = [b"rec", b"acc", b"rev", b"sub", b"dat", b"pub"];
    const MONTHS: [&[u8; 3]; 12] =
        [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];
    let (Some(&[a, b, c]), Some(&end)) = (t.first_chunk::<3>(), t.last()) else { return false };
    let digit_end = end.is_ascii_digit() || !end.is_ascii();
    if ![a, b, c].is_ascii() || STARTS.contains(&&[a, b, c].map(|x| x.to_ascii_lowercase())) {
        digit_end || end == b'.'
    } else {
        MONTHS.contains(&&[a, b, c]) && digit_end
    }
}

/// The regexes tested on nearly every line, each behind a cheap test that every line they match passes
/// (read off the regex's start or a literal it requires), so that the answer is the regex's own.
impl FurniturePass {
    /// `print_date_re`, which starts with `^\d`.
    fn is_print_date(&self, t: &str) -> bool {
        may_be_print_date(t.as_bytes()) && self.print_date_re.is_match(t)
    }

    /// `url_page_re`, which starts with `^(?:https?://|www\.)` (case-sensitive).
    fn is_url_page(&self, t: &str) -> bool {
        (t.starts_with("http") || t.starts_with("www.")) && self.url_page_re.is_match(t)
    }

    /// A URL alone on a line: [`is_url`].
    fn is_url(&self, t: &str) -> bool {
        is_url(t)
    }

    /// `footnote_re`, which starts with `^(?:\d{1,2}|[*∗†‡§¶])`: an ASCII digit, `*`, or a non-ASCII
    /// character.
    fn is_footnote_start(&self, t: &str) -> bool {
        (may_start_with_digit(t) || t.starts_with('*')) && self.footnote_re.is_match(t)
    }

    /// `received_re`, behind [`may_be_received`].
    fn is_received(&self, t: &str) -> bool {
        may_be_received(t.as_bytes()) && self.received_re.is_match(t)
    }

    /// `affiliation_words_re.is_match(t)`. Its words are ASCII letters but for `é`, `à` and `ä`, so that on
    /// an ASCII line it matches where the case-sensitive regex matches the line lower-cased, which the
    /// regex engine finds by its literals, several times faster than the caseless search (the
    /// proptest compares the two).
    fn has_affiliation_words(&self, t: &str) -> bool {
        caseless_match(&self.affiliation_words_re, &self.affiliation_lower_re, t)
    }

    /// `affiliation_re.is_match(t)`. On an ASCII line of up to 512 bytes, one search of the line lower-cased
    /// with `affiliation_ascii_re`, whose ASCII word boundary is the Unicode one on ASCII text (and which
    /// the lazy DFA runs); on another line, [`FurniturePass::has_affiliation_words`] first, and the
    /// boundary only where the words are (the proptest compares the two).
    fn has_affiliation(&self, t: &str) -> bool {
        ascii_lower_match(&self.affiliation_ascii_re, t).unwrap_or_else(|| {
            self.has_affiliation_words(t)
                && caseless_match(&self.affiliation_re, &self.affiliation_bound_lower_re, t)
        })
    }

    /// `email_re`, both of whose branches hold an `@`.
    fn has_email(&self, t: &str) -> bool {
        has_at(t) && self.email_re.is_match(t)
    }
}

/// Whether `t` has an `@`: by the memchr crate, whose search has a vector loop.
fn has_at(t: &str) -> bool {
    memchr::memchr(b'@', t.as_bytes()).is_some()
}

/// The cheap tests in front of [`FurniturePass::is_received`] and [`FurniturePass::has_email`]: whether
/// `t` may be either.
fn may_be_own(t: &str) -> bool {
    may_be_received(t.as_bytes()) || has_at(t)
}

/// Whether `t` passes the tests of [`FurniturePass::is_names`] that need no regex and no count, and can
/// match its `names_re` by its ASCII bytes (the proptest: every match passes). Each ASCII byte of a match
/// is a letter, a digit, white space or one of `'.-,*&`, and each word that follows white space or a
/// comma (or starts the line) starts with a capital, a digit, a note marker, `&` or `and`: a lower-case
/// ASCII letter there starts `and`.
fn may_be_names(t: &str) -> bool {
    if !t.starts_with(|c: char| c.is_alphabetic()) || lines::ends_sentence(t) {
        return false;
    }
    let b = t.as_bytes();
    let mut word_start = true;
    for (i, &c) in b.iter().enumerate() {
        if word_start && c.is_ascii_lowercase() && !b[i..].starts_with(b"and") {
            return false;
        }
        // (All control bytes are let through, of which `\t` to `\r` are white space.)
        if !(c.is_ascii_alphanumeric() || c <= b' ' || c >= 0x80 || b"'.-,*&".contains(&c)) {
            return false;
        }
        word_start = c == b' ' || c == b',' || c.wrapping_sub(b'\t') < 5;
    }
    true
}

impl FurniturePass {
    /// An author line: capitalised names, initials, `and`, commas and note markers; not a title set in
    /// capitals.
    fn is_names(&self, t: &str) -> bool {
        // (The tests that need no regex and no look at each word first.)
        // `count_words` up to 17: whether there are more than 16 words.
        if !t.starts_with(|c: char| c.is_alphabetic()) || lines::ends_sentence(t) || count_words(t, 17) > 16 {
            return false;
        }
        if !self.names_re.is_match(t) {
            return false;
        }
        // The words of three letters or more, and how many of them are in capitals.
        let (mut long, mut capitals) = (0, 0);
        for w in t.split_whitespace() {
            let (mut letters, mut upper) = (0, true);
            for c in w.chars().filter(|c| c.is_alphabetic()) {
                letters += 1;
                upper &= c.is_uppercase();
            }
            if letters >= 3 {
                long += 1;
                capitals += usize::from(upper);
            }
        }
        !(long > 0 && capitals * 2 > long)
    }

    fn is_page_number(&self, t: &str, multi: bool, _last_page: bool) -> bool {
        if t.len() > 24 {
            return false;
        }
        if multi {
            if let Some(answer) = plain_page_number(t) {
                return answer;
            }
            may_be_page_number(t.as_bytes())
                && t.bytes().any(|b| b.is_ascii_digit() || b"ivxlcIVXLC".contains(&b))
                && self.page_number_re.is_match(t)
        } else {
            plain_page_count(t) || self.sure_page_number_re.is_match(t)
        }
    }

    /// Whether a page's next non-blank line below `i` is an `n/N` page count.
    fn next_is_page_count(&self, text: &str, lines: &[Line], page: &[usize], i: usize) -> bool {
        let pos = page.iter().position(|&x| x == i).unwrap_or(0);
        page.get(pos + 1).is_some_and(|&j| {
            let t = lines[j].text(text);
            t.contains('/') && (plain_page_count(t) || self.sure_page_number_re.is_match(t))
        })
    }
}

/// The page title a browser prints after the date (the caller has seen the date line above): the line
/// right after it, when that line looks like a title (`Headline - Site`, `Headline | Site`) rather than
/// the first line of the page.
fn is_print_title(t: &str) -> bool {
    // A browser puts the date and the title on one line of the page; extractors print them on
    // consecutive lines. A title has no sentence end of its own.
    !lines::ends_sentence(t)
        && (t.contains(" - ") || t.contains(" | ") || t.contains(" – ") || t.contains(" — "))
}

/// `hay.contains(needle)` for a needle of at least one byte, by the places of its first byte in `hay`.
/// The standard search sets up a two-way searcher for each needle longer than 32 bytes (about 1,700
/// instructions for a line of text), where `hay` here is the few first lines of a document, in which
/// a line's first byte occurs only a few times.
fn contains_at_byte(hay: &[u8], needle: &[u8]) -> bool {
    let Some(&first) = needle.first() else { return true };
    memchr::memchr_iter(first, hay).any(|i| hay[i..].starts_with(needle))
}

/// Whether `t` is a part of the title that is a running head: trimmed of dots, ellipses and spaces and
/// lower-cased, at least 12 bytes, cut short with an ellipsis or at least 80% of the title's
/// `title_chars` characters, and found in `head_text` (the first lines lower-cased, asked only when
/// the rest passes). An ASCII line is measured before it is lower-cased, into `buf`, instead of into
/// a new string: on ASCII, lower-casing keeps the length, in bytes and characters alike, and the trimmed
/// bytes (the proptest compares this with the plain way).
fn is_part_of_title<'h>(
    t: &str,
    title_chars: usize,
    head_text: impl FnOnce() -> &'h str,
    buf: &mut Vec<u8>,
) -> bool {
    let truncated = t.ends_with("...") || t.ends_with('…');
    if t.is_ascii() {
        let trimmed = t.trim_end_matches(['.', ' ']);
        let most = trimmed.len() * 10 >= title_chars * 8;
        if trimmed.len() < 12 || !(truncated || most) {
            return false;
        }
        buf.clear();
        buf.extend_from_slice(trimmed.as_bytes());
        buf.make_ascii_lowercase();
        return contains_at_byte(head_text().as_bytes(), buf);
    }
    let trimmed = t.trim_end_matches(['.', '…', ' ']).to_lowercase();
    let most = trimmed.chars().count() * 10 >= title_chars * 8;
    trimmed.len() >= 12 && (truncated || most) && contains_at_byte(head_text().as_bytes(), trimmed.as_bytes())
}

/// A running head that holds more than the title (see `title_echo`): `t` without a page label at
/// its end (`Page 2`, `12`) and without up to four words of the authors' names at its start
/// (`name_words`, lower-case), and whether names were taken off; `None` when neither was there or
/// nothing is left. (Asked of many lines of a text without page breaks: the last byte and the first
/// word answer most.)
fn signed_title<'t>(t: &'t str, name_words: &FxHashSet<String>) -> Option<(&'t str, bool)> {
    let mut core = t.trim_end();
    let digits = core.len() - core.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let labelled = (1..=3).contains(&digits) && core[..core.len() - digits].ends_with(' ');
    if labelled {
        core = core[..core.len() - digits].trim_end();
        if let Some(c) = core.strip_suffix("Page").or_else(|| core.strip_suffix("page")) {
            if c.is_empty() || c.ends_with(' ') {
                core = c.trim_end();
            }
        }
    }
    let mut named = 0;
    while named < 4 && !name_words.is_empty() {
        let (word, after) = core.split_once(' ').unwrap_or((core, ""));
        let key = word.trim_matches(|c: char| !c.is_alphanumeric());
        if key.is_empty() || after.is_empty() || !name_words.contains(&key.to_lowercase()) {
            break;
        }
        named += 1;
        core = after.trim_start();
    }
    (!core.is_empty() && (labelled || named > 0) && starts_upper_or_digit(core)).then_some((core, named > 0))
}

/// Whether `t` has an initial: a capital letter and a full stop as a word of its own (`L.`).
fn has_initial(t: &str) -> bool {
    t.split([' ', ',']).any(|w| {
        let mut c = w.chars();
        matches!((c.next(), c.next(), c.next()), (Some(a), Some('.'), None) if a.is_uppercase())
    })
}

/// `t.contains("....") || t.contains(". . .")`: the dot leaders of a table of contents, found from the
/// `.` bytes alone (each leader starts with one), without a substring searcher set up for each line.
fn has_leaders(t: &str) -> bool {
    let b = t.as_bytes();
    memchr::memchr_iter(b'.', b).any(|i| b[i..].starts_with(b"....") || b[i..].starts_with(b". . ."))
}

/// `t.contains(". ")`, by the `.` bytes alone: no searcher set up for a two-byte needle on each line.
fn has_sentence_gap(t: &str) -> bool {
    let b = t.as_bytes();
    memchr::memchr_iter(b'.', b).any(|i| b.get(i + 1) == Some(&b' '))
}

fn starts_upper_or_digit(t: &str) -> bool {
    t.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::key;
    use crate::lines;

    #[test]
    fn an_initial_is_a_capital_and_a_full_stop() {
        assert!(super::has_initial("L. Ferreira") && super::has_initial("Anna Vance, T. Reid"));
        assert!(super::has_initial("Jean-Paul Sartre and É. Zola"));
        assert!(!super::has_initial("Related Work") && !super::has_initial("Results and Methods."));
        assert!(!super::has_initial("Part I") && !super::has_initial("e. coli"));
    }

    #[test]
    fn a_signed_or_labelled_title_gives_the_title() {
        let names: crate::hash::FxHashSet<String> =
            ["james", "costa", "a", "vance", "and", "b", "okafor"].iter().map(|w| w.to_string()).collect();
        let signed = |t| super::signed_title(t, &names);
        assert_eq!(signed("Costa Micro-structure of damage"), Some(("Micro-structure of damage", true)));
        assert_eq!(signed("Vance and Okafor Tides of the Shelf"), Some(("Tides of the Shelf", true)));
        assert_eq!(signed("TIDES OF THE SHELF Page 3"), Some(("TIDES OF THE SHELF", false)));
        assert_eq!(signed("Tides of the Shelf 12"), Some(("Tides of the Shelf", false)));
        // At most four words go; what is left must then be the title, which the caller asks.
        assert_eq!(signed("A. Vance and B. Okafor"), Some(("Okafor", true)));
        // Names with nothing after them, text after them, or neither names nor a label: no head.
        assert_eq!(signed("Vance"), None);
        assert_eq!(signed("Costa measured the tides"), None);
        assert_eq!(signed("Tides of the Shelf"), None);
        assert_eq!(signed("In 2009"), None);
        assert_eq!(signed("Page 3"), None);
        // No names known: only the label.
        assert_eq!(super::signed_title("Costa Tides", &Default::default()), None);
    }

    /// [`super::key_hash`] with a buffer of its own.
    fn key_hash(line: &str) -> u64 {
        super::key_hash(line, &mut Vec::new())
    }

    /// The hash `key_hash` must give: the Fx hash of the key as `fold_key` writes it, then its length.
    fn hash_of_folded_key(line: &str) -> u64 {
        use std::hash::Hasher;
        let folded = key_by_chars(line);
        let mut h = crate::hash::FxHasher::default();
        h.write(folded.as_bytes());
        h.write_usize(folded.len());
        h.finish()
    }

    /// `key_into` on an ASCII line by [`super::fold_key`] alone.
    fn key_by_chars(line: &str) -> String {
        let mut folded = String::new();
        super::fold_key(line, |c| folded.push(c));
        folded
    }

    proptest::proptest! {
        #[test]
        fn all_words_in_is_the_collected_lookup(
            head in "[aBσΣς É9 .-]{0,12}",
            line in "[aBσΣς É9 .-]{0,12}",
        ) {
            let set: super::FxHashSet<String> = super::words(&head).collect();
            let ws: Vec<String> = super::words(&line).collect();
            let plain = !ws.is_empty() && ws.iter().all(|w| set.contains(w));
            let (buf, spans) = super::lower_words(std::iter::once(head.as_str()));
            let borrowed: super::FxHashSet<&str> = spans.iter().map(|r| &buf[r.clone()]).collect();
            proptest::prop_assert_eq!(super::all_words_in(&line, |w| borrowed.contains(w)), plain);
        }

        #[test]
        fn lower_words_are_the_words_lower_cased(
            heads in proptest::collection::vec("[aBσΣςİẞ É9 .-]{0,12}", 0..4),
        ) {
            let plain: Vec<String> = heads.iter().flat_map(|h| super::words(h)).collect();
            let (buf, spans) = super::lower_words(heads.iter().map(String::as_str));
            let borrowed: Vec<&str> = spans.iter().map(|r| &buf[r.clone()]).collect();
            proptest::prop_assert_eq!(borrowed, plain);
        }

        #[test]
        fn ascii_keys_are_the_folded_keys(line in "[aZ.9 \t\x0b\x01\x7f]{0,40}") {
            proptest::prop_assert_eq!(key(&line), key_by_chars(&line));
        }

        #[test]
        fn words_are_counted_as_split(
            line in "[aZ. \t\x0b\x0c\x01\u{a0}\u{85}\u{1680}\u{2003}\u{200b}\u{2028}\u{202f}\u{205f}\u{3000}é“—]{0,40}",
            max in 0usize..25,
        ) {
            proptest::prop_assert_eq!(super::count_words(&line, max), line.split_whitespace().take(max).count());
        }

        #[test]
        fn print_dates_pass_their_prefilter(
            line in "[1٣a/.“é²]{0,3}([/.][1٣]{1,2}[/.][1٣]{2,4}, 1:23 AM)?",
        ) {
            let re = regex::Regex::new(super::PRINT_DATE).expect("valid");
            if re.is_match(&line) {
                proptest::prop_assert!(super::may_be_print_date(line.as_bytes()), "{:?}", line);
            }
        }

        #[test]
        fn near_print_dates_pass_their_prefilter(
            line in "[1٣a“²]{1,3}[/.a][1٣a“]{1,3}[/.a ][1٣a“]{1,5},? 1:23 AM",
        ) {
            let re = regex::Regex::new(super::PRINT_DATE).expect("valid");
            if re.is_match(&line) {
                proptest::prop_assert!(super::may_be_print_date(line.as_bytes()), "{:?}", line);
            }
        }

        #[test]
        fn affiliation_words_are_found_as_the_caseless_regex_finds_them(
            line in "[a-zA-Z .é“]{0,6}(Dept\\.|UNIVERSITY|school  Of|Research\tLab|Centre|inc|Universität|UNIVERSITÄT|École|ÉCOLE|école|ſchool\u{a0}of|Università|UNIVERSITÀ|Univerſity)?[a-zé .]{0,6}",
        ) {
            for bound in ["", "\\b"] {
                let caseless = regex::Regex::new(&format!("{}{bound}", super::AFFILIATION)).expect("valid");
                let lower = format!("{}{bound}", super::AFFILIATION.trim_start_matches("(?i)"));
                let lower = regex::bytes::Regex::new(&lower).expect("valid");
                proptest::prop_assert_eq!(super::caseless_match(&caseless, &lower, &line), caseless.is_match(&line));
            }
        }

        #[test]
        fn ascii_affiliations_are_found_as_the_caseless_regex_finds_them(
            line in "[a-zA-Z .,_9-]{0,6}(Dept\\.|DEPT\\.|UNIVERSITY|school  Of|Research\tLab|Centre|inc\\.|Ltd\\.|GmbH|Institut|Laboratories)?[a-zA-Z .,_9-]{0,6}",
        ) {
            let caseless = regex::Regex::new(&format!("{}\\b", super::AFFILIATION)).expect("valid");
            let ascii = format!("{}(?-u:\\b)", super::AFFILIATION.trim_start_matches("(?i)"));
            let ascii = regex::bytes::Regex::new(&ascii).expect("valid");
            proptest::prop_assert_eq!(super::ascii_lower_match(&ascii, &line), Some(caseless.is_match(&line)));
        }

        #[test]
        fn wide_space_is_any_white_space_beyond_ascii(line in "[a \u{a0}\u{85}\u{1680}\u{2003}\u{200b}\u{2028}\u{3000}é“—ġ‐]{0,12}") {
            let wide = line.chars().any(|c| !c.is_ascii() && c.is_whitespace());
            proptest::prop_assert_eq!(super::has_wide_space(&line), wide);
        }

        #[test]
        fn urls_are_what_the_regex_matches(
            line in "(https?://|file:/|www\\.|http:/|ftp://)?[a-z/.:\u{a0}é\u{2003} \t]{0,8}",
        ) {
            let re = regex::Regex::new(super::URL).expect("valid");
            proptest::prop_assert_eq!(super::is_url(&line), re.is_match(&line));
        }

        #[test]
        fn page_numbers_pass_their_prefilter(
            line in "[a-zA-Zſ .,:–—\u{a0}]{0,3}(Page |p\\. |Seite |pág |- |\\(|\\[|ſeite )?[0-9ivxlcIVXLC٣]{1,4}( ?(of|/|von|de) ?[0-9]{1,2}| -| –|\\)|\\])?[a-z .)\u{a0}]{0,2}",
        ) {
            let re = regex::Regex::new(super::PAGE_NUMBER).expect("valid");
            if re.is_match(&line) {
                proptest::prop_assert!(super::may_be_page_number(line.as_bytes()), "{:?}", line);
            }
        }

        #[test]
        fn plain_page_numbers_are_what_the_regexes_match(
            line in "(Page |page |Page  )?[0-9a ]{0,6}(/| of | / |of)?[0-9a ]{0,6}",
        ) {
            let re = regex::Regex::new(super::PAGE_NUMBER).expect("valid");
            if let Some(answer) = super::plain_page_number(&line) {
                proptest::prop_assert_eq!(answer, re.is_match(&line), "{:?}", line);
            }
            let sure = regex::Regex::new(super::SURE_PAGE_NUMBER).expect("valid");
            if super::plain_page_count(&line) {
                proptest::prop_assert!(sure.is_match(&line), "{:?}", line);
            }
        }

        #[test]
        fn received_lines_pass_their_prefilter(
            line in "[“éſŚ]?(Received|ACCEPTED|revised|ſubmitted|ſUBMITTED|Dated|Published online|January|March|Mar|May|Accepted|x)?[ a-z0-9,.]{0,6}([12٣][0-9]{3}\\.?)?",
        ) {
            let re = regex::Regex::new(super::RECEIVED).expect("valid");
            if re.is_match(&line) {
                proptest::prop_assert!(super::may_be_received(line.as_bytes()), "{:?}", line);
            }
        }

        #[test]
        fn author_lines_pass_their_prefilter(
            line in "((Jo|Ann|an|and|anders|A\\.|O'|&|1,2|∗|†|x|É|é|:|\\(|\\.|-)[ ,\u{a0}\t]{0,2}){0,8}",
        ) {
            let re = regex::Regex::new(super::NAMES).expect("valid");
            let plain = line.starts_with(|c: char| c.is_alphabetic()) && !crate::lines::ends_sentence(&line);
            if plain && re.is_match(&line) {
                proptest::prop_assert!(super::may_be_names(&line), "{:?}", line);
            }
        }

        #[test]
        fn leaders_are_found_as_contains_finds_them(line in "[a. é…]{0,12}") {
            proptest::prop_assert_eq!(super::has_leaders(&line), line.contains("....") || line.contains(". . ."));
        }

        #[test]
        fn sentence_gaps_are_found_as_contains_finds_them(line in "[a. é…\u{a0}]{0,12}") {
            proptest::prop_assert_eq!(super::has_sentence_gap(&line), line.contains(". "));
        }

        #[test]
        fn part_of_title_is_the_lower_cased_search(
            line in "[aBİ .…é]{0,20}",
            head in "[ab ié.]{0,30}",
            title_chars in 0usize..30,
        ) {
            let plain = {
                let trimmed = line.trim_end_matches(['.', '…', ' ']).to_lowercase();
                let truncated = line.ends_with("...") || line.ends_with('…');
                let most = trimmed.chars().count() * 10 >= title_chars * 8;
                trimmed.len() >= 12 && (truncated || most) && head.contains(&trimmed)
            };
            let fast = super::is_part_of_title(&line, title_chars, || &head, &mut Vec::new());
            proptest::prop_assert_eq!(fast, plain);
            // A line that is found: the head's end in capitals.
            let tail = head.chars().skip(3).collect::<String>().to_ascii_uppercase();
            let plain = {
                let trimmed = tail.trim_end_matches(['.', '…', ' ']).to_lowercase();
                trimmed.len() >= 12 && head.contains(&trimmed)
            };
            proptest::prop_assert_eq!(super::is_part_of_title(&tail, 0, || &head, &mut Vec::new()), plain);
        }

        #[test]
        fn byte_led_search_is_contains(hay in "[ab é]{0,40}", needle in "[ab é]{0,6}") {
            proptest::prop_assert_eq!(super::contains_at_byte(hay.as_bytes(), needle.as_bytes()), hay.contains(&needle));
            let tail: String = hay.chars().skip(3).collect();
            proptest::prop_assert!(super::contains_at_byte(hay.as_bytes(), tail.as_bytes()));
        }

        #[test]
        fn key_hashes_are_the_hashes_of_the_folded_keys(line in "[aZ. \t9\x01\x0béÉΣ\u{a0}İ]{0,24}") {
            // The hash is a function of the key: equal keys hash alike, whichever walk folds them.
            proptest::prop_assert_eq!(key_hash(&line), hash_of_folded_key(&line));
            proptest::prop_assert_eq!(key_hash(&line), key_hash(&key(&line)));
        }

        #[test]
        fn lines_with_equal_keys_hash_alike(a in "[aA9 \t]{0,20}", b in "[aA9 \t]{0,20}") {
            // (Short lines of few characters, so that keys often meet.)
            proptest::prop_assert_eq!(key(&a) == key(&b), key_hash(&a) == key_hash(&b));
        }

        #[test]
        fn keys_are_the_folded_keys(line in "[aZ.9 \t\x0béÉΣ\u{a0}\u{2003}İ]{0,24}") {
            proptest::prop_assert_eq!(key(&line), key_by_chars(&line));
        }
    }

    proptest::proptest! {
        #[test]
        fn key_sums_are_the_plain_sums(line in "[aiKzAZ@\\[`{#9 \t\u{80}\u{e1}é\u{130}\u{212a}\u{fa}]{0,40}") {
            proptest::prop_assert_eq!(super::key_sig(&line), super::key_sig_plainly(line.as_bytes()));
        }

        #[test]
        fn key_sums_are_sums_of_the_keys(line in "[aiKkIzAZ@#9 \tÉé\u{130}\u{212a}\u{a0}ΣσẞſﬀK]{0,24}") {
            proptest::prop_assert_eq!(super::key_sig(&line), super::key_sig_plainly(key(&line).as_bytes()));
        }

        #[test]
        fn key_numbers_are_the_same_exactly_for_the_same_keys(
            lines in proptest::collection::vec("[abBIi\u{130}1 2]{1,4}", 1..40),
        ) {
            let mut numbers = super::KeyNumbers::with_capacity(0);
            let ids: Vec<u32> = lines.iter().map(|l| numbers.number(l)).collect();
            let keys: Vec<String> = lines.iter().map(|l| key(l)).collect();
            for (a, b) in (0..lines.len()).flat_map(|a| (0..lines.len()).map(move |b| (a, b))) {
                proptest::prop_assert_eq!(ids[a] == ids[b], keys[a] == keys[b], "{:?} {:?}", lines[a], lines[b]);
            }
            // Numbered from 0 in order of first appearance.
            let mut first = Vec::new();
            for k in &keys {
                if !first.contains(k) {
                    first.push(k.clone());
                }
            }
            proptest::prop_assert_eq!(numbers.len(), first.len());
            for (id, k) in ids.iter().zip(&keys) {
                proptest::prop_assert_eq!(&first[*id as usize], k);
            }
        }
    }

    /// [`super::may_lead_digit`] rules out only bytes that start no decimal digit.
    #[test]
    fn page_labels_are_page_and_a_number_alone() {
        for t in ["Page 2", "page 12", "PAGE  1234", "Page\t7"] {
            assert!(super::is_page_label(t), "{t:?}");
        }
        for t in ["Page", "Page 12345", "Page 2.", "Page 2 of 9", "Pages 2", "Page two", "Pager 2", "Page2"] {
            assert!(!super::is_page_label(t), "{t:?}");
        }
    }

    #[test]
    fn numbered_headings_are_no_print_dates() {
        for line in ["1. Introduction", "3.2 Results", "12/30", "1.2.3 Scope", "11/26/2"] {
            assert!(!super::may_be_print_date(line.as_bytes()), "{line:?}");
        }
        for line in ["11/26/26, 9:14 AM", "1.2.26 10:00", "1/٣", "1.2.٣"] {
            assert!(super::may_be_print_date(line.as_bytes()), "{line:?}");
        }
    }

    #[test]
    fn no_digit_starts_with_the_bytes_ruled_out() {
        let digit = regex::Regex::new(r"^\d$").expect("valid");
        for c in (0x80..=0x10ffff).filter_map(char::from_u32) {
            let lead = c.encode_utf8(&mut [0; 4]).as_bytes()[0];
            if !super::may_lead_digit(lead) {
                assert!(!digit.is_match(c.encode_utf8(&mut [0; 4])), "{c:?}");
            }
        }
    }

    /// [`super::key_sig`] leaves out `i` and `k`, as the only ASCII letters that a character beyond ASCII
    /// lower-cases to.
    #[test]
    fn no_other_character_lower_cases_to_an_ascii_letter() {
        for c in (0x80..=0x10ffff).filter_map(char::from_u32) {
            for l in c.to_lowercase() {
                assert!(!l.is_ascii() || l == 'i' || l == 'k', "{c:?} lower-cases to {l:?}");
            }
        }
    }

    #[test]
    fn own_keys_are_lines_that_fold_to_themselves_lower_cased() {
        let lines = ["Journal of X", "a", "", "A  b", "A \tb", "Vol 3", "x ", " x", "  ", "ab\x01", "a\n"];
        let own = [true, true, true, false, false, false, true, true, false, false, false];
        for (line, own) in lines.into_iter().zip(own) {
            assert_eq!(super::is_own_key(line.as_bytes()), own, "{line:?}");
            if own {
                assert_eq!(key_by_chars(line), line.to_ascii_lowercase(), "{line:?}");
            }
            assert_eq!(key(line), key_by_chars(line), "{line:?}");
        }
    }

    #[test]
    fn short_runs_are_the_runs_a_scan_from_each_line_finds() {
        // The scan `short_runs` replaced: from each line that starts no run, as far as the run goes.
        let scan = |all: &[lines::Line], nonblank: &[usize]| {
            let (mut runs, mut n) = (Vec::new(), 0);
            while n < nonblank.len() {
                let mut e = n;
                while e < nonblank.len() && all[nonblank[e]].chars <= 2 {
                    e += 1;
                }
                if e - n >= 3 {
                    runs.push(n..e);
                }
                n = e.max(n + 1);
            }
            runs
        };
        for text in [
            "",
            "a\nb\nc",
            "a\nb\nc\nlong\nd\ne",
            "ab\n\ncd\nef\x0cgh\nlong line\na\nb\nc\nd",
            "x\nlong\ny\nz\nw",
        ] {
            let all = lines::split(text);
            let (nonblank, runs) = super::nonblank_lines(&all, 3);
            assert_eq!(runs, scan(&all, &nonblank), "{text:?}");
        }
    }

    #[test]
    fn pages_are_the_pages_of_lines() {
        for text in ["", "\n\n", "a\n\x0c\x0cb\n \nc\x0c", "\x0ca\nb\x0c\n\x0c \x0c", "a\nb\n\nc"] {
            let all = lines::split(text);
            let (nonblank, _) = super::nonblank_lines(&all, 8);
            let ours: Vec<Vec<usize>> = super::pages(&all, &nonblank).iter().map(|p| p.to_vec()).collect();
            assert_eq!(ours, lines::pages(&all), "{text:?}");
        }
    }

    #[test]
    fn lines_that_recur_a_page_apart_without_page_breaks_are_furniture() {
        // A running head with its page number every 20 lines, and a line repeated 3 times closer
        // together, in a text without page breaks: the first goes (its keys meet, and its sums), the
        // second stays, as does a line whose sum only recurs (`i` is left out of the sum).
        let mut text = String::from("A Study of Running Heads\n\n");
        for page in 0..4 {
            text.push_str(&format!("Journal of Running Heads {}\n", page + 7));
            for k in 0..19 {
                let line = match (page, k) {
                    (1, 3) | (1, 6) | (1, 9) => "Figure captions are repeated here".to_string(),
                    (_, 12) => format!("Trailing notes {} of print", ["i", "ii", "iii", "iv"][page]),
                    _ => format!("body line {k} of page {page} goes on and"),
                };
                text.push_str(&line);
                text.push('\n');
            }
        }
        let out = crate::clean(&text);
        // (The copy among the first three lines is kept: the title block is never a running head.)
        assert_eq!(out.matches("Journal of Running Heads").count(), 1, "{out}");
        assert_eq!(out.matches("Figure captions are repeated here").count(), 3, "{out}");
        assert_eq!(out.matches("Trailing notes").count(), 4, "{out}");
    }

    #[test]
    fn keys_mask_digits_and_fold_case() {
        assert_eq!(key("Page  12 of 30"), key("page 3 of 30"));
        assert_ne!(key("Introduction"), key("Results"));
    }

    #[test]
    fn key_hashes_agree_with_keys_on_ascii_and_other_text() {
        // A key is its own key, so a line and its key hash alike; the ASCII walk and the character
        // walk must agree on where they meet (`É` lower-cases to `é`).
        for line in ["Page  12 of 30", "Journal\tof X\x0b 2024", "Éditions 3 — Été", "a  b", ""] {
            assert_eq!(key_hash(line), key_hash(&key(line)), "{line:?}");
            // The ASCII walk of `key` and the character walk agree too.
            let wide = format!("{line}é");
            assert_eq!(format!("{}é", key(line)), key(&wide), "{line:?}");
        }
        assert_eq!(key_hash("Page 1 of 9 é"), key_hash("page 7 of 9 é"));
        // `key_hash` hashes what `fold_key` gives.
        for line in ["Page  12 of 30", "Journal\tof X\x0b 2024", " 9 ", "a1b22c  d\t\te 7", "Été 3", ""] {
            assert_eq!(key_hash(line), hash_of_folded_key(line), "{line:?}");
        }
        // The byte walk of `key_into` gives what `fold_key` gives, on every ASCII character and run.
        let ascii: String = (0u8..128).map(char::from).chain("12 \t\x0bAb9 3".chars()).collect();
        for line in [ascii.as_str(), "a1b22c  d\t\te 7", " 9", "x "] {
            let mut folded = String::new();
            super::fold_key(line, |c| folded.push(c));
            assert_eq!(key(line), folded, "{line:?}");
        }
        assert_ne!(key_hash("Page 1 of 9 x"), key_hash("page 1 of 9 é"));
    }
}
