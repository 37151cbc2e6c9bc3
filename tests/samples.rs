//! Golden files: every `samples/input/NAME.txt` cleans to `samples/expected/NAME.txt`, through the
//! library and through the real binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use textwash::decode::decode;
use textwash::Pipeline;

fn samples() -> Vec<(String, PathBuf, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut out: Vec<_> = std::fs::read_dir(root.join("input"))
        .expect("samples/input exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let expected = root.join("expected").join(format!("{name}.txt"));
            (name, p, expected)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn there_are_at_least_eight_samples_each_with_its_expected_output() {
    let s = samples();
    assert!(s.len() >= 8, "only {} samples", s.len());
    for (name, _, expected) in &s {
        assert!(expected.exists(), "{name} has no expected output");
    }
}

#[test]
fn every_sample_cleans_to_its_expected_output() {
    let pipeline = Pipeline::default_pipeline();
    let mut failures = Vec::new();
    for (name, input, expected) in samples() {
        let d = decode(&std::fs::read(&input).unwrap());
        let got = pipeline.clean(&d.text).text + "\n";
        let want = std::fs::read_to_string(&expected).unwrap();
        if got != want {
            let diff = similar::TextDiff::from_lines(&want, &got);
            failures
                .push(format!("--- {name} (- expected, + got)\n{}", diff.unified_diff().context_radius(1)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_binary_prints_the_expected_text() {
    for (name, input, expected) in samples() {
        let out = Command::new(env!("CARGO_BIN_EXE_textwash"))
            .args(["clean", "--quiet", "--format", "text"])
            .arg(&input)
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            std::fs::read_to_string(&expected).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn cleaning_is_idempotent_on_the_samples() {
    let pipeline = Pipeline::default_pipeline();
    for (name, _, expected) in samples() {
        let want = std::fs::read_to_string(&expected).unwrap();
        let again = pipeline.clean(&want).text + "\n";
        assert_eq!(again, want, "{name}: cleaning the expected output changed it");
    }
}
