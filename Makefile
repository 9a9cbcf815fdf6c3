# The two commands that matter: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The site address in e-mails and printed links follows them (config/settings/base.py).
export HOST PORT

.PHONY: run test test-browser install migrate seed worker bench bench-scale lint typecheck check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# Serves the site with the background-task worker and the once-a-minute alert sweep beside it
# (as cron would run them in production); Ctrl-C stops all three.
run: seed
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/python manage.py db_worker --queue-name '*' --interval 2 >> $(VENV)/worker.log 2>&1 & \
	while true; do $(BIN)/python manage.py run_alerts >> $(VENV)/alerts.log 2>&1; sleep 60; done & \
	echo "Background worker and alert sweep running (logs: $(VENV)/worker.log, $(VENV)/alerts.log)"; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite. With DATABASE_URL set it runs on that database (e.g. PostgreSQL).
test: install
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# Journeys in a real browser with axe-core: needs Debian's chromium (apt-get install chromium);
# installs axe-core from npm into .venv/node. Screenshots land in .venv/screenshots/.
AXE := $(VENV)/node/node_modules/axe-core/axe.min.js
$(AXE):
	npm install --silent --no-audit --no-fund --prefix $(VENV)/node axe-core@4.11

test-browser: install $(AXE)
	$(BIN)/python -m pytest -q -p no:randomly tests/browser --override-ini addopts="--strict-markers -p no:cacheprovider" $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m pytest -q -s -p no:randomly tests/perf --override-ini addopts= $(PYTEST_ARGS)

# Every screen, export and job at demo scale and on the scale issue's dataset (100k posts, ~1.2M
# history rows at BENCH_SCALE=1; try BENCH_SCALE=0.05 first). SQLite, or DATABASE_URL.
bench-scale: install
	BENCH_SCALE=$(or $(BENCH_SCALE),1) $(BIN)/python -m pytest -q -s -p no:randomly tests/perf/test_scale_benchmark.py -p no:logging --override-ini addopts= $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

# mypy with django-stubs over the files listed in pyproject.toml ([tool.mypy] files).
typecheck: install
	$(BIN)/mypy

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
