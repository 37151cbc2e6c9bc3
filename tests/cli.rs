//! `textwash clean` over JSONL, through the real binary: fields pass through, bad records are reported
//! where they are, compression in and out, standard input, `--on-error`, atomic output, closed pipes.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_textwash");

/// A page of text with furniture the default rules remove, so the output differs from the input.
const TEXT: &str = "The harbour trust met on Monday to discuss the cable.\nIt agreed to pay for the work.\n\
                    \n12\n";

fn record(id: usize) -> String {
    serde_json::json!({ "id": format!("doc-{id}"), "text": TEXT }).to_string()
}

fn clean(args: &[&str], dir: &Path, stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(BIN)
        .arg("clean")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut input = child.stdin.take().unwrap();
    if let Some(data) = stdin {
        input.write_all(data).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn lines(out: &[u8]) -> Vec<Value> {
    // Split on \n only: U+2028 inside a record is not a line end.
    out.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn other_fields_come_back_equal_in_their_order() {
    let dir = tempfile::tempdir().unwrap();
    // Raw and escaped U+2028, non-ASCII, escapes, nested objects and arrays, numbers of every kind,
    // and a text field that is not first.
    let line = r#"{"z":1,"metadata":{"url":"https://ex.org/é","nested":{"a":[1,2.5,-3e10,null,true],"b":"x y"}},"title":"Zürich — “quoted” 東京 😀","sep":"a b\u2028c","tab":"\t\"\\","text":"Hello\u00a0world.\n\n7\n\f","id":"d1","empty":{},"big":12345678901234567890}"#;
    std::fs::write(dir.path().join("in.jsonl"), format!("{line}\n")).unwrap();
    let o = clean(&["-q", "in.jsonl"], dir.path(), None);
    assert!(o.status.success(), "{}", stderr(&o));
    let input: Value = serde_json::from_str(line).unwrap();
    let out = &lines(&o.stdout)[0];
    let (inp, outp) = (input.as_object().unwrap(), out.as_object().unwrap());
    let keys: Vec<&String> = outp.keys().collect();
    assert_eq!(keys[..inp.len()], inp.keys().collect::<Vec<_>>()[..], "field order");
    assert_eq!(keys.last().unwrap().as_str(), "textwash");
    for (k, v) in inp {
        if k != "text" {
            assert_eq!(&outp[k], v, "field {k}");
        }
    }
    assert_eq!(out["text"], "Hello world.");
    assert!(out["textwash"]["counts"].is_object());
}

#[test]
fn a_dotted_text_field_reaches_a_nested_string() {
    let dir = tempfile::tempdir().unwrap();
    let line = r#"{"id":7,"doc":{"lang":"en","body":"Hello\u00a0world.","n":[1]},"tail":"é"}"#;
    std::fs::write(dir.path().join("in.jsonl"), format!("{line}\n")).unwrap();
    let o = clean(&["-q", "--text-field", "doc.body", "in.jsonl"], dir.path(), None);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = &lines(&o.stdout)[0];
    assert_eq!(out["doc"]["body"], "Hello world.");
    assert_eq!(out["doc"]["lang"], "en");
    assert_eq!(out["doc"]["n"], serde_json::json!([1]));
    assert_eq!(out["tail"], "é");
}

#[test]
fn bad_records_are_reported_with_their_line_and_the_others_written() {
    let dir = tempfile::tempdir().unwrap();
    let data = format!(
        "{}\n{{\"id\": \"broken\", \"text\": \n{{\"id\":\"no-text\",\"body\":\"x\"}}\n{{\"id\":\"n\",\"text\":5}}\n[1]\n{}\n",
        record(1),
        record(6)
    );
    std::fs::write(dir.path().join("in.jsonl"), data).unwrap();
    let o = clean(&["in.jsonl"], dir.path(), None);
    assert_eq!(o.status.code(), Some(1), "bad records make the exit status 1");
    let err = stderr(&o);
    assert!(err.contains("in.jsonl:2: not valid JSON"), "{err}");
    assert!(err.contains("in.jsonl:3: record \"no-text\": no field `text`"), "{err}");
    assert!(err.contains("in.jsonl:4: record \"n\": field `text` is not a string"), "{err}");
    assert!(err.contains("in.jsonl:5: not a JSON object"), "{err}");
    assert!(err.contains("4 errors"), "the summary counts them: {err}");
    let ids: Vec<Value> = lines(&o.stdout).iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids, ["doc-1", "doc-6"]);
}

#[test]
fn on_error_fail_stops_at_the_first_and_leaves_no_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = format!("{}\nnot json\n{}\n", record(1), record(3));
    std::fs::write(dir.path().join("in.jsonl"), data).unwrap();
    let o = clean(&["--on-error", "fail", "in.jsonl", "-o", "out.jsonl"], dir.path(), None);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("in.jsonl:2:"));
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["in.jsonl"], "no output file, no temporary file");
}

#[test]
fn on_error_keep_writes_the_bad_record_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let bad = r#"{"id":"b","body":"no text here"}"#;
    let data = format!("{}\n{bad}\n{}\n", record(1), record(3));
    std::fs::write(dir.path().join("in.jsonl"), data).unwrap();
    let o = clean(&["-q", "--on-error", "keep", "in.jsonl"], dir.path(), None);
    assert_eq!(o.status.code(), Some(1), "kept, but still an error");
    assert!(stderr(&o).contains("in.jsonl:2:"));
    let out = String::from_utf8(o.stdout).unwrap();
    let out: Vec<&str> = out.lines().collect();
    assert_eq!(out.len(), 3);
    assert_eq!(out[1], bad);
}

#[test]
fn crlf_line_ends_and_a_byte_order_mark_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let data = format!("\u{feff}{}\r\n{}\r\n", record(1), record(2));
    std::fs::write(dir.path().join("in.jsonl"), data).unwrap();
    let o = clean(&["-q", "in.jsonl"], dir.path(), None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(lines(&o.stdout).len(), 2);
}

#[test]
fn zstd_in_and_out() {
    let dir = tempfile::tempdir().unwrap();
    let data: String = (0..50).map(|i| record(i) + "\n").collect();
    let z = zstd::encode_all(data.as_bytes(), 3).unwrap();
    std::fs::write(dir.path().join("in.jsonl.zst"), z).unwrap();
    let o = clean(&["-q", "in.jsonl.zst", "-o", "out.jsonl.zst"], dir.path(), None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let out = zstd::decode_all(&std::fs::read(dir.path().join("out.jsonl.zst")).unwrap()[..]).unwrap();
    let recs = lines(&out);
    assert_eq!(recs.len(), 50);
    assert_eq!(recs[49]["id"], "doc-49");
    assert!(!recs[0]["text"].as_str().unwrap().contains("\n12"), "cleaned");
}

#[test]
fn multi_member_gzip_in_and_gzip_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut gz = Vec::new();
    for part in [0..3, 3..5] {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for i in part {
            writeln!(e, "{}", record(i)).unwrap();
        }
        gz.extend(e.finish().unwrap());
    }
    std::fs::write(dir.path().join("in.jsonl.gz"), &gz).unwrap();
    let o = clean(&["-q", "in.jsonl.gz", "-o", "out.jsonl.gz"], dir.path(), None);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&std::fs::read(dir.path().join("out.jsonl.gz")).unwrap()[..])
        .read_to_end(&mut out)
        .unwrap();
    let ids: Vec<Value> = lines(&out).iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids, ["doc-0", "doc-1", "doc-2", "doc-3", "doc-4"], "both members, in order");
}

#[test]
fn jsonl_on_stdin_plain_and_compressed() {
    let dir = tempfile::tempdir().unwrap();
    let data: String = (0..3).map(|i| record(i) + "\n").collect();
    let o = clean(&["-q"], dir.path(), Some(data.as_bytes()));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(lines(&o.stdout).len(), 3);
    let z = zstd::encode_all(data.as_bytes(), 3).unwrap();
    let o = clean(&["-q", "-"], dir.path(), Some(&z));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(lines(&o.stdout)[2]["id"], "doc-2", "compression told by the magic bytes");
}

#[test]
fn output_keeps_input_order_with_several_threads() {
    let dir = tempfile::tempdir().unwrap();
    let data: String = (0..3000).map(|i| record(i) + "\n").collect();
    std::fs::write(dir.path().join("in.jsonl"), data).unwrap();
    let o = clean(&["-q", "-j", "2", "in.jsonl"], dir.path(), None);
    assert!(o.status.success());
    let recs = lines(&o.stdout);
    assert_eq!(recs.len(), 3000);
    assert!(recs.iter().enumerate().all(|(i, r)| r["id"] == format!("doc-{i}")));
}

#[test]
fn output_to_a_missing_directory_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.jsonl"), record(1) + "\n").unwrap();
    let o = clean(&["in.jsonl", "-o", "missing/out.jsonl"], dir.path(), None);
    // A mistake in the command, found before any work: the usage status.
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("missing") && err.contains("does not exist"), "{err}");
    assert!(!dir.path().join("missing").exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn output_file_appears_whole_on_success() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.jsonl"), record(1) + "\n").unwrap();
    let o = clean(&["in.jsonl", "-o", "out.jsonl"], dir.path(), None);
    assert!(o.status.success());
    assert!(stderr(&o).contains("1 document,"), "a summary: {}", stderr(&o));
    assert_eq!(lines(&std::fs::read(dir.path().join("out.jsonl")).unwrap()).len(), 1);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "no temporary file left");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    // More output than a pipe buffers, so the writer meets the closed end.
    let data: String = (0..3000).map(|i| record(i) + "\n").collect();
    std::fs::write(dir.path().join("in.jsonl"), data).unwrap();
    let mut child = Command::new(BIN)
        .args(["clean", "in.jsonl"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 100];
    out.read_exact(&mut first).unwrap();
    drop(out);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "", "no message");
}
