//! White space: one space between words, nothing at the ends.
//!
//! - `space-run`: a run of spaces and tabs inside a line becomes one space; so does a lone tab.
//! - `edge-space`: white space at the start and the end of the document (blank lines, a final form
//!   feed) is removed.
//!
//! - `split-word`: a word an extractor split with a space (`g ames`, `indi vidual`, `W e`, as pypdf
//!   prints some fonts) is joined again, and a space before a comma or full stop (`particular ,`) goes.
//!   Only in a text that shows the damage (one word in a hundred or more is a fragment), only where the
//!   joined word is in the English word list and neither part is a word on its own.
//!
//! Line gaps are reflow's: after it, paragraphs are already one blank line apart.

use std::sync::OnceLock;

use crate::edit::{Edits, RuleId};
use crate::hash::FxHashSet;
use crate::pipeline::Pass;
use crate::rules::ResolvedStage;
use crate::stage::rule_on;

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

/// Whether `w` is an English word (the Wordnik list, any case), or one of the short words above.
pub(crate) fn is_word(w: &str) -> bool {
    // The short words are one or two ASCII letters: a longer word cannot be one of them.
    if w.len() < 3 {
        return SHORT_WORDS.iter().any(|s| s.eq_ignore_ascii_case(w));
    }
    // Most words are lower-case ASCII already: look them up as they are.
    if w.bytes().all(|b| b.is_ascii_lowercase()) {
        return word_list().contains(w);
    }
    word_list().contains(w.to_lowercase().as_str())
}

/// The Wordnik list as a hash set, built on first use (about 200,000 words, a few milliseconds).
/// `wordnik_list::word_exists` is a binary search with two string comparisons a step, and in a
/// damaged text every token is looked up; the lists it searches are strictly sorted, so membership
/// in this set is the same answer.
fn word_list() -> &'static FxHashSet<&'static str> {
    static WORDS: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| wordnik_list::word_iterator().collect())
}

impl Pass for SplitWordPass {
    fn apply(&self, text: &str, edits: &mut Edits) {
        // Cheap test first: how many tokens are one- or two-letter fragments that are no short word.
        // Single letters are also a formula's variables (`h is`): go on only when some short fragment
        // really joins its neighbour into a word (three do). Both are counted in one walk: a token
        // `joins` its neighbour only when it is such a fragment without punctuation (a non-ASCII
        // token of two bytes never joins into a word of the ASCII list), so no other token is tried.
        let (mut tokens, mut fragments, mut found) = (0usize, 0usize, 0usize);
        let mut toks = text.split_ascii_whitespace().peekable();
        while let Some(t) = toks.next() {
            tokens += 1;
            // Only trailing `,.;:` are trimmed: a longer token that does not end in one is no
            // fragment, and that is most tokens.
            if t.len() > 2 && !t.ends_with([',', '.', ';', ':']) {
                continue;
            }
            let letters = t.trim_end_matches([',', '.', ';', ':']);
            if letters.len() <= 2
                && letters.bytes().all(|b| b.is_ascii_alphabetic())
                && !SHORT_WORDS.iter().any(|w| w.eq_ignore_ascii_case(letters))
            {
                fragments += 1;
                if found < 3 && letters.len() == t.len() && toks.peek().is_some_and(|&y| self.joins(t, y)) {
                    found += 1;
                }
            }
        }
        if fragments < 5 || fragments * 100 < tokens {
            return;
        }
        if found < 3 {
            return;
        }
        let bytes = text.as_bytes();
        // Walk the gaps between tokens: `prev` is the token before the gap.
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
                    edits.push(gap_start..next_end, y, &self.rule);
                    i = next_end;
                    prev = None;
                    continue;
                }
                if let Some((ps, pe)) = prev {
                    let x = &text[ps..pe];
                    if self.joins(x, y) {
                        // The edit spans both parts, so the record shows `g ames` -> `games`.
                        edits.push(ps..next_end, format!("{x}{y}"), &self.rule);
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
}

impl SplitWordPass {
    /// Whether `x y` is one word split in two (`g ames`), or a word and its stray punctuation.
    fn joins(&self, x: &str, y: &str) -> bool {
        if !x.chars().all(char::is_alphabetic) || x.is_empty() {
            return false;
        }
        let letters = y.trim_end_matches(|c: char| !c.is_alphabetic());
        if letters.is_empty()
            || !letters.chars().all(char::is_alphabetic)
            || !letters.starts_with(char::is_lowercase)
        {
            return false;
        }
        // `W e`: two single letters only as a capitalised short word.
        if x.chars().count() == 1 && letters.chars().count() == 1 && !x.starts_with(char::is_uppercase) {
            return false;
        }
        // `RE b`: capitals then lower case is an abbreviation and a word, not one word split.
        if x.chars().count() > 1 && x.chars().all(char::is_uppercase) {
            return false;
        }
        // Neither part may be a word: `h is` in a formula is two words, `g ames` is none.
        // (The parts first: most tokens are words, and the joined form costs a new string.)
        !is_word(x) && !is_word(letters) && is_word(&format!("{x}{letters}"))
    }
}

struct WhitespacePass {
    space_run: Option<RuleId>,
    edge: Option<RuleId>,
}

impl Pass for WhitespacePass {
    fn apply(&self, text: &str, edits: &mut Edits) {
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
        for (range, replacement) in space_runs(bytes, lo, hi) {
            match replacement {
                "" => edits.remove(range, rule),
                r => edits.push(range, r, rule),
            }
        }
    }
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
        let mut s = seed;
        while s > i && is_blank(region[s - 1]) {
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
        i = e;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::word_list;

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
    fn the_word_set_answers_as_the_word_list_does() {
        let probes = ["games", "individual", "ames", "g", "", "zzzz", "aa", "Games", "naïve", "xylophones"];
        for w in probes {
            assert_eq!(word_list().contains(w), wordnik_list::word_exists(w), "{w:?}");
        }
        assert!(wordnik_list::word_iterator().all(wordnik_list::word_exists));
        assert_eq!(word_list().len(), wordnik_list::word_iterator().count());
    }
}
