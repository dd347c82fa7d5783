"""Shared fixtures: an app on a fresh database per test, clients, users, and raw database bytes.

Databases: SQLite by default (a migrated template file copied per test). Set
FOKUS_TEST_DATABASE_URL=postgresql+psycopg://... to run the same suite on PostgreSQL; each test
worker migrates its own database once and every test starts from emptied tables.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text

from app import create_app
from domain.core.db import db

PASSWORD = "correct horse battery staple 42"
FAST_ARGON2 = {"FOKUS_ARGON2_MEMORY_KIB": "8", "FOKUS_ARGON2_TIME_COST": "1",
               "FOKUS_ARGON2_PARALLELISM": "1"}
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789abcdef"


def _pg_base() -> str | None:
    return os.environ.get("FOKUS_TEST_DATABASE_URL") or None


def base_config(db_url: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "FOKUS_SECRET_KEY": TEST_SECRET,
        "FOKUS_DATABASE_URL": db_url,
        **FAST_ARGON2,
        "ARGON2_FLOOR": (8, 1, 1),
        "RATELIMIT_ENABLED": False,
    }


def _migrate(db_url: str, instance: Path) -> None:
    from flask_migrate import upgrade
    app = create_app(base_config(db_url, instance))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def db_template(tmp_path_factory, worker_id):
    """Migrate once per test process: a template SQLite file, or a PostgreSQL database."""
    instance = tmp_path_factory.mktemp("instance")
    pg = _pg_base()
    if pg:
        name = f"fokus_test_{re.sub(r'[^a-z0-9]', '', worker_id.lower())}_{os.getpid()}"
        admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = pg.rsplit("/", 1)[0] + "/" + name
        _migrate(url, instance)
        yield ("postgresql", url)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = instance / "template.db"
        _migrate(f"sqlite:///{path}", instance)
        yield ("sqlite", str(path))


@pytest.fixture
def db_url(db_template, tmp_path):
    kind, where = db_template
    if kind == "sqlite":
        path = tmp_path / "fokus.db"
        shutil.copy(where, path)
        return f"sqlite:///{path}"
    engine = create_engine(where)
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"))]
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
    engine.dispose()
    return where


@pytest.fixture
def app(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("FOKUS_INSTANCE_PATH", str(tmp_path / "instance"))
    application = create_app(base_config(db_url, tmp_path / "instance"))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def said(app, msgid: str, plural: str | None = None, num: int = 1, **params) -> str:
    """The page text for an English msgid, in the language the test clients ask for
    (FOKUS_TEST_LANG, else English): so a text check holds in both languages."""
    from flask_babel import gettext, ngettext
    with app.test_request_context(headers={"Accept-Language": os.environ.get("FOKUS_TEST_LANG") or "en"}):
        return ngettext(msgid, plural, num, **params) if plural else gettext(msgid, **params)


def said_html(app, msgid: str, **params) -> str:
    """`said`, HTML-escaped as a template prints it."""
    from markupsafe import escape
    return str(escape(said(app, msgid, **params)))


@pytest.fixture(autouse=True)
def _page_language(monkeypatch):
    """FOKUS_TEST_LANG=nb runs any test with every test client asking for bokmål, as a phone set
    to Norwegian does (`make test-nb` runs the marker, access and security suites that way)."""
    lang = os.environ.get("FOKUS_TEST_LANG")
    if lang:
        from flask.testing import FlaskClient
        plain_init = FlaskClient.__init__

        def init(self, *args, **kwargs):
            plain_init(self, *args, **kwargs)
            self.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang

        monkeypatch.setattr(FlaskClient, "__init__", init)


@pytest.fixture
def ctx(app):
    """The test app with its application context pushed, for tests that call domain/ directly."""
    with app.app_context():
        yield app


@pytest.fixture
def make_app(db_url, tmp_path, monkeypatch):
    """More apps on this test's database, each `create_app(base_config | overrides)` with the keys
    in `drop` removed; disposed afterwards. FOKUS_* variables of the calling shell (other than the
    suite's own FOKUS_TEST_*) and FLASK_DEBUG cannot leak in."""
    for name in [k for k in os.environ if k.startswith("FOKUS_") and not k.startswith("FOKUS_TEST_")]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("FOKUS_INSTANCE_PATH", str(tmp_path / "instance"))
    made = []

    def make(drop=(), **overrides):
        config = base_config(db_url, tmp_path / "instance") | overrides
        for key in drop:
            config.pop(key, None)
        application = create_app(config)
        made.append(application)
        return application
    yield make
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def csrf_from(html: str) -> str:
    m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)


class Auth:
    """Drive account flows through the HTTP client, the way a browser would."""

    def __init__(self, client):
        self.client = client

    def get_form(self, url: str) -> str:
        r = self.client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        return csrf_from(r.get_data(as_text=True))

    def post(self, url: str, data: dict, form_url: str | None = None, **kw):
        token = self.get_form(form_url or url)
        return self.client.post(url, data={"csrf_token": token, **data}, **kw)

    def signup(self, login="therapist", name="Tess Therapist", password=PASSWORD, confirm_code=True):
        r = self.post("/signup", {"login": login, "display_name": name, "password": password,
                                  "confirm": password, "understood": "y"})
        assert r.status_code == 302, r.get_data(as_text=True)
        code = self.pending_code()
        if confirm_code:
            r = self.post("/recovery-code", {"last_group": code.split("-")[-1]})
            assert r.status_code == 302
        return code

    def pending_code(self) -> str:
        page = self.client.get("/recovery-code").get_data(as_text=True)
        groups = re.findall(r'<span class="code-group">([A-Z2-7]{4})</span>', page)
        assert len(groups) == 8, page
        return "-".join(groups)

    def login(self, login="therapist", password=PASSWORD, **kw):
        return self.post("/login", {"login": login, "password": password}, **kw)

    def logout(self):
        # /about renders for everyone and never redirects (the home page does while a recovery
        # code waits to be confirmed).
        token = csrf_from(self.client.get("/about").get_data(as_text=True))
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def user(auth):
    """A signed-up, logged-in therapist; returns their recovery code."""
    return auth.signup()


def writes_during(app, fn) -> list[str]:
    """The INSERT, UPDATE and DELETE statements the database received while `fn()` ran."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            seen.append(statement)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def raw_database_bytes(app) -> bytes:
    """Everything the database holds, as raw bytes: the SQLite file and its WAL, or every text
    and bytea value of every PostgreSQL table."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            db.session.remove()
            path = Path(engine.url.database)
            data = b""
            for p in (path, Path(str(path) + "-wal")):
                if p.exists():
                    data += p.read_bytes()
            return data
        chunks = []
        with engine.connect() as conn:
            cols = conn.execute(text(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema='public'")).all()
            for table, column, dtype in cols:
                expr = f'"{column}"' if dtype == "bytea" else f'convert_to("{column}"::text, \'UTF8\')'
                for (value,) in conn.execute(text(f'SELECT {expr} FROM "{table}"')):
                    if value is not None:
                        chunks.append(bytes(value))
        return b"\n".join(chunks)


@pytest.fixture(scope="session")
def worker_id(request):
    """pytest-xdist's worker name ("gw0"...), or "main" when the suite runs in one process."""
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


def search(client, query: str = "", page: int | None = None):
    """The journal list for `query` (filter fields as a query string, e.g. "q=door&kind=..."),
    reached the way the search form does: POST, then the sealed result URL (/entries?f=...), so
    no word or choice is ever in a URL."""
    from urllib.parse import parse_qsl
    token = csrf_from(client.get("/entries").get_data(as_text=True))
    r = client.post("/entries", data={"csrf_token": token, **dict(parse_qsl(query))})
    assert r.status_code == 303, r.status_code
    url = r.headers["Location"]
    if page is not None:
        url += ("&" if "?" in url else "?") + f"page={page}"
    return client.get(url)
