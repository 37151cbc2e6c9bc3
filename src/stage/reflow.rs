//! Reflow: turn the lines of a page back into paragraphs.
//!
//! Every gap between two non-blank lines (line end, blank lines, page break, indentation) becomes one of:
//! a space (`line-join`: the line was wrapped), nothing (`dehyphenate`: a word was hyphenated across the
//! break, or `hyphen-join`: a real hyphen ended the line, `ex-` + `Soviet`), or a blank line
//! (`paragraph-break`; `list-item` between the items of a list or the rows of a table). The output has
//! one shape only: blocks separated by one blank line, each block one line, so no single newline is
//! left for downstream tools to guess about; a list item is a block of its own.
//!
//! How a paragraph end is told from a wrap, in order (the first that applies decides):
//! 1. A line ending in a letter and `-`, followed by a letter: a hyphenated word, joined (see below).
//! 2. List items and table rows (dot leaders, columns) keep their own lines.
//! 3. A full line that breaks off a sentence before a line that starts one (`... it follows that` /
//!    `The distribution ...`; in a typeset paper also a colon, or a next line starting with `where`):
//!    an element the extractor dropped, mostly a display formula, stood between them. A paragraph end.
//!    (In a typeset paper, a clearly short line is a paragraph end before this, whatever follows.)
//! 4. A line that does not end a sentence, followed by one that starts in lower case (or a line ending
//!    in a word such as `the`, `of`, `and` that cannot end a sentence): one paragraph, even across a
//!    blank line or a page break (a removed insert or the page foot split it).
//! 5. A heading (short, no sentence end, capitalised, followed by a capital) stands alone.
//! 6. Where the text marks paragraphs with blank lines, a blank line is a break. Where it puts a blank
//!    line after every line (as pdfminer does), blank lines are ignored.
//! 7. A line that ends a sentence although the next line's first word would have fitted on it was
//!    ended by choice: a paragraph end. So is one followed by an indented line, or, in typeset text
//!    whose extractor dropped the indent and prints no blank lines between paragraphs, by a line
//!    clearly short of the column that goes on into the next: a paragraph's indented first line.
//! 8. Otherwise the line was wrapped: joined with a space.
//!
//! Hyphens: a word split as `eco-` + `nomic` is joined when the document has the joined form elsewhere
//! or, failing that, when the Knuth-Liang (TeX, en-US) patterns allow a break at that point. The
//! hyphen is kept when the second part starts with a capital (`ex-Soviet`), when the hyphenated form
//! appears elsewhere in the document, when both parts are English words that make no word together
//! (`right-` + `hand`, `state-of-the-` + `art`), or when the patterns do not allow the break: a wrong
//! join cannot be undone downstream. In a compound, the part before the line-end hyphen is judged
//! alone (`three-dimen-` + `sional` joins).
//!
//! Hyphens pdftotext dropped (`hyphen-restore`): it glues a line ending in `-` to the next and drops the
//! hyphen, so a glued line, longer than the column, may hold a compound written solid (`longstanding`).
//! The hyphen comes back where the document writes the word with one elsewhere, where two capitalised
//! names meet at the old line end (`PierreHugues`), or where a lower-case word that is no English word
//! splits into two English words exactly one way, at the old line end, in an English line, and the
//! document never writes it solid elsewhere (`lawabiding`).

use crate::hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::ops::Range;
use std::sync::OnceLock;

use hyphenation::{Hyphenator, Language, Load, Standard};
use regex::Regex;

use crate::edit::{Edits, RuleId};
use crate::lines::Doc;
use crate::lines::{self, Line};
use crate::pipeline::Pass;
use crate::rules::ResolvedStage;
use crate::stage::rule_on;
use crate::stage::whitespace::is_word;

pub const RULES: &[&str] = &[
    "column-order",
    "line-join",
    "dehyphenate",
    "hyphen-join",
    "paragraph-break",
    "list-item",
    "hyphen-restore",
];

pub fn build(s: &ResolvedStage) -> Vec<Box<dyn Pass>> {
    let mut passes: Vec<Box<dyn Pass>> = Vec::new();
    // Lines must be in reading order before their gaps are read.
    if let Some(rule) = rule_on(s, "column-order") {
        passes.push(Box::new(crate::stage::columns::ColumnOrderPass { rule }));
    }
    passes.push(Box::new(reflow_pass(s)));
    passes
}

fn reflow_pass(s: &ResolvedStage) -> ReflowPass {
    ReflowPass {
        line_join: rule_on(s, "line-join"),
        dehyphenate: rule_on(s, "dehyphenate"),
        hyphen_join: rule_on(s, "hyphen-join"),
        paragraph_break: rule_on(s, "paragraph-break"),
        list_item: rule_on(s, "list-item"),
        hyphen_restore: rule_on(s, "hyphen-restore"),
        // A bullet alone on its line is an item too: extractors often put the text on the next line.
        list_re: Regex::new(
            r"^(?:[•●▪◦‣∙·*▶►■□–—-]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)]|\([ivxIVX]{1,4}\))(?:\s+\S|$)",
        )
        .expect("valid"),
        table_re: Regex::new(r"(?:\.\s?){4,}\s*\S*\d+\s*$|\S\s{3,}\S.*\S\s{3,}\S").expect("valid"),
        numbered_heading_re: Regex::new(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.|[A-Z]\.)\s+\p{Lu}")
            .expect("valid"),
        three_spaces: memchr::memmem::Finder::new(b"   "),
        two_dots: memchr::memmem::Finder::new(b".."),
        spaced_dots: memchr::memmem::Finder::new(b". ."),
    }
}

struct ReflowPass {
    line_join: Option<RuleId>,
    dehyphenate: Option<RuleId>,
    hyphen_join: Option<RuleId>,
    paragraph_break: Option<RuleId>,
    list_item: Option<RuleId>,
    hyphen_restore: Option<RuleId>,
    list_re: Regex,
    table_re: Regex,
    numbered_heading_re: Regex,
    three_spaces: memchr::memmem::Finder<'static>,
    two_dots: memchr::memmem::Finder<'static>,
    spaced_dots: memchr::memmem::Finder<'static>,
}

/// What a gap between two lines becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gap {
    Join,
    Dehyphenate,
    HyphenJoin,
    Paragraph,
    /// A list item or table row: a block of its own.
    ListItem,
}

/// How much of the column (in per cent) a line and the next line's first word may fill at most for
/// the line to count as ended by choice when no sentence end says so.
const SHORT_PERCENT: usize = 80;

/// First parts of compounds that a typesetter's hyphenation never leaves at a line end on its own.
const COMPOUND_FIRST: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "first", "second",
    "third", "fourth", "fifth", "self", "well", "half", "quasi",
];

/// Words that cannot end an English sentence: a line ending in one continues.
pub(crate) const CONTINUING: &[&str] = &[
    "a", "an", "the", "of", "in", "on", "to", "for", "and", "or", "nor", "but", "with", "by", "from", "at",
    "as", "that", "which", "who", "whose", "is", "are", "was", "were", "be", "been", "its", "their", "his",
    "her", "our", "this", "these", "those", "into", "onto", "than", "if", "because", "while", "when",
    "where", "has", "have", "had", "not", "very", "such", "between", "about", "after", "before", "over",
    "under", "during",
];

/// A word of at most seven bytes as one number: its bytes, lower-cased (ASCII), from the lowest byte
/// up, and its length in the top byte (so that no two such words share a key, whatever bytes they hold).
const fn continuing_key(w: &[u8]) -> u64 {
    let mut k = (w.len() as u64) << 56;
    let mut i = 0;
    while i < w.len() {
        k |= (w[i].to_ascii_lowercase() as u64) << (8 * i);
        i += 1;
    }
    k
}

/// The slot of a key in [`CONTINUING_TABLE`] (a multiplicative hash: the top seven bits).
const fn continuing_slot(key: u64) -> usize {
    (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 57) as usize
}

/// The keys of [`CONTINUING`] in a hash table of 128 slots (0: empty; no key is 0, its length is
/// at least one), filled at compile time with linear probing.
const CONTINUING_TABLE: [u64; 128] = {
    let mut table = [0u64; 128];
    let mut i = 0;
    while i < CONTINUING.len() {
        assert!(CONTINUING[i].len() <= 7);
        let key = continuing_key(CONTINUING[i].as_bytes());
        let mut slot = continuing_slot(key);
        while table[slot] != 0 {
            slot = (slot + 1) % 128;
        }
        table[slot] = key;
        i += 1;
    }
    table
};

/// Whether `w`, lower-cased, is one of [`CONTINUING`].
fn is_continuing(w: &str) -> bool {
    // The list is lower-case ASCII of at most seven bytes, so an ASCII word needs no lower-cased
    // copy: it is in the list exactly when its key is (`eq_ignore_ascii_case` is the same length and
    // the same bytes lower-cased, which is what the key holds). (Test: the same answers as the list.)
    let b = w.as_bytes();
    if b.len() <= 7 {
        // The key at once: the bytes in a zero-padded word, ASCII when no byte has its top bit,
        // capitals (0x41..=0x5a) lower-cased by adding 0x20 where a byte is at least 0x41 and not
        // at least 0x5b (bytes below 0x80 plus at most 0x3f carry into no other byte).
        let mut buf = [0u8; 8];
        buf[..b.len()].copy_from_slice(b);
        let x = u64::from_le_bytes(buf);
        const L: u64 = 0x0101_0101_0101_0101;
        if x & (0x80 * L) == 0 {
            let upper = (x + 0x3f * L) & !(x + 0x25 * L) & (0x80 * L);
            let key = (x | upper >> 2) | (b.len() as u64) << 56;
            let mut slot = continuing_slot(key);
            while CONTINUING_TABLE[slot] != 0 {
                if CONTINUING_TABLE[slot] == key {
                    return true;
                }
                slot = (slot + 1) % 128;
            }
            return false;
        }
    } else if w.is_ascii() {
        return false;
    }
    CONTINUING.contains(&w.to_lowercase().as_str())
}

/// `w.to_lowercase()`. For ASCII, that is `make_ascii_lowercase` (a character's lower case is its
/// ASCII lower case), which spares the Unicode tables.
fn lowercase(w: &str) -> String {
    into_lowercase(w.to_string())
}

/// [`lowercase`] of an owned string, in place when it is ASCII.
fn into_lowercase(mut w: String) -> String {
    if w.is_ascii() {
        w.make_ascii_lowercase();
        w
    } else {
        w.to_lowercase()
    }
}

/// [`lowercase`], borrowed when `w` is already lower-case ASCII (most words looked up).
fn lowercase_cow(w: &str) -> Cow<'_, str> {
    if w.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        Cow::Borrowed(w)
    } else {
        Cow::Owned(lowercase(w))
    }
}

/// Puts back the hyphens pdftotext dropped when it glued a line ending in `-` to the next one, in
/// `line`, which is longer than the column. A word there is given its hyphen back when the document
/// writes it with one elsewhere (`longstanding` -> `long-standing`) and, unless the line is half as
/// long again as the column (two full lines glued), it starts where the first line could have ended;
/// or when two capitalised parts meet where the first line ended (`PierreHugues` -> `Pierre-Hugues`).
/// On the development corpus, lines glued from two short ones (a fifth longer than the column) held
/// 4 of the 49 real hyphens that were still missing.
///
/// A word the document never writes with a hyphen may still have had one: a lower-case word that is
/// no English word but splits into two, exactly one way, where the first line could have ended
/// (`lawabiding` -> `law-abiding`), is put in `compounds`; [`restore_compounds`] then keeps those the
/// document never writes solid elsewhere.
fn restore_hyphens(
    text: &str,
    line: &Line,
    width: usize,
    v: &Vocabulary<'_>,
    rule: &RuleId,
    edits: &mut Edits,
    compounds: &mut Vec<Compound>,
) {
    let content = line.text(text);
    // Two full lines glued: the hyphen may have been anywhere.
    let long = line.chars * 2 > width * 3;
    let mut chars_before = 0usize;
    let mut pos = 0usize;
    let mut ascii_lower = String::new();
    let hyphenated = v.hyphenated();
    // Whether the line is English (`mostly_english`), asked once, when a compound is first found.
    let mut english: Option<bool> = None;
    for tok in split_ascii(content, b' ') {
        let start = pos;
        pos += tok.len() + 1;
        let at = chars_before;
        // In a line glued from two short ones, nothing past where the first could have ended.
        if !long && at > width + 1 {
            break;
        }
        let tok_chars = tok.chars().count();
        chars_before += tok_chars + 1;
        let word = trim_to_alphanumeric(tok);
        if word.chars().count() < 5 || !word.chars().all(char::is_alphabetic) {
            continue;
        }
        // Where `word` starts in `tok` (the first occurrence of its text: everything before it is
        // trimmed punctuation).
        let lead = word.as_ptr() as usize - tok.as_ptr() as usize;
        let base = line.content.start + start + lead;
        // Lower-cased without a new string when ASCII, and not at all when there is nothing to find.
        let known = if hyphenated.is_empty() {
            None
        } else if word.is_ascii() {
            ascii_lower.clear();
            ascii_lower.push_str(word);
            ascii_lower.make_ascii_lowercase();
            hyphenated.get(ascii_lower.as_str())
        } else {
            hyphenated.get(&word.to_lowercase())
        };
        // A line glued from two short ones is not much longer than the width: the word must then
        // start where the first could have ended.
        let in_reach = long || at + lead <= width + 1;
        if let Some(h) = known.filter(|_| in_reach) {
            // Copy the word, inserting the hyphens where the document's hyphenated form has them.
            let mut out = String::with_capacity(word.len() + 2);
            let mut hs = h.chars().filter(|&c| c != '-').count();
            let mut wc = word.chars();
            for c in h.chars() {
                if c == '-' {
                    out.push('-');
                } else if let Some(w) = wc.next() {
                    out.push(w);
                    hs -= 1;
                }
            }
            if hs == 0 && out != word {
                edits.push(base..base + word.len(), out, rule);
            }
            continue;
        }
        if let Some(k) = compound_split(word, at + lead, width) {
            // Only in English: a German `richtige` is no English word, and splits into two.
            if *english.get_or_insert_with(|| mostly_english(content, word)) {
                compounds.push(Compound { word: base..base + word.len(), split: base + k });
            }
            continue;
        }
        // `PierreHugues`: the split must fall where the first line could have ended.
        if !word.starts_with(char::is_uppercase) {
            continue;
        }
        let cs: Vec<(usize, char)> = word.char_indices().collect();
        for k in 3..cs.len().saturating_sub(2) {
            let (b, c) = cs[k];
            let split_at = at + lead + k;
            let in_reach = split_at * 10 >= width * 8 && split_at <= width + 1;
            if in_reach
                && c.is_uppercase()
                && cs[k - 1].1.is_lowercase()
                && cs[0].1.is_uppercase()
                && cs[1..k].iter().all(|(_, c)| c.is_lowercase())
                && cs[k + 1..].iter().all(|(_, c)| c.is_lowercase())
            {
                edits.push(base + b..base + b, "-", rule);
                break;
            }
        }
    }
}

/// A word in a glued line that may have lost a compound's hyphen (see [`restore_hyphens`]): its
/// bytes in the text, and where the hyphen goes.
struct Compound {
    word: Range<usize>,
    split: usize,
}

/// Where `word`, which starts `at` characters into its line, splits into two English words, when it
/// is lower-case ASCII and no word itself, and the split falls where the first line could have ended
/// (the last fifth of the column, or one past it) in exactly one way. The first part has three letters
/// at least (`law-`), the second four (`-abiding`; `lead-up` is left, `lea-dup` would be wrong).
fn compound_split(word: &str, at: usize, width: usize) -> Option<usize> {
    let b = word.as_bytes();
    if b.len() < 7 || !b.iter().all(u8::is_ascii_lowercase) {
        return None;
    }
    // The window first: most words in a glued line are not in it.
    let from = (width * 8).div_ceil(10).saturating_sub(at).max(3);
    let to = (width + 1).saturating_sub(at).min(b.len() - 4);
    if from > to || is_word(word) {
        return None;
    }
    let mut splits = (from..=to).filter(|&k| is_word(&word[..k]) && is_word(&word[k..]));
    let k = splits.next()?;
    splits.next().is_none().then_some(k)
}

/// Whether at least four in five of the lower-case words of `line` other than `word` are English
/// words. Capitalised words are left out: names are seldom in the list. English lines of the
/// development corpus score 0.83 and more, a German one 0.46.
fn mostly_english(line: &str, word: &str) -> bool {
    let (mut words, mut english) = (0, 0);
    for tok in line.split_whitespace() {
        let w = trim_to_alphanumeric(tok);
        if w == word || w.is_empty() || !w.chars().all(char::is_lowercase) {
            continue;
        }
        words += 1;
        english += usize::from(is_word(w));
    }
    english * 5 >= words * 4
}

/// Puts a hyphen into each of `compounds` whose word the document writes solid nowhere else: every
/// whole-word occurrence of it, in lower case or capitalised, is one of the compounds. A word written
/// solid in a line left alone (`timelike`, `spacetime`) is the author's own spelling.
fn restore_compounds(text: &str, compounds: &[Compound], rule: &RuleId, edits: &mut Edits) {
    if compounds.is_empty() {
        return;
    }
    // Per word: how often it is a compound, and how often the text has it (`solid_counts`).
    let mut counts: FxHashMap<&str, (usize, usize)> = FxHashMap::default();
    for c in compounds {
        counts.entry(&text[c.word.clone()]).or_default().0 += 1;
    }
    solid_counts(text, &mut counts);
    for c in compounds {
        let (glued, solid) = counts[&text[c.word.clone()]];
        if solid == glued {
            edits.push(c.split..c.split, "-", rule);
        }
    }
}

/// Adds to the second count of each word of `counts` (lower-case ASCII) how often the text has it as a
/// whole word, in lower case or capitalised: a run of bytes between any that are no letter, digit,
/// hyphen or byte of a character beyond ASCII. One walk over the text, whatever the number of words.
fn solid_counts(text: &str, counts: &mut FxHashMap<&str, (usize, usize)>) {
    let part_of_word = |c: &u8| c.is_ascii_alphanumeric() || *c == b'-' || *c >= 0x80;
    let mut lower = Vec::new();
    for run in text.as_bytes().split(|c| !part_of_word(c)) {
        if run.len() < 7 {
            continue;
        }
        lower.clear();
        lower.extend_from_slice(run);
        lower[0] = lower[0].to_ascii_lowercase();
        // Lower-case ASCII (a run with a byte beyond ASCII is none of the words).
        if let Some(entry) = std::str::from_utf8(&lower).ok().and_then(|w| counts.get_mut(w)) {
            entry.1 += 1;
        }
    }
}

impl ReflowPass {
    /// The table marks of `text` as a bit set (bit `p % 64` of word `p / 64` for byte `p`): a line
    /// for which [`ReflowPass::is_table`] says yes has a marked byte in its content, so a line without
    /// one is no table row (see [`any_mark`]). Extra marks only cost an `is_table` call.
    ///
    /// With AVX2, every place where [`table_mark_at`] says yes, found in one walk over the text,
    /// sixty-four bytes a round; on other CPUs, the places of [`ReflowPass::table_marks`].
    fn table_mark_bits(&self, text: &str) -> Vec<u64> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: AVX2 is there (just asked).
            return unsafe { table_mark_bits_avx2(text.as_bytes()) };
        }
        let mut bits = vec![0u64; text.len().div_ceil(64)];
        for p in self.table_marks(text) {
            bits[p / 64] |= 1 << (p % 64);
        }
        bits
    }

    /// The places in `text` without which no line is a table row, sorted: a line for which
    /// [`ReflowPass::is_table`] says yes holds one of them in its content (the walk for CPUs
    /// without AVX2; see [`ReflowPass::table_mark_bits`]).
    ///
    /// `is_table` asks first for [`dot_run`] or [`two_space_runs`]. A dot run (`(?:\.\s?){4,}`) is
    /// four dots with at most one white-space character between two: unless each two have one, it
    /// holds `".."`, and where they have, the first is a space (`". ."`) or another white-space
    /// character. Two runs of three white-space characters, where the only white space is the space,
    /// hold `"   "`, whose first match in each run of spaces is marked (a run starts after a
    /// non-space, so no earlier match covers its start). So are the first matches of `".."` and
    /// `". ."` in each run of dots, and any other white space in a line (a line has no `\n` or
    /// `\x0c`): tab, vertical tab and carriage return, and the non-ASCII White_Space characters,
    /// whose UTF-8 starts with 0xC2, 0xE1, 0xE2 or 0xE3 (a test checks every character).
    /// Each is found with one memchr or memmem walk over the whole text, which costs less than
    /// starting several small searches on every line. (A walk that stopped at every dot cost a
    /// search for each: a dot comes every eighty bytes or so, two together seldom.)
    fn table_marks(&self, text: &str) -> Vec<usize> {
        let b = text.as_bytes();
        let mut marks: Vec<usize> = self.three_spaces.find_iter(b).collect();
        marks.extend(memchr::memchr3_iter(b'\t', b'\x0b', b'\r', b));
        marks.extend(first_in_dot_runs(b, &self.two_dots));
        marks.extend(first_in_dot_runs(b, &self.spaced_dots));
        let non_ascii_space = |p: &usize| text[*p..].chars().next().is_some_and(char::is_whitespace);
        marks.extend(memchr::memchr3_iter(0xc2, 0xe1, 0xe2, b).filter(non_ascii_space));
        marks.extend(memchr::memchr_iter(0xe3, b).filter(non_ascii_space));
        marks.sort_unstable();
        marks
    }
}

/// Whether the bit set `bits` ([`ReflowPass::table_mark_bits`]) has a mark in `r`.
fn any_mark(bits: &[u64], r: Range<usize>) -> bool {
    if r.is_empty() {
        return false;
    }
    let (first, last) = (r.start / 64, (r.end - 1) / 64);
    let low = !0u64 << (r.start % 64);
    let high = !0u64 >> (63 - (r.end - 1) % 64);
    if first == last {
        return bits[first] & low & high != 0;
    }
    bits[first] & low != 0 || bits[first + 1..last].iter().any(|&w| w != 0) || bits[last] & high != 0
}

/// Whether byte `j` of `b` is a table mark (the AVX2 walk's definition; see
/// [`ReflowPass::table_mark_bits`]): the last byte of `"   "`, of `".."` or of `". ."`; a tab,
/// vertical tab or carriage return (or 0x0F, which the walk's test lets through: an extra mark is
/// harmless); or the first byte of a non-ASCII white-space character ([`non_ascii_space_at`]).
/// A line that `is_table` says yes to has one in its content: the patterns' bytes and the white
/// space between the dots of a dot run or inside a run of three lie inside the content (the
/// regex's `\S\s{3,}\S` and `(?:\.\s?){4,}`), and either each two dots of a run have a space
/// (`". ."`) or other white space between them, or two have none (`".."`); a run of three white-
/// space characters is `"   "` or holds other white space.
#[cfg_attr(not(test), allow(dead_code))]
fn table_mark_at(b: &[u8], j: usize) -> bool {
    let before = |k: usize| if j >= k { b[j - k] } else { 0 };
    match b[j] {
        b' ' => before(1) == b' ' && before(2) == b' ',
        b'.' => before(1) == b'.' || (before(1) == b' ' && before(2) == b'.'),
        c if c | 6 == 0x0f => true,
        0xc2 | 0xe1 | 0xe2 | 0xe3 => non_ascii_space_at(b, j),
        _ => false,
    }
}

/// Whether a non-ASCII white-space character (`char::is_whitespace`) starts at `i` in `b`: U+0085
/// and U+00A0 (C2 85, C2 A0), U+1680 (E1 9A 80), U+2000 to U+200A (E2 80 80-8A), U+2028, U+2029,
/// U+202F (E2 80 A8, A9, AF), U+205F (E2 81 9F) and U+3000 (E3 80 80). (Test: every character.)
fn non_ascii_space_at(b: &[u8], i: usize) -> bool {
    let at = |k: usize| b.get(i + k).copied().unwrap_or(0);
    match (b[i], at(1)) {
        (0xc2, c) => c == 0x85 || c == 0xa0,
        (0xe1, 0x9a) => at(2) == 0x80,
        (0xe2, 0x80) => matches!(at(2), 0x80..=0x8a | 0xa8 | 0xa9 | 0xaf),
        (0xe2, 0x81) => at(2) == 0x9f,
        (0xe3, 0x80) => at(2) == 0x80,
        _ => false,
    }
}

/// The bytes of `b` for which [`table_mark_at`] says yes, as a bit set (bit `p % 64` of word
/// `p / 64`), sixty-four bytes a round, thirty-two at a time: each byte is compared with the bytes
/// one and two before it (loaded again from there), and the marks of the patterns and of tab,
/// vertical tab and carriage return (`c | 6 == 0x0f`, which lets 0x0F through too) come out of one
/// `movemask`. Where a byte is beyond ASCII, the bytes 0xC2, 0xE1, 0xE2 and 0xE3 are each looked
/// at on their own (a curly quote or a dash starts with 0xE2 too). (Test: the same bits as
/// `table_mark_at`.)
///
/// # Safety
/// AVX2 must be there.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn table_mark_bits_avx2(b: &[u8]) -> Vec<u64> {
    use std::arch::x86_64::{
        _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_set1_epi8,
    };
    let n = b.len();
    let mut bits = vec![0u64; n.div_ceil(64)];
    // The first and the last round read a copy, with zeros (none of the bytes looked for) before the
    // text's start and after its end: two bytes before the round's, then its sixty-four.
    let mut buf = [0u8; 66];
    for (w, word) in bits.iter_mut().enumerate() {
        let base = w * 64;
        let p = if base >= 2 && base + 64 <= n {
            b.as_ptr().add(base)
        } else {
            let from = base.saturating_sub(2);
            let to = n.min(base + 64);
            buf.fill(0);
            buf[2 - (base - from)..2 + (to - base)].copy_from_slice(&b[from..to]);
            buf.as_ptr().add(2)
        };
        let (mut marks, mut leads) = (0u64, 0u64);
        for half in 0..2 {
            let q = p.add(32 * half);
            let v = _mm256_loadu_si256(q.cast());
            let v1 = _mm256_loadu_si256(q.sub(1).cast());
            let v2 = _mm256_loadu_si256(q.sub(2).cast());
            // (Macros, not closures: the intrinsics stay in this function's AVX2 code.)
            macro_rules! eq {
                ($v:expr, $c:expr) => {
                    _mm256_cmpeq_epi8($v, _mm256_set1_epi8($c as i8))
                };
            }
            let space1 = eq!(v1, b' ');
            let spaces = _mm256_and_si256(eq!(v, b' '), _mm256_and_si256(space1, eq!(v2, b' ')));
            let dots = _mm256_and_si256(
                eq!(v, b'.'),
                _mm256_or_si256(eq!(v1, b'.'), _mm256_and_si256(space1, eq!(v2, b'.'))),
            );
            let white = eq!(_mm256_or_si256(v, _mm256_set1_epi8(6)), 0x0f);
            let m = _mm256_or_si256(white, _mm256_or_si256(spaces, dots));
            marks |= (_mm256_movemask_epi8(m) as u32 as u64) << (32 * half);
            if _mm256_movemask_epi8(v) != 0 {
                // 0xC2 and 0xE2 are the bytes that are 0xC2 once `& 0xdf`; 0xE1 and 0xE3 `& 0xfd`, 0xE1.
                let lead = _mm256_or_si256(
                    eq!(_mm256_and_si256(v, _mm256_set1_epi8(0xdfu8 as i8)), 0xc2u8),
                    eq!(_mm256_and_si256(v, _mm256_set1_epi8(0xfdu8 as i8)), 0xe1u8),
                );
                leads |= (_mm256_movemask_epi8(lead) as u32 as u64) << (32 * half);
            }
        }
        while leads != 0 {
            let j = leads.trailing_zeros();
            leads &= leads - 1;
            if non_ascii_space_at(b, base + j as usize) {
                marks |= 1 << j;
            }
        }
        *word = marks;
    }
    bits
}

/// The matches of `finder` (`".."` or `". ."`) in `b`, but only the first in each run of dots and
/// spaces: the others stand on the same line (a run holds no `\n` or `\x0c`), in its content (a dot
/// is no white space), so they mark no other line. A dot leader (`Contents .......... 4`) is one
/// match instead of one every two dots, each a new search of a few hundred instructions.
fn first_in_dot_runs<'b>(
    b: &'b [u8],
    finder: &'b memchr::memmem::Finder<'_>,
) -> impl Iterator<Item = usize> + 'b {
    let mut from = 0;
    std::iter::from_fn(move || {
        let p = from + finder.find(&b[from..])?;
        from = p + 1;
        while from < b.len() && matches!(b[from], b'.' | b' ') {
            from += 1;
        }
        Some(p)
    })
}

/// Whether `t` holds four dots, each at most four bytes after the one before: `(?:\.\s?){4,}` matches
/// only there (a dot, at most one white-space character, which UTF-8 writes in at most three bytes,
/// then the next dot).
fn dot_run(t: &str) -> bool {
    let mut run = 0;
    let mut last = None;
    for p in memchr::memchr_iter(b'.', t.as_bytes()) {
        run = if last.is_some_and(|l| p - l <= 4) { run + 1 } else { 1 };
        if run == 4 {
            return true;
        }
        last = Some(p);
    }
    false
}

/// Whether `t`, a line (no `\n` or `\x0c`), has two separate runs of three or more white-space
/// characters (`char::is_whitespace`). `three_spaces` finds `"   "`.
fn two_space_runs(t: &str, three_spaces: &memchr::memmem::Finder<'_>) -> bool {
    let b = t.as_bytes();
    if t.is_ascii() && memchr::memchr3(b'\t', b'\x0b', b'\r', b).is_none() {
        // The line's only white space is the space: find a run, skip to its end, find another.
        let Some(p) = three_spaces.find(b) else { return false };
        let end = p + b[p..].iter().position(|&c| c != b' ').unwrap_or(b.len() - p);
        return three_spaces.find(&b[end..]).is_some();
    }
    let (mut run, mut runs) = (0, 0);
    for c in t.chars() {
        if c.is_whitespace() {
            run += 1;
            if run == 3 {
                runs += 1;
                if runs == 2 {
                    return true;
                }
            }
        } else {
            run = 0;
        }
    }
    false
}

/// Whether most non-blank lines end mid-sentence, as the lines of a page do. A blank line after every
/// line means nothing in such text (pdfminer's layout), but text with one paragraph per line (already
/// clean text, this pipeline's own output) has the same blank lines, nearly every line ending a
/// sentence, and there they are paragraph breaks: reading them as noise would join paragraphs and make
/// a second run change the first one's output (issue 7, idempotence).
fn mostly_wrapped(text: &str, all: &[Line]) -> bool {
    let (mut n, mut ends) = (0usize, 0usize);
    for l in all.iter().filter(|l| !l.is_blank()) {
        n += 1;
        ends += lines::ends_sentence(l.text(text)) as usize;
    }
    ends * 2 < n
}

fn hyphenator() -> &'static Standard {
    static EN: OnceLock<Standard> = OnceLock::new();
    EN.get_or_init(|| Standard::from_embedded(Language::EnglishUS).expect("embedded en-US patterns load"))
}

/// Whether the Knuth-Liang patterns allow a break in `word` after its first `at` bytes.
///
/// The patterns' answer for a word never changes, and the same split words recur from document to
/// document (a few hundred distinct words among thousands of look-ups on the bench and development
/// sets), while one look-up walks the pattern trie from every position of the word. So each thread
/// keeps the breaks of the words it has hyphenated, up to a bound (then it starts afresh).
fn pattern_break(word: &str, at: usize) -> bool {
    thread_local! {
        static BREAKS: RefCell<FxHashMap<String, Vec<usize>>> = RefCell::new(FxHashMap::default());
    }
    BREAKS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(breaks) = cache.get(word) {
            return breaks.contains(&at);
        }
        let breaks = hyphenator().hyphenate(word).breaks;
        let allowed = breaks.contains(&at);
        if cache.len() >= 4096 {
            cache.clear();
        }
        cache.insert(word.to_string(), breaks);
        allowed
    })
}

/// `lines::first_word(s).chars().count()`, in one walk: an ASCII byte is a character of its own, and
/// white space exactly when it is the space or tab to carriage return (see [`lines::first_ws`]); from
/// the first other byte, which starts a character, the words's rest is counted as characters.
/// (Test: the same counts.)
fn first_word_chars(s: &str) -> usize {
    const L: u64 = 0x0101_0101_0101_0101;
    let b = s.as_bytes();
    // Eight bytes at a time: the first that is white space or not ASCII (the bytes are taken on
    // seven bits for `ascii_space_bytes`, which is right for the ASCII ones, the only ones read
    // before the first byte that is not).
    let mut i = 0;
    while let Some(chunk) = b.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let stop = ascii_space_bytes(x & (0x7f * L)) | (x & (0x80 * L));
        if stop != 0 {
            i += (stop.trailing_zeros() / 8) as usize;
            if b[i] >= 0x80 {
                return i + lines::first_word(&s[i..]).chars().count();
            }
            return i;
        }
        i += 8;
    }
    for (i, &c) in b.iter().enumerate().skip(i) {
        if c >= 0x80 {
            return i + lines::first_word(&s[i..]).chars().count();
        }
        if c == b' ' || (b'\t'..=b'\r').contains(&c) {
            return i;
        }
    }
    s.len()
}

fn starts_lower(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_lowercase)
}

fn starts_upper_or_digit(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// What follows the last white-space character of `s` (all of `s` when it has none):
/// `s.rsplit(char::is_whitespace).next()`, on bytes from the end while they are ASCII (a byte below
/// 0x80 is a character of its own, white space when `char::is_whitespace` says so: the space, tab to
/// carriage return); at the first other byte, the character search takes over for the rest (as in
/// [`lines::first_ws`]).
/// (Test: the same word as `rsplit`.)
fn last_word(s: &str) -> &str {
    let b = s.as_bytes();
    let mut i = b.len();
    while i > 0 {
        let c = b[i - 1];
        if c >= 0x80 {
            // `i` is a character boundary (the end, or an ASCII byte follows).
            let start = s[..i]
                .rfind(char::is_whitespace)
                .map_or(0, |p| p + s[p..].chars().next().map_or(0, char::len_utf8));
            return &s[start..];
        }
        if c == b' ' || (b'\t'..=b'\r').contains(&c) {
            return &s[i..];
        }
        i -= 1;
    }
    s
}

/// [`evidence_words`] of the lines of `text` (as `str::lines` gives them), with each run of ASCII
/// lines walked as one piece of text by [`ascii_evidence_words`]: only a line that holds a non-ASCII
/// byte is cut out and split on its own. (Walking line by line cost a `\n` search and an ASCII test
/// for every line.) A `\r` that `lines` strips from a line's end is white space to every token walk
/// here, so the tokens are the same. (Test: the same words as `evidence_words` of `str::lines`.)
fn text_evidence_words<'t>(text: &'t str, mut f: impl FnMut(&'t str, bool)) {
    let b = text.as_bytes();
    let mut tokens: Vec<&str> = Vec::new();
    let mut start = 0;
    while start < b.len() {
        let p = lines::skip_ascii(b, start);
        if p == b.len() {
            ascii_evidence_words(&text[start..], &mut f);
            return;
        }
        // The line that holds the byte: the ASCII lines before it go first, in one walk.
        let line_start = memchr::memrchr(b'\n', &b[start..p]).map_or(start, |q| start + q + 1);
        let line_end = memchr::memchr(b'\n', &b[p..]).map_or(b.len(), |q| p + q);
        ascii_evidence_words(&text[start..line_start], &mut f);
        line_evidence_words(&text[line_start..line_end], &mut tokens, &mut f);
        start = line_end + 1;
    }
}

/// The document's words, for hyphenation evidence, lower-cased: whole tokens (`well-known` stays one
/// word), the hyphenated ones among them, and the first parts of those (`self` from `self-made`).
///
/// Only the first parts are collected up front: they come from the few lines that hold a `-`. The
/// words themselves are never collected: the stage knows every word it will look up before it
/// decides a gap, and asks for them all at once ([`Vocabulary::learn`]), which searches the text
/// for them (a set of all words cost a hash of every token).
struct Vocabulary<'t> {
    text: &'t str,
    /// Hyphenated words, keyed by their form without hyphens (`longstanding` -> `long-standing`):
    /// only restoring glued hyphens asks for them, so they are built on the first
    /// [`Vocabulary::hyphenated`] (the strings and the map cost more than the scan for the prefixes).
    hyphenated: OnceCell<FxHashMap<String, String>>,
    /// The first parts of the hyphenated words, lower-cased (`self` from `Self-made`).
    prefixes: FxHashSet<String>,
}

/// Calls `f` with each token of `lines` that counts as evidence: trimmed of all but letters and digits
/// at its ends, not empty, and not a line's last token ending in a hyphen (that token is the evidence
/// in question).
///
/// The second argument of `f` says that the word is known to be ASCII (it comes from an ASCII line),
/// which spares the callers the test on most words.
#[cfg(test)]
fn evidence_words<'t>(lines: impl Iterator<Item = &'t str>, mut f: impl FnMut(&'t str, bool)) {
    // One buffer for the tokens of a line.
    let mut tokens: Vec<&str> = Vec::new();
    for line in lines {
        if line.is_ascii() {
            ascii_evidence_words(line, &mut f);
            continue;
        }
        line_evidence_words(line, &mut tokens, &mut f);
    }
}

/// [`evidence_words`] of one line, on characters. `tokens` is a buffer for the line's tokens.
fn line_evidence_words<'t>(line: &'t str, tokens: &mut Vec<&'t str>, f: &mut impl FnMut(&'t str, bool)) {
    tokens.clear();
    tokens.extend(line.split_whitespace());
    for (n, tok) in tokens.iter().enumerate() {
        let w = trim_to_alphanumeric(tok);
        if w.is_empty() {
            continue;
        }
        if n + 1 == tokens.len() && tok.ends_with('-') {
            continue;
        }
        f(w, false);
    }
}

/// The ASCII white-space bytes (`char::is_whitespace`: the space, tab to carriage return) of eight
/// ASCII bytes, each as its top bit. No byte is above 0x7f, so adding at most 0x7f to each carries
/// into no other: `y + 0x7f` (with `y` the byte xor 0x20) has its top bit unless `y` is zero, a
/// space; `x + 0x77` has it from 9 (tab) up and `x + 0x72` from 14 (past the carriage return) up.
/// (Test: every byte, in every place.)
fn ascii_space_bytes(x: u64) -> u64 {
    const L: u64 = 0x0101_0101_0101_0101;
    let space = !((x ^ (0x20 * L)) + 0x7f * L);
    let control = (x + 0x77 * L) & !(x + 0x72 * L);
    (space | control) & (0x80 * L)
}

/// `t.contains(char::is_whitespace)`, eight bytes at a time while they are ASCII (most lines have a
/// space among their first eight), then [`lines::first_ws`] from the first eight that are not (which
/// start at a character boundary: only ASCII bytes come before them). (Test: the same answers.)
fn has_white_space(t: &str) -> bool {
    let b = t.as_bytes();
    let mut i = 0;
    while let Some(chunk) = b.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        if x & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        if ascii_space_bytes(x) != 0 {
            return true;
        }
        i += 8;
    }
    lines::first_ws(&t[i..]).is_some()
}

/// [`evidence_words`] of ASCII lines, on bytes: white space (`char::is_whitespace`) is the space
/// and tab to carriage return (`\n` among them), and letters and digits are `is_ascii_alphanumeric`.
/// A token is its line's last when only white space follows it up to a `\n` or the end.
fn ascii_evidence_words<'t>(line: &'t str, f: &mut impl FnMut(&'t str, bool)) {
    let b = line.as_bytes();
    let is_space = |c: u8| c == b' ' || (b'\t'..=b'\r').contains(&c);
    let mut i = 0;
    while i < b.len() && is_space(b[i]) {
        i += 1;
    }
    while i < b.len() {
        let start = i;
        // The token's end and the next token's start, eight bytes at a time, then byte by byte near
        // the end of the text.
        let end;
        loop {
            let Some(c) = b.get(i..i + 8) else {
                while i < b.len() && !is_space(b[i]) {
                    i += 1;
                }
                end = i;
                while i < b.len() && is_space(b[i]) {
                    i += 1;
                }
                break;
            };
            let m = ascii_space_bytes(u64::from_le_bytes(c.try_into().expect("eight bytes")));
            if m != 0 {
                let k = (m.trailing_zeros() / 8) as usize;
                end = i + k;
                // Mostly one space follows, and the next token starts in the same eight bytes: at
                // the first byte after the token's end that is no white space.
                let next = !m & 0x8080_8080_8080_8080 & (u64::MAX << (8 * k) << 8);
                if next != 0 {
                    i += (next.trailing_zeros() / 8) as usize;
                } else {
                    i += 8;
                    while i < b.len() && is_space(b[i]) {
                        i += 1;
                    }
                }
                break;
            }
            i += 8;
        }
        let tok = &b[start..end];
        // A token (never empty) mostly starts and ends with a letter or digit.
        let s = if tok[0].is_ascii_alphanumeric() {
            0
        } else {
            let Some(s) = tok.iter().position(u8::is_ascii_alphanumeric) else { continue };
            s
        };
        if tok.ends_with(b"-") && (i == b.len() || b[end..i].contains(&b'\n')) {
            continue;
        }
        let e = if tok[tok.len() - 1].is_ascii_alphanumeric() {
            tok.len()
        } else {
            tok.iter().rposition(u8::is_ascii_alphanumeric).map_or(s, |e| e + 1)
        };
        f(&line[start + s..start + e], true);
    }
}

/// Calls `f` with each token of `text` (trimmed of all but letters and digits at its ends) that holds a
/// `-` and counts as evidence ([`text_evidence_words`]), the hyphenated words of the text, in order.
///
/// Lower-casing never makes a `-`, so only a token holding one can give a hyphenated form: the
/// tokens are found from the hyphens, rather than by splitting every line. A token is what
/// `evidence_words` takes it to be: a run of non-white-space, and a line's last one when only
/// white space follows it up to the next `\n`.
fn hyphenated_words<'t>(text: &'t str, mut f: impl FnMut(&'t str)) {
    let mut done = 0;
    for p in memchr::memchr_iter(b'-', text.as_bytes()) {
        if p < done {
            continue;
        }
        // Just after the last white-space character before the hyphen, and at the first at or
        // after it (the searches of `last_word` and `lines::first_ws`).
        let start = p - last_word(&text[..p]).len();
        let end = lines::first_ws(&text[p..]).map_or(text.len(), |i| p + i);
        done = end;
        let tok = &text[start..end];
        let w = trim_to_alphanumeric(tok);
        // The hyphens are looked for on bytes (see `hyphen_parts`): the character searches of
        // `contains('-')` and `split('-')` cost more than these few bytes.
        if w.is_empty() || !w.as_bytes().contains(&b'-') {
            continue;
        }
        let last_on_line = text[end..].chars().take_while(|&c| c != '\n').all(char::is_whitespace);
        if last_on_line && tok.ends_with('-') {
            continue;
        }
        f(w);
    }
}

/// `s.trim_matches(|c: char| !c.is_alphanumeric())`, on bytes while the bytes at the ends are ASCII (a
/// byte below 0x80 is a character of its own, alphanumeric when `is_ascii_alphanumeric`); from an end
/// at a byte that is not, the character trim takes over for that side. (The character trim cost about
/// seventy instructions a token, most of which start and end in a letter.)
/// (Test: `hyphenated_words_are_those_of_the_trim`, `trim_to_alphanumeric_is_the_library_trim`.)
fn trim_to_alphanumeric(s: &str) -> &str {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i] < 0x80 && !b[i].is_ascii_alphanumeric() {
        i += 1;
    }
    let s = if b.get(i).is_some_and(|&c| c >= 0x80) {
        s[i..].trim_start_matches(|c: char| !c.is_alphanumeric())
    } else {
        &s[i..]
    };
    let b = s.as_bytes();
    let mut j = b.len();
    while j > 0 && b[j - 1] < 0x80 && !b[j - 1].is_ascii_alphanumeric() {
        j -= 1;
    }
    if j > 0 && b[j - 1] >= 0x80 {
        s[..j].trim_end_matches(|c: char| !c.is_alphanumeric())
    } else {
        &s[..j]
    }
}

impl<'t> Vocabulary<'t> {
    fn new(text: &'t str) -> Self {
        let mut prefixes: FxHashSet<String> = FxHashSet::default();
        // One buffer for the lower case of an ASCII prefix with capitals.
        let mut ascii_lower = String::new();
        hyphenated_words(text, |w| {
            if w.is_ascii() {
                // `hyphenated`'s test and first part without the lower-cased copy of the word: ASCII
                // lower-casing keeps every byte where it is, and a byte alphabetic
                // (`char::is_alphabetic` of an ASCII character is `is_ascii_alphabetic`) or not.
                // (Test: the same prefixes as the lower-cased word's.)
                if !hyphen_parts(w).all(|p| p.bytes().any(|c| c.is_ascii_alphabetic())) {
                    return;
                }
                let Some(first) = hyphen_parts(w).next() else { return };
                let first = if first.bytes().any(|c| c.is_ascii_uppercase()) {
                    ascii_lower.clear();
                    ascii_lower.push_str(first);
                    ascii_lower.make_ascii_lowercase();
                    ascii_lower.as_str()
                } else {
                    first
                };
                // A new string only for a new prefix.
                if !prefixes.contains(first) {
                    prefixes.insert(first.to_string());
                }
                return;
            }
            let lower = lowercase(w);
            if hyphen_parts(&lower).all(|p| p.chars().any(char::is_alphabetic)) {
                if let Some(first) = hyphen_parts(&lower).next() {
                    if !prefixes.contains(first) {
                        prefixes.insert(first.to_string());
                    }
                }
            }
        });
        Vocabulary { text, hyphenated: OnceCell::new(), prefixes }
    }

    /// The hyphenated words by their form without hyphens (see the field).
    fn hyphenated(&self) -> &FxHashMap<String, String> {
        self.hyphenated.get_or_init(|| {
            let mut hyphenated = FxHashMap::default();
            hyphenated_words(self.text, |w| {
                let lower = lowercase(w);
                if hyphen_parts(&lower).all(|p| p.chars().any(char::is_alphabetic)) {
                    // `lower.replace('-', "")`, part by part (`replace` cost several hundred
                    // instructions for these few bytes).
                    let mut joined = String::with_capacity(lower.len());
                    hyphen_parts(&lower).for_each(|p| joined.push_str(p));
                    hyphenated.insert(joined, lower);
                }
            });
            hyphenated
        })
    }

    /// Lower-cases each of `queries` (in place) and says, for each, whether it is the lower case of
    /// a word of the text ([`text_evidence_words`]).
    fn learn(&self, queries: &mut [String]) -> Vec<bool> {
        for q in queries.iter_mut() {
            if q.is_ascii() {
                q.make_ascii_lowercase();
            } else {
                *q = q.to_lowercase();
            }
        }
        let mut found = vec![false; queries.len()];
        if !search_words(self.text, queries, &mut found) {
            let mut known: FxHashMap<String, bool> = queries.iter().map(|q| (q.clone(), false)).collect();
            walk_words(self.text, &mut known);
            for (f, q) in found.iter_mut().zip(queries.iter()) {
                *f = known[q];
            }
        }
        found
    }
}

/// Marks each key of `known` (lower-cased) that is the lower case of an evidence word of `text`
/// ([`text_evidence_words`]), in one walk over all the words: only the tokens of a key's length and
/// end letters are looked up.
fn walk_words(text: &str, known: &mut FxHashMap<String, bool>) {
    // The shape (length, first and last byte) of each query, as one bit of 4096. A query is
    // lower-case, and lower-casing ASCII keeps the length and lower-cases the first and last
    // byte, so an ASCII token can equal a query lower-cased only when its shape's bit is set.
    // (The first byte alone let through most tokens of a short query's length: `eco`, `pro`.)
    // The bytes are taken `| 0x20`, which is the same for a byte and its ASCII lower case (it
    // lower-cases a capital and leaves the lower case of any other byte, itself, alike).
    let shape = |b: &[u8]| -> usize {
        let (f, l) = ((b[0] | 0x20) as usize, (b[b.len() - 1] | 0x20) as usize);
        (b.len().wrapping_mul(0x9e37) ^ f.wrapping_mul(0x2d1) ^ l.wrapping_mul(0x1f)) & 4095
    };
    let mut shapes = [0u64; 64];
    for q in known.keys().filter(|q| !q.is_empty()) {
        let h = shape(q.as_bytes());
        shapes[h >> 6] |= 1 << (h & 63);
    }
    let mut ascii_lower = String::new();
    // The lookups, out of line: the walk calls the closure for every word, and most words stop
    // at the shape test.
    #[inline(never)]
    fn mark(known: &mut FxHashMap<String, bool>, w: &str, ascii_lower: &mut String) {
        let key = if w.is_ascii() {
            ascii_lower.clear();
            ascii_lower.push_str(w);
            ascii_lower.make_ascii_lowercase();
            known.get_mut(ascii_lower.as_str())
        } else {
            known.get_mut(w.to_lowercase().as_str())
        };
        if let Some(k) = key {
            *k = true;
        }
    }
    text_evidence_words(text, |w, ascii| {
        // An evidence word is never empty. A word that is not ASCII may change its length or
        // bytes when lower-cased: it is looked up whatever its shape.
        let h = shape(w.as_bytes());
        if shapes[h >> 6] & (1 << (h & 63)) == 0 && (ascii || w.is_ascii()) {
            return;
        }
        mark(known, w, &mut ascii_lower);
    });
}

/// The KELVIN SIGN, the one character beyond ASCII whose lower case is ASCII (`k`). (Test: every
/// character.)
const KELVIN: char = '\u{212a}';

/// `text.contains(KELVIN)`, on the bytes of its UTF-8 (`E2 84 AA`) by their rare middle one (the
/// library's search, and a `memmem` searcher made for each text, cost several times as much).
/// (Test: the same answers.)
fn has_kelvin(b: &[u8]) -> bool {
    // The three bytes of a character from U+0800 to U+FFFF.
    const K: [u8; 3] = [
        0xe0 | (KELVIN as u32 >> 12) as u8,
        0x80 | (KELVIN as u32 >> 6 & 0x3f) as u8,
        0x80 | (KELVIN as u32 & 0x3f) as u8,
    ];
    memchr::memchr_iter(K[1], b).any(|p| p > 0 && b[p - 1] == K[0] && b.get(p + 1) == Some(&K[2]))
}

/// [`walk_words`] by searching the text for the keys rather than walking all its words, when the
/// keys are ASCII: sets `found[n]` when `queries[n]` (lower-cased) is the lower case of an evidence
/// word of `text`. `false` (and `found` untouched) when a key is not ASCII, or when the text has a
/// [`KELVIN`] sign and a key a `k`. (Test: the same answers as `walk_words`.)
///
/// Why the search finds the same: an evidence word whose lower case is an ASCII key holds no
/// character beyond ASCII but the Kelvin sign, so without it the word is ASCII, and spelled in the
/// text as the key is up to ASCII case. It starts and ends with a letter or digit (it is trimmed of
/// all else), and holds no white space (it is part of a token), and so does the key: a key that
/// does not is no word. Such a word starts where an ASCII letter or digit follows a byte that is
/// none (or at the text's start): the key is compared (ASCII case aside) at each such place, and
/// where it stands there, it is that word exactly when the token around it holds nothing else but
/// characters that are no letter or digit (what the trim takes off), and it is not excluded as a
/// line's last token ending in `-` (see [`evidence_word_at`]).
///
/// (The walk tokenises the whole text, about a hundred instructions a word; the search looks at
/// the start of each run of letters and digits, and compares only where a key starts with its
/// first two bytes. An aho-corasick automaton over the keys cost several times the walk to build,
/// for the few dozen keys of a document.)
fn search_words(text: &str, queries: &[String], found: &mut [bool]) -> bool {
    if !queries.iter().all(|q| q.is_ascii()) {
        return false;
    }
    if queries.iter().any(|q| q.contains('k')) && has_kelvin(text.as_bytes()) {
        return false;
    }
    // The keys: the queries that can be words, each once (the same first part or split word
    // recurs in a document, and each key costs a comparison at every start it may stand at).
    // `key_of[m]` is the key of query `key_at[m]`.
    let mut keys: Vec<&str> = Vec::with_capacity(queries.len());
    let mut key_at: Vec<usize> = Vec::with_capacity(queries.len());
    let mut key_of: Vec<usize> = Vec::with_capacity(queries.len());
    let mut numbers: FxHashMap<&str, usize> = FxHashMap::default();
    numbers.reserve(queries.len());
    for (n, q) in queries.iter().enumerate() {
        let b = q.as_bytes();
        if b.first().is_some_and(u8::is_ascii_alphanumeric)
            && b.last().is_some_and(u8::is_ascii_alphanumeric)
            && !b.iter().any(|c| c.is_ascii_whitespace() || *c == 0x0b)
        {
            let k = *numbers.entry(q.as_str()).or_insert_with(|| {
                keys.push(q.as_str());
                keys.len() - 1
            });
            key_at.push(n);
            key_of.push(k);
        }
    }
    if keys.is_empty() {
        return true;
    }
    // The keys by their first byte (a lower-case ASCII letter or digit): `by_first[c]` are the
    // indices in `order` of the keys that start with `c`.
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_unstable_by_key(|&k| keys[k].as_bytes()[0]);
    let mut by_first = [(0u32, 0u32); 128];
    for (n, &k) in order.iter().enumerate() {
        let c = keys[k].as_bytes()[0] as usize;
        if by_first[c].1 == 0 {
            by_first[c].0 = n as u32;
        }
        by_first[c].1 = n as u32 + 1;
    }
    // The first two bytes of each key (`| 0x20`, as the text's are taken below; a key of one byte
    // with any second one), as one bit of 128 * 128: a start whose two bytes have no bit is passed
    // over without a comparison. (Only an ASCII second byte can match a key's; the bit of another
    // one, taken on seven bits, may be set: the comparison then says no.)
    let mut pairs = [0u64; 256];
    let mut set_pair = |a: u8, b: u8| {
        let p = (a as usize & 127) << 7 | (b as usize & 127);
        pairs[p >> 6] |= 1 << (p & 63);
    };
    for q in &keys {
        let q = q.as_bytes();
        match q.get(1) {
            Some(&c) => set_pair(q[0], c | 0x20),
            None => (0..128).for_each(|c| set_pair(q[0], c)),
        }
    }
    // The keys' first bytes, when they are at most eight: only the starts that begin with one of
    // them (ASCII case aside) are looked at further. Most are passed over sixteen at a time, which
    // costs less than a look-up each. (Zero pads the list: a byte `| 0x20` is never zero.)
    let mut firsts: Vec<u8> = keys.iter().map(|q| q.as_bytes()[0]).collect();
    firsts.sort_unstable();
    firsts.dedup();
    let mut is_found = vec![false; keys.len()];
    let mut left = keys.len();
    let b = text.as_bytes();
    // The look at a start `i`: whether a key not yet found is the word there. Says whether all are
    // found (the search can stop).
    // (Called only where `pair_known` says yes: most starts stop there, and the test in line in the
    // walks costs less than a call.)
    let mut look = |i: usize| -> bool {
        let c = (b[i] | 0x20) as usize & 127;
        let (from, to) = by_first[c];
        for &k in &order[from as usize..to as usize] {
            let q = keys[k].as_bytes();
            let e = i + q.len();
            // Mostly the word goes on past the key (`eco` in `economy`): the first test of
            // `evidence_word_at`, before the bytes are compared. A key is lower-case, so a byte
            // equals its byte up to ASCII case when its ASCII lower case does.
            if is_found[k]
                || b.get(e).is_some_and(u8::is_ascii_alphanumeric)
                || !b.get(i..e).is_some_and(|t| t.iter().zip(q).all(|(x, y)| x.to_ascii_lowercase() == *y))
            {
                continue;
            }
            if evidence_word_at(text, i, e) {
                is_found[k] = true;
                left -= 1;
            }
        }
        left == 0
    };
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: AVX2 is there (just asked).
        unsafe { word_starts_avx2(b, &first_byte_set(&firsts), &pairs, look) };
        for (&n, &k) in key_at.iter().zip(&key_of) {
            found[n] |= is_found[k];
        }
        return true;
    }
    // The keys' first bytes, when they are at most eight: only the starts that begin with one of
    // them (ASCII case aside) are looked at further. Most are passed over sixteen at a time, which
    // costs less than a look-up each. (Zero pads the list: a byte `| 0x20` is never zero.)
    let firsts: Option<[u8; 8]> = (firsts.len() <= 8).then(|| {
        let mut f = [0u8; 8];
        f[..firsts.len()].copy_from_slice(&firsts);
        f
    });
    // A key can only stand where an ASCII letter or digit follows a byte that is none (or the text's
    // start): at the starts of the runs of ASCII letters and digits, found sixteen bytes at a time.
    let mut prev = 0u32;
    let mut base = 0;
    'chunks: while base < b.len() {
        // Past the text's end, zeros: no letter or digit.
        let chunk = lines::sixteen_bytes(b, base);
        let alnum = ascii_alphanumeric_mask(&chunk);
        let mut starts = alnum & !(alnum << 1 | prev >> 15);
        prev = alnum;
        if let Some(firsts) = &firsts {
            if starts != 0 {
                starts &= first_bytes_mask(&chunk, firsts);
            }
        }
        while starts != 0 {
            let i = base + starts.trailing_zeros() as usize;
            starts &= starts - 1;
            if pair_known(&pairs, b, i) && look(i) {
                break 'chunks;
            }
        }
        base += 16;
    }
    for (&n, &k) in key_at.iter().zip(&key_of) {
        found[n] |= is_found[k];
    }
    true
}

/// Whether the first two bytes at `i` (`| 0x20`, taken on seven bits; zero past the end) have their
/// bit in `pairs`: whether a key can start there (see `search_words`).
#[inline(always)]
fn pair_known(pairs: &[u64; 256], b: &[u8], i: usize) -> bool {
    let c = (b[i] | 0x20) as usize & 127;
    let p = c << 7 | (b.get(i + 1).map_or(0, |&d| d | 0x20) as usize & 127);
    pairs[p >> 6] & (1 << (p & 63)) != 0
}

/// A set of ASCII bytes as [`word_starts_avx2`] looks it up: bit `h` of entry `n` says that
/// `h << 4 | n` is in the set.
fn first_byte_set(bytes: &[u8]) -> [u8; 16] {
    let mut set = [0u8; 16];
    for &c in bytes.iter().filter(|c| c.is_ascii()) {
        set[usize::from(c & 15)] |= 1 << (c >> 4);
    }
    set
}

/// Calls `look` with each start of a run of ASCII letters and digits in `b` (a position whose byte
/// is one, after one that is not, or at 0) whose byte `| 0x20` is in `set` ([`first_byte_set`]) and
/// whose first two bytes are in `pairs` ([`pair_known`]), in order, until it says to stop: the walk of `search_words` (with its filter of at most eight
/// first bytes) thirty-two bytes at a time, for any number of first bytes. A byte is looked up in
/// the set by its two halves (`pshufb` on each): the entry of its low half, and the bit of its high
/// half, none for a byte beyond ASCII. (Test: the same starts as the plain walk.)
///
/// # Safety
/// AVX2 must be there.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn word_starts_avx2(
    b: &[u8],
    set: &[u8; 16],
    pairs: &[u64; 256],
    mut look: impl FnMut(usize) -> bool,
) {
    use std::arch::x86_64::{
        _mm256_and_si256, _mm256_broadcastsi128_si256, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8,
        _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8, _mm256_setr_epi8,
        _mm256_setzero_si256, _mm256_shuffle_epi8, _mm256_srli_epi16, _mm_loadu_si128,
    };
    let lows = _mm256_broadcastsi128_si256(_mm_loadu_si128(set.as_ptr().cast()));
    #[rustfmt::skip]
    let highs = _mm256_setr_epi8(
        1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0,
    );
    let nibble = _mm256_set1_epi8(0x0f);
    let mut prev = 0u32;
    let mut base = 0;
    while base < b.len() {
        // Past the text's end, zeros: no letter or digit.
        let mut buf = [0u8; 32];
        let bytes = match b.get(base..base + 32) {
            Some(chunk) => chunk,
            None => {
                buf[..b.len() - base].copy_from_slice(&b[base..]);
                &buf
            }
        };
        // The compares are signed: a byte beyond ASCII is negative, below every range, and stays so
        // `| 0x20` (as in `ascii_alphanumeric_mask`).
        let v = _mm256_loadu_si256(bytes.as_ptr().cast());
        let y = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
        let letter = _mm256_and_si256(
            _mm256_cmpgt_epi8(y, _mm256_set1_epi8(b'a' as i8 - 1)),
            _mm256_cmpgt_epi8(_mm256_set1_epi8(b'z' as i8 + 1), y),
        );
        let digit = _mm256_and_si256(
            _mm256_cmpgt_epi8(v, _mm256_set1_epi8(b'0' as i8 - 1)),
            _mm256_cmpgt_epi8(_mm256_set1_epi8(b'9' as i8 + 1), v),
        );
        let alnum = _mm256_movemask_epi8(_mm256_or_si256(letter, digit)) as u32;
        let mut starts = alnum & !(alnum << 1 | prev >> 31);
        prev = alnum;
        if starts != 0 {
            let low = _mm256_shuffle_epi8(lows, _mm256_and_si256(y, nibble));
            let high = _mm256_shuffle_epi8(highs, _mm256_and_si256(_mm256_srli_epi16(y, 4), nibble));
            let out = _mm256_cmpeq_epi8(_mm256_and_si256(low, high), _mm256_setzero_si256());
            starts &= !(_mm256_movemask_epi8(out) as u32);
        }
        while starts != 0 {
            let i = base + starts.trailing_zeros() as usize;
            starts &= starts - 1;
            if pair_known(pairs, b, i) && look(i) {
                return;
            }
        }
        base += 32;
    }
}

/// The bytes of `chunk` that are one of `firsts` once `| 0x20` (which takes an ASCII capital to its
/// small letter, and leaves a small letter or digit as it is), each as a bit, the first byte the
/// lowest: [`first_bytes_mask_plainly`] with SSE2. (Test: the same masks.)
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn first_bytes_mask<const N: usize>(chunk: &[u8; 16], firsts: &[u8; N]) -> u32 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is enabled (the `cfg`), and the load reads the sixteen bytes of `chunk`, with no
    // alignment needed.
    unsafe {
        let y = _mm_or_si128(_mm_loadu_si128(chunk.as_ptr().cast()), _mm_set1_epi8(0x20));
        let mut m = _mm_cmpeq_epi8(y, _mm_set1_epi8(firsts[0] as i8));
        for &f in &firsts[1..] {
            m = _mm_or_si128(m, _mm_cmpeq_epi8(y, _mm_set1_epi8(f as i8)));
        }
        _mm_movemask_epi8(m) as u32
    }
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn first_bytes_mask<const N: usize>(chunk: &[u8; 16], firsts: &[u8; N]) -> u32 {
    first_bytes_mask_plainly(chunk, firsts)
}

/// What [`first_bytes_mask`] computes, byte by byte.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn first_bytes_mask_plainly<const N: usize>(chunk: &[u8; 16], firsts: &[u8; N]) -> u32 {
    chunk.iter().enumerate().fold(0, |m, (j, c)| m | u32::from(firsts.contains(&(c | 0x20))) << j)
}

/// The ASCII letters and digits of `chunk`, each as a bit, the first byte the lowest:
/// [`ascii_alphanumeric_mask_plainly`] with SSE2 (part of every x86-64 processor), which compares
/// the sixteen bytes at once. The compares are signed: a byte that is not ASCII is negative, below
/// every range, and `| 0x20` keeps it so. A letter is a byte that `| 0x20` takes into `a..=z` (only
/// the capitals and the small letters do). (Test: the same masks.)
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn ascii_alphanumeric_mask(chunk: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{
        _mm_and_si128, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    // SAFETY: SSE2 is enabled (the `cfg`), and the load reads the sixteen bytes of `chunk`, with no
    // alignment needed.
    unsafe {
        let v = _mm_loadu_si128(chunk.as_ptr().cast());
        let y = _mm_or_si128(v, _mm_set1_epi8(0x20));
        let letter = _mm_and_si128(
            _mm_cmpgt_epi8(y, _mm_set1_epi8(b'a' as i8 - 1)),
            _mm_cmplt_epi8(y, _mm_set1_epi8(b'z' as i8 + 1)),
        );
        let digit = _mm_and_si128(
            _mm_cmpgt_epi8(v, _mm_set1_epi8(b'0' as i8 - 1)),
            _mm_cmplt_epi8(v, _mm_set1_epi8(b'9' as i8 + 1)),
        );
        _mm_movemask_epi8(_mm_or_si128(letter, digit)) as u32
    }
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn ascii_alphanumeric_mask(chunk: &[u8; 16]) -> u32 {
    ascii_alphanumeric_mask_plainly(chunk)
}

/// What [`ascii_alphanumeric_mask`] computes, byte by byte.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn ascii_alphanumeric_mask_plainly(chunk: &[u8; 16]) -> u32 {
    chunk.iter().enumerate().fold(0, |m, (j, c)| m | u32::from(c.is_ascii_alphanumeric()) << j)
}

/// Whether `text[s..e]`, which starts and ends with an ASCII letter or digit, is an evidence word
/// of `text` ([`text_evidence_words`]): the rest of its token (up to white space on either side)
/// is no letter or digit, and the token is not a line's last ending in `-`.
fn evidence_word_at(text: &str, s: usize, e: usize) -> bool {
    // Mostly a letter or digit stands right before or after: a part of a longer word.
    let b = text.as_bytes();
    if s > 0 && b[s - 1].is_ascii_alphanumeric() || b.get(e).is_some_and(u8::is_ascii_alphanumeric) {
        return false;
    }
    for c in text[..s].chars().rev() {
        if c.is_whitespace() {
            break;
        }
        if c.is_alphanumeric() {
            return false;
        }
    }
    let mut end = text.len();
    let mut last = None;
    for (i, c) in text[e..].char_indices() {
        if c.is_whitespace() {
            end = e + i;
            break;
        }
        if c.is_alphanumeric() {
            return false;
        }
        last = Some(c);
    }
    !(last == Some('-') && text[end..].chars().take_while(|&c| c != '\n').all(char::is_whitespace))
}

/// A word split by a hyphen at a line end, as [`hyphen_split`] gives it: `(left, right)`.
type SplitWord<'s> = (&'s str, &'s str);

/// A [`SplitWord`] and whether the document has its hyphenated and its joined form (`left-right`,
/// `leftright`, lower-cased), as [`Vocabulary::learn`] answered.
#[derive(Clone, Copy)]
struct KnownSplit<'s> {
    word: SplitWord<'s>,
    hyphenated_known: bool,
    joined_known: bool,
}

/// The first part of a word split by a hyphen at a line end, as [`ReflowPass::hyphen`] takes it:
/// `left` is the part right before the hyphen (`eco` in `eco-`, `dimen` in `three-dimen-`), `right`
/// the letters that start the next line. A hyphen earlier in the token says nothing about this one:
/// `three-dimen-` + `sional` and `fourth-cou-` + `pling` are typesetter's breaks, `state-of-the-` +
/// `art` a compound's (two words that make no word, see [`ReflowPass::hyphen`]).
fn hyphen_split<'s>(a: &'s str, b: &'s str) -> Option<SplitWord<'s>> {
    let tok = last_word(a);
    let stem = &tok[..tok.len() - 1];
    let left_full = stem.trim_start_matches(|c: char| !c.is_alphanumeric());
    let left = after_last_hyphen(left_full);
    if left.is_empty() || !left.chars().last().is_some_and(char::is_alphabetic) {
        return None;
    }
    let right_tok = lines::first_word(b);
    let right: &str = {
        let end = right_tok.find(|c: char| !c.is_alphabetic()).unwrap_or(right_tok.len());
        &right_tok[..end]
    };
    if right.is_empty() {
        return None;
    }
    Some((left, right))
}

/// The joined and the hyphenated form of a word split as `left-` + `right`: `left` + `right` and
/// `left` + `-` + `right`. (Each string is sized once and filled by two or three copies:
/// `[left, "-", right].concat()` cost about two hundred instructions a string, `format!` more.)
fn split_word_forms(left: &str, right: &str) -> (String, String) {
    let mut joined = String::with_capacity(left.len() + right.len());
    joined.push_str(left);
    joined.push_str(right);
    let mut hyphenated = String::with_capacity(left.len() + 1 + right.len());
    hyphenated.push_str(left);
    hyphenated.push('-');
    hyphenated.push_str(right);
    (joined, hyphenated)
}

/// `s.split(sep as char)` for an ASCII `sep`, on bytes: an ASCII character's byte is that character
/// wherever it stands in UTF-8 (no byte of a longer character is below 0x80), and the pieces between
/// those bytes start and end at character boundaries. (The library's split runs a character search
/// for each piece, costly on short words.) (Test: the same pieces as `split`.)
fn split_ascii(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    debug_assert!(sep.is_ascii());
    s.as_bytes().split(move |&c| c == sep).map(move |p| {
        let from = p.as_ptr() as usize - s.as_ptr() as usize;
        &s[from..from + p.len()]
    })
}

/// `s.split('-')`: [`split_ascii`].
fn hyphen_parts(s: &str) -> impl Iterator<Item = &str> {
    split_ascii(s, b'-')
}

/// `s.rsplit('-').next().unwrap_or("")` (what follows the last `-`, all of `s` without one), on
/// bytes (see [`split_ascii`]). (Test: the same pieces as `rsplit`.)
fn after_last_hyphen(s: &str) -> &str {
    &s[s.bytes().rposition(|c| c == b'-').map_or(0, |i| i + 1)..]
}

/// The part before the line-end hyphen of a line that ends in one, as the test for a hyphenating
/// typesetter takes it (`determi` in `... determi-`).
fn line_end_left(t: &str) -> &str {
    let tok = last_word(t).trim_end_matches('-');
    after_last_hyphen(tok).trim_start_matches(|c: char| !c.is_alphanumeric())
}

/// What [`ReflowPass::is_heading`] counts in a line.
#[derive(Debug, PartialEq, Eq)]
struct HeadingCounts {
    /// Words: the pieces between white space.
    words: usize,
    /// Letters, and whether all are capitals.
    letters: usize,
    all_upper: bool,
    /// Words of more than three characters, and how many of them start with a capital.
    long: usize,
    capitalised: usize,
}

/// The [`HeadingCounts`] of `t`.
fn heading_counts(t: &str) -> HeadingCounts {
    let (mut letters, mut all_upper) = (0usize, true);
    for c in t.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        all_upper &= c.is_uppercase();
    }
    let (mut words, mut long, mut capitalised) = (0usize, 0usize, 0usize);
    for w in t.split_whitespace() {
        words += 1;
        // More than three characters: more than three bytes, and then more than three characters
        // unless some are not ASCII.
        if w.len() > 3 && (w.is_ascii() || w.chars().count() > 3) {
            long += 1;
            capitalised += w.chars().next().is_some_and(char::is_uppercase) as usize;
        }
    }
    HeadingCounts { words, letters, all_upper, long, capitalised }
}

/// [`heading_counts`] of ASCII `t`, eight bytes at a time: each byte is a character, white space when
/// it is the space or tab to carriage return (`char::is_whitespace`, [`ascii_space_bytes`]), a letter,
/// a small letter when `is_ascii_alphabetic`, `is_ascii_lowercase` says so (`char::is_alphabetic`,
/// `is_lowercase`). A word starts at a byte that is not white space after one that is (or the start),
/// and ends at a white-space byte after one that is not (or the end); only these few places are
/// visited one by one. (A walk byte by byte cost about six hundred instructions a counted line.)
/// (Test: the same counts.)
fn ascii_heading_counts(t: &str) -> HeadingCounts {
    const L: u64 = 0x0101_0101_0101_0101;
    const H: u64 = 0x80 * L;
    // The top bit of each byte of `x` in `lo..=hi`: every byte is ASCII (below 0x80), so adding
    // `0x80 - lo` or `0x7f - hi` carries into no other byte, and sets the top bit from `lo` up, or
    // above `hi`.
    let in_range = |x: u64, lo: u64, hi: u64| (x + (0x80 - lo) * L) & !(x + (0x7f - hi) * L) & H;
    let b = t.as_bytes();
    let (mut words, mut letters, mut any_lower, mut long, mut capitalised) =
        (0usize, 0usize, false, 0usize, 0usize);
    // Whether the byte before the chunk is white space (the start counts as such), and where the
    // word being walked starts.
    let (mut space_before, mut start) = (true, 0usize);
    let mut i = 0;
    while i < b.len() {
        // The last chunk is filled up with spaces, which count as nothing and end a word.
        let x = match b.get(i..i + 8) {
            Some(chunk) => u64::from_le_bytes(chunk.try_into().expect("eight bytes")),
            None => {
                let mut chunk = [b' '; 8];
                chunk[..b.len() - i].copy_from_slice(&b[i..]);
                u64::from_le_bytes(chunk)
            }
        };
        let space = ascii_space_bytes(x);
        let other = !space & H;
        letters += in_range(x | (0x20 * L), 0x61, 0x7a).count_ones() as usize;
        any_lower |= in_range(x, 0x61, 0x7a) != 0;
        let starts = other & ((space << 8) | (u64::from(space_before) << 7));
        let ends = space & ((other << 8) | (u64::from(!space_before) << 7));
        let mut marks = starts | ends;
        while marks != 0 {
            let k = marks.trailing_zeros();
            let at = i + (k / 8) as usize;
            if (starts >> k) & 1 != 0 {
                start = at;
            } else {
                words += 1;
                if at - start > 3 {
                    long += 1;
                    capitalised += b[start].is_ascii_uppercase() as usize;
                }
            }
            marks &= marks - 1;
        }
        space_before = space >> 63 != 0;
        i += 8;
    }
    // A word that runs to the end of a text of whole chunks.
    if !space_before {
        words += 1;
        if b.len() - start > 3 {
            long += 1;
            capitalised += b[start].is_ascii_uppercase() as usize;
        }
    }
    HeadingCounts { words, letters, all_upper: !any_lower, long, capitalised }
}

/// Whether line `a` ended its paragraph however full it is, because something stood between it and
/// line `b` that the extractor dropped: in a paper, a display formula, which is set on a line of its
/// own between two blocks of text. The text around it shows where it was:
/// - `a` ends without punctuation and `b` starts a sentence (`... it follows that` / `The
///   distribution function ...`): the full stop, if any, was the formula's (or `a` was a heading);
/// - in typeset text (`typeset`, a paper), `a` introduces something with a colon (`... the
///   Frenet-Serret equations:`) and `b` does not go on in lower case (`the same plea:` / `that the
///   lantern ...` is one sentence);
/// - in typeset text, `b` explains the symbols of a formula that is gone (`... can be written as` /
///   `where E is`).
///
/// On the development corpus, a line that starts with one of [`SENTENCE_OPENERS`] after one ending
/// without punctuation was a paragraph's first 197 times in 197 in papers and 52 in 53 in news (the
/// other ends in a quotation). A title after a preposition (`published in` / `The Astrophysical
/// Journal`) is not taken for a sentence. In papers, a line ending in a colon was followed by a
/// paragraph break 98 times in 105 (the others, and this project's samples, mostly a sentence going
/// on in lower case), and a `where` line after one ending without punctuation 82 times in 97 (the
/// others a relative clause: `... models` / `where pulsar emission ...`). In news, where lines are
/// ragged and no formula stands between them, the last two cues made only false breaks (`Smith
/// agreed:` / a quotation; `something more creative` / `where you can ...`), so they wait for
/// typeset text.
fn display_gap(at: &str, bt: &str, typeset: bool) -> bool {
    let Some(&b0) = bt.as_bytes().first() else { return false };
    // Most lines start in lower case with another word than `where`: one byte says so. (A sentence
    // that goes on after its colon, `the same plea:` / `that the ...`, starts in lower case; a list or
    // a new sentence after a formula does not.)
    if b0.is_ascii_lowercase() && !(typeset && b0 == b'w') {
        return false;
    }
    let colon = typeset && at.ends_with(':');
    if !colon
        && at.ends_with([
            ',', ';', '.', '!', '?', '(', '-', '\u{2013}', '\u{2014}', '"', '\'', '\u{201d}', '\u{2019}',
            ')', ']',
        ])
    {
        return false;
    }
    let mut words = bt.split_ascii_whitespace();
    match b0 {
        b'w' => words.next() == Some("where"),
        _ if colon => true,
        b'A'..=b'Z' => {
            let first = words.next().unwrap_or("");
            // A title after a preposition is not a sentence.
            let title = first == "The"
                && words.next().is_some_and(starts_upper_or_digit)
                && matches!(last_word(at), "in" | "by" | "of" | "from" | "to" | "at" | "on");
            SENTENCE_OPENERS.contains(&first) && !title
        }
        _ => false,
    }
}

/// Capitalised words that start a sentence and hardly ever stand inside one (no names, no `A`, which
/// labels points and matrices, no `As`, which is arsenic).
#[rustfmt::skip]
const SENTENCE_OPENERS: &[&str] = &[
    "The", "This", "These", "We", "Here", "Thus", "Since", "Then", "Let", "Note", "Hence", "However",
    "Therefore", "Moreover", "Furthermore", "Similarly", "Finally", "Using", "Substituting", "Such", "Our",
    "If", "For", "In", "It", "Now", "Taking",
];

impl ReflowPass {
    fn is_list(&self, t: &str) -> bool {
        // The regex asks for its first character: a bullet or a dash, `*`, `(`, a letter followed
        // by `.` or `)`, or one to three digits followed by either. Most lines start with a letter,
        // and many others with a number or a quotation mark: only a line that can start an item
        // is given to the regex. (Test: the same answers as the regex.)
        let b = t.as_bytes();
        let Some(&c) = b.first() else { return false };
        let can_start = match c {
            b'a'..=b'z' | b'A'..=b'Z' => matches!(b.get(1), Some(b'.' | b')')),
            b'0'..=b'9' => {
                let digits = b.iter().take(4).take_while(|d| d.is_ascii_digit()).count();
                digits <= 3 && matches!(b.get(digits), Some(b'.' | b')'))
            }
            b'*' | b'-' | b'(' => true,
            0..=0x7f => false,
            _ => t.chars().next().is_some_and(|c| {
                matches!(c, '•' | '●' | '▪' | '◦' | '‣' | '∙' | '·' | '▶' | '►' | '■' | '□' | '–' | '—')
            }),
        };
        can_start && self.list_re.is_match(t)
    }

    fn is_table(&self, t: &str) -> bool {
        // The regex's alternatives need, first, four dots in a row with at most one white-space
        // character between two (`(?:\.\s?){4,}`), or second, two separate runs of three or more
        // white-space characters (`\S\s{3,}\S.*\S\s{3,}\S`: a non-space character lies between
        // them). Most lines have neither, and these scans cost less than the regex (`\s` and
        // `char::is_whitespace` are both White_Space).
        (dot_run(t) || two_space_runs(t, &self.three_spaces)) && self.table_re.is_match(t)
    }

    /// A heading: a short line with no sentence end, of at most twelve words, that is numbered
    /// (`2.1 Scope`), in capitals (`US FALLS`), in title case (`Related Work`), or stands alone between
    /// blank lines (`isolated`).
    fn is_heading(&self, t: &str, l: &Line, width: usize, isolated: bool) -> bool {
        // The tests that say no come first, the cheapest first: any of them alone decides.
        if (width > 0 && l.chars * 10 > width * 7) || l.chars > 90 || !starts_upper_or_digit(t) {
            return false;
        }
        if t.ends_with([',', ';', '-', '–', '—', '(', '&', ':']) || lines::ends_sentence(t) {
            return false;
        }
        // An ASCII line (as many characters as bytes) is counted on bytes.
        let counts = if l.chars == t.len() { ascii_heading_counts(t) } else { heading_counts(t) };
        // One to twelve words.
        if counts.words == 0 || counts.words > 12 {
            return false;
        }
        // The regex needs a digit first, or a capital and then a `.` or (`[IVX]{1,4}\.`) another of
        // `IVX`.
        let b = t.as_bytes();
        let numbered = b[0].is_ascii_digit()
            || b[0].is_ascii_uppercase()
                && (b.get(1) == Some(&b'.')
                    || matches!(b[0], b'I' | b'V' | b'X') && matches!(b.get(1), Some(b'I' | b'V' | b'X')));
        if numbered && self.numbered_heading_re.is_match(t) {
            return true;
        }
        if is_continuing(last_word(t)) {
            return false;
        }
        // At least two letters, all capitals.
        if counts.letters >= 2 && counts.all_upper {
            return true;
        }
        if counts.long > 0 && counts.capitalised * 10 >= counts.long * 6 {
            return true;
        }
        isolated
    }

    /// Decides a word split by a hyphen at a line end: `Dehyphenate` to join without it, `HyphenJoin` to
    /// keep it. The word is given as [`hyphen_split`] cuts it.
    fn hyphen(&self, split: &KnownSplit<'_>, vocab: &Vocabulary<'_>, hyphenating: bool) -> Gap {
        let (left, right) = split.word;
        if right.chars().next().is_some_and(char::is_uppercase) {
            return Gap::HyphenJoin;
        }
        if split.hyphenated_known {
            return Gap::HyphenJoin;
        }
        if split.joined_known {
            return Gap::Dehyphenate;
        }
        // A first part the document uses in other compounds (`non-`, `self-`): a compound. (Both parts
        // being words of the document says little: `some-thing`, and extractors that split words leave
        // fragments such as `ing` as words.)
        let l = lowercase_cow(left);
        if l.chars().count() >= 3 && vocab.prefixes.contains(l.as_ref()) {
            return Gap::HyphenJoin;
        }
        // Numbers and a few words that form compounds and never end a typesetter's syllable
        // (`three-` + `dimensional`, `self-` + `consistent`).
        let r = lowercase_cow(right);
        if COMPOUND_FIRST.contains(&l.as_ref()) && r.chars().count() >= 4 && !r.starts_with("teen") {
            return Gap::HyphenJoin;
        }
        // No evidence in the document: only a typesetter that hyphenates (many line-end hyphens) makes
        // the join likely, and only where the patterns allow a break.
        if !hyphenating {
            return Gap::HyphenJoin;
        }
        let lower = into_lowercase(split_word_forms(left, right).0);
        // Two words that do not make one (`right-` + `hand`, `longer-` + `period`): a compound that the
        // line broke at its own hyphen. A typesetter's break inside one word leaves at least one part
        // that is no word (`determi-` + `nation`), or parts that join into a word (`pro-` + `posed`).
        if !is_word(&lower) && is_word(left) && is_word(right) {
            return Gap::HyphenJoin;
        }
        // A word cut where the patterns would not cut it (`natu-` + `ral`, `determi-` + `nation`:
        // typesetters' exceptions and other languages' patterns) is still a word cut in two when its
        // first part is no word.
        if is_word(&lower) && !is_word(left)
            || lower.chars().all(|c| c.is_ascii_alphabetic()) && pattern_break(&lower, left.len())
        {
            return Gap::Dehyphenate;
        }
        Gap::HyphenJoin
    }
}

/// What is known about the gap between line `a` and the next non-blank line `b`.
struct GapFacts<'t> {
    a: &'t Line,
    b: &'t Line,
    at: &'t str,
    bt: &'t str,
    /// The line after `b`, if any.
    ct: Option<&'t str>,
    /// When `a` ends in a hyphen after a letter ([`lines::ends_with_word_hyphen`]): [`hyphen_split`] of `a`
    /// and `b`, worked out once for the vocabulary's queries and kept for the decision.
    hyphen_split: Option<Option<KnownSplit<'t>>>,
    /// A blank line on the same page between `a` and `b`.
    blank: bool,
    /// Blank lines around `a` (and around `b`), in text that marks paragraphs with blank lines.
    a_isolated: bool,
    b_isolated: bool,
    page_break: bool,
    /// The text puts a blank line after every line: blank lines mean nothing.
    loose: bool,
    width: usize,
    /// `a` belongs to a list item.
    in_list: bool,
    /// `b` starts a list item; `a`, `b` are table rows (each line is tested once, not once per gap).
    b_list: bool,
    a_table: bool,
    b_table: bool,
    hyphenating: bool,
    /// `a` and `b` are both in a run of three or more one-word lines.
    word_run: bool,
    /// Set by a typesetter that justifies and hyphenates (a paper): lines end at the column edge, so a
    /// short line is a paragraph's end (or stood before a display formula the extractor dropped).
    typeset: bool,
    /// A paragraph's first line may be told by its dropped indent (typeset text whose extractor does
    /// not end paragraphs with blank lines).
    indents: bool,
}

/// Whether `b`, after a line that ends a sentence, is the first line of a paragraph whose
/// indent the extractor dropped: a typesetter indents a paragraph's first line and justifies it, so it
/// ends at the column edge but holds fewer characters than a full line. `b` is clearly short of the
/// width (by [`INDENT_CHARS`]) and yet not a paragraph's last line: it ends no sentence and a line
/// follows.
fn indented_first_line(f: &GapFacts) -> bool {
    f.width >= 30 && f.b.chars + INDENT_CHARS <= f.width && f.ct.is_some() && !lines::ends_sentence(f.bt)
}

/// How many characters short of the width an indented first line is. On the development corpus's
/// papers (full line ending a sentence, then a capitalised line that goes on), lines 8 or more short
/// began a paragraph 69 times in 84; 7 short, 10 in 24.
const INDENT_CHARS: usize = 8;

impl ReflowPass {
    fn decide(&self, f: &GapFacts, vocab: Option<&Vocabulary<'_>>) -> Gap {
        let (at, bt) = (f.at, f.bt);
        if let Some(split) = f.hyphen_split {
            if bt.chars().next().is_some_and(char::is_alphabetic) {
                // (A split word was learned: the vocabulary is there.)
                return split.map_or(Gap::Join, |s| {
                    self.hyphen(&s, vocab.expect("learned"), f.hyphenating || f.typeset)
                });
            }
        }
        // `KR-` + `400`, `17-` + `year-old`, `after—` + `and`: a hyphen next to a digit, or a dash glued
        // to its word, joins with no space.
        let glued_dash =
            at.ends_with(['—', '–']) && !at.ends_with([' ', '\t']) && at.chars().count() > 1 && {
                let mut r = at.chars().rev();
                r.next();
                r.next().is_some_and(|c| !c.is_whitespace())
            };
        if glued_dash && bt.chars().next().is_some_and(char::is_alphanumeric)
            || at.ends_with('-')
                && at.chars().rev().nth(1).is_some_and(char::is_alphanumeric)
                && bt.chars().next().is_some_and(|c| c.is_ascii_digit())
            || at.ends_with('-')
                && at.chars().rev().nth(1).is_some_and(|c| c.is_ascii_digit())
                && bt.chars().next().is_some_and(char::is_alphabetic)
        {
            return Gap::HyphenJoin;
        }
        // Some pages come out one word per line (pdftotext on justified web text): a run of such lines
        // is one wrapped text.
        if f.word_run {
            return Gap::Join;
        }
        if f.b_list {
            // Whether the item before was wrapped must not matter: once joined it is one line, and a
            // second run would decide differently (issue 7, idempotence).
            return if f.in_list { Gap::ListItem } else { Gap::Paragraph };
        }
        let (a_table, b_table) = (f.a_table, f.b_table);
        if a_table || b_table {
            return if a_table && b_table && (!f.blank || f.loose) { Gap::ListItem } else { Gap::Paragraph };
        }
        let a_ends = lines::ends_sentence(at);
        // The length of `b`'s first word, in characters: asked only where needed, as most gaps (a
        // join before a lower-case line) are decided before, and then once.
        // A line pdftotext glued to the next (after dropping a line-end hyphen) ends where the second of
        // the two lines ended: about a column's width before its own end.
        let a_len = if f.typeset && f.width >= 30 && f.a.chars * 10 > f.width * 13 {
            f.a.chars - f.width
        } else {
            f.a.chars
        };
        // (Not counted where no first word could make the test below say yes: a line that alone
        // fills four fifths of the column, most lines of a typeset text. `fw` is then counted below
        // only if needed.)
        let early_fw = (f.typeset && !f.page_break && f.width > 0 && (a_len + 1) * 100 < f.width * 80)
            .then(|| first_word_chars(bt));
        if early_fw.is_some_and(|fw| (a_len + 1 + fw) * 100 < f.width * 80) || display_gap(at, bt, f.typeset)
        {
            return Gap::Paragraph;
        }
        // (A line ending in a word that continues, such as `the`, is read only when the next line
        // does not start in lower case.)
        if !a_ends && (starts_lower(bt) || is_continuing(last_word(at))) {
            return Gap::Join;
        }
        let fw = early_fw.unwrap_or_else(|| first_word_chars(bt));
        let a_full = f.width > 0 && a_len * 10 >= f.width * 8;
        if !a_full && starts_upper_or_digit(bt) && self.is_heading(at, f.a, f.width, f.a_isolated) {
            return Gap::Paragraph;
        }
        // A heading is followed by a capitalised line.
        if a_ends
            && !a_full
            && f.ct.is_some_and(starts_upper_or_digit)
            && self.is_heading(bt, f.b, f.width, f.b_isolated)
        {
            return Gap::Paragraph;
        }
        if f.in_list && !f.blank && !a_ends {
            return Gap::Join;
        }
        // At a page break, a sentence end before a capital is nearly always a paragraph end (62 of 62
        // on the development corpus), however full the line.
        if f.page_break {
            return if a_ends && starts_upper_or_digit(bt) { Gap::Paragraph } else { Gap::Join };
        }
        if f.blank && !f.loose {
            return Gap::Paragraph;
        }
        // Would the next word have fitted? Justified lines all reach the width, so a tenth short is
        // already short; ragged lines stop anywhere below it, so only a line the word fits on counts.
        let room = if f.typeset { f.width * 9 / 10 } else { f.width };
        let a_short = f.width > 0 && a_len + 1 + fw <= room;
        if a_ends && (a_short || (f.b.indent > f.a.indent && !f.loose)) {
            return Gap::Paragraph;
        }
        // A line the next word would have fitted on, before a capital: ended by choice even without a
        // full stop (a headline, a subhead, a paragraph that ends in a quotation or a number).
        // The margin is wider than for a sentence end: character counts only estimate widths in a
        // proportional font, and a capitalised name often starts the next line.
        if f.width > 0 && (a_len + 1 + fw) * 100 <= f.width * SHORT_PERCENT && starts_upper_or_digit(bt) {
            return Gap::Paragraph;
        }
        if f.indents && a_ends && starts_upper_or_digit(bt) && indented_first_line(f) {
            return Gap::Paragraph;
        }
        Gap::Join
    }
}

impl Pass for ReflowPass {
    fn apply(&self, doc: &Doc, edits: &mut Edits) {
        let text = doc.text;
        // Text already in the shape this stage leaves (`lines::is_reflowed`: one line a block, one
        // blank line between blocks, no page break) has no wrapped lines left: every gap is a paragraph
        // or item break that this stage or an author made. Reading its blank lines again would let a
        // rule that crosses blank lines (rule 3) undo a break that a rule seeing the original lines
        // made, so a second run would change the first one's output (issue 7, idempotence).
        if lines::is_reflowed(text) {
            return;
        }
        let all = doc.lines();
        let width = lines::typical_width(text, all);
        let loose = lines::blank_separated(text, all) && width > 0 && mostly_wrapped(text, all);
        // What each non-blank line is, in one walk over the lines (each a walk of its own cost more
        // than the tests): its index in `all`, whether it is one word, a list item, a table row, and
        // whether a line-end hyphen or a glued line (see below).
        // Only a line that holds one of the text's table marks can be a table row (see `table_marks`).
        let marks = self.table_mark_bits(text);
        let mut idx: Vec<usize> = Vec::with_capacity(all.len());
        let (mut one_word, mut list, mut table) =
            (Vec::with_capacity(all.len()), Vec::with_capacity(all.len()), Vec::with_capacity(all.len()));
        // A typesetter that hyphenates (LaTeX, groff, justified layouts) leaves a line-end hyphen every
        // few dozen lines, mostly inside words (`determi-`); a browser laying out a news page leaves
        // only real compounds, whose first parts are words of their own (`evidence-`).
        let mut hyphen_lines: Vec<&str> = Vec::new();
        // Where they are among the non-blank lines (indices into `idx`).
        let mut hyphen_at: Vec<usize> = Vec::new();
        // pdftotext joins a line ending in a hyphen to the next and drops the hyphen: a hyphenating
        // typesetter shows there as lines half as long again as the rest.
        let mut glued = 0usize;
        for (i, l) in all.iter().enumerate() {
            if l.is_blank() {
                continue;
            }
            let t = l.text(text);
            idx.push(i);
            one_word.push(!has_white_space(t));
            list.push(self.is_list(t));
            table.push(any_mark(&marks, l.content.clone()) && self.is_table(t));
            if lines::ends_with_word_hyphen(t) {
                hyphen_lines.push(t);
                hyphen_at.push(idx.len() - 1);
            }
            glued += usize::from(l.chars * 2 > width * 3);
        }
        let mut vocab: Option<Vocabulary> = None;
        // `hyphen_split` of each gap after a line-end hyphen, by the gap's index (sorted), with what
        // the vocabulary knows of its forms.
        let mut splits: Vec<(usize, Option<KnownSplit>)> = Vec::with_capacity(hyphen_at.len());
        // The words looked up (lower-cased) and whether the document has each: the first parts of
        // the line-end hyphens come first, in the order of `hyphen_lines`.
        let (mut queries, mut known): (Vec<String>, Vec<bool>) = (Vec::new(), Vec::new());
        if !hyphen_lines.is_empty() {
            // The words the hyphen decisions below look up, all learned in one search: the first
            // parts of the line-end hyphens, and the joined and hyphenated forms of each split word
            // (see `hyphen`), which are pushed in that order after the first parts.
            queries = hyphen_lines.iter().map(|t| line_end_left(t).to_string()).collect();
            for &w in hyphen_at.iter().filter(|&&w| w + 1 < idx.len()) {
                let (at, bt) = (all[idx[w]].text(text), all[idx[w + 1]].text(text));
                let split = hyphen_split(at, bt);
                if let Some((left, right)) = split {
                    let (joined, hyphenated) = split_word_forms(left, right);
                    queries.push(joined);
                    queries.push(hyphenated);
                }
                let word = |word| KnownSplit { word, hyphenated_known: false, joined_known: false };
                splits.push((w, split.map(word)));
            }
            known = vocab.insert(Vocabulary::new(text)).learn(&mut queries);
            let mut forms = known[hyphen_lines.len()..].chunks_exact(2);
            for s in splits.iter_mut().filter_map(|(_, s)| s.as_mut()) {
                let form = forms.next().expect("two forms a split word");
                (s.joined_known, s.hyphenated_known) = (form[0], form[1]);
            }
        }
        let hyphenating = hyphen_lines.len() >= 3 && hyphen_lines.len() * 30 >= idx.len() && {
            // A first part that is a word of the document, or the first part of a hyphenated word
            // of it, is a compound's (`evidence-`); the others are inside words.
            let prefixes = &vocab.as_ref().expect("learned").prefixes;
            let inside_words = (0..hyphen_lines.len())
                .filter(|&j| !(known[j] || prefixes.contains(queries[j].as_str())))
                .count();
            inside_words * 2 >= hyphen_lines.len()
        };
        let typeset = hyphenating || (width > 0 && glued >= 3 && glued * 15 >= idx.len());
        // Whether a blank line on the same page separates non-blank lines `w` and `w + 1`.
        let blank_after = |w: usize| -> bool {
            idx.get(w + 1).is_some_and(|&n| {
                n - idx[w] > 1 && all[idx[w] + 1..n].iter().any(|l| l.page == all[idx[w]].page)
            })
        };
        // Whether a paragraph's first line may be told by its dropped indent ([`indented_first_line`]):
        // in typeset text, unless the extractor already ends paragraphs with blank lines. pdfminer
        // starts a text box at an indented line and prints a blank line before it, so a line it
        // leaves in a box is no paragraph's first: after 4 or more short lines that end a sentence
        // before a capital, at least four in five with a blank line (pdfminer's papers on the
        // development corpus 0.89 to 1, pdftotext's and pypdf's 0 to 0.5 but for three of one to three).
        let indents = typeset && {
            let (mut ends, mut blank) = (0usize, 0usize);
            for w in 0..idx.len().saturating_sub(1) {
                let (a, b) = (&all[idx[w]], &all[idx[w + 1]]);
                if a.chars < 20 || a.chars * 10 >= width * 7 || a.page != b.page {
                    continue;
                }
                if a.text(text).ends_with(['.', '!', '?']) && starts_upper_or_digit(b.text(text)) {
                    ends += 1;
                    blank += usize::from(blank_after(w));
                }
            }
            !(ends >= 4 && blank * 5 >= ends * 4)
        };
        let mut word_run = vec![false; idx.len()];
        let mut w = 0;
        while w < idx.len() {
            let mut e = w;
            while e < idx.len() && one_word[e] {
                e += 1;
            }
            if e - w >= 3 {
                word_run[w..e].iter_mut().for_each(|x| *x = true);
            }
            w = e.max(w + 1);
        }
        if let Some(rule) = &self.hyphen_restore {
            // Only where pdftotext glued lines (one at least half as long again as the width), and
            // only in lines clearly longer than any it left alone: two short lines glued make one
            // only a little longer than the width (see `restore_hyphens`).
            if width > 0 && glued > 0 {
                let v = vocab.get_or_insert_with(|| Vocabulary::new(text));
                let mut compounds = Vec::new();
                for &i in idx.iter().filter(|&&i| all[i].chars * 100 > width * 115) {
                    restore_hyphens(text, &all[i], width, v, rule, edits, &mut compounds);
                }
                restore_compounds(text, &compounds, rule, edits);
            }
        }
        let mut in_list = false;
        let mut joined_before = false;
        // `blank_after` of the gaps before, at and after the one decided, each asked once.
        let (mut blank_before, mut blank) = (false, blank_after(0));
        let mut next_split = 0;
        for w in 0..idx.len().saturating_sub(1) {
            let (a, b) = (&all[idx[w]], &all[idx[w + 1]]);
            let at = a.text(text);
            let blank_next = blank_after(w + 1);
            // `a` belongs to an item when it starts one or was joined to one by the gap before it (issue
            // 7: a wrapped item and the same item once joined into one line must decide alike).
            in_list = list[w] || (in_list && joined_before);
            let facts = GapFacts {
                a,
                b,
                at,
                bt: b.text(text),
                ct: idx.get(w + 2).map(|&c| all[c].text(text)),
                hyphen_split: match splits.get(next_split) {
                    Some(&(h, split)) if h == w => {
                        next_split += 1;
                        Some(split)
                    }
                    _ => None,
                },
                blank,
                a_isolated: !loose && blank && (w == 0 || blank_before),
                b_isolated: !loose && blank && blank_next,
                page_break: a.page != b.page,
                loose,
                width,
                in_list,
                b_list: list[w + 1],
                a_table: table[w],
                b_table: table[w + 1],
                hyphenating,
                typeset,
                indents,
                word_run: word_run[w] && word_run[w + 1],
            };
            let gap = self.decide(&facts, vocab.as_ref());
            joined_before = matches!(gap, Gap::Join | Gap::Dehyphenate | Gap::HyphenJoin);
            let (range, replacement, rule) = match gap {
                Gap::Join => (a.content.end..b.content.start, " ", &self.line_join),
                Gap::Dehyphenate => (a.content.end - 1..b.content.start, "", &self.dehyphenate),
                Gap::HyphenJoin => (a.content.end..b.content.start, "", &self.hyphen_join),
                Gap::Paragraph => (a.content.end..b.content.start, "\n\n", &self.paragraph_break),
                Gap::ListItem => (a.content.end..b.content.start, "\n\n", &self.list_item),
            };
            // A gap that already reads as its replacement (mostly a paragraph break already written
            // `\n\n`) is a no-op, which `Edits::into_sorted` drops before it could meet another edit:
            // it need not be pushed (nor its string made).
            if let Some(rule) = rule {
                // (Byte by byte: the gap and the replacement are a byte or two, where `!=` calls
                // `memcmp`.)
                let gap_text = &text.as_bytes()[range.clone()];
                if gap_text.len() != replacement.len()
                    || gap_text.iter().zip(replacement.bytes()).any(|(x, y)| *x != y)
                {
                    edits.push(range, replacement, rule);
                }
            }
            (blank_before, blank) = (blank, blank_next);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::hash::FxHashMap;
    use crate::Pipeline;

    fn clean(s: &str) -> String {
        Pipeline::default_pipeline().clean(s).text
    }

    #[test]
    fn ascii_lines_give_the_evidence_words_of_any_line() {
        // The general walk, on lines made non-ASCII by a trailing `é` token of their own.
        let lines = ["", "  ", "a b-", "well-known fact -", "(the) end.", "x\x0by\rz -- ok-", "1st, 2nd; 3-"];
        for line in lines {
            let mut fast = Vec::new();
            super::ascii_evidence_words(line, &mut |w, _| fast.push(w.to_string()));
            let wide = format!("{line} é");
            let mut slow = Vec::new();
            super::evidence_words(std::iter::once(wide.as_str()), |w, _| slow.push(w.to_string()));
            assert_eq!(slow.pop().as_deref(), Some("é"), "{line:?}");
            // The last token of the ASCII line is not last on the wider line.
            let last_hyphen = line.split_whitespace().last().filter(|t| t.ends_with('-'));
            if let Some(t) = last_hyphen {
                let w = t.trim_matches(|c: char| !c.is_alphanumeric());
                if !w.is_empty() {
                    assert_eq!(slow.pop().as_deref(), Some(w), "{line:?}");
                }
            }
            assert_eq!(fast, slow, "{line:?}");
        }
    }

    #[test]
    fn last_words_and_lines_are_those_of_the_library() {
        let texts = [
            "",
            "a",
            "a b",
            "a b ",
            " ",
            "ab\tcd",
            "x\u{a0}y",
            "é b",
            "a é",
            "a\u{3000}éb",
            "é",
            "a\r",
            "a\u{2003}b c\u{85}d",
            "\n",
            "a\n",
            "a\nb",
            "a\r\nb\n\n",
            "\n\na",
            "eco-\r\nnomic",
            "eco-\r",
            "well- \r\nx y-\r\n",
            "a é-\r\nb",
        ];
        for t in texts {
            assert_eq!(crate::lines::first_ws(t), t.find(char::is_whitespace), "{t:?}");
            for pad in ["", "abcdefg", "abcdefgh", "abcdefghijklmno"] {
                let padded = format!("{pad}{t}");
                assert_eq!(
                    super::has_white_space(&padded),
                    padded.contains(char::is_whitespace),
                    "{padded:?}"
                );
            }
            assert_eq!(
                crate::lines::first_word(t),
                t.split(char::is_whitespace).next().unwrap_or(""),
                "{t:?}"
            );
            assert_eq!(super::last_word(t), t.rsplit(char::is_whitespace).next().unwrap_or(""), "{t:?}");
            for pad in ["", "abcdefg", "abcdefgh", "abcdefghijklmno", "abcdéfghijk", "\u{212a}"] {
                let padded = format!("{pad}{t}");
                assert_eq!(
                    super::first_word_chars(&padded),
                    crate::lines::first_word(&padded).chars().count(),
                    "{padded:?}"
                );
                assert_eq!(
                    super::has_kelvin(padded.as_bytes()),
                    padded.contains(super::KELVIN),
                    "{padded:?}"
                );
            }
            // `lines` also drops the `\r` of a `\r\n`; the evidence words are the same.
            let (mut a, mut b) = (Vec::new(), Vec::new());
            super::text_evidence_words(t, |w, ascii| a.push((w, ascii)));
            super::evidence_words(t.lines(), |w, ascii| b.push((w, ascii)));
            assert_eq!(a, b, "{t:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn ascii_heading_counts_are_the_general_ones_on_any_ascii(t in r"[a-zA-Z0-9 .,\-@\[`{\x00-\x20\x7f]{0,40}") {
            proptest::prop_assert_eq!(super::ascii_heading_counts(&t), super::heading_counts(&t));
        }

        #[test]
        fn trim_to_alphanumeric_is_the_library_trim(s in r"[a-zA-Z0-9 .,\-(\x22é€ß\u{a0}\u{2028}]{0,8}") {
            proptest::prop_assert_eq!(
                super::trim_to_alphanumeric(&s),
                s.trim_matches(|c: char| !c.is_alphanumeric())
            );
        }

        /// `hyphenated_words` gives the words the library's trim and white-space splits give: each
        /// white-space token (not a line's last one ending in `-`) trimmed of all but letters and
        /// digits, when a `-` is left.
        #[test]
        fn hyphenated_words_are_those_of_the_trim(
            text in r"([a-zA-Z0-9]{0,5}[ \-\n.,(\x22é€\u{a0}\u{2028}]{0,3}){0,30}",
        ) {
            let mut expected = Vec::new();
            for line in text.split('\n') {
                let toks: Vec<&str> = line.split(char::is_whitespace).filter(|t| !t.is_empty()).collect();
                for (k, tok) in toks.iter().enumerate() {
                    let w = tok.trim_matches(|c: char| !c.is_alphanumeric());
                    if w.contains('-') && !(k + 1 == toks.len() && tok.ends_with('-')) {
                        expected.push(w);
                    }
                }
            }
            let mut got = Vec::new();
            super::hyphenated_words(&text, |w| got.push(w));
            proptest::prop_assert_eq!(got, expected, "{:?}", text);
        }
    }

    #[cfg(target_arch = "x86_64")]
    proptest::proptest! {
        /// The AVX2 walk visits the starts of the runs of ASCII letters and digits whose first byte
        /// is in the set and whose first two bytes have their pair, all of them, in order, and stops
        /// when told.
        #[test]
        fn avx2_word_starts_are_the_plain_ones(
            text in "([a-zA-Z0-9]{0,9}[ .,\\-\n\x00\x7fé€\u{a0}]{0,3}){0,40}",
            firsts in proptest::collection::vec(proptest::sample::select(b"abcdefxyz0189".to_vec()), 0..14),
            seconds in proptest::collection::vec(proptest::sample::select(b"aeiou0tz".to_vec()), 0..14),
            stop_after in 1usize..50,
        ) {
            if !std::arch::is_x86_feature_detected!("avx2") {
                return Ok(());
            }
            let b = text.as_bytes();
            let mut pairs = [0u64; 256];
            for (&f, &c) in firsts.iter().zip(&seconds) {
                let p = (f as usize & 127) << 7 | (c as usize & 127);
                pairs[p >> 6] |= 1 << (p & 63);
            }
            let expected: Vec<usize> = (0..b.len())
                .filter(|&i| {
                    b[i].is_ascii_alphanumeric()
                        && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
                        && firsts.contains(&(b[i] | 0x20))
                        && super::pair_known(&pairs, b, i)
                })
                .take(stop_after)
                .collect();
            let mut seen = Vec::new();
            // SAFETY: AVX2 is there (just asked).
            unsafe {
                super::word_starts_avx2(b, &super::first_byte_set(&firsts), &pairs, |i| {
                    seen.push(i);
                    seen.len() == stop_after
                })
            };
            proptest::prop_assert_eq!(seen, expected, "{:?}", text);
        }
    }

    #[test]
    fn ascii_heading_counts_are_the_general_ones() {
        for t in [
            "",
            " ",
            "A",
            "Related Work",
            "US FALLS",
            "2.1 Scope",
            "a\tb\x0bc\rd\x0ce  f",
            "THE end",
            "The Long Road Home",
            "x, y; Zebra-Crossing (AB)",
            "  lead and trail  ",
            "ABC",
            "Abc Abcd abcde ABCDE",
            "12 345 6789",
        ] {
            assert_eq!(super::ascii_heading_counts(t), super::heading_counts(t), "{t:?}");
        }
    }

    #[test]
    fn hyphen_parts_are_those_of_split() {
        for s in [
            "",
            "-",
            "--",
            "a",
            "a-",
            "-a",
            "well-known",
            "state-of-the-art",
            "a--b",
            "é-ü",
            "naïve-ish-",
            "\u{212a}-x",
            "—-–",
            "日本-語",
            "x-\u{2010}-y",
        ] {
            let parts: Vec<&str> = super::hyphen_parts(s).collect();
            assert_eq!(parts, s.split('-').collect::<Vec<_>>(), "{s:?}");
            assert_eq!(super::after_last_hyphen(s), s.rsplit('-').next().unwrap_or(""), "{s:?}");
            let t = s.replace('-', " ");
            let parts: Vec<&str> = super::split_ascii(&t, b' ').collect();
            assert_eq!(parts, t.split(' ').collect::<Vec<_>>(), "{t:?}");
        }
    }

    #[test]
    fn split_word_forms_are_the_concatenations() {
        for (l, r) in [("", ""), ("eco", "nomic"), ("é", "té"), ("a", "")] {
            assert_eq!(super::split_word_forms(l, r), ([l, r].concat(), [l, "-", r].concat()));
        }
    }

    #[test]
    fn ascii_space_bytes_are_the_white_space_bytes() {
        for c in 0..0x80u8 {
            for place in 0..8 {
                let mut bytes = [b'a'; 8];
                bytes[place] = c;
                let m = super::ascii_space_bytes(u64::from_le_bytes(bytes));
                let want = if (c as char).is_whitespace() { 0x80u64 << (8 * place) } else { 0 };
                assert_eq!(m, want, "{c:#x} at {place}");
            }
        }
    }

    #[test]
    fn ascii_alphanumeric_masks_are_those_of_the_bytes() {
        // Every byte in every place, among neighbours of several kinds.
        for fill in [b'a', 0xff, 0x80, 0, b'Z', b' ', b'0', 0xc3] {
            for c in 0..=0xffu8 {
                for place in 0..16 {
                    let mut chunk = [fill; 16];
                    chunk[place] = c;
                    let want = super::ascii_alphanumeric_mask_plainly(&chunk);
                    assert_eq!(
                        super::ascii_alphanumeric_mask(&chunk),
                        want,
                        "{c:#x} at {place} among {fill:#x}"
                    );
                    assert_eq!(want >> place & 1 == 1, c.is_ascii_alphanumeric());
                }
            }
        }
    }

    #[test]
    fn first_bytes_masks_are_those_of_the_bytes() {
        let lists = [*b"eco\0\0\0\0\0", *b"abcdefgh", *b"0az19\0\0\0", [0; 8]];
        for firsts in lists {
            let four: [u8; 4] = firsts[..4].try_into().expect("four bytes");
            for fill in [b'a', b'E', 0xff, 0, b' ', b'0', 0xc3] {
                for c in 0..=0xffu8 {
                    for place in 0..16 {
                        let mut chunk = [fill; 16];
                        chunk[place] = c;
                        let want = super::first_bytes_mask_plainly(&chunk, &firsts);
                        assert_eq!(super::first_bytes_mask(&chunk, &firsts), want, "{c:#x} at {place}");
                        let want = super::first_bytes_mask_plainly(&chunk, &four);
                        assert_eq!(super::first_bytes_mask(&chunk, &four), want, "{c:#x} at {place}");
                    }
                }
            }
        }
    }

    #[test]
    fn lower_cases_are_those_of_the_library() {
        let words = [
            "",
            "a",
            "eco",
            "Eco",
            "ECO-NOMIC",
            "well-known",
            "x1Y2",
            "é",
            "É",
            "İstanbul",
            "ΣΑΣ",
            "ß",
            "\u{212a}",
        ];
        for w in words {
            assert_eq!(super::lowercase(w), w.to_lowercase(), "{w:?}");
            assert_eq!(super::into_lowercase(w.to_string()), w.to_lowercase(), "{w:?}");
            assert_eq!(super::lowercase_cow(w), w.to_lowercase(), "{w:?}");
        }
        for c in 0..128u8 {
            let w = (c as char).to_string();
            assert_eq!(super::lowercase_cow(&w), w.to_lowercase(), "{c:#x}");
        }
    }

    #[test]
    fn kelvin_is_the_one_character_beyond_ascii_with_an_ascii_lower_case() {
        for c in (0x80..=0x10ffffu32).filter_map(char::from_u32) {
            if c.to_lowercase().all(|l| l.is_ascii()) {
                assert_eq!(c, super::KELVIN);
            }
        }
        assert_eq!(super::KELVIN.to_lowercase().to_string(), "k");
    }

    proptest::proptest! {
        #[test]
        fn searched_words_are_those_of_the_walk(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "Bc", "eco", "ECO", "nomic", "Eco-", "-", "--", " ", "  ", "\n", "\r\n", "\t", "\x0b",
                    "\x0c", ".", "(x)", "'", "12", "é", "É", "\u{a0}", "\u{2028}", "\u{3000}", "\u{212a}", "k",
                    "“", "”", "wordy", "long-word", "-\n", " -", "İ", "ß", "ǅ", "—",
                ]),
                0..40,
            ),
            extra in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::sample::select(vec![
                        "a", "bc", "eco", "Eco", "nomic", "-", "k", "12", ".", " ", "é", "long", "word", "\u{212a}",
                    ]),
                    1..4,
                ),
                0..6,
            ),
            from_text in proptest::collection::vec((0usize..200, 1usize..12), 0..8),
        ) {
            let t: String = pieces.concat();
            // Keys: random words, and pieces of the text (mostly its words, which the search must find).
            let mut queries: Vec<String> = extra.iter().map(|p| p.concat()).collect();
            let mut words = Vec::new();
            super::text_evidence_words(&t, |w, _| words.push(w.to_string()));
            for &(at, len) in &from_text {
                if let Some(w) = words.get(at % words.len().max(1)) {
                    queries.push(w.clone());
                }
                let cut: Vec<char> = t.chars().skip(at % (t.chars().count() + 1)).take(len).collect();
                queries.push(cut.into_iter().collect());
            }
            // (Lower-cased, as `Vocabulary::learn` gives them; a query may come twice.)
            let queries: Vec<String> = queries.iter().map(|q| q.to_lowercase()).collect();
            let mut walked: FxHashMap<String, bool> = queries.iter().map(|q| (q.clone(), false)).collect();
            super::walk_words(&t, &mut walked);
            let mut found = vec![false; queries.len()];
            if super::search_words(&t, &queries, &mut found) {
                for (q, f) in queries.iter().zip(&found) {
                    proptest::prop_assert_eq!(*f, walked[q], "{:?} in {:?}", q, t);
                }
            } else {
                // Only for a key beyond ASCII, or a Kelvin sign in the text with a `k` in a key.
                proptest::prop_assert!(
                    queries.iter().any(|q| !q.is_ascii())
                        || t.contains(super::KELVIN) && queries.iter().any(|q| q.contains('k'))
                );
                proptest::prop_assert!(found.iter().all(|f| !f));
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn text_evidence_words_are_those_of_the_lines(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "Bc", "eco-", "-", "--", " ", "  ", "\n", "\r\n", "\t", "\x0b", "\x0c", ".", "(x)",
                    "12", "é", "\u{a0}", "\u{3000}", "\u{212a}", "“", "wordy", "long-word", "-\n", " -",
                ]),
                0..40,
            )
        ) {
            let t: String = pieces.concat();
            let (mut a, mut b) = (Vec::new(), Vec::new());
            super::text_evidence_words(&t, |w, ascii| a.push((w, ascii)));
            super::evidence_words(t.lines(), |w, ascii| b.push((w, ascii)));
            proptest::prop_assert_eq!(a, b, "{:?}", t);
        }
    }

    proptest::proptest! {
        #[test]
        fn vocabulary_hyphen_forms_are_those_of_the_evidence_words(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "Bc", "eco-", "-", "--", " ", "  ", "\n", "\r\n", "\t", "\x0b", "\x0c", ".", "(x)",
                    "12", "é", "É", "\u{a0}", "\u{3000}", "\u{212a}", "“", "wordy", "long-word", "-\n", " -",
                    "Well-Known", "x-\u{2010}-y", "1-2", "İ", "—",
                ]),
                0..40,
            )
        ) {
            // What `Vocabulary::new` says it collects, from all the evidence words.
            let t: String = pieces.concat();
            let mut hyphenated: FxHashMap<String, String> = FxHashMap::default();
            let mut prefixes = crate::hash::FxHashSet::default();
            super::text_evidence_words(&t, |w, _| {
                let lower = w.to_lowercase();
                if lower.contains('-') && lower.split('-').all(|p| p.chars().any(char::is_alphabetic)) {
                    prefixes.insert(lower.split('-').next().unwrap_or("").to_string());
                    hyphenated.insert(lower.replace('-', ""), lower);
                }
            });
            let v = super::Vocabulary::new(&t);
            proptest::prop_assert_eq!(v.hyphenated(), &hyphenated, "{:?}", t);
            proptest::prop_assert_eq!(&v.prefixes, &prefixes, "{:?}", t);
        }
    }

    #[test]
    fn non_ascii_white_space_starts_with_the_marked_bytes() {
        for c in (0x80..=0x10ffffu32).filter_map(char::from_u32).filter(|c| c.is_whitespace()) {
            let mut buf = [0u8; 4];
            let lead = c.encode_utf8(&mut buf).as_bytes()[0];
            assert!(matches!(lead, 0xc2 | 0xe1 | 0xe2 | 0xe3), "{c:?}");
        }
    }

    #[test]
    fn non_ascii_spaces_are_those_of_the_library() {
        for c in (0x80..=0x10ffffu32).filter_map(char::from_u32) {
            let mut buf = [0u8; 4];
            let b = c.encode_utf8(&mut buf).as_bytes();
            assert_eq!(super::non_ascii_space_at(b, 0), c.is_whitespace(), "{c:?}");
        }
    }

    #[test]
    fn marks_in_a_range_are_those_of_the_bits() {
        let bits = [1u64 << 5 | 1 << 63, 0, 1 << 0];
        for start in 0..192 {
            for end in start..=192 {
                let want = [5, 63, 128].iter().any(|p| (start..end).contains(p));
                assert_eq!(super::any_mark(&bits, start..end), want, "{start}..{end}");
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    proptest::proptest! {
        /// The AVX2 walk marks the bytes that `table_mark_at` marks.
        #[test]
        fn avx2_table_marks_are_the_plain_ones(
            text in "([a-z0-9]{0,5}[ .\t\x0b\r\x0f\n\u{a0}\u{85}\u{2003}\u{200b}\u{3000}\u{3001}\u{1680}\u{205f}“”—é]{0,4}){0,60}",
        ) {
            if !std::arch::is_x86_feature_detected!("avx2") {
                return Ok(());
            }
            let b = text.as_bytes();
            let mut want = vec![0u64; b.len().div_ceil(64)];
            for j in (0..b.len()).filter(|&j| super::table_mark_at(b, j)) {
                want[j / 64] |= 1 << (j % 64);
            }
            // SAFETY: AVX2 is there (just asked).
            let got = unsafe { super::table_mark_bits_avx2(b) };
            proptest::prop_assert_eq!(got, want, "{:?}", text);
        }
    }

    #[test]
    fn lines_without_a_table_mark_are_no_table_rows() {
        let rules = crate::rules::RuleSet::default_rules();
        let stage = rules.stages.iter().find(|s| s.id == "reflow").expect("a reflow stage");
        let pass = super::reflow_pass(stage);
        let pieces = [
            "a", "word", "12", ".", ". ", "..", " ", "  ", "   ", "\t", "\x0b", "\r", "\u{a0}", "\u{3000}",
            "\u{2003}", "é", "“", "—", "\u{85}", "x.y", "3.5",
        ];
        let mut seed = 7u64;
        let (mut tables, mut lines) = (0, 0);
        for n in 0..20000 {
            let mut t = String::new();
            for _ in 0..(n % 12) + 1 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                t.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            // A line's content: no white space at its ends.
            let t = t.trim();
            if t.is_empty() {
                continue;
            }
            lines += 1;
            if pass.is_table(t) {
                tables += 1;
                let marks = pass.table_marks(t);
                assert!(marks.first().is_some_and(|&m| m < t.len()), "{t:?}");
                let b = t.as_bytes();
                assert!((0..b.len()).any(|j| super::table_mark_at(b, j)), "{t:?}");
                assert!(super::any_mark(&pass.table_mark_bits(t), 0..t.len()), "{t:?}");
            }
        }
        assert!(tables >= 200, "{tables} of {lines}: the test should reach table rows");
    }

    #[test]
    fn list_items_are_those_of_the_regex() {
        let rules = crate::rules::RuleSet::default_rules();
        let stage = rules.stages.iter().find(|s| s.id == "reflow").expect("a reflow stage");
        let pass = super::reflow_pass(stage);
        let pieces = [
            "a", "B", "i", "IV", "x", "1", "12", "123", "1234", "0", ".", ")", "(", " ", "  ", "\t", "*",
            "-", "•", "●", "▪", "◦", "‣", "∙", "·", "▶", "►", "■", "□", "–", "—", "“", "é", "{", "word",
            "\u{a0}", "ﬁ",
        ];
        let mut seed = 11u64;
        let mut items = 0;
        for n in 0..40000 {
            let mut t = String::new();
            for _ in 0..(n % 6) + 1 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                t.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            let want = pass.list_re.is_match(&t);
            items += usize::from(want);
            assert_eq!(pass.is_list(&t), want, "{t:?}");
        }
        assert!(items >= 1000, "{items}: the test should reach list items");
    }

    #[test]
    fn continuing_words_are_found_as_in_the_list() {
        let mut probes: Vec<String> =
            ["", "A", "The", "THE", "because", "Because", "becausE", "betweens", "x", "İn", "ın", "thé"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        for w in super::CONTINUING {
            probes.push(w.to_string());
            probes.push(w.to_uppercase());
            probes.push(format!("{w}s"));
            probes.push(w[1..].to_string());
            probes.push(format!("{w}\0"));
        }
        // Every case of every word, and every ASCII string of one or two bytes.
        for w in super::CONTINUING {
            for mask in 0..1u32 << w.len() {
                let cased: String = w
                    .chars()
                    .enumerate()
                    .map(|(i, c)| if mask >> i & 1 == 1 { c.to_ascii_uppercase() } else { c })
                    .collect();
                probes.push(cased);
            }
        }
        for a in 0..128u8 {
            probes.push((a as char).to_string());
            for b in 0..128u8 {
                probes.push([a as char, b as char].iter().collect());
            }
        }
        for w in &probes {
            let list = super::CONTINUING.contains(&w.to_lowercase().as_str());
            assert_eq!(super::is_continuing(w), list, "{w:?}");
        }
    }

    #[test]
    fn joins_wrapped_lines_and_keeps_paragraphs() {
        let s = "The committee met on a grey\nmorning in March to decide.\n\nIt voted to go ahead with the\nplan.\n";
        assert_eq!(
            clean(s),
            "The committee met on a grey morning in March to decide.\n\nIt voted to go ahead with the plan."
        );
    }

    #[test]
    fn two_words_that_make_no_word_keep_their_hyphen() {
        // A hyphenating typesetter (`eco-`, `pro-`, `com-`), but `right` and `hand` are words and
        // `righthand` is none: the line broke a compound at its own hyphen.
        let s = "Growth in the eco-\nnomic zone was strong, and\nthe right-\nhand side agreed to\nthe pro-\nposal of a com-\nmon market for\nall of them.";
        assert_eq!(
            clean(s),
            "Growth in the economic zone was strong, and the right-hand side agreed to the proposal of a common market for all of them."
        );
    }

    #[test]
    fn rejoins_typesetter_hyphens_and_keeps_real_ones() {
        // Four line-end hyphens in eight lines: a hyphenating typesetter.
        let s = "Growth in the eco-\nnomic zone was strong, and\nthe ex-\nSoviet states agreed to\nthe pro-\nposal of a com-\nmon market for\nall of them.";
        assert_eq!(
            clean(s),
            "Growth in the economic zone was strong, and the ex-Soviet states agreed to the proposal of a common market for all of them."
        );
    }

    #[test]
    fn a_break_inside_the_last_part_of_a_compound_rejoins() {
        // A hyphenating typesetter breaks `dimensional` in `three-dimensional` as it would alone; the
        // compound's own hyphen stays, and so does a line-end hyphen between two words that make no
        // word (`the-` + `art`).
        let s = "Growth in the eco-\nnomic zone of the three-dimen-\nsional model was strong, and\nthe pro-\nposal of a state-of-the-\nart com-\nmon market for all of them.";
        assert_eq!(
            clean(s),
            "Growth in the economic zone of the three-dimensional model was strong, and the proposal of a \
             state-of-the-art common market for all of them."
        );
    }

    #[test]
    fn a_word_cut_where_the_patterns_would_not_cut_it_rejoins() {
        // The en-US patterns cut `nat-ural`, not `natu-ral`; `natu` is no word and `natural` is one.
        let s = "Growth in the eco-\nnomic zone was a natu-\nral result of the pro-\nposal of a com-\nmon market for all.";
        assert_eq!(
            clean(s),
            "Growth in the economic zone was a natural result of the proposal of a common market for all."
        );
    }

    #[test]
    fn without_a_hyphenating_typesetter_a_line_end_hyphen_stays() {
        let s = "the military-\ntechnical aid";
        assert_eq!(clean(s), "the military-technical aid");
    }

    #[test]
    fn a_hyphen_dropped_in_a_line_glued_from_two_short_ones_comes_back() {
        // pdftotext glued `the door. Then came the long-` to `standing question of` and dropped the
        // hyphen: the line is a fifth longer than the others, not half as long again, and the word
        // starts where the first line could have ended. The document spells `long-standing`.
        let s = "The harbour board kept a long-standing rule about the tides that came in from\n\
                 the west, and it met once every spring\n\
                 to read it aloud to the whole village,\n\
                 which came to hear it in the old hall\n\
                 by the quay where the boats were tied,\n\
                 and the clerk read it out slowly, line\n\
                 by line, while the children sat on the\n\
                 benches at the back and the old men on\n\
                 the chairs at the front of the hall by\n\
                 the door. Then came the longstanding question of\n\
                 the pier and of the new boats that had\n\
                 crowded the inner basin for a decade.";
        let out = clean(s);
        assert!(out.contains("Then came the long-standing question of the pier"), "{out}");
    }

    /// A column of about 38 characters with one line glued from two (the first) and `line` in the
    /// middle, after `the door.`.
    fn glued_column(line: &str) -> String {
        format!(
            "The harbour board kept a rule about the tides that came in from far to\n\
             the west, and it met once every spring\n\
             to read it aloud to the whole village,\n\
             which came to hear it in the old hall\n\
             by the quay where the boats were tied,\n\
             and the clerk read it out slowly, line\n\
             by line, while the children sat on the\n\
             benches at the back and the old men on\n\
             the chairs at the front of the hall by\n\
             {line}\n\
             the pier and of the new boats that had\n\
             crowded the inner basin for a decade."
        )
    }

    #[test]
    fn a_compound_glued_where_the_first_line_ended_gets_its_hyphen_back() {
        // `law-` ended the first line: `lawabiding` is no word, `law` and `abiding` are, and the split
        // is where the column ends.
        let out = clean(&glued_column("the door. Then came the rule for lawabiding folk of"));
        assert!(out.contains("the rule for law-abiding folk of the pier"), "{out}");
    }

    #[test]
    fn a_compound_the_document_writes_solid_elsewhere_stays_solid() {
        let s = glued_column("the door. Then came the rule for lawabiding folk of")
            + "\nAll lawabiding folk came.";
        let out = clean(&s);
        assert!(out.contains("the rule for lawabiding folk of the pier"), "{out}");
    }

    #[test]
    fn a_compound_split_away_from_the_column_end_or_in_another_language_stays_solid() {
        // The split falls well before where the first line could have ended.
        let out = clean(&glued_column("the door. Then lawabiding folk came to hear of"));
        assert!(out.contains("Then lawabiding folk"), "{out}");
        // A German line: `richtige` splits into `rich` and `tige`, both in the English list, where
        // the column ends.
        let german = "Für uns bei ist das genau das richtige Thema für alle";
        assert_eq!(super::compound_split("richtige", 30, 39), Some(4));
        assert!(!super::mostly_english(german, "richtige"));
        let out = clean(&glued_column(german));
        assert!(out.contains("das richtige Thema"), "{out}");
    }

    #[test]
    fn the_joined_form_elsewhere_rejoins() {
        let s = "An economic zone. The eco-\nnomic zone grew.";
        assert_eq!(clean(s), "An economic zone. The economic zone grew.");
    }

    #[test]
    fn hyphenated_form_elsewhere_keeps_the_hyphen() {
        let s = "A well-known rule. It is a well-\nknown fact that rules are well-known.";
        assert_eq!(clean(s), "A well-known rule. It is a well-known fact that rules are well-known.");
    }

    #[test]
    fn a_full_line_before_a_dropped_display_formula_ends_its_paragraph() {
        // Typeset (a hyphen inside a word every few lines), every line about as full as the next; the
        // extractor dropped three display formulas: after `form`, `as` and the colon. A title after a
        // preposition (`in` / `The Journal ...`) is no sentence.
        let s = "The tidal records of the northern gauges were com-\n\
                 pared with the model over three years, and the resid-\n\
                 uals of the fit can be written in the following form\n\
                 where the sum runs over all the gauges of the net-\n\
                 work and the weights are the inverse variances of\n\
                 the readings taken at each of them during the year.\n\
                 The error of the fit then follows from the inequal-\n\
                 ity that the weights satisfy, and it is bounded as\n\
                 The bound holds for every gauge of the network, and\n\
                 it is tight for the gauges of the southern shelf:\n\
                 Each of them was read twice a day for three years,\n\
                 as the survey of the gauges published last year in\n\
                 The Journal of Coastal Studies describes in detail.";
        assert_eq!(
            clean(s),
            "The tidal records of the northern gauges were compared with the model over three years, and the \
             residuals of the fit can be written in the following form\n\n\
             where the sum runs over all the gauges of the network and the weights are the inverse variances of \
             the readings taken at each of them during the year. The error of the fit then follows from the \
             inequality that the weights satisfy, and it is bounded as\n\n\
             The bound holds for every gauge of the network, and it is tight for the gauges of the southern \
             shelf:\n\n\
             Each of them was read twice a day for three years, as the survey of the gauges published last year \
             in The Journal of Coastal Studies describes in detail."
        );
        // Not typeset (no hyphens inside words): only a sentence after a line without punctuation
        // ends a paragraph; a colon or a `where` is read as the sentence going on.
        let news = "The harbour board said the plan had one goal in\n\
                    mind for the old pier and for all of its sheds\n\
                    The work starts in May and will take a year, and\n\
                    the board gave the reason in its letter to us:\n\
                    Boats need the room more than the gulls do now\n\
                    and it wants a place near the old fish market\n\
                    where the boats can stay over the whole winter.";
        assert_eq!(
            clean(news),
            "The harbour board said the plan had one goal in mind for the old pier and for all of its sheds\n\n\
             The work starts in May and will take a year, and the board gave the reason in its letter to us: \
             Boats need the room more than the gulls do now and it wants a place near the old fish market \
             where the boats can stay over the whole winter."
        );
    }

    #[test]
    fn a_first_line_short_by_its_dropped_indent_starts_a_paragraph() {
        // Typeset and justified: after a full line that ends a sentence, a line 11 characters short
        // of the column that goes on into the next is a paragraph's indented first line.
        let s = "The tidal records of the northern gauges were com-\n\
                 pared with the model over three years, and the resid-\n\
                 uals of the fit were small for each of the gauges of\n\
                 the network and for the readings of the whole year.\n\
                 The error of the fit then follows from the\n\
                 inequality that the weights satisfy, and it is lim-\n\
                 ited by the largest of the variances of the net-\n\
                 work of gauges that were read twice a day for years.";
        let out = clean(s);
        assert!(
            out.contains("the whole year.\n\nThe error of the fit then follows from the inequality"),
            "{out}"
        );
        // Ragged text (no hyphen inside a word): line lengths say nothing of indents.
        let ragged = s.replace("com-\npared", "compared\n").replace("resid-\nuals", "residuals\n");
        let ragged = ragged.replace("lim-\nited", "limited\n").replace("net-\nwork", "network\n");
        assert!(clean(&ragged).contains("the whole year. The error"), "{}", clean(&ragged));
    }

    #[test]
    fn a_short_line_ending_a_sentence_ends_its_paragraph() {
        let s = "The council met on Monday to discuss the plans for the new\n\
                 bridge over the river, which has been closed for repairs\n\
                 since the spring floods damaged the old eastern supports.\n\
                 It will reopen in May.\n\
                 Traffic on the ring road has doubled since the closure, and\n\
                 shop owners in the old town say that trade has fallen by a\n\
                 third over the summer months.";
        assert_eq!(
            clean(s),
            "The council met on Monday to discuss the plans for the new bridge over the river, which has been \
             closed for repairs since the spring floods damaged the old eastern supports. It will reopen in May.\n\n\
             Traffic on the ring road has doubled since the closure, and shop owners in the old town say that \
             trade has fallen by a third over the summer months."
        );
    }

    #[test]
    fn list_items_keep_their_lines() {
        let s = "Bring these:\n\n- a tent\n- a stove that\n  burns wood\n- water\n";
        assert_eq!(clean(s), "Bring these:\n\n- a tent\n\n- a stove that burns wood\n\n- water");
    }
}
