# Two entry points, each setting up its own virtual environment on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/pathway demo

# What CI runs (.ci/run calls exactly this): PostgreSQL joins the run when one answers at
# PATHWAY_TEST_DATABASE_URL or, unset, at 127.0.0.1:5432 (user postgres, database test); -rs prints
# why each skipped test skipped (no PostgreSQL, no Chromium for the browser tests). The tests run in
# pytest-xdist workers, one per core (TEST_WORKERS=0 runs them in this process); a test file stays on
# one worker (--dist loadfile), so a module's server or browser starts once. Bytecode is cached even
# where the environment says not to (PYTHONDONTWRITEBYTECODE, as in many Python images): every command
# and server the tests start would otherwise compile the whole project again, and each worker would
# rewrite every test module's asserts again (half of collection).
TEST_WORKERS ?= auto
test: $(STAMP)
	@url="$$($(BIN)/python tests/local_postgres.py)"; \
	if [ -n "$$url" ]; then echo "make test: PostgreSQL at $$url: its tests run too"; \
	else echo "make test: no PostgreSQL answers: its tests skip (see README, Development)"; fi; \
	PYTHONDONTWRITEBYTECODE= PATHWAY_TEST_DATABASE_URL="$$url" $(BIN)/python -m pytest -rs -n $(TEST_WORKERS) --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy && $(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/knowledge_bench.py

clean:
	rm -rf $(VENV)
