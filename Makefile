# Fokus: `make run` serves a development copy, `make test` runs the suite. Both create .venv.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two stamps: `run`, `migrate` and `serve` need the runtime dependencies only; the test targets add
# the [test] extras (Playwright, Hypothesis, pytest...) on top.
RUNTIME_STAMP := $(VENV)/.installed-runtime
TEST_STAMP := $(VENV)/.installed-test
FLASK := $(BIN)/flask --app app
PG_ADMIN_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run demo serve test test-pg bench mutation migrate install clean-db i18n

$(RUNTIME_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -e .
	touch $@

$(TEST_STAMP): $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(TEST_STAMP)

migrate: $(RUNTIME_STAMP)
	$(FLASK) db upgrade

run: migrate
	@if [ -n "$(DEMO)" ]; then $(FLASK) fokus demo; fi
	FOKUS_DEMO_LOGIN_HINT=$(if $(DEMO),1,) $(FLASK) run --host $(HOST) --port $(PORT)

demo: migrate
	$(FLASK) fokus demo
	FOKUS_DEMO_LOGIN_HINT=1 $(FLASK) run --host $(HOST) --port $(PORT)

# Production: gunicorn with gunicorn.conf.py; refuses development defaults (see docs/deploy.md).
# Run `flask --app app db upgrade` first, once for all instances.
serve: $(RUNTIME_STAMP)
	$(BIN)/gunicorn -c gunicorn.conf.py

# The suites that guard secrets and access, run once more with every test client asking for
# bokmål (FOKUS_TEST_LANG=nb): they must hold in both languages.
NB_SUITES := tests/security tests/test_sharing_access.py $(wildcard tests/test_markers_*.py)

# The whole suite on SQLite (browser tests included when Chromium is installed), then the
# marker, access and security suites in bokmål.
test: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)
	FOKUS_TEST_LANG=nb $(BIN)/python -m pytest -n 2 -q $(NB_SUITES)

# The same suite on PostgreSQL: each test process creates and drops its own database.
test-pg: $(TEST_STAMP)
	$(BIN)/ruff check .
	FOKUS_TEST_DATABASE_URL=$(PG_ADMIN_URL) $(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

bench: $(TEST_STAMP)
	for b in bench/[!_]*.py; do $(BIN)/python $$b || exit 1; done

clean-db:
	rm -f instance/fokus.db instance/fokus.db-wal instance/fokus.db-shm

# Deliberate bugs in the security-critical modules, one at a time: the suite must catch each.
# Several minutes; not part of `make test`. PG=1 runs it on PostgreSQL.
mutation: $(TEST_STAMP)
	$(BIN)/python tests/mutation/run.py $(if $(PG),--pg $(PG_ADMIN_URL),)

# Every user-facing message has its bokmål text (translations/<area>/nb/LC_MESSAGES/messages.po).
# `make i18n AREA=journal` appends what is missing, empty, to that area's catalogue.
i18n: $(RUNTIME_STAMP)
	$(BIN)/python translations/check.py $(if $(AREA),--add $(AREA),)
