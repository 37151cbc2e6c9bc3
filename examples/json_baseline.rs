//! The floor `make bench` compares textwash with: read a JSONL file, parse each line into a
//! `serde_json::Value`, write it back. No cleaning at all.
//!
//! `cargo run --release --example json_baseline -- IN.jsonl OUT.jsonl`

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(input), Some(output)) = (args.first(), args.get(1)) else {
        eprintln!("usage: json_baseline IN.jsonl OUT.jsonl");
        std::process::exit(2);
    };
    let started = std::time::Instant::now();
    let mut r = BufReader::with_capacity(1 << 20, File::open(input)?);
    let mut w = BufWriter::with_capacity(1 << 20, File::create(output)?);
    let (mut line, mut bytes, mut docs) = (Vec::new(), 0usize, 0usize);
    while r.read_until(b'\n', &mut line)? > 0 {
        bytes += line.len();
        let v: serde_json::Value = serde_json::from_slice(&line)?;
        serde_json::to_writer(&mut w, &v)?;
        w.write_all(b"\n")?;
        docs += 1;
        line.clear();
    }
    w.flush()?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "json_baseline: {docs} documents, {:.1} MB in {secs:.2} s ({:.1} MB/s)",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs
    );
    Ok(())
}
