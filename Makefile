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

# every benchmark at POSTS posts, then one summary table (docs/performance.md)
POSTS ?= 200000
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --posts $(POSTS)

clean:
	rm -rf $(VENV) demo-project build *.egg-info
