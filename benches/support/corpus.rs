//! Synthetic documents for the benchmarks (`make bench`, `cargo bench`): built from the texts in
//! `samples/input`, varied so that no two are the same, in the datatrove/dolma record shape.
//!
//! A document takes one to six copies of a sample as its pages (form feeds between them, so the
//! furniture stage sees running heads and page numbers), renames about one distinct word in twenty
//! consistently through the whole document, and shifts its digits.

use std::fs;
use std::path::Path;

/// xorshift64*: reproducible, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub struct Corpus {
    samples: Vec<(String, String)>,
    vocab: Vec<String>,
    pub rng: Rng,
}

impl Corpus {
    /// Reads the samples (decoded as textwash decodes files).
    pub fn new() -> std::io::Result<Corpus> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/input");
        let mut paths: Vec<_> = fs::read_dir(&dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        let mut samples = Vec::new();
        for p in paths {
            let text = textwash::decode::decode(&fs::read(&p)?).text;
            samples.push((p.file_stem().unwrap().to_string_lossy().into_owned(), text));
        }
        let mut vocab: Vec<String> = samples
            .iter()
            .flat_map(|(_, t)| t.split_whitespace())
            .filter(|w| w.len() >= 4 && w.chars().all(char::is_alphabetic))
            .map(str::to_string)
            .collect();
        vocab.sort();
        vocab.dedup();
        Ok(Corpus { samples, vocab, rng: Rng(0x9e37_79b9_7f4a_7c15) })
    }

    /// One document of at least `min_len` bytes (0: its natural one to six pages), and the name of the
    /// sample it started from.
    pub fn text(&mut self, min_len: usize) -> (String, String) {
        let mut text = String::new();
        let mut family = String::new();
        let news = self.samples.iter().position(|(n, _)| n.starts_with("news-print"));
        let paper = self.samples.iter().position(|(n, _)| n.starts_with("paper"));
        loop {
            // News and papers (the multi-page shapes) more often than the rest.
            let k = self.rng.below(self.samples.len() + 4);
            let k = if k < self.samples.len() {
                k
            } else if k % 2 == 0 {
                news.unwrap_or(0)
            } else {
                paper.unwrap_or(0)
            };
            let (name, sample) = &self.samples[k];
            if family.is_empty() {
                family = name.clone();
            }
            for _ in 0..1 + self.rng.below(6) {
                if !text.is_empty() {
                    text.push('\x0c');
                }
                text.push_str(sample);
            }
            if text.len() >= min_len {
                break;
            }
        }
        (self.vary(&text), family)
    }

    /// One JSONL record (without its newline): `id`, `text`, `source`, and a `metadata` object with
    /// non-ASCII text, U+2028 and a nested array.
    pub fn record(&mut self, n: u64, min_len: usize) -> Vec<u8> {
        let (text, family) = self.text(min_len);
        let rec = serde_json::json!({
            "id": format!("bench-{n:08}"),
            "text": text,
            "source": "textwash-bench",
            "metadata": {
                "family": family,
                "url": format!("https://example.org/{family}/{n}"),
                "lang": "en",
                "title": "Zürich — “a note” \u{2028} 東京",
                "scores": [0.5, self.rng.below(1000), null],
            },
        });
        serde_json::to_vec(&rec).expect("serialisable")
    }

    fn vary(&mut self, text: &str) -> String {
        let shift = self.rng.below(10) as u8;
        let salt = self.rng.next();
        let vocab = &self.vocab;
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            if !word.is_empty() {
                let h = word.bytes().fold(salt, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
                if word.len() >= 4 && h % 20 == 0 {
                    out.push_str(&vocab[(h >> 8) as usize % vocab.len()]);
                } else {
                    out.push_str(word);
                }
                word.clear();
            }
        };
        for c in text.chars() {
            if c.is_alphabetic() {
                word.push(c);
                continue;
            }
            flush(&mut word, &mut out);
            if c.is_ascii_digit() {
                out.push((b'0' + (c as u8 - b'0' + shift) % 10) as char);
            } else {
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    }
}
