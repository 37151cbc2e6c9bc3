//! The terminal printer: a unified diff of one document, each hunk and each removed line labelled with
//! its rules, changed words emphasised when colour is on.
//!
//! Document text is shown with its control characters made visible (U+2400 pictures), so a document
//! can never send escape sequences to the terminal, and `color: false` output holds no ESC byte at all.

use std::fmt::Write;

use super::{Hunk, HunkLine, LineTag, Review};

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const YELLOW: &str = "\x1b[33m";
const BOLD: &str = "\x1b[1m";
const REVERSE: &str = "\x1b[7m";
const NO_REVERSE: &str = "\x1b[27m";
const RESET: &str = "\x1b[0m";

/// Writes the unified diff of `review` under the name `name`; nothing when there is nothing to show.
pub fn render(out: &mut String, name: &str, review: &Review, context: usize, color: bool) {
    let hunks = review.hunks(context);
    if hunks.is_empty() {
        return;
    }
    let name = visible(name);
    let paint = |out: &mut String, code: &str, text: &str| {
        if color {
            let _ = write!(out, "{code}{text}{RESET}");
        } else {
            out.push_str(text);
        }
    };
    paint(out, BOLD, &format!("--- {name}"));
    out.push('\n');
    paint(out, BOLD, &format!("+++ {name} (cleaned)"));
    out.push('\n');
    for h in &hunks {
        hunk(out, h, color);
    }
}

fn hunk(out: &mut String, h: &Hunk, color: bool) {
    // Unified diff line numbers: 1-based, and an empty side names the line before it.
    let at = |r: &std::ops::Range<usize>| if r.is_empty() { r.start } else { r.start + 1 };
    let rules: Vec<&str> = h.rules.iter().map(|r| &**r).collect();
    let head = format!("@@ -{},{} +{},{} @@", at(&h.old), h.old.len(), at(&h.new), h.new.len());
    if color {
        let _ = writeln!(out, "{CYAN}{head}{RESET} {YELLOW}{}{RESET}", rules.join(", "));
    } else {
        let _ = writeln!(out, "{head} {}", rules.join(", "));
    }
    for l in &h.lines {
        line(out, l, color);
    }
}

fn line(out: &mut String, l: &HunkLine, color: bool) {
    let (sign, code) = match l.tag {
        LineTag::Context => (' ', ""),
        LineTag::Removed => ('-', RED),
        LineTag::Added => ('+', GREEN),
    };
    if color {
        out.push_str(code);
    }
    out.push(sign);
    let mut at = 0;
    for e in &l.emphasis {
        out.push_str(&visible(&l.text[at..e.start]));
        if color {
            out.push_str(REVERSE);
        }
        out.push_str(&visible(&l.text[e.clone()]));
        if color {
            out.push_str(NO_REVERSE);
        }
        at = e.end;
    }
    out.push_str(&visible(&l.text[at..]));
    if color && !code.is_empty() {
        out.push_str(RESET);
    }
    if l.tag == LineTag::Removed && !l.rules.is_empty() {
        let rules: Vec<&str> = l.rules.iter().map(|r| &**r).collect();
        if color {
            let _ = write!(out, "  {YELLOW}[{}]{RESET}", rules.join(", "));
        } else {
            let _ = write!(out, "  [{}]", rules.join(", "));
        }
    }
    out.push('\n');
    if l.no_newline {
        out.push_str("\\ No newline at end of text\n");
    }
}

/// `s` with control characters (and the bidirectional overrides) replaced by visible stand-ins.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !s.chars().any(bad) {
        return s.into();
    }
    s.chars()
        .map(|c| match c {
            '\0'..='\x1f' if c != '\t' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
            '\x7f' => '\u{2421}',
            c if bad(c) => '\u{fffd}',
            c => c,
        })
        .collect::<String>()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Pipeline;

    #[test]
    fn plain_output_has_labels_and_no_escape() {
        let doc = "Text before the\n\nhttps://news.example/author/jane\n\nlink red\n";
        let c = Pipeline::default_pipeline().clean(doc);
        let r = Review::new(doc, &c);
        let mut s = String::new();
        render(&mut s, "doc.txt", &r, 3, false);
        assert!(s.contains("-https://news.example/author/jane  [url-line]"), "{s}");
        assert!(s.starts_with("--- doc.txt\n+++ doc.txt (cleaned)\n@@ -1,"), "{s}");
        assert!(!s.contains('\x1b'), "{s:?}");
        let mut s = String::new();
        render(&mut s, "doc.txt", &r, 3, true);
        assert!(s.contains(RED) && s.contains(REVERSE));
    }

    #[test]
    fn control_characters_are_shown_not_sent() {
        assert_eq!(visible("a\x1b[31mb\rc\td\u{202e}"), "a\u{241b}[31mb\u{240d}c\td\u{fffd}");
        assert_eq!(visible("plain"), "plain");
    }
}
