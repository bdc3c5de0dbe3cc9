# attribution: two commands do everything on a fresh machine (Python 3.11 and make present).
#   make report   set up, then build the full report set on the built-in demo data
#   make test     set up (the venv, and the system packages the tests need), then run every test
# `make help` lists every target.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
SYSTEM := scripts/system-packages.sh
LINTED := $(wildcard src tests benchmarks scripts notebooks)

.DEFAULT_GOAL := help
.PHONY: help setup system report test lab lint format clean screenshot bench bench-large

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# The venv is rebuilt when pyproject.toml is newer than the stamp (dependencies changed).
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) ## create .venv (if missing or stale) and install the package with dev tools

report: $(STAMP) ## set up, then build the full report set on the demo data (prints the index path)
	$(VENV)/bin/attribution run params/default.yaml --jobs 4

system: ## install what the tests need besides Python (Chromium, PostgreSQL, Java); sudo if not root
	@sh $(SYSTEM)

test: $(STAMP) system ## set up (venv and system packages), then run every test
	JAVA_HOME="$${JAVA_HOME:-$$(sh $(SYSTEM) --java-home)}" $(PY) -m pytest

lab: $(STAMP) ## JupyterLab on working copies of the notebooks in outputs/lab/ (127.0.0.1; prints address and token)
	$(PY) -m attribution.report.lab --notebooks notebooks --dir outputs/lab

lint: $(STAMP) ## ruff lint + format check, mypy on src/, the layer contract (lint-imports)
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: $(STAMP) ## apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff check --fix $(LINTED)
	$(VENV)/bin/ruff format $(LINTED)

clean: ## remove the venv, caches and outputs (keeps outputs/README.md)
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
	find outputs -mindepth 1 ! -name README.md -exec rm -rf {} +

screenshot: $(STAMP) ## screenshot outputs/demo/00_summary.html into docs/ (headless Chromium)
	$(PY) scripts/screenshot.py outputs/demo/00_summary.html docs/screenshots/00_summary.png

bench: $(STAMP) ## time our pipeline and the published packages at 1M and 10M (installs the peers)
	$(PY) benchmarks/run.py

bench-large: $(STAMP) ## the benchmark plus 100M touches on polars' streaming engine (~16 GB)
	$(PY) benchmarks/run.py --large
