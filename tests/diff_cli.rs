//! `textwash diff` through the real binary (issue 4), on fixtures in tests/fixtures/diff and the
//! bundled samples.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff").join(name)
}

fn textwash(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_textwash"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs");
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

#[test]
fn removed_lines_show_their_rules() {
    let f = fixture("article.txt");
    let o = textwash(&["diff", "--color", "never", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = stdout(&o);
    assert!(s.contains("\n-https://callow-gazette.example/author/rosa-menendez  [url-line]\n"), "{s}");
    assert!(
        s.contains("\n-Related article: Ferry Fares to Rise Again in January  [related-article]\n"),
        "{s}"
    );
    assert!(s.lines().any(|l| l.starts_with("@@ ") && l.contains("url-line")), "{s}");
    assert!(!s.as_bytes().contains(&0x1b), "no escape codes with --color never");
}

#[test]
fn color_is_opt_in_off_a_terminal() {
    let f = fixture("article.txt");
    let f = f.to_str().unwrap();
    let always = stdout(&textwash(&["diff", "--color", "always", f]));
    assert!(always.contains("\x1b[31m-"), "{always:?}");
    // auto: standard output is a pipe here, so no colour.
    let auto = stdout(&textwash(&["diff", f]));
    assert!(!auto.as_bytes().contains(&0x1b));
    let never = stdout(&textwash(&["diff", "--color", "never", f]));
    assert_eq!(auto, never);
}

#[test]
fn a_hostile_document_cannot_drive_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("esc.txt");
    std::fs::write(&p, "Title\n\nhttps://x.example/author/y\n\nbody \x1b]0;owned\x07 text\n").unwrap();
    let s = stdout(&textwash(&["diff", "--color", "never", p.to_str().unwrap()]));
    assert!(!s.as_bytes().contains(&0x1b) && !s.as_bytes().contains(&0x07), "{s:?}");
}

/// Per rule: documents, edits and characters removed, added up from `textwash clean` records.
fn counts_from_records(jsonl: &str) -> BTreeMap<String, (u64, u64, u64)> {
    let mut m: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for line in jsonl.lines() {
        let rec: Value = serde_json::from_str(line).unwrap();
        let tw = &rec["textwash"];
        for (rule, n) in tw["counts"].as_object().unwrap() {
            let e = m.entry(rule.clone()).or_default();
            e.0 += 1;
            e.1 += n.as_u64().unwrap();
        }
        for r in tw["removed"].as_array().unwrap() {
            m.entry(r["rule"].as_str().unwrap().to_string()).or_default().2 +=
                r["text"].as_str().unwrap().chars().count() as u64;
        }
    }
    m
}

#[test]
fn stat_counts_equal_the_records() {
    let clean = textwash(&["clean", "-q", "samples/input"]);
    assert!(clean.status.success());
    let want = counts_from_records(&stdout(&clean));
    assert!(want.len() > 5, "the samples exercise many rules");

    let o = textwash(&["diff", "--stat", "--display", "json", "samples/input"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let got: BTreeMap<String, (u64, u64, u64)> = v["rules"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, s)| {
            let n = |f: &str| s[f].as_u64().unwrap();
            (k.clone(), (n("documents"), n("edits"), n("chars_removed")))
        })
        .collect();
    assert_eq!(got, want);

    // The table says the same.
    let table = stdout(&textwash(&["diff", "--stat", "samples/input"]));
    for (rule, (docs, edits, chars)) in &want {
        let row = table.lines().find(|l| l.split_whitespace().next() == Some(rule)).expect(rule);
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols[1..], [docs.to_string(), edits.to_string(), chars.to_string()], "{row}");
    }
}

#[test]
fn json_display_parses_and_names_records_by_id() {
    let o = textwash(&["diff", "--display", "json", fixture("records.jsonl").to_str().unwrap()]);
    assert!(o.status.success());
    let edits: Vec<Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!edits.is_empty());
    for e in &edits {
        for k in ["id", "rule", "before", "after", "range"] {
            assert!(e.get(k).is_some(), "{e}");
        }
        assert_eq!(e["range"].as_array().unwrap().len(), 2);
    }
    let url = edits.iter().find(|e| e["rule"] == "url-line").expect("the url line is an edit");
    assert_eq!(url["id"], "rec-1");
    assert!(url["before"].as_str().unwrap().contains("https://records.example/author/ann"));
    // The text diff names the record by id too.
    let s = stdout(&textwash(&["diff", "--color", "never", fixture("records.jsonl").to_str().unwrap()]));
    assert!(s.starts_with("--- rec-1\n"), "{s}");
}

#[test]
fn one_rule_across_documents_with_a_sample_size() {
    let o = textwash(&["diff", "--color", "never", "--rule", "url-line", "--max-docs", "1", "samples/input"]);
    assert!(o.status.success());
    let s = stdout(&o);
    assert_eq!(s.matches("\n+++ ").count() + usize::from(s.starts_with("+++ ")), 1, "{s}");
    for l in s.lines().filter(|l| l.starts_with("@@ ")) {
        assert!(l.ends_with("@@ url-line"), "{l}");
    }
    let o = textwash(&["diff", "--rule", "no-such-rule", "samples/input"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn html_page_is_self_contained_and_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("review.html");
    let o = textwash(&[
        "diff",
        "-q",
        "--html",
        page.to_str().unwrap(),
        fixture("article.txt").to_str().unwrap(),
        fixture("hostile.txt").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stdout.is_empty());
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("<img") && !html.contains("<b>bold"), "document markup never reaches the page");
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"), "nothing external");
    assert_eq!(html.matches("<script").count(), 2, "the data and the page's own script only");
    assert!(html.contains("url-line") && html.contains("related-article"));
}
