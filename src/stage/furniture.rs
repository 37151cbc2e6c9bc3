//! Page furniture: what a page layout repeats around the text.
//!
//! Extractors separate pages with form feeds, so plain text still knows where each page starts and
//! ends. Only the first and last `zone-lines` non-blank lines of a page are ever looked at.
//!
//! - `running-head` / `running-foot`: a line that recurs at the top (bottom) of at least `min-pages`
//!   pages and of about half the pages, compared with its digits masked (`Page 3` = `Page 4`) and
//!   case and spacing folded.
//! - `page-number`: a bare page number (`12`, `- 12 -`, `Page 12`, `Page 12 of 30`, `12/30`, `xii`) at
//!   the top or bottom of a page. On a text without page breaks only the unambiguous forms
//!   (`Page 3 of 9`, `3/9` as the last line) count.
//! - `print-header`: the date and time line a browser prints at the top of each page
//!   (`11/26/26, 9:14 AM`) and the page title printed beside it.
//! - `print-footer`: the URL and `n/N` page count a browser prints at the bottom of each page.
//!
//! Pattern rules with `scope = "page-edge"` can be added for the furniture of a particular publisher.

use std::collections::HashMap;

use regex::Regex;

use crate::edit::{Edits, RuleId};
use crate::lines::{self, Line};
use crate::pipeline::Pass;
use crate::rules::ResolvedStage;
use crate::stage::patterns::PatternPass;
use crate::stage::rule_on;

pub const RULES: &[&str] = &["running-head", "running-foot", "page-number", "print-header", "print-footer"];

pub fn build(s: &ResolvedStage) -> Result<Vec<Box<dyn Pass>>, String> {
    let pass = FurniturePass {
        running_head: rule_on(s, "running-head"),
        running_foot: rule_on(s, "running-foot"),
        page_number: rule_on(s, "page-number"),
        print_header: rule_on(s, "print-header"),
        print_footer: rule_on(s, "print-footer"),
        zone: s.zone_lines.max(1),
        min_pages: s.min_pages.max(2),
        page_number_re: Regex::new(
            r"(?i)^(?:(?:page|p\.|seite|pág\.?|página)\s*)?[-–—(\[]?\s*(?:\d{1,4}|[ivxlc]{1,7})\s*[-–—)\]]?(?:\s*(?:of|/|von|de)\s*\d{1,4})?$",
        )
        .expect("valid"),
        sure_page_number_re: Regex::new(r"(?i)^(?:page\s+\d{1,4}\s+of\s+\d{1,4}|\d{1,4}\s*/\s*\d{1,4})$").expect("valid"),
        print_date_re: Regex::new(
            r"(?i)^\d{1,2}[/.]\d{1,2}[/.]\d{2,4},?\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s+\S.*)?$",
        )
        .expect("valid"),
        url_re: Regex::new(r"^(?:https?://|file:/|www\.)\S+$").expect("valid"),
    };
    let mut passes: Vec<Box<dyn Pass>> = vec![Box::new(pass)];
    if let Some(p) = PatternPass::new(s)? {
        passes.push(Box::new(p));
    }
    Ok(passes)
}

struct FurniturePass {
    running_head: Option<RuleId>,
    running_foot: Option<RuleId>,
    page_number: Option<RuleId>,
    print_header: Option<RuleId>,
    print_footer: Option<RuleId>,
    zone: usize,
    min_pages: usize,
    page_number_re: Regex,
    sure_page_number_re: Regex,
    print_date_re: Regex,
    url_re: Regex,
}

/// A line's identity for recurrence: lower case, digits masked, spacing folded.
fn key(s: &str) -> String {
    let mut k = String::with_capacity(s.len());
    let mut prev_digit = false;
    let mut prev_space = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !prev_digit {
                k.push('#');
            }
            prev_digit = true;
            prev_space = false;
        } else if c.is_whitespace() {
            if !prev_space {
                k.push(' ');
            }
            prev_space = true;
            prev_digit = false;
        } else {
            k.extend(c.to_lowercase());
            prev_digit = false;
            prev_space = false;
        }
    }
    k
}

impl Pass for FurniturePass {
    fn apply(&self, text: &str, edits: &mut Edits) {
        if !text.contains('\x0c') && !self.has_single_page_furniture(text) {
            return;
        }
        let lines = lines::split(text);
        let pages = lines::pages(&lines);
        let mut verdict: Vec<Option<&RuleId>> = vec![None; lines.len()];
        let multi = pages.len() >= 2;

        // Recurring lines, counted once per page, separately for tops and bottoms.
        let mut tops: HashMap<String, usize> = HashMap::new();
        let mut bottoms: HashMap<String, usize> = HashMap::new();
        if multi {
            for page in &pages {
                let mut seen_top: Vec<String> = Vec::new();
                for &i in page.iter().take(self.zone) {
                    let k = key(lines[i].text(text));
                    if !seen_top.contains(&k) {
                        *tops.entry(k.clone()).or_insert(0) += 1;
                        seen_top.push(k);
                    }
                }
                let mut seen_bottom: Vec<String> = Vec::new();
                for &i in page.iter().rev().take(self.zone) {
                    let k = key(lines[i].text(text));
                    if !seen_bottom.contains(&k) {
                        *bottoms.entry(k.clone()).or_insert(0) += 1;
                        seen_bottom.push(k);
                    }
                }
            }
        }
        let need = self.min_pages.max((pages.len().saturating_sub(1)) / 2);

        for (p, page) in pages.iter().enumerate() {
            let top: Vec<usize> = page.iter().copied().take(self.zone).collect();
            let bottom: Vec<usize> = page.iter().rev().copied().take(self.zone).collect();
            // Top of the page: walk down while lines are furniture; stop at the first that is not, so
            // that text below a real line is never taken for a header.
            for (n, &i) in top.iter().enumerate() {
                let t = lines[i].text(text);
                let print_title = n > 0
                    && verdict[top[n - 1]].is_some()
                    && self.is_print_title(text, &lines, top[n - 1], i);
                let v = if print_title || self.print_date_re.is_match(t) {
                    self.print_header.as_ref()
                } else if multi && tops.get(&key(t)).copied().unwrap_or(0) >= need {
                    self.running_head.as_ref()
                } else if self.is_page_number(t, multi, false) {
                    self.page_number.as_ref()
                } else {
                    None
                };
                match v {
                    Some(r) => verdict[i] = Some(r),
                    None => break,
                }
            }
            // Bottom of the page, walking up.
            for &i in bottom.iter() {
                if verdict[i].is_some() {
                    continue;
                }
                let t = lines[i].text(text);
                let v = if self.is_page_number(t, multi, p + 1 == pages.len()) {
                    if self.sure_page_number_re.is_match(t) && t.contains('/') {
                        self.print_footer.as_ref()
                    } else {
                        self.page_number.as_ref()
                    }
                } else if multi && bottoms.get(&key(t)).copied().unwrap_or(0) >= need {
                    if self.url_re.is_match(t) {
                        self.print_footer.as_ref()
                    } else {
                        self.running_foot.as_ref()
                    }
                } else if self.url_re.is_match(t) && self.next_is_page_count(text, &lines, page, i) {
                    self.print_footer.as_ref()
                } else {
                    None
                };
                match v {
                    Some(r) => verdict[i] = Some(r),
                    None => break,
                }
            }
        }
        for (i, v) in verdict.iter().enumerate() {
            if let Some(rule) = v {
                edits.remove(lines::removal_range(text, &lines, i), rule);
            }
        }
    }
}

impl FurniturePass {
    /// A text with no page breaks can still carry a browser's print header or a `Page 1 of 1`.
    fn has_single_page_furniture(&self, text: &str) -> bool {
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
        let last = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
        self.print_date_re.is_match(first) || self.sure_page_number_re.is_match(last)
    }

    fn is_page_number(&self, t: &str, multi: bool, _last_page: bool) -> bool {
        if t.len() > 24 {
            return false;
        }
        if multi {
            self.page_number_re.is_match(t)
                && t.bytes().any(|b| b.is_ascii_digit() || b"ivxlcIVXLC".contains(&b))
        } else {
            self.sure_page_number_re.is_match(t)
        }
    }

    /// The page title a browser prints after the date: the line right after it, when that line looks
    /// like a title (`Headline - Site`, `Headline | Site`) rather than the first line of the page.
    fn is_print_title(&self, text: &str, lines: &[Line], prev: usize, i: usize) -> bool {
        let prev_t = lines[prev].text(text);
        if !self.print_date_re.is_match(prev_t) {
            return false;
        }
        let t = lines[i].text(text);
        // A browser puts the date and the title on one line of the page; extractors print them on
        // consecutive lines. A title has no sentence end of its own.
        !lines::ends_sentence(t)
            && (t.contains(" - ") || t.contains(" | ") || t.contains(" – ") || t.contains(" — "))
    }

    /// Whether a page's next non-blank line below `i` is an `n/N` page count.
    fn next_is_page_count(&self, text: &str, lines: &[Line], page: &[usize], i: usize) -> bool {
        let pos = page.iter().position(|&x| x == i).unwrap_or(0);
        page.get(pos + 1).is_some_and(|&j| {
            let t = lines[j].text(text);
            self.sure_page_number_re.is_match(t) && t.contains('/')
        })
    }
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn keys_mask_digits_and_fold_case() {
        assert_eq!(key("Page  12 of 30"), key("page 3 of 30"));
        assert_ne!(key("Introduction"), key("Results"));
    }
}
