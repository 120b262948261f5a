# casetracker: `make run` to try it, `make test` to check it.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
MANAGE := $(PY) manage.py

.DEFAULT_GOAL := help
.PHONY: help install install-dev run test lint format migrations-check browser ci clean bench

help:
	@echo "make run               set up .venv, migrate, load demo data, serve on http://127.0.0.1:$(PORT)/"
	@echo "make test              install test tools and run the whole suite (DATABASE_URL selects PostgreSQL)"
	@echo "make lint              ruff check + format check"
	@echo "make migrations-check  fail when models and migrations differ"
	@echo "make bench             benchmark table + bench-results/latest.json (SCALES=\"1 10\", DATABASE_URL)"

$(VENV)/bin/python:
	@python=$$(bin/find-python) && echo "Creating $(VENV) with $$python" && "$$python" -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-dev: $(VENV)/.installed-dev

# The local key for fields encrypted at rest, made once and kept out of git:
# without it the encrypted fields of the local database cannot be read.
.env.local: | $(VENV)/.installed-run
	@$(PY) -c "from cryptography.fernet import Fernet; print('CASETRACKER_FIELD_KEYS=' + Fernet.generate_key().decode())" > $@
	@echo "Generated a field-encryption key in .env.local (git-ignored). Keep it with the database."

LOCAL_ENV := set -a && . ./.env.local && set +a &&

run: install .env.local
	$(LOCAL_ENV) $(MANAGE) migrate --no-input
	$(LOCAL_ENV) $(MANAGE) load_demo
	$(LOCAL_ENV) $(MANAGE) create_local_admin
	$(LOCAL_ENV) $(MANAGE) runserver 127.0.0.1:$(PORT)

# Browser tests need Debian's chromium; install it when it is missing and apt
# can. Under CI=true the browser tests fail (not skip) when it is still absent.
browser:
	@if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
			|| echo "Could not install chromium; browser tests will not run"; \
	fi

test: install-dev browser
	$(PY) -m pytest

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	$(MANAGE) makemigrations --check --dry-run

ci: lint migrations-check test

# Benchmarks (tests/bench/run.py; see PERFORMANCE.md), not part of `make test`.
# Each scale keeps its own generated database under bench-results/ (or, with
# DATABASE_URL, a PostgreSQL database named after it), reused on later runs.
SCALES ?= 1
BENCH_RUNS ?= 30
bench: install
	$(PY) -m tests.bench.run --scales $(SCALES) --runs $(BENCH_RUNS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-output
