# Minsheng: `make demo` sets up and serves the demo; `make test` sets up and runs the test suite.
# Both start from a fresh clone: they make the virtualenv in .venv and install the locked packages.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PORT ?= 8000
# Where the SQLite files, huey's queue and the collected static files go (minsheng/settings.py reads the same
# variable). Importing the settings makes no directory, so every target that starts Django makes it first.
VAR_DIR ?= var
export DJANGO_SETTINGS_MODULE := minsheng.settings

.PHONY: demo serve test test-browser fuzz install messages lint lock clean dirs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the lock file changes; every package is pinned and checked against its hash.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

# Debian packages beyond Python (pango and a Chinese font for the PDF ledger), installed where missing.
install: $(VENV)/.installed
	bin/system-packages

# var/ before Django starts: the SQLite database and huey's queue live in it, and whitenoise warns on every
# request when var/static is missing.
dirs:
	mkdir -p $(VAR_DIR)/static

# The .mo files are built, not committed.
messages: install dirs
	$(MANAGE) compilemessages --ignore=.venv --ignore=var -v0

# Safe to run again: migrations and load_demo change nothing that is already there.
demo: messages
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) collectstatic --noinput -v0
	$(MANAGE) load_demo
	PORT=$(PORT) bin/serve

serve: messages
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) collectstatic --noinput -v0
	PORT=$(PORT) bin/serve

# The whole suite on SQLite, browser tests excepted (`make test-browser`; `.ci/run` runs both and PostgreSQL), in a
# process per core (pytest-xdist), each test file in one process so that a module's demo is loaded once.
test: messages
	$(BIN)/ruff check .
	$(BIN)/pytest -m "not browser" -q -n auto --dist loadfile

# Every test marked `browser`: everything under e2e/ and the browser tests kept beside an app's other tests.
test-browser: messages
	bin/system-packages --browser
	$(MANAGE) collectstatic --noinput -v0
	$(BIN)/pytest -m browser -q

# The API fuzzing gate of .ci/run (schemathesis, three callers, on the demo in a temporary SQLite database).
fuzz: messages
	bin/api-fuzz

lint: install
	$(BIN)/ruff check .

# Regenerate the lock file after changing pyproject.toml. Extras are kept (fonttools[woff]==…): the venv's pip
# takes a dependency's `fonttools[woff]>=…` for a new, unpinned requirement as soon as PyPI has a newer release
# than the lock's, unless the lock pins the name with its extra.
lock: $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile -q --generate-hashes --extra dev -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) var

# Benchmarks (bench/): generate the synthetic city into a fresh database, serve it with gunicorn as in
# production, drive bounded load on loopback, print one table and write it to bench/RESULTS.md.
# `make bench` runs the default profile (SQLite, under 10 minutes); PROFILE=subdistrict for 200,000 needs;
# `make bench-city` is Lanzhou on PostgreSQL with 2 million needs (~1 hour on 2 cores; BENCH_ARGS="--needs 10000000"
# for the whole city: ~2.5 hours and ~115 GB of disk here, bench/README.md).
.PHONY: bench bench-city
bench: messages
	$(BIN)/python -m bench.run --profile $(or $(PROFILE),default) $(BENCH_ARGS)

bench-city: messages
	$(BIN)/python -m bench.run --profile city --needs 2000000 --claims 120 --requests 200 --skip roster,helpdesk \
		--output bench/RESULTS-city.md $(BENCH_ARGS)

# The soak (bench/soak.py; not part of `make test`): a fresh demo database in a temporary VAR_DIR served as
# bin/serve serves it (gunicorn + the huey consumer on SQLite), mixed load for MINUTES (default 10) while the
# consumer and a web worker are SIGKILLed; fails unless every answered need and action, the event chain and every
# notification are there afterwards. Writes bench/SOAK.md. SOAK_ARGS="--huey-kills 8" etc.: `-m bench.soak -h`.
.PHONY: soak
soak: messages
	$(BIN)/python -m bench.soak --minutes $(or $(MINUTES),10) $(SOAK_ARGS)
