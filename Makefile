# textwash: the commands the README gives.
CARGO ?= cargo
SHARED ?= ../shared

.PHONY: all build test browser review-shot demo lint bench eval typeset-check fuzz clean

all: build

build:
	$(CARGO) build --release

## Everything CI runs: unit, golden-sample, CLI and property tests, and every rule's examples.
test: browser
	$(CARGO) test --release
	$(CARGO) run --release --quiet -- rules test

## Headless Chromium for the review-page test (tests/review_page.rs): Debian's package, installed when
## missing and we are root; otherwise a loud note, and that one test skips.
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "make browser: installing Debian's chromium for the review-page test" >&2; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "make browser: WARNING: chromium is missing and cannot be installed here; the review-page browser test will be SKIPPED" >&2; fi

## The screenshot in docs/review.md: the review page of the bundled samples, taken by headless Chromium.
review-shot: build browser
	./target/release/textwash diff -q --html target/review.html samples/input
	chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --user-data-dir="$$(mktemp -d)" --hide-scrollbars \
		--window-size=1400,1000 --screenshot=docs/review-page.png "file://$$(pwd)/target/review.html#doc=$(DOC)"

## Clean the bundled samples and print the JSONL records.
demo: build
	./target/release/textwash clean samples/input

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

## Throughput and peak RSS over a generated 500 MB JSONL (target/bench-data), 1 and 2 threads, next to a
## serde_json read-and-write baseline; then the criterion benches (MB/s per stage).
bench:
	CARGO=$(CARGO) scripts/bench.sh
	$(CARGO) bench --bench pipeline

## Score the default pipeline on the development corpus (needs ../shared, which users do not have).
eval: build
	@if [ -f $(SHARED)/corpus/dev.jsonl.gz ] && [ -f $(SHARED)/eval/score.py ]; then \
		./target/release/textwash clean -q $(SHARED)/corpus/dev.jsonl.gz -o target/eval-dev.jsonl && \
		python3 $(SHARED)/eval/score.py $(SHARED)/corpus/dev.jsonl.gz target/eval-dev.jsonl && \
		python3 $(SHARED)/eval/score.py $(SHARED)/corpus/dev.jsonl.gz target/eval-dev.jsonl --by family && \
		python3 $(SHARED)/eval/score.py $(SHARED)/corpus/dev.jsonl.gz target/eval-dev.jsonl --by extractor; \
	else echo "make eval: $(SHARED)/corpus/dev.jsonl.gz not found, skipping"; fi

## A second check on documents no rule was tuned on (scripts/typeset-check/README.md): typesets 20 from
## Debian's Python documentation (Chromium, groff), extracts them with pdftotext, pdfminer.six and pypdf,
## cleans them and scores the result when ../shared/eval/score.py exists. Needs the tools the README
## names; not part of CI.
typeset-check: build
	python3 scripts/typeset-check/build.py target/typeset-check
	./target/release/textwash clean -q target/typeset-check/corpus.jsonl.gz -o target/typeset-check/cleaned.jsonl
	@if [ -f $(SHARED)/eval/score.py ]; then \
		python3 $(SHARED)/eval/score.py target/typeset-check/corpus.jsonl.gz target/typeset-check/cleaned.jsonl --by family && \
		python3 $(SHARED)/eval/score.py target/typeset-check/corpus.jsonl.gz target/typeset-check/cleaned.jsonl --by extractor; \
	else echo "make typeset-check: $(SHARED)/eval/score.py not found, not scoring"; fi

## Fuzz each target for FUZZ_TIME seconds (default 600). Needs cargo-fuzz (`cargo install cargo-fuzz`) and
## a nightly compiler; RUSTC_BOOTSTRAP=1 lets a stable one build it. Not part of CI. Crashes land in
## fuzz/artifacts/TARGET/; copy each into tests/fuzz-regressions/ as TARGET-what (see docs/reliability.md).
FUZZ_TIME ?= 600
FUZZ_TARGETS ?= clean_bytes rules_file jsonl_record
fuzz:
	@command -v cargo-fuzz >/dev/null 2>&1 || { echo "make fuzz: cargo-fuzz is missing: cargo install cargo-fuzz" >&2; exit 1; }
	cd fuzz && for t in $(FUZZ_TARGETS); do \
		case $$t in clean_bytes) seeds=../samples/input;; rules_file) seeds=../rules;; *) seeds=seeds/$$t;; esac; \
		mkdir -p corpus/$$t && \
		RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run -O $$t corpus/$$t $$seeds -- \
			-max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=4096 -max_len=65536 || exit 1; \
	done

clean:
	$(CARGO) clean
