# QualityTrack — the two commands: `make run` and `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test install system-deps setup lint check serve worker beat

$(BIN)/.installed: pyproject.toml requirements.lock
	$(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "QualityTrack needs Python 3.11")'
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	touch $@

install: $(BIN)/.installed

system-deps:
	@bash scripts/system-deps.sh

## DEMO=1 (default): load the made-up demo history of approved figures (evidence 示例数据);
## `make run DEMO=0` loads none; `manage.py load_demo_history --remove` takes it out again.
DEMO ?= 1

## set up the database: migrate, seed (idempotent), progress, demo accounts, static files
## (the production setup: no demo history)
setup: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py loaddata seed_targets
	$(BIN)/python manage.py compute_progress --all
	$(BIN)/python manage.py create_demo_users

## make run: install, migrate, load the seed data, create demo accounts, then the web server on
## :$(PORT), a Celery worker and beat (Procfile, via honcho) on kombu's filesystem broker in
## .run/broker: no service to start; Ctrl-C stops all three.
run: setup
ifneq ($(DEMO),0)
	$(BIN)/python manage.py load_demo_history
endif
	PATH="$(abspath $(BIN)):$$PATH" CELERY_BROKER_URL=filesystem:// \
	  $(BIN)/honcho start --procfile Procfile --port $(PORT)

## make test: install and run the whole suite (SQLite, Celery eager)
test: install system-deps
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

worker: install
	$(BIN)/celery -A qualitytrack worker -l info

beat: install
	$(BIN)/celery -A qualitytrack beat -l info
