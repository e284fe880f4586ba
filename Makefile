# Two commands for a fresh machine: `make run` and `make test`. Everything they need is
# installed here, into .venv, from the pinned requirements files. `make check` is the quick
# loop while working: lint, types and the tests that need neither a browser nor PostgreSQL.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP     := $(VENV)/.dev-installed

.PHONY: run test check lint typecheck bench browser install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(DEV_STAMP): requirements-dev.txt $(RUNTIME_STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(RUNTIME_STAMP)

run: $(RUNTIME_STAMP)
	$(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

browser:
	@bash scripts/ensure-chromium.sh

# Bytecode (and pytest's rewritten test modules) is cached even where PYTHONDONTWRITEBYTECODE is set:
# compiling every module again took a third of the quick loop.
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/pytest

test: $(DEV_STAMP) browser lint typecheck
	$(PYTEST)

# Unit, repository (SQLite) and page (AppTest) tests, spread over two processes; `slow` ones are left to make test.
check: $(DEV_STAMP) lint typecheck
	$(PYTEST) -m "not browser and not postgres and not slow" -n 2

bench: $(DEV_STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done
