# PaxCare. `make run` and `make test` do every set-up step on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
export PAXCARE_VAR_DIR ?= $(CURDIR)/var

.PHONY: run test lint format setup migrate messages translations static vendor bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP) messages

messages: $(STAMP)
	$(BIN)/python scripts/compile_messages.py

# Extract the strings to translate (needs GNU gettext). An app with a locale/ folder
# keeps its own catalogue: the project run leaves it out and a run inside the app
# folder updates it, so a new app's catalogue is found without editing this file.
APP_LOCALES = $(wildcard src/paxcare/*/locale)
OWN_CATALOGUE_APPS = $(sort remedies comms disruptions surveys \
	$(notdir $(patsubst %/locale,%,$(APP_LOCALES))))
MAKEMESSAGES = PAXCARE_TESTING=1 $(CURDIR)/$(BIN)/paxcare makemessages \
	-l zh_Hans --no-obsolete

translations: $(STAMP)
	cd src/paxcare && $(MAKEMESSAGES) --ignore 'static/*' \
		$(foreach app,$(OWN_CATALOGUE_APPS),--ignore '$(app)/*')
	set -e; for locale in $(APP_LOCALES); do \
		(cd "$${locale%/locale}" && $(MAKEMESSAGES)); \
	done

vendor:
	sh scripts/vendor-static.sh

static: setup vendor
	mkdir -p $(PAXCARE_VAR_DIR)
	PAXCARE_DEMO=1 $(BIN)/paxcare collectstatic --noinput --verbosity 0

migrate: setup
	mkdir -p $(PAXCARE_VAR_DIR)
	PAXCARE_DEMO=1 $(BIN)/paxcare migrate --noinput --verbosity 0

run: static migrate
	PAXCARE_DEMO=1 PORT=$(PORT) $(BIN)/paxcare seed-demo
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
