# dprkwatch: the two commands that matter are `make run` and `make test`.
# Both do their own set-up on a fresh machine (virtualenv, packages, system services).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Real source lists, when this checkout sits beside them; optional everywhere.
SHARED_DATA ?= ../shared/data
export DPRKWATCH_SHARED_DATA ?= $(abspath $(SHARED_DATA))

.PHONY: run test install system lint typecheck unit bench docs-cli clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# System packages the tests use (PostgreSQL server, Chromium); needs root and apt.
system:
	scripts/system-deps.sh

run: install
	$(BIN)/dprkwatch run

lint: install
	$(BIN)/ruff check src tests benchmarks

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest

test: install system lint typecheck
	scripts/with-postgres.sh $(BIN)/pytest

bench: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info
