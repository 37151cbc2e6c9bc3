//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "textwash",
    version,
    about = "Clean text that came out of PDF extraction.",
    long_about = "Clean text that came out of PDF extraction: strip running heads, page numbers, print \
headers, stray URLs, captions and inserts; rejoin hyphenated words; reflow paragraphs; emit JSONL that \
records every removal with the rule that made it.",
    after_help = "Examples:\n  \
textwash clean page.txt                          one JSONL record, the removals listed\n  \
textwash clean --format text page.txt            the cleaned text alone\n  \
textwash clean corpus.jsonl.gz -o clean.jsonl.zst\n  \
textwash diff --html review.html samples/        review what the rules did\n  \
textwash rules show photo-credit                 what a rule removes, and why\n\n\
Exit status: 0 all done; 1 some inputs or records failed (each reported on stderr); \
2 bad usage or a bad rules file."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Clean documents and write them as JSONL records (or plain text).
    Clean(CleanArgs),
    /// Show what cleaning would do: a unified diff per document labelled with the rules that made each
    /// change, per-rule counts (--stat), the edits as JSON, or an HTML review page (--html).
    Diff(DiffArgs),
    /// List, show, check and test rules.
    #[command(subcommand)]
    Rules(RulesCommand),
}

#[derive(Args, Debug, Clone)]
pub struct RuleOptions {
    /// A rules file (TOML) to use instead of the default rules.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// A shipped preset: default, news, paper, minimal.
    #[arg(long, value_name = "NAME", conflicts_with = "rules")]
    pub preset: Option<String>,
    /// Turn on a stage or rule by id (repeatable).
    #[arg(long, value_name = "ID")]
    pub enable: Vec<String>,
    /// Turn off a stage or rule by id (repeatable).
    #[arg(long, value_name = "ID")]
    pub disable: Vec<String>,
}

#[derive(Args, Debug, Clone)]
pub struct InputOptions {
    /// Files or directories to clean ('-' is standard input; none means standard input). Directories
    /// are walked for .txt, .jsonl, .ndjson (also .gz, .zst).
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// How to read the inputs: by extension (auto), one document per file (text), or one JSON record
    /// per line (jsonl). Standard input is JSONL when its first byte is '{'.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto, value_name = "FORMAT")]
    pub input_format: InputFormat,
    /// The JSONL field holding the text to clean (a dotted path reaches a nested field).
    #[arg(long, default_value = "text", value_name = "FIELD")]
    pub text_field: String,
    /// The JSONL field holding the document id (a dotted path reaches a nested field).
    #[arg(long, default_value = "id", value_name = "FIELD")]
    pub id_field: String,
}

#[derive(Args, Debug)]
pub struct CleanArgs {
    #[command(flatten)]
    pub input: InputOptions,
    #[command(flatten)]
    pub rules: RuleOptions,
    /// Output: JSONL records, or the cleaned text alone (documents separated by a line holding only a
    /// form feed).
    #[arg(long, value_enum, default_value_t = OutputFormat::Jsonl)]
    pub format: OutputFormat,
    /// Write to FILE instead of standard output (compressed when it ends in .gz or .zst). It appears
    /// only when the run succeeds.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Documents cleaned in parallel (default: all cores). Output order is input order.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// What to do with a bad input record: skip it (reported, counted), fail (stop at once), or keep
    /// (write it unchanged). Any bad record makes the exit status 1.
    #[arg(long, value_enum, default_value_t = OnError::Skip)]
    pub on_error: OnError,
    /// No progress bar and no summary on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    #[command(flatten)]
    pub input: InputOptions,
    #[command(flatten)]
    pub rules: RuleOptions,
    /// When to colour the diff: auto (only when standard output is a terminal and NO_COLOR is not
    /// set), always, or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Lines of context around each change.
    #[arg(long, short = 'U', default_value_t = 3, value_name = "N")]
    pub context: usize,
    /// Show only what this rule did (its edits alone, applied to the input), across every document.
    #[arg(long, value_name = "ID")]
    pub rule: Option<String>,
    /// Stop after N documents that have something to show (a sample of a corpus). With --html the page
    /// holds at most 1000 documents unless this says otherwise.
    #[arg(long, value_name = "N")]
    pub max_docs: Option<usize>,
    /// Print per-rule counts over all inputs instead of the diff: documents touched, edits (as in the
    /// records' `counts`), characters removed (as in the records' `removed`).
    #[arg(long)]
    pub stat: bool,
    /// How to print: a diff for people (text), or one JSON object per edit, {id, rule, before, after,
    /// range} (json; with --stat, the counts as one JSON object).
    #[arg(long, value_enum, default_value_t = Display::Text, value_name = "FORMAT")]
    pub display: Display,
    /// Write a self-contained HTML review page to FILE instead of printing: documents side by side,
    /// every edit highlighted and labelled, per-rule counts and a rule filter.
    #[arg(long, value_name = "FILE", conflicts_with = "stat")]
    pub html: Option<PathBuf>,
    /// Documents cleaned in parallel (default: all cores). Output order is input order.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// No summary on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Display {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// The effective stages and rules, one per line: id, then summary.
    List(RulesListArgs),
    /// One rule in full: summary, why, pattern, examples.
    Show(RulesShowArgs),
    /// Validate rules files; exit 0 when all are valid, 2 otherwise.
    Check {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Run every example of every rule (the shipped presets when no file is given).
    Test {
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

#[derive(Args, Debug)]
pub struct RulesListArgs {
    #[command(flatten)]
    pub rules: RuleOptions,
}

#[derive(Args, Debug)]
pub struct RulesShowArgs {
    /// The rule (or stage) id.
    pub id: String,
    #[command(flatten)]
    pub rules: RuleOptions,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Auto,
    Text,
    Jsonl,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Jsonl,
    Text,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnError {
    Skip,
    Fail,
    Keep,
}
