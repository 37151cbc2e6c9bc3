//! The stage kinds. Each file holds one kind: its built-in rule ids, `build()` from a resolved stage
//! (regexes compiled once, here), the passes that propose edits, and its unit tests.

pub mod columns;
pub mod furniture;
pub mod patterns;
pub mod reflow;
pub mod unicode;
pub mod whitespace;
pub(crate) mod word_table;

use crate::edit::RuleId;
use crate::rules::ResolvedStage;

/// The id to record edits under for built-in rule `id` of stage `s`, or `None` when it is switched off.
/// A built-in rule that the rules file does not mention is on.
pub(crate) fn rule_on(s: &ResolvedStage, id: &str) -> Option<RuleId> {
    match s.rules.iter().find(|r| r.id == id) {
        Some(r) if !r.enabled => None,
        _ => Some(RuleId::from(id)),
    }
}
