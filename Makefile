# The two commands of the README: `make run` and `make test`. Both set up .venv first.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run play test lint typecheck content-check unit bench bench-full clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch is pinned in pyproject.toml (see DEVELOPERS.md); pip takes the local CPU wheel.
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/anneal

play: setup
	$(BIN)/anneal play

test: lint typecheck content-check unit

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

# The keys against torch, then the cue audit: every shipped pack, all packs and each kind,
# and 200 generated problems (the generator overall and each scheduler it covers, ~15 s).
# It fails when a rule is right on more than 40% of 20 or more problems of some group, or
# when two generated problems are the same.
content-check: setup
	$(BIN)/anneal content check
	$(BIN)/anneal content audit --generated 200

unit: setup
	$(BIN)/pytest

# One table of every benchmark's figures beside its targets (bench/all.py); quick by default.
bench: setup
	$(BIN)/python bench/all.py

bench-full: setup
	$(BIN)/python bench/all.py --full

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
