//! White space: one space between words, nothing at the ends.
//!
//! - `space-run`: a run of spaces and tabs inside a line becomes one space; so does a lone tab.
//! - `edge-space`: white space at the start and the end of the document (blank lines, a final form
//!   feed) is removed.
//!
//! Line gaps are reflow's: after it, paragraphs are already one blank line apart.

use crate::edit::{Edits, RuleId};
use crate::pipeline::Pass;
use crate::rules::ResolvedStage;
use crate::stage::rule_on;

pub const RULES: &[&str] = &["space-run", "edge-space"];

pub fn build(s: &ResolvedStage) -> Vec<Box<dyn Pass>> {
    vec![Box::new(WhitespacePass { space_run: rule_on(s, "space-run"), edge: rule_on(s, "edge-space") })]
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
        let mut i = lo;
        while i < hi {
            let Some(off) = memchr::memchr2(b' ', b'\t', &bytes[i..hi]) else {
                break;
            };
            let s = i + off;
            let mut e = s + 1;
            while e < hi && (bytes[e] == b' ' || bytes[e] == b'\t') {
                e += 1;
            }
            // Spaces at a line's end or start go too (reflow leaves none between lines it joined, but a
            // line it kept, in a list or a table, may still have them).
            let at_line_edge = e >= hi || bytes[e] == b'\n' || s == 0 || bytes[s - 1] == b'\n';
            if at_line_edge {
                edits.remove(s..e, rule);
            } else if e - s > 1 || bytes[s] == b'\t' {
                edits.push(s..e, " ", rule);
            }
            i = e;
        }
    }
}
