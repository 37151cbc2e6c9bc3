//! Edits and the edit log.
//!
//! A pass never rewrites text itself: it proposes [`Edit`]s (a byte range of the text it was given, a
//! replacement, the id of the rule that wants it). The pipeline applies them and keeps two views of what
//! happened, both in byte positions of the *input* text:
//!
//! - [`Change`]s: one per proposed edit, with the rule, the text it replaced and its replacement. This
//!   is what the JSONL record, the statistics and the review diff are made from.
//! - the composed log ([`Splice`]s): sorted, non-overlapping replacements that turn the input into the
//!   output in one step. Applying it to the input reproduces the output exactly ([`apply_splices`]).

use std::ops::Range;
use std::sync::Arc;

/// A rule id, shared between every edit that rule makes.
pub type RuleId = Arc<str>;

/// One replacement proposed by a pass, in byte positions of the text that pass was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: String,
    pub rule: RuleId,
}

/// One edit made by a rule, mapped back to byte positions of the pipeline's input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    pub rule: RuleId,
    /// Byte range in the input text. When an earlier edit already replaced part of this text, the range
    /// widens to cover the whole of that earlier edit's input.
    pub start: usize,
    pub end: usize,
    /// The text this rule saw and replaced (as it stood after the earlier passes).
    pub text: String,
    /// What it put there instead (empty for a removal).
    pub replacement: String,
}

impl Change {
    /// True when the change only touches white space (a line join, a collapsed run of spaces).
    pub fn is_whitespace_only(&self) -> bool {
        self.text.chars().all(char::is_whitespace) && self.replacement.chars().all(char::is_whitespace)
    }
}

/// A step of the composed log: replace `range` of the input by `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Splice {
    pub range: Range<usize>,
    pub replacement: String,
}

/// Collects the edits of one pass and checks that they are well formed.
#[derive(Debug, Default)]
pub struct Edits {
    edits: Vec<Edit>,
}

impl Edits {
    pub fn new() -> Self {
        Self::default()
    }

    /// Proposes replacing `range` by `replacement`. Edits may be pushed in any order; overlapping
    /// edits are resolved in [`Edits::into_sorted`] (the first one pushed wins).
    pub fn push(&mut self, range: Range<usize>, replacement: impl Into<String>, rule: &RuleId) {
        debug_assert!(range.start <= range.end);
        self.edits.push(Edit { range, replacement: replacement.into(), rule: rule.clone() });
    }

    /// Proposes removing `range`.
    pub fn remove(&mut self, range: Range<usize>, rule: &RuleId) {
        self.push(range, String::new(), rule);
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    pub fn len(&self) -> usize {
        self.edits.len()
    }

    /// The edits sorted by position, with no-ops and overlaps dropped, ranges checked against `text`.
    pub fn into_sorted(mut self, text: &str) -> Vec<Edit> {
        // Stable sort: among edits at the same place, the one pushed first stays first.
        self.edits.sort_by_key(|e| (e.range.start, e.range.end));
        let mut out: Vec<Edit> = Vec::with_capacity(self.edits.len());
        for e in self.edits {
            assert!(
                e.range.end <= text.len()
                    && text.is_char_boundary(e.range.start)
                    && text.is_char_boundary(e.range.end),
                "rule {} proposed an edit {:?} off the text's char boundaries",
                e.rule,
                e.range
            );
            if text[e.range.clone()] == *e.replacement {
                continue;
            }
            if let Some(last) = out.last() {
                let overlaps = e.range.start < last.range.end
                    || (e.range.start == last.range.end && e.range.is_empty() && last.range.is_empty());
                if overlaps {
                    continue;
                }
            }
            out.push(e);
        }
        out
    }
}

/// Applies sorted, non-overlapping edits to `text`.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let grow: isize = edits.iter().map(|e| e.replacement.len() as isize - e.range.len() as isize).sum();
    let mut out = String::with_capacity((text.len() as isize + grow).max(0) as usize);
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.range.start]);
        out.push_str(&e.replacement);
        at = e.range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Applies the composed log to the input: the result is the pipeline's output.
pub fn apply_splices(input: &str, splices: &[Splice]) -> String {
    let mut out = String::with_capacity(input.len());
    let mut at = 0;
    for s in splices {
        out.push_str(&input[at..s.range.start]);
        out.push_str(&s.replacement);
        at = s.range.end;
    }
    out.push_str(&input[at..]);
    out
}

/// Folds one pass's edits (positions in `current`, the text the pass saw) into the composed log
/// (positions in the input, producing `current`), and maps each edit back to the input as a [`Change`].
///
/// Both lists are sorted, so the folding is one linear walk; each change's position is a binary search.
pub fn compose(
    splices: Vec<Splice>,
    current: &str,
    edits: &[Edit],
    changes: &mut Vec<Change>,
) -> Vec<Splice> {
    // Where each old splice's replacement stands in `current`.
    let mut outs: Vec<(usize, usize)> = Vec::with_capacity(splices.len());
    let mut shift: isize = 0;
    for s in &splices {
        let start = (s.range.start as isize + shift) as usize;
        outs.push((start, start + s.replacement.len()));
        shift += s.replacement.len() as isize - s.range.len() as isize;
    }
    for e in edits {
        changes.push(Change {
            rule: e.rule.clone(),
            start: to_input(&splices, &outs, e.range.start, true),
            end: to_input(&splices, &outs, e.range.end, false),
            text: current[e.range.clone()].to_string(),
            replacement: e.replacement.clone(),
        });
    }

    let mut out: Vec<Splice> = Vec::with_capacity(splices.len() + edits.len());
    let mut pending = splices.into_iter().peekable();
    // `delta` = output position - input position, after every splice already moved to `out`.
    let mut delta: isize = 0;
    for e in edits {
        let (a, b) = (e.range.start, e.range.end);
        // Splices wholly before the edit (not touching it) move over unchanged.
        while let Some(s) = pending.peek() {
            let out_end = (s.range.start as isize + delta) as usize + s.replacement.len();
            if out_end < a {
                delta += s.replacement.len() as isize - s.range.len() as isize;
                out.push(pending.next().unwrap());
            } else {
                break;
            }
        }
        // Splices touching or overlapping [a, b] merge with the edit.
        let mut in_start = (a as isize - delta) as usize;
        let mut prefix = "";
        let mut first = true;
        let mut in_end = 0usize;
        let mut suffix_from: Option<(usize, usize)> = None;
        let mut merged_delta = delta;
        while let Some(s) = pending.peek() {
            let out_start = (s.range.start as isize + merged_delta) as usize;
            let out_end = out_start + s.replacement.len();
            if out_start > b {
                break;
            }
            if first && out_start < a {
                in_start = s.range.start;
                prefix = &current[out_start..a];
            } else if first {
                in_start = in_start.min(s.range.start);
            }
            first = false;
            merged_delta += s.replacement.len() as isize - s.range.len() as isize;
            in_end = s.range.end;
            suffix_from = (out_end > b).then_some((b, out_end));
            pending.next();
        }
        let (in_end, suffix) = match suffix_from {
            Some((from, to)) => (in_end, &current[from..to]),
            None if first => ((b as isize - delta) as usize, ""),
            None => (in_end.max((b as isize - merged_delta) as usize), ""),
        };
        let mut replacement = String::with_capacity(prefix.len() + e.replacement.len() + suffix.len());
        replacement.push_str(prefix);
        replacement.push_str(&e.replacement);
        replacement.push_str(suffix);
        // `delta` tracks the old splices only: they alone place the pending ones in `current`.
        delta = merged_delta;
        out.push(Splice { range: in_start..in_end, replacement });
    }
    out.extend(pending);
    out
}

/// Maps a position of `current` back to the input. A position inside text an earlier edit put there
/// widens to that edit's whole input range (to its start for a change's start, to its end for its end);
/// a position where an earlier edit begins or ends maps exactly.
fn to_input(splices: &[Splice], outs: &[(usize, usize)], p: usize, is_start: bool) -> usize {
    // The last old splice whose replacement starts at or before p.
    let k = outs.partition_point(|&(start, _)| start <= p);
    if k == 0 {
        return p;
    }
    let (start, end) = outs[k - 1];
    let s = &splices[k - 1];
    if p > end {
        s.range.end + (p - end)
    } else if p == end && (is_start || p != start) {
        s.range.end
    } else if p == start || is_start {
        s.range.start
    } else {
        s.range.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(range: Range<usize>, replacement: &str, rule: &str) -> Edit {
        Edit { range, replacement: replacement.into(), rule: RuleId::from(rule) }
    }

    /// Runs passes given as edit lists, the way the pipeline does.
    fn run(input: &str, passes: &[Vec<Edit>]) -> (String, Vec<Splice>, Vec<Change>) {
        let (mut text, mut splices, mut changes) = (input.to_string(), Vec::new(), Vec::new());
        for edits in passes {
            splices = compose(splices, &text, edits, &mut changes);
            text = apply_edits(&text, edits);
        }
        (text, splices, changes)
    }

    #[test]
    fn the_composed_log_reproduces_the_output() {
        let input = "aa\nHEADER\nbb cc\n\ndd";
        let passes = vec![
            vec![edit(3..10, "", "head")],                           // "aa\nbb cc\n\ndd"
            vec![edit(2..3, " ", "join"), edit(8..10, " ", "join")], // "aa bb cc dd"
            vec![edit(0..2, "AA", "upper")],
        ];
        let (text, splices, _) = run(input, &passes);
        assert_eq!(text, "AA bb cc dd");
        assert_eq!(apply_splices(input, &splices), text);
    }

    #[test]
    fn a_change_next_to_an_earlier_one_keeps_its_own_range() {
        let input = "one\nTWO\nthree\n";
        // The first pass removes "TWO\n"; the second removes "three\n", which now touches it.
        let passes = vec![vec![edit(4..8, "", "a")], vec![edit(4..10, "", "b")]];
        let (_, _, changes) = run(input, &passes);
        assert_eq!((changes[1].start, changes[1].end), (8, 14));
        assert_eq!(&input[changes[1].start..changes[1].end], changes[1].text);
    }

    #[test]
    fn a_change_over_an_earlier_replacement_widens_to_cover_it() {
        let input = "x ﬁ y";
        let passes = vec![vec![edit(2..5, "fi", "ligature")], vec![edit(2..3, "F", "upper")]];
        let (text, splices, changes) = run(input, &passes);
        assert_eq!(text, "x Fi y");
        assert_eq!((changes[1].start, changes[1].end), (2, 5));
        assert_eq!(apply_splices(input, &splices), text);
    }
}
