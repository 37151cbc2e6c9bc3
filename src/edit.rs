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

use std::borrow::Cow;
use std::ops::Range;

/// A rule id: the rule's name, interned ([`RuleId::from`]), so that an id is a copy of an address and
/// two ids are equal when their addresses are.
///
/// Every edit and every change carries one, several million in a 500 MB run. As a shared `Arc<str>`
/// each was a reference count raised and lowered, and with two threads cleaning, those counts went
/// from one core's cache to the other's a rule at a time: that took about 2% of a two-thread run's
/// CPU (medians of six alternating pairs of runs, in both orders, on the bench corpus), and
/// `drop_in_place::<Change>` took 46% more samples than with one thread.
///
/// The names are kept for the life of the process, once each: a program building pipelines over and
/// over from the same rules keeps the same few names, whatever the number of pipelines.
#[derive(Clone, Copy)]
pub struct RuleId(&'static str);

impl RuleId {
    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

impl From<&str> for RuleId {
    /// The id named `name`: the same for every call with that name.
    fn from(name: &str) -> RuleId {
        use std::collections::HashSet;
        use std::sync::{Mutex, OnceLock};
        static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
        // A panic elsewhere while the lock was held leaves the set as it was: still good to use.
        let mut names = NAMES.get_or_init(Mutex::default).lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&n) = names.get(name) {
            return RuleId(n);
        }
        let n: &'static str = Box::leak(name.into());
        names.insert(n);
        RuleId(n)
    }
}

impl std::ops::Deref for RuleId {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl PartialEq for RuleId {
    fn eq(&self, other: &RuleId) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}
impl Eq for RuleId {}
impl std::hash::Hash for RuleId {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.0.hash(h)
    }
}
impl PartialOrd for RuleId {
    fn partial_cmp(&self, other: &RuleId) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for RuleId {
    fn cmp(&self, other: &RuleId) -> std::cmp::Ordering {
        self.0.cmp(other.0)
    }
}
impl std::fmt::Debug for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.0, f)
    }
}
impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}
impl serde::Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

/// A piece of text in the log: an edit's replacement, the text a change replaced. Most are a line
/// join's `"\n"` and `" "`, nothing, or a ligature's few letters (b5: 79,002 changes, 42,649 of them
/// `"\n"` -> `" "`): those are borrowed from static copies ([`text`]), which spares a pass an
/// allocation, a copy and a free for each of them. Longer texts (a removed line) are owned.
pub type Text = Cow<'static, str>;

/// Every ASCII character in order: byte `b` is the one-character string `&ASCII[b..b + 1]`.
const ASCII: &str = concat!(
    "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f",
    "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f",
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\x7f",
);

/// Short texts that the default rules' edits make over and over besides single ASCII characters:
/// paragraph breaks, hyphenated line ends, the ligatures and what they become.
const COMMON: [&str; 14] =
    ["\n\n", "\n\n\n", "-\n", " \n", "ff", "fi", "fl", "ffi", "ffl", "st", "ﬀ", "ﬁ", "ﬂ", "ﬃ"];

/// The length of the longest [`COMMON`] text (and of a one-character ASCII text): no longer text has
/// a static copy.
const LONGEST_COMMON: usize = 3;

/// The static copy of `s` when there is one ([`Text`]): the empty string, one ASCII character, or one
/// of the [`COMMON`] texts.
///
/// Inline, because the first two cases are most of the calls (every line join's `"\n"` and `" "`)
/// and each takes a compare or two; the search of [`COMMON`] is a call ([`common_short`]).
#[inline]
fn common(s: &str) -> Option<&'static str> {
    common_bytes(s.as_bytes())
}

/// [`common`] of the text whose bytes are `s`.
#[inline]
fn common_bytes(s: &[u8]) -> Option<&'static str> {
    match s {
        [] => Some(""),
        &[b] if b.is_ascii() => Some(&ASCII[b as usize..b as usize + 1]),
        s if s.len() <= LONGEST_COMMON => common_short(s),
        _ => None,
    }
}

/// The [`COMMON`] text whose bytes are `s`, if any.
#[inline(never)]
fn common_short(s: &[u8]) -> Option<&'static str> {
    COMMON.iter().find(|c| c.as_bytes() == s).copied()
}

/// `s` as a [`Text`]: borrowed from a static copy when there is one, else copied.
#[inline]
pub fn text(s: &str) -> Text {
    common(s).map_or_else(|| Cow::Owned(s.to_owned()), Cow::Borrowed)
}

/// What [`Edits::push`] takes as a replacement: a string, borrowed or owned. A short common one is
/// kept as its static copy ([`Text`]), whichever way it comes.
pub trait IntoText {
    fn into_text(self) -> Text;
}

impl IntoText for &str {
    fn into_text(self) -> Text {
        text(self)
    }
}

impl IntoText for &String {
    fn into_text(self) -> Text {
        text(self)
    }
}

impl IntoText for String {
    fn into_text(self) -> Text {
        common(&self).map_or(Cow::Owned(self), Cow::Borrowed)
    }
}

impl IntoText for Text {
    fn into_text(self) -> Text {
        match self {
            Cow::Borrowed(_) => self,
            Cow::Owned(s) => s.into_text(),
        }
    }
}

/// One replacement proposed by a pass, in byte positions of the text that pass was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: Text,
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
    pub text: Text,
    /// What it put there instead (empty for a removal).
    pub replacement: Text,
}

impl Change {
    /// True when the change only touches white space (a line join, a collapsed run of spaces).
    ///
    /// Asked of every change of every record (the report lists the others), so the common cases are
    /// told inline, without a call: a line join replaces one white-space byte with one or none, a
    /// removed line starts with an ASCII byte that is not white space.
    #[inline]
    pub fn is_whitespace_only(&self) -> bool {
        // The ASCII white space of `char::is_whitespace`: tab to carriage return, and the space.
        let space = |b: u8| matches!(b, b'\t'..=b'\r' | b' ');
        match (self.text.as_bytes(), self.replacement.as_bytes()) {
            (&[a], &[]) => space(a),
            (&[a], &[b]) => space(a) && space(b),
            (&[a, ..], _) if a.is_ascii() && !space(a) => false,
            _ => all_whitespace(&self.text) && all_whitespace(&self.replacement),
        }
    }
}

/// Whether `s` is all white space (`char::is_whitespace`), told on bytes while they are ASCII
/// ([`ascii_whitespace`]).
///
/// Inline: the changes that get here are mostly a paragraph break's `"\n\n"` (b5: 27,700 calls),
/// which the byte loop answers in a few steps; only text with a byte above 0x7F goes out of line.
#[inline]
fn all_whitespace(s: &str) -> bool {
    ascii_whitespace(s).unwrap_or_else(|| chars_whitespace(s))
}

/// `s.chars().all(char::is_whitespace)`, out of line: [`all_whitespace`] of non-ASCII text.
#[inline(never)]
fn chars_whitespace(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

/// Whether `s` is all white space (`char::is_whitespace`), told on bytes while they are ASCII: `None`
/// when a byte above 0x7F comes before the answer. A removed line's first byte answers `false`, a line
/// join's one or two bytes `true`: [`all_whitespace`], without decoding characters.
#[inline]
fn ascii_whitespace(s: &str) -> Option<bool> {
    for &b in s.as_bytes() {
        if !b.is_ascii() {
            return None;
        }
        // The ASCII white space of `char::is_whitespace`: tab to carriage return, and the space.
        if !matches!(b, b'\t'..=b'\r' | b' ') {
            return Some(false);
        }
    }
    Some(true)
}

/// A step of the composed log: replace `range` of the input by `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Splice {
    pub range: Range<usize>,
    pub replacement: Text,
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

    /// No edits, kept in `buffer` (cleared), so that the passes of a document share one allocation.
    pub fn reusing(mut buffer: Vec<Edit>) -> Self {
        buffer.clear();
        Edits { edits: buffer }
    }

    /// The edits as pushed, to reuse the buffer ([`Edits::reusing`]).
    pub fn into_vec(self) -> Vec<Edit> {
        self.edits
    }

    /// Proposes replacing `range` by `replacement`. Edits may be pushed in any order; overlapping
    /// edits are resolved in [`Edits::into_sorted`] (the first one pushed wins).
    #[inline]
    pub fn push(&mut self, range: Range<usize>, replacement: impl IntoText, rule: &RuleId) {
        debug_assert!(range.start <= range.end);
        self.edits.push(Edit { range, replacement: replacement.into_text(), rule: *rule });
    }

    /// Proposes removing `range`.
    pub fn remove(&mut self, range: Range<usize>, rule: &RuleId) {
        self.push(range, "", rule);
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    pub fn len(&self) -> usize {
        self.edits.len()
    }

    /// The edits sorted by position, with no-ops and overlaps dropped, ranges checked against `text`.
    pub fn into_sorted(mut self, text: &str) -> Vec<Edit> {
        let key = |e: &Edit| (e.range.start, e.range.end);
        // Stable sort: among edits at the same place, the one pushed first stays first. Most passes
        // push their edits in reading order, which one look tells.
        if !self.edits.windows(2).all(|w| key(&w[0]) <= key(&w[1])) {
            self.edits.sort_by_key(key);
        }
        // The range of the last edit kept.
        let mut last: Option<Range<usize>> = None;
        self.edits.retain(|e| {
            // `get` is `None` exactly when the range is out of the text or off its char boundaries
            // (or backwards, which `push` rules out).
            let Some(seen) = text.get(e.range.clone()) else { off_boundaries(e) };
            // A line join's one byte for one byte is told without a call to compare memory.
            let same = match (seen.as_bytes(), e.replacement.as_bytes()) {
                (&[a], &[b]) => a == b,
                (a, b) => a == b,
            };
            if same {
                return false;
            }
            if let Some(last) = &last {
                let overlaps = e.range.start < last.end
                    || (e.range.start == last.end && e.range.is_empty() && last.is_empty());
                if overlaps {
                    return false;
                }
            }
            last = Some(e.range.clone());
            true
        });
        self.edits
    }
}

/// The panic of [`Edits::into_sorted`] for an edit off the text, out of the way of its loop.
#[cold]
#[inline(never)]
fn off_boundaries(e: &Edit) -> ! {
    panic!("rule {} proposed an edit {:?} off the text's char boundaries", e.rule, e.range)
}

/// Applies sorted, non-overlapping edits to `text`.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    apply_edits_from(text, 0, edits)
}

/// Applies sorted, non-overlapping edits that all lie at or after `from` to `text`, and returns the
/// new text from `from` on: `text[..from]` followed by it is [`apply_edits`]. A pass that edits only
/// the end of a long text (the edge trim of the white-space stage, on every document) then copies
/// only what follows its first edit, not the whole text.
pub fn apply_edits_from(text: &str, from: usize, edits: &[Edit]) -> String {
    debug_assert!(!edits.first().is_some_and(|e| e.range.start < from));
    // Room for the text as it is, without summing the edits' size changes first: most passes
    // shorten it (a joined hyphen, a removed line, a ligature's three bytes for two) or keep its
    // length (a line join's space); one that lengthens it grows the string.
    let mut out = String::with_capacity(text.len() - from);
    let mut at = from;
    for e in edits {
        out.push_str(&text[at..e.range.start]);
        // Most replacements are a line join's space or nothing: pushed without a call to copy them.
        match e.replacement.as_bytes() {
            [] => {}
            &[b] if b.is_ascii() => out.push(char::from(b)),
            _ => out.push_str(&e.replacement),
        }
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
/// The edits are taken out of `edits`, which is left empty for the next pass to reuse.
///
/// Edits and old splices that overlap or touch in `current` form one cluster, which becomes one
/// splice: its input range is the cluster's range in `current` mapped back (everything outside the
/// old splices is unchanged input), and its replacement is that stretch of `current` with the edits
/// applied. A cluster may hold any number of edits and old splices (a later edit can fall inside the
/// text an earlier one of the same pass merged with), which is why clusters are grown to a fixed
/// point rather than built one edit at a time (issue 7: a `\u{2028}` + NFC + ligature input put a
/// splice inside a character). Both lists are sorted, so this is one linear walk.
///
/// Most edits (a line join, a removed line) touch neither an earlier splice nor the next edit: such an
/// edit is its own cluster, its splice is the edit itself mapped back by one shift, and it skips the
/// cluster machinery ([`compose_cluster`]), in runs of such edits; a proptest holds the two ways
/// together.
pub fn compose(
    splices: Vec<Splice>,
    current: &str,
    edits: &mut Vec<Edit>,
    changes: &mut Vec<Change>,
) -> Vec<Splice> {
    // Every edit becomes one change; a cluster takes at least one edit, so at most this many splices.
    let mut out: Vec<Splice> = Vec::with_capacity(splices.len() + edits.len());
    changes.reserve(edits.len());
    // Both are read ahead through `as_slice`.
    let mut pending = splices.into_iter();
    let mut edits = edits.drain(..);
    // Output position - input position after every old splice taken so far.
    let mut delta: isize = 0;
    // The edits are looked at where they lie and taken out only once their way is known.
    while let Some(e) = edits.as_slice().first() {
        // Old splices wholly before the edit (not touching it) move over unchanged, in one go: a pass
        // that edits a few places of a long log moves most of it.
        let a = e.range.start;
        let rest = pending.as_slice();
        let mut n = 0;
        while n < rest.len() && place(&rest[n], delta).end < a {
            delta += shift(&rest[n]);
            n += 1;
        }
        out.extend(pending.by_ref().take(n));
        // Where the next old splice's replacement starts in `current`: an edit that reaches it
        // touches it.
        let next_old = pending.as_slice().first().map_or(usize::MAX, |s| place(s, delta).start);
        let rest = edits.as_slice();
        let lone = |i: usize| {
            let end = rest[i].range.end;
            end < next_old && rest.get(i + 1).map_or(true, |n| n.range.start > end)
        };
        if !lone(0) {
            compose_cluster(&mut pending, &mut edits, current, &mut delta, changes, &mut out);
            continue;
        }
        // A run of lone edits, each a cluster of its own: clear of the next edit and of the next
        // old splice, so that no old splice moves over between them and `delta` maps both ends
        // of every one of them back to the input. Their splices and changes are written in two
        // sweeps (each written in place, with no check of the room left per edit).
        let mut run = 1;
        while run < rest.len() && lone(run) {
            run += 1;
        }
        let back = |at: usize| (at as isize - delta) as usize;
        out.extend(rest[..run].iter().map(|e| Splice {
            range: back(e.range.start)..back(e.range.end),
            replacement: e.replacement.clone(),
        }));
        changes.extend(edits.by_ref().take(run).map(|e| Change {
            start: back(e.range.start),
            end: back(e.range.end),
            text: text_at(current, e.range),
            rule: e.rule,
            replacement: e.replacement,
        }));
    }
    out.extend(pending);
    out
}

/// [`text`] of `current[range]`, `range` on char boundaries. Most are a line join's one ASCII byte
/// (b5: 42,649 `"\n"`s of 79,002 changes): told from the byte alone, which is the whole character,
/// with a bounds check instead of the two char-boundary checks of slicing the `str`.
#[inline]
fn text_at(current: &str, range: Range<usize>) -> Text {
    match current.as_bytes()[range.clone()] {
        [b] if b.is_ascii() => Cow::Borrowed(&ASCII[b as usize..b as usize + 1]),
        _ => text(&current[range]),
    }
}

/// Where the replacement of old splice `s` stands in `current`, given the shift `delta` before it.
fn place(s: &Splice, delta: isize) -> Range<usize> {
    let os = (s.range.start as isize + delta) as usize;
    os..os + s.replacement.len()
}

/// How much old splice `s` shifts the text after it (output - input).
fn shift(s: &Splice) -> isize {
    s.replacement.len() as isize - s.range.len() as isize
}

/// Grows the cluster that starts with the next edit over the old splices and the edits it touches,
/// to a fixed point, and makes its changes and its splice. Both lists are sorted, so the cluster is
/// the next `k` edits and the next `m` old splices: it is measured and put together where they lie,
/// then its edits are taken into their changes and its old splices dropped.
fn compose_cluster(
    pending: &mut std::vec::IntoIter<Splice>,
    edits: &mut std::vec::Drain<Edit>,
    current: &str,
    delta: &mut isize,
    changes: &mut Vec<Change>,
    out: &mut Vec<Splice>,
) {
    let delta_before = *delta;
    let olds = pending.as_slice();
    let all = edits.as_slice();
    let (mut cs, mut ce) = (all[0].range.start, all[0].range.end);
    let (mut k, mut m) = (1, 0);
    loop {
        let mut grew = false;
        while m < olds.len() && place(&olds[m], *delta).start <= ce {
            let o = place(&olds[m], *delta);
            cs = cs.min(o.start);
            ce = ce.max(o.end);
            *delta += shift(&olds[m]);
            m += 1;
            grew = true;
        }
        while k < all.len() && all[k].range.start <= ce {
            ce = ce.max(all[k].range.end);
            k += 1;
            grew = true;
        }
        if !grew {
            break;
        }
    }
    let (olds, cluster) = (&olds[..m], &all[..k]);
    // The stretch `cs..ce` of `current` with the edits applied. Most clusters' replacements are a
    // short common text ([`text`]): those are put together on the stack and take no allocation.
    // A longer one cannot be common and is built in a string of its exact length.
    let len = cluster.iter().fold(ce - cs, |n, e| n - e.range.len() + e.replacement.len());
    let replacement = if len <= LONGEST_COMMON {
        let mut buf = [0u8; LONGEST_COMMON];
        let mut n = 0;
        cluster_pieces(current, cs..ce, cluster, |s| {
            for &b in s.as_bytes() {
                buf[n] = b;
                n += 1;
            }
        });
        match common_bytes(&buf[..n]) {
            Some(t) => Cow::Borrowed(t),
            None => Cow::Owned(String::from_utf8(buf[..n].to_vec()).expect("whole strs put together")),
        }
    } else {
        let mut s = String::with_capacity(len);
        cluster_pieces(current, cs..ce, cluster, |p| s.push_str(p));
        Cow::Owned(s)
    };
    // Each edit mapped back to the input, widened to whole old splices it reaches into. An old
    // splice's place in `current` is told by the shift before it (`place`), which the two walks
    // carry along. The change takes the edit's replacement: the splice above is built.
    let (mut ps, mut pe) = (0usize, 0usize);
    let (mut shift_s, mut shift_e) = (delta_before, delta_before);
    for e in edits.by_ref().take(k) {
        let (a, b) = (e.range.start, e.range.end);
        while ps < olds.len() && place(&olds[ps], shift_s).end <= a {
            shift_s += shift(&olds[ps]);
            ps += 1;
        }
        let start = match olds.get(ps) {
            Some(o) if place(o, shift_s).start < a => o.range.start,
            _ => (a as isize - shift_s) as usize,
        };
        while pe < olds.len() && place(&olds[pe], shift_e).end <= b {
            shift_e += shift(&olds[pe]);
            pe += 1;
        }
        let end = match olds.get(pe) {
            Some(o) if place(o, shift_e).start < b => o.range.end,
            _ => (b as isize - shift_e) as usize,
        };
        changes.push(Change {
            rule: e.rule,
            start,
            end: end.max(start),
            text: text(&current[a..b]),
            replacement: e.replacement,
        });
    }
    // The old splices in the cluster are spent: the new splice covers them.
    if m > 0 {
        pending.nth(m - 1);
    }
    let in_start = (cs as isize - delta_before) as usize;
    let in_end = (ce as isize - *delta) as usize;
    out.push(Splice { range: in_start..in_end, replacement });
}

/// Hands `put` the pieces of `current[range]` with the (sorted) edits of `cluster` applied, in order.
#[inline]
fn cluster_pieces(current: &str, range: Range<usize>, cluster: &[Edit], mut put: impl FnMut(&str)) {
    let mut at = range.start;
    for e in cluster {
        put(&current[at..e.range.start]);
        put(&e.replacement);
        at = e.range.end;
    }
    put(&current[at..range.end]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_of_one_name_are_one_id() {
        let (a, b, c) = (
            RuleId::from("line-join"),
            RuleId::from(String::from("line-join").as_str()),
            RuleId::from("url-line"),
        );
        assert_eq!(a, b);
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
        assert_ne!(a, c);
        assert!(a < c, "ordered by name");
        assert_eq!(
            (&*a, a.to_string(), format!("{a:?}")),
            ("line-join", "line-join".to_string(), "\"line-join\"".to_string())
        );
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"line-join\"");
    }

    proptest::proptest! {
        #[test]
        fn whitespace_only_is_the_changes(text in "[ \t\n\r\x0b\x0ca.\u{85}\u{a0}\u{3000}é]{0,3}", replacement in "[ \t\n\r\x0b\x0ca.\u{85}\u{a0}\u{3000}é]{0,3}") {
            let plainly = text.chars().all(char::is_whitespace) && replacement.chars().all(char::is_whitespace);
            let c = Change { rule: RuleId::from("r"), start: 0, end: 0, text: text.into(), replacement: replacement.into() };
            proptest::prop_assert_eq!(c.is_whitespace_only(), plainly);
        }
    }

    #[test]
    fn ascii_white_space_is_chars_white_space() {
        for b in 0u8..0x80 {
            let s = char::from(b).to_string();
            assert_eq!(ascii_whitespace(&s), Some(char::from(b).is_whitespace()), "{b}");
        }
        for (s, ws) in [
            ("", Some(true)),
            (" \n\t", Some(true)),
            ("\nx\u{a0}", Some(false)),
            ("\n\u{a0}", None),
            ("\u{2028}", None),
        ] {
            assert_eq!(ascii_whitespace(s), ws, "{s:?}");
        }
    }

    #[test]
    fn static_texts_are_the_texts() {
        for b in 0u8..0x80 {
            let s = char::from(b).to_string();
            assert!(matches!(text(&s), Cow::Borrowed(t) if t == s), "{b}");
        }
        for s in COMMON.iter().copied().chain(["", "x", "\n\n", "fi"]) {
            assert!(matches!(text(s), Cow::Borrowed(t) if t == s), "{s:?}");
            assert!(matches!(s.to_string().into_text(), Cow::Borrowed(t) if t == s), "{s:?}");
        }
        assert!(COMMON.iter().all(|c| c.len() <= LONGEST_COMMON));
        for s in ["é", "\u{a0}", "xyz", "\n\n\n\n", "a longer text\n"] {
            assert!(matches!(text(s), Cow::Owned(t) if t == s), "{s:?}");
            assert!(matches!(Text::from(s.to_string()).into_text(), Cow::Owned(t) if t == s), "{s:?}");
        }
    }

    // The cluster walk as it was before single-edit clusters took a short way ([`compose`]): every
    // edit through the general walk. The proptest below holds the two together.
    struct RefPlaced {
        splice: Splice,
        out: Range<usize>,
        shift: isize,
    }

    fn compose_reference(
        splices: Vec<Splice>,
        current: &str,
        mut edits: Vec<Edit>,
        changes: &mut Vec<Change>,
    ) -> Vec<Splice> {
        let mut out: Vec<Splice> = Vec::with_capacity(splices.len() + edits.len());
        let mut pending = splices.into_iter().peekable();
        // Output position - input position after every old splice taken so far.
        let mut delta: isize = 0;
        let place = |s: &Splice, delta: isize| -> Range<usize> {
            let os = (s.range.start as isize + delta) as usize;
            os..os + s.replacement.len()
        };
        let mut i = 0;
        while i < edits.len() {
            // Old splices wholly before the edit (not touching it) move over unchanged.
            while let Some(s) = pending.peek() {
                if place(s, delta).end < edits[i].range.start {
                    delta += s.replacement.len() as isize - s.range.len() as isize;
                    out.push(pending.next().unwrap());
                } else {
                    break;
                }
            }
            let delta_before = delta;
            let first = i;
            let (mut cs, mut ce) = (edits[i].range.start, edits[i].range.end);
            let mut olds: Vec<RefPlaced> = Vec::new();
            loop {
                let mut grew = false;
                while let Some(s) = pending.peek() {
                    let o = place(s, delta);
                    if o.start > ce {
                        break;
                    }
                    cs = cs.min(o.start);
                    ce = ce.max(o.end);
                    delta += s.replacement.len() as isize - s.range.len() as isize;
                    olds.push(RefPlaced { splice: pending.next().unwrap(), out: o, shift: delta });
                    grew = true;
                }
                while i + 1 < edits.len() && edits[i + 1].range.start <= ce {
                    i += 1;
                    ce = ce.max(edits[i].range.end);
                    grew = true;
                }
                if !grew {
                    break;
                }
            }
            let cluster = &mut edits[first..=i];
            let mut replacement = String::with_capacity(ce - cs);
            let mut at = cs;
            for e in cluster.iter() {
                replacement.push_str(&current[at..e.range.start]);
                replacement.push_str(&e.replacement);
                at = e.range.end;
            }
            replacement.push_str(&current[at..ce]);
            // Each edit mapped back to the input, widened to whole old splices it reaches into. The
            // change takes the edit's replacement: the splice above is built, and the edits are done.
            let (mut ps, mut pe) = (0usize, 0usize);
            let (mut shift_s, mut shift_e) = (delta_before, delta_before);
            for e in cluster {
                let (a, b) = (e.range.start, e.range.end);
                while ps < olds.len() && olds[ps].out.end <= a {
                    shift_s = olds[ps].shift;
                    ps += 1;
                }
                let start = match olds.get(ps) {
                    Some(o) if o.out.start < a => o.splice.range.start,
                    _ => (a as isize - shift_s) as usize,
                };
                while pe < olds.len() && olds[pe].out.end <= b {
                    shift_e = olds[pe].shift;
                    pe += 1;
                }
                let end = match olds.get(pe) {
                    Some(o) if o.out.start < b => o.splice.range.end,
                    _ => (b as isize - shift_e) as usize,
                };
                changes.push(Change {
                    rule: e.rule,
                    start,
                    end: end.max(start),
                    text: current[a..b].to_string().into(),
                    replacement: std::mem::take(&mut e.replacement),
                });
            }
            let in_start = (cs as isize - delta_before) as usize;
            let in_end = (ce as isize - delta) as usize;
            out.push(Splice { range: in_start..in_end, replacement: replacement.into() });
            i += 1;
        }
        out.extend(pending);
        out
    }

    fn edit(range: Range<usize>, replacement: &str, rule: &str) -> Edit {
        Edit { range, replacement: replacement.to_string().into(), rule: RuleId::from(rule) }
    }

    /// Runs passes given as edit lists, the way the pipeline does.
    fn run(input: &str, passes: &[Vec<Edit>]) -> (String, Vec<Splice>, Vec<Change>) {
        let (mut text, mut splices, mut changes) = (input.to_string(), Vec::new(), Vec::new());
        for edits in passes {
            let next = apply_edits(&text, edits);
            splices = compose(splices, &text, &mut edits.clone(), &mut changes);
            text = next;
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

    /// Edits on ASCII text: (where, how long, replacement) triples, placed by [`Edits::into_sorted`]
    /// as a pass's edits are.
    fn pass_edits(text: &str, raw: &[(usize, usize, String)]) -> Vec<Edit> {
        let rule = RuleId::from("r");
        let mut edits = Edits::new();
        for (at, len, replacement) in raw {
            let start = at % (text.len() + 1);
            let end = (start + len).min(text.len());
            edits.push(start..end, replacement.as_str(), &rule);
        }
        edits.into_sorted(text)
    }

    /// What [`apply_edits`] computes, piece by piece.
    fn apply_edits_plainly(text: &str, edits: &[Edit]) -> String {
        let mut out = String::new();
        let mut at = 0;
        for e in edits {
            out.push_str(&text[at..e.range.start]);
            out.push_str(&e.replacement);
            at = e.range.end;
        }
        out + &text[at..]
    }

    proptest::proptest! {
        /// Edits of every kind on text with characters of every length.
        #[test]
        fn apply_edits_is_the_plain_way(
            text in "[ab \n\u{e9}\u{20ac}\u{1f600}]{0,40}",
            raw in proptest::collection::vec((0usize..64, 0usize..5, "[xy\n \u{e9}]{0,3}"), 0..12),
        ) {
            // Edits on char boundaries, as `Edits::into_sorted` leaves them.
            let rule = RuleId::from("r");
            let mut edits = Edits::new();
            let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            for (at, len, replacement) in &raw {
                let start = bounds[at % bounds.len()];
                let end = bounds[(at % bounds.len() + len).min(bounds.len() - 1)];
                edits.push(start..end, replacement.as_str(), &rule);
            }
            let edits = edits.into_sorted(&text);
            let whole = apply_edits(&text, &edits);
            proptest::prop_assert_eq!(&whole, &apply_edits_plainly(&text, &edits));
            // The text cut before the first edit (or anywhere before it) and the rest edited is the
            // same, as `Run::pass` does it in place.
            let first = edits.first().map_or(text.len(), |e| e.range.start);
            for from in bounds.iter().copied().filter(|&b| b <= first) {
                let mut cut = text[..from].to_string();
                cut.push_str(&apply_edits_from(&text, from, &edits));
                proptest::prop_assert_eq!(&cut, &whole);
            }
        }

        /// The short way for lone edits gives the same changes and splices as the general walk.
        #[test]
        fn compose_is_the_general_walk(
            input in "[ab \n]{0,40}",
            passes in proptest::collection::vec(
                proptest::collection::vec((0usize..64, 0usize..4, "[xy\n ]{0,3}"), 0..8),
                1..5,
            ),
        ) {
            let (mut text, mut splices, mut changes) = (input.clone(), Vec::new(), Vec::new());
            let (mut ref_splices, mut ref_changes) = (Vec::new(), Vec::new());
            for raw in &passes {
                let mut edits = pass_edits(&text, raw);
                let next = apply_edits(&text, &edits);
                ref_splices = compose_reference(ref_splices, &text, edits.clone(), &mut ref_changes);
                splices = compose(splices, &text, &mut edits, &mut changes);
                text = next;
                proptest::prop_assert_eq!(&splices, &ref_splices);
                proptest::prop_assert_eq!(&changes, &ref_changes);
            }
            proptest::prop_assert_eq!(apply_splices(&input, &splices), text);
        }
    }
}
