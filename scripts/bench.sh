#!/usr/bin/env bash
# make bench: throughput and peak memory of `textwash clean` over a generated JSONL corpus, with 1 and 2
# threads, next to a serde_json read-and-write baseline measured in the same run.
#
#   BENCH_MB=500 (size of the corpus), BENCH_BIG_MB=100 (the single big document), BENCH_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${BENCH_MB:-500}
BIG_MB=${BENCH_BIG_MB:-100}
DIR=${BENCH_DIR:-target/bench-data}
CARGO=${CARGO:-cargo}
mkdir -p "$DIR"

$CARGO build --release --quiet --bin textwash --example bench_data --example json_baseline
BIN=target/release/textwash
EX=target/release/examples

DATA="$DIR/corpus-${MB}mb.jsonl"
[ -s "$DATA" ] || "$EX/bench_data" "$DATA" "$MB"
BIG="$DIR/one-doc-${BIG_MB}mb.jsonl"
[ -s "$BIG" ] || "$EX/bench_data" "$BIG" "$BIG_MB" --one-doc
BYTES=$(stat -c %s "$DATA")

# Runs a command under /usr/bin/time and prints: label, wall seconds, MB/s, CPU seconds (user + system),
# peak RSS. On a shared machine the wall time depends on the load; the CPU time much less.
measure() {
    local label=$1 bytes=$2; shift 2
    local t=$DIR/time.txt start end
    start=$(date +%s.%N)
    if ! /usr/bin/time -f '%M %U %S' -o "$t" "$@" >/dev/null 2>"$DIR/stderr.txt"; then
        cat "$DIR/stderr.txt" >&2
        echo "bench: $label failed" >&2
        exit 1
    fi
    end=$(date +%s.%N)
    read -r rss user sys < <(tail -n1 "$t")
    awk -v l="$label" -v b="$bytes" -v s="$start" -v e="$end" -v r="$rss" -v u="$user" -v y="$sys" 'BEGIN {
        secs = e - s
        printf "%-34s %7.2f s %8.1f MB/s %8.2f s %9.0f MB\n", l, secs, b / 1e6 / secs, u + y, r / 1024 }'
}

[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
echo "corpus: $DATA ($(awk -v b="$BYTES" 'BEGIN{printf "%.0f", b/1e6}') MB, $(wc -l <"$DATA") documents); $(nproc) cores"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-34s %9s %13s %10s %12s\n" "run" "wall" "throughput" "CPU" "peak RSS"
measure "serde_json read+write (1 thread)" "$BYTES" "$EX/json_baseline" "$DATA" "$DIR/out-baseline.jsonl"
measure "textwash clean -j1" "$BYTES" "$BIN" clean -q -j1 "$DATA" -o "$DIR/out-j1.jsonl"
measure "textwash clean -j2" "$BYTES" "$BIN" clean -q -j2 "$DATA" -o "$DIR/out-j2.jsonl"
cmp -s "$DIR/out-j1.jsonl" "$DIR/out-j2.jsonl" || { echo "bench: -j1 and -j2 outputs differ" >&2; exit 1; }
measure "textwash, one ${BIG_MB} MB document" "$(stat -c %s "$BIG")" "$BIN" clean -q "$BIG" -o "$DIR/out-big.jsonl"
rm -f "$DIR"/out-*.jsonl "$DIR/time.txt"
