//! `textwash rules list|show|check|test`.

use std::path::PathBuf;

use anyhow::Result;
use textwash::rules::{Action, RuleSet, PRESETS};
use textwash::Pipeline;

use crate::args::RulesCommand;
use crate::{exit, load_rules};

pub fn run(cmd: RulesCommand) -> Result<u8> {
    match cmd {
        RulesCommand::List(a) => {
            let rules = load_rules(&a.rules)?;
            for s in &rules.stages {
                let off = if s.enabled { "" } else { " (off)" };
                println!("{:<20} [{} stage]{off} {}", s.id, s.kind.name(), s.summary);
                for r in &s.rules {
                    let off = if r.enabled && s.enabled { "" } else { " (off)" };
                    println!("  {:<18}{off} {}", r.id, r.summary);
                }
            }
            Ok(exit::OK)
        }
        RulesCommand::Show(a) => {
            let rules = load_rules(&a.rules)?;
            if let Some((stage, r)) = rules.rule(&a.id) {
                println!(
                    "{}  ({} stage `{}`{})",
                    r.id,
                    stage.kind.name(),
                    stage.id,
                    if r.enabled { "" } else { ", off" }
                );
                println!("\n{}", r.summary);
                if !r.why.is_empty() {
                    println!("\nWhy: {}", r.why);
                }
                match &r.pattern {
                    Some(p) => {
                        println!(
                            "\nPattern: {p}\nScope:   {}\nAction:  {}",
                            kebab(&r.scope),
                            kebab(&r.action)
                        );
                        if r.action == Action::Replace {
                            println!("Replacement: {:?}", r.replacement);
                        }
                    }
                    None => println!("\nBuilt in: a heuristic of the `{}` stage kind.", stage.kind.name()),
                }
                for (n, ex) in r.examples.iter().enumerate() {
                    let what = if ex.input == ex.output { "left alone" } else { "cleaned" };
                    println!(
                        "\nExample {} ({what}):\n  input:  {:?}\n  output: {:?}",
                        n + 1,
                        ex.input,
                        ex.output
                    );
                }
                println!("\nDefined in {}", r.origin);
                return Ok(exit::OK);
            }
            if let Some(s) = rules.stages.iter().find(|s| s.id == a.id) {
                println!(
                    "{}  ({} stage{})\n\n{}",
                    s.id,
                    s.kind.name(),
                    if s.enabled { "" } else { ", off" },
                    s.summary
                );
                for r in &s.rules {
                    println!("  {:<18} {}", r.id, r.summary);
                }
                return Ok(exit::OK);
            }
            Err(crate::UsageError(format!("no rule or stage `{}` (see `textwash rules list`)", a.id)).into())
        }
        RulesCommand::Check { files } => {
            let mut bad = 0;
            for f in &files {
                // A file that parses can still fail to build (its stage's regex set too large).
                let built = RuleSet::load(f).map_err(anyhow::Error::from).and_then(|r| {
                    Pipeline::new(&r).map_err(|e| anyhow::anyhow!("rules file {}: {e}", f.display()))
                });
                match built {
                    Ok(_) => println!("{}: ok", f.display()),
                    Err(e) => {
                        bad += 1;
                        eprintln!("textwash: error: {e:#}");
                    }
                }
            }
            Ok(if bad > 0 { exit::USAGE } else { exit::OK })
        }
        RulesCommand::Test { files } => test(files),
    }
}

/// Runs every example of every rule through the whole pipeline of its file, like a test runner.
fn test(files: Vec<PathBuf>) -> Result<u8> {
    let sets: Vec<(String, Result<RuleSet, textwash::RulesError>)> = if files.is_empty() {
        PRESETS.iter().map(|(n, _)| (format!("preset {n}"), RuleSet::preset(n))).collect()
    } else {
        files.iter().map(|f| (f.display().to_string(), RuleSet::load(f))).collect()
    };
    let (mut passed, mut failed, mut broken) = (0usize, 0usize, 0usize);
    for (name, set) in sets {
        let set = match set {
            Ok(s) => s,
            Err(e) => {
                eprintln!("textwash: error: {e}");
                broken += 1;
                continue;
            }
        };
        let pipeline = Pipeline::new(&set)?;
        // A switched-off rule has nothing to show: its examples hold only where it runs.
        for stage in set.stages.iter().filter(|s| s.enabled) {
            for rule in stage.rules.iter().filter(|r| r.enabled) {
                if rule.examples.is_empty() {
                    println!("FAIL {} {}: no examples", rule.origin, rule.id);
                    failed += 1;
                }
                for (n, ex) in rule.examples.iter().enumerate() {
                    let got = pipeline.clean(&ex.input).text;
                    if got == ex.output {
                        passed += 1;
                    } else {
                        failed += 1;
                        let at = if ex.line > 0 { format!(":{}", ex.line) } else { String::new() };
                        println!(
                            "FAIL {}{at} {} example {} ({name})\n  input:    {:?}\n  expected: {:?}\n  got:      {:?}",
                            rule.origin,
                            rule.id,
                            n + 1,
                            ex.input,
                            ex.output,
                            got
                        );
                    }
                }
            }
        }
    }
    let verdict = if failed + broken > 0 { "FAILED" } else { "ok" };
    let broken_note = if broken > 0 { format!(", {broken} rules files broken") } else { String::new() };
    println!("rules test {verdict}: {passed} passed, {failed} failed{broken_note}");
    // A broken rules file is a usage error (2), like everywhere else; a failing example is 1.
    Ok(if broken > 0 {
        exit::USAGE
    } else if failed > 0 {
        exit::FAILURES
    } else {
        exit::OK
    })
}

/// A scope or action as it is written in a rules file.
fn kebab<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}
