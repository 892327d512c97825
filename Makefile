# Two commands on a fresh machine: `make run` serves the app with demo data, `make test` tests it.
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app app
PORT   ?= 5000
PYTHON ?= python3

.PHONY: run serve test test-sqlite test-postgres run-sqlite-tests run-postgres-tests lint format setup chromium postgresql assets db bench clean

run: db
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

serve: db
	$(VENV)/bin/gunicorn --workers $${WORKERS:-4} --bind 127.0.0.1:$(PORT) "app:create_app()"

setup: $(VENV)/.installed assets

# Debian's Chromium, for the browser tests and the PDF benchmark's comparison only: the app
# itself never needs it, so running or upgrading a server does not install it.
chromium:
	sh scripts/ensure-chromium.sh

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# NHS.UK frontend's compiled CSS, JS and images, served from /assets.
assets: node_modules/.installed
	mkdir -p app/static/vendor app/static/images
	cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css app/static/vendor/
	cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js app/static/vendor/
	cp -r node_modules/nhsuk-frontend/dist/nhsuk/assets/images/. app/static/images/

# Create or upgrade the database (SQLite under instance/ unless DATABASE_URL says otherwise).
db: setup
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) framework load

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check app tests bench
	$(VENV)/bin/ruff format --check app tests bench

format: $(VENV)/.installed
	$(VENV)/bin/ruff format app tests bench
	$(VENV)/bin/ruff check --fix app tests bench

# The whole suite on SQLite, and on a throwaway PostgreSQL server. scripts/pg-test-server.sh
# installs PostgreSQL if missing, starts it in a temporary folder (unix socket only), runs the
# suite against it and stops it even when tests fail. Two parts are left out of the second run
# because no database of ours is in them: the pure framework engine (tests/engine) and the
# browser journeys, whose live server always runs on its own SQLite file. Everything that
# touches the app's database runs on both.
PYTEST_SQLITE   := TEST_DATABASE_URL= $(PY) -m pytest
PYTEST_POSTGRES := scripts/pg-test-server.sh run sh -c 'TEST_DATABASE_URL="$$PG_TEST_URL" exec $(PY) -m pytest --ignore=tests/engine -m "not browser"'

# Lint, then both runs side by side: they share no database, file or port, and each is one
# Python process, so a machine with two cores takes about the time of the longer one.
# Everything is installed first, one install at a time (.NOTPARALLEL below). The PostgreSQL
# run's output is printed after the SQLite run's; the target fails if either run fails, and
# Ctrl-C stops both (scripts/side-by-side.sh).
test: setup chromium postgresql lint
	bash scripts/side-by-side.sh "$(MAKE) --no-print-directory run-sqlite-tests" \
		"$(MAKE) --no-print-directory run-postgres-tests" "the same suite on PostgreSQL"

# The two runs alone, with nothing installed first (`test` has done that).
run-sqlite-tests:
	$(PYTEST_SQLITE)

run-postgres-tests:
	$(PYTEST_POSTGRES)

test-sqlite: setup chromium
	$(PYTEST_SQLITE)

test-postgres: setup postgresql
	$(PYTEST_POSTGRES)

# Prerequisites one at a time, even under `make -j`: two of them install packages with apt.
.NOTPARALLEL:

postgresql:
	sh scripts/pg-test-server.sh install

bench: setup chromium
	for script in bench/*.py; do $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules app/static/vendor app/static/images
