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

# The keys against torch, then the cue audit of the shipped packs. The generator's audit
# (`anneal content audit --generated 200`) joins here once the generator passes it: today
# the 2nd-smallest value is right on 46% of its problems and two seeds deal the same one.
content-check: setup
	$(BIN)/anneal content check
	$(BIN)/anneal content audit

# Two test processes: much of the suite waits (real deadlines, rate limits, torch warming
# up), so a second process fills that time. A file's tests stay together in one process
# (its module fixtures are built once). `pytest` alone still runs in one process.
unit: setup
	$(BIN)/pytest -n 2 --dist loadfile

# One table of every benchmark's figures beside its targets (bench/all.py); quick by default.
bench: setup
	$(BIN)/python bench/all.py

bench-full: setup
	$(BIN)/python bench/all.py --full

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
