# Two commands on a fresh machine: `make serve` and `make test`. Both install what they need.

PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do command -v $$p >/dev/null && { echo $$p; break; }; done)
VENV   := .venv
PY     := $(VENV)/bin/python
DEPS   := $(VENV)/.deps-installed
BUILD_DEPS := $(VENV)/.build-deps-installed
NODE_DEPS := tests/sdk/node_modules/.deps-installed
UI_DEPS := ui/node_modules/.deps-installed
CHROMIUM := /usr/bin/chromium
PYZ    := dist/pocketlite.pyz
SOURCES := $(shell find pocketlite -name '*.py') $(shell find ui_dist -type f) pyproject.toml build_zipapp.py

.PHONY: serve test lint pyz ui bench clean

# The virtualenv itself, shared by both sets of dependencies below. A Debian Python without
# ensurepip needs the python3-venv package first.
$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: pocketlite needs Python >= 3.11 (make PYTHON=python3.12 ...)"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { apt-get update && apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip

# What building the pyz needs (shiv): `make serve` installs no test or lint tools.
$(BUILD_DEPS): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[build]'
	touch $@

# pocketlite (editable) with the test, lint and build tools.
$(DEPS): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

# The official JS SDK for tests/sdk (pinned by package-lock.json).
$(NODE_DEPS): tests/sdk/package.json tests/sdk/package-lock.json
	@command -v npm >/dev/null || { apt-get update && apt-get install -y nodejs npm; }
	npm ci --prefix tests/sdk --no-audit --no-fund --loglevel=error
	touch $@

# The dashboard's build tools (Vite, Svelte, TypeScript; pinned by ui/package-lock.json). Only
# `make ui`, its type check and the test that checks ui_dist/ is fresh need them: the pyz carries
# the committed ui_dist/.
$(UI_DEPS): ui/package.json ui/package-lock.json
	@command -v npm >/dev/null || { apt-get update && apt-get install -y nodejs npm; }
	npm ci --prefix ui --no-audit --no-fund --loglevel=error
	touch $@

# The browser the dashboard tests drive (Debian's; Playwright downloads none).
$(CHROMIUM):
	apt-get update && apt-get install -y chromium

# Rebuild the dashboard into ui_dist/ (commit the result).
ui: $(UI_DEPS)
	npm run build --prefix ui

$(PYZ): $(BUILD_DEPS) $(SOURCES)
	$(PY) build_zipapp.py --output $(PYZ)

pyz: $(PYZ)

# Builds the single-file server and runs it on ./pb_data (127.0.0.1:8090).
serve: $(PYZ)
	./$(PYZ) serve

lint: $(DEPS) $(UI_DEPS)
	$(PY) -m ruff check pocketlite tests bench build_zipapp.py
	$(PY) -m ruff format --check pocketlite tests bench build_zipapp.py
	$(PY) -m mypy
	npm run check --prefix ui

test: $(DEPS) $(NODE_DEPS) $(UI_DEPS) $(CHROMIUM) lint
	$(PY) -m pytest -n 2 --dist loadgroup

# The startup/memory and records-API benchmarks against PocketBase (several minutes).
bench: $(DEPS)
	$(PY) -m bench.startup
	$(PY) -m bench.records --workers 2
	$(PY) -m bench.auth
	$(PY) -m bench.realtime
	$(PY) -m bench.realtime --workers 2 --subscribers 500,1000
	$(PY) -m bench.files
	$(PY) -m bench.operations
	$(PY) -m bench.dashboard

clean:
	rm -rf dist build $(VENV) tests/sdk/node_modules .pytest_cache .mypy_cache .ruff_cache
