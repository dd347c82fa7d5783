"""Crash safety: a real server (gunicorn, two workers, SQLite in WAL mode) under concurrent writes
is killed with SIGKILL several times and restarted. Every write that got a success response is
present afterwards and opens; PRAGMA integrity_check is ok; no response was a 5xx.

This test always runs on its own SQLite file (also in the PostgreSQL run): a SIGKILL of the app
server is about what the app and SQLite promise; PostgreSQL's own crash safety is not ours to test.
"""
from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from app import create_app
from domain.accounts import account as accounts
from domain.core.db import db, utcnow
from domain.journal import entries as journal
from tests.conftest import PASSWORD, TEST_SECRET, base_config

KILLS = 3
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited"
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/about", timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not start")


class Server:
    def __init__(self, db_path: Path, instance: Path, port: int):
        self.port, self.proc = port, None
        self.env = dict(os.environ, FOKUS_DATABASE_URL=f"sqlite:///{db_path}", FOKUS_SECRET_KEY=TEST_SECRET,
                        FOKUS_INSTANCE_PATH=str(instance), FOKUS_ARGON2_MEMORY_KIB="8", FOKUS_ARGON2_TIME_COST="1",
                        FOKUS_ARGON2_PARALLELISM="1")

    def start(self) -> None:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        # An empty config of its own: the checked-in gunicorn.conf.py is for production and refuses
        # this test's development settings.
        conf = Path(self.env["FOKUS_INSTANCE_PATH"]) / "gunicorn.test.conf.py"
        conf.parent.mkdir(parents=True, exist_ok=True)
        conf.touch()
        self.proc = subprocess.Popen([gunicorn, "-c", str(conf), "-w", "2", "-b", f"127.0.0.1:{self.port}", "--graceful-timeout", "2",
                                      "app:create_app()"], cwd=ROOT, env=self.env, start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for(self.port, self.proc)

    def kill(self, sig=signal.SIGKILL) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)


class Device:
    """One logged-in browser (its own cookies), writing new entries."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=20) as r:
                return r.status, r.read().decode(), r.headers.get("Location", "")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace"), exc.headers.get("Location", "")

    def login(self) -> None:
        _status, page, _loc = self.request("/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        status, _page, _loc = self.request("/login", {"csrf_token": token, "login": "crash", "password": PASSWORD})
        assert status == 302, status


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


def _writer(device: Device, name: str, stop: threading.Event, saved: list, bad: list) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        text = f"crash test {name} write {n}"
        try:
            status, page, _loc = device.request("/entries/new/hard_session")
            if status != 200:
                bad.append(status) if status >= 500 else None
                continue
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            draft = re.search(r'name="draft_id" type="hidden" value="([0-9a-f]+)"', page).group(1)
            status, _page, loc = device.request("/entries/new/hard_session", {
                "csrf_token": token, "draft_id": draft, "what_happened": text, "supervision": "no",
                "action": "save"})
        except (OSError, AttributeError, http.client.HTTPException):  # killed mid-request: no answer,
            # so no promise was made (a cut connection, a half-sent response)
            time.sleep(0.05)
            continue
        if status == 302 and "/entries/" in loc:
            saved.append(text)
        elif status >= 500:
            bad.append(status)


def test_sigkill_under_concurrent_writes_loses_no_acknowledged_write(tmp_path, db_template):
    from flask_migrate import upgrade
    db_path, instance = tmp_path / "crash.db", tmp_path / "instance"
    app = create_app(base_config(f"sqlite:///{db_path}", instance))
    with app.app_context():
        upgrade()
        user, user_key, _code = accounts.create_account(app.extensions["fokus_kdf"], TEST_SECRET.encode(),
                                                        "crash", "Crash Test", PASSWORD)
        user.recovery_confirmed_at = utcnow()
        user_id = user.id
        db.session.commit()
        db.engine.dispose()
    server = Server(db_path, instance, _free_port())
    server.start()
    saved: list[str] = []
    bad: list[int] = []
    stop = threading.Event()
    devices = [Device(f"http://127.0.0.1:{server.port}") for _ in range(3)]
    for d in devices:
        d.login()
    threads = [threading.Thread(target=_writer, args=(d, str(i), stop, saved, bad)) for i, d in enumerate(devices)]
    for t in threads:
        t.start()
    try:
        for _ in range(KILLS):
            time.sleep(1.5)
            server.kill()
            server.start()
        time.sleep(1.5)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
        server.kill(signal.SIGTERM)
    assert not bad, f"5xx responses: {bad}"
    assert len(saved) >= 5, "too few writes got through to prove anything"
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with app.app_context():
        texts = {i.data.get("what_happened") for i in journal.all_items(user_id, user_key)}
        db.engine.dispose()
    print(f"crash test: {len(saved)} acknowledged writes across {KILLS} kills, all present")
    missing = [t for t in saved if t not in texts]
    assert not missing, f"{len(missing)} acknowledged writes are missing: {missing[:5]}"


@pytest.fixture
def db_template():
    """This test makes its own database; nothing from the shared template."""
    return
