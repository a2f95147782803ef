# tifa — `make pipeline` builds the release binary and runs every stage on the default corpus,
# re-running only the stages whose inputs, config or binary changed. `make test` runs every test.

CARGO   ?= cargo
TIFA    := target/release/tifa
CORPUS  ?= data/corpus
CONFIG  ?= config
WORK    ?= work
OUT     ?= reports
TFLAGS  ?=
BENCH_CORPUS ?= ../shared/corpus/cctv-news-2012-2026
PYTHON  ?= python3
PYENV   ?= target/pyenv

RUN := $(TIFA) --config $(CONFIG) $(TFLAGS)

# Every file of the corpus is a prerequisite of the clean stage (names with spaces are not
# supported by make; the tifa command itself handles them).
CORPUS_FILES := $(shell find $(CORPUS) -type f 2>/dev/null)
DICT_FILES   := $(shell find $(CONFIG)/dict -type f 2>/dev/null)

.PHONY: pipeline stage-clean segment count compare report test test-python python-env bench eval fuzz fmt lint clean FORCE

pipeline: $(OUT)/report.html

# Cargo decides whether the binary is stale; its mtime only changes when it was rebuilt, and
# make compares that mtime against each stage's output.
$(TIFA): FORCE
	@$(CARGO) build --release --locked --quiet -p tifa-cli

$(WORK)/clean.bin: $(TIFA) $(CORPUS_FILES) $(wildcard $(CONFIG)/clean.toml)
	$(RUN) clean --in $(CORPUS) --out $@

$(WORK)/segment.bin: $(TIFA) $(WORK)/clean.bin $(wildcard $(CONFIG)/segment.toml) $(DICT_FILES)
	$(RUN) segment --in $(WORK)/clean.bin --out $@

$(WORK)/count.bin: $(TIFA) $(WORK)/segment.bin $(wildcard $(CONFIG)/count.toml)
	$(RUN) count --in $(WORK)/segment.bin --out $@

$(WORK)/compare.bin: $(TIFA) $(WORK)/count.bin $(WORK)/segment.bin $(wildcard $(CONFIG)/compare.toml)
	$(RUN) compare --in $(WORK)/count.bin --segment $(WORK)/segment.bin --out $@

$(OUT)/report.html: $(TIFA) $(WORK)/compare.bin $(wildcard $(CONFIG)/report.toml)
	$(RUN) report --in $(WORK)/compare.bin --out $(OUT)

# One target per stage (the clean stage is `stage-clean`: `make clean` deletes generated files).
stage-clean: $(WORK)/clean.bin
segment: $(WORK)/segment.bin
count: $(WORK)/count.bin
compare: $(WORK)/compare.bin
report: $(OUT)/report.html

test: $(TIFA)
	$(CARGO) test --workspace --locked
	$(MAKE) --no-print-directory test-python

# The Python package (python/), built by pip and maturin into a virtual environment of its own
# under target/, then tested with pytest against the tifa binary.
test-python: python-env
	TIFA_BIN=$(abspath $(TIFA)) $(PYENV)/bin/python -m pytest -q python/tests

python-env: $(TIFA)
	$(PYTHON) -m venv $(PYENV)
	$(PYENV)/bin/pip install --quiet --disable-pip-version-check pytest pandas
	$(PYENV)/bin/pip install --quiet --disable-pip-version-check ./python

# The Python package is built first, so that its row of the goals is measured too.
bench: python-env
	BENCH_CORPUS=$(BENCH_CORPUS) ./bench/run.sh

# The slogan list of the development corpus scored by the development set's scorer, with the
# bundled dictionary on and off (needs Python; installs Python jieba for the scorer).
eval: $(TIFA)
	CONFIG=$(CONFIG) ./bench/eval.sh

# Every fuzz target for FUZZ_SECONDS each (needs cargo-fuzz; see fuzz/README.md).
FUZZ_SECONDS ?= 30
fuzz:
	./fuzz/run.sh $(FUZZ_SECONDS)

fmt:
	$(CARGO) fmt --all

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

clean:
	rm -rf $(WORK) $(OUT) work-eval target

FORCE:
