# PaxCare. `make run` and `make test` do every set-up step on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
export PAXCARE_VAR_DIR ?= $(CURDIR)/var

.PHONY: run test lint format setup migrate messages static vendor bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP) messages

messages: $(STAMP)
	$(BIN)/python scripts/compile_messages.py

vendor:
	sh scripts/vendor-static.sh

static: setup vendor
	PAXCARE_DEMO=1 $(BIN)/paxcare collectstatic --noinput --verbosity 0

migrate: setup
	mkdir -p var
	PAXCARE_DEMO=1 $(BIN)/paxcare migrate --noinput --verbosity 0

run: static migrate
	PAXCARE_DEMO=1 $(BIN)/paxcare seed-demo
	PAXCARE_DEMO=1 PORT=$(PORT) $(BIN)/paxcare serve

test: setup vendor
	PAXCARE_TESTING=1 $(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PAXCARE_TESTING=1 $(BIN)/paxcare makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	PAXCARE_TESTING=1 $(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var
