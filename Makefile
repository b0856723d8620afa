# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
VENV := .venv
PYTHON := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000

.PHONY: run serve test test-fast check translations browser nginx bench clean

$(PYTHON):
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(PYTHON)
	$(PYTHON) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	$(PYTHON) -m pip install --quiet -r requirements-dev.txt
	touch $@

## Serve the directory with its seed data on SQLite at http://127.0.0.1:$(PORT).
run: $(VENV)/.runtime-installed
	FLASK_DEBUG=1 $(FLASK) db upgrade
	FLASK_DEBUG=1 $(FLASK) seed
	$(FLASK) run --debug --host 127.0.0.1 --port $(PORT)

## The production stack in the foreground on http://127.0.0.1:$(PORT): nginx buffering
## requests in front of gunicorn (deploy/); DATABASE_URL, SECRET_KEY and
## RATELIMIT_STORAGE_URI come from the environment. Stops on SIGTERM or Ctrl-C.
serve: $(VENV)/.runtime-installed nginx
	$(FLASK) db upgrade
	$(FLASK) seed
	PORT=$(PORT) exec $(PYTHON) deploy/serve.py

# The suite runs on both cores; TESTS_WORKERS=0 runs it in one process.
TESTS_WORKERS ?= 2

## Install what the tests need, run the static checks, then the whole suite.
test: check browser nginx
	$(PYTHON) -m pytest -n $(TESTS_WORKERS)

## The inner loop: everything but the browser, the fuzzers and the slow multi-server tests.
test-fast: $(VENV)/.dev-installed
	$(PYTHON) -m pytest -n $(TESTS_WORKERS) -m "not browser and not slow and not fuzz"

## Static checks: lint and format, bandit (no high-severity finding), known-vulnerable pins.
check: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit --quiet --recursive --severity-level high --configfile pyproject.toml directory scripts deploy wsgi.py
	$(PYTHON) scripts/audit_requirements.py requirements.txt

## The national-scale benchmark (minutes; not part of `make test`): writes bench/results.md.
bench: $(VENV)/.dev-installed browser
	$(PYTHON) bench/run.py

## Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium).
browser:
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
		else echo "Chromium is missing: apt-get install chromium (browser tests will skip)"; fi; }

## Debian's nginx for `make serve` and the production-stack tests.
nginx:
	@test -x /usr/sbin/nginx || command -v nginx >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; \
		else echo "nginx is missing: apt-get install nginx (make serve needs it; its tests will skip)"; fi; }

## Refresh the message catalogues after changing UI strings, then fill in translations.
translations: $(VENV)/.dev-installed
	$(VENV)/bin/pybabel extract --width 100 -F babel.cfg -k _l -o directory/translations/messages.pot directory templates
	$(VENV)/bin/pybabel update --width 100 -i directory/translations/messages.pot -d directory/translations
	$(PYTHON) scripts/fill_english_catalogue.py
	$(VENV)/bin/pybabel compile -d directory/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
