# Everything runs from a project virtualenv that this file creates and keeps in step with pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast check console bench clean

# The modules mypyc compiles (retrieval/compiled.py): a change to one builds them again (about 35 s).
COMPILED := $(shell $(PYTHON) retrieval/compiled.py)

$(STAMP): pyproject.toml setup.py retrieval/compiled.py $(COMPILED)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)  ## start the bot (the local console when no DISCORD_TOKEN is set)
	$(BIN)/archive-bot run

console: $(STAMP)
	$(BIN)/archive-bot console

# The PostgreSQL tests start a throwaway server (testing/postgres.py) with the programs of `pg_config --bindir`;
# here they must run, so a machine without them fails instead of skipping them; so must the compiled modules (a
# build that compiled none fails). Two workers (pytest-xdist): most of the time goes to tests that wait on
# processes, so the suite takes about half as long as one worker's run.
test: $(STAMP)  ## the test suite (CI runs exactly this)
	ARCHIVE_REQUIRE_POSTGRES=1 ARCHIVE_REQUIRE_COMPILED=1 $(BIN)/python -m pytest -n 2

test-fast: $(STAMP)  ## everything but the tests marked slow (processes, large archives, quality floors)
	$(BIN)/python -m pytest -m "not slow" -n 2

check: $(STAMP)  ## lint and type-check (CI runs this before the tests)
	$(BIN)/python -m ruff check .
	$(BIN)/python -m mypy

bench: $(STAMP)
	$(BIN)/python bench/ingest_speed.py

clean:
	rm -rf $(VENV) build *.egg-info
	find retrieval -name '*.so' -delete
