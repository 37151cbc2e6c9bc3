//! Throughput of the cleaning pipeline, in MB/s of input: each stage alone (fed the text as the stages
//! before it leave it), the whole pipeline, and the JSONL record round trip around it.
//!
//! `cargo bench --bench pipeline`; the corpus is synthetic, built from `samples/input`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use textwash::{Pipeline, RuleSet};

#[path = "support/corpus.rs"]
mod corpus;

/// About 4 MB of documents: enough variety for the lazy DFAs and allocators to settle.
fn documents() -> Vec<String> {
    let mut c = corpus::Corpus::new().expect("samples/input is readable");
    let mut docs = Vec::new();
    let mut size = 0;
    while size < 4_000_000 {
        let (t, _) = c.text(0);
        size += t.len();
        docs.push(t);
    }
    docs
}

fn bytes(docs: &[String]) -> u64 {
    docs.iter().map(|d| d.len() as u64).sum()
}

fn stages(c: &mut Criterion) {
    let rules = RuleSet::default_rules();
    let mut docs = documents();
    let mut g = c.benchmark_group("stage");
    g.sample_size(10);
    let ids: Vec<String> = rules.stages.iter().filter(|s| s.enabled).map(|s| s.id.clone()).collect();
    for id in &ids {
        let mut only = rules.clone();
        for other in &ids {
            if other != id {
                only.set_enabled(other, false).expect("a stage id");
            }
        }
        let p = Pipeline::new(&only).expect("the default rules build");
        g.throughput(Throughput::Bytes(bytes(&docs)));
        g.bench_with_input(BenchmarkId::from_parameter(id), &docs, |b, docs| {
            b.iter(|| docs.iter().map(|d| black_box(p.clean(d)).text.len()).sum::<usize>())
        });
        // The next stage sees what this one leaves.
        docs = docs.iter().map(|d| p.clean(d).text).collect();
    }
    g.finish();
}

fn whole(c: &mut Criterion) {
    let docs = documents();
    let p = Pipeline::default_pipeline();
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes(&docs)));
    g.bench_function("default", |b| {
        b.iter(|| docs.iter().map(|d| black_box(p.clean(d)).text.len()).sum::<usize>())
    });
    g.finish();
}

fn jsonl(c: &mut Criterion) {
    let mut corpus = corpus::Corpus::new().expect("samples/input is readable");
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut size = 0u64;
    while size < 4_000_000 {
        let l = corpus.record(lines.len() as u64, 0);
        size += l.len() as u64 + 1;
        lines.push(l);
    }
    let p = Pipeline::default_pipeline();
    let mut g = c.benchmark_group("jsonl");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(size));
    g.bench_function("serde_json-round-trip", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(size as usize);
            for l in &lines {
                let v: serde_json::Value = serde_json::from_slice(l).expect("valid");
                serde_json::to_writer(&mut out, &v).expect("writes");
                out.push(b'\n');
            }
            out.len()
        })
    });
    g.bench_function("clean-records", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(size as usize);
            for l in &lines {
                textwash::io::clean_record(l, &p, "text", &mut out).expect("valid");
            }
            out.len()
        })
    });
    g.finish();
}

criterion_group!(benches, stages, whole, jsonl);
criterion_main!(benches);
