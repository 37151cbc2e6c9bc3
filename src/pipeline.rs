//! The pipeline: ordered passes built from a [`RuleSet`], run over one document at a time.

use std::collections::BTreeMap;

use crate::edit::{apply_edits_from, compose, Change, Edit, Edits, RuleId, Splice};
use crate::lines::{self, Doc, Line};
use crate::rules::{ResolvedStage, RuleSet, StageKind};
use crate::stage;

/// One step over the text. A pass reads the text (and its lines, [`Doc::lines`]) and proposes edits;
/// it never rewrites the text.
pub trait Pass: Send + Sync {
    fn apply(&self, doc: &Doc, edits: &mut Edits);
}

/// A compiled pipeline: build it once, clean any number of documents with it, from any thread.
pub struct Pipeline {
    passes: Vec<(String, Box<dyn Pass>)>,
    /// The passes that run again on the output until it stops changing (see [`Pipeline::clean`]):
    /// the pattern passes, then the reflow and white-space passes that tidy up after them.
    settle: Vec<usize>,
}

/// At most this many extra rounds of the settling passes; each round needs a removal in the round
/// before it, so the count only bounds pathological input.
const MAX_SETTLE_ROUNDS: usize = 4;

/// The result of cleaning one document.
#[derive(Debug, Clone, Default)]
pub struct Cleaned {
    pub text: String,
    /// Every edit of every rule, in the order the passes made them, in input positions.
    pub changes: Vec<Change>,
    /// The composed log: applied to the input, it gives `text`.
    pub splices: Vec<Splice>,
}

impl Cleaned {
    /// How many edits each rule made.
    pub fn counts(&self) -> BTreeMap<&str, usize> {
        let mut m = BTreeMap::new();
        for (rule, n) in self.rule_runs() {
            *m.entry(rule.as_str()).or_insert(0) += n;
        }
        m
    }

    /// The edits per rule as runs of the same rule, in log order: a rule can come in several runs, so
    /// add them up. A pass logs its edits rule by rule (every line join in a row), which makes this far
    /// cheaper than a map lookup per edit.
    pub fn rule_runs(&self) -> impl Iterator<Item = (RuleId, usize)> + '_ {
        let mut changes = self.changes.iter().peekable();
        std::iter::from_fn(move || {
            let c = changes.next()?;
            let mut n = 1;
            // Rule ids are interned: comparing two is comparing two addresses.
            while changes.next_if(|d| d.rule == c.rule).is_some() {
                n += 1;
            }
            Some((c.rule, n))
        })
    }

    /// The changes that took away or replaced something other than white space: what the record lists.
    pub fn removed(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| !c.is_whitespace_only())
    }
}

/// An error building a pipeline from rules that passed validation (a regex too big to compile, say).
#[derive(Debug, thiserror::Error)]
#[error("stage `{stage}`: {message}")]
pub struct BuildError {
    pub stage: String,
    pub message: String,
}

impl Pipeline {
    pub fn new(rules: &RuleSet) -> Result<Pipeline, BuildError> {
        let mut passes: Vec<(String, Box<dyn Pass>)> = Vec::new();
        let mut kinds = Vec::new();
        let stages: Vec<&ResolvedStage> = rules.stages.iter().filter(|s| s.enabled).collect();
        for (s, built) in stages.iter().zip(build_stages(&stages)) {
            for p in built? {
                passes.push((s.id.clone(), p));
                kinds.push(s.kind);
            }
        }
        let patterns = kinds.iter().position(|&k| k == StageKind::Patterns);
        let reflow = kinds.iter().position(|&k| k == StageKind::Reflow);
        let settle = match (patterns, reflow) {
            (Some(p), Some(r)) if p < r => (0..kinds.len())
                .filter(|&i| match kinds[i] {
                    StageKind::Patterns => true,
                    StageKind::Reflow | StageKind::Whitespace => i > p,
                    _ => false,
                })
                .collect(),
            _ => Vec::new(),
        };
        Ok(Pipeline { passes, settle })
    }

    /// The default pipeline (`rules/default.toml`).
    pub fn default_pipeline() -> Pipeline {
        Pipeline::new(&RuleSet::default_rules()).expect("the default rules build")
    }

    /// Cleans one document.
    ///
    /// The passes run once, in order. Then the pattern passes look again at the result: reflow can
    /// join the pieces of an insert into one line that now matches (`Related:` + `-`), and a removal can
    /// leave a byline within the document's first lines. Whatever they find goes, the reflow and
    /// white-space passes tidy up after it, and this repeats until nothing changes. Cleaning the output
    /// again therefore changes nothing (issue 7); on most documents the extra look finds nothing and
    /// costs one run of the pattern passes over the output. The stages before the patterns are no-ops
    /// on reflowed text (furniture looks only at printed lines, the Unicode fixes are done).
    pub fn clean(&self, input: &str) -> Cleaned {
        // The default rules make about one change per 60 characters of extracted text (b5: 79,002 in
        // 4.7M, most of them line joins; dev30: one per 57), and a document with more has them
        // close together. Room for one per 48 bytes up front spares growing the log (and copying
        // it) a few times a document for all but about one document in ten (b5 and dev30);
        // memory that no change is written to is never touched.
        let changes = Vec::with_capacity(input.len() / 48);
        // One pass's edits, the same way: reflow, which makes the most, makes about one per 70
        // bytes of its text (b5: 52,134 in 3.7M), but many documents make more, and growing the
        // buffer copied it (b5, with room for one per 64 bytes: 137 times, 1.4M instructions).
        // Room for one per 40 bytes leaves one document of the slice growing it.
        let edits = Vec::with_capacity(input.len() / 40);
        let mut run = Run { input, text: None, lines: None, splices: Vec::new(), changes, edits };
        for (_, pass) in &self.passes {
            run.pass(pass.as_ref());
        }
        if let Some((&first, tidy)) = self.settle.split_first() {
            for _ in 0..MAX_SETTLE_ROUNDS {
                if !run.pass(self.passes[first].1.as_ref()) {
                    break;
                }
                for &i in tidy {
                    run.pass(self.passes[i].1.as_ref());
                }
            }
        }
        Cleaned {
            text: run.text.unwrap_or_else(|| input.to_string()),
            changes: run.changes,
            splices: run.splices,
        }
    }
}

/// The state of one document's cleaning: the text so far and the edit logs, in input positions.
struct Run<'i> {
    input: &'i str,
    text: Option<String>,
    /// The line table of the text so far, when a pass split it and no edit since changed more than
    /// whole lines.
    lines: Option<Vec<Line>>,
    splices: Vec<Splice>,
    changes: Vec<Change>,
    /// The buffer of the passes' edits, empty between passes: one allocation for all of them.
    edits: Vec<Edit>,
}

impl Run<'_> {
    /// Runs one pass over the current text; true when it changed something.
    fn pass(&mut self, pass: &dyn Pass) -> bool {
        let current: &str = self.text.as_deref().unwrap_or(self.input);
        let doc = Doc::with_lines(current, self.lines.take());
        let mut edits = Edits::reusing(std::mem::take(&mut self.edits));
        pass.apply(&doc, &mut edits);
        self.lines = doc.into_lines();
        if edits.is_empty() {
            self.edits = edits.into_vec();
            return false;
        }
        let mut edits = edits.into_sorted(current);
        if edits.is_empty() {
            self.edits = edits;
            return false;
        }
        self.lines = self.lines.take().and_then(|l| lines::without_lines(current, l, &edits));
        // When the edits all fall in the last eighth of a text of our own (the edge trim at its end),
        // the text is cut there and the edited rest appended, in place of a copy of the whole.
        let from = edits[0].range.start;
        let in_place = self.text.is_some() && current.len() - from <= current.len() / 8;
        let next = apply_edits_from(current, if in_place { from } else { 0 }, &edits);
        self.splices = compose(std::mem::take(&mut self.splices), current, &mut edits, &mut self.changes);
        self.edits = edits;
        match &mut self.text {
            Some(text) if in_place => {
                text.truncate(from);
                text.push_str(&next);
            }
            _ => self.text = Some(next),
        }
        true
    }
}

/// Builds `stages`, side by side where there are cores for it: a run's start-up is mostly building
/// the stages, and every run pays it before the first document, alone on one core; most of all a
/// caller that cleans one document per process. The stages are independent, so each is built on a
/// thread of its own (where no thread can be started, on this one), and the first error in stage
/// order is the one reported, as before.
///
/// On the development machine (2 cores), `textwash clean` of one small record went from 74 to 61 ms
/// (medians of 40 alternating runs). What is left is the pattern stage's one set compile (30-34 ms,
/// which cannot be split) beside the furniture tables (16-20 ms) on the other core.
fn build_stages(stages: &[&ResolvedStage]) -> Vec<Result<Vec<Box<dyn Pass>>, BuildError>> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 || stages.len() < 2 {
        return stages.iter().map(|s| build_stage(s)).collect();
    }
    std::thread::scope(|scope| {
        let started: Vec<_> = stages
            .iter()
            .map(|&s| std::thread::Builder::new().spawn_scoped(scope, move || build_stage(s)).map_err(|_| s))
            .collect();
        started
            .into_iter()
            .map(|t| match t {
                // A panic in a build is raised again here, as it would have been built here.
                Ok(t) => t.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(s) => build_stage(s),
            })
            .collect()
    })
}

fn build_stage(s: &ResolvedStage) -> Result<Vec<Box<dyn Pass>>, BuildError> {
    let err = |message: String| BuildError { stage: s.id.clone(), message };
    Ok(match s.kind {
        StageKind::Unicode => stage::unicode::build(s),
        StageKind::Furniture => stage::furniture::build(s).map_err(err)?,
        StageKind::Patterns => stage::patterns::build(s).map_err(err)?,
        StageKind::Reflow => stage::reflow::build(s),
        StageKind::Whitespace => stage::whitespace::build(s),
    })
}
