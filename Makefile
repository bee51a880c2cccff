# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Browser tests drive Debian's Chromium; Playwright must never download its own browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run test install install-dev lint format clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# The task worker beside the server: the database's (nothing else to install), or RQ's when
# REDIS_URL is set (see README "Background jobs" for more workers, on any machine).
WORKER = $(if $(REDIS_URL),rqworker --job-class django_tasks_rq.Job default,db_worker)

## make run: install, migrate, load the sample data, make sure a superuser exists, serve the
## admin with one task worker beside it (stopped with the server).
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py load_seed_data --if-empty
	$(PY) manage.py ensure_superuser
	@echo "Admin: http://127.0.0.1:$(PORT)/admin/"
	@echo "Task worker: manage.py $(WORKER) (imports and exports run there; stops with the server)"
	@$(PY) manage.py $(WORKER) & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## make test: lint, migrations check and the whole pytest suite against DATABASE_URL (default SQLite).
test: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache staticfiles
