//! Rules files: the TOML that says which stages run, in which order, with which rules.
//!
//! A rules file lists stages (`[[stage]]`), each of a built-in kind, and under each stage its rules
//! (`[[stage.rule]]`). A rule is either one of the stage kind's built-in heuristics (named by its id,
//! documented in the file) or, in a `patterns` or `furniture` stage, a regex `pattern` of the user's.
//! `extends = "default"` starts from a shipped preset and overrides it by stage and rule id.
//!
//! Every problem in a file (unknown key, wrong type, bad regex, duplicate id, unknown kind or preset)
//! is a [`RulesError`] naming the file, line and column; all of a file's problems are reported at once.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
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

/// A rules file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RulesFile {
    pub name: Option<String>,
    pub summary: Option<String>,
    pub extends: Option<Spanned<String>>,
    #[serde(default, rename = "stage")]
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
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
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
    #[serde(default, rename = "rule")]
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleConfig {
    pub id: Spanned<String>,
    pub enabled: Option<bool>,
    pub summary: Option<String>,
    pub why: Option<String>,
    pub pattern: Option<Spanned<String>>,
    pub scope: Option<Scope>,
    pub action: Option<Action>,
    pub replacement: Option<String>,
    #[serde(default, rename = "example")]
    pub examples: Vec<Example>,
}

/// A worked example: `input` run through the whole pipeline of the file gives `output`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub input: String,
    pub output: String,
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
            write!(f, "\n  {}:{}:{}: ", self.file, p.line, p.column)?;
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
        Self::from_source(src, &format!("rules/{name}.toml"), 0)
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
        let err = |problems: Vec<Problem>| RulesError { file: file.to_string(), problems };
        let parsed: RulesFile = toml::from_str(src).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(src, s.start)).unwrap_or((0, 0));
            err(vec![Problem { line, column, rule: None, message: e.message().trim().to_string() }])
        })?;
        let mut problems = Vec::new();
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
                Some(s) => Self::from_source(s, &format!("rules/{}.toml", name.get_ref()), depth + 1)?,
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
        for stage in &parsed.stages {
            merge_stage(&mut base, stage, src, file, &mut seen_stages, &mut problems);
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
            set.stages.push(ResolvedStage {
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
            });
            set.stages.last_mut().unwrap()
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
        let builtin = kind.builtin_rules().contains(&rid.as_str());
        if let Some(p) = &r.pattern {
            if builtin {
                problems.push(rat(
                    p.span().start,
                    "a built-in rule takes no pattern; give your rule its own id".into(),
                ));
            } else if !matches!(kind, StageKind::Patterns | StageKind::Furniture) {
                problems.push(rat(p.span().start, format!("a {} stage takes no pattern rules", kind.name())));
            } else if let Err(e) = regex::RegexBuilder::new(p.get_ref()).size_limit(1 << 22).build() {
                problems.push(rat(p.span().start, format!("invalid regex: {}", one_line(&e.to_string()))));
            }
        }
        if matches!(r.action, Some(Action::Replace)) && r.replacement.is_none() {
            problems.push(rat(r.id.span().start, "`action = \"replace\"` needs a `replacement`".into()));
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
