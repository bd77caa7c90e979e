# Everyday commands. Only python3 and make are needed: the first target
# creates .venv and installs newsmark into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: run test lint bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The postgres and model extras too, so the PostgreSQL engine's and the span
# model's tests run rather than skip (spaCy: about 35 s and 230 MB to install;
# its tests take seconds).
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,postgres,model]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/newsmark $(ARGS)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check annotations tui tests
	$(BIN)/lint-imports

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

screenshots: $(VENV)/.installed-test
	$(BIN)/python screenshots/make_screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
