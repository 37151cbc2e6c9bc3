//! The HTML review page in a real browser (issue 4): headless Chromium loads the page written by
//! `textwash diff --html` and the rendered DOM is checked: removed artefacts labelled with their rules,
//! a hostile document shown as literal text with none of its script run, and the rule filter working.
//!
//! Chromium comes from Debian (`make browser`, run by `make test` and `.ci/run`). Without it this test
//! says so loudly and passes, so a machine without a browser can still run the rest.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff").join(name)
}

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TEXTWASH_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// The DOM after the page's script ran, for `url` (a file URL, maybe with a fragment).
fn dump_dom(browser: &Path, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .stdin(Stdio::null())
        .stdout(out.reopen().unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium failed on {url}: {status}");
            break;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish {url} in 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::read_to_string(out.path()).unwrap()
}

fn between<'a>(s: &'a str, from: &str, to: &str) -> &'a str {
    let a = s.find(from).unwrap_or_else(|| panic!("{from} not in the DOM")) + from.len();
    let b = s[a..].find(to).map_or(s.len(), |i| a + i);
    &s[a..b]
}

#[test]
fn review_page_in_headless_chromium() {
    let Some(browser) = chromium() else {
        eprintln!("\n*** SKIPPED review_page_in_headless_chromium: chromium is not installed ***");
        eprintln!("*** install it with `make browser` (Debian: apt-get install chromium) ***\n");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("review.html");
    let status = Command::new(env!("CARGO_BIN_EXE_textwash"))
        .args(["diff", "-q", "--html"])
        .arg(&page)
        .arg(fixture("article.txt"))
        .arg(fixture("hostile.txt"))
        .status()
        .unwrap();
    assert!(status.success());
    let url = format!("file://{}", page.display());

    // The article: its removed artefacts are highlighted and labelled with their rules.
    let dom = dump_dom(&browser, &format!("{url}#doc=0"));
    assert!(between(&dom, "<h2 id=\"tw-docname\">", "</h2>").ends_with("article.txt"));
    let input = between(&dom, "id=\"tw-input\">", "</pre>");
    assert!(
        input.contains("https://callow-gazette.example/author/rosa-menendez")
            && input.contains("<span class=\"lbl\">url-line</span>"),
        "{input}"
    );
    assert!(input.contains("data-rule=\"related-article\""), "{input}");
    assert!(input.contains("<span class=\"lbl\">related-article</span>"), "{input}");
    let output = between(&dom, "id=\"tw-output\">", "</pre>");
    assert!(!output.contains("callow-gazette.example") && !output.contains("Related article"), "{output}");

    // The hostile document shows as its text, and none of its script ran.
    let dom = dump_dom(&browser, &format!("{url}#doc=1"));
    assert!(dom.contains("<title>textwash review</title>"), "the document's script set no title");
    let body = between(&dom, "<body", ">");
    assert!(!body.contains("pwned"), "the onerror handler did not run: <body{body}>");
    assert!(!dom.contains("<img") && !dom.contains("<b>bold"), "no element of the document was made");
    let input = between(&dom, "id=\"tw-input\">", "</pre>");
    assert!(input.starts_with("&lt;script&gt;document.title='pwned'&lt;/script&gt;"), "{input}");
    assert!(
        input.contains("&lt;img src=x onerror=")
            && input.contains("&lt;/textarea&gt;&lt;/pre&gt;&lt;b&gt;bold?")
    );

    // The rule filter, driven through the URL as a click would: only the chosen rule's edits are
    // highlighted, and only the documents it touched are listed.
    let dom = dump_dom(&browser, &format!("{url}#rules=related-article"));
    assert!(between(&dom, "<body", ">").contains("data-filter=\"related-article\""));
    let list = between(&dom, "<ol id=\"tw-list\">", "</ol>");
    assert!(list.contains("article.txt") && !list.contains("hostile.txt"), "{list}");
    let marked: Vec<&str> = dom.split("data-rules=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
    assert!(!marked.is_empty());
    assert!(marked.iter().all(|r| r.split(", ").any(|r| r == "related-article")), "{marked:?}");
}
