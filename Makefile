# One command per task, the same locally and in CI. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
# test-fast points PostgreSQL at a port nobody listens on: a test that needs it fails there instead
# of quietly using a server the fast loop promises not to need.
NO_PG  := postgresql://postgres@127.0.0.1:1/unreachable

.DEFAULT_GOAL := help

help:  ## list the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)  ## create .venv and install Accord with every dependency (pinned by constraints.txt)

serve: $(STAMP)  ## start the registry on its embedded SQLite default (http://127.0.0.1:8081)
	$(BIN)/accord serve

postgres:  ## make sure the local PostgreSQL (127.0.0.1:5432) is up; tests need it
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; echo "PostgreSQL did not start" >&2; exit 1

lint: $(STAMP)  ## ruff and mypy (strict) over the packages, tests and benchmarks, hadolint over the Dockerfile
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile

test: $(STAMP) postgres lint  ## the whole suite: lint, types, unit, property, integration, end-to-end
	ACCORD_TEST_POSTGRES_URL=$${ACCORD_TEST_POSTGRES_URL:-$(PG_URL)} $(BIN)/pytest -n 2 -p no:cacheprovider

test-fast: $(STAMP)  ## the edit loop: unit, property and contracts tests; no lint, e2e, slow tests or PostgreSQL
	ACCORD_TEST_POSTGRES_URL=$(NO_PG) $(BIN)/pytest -m "not slow and not postgres" --ignore=tests/e2e -p no:cacheprovider -q

bench: $(STAMP) postgres  ## run the benchmarks and print ratios (see bench/RESULTS.md)
	for f in bench/bench_*.py; do $(BIN)/python $$f || exit 1; done

format: $(STAMP)  ## apply ruff's formatter and import sorting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

dist: $(STAMP)  ## build the wheel and the sdist into dist/ (accord_registry-VERSION…)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .

clean:  ## remove the virtualenv and caches
	rm -rf $(VENV) dist build .mypy_cache .ruff_cache .hypothesis

.PHONY: help venv serve postgres lint test test-fast bench format dist clean
