# textwash: the commands the README gives.
CARGO ?= cargo
SHARED ?= ../shared

.PHONY: all build test demo lint bench eval fuzz clean

all: build

build:
	$(CARGO) build --release

## Everything CI runs: unit, golden-sample, CLI and property tests, and every rule's examples.
test:
	$(CARGO) test --release
	$(CARGO) run --release --quiet -- rules test

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

clean:
	$(CARGO) clean
