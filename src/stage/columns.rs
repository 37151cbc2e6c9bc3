//! `column-order`: the top of a first page's second column, printed before its first column.
//!
//! On the first page of a two-column paper, pdftotext often reads the second column's top before the
//! first column: the title block, then text that starts mid-sentence (`the case that such "dark
//! radiation" consists ...`), then `Introduction` and the first column, whose last line breaks off
//! where the misplaced text goes on (`... at recombination, we focus on`).
//!
//! A document does not begin mid-sentence. So when the first line of text after the title block starts
//! with a word in lower case, comes after a blank line and after the title block (or a line that closes:
//! a sentence end, a heading or date line), and the first page's last line breaks off mid-sentence, the run from that line up to the next
//! fresh start (a heading, or a capitalised line after a sentence end, after a blank line) is moved to
//! the end of the page, after the line it continues. Only the first page, and only with a page break
//! after it (without page breaks, the page's end is unknown). The run is recorded as removed where it
//! stood and inserted where it goes, under this rule.
//!
//! Later pages can show the same thing: a block of the second column printed between two blocks of
//! the first. There the page's first line may well start in lower case (it goes on from the page
//! before), so the sign is a block that starts mid-sentence right after a sentence end. It is moved
//! to the page's end only when nothing else could take it: the page's last line breaks off, every
//! other block on the page ends a sentence or is a heading, the run itself ends a sentence, and the
//! next page starts afresh (a capital or a digit). Pages whose columns alternate block by block have
//! several open ends and stay as they are.

use crate::edit::{Edits, RuleId};
use crate::lines::Doc;
use crate::lines::{self, Line};
use crate::pipeline::Pass;

pub struct ColumnOrderPass {
    pub rule: RuleId,
}

/// Abbreviations that end in a full stop without ending a sentence.
const ABBREVIATIONS: &[&str] = &[
    "i.e.", "e.g.", "al.", "cf.", "fig.", "figs.", "eq.", "eqs.", "ref.", "refs.", "sec.", "vs.", "etc.",
    "no.",
];

/// Lower-case words that start names, and so sentences (`de Blasio said ...`).
const NAME_PARTICLES: &[&str] = &[
    "de", "da", "di", "du", "del", "della", "der", "den", "van", "von", "la", "le", "al", "el", "bin", "ibn",
];

/// A line that ends a sentence, not an abbreviation.
fn closes(t: &str) -> bool {
    let last = t.rsplit(char::is_whitespace).next().unwrap_or("").to_lowercase();
    lines::ends_sentence(t) && !ABBREVIATIONS.contains(&last.as_str())
}

/// A title, a date or a heading: short, capitalised, no sentence end.
fn heading_like(t: &str) -> bool {
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.is_empty() || words.len() > 12 || t.chars().count() > 90 || lines::ends_sentence(t) {
        return false;
    }
    if t.ends_with([',', ';', '-', '–', '—', '(', '&']) || !starts_upper_or_digit(t) {
        return false;
    }
    let long: Vec<&&str> = words.iter().filter(|w| w.chars().count() > 3).collect();
    let capitalised = long.iter().filter(|w| starts_upper_or_digit(w)).count();
    capitalised * 10 >= long.len() * 6
}

fn starts_upper_or_digit(t: &str) -> bool {
    t.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// Whether a page of `n` body lines has a blank line before half of them or more (`blank_before(k)`,
/// of the `k`th), as pdfminer prints a page: a blank line then marks no block, and a lower-case line
/// after one says nothing about where it belongs. (A news page generated for the benchmark, whose
/// dateline was no longer recognised, had its first paragraph's second half moved to the page end.)
fn loose(n: usize, blank_before: impl Fn(usize) -> bool) -> bool {
    (1..n).filter(|&k| blank_before(k)).count() * 2 >= n
}

/// Whether the first line `first` of a misplaced run starts as one does: with a word in lower case
/// (`the`, a fragment such as `bient`), not a name that starts so (`iPhone`, `de Blasio`), and has four
/// words or more.
fn starts_mid_sentence(first: &str) -> bool {
    let word = lines::first_word(first);
    word.chars().next().is_some_and(char::is_alphabetic)
        && word.chars().filter(|c| c.is_alphabetic()).all(char::is_lowercase)
        && !NAME_PARTICLES.contains(&word)
        && first.split_whitespace().nth(3).is_some()
}

/// The cheap first look at the first page `page` (the text before its first form feed): false when
/// [`ColumnOrderPass::apply_to_page`] would stop at one of its first tests, which read the lines only
/// up to the first body line that does not start with a capital or a digit (`x`): there is none, or
/// it is the first body line, or it does not start mid-sentence, or no blank line comes before it.
///
/// Most first pages stop there, often at their second line (a wrapped title or paragraph), so the
/// lines are walked one by one, as `lines::split` would make them (split at newlines, a line's
/// content trimmed of white space), without building the page's line table. (Test: never false when
/// the full analysis moves a run.)
fn may_move(page: &str) -> bool {
    let mut body_before = false;
    let mut blank_since_body = false;
    for line in page.split('\n') {
        let t = line.trim();
        if t.is_empty() {
            blank_since_body = true;
        } else if starts_upper_or_digit(t) {
            body_before = true;
            blank_since_body = false;
        } else {
            return body_before && blank_since_body && starts_mid_sentence(t);
        }
    }
    false
}

/// The cheap first look at a later page `page`, with the page after it, `next`: false when
/// [`ColumnOrderPass::apply_to_later_page`] would stop at one of its tests that need no line table.
/// The page's last line ends a sentence, or the next page does not start with a capital or a digit,
/// or no line could start a misplaced run (after an empty line, starting mid-sentence, after a line
/// that closes a sentence).
///
/// The ends are looked at first: most pages stop there. Then only the lines after an empty line are
/// looked at, found by their `\n\n`. (Test: never false when the full analysis moves a run.)
fn later_may_move(page: &str, next: &str) -> bool {
    let body = page.trim_end();
    let last = &body[body.rfind('\n').map_or(0, |i| i + 1)..];
    if body.is_empty() || lines::ends_sentence(last.trim()) {
        return false;
    }
    if !starts_upper_or_digit(next.trim_start()) {
        return false;
    }
    let b = page.as_bytes();
    memchr::memmem::find_iter(b, b"\n\n").any(|i| {
        // The line after the empty lines, and the one before them.
        let start = i + 2 + b[i + 2..].iter().take_while(|&&c| c == b'\n').count();
        let line = &page[start..start + memchr::memchr(b'\n', &b[start..]).unwrap_or(b.len() - start)];
        let prev = &page[memchr::memrchr(b'\n', &b[..i]).map_or(0, |p| p + 1)..i];
        let (t, p) = (line.trim(), prev.trim());
        // (A line of white space before: the line before it is further up. Let the full look decide.)
        p.is_empty() || !t.is_empty() && !starts_upper_or_digit(t) && starts_mid_sentence(t) && closes(p)
    })
}

impl Pass for ColumnOrderPass {
    fn apply(&self, doc: &Doc, edits: &mut Edits) {
        let text = doc.text;
        let bytes = text.as_bytes();
        let Some(first_ff) = memchr::memchr(b'\x0c', bytes) else { return };
        if may_move(&text[..first_ff]) {
            self.apply_to_page(text, first_ff, edits);
        }
        // The later pages that have a page after them.
        let mut start = first_ff + 1;
        while let Some(len) = memchr::memchr(b'\x0c', &bytes[start..]) {
            let end = start + len;
            let rest = &text[end + 1..];
            let next = &rest[..memchr::memchr(b'\x0c', rest.as_bytes()).unwrap_or(rest.len())];
            if later_may_move(&text[start..end], next) {
                self.apply_to_later_page(text, start..end, edits);
            }
            start = end + 1;
        }
    }
}

impl ColumnOrderPass {
    /// The pass on a text whose first form feed is at `first_ff`.
    fn apply_to_page(&self, text: &str, first_ff: usize, edits: &mut Edits) {
        // Only the first page's lines are read. Splitting the text up to its first form feed gives
        // exactly them (the same ranges, counts and page 0: a line is made from its own bytes alone),
        // in the same order and at the same indices as in the split of the whole text, and without
        // the lines of every other page.
        let all = lines::split(&text[..first_ff]);
        let body: Vec<usize> = (0..all.len()).filter(|&i| !all[i].is_blank()).collect();
        let t = |i: usize| all[i].text(text);
        let blank_before = |k: usize| k > 0 && body[k - 1] + 1 < body[k];
        if loose(body.len(), blank_before) {
            return;
        }
        // The first line that does not start with a capital or a digit: it must start in lower case.
        let Some(x) = body.iter().position(|&i| !starts_upper_or_digit(t(i))) else { return };
        // A word in lower case (`the`, a fragment such as `bient`), not a name that starts so (`iPhone`).
        if !starts_mid_sentence(t(body[x])) {
            return;
        }
        // After a blank line, and after the title block (the document's first block, whatever its case),
        // a sentence end, or a heading or date line. A text that starts in lower case with nothing above
        // it is an excerpt that begins mid-sentence, and stays.
        let title_block = (1..x).all(|k| !blank_before(k));
        if x == 0
            || !(blank_before(x) && (title_block || closes(t(body[x - 1])) || heading_like(t(body[x - 1]))))
        {
            return;
        }
        // The run ends at the next fresh start: after a blank line, a heading or a capitalised line
        // after a sentence end.
        let Some(h) = (x + 1..body.len()).find(|&k| {
            blank_before(k)
                && starts_upper_or_digit(t(body[k]))
                && (heading_like(t(body[k])) || closes(t(body[k - 1])))
        }) else {
            return;
        };
        // The page's last line breaks off: the run goes on from it.
        let last: &Line = &all[*body.last().expect("h is a body line")];
        let last_text = last.text(text);
        if lines::ends_sentence(last_text) {
            return;
        }
        let run = all[body[x]].range.start..all[body[h]].range.start;
        let moved = text[run.clone()].trim_end();
        edits.remove(run, &self.rule);
        edits.push(last.content.end..last.content.end, format!("\n\n{moved}"), &self.rule);
    }

    /// The pass on a page after the first, `page` (its text, up to the form feed that ends it).
    ///
    /// Later in a two-column paper, pdftotext can print a block of the second column between two
    /// blocks of the first. The page's first line goes on from the page before and may start in
    /// lower case; a later block that starts mid-sentence right after a sentence end is misplaced
    /// when the page's last line breaks off and the next page starts afresh: the block goes on from
    /// that last line. The run must itself end a sentence, before a fresh start.
    fn apply_to_later_page(&self, text: &str, page: std::ops::Range<usize>, edits: &mut Edits) {
        let mut all = lines::split(&text[page.clone()]);
        for l in &mut all {
            l.range = l.range.start + page.start..l.range.end + page.start;
            l.content = l.content.start + page.start..l.content.end + page.start;
        }
        let body: Vec<usize> = (0..all.len()).filter(|&i| !all[i].is_blank()).collect();
        let t = |i: usize| all[i].text(text);
        let blank_before = |k: usize| k > 0 && body[k - 1] + 1 < body[k];
        if loose(body.len(), blank_before) {
            return;
        }
        // (After an empty line: extractors print nothing on the line between two blocks.)
        let Some(x) = (1..body.len()).find(|&k| {
            blank_before(k)
                && all[body[k] - 1].range.is_empty()
                && !starts_upper_or_digit(t(body[k]))
                && starts_mid_sentence(t(body[k]))
                && closes(t(body[k - 1]))
        }) else {
            return;
        };
        let Some(h) = (x + 1..body.len()).find(|&k| {
            blank_before(k)
                && starts_upper_or_digit(t(body[k]))
                && (heading_like(t(body[k])) || closes(t(body[k - 1])))
        }) else {
            return;
        };
        // The run closes its sentence: it is put where the next page starts afresh.
        if !closes(t(body[h - 1])) {
            return;
        }
        let last: &Line = &all[*body.last().expect("h is a body line")];
        if lines::ends_sentence(last.text(text)) {
            return;
        }
        // The page's last line is the only place the run can go on from: every other block on the
        // page ends a sentence or is a heading. A page whose columns alternate block by block has
        // several open ends, and moving one block there would put it in the wrong one.
        let open = |k: usize| !closes(t(body[k])) && !heading_like(t(body[k]));
        if (0..body.len() - 1).any(|k| blank_before(k + 1) && open(k)) {
            return;
        }
        // The next page starts afresh: the page's last sentence does not go on there.
        let rest = &text[page.end + 1..];
        let next_page = &rest[..memchr::memchr(b'\x0c', rest.as_bytes()).unwrap_or(rest.len())];
        match next_page.split('\n').map(str::trim).find(|l| !l.is_empty()) {
            Some(first) if starts_upper_or_digit(first) => {}
            _ => return,
        }
        let run = all[body[x]].range.start..all[body[h]].range.start;
        let moved = text[run.clone()].trim_end();
        edits.remove(run, &self.rule);
        edits.push(last.content.end..last.content.end, format!("\n\n{moved}"), &self.rule);
    }
}

#[cfg(test)]
mod tests {
    use crate::edit::Edits;
    use crate::Pipeline;

    #[test]
    fn the_first_look_lets_every_move_through() {
        let pass = super::ColumnOrderPass { rule: "column-order".into() };
        let pieces = [
            "Tides of the Northern Shelf",
            "the shelf for a whole year, and the",
            "records agree with the model.",
            "Introduction",
            "We measured the tides along the northern",
            "shelf and along the southern coast of",
            "de Blasio said on Monday that the",
            "iPhone sales rose again this year, and the",
            "bient air was warm for weeks, and",
            "  ",
            "\u{a0}",
            "",
            "3 May 2024",
            "é tait la fin de tout cela",
            "the end.",
        ];
        let (mut seed, mut moved) = (99u64, 0);
        for n in 0..100_000 {
            let mut page = String::new();
            for _ in 0..(n % 9) {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                page.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
                page.push('\n');
            }
            let text = format!("{page}\x0cNext page.\n");
            let mut edits = Edits::new();
            pass.apply_to_page(&text, page.len(), &mut edits);
            if !edits.is_empty() {
                moved += 1;
                assert!(super::may_move(&page), "{page:?}");
            }
        }
        assert!(moved >= 50, "{moved}");
    }

    fn clean(s: &str) -> String {
        Pipeline::default_pipeline().clean(s).text
    }

    fn assert_in_order(text: &str, a: &str, b: &str) {
        let (i, j) = (text.find(a), text.find(b));
        assert!(i.is_some() && j.is_some() && i < j, "{a:?} should come before {b:?} in {text:?}");
    }

    const TOP: &str = "Tides of the Northern Shelf\n\n";
    const COLUMN_TWO: &str = "the shelf for a whole year, and the\nrecords agree with the model.\n\n";
    const COLUMN_ONE: &str =
        "Introduction\nWe measured the tides along the northern\nshelf and along the southern coast of\n";

    #[test]
    fn the_second_column_printed_first_goes_after_the_first() {
        let page = format!("{TOP}{COLUMN_TWO}{COLUMN_ONE}\x0cThe second page starts here.\n");
        assert_eq!(
            clean(&page),
            "Tides of the Northern Shelf\n\nIntroduction\n\nWe measured the tides along the northern shelf and along the southern coast of the shelf for a whole year, and the records agree with the model.\n\nThe second page starts here."
        );
    }

    #[test]
    fn a_first_page_whose_last_line_ends_a_sentence_stays() {
        let page = format!("{TOP}{COLUMN_TWO}Introduction\nWe measured the tides.\n\x0cMore.\n");
        assert_in_order(&clean(&page), "the shelf for a whole year", "Introduction");
    }

    #[test]
    fn a_title_wrapped_onto_a_lower_case_line_stays() {
        // No blank line between the title and its second line: the title goes on.
        let page = format!("Tides of the Northern Shelf\nand the Southern Coast\n\n{COLUMN_ONE}\x0cMore.\n");
        assert!(clean(&page).starts_with("Tides of the Northern Shelf and the Southern Coast"));
    }

    #[test]
    fn a_text_that_starts_with_a_lower_case_name_stays() {
        let page = format!("{TOP}iPhone sales rose again this year, and the\nrecords agree with the model.\n\n{COLUMN_ONE}\x0cMore.\n");
        assert_in_order(&clean(&page), "iPhone sales", "Introduction");
    }

    #[test]
    fn a_text_that_starts_with_a_name_particle_stays() {
        let page = format!("{TOP}de Blasio said on Monday that the\nrecords agree with the model.\n\n{COLUMN_ONE}\x0cMore.\n");
        assert_in_order(&clean(&page), "de Blasio", "Introduction");
    }

    #[test]
    fn an_excerpt_that_begins_mid_sentence_stays() {
        let page = format!("{COLUMN_TWO}{COLUMN_ONE}\x0cMore.\n");
        assert_in_order(&clean(&page), "the shelf for a whole year", "Introduction");
    }

    /// A later page: the first column's first block, a block of the second column, and the first
    /// column's last block, which breaks off where the second column's block goes on.
    fn later_page(run: &str, last: &str, next: &str) -> String {
        format!(
            "Tides of the Northern Shelf\n\nWe measured the tides.\n\x0ccurrents were weaker in the south.\n\n{run}\n\nMethods\nThe gauges stood along the northern\n{last}\x0c{next}\n"
        )
    }
    const RUN: &str = "the shelf for a whole year, and the\nrecords agree with the model.";

    #[test]
    fn a_later_pages_misplaced_block_goes_after_the_line_it_continues() {
        let text = later_page(RUN, "shelf and along the southern coast of\n", "Results\nThe tides rose.");
        let out = clean(&text);
        assert_in_order(&out, "Methods", "the shelf for a whole year");
        assert!(out.contains("southern coast of the shelf for a whole year"), "{out}");
        assert_in_order(&out, "with the model.", "Results");
    }

    #[test]
    fn a_later_page_with_two_open_ends_stays() {
        // The first block breaks off too: the run could go on from either.
        let text = later_page(RUN, "shelf and along the southern coast of\n", "Results\nThe tides rose.")
            .replace("weaker in the south.", "weaker in the");
        assert_in_order(&clean(&text), "the shelf for a whole year", "Methods");
    }

    #[test]
    fn a_later_page_whose_sentence_goes_on_to_the_next_page_stays() {
        let text = later_page(RUN, "shelf and along the southern coast of\n", "the bay.");
        assert_in_order(&clean(&text), "the shelf for a whole year", "Methods");
    }

    #[test]
    fn a_later_run_that_breaks_off_stays() {
        let text = later_page(
            "the shelf for a whole year, and the\nrecords agree with the",
            "shelf and along the southern coast of\n",
            "Results\nThe tides rose.",
        );
        assert_in_order(&clean(&text), "the shelf for a whole year", "Methods");
    }

    #[test]
    fn the_first_look_at_a_later_page_lets_every_move_through() {
        let pass = super::ColumnOrderPass { rule: "column-order".into() };
        // Blocks, lines and blank lines, so that whole pages of the shape the pass looks for come up.
        let pieces = [
            "currents were weaker in the south.",
            "the shelf for a whole year, and the\nrecords agree with the model.",
            "Methods\nThe gauges stood along the northern\nshelf and along the southern coast of",
            "shelf and along the southern coast of",
            "de Blasio said on Monday that the",
            "bient air was warm for weeks, and",
            "  ",
            "",
            "",
            "\u{a0}",
            "é tait la fin de tout cela",
            "the end.",
        ];
        let (mut seed, mut moved) = (7u64, 0);
        for n in 0..100_000 {
            let mut page = String::new();
            for _ in 0..(n % 9) {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                page.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
                page.push('\n');
            }
            let text = format!("First page.\n\x0c{page}\x0cNext page.\n");
            let mut edits = Edits::new();
            pass.apply_to_later_page(&text, 13..13 + page.len(), &mut edits);
            if !edits.is_empty() {
                moved += 1;
                assert!(super::later_may_move(&page, "Next page.\n"), "{page:?}");
            }
        }
        assert!(moved >= 50, "{moved}");
    }

    #[test]
    fn a_page_with_a_blank_line_after_every_line_stays() {
        // pdfminer's shape: a blank line marks no block, so a lower-case line after one is no sign.
        let page = format!("{TOP}{COLUMN_TWO}{COLUMN_ONE}").replace('\n', "\n\n").replace("\n\n\n\n", "\n\n");
        let text = format!("{page}\x0cThe second page starts here.\n");
        assert_in_order(&clean(&text), "the shelf for a whole year", "Introduction");
        let later = later_page(RUN, "shelf and along the southern coast of\n", "Results\nThe tides rose.");
        let later = later.replace('\n', "\n\n").replace("\n\n\n\n", "\n\n");
        assert_in_order(&clean(&later), "the shelf for a whole year", "Methods");
    }

    #[test]
    fn without_page_breaks_nothing_moves() {
        let page = format!("{TOP}{COLUMN_TWO}{COLUMN_ONE}");
        assert_in_order(&clean(&page), "the shelf for a whole year", "Introduction");
    }
}
