//! White space: one space between words, nothing at the ends.
//!
//! - `space-run`: a run of spaces and tabs inside a line becomes one space; so does a lone tab.
//! - `edge-space`: white space at the start and the end of the document (blank lines, a final form
//!   feed) is removed.
//!
//! - `split-word`: a word an extractor split with a space (`g ames`, `indi vidual`, `W e`, as pypdf
//!   prints some fonts) is joined again, and a space before a comma or full stop (`particular ,`) goes.
//!   Only in a text that shows the damage (one word in a hundred or more is a fragment), only where the
//!   joined word is in the English word list and neither part is a word on its own; or, looser, where
//!   one part is a word but no function word (`fix ed`, `strate gies`), and a part of one letter only
//!   at a letter pair the text splits elsewhere for sure (`g ame` after `g ames`, not `g is`).
//!
//! Line gaps are reflow's: after it, paragraphs are already one blank line apart.

use std::ops::Range;

use crate::edit::{Edits, RuleId};
use crate::lines::Doc;
use crate::pipeline::Pass;
use crate::rules::ResolvedStage;
use crate::stage::rule_on;
use crate::stage::word_table::{home_slot, slot_key, word_hash, WORD_TABLE_BITS};

pub const RULES: &[&str] = &["split-word", "space-run", "edge-space"];

pub fn build(s: &ResolvedStage) -> Vec<Box<dyn Pass>> {
    let mut passes: Vec<Box<dyn Pass>> = Vec::new();
    if let Some(rule) = rule_on(s, "split-word") {
        passes.push(Box::new(SplitWordPass { rule }));
    }
    passes.push(Box::new(WhitespacePass {
        space_run: rule_on(s, "space-run"),
        edge: rule_on(s, "edge-space"),
    }));
    passes
}

struct SplitWordPass {
    rule: RuleId,
}

/// Short words that are not fragments.
const SHORT_WORDS: &[&str] = &[
    "a", "i", "an", "as", "at", "be", "by", "do", "go", "he", "if", "in", "is", "it", "me", "my", "no", "of",
    "on", "or", "so", "to", "up", "us", "we",
];

/// [`SHORT_WORDS`] as a table: `[first letter][second letter, or 26 for none]`, lower-case letters.
const SHORT_TABLE: [[bool; 27]; 26] = {
    let mut t = [[false; 27]; 26];
    let mut i = 0;
    while i < SHORT_WORDS.len() {
        let w = SHORT_WORDS[i].as_bytes();
        assert!(w.len() == 1 || w.len() == 2);
        let second = if w.len() == 2 { (w[1] - b'a') as usize } else { 26 };
        t[(w[0] - b'a') as usize][second] = true;
        i += 1;
    }
    t
};

/// Whether `w`, in any case, is one of [`SHORT_WORDS`]: `SHORT_WORDS.iter().any(|s|
/// s.eq_ignore_ascii_case(w))` without the walk through the list (it is one or two lower-case ASCII
/// letters, so anything else is none of them). (Test: the same answers as the walk.)
fn is_short_word(w: &str) -> bool {
    is_short_bytes(w.as_bytes())
}

/// [`is_short_word`] of a word's bytes.
#[inline]
fn is_short_bytes(w: &[u8]) -> bool {
    let letter = |c: u8| c.is_ascii_alphabetic().then(|| (c.to_ascii_lowercase() - b'a') as usize);
    match *w {
        [x] => letter(x).is_some_and(|x| SHORT_TABLE[x][26]),
        [x, y] => letter(x).zip(letter(y)).is_some_and(|(x, y)| SHORT_TABLE[x][y]),
        _ => false,
    }
}

/// Whether `w` is an English word (the Wordnik list, any case), or one of the short words above.
pub(crate) fn is_word(w: &str) -> bool {
    // The short words are one or two ASCII letters: a longer word cannot be one of them.
    if w.len() < 3 {
        return is_short_word(w);
    }
    // Most words are lower-case ASCII already: look them up as they are.
    if w.bytes().all(|b| b.is_ascii_lowercase()) {
        return in_word_list(w.as_bytes());
    }
    in_word_list(w.to_lowercase().as_bytes())
}

/// Every word of the Wordnik list, concatenated without separators (made by `build.rs`).
static WORDS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/words.txt"));

/// The Wordnik list as an open-addressing hash table with linear probing, made by `build.rs` at
/// compile time: building a hash set of 200,000 words on first use cost every process about 37M
/// instructions. The layout is in [`crate::stage::word_table`]; `offset` is into [`WORDS`]. (Tests: every word of
/// the list is found, and the table answers as `wordnik_list::word_exists` does on words and
/// near-misses.)
static WORD_TABLE: &[u8; 4 << WORD_TABLE_BITS] = include_bytes!(concat!(env!("OUT_DIR"), "/word_table.bin"));

/// Whether `w` (bytes as they are: the list is lower-case ASCII) is in the Wordnik list.
fn in_word_list(w: &[u8]) -> bool {
    // A slot keeps the length in five bits; the list's longest word has 28 letters.
    if w.is_empty() || w.len() >= 32 {
        return false;
    }
    let h = word_hash(w);
    let want = slot_key(w.len(), h);
    let mask = (1usize << WORD_TABLE_BITS) - 1;
    let mut i = home_slot(h);
    loop {
        let at = 4 * i;
        let slot = u32::from_le_bytes(WORD_TABLE[at..at + 4].try_into().unwrap());
        if slot == 0 {
            return false;
        }
        if slot & 0x3ff == want {
            let offset = (slot >> 10) as usize;
            if WORDS.get(offset..offset + w.len()) == Some(w) {
                return true;
            }
        }
        i = (i + 1) & mask;
    }
}

impl Pass for SplitWordPass {
    fn apply(&self, doc: &Doc, edits: &mut Edits) {
        let text = doc.text;
        // Cheap test first: how many tokens are one- or two-letter fragments that are no short word.
        // Single letters are also a formula's variables (`h is`): go on only when some short fragment
        // really joins its neighbour into a word (three do). Both are counted in one walk: a token
        // `joins` its neighbour only when it is such a fragment without punctuation (a non-ASCII
        // token of two bytes never joins into a word of the ASCII list), so no other token is tried.
        let (tokens, fragments, found) = self.damage(text);
        if fragments < 5 || fragments * 100 < tokens {
            return;
        }
        if found < 3 {
            return;
        }
        // Two walks: the first finds the letter pairs this text splits at for sure, the second
        // also joins where one part is a word, at those pairs ([`SplitWordPass::joins_loosely`]).
        let mut pairs = SplitPairs::default();
        self.walk(text, None, |_, x, y| pairs.mark(x, y));
        self.walk(text, Some(&pairs), |range, x, y| {
            edits.push(range, [x, y].concat(), &self.rule);
        });
    }
}

/// Letter pairs, lower-case ASCII, at which a text showed a sure split: the last letter of the
/// first part and the first of the second (`g ames`: `g`, `a`). A font splits words where it kerns,
/// the same pairs again and again (`w a`, `c h`, `o w`).
#[derive(Default)]
struct SplitPairs([[bool; 26]; 26]);

impl SplitPairs {
    fn index(x: &str, y: &str) -> Option<(usize, usize)> {
        let letter = |c: u8| c.is_ascii_alphabetic().then(|| (c.to_ascii_lowercase() - b'a') as usize);
        letter(*x.as_bytes().last()?).zip(letter(*y.as_bytes().first()?))
    }

    /// Notes the pair of a sure join of `x` and `y` (nothing for the removal of a stray space).
    fn mark(&mut self, x: &str, y: &str) {
        if let (false, Some((a, b))) = (x.is_empty(), Self::index(x, y)) {
            self.0[a][b] = true;
        }
    }

    fn seen(&self, x: &str, y: &str) -> bool {
        Self::index(x, y).is_some_and(|(a, b)| self.0[a][b])
    }
}

/// Words that follow a lone letter in a formula's prose (`g is`, `s and`, `of f`, `for m`): a part
/// that is one of them is never joined loosely, however often the text splits its letter pair.
/// Sorted, for the binary search.
const FUNCTION_WORDS: &[&str] = &[
    "about", "above", "after", "again", "against", "all", "also", "am", "and", "another", "any", "are",
    "been", "before", "being", "below", "between", "both", "but", "can", "could", "did", "does", "done",
    "during", "each", "either", "even", "ever", "every", "few", "for", "from", "had", "has", "have",
    "having", "her", "here", "him", "his", "how", "into", "its", "just", "least", "less", "many", "may",
    "might", "more", "most", "much", "must", "neither", "never", "nor", "not", "now", "off", "once", "one",
    "ones", "only", "onto", "other", "our", "out", "over", "shall", "she", "should", "some", "still", "such",
    "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "too",
    "under", "until", "upon", "very", "was", "well", "were", "what", "when", "where", "which", "while",
    "who", "whom", "whose", "why", "will", "with", "within", "without", "would", "yes", "yet", "you", "your",
];

fn is_function_word(w: &str) -> bool {
    w.len() <= 8 && FUNCTION_WORDS.binary_search(&w.to_ascii_lowercase().as_str()).is_ok()
}

/// Bit `j` is set where byte `j` of a 64-byte block is ASCII white space (`u8::is_ascii_whitespace`,
/// what `split_ascii_whitespace` splits at), and where it is one of `,.;:` (`,` and `.` differ only in
/// bit 1, `;` and `:` only in bit 0).
///
/// Written for the compiler to vectorise: first one byte, 0 or 1, per byte of the block (vector
/// compares), then each eight of those gathered into eight bits by one multiplication: when byte `i`
/// of `x` is `b_i` (0 or 1), the top byte of `x * 0x0102040810204080` is the sum of `b_i << i` (the
/// multiplier holds `1 << (56 - 7i)` for each `i`, which moves `b_i` to bit `56 + i`; no other partial
/// product reaches the top byte, and none carries into it). About three instructions a byte, where a
/// loop setting one bit per byte took over fifteen. (Test: the same masks as that loop.)
#[inline]
fn block_masks(block: &[u8; 64]) -> (u64, u64) {
    let mut ws = [0u8; 64];
    let mut punct = [0u8; 64];
    for j in 0..64 {
        let c = block[j];
        ws[j] = u8::from((c == b' ') | (c == b'\t') | (c == b'\n') | (c == b'\x0c') | (c == b'\r'));
        punct[j] = u8::from(((c | 2) == b'.') | ((c | 1) == b';'));
    }
    let gather = |bytes: &[u8; 64]| -> u64 {
        let mut m = 0u64;
        for q in 0..8 {
            let x = u64::from_le_bytes(bytes[q * 8..q * 8 + 8].try_into().expect("8 bytes"));
            m |= (x.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (q * 8);
        }
        m
    };
    (gather(&ws), gather(&punct))
}

/// What [`block_masks`] computes, with AVX2: each set is found by one table lookup and one compare
/// per byte. `vpshufb` looks up each byte's low four bits in a 16-byte table (the same in both
/// 128-bit lanes), and gives 0 for a byte whose top bit is set. In each table the entry at `n` is
/// the one byte of the set whose low four bits are `n` (the bytes of each set differ in them), or
/// 0xff where there is none; a byte is in the set exactly when the lookup gives back the byte
/// itself: a byte past ASCII gets 0, which it is not, and an ASCII byte gets its own value only
/// from its own entry. (0 itself gets the space, from entry 0 of the white-space table, and 0xff
/// from entry 0 of the other.) (Test: the same masks as [`block_masks`].)
///
/// # Safety
/// The processor must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn block_masks_avx2(block: &[u8; 64]) -> (u64, u64) {
    use std::arch::x86_64::{
        _mm256_broadcastsi128_si256, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8,
        _mm256_shuffle_epi8, _mm_setr_epi8,
    };
    const X: i8 = -1;
    // SAFETY: AVX2 is there (the caller's promise), and the loads read the 64 bytes of `block`,
    // with no alignment needed.
    unsafe {
        let ws_table = _mm256_broadcastsi128_si256(_mm_setr_epi8(
            b' ' as i8,
            X,
            X,
            X,
            X,
            X,
            X,
            X,
            X,
            b'\t' as i8,
            b'\n' as i8,
            X,
            0x0c,
            b'\r' as i8,
            X,
            X,
        ));
        let punct_table = _mm256_broadcastsi128_si256(_mm_setr_epi8(
            X, X, X, X, X, X, X, X, X, X, b':' as i8, b';' as i8, b',' as i8, X, b'.' as i8, X,
        ));
        let lo = _mm256_loadu_si256(block.as_ptr().cast());
        let hi = _mm256_loadu_si256(block.as_ptr().add(32).cast());
        let ws_lo = _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_shuffle_epi8(ws_table, lo), lo)) as u32;
        let ws_hi = _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_shuffle_epi8(ws_table, hi), hi)) as u32;
        let p_lo = _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_shuffle_epi8(punct_table, lo), lo)) as u32;
        let p_hi = _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_shuffle_epi8(punct_table, hi), hi)) as u32;
        (u64::from(ws_lo) | u64::from(ws_hi) << 32, u64::from(p_lo) | u64::from(p_hi) << 32)
    }
}

/// The masks of [`block_masks`] for block `k` (bytes `64 * k` to `64 * k + 63`) of `b`, which has
/// `b.len() / 64` full blocks and then `tail`, the rest padded with spaces; all white space past
/// them. A function that is always put in line: as a closure, it was called for each block.
///
/// # Safety
/// If `AVX2`, the processor must have AVX2.
#[inline(always)]
unsafe fn block_masks_of<const AVX2: bool>(b: &[u8], tail: &[u8; 64], k: usize) -> (u64, u64) {
    let full = b.len() / 64;
    let block = match k {
        _ if k < full => b[k * 64..k * 64 + 64].try_into().expect("64 bytes"),
        _ if k == full => tail,
        _ => return (u64::MAX, 0),
    };
    #[cfg(target_arch = "x86_64")]
    if AVX2 {
        // SAFETY: the processor has AVX2 (the caller's promise).
        return unsafe { block_masks_avx2(block) };
    }
    block_masks(block)
}

/// The class of a byte for [`SHORT_TOKEN`]: 0 to 25 an ASCII letter (`a` to `z`, either case), 26
/// one of `,.;:`, 27 any other byte.
const BYTE_CLASS: [u8; 256] = {
    let mut t = [27u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if b.is_ascii_alphabetic() {
            t[c] = b.to_ascii_lowercase() - b'a';
        } else if matches!(b, b',' | b'.' | b';' | b':') {
            t[c] = 26;
        }
        c += 1;
    }
    t
};

/// The second class of a one-byte token in [`SHORT_TOKEN`].
const NO_BYTE: usize = 28;
/// In [`SHORT_TOKEN`]: the token is a fragment.
const FRAGMENT: u8 = 1;
/// In [`SHORT_TOKEN`]: the token is a fragment of letters only, which may join the next token.
const LETTERS: u8 = 2;

/// How [`SplitWordPass::visit`] counts a token of one or two bytes, by the [`BYTE_CLASS`] of its
/// first and second byte ([`NO_BYTE`] for a one-byte token): [`FRAGMENT`] when its letters (after
/// the trailing `,.;:` are trimmed) are one or two ASCII letters that are no short word, or none;
/// and [`LETTERS`] too when nothing was trimmed. (Test: the same answers as `visit`, for every
/// token of one or two bytes.)
const SHORT_TOKEN: [[u8; 32]; 28] = {
    // (Rows of 32 rather than 29: a shift finds the row.)
    let mut t = [[0u8; 32]; 28];
    let mut x = 0;
    while x < 28 {
        let mut y = 0;
        while y < 29 {
            t[x][y] = match (x, y) {
                // One byte: a mark (no letters), or a letter.
                (26, NO_BYTE) => FRAGMENT,
                (0..=25, NO_BYTE) if !SHORT_TABLE[x][26] => FRAGMENT | LETTERS,
                // Two bytes ending in a mark: two marks, or a letter and its mark.
                (26, 26) => FRAGMENT,
                (0..=25, 26) if !SHORT_TABLE[x][26] => FRAGMENT,
                // Two letters.
                (0..=25, 0..=25) if !SHORT_TABLE[x][y] => FRAGMENT | LETTERS,
                _ => 0,
            };
            y += 1;
        }
        x += 1;
    }
    t
};

impl SplitWordPass {
    /// The cheap test's counts, token by token as `split_ascii_whitespace` gives them: how many tokens,
    /// how many are fragments (one or two ASCII letters that are no short word, then any trailing
    /// `,.;:`; an empty letter part counts, as `,` does), and how many of those (up to three) have no
    /// punctuation and join the next token into a word.
    #[cfg(test)]
    fn damage_token_by_token(&self, text: &str) -> (usize, usize, usize) {
        let (mut tokens, mut fragments, mut found) = (0usize, 0usize, 0usize);
        for t in text.split_ascii_whitespace() {
            tokens += 1;
            let s = t.as_ptr() as usize - text.as_ptr() as usize;
            self.visit(text, s, s + t.len(), &mut fragments, &mut found);
        }
        (tokens, fragments, found)
    }

    /// One token `text[s..e]` of the cheap test: counts it as a fragment, and as `found`, as
    /// [`SplitWordPass::damage_token_by_token`] says.
    #[inline]
    fn visit(&self, text: &str, s: usize, e: usize, fragments: &mut usize, found: &mut usize) {
        // On bytes: the trimmed marks are ASCII, and a byte of a longer UTF-8 character is none of
        // them, so trimming bytes trims what `trim_end_matches` does, without decoding characters
        // or checking char boundaries (most visited tokens are short words and words before a
        // comma, and are dismissed here).
        let t = &text.as_bytes()[s..e];
        let is_mark = |c: &u8| matches!(c, b',' | b'.' | b';' | b':');
        // Only trailing `,.;:` are trimmed: a longer token that does not end in one is no
        // fragment, and that is most tokens.
        if t.len() > 2 && !t.last().is_some_and(is_mark) {
            return;
        }
        let letters = t.len() - t.iter().rev().take_while(|c| is_mark(c)).count();
        if letters <= 2 && t[..letters].iter().all(u8::is_ascii_alphabetic) && !is_short_bytes(&t[..letters])
        {
            *fragments += 1;
            if *found < 3
                && letters == t.len()
                && text[e..].split_ascii_whitespace().next().is_some_and(|y| self.joins(&text[s..e], y))
            {
                *found += 1;
            }
        }
    }

    /// [`SplitWordPass::damage_token_by_token`], 64 bytes at a time: the tokens are counted from bit
    /// masks of white space (a token starts at a byte that is not white space after one that is, or
    /// at the text's start), and only the tokens that may be fragments are looked at:
    ///
    /// - tokens of one or two bytes (most are short words: `a`, `of`, `to`), told by a table of their
    ///   bytes' classes ([`SHORT_TOKEN`]) rather than by [`SplitWordPass::visit`];
    /// - longer tokens that end in one of `,.;:`, through `visit`, when the byte before that mark is
    ///   a mark too (`..`, `a.,`) or the token has three bytes (`it.`).
    ///
    /// The other tokens are longer than two bytes and end otherwise, so `visit` would return at its
    /// first test, or they end in a mark after three bytes or more that are no mark (`particular,`),
    /// letters too long for a fragment. `found` is the number of fragments that join the next token, up to three, which
    /// does not depend on the order they are met in. (Test: the same counts as the token-by-token
    /// walk.)
    fn damage(&self, text: &str) -> (usize, usize, usize) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("popcnt") {
            // SAFETY: the processor has AVX2 and POPCNT (just checked).
            return unsafe { self.damage_avx2(text) };
        }
        // SAFETY: without AVX2.
        unsafe { self.damage_with::<false>(text) }
    }

    /// [`SplitWordPass::damage`] with [`block_masks_avx2`], compiled for AVX2 (and POPCNT, for counting
    /// the tokens) as a whole so that the masks are computed in line.
    ///
    /// # Safety
    /// The processor must have AVX2 and POPCNT.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,popcnt")]
    unsafe fn damage_avx2(&self, text: &str) -> (usize, usize, usize) {
        // SAFETY: the caller checked that the processor has AVX2 and POPCNT.
        unsafe { self.damage_with::<true>(text) }
    }

    /// [`SplitWordPass::damage`], with [`block_masks_avx2`] for [`block_masks`] if `AVX2`. (A constant
    /// rather than a closure: a closure for the AVX2 masks was not put in line, and cost a call per
    /// block.)
    ///
    /// # Safety
    /// If `AVX2`, the processor must have AVX2.
    #[inline(always)]
    unsafe fn damage_with<const AVX2: bool>(&self, text: &str) -> (usize, usize, usize) {
        let b = text.as_bytes();
        let full = b.len() / 64;
        // The last, partial block is padded with spaces: white space ends a token as the text's end
        // does, and starts none. Past the text, every byte counts as white space.
        let mut tail = [b' '; 64];
        tail[..b.len() % 64].copy_from_slice(&b[full * 64..]);
        // SAFETY: the processor has AVX2 if `AVX2` (the caller's promise).
        let masks = |k: usize| unsafe { block_masks_of::<AVX2>(b, &tail, k) };
        let (mut tokens, mut fragments, mut found) = (0usize, 0usize, 0usize);
        // Whether the byte before the block is white space (the text's start counts as such).
        let mut ws_before = 1u64;
        // The previous block's token starts and marks, for looking a byte or two back across the
        // block's start.
        let (mut prev_starts, mut prev_punct) = (0u64, 0u64);
        let mut cur = masks(0);
        for k in 0..=full {
            let next = masks(k + 1);
            let (ws, punct) = cur;
            let starts = !ws & ((ws << 1) | ws_before);
            let ends = !ws & ((ws >> 1) | (next.0 << 63));
            tokens += starts.count_ones() as usize;
            // Tokens of one byte end where they start; tokens of two end a byte after a start.
            let one = ends & starts;
            // Bit `j` of `back(m, p, n)`: bit `j - n` of the mask `m`, taken from the previous
            // block's `p` when `j < n`.
            let back = |m: u64, p: u64, n: u32| (m << n) | (p >> (64 - n));
            let two = ends & back(starts, prev_starts, 1);
            // A longer token that ends in a mark has letters of two bytes or fewer only when the
            // byte before that mark is a mark too, or when it is three bytes long (two letters and
            // the mark). Otherwise it is a word before its comma (`particular,`), most tokens that
            // end in a mark, and `visit` would not count it.
            let mut long =
                ends & punct & !one & !two & (back(punct, prev_punct, 1) | back(starts, prev_starts, 2));
            let mut one = one;
            while one != 0 {
                let e = k * 64 + one.trailing_zeros() as usize + 1;
                one &= one - 1;
                let flags = SHORT_TOKEN[usize::from(BYTE_CLASS[usize::from(b[e - 1])])][NO_BYTE];
                self.count_short(text, e - 1, e, flags, &mut fragments, &mut found);
            }
            let mut two = two;
            while two != 0 {
                let e = k * 64 + two.trailing_zeros() as usize + 1;
                two &= two - 1;
                let flags = SHORT_TOKEN[usize::from(BYTE_CLASS[usize::from(b[e - 2])])]
                    [usize::from(BYTE_CLASS[usize::from(b[e - 1])])];
                self.count_short(text, e - 2, e, flags, &mut fragments, &mut found);
            }
            while long != 0 {
                let j = long.trailing_zeros() as usize;
                long &= long - 1;
                let e = k * 64 + j + 1;
                // The token starts at the last start at or before its end: in this block if there is
                // one there, else in an earlier block (found by walking back).
                let starts_to_j = starts & (u64::MAX >> (63 - j));
                let s = if starts_to_j != 0 {
                    k * 64 + 63 - starts_to_j.leading_zeros() as usize
                } else {
                    let mut s = k * 64;
                    while s > 0 && !b[s - 1].is_ascii_whitespace() {
                        s -= 1;
                    }
                    s
                };
                self.visit(text, s, e, &mut fragments, &mut found);
            }
            ws_before = ws >> 63;
            (prev_starts, prev_punct) = (starts, punct);
            cur = next;
        }
        (tokens, fragments, found)
    }

    /// A token `text[s..e]` of one or two bytes in the cheap test, with its [`SHORT_TOKEN`] flags:
    /// counted as `visit` counts it.
    #[inline(always)]
    fn count_short(
        &self,
        text: &str,
        s: usize,
        e: usize,
        flags: u8,
        fragments: &mut usize,
        found: &mut usize,
    ) {
        *fragments += usize::from(flags & FRAGMENT != 0);
        if flags & LETTERS != 0
            && *found < 3
            && text[e..].split_ascii_whitespace().next().is_some_and(|y| self.joins(&text[s..e], y))
        {
            *found += 1;
        }
    }

    /// Walks the gaps between the tokens of each line and calls `found(range, x, y)` for each edit
    /// `range` -> `x` + `y`: two parts joined (`g ames` -> `g` + `ames`), or a stray space before a
    /// comma or full stop (`particular ,` -> `""` + `,`). Without `pairs` only the sure joins
    /// ([`SplitWordPass::joins`]); with them also the loose ones ([`SplitWordPass::joins_loosely`]).
    fn walk<'t>(
        &self,
        text: &'t str,
        pairs: Option<&SplitPairs>,
        mut found: impl FnMut(Range<usize>, &'t str, &'t str),
    ) {
        let bytes = text.as_bytes();
        // `prev` is the token before the gap.
        let mut i = 0;
        let mut prev: Option<(usize, usize)> = None;
        while i < bytes.len() {
            // A gap is spaces and tabs, as `space-run` sees it: a tab between the parts must not hide
            // a split that the same text with a space would show (issue 7: a second run).
            if bytes[i] == b' ' || bytes[i] == b'\t' {
                let gap_start = i;
                while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
                    i += 1;
                }
                let next_end = text[i..].find([' ', '\t', '\n']).map_or(text.len(), |k| i + k);
                // `particular ,`: the stray space before a comma or full stop that ends a word.
                let y = &text[i..next_end];
                if (y == "," || y == ".") && text[..gap_start].ends_with(char::is_alphabetic) {
                    found(gap_start..next_end, "", y);
                    i = next_end;
                    prev = None;
                    continue;
                }
                if let Some((ps, pe)) = prev {
                    let x = &text[ps..pe];
                    if self.joins(x, y) || pairs.is_some_and(|pairs| self.joins_loosely(x, y, pairs)) {
                        // The edit spans both parts, so the record shows `g ames` -> `games`.
                        found(ps..next_end, x, y);
                        prev = None;
                        continue;
                    }
                }
                continue;
            }
            let start = i;
            while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t' | b'\n') {
                i += 1;
            }
            prev = (start < i).then_some((start, i));
            if i < bytes.len() && bytes[i] == b'\n' {
                prev = None;
                i += 1;
            }
        }
    }

    /// The letters of `y` that would join `x` (`ames` of `ames,`; `olf` of `olf-Rayet`), when `x y`
    /// has the shape of a split word: `x` all letters, `y` going on in lower case.
    fn parts<'y>(x: &str, y: &'y str) -> Option<&'y str> {
        if !x.chars().all(char::is_alphabetic) || x.is_empty() {
            return None;
        }
        let mut letters = y.trim_end_matches(|c: char| !c.is_alphabetic());
        // `W olf-Rayet`, `gra vitational-wave`: the first part of a compound.
        if let Some((first, rest)) = letters.split_once('-') {
            if rest.starts_with(char::is_alphabetic) {
                letters = first;
            }
        }
        if letters.is_empty()
            || !letters.chars().all(char::is_alphabetic)
            || !letters.starts_with(char::is_lowercase)
        {
            return None;
        }
        // `W e`: two single letters only as a capitalised short word.
        if x.chars().count() == 1 && letters.chars().count() == 1 && !x.starts_with(char::is_uppercase) {
            return None;
        }
        // `RE b`: capitals then lower case is an abbreviation and a word, not one word split.
        if x.chars().count() > 1 && x.chars().all(char::is_uppercase) {
            return None;
        }
        Some(letters)
    }

    /// Whether `x y` is surely one word split in two (`g ames`): neither part is a word, the two
    /// together are.
    fn joins(&self, x: &str, y: &str) -> bool {
        // Neither part may be a word: `h is` in a formula is two words, `g ames` is none.
        // (The parts first: most tokens are words, and the joined form costs a new string.)
        // (`concat` makes the same string as `format!`, sized once, at a fraction of the cost.)
        Self::parts(x, y).is_some_and(|l| !is_word(x) && !is_word(l) && is_word(&[x, l].concat()))
    }

    /// Whether `x y` is one word split in two where one part is a word on its own (`c lass`,
    /// `fix ed`, `strate gies`), in a text that splits words for sure elsewhere. The word part has
    /// three letters or more and is no function word (`g is`, `s and`, `for m` stay). A part of one
    /// letter is also a formula's variable (`c lose`, `r elation`), so that needs the same letter
    /// pair split for sure elsewhere in the text; a longer fragment (`ed`, `gies`) is no variable.
    ///
    /// On the development corpus's six damaged texts this joins about 100 words more, none wrongly;
    /// without the function words, 39 of 224 joins would have been wrong (`g is`, `of f`, `for m`),
    /// and without the pair test one (`B risk`). On 20 other documents typeset as those were and
    /// extracted three ways, about 150 more, none wrongly.
    fn joins_loosely(&self, x: &str, y: &str, pairs: &SplitPairs) -> bool {
        let Some(l) = Self::parts(x, y) else { return false };
        let (word, fragment) = match (is_word(x), is_word(l)) {
            (true, false) => (x, l),
            (false, true) => (l, x),
            _ => return false,
        };
        word.chars().count() >= 3
            && !is_function_word(word)
            && (fragment.chars().count() > 1 || pairs.seen(x, l))
            && is_word(&[x, l].concat())
    }
}

struct WhitespacePass {
    space_run: Option<RuleId>,
    edge: Option<RuleId>,
}

impl Pass for WhitespacePass {
    fn apply(&self, doc: &Doc, edits: &mut Edits) {
        let text = doc.text;
        let bytes = text.as_bytes();
        let start = text.len() - text.trim_start().len();
        let end = text.trim_end().len();
        if let Some(r) = &self.edge {
            if end < start || end == 0 {
                edits.remove(0..text.len(), r);
                return;
            }
            edits.remove(0..start, r);
            edits.remove(end..text.len(), r);
        }
        let Some(rule) = &self.space_run else { return };
        let (lo, hi) = if self.edge.is_some() { (start, end.max(start)) } else { (0, text.len()) };
        for (range, replacement) in space_runs_fast(bytes, lo, hi) {
            match replacement {
                "" => edits.remove(range, rule),
                r => edits.push(range, r, rule),
            }
        }
    }
}

/// [`space_runs`], with [`space_runs_avx2`] when the processor has AVX2.
fn space_runs_fast(bytes: &[u8], lo: usize, hi: usize) -> Vec<(std::ops::Range<usize>, &'static str)> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2 (just checked).
        return unsafe { space_runs_avx2(bytes, lo, hi) };
    }
    space_runs(bytes, lo, hi)
}

/// The seeds of [`space_runs_avx2`] among bytes 1 to 64 of `window` (bytes 0 and 65 are the bytes
/// before and after them), each as a bit, the first byte the lowest: a tab, or a blank (space or
/// tab) followed by a blank or newline, or a blank after a newline.
///
/// The blanks, and the blanks and newlines, are each found by one table lookup and one compare per
/// byte, as in [`block_masks_avx2`]: the entry at `n` of a table is the one byte of the set whose
/// low four bits are `n` (space 0x20, tab 0x09, newline 0x0a), or 0xff. The bytes after and before
/// are read from the window one byte further on and back.
///
/// # Safety
/// The processor must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn seeds_avx2(window: &[u8; 66]) -> u64 {
    use std::arch::x86_64::{
        _mm256_and_si256, _mm256_broadcastsi128_si256, _mm256_cmpeq_epi8, _mm256_loadu_si256,
        _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8, _mm256_shuffle_epi8, _mm_setr_epi8,
    };
    const X: i8 = -1;
    // SAFETY: the processor has AVX2 (the caller's promise); the loads read bytes 0 to 65 of
    // `window`, with no alignment needed.
    unsafe {
        let blank_table = _mm256_broadcastsi128_si256(_mm_setr_epi8(
            b' ' as i8,
            X,
            X,
            X,
            X,
            X,
            X,
            X,
            X,
            b'\t' as i8,
            X,
            X,
            X,
            X,
            X,
            X,
        ));
        let blank_or_newline_table = _mm256_broadcastsi128_si256(_mm_setr_epi8(
            b' ' as i8,
            X,
            X,
            X,
            X,
            X,
            X,
            X,
            X,
            b'\t' as i8,
            b'\n' as i8,
            X,
            X,
            X,
            X,
            X,
        ));
        let half = |at: usize| -> u32 {
            let p = window.as_ptr().add(at);
            let before = _mm256_loadu_si256(p.sub(1).cast());
            let v = _mm256_loadu_si256(p.cast());
            let after = _mm256_loadu_si256(p.add(1).cast());
            let blank = _mm256_cmpeq_epi8(_mm256_shuffle_epi8(blank_table, v), v);
            let tab = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\t' as i8));
            let blank_or_newline_after =
                _mm256_cmpeq_epi8(_mm256_shuffle_epi8(blank_or_newline_table, after), after);
            let newline_before = _mm256_cmpeq_epi8(before, _mm256_set1_epi8(b'\n' as i8));
            let seeds = _mm256_or_si256(
                tab,
                _mm256_and_si256(blank, _mm256_or_si256(blank_or_newline_after, newline_before)),
            );
            _mm256_movemask_epi8(seeds) as u32
        };
        u64::from(half(1)) | u64::from(half(33)) << 32
    }
}

/// [`space_runs`], 64 bytes at a time with bit masks. A run that changes holds a tab, or a blank
/// (space or tab) followed by a blank, or a blank next to a newline, or touches the text's start or
/// the region's end (taken as newlines here): only from such places ("seeds") are runs looked at,
/// each run as [`space_runs`] takes it (from the end of the last, up to `hi`), and the seeds inside a
/// run are passed over. A run that changes has a seed (a run of two or more has a blank followed by
/// a blank; a single tab is a tab; a run at a line's edge has a newline or the text's ends next to
/// it), so none is missed; a seed's run that does not change is skipped as before. (Test: the same
/// edits as visiting every run.)
///
/// # Safety
/// The processor must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn space_runs_avx2(bytes: &[u8], lo: usize, hi: usize) -> Vec<(std::ops::Range<usize>, &'static str)> {
    let mut out = Vec::new();
    let region = &bytes[..hi];
    // Where the next run may start, and the first byte of the next block of 64.
    let mut i = lo;
    let mut p = lo;
    while p < hi {
        // The block with the byte before and after it: read in place when they are all in the
        // region, else from a copy with newlines before the text's start and from `hi` on (a run
        // there is at a line's edge, as a run at the region's end is).
        let copy;
        let window: &[u8; 66] = match region.get(p.wrapping_sub(1)..p + 65) {
            Some(window) if p > 0 => window.try_into().expect("66 bytes"),
            _ => {
                let mut window = [b'\n'; 66];
                let from = p.saturating_sub(1);
                let at = usize::from(p == 0);
                let to = (p + 65).min(hi);
                window[at..at + to - from].copy_from_slice(&region[from..to]);
                copy = window;
                &copy
            }
        };
        // SAFETY: the processor has AVX2 (the caller's promise).
        let mut seeds = unsafe { seeds_avx2(window) };
        while seeds != 0 {
            let seed = p + seeds.trailing_zeros() as usize;
            seeds &= seeds - 1;
            if seed < i {
                continue;
            }
            i = push_run(region, i, seed, &mut out);
        }
        p += 64;
    }
    out
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// The edits `space-run` makes between `lo` and `hi`: each maximal run of spaces and tabs at a line's
/// start or end (or at `lo` = 0 or `hi`) is removed, and any other run that is not a single space
/// becomes one space.
///
/// Most runs are single spaces between words, which stay, and visiting each of them was most of this
/// pass. A run that changes holds a tab, or two spaces, or touches a newline or an end of the range:
/// the runs are found from those places (memchr and memmem), and the single spaces are never visited.
/// (Test: the same edits as visiting every run.)
fn space_runs(bytes: &[u8], lo: usize, hi: usize) -> Vec<(std::ops::Range<usize>, &'static str)> {
    let mut out = Vec::new();
    let region = &bytes[..hi];
    // The next place at or after `from` that a changing run must hold, of each kind.
    let next_tab = |from: usize| memchr::memchr(b'\t', &region[from..]).map(|o| from + o);
    let next_double = |from: usize| memchr::memmem::find(&region[from..], b"  ").map(|o| from + o);
    let next_newline = |from: usize| memchr::memchr(b'\n', &region[from..]).map(|o| from + o);
    let mut tab = next_tab(lo);
    let mut double = next_double(lo);
    // A blank right before or after a newline, searched newline by newline (`newline_from` is
    // `None` once there is no newline left: a long text without one must not be searched again at
    // every run, as a 200 MB single line showed).
    let mut newline_from = Some(lo);
    let mut by_newline: Option<usize> = None;
    let mut i = lo;
    while i < hi {
        if tab.is_some_and(|t| t < i) {
            tab = next_tab(i);
        }
        if double.is_some_and(|d| d < i) {
            double = next_double(i);
        }
        if !by_newline.is_some_and(|n| n >= i) {
            by_newline = None;
            while let Some(from) = newline_from {
                let Some(p) = next_newline(from.max(i)) else {
                    newline_from = None;
                    break;
                };
                newline_from = Some(p + 1);
                if p > i && is_blank(region[p - 1]) {
                    by_newline = Some(p - 1);
                    break;
                }
                if p + 1 < hi && is_blank(region[p + 1]) {
                    by_newline = Some(p + 1);
                    break;
                }
            }
        }
        // A run at `lo` may follow a newline (or the text's start) left of the range.
        let at_start = (i == lo && is_blank(region[lo])).then_some(lo);
        let at_end = is_blank(region[hi - 1]).then_some(hi - 1);
        let Some(seed) = [tab, double, by_newline, at_start, at_end].into_iter().flatten().min() else {
            break;
        };
        i = push_run(region, i, seed, &mut out);
    }
    out
}

/// Takes the run of blanks around `seed` (back to `from` at most, on to the end of `region`) and
/// pushes its edit when it changes: removed at a line's edge, else made one space. Returns where the
/// run ends.
#[inline(always)]
fn push_run(
    region: &[u8],
    from: usize,
    seed: usize,
    out: &mut Vec<(std::ops::Range<usize>, &'static str)>,
) -> usize {
    let hi = region.len();
    let mut s = seed;
    while s > from && is_blank(region[s - 1]) {
        s -= 1;
    }
    let mut e = seed + 1;
    while e < hi && is_blank(region[e]) {
        e += 1;
    }
    // Spaces at a line's end or start go too (reflow leaves none between lines it joined, but a
    // line it kept, in a list or a table, may still have them).
    let at_line_edge = e >= hi || region[e] == b'\n' || s == 0 || region[s - 1] == b'\n';
    if at_line_edge {
        out.push((s..e, ""));
    } else if e - s > 1 || region[s] == b'\t' {
        out.push((s..e, " "));
    }
    e
}

#[cfg(test)]
mod tests {
    use super::in_word_list;

    /// `space_runs` the simple way: every run of spaces and tabs, one after the other.
    fn space_runs_one_by_one(
        bytes: &[u8],
        lo: usize,
        hi: usize,
    ) -> Vec<(std::ops::Range<usize>, &'static str)> {
        let mut out = Vec::new();
        let mut i = lo;
        while i < hi {
            let Some(off) = memchr::memchr2(b' ', b'\t', &bytes[i..hi]) else { break };
            let s = i + off;
            let mut e = s + 1;
            while e < hi && (bytes[e] == b' ' || bytes[e] == b'\t') {
                e += 1;
            }
            let at_line_edge = e >= hi || bytes[e] == b'\n' || s == 0 || bytes[s - 1] == b'\n';
            if at_line_edge {
                out.push((s..e, ""));
            } else if e - s > 1 || bytes[s] == b'\t' {
                out.push((s..e, " "));
            }
            i = e;
        }
        out
    }

    #[test]
    fn space_runs_are_found_as_when_visiting_every_run() {
        let texts = [
            "",
            " ",
            "\t",
            "a",
            "a b",
            "a  b",
            "a\tb",
            " a b ",
            "a \nb",
            "a\n b",
            "a \n \tb  c\t\td \n",
            "one two  three\tfour \t five\n six seven \neight  ",
            "\n\n  \n",
            "x\u{a0} y  é  z",
        ];
        for t in texts {
            let b = t.as_bytes();
            for lo in 0..=b.len() {
                for hi in lo..=b.len() {
                    if !t.is_char_boundary(lo) || !t.is_char_boundary(hi) {
                        continue;
                    }
                    assert_eq!(
                        super::space_runs(b, lo, hi),
                        space_runs_one_by_one(b, lo, hi),
                        "{t:?} {lo}..{hi}"
                    );
                }
            }
        }
    }

    #[test]
    fn space_runs_with_avx2_are_found_as_when_visiting_every_run() {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            let pieces = ["word", "a", " ", "  ", "\t", "\n", " \n", "\n ", "é", "x\u{a0}y", ".", "\n\n"];
            let mut seed = 7u64;
            for n in 0..1500 {
                let mut t = String::new();
                while t.len() < n % 300 {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    t.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
                }
                let b = t.as_bytes();
                let mut bounds = vec![(0, b.len())];
                let start = t.len() - t.trim_start().len();
                bounds.push((start, t.trim_end().len().max(start)));
                for k in [1, 63, 64, 65, 127, 128, 129] {
                    if k <= b.len() {
                        bounds.push((k, b.len()));
                        bounds.push((0, k));
                        bounds.push((k / 2, k));
                    }
                }
                for (lo, hi) in bounds {
                    // SAFETY: the processor has AVX2 (just checked).
                    let fast = unsafe { super::space_runs_avx2(b, lo, hi) };
                    assert_eq!(fast, space_runs_one_by_one(b, lo, hi), "{t:?} {lo}..{hi}");
                }
            }
            for t in ["", " ", "\t", "a", " a b ", "a \n \tb  c\t\td \n"] {
                let b = t.as_bytes();
                for lo in 0..=b.len() {
                    for hi in lo..=b.len() {
                        // SAFETY: as above.
                        let fast = unsafe { super::space_runs_avx2(b, lo, hi) };
                        assert_eq!(fast, space_runs_one_by_one(b, lo, hi), "{t:?} {lo}..{hi}");
                    }
                }
            }
        }
    }

    #[test]
    fn short_words_are_found_as_by_walking_the_list() {
        let mut probes: Vec<String> = vec![String::new(), "é".into(), "aé".into(), "ab c".into()];
        for x in 0..=255u8 {
            probes.push(String::from_utf8_lossy(&[x]).into_owned());
            for y in [b'a', b'N', b'o', b'S', b'z', b'0', b' '] {
                probes.push(String::from_utf8_lossy(&[x, y]).into_owned());
                probes.push(String::from_utf8_lossy(&[y, x]).into_owned());
            }
        }
        for w in &probes {
            let walk = super::SHORT_WORDS.iter().any(|s| s.eq_ignore_ascii_case(w));
            assert_eq!(super::is_short_word(w), walk, "{w:?}");
        }
    }

    #[test]
    fn block_masks_mark_white_space_and_punctuation() {
        for first in (0..=255u8).step_by(64) {
            let mut block = [0u8; 64];
            for (j, b) in block.iter_mut().enumerate() {
                *b = first.wrapping_add(j as u8);
            }
            for shift in 0..64 {
                block.rotate_left(1);
                let (ws, punct) = super::block_masks(&block);
                for (j, &c) in block.iter().enumerate() {
                    assert_eq!(ws >> j & 1 == 1, c.is_ascii_whitespace(), "{c}");
                    assert_eq!(punct >> j & 1 == 1, matches!(c, b',' | b'.' | b';' | b':'), "{c} {shift}");
                }
            }
        }
    }

    #[test]
    fn the_damage_counts_are_those_of_the_token_by_token_walk() {
        let pass = super::SplitWordPass { rule: "split-word".into() };
        let words = [
            "g",
            "ames",
            "indi",
            "vidual",
            "W",
            "e",
            "of",
            "h",
            "is",
            "x,",
            "ab.",
            ",",
            "..",
            "é",
            "ç a",
            "approximately,",
            "\t",
            "\n",
            " ",
            "  ",
            "\x0c",
            "\x0b",
            "q;",
            "zz:",
            "a",
            "I.",
            "A,",
            "to",
            "in",
            "ç",
        ];
        // Every text of up to five pieces from a seeded walk, at lengths around the 64-byte blocks.
        let mut seed = 12345u64;
        for n in 0..4000 {
            let mut t = String::new();
            let target = n % 200;
            while t.len() < target {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                t.push_str(words[(seed >> 33) as usize % words.len()]);
                if (seed >> 20) % 3 == 0 {
                    t.push(' ');
                }
            }
            let want = pass.damage_token_by_token(&t);
            assert_eq!(pass.damage(&t), want, "{t:?}");
            assert_eq!(unsafe { pass.damage_with::<false>(&t) }, want, "{t:?}");
        }
    }

    #[test]
    fn the_avx2_masks_are_the_plain_masks() {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            for first in 0..=255u8 {
                let mut block = [0u8; 64];
                for (j, b) in block.iter_mut().enumerate() {
                    *b = first.wrapping_add((j * 37) as u8);
                }
                for _ in 0..64 {
                    block.rotate_left(1);
                    // SAFETY: the processor has AVX2 (just checked).
                    let fast = unsafe { super::block_masks_avx2(&block) };
                    assert_eq!(fast, super::block_masks(&block), "{block:?}");
                }
            }
        }
    }

    #[test]
    fn the_short_token_table_counts_as_visit_does() {
        let pass = super::SplitWordPass { rule: "split-word".into() };
        // `visit` of the token alone (no next token: nothing joins), and with a next token `ames`
        // (whether it is tried at all is what `LETTERS` says).
        let count = |t: &[u8]| {
            let text = String::from_utf8_lossy(t).into_owned();
            let (mut fragments, mut found) = (0, 0);
            pass.visit(&text, 0, text.len(), &mut fragments, &mut found);
            fragments
        };
        let class = |c: u8| usize::from(super::BYTE_CLASS[usize::from(c)]);
        // Bytes past ASCII stand alone here only as what they are to the table: class 27.
        for x in 0..=127u8 {
            let flags = super::SHORT_TOKEN[class(x)][super::NO_BYTE];
            assert_eq!(usize::from(flags & super::FRAGMENT != 0), count(&[x]), "{x}");
            let letters_only = x.is_ascii_alphabetic();
            assert_eq!(flags & super::LETTERS != 0, flags & super::FRAGMENT != 0 && letters_only, "{x}");
            for y in 0..=127u8 {
                let flags = super::SHORT_TOKEN[class(x)][class(y)];
                assert_eq!(usize::from(flags & super::FRAGMENT != 0), count(&[x, y]), "{x} {y}");
                let letters_only = x.is_ascii_alphabetic() && y.is_ascii_alphabetic();
                assert_eq!(
                    flags & super::LETTERS != 0,
                    flags & super::FRAGMENT != 0 && letters_only,
                    "{x} {y}"
                );
            }
        }
        for x in 128..=255u8 {
            assert_eq!(class(x), 27);
        }
        assert_eq!(super::SHORT_TOKEN[27], [0; 32]);
        assert!(super::SHORT_TOKEN.iter().all(|row| row[27] == 0));
    }

    #[test]
    fn the_word_table_answers_as_the_word_list_does() {
        let probes = ["games", "individual", "ames", "g", "", "zzzz", "aa", "Games", "naïve", "xylophones"];
        for w in probes {
            assert_eq!(in_word_list(w.as_bytes()), wordnik_list::word_exists(w), "{w:?}");
        }
        // Every word is found; each with one letter changed, dropped or added is found exactly
        // when the list has it too.
        let mut n = 0;
        for w in wordnik_list::word_iterator() {
            n += 1;
            assert!(in_word_list(w.as_bytes()), "{w:?}");
            if n % 7 != 0 {
                continue;
            }
            let b = w.as_bytes();
            let k = n % b.len();
            let mut near = vec![b.to_vec(), [b, b"s"].concat(), [&b[..k], &b[k + 1..]].concat()];
            let mut changed = b.to_vec();
            changed[k] = b'a' + (changed[k] - b'a' + 1) % 26;
            near.push(changed);
            for v in near {
                let v = String::from_utf8(v).unwrap();
                assert_eq!(in_word_list(v.as_bytes()), wordnik_list::word_exists(&v), "{v:?}");
            }
        }
        assert!(n > 190_000);
        // The table holds the list and nothing else.
        let slots = super::WORD_TABLE.chunks_exact(4).filter(|s| *s != [0; 4]).count();
        assert_eq!(slots, n);
        assert_eq!(super::WORDS.len(), wordnik_list::word_iterator().map(str::len).sum::<usize>());
    }

    #[test]
    fn the_function_words_are_sorted_lower_case_and_found_in_any_case() {
        assert!(super::FUNCTION_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(super::FUNCTION_WORDS
            .iter()
            .all(|w| w.bytes().all(|b| b.is_ascii_lowercase()) && w.len() <= 8));
        assert!(
            super::is_function_word("and")
                && super::is_function_word("The")
                && super::is_function_word("without")
        );
        assert!(!super::is_function_word("lass") && !super::is_function_word("game"));
    }

    #[test]
    fn a_part_that_is_a_word_joins_only_at_a_pair_the_text_splits_for_sure() {
        let pass = super::SplitWordPass { rule: "split-word".into() };
        let mut pairs = super::SplitPairs::default();
        // Nothing seen yet: a lone letter before a word stays (`g ame` may be `g` and `ame`).
        assert!(!pass.joins_loosely("g", "ame", &pairs));
        // A fragment of two letters or more is no variable: no pair needed.
        assert!(pass.joins_loosely("fix", "ed", &pairs) && pass.joins_loosely("strate", "gies,", &pairs));
        // A sure join at `g a` elsewhere (`g ames`) lets `g ame` join, and only that pair.
        assert!(pass.joins("g", "ames"));
        pairs.mark("g", "ames");
        assert!(pass.joins_loosely("g", "ame", &pairs) && pass.joins_loosely("g", "ame).", &pairs));
        assert!(!pass.joins_loosely("c", "lass", &pairs));
        // A function word is a formula's prose, whatever the pairs say.
        pairs.mark("s", "anity");
        pairs.mark("g", "is");
        assert!(!pass.joins_loosely("g", "is", &pairs) && !pass.joins_loosely("s", "and", &pairs));
        // Two words, or two fragments, are not for the loose rule (`in variant`, `may be`).
        assert!(!pass.joins_loosely("in", "variant", &pairs) && !pass.joins_loosely("may", "be", &pairs));
        // Upper case starts only the first part.
        assert!(!pass.joins_loosely("fix", "Ed", &pairs));
        // The stray space before a comma is no join: it marks no pair.
        pairs = super::SplitPairs::default();
        pairs.mark("", ",");
        assert!(pairs.0.iter().flatten().all(|seen| !seen));
    }

    #[test]
    fn the_first_part_of_a_compound_joins_its_fragment() {
        let pass = super::SplitWordPass { rule: "split-word".into() };
        assert!(pass.joins("gra", "vitational-wave"));
        assert!(pass.joins("tw", "o-body,"));
        let mut found = Vec::new();
        pass.walk("a W olf-Rayet star and gra vitational-wave data\nx", None, |r, x, y| {
            found.push((r, x, y))
        });
        assert_eq!(found, [(2..13, "W", "olf-Rayet"), (23..42, "gra", "vitational-wave")]);
    }
}
