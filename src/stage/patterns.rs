//! Pattern rules: lines and blocks that are not the author's text, found by regex.
//!
//! Each rule's regex is matched against the content of one line (leading and trailing white space
//! removed). All the line-level patterns of a stage run in one pass as a single [`RegexSet`], compiled
//! once when the pipeline is built; a line costs one set match, whatever the number of rules. The
//! `scope` of a rule says which lines it may touch and what goes with them (see [`Scope`]).

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

use crate::edit::{Edits, RuleId};
use crate::lines::{self, Line};
use crate::pipeline::Pass;
use crate::rules::{Action, ResolvedStage, Scope};

/// Compiles a rule's regex. Size limits keep a hostile pattern from eating memory; the engine is
/// linear-time, so no pattern can backtrack catastrophically.
pub(crate) fn compile(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern).size_limit(1 << 22).build().map_err(|e| e.to_string())
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

/// The pattern rules of one stage, compiled.
pub struct PatternPass {
    set: RegexSet,
    /// The same patterns one by one, for very long lines (see [`LONG_LINE`]).
    singles: Vec<Regex>,
    rules: Vec<LineRule>,
    replacers: Vec<(RuleId, Regex, String)>,
    zone_lines: usize,
    head_lines: usize,
    max_block_lines: usize,
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
                replacers.push((RuleId::from(r.id.as_str()), re, r.replacement.clone()));
            } else {
                patterns.push(p.clone());
                rules.push(LineRule { id: RuleId::from(r.id.as_str()), scope: r.scope, action: r.action });
            }
        }
        if patterns.is_empty() && replacers.is_empty() {
            return Ok(None);
        }
        let set = RegexSetBuilder::new(&patterns).size_limit(1 << 24).build().map_err(|e| e.to_string())?;
        let singles = patterns.iter().map(|p| compile(p)).collect::<Result<Vec<_>, _>>()?;
        Ok(Some(PatternPass {
            set,
            singles,
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
    fn apply(&self, text: &str, edits: &mut Edits) {
        let lines = lines::split(text);
        // Which rule (if any) claims each line; keep rules first, then drop rules in file order.
        let mut claim: Vec<Option<usize>> = vec![None; lines.len()];
        let mut kept = vec![false; lines.len()];
        let mut any = false;
        let head_end = head_end(&lines, self.head_lines);
        let zone = if self.rules.iter().any(|r| r.scope == Scope::PageEdge) {
            page_zone(&lines, self.zone_lines)
        } else {
            Vec::new()
        };
        if !self.rules.is_empty() {
            for (i, l) in lines.iter().enumerate() {
                if l.is_blank() {
                    continue;
                }
                let t = l.text(text);
                let m: Vec<usize> = if t.len() > LONG_LINE {
                    (0..self.singles.len()).filter(|&k| self.singles[k].is_match(t)).collect()
                } else {
                    self.set.matches(t).into_iter().collect()
                };
                if m.is_empty() {
                    continue;
                }
                if m.iter().any(|&k| self.rules[k].action == Action::Keep) {
                    kept[i] = true;
                    continue;
                }
                for &k in &m {
                    let ok = match self.rules[k].scope {
                        Scope::Head => i < head_end,
                        Scope::PageEdge => zone.get(i).copied().unwrap_or(false),
                        _ => true,
                    };
                    if ok {
                        claim[i] = Some(k);
                        any = true;
                        break;
                    }
                }
            }
        }
        if any {
            let width = lines::typical_width(text, &lines);
            let loose = lines::blank_separated(&lines);
            let mut drop: Vec<Option<usize>> = vec![None; lines.len()];
            for i in 0..lines.len() {
                let Some(k) = claim[i] else { continue };
                drop[i] = Some(k);
                match self.rules[k].scope {
                    Scope::LineWrapped => {
                        if let Some(j) = wrapped_continuation(text, &lines, i, width) {
                            if !kept[j] && claim[j].is_none() {
                                drop[j] = Some(k);
                            }
                        }
                    }
                    Scope::BlockEnd => {
                        let above =
                            block_above(text, &lines, i, width, loose, self.max_block_lines, &claim, &kept);
                        match above {
                            Some(first) => {
                                (first..i).filter(|&j| !lines[j].is_blank()).for_each(|j| drop[j] = Some(k))
                            }
                            // The block is too long to be a caption: leave it all alone.
                            None => drop[i] = None,
                        }
                    }
                    _ => {}
                }
            }
            for (i, d) in drop.iter().enumerate() {
                if let Some(k) = d {
                    edits.remove(lines::removal_range(text, &lines, i), &self.rules[*k].id);
                }
            }
        }
        for (id, re, rep) in &self.replacers {
            for (i, l) in lines.iter().enumerate() {
                if l.is_blank() || kept[i] {
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

/// Index of the first line past the document's head: the first `n` non-blank lines.
pub(crate) fn head_end(lines: &[Line], n: usize) -> usize {
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
    let _ = text;
    (lines[j].chars * 10 < width * 8 && !lines::ends_sentence(lines[j].text(text))).then_some(j)
}

/// The first line of the block that line `i` ends, when that block has at most `max` lines; `None`
/// when it is longer. A block is a run of lines with no blank line between them; in blank-separated
/// text (`loose`) it is a run of lines that each fill the column (a wrapped caption).
#[allow(clippy::too_many_arguments)]
fn block_above(
    text: &str,
    lines: &[Line],
    i: usize,
    width: usize,
    loose: bool,
    max: usize,
    claim: &[Option<usize>],
    kept: &[bool],
) -> Option<usize> {
    let mut first = i;
    let mut count = 1;
    let mut j = i;
    loop {
        if j == 0 {
            break;
        }
        let mut k = j - 1;
        let mut blank = false;
        while k > 0 && lines[k].is_blank() {
            blank = true;
            k -= 1;
        }
        if lines[k].is_blank() || lines[k].page != lines[i].page || claim[k].is_some() || kept[k] {
            break;
        }
        let full = width > 0 && lines[k].chars * 10 >= width * 8;
        let continues =
            if blank { loose && full && !lines::ends_sentence(lines[k].text(text)) } else { true };
        if !continues {
            break;
        }
        count += 1;
        if count > max {
            return None;
        }
        first = k;
        j = k;
    }
    Some(first)
}
