# NotebookShare: `make run` starts the app, `make test` runs every check. Both set up first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test lint format check-python migrate static charts node browser ops-tools katex corpus bench bench-diff clean

# DEBUG is off unless set: the local trial and the test run turn it on here (a test run still
# exercises production behaviour: pytest-django runs every test with DEBUG off). The trial also
# turns sign-up on (by invite link; administrators make them under /accounts/invites/).
run test migrate static bench bench-diff: export DEBUG ?= 1
run: export SIGNUP_ENABLED ?= 1

$(STAMP): requirements.txt requirements-dev.txt .python-version
	@$(MAKE) --no-print-directory check-python
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
	  echo "NotebookShare needs Python 3.12 or newer, but '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Install Python 3.12+ (with pyenv, .python-version selects it) or run: make PYTHON=python3.12 ..."; \
	  exit 1; }

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

static: $(STAMP) charts
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

## charts: the pinned chart libraries (frontend/package-lock.json) into static/vendor/charts.
CHARTS_STAMP := static/vendor/charts/VERSIONS.txt
charts: $(CHARTS_STAMP)
$(CHARTS_STAMP): frontend/package.json frontend/package-lock.json frontend/build.mjs frontend/src/vega.js
	@$(MAKE) --no-print-directory node
	cd frontend && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	cd frontend && node build.mjs

## node: make sure Node.js and npm are installed (to vendor the chart libraries).
node:
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nodejs npm; \
	  else echo "Vendoring the chart libraries needs Node.js and npm: sudo apt-get install nodejs npm"; exit 1; fi; }

## katex: the pinned KaTeX (package.json, package-lock.json) that renders math on the server,
## installed from the npm registry into node_modules/ with its lockfile's integrity hashes.
KATEX := node_modules/.installed
$(KATEX): package.json package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nodejs npm; \
	  else echo "Math rendering needs Node.js: sudo apt-get install nodejs npm"; exit 1; fi; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

katex: $(KATEX)

## run: set up and serve the app on http://127.0.0.1:8000 with its background worker.
run: migrate static $(KATEX)
	@$(BIN)/python manage.py setup_token --url http://$(HOST):$(PORT)
	@echo "NotebookShare on http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(BIN)/python manage.py db_worker --interval 1 & \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

## serve: the production server (gunicorn, bin/serve) after migrating; see docs/deploy.md.
serve: migrate static $(KATEX)
	@echo "NotebookShare (production server) on http://$(HOST):$(PORT)/; workers: bin/worker"
	HOST=$(HOST) PORT=$(PORT) bin/serve

## ops-tools: nginx (to check docs/deploy.md's configuration) for the operations tests.
ops-tools:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq; \
	    if [ -e /usr/sbin/policy-rc.d ]; then apt-get install -y -qq nginx-light; \
	    else printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; \
	      apt-get install -y -qq nginx-light; rm -f /usr/sbin/policy-rc.d; fi; \
	  else echo "The deployment tests need nginx: sudo apt-get install nginx-light"; exit 1; fi; }

## browser: make sure Debian's Chromium is installed for the browser tests.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "The browser tests need Chromium: sudo apt-get install chromium"; exit 1; fi; }

## corpus: fetch the real-notebook corpus (corpus/packages.txt) into var/corpus once.
corpus: $(STAMP)
	$(BIN)/python -m corpus.fetch

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## test: lint, Django checks, migrations check, unit, integration and browser tests.
test: $(STAMP) $(KATEX) browser ops-tools lint static corpus
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

## bench: rendering benchmark over the real-notebook corpus.
bench: corpus static $(KATEX)
	$(BIN)/python bench/render.py

## bench-diff: comparison benchmark against nbdime 4.0.4, installed in its own virtualenv.
BENCH_VENV := var/bench-venv
$(BENCH_VENV)/.installed: requirements.txt bench/requirements.txt
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -r bench/requirements.txt
	touch $@

bench-diff: corpus $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python bench/diff.py

clean:
	rm -rf $(VENV) node_modules var/static .pytest_cache .ruff_cache static/vendor/charts frontend/node_modules
