# The two commands: `make demo` and `make test`. Both build .venv from the project's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

# the example plugins are installed too, as a user installs a third-party plugin
EXAMPLES := examples/hubbub-emotions examples/hubbub-lemmy

$(STAMP): pyproject.toml $(addsuffix /pyproject.toml,$(EXAMPLES))
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet $(addprefix -e ,$(EXAMPLES))
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/hubbub demo demo-project

test: $(STAMP)
	$(BIN)/python -m pytest -q tests $(addsuffix /tests,$(EXAMPLES))
	$(BIN)/ruff check .

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_ingest.py --posts 200000
	$(BIN)/python benchmarks/bench_formats.py
	$(BIN)/python benchmarks/bench_analyze.py
	$(BIN)/python benchmarks/bench_search.py
	$(BIN)/python benchmarks/bench_influence.py

clean:
	rm -rf $(VENV) demo-project build *.egg-info
