# Cercle — two commands: `make run` (start the app with a demo hub) and `make test` (every check).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: run test pytest lint types translations messages system-deps install dev-install bench bench-ingest clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed
dev-install: $(VENV)/.dev-installed

## Start web + worker on the embedded default (SQLite in ./data), with the demo hub on first run.
run: install
	$(BIN)/cercle run --host $(HOST) --port $(PORT)

## Install what the tests need, then lint, type-check, check translations and run the whole suite.
test: dev-install system-deps lint types translations pytest

system-deps:
	@sh scripts/system-deps.sh

lint: dev-install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: dev-install
	$(BIN)/mypy cercle/*/services.py cercle/*/selectors.py

translations: dev-install
	$(BIN)/python scripts/check_translations.py

## Regenerate locale/fr after changing user-facing strings (then translate the new entries).
messages: dev-install
	$(BIN)/python scripts/check_translations.py --update

pytest: dev-install
	$(BIN)/pytest

bench: dev-install
	$(BIN)/python bench/pages.py --requests 100000

bench-ingest: dev-install system-deps
	$(BIN)/python bench/ingest.py --messages 100000

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
