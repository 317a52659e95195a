# Amnesty-portalen. `make run` serves the portal with demo data; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test system-deps venv dev-venv messages compilemessages lint check bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Runtime dependencies only; the stamp file re-installs when requirements change.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev

# Debian packages: gettext for translations; PostgreSQL, Redis and Chromium for the tests.
system-deps:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

run-deps:
	@command -v msgfmt >/dev/null || { if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq gettext >/dev/null; }

compilemessages:
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore '.venv/*' -v 0

messages:
	DEBUG=true $(BIN)/python manage.py makemessages -l nb --ignore '.venv/*' --ignore 'var/*' --no-obsolete

# The web server and a Celery worker with embedded beat (filesystem broker: no server needed).
run: run-deps venv compilemessages
	@set -e; export DEBUG=true; \
	$(BIN)/python manage.py migrate --no-input -v 0; \
	$(BIN)/python manage.py load_demo_data; \
	$(BIN)/celery -A amnesty_portal worker --beat --pool=solo --loglevel=WARNING \
	  --schedule-filename var/celerybeat-schedule >var/celery.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	echo; echo "Amnesty-portalen: http://127.0.0.1:$(PORT)/  (Celery worker and beat log: var/celery.log)"; \
	echo "Demo accounts, password amnesty-demo:"; \
	echo "  admin@example.org            secretariat admin"; \
	echo "  region.bergen@example.org    regional leader, Bergen"; \
	echo "  region.oslo@example.org      regional leader, Oslo"; \
	echo "  kontakt.bergen@example.org   contact person of Amnesty Bergen sentrum"; \
	echo "  medlem@example.org           member of Amnesty Bergen sentrum"; \
	echo "  ny@example.org               new member, in no group"; echo; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: system-deps dev-venv compilemessages
	./tests/services.sh $(BIN)/pytest --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

# Benchmark tools (locust) on top of the development tools.
$(VENV)/.installed-bench: requirements.txt requirements-dev.txt requirements-bench.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $(VENV)/.installed $(VENV)/.installed-dev $@

bench: system-deps $(VENV)/.installed-bench
	./tests/services.sh $(BIN)/python bench/import_members.py
	./tests/services.sh $(BIN)/python bench/criteria.py
	./tests/services.sh $(BIN)/python bench/outbox.py
	./tests/services.sh $(BIN)/python bench/reminders.py
	./tests/services.sh $(BIN)/python bench/welcome.py
	./tests/services.sh $(BIN)/python bench/dashboard_load.py

clean:
	rm -rf var .pytest_cache .coverage htmlcov
