//! Pattern rules: lines and blocks that are not the author's text, found by regex.
//!
//! Each rule's regex is matched against the content of one line (leading and trailing white space
//! removed). All the line-level patterns of a stage run in one pass as a single multi-pattern regex
//! (what a [`regex::RegexSet`] is made of), compiled once when the pipeline is built; a line costs one
//! set match, whatever the number of rules. The `scope` of a rule says which lines it may touch and
//! what goes with them (see [`Scope`]).

use std::ops::Range;
use std::sync::{Mutex, OnceLock};

use aho_corasick::AhoCorasick;
use regex::{Regex, RegexBuilder, RegexSetBuilder};
use regex_automata::hybrid;
use regex_automata::nfa::thompson::{self, pikevm, pikevm::PikeVM};
use regex_automata::{Anchored, Input, MatchKind, PatternSet};
use regex_syntax::hir::{Hir, Look};

use crate::edit::{Edits, RuleId};
use crate::hash::FxHashMap;
use crate::lines::Doc;
use crate::lines::{self, Line};
use crate::pipeline::Pass;
use crate::rules::{Action, ResolvedStage, Scope};

/// Compiles a rule's regex. Size limits keep a hostile pattern from eating memory; the engine is
/// linear-time, so no pattern can backtrack catastrophically.
///
/// Compiled regexes are kept for the life of the process, by pattern: a rules file's patterns are
/// compiled when it is read (to check them), then again for each pattern stage (the exact regex and
/// the one for long lines), and the compiling was most of a run's start-up. A clone of a `Regex`
/// shares its compiled program.
pub(crate) fn compile(pattern: &str) -> Result<Regex, String> {
    type Cache = Mutex<FxHashMap<String, Result<Regex, String>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    /// Past this many patterns (a fuzzer, a program building many rule sets) the cache starts afresh.
    const MAX_CACHED: usize = 1024;
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(r) = cache.lock().ok().and_then(|c| c.get(pattern).cloned()) {
        return r;
    }
    let r = RegexBuilder::new(pattern).size_limit(1 << 22).build().map_err(|e| e.to_string());
    if let Ok(mut c) = cache.lock() {
        if c.len() >= MAX_CACHED {
            c.clear();
        }
        c.insert(pattern.to_string(), r.clone());
    }
    r
}

/// Past this many bytes a line is matched pattern by pattern: the combined set's lazy DFA runs out
/// of cache on a long line of mixed text and falls back to a slower engine (a 200 MB single line took
/// 22 s in this stage alone, against well under a second pattern by pattern; issue 7). The matches are
/// the same either way.
const LONG_LINE: usize = 1 << 16;

struct LineRule {
    id: RuleId,
    scope: Scope,
    action: Action,
}

/// The line patterns of a stage as one multi-pattern regex that the lazy DFA can run.
///
/// A Unicode word boundary (`\b`) stops the lazy DFA at the first non-ASCII byte, and the regex crate
/// then falls back to the PikeVM for the whole set: 25 µs a line instead of 0.1 µs (perf: two thirds of
/// a JSONL run). So the set is built from the patterns with their word boundaries taken out, which can
/// only match more, and a line the relaxed pattern matches is confirmed by the exact one. The result is
/// the exact set's.
///
/// The confirming is costly too: the exact photo-credit pattern is too big for the lazy DFA, and the
/// PikeVM took 100 µs a line, a third of the stage, on lines that nearly all matched a branch of the
/// pattern with no word boundary in it. So a pattern that is an alternation (possibly between an
/// unchanging prefix and suffix) goes into the set as two entries: its branches without a word
/// boundary, exact as they are, and the others, relaxed, which alone need confirming, by a regex of just
/// those branches. A line matches an alternation exactly when it matches one of its branches, so the
/// pattern matches exactly when one of its two entries does.
struct LineSet {
    /// The relaxed entries, as one multi-pattern regex (what a [`regex::RegexSet`] is made of, used
    /// directly for its anchored searches).
    relaxed: SetEngine,
    /// When some entries are not anchored at the line start (photo-credit is anchored at the end) and
    /// each of their matches holds one of a few literals ([`required_literals`]): a finder of those
    /// literals. A line without any of them can only match the anchored entries, so it is searched
    /// from its start only, and the lazy DFA leaves it a few bytes in, where an unanchored search
    /// reads every line to its end (that was 13% of a run's instructions and a sixth of its cycles).
    literals: Option<LiteralFinder>,
    /// With `literals`: the endings of which every match of a floating entry that holds none of the
    /// literals ends the line with ([`Required`]).
    suffixes: Suffixes,
    /// For a line without the floating entries' literals: what its first byte says of the anchored
    /// entries ([`StartGate`]).
    gate: Option<StartGate>,
    /// The gate past a document's head: of the entries whose patterns may claim a line there (not
    /// those of the rules scoped to the head, [`LineSet::with_head_only`]); the same as `gate` until
    /// then.
    late_gate: Option<StartGate>,
    /// What the gates are made of: the anchored entries, and what each says of a line's start.
    gate_parts: Option<(Vec<usize>, Vec<GatePart>)>,
    /// For each entry: the pattern it stands for, and the exact regex that confirms a match of it, if
    /// it had a word boundary to relax.
    entries: Vec<(usize, Option<Regex>)>,
    /// Every pattern on its own, for very long lines (see [`LONG_LINE`]), compiled when the first
    /// such line comes: few documents have one, and the exact photo-credit regex alone is a good part
    /// of the start-up.
    patterns: Vec<String>,
    singles: OnceLock<Option<Vec<Regex>>>,
}

/// Finds the places in a text where literals of a list occur: single bytes with `memchr`, longer ones
/// with Teddy (vector instructions, when the processor has them) or else an Aho-Corasick automaton.
///
/// The hits of each search do not overlap, so an occurrence can hide inside an earlier hit. That
/// earlier hit is then in the same line's content: no literal holds a line end or starts or ends with
/// white space ([`LiteralFinder::new`] refuses such lists), so a hit that reaches into a line's content
/// starts and ends inside it.
struct LiteralFinder {
    /// Up to three single bytes.
    bytes: Vec<u8>,
    longer: Option<Longer>,
}

enum Longer {
    Teddy(aho_corasick::packed::Searcher),
    Automaton(AhoCorasick),
}

impl LiteralFinder {
    fn new(mut literals: Vec<Vec<u8>>) -> Option<LiteralFinder> {
        let fits = |l: &Vec<u8>| {
            std::str::from_utf8(l)
                .is_ok_and(|t| !t.is_empty() && t.trim() == t && !t.contains(['\n', '\x0c']))
        };
        if !literals.iter().all(fits) {
            return None;
        }
        literals.sort();
        literals.dedup();
        let (bytes, mut longer): (Vec<Vec<u8>>, Vec<Vec<u8>>) =
            literals.into_iter().partition(|l| l.len() == 1);
        let mut bytes: Vec<u8> = bytes.concat();
        if bytes.len() > 3 {
            longer.extend(bytes.drain(..).map(|b| vec![b]));
        }
        // Teddy takes no one-byte literal; the automaton takes any.
        let longer = if longer.is_empty() {
            None
        } else if let Some(teddy) = aho_corasick::packed::Searcher::new(longer.iter()) {
            Some(Longer::Teddy(teddy))
        } else {
            Some(Longer::Automaton(AhoCorasick::new(&longer).ok()?))
        };
        Some(LiteralFinder { bytes, longer })
    }

    /// The hits, as byte ranges sorted by their start.
    fn find(&self, text: &str) -> Vec<(usize, usize)> {
        let t = text.as_bytes();
        let mut hits = byte_hits(&self.bytes, t);
        let before = hits.len();
        match &self.longer {
            Some(Longer::Teddy(s)) => hits.extend(s.find_iter(t).map(|m| (m.start(), m.end()))),
            Some(Longer::Automaton(a)) => hits.extend(a.find_iter(t).map(|m| (m.start(), m.end()))),
            None => {}
        }
        if before > 0 && hits.len() > before {
            hits.sort_unstable();
        }
        hits
    }
}

/// How an entry of a [`LineSet`] was written: as the rule gave it, or rewritten from the rule's syntax
/// tree (printed only for an error: [`ast::compact`] parses what it prints, to check it, and that was
/// most of what the rewriting cost).
enum Written {
    Given(String),
    Tree(Option<regex_syntax::ast::Ast>),
}

/// The relaxed entries as one multi-pattern regex: the lazy DFA that a [`regex::RegexSet`] runs, and
/// the PikeVM for the searches the lazy DFA gives up on (its cache thrashing), as the regex crate does;
/// both from one forward NFA, both exact, so the answers are those of the set.
///
/// A `meta::Regex` (what a set is) also compiles the reverse NFA, which no search here uses: that was
/// half the start-up of the pass. And each of its searches takes a cache from a pool and goes through
/// the meta engine's dispatch, a good part of the few hundred instructions that the anchored search of
/// a line costs; here a document's searches share one cache ([`LineSet::searcher`]).
struct SetEngine {
    /// `None` when the lazy DFA could not be built (a cache too small for its few first states).
    dfa: Option<hybrid::dfa::DFA>,
    pikevm: PikeVM,
    /// When every floating entry (not anchored at the line start) is anchored at the line end
    /// (photo-credit ends in `$`): a reverse lazy DFA of just those entries ([`SetEngine::with_reverse`]).
    rev: Option<hybrid::dfa::DFA>,
    pattern_len: usize,
    /// Caches for the searches, one a document being cleaned; kept from one document to the next,
    /// for the lazy DFA's states (building them was a sixth of the pass on a 5 MB run).
    caches: ThreadCaches<SetCache>,
}

/// Values kept for reuse, each handed back to the thread that used it last (as far as the shards
/// allow: threads share a shard only past [`ThreadCaches::SHARDS`] of them).
///
/// One list for all threads handed a document the cache that another core had just used: its lazy
/// DFA's states (often hundreds of KB) then came over from that core's cache, and with two threads
/// the pass's searches took 40% more time than with one (perf, the 500 MB bench corpus).
///
/// regex-automata's `util::pool::Pool` is built the same way (stacks by thread, and a fast path for
/// the first thread), but in its place a two-thread run took 0.6 s more CPU (medians of four
/// alternating pairs each way), most of it in `_mi_page_malloc_zero`: it made fresh caches again and
/// again where these shards hand the old ones back.
struct ThreadCaches<T> {
    shards: [Shard<T>; ThreadCaches::<()>::SHARDS],
}

/// A shard on cache lines of its own (two, for the x86 prefetcher that fetches lines in pairs), so
/// that threads taking from their own shards do not contend for a line.
#[repr(align(128))]
struct Shard<T>(Mutex<Vec<T>>);

impl<T> ThreadCaches<T> {
    const SHARDS: usize = 8;

    fn new() -> Self {
        ThreadCaches { shards: std::array::from_fn(|_| Shard(Mutex::default())) }
    }

    /// This thread's shard: threads are numbered as they first ask.
    fn index() -> usize {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        thread_local! {
            static INDEX: usize = NEXT.fetch_add(1, Ordering::Relaxed) % ThreadCaches::<()>::SHARDS;
        }
        INDEX.with(|i| *i)
    }

    fn shard(&self) -> &Mutex<Vec<T>> {
        &self.shards[Self::index()].0
    }

    /// A value this thread (or one sharing its shard) put back, if any.
    fn take(&self) -> Option<T> {
        self.shard().lock().ok().and_then(|mut c| c.pop())
    }

    fn put(&self, value: T) {
        if let Ok(mut c) = self.shard().lock() {
            c.push(value);
        }
    }
}

struct SetCache {
    dfa: Option<hybrid::dfa::Cache>,
    pikevm: pikevm::Cache,
    rev: Option<hybrid::dfa::Cache>,
}

impl SetEngine {
    /// Built as `regex_automata::meta::Regex` builds a set's forward engines from the parsed patterns
    /// `hirs`; `patterns` gives their texts, for an error.
    fn new(hirs: &[&Hir], patterns: impl FnOnce() -> Vec<String>) -> Result<SetEngine, String> {
        // The lazy DFA of a set of Unicode-class patterns outgrows the default 2 MB transition cache;
        // once it thrashes, the search falls back to the PikeVM, 30 times slower.
        let (nfa_limit, dfa_cache) = (1 << 24, 1 << 25);
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .utf8(true)
                    .nfa_size_limit(Some(nfa_limit))
                    .shrink(false)
                    .which_captures(thompson::WhichCaptures::None),
            )
            .build_many_from_hir(hirs)
            .map_err(|e| {
                // The regex crate words the error for people (the pattern, a caret under the fault).
                let set =
                    RegexSetBuilder::new(patterns()).size_limit(nfa_limit).dfa_size_limit(dfa_cache).build();
                set.err().map_or_else(|| e.to_string(), |e| e.to_string())
            })?;
        // The settings of the regex crate's own lazy DFA (`meta::wrappers::HybridEngine`), but for
        // the start states of single patterns, which only a search for one pattern needs.
        let dfa = hybrid::dfa::Builder::new()
            .configure(
                hybrid::dfa::Config::new()
                    .match_kind(MatchKind::All)
                    .unicode_word_boundary(true)
                    .cache_capacity(dfa_cache)
                    .skip_cache_capacity_check(false)
                    .minimum_cache_clear_count(Some(3))
                    .minimum_bytes_per_state(Some(10)),
            )
            .build_from_nfa(nfa.clone())
            .ok();
        let pikevm = PikeVM::builder()
            .configure(PikeVM::config().match_kind(MatchKind::All))
            .build_from_nfa(nfa)
            .map_err(|e| e.to_string())?;
        Ok(SetEngine { dfa, pikevm, rev: None, pattern_len: hirs.len(), caches: ThreadCaches::new() })
    }

    /// Adds the reverse lazy DFA of `floating`, the entries that are not anchored at the line start,
    /// when each of them is anchored at the line end: a match of one then ends where the line does,
    /// so a reverse search anchored there tells whether one matches, and it stops where no match can
    /// go on, nearly always a word or two from the end (an unanchored forward search reads the line
    /// to its end). Built as `regex_automata::meta::Regex` builds its reverse engine, but from the
    /// [`widened`] entries (a filter: a line it passes gets the forward search), and shrunk, which
    /// halves the states of the reversed automaton: each new state of its lazy DFA cost some 35,000
    /// instructions unshrunk, and a 5 MB run made a few thousand. (Shrinking the exact entries' big
    /// Unicode classes took 5 billion instructions.) Left out when it cannot be built.
    fn with_reverse(mut self, floating: &[&Hir]) -> SetEngine {
        let at_end = |h: &&Hir| h.properties().look_set_suffix().contains(Look::End);
        if floating.is_empty() || !floating.iter().all(at_end) {
            return self;
        }
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .utf8(true)
                    .nfa_size_limit(Some(1 << 24))
                    .shrink(true)
                    .which_captures(thompson::WhichCaptures::None)
                    .reverse(true),
            )
            .build_many_from_hir(&floating.iter().map(|h| widened(h)).collect::<Vec<_>>());
        self.rev = nfa.ok().and_then(|nfa| {
            hybrid::dfa::Builder::new()
                .configure(
                    hybrid::dfa::Config::new()
                        .match_kind(MatchKind::All)
                        .prefilter(None)
                        .specialize_start_states(false)
                        .unicode_word_boundary(true)
                        .cache_capacity(1 << 25)
                        .skip_cache_capacity_check(false)
                        .minimum_cache_clear_count(Some(3))
                        .minimum_bytes_per_state(Some(10)),
                )
                .build_from_nfa(nfa)
                .ok()
        });
        self
    }

    /// Whether a floating entry matches `line`, by the reverse lazy DFA from the line's end; `None`
    /// when there is no such DFA or it gave up (then the forward search must tell).
    fn floating_match(&self, cache: &mut SetCache, line: &str) -> Option<bool> {
        let (dfa, c) = (self.rev.as_ref()?, cache.rev.as_mut()?);
        let input = Input::new(line).anchored(Anchored::Yes).earliest(true);
        let start = dfa.start_state_reverse(c, &input).ok()?;
        walk(dfa, c, start, line.bytes().rev())
    }

    fn take_cache(&self) -> SetCache {
        self.caches.take().unwrap_or_else(|| SetCache {
            dfa: self.dfa.as_ref().map(|d| d.create_cache()),
            pikevm: self.pikevm.create_cache(),
            rev: self.rev.as_ref().map(|d| d.create_cache()),
        })
    }

    fn put_cache(&self, cache: SetCache) {
        self.caches.put(cache);
    }

    /// Whether some pattern matches at the start of `line`, as `regex_automata::meta::Regex::is_match`
    /// tells it for an anchored search: the lazy DFA walked by [`walk`], or else the PikeVM.
    fn is_match_at_start(&self, cache: &mut SetCache, line: &str) -> bool {
        let input = Input::new(line).anchored(Anchored::Yes).earliest(true);
        if let (Some(dfa), Some(c)) = (&self.dfa, &mut cache.dfa) {
            let found =
                dfa.start_state_forward(c, &input).ok().and_then(|start| walk(dfa, c, start, line.bytes()));
            if let Some(found) = found {
                return found;
            }
        }
        self.pikevm.is_match(&mut cache.pikevm, input)
    }

    /// Whether some pattern matches in `input`, as `regex_automata::meta::Regex::is_match` tells it.
    fn is_match(&self, cache: &mut SetCache, input: &Input<'_>) -> bool {
        let input = input.clone().earliest(true);
        if let (Some(dfa), Some(c)) = (&self.dfa, &mut cache.dfa) {
            if let Ok(found) = dfa.try_search_fwd(c, &input) {
                return found.is_some();
            }
        }
        self.pikevm.is_match(&mut cache.pikevm, input)
    }

    /// The patterns that match in `input`, as `regex_automata::meta::Regex::which_overlapping_matches` tells them.
    fn which_overlapping_matches(&self, cache: &mut SetCache, input: &Input<'_>, hits: &mut PatternSet) {
        if let (Some(dfa), Some(c)) = (&self.dfa, &mut cache.dfa) {
            if dfa.try_which_overlapping_matches(c, input, hits).is_ok() {
                return;
            }
        }
        // What the lazy DFA found before it gave up are matches too; the PikeVM adds the others.
        self.pikevm.which_overlapping_matches(&mut cache.pikevm, input, hits);
    }
}

/// Whether the lazy DFA `dfa`, from the `start` state of an anchored search of a whole haystack, finds
/// a match in the haystack's `bytes` (in the order of the search: backwards for a reverse DFA);
/// `None` when it gives up (a quit byte, or a cache that fills too often), as the regex crate's
/// search would, and then the PikeVM must tell.
///
/// The walk of `regex_automata::hybrid::search::find_fwd` and `find_rev` with `earliest`, for the
/// short searches of a line: a search of the gate's lines dies a few bytes in, and their set-up
/// (the input's checks, the prefilter's, the unrolled loop's) was most of the 440 instructions that
/// one cost. The same transitions, so the same answer: a match state (matches are delayed a byte)
/// says yes, the dead state no, and at the end of the haystack the end-of-input transition tells.
/// The cache's count of the bytes searched, which decides when the DFA gives up, is kept as they
/// keep it, a search at a time.
#[inline]
fn walk(
    dfa: &hybrid::dfa::DFA,
    cache: &mut hybrid::dfa::Cache,
    start: hybrid::LazyStateID,
    bytes: impl ExactSizeIterator<Item = u8>,
) -> Option<bool> {
    let len = bytes.len();
    cache.search_start(0);
    let mut sid = start;
    for (at, b) in bytes.enumerate() {
        sid = dfa.next_state(cache, sid, b).ok()?;
        if sid.is_tagged() {
            if sid.is_match() || sid.is_dead() {
                cache.search_finish(at);
                return Some(sid.is_match());
            }
            if sid.is_quit() {
                return None;
            }
        }
    }
    cache.search_finish(len);
    Some(dfa.next_eoi_state(cache, sid).ok()?.is_match())
}

/// The lines of a text that hold a literal of the floating entries ([`LineSet::floating_candidates`]),
/// asked line by line, in the order of the text.
struct Candidates<'t> {
    /// The literals' hits in the text, sorted by their start; `None` when there are no literals to
    /// find (every line is a candidate).
    hits: Option<Vec<(usize, usize)>>,
    /// The first hit that does not start before the content of the line asked last.
    next: usize,
    /// The endings that make a line a candidate too, and the text.
    suffixes: Option<(&'t Suffixes, &'t [u8])>,
}

impl Candidates<'_> {
    /// Whether `content`, the content of a line after those asked before, holds a hit (or ends with
    /// one of the endings).
    #[inline(always)]
    fn holds(&mut self, content: &std::ops::Range<usize>) -> bool {
        let Some(hits) = &self.hits else { return true };
        let mut h = self.next;
        while h < hits.len() && hits[h].0 < content.start {
            h += 1;
        }
        self.next = h;
        hits[h..].iter().take_while(|x| x.0 < content.end).any(|x| x.1 <= content.end)
            // Not `is_some_and`: its closure is not always inlined (a call a line).
            || match self.suffixes {
                Some((s, t)) => s.ends(&t[content.clone()]),
                None => false,
            }
    }
}

/// Literal endings of lines ([`Required::suffix`]), asked of every line: its last two bytes rule
/// most lines out.
struct Suffixes {
    /// Whether there is an empty ending (every text ends with it).
    empty: bool,
    /// The endings of one byte, a bit a byte: a text that ends with one of those bytes ends with one.
    one: [u64; 4],
    /// The last two bytes of the texts of two bytes or more that may end with an ending, a bit a pair
    /// (`first * 256 + second`): those of the longer endings, and every pair that ends with an ending
    /// of one byte.
    two: Box<[u64; 1024]>,
    /// The longer endings, each with its last two bytes (`first * 256 + second`): a line whose last
    /// two bytes are those of some ending (`es` of `Images`, `rs` of `Reuters`: one line in twenty
    /// on b5) is compared only with the endings that end the same.
    longer: Vec<(u16, Vec<u8>)>,
}

impl Suffixes {
    fn new(mut list: Vec<Vec<u8>>) -> Suffixes {
        list.sort();
        list.dedup();
        let mut s = Suffixes { empty: false, one: [0; 4], two: Box::new([0; 1024]), longer: Vec::new() };
        for l in list {
            match l[..] {
                [] => s.empty = true,
                [b] => {
                    s.one[usize::from(b >> 6)] |= 1 << (b & 63);
                    for a in 0..=255u8 {
                        let k = usize::from(a) << 8 | usize::from(b);
                        s.two[k >> 6] |= 1 << (k & 63);
                    }
                }
                [.., a, b] => {
                    let k = usize::from(a) << 8 | usize::from(b);
                    s.two[k >> 6] |= 1 << (k & 63);
                    s.longer.push((u16::from(a) << 8 | u16::from(b), l));
                }
            }
        }
        if s.empty {
            s.two.fill(u64::MAX);
        }
        s
    }

    fn is_empty(&self) -> bool {
        !self.empty && self.one == [0; 4] && self.longer.is_empty()
    }

    /// Whether `t` ends with one of the endings.
    #[inline(always)]
    fn ends(&self, t: &[u8]) -> bool {
        let one = |b: u8| self.empty || self.one[usize::from(b >> 6)] & (1 << (b & 63)) != 0;
        match *t {
            // Most lines: their last two bytes end no ending.
            [.., a, b] => {
                let k = usize::from(a) << 8 | usize::from(b);
                self.two[k >> 6] & (1 << (k & 63)) != 0
                    && (one(b) || self.longer.iter().any(|(two, s)| usize::from(*two) == k && t.ends_with(s)))
            }
            [b] => one(b),
            [] => self.empty,
        }
    }
}

/// A document's searches of a [`LineSet`], with one cache for them all (given back when dropped).
struct Searcher<'s> {
    set: &'s LineSet,
    cache: Option<SetCache>,
}

impl Searcher<'_> {
    /// [`LineSet::matches`] with this searcher's cache.
    #[inline(always)]
    fn matches(&mut self, line: &str, floating: bool, holds: bool) -> Matches {
        self.matches_in(line, &(0..line.len()), floating, holds)
    }

    /// [`Searcher::matches`] of the line `text[content]`: the text is cut only for a line that the
    /// gate admits (a cut checks that both ends are character boundaries, and most lines need none).
    #[inline(always)]
    fn matches_in(&mut self, text: &str, content: &Range<usize>, floating: bool, holds: bool) -> Matches {
        let cache = self.cache.as_mut().expect("a searcher has its cache until dropped");
        self.set.matches(cache, text, content, floating, holds, false)
    }

    /// [`Searcher::matches`] past the document's head: the patterns of the rules scoped to the head
    /// may be left out of the answer ([`LineSet::with_head_only`]).
    #[cfg(test)]
    fn matches_past_head(&mut self, line: &str, floating: bool, holds: bool) -> Matches {
        self.matches_past_head_in(line, &(0..line.len()), floating, holds)
    }

    /// [`Searcher::matches_past_head`] of the line `text[content]` ([`Searcher::matches_in`]).
    #[inline(always)]
    fn matches_past_head_in(
        &mut self,
        text: &str,
        content: &Range<usize>,
        floating: bool,
        holds: bool,
    ) -> Matches {
        let cache = self.cache.as_mut().expect("a searcher has its cache until dropped");
        self.set.matches(cache, text, content, floating, holds, true)
    }
}

impl Drop for Searcher<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.cache.take() {
            self.set.relaxed.put_cache(c);
        }
    }
}

impl LineSet {
    fn new(patterns: &[String]) -> Result<LineSet, String> {
        let mut relaxed = Vec::with_capacity(patterns.len());
        // The syntax tree of each relaxed entry, when it parses (for the anchoring and the literals).
        let mut trees: Vec<Option<Hir>> = Vec::with_capacity(patterns.len());
        let mut entries = Vec::with_capacity(patterns.len());
        for (k, p) in patterns.iter().enumerate() {
            // A pattern that does not parse goes in as it is, for the set to report why.
            let parsed = regex_syntax::parse(p).ok();
            let Some(hir) = parsed.as_ref().filter(|h| h.properties().look_set().contains_word_unicode())
            else {
                relaxed.push(Written::Given(p.clone()));
                trees.push(parsed);
                entries.push((k, None));
                continue;
            };
            let ast = regex_syntax::ast::parse::Parser::new().parse(p).ok();
            match split_word_boundary_branches(hir) {
                Some((plain, bounded)) => {
                    // `plain` has no word boundary; `bounded` does (that is why it was split off).
                    let ast = ast.as_ref().and_then(ast::split_word_boundary_branches);
                    let (plain_ast, bounded_ast) = ast.unzip();
                    relaxed.push(Written::Tree(plain_ast));
                    trees.push(Some(plain));
                    entries.push((k, None));
                    let relaxed_ast = bounded_ast.as_ref().map(ast::without_word_boundaries);
                    let relaxed_hir = without_word_boundaries(&bounded);
                    relaxed.push(Written::Tree(relaxed_ast));
                    trees.push(Some(relaxed_hir));
                    entries.push((k, Some(compile(&ast::compact(&bounded, bounded_ast))?)));
                }
                None => {
                    let relaxed_ast = ast.as_ref().map(ast::without_word_boundaries);
                    let relaxed_hir = without_word_boundaries(hir);
                    relaxed.push(Written::Tree(relaxed_ast));
                    trees.push(Some(relaxed_hir));
                    entries.push((k, Some(compile(p)?)));
                }
            }
        }
        let is_anchored = |t: &Option<Hir>| t.as_ref().is_some_and(is_anchored_hir);
        let floating: Vec<usize> = (0..relaxed.len()).filter(|&e| !is_anchored(&trees[e])).collect();
        // One literal list (and one list of endings) for all the floating entries, or none if one of
        // them has none.
        let required = (!floating.is_empty())
            .then(|| {
                floating.iter().map(|&e| trees[e].as_ref().and_then(required)).collect::<Option<Vec<_>>>()
            })
            .flatten();
        let (literals, suffixes) = match required {
            Some(all) => {
                let (anywhere, suffix): (Vec<_>, Vec<_>) =
                    all.into_iter().map(|r| (r.anywhere, r.suffix)).unzip();
                match LiteralFinder::new(anywhere.concat()) {
                    Some(finder) => (Some(finder), Suffixes::new(suffix.concat())),
                    None => (None, Suffixes::new(Vec::new())),
                }
            }
            None => (None, Suffixes::new(Vec::new())),
        };
        // The entries' texts, for the regex crate to word an error with.
        let texts = || -> Vec<String> {
            relaxed
                .into_iter()
                .zip(&trees)
                .map(|(w, t)| match (w, t) {
                    (Written::Given(text), _) => text,
                    (Written::Tree(ast), Some(hir)) => ast::compact(hir, ast),
                    (Written::Tree(_), None) => unreachable!("a rewritten entry has its tree"),
                })
                .collect()
        };
        let relaxed = match trees.iter().map(Option::as_ref).collect::<Option<Vec<&Hir>>>() {
            Some(hirs) => {
                let floating: Vec<&Hir> = floating.iter().map(|&e| hirs[e]).collect();
                SetEngine::new(&hirs, texts)?.with_reverse(&floating)
            }
            // A pattern that does not parse: the regex crate says why.
            None => {
                return Err(RegexSetBuilder::new(texts())
                    .build()
                    .err()
                    .map_or_else(|| "a pattern does not parse".to_string(), |e| e.to_string()))
            }
        };
        // The gate serves lines that the literals rule the floating entries out of, and those the
        // reverse search does.
        let gate = (literals.is_some() || relaxed.rev.is_some()).then_some(()).and_then(|_| {
            let anchored: Vec<&Hir> = trees.iter().flatten().filter(|h| is_anchored_hir(h)).collect();
            StartGate::parts(&anchored)
        });
        let anchored: Vec<usize> =
            (0..trees.len()).filter(|&e| trees[e].as_ref().is_some_and(is_anchored_hir)).collect();
        Ok(LineSet {
            relaxed,
            literals,
            suffixes,
            late_gate: gate.as_ref().map(|parts| StartGate::of_parts(parts, &anchored, |_| true)),
            gate: gate.as_ref().map(|parts| StartGate::of_parts(parts, &anchored, |_| true)),
            gate_parts: gate.map(|parts| (anchored, parts)),
            entries,
            patterns: patterns.to_vec(),
            singles: OnceLock::new(),
        })
    }

    /// The set, told which patterns are of rules scoped to the head: past the head their matches
    /// claim nothing, and [`Searcher::matches_past_head`] may leave them out. Its gate leaves out their
    /// anchored entries (b5: the dateline's `Thu`, `Wed`, `Dec`, `5 M` let a third of the lines
    /// through to a search). Exact for the other patterns: a gate that leaves entries out still admits
    /// every line that the others' matches start (a test holds the two searches to that).
    fn with_head_only(mut self, head_only: impl Fn(usize) -> bool) -> LineSet {
        if let Some((anchored, parts)) = &self.gate_parts {
            let late = |i: usize| !head_only(self.entries[anchored[i]].0);
            self.late_gate = Some(StartGate::of_parts(parts, anchored, late));
        }
        self
    }

    /// Which lines the floating entries need searching: those whose content holds one of their
    /// literals. One search of the whole text: a search a line cost as much as the DFA. A line whose
    /// content holds a literal gets a hit inside it, though the hits do not overlap (see
    /// [`LiteralFinder`]).
    /// A line that ends with one of the [`Suffixes`] is a candidate too.
    fn floating_candidates<'t>(&'t self, text: &'t str) -> Candidates<'t> {
        let hits = self.literals.as_ref().map(|f| f.find(text));
        let suffixes = Some(&self.suffixes).filter(|s| !s.is_empty());
        Candidates { hits, next: 0, suffixes: suffixes.map(|s| (s, text.as_bytes())) }
    }

    /// Which lines hold one of the [`StartGate`]'s bytes.
    fn gate_candidates(&self, text: &str) -> Candidates<'_> {
        Candidates { hits: self.gate.as_ref().map(|g| g.find(text)), next: 0, suffixes: None }
    }

    /// A searcher for one document's lines.
    fn searcher(&self) -> Searcher<'_> {
        Searcher { set: self, cache: Some(self.relaxed.take_cache()) }
    }

    /// The patterns that match `line` (none, for most lines). `floating` false says that the line
    /// holds none of the floating entries' literals ([`LineSet::floating_candidates`]).
    /// `late`: past the head ([`Searcher::matches_past_head`]).
    ///
    /// Inline, the answer for most lines: one without the floating entries' literals that the gate
    /// rules out matches nothing. The call of [`LineSet::search`] and its set-up cost a good part of
    /// what it took to say so.
    /// The line is `text[content]`, cut only past the gate ([`Searcher::matches_in`]).
    #[inline(always)]
    fn matches(
        &self,
        cache: &mut SetCache,
        text: &str,
        content: &Range<usize>,
        floating: bool,
        holds: bool,
        late: bool,
    ) -> Matches {
        let gate = if late { &self.late_gate } else { &self.gate };
        let t = &text.as_bytes()[content.clone()];
        let gate_asked = !floating && t.len() <= LONG_LINE;
        if gate_asked && gate.as_ref().is_some_and(|g| !g.may_match(t, holds)) {
            return Matches(Vec::new());
        }
        self.search(cache, &text[content.clone()], floating, holds, late, gate_asked)
    }

    /// [`LineSet::matches`] past its inline answer; `gate_asked`: the gate has admitted the line.
    #[inline(never)]
    fn search(
        &self,
        cache: &mut SetCache,
        line: &str,
        floating: bool,
        holds: bool,
        late: bool,
        gate_asked: bool,
    ) -> Matches {
        if line.len() > LONG_LINE {
            // A pattern that passed the rules check compiles alone. Should one not (a rule set built
            // in code, unchecked), the set below still gives the exact answer, only slower.
            let singles = self
                .singles
                .get_or_init(|| self.patterns.iter().map(|p| compile(p)).collect::<Result<Vec<_>, _>>().ok());
            if let Some(singles) = singles {
                return Matches((0..singles.len()).filter(|&k| singles[k].is_match(line)).collect());
            }
        }
        // Most lines match nothing, and telling that costs less than listing what matched (no
        // overlapping search, no list of matches made and thrown away).
        let gate = if late { &self.late_gate } else { &self.gate };
        let may_start = |cache: &mut SetCache| {
            (gate_asked || gate.as_ref().map_or(true, |g| g.may_match(line.as_bytes(), holds)))
                && self.relaxed.is_match_at_start(cache, line)
        };
        // Whether a floating entry may match: not without their literals; else what the reverse
        // search from the line end says, `None` when it cannot tell.
        let may_float = if floating { self.relaxed.floating_match(cache, line) } else { Some(false) };
        let input = match may_float {
            // Only an anchored entry can match: it does at the line start, if anywhere.
            Some(false) => {
                if !may_start(cache) {
                    return Matches(Vec::new());
                }
                // Some anchored entry matches: when the gate admits the line for one only, it is
                // that one, and no overlapping search needs to say so.
                if let Some(e) = gate.as_ref().and_then(|g| g.only(line, holds)) {
                    let (k, exact) = &self.entries[e];
                    let confirmed = exact.as_ref().map_or(true, |re| re.is_match(line));
                    return Matches(if confirmed { vec![*k] } else { Vec::new() });
                }
                Input::new(line).anchored(Anchored::Yes)
            }
            // The overlapping search finds the anchored entries' matches too.
            Some(true) => Input::new(line),
            None => {
                if !self.relaxed.is_match(cache, &Input::new(line)) {
                    return Matches(Vec::new());
                }
                Input::new(line)
            }
        };
        let mut hits = PatternSet::new(self.relaxed.pattern_len);
        self.relaxed.which_overlapping_matches(cache, &input, &mut hits);
        // Entries are in pattern order, a pattern's own entries next to each other, so the list comes
        // out in order; a pattern that one entry proved matching needs no confirming by the next.
        let mut found: Vec<usize> = Vec::new();
        for e in hits.iter() {
            let (k, exact) = &self.entries[e.as_usize()];
            if found.last() != Some(k) && exact.as_ref().map_or(true, |re| re.is_match(line)) {
                found.push(*k);
            }
        }
        Matches(found)
    }
}

/// A pattern with a word boundary, when it is an alternation with branches that have none, possibly
/// between a prefix and a suffix that have none (`(?:a|b\b|c)$`): the pattern of the branches without
/// word boundaries and the pattern of the others, each with the prefix and the suffix. A line matches
/// the pattern exactly when it matches one of the two.
fn split_word_boundary_branches(hir: &Hir) -> Option<(Hir, Hir)> {
    use regex_syntax::hir::HirKind;
    let has_wb = |h: &Hir| h.properties().look_set().contains_word_unicode();
    let parts: Vec<Hir> = match hir.kind() {
        HirKind::Concat(parts) => parts.clone(),
        _ => vec![hir.clone()],
    };
    let at = parts.iter().position(|h| matches!(h.kind(), HirKind::Alternation(_)))?;
    let HirKind::Alternation(branches) = parts[at].kind() else { return None };
    if parts.iter().enumerate().any(|(i, h)| i != at && has_wb(h)) {
        return None;
    }
    let (bounded, plain): (Vec<Hir>, Vec<Hir>) = branches.iter().cloned().partition(|b| has_wb(b));
    if bounded.is_empty() || plain.is_empty() {
        return None;
    }
    let with = |alt: Vec<Hir>| {
        let mut p = parts.clone();
        p[at] = Hir::alternation(alt);
        Hir::concat(p)
    };
    Some((with(plain), with(bounded)))
}

/// Literals one of which every match of `hir` holds, or `None` when the pattern gives no such list
/// (it can match the empty string, or only through large classes).
///
/// A literal is required by a concatenation when one of its parts requires it, and by an alternation
/// when all its branches give lists: then the union of the lists. Of a concatenation's parts the one
/// whose list is least likely in prose is taken (punctuation and capitals rather than lower-case
/// letters; longer literals rather than shorter), so that the photo-credit pattern asks for `/`, `(`,
/// `:`, `©` or an agency's name, which few lines of prose hold.
fn required_literals(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::{Class, HirKind};
    /// A class of at most this many characters gives each as a literal.
    const SMALL_CLASS: usize = 8;
    match hir.kind() {
        HirKind::Literal(l) => Some(vec![l.0.to_vec()]),
        HirKind::Class(Class::Unicode(c)) => {
            let n: usize = c.iter().map(|r| r.end() as usize - r.start() as usize + 1).sum();
            (n <= SMALL_CLASS).then(|| {
                c.iter().flat_map(|r| r.start()..=r.end()).map(|ch| ch.to_string().into_bytes()).collect()
            })
        }
        HirKind::Class(Class::Bytes(c)) => {
            let n: usize = c.iter().map(|r| r.end() as usize - r.start() as usize + 1).sum();
            (n <= SMALL_CLASS).then(|| c.iter().flat_map(|r| r.start()..=r.end()).map(|b| vec![b]).collect())
        }
        HirKind::Repetition(r) if r.min > 0 => required_literals(&r.sub),
        HirKind::Capture(c) => required_literals(&c.sub),
        HirKind::Concat(parts) => parts
            .iter()
            .filter_map(required_literals)
            .min_by(|a, b| list_likelihood(a).total_cmp(&list_likelihood(b))),
        HirKind::Alternation(branches) => {
            let mut all: Vec<Vec<u8>> =
                branches.iter().map(required_literals).collect::<Option<Vec<_>>>()?.concat();
            all.sort();
            all.dedup();
            Some(all)
        }
        _ => None,
    }
}

/// What every match of a floating entry holds, for [`LineSet::floating_candidates`]: one of the
/// `anywhere` literals somewhere, or one of the `suffix` literals at its end, when that is the end of
/// the text (the line's content).
#[derive(Debug, Default, PartialEq)]
struct Required {
    anywhere: Vec<Vec<u8>>,
    suffix: Vec<Vec<u8>>,
}

impl Required {
    /// How much the lists cost a text: an ending is asked of each line's last bytes, where a literal
    /// is searched for in the whole text and found in more lines.
    fn cost(&self) -> f64 {
        /// What an ending costs against the same literal anywhere.
        const SUFFIX: f64 = 0.1;
        let mut c = 0.0;
        if !self.anywhere.is_empty() {
            c += list_likelihood(&self.anywhere);
        }
        if !self.suffix.is_empty() {
            c += SUFFIX * list_likelihood(&self.suffix);
        }
        c
    }
}

/// [`Required`] of `hir`, `None` when the pattern gives no such lists ([`required_literals`]). The
/// photo-credit pattern ends in `$`, and a branch that ends in a literal (`, Reuters`, `(AFP)`) asks
/// for it at the line's end: a few bytes of each line, where the literals anywhere took a search of
/// the whole text (the agency names were most of what that search cost).
fn required(hir: &Hir) -> Option<Required> {
    required_at(hir, false)
}

/// [`required`]; `at_end`, whether every match of `hir` ends where the text does.
fn required_at(hir: &Hir, at_end: bool) -> Option<Required> {
    use regex_syntax::hir::HirKind;
    let literals = |list: Vec<Vec<u8>>| {
        // A line that ends with a literal holds it: the ending is the narrower test.
        Some(if at_end {
            Required { anywhere: Vec::new(), suffix: list }
        } else {
            Required { anywhere: list, suffix: Vec::new() }
        })
    };
    match hir.kind() {
        HirKind::Literal(_) | HirKind::Class(_) => literals(required_literals(hir)?),
        // The last copy ends where the repetition does.
        HirKind::Repetition(r) if r.min > 0 => required_at(&r.sub, at_end),
        HirKind::Capture(c) => required_at(&c.sub, at_end),
        HirKind::Concat(parts) => {
            // Whether part `i` ends where the concatenation does (only empty matches after it) or
            // where the text does (a `$` after it, with only empty matches between).
            let mut ends = vec![false; parts.len()];
            let mut end_here = at_end;
            for (i, part) in parts.iter().enumerate().rev() {
                ends[i] = end_here;
                match part.kind() {
                    HirKind::Look(Look::End) => end_here = true,
                    HirKind::Look(_) | HirKind::Empty => {}
                    _ => end_here = false,
                }
            }
            parts
                .iter()
                .zip(ends)
                .filter_map(|(p, end)| required_at(p, end))
                .min_by(|a, b| a.cost().total_cmp(&b.cost()))
        }
        HirKind::Alternation(branches) => {
            let mut all = Required::default();
            for b in branches {
                let r = required_at(b, at_end)?;
                all.anywhere.extend(r.anywhere);
                all.suffix.extend(r.suffix);
            }
            for list in [&mut all.anywhere, &mut all.suffix] {
                list.sort();
                list.dedup();
            }
            Some(all)
        }
        _ => None,
    }
}

/// Whether every match of `hir` starts at the start of the text (`^`).
fn is_anchored_hir(hir: &Hir) -> bool {
    hir.properties().look_set_prefix().contains(Look::Start)
}

/// What the first two bytes of a line say of the entries anchored at its start, for a line that
/// holds none of the floating entries' literals (those cannot match it,
/// [`LineSet::floating_candidates`]): most such lines start with two bytes that no anchored entry's
/// match starts with ([`Prefixes`]), and are ruled out here for a look-up or two, where the anchored
/// search cost some hundred instructions. The e-mail entry starts with any two word characters, but
/// its every match holds `@` ([`required_bytes`]); such an entry counts only on lines that hold one
/// of those bytes.
///
/// Exact: a line the gate rules out has no match of an anchored entry, whose match would start at
/// the line's start, so with one of the entry's prefixes, and hold one of its required bytes.
struct StartGate {
    /// The prefixes of the entries that every line they admit is searched for.
    search: Prefixes,
    /// The prefixes of the other entries, whose every match holds one of `bytes`.
    holding: Prefixes,
    /// At most three bytes: a line that the `holding` prefixes admit is searched when it holds one.
    bytes: Vec<u8>,
    /// Each entry of the gate on its own: its index in the set, its prefixes, and whether it is one
    /// of the `holding` entries ([`StartGate::only`]).
    each: Vec<(usize, Prefixes, bool)>,
}

/// Past this many first-two-byte prefixes (of 65,536) an entry lets most lines through ([`StartGate`]).
const MANY_PAIRS: u32 = 1024;

/// What an anchored entry says of a line's start ([`StartGate`]): its prefixes, and the bytes that
/// its every match holds when it is worth searching the text for them.
struct GatePart {
    prefixes: Prefixes,
    bytes: Option<Vec<u8>>,
}

impl StartGate {
    /// The [`GatePart`] of each entry; `None` when the prefixes of one cannot be worked out.
    fn parts(anchored: &[&Hir]) -> Option<Vec<GatePart>> {
        anchored
            .iter()
            .map(|hir| {
                let prefixes = Prefixes::of(hir)?;
                // Only an entry that most lines start like is worth a search of the text for its
                // bytes (the `Related:` entry asks for `:`, which prose holds often; its prefixes are
                // few).
                let bytes = required_bytes(hir).filter(|_| prefixes.pairs() > MANY_PAIRS);
                Some(GatePart { prefixes, bytes })
            })
            .collect()
    }

    /// The gate of the entries `parts[i]` for which `keep(i)`; `entries[i]` is the entry of `parts[i]`
    /// in its set. The bytes are those of all the parts, so that every gate of a set asks the same
    /// search of the text ([`LineSet::gate_candidates`]); a gate that leaves entries out only admits
    /// fewer lines.
    fn of_parts(parts: &[GatePart], entries: &[usize], keep: impl Fn(usize) -> bool) -> StartGate {
        let mut bytes: Vec<u8> = parts.iter().flat_map(|p| p.bytes.iter().flatten().copied()).collect();
        bytes.sort_unstable();
        bytes.dedup();
        // More than three bytes would take more than one `memchr` search: those entries are searched
        // whenever their prefixes admit a line.
        let few = bytes.len() <= 3;
        let mut gate = StartGate {
            search: Prefixes::none(),
            holding: Prefixes::none(),
            bytes: Vec::new(),
            each: Vec::new(),
        };
        for (i, p) in parts.iter().enumerate().filter(|&(i, _)| keep(i)) {
            let holding = p.bytes.is_some() && few;
            let to = if holding { &mut gate.holding } else { &mut gate.search };
            to.add(&p.prefixes);
            gate.each.push((entries[i], p.prefixes.clone(), holding));
        }
        if few {
            gate.bytes = bytes;
        }
        gate
    }

    /// Whether an anchored entry may match `t` (a line's content); `holds`, whether the line holds
    /// one of the gate's bytes.
    fn may_match(&self, t: &[u8], holds: bool) -> bool {
        self.search.admits(t) || (holds && self.holding.admits(t))
    }

    /// The one entry that may match `line` (that [`StartGate::may_match`] admits for), if only one
    /// may: a line that the anchored entries match, and the floating ones cannot, then matches that
    /// entry (an anchored entry's match starts with one of its prefixes, and holds one of its bytes).
    fn only(&self, line: &str, holds: bool) -> Option<usize> {
        let t = line.as_bytes();
        let mut admitting = self.each.iter().filter(|(_, p, holding)| (holds || !holding) && p.admits(t));
        let (e, _, _) = admitting.next()?;
        admitting.next().is_none().then_some(*e)
    }

    /// The places in `text` of the bytes that the `holding` entries' matches hold.
    fn find(&self, text: &str) -> Vec<(usize, usize)> {
        byte_hits(&self.bytes, text.as_bytes())
    }
}

/// The places in `t` of up to three `bytes` (one `memchr` search), as one-byte ranges in order.
fn byte_hits(bytes: &[u8], t: &[u8]) -> Vec<(usize, usize)> {
    debug_assert!(bytes.len() <= 3);
    let single = |i: usize| (i, i + 1);
    match *bytes {
        [] => Vec::new(),
        [a] => memchr::memchr_iter(a, t).map(single).collect(),
        [a, b] => memchr::memchr2_iter(a, b, t).map(single).collect(),
        [a, b, c, ..] => memchr::memchr3_iter(a, b, c, t).map(single).collect(),
    }
}

/// The first two bytes of the matches of a pattern: each match cut to its first two bytes (so a
/// match of one byte, or an empty one, is there whole). Look-around assertions are read as always
/// holding: they can only keep a match from happening, so the sets are never too small. Classes give
/// the first two bytes of their characters' UTF-8 encodings, exactly.
#[derive(Clone, PartialEq)]
struct Prefixes {
    /// Whether the empty string matches.
    empty: bool,
    /// The matches of one byte, a bit a byte.
    one: [u64; 4],
    /// The first two bytes of the longer matches, a bit a pair (`first * 256 + second`).
    two: Box<[u64; 1024]>,
}

impl Prefixes {
    fn none() -> Prefixes {
        Prefixes { empty: false, one: [0; 4], two: Box::new([0; 1024]) }
    }

    fn empty() -> Prefixes {
        Prefixes { empty: true, ..Prefixes::none() }
    }

    fn set_one(&mut self, b: u8) {
        self.one[usize::from(b >> 6)] |= 1 << (b & 63);
    }

    fn has_one(&self, b: u8) -> bool {
        self.one[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }

    fn set_two(&mut self, a: u8, b: u8) {
        let k = usize::from(a) << 8 | usize::from(b);
        self.two[k >> 6] |= 1 << (k & 63);
    }

    fn has_two(&self, a: u8, b: u8) -> bool {
        let k = usize::from(a) << 8 | usize::from(b);
        self.two[k >> 6] & (1 << (k & 63)) != 0
    }

    fn add(&mut self, other: &Prefixes) {
        self.empty |= other.empty;
        self.one.iter_mut().zip(&other.one).for_each(|(a, b)| *a |= b);
        self.two.iter_mut().zip(other.two.iter()).for_each(|(a, b)| *a |= b);
    }

    /// Whether a match can start `t`: one of these prefixes is a prefix of `t`.
    fn admits(&self, t: &[u8]) -> bool {
        self.empty
            || t.first().is_some_and(|&a| self.has_one(a))
            || (t.len() >= 2 && self.has_two(t[0], t[1]))
    }

    /// How many prefixes of two bytes.
    fn pairs(&self) -> u32 {
        self.two.iter().map(|w| w.count_ones()).sum()
    }

    /// Whether every prefix has two bytes: then nothing that follows changes them.
    fn is_full(&self) -> bool {
        !self.empty && self.one == [0; 4]
    }

    /// The matches of `self` followed by those of `next`, cut to two bytes.
    fn then(&self, next: &Prefixes) -> Prefixes {
        if self.is_full() {
            return self.clone();
        }
        if self.empty && self.one == [0; 4] && self.two.iter().all(|&w| w == 0) {
            // Only the empty string: `next` as it is.
            return next.clone();
        }
        let mut r = Prefixes::none();
        r.empty = self.empty && next.empty;
        if self.empty {
            r.add(&Prefixes { empty: false, ..next.clone() });
        }
        if next.empty {
            r.one.iter_mut().zip(&self.one).for_each(|(a, b)| *a |= b);
        }
        r.two.iter_mut().zip(self.two.iter()).for_each(|(a, b)| *a |= b);
        // A byte of `self` and the first byte of a non-empty match of `next`.
        let mut firsts = next.one;
        for (k, &w) in next.two.iter().enumerate() {
            if w != 0 {
                // The 64 pairs of word `k` all have the first byte `k / 4`.
                firsts[k >> 8] |= 1 << ((k >> 2) & 63);
            }
        }
        for a in (0..=255u8).filter(|&a| self.has_one(a)) {
            // The pairs `a, x` are the 256 bits from `a * 256`: four words.
            let at = usize::from(a) * 4;
            r.two[at..at + 4].iter_mut().zip(&firsts).for_each(|(w, f)| *w |= f);
        }
        r
    }

    /// The prefixes of `hir`; `None` when a repetition does not settle in a few rounds (it always
    /// should: the sets only grow, and cut to two bytes they soon stop).
    fn of(hir: &Hir) -> Option<Prefixes> {
        use regex_syntax::hir::{Class, HirKind};
        /// Rounds of a repetition past its minimum before giving up.
        const ROUNDS: usize = 8;
        let mut p = Prefixes::none();
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => p.empty = true,
            HirKind::Literal(l) => match l.0[..] {
                [] => p.empty = true,
                [a] => p.set_one(a),
                [a, b, ..] => p.set_two(a, b),
            },
            HirKind::Class(Class::Unicode(c)) => {
                for r in c.iter() {
                    for seq in regex_syntax::utf8::Utf8Sequences::new(r.start(), r.end()) {
                        match seq.as_slice() {
                            [x] => (x.start..=x.end).for_each(|a| p.set_one(a)),
                            [x, y, ..] => {
                                // The pairs `a, y.start..=y.end`: the same bits of each lead byte's row.
                                let mut row = [0u64; 4];
                                (y.start..=y.end).for_each(|b| row[usize::from(b >> 6)] |= 1 << (b & 63));
                                for a in x.start..=x.end {
                                    let at = usize::from(a) * 4;
                                    p.two[at..at + 4].iter_mut().zip(&row).for_each(|(w, r)| *w |= r);
                                }
                            }
                            [] => {}
                        }
                    }
                }
            }
            HirKind::Class(Class::Bytes(c)) => {
                c.iter().for_each(|r| (r.start()..=r.end()).for_each(|a| p.set_one(a)))
            }
            HirKind::Capture(c) => return Prefixes::of(&c.sub),
            HirKind::Concat(parts) => {
                p = Prefixes::empty();
                for part in parts {
                    // Once every prefix has its two bytes, what follows adds nothing.
                    if p.is_full() {
                        break;
                    }
                    p = p.then(&Prefixes::of(part)?);
                }
            }
            HirKind::Alternation(branches) => {
                for b in branches {
                    p.add(&Prefixes::of(b)?);
                }
            }
            HirKind::Repetition(r) => {
                let sub = Prefixes::of(&r.sub)?;
                // `min` copies: after two non-empty ones nothing changes, so a few rounds settle it.
                p = Prefixes::empty();
                let mut rounds = 0;
                for _ in 0..r.min {
                    let next = p.then(&sub);
                    if next == p {
                        break;
                    }
                    p = next;
                    rounds += 1;
                    if rounds > ROUNDS {
                        return None;
                    }
                }
                // Up to `max` copies: the union of `min`, `min + 1`, ... copies, which grows until it
                // stops changing.
                let extra = r.max.map_or(usize::MAX, |m| (m - r.min) as usize);
                let mut all = p.clone();
                for n in 0..extra {
                    let mut next = all.then(&sub);
                    next.add(&p);
                    if next == all {
                        break;
                    }
                    all = next;
                    if n > ROUNDS {
                        return None;
                    }
                }
                p = all;
            }
        }
        Some(p)
    }
}

/// At most three punctuation bytes one of which every match of `hir` holds: a byte of each of its
/// [`required_literals`] (a line with the literal holds its bytes). `None` when a literal has no
/// punctuation (a letter would be on most lines), or when that takes more than three bytes.
fn required_bytes(hir: &Hir) -> Option<Vec<u8>> {
    let mut literals = required_literals(hir)?;
    // Shorter literals first, so that `}@` goes with the `@` of `@`.
    literals.sort_by_key(Vec::len);
    let mut bytes: Vec<u8> = Vec::new();
    for l in &literals {
        if !l.iter().any(|b| bytes.contains(b)) {
            bytes.push(l.iter().copied().find(u8::is_ascii_punctuation)?);
        }
    }
    bytes.sort_unstable();
    (bytes.len() <= 3).then_some(bytes)
}

/// A rough chance that a list's literals occur at a given place in English prose: the sum over the
/// literals of the product of their bytes' chances.
fn list_likelihood(list: &[Vec<u8>]) -> f64 {
    let byte = |b: u8| match b {
        b'a'..=b'z' | b' ' => 0.05,
        b'A'..=b'Z' | b'0'..=b'9' | b',' | b'.' | b'\n' => 0.01,
        _ => 0.002,
    };
    // Each literal also costs the search something, however rare it is: a long list of names loses
    // to one punctuation mark that all its matches hold too.
    const FLOOR: f64 = 0.001;
    list.iter().map(|l| l.iter().map(|&b| byte(b)).product::<f64>().max(FLOOR)).sum()
}

/// The indices of the patterns that match a line, in order; used like [`regex::SetMatches`].
struct Matches(Vec<usize>);

impl Matches {
    fn matched_any(&self) -> bool {
        !self.0.is_empty()
    }
    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().copied()
    }
}

/// The same rewritings of a pattern ([`without_word_boundaries`], [`split_word_boundary_branches`]) on
/// its syntax tree, for a shorter text of the result.
///
/// A printed `Hir` spells every Unicode class out range by range (`\p{L}` is hundreds of them), and
/// parsing those texts again was a fifth of building the pattern stage. The syntax tree prints as the
/// rule was written. Whatever the tree gives is only used when it parses to the very `Hir` the
/// rewriting of the `Hir` gives (see [`compact`]), so the regexes compiled are the same either way.
mod ast {
    use regex_syntax::ast::{Alternation, Assertion, AssertionKind, Ast, Concat, Flags, Group, GroupKind};
    use regex_syntax::hir::Hir;

    /// The text of `hir`: `ast` printed, when it parses to `hir`, else `hir` printed.
    pub(super) fn compact(hir: &Hir, ast: Option<Ast>) -> String {
        if let Some(ast) = ast {
            let mut text = String::new();
            if regex_syntax::ast::print::Printer::new().print(&ast, &mut text).is_ok()
                && regex_syntax::parse(&text).ok().as_ref() == Some(hir)
            {
                return text;
            }
        }
        hir.to_string()
    }

    fn is_word_boundary(a: &Assertion) -> bool {
        !matches!(
            a.kind,
            AssertionKind::StartLine
                | AssertionKind::EndLine
                | AssertionKind::StartText
                | AssertionKind::EndText
        )
    }

    /// An empty group, `(?:)`, in place of a removed assertion (an empty `Ast` prints as nothing,
    /// which a repetition operator after it would then apply to what comes before).
    fn empty_group(a: &Assertion) -> Ast {
        Ast::group(Group {
            span: a.span,
            kind: GroupKind::NonCapturing(Flags { span: a.span, items: Vec::new() }),
            ast: Box::new(Ast::empty(a.span)),
        })
    }

    /// `ast` with its word-boundary assertions taken out.
    pub(super) fn without_word_boundaries(ast: &Ast) -> Ast {
        match ast {
            Ast::Assertion(a) if is_word_boundary(a) => empty_group(a),
            Ast::Repetition(r) => {
                let mut r = r.clone();
                r.ast = Box::new(without_word_boundaries(&r.ast));
                Ast::Repetition(r)
            }
            Ast::Group(g) => {
                let mut g = g.clone();
                g.ast = Box::new(without_word_boundaries(&g.ast));
                Ast::Group(g)
            }
            Ast::Alternation(a) => Ast::alternation(Alternation {
                span: a.span,
                asts: a.asts.iter().map(without_word_boundaries).collect(),
            }),
            Ast::Concat(c) => Ast::concat(Concat {
                span: c.span,
                asts: c.asts.iter().map(without_word_boundaries).collect(),
            }),
            _ => ast.clone(),
        }
    }

    fn has_word_boundary(ast: &Ast) -> bool {
        match ast {
            Ast::Assertion(a) => is_word_boundary(a),
            Ast::Repetition(r) => has_word_boundary(&r.ast),
            Ast::Group(g) => has_word_boundary(&g.ast),
            Ast::Alternation(a) => a.asts.iter().any(has_word_boundary),
            Ast::Concat(c) => c.asts.iter().any(has_word_boundary),
            _ => false,
        }
    }

    /// The alternation `ast` is, alone or in a plain non-capturing group.
    fn alternation(ast: &Ast) -> Option<&Alternation> {
        match ast {
            Ast::Alternation(a) => Some(a),
            Ast::Group(g) => match (&g.kind, &*g.ast) {
                (GroupKind::NonCapturing(f), Ast::Alternation(a)) if f.items.is_empty() => Some(a),
                _ => None,
            },
            _ => None,
        }
    }

    /// [`super::split_word_boundary_branches`] on the syntax tree.
    pub(super) fn split_word_boundary_branches(ast: &Ast) -> Option<(Ast, Ast)> {
        let parts: Vec<Ast> = match ast {
            Ast::Concat(c) => c.asts.clone(),
            _ => vec![ast.clone()],
        };
        let at = parts.iter().position(|a| alternation(a).is_some())?;
        let alt = alternation(&parts[at])?;
        let (bounded, plain): (Vec<Ast>, Vec<Ast>) = alt.asts.iter().cloned().partition(has_word_boundary);
        let with = |asts: Vec<Ast>| {
            let mut p = parts.clone();
            p[at] = Ast::group(Group {
                span: alt.span,
                kind: GroupKind::NonCapturing(Flags { span: alt.span, items: Vec::new() }),
                ast: Box::new(Ast::alternation(Alternation { span: alt.span, asts })),
            });
            Ast::concat(Concat { span: alt.span, asts: p })
        };
        Some((with(plain), with(bounded)))
    }
}

/// `hir` with every non-ASCII character added to each of its classes that holds one, and its bounded
/// repetitions unbounded: it matches all that `hir` matches (and more). The reverse search of the
/// floating entries ([`SetEngine::with_reverse`]) runs on this: the UTF-8 automata of the reversed
/// Unicode classes (`\p{L}`, a few hundred ranges) made each state of its lazy DFA costly to build,
/// a billion instructions on a 5 MB run, where one range above ASCII compiles to a handful of byte
/// ranges. Its answers are only a filter: a line it finds a match in gets the exact search.
fn widened(hir: &Hir) -> Hir {
    use regex_syntax::hir::{Capture, Class, ClassUnicode, ClassUnicodeRange, HirKind, Repetition};
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) if c.ranges().last().is_some_and(|r| r.end() > '\x7f') => {
            let mut wide = ClassUnicode::new(
                c.ranges()
                    .iter()
                    .filter(|r| r.start() <= '\x7f')
                    .map(|r| ClassUnicodeRange::new(r.start(), r.end().min('\x7f'))),
            );
            wide.push(ClassUnicodeRange::new('\u{80}', char::MAX));
            Hir::class(Class::Unicode(wide))
        }
        HirKind::Concat(v) => Hir::concat(v.iter().map(widened).collect()),
        HirKind::Alternation(v) => Hir::alternation(v.iter().map(widened).collect()),
        // A bounded repetition counts in the automaton's states, and the reversed pattern's many
        // counters, all live at once, made thousands of them: unbounded, it matches more, with few.
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            min: r.min.min(1),
            max: None,
            sub: Box::new(widened(&r.sub)),
            ..r.clone()
        }),
        HirKind::Capture(c) => Hir::capture(Capture { sub: Box::new(widened(&c.sub)), ..c.clone() }),
        _ => hir.clone(),
    }
}

/// `hir` with its Unicode word-boundary assertions removed.
fn without_word_boundaries(hir: &Hir) -> Hir {
    use regex_syntax::hir::{Capture, HirKind, Look, Repetition};
    fn strip(h: &Hir) -> Hir {
        match h.kind() {
            HirKind::Look(
                Look::WordUnicode
                | Look::WordUnicodeNegate
                | Look::WordStartUnicode
                | Look::WordEndUnicode
                | Look::WordStartHalfUnicode
                | Look::WordEndHalfUnicode,
            ) => Hir::empty(),
            HirKind::Concat(v) => Hir::concat(v.iter().map(strip).collect()),
            HirKind::Alternation(v) => Hir::alternation(v.iter().map(strip).collect()),
            HirKind::Repetition(r) => {
                Hir::repetition(Repetition { sub: Box::new(strip(&r.sub)), ..r.clone() })
            }
            HirKind::Capture(c) => Hir::capture(Capture { sub: Box::new(strip(&c.sub)), ..c.clone() }),
            _ => h.clone(),
        }
    }
    strip(hir)
}

/// The pattern rules of one stage, compiled.
pub struct PatternPass {
    set: LineSet,
    rules: Vec<LineRule>,
    replacers: Vec<(RuleId, Regex, String, Scope)>,
    zone_lines: usize,
    head_lines: usize,
    max_block_lines: usize,
    /// Whether a rule is scoped to a block's end: only then is a wrapped credit looked for.
    block_end: bool,
}

impl PatternPass {
    /// Compiles the enabled pattern rules of `s`; `None` when it has none.
    pub fn new(s: &ResolvedStage) -> Result<Option<PatternPass>, String> {
        let mut patterns = Vec::new();
        let mut rules = Vec::new();
        let mut replacers = Vec::new();
        for r in s.rules.iter().filter(|r| r.enabled) {
            let Some(p) = &r.pattern else { continue };
            if r.action == Action::Replace {
                let re = compile(p).map_err(|e| format!("rule `{}`: {e}", r.id))?;
                replacers.push((RuleId::from(r.id.as_str()), re, r.replacement.clone(), r.scope));
            } else {
                patterns.push(p.clone());
                rules.push(LineRule { id: RuleId::from(r.id.as_str()), scope: r.scope, action: r.action });
            }
        }
        if patterns.is_empty() && replacers.is_empty() {
            return Ok(None);
        }
        let set = LineSet::new(&patterns)?.with_head_only(|k| rules[k].scope == Scope::Head);
        let block_end = rules.iter().any(|r| r.scope == Scope::BlockEnd);
        Ok(Some(PatternPass {
            block_end,
            set,
            rules,
            replacers,
            zone_lines: s.zone_lines,
            head_lines: s.head_lines,
            max_block_lines: s.max_block_lines,
        }))
    }
}

pub fn build(s: &ResolvedStage) -> Result<Vec<Box<dyn crate::pipeline::Pass>>, String> {
    Ok(match PatternPass::new(s)? {
        Some(p) => vec![Box::new(p)],
        None => Vec::new(),
    })
}

impl Pass for PatternPass {
    fn apply(&self, doc: &Doc, edits: &mut Edits) {
        // In reflowed text (one block a line) nothing is wrapped: a matching line goes alone, never with
        // the next or the previous block (issue 7: a second run of the pipeline on its own output).
        let blocks = reflowed_blocks(doc.text);
        let settled = blocks.is_some();
        // The look after reflow (the pipeline's settling round) nearly always removes nothing, and
        // most of what the full pass cost there went into the line table (a `lines::split` of the
        // whole reflowed text) and the claim tables, which only a removal needs. So reflowed text is
        // searched first, block by block and without a table ([`PatternPass::reflowed_claims`]), and
        // the full pass runs only when a line would be claimed (b5: 139 of 554 reflowed looks
        // matched some line, 41 removed one).
        if let Some(blocks) = blocks.filter(|_| self.replacers.is_empty()) {
            if !self.reflowed_claims(doc.text, &blocks) {
                return;
            }
        }
        self.apply_lines(doc, edits, settled);
    }
}

impl PatternPass {
    /// Whether the full pass ([`PatternPass::apply_lines`]) may claim a line of `text`, reflowed text
    /// ([`lines::is_reflowed`]) with the `blocks` of [`reflowed_blocks`]; when it says no, that pass
    /// makes no edit but a replacement's.
    ///
    /// Exact, by what the full pass does with reflowed text:
    /// - Block `k` is the content of the `k`-th non-blank line ([`reflowed_blocks`]), and gets the
    ///   same search.
    /// - Nothing is wrapped in reflowed text, so the wrapped-credit join is skipped, and a line that
    ///   matches nothing has no part in the pass but in counting the head. Only a claim leads to a
    ///   removal (a line-wrapped or block-end rule takes more lines only with the line it claims), and
    ///   a keep only blocks claims.
    /// - The head: before the first claim, every non-blank line counts towards it (kept or not), so
    ///   block `k` is in the head exactly when `k < head_lines`, and the scan stops at the first block
    ///   that may be claimed. A match of a rule scoped to the head outside it claims nothing (a byline
    ///   further down, b5: 98 of the 139 reflowed looks that matched something).
    /// - A page-edge rule is taken to claim its match wherever it is (the full pass then decides).
    ///
    /// (Test: the edits of the full pass, on reflowed texts and the shipped rules.)
    fn reflowed_claims(&self, text: &str, blocks: &[std::ops::Range<usize>]) -> bool {
        if self.rules.is_empty() {
            return false;
        }
        let mut floating = self.set.floating_candidates(text);
        let mut gate = self.set.gate_candidates(text);
        let mut searcher = self.set.searcher();
        for (k, content) in blocks.iter().enumerate() {
            let (candidate, holds) = (floating.holds(content), gate.holds(content));
            // Past the head, a rule scoped to it claims nothing.
            let m = if k < self.head_lines {
                searcher.matches_in(text, content, candidate, holds)
            } else {
                searcher.matches_past_head_in(text, content, candidate, holds)
            };
            let claims = |r: usize| {
                let rule = &self.rules[r];
                rule.action != Action::Keep && (rule.scope != Scope::Head || k < self.head_lines)
            };
            if m.iter().any(claims) {
                return true;
            }
        }
        false
    }

    /// The full pass, on the line table; `settled` is [`lines::is_reflowed`] of the text.
    fn apply_lines(&self, doc: &Doc, edits: &mut Edits, settled: bool) {
        let text = doc.text;
        let lines = doc.lines();
        // Which rule (if any) claims each line; keep rules first, then drop rules in file order.
        let mut claim: LineTable<Claim> = LineTable::new(lines.len());
        let mut kept: LineTable<bool> = LineTable::new(lines.len());
        // The lines claimed, in the order of their claims (a wrapped credit's second line comes
        // before the line after it, and may come twice): the pass over the claims and the removals
        // then reads these, where a walk of every line of the document cost more than the claims.
        let mut claimed: Vec<usize> = Vec::new();
        // The head is the document's first `head_lines` lines that stay: a line this pass drops does not
        // count, so that a byline below three datelines is still in the head, as it is once they are
        // gone (issue 7: a second run would find it there). It ends where the count is reached.
        let mut head_end = lines.len();
        let mut head_seen = 0;
        let edge = self.rules.iter().map(|r| r.scope).chain(self.replacers.iter().map(|r| r.3));
        let zone = if edge.into_iter().any(|s| s == Scope::PageEdge) {
            page_zone(lines, self.zone_lines)
        } else {
            Vec::new()
        };
        // `head` and `page-edge` limit every action, `keep` and `replace` included.
        let in_scope = |scope: Scope, i: usize, head_end: usize| match scope {
            Scope::Head => i < head_end,
            Scope::PageEdge => zone.get(i).copied().unwrap_or(false),
            _ => true,
        };
        // The rule that removes each line; left empty when no line is claimed (most documents).
        let mut drop: Vec<Claim> = Vec::new();
        if !self.rules.is_empty() {
            let mut floating = self.set.floating_candidates(text);
            let mut gate = self.set.gate_candidates(text);
            let mut searcher = self.set.searcher();
            let may_wrap = self.block_end && !settled;
            for (i, l) in lines.iter().enumerate() {
                if l.is_blank() {
                    continue;
                }
                if head_end == lines.len() && head_seen >= self.head_lines {
                    head_end = i;
                }
                let (candidate, holds) = (floating.holds(&l.content), gate.holds(&l.content));
                let credit = self.wrapped_credit(text, lines, i, l, may_wrap);
                // Past the head (`head_end` is known once the head is counted), a rule scoped to the
                // head neither keeps nor claims a line, so its match changes nothing, but for one
                // thing: a line that matches something is not read as the first line of a wrapped
                // credit. So only a line that cannot be one leaves those rules out.
                let mut m = if head_end != lines.len() && credit.is_none() {
                    searcher.matches_past_head_in(text, &l.content, candidate, holds)
                } else {
                    searcher.matches_in(text, &l.content, candidate, holds)
                };
                if !m.matched_any() {
                    // A block-end line (a credit) wrapped after its first word or its `/`, `©`, `Photo:`:
                    // the line and the short one below it, read as one.
                    if let Some(j) = credit {
                        let joined = format!("{} {}", l.text(text), lines[j].text(text));
                        m = searcher.matches(&joined, true, true);
                        if m.iter().any(|k| {
                            self.rules[k].scope == Scope::BlockEnd && self.rules[k].action == Action::Drop
                        }) {
                            let k = m.iter().find(|&k| self.rules[k].scope == Scope::BlockEnd).unwrap();
                            claim.set(j, claim_of(k));
                            claimed.push(j);
                        }
                    }
                    head_seen += claim.get(i).is_none() as usize;
                    continue;
                }
                if m.iter().any(|k| {
                    self.rules[k].action == Action::Keep && in_scope(self.rules[k].scope, i, head_end)
                }) {
                    kept.set(i, true);
                    head_seen += 1;
                    continue;
                }
                for k in m.iter().filter(|&k| self.rules[k].action != Action::Keep) {
                    if in_scope(self.rules[k].scope, i, head_end) {
                        claim.set(i, claim_of(k));
                        claimed.push(i);
                        break;
                    }
                }
                head_seen += claim.get(i).is_none() as usize;
            }
        } else {
            head_end = head_end_of(lines, self.head_lines);
        }
        if !claimed.is_empty() {
            let (claim, kept) = (claim.full(), kept.full());
            drop = vec![None; lines.len()];
            let claim_at = |i: usize| claim[i].map(|c| c.get() as usize - 1);
            let width = lines::typical_width(text, lines);
            let loose = !settled && lines::blank_separated(text, lines);
            // The claimed lines in the order of the text, as a walk of every line would meet them;
            // and the lines given a rule to drop them (the last one given counts).
            claimed.sort_unstable();
            claimed.dedup();
            let mut dropped: Vec<usize> = Vec::with_capacity(claimed.len());
            for &i in &claimed {
                let Some(k) = claim_at(i) else { continue };
                drop[i] = claim[i];
                dropped.push(i);
                match self.rules[k].scope {
                    Scope::LineWrapped => {
                        if let Some(j) =
                            (!settled).then(|| wrapped_continuation(text, lines, i, width)).flatten()
                        {
                            if !kept[j] && claim[j].is_none() {
                                drop[j] = claim[i];
                                dropped.push(j);
                            }
                        }
                    }
                    Scope::BlockEnd => {
                        // When the block is too long to be a caption (pypdf prints no blank lines),
                        // the matching line alone goes: caption and credit on one line, as is usual.
                        let above =
                            block_above(text, lines, i, width, loose, self.max_block_lines, claim, kept);
                        if let Some(first) = above {
                            for j in (first..i).filter(|&j| !lines[j].is_blank()) {
                                drop[j] = claim[i];
                                dropped.push(j);
                            }
                        }
                    }
                    _ => {}
                }
            }
            dropped.sort_unstable();
            dropped.dedup();
            for &i in &dropped {
                if let Some(k) = drop[i].map(|c| c.get() as usize - 1) {
                    let range = if settled {
                        lines::reflowed_removal_range(text, lines, i)
                    } else {
                        lines::removal_range(text, lines, i)
                    };
                    edits.remove(range, &self.rules[k].id);
                }
            }
        }
        for (id, re, rep, scope) in &self.replacers {
            for (i, l) in lines.iter().enumerate() {
                // A dropped line is gone: a replacement inside it would fight the removal.
                if l.is_blank()
                    || kept.get(i)
                    || drop.get(i).is_some_and(Option::is_some)
                    || !in_scope(*scope, i, head_end)
                {
                    continue;
                }
                let line = l.text(text);
                for caps in re.captures_iter(line) {
                    let m = caps.get(0).expect("group 0 always matches");
                    let mut out = String::new();
                    caps.expand(rep, &mut out);
                    let base = l.content.start;
                    edits.push(base + m.start()..base + m.end(), out, id);
                }
            }
        }
    }
}

impl PatternPass {
    /// The next line, when line `i` ends in a way that leaves a credit unfinished (`/`, `©`, `:`, `,`)
    /// and that next line (at most one blank line below) is short: a name of at most four words.
    ///
    /// Asked of nearly every line of a document, and nearly always no: the last byte of the line
    /// answers that first (`©` ends in 0xA9, as do other characters, which the full test rules out).
    /// `may_wrap`: a rule is scoped to a block's end, and the text is not reflowed (the caller knows
    /// that once for all its lines).
    #[inline(always)]
    fn wrapped_credit(
        &self,
        text: &str,
        lines: &[Line],
        i: usize,
        l: &Line,
        may_wrap: bool,
    ) -> Option<usize> {
        let last = l.content.end.checked_sub(1).filter(|&e| e >= l.content.start).map(|e| text.as_bytes()[e]);
        if !may_wrap || !matches!(last, Some(b'/' | b':' | b',' | 0xa9)) {
            return None;
        }
        self.wrapped_credit_below(text, lines, i)
    }

    /// [`PatternPass::wrapped_credit`] past its first test.
    fn wrapped_credit_below(&self, text: &str, lines: &[Line], i: usize) -> Option<usize> {
        let t = lines[i].text(text);
        if !t.ends_with(['/', '©', ':', ',']) {
            return None;
        }
        let mut j = i + 1;
        while j < lines.len() && lines[j].is_blank() && j <= i + 2 {
            j += 1;
        }
        let next = lines.get(j)?;
        let nt = next.text(text);
        (!next.is_blank()
            && next.page == lines[i].page
            && nt.split_whitespace().count() <= 4
            && nt.len() <= 40)
            .then_some(j)
    }
}

/// The blocks of `text` when it is reflowed, `None` when it is not: [`lines::is_reflowed`]'s answer,
/// with the content ranges of the text's non-blank lines, in one walk over the text (the test, then a
/// walk for the blocks, read the reflowed text three times: one look in ten went into that).
///
/// As `is_reflowed` asks: every newline of the trimmed text is one of a pair, with no white space on
/// either side of the pair, and no form feed is anywhere in the text (the white space around the
/// trimmed text is searched on its own, the trimmed text with the newlines). So the non-blank lines
/// of the text are the pieces of the trimmed text between the pairs, each its own content: it starts
/// and ends with a character that is not white space. (Test: `is_reflowed`, and `lines::split`'s
/// contents.)
fn reflowed_blocks(text: &str) -> Option<Vec<std::ops::Range<usize>>> {
    let bytes = text.as_bytes();
    let trimmed = text.trim_start();
    let start = text.len() - trimmed.len();
    let end = start + trimmed.trim_end().len();
    if memchr::memchr(0x0c, &bytes[..start]).is_some() || memchr::memchr(0x0c, &bytes[end..]).is_some() {
        return None;
    }
    let space = |c: Option<char>| c.map_or(true, char::is_whitespace);
    // About a block every 128 bytes (b5: 200 on average), so that few documents grow the list.
    let mut blocks = Vec::with_capacity(text.len() / 128 + 1);
    let mut from = start;
    while from < end {
        let Some(n) = memchr::memchr2(b'\n', 0x0c, &bytes[from..end]) else {
            blocks.push(from..end);
            break;
        };
        let i = from + n;
        if bytes[i] != b'\n' || i + 1 >= end || bytes[i + 1] != b'\n' {
            return None;
        }
        if space(text[from..i].chars().next_back()) || space(text[i + 2..end].chars().next()) {
            return None;
        }
        blocks.push(from..i);
        from = i + 2;
    }
    Some(blocks)
}

/// The rule that claims a line, `k + 1` for rule `k`: four bytes a line, where an `Option<usize>` took
/// sixteen, and the tables of a document that claims a line are zeroed whole.
type Claim = Option<std::num::NonZeroU32>;

fn claim_of(k: usize) -> Claim {
    Some(u32::try_from(k + 1).ok().and_then(std::num::NonZeroU32::new).expect("fewer than 2^32 rules"))
}

/// A value for each line of a document, the default for all until one is set: the pass's claims and
/// keeps, which most documents have none of, cost no table then (zeroing one a look was 4% of the
/// pass).
struct LineTable<T> {
    values: Vec<T>,
    lines: usize,
}

impl<T: Copy + Default> LineTable<T> {
    fn new(lines: usize) -> LineTable<T> {
        LineTable { values: Vec::new(), lines }
    }

    fn get(&self, i: usize) -> T {
        self.values.get(i).copied().unwrap_or_default()
    }

    fn set(&mut self, i: usize, value: T) {
        if self.values.is_empty() {
            self.values = vec![T::default(); self.lines];
        }
        self.values[i] = value;
    }

    /// The values of all the lines.
    fn full(&mut self) -> &[T] {
        if self.values.is_empty() {
            self.values = vec![T::default(); self.lines];
        }
        &self.values
    }
}

/// Index of the first line past the document's head: the first `n` non-blank lines.
pub(crate) fn head_end_of(lines: &[Line], n: usize) -> usize {
    let mut seen = 0;
    for (i, l) in lines.iter().enumerate() {
        if !l.is_blank() {
            seen += 1;
            if seen > n {
                return i;
            }
        }
    }
    lines.len()
}

/// For each line, whether it is among the first or last `n` non-blank lines of its page.
pub(crate) fn page_zone(lines: &[Line], n: usize) -> Vec<bool> {
    let mut zone = vec![false; lines.len()];
    for page in lines::pages(lines) {
        for &i in page.iter().take(n) {
            zone[i] = true;
        }
        for &i in page.iter().rev().take(n) {
            zone[i] = true;
        }
    }
    zone
}

/// The line that finishes line `i` when `i` was wrapped: `i` fills the column, and the next non-blank
/// line (at most one blank line away, same page) is shorter than a full line and ends no sentence (a
/// headline's tail, not the first line of a paragraph).
fn wrapped_continuation(text: &str, lines: &[Line], i: usize, width: usize) -> Option<usize> {
    if width == 0 || lines[i].chars * 10 < width * 8 {
        return None;
    }
    let mut j = i + 1;
    let mut blanks = 0;
    while j < lines.len() && lines[j].is_blank() {
        blanks += 1;
        j += 1;
    }
    if j >= lines.len() || blanks > 1 || lines[j].page != lines[i].page {
        return None;
    }
    // A wrapped headline goes on in lower case (`... warns SURRENDER is` / `only option`), or with a
    // capital after a capitalised word (`... Stadia Gaming` / `Platform Are Here`, `... see Hong` /
    // `Kong`). A capital after a lower-case word (`... a police station, Austria says` / `Get it on
    // Amazon for $243.97`) starts the text again, which is worse to lose than an insert's tail is to keep.
    // A line that ends in `the`, `of`, `to` goes on whatever comes next (`... Song of the` / `Year`).
    let next = lines[j].text(text);
    let last = lines[i].text(text).rsplit(char::is_whitespace).next().unwrap_or("");
    let capital_after_capital = next.starts_with(char::is_uppercase) && last.starts_with(char::is_uppercase);
    let goes_on = capital_after_capital
        || crate::stage::reflow::CONTINUING.contains(&last.to_lowercase().as_str())
        || !next.starts_with(|c: char| c.is_alphabetic() && !c.is_lowercase());
    (goes_on && lines[j].chars * 10 < width * 8 && !lines::ends_sentence(next)).then_some(j)
}

/// The first line of the block that line `i` ends, when that block has at most `max` lines; `None`
/// when it is longer. A block is a run of lines with no blank line between them; in blank-separated
/// text (`loose`) it is a run of lines that each fill the column (a wrapped caption).
///
/// A run that no blank line or the text's start closes (it meets another page, or a line another rule
/// claimed or kept) is no block in text without blank lines (pypdf's): the lines above the credit
/// may end a paragraph of the text, next to a `Read more:` insert that made the run short. There the
/// caption is only what follows the last line above it that ends a sentence: the line just above
/// a credit alone on its line (`Photo: Jane Doe/Agency`, short, no sentence in it) is the caption's
/// end, whatever it ends in; the lines above that, and above a credit sharing its line with a
/// caption, belong to it only while they do not end a sentence.
#[allow(clippy::too_many_arguments)]
fn block_above(
    text: &str,
    lines: &[Line],
    i: usize,
    width: usize,
    loose: bool,
    max: usize,
    claim: &[Claim],
    kept: &[bool],
) -> Option<usize> {
    let mut first = i;
    let mut count = 1;
    let mut j = i;
    let closed = loop {
        if j == 0 {
            break true;
        }
        let mut k = j - 1;
        let mut blank = false;
        while k > 0 && lines[k].is_blank() {
            blank = true;
            k -= 1;
        }
        if lines[k].is_blank() {
            break true;
        }
        if lines[k].page != lines[i].page || claim[k].is_some() || kept[k] {
            break blank;
        }
        let full = width > 0 && lines[k].chars * 10 >= width * 8;
        let continues =
            if blank { loose && full && !lines::ends_sentence(lines[k].text(text)) } else { true };
        if !continues {
            break true;
        }
        count += 1;
        if count > max {
            return None;
        }
        first = k;
        j = k;
    };
    if closed || first == i {
        return Some(first);
    }
    let credit = lines[i].text(text);
    let alone = (width == 0 || lines[i].chars * 2 < width) && !has_sentence_inside(credit);
    let mut start = i;
    while start > first {
        let above = lines[start - 1].text(text);
        if !(start == i && alone) && lines::ends_sentence(above) {
            break;
        }
        start -= 1;
    }
    Some(start)
}

/// Whether a sentence ends inside `s` and another starts after it (`... on Monday. Jane Doe / AP`);
/// an initial (`J. Doe`) ends none.
fn has_sentence_inside(s: &str) -> bool {
    s.match_indices(['.', '!', '?']).any(|(at, _)| {
        let word = s[..at].rsplit(' ').next().unwrap_or("");
        let initial = word.chars().count() == 1 && word.starts_with(char::is_uppercase);
        let rest = &s[at + 1..];
        !initial && rest.strip_prefix(' ').is_some_and(|r| r.starts_with(char::is_uppercase))
    })
}

#[cfg(test)]
mod line_set_tests {
    use super::*;

    #[test]
    fn relaxing_word_boundaries_keeps_the_exact_matches() {
        let patterns = vec![r"\bAP\b$".to_string(), r"^By\s+\p{Lu}".to_string(), r"(?i)photo\b".to_string()];
        let set = LineSet::new(&patterns).unwrap();
        assert!(set.entries[0].1.is_some() && set.entries[1].1.is_none() && set.entries[2].1.is_some());
        let exact: Vec<Regex> = patterns.iter().map(|p| Regex::new(p).unwrap()).collect();
        for line in
            ["Credit: AP", "Credit: CAP", "By Émile", "photos “here”", "PHOTO — é", "AP", "ÉAP", "APé"]
        {
            let want: Vec<usize> = (0..patterns.len()).filter(|&k| exact[k].is_match(line)).collect();
            assert_eq!(set.searcher().matches(line, true, true).0, want, "{line}");
        }
    }

    #[test]
    fn splitting_off_word_boundary_branches_keeps_the_exact_matches() {
        let patterns = vec![
            r"(?:\p{Lu}\p{Ll}+\s/\s\p{Lu}\w+|\s/\s(?:\p{Lu}{2,}\b|Reuters\b)[\p{L}.'-]*|©\s*\p{Lu}\w*)$"
                .to_string(),
            r"^(?:AP|Photo\b|x)".to_string(),
            r"(?:a\b|b\b)c".to_string(),
        ];
        let split = |p: &str| split_word_boundary_branches(&regex_syntax::parse(p).unwrap());
        assert!(split(&patterns[0]).is_some());
        assert!(split(&patterns[2]).is_none());
        let set = LineSet::new(&patterns).unwrap();
        assert_eq!(set.entries.len(), 5);
        let exact: Vec<Regex> = patterns.iter().map(|p| Regex::new(p).unwrap()).collect();
        for line in [
            "Jane Doe / Reuters",
            "Jane Doe / REUTERSé",
            "x / REUTERS",
            "x / REUTERSé",
            "x / ÉÉ",
            "x / Reutersé",
            "x / Reuters-Pool",
            "© Émile",
            "Photos by",
            "Photo é",
            "AP",
            "a c",
            "ac",
        ] {
            let want: Vec<usize> = (0..patterns.len()).filter(|&k| exact[k].is_match(line)).collect();
            assert_eq!(set.searcher().matches(line, true, true).0, want, "{line}");
        }
    }

    #[test]
    fn syntax_tree_texts_are_short_and_parse_to_the_rewritten_hir() {
        let p = r"(?:\p{Lu}\p{Ll}+\s/\s\p{Lu}[\p{L}'-]*|\s/\s(?:\p{Lu}{2,}\b|Reuters\b)\p{L}*)$";
        let hir = regex_syntax::parse(p).unwrap();
        let tree = regex_syntax::ast::parse::Parser::new().parse(p).unwrap();
        let (plain, bounded) = split_word_boundary_branches(&hir).unwrap();
        let (plain_tree, bounded_tree) = ast::split_word_boundary_branches(&tree).unwrap();
        let relaxed = without_word_boundaries(&bounded);
        let relaxed_tree = ast::without_word_boundaries(&bounded_tree);
        for (hir, tree) in [(plain, plain_tree), (bounded, bounded_tree), (relaxed, relaxed_tree)] {
            let text = ast::compact(&hir, Some(tree));
            // The tree's text was taken (the printed `Hir` spells the classes out), and means the same.
            assert!(text.len() < 80, "{text}");
            assert_eq!(regex_syntax::parse(&text).unwrap(), hir);
        }
        // A tree that does not give the `Hir` is not used.
        let other = regex_syntax::ast::parse::Parser::new().parse("x").unwrap();
        assert_eq!(ast::compact(&hir, Some(other)), hir.to_string());
        // A removed boundary before a repetition operator leaves the operator where it was.
        let tree = regex_syntax::ast::parse::Parser::new().parse(r"a\b+c").unwrap();
        let hir = without_word_boundaries(&regex_syntax::parse(r"a\b+c").unwrap());
        assert_eq!(ast::compact(&hir, Some(ast::without_word_boundaries(&tree))), "a(?:)+c");
    }

    /// The line rules of every pattern stage of every shipped preset, as `PatternPass::new` gives them
    /// to its [`LineSet`]: the preset's name, the patterns, and which of them are scoped to the head.
    fn preset_line_rules() -> Vec<(&'static str, Vec<String>, Vec<bool>)> {
        let mut sets = Vec::new();
        for (name, _) in crate::rules::PRESETS {
            let rules = crate::rules::RuleSet::preset(name).unwrap();
            for stage in rules.stages.iter().filter(|s| s.kind == crate::rules::StageKind::Patterns) {
                let rules: Vec<_> = stage
                    .rules
                    .iter()
                    .filter(|r| r.enabled && r.action != Action::Replace && r.pattern.is_some())
                    .collect();
                let patterns = rules.iter().filter_map(|r| r.pattern.clone()).collect();
                let head_only = rules.iter().map(|r| r.scope == Scope::Head).collect();
                sets.push((*name, patterns, head_only));
            }
        }
        sets
    }

    /// The default photo-credit rule's pattern, parsed, without its word boundaries.
    fn photo_credit_hir() -> regex_syntax::hir::Hir {
        let rules = crate::rules::RuleSet::default_rules();
        let rule = rules.stages.iter().flat_map(|s| &s.rules).find(|r| r.id == "photo-credit").unwrap();
        without_word_boundaries(&regex_syntax::parse(rule.pattern.as_ref().unwrap()).unwrap())
    }

    /// Lines to search: every line of every shipped rule example and bundled sample, and credits of
    /// each kind with the pieces of prose they hide in.
    fn probe_lines() -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        for (name, _) in crate::rules::PRESETS {
            let rules = crate::rules::RuleSet::preset(name).unwrap();
            for r in rules.stages.iter().flat_map(|s| &s.rules) {
                for e in &r.examples {
                    lines.extend(e.input.lines().chain(e.output.lines()).map(str::to_string));
                }
            }
        }
        let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/input");
        for f in std::fs::read_dir(samples).unwrap() {
            let text = String::from_utf8_lossy(&std::fs::read(f.unwrap().path()).unwrap()).into_owned();
            lines.extend(text.lines().map(str::to_string));
        }
        let credits = [
            "Jane Doe / Reuters",
            "(AP Photo/Jane Doe)",
            "(AFP)",
            "Photo: Port Authority",
            "© Jane Doe",
            "Getty Images via AFP",
            "Jane Doe, Reuters",
            "EPA/Jane Doe",
            "Harbour at dawn. Shutterstock.",
        ];
        for c in credits {
            for before in ["", "The boats left at six. ", "  ", "Ships at berth: "] {
                lines.push(format!("{before}{c}"));
                lines.push(format!("{before}{c} "));
            }
        }
        lines
    }

    /// The literal lists of the shipped rules keep every match: a line that the finder passes over
    /// (searched from its start only) gets the answer of the search of the whole line.
    #[test]
    fn lines_without_the_literals_get_the_answer_of_the_full_search() {
        let lines = probe_lines();
        let text = lines.join("\n");
        let split = crate::lines::split(&text);
        for (name, patterns, _) in preset_line_rules() {
            let set = LineSet::new(&patterns).unwrap();
            let exact = regex::RegexSet::new(&patterns).unwrap();
            assert!(name != "default" || set.literals.is_some(), "the default rules give no literals");
            let mut floating = set.floating_candidates(&text);
            let candidates: Vec<bool> = split.iter().map(|l| floating.holds(&l.content)).collect();
            let mut gate = set.gate_candidates(&text);
            let holds: Vec<bool> = split.iter().map(|l| gate.holds(&l.content)).collect();
            let (mut passed, mut gated, mut matched) = (0, 0, 0);
            for ((l, &candidate), &holds) in split.iter().zip(&candidates).zip(&holds) {
                let line = l.text(&text);
                let full = set.searcher().matches(line, true, true).0;
                assert_eq!(full, exact.matches(line).iter().collect::<Vec<_>>(), "{name}: {line:?}");
                assert_eq!(set.searcher().matches(line, candidate, holds).0, full, "{name}: {line:?}");
                passed += usize::from(!candidate);
                let gate = set.gate.as_ref().unwrap();
                gated += usize::from(!candidate && !l.is_blank() && !gate.may_match(line.as_bytes(), holds));
                matched += usize::from(!full.is_empty());
            }
            // The test means something: most lines are passed over, many without a search, and
            // some lines match.
            assert!(
                passed * 2 > split.len() && gated * 4 > passed && matched > 20,
                "{name}: {passed} passed, {gated} not searched, {matched} matched"
            );
        }
    }

    #[test]
    fn a_cache_goes_back_to_the_thread_that_put_it() {
        let caches = ThreadCaches::new();
        caches.put(1);
        caches.put(2);
        let (theirs, their_index) =
            std::thread::scope(|s| s.spawn(|| (caches.take(), ThreadCaches::<()>::index())).join().unwrap());
        if their_index != ThreadCaches::<()>::index() {
            assert_eq!(theirs, None);
            assert_eq!((caches.take(), caches.take(), caches.take()), (Some(2), Some(1), None));
        }
    }

    #[test]
    fn the_walks_of_the_lazy_dfas_answer_as_their_searches() {
        let mut lines = probe_lines();
        lines.extend(["", "é", "ÉTÉ / Reuters", "Photo: Jane Doe", "By John"].map(String::from));
        for (name, patterns, _) in preset_line_rules() {
            let set = LineSet::new(&patterns).unwrap();
            let engine = &set.relaxed;
            let mut cache = engine.take_cache();
            for line in &lines {
                let at_start = Input::new(line.as_str()).anchored(Anchored::Yes);
                let searched = engine.is_match(&mut cache, &at_start);
                assert_eq!(engine.is_match_at_start(&mut cache, line), searched, "{name}: {line:?}");
                if let (Some(dfa), Some(c)) = (&engine.rev, &mut cache.rev) {
                    let input = Input::new(line.as_str()).anchored(Anchored::Yes).earliest(true);
                    let searched = dfa.try_search_rev(c, &input).ok().map(|m| m.is_some());
                    assert_eq!(engine.floating_match(&mut cache, line), searched, "{name}: {line:?}");
                }
            }
        }
    }

    #[test]
    fn the_photo_credit_pattern_asks_for_punctuation_and_names() {
        let hir = photo_credit_hir();
        let literals = required_literals(&hir).unwrap();
        let has = |l: &str| literals.iter().any(|x| x == l.as_bytes());
        assert!(has("/") && has(":") && has("©") && has("Reuters") && has("Shutterstock"), "{literals:?}");
        // No lower-case letter or white space on its own: prose would hold them on every line.
        assert!(literals.iter().all(|l| l.len() > 1 || !l[0].is_ascii_lowercase()), "{literals:?}");
    }

    #[test]
    fn the_photo_credit_pattern_asks_for_its_endings_at_the_line_end() {
        let hir = photo_credit_hir();
        let r = required(&hir).unwrap();
        let has = |list: &[Vec<u8>], l: &str| list.iter().any(|x| x == l.as_bytes());
        // `, Reuters` and `(AFP)` end the line: those are asked of its last bytes, not of the text.
        assert!(has(&r.suffix, ")") && has(&r.suffix, "Reuters") && has(&r.suffix, "AP"), "{r:?}");
        assert!(has(&r.anywhere, "/") && has(&r.anywhere, "©") && has(&r.anywhere, "Shutterstock"), "{r:?}");
        assert!(!has(&r.anywhere, "Reuters") && !has(&r.anywhere, "("), "{r:?}");
        let req = |p: &str| required(&regex_syntax::parse(p).unwrap());
        let suffix = |l: &[&str]| Required {
            anywhere: Vec::new(),
            suffix: l.iter().map(|x| x.as_bytes().to_vec()).collect(),
        };
        assert_eq!(req(r"\w+, (?:AP|EPA)$"), Some(suffix(&["AP", "EPA"])));
        assert_eq!(req(r"\w+, (?:AP|EPA)+$"), Some(suffix(&["AP", "EPA"])));
        // Something may follow the literal, or no `$` holds it at the end: anywhere.
        assert_eq!(req(r"\w+, AP\.?$").map(|r| r.suffix), Some(Vec::new()));
        assert_eq!(req(r"\w+, AP").map(|r| r.suffix), Some(Vec::new()));
        assert_eq!(req(r"(?m)\w+, AP$").map(|r| r.suffix), Some(Vec::new()));
    }

    #[test]
    fn patterns_that_can_match_little_give_no_literals() {
        let lits = |p: &str| required_literals(&regex_syntax::parse(p).unwrap());
        assert_eq!(lits(r"\p{Lu}+$"), None);
        assert_eq!(lits(r"a*"), None);
        assert_eq!(lits(r"(?:x|\w)"), None);
        assert_eq!(lits(r"^$"), None);
        assert_eq!(lits(r"ab|c"), Some(vec![b"ab".to_vec(), b"c".to_vec()]));
        assert_eq!(lits(r"\w+/\w+"), Some(vec![b"/".to_vec()]));
        assert_eq!(lits(r"[Bb]y"), Some(vec![b"y".to_vec()]));
    }

    #[test]
    fn a_pattern_that_does_not_parse_is_reported() {
        let patterns = vec![r"(?:a|b\b)c".to_string(), "x(".to_string()];
        let err = LineSet::new(&patterns).err().expect("an error");
        assert!(err.contains("x(") && err.contains("unclosed group"), "{err}");
    }

    #[test]
    fn prefixes_are_the_first_two_bytes_of_the_matches() {
        let of = |p: &str| Prefixes::of(&regex_syntax::parse(p).unwrap()).unwrap();
        let p = of(r"^(?:By|b)\s+x");
        assert!(p.admits(b"By x") && p.admits(b"b x") && p.admits(b"b\xc2\xa0"));
        assert!(!p.admits(b"Bz") && !p.admits(b"x") && !p.admits(b"bx"));
        // One-byte and empty matches are whole prefixes.
        let p = of(r"^a?");
        assert!(p.empty && p.admits(b"zz"));
        let p = of(r"^(?:a|bc)$");
        assert!(p.admits(b"a") && p.admits(b"ab") && p.admits(b"bc") && !p.admits(b"b") && !p.admits(b"ca"));
        // Classes give their characters' first two bytes; case folding is the `Hir`'s.
        let p = of(r"^(?i:s)\d");
        assert!(p.admits("ſ".as_bytes()) && p.admits(b"S1") && !p.admits(b"Sx"));
        let p = of(r"^\p{Lu}{2,}");
        assert!(p.admits("ÉA".as_bytes()) && p.admits(b"AB") && !p.admits(b"Ab"));
        // A look-around holds, as far as the prefixes go.
        assert!(of(r"^\bAP").admits(b"AP"));
        // Bounded and unbounded repetitions.
        let p = of(r"^(?:x?){3}y");
        assert!(p.admits(b"y") && p.admits(b"xy") && p.admits(b"xx") && !p.admits(b"zx"));
        let p = of(r"^(?:ab)*c");
        assert!(p.admits(b"c") && p.admits(b"ab") && !p.admits(b"ac") && !p.admits(b"b"));
    }

    /// Lines of the shapes the anchored rules look for, and their near misses.
    fn gate_line() -> impl proptest::strategy::Strategy<Value = String> {
        let pieces = proptest::collection::vec(
            proptest::sample::select(vec![
                "By",
                "by",
                "BY",
                "Written",
                "Related",
                "related",
                "Read more",
                "See also",
                "Advertisement",
                "SPONSORED",
                "Story continues",
                "Published",
                "Jan",
                "June",
                "Tue",
                "Thu",
                "The",
                "12",
                "2024",
                "-",
                "03",
                "http://x.org",
                "www.",
                "arXiv:",
                "2101.00001",
                "jane.doe",
                "@",
                "example.com",
                "{a,b}",
                ":",
                "*",
                "∗",
                "é",
                "Ǆ",
                "ſ",
                "K",
                " ",
                " ",
                "\u{a0}",
                "x",
                ",",
                "/",
                "(",
                "©",
                "Reuters",
                "AP",
                "Photo",
                ".",
                "Jane",
                "Doe",
                ")",
                "Getty Images",
                "via",
                "Émile",
            ]),
            1..8,
        );
        proptest::strategy::Strategy::prop_map(pieces, |p| p.concat().trim().to_string())
    }

    proptest::proptest! {
        /// A line the gate rules out (its first two bytes, the gate's bytes it holds) gets the answer
        /// of the full search.
        #[test]
        fn the_start_gate_keeps_every_match(lines in proptest::collection::vec(gate_line(), 1..20)) {
            type Sets = Vec<(LineSet, regex::RegexSet, Vec<bool>)>;
            static SETS: OnceLock<Sets> = OnceLock::new();
            let sets = SETS.get_or_init(|| {
                preset_line_rules()
                    .into_iter()
                    .map(|(_, patterns, head_only)| {
                        let set = LineSet::new(&patterns).unwrap().with_head_only(|k| head_only[k]);
                        (set, regex::RegexSet::new(&patterns).unwrap(), head_only)
                    })
                    .collect()
            });
            let lines: Vec<String> = lines.into_iter().filter(|l| !l.is_empty()).collect();
            let text = lines.join("\n");
            let split = crate::lines::split(&text);
            for (set, exact, head_only) in sets {
                proptest::prop_assert!(set.gate.is_some());
                // The reverse search of the floating entries (photo-credit) is there to be tested.
                proptest::prop_assert!(set.relaxed.rev.is_some());
                let mut floating = set.floating_candidates(&text);
                let mut gate = set.gate_candidates(&text);
                let mut searcher = set.searcher();
                for l in split.iter().filter(|l| !l.is_blank()) {
                    let line = l.text(&text);
                    let (candidate, holds) = (floating.holds(&l.content), gate.holds(&l.content));
                    let want: Vec<usize> = exact.matches(line).iter().collect();
                    proptest::prop_assert_eq!(&searcher.matches(line, true, true).0, &want, "{:?}", line);
                    proptest::prop_assert_eq!(&searcher.matches(line, candidate, holds).0, &want, "{:?}", line);
                    // Past the head, only the matches of rules scoped to the head may be missing.
                    let late = searcher.matches_past_head(line, candidate, holds).0;
                    proptest::prop_assert!(late.iter().all(|k| want.contains(k)), "{:?}", line);
                    proptest::prop_assert!(
                        want.iter().all(|&k| late.contains(&k) || head_only[k]),
                        "{:?} {:?} {:?}", line, want, late
                    );
                }
            }
        }

        /// A text ends with one of the endings exactly when [`Suffixes::ends`] says so.
        #[test]
        fn the_endings_are_found(
            list in proptest::collection::vec("(|\\)|s|AP|PA|Reuters|ters|é|\u{a0})", 0..5),
            texts in proptest::collection::vec("(AP|PA|s|\\)|Reuters|ters| |x|é|\u{a0}){0,4}", 1..20),
        ) {
            let endings = Suffixes::new(list.iter().map(|l| l.as_bytes().to_vec()).collect());
            proptest::prop_assert_eq!(endings.is_empty(), list.is_empty());
            for t in &texts {
                let want = list.iter().any(|l| t.ends_with(l.as_str()));
                proptest::prop_assert_eq!(endings.ends(t.as_bytes()), want, "{:?} {:?}", list, t);
            }
        }

        /// A line is a candidate exactly when its content holds a literal, whatever hides it.
        #[test]
        fn the_finder_marks_the_lines_that_hold_a_literal(
            pieces in proptest::collection::vec("(AP|PA|APA|/|:|©|Reuters|Reu|ters| |\n|x|é|\u{a0})", 0..40)
        ) {
            let literals: Vec<Vec<u8>> =
                ["AP", "PA", "/", ":", "©", "Reuters"].iter().map(|l| l.as_bytes().to_vec()).collect();
            let finder = LiteralFinder::new(literals.clone()).unwrap();
            let set = LineSet { literals: Some(finder), ..LineSet::new(&[]).unwrap() };
            let text = pieces.concat();
            let split = crate::lines::split(&text);
            let mut floating = set.floating_candidates(&text);
                let candidates: Vec<bool> = split.iter().map(|l| floating.holds(&l.content)).collect();
            for (l, c) in split.iter().zip(candidates) {
                let content = l.text(&text);
                let holds = literals.iter().any(|x| content.contains(std::str::from_utf8(x).unwrap()));
                proptest::prop_assert_eq!(c, holds, "{:?}", content);
            }
        }
    }

    /// The pattern passes of the shipped presets.
    fn preset_passes() -> &'static [PatternPass] {
        static PASSES: OnceLock<Vec<PatternPass>> = OnceLock::new();
        PASSES.get_or_init(|| {
            crate::rules::PRESETS
                .iter()
                .flat_map(|(name, _)| crate::rules::RuleSet::preset(name).unwrap().stages)
                .filter(|s| s.enabled && s.kind == crate::rules::StageKind::Patterns)
                .filter_map(|s| PatternPass::new(&s).unwrap())
                .collect()
        })
    }

    /// The edits of `apply` (with the reflowed fast path) and of the full pass.
    fn both_ways(pass: &PatternPass, text: &str) -> (Vec<crate::edit::Edit>, Vec<crate::edit::Edit>) {
        let mut fast = Edits::new();
        pass.apply(&Doc::new(text), &mut fast);
        let mut full = Edits::new();
        pass.apply_lines(&Doc::new(text), &mut full, lines::is_reflowed(text));
        (fast.into_vec(), full.into_vec())
    }

    #[test]
    fn a_byline_below_the_head_of_reflowed_text_needs_no_full_pass() {
        let pass = &preset_passes()[0];
        let prose: Vec<String> =
            (0..14).map(|k| format!("The harbour board met for the {k}th time.")).collect();
        let mut blocks = prose.clone();
        blocks.push("By Jane Doe".to_string());
        let below = blocks.join("\n\n");
        assert!(!pass.reflowed_claims(&below, &reflowed_blocks(&below).unwrap()));
        assert_eq!(both_ways(pass, &below), (Vec::new(), Vec::new()));
        blocks.insert(1, "By Jane Doe".to_string());
        let within = blocks.join("\n\n");
        assert!(pass.reflowed_claims(&within, &reflowed_blocks(&within).unwrap()));
        let (fast, full) = both_ways(pass, &within);
        assert_eq!(fast.len(), 1);
        assert_eq!(fast, full);
    }

    proptest::proptest! {
        /// The blocks are `is_reflowed`'s answer, and the contents of the non-blank lines.
        #[test]
        fn reflowed_blocks_are_the_non_blank_lines_of_reflowed_text(
            pieces in proptest::collection::vec(
                "(\n|\n\n|\n\n\n|\x0c| |\u{a0}|\t|a|bc|é|\u{2028})", 0..24)
        ) {
            let text = pieces.concat();
            let blocks = reflowed_blocks(&text);
            proptest::prop_assert_eq!(blocks.is_some(), lines::is_reflowed(&text), "{:?}", text);
            if let Some(blocks) = blocks {
                let contents: Vec<std::ops::Range<usize>> =
                    lines::split(&text).into_iter().filter(|l| !l.is_blank()).map(|l| l.content).collect();
                proptest::prop_assert_eq!(blocks, contents, "{:?}", text);
            }
        }
    }

    /// Whole lines that the shipped rules match, for the reflowed-text test.
    fn matching_line() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy;
        proptest::sample::select(vec![
            "By Jane Doe",
            "Related: Harbour Board Votes",
            "https://news.example/a",
            "Advertisement",
            "Jane Doe / Reuters",
            "(AP Photo/Jane Doe)",
            "The pier at dawn. Photo: Port Authority",
            "March 5, 2024",
            "jane.doe@example.com",
            "arXiv:2101.00001v2 [cs.CL] 3 Jan 2021",
            "Read more: The next round",
        ])
        .prop_map(str::to_string)
    }

    proptest::proptest! {
        /// On reflowed text the fast path gives the full pass's edits (none, nearly always); the
        /// texts are mostly reflowed, and some not (a single newline, a form feed).
        #[test]
        fn the_reflowed_fast_path_gives_the_edits_of_the_full_pass(
            blocks in proptest::collection::vec(
                proptest::prop_oneof![3 => gate_line(), 1 => matching_line()], 0..30),
            edges in (proptest::sample::select(vec!["", " ", "\n", "\n\n", " \n\u{a0}"]),
                proptest::sample::select(vec!["", " ", "\n", "\n\n", "\x0c"])),
            seams in proptest::collection::vec(
                proptest::sample::select(vec!["\n\n", "\n\n", "\n\n", "\n\n", "\n\n", "\n", "\x0c"]), 30),
        ) {
            let blocks: Vec<String> = blocks.into_iter().filter(|b| !b.is_empty()).collect();
            let mut text = edges.0.to_string();
            for (k, b) in blocks.iter().enumerate() {
                if k > 0 {
                    text.push_str(seams[k]);
                }
                text.push_str(b);
            }
            text.push_str(edges.1);
            for pass in preset_passes() {
                let (fast, full) = both_ways(pass, &text);
                proptest::prop_assert_eq!(fast, full, "{:?}", text);
            }
        }
    }
}

#[cfg(test)]
mod caption_tests {
    #[test]
    fn a_sentence_inside_is_a_stop_and_a_capital_after_it() {
        assert!(super::has_sentence_inside("Ministers met on Monday. Jane Doe / AP"));
        assert!(super::has_sentence_inside("Is it over? Officials say no. Photo: X"));
        assert!(!super::has_sentence_inside("Photo: Jane Doe/Harbour Press"));
        assert!(!super::has_sentence_inside("Photo: J. Doe/Press"));
        assert!(!super::has_sentence_inside("Ministers met on Monday."));
        assert!(!super::has_sentence_inside("e.g. the pier"));
    }
}
