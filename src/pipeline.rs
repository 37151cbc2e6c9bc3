//! The pipeline: ordered passes built from a [`RuleSet`], run over one document at a time.

use std::collections::BTreeMap;

use crate::edit::{apply_edits, compose, Change, Edits, Splice};
use crate::rules::{ResolvedStage, RuleSet, StageKind};
use crate::stage;

/// One step over the text. A pass reads the text and proposes edits; it never rewrites the text.
pub trait Pass: Send + Sync {
    fn apply(&self, text: &str, edits: &mut Edits);
}

/// A compiled pipeline: build it once, clean any number of documents with it, from any thread.
pub struct Pipeline {
    passes: Vec<(String, Box<dyn Pass>)>,
}

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
        for c in &self.changes {
            *m.entry(&*c.rule).or_insert(0) += 1;
        }
        m
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
        for s in rules.stages.iter().filter(|s| s.enabled) {
            for p in build_stage(s)? {
                passes.push((s.id.clone(), p));
            }
        }
        Ok(Pipeline { passes })
    }

    /// The default pipeline (`rules/default.toml`).
    pub fn default_pipeline() -> Pipeline {
        Pipeline::new(&RuleSet::default_rules()).expect("the default rules build")
    }

    /// Cleans one document.
    pub fn clean(&self, input: &str) -> Cleaned {
        let mut text: Option<String> = None;
        let mut splices: Vec<Splice> = Vec::new();
        let mut changes: Vec<Change> = Vec::new();
        for (_, pass) in &self.passes {
            let current: &str = text.as_deref().unwrap_or(input);
            let mut edits = Edits::new();
            pass.apply(current, &mut edits);
            if edits.is_empty() {
                continue;
            }
            let edits = edits.into_sorted(current);
            if edits.is_empty() {
                continue;
            }
            splices = compose(splices, current, &edits, &mut changes);
            let next = apply_edits(current, &edits);
            text = Some(next);
        }
        Cleaned { text: text.unwrap_or_else(|| input.to_string()), changes, splices }
    }
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
