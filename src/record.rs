//! The `textwash` object of an output record: what was removed, by which rule, and where.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::decode::Decoded;
use crate::edit::{Change, RuleId};
use crate::pipeline::Cleaned;

/// One removal or replacement listed in the record. White-space-only edits (line joins, collapsed
/// spaces) are counted per rule but not listed.
#[derive(Debug, Serialize)]
pub struct Removed<'a> {
    pub rule: &'a str,
    /// What was removed, as the rule saw it.
    pub text: &'a str,
    /// What replaced it, when it was not a plain removal.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub replacement: &'a str,
    /// Byte offsets of the removed text in the (decoded) input text.
    pub start: usize,
    pub end: usize,
}

/// The record's `textwash` field.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    /// The encoding the input was decoded from (`UTF-8` for JSONL input).
    pub encoding: &'a str,
    /// How many invalid byte sequences became U+FFFD.
    pub replaced_chars: usize,
    pub removed: Vec<Removed<'a>>,
    /// Edits per rule, white-space edits included.
    pub counts: BTreeMap<&'a str, usize>,
    pub input_chars: usize,
    pub output_chars: usize,
}

impl<'a> Report<'a> {
    pub fn new(input: &str, cleaned: &'a Cleaned, encoding: &'a str, replaced_chars: usize) -> Self {
        // One walk over the edits for both the list (`Cleaned::removed`) and the counts
        // (`Cleaned::counts`). Each pass logs its edits rule by rule, so the counts go by runs of one
        // rule, added up in a short list of the record's few rules. A run goes on while the rule is
        // the same shared id; two ids with one name (if ever) make two runs, which `add` sums under
        // the one name, found by address first and by name only for a rule new to the list.
        let mut listed: Vec<&'a Change> = Vec::with_capacity(cleaned.changes.len());
        let mut sums: Vec<(&'a str, usize)> = Vec::with_capacity(16);
        let mut add = |rule: &'a str, n: usize| {
            let at = sums.iter().position(|(r, _)| std::ptr::eq(*r, rule));
            match at.or_else(|| sums.iter().position(|(r, _)| *r == rule)) {
                Some(k) => sums[k].1 += n,
                None => sums.push((rule, n)),
            }
        };
        let mut run: Option<(&'a RuleId, usize)> = None;
        for c in &cleaned.changes {
            match &mut run {
                Some((rule, n)) if Arc::ptr_eq(rule, &c.rule) => *n += 1,
                _ => {
                    if let Some((rule, n)) = run {
                        add(rule, n);
                    }
                    run = Some((&c.rule, 1));
                }
            }
            if !c.is_whitespace_only() {
                listed.push(c);
            }
        }
        if let Some((rule, n)) = run {
            add(rule, n);
        }
        // In reading order, whichever pass removed what (a stable sort: equal spans keep the log's
        // order). Sorted as references, an eighth of the size of a `Removed` to move.
        let removed = sort_by_span(listed)
            .into_iter()
            .map(|c| Removed {
                rule: &c.rule,
                text: &c.text,
                replacement: &c.replacement,
                start: c.start,
                end: c.end,
            })
            .collect();
        Report {
            encoding,
            replaced_chars,
            removed,
            counts: sums.into_iter().collect(),
            input_chars: char_count(input),
            output_chars: char_count(&cleaned.text),
        }
    }

    /// Appends the report as JSON, byte for byte what `serde_json::to_writer` writes for it (a test
    /// holds the two together), without serde's byte-at-a-time string escaping: the removed strings
    /// are a large part of an output record.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        use crate::json::{write_str, write_usize};
        out.extend_from_slice(b"{\"encoding\":");
        write_str(out, self.encoding);
        out.extend_from_slice(b",\"replaced_chars\":");
        write_usize(out, self.replaced_chars);
        out.extend_from_slice(b",\"removed\":[");
        // Each removal starts `{"rule":"NAME","text":`, made once per rule: a report lists thousands
        // of removals by a dozen rules, and escaping the name each time was a sixth of the report.
        // The rules are told apart by address (one rule's removals share its name); two copies of a
        // name get a head each, the same bytes.
        let mut heads: Vec<(&str, Vec<u8>)> = Vec::new();
        for (i, r) in self.removed.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let head = match heads.iter().position(|(rule, _)| std::ptr::eq(*rule, r.rule)) {
                Some(k) => &heads[k].1,
                None => {
                    // Room for the name with its quotes: no growing.
                    let mut head = Vec::with_capacity(r.rule.len() + 20);
                    head.extend_from_slice(b"{\"rule\":");
                    write_str(&mut head, r.rule);
                    head.extend_from_slice(b",\"text\":");
                    heads.push((r.rule, head));
                    &heads[heads.len() - 1].1
                }
            };
            out.extend_from_slice(head);
            write_str(out, r.text);
            if !r.replacement.is_empty() {
                out.extend_from_slice(b",\"replacement\":");
                write_str(out, r.replacement);
            }
            out.extend_from_slice(b",\"start\":");
            write_usize(out, r.start);
            out.extend_from_slice(b",\"end\":");
            write_usize(out, r.end);
            out.push(b'}');
        }
        out.extend_from_slice(b"],\"counts\":{");
        for (i, (rule, n)) in self.counts.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_str(out, rule);
            out.push(b':');
            write_usize(out, *n);
        }
        out.extend_from_slice(b"},\"input_chars\":");
        write_usize(out, self.input_chars);
        out.extend_from_slice(b",\"output_chars\":");
        write_usize(out, self.output_chars);
        out.push(b'}');
    }

    pub fn from_decoded(d: &'a Decoded, cleaned: &'a Cleaned) -> Self {
        Self::new(&d.text, cleaned, d.encoding, d.replaced)
    }
}

/// `listed` sorted by span, `(start, end)`, stably: what `sort_by_key` makes of it. Each pass logs its
/// changes in reading order, so the list is a few runs already in order (b5: about 40 changes a
/// record, in two to four runs), which are merged pairwise here, a compare and a move a change, where
/// the library's sort took ten times that on so few and short runs. Many runs go to the library sort.
fn sort_by_span(mut listed: Vec<&Change>) -> Vec<&Change> {
    let key = |c: &Change| (c.start, c.end);
    // Where each run starts, and the end.
    let mut runs = vec![0];
    for (i, w) in listed.windows(2).enumerate() {
        if key(w[1]) < key(w[0]) {
            runs.push(i + 1);
            if runs.len() > 8 {
                listed.sort_by_key(|c| key(c));
                return listed;
            }
        }
    }
    runs.push(listed.len());
    let mut merged: Vec<&Change> = Vec::with_capacity(listed.len());
    while runs.len() > 2 {
        // Runs 0 and 1 merged, 2 and 3, ...; a last odd run is copied.
        merged.clear();
        let mut next = vec![0];
        for k in (0..runs.len() - 1).step_by(2) {
            let (a, m) = (runs[k], runs[k + 1]);
            let b = runs.get(k + 2).copied().unwrap_or(m);
            let (mut i, mut j) = (a, m);
            while i < m && j < b {
                // Stable: the left run's change first when the spans are equal.
                if key(listed[j]) < key(listed[i]) {
                    merged.push(listed[j]);
                    j += 1;
                } else {
                    merged.push(listed[i]);
                    i += 1;
                }
            }
            merged.extend_from_slice(&listed[i..m]);
            merged.extend_from_slice(&listed[j..b]);
            next.push(b);
        }
        std::mem::swap(&mut listed, &mut merged);
        runs = next;
    }
    listed
}

/// How many characters `s` has: its bytes less its UTF-8 continuation bytes (`0b10xx_xxxx`, below
/// -64 as an `i8`). Counted in blocks of 192 bytes into one `u8` (at most 192, so it cannot wrap),
/// a loop the compiler turns into vector compares and subtractions: about a quarter of an instruction
/// a byte, where `chars().count()` took one. The input and the cleaned text are most of a record.
fn char_count(s: &str) -> usize {
    let mut blocks = s.as_bytes().chunks_exact(192);
    let mut n = 0;
    for block in blocks.by_ref() {
        let mut k = 0u8;
        for &b in block {
            k += u8::from(b as i8 >= -64);
        }
        n += usize::from(k);
    }
    n + blocks.remainder().iter().filter(|&&b| b as i8 >= -64).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn char_count_is_chars_count(s in "(?s).{0,500}", ascii in "[ -~\\n]{0,400}") {
            for t in [s.as_str(), ascii.as_str(), &s.repeat(3), &format!("{ascii}{s}{ascii}")] {
                proptest::prop_assert_eq!(char_count(t), t.chars().count());
            }
        }
    }

    proptest::proptest! {
        /// The run merge is the library's stable sort, on lists of few runs and of many.
        #[test]
        fn sort_by_span_is_a_stable_sort(spans in proptest::collection::vec((0usize..12, 0usize..3), 0..60)) {
            let changes: Vec<Change> = spans
                .iter()
                .map(|&(start, len)| Change {
                    rule: Arc::from("r"),
                    start,
                    end: start + len,
                    text: "".into(),
                    replacement: "".into(),
                })
                .collect();
            // Few runs: the spans in up to four sorted stretches.
            let mut few: Vec<&Change> = changes.iter().collect();
            for part in few.chunks_mut(15) {
                part.sort_by_key(|c| (c.start, c.end));
            }
            for listed in [few, changes.iter().collect()] {
                let mut expected = listed.clone();
                expected.sort_by_key(|c| (c.start, c.end));
                let ours = sort_by_span(listed);
                // The same changes in the same order, told apart by address (equal spans too).
                let at = |v: &[&Change]| v.iter().map(|c| std::ptr::from_ref(*c) as usize).collect::<Vec<_>>();
                proptest::prop_assert_eq!(at(&ours), at(&expected));
            }
        }
    }

    #[test]
    fn the_hand_written_json_is_serde_jsons() {
        let input = "Title\nBy Jane \"JD\" Doe\n\nﬁrst line of a para-\ngraph, then a tab\there.\x0c2\nRelated: more\n";
        let cleaned = crate::Pipeline::default_pipeline().clean(input);
        let mut report = Report::new(input, &cleaned, "UTF-8", 3);
        assert!(!report.removed.is_empty() && !report.counts.is_empty());
        // The one walk over the edits gives what `Cleaned` says: its counts, and its removals in
        // reading order.
        assert_eq!(report.counts, cleaned.counts());
        let mut listed: Vec<_> = cleaned.removed().map(|c| (c.start, c.end, &*c.rule, &*c.text)).collect();
        listed.sort_by_key(|r| (r.0, r.1));
        let ours: Vec<_> = report.removed.iter().map(|r| (r.start, r.end, r.rule, r.text)).collect();
        assert_eq!(ours, listed);
        report.removed.push(Removed {
            rule: "x\\y",
            text: "\u{1}\u{2028}é",
            replacement: "\"",
            start: 1,
            end: 2,
        });
        let mut ours = Vec::new();
        report.write_json(&mut ours);
        assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&report).unwrap());
        let empty = Report {
            encoding: "windows-1252",
            replaced_chars: 0,
            removed: vec![],
            counts: BTreeMap::new(),
            input_chars: 0,
            output_chars: 0,
        };
        let mut ours = Vec::new();
        empty.write_json(&mut ours);
        assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&empty).unwrap());
    }
}
