"""Faults degrade, never crash: Redis (rate-limit counters) unreachable, database connections
lost, backup and restore tools failing."""
from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import time
import uuid

import pytest

from app import create_app
from domain.accounts import account as accounts
from domain.core.db import db, utcnow
from tests.conftest import PASSWORD, Auth, base_config

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _limited_app(db_url, tmp_path, storage: str):
    """Rate limits on (Flask-Limiter keeps one module-level limiter: this must be the test's last app)."""
    from blueprints.limits import limiter
    prefix = f"fokus-fault-{uuid.uuid4().hex[:8]}"
    application = create_app(base_config(db_url, tmp_path / "instance") | {
        "RATELIMIT_ENABLED": True, "RATELIMIT_KEY_PREFIX": prefix, "FOKUS_RATELIMIT_STORAGE": storage})
    limiter._key_prefix = prefix  # Flask-Limiter keeps the first prefix it saw
    with application.app_context():
        user, _key, _code = accounts.create_account(application.extensions["fokus_kdf"],
                                                   str(application.config["SECRET_KEY"]).encode(),
                                                   "therapist", "Tess", PASSWORD)
        user.recovery_confirmed_at = utcnow()
        db.session.commit()
    return application


@pytest.fixture
def limiter_state():
    from blueprints.limits import limiter
    old = limiter._key_prefix
    yield
    limiter._key_prefix, limiter._storage_dead = old, False


@pytest.fixture
def dead_redis_app(db_url, tmp_path, monkeypatch, limiter_state):
    """Rate limits on, counters in a Redis where nothing listens."""
    monkeypatch.setenv("FOKUS_INSTANCE_PATH", str(tmp_path / "instance"))
    application = _limited_app(db_url, tmp_path, f"redis://127.0.0.1:{_free_port()}/0")
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_login_works_when_redis_is_unreachable_and_a_warning_is_logged(dead_redis_app, caplog):
    client = dead_redis_app.test_client()
    with caplog.at_level(logging.WARNING):
        r = Auth(client).login()
        assert r.status_code == 302, r.status_code
    assert "/login" not in r.headers["Location"]
    assert any("unreachable" in rec.getMessage() for rec in caplog.records)
    # the limits still hold, on in-process counters
    statuses = [Auth(dead_redis_app.test_client()).login(password="wrong password 1234").status_code
                for _ in range(40)]
    assert 429 in statuses and 500 not in statuses


def test_login_keeps_working_when_redis_stops_mid_run(db_url, tmp_path, monkeypatch, limiter_state):
    """A private redis-server on a free port: log in, stop it, log in again."""
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is needed for this test") if CI else pytest.skip("no redis-server")
    port = _free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
                               "--bind", "127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port)
        monkeypatch.setenv("FOKUS_INSTANCE_PATH", str(tmp_path / "instance"))
        application = _limited_app(db_url, tmp_path, f"redis://127.0.0.1:{port}/0")
        assert Auth(application.test_client()).login().status_code == 302
        server.terminate()
        server.wait(timeout=10)
        for _ in range(3):
            r = Auth(application.test_client()).login()
            assert r.status_code == 302 and "/login" not in r.headers["Location"]
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


def _lost(*_a, **_k):
    from sqlalchemy.exc import OperationalError
    raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))


def test_a_lost_database_connection_is_a_calm_503_without_a_traceback(app, monkeypatch, caplog):
    client = app.test_client()
    Auth(client).signup()
    from domain.journal import index as journal_index
    monkeypatch.setattr(journal_index, "view", _lost)
    with caplog.at_level(logging.WARNING):
        r = client.get("/")
    page = r.get_data(as_text=True)
    assert r.status_code == 503 and "try again" in page and r.headers["Retry-After"]
    assert "Traceback" not in page and "server closed" not in page and "SELECT" not in page
    assert "Traceback" not in caplog.text
    monkeypatch.undo()
    assert client.get("/").status_code == 200                       # the next request works again


def test_loading_the_user_fails_too_still_a_503(app, monkeypatch):
    client = app.test_client()
    Auth(client).signup()
    from domain.accounts import sessions
    # The session and user rows come in one query (sessions.load_with_user); it fails too.
    monkeypatch.setattr(sessions, "load_with_user", _lost)
    monkeypatch.setattr(db.session, "get", _lost)
    r = client.get("/entries")
    assert r.status_code == 503 and "try again" in r.get_data(as_text=True)


def test_terminated_database_connections_are_replaced_quietly(app):
    """PostgreSQL: every connection of this database terminated between two requests; the pool's
    pre-ping notices and the next page works. SQLite: the file is closed under the pool instead."""
    from sqlalchemy import text
    client = app.test_client()
    Auth(client).signup()
    assert client.get("/").status_code == 200
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            from sqlalchemy import create_engine
            admin = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
            admin.dispose()
        else:
            db.engine.dispose()
    for url in ("/", "/entries", "/inbox"):
        assert client.get(url).status_code == 200, url


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["fokus", *args])


def test_a_failing_pg_dump_prints_its_own_message_and_exits_non_zero(app, tmp_path):
    if shutil.which("pg_dump") is None:
        pytest.fail("pg_dump is needed for this test") if CI else pytest.skip("no pg_dump")
    app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://postgres@127.0.0.1:5432/fokus_no_such_database"
    result = _cli(app, "backup", str(tmp_path / "b.dump"))
    assert result.exit_code != 0
    assert "pg_dump failed" in result.output and "fokus_no_such_database" in result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    (tmp_path / "junk.dump").write_bytes(b"not a dump")
    result = _cli(app, "restore", str(tmp_path / "junk.dump"), "--yes")
    assert result.exit_code != 0 and "pg_restore failed" in result.output and "Traceback" not in result.output


def test_a_failing_sqlite_restore_is_a_message_not_a_traceback(app, tmp_path):
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'other.db'}"
    (tmp_path / "junk.db").write_bytes(b"this is not an SQLite file at all" * 100)
    result = _cli(app, "restore", str(tmp_path / "junk.db"), "--yes")
    assert result.exit_code != 0 and "SQLite:" in result.output
    assert isinstance(result.exception, SystemExit)
