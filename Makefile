# The README's two commands: `make run` and `make test`. Everything else they need is set up here.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PYTHON  ?= python3

.PHONY: run test lint bench setup clean

$(STAMP): pyproject.toml
	@rm -f $(VENV)/.installed-*
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

run: setup  ## migrate, load the demo festival if the database is empty, serve on http://127.0.0.1:8000
	$(VENV)/bin/lehoi serve

# the test tools from npm (axe-core for the accessibility test, Lighthouse for its bench), as package-lock.json pins
# them; the app itself needs none of it (pwa/vendor is committed)
node_modules/.package-lock.json: package-lock.json
	@command -v npm >/dev/null && npm ci --no-audit --no-fund --loglevel=error || echo "npm is missing: the axe test will not run"

test: setup node_modules/.package-lock.json  ## every test, on SQLite (or on PostgreSQL when LEHOI_DATABASE_URL is set)
	$(PY) -m pytest

lint: setup  ## ruff (lint and format) over the Python, and node's syntax check over every PWA module
	$(VENV)/bin/ruff check server sync tests bench fixtures setup.py
	$(VENV)/bin/ruff format --check server sync tests bench fixtures setup.py
	@command -v node >/dev/null || (echo "lint: node is missing, so the PWA's JavaScript was not checked" && false)
	@find pwa tests/js -name '*.js' -o -name '*.mjs' | grep -v '^pwa/vendor/' | sort | xargs -n1 node --check

bench: setup  ## the speed goals of bench/, each beside its baseline measured in the same run
	@command -v wrk >/dev/null || (apt-get install -y -qq wrk >/dev/null 2>&1 || echo "bench: install wrk for the HTTP figures")
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) data
