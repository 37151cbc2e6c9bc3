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

bench:
	@echo "make bench: comes with the batch-cleaning work (issue 5)"

## Score the default pipeline on the development corpus (needs ../shared, which users do not have).
eval: build
	@if [ -f $(SHARED)/corpus/dev.jsonl.gz ] && [ -f $(SHARED)/eval/score.py ]; then \
		./target/release/textwash clean -q $(SHARED)/corpus/dev.jsonl.gz -o target/eval-dev.jsonl && \
		python3 $(SHARED)/eval/score.py $(SHARED)/corpus/dev.jsonl.gz target/eval-dev.jsonl && \
		python3 $(SHARED)/eval/score.py $(SHARED)/corpus/dev.jsonl.gz target/eval-dev.jsonl --by family && \
		python3 $(SHARED)/eval/score.py $(SHARED)/corpus/dev.jsonl.gz target/eval-dev.jsonl --by extractor; \
	else echo "make eval: $(SHARED)/corpus/dev.jsonl.gz not found, skipping"; fi

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
