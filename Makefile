# The two commands: `make run` serves the site, `make test` runs the suite.
# Both build .venv first, so a fresh machine needs only Python 3.10+.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv migrate content superuser clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

# Local development: DEBUG on, SQLite in the project folder. The email worker
# runs beside the server and prints every email to this console.
run: export DEBUG = true
run: venv
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_clinic_content
	$(BIN)/python manage.py db_worker --no-reload --interval 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: venv
	$(BIN)/python -m pytest $(ARGS)

superuser: export DEBUG = true
superuser: venv
	$(BIN)/python manage.py createsuperuser

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
