"""Two gunicorn instances (gunicorn.conf.py, production settings) on one PostgreSQL database with
Redis rate limits, under a short mixed load through both: no answer of 500 or above, and every
write the server acknowledged is there afterwards, read back through the other instance. Then
/readyz: unready while one instance's database connection is cut, ready again once it is back.

Runs in the PostgreSQL run (FOKUS_TEST_DATABASE_URL) with FOKUS_TEST_REDIS_URL; skipped on
SQLite. Under CI=true a PostgreSQL run without Redis or gunicorn fails instead of skipping.
"""
from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PASSWORD, base_config
from tests.ops_proxy import Client, TcpRelay, free_port

ROOT = Path(__file__).resolve().parent.parent
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
USERS = 6
ROUNDS = 4
METRICS_TOKEN = "multi-instance-metrics-token"
SECRET = "multi-instance-test-secret-0123456789-abcdefghijklmnop"


def _need(what: str, ok: bool) -> None:
    if not ok:
        if CI:
            pytest.fail(f"the multi-instance test needs {what} under CI")
        pytest.skip(f"needs {what}")


@pytest.fixture
def scratch_db():
    pg = os.environ.get("FOKUS_TEST_DATABASE_URL")
    if not pg:
        pytest.skip("PostgreSQL only (set FOKUS_TEST_DATABASE_URL)")
    _need("FOKUS_TEST_REDIS_URL", bool(os.environ.get("FOKUS_TEST_REDIS_URL")))
    _need("gunicorn", shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is not None)
    name = f"fokus_multi_{os.getpid()}"
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = pg.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _migrate(url: str, tmp: Path) -> None:
    from flask_migrate import upgrade

    from app import create_app
    from domain.core.db import db
    app = create_app(base_config(url, tmp))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@contextmanager
def _instances(tmp: Path, *db_urls: str):
    """Start one gunicorn per database URL (all at once: booting is the slow part), wait until each
    answers /healthz, yield their ports, stop them at the end."""
    procs, ports = [], []
    try:
        for n, db_url in enumerate(db_urls):
            port = free_port()
            env = {k: v for k, v in os.environ.items() if not k.startswith(("FOKUS_", "PROMETHEUS_"))} | {
                "FOKUS_ENV": "production", "FOKUS_SECRET_KEY": SECRET, "FOKUS_DATABASE_URL": db_url,
                "FOKUS_RATELIMIT_STORAGE": os.environ["FOKUS_TEST_REDIS_URL"], "FOKUS_PROXY_COUNT": "1",
                "FOKUS_ARGON2_MEMORY_KIB": "19456", "FOKUS_ARGON2_TIME_COST": "2", "FOKUS_ARGON2_PARALLELISM": "1",
                "FOKUS_BIND": f"127.0.0.1:{port}", "FOKUS_WORKERS": "2", "FOKUS_THREADS": "2",
                "FOKUS_METRICS_DIR": str(tmp / f"metrics-{n}"), "FOKUS_INSTANCE_PATH": str(tmp / f"inst-{n}"),
                "FOKUS_METRICS_TOKEN": METRICS_TOKEN}
            with open(tmp / f"gunicorn-{n}.log", "wb") as log:
                procs.append(subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c",
                                               "gunicorn.conf.py"], cwd=ROOT, env=env, stdout=log,
                                              stderr=subprocess.STDOUT))
            ports.append(port)
        for n, (proc, port) in enumerate(zip(procs, ports, strict=True)):
            up = _eventually(lambda p=port, pr=proc: pr.poll() is not None or _answers(p), 60)
            assert up and proc.poll() is None, (tmp / f"gunicorn-{n}.log").read_text()[-3000:]
        yield ports
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _answers(port: int) -> bool:
    try:
        return Client(port).get("/healthz").status == 200
    except OSError:
        return False


class Therapist:
    """One user's browser, sending each request to one of the two instances at random."""

    def __init__(self, n: int, ports: list[int], errors: list):
        self.login = f"load-therapist-{n}"
        self.ip = f"10.0.{n // 200}.{n % 200 + 1}"
        self.rng = random.Random(n)
        self.cookies: dict[str, str] = {}
        self.ports = ports
        self.errors = errors
        self.entries: dict[str, str] = {}   # entry id -> the last text the server acknowledged

    def client(self, port: int | None = None) -> Client:
        return Client(port or self.rng.choice(self.ports), self.cookies, forwarded_for=self.ip)

    def request(self, method: str, path: str, data=None, port: int | None = None):
        r = self.client(port).request(method, path, data)
        if r.status >= 500:
            self.errors.append(f"{method} {path.split('?')[0]} -> {r.status}")
        return r

    def form(self, path: str, port: int | None = None) -> str:
        r = self.request("GET", path, port=port)
        assert r.status == 200, (path, r.status)
        return r.text

    def post_form(self, path: str, data: dict, form_path: str | None = None):
        page = self.form(form_path or path)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        extra = {}
        m = re.search(r'name="draft_id" type="hidden" value="([0-9a-f]*)"', page)
        if m:
            extra["draft_id"] = m.group(1)
        return self.request("POST", path, {"csrf_token": token, **extra, **data})

    def sign_up_and_in(self) -> None:
        r = self.post_form("/signup", {"login": self.login, "display_name": f"Load {self.login[-1]}",
                                       "password": PASSWORD, "confirm": PASSWORD, "understood": "y"})
        assert r.status == 302, r.status
        code = re.findall(r'<span class="code-group">([A-Z2-7]{4})</span>', self.form("/recovery-code"))
        assert self.post_form("/recovery-code", {"last_group": code[-1]}).status == 302
        self.post_form("/logout", {}, form_path="/about")
        r = self.post_form("/login", {"login": self.login, "password": PASSWORD})
        assert r.status == 302 and "/login" not in r.headers.get("Location", ""), r.status

    def write(self, round_: int) -> None:
        words = f"round {round_} of {self.login} at {self.rng.random():.6f}"
        r = self.post_form("/entries/new/hard_session", {"kind": "hard_session", "action": "save",
                                                        "supervision": "no", "what_happened": words})
        assert r.status == 302, r.status
        eid = r.headers["Location"].rsplit("/", 1)[1]
        self.entries[eid] = words
        edited = words + " (edited)"
        r = self.post_form(f"/entries/{eid}/edit", {"kind": "hard_session", "action": "save",
                                                   "supervision": "no", "what_happened": edited})
        assert r.status == 302, r.status
        self.entries[eid] = edited
        assert self.request("GET", "/entries").status == 200
        r = self.post_form("/entries", {"q": "hard"})      # search posts, then a sealed result URL
        assert r.status == 303, r.status
        found = urlsplit(r.headers["Location"])
        assert self.request("GET", f"{found.path}?{found.query}").status == 200

    def invite(self) -> str:
        r = self.post_form("/contacts/invite", {"role": "supervisor"}, form_path="/contacts")
        assert r.status == 200, r.status
        return re.search(r"/invite/([A-Za-z0-9_-]+)", r.text).group(1)

    def accept(self, token: str) -> None:
        assert self.post_form(f"/invite/{token}", {}).status == 302

    def share_and_revoke(self) -> str:
        eid = next(iter(self.entries))
        page = self.form(f"/entries/{eid}/share")
        reader = re.search(r'<input[^>]*name="readers"[^>]*value="([^"]+)"', page) or \
            re.search(r'<input[^>]*value="([^"]+)"[^>]*name="readers"', page)
        r = self.post_form(f"/entries/{eid}/share", {"readers": reader.group(1), "question": "", "expires": ""})
        assert r.status == 302, r.status
        sid = re.search(r"/shares/([0-9a-f]+)/revoke", self.form(f"/entries/{eid}/sharing")).group(1)
        assert self.post_form(f"/shares/{sid}/revoke", {}, form_path=f"/entries/{eid}/sharing").status == 302
        return sid


def _run_all(people: list[Therapist], step) -> list[BaseException]:
    failures: list[BaseException] = []

    def run(p):
        try:
            step(p)
        except BaseException as exc:  # noqa: BLE001 (reported by the main thread)
            failures.append(exc)
    threads = [threading.Thread(target=run, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return failures


def test_two_instances_under_load_and_readiness(scratch_db, tmp_path):
    _migrate(scratch_db, tmp_path)
    host, pg_port = re.search(r"@([^:/]+):(\d+)/", scratch_db).groups()
    relay = TcpRelay(host, int(pg_port))
    relayed_url = scratch_db.replace(f"@{host}:{pg_port}/", f"@127.0.0.1:{relay.port}/")
    errors: list[str] = []
    try:
        with _instances(tmp_path, scratch_db, relayed_url) as (a, b):
            people = [Therapist(n, [a, b], errors) for n in range(USERS)]
            assert _run_all(people, Therapist.sign_up_and_in) == []
            assert _run_all(people, lambda p: [p.write(i) for i in range(ROUNDS)]) == []
            owners, readers = people[0::2], people[1::2]
            tokens = [o.invite() for o in owners]
            for reader, token in zip(readers, tokens, strict=True):
                reader.accept(token)
            assert _run_all(owners, Therapist.share_and_revoke) == []
            assert errors == []

            # Every acknowledged write, read back through each instance.
            for p in people:
                for eid, words in p.entries.items():
                    for port in (a, b):
                        r = p.request("GET", f"/entries/{eid}", port=port)
                        assert r.status == 200 and words in r.text, (p.login, eid, port)
            engine = create_engine(scratch_db)
            try:
                with engine.connect() as conn:
                    assert conn.execute(text("SELECT count(*) FROM entries")).scalar() == USERS * ROUNDS
                    assert conn.execute(text("SELECT count(*) FROM shares WHERE revoked_at IS NOT NULL")
                                        ).scalar() == len(owners)
            finally:
                engine.dispose()
            metrics = Client(a).get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
            assert 'fokus_logins_total{outcome="success"}' in metrics.text

            # Readiness follows the database connection of instance b.
            assert Client(b).get("/readyz").status == 200
            relay.stop()
            assert _eventually(lambda: Client(b).get("/readyz").status == 503)
            assert Client(b).get("/healthz").status == 200  # alive, only not ready
            assert Client(a).get("/readyz").status == 200
            relay.start()
            assert _eventually(lambda: Client(b).get("/readyz").status == 200)
    finally:
        relay.stop()
    assert errors == []


def _eventually(check, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_serve_refuses_development_defaults(tmp_path):
    _need("gunicorn", shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is not None)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOKUS_", "PROMETHEUS_"))}
    env["FOKUS_METRICS_DIR"] = str(tmp_path / "metrics")
    env["FOKUS_BIND"] = f"127.0.0.1:{free_port()}"
    done = subprocess.run([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode != 0
    for problem in ("FOKUS_ENV", "FOKUS_SECRET_KEY", "FOKUS_DATABASE_URL"):
        assert problem in done.stderr
