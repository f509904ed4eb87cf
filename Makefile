# dprkwatch: the two commands that matter are `make run` and `make test`.
# Both do their own set-up on a fresh machine (virtualenv, packages, system services).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Installs come from uv.lock (exact versions with hashes), so a fresh machine
# gets what CI tested. uv itself is pinned and lives in its own small venv.
UV_VERSION := 0.13.9
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
SYNC   := UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --python $(PYTHON)
# Real source lists, when this checkout sits beside them; optional everywhere.
SHARED_DATA ?= ../shared/data
export DPRKWATCH_SHARED_DATA ?= $(abspath $(SHARED_DATA))

.PHONY: run test install system lint typecheck unit bench docs-cli clean web lock test-latest native bytecode countries

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(BIN)/.installed: pyproject.toml uv.lock | $(UV)
	$(SYNC) --extra dev
	touch $@

# Refresh uv.lock to the newest versions pyproject.toml allows. Run
# `make test-latest` first: it tries exactly those versions in a separate venv.
lock: | $(UV)
	$(UV) lock --upgrade

# The suite against the newest versions the ranges allow (not the lock), in
# .venv-latest; tells whether `make lock` is safe. Not part of CI.
test-latest: web | $(UV)
	rm -rf .venv-latest
	$(UV) venv --quiet --python $(PYTHON) .venv-latest
	VIRTUAL_ENV=.venv-latest $(UV) pip install --quiet --upgrade --resolution highest -e '.[dev]'
	.venv-latest/bin/ruff check src tests benchmarks
	.venv-latest/bin/ruff format --check src tests benchmarks
	.venv-latest/bin/mypy
	scripts/with-postgres.sh .venv-latest/bin/pytest -p no:cacheprovider

install: $(BIN)/.installed web native bytecode countries

# Bytecode compiled at install, as pip does by default (uv does not). Where Python
# may not write its cache (PYTHONDONTWRITEBYTECODE, a read-only install), every
# command would otherwise compile each module it imports again: about a second of
# CPU at every start of `dprkwatch maritime detect`. The packages once per install
# (a stamp), the project's own source every time (quick when nothing changed).
bytecode: $(BIN)/.bytecode
	$(BIN)/python -m compileall -q src >/dev/null

$(BIN)/.bytecode: $(BIN)/.installed
	$(BIN)/python -m compileall -q -j 0 $$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') >/dev/null \
		|| echo "bytecode: some package files did not compile; Python compiles them when imported" >&2
	touch $@

# FtM's country-name table, prebuilt for the installed rigour (git-ignored; see
# src/dprkwatch/lists/countries.py). Without it imports build it at run time.
COUNTRY_TABLE := src/dprkwatch/lists/country_names.json

countries: $(COUNTRY_TABLE)

$(COUNTRY_TABLE): $(BIN)/.installed
	$(BIN)/python -m dprkwatch.lists.countries

# The matching engine's hot path compiled with mypyc (C extensions beside the
# .py files, git-ignored). Quick when nothing changed; without a C compiler it
# says so in one line and the engine runs as pure Python (same answers, slower).
native: $(BIN)/.installed
	$(BIN)/python scripts/build_native.py

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
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest

test: system install lint typecheck
	scripts/with-postgres.sh $(BIN)/pytest

# The command-line reference, generated from the real --help (tests/test_docs_cli.py
# fails when it is out of date).
docs-cli: install
	$(BIN)/python -m dprkwatch.cli.reference docs/cli.md

bench: install
	$(SYNC) --extra dev --extra bench
	touch $(BIN)/.installed
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .venv-latest $(TOOLS) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info
	find src -name "*.so" -delete; rm -f src/dprkwatch/matching/compiled.json $(COUNTRY_TABLE)
