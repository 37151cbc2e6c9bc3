//! `textwash clean --rules/--preset/--enable/--disable` and `textwash rules ...`, through the real
//! binary: what a user sees, the exit status, and that a broken rules file writes nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn textwash(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_textwash"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("textwash runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// A publisher's own insert line, removed by a five-line rules file on top of the defaults.
const GAZETTE: &str = r#"extends = "default"
[[stage]]
id = "inserts"
[[stage.rule]]
id = "gazette-app-promo"
pattern = '^Get the Gazette app\b.*$'
"#;

const DOC: &str = "Ministers met on Monday.\n\nGet the Gazette app for more news\n\nRelated article: Talks Resume\n\nThe talks ended late.\n";

#[test]
fn a_custom_pattern_on_top_of_the_defaults_removes_its_line_and_names_its_rule() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "gazette.toml", GAZETTE);
    write(dir.path(), "doc.txt", DOC);
    let o = textwash(&["clean", "-q", "--rules", "gazette.toml", "doc.txt"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let rec: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(rec["text"], "Ministers met on Monday.\n\nThe talks ended late.");
    let removed: Vec<&str> =
        rec["textwash"]["removed"].as_array().unwrap().iter().map(|r| r["rule"].as_str().unwrap()).collect();
    // The user's rule and the default one both ran.
    assert!(removed.contains(&"gazette-app-promo"), "{removed:?}");
    assert!(removed.contains(&"related-article"), "{removed:?}");
}

/// A file whose line 6 holds a regex that does not compile.
const BAD_REGEX: &str = r#"extends = "default"

[[stage]]
id = "inserts"
[[stage.rule]]
id = "broken"
pattern = '^(unclosed'
"#;

#[test]
fn an_invalid_regex_is_refused_by_check_and_by_clean_with_its_line_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    // The pattern is on line 7 here; shift it to line 6 as the issue asks.
    let src = BAD_REGEX.replacen("\n\n", "\n", 1);
    assert_eq!(src.lines().nth(5).unwrap(), "pattern = '^(unclosed'");
    write(dir.path(), "bad.toml", &src);
    write(dir.path(), "doc.txt", DOC);

    let o = textwash(&["rules", "check", "bad.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.toml:6:"), "{}", stderr(&o));
    assert!(stderr(&o).contains("rule `broken`"), "{}", stderr(&o));
    assert!(stderr(&o).contains("unclosed group"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());

    let o = textwash(&["clean", "--rules", "bad.toml", "doc.txt", "-o", "out.jsonl"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.toml:6:"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
    assert!(!dir.path().join("out.jsonl").exists(), "a broken rules file must write nothing");

    let o = textwash(&["clean", "--rules", "bad.toml", "doc.txt"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty(), "nothing on stdout: {}", stdout(&o));
}

#[test]
fn an_unknown_key_is_refused_not_ignored() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "typo.toml", &GAZETTE.replace("pattern =", "patern ="));
    write(dir.path(), "doc.txt", DOC);
    let o = textwash(&["rules", "check", "typo.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("typo.toml:6:1") && err.contains("unknown key `patern`"), "{err}");
    assert!(err.contains("did you mean `pattern`?"), "{err}");
    let o = textwash(&["clean", "--rules", "typo.toml", "doc.txt", "-o", "out.jsonl"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.path().join("out.jsonl").exists());
}

#[test]
fn every_problem_of_a_file_is_reported_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let src = r#"extends = "default"
colour = "red"
[[stage]]
id = "inserts"
head-lines = "ten"
[[stage.rule]]
id = "one"
pattern = '(x'
[[stage.rule]]
id = "page-number"
pattern = 'x'
[[stage]]
id = "odd"
kind = "bogus"
"#;
    write(dir.path(), "many.toml", src);
    let o = textwash(&["rules", "check", "many.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("5 problems in rules file many.toml"), "{err}");
    for at in ["many.toml:2:1", "many.toml:5:14", "many.toml:8:12", "many.toml:10:6", "many.toml:14:8"] {
        assert!(err.contains(at), "{at} missing from:\n{err}");
    }
}

#[test]
fn check_accepts_good_files_and_names_each() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "gazette.toml", GAZETTE);
    write(dir.path(), "bad.toml", BAD_REGEX);
    let o = textwash(&["rules", "check", "gazette.toml"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "gazette.toml: ok\n");
    // One bad file among good ones: exit 2, the good one still reported ok.
    let o = textwash(&["rules", "check", "gazette.toml", "bad.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "gazette.toml: ok\n");
}

#[test]
fn presets_load_and_an_unknown_preset_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "doc.txt", DOC);
    for p in ["default", "news", "paper", "minimal"] {
        let o = textwash(&["clean", "-q", "--preset", p, "--format", "text", "doc.txt"], dir.path());
        assert!(o.status.success(), "{p}: {}", stderr(&o));
    }
    // minimal removes no line.
    let o = textwash(&["clean", "-q", "--preset", "minimal", "--format", "text", "doc.txt"], dir.path());
    assert!(stdout(&o).contains("Related article: Talks Resume"), "{}", stdout(&o));
    let o = textwash(&["clean", "--preset", "nope", "doc.txt"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown preset `nope`"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

#[test]
fn enable_and_disable_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "doc.txt", DOC);
    let text = |args: &[&str]| {
        let mut a = vec!["clean", "-q", "--format", "text", "doc.txt"];
        a.extend_from_slice(args);
        let o = textwash(&a, dir.path());
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    assert!(!text(&[]).contains("Related article"));
    assert!(text(&["--disable", "related-article"]).contains("Related article: Talks Resume"));
    // A whole stage, then one of its rules back on... the stage stays off: nothing is removed.
    assert!(text(&["--disable", "inserts"]).contains("Related article"));
    // Off in the preset, on from the command line.
    let o = textwash(
        &["clean", "-q", "--format", "text", "--preset", "minimal", "--enable", "inserts", "doc.txt"],
        dir.path(),
    );
    assert!(!stdout(&o).contains("Related article"), "{}", stdout(&o));

    let o = textwash(&["clean", "--disable", "no-such-rule", "doc.txt", "-o", "out.jsonl"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no-such-rule"), "{}", stderr(&o));
    assert!(!dir.path().join("out.jsonl").exists());
}

#[test]
fn a_user_file_can_switch_off_a_default_rule_by_id() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "keep-related.toml",
        "extends = \"default\"\n[[stage]]\nid = \"inserts\"\n[[stage.rule]]\nid = \"related-article\"\nenabled = false\n",
    );
    write(dir.path(), "doc.txt", DOC);
    let o =
        textwash(&["clean", "-q", "--format", "text", "--rules", "keep-related.toml", "doc.txt"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Related article: Talks Resume"));
    let o = textwash(&["rules", "list", "--rules", "keep-related.toml"], dir.path());
    assert!(stdout(&o).lines().any(|l| l.trim_start().starts_with("related-article") && l.contains("(off)")));
}

#[test]
fn list_prints_id_then_summary_one_per_line_and_show_prints_a_rule_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let o = textwash(&["rules", "list"], dir.path());
    assert!(o.status.success());
    let out = stdout(&o);
    let line = out.lines().find(|l| l.trim_start().starts_with("page-number ")).expect("page-number listed");
    assert!(line.contains("A bare page number"), "{line}");
    assert!(out.lines().any(|l| l.starts_with("inserts ")), "stages are listed too");

    let o = textwash(&["rules", "show", "related-article"], dir.path());
    assert!(o.status.success());
    let out = stdout(&o);
    for part in [
        "related-article",
        "Why:",
        "Pattern:",
        "Scope:   line-wrapped",
        "Example 1",
        "Example 2 (left alone)",
    ] {
        assert!(out.contains(part), "{part} missing from:\n{out}");
    }
    let o = textwash(&["rules", "show", "no-such-rule"], dir.path());
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn rules_test_passes_on_the_presets_and_fails_like_a_test_runner() {
    let dir = tempfile::tempdir().unwrap();
    let o = textwash(&["rules", "test"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("rules test ok"), "{}", stdout(&o));

    let failing = format!(
        "{GAZETTE}[[stage.rule.example]]\ninput = \"A.\\n\\nGet the Gazette app\\n\\nB.\"\noutput = \"A.\\n\\nB.\"\n\
         [[stage.rule.example]]\ninput = \"A.\\n\\nGet the Gazette app\\n\\nB.\"\noutput = \"wrong\"\n"
    );
    write(dir.path(), "failing.toml", &failing);
    let o = textwash(&["rules", "test", "failing.toml"], dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("FAIL failing.toml:10 gazette-app-promo example 2"), "{out}");
    assert!(out.contains("expected: \"wrong\""), "{out}");
    assert!(out.contains("1 failed"), "{out}");

    write(dir.path(), "bad.toml", BAD_REGEX);
    let o = textwash(&["rules", "test", "bad.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_stage_whose_regex_set_is_too_large_is_a_rules_error_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut src = String::from("extends = \"default\"\n[[stage]]\nid = \"inserts\"\n");
    for i in 0..40 {
        src.push_str(&format!("[[stage.rule]]\nid = \"huge-{i}\"\npattern = '(?:\\w\\p{{L}}){{40}}x{i}'\n"));
    }
    write(dir.path(), "huge.toml", &src);
    write(dir.path(), "doc.txt", DOC);
    let o = textwash(&["rules", "check", "huge.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("huge.toml") && stderr(&o).contains("size limit"), "{}", stderr(&o));
    let o = textwash(&["clean", "--rules", "huge.toml", "doc.txt", "-o", "out.jsonl"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!dir.path().join("out.jsonl").exists());
}
