//! Rules files: the TOML that says which stages run, in which order, with which rules.
//!
//! A rules file lists stages (`[[stage]]`), each of a built-in kind, and under each stage its rules
//! (`[[stage.rule]]`). A rule is either one of the stage kind's built-in heuristics (named by its id,
//! documented in the file) or, in a `patterns` or `furniture` stage, a regex `pattern` of the user's.
//! `extends = "default"` starts from a shipped preset and overrides it by stage and rule id.
//!
//! Every problem in a file (unknown key, wrong type, bad regex, duplicate id, unknown kind or preset)
//! is a [`RulesError`] naming the file, line and column; all of a file's problems are reported at once.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

/// The presets shipped inside the binary, by name.
pub const PRESETS: &[(&str, &str)] = &[
    ("default", include_str!("../rules/default.toml")),
    ("news", include_str!("../rules/news.toml")),
    ("paper", include_str!("../rules/paper.toml")),
    ("minimal", include_str!("../rules/minimal.toml")),
];

pub fn preset_source(name: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// A rules file as written (every field optional, so that a user file can override a preset).
///
/// Files are read key by key from toml's spanned tree rather than with a derived `Deserialize`, so that
/// every unknown key and every wrong type of a file is reported, not only the first.
#[derive(Debug, Clone, Default)]
pub struct RulesFile {
    pub name: Option<String>,
    pub summary: Option<String>,
    pub extends: Option<Spanned<String>>,
    pub stages: Vec<StageConfig>,
}

/// The kinds of stage textwash knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StageKind {
    /// Unicode debris: ligatures, invisible characters, odd spaces, control characters, line ends, NFC.
    Unicode,
    /// Page furniture: running heads and feet, page numbers, browser print headers and footers.
    Furniture,
    /// Lines and blocks matched by regex rules (inserts, captions, bylines, ...).
    Patterns,
    /// Joins hard-wrapped lines, rejoins hyphenated words, finds paragraph ends.
    Reflow,
    /// One space between words, one blank line between paragraphs, nothing trailing.
    Whitespace,
}

impl StageKind {
    pub fn name(self) -> &'static str {
        match self {
            StageKind::Unicode => "unicode",
            StageKind::Furniture => "furniture",
            StageKind::Patterns => "patterns",
            StageKind::Reflow => "reflow",
            StageKind::Whitespace => "whitespace",
        }
    }

    /// The built-in rules of this kind: the ids its heuristics record their edits under.
    pub fn builtin_rules(self) -> &'static [&'static str] {
        match self {
            StageKind::Unicode => crate::stage::unicode::RULES,
            StageKind::Furniture => crate::stage::furniture::RULES,
            StageKind::Patterns => &[],
            StageKind::Reflow => crate::stage::reflow::RULES,
            StageKind::Whitespace => crate::stage::whitespace::RULES,
        }
    }
}

/// A stage: its kind, id, switch, parameters and rules.
#[derive(Debug, Clone)]
pub struct StageConfig {
    pub id: Spanned<String>,
    pub kind: Option<StageKind>,
    pub enabled: Option<bool>,
    pub summary: Option<String>,
    /// furniture: how many lines at the top and at the bottom of a page are looked at.
    pub zone_lines: Option<usize>,
    /// furniture: on how many pages (at least) a line must recur to be a running head or foot.
    pub min_pages: Option<usize>,
    /// patterns: how many lines from the top of the document count as its head (bylines, datelines).
    pub head_lines: Option<usize>,
    /// patterns: the most lines a block rule removes at once (a caption above its credit, say).
    pub max_block_lines: Option<usize>,
    pub rules: Vec<RuleConfig>,
}

/// Where a pattern rule looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Any line (the default).
    Line,
    /// A line and, when it was wrapped (it fills the column), the line that finishes it.
    LineWrapped,
    /// A line within the document's head (`head-lines`).
    Head,
    /// A line within the top or bottom `zone-lines` of a page.
    PageEdge,
    /// A line that ends a block (a caption's credit): it goes with the lines above it in the block.
    BlockEnd,
}

/// What a pattern rule does with what it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Remove the matched line(s) (the default).
    Drop,
    /// Replace each regex match inside the line by `replacement`.
    Replace,
    /// Protect matching lines from every other rule of the stage.
    Keep,
}

/// A rule as written under its stage.
#[derive(Debug, Clone)]
pub struct RuleConfig {
    pub id: Spanned<String>,
    pub enabled: Option<bool>,
    pub summary: Option<String>,
    pub why: Option<String>,
    pub pattern: Option<Spanned<String>>,
    pub scope: Option<Scope>,
    pub action: Option<Action>,
    pub replacement: Option<String>,
    pub examples: Vec<Example>,
}

/// A worked example: `input` run through the whole pipeline of the file gives `output`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub input: String,
    pub output: String,
    /// The line of its `[[stage.rule.example]]` header in the file it came from (0: not from a file).
    #[serde(skip)]
    pub line: usize,
}

/// One problem in a rules file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub rule: Option<String>,
    pub message: String,
}

/// Everything wrong with one rules file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RulesError {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(f, "{} problem{} in rules file {}", n, if n == 1 { "" } else { "s" }, self.file)?;
        for p in &self.problems {
            if p.line == 0 {
                write!(f, "\n  {}: ", self.file)?;
            } else {
                write!(f, "\n  {}:{}:{}: ", self.file, p.line, p.column)?;
            }
            if let Some(r) = &p.rule {
                write!(f, "rule `{r}`: ")?;
            }
            write!(f, "{}", p.message)?;
        }
        Ok(())
    }
}

/// A fully resolved rules set: the stages in order, presets and overrides applied.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub name: String,
    pub stages: Vec<ResolvedStage>,
}

#[derive(Debug, Clone)]
pub struct ResolvedStage {
    pub id: String,
    pub kind: StageKind,
    pub enabled: bool,
    pub summary: String,
    pub zone_lines: usize,
    pub min_pages: usize,
    pub head_lines: usize,
    pub max_block_lines: usize,
    pub rules: Vec<ResolvedRule>,
    /// The file the stage (or its last override) came from.
    pub origin: String,
}

#[derive(Debug, Clone)]
pub struct ResolvedRule {
    pub id: String,
    pub enabled: bool,
    pub summary: String,
    pub why: String,
    pub pattern: Option<String>,
    pub scope: Scope,
    pub action: Action,
    pub replacement: String,
    pub examples: Vec<Example>,
    pub origin: String,
}

impl RuleSet {
    /// The shipped preset `name`.
    pub fn preset(name: &str) -> Result<RuleSet, RulesError> {
        let src = preset_source(name).ok_or_else(|| RulesError {
            file: format!("<preset {name}>"),
            problems: vec![Problem { line: 1, column: 1, rule: None, message: unknown_preset(name) }],
        })?;
        Self::read(src, &format!("rules/{name}.toml"), 0, Patterns::Trust)
    }

    /// The default rules: what `textwash clean` uses with no options.
    pub fn default_rules() -> RuleSet {
        Self::preset("default").expect("the default preset is valid (tested)")
    }

    /// Loads a rules file from disk.
    pub fn load(path: &Path) -> Result<RuleSet, RulesError> {
        let file = path.display().to_string();
        let src = std::fs::read_to_string(path).map_err(|e| RulesError {
            file: file.clone(),
            problems: vec![Problem { line: 0, column: 0, rule: None, message: format!("cannot read: {e}") }],
        })?;
        Self::from_source(&src, &file, 0)
    }

    /// Parses and resolves rules from TOML source; `file` names it in errors.
    pub fn from_source(src: &str, file: &str, depth: usize) -> Result<RuleSet, RulesError> {
        Self::read(src, file, depth, Patterns::Compile)
    }

    fn read(src: &str, file: &str, depth: usize, patterns: Patterns) -> Result<RuleSet, RulesError> {
        let err = |mut problems: Vec<Problem>| {
            problems.sort_by_key(|p| (p.line, p.column));
            RulesError { file: file.to_string(), problems }
        };
        let (root, syntax) = DeTable::parse_recoverable(src);
        if !syntax.is_empty() {
            let problems = syntax
                .iter()
                .map(|e| {
                    let (line, column) = e.span().map(|s| line_col(src, s.start)).unwrap_or((1, 1));
                    Problem { line, column, rule: None, message: e.message().trim().to_string() }
                })
                .collect();
            return Err(err(problems));
        }
        let mut problems = Vec::new();
        let parsed = read_file(root.get_ref(), src, patterns, &mut problems);
        let mut base = match &parsed.extends {
            None => RuleSet { name: String::new(), stages: Vec::new() },
            Some(name) => match preset_source(name.get_ref()) {
                Some(_) if depth > 4 => {
                    let (line, column) = line_col(src, name.span().start);
                    problems.push(Problem {
                        line,
                        column,
                        rule: None,
                        message: "presets extend each other in a loop".into(),
                    });
                    RuleSet { name: String::new(), stages: Vec::new() }
                }
                Some(s) => {
                    Self::read(s, &format!("rules/{}.toml", name.get_ref()), depth + 1, Patterns::Trust)?
                }
                None => {
                    let (line, column) = line_col(src, name.span().start);
                    problems.push(Problem {
                        line,
                        column,
                        rule: None,
                        message: unknown_preset(name.get_ref()),
                    });
                    RuleSet { name: String::new(), stages: Vec::new() }
                }
            },
        };
        base.name = parsed.name.clone().unwrap_or_else(|| file.to_string());
        let mut seen_stages = HashSet::new();
        let inherited: HashSet<String> = base.stages.iter().map(|s| s.id.clone()).collect();
        for stage in &parsed.stages {
            merge_stage(&mut base, stage, src, file, &inherited, &mut seen_stages, &mut problems);
        }
        if problems.is_empty() {
            Ok(base)
        } else {
            Err(err(problems))
        }
    }

    /// Turns rules on or off by id (a stage id switches the whole stage). Unknown ids are an error.
    pub fn set_enabled(&mut self, id: &str, on: bool) -> Result<(), String> {
        let mut found = false;
        for stage in &mut self.stages {
            if stage.id == id {
                stage.enabled = on;
                found = true;
            }
            for rule in &mut stage.rules {
                if rule.id == id {
                    rule.enabled = on;
                    found = true;
                }
            }
        }
        if found {
            Ok(())
        } else {
            Err(format!("no stage or rule with id `{id}` (see `textwash rules list`)"))
        }
    }

    /// Finds a rule and the stage it belongs to.
    pub fn rule(&self, id: &str) -> Option<(&ResolvedStage, &ResolvedRule)> {
        self.stages.iter().find_map(|s| s.rules.iter().find(|r| r.id == id).map(|r| (s, r)))
    }
}

fn unknown_preset(name: &str) -> String {
    let names: Vec<&str> = PRESETS.iter().map(|(n, _)| *n).collect();
    format!("unknown preset `{name}` (known: {})", names.join(", "))
}

/// 1-based line and column of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

fn merge_stage(
    set: &mut RuleSet,
    cfg: &StageConfig,
    src: &str,
    file: &str,
    inherited: &HashSet<String>,
    seen: &mut HashSet<String>,
    problems: &mut Vec<Problem>,
) {
    let at = |offset: usize, rule: Option<&str>, message: String| {
        let (line, column) = line_col(src, offset);
        Problem { line, column, rule: rule.map(str::to_string), message }
    };
    let id = cfg.id.get_ref().clone();
    if !is_kebab(&id) {
        problems.push(at(
            cfg.id.span().start,
            None,
            format!("stage id `{id}` must be kebab-case (a-z, 0-9, -)"),
        ));
    }
    if !seen.insert(id.clone()) {
        problems.push(at(cfg.id.span().start, None, format!("duplicate stage id `{id}`")));
        return;
    }
    let existing = set.stages.iter().position(|s| s.id == id);
    // Rule ids are unique across the whole rule set: the output record, `--disable` and `rules show`
    // name a rule by its id alone. Built-in rules count even when no file mentions them.
    let mut elsewhere: HashMap<String, String> = HashMap::new();
    for s in set.stages.iter().filter(|s| s.id != id) {
        for r in s.kind.builtin_rules().iter().copied().chain(s.rules.iter().map(|r| r.id.as_str())) {
            elsewhere.entry(r.to_string()).or_insert_with(|| format!("rule of stage `{}`", s.id));
        }
        elsewhere.insert(s.id.clone(), "stage id".to_string());
    }
    let kind = match (cfg.kind, existing) {
        (Some(k), Some(i)) if set.stages[i].kind != k => {
            problems.push(at(
                cfg.id.span().start,
                None,
                format!(
                    "stage `{id}` is a {} stage in the preset; it cannot become {}",
                    set.stages[i].kind.name(),
                    k.name()
                ),
            ));
            return;
        }
        (Some(k), _) => k,
        (None, Some(i)) => set.stages[i].kind,
        (None, None) => {
            problems.push(at(cfg.id.span().start, None, format!("new stage `{id}` needs a `kind`")));
            return;
        }
    };
    let stage = match existing {
        Some(i) => &mut set.stages[i],
        None => {
            // A new line stage in a file that extends a preset runs before the preset's reflow: its
            // patterns are written for lines as extracted, not for reflowed paragraphs. In a file that
            // names all its stages, the order written is the order run.
            let line_kind = matches!(kind, StageKind::Unicode | StageKind::Furniture | StageKind::Patterns);
            let at = set
                .stages
                .iter()
                .position(|s| {
                    line_kind
                        && inherited.contains(&s.id)
                        && matches!(s.kind, StageKind::Reflow | StageKind::Whitespace)
                })
                .unwrap_or(set.stages.len());
            set.stages.insert(
                at,
                ResolvedStage {
                    id: id.clone(),
                    kind,
                    enabled: true,
                    summary: String::new(),
                    zone_lines: 4,
                    min_pages: 2,
                    head_lines: 12,
                    max_block_lines: 6,
                    rules: Vec::new(),
                    origin: file.to_string(),
                },
            );
            &mut set.stages[at]
        }
    };
    stage.origin = file.to_string();
    if let Some(e) = cfg.enabled {
        stage.enabled = e;
    }
    if let Some(s) = &cfg.summary {
        stage.summary = s.clone();
    }
    let param_ok = |name: &str, kinds: &[StageKind], problems: &mut Vec<Problem>| {
        if !kinds.contains(&kind) {
            problems.push(at(
                cfg.id.span().start,
                None,
                format!("`{name}` is not a parameter of a {} stage", kind.name()),
            ));
        }
    };
    if let Some(v) = cfg.zone_lines {
        param_ok("zone-lines", &[StageKind::Furniture, StageKind::Patterns], problems);
        stage.zone_lines = v;
    }
    if let Some(v) = cfg.min_pages {
        param_ok("min-pages", &[StageKind::Furniture], problems);
        stage.min_pages = v.max(2);
    }
    if let Some(v) = cfg.head_lines {
        param_ok("head-lines", &[StageKind::Patterns, StageKind::Furniture], problems);
        stage.head_lines = v;
    }
    if let Some(v) = cfg.max_block_lines {
        param_ok("max-block-lines", &[StageKind::Patterns, StageKind::Furniture], problems);
        stage.max_block_lines = v.max(1);
    }
    let mut seen_rules = HashSet::new();
    for r in &cfg.rules {
        let rid = r.id.get_ref().clone();
        let rat = |offset: usize, message: String| at(offset, Some(&rid), message);
        if !is_kebab(&rid) {
            problems.push(rat(r.id.span().start, "rule ids are kebab-case (a-z, 0-9, -)".into()));
        }
        if !seen_rules.insert(rid.clone()) {
            problems.push(rat(r.id.span().start, "duplicate rule id in this stage".into()));
            continue;
        }
        if let Some(owner) = elsewhere.get(&rid) {
            let hint = match owner.strip_prefix("rule of stage ") {
                Some(stage) => {
                    format!("; to change that rule, write it under the [[stage]] with id = {stage}")
                }
                None => String::new(),
            };
            problems.push(rat(
                r.id.span().start,
                format!(
                    "duplicate id: `{rid}` is already a {owner} (ids are unique across all stages){hint}"
                ),
            ));
            continue;
        }
        let builtin = kind.builtin_rules().contains(&rid.as_str());
        if let Some(p) = &r.pattern {
            if builtin {
                problems.push(rat(
                    p.span().start,
                    "a built-in rule takes no pattern; give your rule its own id".into(),
                ));
            } else if !matches!(kind, StageKind::Patterns | StageKind::Furniture) {
                problems.push(rat(p.span().start, format!("a {} stage takes no pattern rules", kind.name())));
            }
        }
        // The regex is checked when the file is read; what goes with a pattern is checked here.
        if builtin && (r.scope.is_some() || r.action.is_some() || r.replacement.is_some()) {
            problems.push(rat(
                r.id.span().start,
                "a built-in rule takes no `scope`, `action` or `replacement` (only `enabled`, `summary`, `why` and examples)"
                    .into(),
            ));
        }
        if matches!(r.action, Some(Action::Replace)) && r.replacement.is_none() {
            problems.push(rat(r.id.span().start, "`action = \"replace\"` needs a `replacement`".into()));
        }
        if r.replacement.is_some() && !matches!(r.action, Some(Action::Replace)) && !builtin {
            let was_replace = stage.rules.iter().any(|x| x.id == rid && x.action == Action::Replace);
            if !was_replace {
                problems.push(rat(
                    r.id.span().start,
                    "`replacement` is used only with `action = \"replace\"`".into(),
                ));
            }
        }
        let existing = stage.rules.iter().position(|x| x.id == rid);
        match existing {
            Some(i) => {
                let x = &mut stage.rules[i];
                if let Some(v) = r.enabled {
                    x.enabled = v;
                }
                if let Some(v) = &r.summary {
                    x.summary = v.clone();
                }
                if let Some(v) = &r.why {
                    x.why = v.clone();
                }
                if let Some(v) = &r.pattern {
                    x.pattern = Some(v.get_ref().clone());
                }
                if let Some(v) = r.scope {
                    x.scope = v;
                }
                if let Some(v) = r.action {
                    x.action = v;
                }
                if let Some(v) = &r.replacement {
                    x.replacement = v.clone();
                }
                if !r.examples.is_empty() {
                    x.examples = r.examples.clone();
                }
                x.origin = file.to_string();
            }
            None => {
                if r.pattern.is_none() && !builtin {
                    let known = kind.builtin_rules();
                    let msg = if known.is_empty() {
                        "a new rule needs a `pattern`".to_string()
                    } else {
                        format!(
                            "a new rule needs a `pattern` (or it must be one of the built-in {} rules: {})",
                            kind.name(),
                            known.join(", ")
                        )
                    };
                    problems.push(rat(r.id.span().start, msg));
                }
                stage.rules.push(ResolvedRule {
                    id: rid.clone(),
                    enabled: r.enabled.unwrap_or(true),
                    summary: r.summary.clone().unwrap_or_default(),
                    why: r.why.clone().unwrap_or_default(),
                    pattern: r.pattern.as_ref().map(|p| p.get_ref().clone()),
                    scope: r.scope.unwrap_or(Scope::Line),
                    action: r.action.unwrap_or(Action::Drop),
                    replacement: r.replacement.clone().unwrap_or_default(),
                    examples: r.examples.clone(),
                    origin: file.to_string(),
                });
            }
        }
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where a rules file came from, for messages.
pub fn describe(path: Option<&PathBuf>, preset: &str) -> String {
    match path {
        Some(p) => p.display().to_string(),
        None => format!("preset {preset}"),
    }
}

/// The keys each table of a rules file may hold.
const FILE_KEYS: &[&str] = &["name", "summary", "extends", "stage"];
const STAGE_KEYS: &[&str] =
    &["id", "kind", "enabled", "summary", "zone-lines", "min-pages", "head-lines", "max-block-lines", "rule"];
const RULE_KEYS: &[&str] =
    &["id", "enabled", "summary", "why", "pattern", "scope", "action", "replacement", "example"];
const EXAMPLE_KEYS: &[&str] = &["input", "output"];

/// One table of a rules file, read key by key: each unknown key and each value of the wrong type is a
/// problem of its own, so a file's mistakes are all reported at once.
struct Fields<'a, 'p, 'i> {
    table: &'a DeTable<'i>,
    src: &'a str,
    rule: Option<String>,
    problems: &'p mut Vec<Problem>,
    /// Problems found in this table (its sub-tables not included).
    found: usize,
}

impl<'a, 'p, 'i> Fields<'a, 'p, 'i> {
    fn new(
        table: &'a DeTable<'i>,
        src: &'a str,
        rule: Option<String>,
        problems: &'p mut Vec<Problem>,
    ) -> Self {
        Fields { table, src, rule, problems, found: 0 }
    }

    /// Reports each key of the table that is not one of `known`; returns how many there were.
    fn refuse_unknown(&mut self, known: &[&str], what: &str) -> usize {
        let before = self.found;
        for key in self.table.keys() {
            if !known.contains(&key.get_ref().as_ref()) {
                let hint = match closest(key.get_ref(), known) {
                    Some(k) => format!("did you mean `{k}`?"),
                    None => format!("known keys: {}", known.join(", ")),
                };
                self.problem(key.span().start, format!("unknown key `{}` in {what} ({hint})", key.get_ref()));
            }
        }
        self.found - before
    }

    fn problem(&mut self, offset: usize, message: String) {
        let (line, column) = line_col(self.src, offset);
        self.problems.push(Problem { line, column, rule: self.rule.clone(), message });
        self.found += 1;
    }

    fn value(&self, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
        self.table.iter().find(|(k, _)| k.get_ref() == key).map(|(_, v)| v)
    }

    /// The value of `key` as a `T`, or `None` (and a problem) when it has another type.
    fn get<T: serde::de::DeserializeOwned>(&mut self, key: &str) -> Option<Spanned<T>> {
        let v = self.value(key)?;
        match Spanned::<T>::deserialize(ValueDeserializer::from(v.clone())) {
            Ok(t) => Some(t),
            Err(e) => {
                let at = e.span().unwrap_or(v.span()).start;
                self.problem(at, format!("`{key}`: {}", plain_serde(e.message())));
                None
            }
        }
    }

    fn opt<T: serde::de::DeserializeOwned>(&mut self, key: &str) -> Option<T> {
        self.get(key).map(Spanned::into_inner)
    }

    /// The tables of an array of tables (`[[stage]]`, `[[stage.rule]]`), with their spans.
    fn tables(&mut self, key: &str, header: &str) -> Vec<(&'a DeTable<'i>, usize)> {
        let Some(v) = self.value(key) else { return Vec::new() };
        let items = v.get_ref().as_array().map(|a| {
            a.iter().map(|t| t.get_ref().as_table().map(|x| (x, t.span().start))).collect::<Option<Vec<_>>>()
        });
        match items {
            Some(Some(tables)) => tables,
            _ => {
                self.problem(v.span().start, format!("`{key}` must be written as `{header}` tables"));
                Vec::new()
            }
        }
    }
}

/// serde's type names, in the words of a rules file.
fn plain_serde(msg: &str) -> String {
    msg.trim()
        .replace("expected usize", "expected a whole number")
        .replace("expected a boolean", "expected true or false")
        .replace("variant", "value")
}

/// The known key nearest to a misspelt one (at most two edits away).
fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for (j, &cb) in b.iter().enumerate() {
                let cur = row[j + 1];
                row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
                prev = cur;
            }
        }
        row[b.len()]
    }
    known.iter().map(|k| (distance(key, k), *k)).filter(|(d, _)| *d <= 2).min().map(|(_, k)| k)
}

/// Whether reading a rules file compiles its regexes to check them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Patterns {
    /// A user's file: a regex that does not compile is a problem, reported with its line and column.
    Compile,
    /// A shipped preset: its patterns compile (`every_preset_pattern_compiles`), and compiling them all
    /// here was more than a third of the start-up; the pipeline compiles what it uses.
    Trust,
}

fn read_file(root: &DeTable, src: &str, patterns: Patterns, problems: &mut Vec<Problem>) -> RulesFile {
    let mut f = Fields::new(root, src, None, problems);
    f.refuse_unknown(FILE_KEYS, "the file");
    let mut file = RulesFile {
        name: f.opt("name"),
        summary: f.opt("summary"),
        extends: f.get("extends"),
        stages: Vec::new(),
    };
    let stages = f.tables("stage", "[[stage]]");
    for (table, at) in stages {
        if let Some(stage) = read_stage(table, at, src, patterns, problems) {
            file.stages.push(stage);
        }
    }
    file
}

/// A stage, or `None` when its `id` or `kind` cannot be read. A value of the wrong type is reported and
/// then left out, and the rest is still merged and checked, so that all of a file's problems show at
/// once; a stage or rule with no usable id is not merged, which spares the user problems that only
/// follow from the first. Nothing runs while there is any problem.
fn read_stage(
    table: &DeTable,
    at: usize,
    src: &str,
    patterns: Patterns,
    problems: &mut Vec<Problem>,
) -> Option<StageConfig> {
    let mut f = Fields::new(table, src, None, problems);
    f.refuse_unknown(STAGE_KEYS, "a [[stage]]");
    let id = f.get::<String>("id");
    if f.value("id").is_none() {
        f.problem(at, "a [[stage]] needs an `id`".into());
    }
    let id_ok = id.is_some();
    let mut stage = StageConfig {
        id: id.unwrap_or_else(|| Spanned::new(at..at, String::new())),
        kind: f.opt("kind"),
        enabled: f.opt("enabled"),
        summary: f.opt("summary"),
        zone_lines: f.opt("zone-lines"),
        min_pages: f.opt("min-pages"),
        head_lines: f.opt("head-lines"),
        max_block_lines: f.opt("max-block-lines"),
        rules: Vec::new(),
    };
    let rules = f.tables("rule", "[[stage.rule]]");
    let ok = id_ok && (stage.kind.is_some() || f.value("kind").is_none());
    for (table, at) in rules {
        stage.rules.extend(read_rule(table, at, src, patterns, problems));
    }
    ok.then_some(stage)
}

fn read_rule(
    table: &DeTable,
    at: usize,
    src: &str,
    patterns: Patterns,
    problems: &mut Vec<Problem>,
) -> Option<RuleConfig> {
    let mut f = Fields::new(table, src, None, problems);
    let id = f.get::<String>("id");
    f.rule = id.as_ref().map(|i| i.get_ref().clone());
    // A misspelt key is the problem; merging the rule without it would add a second (a new rule with
    // no `pattern`, say).
    let typo = f.refuse_unknown(RULE_KEYS, "a [[stage.rule]]") > 0;
    if f.value("id").is_none() {
        f.problem(at, "a [[stage.rule]] needs an `id`".into());
    }
    let id_ok = id.is_some();
    let pattern = f.get::<String>("pattern");
    if let (Some(p), Patterns::Compile) = (&pattern, patterns) {
        if let Err(e) = crate::stage::patterns::compile(p.get_ref()) {
            let (offset, message) = regex_problem(src, p, &e);
            f.problem(offset, message);
        }
    }
    let mut rule = RuleConfig {
        id: id.unwrap_or_else(|| Spanned::new(at..at, String::new())),
        enabled: f.opt("enabled"),
        summary: f.opt("summary"),
        why: f.opt("why"),
        pattern,
        scope: f.opt("scope"),
        action: f.opt("action"),
        replacement: f.opt("replacement"),
        examples: Vec::new(),
    };
    let examples = f.tables("example", "[[stage.rule.example]]");
    let ok = id_ok && !typo;
    let rule_id = f.rule.clone();
    for (table, at) in examples {
        let mut e = Fields::new(table, src, rule_id.clone(), problems);
        e.refuse_unknown(EXAMPLE_KEYS, "a [[stage.rule.example]]");
        let (input, output) = (e.opt::<String>("input"), e.opt::<String>("output"));
        if e.value("input").is_none() || e.value("output").is_none() {
            e.problem(at, "an example needs an `input` and an `output`".into());
        }
        if let (Some(input), Some(output)) = (input, output) {
            rule.examples.push(Example { input, output, line: line_col(src, at).0 });
        }
    }
    ok.then_some(rule)
}

/// Where in the file a regex error points, and what it says. For a pattern written as a one-line
/// literal string ('...' or '''...''', no escapes) the column is that of the offending character.
fn regex_problem(src: &str, p: &Spanned<String>, err: &str) -> (usize, String) {
    let lines: Vec<&str> = err.lines().collect();
    let what = lines.iter().rev().find_map(|l| l.trim().strip_prefix("error: ")).unwrap_or("");
    let message = if what.is_empty() {
        format!("invalid regex: {}", one_line(err))
    } else {
        format!("invalid regex: {what}")
    };
    let span = p.span();
    let raw = &src[span.clone()];
    let quote = if raw.starts_with("'''") { 3 } else { 1 };
    let literal =
        raw.starts_with('\'') && raw.len() >= 2 * quote && &raw[quote..raw.len() - quote] == p.get_ref();
    // The error draws the pattern indented by four spaces and a caret under the offending character.
    let caret = lines.iter().rposition(|l| !l.trim().is_empty() && l.trim().bytes().all(|b| b == b'^'));
    match caret {
        Some(c) if literal && c >= 1 && !p.get_ref().contains('\n') => {
            let indent = lines[c - 1].len() - lines[c - 1].trim_start().len();
            let col = lines[c].find('^').unwrap_or(indent).saturating_sub(indent);
            let offset = p.get_ref().char_indices().nth(col).map_or(p.get_ref().len(), |(b, _)| b);
            (span.start + quote + offset, message)
        }
        _ => (span.start, message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Pipeline;

    fn problems(src: &str) -> Vec<Problem> {
        RuleSet::from_source(src, "t.toml", 0).expect_err("the file has problems").problems
    }

    /// The one problem of `src`: its line and message.
    fn one(src: &str) -> (usize, String) {
        let p = problems(src);
        assert_eq!(p.len(), 1, "{p:?}");
        (p[0].line, p[0].message.clone())
    }

    fn clean(src: &str, text: &str) -> String {
        let set = RuleSet::from_source(src, "t.toml", 0).unwrap_or_else(|e| panic!("{e}"));
        Pipeline::new(&set).unwrap().clean(text).text
    }

    const INSERTS: &str = "extends = \"default\"\n[[stage]]\nid = \"inserts\"\n";

    #[test]
    fn unknown_keys_are_refused_at_every_level() {
        assert_eq!(one("nmae = \"x\"\n").0, 1);
        let (line, msg) = one(&format!("{INSERTS}max-lines = 3\n"));
        assert_eq!(line, 4);
        assert!(msg.contains("unknown key `max-lines`"), "{msg}");
        let (line, msg) =
            one(&format!("{INSERTS}[[stage.rule]]\nid = \"x-y\"\npattern = 'x'\nscpoe = \"head\"\n"));
        assert_eq!(line, 7);
        assert!(msg.contains("did you mean `scope`?"), "{msg}");
        let p = problems(&format!(
            "{INSERTS}[[stage.rule]]\nid = \"x-y\"\npattern = 'x'\n[[stage.rule.example]]\ninput = \"a\"\nouput = \"a\"\n"
        ));
        assert!(p.iter().any(|p| p.line == 9 && p.message.contains("unknown key `ouput`")), "{p:?}");
        assert!(p.iter().all(|p| p.rule.as_deref() == Some("x-y")), "{p:?}");
    }

    #[test]
    fn wrong_types_are_refused() {
        let (line, msg) = one(&format!("{INSERTS}head-lines = \"ten\"\n"));
        assert_eq!(line, 4);
        assert!(msg.contains("`head-lines`") && msg.contains("whole number"), "{msg}");
        let (_, msg) = one(&format!("{INSERTS}enabled = 1\n"));
        assert!(msg.contains("true or false"), "{msg}");
        let (_, msg) = one("[stage]\nid = \"x\"\n");
        assert!(msg.contains("[[stage]]"), "{msg}");
    }

    /// The presets are read without compiling their patterns ([`Patterns::Trust`]): this is the check.
    #[test]
    fn every_preset_pattern_compiles() {
        for (name, src) in PRESETS {
            let file = format!("rules/{name}.toml");
            let checked = RuleSet::from_source(src, &file, 0).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(format!("{checked:?}"), format!("{:?}", RuleSet::preset(name).unwrap()), "{name}");
        }
    }

    #[test]
    fn an_invalid_regex_names_its_line_column_and_rule() {
        let src = format!("{INSERTS}\n[[stage.rule]]\nid = \"broken\"\npattern = 'ab(c'\n");
        let p = problems(&src);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!((p[0].line, p[0].column), (7, 14), "{p:?}");
        assert_eq!(p[0].rule.as_deref(), Some("broken"));
        assert!(p[0].message.contains("unclosed group"), "{}", p[0].message);
        let e = RuleSet::from_source(&src, "my.toml", 0).unwrap_err().to_string();
        assert!(e.contains("my.toml:7:14: rule `broken`: invalid regex"), "{e}");
    }

    #[test]
    fn duplicate_ids_are_refused_within_a_stage_and_across_stages() {
        let rule = "[[stage.rule]]\nid = \"promo\"\npattern = 'x'\n";
        let (line, msg) = one(&format!("{INSERTS}{rule}{rule}"));
        assert_eq!(line, 8);
        assert!(msg.contains("duplicate rule id"), "{msg}");
        // A pattern rule that takes the id of another stage's rule, even a built-in one no file lists.
        let (line, msg) = one(&format!("{INSERTS}[[stage.rule]]\nid = \"page-number\"\npattern = 'x'\n"));
        assert_eq!(line, 5);
        assert!(msg.contains("`page-furniture`"), "{msg}");
        let (_, msg) = one(&format!("{INSERTS}[[stage.rule]]\nid = \"ligature\"\npattern = 'x'\n"));
        assert!(msg.contains("`unicode`"), "{msg}");
        // Or a stage's id; or a new stage's rule the id of a preset rule.
        let (_, msg) = one(&format!("{INSERTS}[[stage.rule]]\nid = \"reflow\"\npattern = 'x'\n"));
        assert!(msg.contains("stage id"), "{msg}");
        let (_, msg) = one(
            "extends = \"default\"\n[[stage]]\nid = \"mine\"\nkind = \"patterns\"\n[[stage.rule]]\nid = \"url-line\"\npattern = 'x'\n",
        );
        assert!(msg.contains("`inserts`"), "{msg}");
        let (_, msg) = one("[[stage]]\nid = \"a\"\nkind = \"reflow\"\n[[stage]]\nid = \"a\"\n");
        assert!(msg.contains("duplicate stage id"), "{msg}");
    }

    #[test]
    fn unknown_stage_kinds_and_presets_are_refused_with_their_position() {
        let p = problems("[[stage]]\nid = \"x\"\nkind = \"bogus\"\n");
        assert_eq!((p[0].line, p[0].column), (3, 8), "{p:?}");
        assert!(p[0].message.contains("unknown value `bogus`") && p[0].message.contains("patterns"));
        assert_eq!(p.len(), 1, "no follow-on problem: {p:?}");
        let p = problems("# a comment\nextends = \"defualt\"\n");
        assert_eq!((p[0].line, p[0].column), (2, 11), "{p:?}");
        assert!(p[0].message.contains("unknown preset `defualt`"));
        assert!(RuleSet::preset("nope").is_err());
    }

    #[test]
    fn new_rules_need_a_pattern_and_built_in_rules_take_none() {
        let (_, msg) = one(&format!("{INSERTS}[[stage.rule]]\nid = \"my-rule\"\nsummary = \"x\"\n"));
        assert!(msg.contains("needs a `pattern`"), "{msg}");
        let (_, msg) = one("extends = \"default\"\n[[stage]]\nid = \"reflow\"\n[[stage.rule]]\nid = \"line-join\"\npattern = 'x'\n");
        assert!(msg.contains("built-in rule takes no pattern"), "{msg}");
        let (_, msg) =
            one("extends = \"default\"\n[[stage]]\nid = \"reflow\"\n[[stage.rule]]\nid = \"line-join\"\nscope = \"head\"\n");
        assert!(msg.contains("no `scope`"), "{msg}");
        let (_, msg) =
            one(&format!("{INSERTS}[[stage.rule]]\nid = \"r\"\npattern = 'x'\naction = \"replace\"\n"));
        assert!(msg.contains("needs a `replacement`"), "{msg}");
        let (_, msg) =
            one(&format!("{INSERTS}[[stage.rule]]\nid = \"r\"\npattern = 'x'\nreplacement = \"y\"\n"));
        assert!(msg.contains("only with `action = \"replace\"`"), "{msg}");
        let (_, msg) = one("extends = \"default\"\n[[stage]]\nid = \"mine\"\n");
        assert!(msg.contains("needs a `kind`"), "{msg}");
    }

    #[test]
    fn all_problems_of_a_file_come_at_once_in_file_order() {
        let src = format!(
            "{INSERTS}zone-lines = true\n[[stage.rule]]\nid = \"a-b\"\npattern = '[x'\n[[stage.rule]]\nid = \"Bad_Id\"\npattern = 'y'\n[[stage]]\nid = \"z\"\nkind = \"nope\"\n"
        );
        let lines: Vec<usize> = problems(&src).iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![4, 7, 9, 13], "{:?}", problems(&src));
    }

    #[test]
    fn syntax_errors_are_reported_with_their_position() {
        let p = problems("name = \"x\"\nextends = = \"default\"\n");
        assert!(!p.is_empty());
        assert_eq!(p[0].line, 2);
    }

    #[test]
    fn every_preset_loads_and_extends_the_default() {
        let default = RuleSet::preset("default").unwrap();
        for (name, _) in PRESETS {
            let set = RuleSet::preset(name).unwrap_or_else(|e| panic!("{e}"));
            let ids: Vec<&str> = set.stages.iter().map(|s| s.id.as_str()).collect();
            let default_ids: Vec<&str> = default.stages.iter().map(|s| s.id.as_str()).collect();
            assert_eq!(ids, default_ids, "{name}: same stages in the same order");
        }
        let minimal = RuleSet::preset("minimal").unwrap();
        assert!(minimal
            .stages
            .iter()
            .filter(|s| s.enabled)
            .all(|s| !matches!(s.kind, StageKind::Patterns | StageKind::Furniture)));
        assert!(RuleSet::preset("news").unwrap().rule("share-prompt").is_some());
        assert!(RuleSet::preset("paper").unwrap().rule("copyright-line").is_some());
    }

    #[test]
    fn a_user_file_overrides_by_id_and_adds_stages_before_the_reflow() {
        let set = RuleSet::from_source(
            "extends = \"news\"\n[[stage]]\nid = \"inserts\"\nhead-lines = 3\n[[stage.rule]]\nid = \"byline\"\nenabled = false\n\
             [[stage]]\nid = \"mine\"\nkind = \"patterns\"\n[[stage.rule]]\nid = \"promo\"\npattern = '^Promo$'\n",
            "user.toml",
            0,
        )
        .unwrap();
        let (stage, byline) = set.rule("byline").unwrap();
        assert!(!byline.enabled && stage.head_lines == 3 && stage.id == "inserts");
        assert_eq!(
            byline.summary,
            RuleSet::default_rules().rule("byline").unwrap().1.summary,
            "kept from the preset"
        );
        assert!(set.rule("share-prompt").is_some(), "the news rules are still there");
        let order: Vec<&str> = set.stages.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(order, ["unicode", "page-furniture", "inserts", "mine", "reflow", "whitespace"]);
        assert_eq!(set.rule("promo").unwrap().1.origin, "user.toml");
    }

    #[test]
    fn set_enabled_switches_rules_and_stages_and_refuses_unknown_ids() {
        let mut set = RuleSet::default_rules();
        set.set_enabled("byline", false).unwrap();
        assert!(!set.rule("byline").unwrap().1.enabled);
        set.set_enabled("inserts", false).unwrap();
        assert!(!set.stages.iter().find(|s| s.id == "inserts").unwrap().enabled);
        assert!(set.set_enabled("no-such-rule", true).is_err());
    }

    const ACTIONS: &str = r#"[[stage]]
id = "p"
kind = "patterns"
head-lines = 2
zone-lines = 1
[[stage.rule]]
id = "keep-quoted"
pattern = '^Note:.*quoted'
action = "keep"
[[stage.rule]]
id = "note"
pattern = '^Note:'
[[stage.rule]]
id = "fig"
pattern = '\(see (Fig\. \d+)\)'
action = "replace"
replacement = "[$1]"
[[stage.rule]]
id = "stars"
pattern = '^\*\*\*'
[[stage.rule]]
id = "stars-fix"
pattern = '\*\*\*'
action = "replace"
replacement = "-"
[[stage.rule]]
id = "head-only"
pattern = '^HEAD$'
scope = "head"
[[stage.rule]]
id = "edge-only"
pattern = '^EDGE$'
scope = "page-edge"
"#;

    #[test]
    fn keep_protects_lines_from_the_other_rules_of_its_stage() {
        assert_eq!(clean(ACTIONS, "a\nNote: drop me\nb\n"), "a\nb\n");
        assert_eq!(clean(ACTIONS, "a\nNote: quoted (see Fig. 1)\nb\n"), "a\nNote: quoted (see Fig. 1)\nb\n");
    }

    #[test]
    fn replace_expands_groups_and_never_touches_a_dropped_line() {
        assert_eq!(clean(ACTIONS, "A claim (see Fig. 2) holds.\n"), "A claim [Fig. 2] holds.\n");
        assert_eq!(clean(ACTIONS, "a\n*** gone\nb *** c\n"), "a\nb - c\n");
    }

    #[test]
    fn head_and_page_edge_scopes_limit_where_a_rule_acts() {
        assert_eq!(clean(ACTIONS, "HEAD\nx\ny\nHEAD\n"), "x\ny\nHEAD\n");
        assert_eq!(clean(ACTIONS, "EDGE\nx\ny\nEDGE\nz\n"), "x\ny\nEDGE\nz\n");
        assert_eq!(clean(ACTIONS, "x\ny\nEDGE\n\u{c}EDGE\nz\nw\n"), "x\ny\n\u{c}z\nw\n");
    }
}
