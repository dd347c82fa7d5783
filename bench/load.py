"""A 60-second mixed load: 50 users (25 therapists, 25 supervisors) editing, replying, revoking and
re-sharing at once, against two gunicorn instances (2 workers each) on one scratch PostgreSQL
database, with rate limits counted in Redis. Prints responses by status, then opens every stored
row with its owner's key and counts the ones that do not open.

    .venv/bin/python bench/load.py [--seconds 60] [--users 50] [--redis redis://127.0.0.1:6379/11]

Targets: 0 responses >= 500 and 0 unreadable rows. Everything it starts (gunicorn, the database)
is stopped or dropped at the end, also on Ctrl-C.
"""
from __future__ import annotations

import argparse
import collections
import http.cookiejar
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, SECRET, make_app

PASSWORD = "load test password 0123456789"
ADMIN = os.environ.get("FOKUS_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _free_port(start: int) -> int:
    for port in range(start, start + 100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise SystemExit("no free port in the 52xx range")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


class User:
    """One simulated person: own cookies, own client address (the servers trust one proxy)."""

    def __init__(self, login: str, ip: str, bases: list[str], tally: collections.Counter, lock: threading.Lock):
        self.login, self.ip, self.bases, self.tally, self.lock = login, ip, bases, tally, lock
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect())
        self.token = ""

    def request(self, path: str, data: dict | None = None, count: bool = True) -> tuple[int, str]:
        base = random.choice(self.bases)  # two instances behind one "load balancer"
        req = urllib.request.Request(base + path, data=urllib.parse.urlencode(data, doseq=True).encode()
                                     if data is not None else None, headers={"X-Forwarded-For": self.ip})
        try:
            with self.opener.open(req, timeout=60) as r:
                status, body = r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read().decode(errors="replace")
        except OSError:
            status, body = 0, ""  # no answer (counted as such)
        if count:
            with self.lock:
                self.tally[status] += 1
        return status, body

    def post(self, path: str, data: dict | None = None) -> tuple[int, str]:
        return self.request(path, {"csrf_token": self.token, **(data or {})})

    def log_in(self) -> None:
        _s, page = self.request("/login", count=False)
        self.token = _csrf(page)
        status, _ = self.request("/login", {"csrf_token": self.token, "login": self.login, "password": PASSWORD},
                                 count=False)
        if status != 302:
            raise SystemExit(f"{self.login} could not log in ({status})")
        self.token = _csrf(self.request("/about", count=False)[1])


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    return m.group(1) if m else ""


def _hidden(html: str) -> dict:
    return {m.group(1): m.group(2) for m in re.finditer(r'<input[^>]*name="([^"]+)"[^>]*type="hidden"[^>]*value="([^"]*)"', html)}


def therapist_loop(u: User, world: dict, stop: threading.Event) -> None:
    """Edit the shared entry, reply to the supervisor, and now and then revoke and share again."""
    entry, reader = world["entry"], world["reader_id"]
    n = 0
    while not stop.is_set():
        n += 1
        roll = random.random()
        if roll < 0.35:
            status, page = u.request(f"/entries/{entry}/edit")
            if status == 200:
                fields = _hidden(page) | {"kind": "hard_session", "what_happened": f"{u.login} edit {n}",
                                          "supervision": "no", "action": "save", "draft_id": entry}
                u.request(f"/entries/{entry}/edit", fields)
        elif roll < 0.6:
            sid = world["share"]
            u.post(f"/shares/{sid}/reply", {"text": f"{u.login} reply {n}", "reply_id": os.urandom(16).hex()})
        elif roll < 0.75:
            status, _ = u.post(f"/shares/{world['share']}/revoke")
            if status == 302:
                status, _ = u.post(f"/entries/{entry}/share", {"readers": [reader], "question": f"again {n}"})
                world["share"] = world["share_of"]()
        else:
            u.request(random.choice([f"/shares/{world['share']}", "/outbox", "/", f"/entries/{entry}"]))


def reader_loop(u: User, world: dict, stop: threading.Event) -> None:
    """Read the thread, reply, open the inbox."""
    n = 0
    while not stop.is_set():
        n += 1
        sid = world["share"]
        roll = random.random()
        if roll < 0.45:
            u.post(f"/shares/{sid}/reply", {"text": f"{u.login} answers {n}", "reply_id": os.urandom(16).hex()})
        elif roll < 0.6:
            u.post(f"/shares/{sid}/seen")
        else:
            u.request(random.choice([f"/shares/{sid}", "/inbox", "/"]))


def build_world(app, users: int) -> list[dict]:
    """Pairs of (therapist, supervisor): connected, one entry shared, reflection submitted."""
    from domain.accounts import account as accounts
    from domain.core.db import db, utcnow
    from domain.journal import entries as journal
    from domain.sharing import contacts
    from domain.sharing import shares as sharing
    pairs = []
    with app.app_context():
        policy, secret = app.extensions["fokus_kdf"], SECRET.encode()
        for i in range(users // 2):
            t_user, t_key, _ = accounts.create_account(policy, secret, f"t{i}", f"Therapist {i}", PASSWORD)
            s_user, s_key, _ = accounts.create_account(policy, secret, f"s{i}", f"Supervisor {i}", PASSWORD)
            t_user.recovery_confirmed_at = s_user.recovery_confirmed_at = utcnow()
            db.session.flush()
            _inv, token = contacts.invite(t_user, t_key, "supervisor")
            db.session.flush()
            contacts.accept(token, s_user, s_key)
            data = journal.clean({"kind": "hard_session", "what_happened": f"entry of t{i}", "supervision": "yes"},
                                 set(), draft=False)
            entry = journal.create(t_user, t_key, data)
            db.session.flush()
            (share,) = sharing.share(t_user, t_key, [entry.id], [s_user.id], "what do you see?", None)
            db.session.flush()
            key = sharing.entry_key_for(sharing.decide_share(s_user.id, share.id), s_user, s_key)
            sharing.save_reflection(share, s_user, key, {"context": "a first reflection"}, submit=True)
            db.session.commit()
            pairs.append({"t": f"t{i}", "s": f"s{i}", "entry": entry.id, "share": share.id, "reader_id": s_user.id,
                          "owner_id": t_user.id, "t_key": t_key, "s_key": s_key, "s_id": s_user.id})
    return pairs


def unreadable_rows(app, pairs: list[dict]) -> tuple[int, int]:
    """(rows checked, rows that do not open): every entry, thread item and question with the
    owner's key, and every active share's wrap with its reader's key."""
    from sqlalchemy import select

    from domain.core import keyring, sealed
    from domain.core.db import db
    from domain.core.models import Entry, Share, ThreadItem, User
    from domain.journal import entries as journal
    from domain.sharing import shares as sharing
    checked = bad = 0
    with app.app_context():
        for p in pairs:
            entry = db.session.get(Entry, p["entry"])
            try:
                key = sealed.content_key(entry, journal.TABLE, p["t_key"])
                sealed.read(entry, journal.TABLE, key)
            except keyring.CryptoError:
                checked, bad = checked + 1, bad + 1
                continue
            checked += 1
            for it in db.session.scalars(select(ThreadItem).where(ThreadItem.entry_id == entry.id)):
                checked += 1
                try:
                    sharing.open_item(it, key)
                except keyring.CryptoError:
                    bad += 1
            for s in db.session.scalars(select(Share).where(Share.entry_id == entry.id)):
                checked += 1
                try:
                    sharing.question(s, key)
                    if sharing.is_active(s):
                        reader = db.session.get(User, s.reader_id)
                        from domain.accounts import account as accounts
                        got = keyring.hpke_unwrap(accounts.private_key(reader, p["s_key"]), s.wrapped_key,
                                                  sharing.share_info(entry.id, s.reader_id, s.key_version))
                        bad += int(got != key)
                except keyring.CryptoError:
                    bad += 1
    return checked, bad


def start_servers(db_url: str, redis_url: str, instance: Path) -> tuple[list[subprocess.Popen], list[str]]:
    procs, bases = [], []
    port = 5200
    for _ in range(2):
        port = _free_port(port)
        env = dict(os.environ, FOKUS_DATABASE_URL=db_url, FOKUS_SECRET_KEY=SECRET, FOKUS_INSTANCE_PATH=str(instance),
                   FOKUS_RATELIMIT_STORAGE=redis_url, FOKUS_PROXY_COUNT="1", FOKUS_ARGON2_MEMORY_KIB="8",
                   FOKUS_ARGON2_TIME_COST="1", FOKUS_ARGON2_PARALLELISM="1", FOKUS_FRESH_LOGIN_MINUTES="30")
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        conf = Path(instance) / "gunicorn.load.conf.py"   # not the production gunicorn.conf.py
        conf.parent.mkdir(parents=True, exist_ok=True)
        conf.touch()
        procs.append(subprocess.Popen([gunicorn, "-c", str(conf), "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "120",
                                       "app:create_app()"], cwd=ROOT, env=env, start_new_session=True,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        bases.append(f"http://127.0.0.1:{port}")
        port += 1
    for base in bases:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/about", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{base} did not start") from None
                time.sleep(0.2)
    return procs, bases


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--redis", default=os.environ.get("FOKUS_BENCH_REDIS", "redis://127.0.0.1:6379/11"))
    args = ap.parse_args()
    from sqlalchemy import create_engine, text
    name = f"fokus_load_{os.getpid()}"
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db_url = ADMIN.rsplit("/", 1)[0] + "/" + name
    import tempfile
    instance = Path(tempfile.mkdtemp(prefix="fokus-load-"))
    procs: list[subprocess.Popen] = []
    try:
        app = make_app(db_url, instance)
        pairs = build_world(app, args.users)
        procs, bases = start_servers(db_url, args.redis, instance)
        tally: collections.Counter = collections.Counter()
        lock = threading.Lock()
        stop = threading.Event()
        threads = []
        for i, p in enumerate(pairs):
            t = User(p["t"], f"10.1.{i // 200}.{i % 200 + 1}", bases, tally, lock)
            s = User(p["s"], f"10.2.{i // 200}.{i % 200 + 1}", bases, tally, lock)
            t.log_in()
            s.log_in()
            world = {"entry": p["entry"], "share": p["share"], "reader_id": p["reader_id"]}
            world["share_of"] = _newest_share(app, p["entry"])
            threads += [threading.Thread(target=therapist_loop, args=(t, world, stop)),
                        threading.Thread(target=reader_loop, args=(s, world, stop))]
        start = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join(120)
        elapsed = time.monotonic() - start
        total = sum(tally.values())
        print(f"{len(threads)} users, {elapsed:.0f} s, {total} responses ({total / elapsed:.1f}/s), "
              "two gunicorn instances x 2 workers, PostgreSQL, Redis rate limits")
        for status in sorted(tally):
            print(f"  {status if status else 'no answer'}: {tally[status]}")
        print(f"responses >= 500: {sum(n for s, n in tally.items() if s >= 500)}")
        checked, bad = unreadable_rows(app, pairs)
        print(f"rows checked: {checked}, unreadable: {bad}")
        with app.app_context():
            from domain.core.db import db
            db.session.remove()
            db.engine.dispose()
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=30)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _newest_share(app, entry_id: str):
    def newest() -> str:
        from sqlalchemy import select

        from domain.core.db import db
        from domain.core.models import Share
        with app.app_context():
            sid = db.session.scalar(select(Share.id).where(Share.entry_id == entry_id, Share.revoked_at.is_(None))
                                    .order_by(Share.created_at.desc()))
            db.session.remove()
            return sid
    return newest


if __name__ == "__main__":
    main()
