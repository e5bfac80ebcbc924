# The two commands: `make run` serves the site, `make test` runs the suite.
# Both build .venv first, so a fresh machine needs only Python 3.10+.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test e2e smoke bench venv superuser clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

# Local development: DEBUG on, SQLite in the project folder. The email worker
# runs beside the server and prints every email to this console.
run: export DEBUG = true
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: venv
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_clinic_content
	$(BIN)/python manage.py worker --no-reload --interval 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: venv
	$(BIN)/python -m pytest --ignore=tests/e2e --ignore=tests/production $(ARGS)

# The production smoke run (tests/production): the site deployed as README.md's
# "Production" says, gunicorn and the email worker on this machine's PostgreSQL
# and Redis (127.0.0.1:5432, :6379), an SMTP server of its own. Fails, never
# skips, when either is not running.
smoke: venv
	$(BIN)/python -m pytest tests/production -p no:cacheprovider $(ARGS)

# Browser tests (tests/e2e): valid HTML, axe, booking with and without
# JavaScript. Needs Debian's chromium and a Java runtime besides Python.
E2E_STAMP := $(VENV)/.installed-e2e

$(E2E_STAMP): $(STAMP) requirements-e2e.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-e2e.txt
	touch $(E2E_STAMP)

e2e: $(E2E_STAMP)
	$(BIN)/python -m pytest tests/e2e -p no:cacheprovider $(ARGS)

# Lighthouse on "/" in its mobile settings, the site served as in production (DEBUG off, collectstatic,
# WhiteNoise, gunicorn, the README's nginx with an opening photo in MEDIA_ROOT): prints the four scores
# and the largest contentful paint; fails under 100 or at 1.5 s and over. Not part of .ci/run. Needs
# Node.js (npm) and Debian's chromium; Lighthouse itself goes under .venv/lighthouse, never the project.
CHROME_PATH ?= /usr/bin/chromium
LIGHTHOUSE := $(VENV)/lighthouse/node_modules/.bin/lighthouse

$(LIGHTHOUSE): $(STAMP)
	npm install --prefix $(VENV)/lighthouse --no-audit --no-fund --loglevel=error lighthouse@12
	touch $(LIGHTHOUSE)

.PHONY: lighthouse
lighthouse: $(LIGHTHOUSE)
	CHROME_PATH=$(CHROME_PATH) LIGHTHOUSE=$(LIGHTHOUSE) $(BIN)/python -m tests.production.lighthouse

# Benchmarks: figures for the busiest pages and the open-times calculation,
# at 0, 500 and 2,000 bookings in a month. Prints; asserts nothing about time.
bench: venv
	$(BIN)/python -m pytest tests/bench -o python_files="bench_*.py" -p no:cacheprovider -q -s

superuser: export DEBUG = true
superuser: venv
	$(BIN)/python manage.py createsuperuser

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# Translations, for developers changing interface strings: extracts every string
# into locale/es/LC_MESSAGES/django.po (keeping the translations already there),
# then compiles django.mo. Translate anything new or marked "#, fuzzy" in the .po,
# then run it again. Needs GNU gettext (Debian's `gettext` package); running the
# site does not, as the compiled .mo is committed (tests/test_translations.py
# checks it matches the .po).
.PHONY: messages
messages: export DEBUG = true
messages: venv
	mkdir -p locale
	$(BIN)/python manage.py makemessages -l es --ignore=$(VENV) --ignore=tests --ignore=staticfiles --no-location
	$(BIN)/python manage.py compilemessages -l es --ignore=$(VENV)
