# The two set-up commands of the README: `make run` and `make test`. Both install what they need
# into .venv first (once, and again when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint index bench eval

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned: it is the CPU wheel; letting a resolver pick one pulls a CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m bot

test: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/ruff check .
	HF_HUB_OFFLINE=1 $(BIN)/mypy
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest

index: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m index build

eval: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m bot eval

bench: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/latency.py
