//! Per-rule statistics over many documents, counted from the same edit log as the JSONL records.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::pipeline::Cleaned;

/// What one rule did over a set of documents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RuleStats {
    /// Documents it edited at least once.
    pub documents: usize,
    /// Its edits, white-space ones included: the sum of the records' `counts` for the rule.
    pub edits: usize,
    /// Characters of the text its non-white-space edits replaced: the sum of the lengths of the
    /// records' `removed[].text` for the rule.
    pub chars_removed: usize,
}

/// Per-rule statistics, and how many documents were read and changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub documents: usize,
    pub changed: usize,
    pub rules: BTreeMap<String, RuleStats>,
}

impl Stats {
    /// Counts one document; `only` counts one rule's edits alone.
    pub fn add(&mut self, cleaned: &Cleaned, only: Option<&str>) {
        self.documents += 1;
        let mut seen: BTreeMap<&str, RuleStats> = BTreeMap::new();
        for c in cleaned.changes.iter().filter(|c| only.map_or(true, |r| *c.rule == *r)) {
            let s = seen.entry(&c.rule).or_default();
            s.documents = 1;
            s.edits += 1;
            if !c.is_whitespace_only() {
                s.chars_removed += c.text.chars().count();
            }
        }
        if !seen.is_empty() {
            self.changed += 1;
        }
        for (rule, s) in seen {
            let t = self.rules.entry(rule.to_string()).or_default();
            t.documents += s.documents;
            t.edits += s.edits;
            t.chars_removed += s.chars_removed;
        }
    }

    /// Adds up statistics counted apart (on another thread, say).
    pub fn merge(&mut self, other: &Stats) {
        self.documents += other.documents;
        self.changed += other.changed;
        for (rule, s) in &other.rules {
            let t = self.rules.entry(rule.clone()).or_default();
            t.documents += s.documents;
            t.edits += s.edits;
            t.chars_removed += s.chars_removed;
        }
    }

    /// A plain-text table: one row per rule, most edits first, and a total.
    pub fn table(&self) -> String {
        let mut rows: Vec<(&str, &RuleStats)> = self.rules.iter().map(|(k, v)| (k.as_str(), v)).collect();
        rows.sort_by(|a, b| b.1.edits.cmp(&a.1.edits).then(a.0.cmp(b.0)));
        let width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0).max(5);
        let mut out =
            format!("{:<width$}  {:>9}  {:>9}  {:>13}\n", "rule", "documents", "edits", "chars removed");
        for (rule, s) in &rows {
            out.push_str(&format!(
                "{rule:<width$}  {:>9}  {:>9}  {:>13}\n",
                s.documents, s.edits, s.chars_removed
            ));
        }
        let edits: usize = rows.iter().map(|r| r.1.edits).sum();
        let chars: usize = rows.iter().map(|r| r.1.chars_removed).sum();
        out.push_str(&format!("{:<width$}  {:>9}  {:>9}  {:>13}\n", "total", self.changed, edits, chars));
        out.push_str(&format!("{} documents read, {} changed\n", self.documents, self.changed));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Pipeline;

    #[test]
    fn counts_match_the_record_counts() {
        let p = Pipeline::default_pipeline();
        let docs = [
            "The eco-\nnomic outlook\n\nhttps://a.example/author/x\n\nimproved.\n",
            "Clean text.\n",
            "a\nb\n",
        ];
        let mut st = Stats::default();
        let mut want: BTreeMap<String, usize> = BTreeMap::new();
        let mut removed: BTreeMap<String, usize> = BTreeMap::new();
        for d in docs {
            let c = p.clean(d);
            st.add(&c, None);
            for (k, v) in c.counts() {
                *want.entry(k.to_string()).or_default() += v;
            }
            for r in c.removed() {
                *removed.entry(r.rule.to_string()).or_default() += r.text.chars().count();
            }
        }
        assert_eq!(st.documents, 3);
        let got: BTreeMap<String, usize> = st.rules.iter().map(|(k, v)| (k.clone(), v.edits)).collect();
        assert_eq!(got, want);
        for (k, v) in &st.rules {
            assert_eq!(v.chars_removed, removed.get(k).copied().unwrap_or(0), "{k}");
        }
        assert_eq!(st.rules["url-line"].documents, 1);
        let mut twice = st.clone();
        twice.merge(&st);
        assert_eq!(twice.rules["url-line"].edits, 2 * st.rules["url-line"].edits);
        assert!(st.table().contains("url-line"));
    }
}
