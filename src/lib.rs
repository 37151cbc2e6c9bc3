//! textwash cleans text that came out of PDF extraction.
//!
//! Rule stages strip extraction artefacts (running heads and feet, page numbers, browser print headers,
//! stray URLs, captions and credits, "Related article" inserts, bylines, ligatures and other Unicode
//! debris), rejoin words hyphenated across lines, and reflow the text into paragraphs. Every edit is
//! recorded with the rule that made it, in positions of the input, so nothing is lost silently.
//!
//! ```
//! let pipeline = textwash::Pipeline::default_pipeline();
//! let raw = "The outlook for the\n\nhttps://news.example/author/jane-doe\n\nharbour improved.\n\x0c";
//! let cleaned = pipeline.clean(raw);
//! assert_eq!(cleaned.text, "The outlook for the harbour improved.");
//! let removed: Vec<&str> = cleaned.removed().map(|c| &*c.rule).collect();
//! assert_eq!(removed, ["url-line"]);
//! // The composed edit log turns the input into the output.
//! assert_eq!(textwash::edit::apply_splices(raw, &cleaned.splices), cleaned.text);
//! ```
//!
//! The rules live in TOML files ([`rules`]); the shipped presets are embedded in the library.

pub mod decode;
pub mod diff;
pub mod edit;
mod hash;
pub mod io;
mod json;
pub mod lines;
pub mod pipeline;
pub mod record;
pub mod rules;
pub mod stage;

pub use edit::{Change, Splice};
pub use pipeline::{Cleaned, Pipeline};
pub use rules::{RuleSet, RulesError};

/// Cleans `text` with the default rules and returns the cleaned text.
pub fn clean(text: &str) -> String {
    use std::sync::OnceLock;
    static DEFAULT: OnceLock<Pipeline> = OnceLock::new();
    DEFAULT.get_or_init(Pipeline::default_pipeline).clean(text).text
}
