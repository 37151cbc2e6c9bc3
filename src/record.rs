//! The `textwash` object of an output record: what was removed, by which rule, and where.

use serde::Serialize;

use crate::decode::Decoded;
use crate::edit::{Change, RuleId};
use crate::pipeline::Cleaned;

/// One removal or replacement listed in the record. White-space-only edits (line joins, collapsed
/// spaces) are counted per rule but not listed.
#[derive(Debug, Serialize)]
pub struct Removed<'a> {
    pub rule: RuleId,
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
    /// Edits per rule, white-space edits included, in name order (each name once): written as a
    /// map. (A `BTreeMap` cost as much to build as the rest of the report.)
    #[serde(serialize_with = "as_map")]
    pub counts: Vec<(RuleId, usize)>,
    pub input_chars: usize,
    pub output_chars: usize,
}

impl<'a> Report<'a> {
    pub fn new(input: &str, cleaned: &'a Cleaned, encoding: &'a str, replaced_chars: usize) -> Self {
        // One walk over the edits for both the list (`Cleaned::removed`) and the counts
        // (`Cleaned::counts`). Each pass logs its edits rule by rule, so the counts go by runs of one
        // rule, added up in a short list of the record's few rules, found by the rule id (an address:
        // ids are interned, see `RuleId`).
        let mut listed: Vec<&'a Change> = Vec::with_capacity(cleaned.changes.len());
        let mut sums: Vec<(RuleId, usize)> = Vec::with_capacity(16);
        let slot = |sums: &mut Vec<(RuleId, usize)>, rule: RuleId| {
            sums.iter().position(|(r, _)| *r == rule).unwrap_or_else(|| {
                sums.push((rule, 0));
                sums.len() - 1
            })
        };
        // The run's rule, where it is summed, and its length so far; and the rule and place of the
        // run before it. Passes often alternate two rules (line joins and paragraph breaks, say), and
        // then a new run finds its place without a search (b5: 27,000 runs in 79,000 edits).
        if let Some(first) = cleaned.changes.first() {
            let mut run = (first.rule, slot(&mut sums, first.rule), 0);
            let mut before = (first.rule, run.1);
            for c in &cleaned.changes {
                if run.0 != c.rule {
                    sums[run.1].1 += run.2;
                    let k = if before.0 == c.rule { before.1 } else { slot(&mut sums, c.rule) };
                    before = (run.0, run.1);
                    run = (c.rule, k, 0);
                }
                run.2 += 1;
                if !c.is_whitespace_only() {
                    listed.push(c);
                }
            }
            sums[run.1].1 += run.2;
        }
        // In name order, as a map writes them (the names are unique). Compared first by their first
        // eight bytes, zero-padded, as a big-endian number: where those differ, they differ as the
        // names do (a name that ends first has zeros where the other has bytes, and a zero byte
        // inside a name ties with the pad, so the whole names decide). Comparing the names alone
        // called `memcmp` for each pair: 1,350 instructions a record, now a fifth of that.
        let prefix = |name: &str| match name.as_bytes().first_chunk::<8>() {
            Some(first) => u64::from_be_bytes(*first),
            None => name.bytes().fold(0u64, |k, b| k << 8 | u64::from(b)) << (8 * (8 - name.len())),
        };
        sums.sort_unstable_by(|a, b| prefix(&a.0).cmp(&prefix(&b.0)).then_with(|| a.0.cmp(&b.0)));
        // In reading order, whichever pass removed what (a stable sort: equal spans keep the log's
        // order). Sorted as references, an eighth of the size of a `Removed` to move.
        let removed = sort_by_span(listed)
            .into_iter()
            .map(|c| Removed {
                rule: c.rule,
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
            counts: sums,
            input_chars: char_count(input),
            output_chars: char_count(&cleaned.text),
        }
    }

    /// Appends the report as JSON, byte for byte what `serde_json::to_writer` writes for it (a test
    /// holds the two together), without serde's byte-at-a-time string escaping: the removed strings
    /// are a large part of an output record.
    ///
    /// A report lists a removal every few hundred bytes of text (b5: 27,533 in 508 records), so what
    /// goes around the removed strings counts: each removal reserves room once for what comes before
    /// its text and once for what comes after, and writes those pieces into the spare room with
    /// fixed-size stores, where pushing each piece checked the room, and copying the rule's head and
    /// each number called `memcpy` (300 instructions a removal outside the strings, now about 60).
    pub fn write_json(&self, out: &mut Vec<u8>) {
        use crate::json::{put_usize, write_str, write_usize, USIZE_DIGITS};
        out.extend_from_slice(b"{\"encoding\":");
        write_str(out, self.encoding);
        out.extend_from_slice(b",\"replaced_chars\":");
        write_usize(out, self.replaced_chars);
        out.extend_from_slice(b",\"removed\":[");
        // Each removal starts `,{"rule":"NAME","text":` (the first without the comma), made once per
        // rule: a report lists thousands of removals by a dozen rules, and escaping the name each
        // time was a sixth of the report. The rules are told apart by their ids (addresses). A head
        // is followed by `HEAD_ROOM` zeros, so that one fixed-size copy of that many bytes takes a
        // short head whole (the bytes past it are written, not counted, and overwritten by what
        // follows).
        const HEAD_ROOM: usize = 64;
        let mut heads: Vec<(RuleId, Vec<u8>)> = Vec::new();
        for (i, r) in self.removed.iter().enumerate() {
            let head = match heads.iter().position(|(rule, _)| *rule == r.rule) {
                Some(k) => &heads[k].1,
                None => {
                    let mut head = Vec::with_capacity(r.rule.len() + 21 + HEAD_ROOM);
                    head.extend_from_slice(b",{\"rule\":");
                    write_str(&mut head, &r.rule);
                    head.extend_from_slice(b",\"text\":");
                    head.resize(head.len() + HEAD_ROOM, 0);
                    heads.push((r.rule, head));
                    &heads[heads.len() - 1].1
                }
            };
            // The head, without its comma before the first removal.
            let head = &head[usize::from(i == 0)..];
            let head_len = head.len() - HEAD_ROOM;
            out.reserve(HEAD_ROOM);
            match head.first_chunk::<HEAD_ROOM>() {
                // SAFETY: there is room for `HEAD_ROOM` bytes after the `len` written ones; the first
                // `head_len` of them are the head's own.
                Some(chunk) if head_len <= HEAD_ROOM => unsafe {
                    let len = out.len();
                    out.as_mut_ptr().add(len).cast::<[u8; HEAD_ROOM]>().write_unaligned(*chunk);
                    out.set_len(len + head_len);
                },
                _ => out.extend_from_slice(&head[..head_len]),
            }
            write_str(out, r.text);
            if !r.replacement.is_empty() {
                out.extend_from_slice(b",\"replacement\":");
                write_str(out, r.replacement);
            }
            // `,"start":S,"end":E}`, each literal written with a store of 16 or 8 bytes (the bytes past
            // the literal not counted, and overwritten by what follows). TAIL_ROOM is an easy bound:
            // the stores reach at most 9 + 20 + 7 + 20 + 1 = 57 bytes.
            const TAIL_ROOM: usize = 16 + USIZE_DIGITS + 8 + USIZE_DIGITS + 1;
            out.reserve(TAIL_ROOM);
            // SAFETY: there is room for `TAIL_ROOM` bytes after the `len` written ones, and the
            // stores stay within it (above); `len` counts only the bytes meant.
            unsafe {
                let mut len = out.len();
                let to = out.as_mut_ptr();
                to.add(len).cast::<[u8; 16]>().write_unaligned(*b",\"start\":\0\0\0\0\0\0\0");
                len += 9;
                len += put_usize(to.add(len), r.start);
                to.add(len).cast::<[u8; 8]>().write_unaligned(*b",\"end\":\0");
                len += 7;
                len += put_usize(to.add(len), r.end);
                to.add(len).write(b'}');
                out.set_len(len + 1);
            }
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

/// Serialises the counts as the map they are.
fn as_map<S: serde::Serializer>(counts: &[(RuleId, usize)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(counts.iter().map(|(rule, n)| (rule, n)))
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
/// -64 as an `i8`). The input and the cleaned text are most of a record, so this counts 32 bytes a
/// step with AVX2 where the processor has it (about 0.1 instructions a byte), and otherwise in
/// blocks the compiler turns into SSE2 compares and subtractions (about a quarter), where
/// `chars().count()` took one.
fn char_count(s: &str) -> usize {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if s.len() >= 128 && std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2 (just checked).
        return unsafe { char_count_avx2(s.as_bytes()) };
    }
    char_count_in_blocks(s.as_bytes())
}

/// [`char_count`] in blocks of 192 bytes, counted into one `u8` each (at most 192, so it cannot
/// wrap).
fn char_count_in_blocks(bytes: &[u8]) -> usize {
    let mut blocks = bytes.chunks_exact(192);
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

/// [`char_count`] with AVX2: each of the 32 byte lanes counts the characters that start in it, eight
/// steps of 32 bytes a round, up to 31 rounds (248, so a lane cannot wrap) before the lanes are
/// added up; then fewer than eight steps (255 at most), and the last bytes one by one.
///
/// # Safety
/// The processor must have AVX2.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "avx2")]
unsafe fn char_count_avx2(bytes: &[u8]) -> usize {
    use std::arch::x86_64::{
        __m256i, _mm256_add_epi64, _mm256_castsi256_si128, _mm256_cmpgt_epi8, _mm256_extracti128_si256,
        _mm256_loadu_si256, _mm256_sad_epu8, _mm256_set1_epi8, _mm256_setzero_si256, _mm256_sub_epi8,
        _mm_add_epi64, _mm_cvtsi128_si64, _mm_unpackhi_epi64,
    };
    // A byte that starts a character is above -65 as an `i8`: the compare makes it -1, which each
    // step takes from its lane.
    let step = |lanes: __m256i, at: &[u8; 32]| {
        // SAFETY: AVX2 is there (the caller), and the load reads the 32 bytes of `at`.
        unsafe {
            let starts = _mm256_cmpgt_epi8(_mm256_loadu_si256(at.as_ptr().cast()), _mm256_set1_epi8(-65));
            _mm256_sub_epi8(lanes, starts)
        }
    };
    // The lanes' sums, eight at a time, in four 64-bit lanes.
    let sum = |lanes: __m256i| _mm256_sad_epu8(lanes, _mm256_setzero_si256());
    let mut total = _mm256_setzero_si256();
    let mut lanes = _mm256_setzero_si256();
    let mut rounds = bytes.chunks_exact(256);
    let mut k = 0;
    for round in rounds.by_ref() {
        for at in round.chunks_exact(32) {
            lanes = step(lanes, at.try_into().expect("32 bytes"));
        }
        k += 1;
        if k == 31 {
            total = _mm256_add_epi64(total, sum(lanes));
            lanes = _mm256_setzero_si256();
            k = 0;
        }
    }
    let mut steps = rounds.remainder().chunks_exact(32);
    for at in steps.by_ref() {
        lanes = step(lanes, at.try_into().expect("32 bytes"));
    }
    total = _mm256_add_epi64(total, sum(lanes));
    let half = _mm_add_epi64(_mm256_castsi256_si128(total), _mm256_extracti128_si256::<1>(total));
    let n = _mm_cvtsi128_si64(_mm_add_epi64(half, _mm_unpackhi_epi64(half, half))) as usize;
    n + steps.remainder().iter().filter(|&&b| b as i8 >= -64).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counts by name, as `Cleaned::counts` gives them.
    fn names(counts: &[(RuleId, usize)]) -> Vec<(&'static str, usize)> {
        counts.iter().map(|(r, n)| (r.as_str(), *n)).collect()
    }

    proptest::proptest! {
        #[test]
        fn char_count_is_chars_count(s in "(?s).{0,500}", ascii in "[ -~\\n]{0,400}", n in 0usize..40) {
            // Long enough for many rounds of the AVX2 count (63 rounds are 8,064 bytes).
            let long = format!("{s}{ascii}").repeat(n * 4 + 1);
            for t in [s.as_str(), ascii.as_str(), &s.repeat(3), &format!("{ascii}{s}{ascii}"), &long] {
                proptest::prop_assert_eq!(char_count(t), t.chars().count());
                proptest::prop_assert_eq!(char_count_in_blocks(t.as_bytes()), t.chars().count());
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
                    rule: RuleId::from("r"),
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

    proptest::proptest! {
        /// The counts are `Cleaned::counts`, whatever the order of the rules in the log, with a name
        /// given twice (`b`) counted as one rule.
        #[test]
        fn counts_are_cleaneds(rules in proptest::collection::vec(0usize..5, 0..80)) {
            let ids = ["a", "b", "c", "b", "d"].map(RuleId::from);
            let changes = rules
                .iter()
                .enumerate()
                .map(|(i, &r)| Change {
                    rule: ids[r],
                    start: i,
                    end: i + 1,
                    text: if i % 3 == 0 { "\n".into() } else { "x".into() },
                    replacement: "".into(),
                })
                .collect();
            let cleaned = Cleaned { text: "x".repeat(5), changes, splices: vec![] };
            let report = Report::new("", &cleaned, "UTF-8", 0);
            proptest::prop_assert_eq!(names(&report.counts), cleaned.counts().into_iter().collect::<Vec<_>>());
            let listed: Vec<_> = cleaned.removed().map(|c| c.start).collect();
            proptest::prop_assert_eq!(report.removed.iter().map(|r| r.start).collect::<Vec<_>>(), listed);
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
        assert_eq!(names(&report.counts), cleaned.counts().into_iter().collect::<Vec<_>>());
        let mut listed: Vec<_> = cleaned.removed().map(|c| (c.start, c.end, &*c.rule, &*c.text)).collect();
        listed.sort_by_key(|r| (r.0, r.1));
        let ours: Vec<_> = report.removed.iter().map(|r| (r.start, r.end, r.rule.as_str(), r.text)).collect();
        assert_eq!(ours, listed);
        report.removed.push(Removed {
            rule: RuleId::from("x\\y"),
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
            counts: Vec::new(),
            input_chars: 0,
            output_chars: 0,
        };
        let mut ours = Vec::new();
        empty.write_json(&mut ours);
        assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&empty).unwrap());
    }
}
