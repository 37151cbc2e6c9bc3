//! The review diff: what the pipeline did to one document, shown from its edit log.
//!
//! Nothing here guesses what changed by comparing the two texts. The composed log ([`Cleaned::splices`])
//! says exactly which input bytes became which output bytes, and the [`Change`]s say which rule did it.
//! From those a [`Review`] knows its [`Span`]s (input range -> output range, with the rules that made it),
//! cuts the texts into hunks of whole lines around them, and labels every hunk and every removed line
//! with the rules whose changes touch it.
//!
//! The `similar` crate only lays out the lines *inside* one changed region (a region is bounded by the
//! log, so an unchanged line elsewhere can never be mistaken for a removed one) and groups the regions
//! into hunks with context. The changed words emphasised inside a line are the log's own spans, widened
//! to whole words, so a rejoined "eco-/nomic" lights up as "eco-" and "nomic" on the old side and
//! "economic" on the new one.
//!
//! Printers: [`unified`] (terminal, optionally coloured), [`html`] (a self-contained review page); the
//! per-rule counts are in [`stats`], the machine form of each edit is [`EditJson`].

pub mod html;
pub mod stats;
pub mod unified;

use std::borrow::Cow;
use std::ops::Range;

use serde::Serialize;
use similar::{capture_diff_slices, group_diff_ops, Algorithm, DiffOp};

use crate::edit::{Change, RuleId};
use crate::pipeline::Cleaned;

/// One region of the log: `input` bytes of the input became `output` bytes of the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub input: Range<usize>,
    pub output: Range<usize>,
    /// The rules whose changes lie in this span, in the order they acted.
    pub rules: Vec<RuleId>,
    /// Both sides are white space only (a line join, a collapsed run of blanks).
    pub whitespace_only: bool,
}

/// One rule's edit, in input positions: what labels lines and hunks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub rule: RuleId,
    pub range: Range<usize>,
    /// The range grew over an earlier rule's edit: the rule never saw all of the input it covers.
    pub widened: bool,
    /// The edit only touched white space.
    pub whitespace_only: bool,
}

/// What one document looks like before and after, and which rule did what where.
#[derive(Debug, Clone)]
pub struct Review<'a> {
    pub input: &'a str,
    pub output: Cow<'a, str>,
    /// Sorted, non-overlapping, in both input and output positions.
    pub spans: Vec<Span>,
    /// Sorted by start.
    pub marks: Vec<Mark>,
    max_mark_len: usize,
}

/// How a line of a hunk relates the two texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineTag {
    Context,
    Removed,
    Added,
}

/// One line of a hunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HunkLine<'t> {
    pub tag: LineTag,
    /// The line without its line break.
    pub text: &'t str,
    /// Byte ranges of `text` that an edit changed (widened to whole words).
    pub emphasis: Vec<Range<usize>>,
    /// For a removed line: the rules whose edits touched its content (or, for a blank line, its line
    /// break).
    pub rules: Vec<RuleId>,
    /// The last line of a text that does not end in a line break.
    pub no_newline: bool,
}

/// A run of changed lines with context around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk<'t> {
    /// Line ranges (0-based) in the input and the output.
    pub old: Range<usize>,
    pub new: Range<usize>,
    /// Every rule whose edits touch the hunk's input lines.
    pub rules: Vec<RuleId>,
    pub lines: Vec<HunkLine<'t>>,
}

/// One edit for machines (`textwash diff --display json`): the document, the rule, the text it replaced
/// as the rule saw it, what it put there, and the byte range of the input it covers.
#[derive(Debug, Clone, Serialize)]
pub struct EditJson<'a> {
    pub id: &'a str,
    pub rule: &'a str,
    pub before: &'a str,
    pub after: &'a str,
    pub range: [usize; 2],
}

impl<'a> EditJson<'a> {
    pub fn new(id: &'a str, c: &'a Change) -> Self {
        EditJson { id, rule: &c.rule, before: &c.text, after: &c.replacement, range: [c.start, c.end] }
    }
}

/// The edits of a cleaned document as [`EditJson`] values, in the order the rules made them; `only`
/// keeps one rule's.
pub fn edits_json<'a>(
    id: &'a str,
    cleaned: &'a Cleaned,
    only: Option<&'a str>,
) -> impl Iterator<Item = EditJson<'a>> + 'a {
    cleaned
        .changes
        .iter()
        .filter(move |c| only.map_or(true, |r| *c.rule == *r))
        .map(move |c| EditJson::new(id, c))
}

fn is_ws(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

impl<'a> Review<'a> {
    /// The whole pipeline's work on `input`, from the log of `cleaned`.
    pub fn new(input: &'a str, cleaned: &'a Cleaned) -> Review<'a> {
        let mut spans: Vec<Span> = Vec::with_capacity(cleaned.splices.len());
        let mut delta: isize = 0;
        for s in &cleaned.splices {
            let out_start = (s.range.start as isize + delta) as usize;
            delta += s.replacement.len() as isize - s.range.len() as isize;
            spans.push(Span {
                input: s.range.clone(),
                output: out_start..out_start + s.replacement.len(),
                rules: Vec::new(),
                whitespace_only: is_ws(&input[s.range.clone()]) && is_ws(&s.replacement),
            });
        }
        // Every change lies inside the splice its edits were composed into.
        for c in &cleaned.changes {
            let i = spans.partition_point(|s| s.input.start <= c.start);
            let hit = (i > 0 && c.end <= spans[i - 1].input.end).then(|| i - 1).or_else(|| {
                spans.iter().position(|s| s.input.start < c.end.max(c.start + 1) && c.start < s.input.end)
            });
            if let Some(i) = hit {
                if !spans[i].rules.contains(&c.rule) {
                    spans[i].rules.push(c.rule);
                }
            }
        }
        let marks = cleaned.changes.iter().map(|c| Mark {
            rule: c.rule,
            range: c.start..c.end,
            widened: input[c.start..c.end] != *c.text,
            whitespace_only: c.is_whitespace_only(),
        });
        Review::assemble(input, Cow::Borrowed(&cleaned.text), spans, marks.collect())
    }

    /// What one rule did to `input`: its changes alone, applied to the input. A change that an earlier
    /// rule's edit widened (see [`Change`]) replaces the whole widened range; where two of the rule's
    /// changes overlap in the input, the first one is kept.
    pub fn for_rule(input: &'a str, cleaned: &Cleaned, rule: &str) -> Review<'a> {
        let mut mine: Vec<&Change> = cleaned.changes.iter().filter(|c| *c.rule == *rule).collect();
        mine.sort_by_key(|c| (c.start, c.end));
        let mut out = String::with_capacity(input.len());
        let mut spans = Vec::with_capacity(mine.len());
        let mut marks = Vec::with_capacity(mine.len());
        let mut at = 0;
        for c in mine {
            if c.start < at || (c.start == at && c.start == c.end && !spans.is_empty()) {
                continue;
            }
            out.push_str(&input[at..c.start]);
            let o = out.len();
            out.push_str(&c.replacement);
            spans.push(Span {
                input: c.start..c.end,
                output: o..out.len(),
                rules: vec![c.rule],
                whitespace_only: is_ws(&input[c.start..c.end]) && is_ws(&c.replacement),
            });
            marks.push(Mark {
                rule: c.rule,
                range: c.start..c.end,
                widened: false,
                whitespace_only: c.is_whitespace_only(),
            });
            at = c.end;
        }
        out.push_str(&input[at..]);
        Review::assemble(input, Cow::Owned(out), spans, marks)
    }

    fn assemble(input: &'a str, output: Cow<'a, str>, spans: Vec<Span>, mut marks: Vec<Mark>) -> Self {
        marks.sort_by_key(|m| (m.range.start, m.range.end));
        let max_mark_len = marks.iter().map(|m| m.range.len()).max().unwrap_or(0);
        Review { input, output, spans, marks, max_mark_len }
    }

    /// True when the review has nothing to show.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The rules of the marks that intersect `range` of the input (an empty mark counts when it sits
    /// inside or at either end of `range`), in order of position, each once.
    pub fn rules_in(&self, range: Range<usize>) -> Vec<RuleId> {
        self.rules_where(range, |_| true)
    }

    fn rules_where(&self, range: Range<usize>, keep: impl Fn(&Mark) -> bool) -> Vec<RuleId> {
        let lo = self.marks.partition_point(|m| m.range.start + self.max_mark_len < range.start);
        let mut out: Vec<RuleId> = Vec::new();
        for m in &self.marks[lo..] {
            if m.range.start > range.end {
                break;
            }
            let hit = if m.range.is_empty() || range.is_empty() {
                m.range.start <= range.end && range.start <= m.range.end
            } else {
                m.range.start < range.end && range.start < m.range.end
            };
            if hit && keep(m) && !out.contains(&m.rule) {
                out.push(m.rule);
            }
        }
        out
    }

    /// The regions of changed lines: (input byte range, output byte range), each starting and ending at
    /// a line boundary of both texts, with identical text between them.
    fn regions(&self) -> Vec<(Range<usize>, Range<usize>)> {
        let (inp, out) = (self.input.as_bytes(), self.output.as_bytes());
        let mut regions: Vec<(Range<usize>, Range<usize>)> = Vec::new();
        for s in &self.spans {
            let (a, b, a_out, b_out) = (s.input.start, s.input.end, s.output.start, s.output.end);
            // The text before `a` back to the line start is common to both sides (or lies in the
            // region before, which then takes this span in).
            let q = inp[..a].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
            // After `b` the texts agree, so any input line start past `b` is one in the output too; `b`
            // itself is one only if both sides have a line break just before it.
            let (p, p_out) = if b == inp.len() {
                (inp.len(), out.len())
            } else if (b == 0 || inp[b - 1] == b'\n') && (b_out == 0 || out[b_out - 1] == b'\n') {
                (b, b_out)
            } else {
                match memchr::memchr(b'\n', &inp[b..]) {
                    Some(i) => (b + i + 1, b_out + i + 1),
                    None => (inp.len(), out.len()),
                }
            };
            match regions.last_mut() {
                Some(r) if q < r.0.end => {
                    r.0.end = p;
                    r.1.end = p_out;
                }
                _ => regions.push((q..p, a_out - (a - q)..p_out)),
            }
        }
        regions
    }

    /// The hunks of a unified diff with `context` lines around each change.
    pub fn hunks(&self, context: usize) -> Vec<Hunk<'_>> {
        let old = Lines::new(self.input);
        let new = Lines::new(&self.output);
        let mut ops: Vec<DiffOp> = Vec::new();
        let (mut oi, mut ni) = (0usize, 0usize);
        let equal = |ops: &mut Vec<DiffOp>, o: usize, n: usize, len: usize| {
            if len > 0 {
                ops.push(DiffOp::Equal { old_index: o, new_index: n, len });
            }
        };
        for (ri, ro) in self.regions() {
            let (o0, o1) = (old.index(ri.start), old.index(ri.end));
            let (n0, n1) = (new.index(ro.start), new.index(ro.end));
            debug_assert_eq!(o0 - oi, n0 - ni, "the text between regions is common");
            equal(&mut ops, oi, ni, o0 - oi);
            for op in capture_diff_slices(Algorithm::Myers, &old.lines[o0..o1], &new.lines[n0..n1]) {
                let (tag, or, nr) = op.as_tag_tuple();
                let (o, n) = (or.start + o0, nr.start + n0);
                ops.push(match tag {
                    similar::DiffTag::Equal => DiffOp::Equal { old_index: o, new_index: n, len: or.len() },
                    similar::DiffTag::Delete => {
                        DiffOp::Delete { old_index: o, old_len: or.len(), new_index: n }
                    }
                    similar::DiffTag::Insert => {
                        DiffOp::Insert { old_index: o, new_index: n, new_len: nr.len() }
                    }
                    similar::DiffTag::Replace => {
                        DiffOp::Replace { old_index: o, old_len: or.len(), new_index: n, new_len: nr.len() }
                    }
                });
            }
            (oi, ni) = (o1, n1);
        }
        equal(&mut ops, oi, ni, old.lines.len() - oi);
        if !ops.iter().any(|o| !matches!(o, DiffOp::Equal { .. })) {
            return Vec::new();
        }
        group_diff_ops(ops, context)
            .into_iter()
            .map(|group| {
                let first = group.first().expect("a group is never empty");
                let last = group.last().expect("a group is never empty");
                let old_lines = first.old_range().start..last.old_range().end;
                let new_lines = first.new_range().start..last.new_range().end;
                let mut lines = Vec::new();
                for op in &group {
                    let (tag, or, nr) = op.as_tag_tuple();
                    if tag == similar::DiffTag::Equal {
                        for i in or {
                            lines.push(HunkLine {
                                tag: LineTag::Context,
                                text: old.text(i),
                                emphasis: Vec::new(),
                                rules: Vec::new(),
                                no_newline: !old.lines[i].ends_with('\n'),
                            });
                        }
                        continue;
                    }
                    for i in or {
                        lines.push(self.removed_line(&old, i));
                    }
                    for i in nr {
                        lines.push(self.added_line(&new, i));
                    }
                }
                let bytes = old.range(old_lines.clone());
                Hunk { rules: self.rules_in(bytes), old: old_lines, new: new_lines, lines }
            })
            .collect()
    }

    fn removed_line<'t>(&'t self, old: &Lines<'t>, i: usize) -> HunkLine<'t> {
        let whole = old.range(i..i + 1);
        let text = old.text(i);
        let content = whole.start..whole.start + text.len();
        // The rules that saw this line's text; failing those, any whose (widened) range covers it; for
        // a blank line, whatever took its line break.
        let mut rules = Vec::new();
        if !content.is_empty() {
            rules = self.rules_where(content.clone(), |m| !m.widened);
            if rules.is_empty() {
                rules = self.rules_in(content.clone());
            }
        }
        if rules.is_empty() && text.trim().is_empty() {
            rules = self.rules_in(whole.clone());
        }
        let emphasis = self.emphasis(text, content, |s| &s.input);
        HunkLine { tag: LineTag::Removed, text, emphasis, rules, no_newline: !old.lines[i].ends_with('\n') }
    }

    fn added_line<'t>(&'t self, new: &Lines<'t>, i: usize) -> HunkLine<'t> {
        let whole = new.range(i..i + 1);
        let text = new.text(i);
        let content = whole.start..whole.start + text.len();
        let emphasis = self.emphasis(text, content, |s| &s.output);
        HunkLine {
            tag: LineTag::Added,
            text,
            emphasis,
            rules: Vec::new(),
            no_newline: !new.lines[i].ends_with('\n'),
        }
    }

    /// The parts of a line (at `content` in its text) that a non-white-space span changed, widened to
    /// whole words, relative to the line.
    fn emphasis(
        &self,
        line: &str,
        content: Range<usize>,
        side: impl Fn(&Span) -> &Range<usize>,
    ) -> Vec<Range<usize>> {
        let lo = self.spans.partition_point(|s| side(s).end < content.start);
        let mut out: Vec<Range<usize>> = Vec::new();
        for s in &self.spans[lo..] {
            let r = side(s);
            if r.start > content.end {
                break;
            }
            if s.whitespace_only {
                continue;
            }
            let (a, b) = (r.start.max(content.start) - content.start, r.end.min(content.end) - content.start);
            if a > b || (r.is_empty() && (r.start < content.start || r.start > content.end)) {
                continue;
            }
            let (a, b) = widen_to_words(line, a, b);
            if a == b {
                continue;
            }
            match out.last_mut() {
                Some(l) if a <= l.end => l.end = l.end.max(b),
                _ => out.push(a..b),
            }
        }
        out
    }
}

/// Grows `a..b` of `line` to the word boundaries around it (a word: letters, digits, `_`).
fn widen_to_words(line: &str, mut a: usize, mut b: usize) -> (usize, usize) {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    while let Some(c) = line[..a].chars().next_back().filter(|&c| word(c)) {
        a -= c.len_utf8();
    }
    while let Some(c) = line[b..].chars().next().filter(|&c| word(c)) {
        b += c.len_utf8();
    }
    (a, b)
}

/// A text cut into lines, each with its `\n`.
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
    lines: Vec<&'t str>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let mut starts = Vec::new();
        let mut lines = Vec::new();
        let mut at = 0;
        while at < text.len() {
            let end = memchr::memchr(b'\n', &text.as_bytes()[at..]).map_or(text.len(), |i| at + i + 1);
            starts.push(at);
            lines.push(&text[at..end]);
            at = end;
        }
        Lines { text, starts, lines }
    }

    /// The index of the line starting at byte `pos` (the number of lines for the end of the text).
    fn index(&self, pos: usize) -> usize {
        if pos >= self.text.len() {
            return self.lines.len();
        }
        match self.starts.binary_search(&pos) {
            Ok(i) => i,
            Err(i) => i, // not a line start: never asked for by `hunks`
        }
    }

    /// Byte range of a range of lines.
    fn range(&self, lines: Range<usize>) -> Range<usize> {
        let at = |i: usize| self.starts.get(i).copied().unwrap_or(self.text.len());
        at(lines.start)..at(lines.end)
    }

    /// Line `i` without its line break.
    fn text(&self, i: usize) -> &'t str {
        let l = self.lines[i];
        l.strip_suffix('\n').unwrap_or(l)
    }
}

/// The document cut into pieces for side-by-side display: text both sides share, and edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'r> {
    Same(&'r str),
    Edit { before: &'r str, after: &'r str, span: &'r Span },
}

impl Review<'_> {
    /// The input and output as a sequence of shared text and edits.
    pub fn segments(&self) -> Vec<Segment<'_>> {
        let mut out = Vec::with_capacity(self.spans.len() * 2 + 1);
        let mut at = 0;
        for s in &self.spans {
            if s.input.start > at {
                out.push(Segment::Same(&self.input[at..s.input.start]));
            }
            out.push(Segment::Edit {
                before: &self.input[s.input.clone()],
                after: &self.output[s.output.clone()],
                span: s,
            });
            at = s.input.end;
        }
        if at < self.input.len() {
            out.push(Segment::Same(&self.input[at..]));
        }
        out
    }
}

impl Review<'_> {
    /// The input side of a span cut by the rules that acted on it: each non-white-space edit that saw
    /// exactly its input text is a piece named by its rule, the rest are unnamed pieces. So a span where
    /// a paragraph break was folded over a removed URL line and a removed "Related article" line still
    /// names each line's rule.
    pub fn pieces(&self, span: &Span) -> Vec<(Range<usize>, Option<RuleId>)> {
        let mut out = Vec::new();
        let mut at = span.input.start;
        let lo = self.marks.partition_point(|m| m.range.start < span.input.start);
        for m in &self.marks[lo..] {
            if m.range.start >= span.input.end {
                break;
            }
            if m.widened
                || m.whitespace_only
                || m.range.is_empty()
                || m.range.start < at
                || m.range.end > span.input.end
            {
                continue;
            }
            if m.range.start > at {
                out.push((at..m.range.start, None));
            }
            out.push((m.range.clone(), Some(m.rule)));
            at = m.range.end;
        }
        if at < span.input.end {
            out.push((at..span.input.end, None));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::apply_splices;
    use crate::Pipeline;

    const DOC: &str = "Afghanistan is facing a new economic crisis in the\n\nhttps://news.example/author/jane-doe\n\n\naftermath of the takeover.\n\nThe eco-\nnomic outlook\nimproved.\n\nRelated article: Leaders Agree to Talk\n\nThe end.\n";

    fn clean(s: &str) -> Cleaned {
        Pipeline::default_pipeline().clean(s)
    }

    /// The diff's two sides must be exactly the input and the output, whatever it shows.
    fn sides(r: &Review, context: usize) -> (String, String) {
        let mut old = String::new();
        let mut new = String::new();
        for h in r.hunks(context) {
            for l in h.lines {
                match l.tag {
                    LineTag::Context => {
                        old.push_str(l.text);
                        old.push('\n');
                        new.push_str(l.text);
                        new.push('\n');
                    }
                    LineTag::Removed => {
                        old.push_str(l.text);
                        old.push('\n');
                    }
                    LineTag::Added => {
                        new.push_str(l.text);
                        new.push('\n');
                    }
                }
            }
        }
        (old, new)
    }

    #[test]
    fn segments_rebuild_both_texts() {
        let c = clean(DOC);
        let r = Review::new(DOC, &c);
        let (mut a, mut b) = (String::new(), String::new());
        for s in r.segments() {
            match s {
                Segment::Same(t) => {
                    a.push_str(t);
                    b.push_str(t);
                }
                Segment::Edit { before, after, .. } => {
                    a.push_str(before);
                    b.push_str(after);
                }
            }
        }
        assert_eq!(a, DOC);
        assert_eq!(b, c.text);
        assert_eq!(apply_splices(DOC, &c.splices), c.text);
    }

    #[test]
    fn removed_lines_carry_their_rules() {
        let c = clean(DOC);
        let r = Review::new(DOC, &c);
        let hunks = r.hunks(3);
        let lines: Vec<&HunkLine> = hunks.iter().flat_map(|h| &h.lines).collect();
        let url = lines.iter().find(|l| l.text.starts_with("https://")).expect("the url line is shown");
        assert_eq!(url.tag, LineTag::Removed);
        assert!(url.rules.iter().any(|r| &**r == "url-line"), "{:?}", url.rules);
        assert_eq!(url.emphasis, vec![0..url.text.len()]);
        let rel = lines.iter().find(|l| l.text.starts_with("Related article")).unwrap();
        assert_eq!(rel.tag, LineTag::Removed);
        assert!(rel.rules.iter().any(|r| &**r == "related-article"), "{:?}", rel.rules);
        // Every hunk names the rules that made it.
        let all: Vec<&str> = hunks.iter().flat_map(|h| h.rules.iter().map(|r| &**r)).collect();
        assert!(all.contains(&"url-line") && all.contains(&"related-article"), "{all:?}");
        assert!(hunks.iter().all(|h| !h.rules.is_empty()));
    }

    #[test]
    fn a_rejoined_word_is_emphasised_whole() {
        let c = clean(DOC);
        let r = Review::new(DOC, &c);
        let hunks = r.hunks(0);
        let lines: Vec<&HunkLine> = hunks.iter().flat_map(|h| &h.lines).collect();
        let old = lines.iter().find(|l| l.tag == LineTag::Removed && l.text == "The eco-").unwrap();
        assert_eq!(&old.text[old.emphasis[0].clone()], "eco-");
        let new =
            lines.iter().find(|l| l.tag == LineTag::Added && l.text.contains("economic outlook")).unwrap();
        assert!(new.emphasis.iter().any(|e| &new.text[e.clone()] == "economic"), "{:?}", new.emphasis);
    }

    #[test]
    fn both_sides_of_a_full_context_diff_are_the_texts() {
        for doc in [DOC, "a\nb\n", "", "x", "one\ntwo", "  lead\n\n\n\ntrail  \n\n"] {
            let c = clean(doc);
            let r = Review::new(doc, &c);
            if r.is_empty() {
                assert!(r.hunks(3).is_empty());
                continue;
            }
            let (old, new) = sides(&r, usize::MAX / 4);
            let norm =
                |s: &str| if s.ends_with('\n') || s.is_empty() { s.to_string() } else { format!("{s}\n") };
            assert_eq!(old, norm(doc), "{doc:?}");
            assert_eq!(new, norm(&c.text), "{doc:?}");
        }
    }

    #[test]
    fn regions_are_exact_on_hand_made_logs() {
        // Join two lines: the old two lines against the one new line.
        let c = Cleaned {
            text: "A B\nC\n".into(),
            changes: vec![Change {
                rule: "join".into(),
                start: 1,
                end: 2,
                text: "\n".into(),
                replacement: " ".into(),
            }],
            splices: vec![crate::Splice { range: 1..2, replacement: " ".into() }],
        };
        let r = Review::new("A\nB\nC\n", &c);
        let h = r.hunks(0);
        assert_eq!(h.len(), 1);
        assert_eq!((h[0].old.clone(), h[0].new.clone()), (0..2, 0..1));
        assert_eq!(h[0].rules, vec![RuleId::from("join")]);
        // Remove a whole line: nothing added.
        let c = Cleaned {
            text: "A\nC\n".into(),
            changes: vec![Change {
                rule: "cut".into(),
                start: 2,
                end: 4,
                text: "B\n".into(),
                replacement: "".into(),
            }],
            splices: vec![crate::Splice { range: 2..4, replacement: "".into() }],
        };
        let r = Review::new("A\nB\nC\n", &c);
        let h = r.hunks(1);
        let tags: Vec<(LineTag, &str)> = h[0].lines.iter().map(|l| (l.tag, l.text)).collect();
        assert_eq!(tags, vec![(LineTag::Context, "A"), (LineTag::Removed, "B"), (LineTag::Context, "C")]);
        assert_eq!(h[0].lines[1].rules, vec![RuleId::from("cut")]);
    }

    #[test]
    fn pieces_name_each_artefact_of_a_merged_span() {
        let c = clean(DOC);
        let r = Review::new(DOC, &c);
        let url = r.spans.iter().find(|s| r.input[s.input.clone()].contains("https://")).unwrap();
        let pieces = r.pieces(url);
        assert_eq!(pieces.first().unwrap().0.start, url.input.start);
        assert_eq!(pieces.last().unwrap().0.end, url.input.end);
        let named: Vec<(&str, &str)> =
            pieces.iter().filter_map(|(p, rule)| rule.as_ref().map(|r| (&**r, &DOC[p.clone()]))).collect();
        assert!(named.iter().any(|(r, t)| *r == "url-line" && t.starts_with("https://")), "{named:?}");
    }

    #[test]
    fn one_rule_alone() {
        let c = clean(DOC);
        let r = Review::for_rule(DOC, &c, "url-line");
        assert!(!r.output.contains("https://"));
        assert!(r.output.contains("Related article"), "other rules' edits are not applied");
        let h = r.hunks(0);
        assert!(h.iter().all(|h| h.rules == vec![RuleId::from("url-line")]));
        assert!(Review::for_rule(DOC, &c, "no-such-rule").is_empty());
    }

    #[test]
    fn json_edits_are_the_changes() {
        let c = clean(DOC);
        let all: Vec<EditJson> = edits_json("doc", &c, None).collect();
        assert_eq!(all.len(), c.changes.len());
        let url: Vec<EditJson> = edits_json("doc", &c, Some("url-line")).collect();
        assert_eq!(url.len(), 1);
        assert!(url[0].before.contains("https://news.example/author/jane-doe"));
        let v = serde_json::to_value(&url[0]).unwrap();
        assert_eq!(v["id"], "doc");
        assert_eq!(v["range"].as_array().unwrap().len(), 2);
    }
}
