//! Writes a JSONL corpus for `make bench` (see `benches/support/corpus.rs` for what is in it).
//!
//! `cargo run --release --example bench_data -- OUT.jsonl MEGABYTES [--one-doc]`
//!
//! `--one-doc` writes a single record of the requested size instead (the big-document check).

use std::fs::File;
use std::io::{BufWriter, Write};

#[path = "../benches/support/corpus.rs"]
mod corpus;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(out), Some(mb)) = (args.first(), args.get(1).and_then(|s| s.parse::<usize>().ok())) else {
        eprintln!("usage: bench_data OUT.jsonl MEGABYTES [--one-doc]");
        std::process::exit(2);
    };
    let one_doc = args.iter().any(|a| a == "--one-doc");
    let target = mb * 1_000_000;
    let mut corpus = corpus::Corpus::new()?;
    let mut w = BufWriter::with_capacity(1 << 20, File::create(out)?);
    let (mut written, mut n) = (0usize, 0u64);
    while written < target {
        let line = corpus.record(n, if one_doc { target } else { 0 });
        w.write_all(&line)?;
        w.write_all(b"\n")?;
        written += line.len() + 1;
        n += 1;
        if one_doc {
            break;
        }
    }
    w.flush()?;
    eprintln!("bench_data: {n} documents, {:.1} MB in {out}", written as f64 / 1e6);
    Ok(())
}
