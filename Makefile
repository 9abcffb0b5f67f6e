# Two commands for a fresh machine: `make run` and `make test` (see README).
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PORT    ?= 5000
PYTEST_ARGS ?=

.PHONY: run test lint bench install translations chromium wrk clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

# Install the locked dependencies; uv when it can be had (fast), pip otherwise.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	@if $(BIN)/python -m pip install -q uv >/dev/null 2>&1 && [ -x $(BIN)/uv ]; then \
	  echo "Installing dependencies with uv"; \
	  $(BIN)/uv pip install --python $(BIN)/python -q -r requirements.lock; \
	else \
	  echo "Installing dependencies with pip"; \
	  $(BIN)/python -m pip install -q -r requirements.lock; \
	fi
	@touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	@$(BIN)/pybabel compile -d app/translations >/dev/null

run: install
	$(BIN)/flask setup
	PORT=$(PORT) $(BIN)/flask serve --port $(PORT)

# Browser tests need Debian's Chromium: installed here when we are root, else we say how.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium (browser tests need it)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
	  else \
	    echo "The browser tests need Chromium. Install it with:  sudo apt-get install -y chromium"; exit 1; \
	  fi; }

# The HTTP benchmarks drive load with wrk (a C load generator; a Python client saturates first).
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's wrk (the HTTP benchmarks need it)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null; \
	  else \
	    echo "The HTTP benchmarks want wrk. Install it with:  sudo apt-get install -y wrk"; \
	  fi; }

test: install chromium
	@$(BIN)/lint-imports --no-cache >/dev/null || { $(BIN)/lint-imports --no-cache; exit 1; }
	@$(BIN)/pytest $(PYTEST_ARGS); rc=$$?; \
	  [ $$rc -ne 5 ] || echo "pytest collected no tests: that counts as a failure"; exit $$rc

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

bench: install wrk
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
