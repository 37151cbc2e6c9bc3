//! The HTML review page: one self-contained file (no external scripts, styles or fonts).
//!
//! Layout: per-rule counts on top (each row a filter checkbox), a paged list of documents on the left,
//! and the chosen document's input and cleaned text side by side, every edit highlighted and labelled
//! with its rules.
//!
//! Scale: the documents travel as JSON inside one `<script type="application/json">` element and the
//! page's own script renders only the chosen document and one page of the list (200 names) at a time,
//! so the DOM stays small whatever the corpus; the page holds at most a cap of documents (the caller
//! chooses it, `textwash diff` uses 1000 unless `--max-docs` says otherwise) and says how many it
//! left out, while the counts on top cover every document read.
//!
//! Safety: documents are untrusted. Their text only ever reaches the page as JSON string data with `<`,
//! `>` and `&` written as `\u003c` etc. (so no `</script>` can end the element), and the script puts it
//! into the DOM as text nodes, never as markup. On top of that a Content-Security-Policy lets only the
//! page's own script (by nonce) run, so even a mistake in escaping would not run a document's script.
//!
//! State lives in the URL fragment (`#rules=url-line,related-article&doc=3&page=0`), so a view can be
//! bookmarked, and tests drive the filter by loading such a URL.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};

use serde_json::{json, Value};

use super::stats::Stats;
use super::{Review, Segment};

/// The documents of one page, as they are added.
#[derive(Debug, Default)]
pub struct Page {
    docs: Vec<String>,
    cap: usize,
    omitted: usize,
}

/// One document of the page, as JSON text: `{name, counts, segs}`, where `segs` holds the text both
/// sides share as plain strings and each edit as `[before, after, [rules...], whitespace_only, pieces]`,
/// where `pieces` cuts `before` into plain strings and `[text, rule]` pairs ([`Review::pieces`]).
pub fn doc_json(name: &str, review: &Review, counts: &BTreeMap<&str, usize>) -> String {
    let segs: Vec<Value> = review
        .segments()
        .into_iter()
        .map(|s| match s {
            Segment::Same(t) => Value::from(t),
            Segment::Edit { before, after, span } => {
                let rules: Vec<&str> = span.rules.iter().map(|r| &**r).collect();
                let pieces: Vec<Value> = review
                    .pieces(span)
                    .into_iter()
                    .map(|(range, rule)| {
                        let text = &review.input[range];
                        match rule {
                            Some(r) => json!([text, &*r]),
                            None => Value::from(text),
                        }
                    })
                    .collect();
                json!([before, after, rules, u8::from(span.whitespace_only), pieces])
            }
        })
        .collect();
    json!({ "name": name, "counts": counts, "segs": segs }).to_string()
}

impl Page {
    /// A page that holds at most `cap` documents.
    pub fn new(cap: usize) -> Page {
        Page { docs: Vec::new(), cap, omitted: 0 }
    }

    /// Whether the page still takes documents.
    pub fn is_full(&self) -> bool {
        self.docs.len() >= self.cap
    }

    /// Adds one document (from [`doc_json`]); past the cap it is only counted.
    pub fn push(&mut self, doc: String) {
        if self.is_full() {
            self.omitted += 1;
        } else {
            self.docs.push(doc);
        }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The whole page.
    pub fn render(&self, stats: &Stats, title: &str) -> String {
        let nonce = nonce();
        let mut rows: Vec<(&String, _)> = stats.rules.iter().collect();
        rows.sort_by(|a, b| b.1.edits.cmp(&a.1.edits).then(a.0.cmp(b.0)));
        let mut table = String::new();
        for (rule, s) in rows {
            let r = escape(rule);
            table.push_str(&format!(
                "<tr><td><label><input type=\"checkbox\" class=\"rule\" value=\"{r}\"> <code>{r}</code></label></td>\
                 <td>{}</td><td>{}</td><td>{}</td></tr>\n",
                s.documents, s.edits, s.chars_removed
            ));
        }
        let left_out = if self.omitted > 0 {
            format!(
                " The page holds the first {} changed documents; {} more were counted above but left out \
                 (raise <code>--max-docs</code> or narrow the inputs or <code>--rule</code>).",
                self.docs.len(),
                self.omitted
            )
        } else {
            String::new()
        };
        let mut data = String::with_capacity(self.docs.iter().map(|d| d.len() + 1).sum::<usize>() + 2);
        data.push('[');
        for (i, d) in self.docs.iter().enumerate() {
            if i > 0 {
                data.push(',');
            }
            data.push_str(&script_safe(d));
        }
        data.push(']');
        format!(
            include_str!("page.html"),
            nonce = nonce,
            title = escape(title),
            style = STYLE,
            script = SCRIPT,
            documents = stats.documents,
            changed = stats.changed,
            shown = self.docs.len(),
            left_out = left_out,
            table = table,
            data = data,
        )
    }
}

/// `s` escaped for HTML text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON text made safe to sit inside a `<script>` element: `<`, `>` and `&` only ever occur inside JSON
/// strings, where their `\u` escapes mean the same.
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

/// A fresh random token for the Content-Security-Policy nonce (std's hasher keys are random per process
/// and per instance).
fn nonce() -> String {
    let a = std::collections::hash_map::RandomState::new().build_hasher().finish();
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(a);
    format!("{a:016x}{:016x}", h.finish())
}

const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Pipeline;

    #[test]
    fn hostile_text_stays_data() {
        let doc = "<script>document.title='pwned'</script>\n<img src=x onerror=alert(1)>\n</textarea></script><!--\n";
        let c = Pipeline::default_pipeline().clean(doc);
        let r = Review::new(doc, &c);
        let mut page = Page::new(10);
        page.push(doc_json("<b>name</b>", &r, &c.counts()));
        let mut st = Stats::default();
        st.add(&c, None);
        let html = page.render(&st, "t");
        let data_at = html.find("id=\"tw-docs\"").unwrap();
        let data = &html[data_at..];
        let data = &data[..data.find("</script>").unwrap()];
        assert!(!data[1..].contains('<'), "{data}");
        assert!(!html.contains("<img"), "no markup of the document reaches the page");
        assert!(!html.contains("<b>name"));
        assert!(html.contains("Content-Security-Policy"));
        // The data parses back to the document's text.
        let json = &data[data.find('>').unwrap() + 1..];
        let v: Value = serde_json::from_str(json).unwrap();
        let mut input = String::new();
        for s in v[0]["segs"].as_array().unwrap() {
            match s {
                Value::String(t) => input.push_str(t),
                Value::Array(a) => {
                    input.push_str(a[0].as_str().unwrap());
                    let pieces: String = a[4]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|p| p.as_str().or_else(|| p[0].as_str()).unwrap())
                        .collect();
                    assert_eq!(pieces, a[0].as_str().unwrap());
                }
                _ => unreachable!(),
            }
        }
        assert_eq!(input, doc);
    }

    #[test]
    fn the_cap_counts_what_it_leaves_out() {
        let mut page = Page::new(1);
        page.push("{}".into());
        page.push("{}".into());
        assert_eq!(page.len(), 1);
        assert!(page.render(&Stats::default(), "t").contains("1 more were counted"));
    }
}
