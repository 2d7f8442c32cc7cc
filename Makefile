# The README's commands. Each target sets up what it needs, so a fresh clone runs
# `make run` or `make test` and nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Test processes: "auto" is one per core, at most four (each may start a browser and hold
# database connections); TEST_PROCS=0 runs the suite in this one process.
TEST_PROCS ?= auto
PYTEST := $(BIN)/python -m pytest -q
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: install install-test run demo serve test test-sqlite test-postgres lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# Set up everything and serve http://127.0.0.1:$(PORT)/ ; safe to run again.
run: install demo serve

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py drain_index --once
	$(BIN)/python manage.py index_drift --repair

serve: install
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole suite: lint, then SQLite, then a real PostgreSQL 15 started by the run itself.
test: install-test lint test-sqlite test-postgres

# Tests marked `alone` restart what the others share (the database server), so they run after
# the rest, by themselves.
test-sqlite: install-test
	$(PYTEST) -n $(TEST_PROCS) --maxprocesses=4 -m "not alone"
	$(PYTEST) -m alone

test-postgres: install-test
	$(BIN)/python tests/pg_run.py sh -c '$(PYTEST) -n $(TEST_PROCS) --maxprocesses=4 \
	  -m "not browser and not alone" && $(PYTEST) -m "alone and not browser"'

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Search benchmark (docs/benchmarks.md): N synthetic communiqués, the embedded default measured
# against PostgreSQL 15 full-text search in the same run. BENCH_ARGS: e.g. --reuse --skip-load.
N ?= 100000
bench: install-test
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bench --count $(N) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
