//! The `textwash` object of an output record: what was removed, by which rule, and where.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::decode::Decoded;
use crate::pipeline::Cleaned;

/// One removal or replacement listed in the record. White-space-only edits (line joins, collapsed
/// spaces) are counted per rule but not listed.
#[derive(Debug, Serialize)]
pub struct Removed<'a> {
    pub rule: &'a str,
    /// What was removed, as the rule saw it.
    pub text: &'a str,
    /// What replaced it, when it was not a plain removal.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub replacement: &'a str,
    /// Byte offsets of the removed text in the (decoded) input text.
    pub start: usize,
    pub end: usize,
}

/// The record's `textwash` field.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    /// The encoding the input was decoded from (`UTF-8` for JSONL input).
    pub encoding: &'a str,
    /// How many invalid byte sequences became U+FFFD.
    pub replaced_chars: usize,
    pub removed: Vec<Removed<'a>>,
    /// Edits per rule, white-space edits included.
    pub counts: BTreeMap<&'a str, usize>,
    pub input_chars: usize,
    pub output_chars: usize,
}

impl<'a> Report<'a> {
    pub fn new(input: &str, cleaned: &'a Cleaned, encoding: &'a str, replaced_chars: usize) -> Self {
        let mut removed: Vec<Removed<'a>> = cleaned
            .removed()
            .map(|c| Removed {
                rule: &c.rule,
                text: &c.text,
                replacement: &c.replacement,
                start: c.start,
                end: c.end,
            })
            .collect();
        // In reading order, whichever pass removed what.
        removed.sort_by_key(|r| (r.start, r.end));
        Report {
            encoding,
            replaced_chars,
            removed,
            counts: cleaned.counts(),
            input_chars: input.chars().count(),
            output_chars: cleaned.text.chars().count(),
        }
    }

    pub fn from_decoded(d: &'a Decoded, cleaned: &'a Cleaned) -> Self {
        Self::new(&d.text, cleaned, d.encoding, d.replaced)
    }
}
