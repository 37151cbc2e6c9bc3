//! `textwash clean` through the real binary: the record lists what was removed, JSONL in and out.

use std::io::Write;
use std::process::{Command, Stdio};

fn textwash(args: &[&str], stdin: Option<&[u8]>) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_textwash"))
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(data) = stdin {
        child.stdin.take().unwrap().write_all(data).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn sample(name: &str) -> String {
    format!("{}/samples/input/{name}.txt", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_record_lists_the_caption_the_author_url_and_the_insert_with_their_rules() {
    let out = textwash(&["clean", "--quiet", &sample("news-print")], None);
    assert!(out.status.success());
    let rec: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let removed = rec["textwash"]["removed"].as_array().unwrap();
    let by = |rule: &str, needle: &str| {
        removed.iter().any(|r| r["rule"] == rule && r["text"].as_str().unwrap().contains(needle))
    };
    assert!(by("photo-credit", "/ Coastline Press"), "{removed:#?}");
    assert!(by("url-line", "/author/"), "{removed:#?}");
    assert!(by("related-article", "Related article:"), "{removed:#?}");
    // Positions are byte offsets of the input, and the text there is what was removed.
    let input = std::fs::read_to_string(sample("news-print")).unwrap();
    for r in removed.iter().filter(|r| r.get("replacement").is_none()) {
        let (s, e) = (r["start"].as_u64().unwrap() as usize, r["end"].as_u64().unwrap() as usize);
        assert_eq!(&input[s..e], r["text"].as_str().unwrap());
    }
    assert_eq!(rec["id"], "news-print");
    assert_eq!(rec["textwash"]["encoding"], "UTF-8");
}

#[test]
fn legacy_encodings_are_detected_and_named() {
    let out = textwash(&["clean", "--quiet", &sample("windows-1252")], None);
    let rec: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rec["textwash"]["encoding"], "windows-1252");
    let out = textwash(&["clean", "--quiet", &sample("utf16-bom")], None);
    let rec: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rec["textwash"]["encoding"], "UTF-16LE");
}

#[test]
fn jsonl_records_keep_their_other_fields_and_order() {
    let input = b"{\"id\":\"a\",\"text\":\"one wrapped\\nline\",\"meta\":{\"lang\":\"en\"}}\n{\"id\":\"b\",\"text\":\"Page 1 of 1\"}\n";
    let out = textwash(&["clean", "--quiet", "--threads", "2", "-"], Some(input));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> = out
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["text"], "one wrapped line");
    assert_eq!(lines[0]["meta"]["lang"], "en");
    assert_eq!(lines[1]["id"], "b");
    let keys: Vec<&String> = lines[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "text", "meta", "textwash"]);
}

#[test]
fn gzipped_jsonl_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("docs.jsonl.gz");
    let mut gz =
        flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), flate2::Compression::default());
    gz.write_all(b"{\"id\":\"x\",\"text\":\"The \\ufb01rst line\"}\n").unwrap();
    gz.finish().unwrap();
    let out = textwash(&["clean", "--quiet", "--format", "text", path.to_str().unwrap()], None);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "The first line\n");
}

#[test]
fn text_output_separates_documents_with_a_form_feed_line() {
    let out =
        textwash(&["clean", "--quiet", "--format", "text", &sample("clean"), &sample("ligatures")], None);
    let s = String::from_utf8(out.stdout).unwrap();
    assert_eq!(s.matches("\n\x0c\n").count(), 1);
}

#[test]
fn help_says_how_documents_are_separated() {
    let out = textwash(&["clean", "--help"], None);
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("form feed"), "{s}");
}
