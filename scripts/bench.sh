#!/usr/bin/env bash
# make bench: throughput and peak memory of `textwash clean` over a generated JSONL corpus, with 1 and 2
# threads, next to a serde_json read-and-write baseline measured in the same run.
#
# The host this was developed on is shared and its speed moves by 10-30% from minute to minute, so the
# three corpus runs alternate for BENCH_ROUNDS rounds (5): every run is printed, then the median of
# each, and the two-thread ratio from the medians. The CPU time the hypervisor gave to other guests
# during the runs ("steal", from /proc/stat) is printed too: it is the noise.
#
#   BENCH_MB=500 (size of the corpus), BENCH_BIG_MB=100 (the single big document), BENCH_ROUNDS=5,
#   BENCH_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${BENCH_MB:-500}
BIG_MB=${BENCH_BIG_MB:-100}
ROUNDS=${BENCH_ROUNDS:-5}
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
# peak RSS; and appends the same figures to $RUNS for the medians. On a shared machine the wall time
# depends on the load; the CPU time much less. The output goes to a new file each time, as in a
# pipeline (a file left from a run before would be truncated, which costs the kernel time).
RUNS=$DIR/runs.txt
: >"$RUNS"
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
        printf "%-34s %7.2f s %8.1f MB/s %8.2f s %9.0f MB\n", l, secs, b / 1e6 / secs, u + y, r / 1024 }' |
        tee -a "$RUNS"
}

# The median of each label's runs (by wall time), in the order the labels first ran.
medians() {
    awk '{ label = substr($0, 1, 34); sub(/ +$/, "", label); rest = substr($0, 35); split(rest, f, " ")
           if (!(label in n)) order[++k] = label
           n[label]++; wall[label, n[label]] = f[1]; line[label, n[label]] = $0 }
         END { for (i = 1; i <= k; i++) { l = order[i]; m = n[l]
                 for (a = 1; a <= m; a++) idx[a] = a
                 for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++)
                     if (wall[l, idx[b]] < wall[l, idx[a]]) { t = idx[a]; idx[a] = idx[b]; idx[b] = t }
                 print line[l, idx[int((m + 1) / 2)]] } }' "$RUNS"
}

[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
echo "corpus: $DATA ($(awk -v b="$BYTES" 'BEGIN{printf "%.0f", b/1e6}') MB, $(wc -l <"$DATA") documents); $(nproc) cores"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-34s %9s %13s %10s %12s\n" "run" "wall" "throughput" "CPU" "peak RSS"
# The 8th number of /proc/stat's first line, in clock ticks: time this machine's CPUs were ready to
# run and the host ran something else.
steal() { awk '/^cpu / { print $9; exit }' /proc/stat 2>/dev/null || echo 0; }
steal_before=$(steal)
for round in $(seq "$ROUNDS"); do
    rm -f "$DIR"/out-*.jsonl
    measure "serde_json read+write (1 thread)" "$BYTES" "$EX/json_baseline" "$DATA" "$DIR/out-baseline.jsonl"
    measure "textwash clean -j1" "$BYTES" "$BIN" clean -q -j1 "$DATA" -o "$DIR/out-j1.jsonl"
    measure "textwash clean -j2" "$BYTES" "$BIN" clean -q -j2 "$DATA" -o "$DIR/out-j2.jsonl"
    cmp -s "$DIR/out-j1.jsonl" "$DIR/out-j2.jsonl" || { echo "bench: -j1 and -j2 outputs differ" >&2; exit 1; }
done
steal_after=$(steal)
rm -f "$DIR"/out-*.jsonl
measure "textwash, one ${BIG_MB} MB document" "$(stat -c %s "$BIG")" "$BIN" clean -q "$BIG" -o "$DIR/out-big.jsonl"
rm -f "$DIR"/out-*.jsonl "$DIR/time.txt"
echo
echo "medians of $ROUNDS rounds:"
printf "%-34s %9s %13s %10s %12s\n" "run" "wall" "throughput" "CPU" "peak RSS"
medians | tee "$DIR/medians.txt"
awk '/clean -j1/ { j1 = $(NF - 5) } /clean -j2/ { j2 = $(NF - 5) }
     END { if (j1 > 0) printf "two threads / one thread (median MB/s): %.2f\n", j2 / j1 }' "$DIR/medians.txt"
awk -v a="$steal_before" -v b="$steal_after" -v hz="$(getconf CLK_TCK)" 'BEGIN {
    printf "CPU time stolen by the host during the corpus runs: %.1f s\n", (b - a) / hz }'
