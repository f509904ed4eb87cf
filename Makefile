# dprkwatch: the two commands that matter are `make run` and `make test`.
# Both do their own set-up on a fresh machine (virtualenv, packages, system services).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Real source lists, when this checkout sits beside them; optional everywhere.
SHARED_DATA ?= ../shared/data
export DPRKWATCH_SHARED_DATA ?= $(abspath $(SHARED_DATA))

.PHONY: run test install system lint typecheck unit bench docs-cli clean web

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed web

# The web workbench: web/ (TypeScript, npm) built into the package, where the
# service serves it. Rebuilt when its sources change. Without npm the service
# runs without it (and says so at /); the browser tests then skip.
WEB_BUNDLE := src/dprkwatch/web/static/index.html
WEB_SOURCES := $(wildcard web/src/*.ts web/src/*.tsx web/src/*.css web/src/*/*.ts web/src/*/*.tsx) \
	web/index.html web/package.json web/package-lock.json web/vite.config.ts web/tsconfig.json

web: $(WEB_BUNDLE)

$(WEB_BUNDLE): $(WEB_SOURCES)
	@if command -v npm >/dev/null 2>&1; then \
		cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build; \
	else \
		echo "web: npm not found; the workbench is not built (the API works; browser tests skip)" >&2; \
	fi

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
