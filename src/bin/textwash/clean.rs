//! `textwash clean`: read documents, clean them in parallel, write them in input order.
//!
//! The reader thread ([`crate::input`]) hands over batches of units over a bounded channel; the pool
//! cleans each batch as a job of its own, a few at a time, and a writer thread writes them in input
//! order. Memory stays bounded whatever the input size: at most a few batches are read and not yet
//! written.

use std::collections::BTreeMap;
use std::io::{self, IoSlice, IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use textwash::decode::{decode, looks_binary};
use textwash::edit::RuleId;
use textwash::io::{self as tio, AtomicFile, Compression, RecordError};
use textwash::record::Report;
use textwash::Pipeline;

use crate::args::{CleanArgs, InputOptions, OnError, OutputFormat};
use crate::exit;
use crate::input::{spawn_reader, Unit};

/// Edits per rule, as runs: a rule may come more than once.
type RuleCounts = Vec<(RuleId, usize)>;

/// The result of cleaning one unit.
pub struct Outcome {
    /// The bytes to write (a JSONL line with its newline, or a text).
    pub output: Option<Vec<u8>>,
    pub error: Option<String>,
    pub input_bytes: usize,
}

pub fn run(args: CleanArgs, pipeline: Pipeline) -> Result<u8> {
    let threads = args.threads.unwrap_or(0);
    let pool =
        rayon::ThreadPoolBuilder::new().num_threads(threads).build().context("starting the thread pool")?;
    let started = Instant::now();
    let text_field = args.input.text_field.clone();
    let id_field = args.input.id_field.clone();
    let format = args.format;

    let sink = match &args.output {
        Some(p) if p.as_os_str() != "-" => {
            Sink::File(AtomicFile::create(p).map_err(|e| {
                let what = format!("cannot write {}: {e}", p.display());
                // A missing directory, or a directory given as the file, is a mistake in the command,
                // found before any work: exit 2.
                if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::InvalidInput) {
                    anyhow::Error::new(crate::UsageError(what))
                } else {
                    anyhow::anyhow!(what)
                }
            })?)
        }
        _ => Sink::Stdout(tio::stdout_writer(Compression::None)?),
    };
    let progress = Progress::new(&args.input, args.quiet);

    // The reader thread parses the inputs into batches. Each batch is cleaned by the pool as a job of
    // its own, started as soon as it is read and a slot is free, and the writer thread puts the cleaned
    // batches back in input order. Cleaning one batch at a time (the pool's `install`) left the cores
    // waiting at the end of every batch for the last documents, the hand-over to the writer and the
    // next batch: on the development machine, each worker slept about half a second of a four-second
    // two-thread run.
    let rx = spawn_reader(args.input.clone());
    let stop = Arc::new(AtomicBool::new(false));
    // Batches read and not yet written: one per thread at work (beyond four, the threads share
    // batches, as a batch is cleaned in parallel too), and one the writer holds. Each is a block of
    // input and its outputs, about 6 + 8 MB on the bench corpus. One more slot made no difference
    // that the development machine could measure, and cost 25 MB.
    let slots = pool.current_num_threads().min(4) + 1;
    let (wtx, wrx) = sync_channel::<Cleaned>(slots);
    let (slot_tx, slot_rx) = sync_channel::<()>(slots);
    let writer = {
        let stop = stop.clone();
        let fail_fast = args.on_error == OnError::Fail;
        let progress = progress.clone();
        std::thread::spawn(move || write_outcomes(wrx, slot_rx, sink, format, fail_fast, &stop, &progress))
    };
    let job = Arc::new(Job { pipeline, format, text_field, id_field, on_error: args.on_error });
    for (seq, batch) in rx.into_iter().enumerate() {
        // A stopped writer takes no more slots.
        if stop.load(Ordering::Relaxed) || slot_tx.send(()).is_err() {
            break;
        }
        let (job, wtx) = (job.clone(), wtx.clone());
        pool.spawn_fifo(move || {
            // A panic is handed to the writer, which raises it again: the run fails as it would have
            // had it happened on this thread.
            let cleaned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                batch
                    .into_par_iter()
                    .fold(Batch::default, |mut b, u| {
                        b.clean(u, &job);
                        b
                    })
                    .reduce(Batch::default, Batch::append)
            }));
            // Fails only when the writer has stopped.
            let _ = wtx.send((seq, cleaned));
        });
    }
    drop(wtx);
    // A panic in a batch job, raised again by the writer, is raised here in turn.
    let t = writer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    progress.finish();
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64();
        let mb = t.bytes as f64 / 1e6;
        eprintln!(
            "textwash: {} document{}, {mb:.1} MB in {secs:.2} s ({:.1} MB/s), {} error{}",
            t.docs,
            if t.docs == 1 { "" } else { "s" },
            mb / secs.max(1e-9),
            t.errors,
            if t.errors == 1 { "" } else { "s" }
        );
        if !t.counts.is_empty() {
            let line: Vec<String> = t.counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
            eprintln!("textwash: edits by rule: {}", line.join(", "));
        }
    }
    Ok(if t.errors > 0 { exit::FAILURES } else { exit::OK })
}

/// Where the output goes.
enum Sink {
    Stdout(Box<dyn Write + Send>),
    /// Renamed into place only when the run is not stopped by `--on-error fail`.
    File(AtomicFile),
}

#[derive(Default)]
struct Totals {
    docs: usize,
    bytes: usize,
    errors: usize,
    counts: BTreeMap<String, usize>,
}

/// A batch cleaned: its number in input order, and its outcomes or the panic that stopped it.
type Cleaned = (usize, std::thread::Result<Batch>);

/// The outcomes of a batch (or of a run of it, while it is cleaned), and the edits per rule they
/// made, summed.
///
/// The sums are made here, by the threads that clean: when each outcome carried its own counts, the
/// writer thread spent a quarter of its time dropping them.
#[derive(Default)]
struct Batch {
    outcomes: Vec<Outcome>,
    counts: RuleCounts,
    /// Whether an outcome is an error and the run stops at the first one (`--on-error fail`): the
    /// counts then cover only the outcomes before it, which are the ones written.
    stopped: bool,
}

impl Batch {
    fn clean(&mut self, u: Unit, job: &Job) {
        let counts = if self.stopped { None } else { Some(&mut self.counts) };
        let o =
            clean_unit(u, &job.pipeline, job.format, &job.text_field, &job.id_field, job.on_error, counts);
        self.stopped |= o.error.is_some() && job.on_error == OnError::Fail;
        self.outcomes.push(o);
    }

    /// `self` followed by `next`.
    fn append(mut self, mut next: Batch) -> Batch {
        self.outcomes.append(&mut next.outcomes);
        if !self.stopped {
            for (k, v) in next.counts {
                add_count(&mut self.counts, k, v);
            }
            self.stopped = next.stopped;
        }
        self
    }
}

/// Adds `n` edits of rule `k`: a search of a short list by address, where a map by name would
/// compare strings.
fn add_count(counts: &mut RuleCounts, k: RuleId, n: usize) {
    match counts.iter_mut().find(|(r, _)| *r == k) {
        Some((_, sum)) => *sum += n,
        None => counts.push((k, n)),
    }
}

/// What every batch job needs: the pipeline and the options of the run.
struct Job {
    pipeline: Pipeline,
    format: OutputFormat,
    text_field: String,
    id_field: String,
    on_error: OnError,
}

/// The writer thread: puts the cleaned batches in input order, reports errors and writes outputs, and
/// frees a slot (`slots`) for each batch written.
fn write_outcomes(
    rx: Receiver<Cleaned>,
    slots: Receiver<()>,
    mut sink: Sink,
    format: OutputFormat,
    fail_fast: bool,
    stop: &AtomicBool,
    progress: &Progress,
) -> Result<Totals> {
    let mut t = Totals::default();
    let mut failed = false;
    // The batches in input order: the next one when it has come, else the ones cleaned ahead of it
    // are kept until it comes.
    let mut early: BTreeMap<usize, Batch> = BTreeMap::new();
    let mut next = 0;
    let mut cleaned = rx.into_iter();
    let in_order = std::iter::from_fn(|| loop {
        if let Some(batch) = early.remove(&next) {
            next += 1;
            return Some(batch);
        }
        let (seq, batch) = cleaned.next()?;
        early.insert(seq, batch.unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
    });
    'batches: for Batch { outcomes, counts, .. } in in_order {
        let _ = slots.try_recv();
        name_counts(&mut t.counts, counts.into_iter());
        let w: &mut dyn Write = match &mut sink {
            Sink::File(f) => f,
            Sink::Stdout(w) => w,
        };
        // The batch's outputs, written together (see `write_all_vectored`).
        let mut pending: Vec<&[u8]> = Vec::with_capacity(outcomes.len() + 1);
        let mut stopped = false;
        for o in &outcomes {
            t.bytes += o.input_bytes;
            if let Some(e) = &o.error {
                t.errors += 1;
                progress.println(&format!("textwash: {e}"));
                if fail_fast {
                    failed = true;
                    stop.store(true, Ordering::Relaxed);
                    stopped = true;
                    break;
                }
            }
            if let Some(data) = &o.output {
                if format == OutputFormat::Text && t.docs > 0 {
                    pending.push(b"\x0c\n");
                }
                t.docs += 1;
                pending.push(data);
            }
        }
        write_all_vectored(w, &pending).map_err(exit::write_error)?;
        progress.update(t.docs, t.bytes);
        if stopped {
            break 'batches;
        }
    }
    match sink {
        Sink::File(f) if !failed => f.commit().context("finishing the output file")?,
        Sink::File(f) => drop(f),
        Sink::Stdout(mut w) => w.flush().map_err(exit::write_error)?,
    }
    Ok(t)
}

/// Writes the slices in order, in as few system calls as the sink allows: a batch's outputs go out
/// in `writev` calls of up to 1,024 records instead of being copied one by one into the output
/// buffer (the copy was about a fifth of the writer thread's time, and when every core cleans, the
/// writer's time is taken from the workers).
fn write_all_vectored(w: &mut dyn Write, slices: &[&[u8]]) -> io::Result<()> {
    const MAX: usize = 1024;
    // The next slice to write, and how much of it is written.
    let (mut i, mut skip) = (0, 0);
    let mut iov: Vec<IoSlice> = Vec::with_capacity(MAX.min(slices.len()));
    while i < slices.len() {
        iov.clear();
        iov.push(IoSlice::new(&slices[i][skip..]));
        iov.extend(slices[i + 1..].iter().take(MAX - 1).map(|s| IoSlice::new(s)));
        let mut n = match w.write_vectored(&iov) {
            Ok(0) if iov.iter().any(|s| !s.is_empty()) => {
                return Err(io::Error::new(io::ErrorKind::WriteZero, "failed to write the output"))
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        // Past what was written: whole slices, then into the next one.
        while i < slices.len() && n >= slices[i].len() - skip {
            n -= slices[i].len() - skip;
            skip = 0;
            i += 1;
        }
        skip += n;
    }
    Ok(())
}

/// Adds counts by rule id to the counts by rule name.
fn name_counts(counts: &mut BTreeMap<String, usize>, by_id: impl Iterator<Item = (RuleId, usize)>) {
    for (k, v) in by_id {
        match counts.get_mut(&*k) {
            Some(n) => *n += v,
            None => {
                counts.insert(k.to_string(), v);
            }
        }
    }
}

/// The progress bar: on standard error when it is a terminal, nothing otherwise.
#[derive(Clone)]
struct Progress(Option<ProgressBar>);

impl Progress {
    fn new(opts: &InputOptions, quiet: bool) -> Progress {
        if quiet || !io::stderr().is_terminal() {
            return Progress(None);
        }
        // The total is known when every input is a plain file read as it is; compressed inputs,
        // directories and standard input leave it open (no ETA).
        let total: Option<u64> = opts.inputs.iter().try_fold(0u64, |sum, p| {
            let meta = std::fs::metadata(p).ok().filter(|m| m.is_file())?;
            (Compression::from_path(p) == Compression::None).then_some(sum + meta.len())
        });
        let (bar, template) = match total {
            Some(n) if !opts.inputs.is_empty() => (
                ProgressBar::new(n),
                "{msg} {wide_bar} {decimal_bytes}/{decimal_total_bytes} {decimal_bytes_per_sec} ETA {eta}",
            ),
            _ => (
                ProgressBar::no_length(),
                "{spinner} {msg} {decimal_bytes} {decimal_bytes_per_sec} {elapsed}",
            ),
        };
        bar.set_draw_target(ProgressDrawTarget::stderr());
        bar.set_style(ProgressStyle::with_template(template).expect("a valid template"));
        bar.set_message("0 documents");
        Progress(Some(bar))
    }

    fn update(&self, docs: usize, bytes: usize) {
        if let Some(b) = &self.0 {
            b.set_position(bytes as u64);
            b.set_message(format!("{docs} documents"));
        }
    }

    /// A message that must not be drawn over by the bar.
    fn println(&self, msg: &str) {
        match &self.0 {
            Some(b) => b.suspend(|| eprintln!("{msg}")),
            None => eprintln!("{msg}"),
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

/// Cleans one unit, adding its edits per rule to `counts` when given.
fn clean_unit(
    u: Unit,
    p: &Pipeline,
    format: OutputFormat,
    text_field: &str,
    id_field: &str,
    on_error: OnError,
    counts: Option<&mut RuleCounts>,
) -> Outcome {
    let input_bytes = u.len();
    match u {
        Unit::Unreadable { source, line, message } => Outcome {
            output: None,
            error: Some(match line {
                Some(n) => format!("{source}:{n}: {message}"),
                None => format!("{source}: {message}"),
            }),
            input_bytes,
        },
        Unit::Text { source, bytes } => {
            if looks_binary(&bytes) {
                return Outcome {
                    output: None,
                    error: Some(format!("{source}: not text (binary data: NUL or control bytes), skipped")),
                    input_bytes,
                };
            }
            let d = decode(&bytes);
            let cleaned = p.clean(&d.text);
            if let Some(counts) = counts {
                add_counts(counts, &cleaned);
            }
            let output = match format {
                OutputFormat::Text => {
                    let mut s = cleaned.text.clone().into_bytes();
                    s.push(b'\n');
                    s
                }
                OutputFormat::Jsonl => {
                    let report = Report::from_decoded(&d, &cleaned);
                    let id = Path::new(&*source)
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    // Serialised straight from the borrowed report: building a `Value` tree first cost
                    // 7.5 GB for a 200 MB document with millions of edits (issue 7).
                    #[derive(serde::Serialize)]
                    struct TextRecord<'a> {
                        id: String,
                        source: &'a str,
                        text: &'a str,
                        textwash: Report<'a>,
                    }
                    let rec = TextRecord { id, source: &source, text: &cleaned.text, textwash: report };
                    let mut v = serde_json::to_vec(&rec).expect("serialisable");
                    v.push(b'\n');
                    v
                }
            };
            Outcome { output: Some(output), error: None, input_bytes }
        }
        Unit::Json { source, line, bytes } => match clean_record(&bytes, p, format, text_field, counts) {
            Ok(output) => Outcome { output: Some(output), error: None, input_bytes },
            Err(e) => {
                let id = tio::RawRecord::parse(&bytes)
                    .ok()
                    .and_then(|r| r.get(id_field).map(|v| v.get().to_string()));
                let what = match id {
                    Some(id) => format!("{source}:{line}: record {id}: {e}"),
                    None => format!("{source}:{line}: {e}"),
                };
                let output = (on_error == OnError::Keep).then(|| {
                    let mut b = bytes.to_vec();
                    b.push(b'\n');
                    b
                });
                Outcome { output, error: Some(what), input_bytes }
            }
        },
    }
}

/// Adds a document's edits per rule to `counts`.
fn add_counts(counts: &mut RuleCounts, c: &textwash::Cleaned) {
    for (k, n) in c.rule_runs() {
        add_count(counts, k, n);
    }
}

fn clean_record(
    bytes: &[u8],
    p: &Pipeline,
    format: OutputFormat,
    text_field: &str,
    counts: Option<&mut RuleCounts>,
) -> Result<Vec<u8>, RecordError> {
    // The output record is the cleaned text plus its edit log: about 1.35 times the input on the
    // bench corpus. Room for 1.5 times saves copying the record as it grows.
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 2 + 256);
    let cleaned = match format {
        OutputFormat::Jsonl => tio::clean_record(bytes, p, text_field, &mut out)?,
        OutputFormat::Text => {
            let input = tio::RawRecord::parse(bytes)?.text(text_field)?;
            let cleaned = p.clean(&input);
            out.extend_from_slice(cleaned.text.as_bytes());
            out.push(b'\n');
            cleaned
        }
    };
    if let Some(counts) = counts {
        add_counts(counts, &cleaned);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sink that takes at most `step` bytes a call, from one slice or several.
    struct Stingy {
        data: Vec<u8>,
        step: usize,
        calls: usize,
    }

    impl Write for Stingy {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.write_vectored(&[IoSlice::new(buf)])
        }
        fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
            self.calls += 1;
            let mut n = 0;
            for b in bufs {
                let take = b.len().min(self.step - n);
                self.data.extend_from_slice(&b[..take]);
                n += take;
            }
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn batches_cleaned_out_of_order_are_written_in_input_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let (tx, rx) = sync_channel(8);
        let (slot_tx, slot_rx) = sync_channel(8);
        let rule = RuleId::from("r");
        let batch = |i: usize| Batch {
            outcomes: vec![Outcome {
                output: Some(format!("{i}\n").into_bytes()),
                error: None,
                input_bytes: 1,
            }],
            counts: vec![(rule, i)],
            stopped: false,
        };
        for i in [2, 0, 3, 1] {
            slot_tx.send(()).unwrap();
            tx.send((i, Ok(batch(i)))).unwrap();
        }
        drop(tx);
        let sink = Sink::File(AtomicFile::create(&path).unwrap());
        let stop = AtomicBool::new(false);
        let t =
            write_outcomes(rx, slot_rx, sink, OutputFormat::Jsonl, false, &stop, &Progress(None)).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "0\n1\n2\n3\n");
        assert_eq!((t.docs, t.bytes, t.counts["r"]), (4, 4, 6));
    }

    #[test]
    fn vectored_writes_resume_where_a_short_write_stopped() {
        let owned: Vec<Vec<u8>> =
            (0..3000).map(|i| format!("{i:>width$}|", width = i % 13).into_bytes()).collect();
        let mut slices: Vec<&[u8]> = owned.iter().map(|v| v.as_slice()).collect();
        slices.insert(7, b"");
        let want: Vec<u8> = owned.concat();
        for step in [1, 5, 64, 1000, usize::MAX / 2] {
            let mut w = Stingy { data: Vec::new(), step, calls: 0 };
            write_all_vectored(&mut w, &slices).unwrap();
            assert!(w.data == want, "step {step}");
            if step > want.len() {
                assert_eq!(w.calls, 3, "1,024 slices a call");
            }
        }
    }
}
