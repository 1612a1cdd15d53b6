# Minsheng: `make demo` sets up and serves the demo; `make test` sets up and runs the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := minsheng.settings

.PHONY: demo test test-browser test-postgres serve install lint lock messages clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the lock file changes.
$(VENV)/.installed: requirements.lock | $(BIN)/activate
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py load_demo
	PORT=$(PORT) bin/serve

serve: install
	PORT=$(PORT) bin/serve

test: install
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0
	$(BIN)/ruff check .
	$(BIN)/pytest -m "not browser" -q

test-browser: install
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/pytest -m browser -q

lint: install
	$(BIN)/ruff check .

# Regenerate the lock file after changing pyproject.toml.
lock: $(BIN)/activate
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile -q --generate-hashes --extra dev --strip-extras -o requirements.lock pyproject.toml

messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=var --no-obsolete

clean:
	rm -rf $(VENV) var
