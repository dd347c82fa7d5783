"""Journal benchmark: one therapist with N entries (default N = 500, 5,000 and 50,000).

For each N, on SQLite:
- HTTP under load: gunicorn -w 2 with FOKUS_ENV=production serves home and the journal list to
  `wrk -t2 -c20`; a plain Flask page (20 rows from one SQLAlchemy query, bench/_plain_app.py) is
  served the same way in the same run. Printed as req/s, p99 and the ratio to the plain page.
  Worker RSS is read after the load.
- One request, in process (Flask test client): every filter, full-text search (a word in 1% of
  the entries) and personal trends: warm (repeated), fresh (the session's index open, this result
  not computed yet: a new filter) and cold (nothing cached: the index is opened first).
Then, at 10,000 entries: creating one entry (POST) against jrnl's encrypted append measured in
the same run (jrnl is installed into a temporary virtualenv; --skip-jrnl leaves it out).

Entries are seeded in bulk through the domain (sealed rows, then one index rebuild), not by HTTP.
Prints numbers only; never fails on time. `--json` prints one JSON object instead of the table.

    .venv/bin/python bench/journal.py [--sizes 500,5000,50000] [--duration 5] [--port 5601] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path

from _common import ROOT, SECRET, csrf, median_ms
from _common import make_app as _make_app

PASSWORD = "bench horse battery staple 42"
WORDS = ("camera", "review", "bathtime", "silence", "father", "clip", "caseworker", "raincoat", "morning",
         "eye contact", "turn-taking", "the baby", "the mother", "waiting room", "metronome")
RARE = "zebrafinch"           # in 1% of the entries: the search target
MAIN = {"hard_session": "what_happened", "bright_moment": "what_happened",
        "ethical_dilemma": "dilemma", "countertransference": "trigger"}
PORT = 5601


def log(*a) -> None:
    print(*a, file=sys.stderr, flush=True)


def seed(app, n: int, login: str = "bench") -> None:
    """N entries for one therapist, sealed like journal.create seals them, inserted in bulk.

    Dated relative to today, with expiry dates as journal.create sets them (12 months after the
    visit date; none for entries of an open process) and the retention backfill marked done: a
    journal dated in the past would be shredded at the next login (retention), and the load
    would then measure a different, shrinking journal. Visits span the last 355 days, so about 1%
    of the entries show in the home page's "Deleted soon" notice, as in a steadily written journal."""
    from sqlalchemy import insert

    from blueprints import guards
    from domain.accounts import account as accounts
    from domain.catalogue.entry_kinds import KIND_IDS
    from domain.catalogue.themes import THEMES
    from domain.core import sealed
    from domain.core.db import db, new_id, utcnow
    from domain.core.models import Entry, RetentionChoice
    from domain.journal import entries as journal
    from domain.journal import index as journal_index
    from domain.journal import processes
    from domain.retention import expiry
    rng = random.Random(n)
    with app.test_request_context():
        user, key, _ = accounts.create_account(guards.kdf_policy(), guards.server_secret(), login,
                                               "Bench Therapist", PASSWORD)
        user.recovery_confirmed_at = utcnow()
        db.session.flush()
        procs = [processes.create(user, key, {"code": f"MM-25-{p:02d}"}).id for p in range(20)]
        db.session.add(RetentionChoice(user_id=user.id, months=12, backfilled_at=utcnow()))
        db.session.flush()
        now = utcnow()
        start = now - timedelta(minutes=17 * n)
        today = now.date()
        rows = []
        for i in range(n):
            kind = rng.choice(KIND_IDS)
            theme = rng.choice(THEMES)
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 60)))
            if i % 100 == 7:
                text += " " + RARE
            visit = today - timedelta(days=rng.randint(0, 355))
            data = {"kind": kind, MAIN[kind]: f"entry {i}: {text}", "themes": [theme.id],
                    "subthemes": [rng.choice(theme.subthemes).id], "tags": [rng.choice(WORDS)],
                    "visit_date": visit.isoformat(), "supervision": rng.choice(("no", "no", "no", "yes")),
                    "process_id": rng.choice(procs + [None] * 20)}
            row = Entry(id=new_id(), owner_id=user.id, created_at=start + timedelta(minutes=17 * i))
            sealed.create(row, journal.TABLE, key, journal.clean(data, set(procs), draft=rng.random() < 0.02))
            rows.append({c: getattr(row, c) for c in ("id", "owner_id", "created_at", "updated_at", "key_version",
                                                     "wrapped_key", "content")}
                        | {"needs_rotation": False,
                           "expires_on": None if data["process_id"] else expiry.add_months(visit, 12)})
            if len(rows) == 2000:
                db.session.execute(insert(Entry), rows)
                rows = []
        if rows:
            db.session.execute(insert(Entry), rows)
        user.journal_indexed = -1        # written around the index: rebuilt once, below
        db.session.commit()
        journal_index.rebuild(user, key)
        db.session.commit()


def login_client(app):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    r = client.post("/login", data={"csrf_token": csrf(page), "login": "bench", "password": PASSWORD})
    assert r.status_code == 302, r.status_code
    return client


def in_process(app, runs: int) -> dict:
    """One request each (median): warm (the same request again), fresh (the session's index open,
    this filter or trend table not computed yet) and cold (nothing cached: the index is opened)."""
    from domain.catalogue.themes import THEMES
    client = login_client(app)
    html = client.get("/entries").get_data(as_text=True)
    proc = re.search(r'<option value="([0-9a-f]{32})"', html).group(1)
    tag = re.search(r'<select id="tag".*?<option value="([0-9a-f]{24})"', html, re.DOTALL).group(1)
    urls = {"filter kind": "/entries?kind=bright_moment", "filter theme": f"/entries?theme={THEMES[0].id}",
            "filter subtheme": f"/entries?subtheme={THEMES[1].subthemes[0].id}",
            "filter process": f"/entries?process={proc}", "filter dates": f"/entries?from={date.today() - timedelta(days=120)}&to={date.today() - timedelta(days=30)}",
            "filter supervision": "/entries?supervision=flagged", "filter tag": f"/entries?tag={tag}",
            "search 1% word": f"/entries?q={RARE}", "personal trends": "/trends?period=all",
            "list page 1": "/entries", "home": "/"}
    out = {}
    for name, url in urls.items():
        r = client.get(url)
        if r.status_code == 303:
            # Filters and search words never stay in a URL: the list answers with a sealed result
            # address (what the search form's POST redirects to). That address is what is timed.
            url = r.headers["Location"]

        def get(url=url):
            assert client.get(url).status_code == 200

        def fresh(url=url):
            _forget_results()
            assert client.get(url).status_code == 200

        out[name] = {"warm_ms": round(median_ms(get, runs), 2), "fresh_ms": round(median_ms(fresh, runs), 2),
                     "cold_ms": round(_cold_ms(client, url, max(3, runs // 3)), 2)}
    return out


def _cold_ms(client, url: str, runs: int) -> float:
    """The request alone, after the cache is emptied: emptying it (freeing a large index) is
    not part of any request."""
    from domain.journal import cache as journal_cache
    from domain.journal import process_labels
    times = []
    for _ in range(runs + 1):            # the first is a warm-up
        journal_cache.clear()
        process_labels.clear()
        t = time.perf_counter()
        assert client.get(url).status_code == 200
        times.append((time.perf_counter() - t) * 1000)
    return sorted(times[1:])[len(times[1:]) // 2]


def _forget_results() -> None:
    """The session's index stays open, but no filter result or trend table is kept: what a new
    filter costs (the "warm" column repeats one filter, which the index then answers from memory)."""
    from domain.journal import cache as journal_cache
    with journal_cache._lock:
        for slot in journal_cache._slots.values():
            slot.state.__dict__.pop("_memos", None)


def _start(cmd: list[str], env: dict, cwd: Path, port: int, errlog: Path, health: str = "/") -> subprocess.Popen:
    # stderr goes to a file, never to a pipe nobody reads: in production every request writes a JSON
    # log line to stderr, and once a pipe's 64 KiB buffer is full every worker blocks in the log
    # write (0 req/s, and no clean exit on SIGTERM).
    with socket.socket() as probe:      # a server left over from an earlier run would be timed instead
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} is already in use")
    with open(errlog, "wb") as err:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)
    for _ in range(300):
        if proc.poll() is not None:
            break
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{health}", timeout=1)
            return proc
        except OSError:
            time.sleep(0.1)
    if proc.poll() is None:
        _stop(proc)
    raise RuntimeError(f"server on {port} did not start: {errlog.read_text(errors='replace')[-2000:]}")


def _stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:   # a worker stuck in a request: the numbers are taken already
        log("server did not stop within 20 s of SIGTERM; killed")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)


def _cookie(port: int) -> str:
    """Log in against the production server; returns the Cookie header value."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None
    opener = urllib.request.build_opener(NoRedirect)
    r = opener.open(f"http://127.0.0.1:{port}/login")
    jar = r.headers["Set-Cookie"].split(";")[0]
    body = urllib.parse.urlencode({"csrf_token": csrf(r.read().decode()), "login": "bench",
                                   "password": PASSWORD}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/login", data=body, headers={"Cookie": jar})
    try:
        opener.open(req)
    except urllib.error.HTTPError as exc:
        assert exc.code == 302, exc.code
        # every cookie the login sets (the session, and the trusted-device cookie beside it)
        jar = _set_cookies(exc.headers)
    else:
        raise RuntimeError("login did not redirect")
    # The page after the login, as a browser loads it: it shows the login's message once, and the
    # session cookie it sets (without that message) is the one a browser sends from then on.
    header = "; ".join(f"{k}={v}" for k, v in jar.items())
    jar |= _set_cookies(opener.open(urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Cookie": header})).headers)
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _set_cookies(headers) -> dict[str, str]:
    """name -> value of every Set-Cookie in a response's headers."""
    return dict(c.split(";")[0].split("=", 1) for c in headers.get_all("Set-Cookie") or ())


def wrk(url: str, duration: int, cookie: str | None = None) -> dict:
    cmd = ["wrk", "-t2", "-c20", f"-d{duration}s", "--timeout", "30s", "--latency", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"req_s": rps, "p99_ms": round(p99_ms, 2), "errors": int(non2xx.group(1)) if non2xx else 0}


def _worker_rss_mb(master: int) -> list[float]:
    kids = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], check=False, capture_output=True, text=True).stdout.split()
    sizes = []
    for pid in kids:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(round(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024, 1))
    return sizes


def under_load(tmp: Path, db_url: str, n: int, duration: int) -> dict:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    plain_env = os.environ | {"PLAIN_DB": f"sqlite:///{tmp / 'plain.db'}"}
    subprocess.run([sys.executable, "-c", f"import _plain_app; _plain_app.create({n})"], env=plain_env,
                   cwd=ROOT / "bench", check=True)
    env = os.environ | {"FOKUS_ENV": "production", "FOKUS_SECRET_KEY": SECRET, "FOKUS_DATABASE_URL": db_url,
                        "FOKUS_INSTANCE_PATH": str(tmp / "instance"), "FOKUS_ARGON2_PARALLELISM": "1"}
    # Both servers get the same plain gunicorn settings (an empty config file: the checked-in
    # gunicorn.conf.py would change workers, logging and graceful timeouts for one side only).
    conf = tmp / "gunicorn.bench.conf.py"
    conf.write_text("graceful_timeout = 5\n")
    plain = _start([gunicorn, "-c", str(conf), "-w", "2", "-b", f"127.0.0.1:{PORT + 1}", "_plain_app:app"], plain_env,
                   ROOT / "bench", PORT + 1, tmp / "plain.stderr.log")
    fokus = _start([gunicorn, "-c", str(conf), "-w", "2", "-b", f"127.0.0.1:{PORT}", "app:create_app()"], env, ROOT,
                   PORT, tmp / "fokus.stderr.log", "/about")
    try:
        cookie = _cookie(PORT)
        out = {"plain": wrk(f"http://127.0.0.1:{PORT + 1}/", duration)}
        for name, path in (("home", "/"), ("list", "/entries")):
            wrk(f"http://127.0.0.1:{PORT}{path}", 3, cookie)          # both workers open the index once
            out[name] = wrk(f"http://127.0.0.1:{PORT}{path}", duration, cookie)
            out[name]["ratio"] = round(out[name]["req_s"] / out["plain"]["req_s"], 3)
        out["worker_rss_mb"] = _worker_rss_mb(fokus.pid)
        out["plain_worker_rss_mb"] = _worker_rss_mb(plain.pid)
    finally:
        _stop(fokus)
        _stop(plain)
    out["entries_after"] = _entries_in(tmp / "bench.db")   # the load measured the journal it was meant to
    return out


def _entries_in(path: Path) -> int:
    import sqlite3
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM entries").fetchone()[0]


def create_vs_jrnl(tmp: Path, runs: int, skip_jrnl: bool) -> dict:
    app = _make_app(f"sqlite:///{tmp / 'create.db'}", tmp / "instance-create")
    seed(app, 10_000)
    client = login_client(app)
    token = csrf(client.get("/entries/new/bright_moment").get_data(as_text=True))

    def create():
        r = client.post("/entries/new/bright_moment", data={
            "csrf_token": token, "kind": "bright_moment", "action": "save", "supervision": "no",
            "what_happened": "one more bright moment at bathtime", "themes_": ["positive_moments"]})
        assert r.status_code == 302, r.status_code
    out = {"fokus_create_ms": round(median_ms(create, runs), 2)}
    if not skip_jrnl:
        out["jrnl_append_ms"] = round(jrnl_append_ms(tmp / "jrnl", max(3, runs // 3)), 1)
        out["ratio"] = round(out["jrnl_append_ms"] / out["fokus_create_ms"], 1)
    return out


def jrnl_append_ms(where: Path, runs: int) -> float:
    """jrnl 4 appending one entry to an encrypted 10,000-entry journal (a whole process run)."""
    subprocess.run([sys.executable, "-m", "venv", str(where / "venv")], check=True)
    subprocess.run([str(where / "venv/bin/pip"), "install", "--quiet", "jrnl"], check=True)
    home = where / "home"
    (home / ".config/jrnl").mkdir(parents=True)
    journal = where / "journal.txt"
    journal.write_text("".join(f"[2025-01-01 {i // 60 % 24:02d}:{i % 60:02d}:00] entry {i}\n"
                               f"{' '.join(WORDS[:8])}\n\n" for i in range(10_000)))
    (home / ".config/jrnl/jrnl.yaml").write_text(
        f"journals:\n  default:\n    journal: {journal}\n    encrypt: false\n"
        "editor: ''\nencrypt: false\ntagsymbols: '#@'\ndefault_hour: 9\ndefault_minute: 0\n"
        "timeformat: '%F %r'\nhighlight: false\nlinewrap: 79\nindent_character: '|'\ncolors:\n"
        "  body: none\n  date: none\n  tags: none\n  title: none\nversion: v4.0\n")
    env = os.environ | {"HOME": str(home), "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
                        "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local/share")}
    jrnl = str(where / "venv/bin/jrnl")
    subprocess.run([jrnl, "--encrypt"], input="pw\npw\nn\n", env=env, capture_output=True, text=True, check=True)
    times = []
    for i in range(runs):
        t = time.perf_counter()
        subprocess.run([jrnl, f"one more entry {i}"], input="pw\n", env=env, capture_output=True, text=True,
                       check=True)
        times.append((time.perf_counter() - t) * 1000)
    return sorted(times)[len(times) // 2]


def run_size(n: int, args) -> dict:
    with tempfile.TemporaryDirectory(prefix="fokus-bench-") as tmpdir:
        tmp = Path(tmpdir)
        url = f"sqlite:///{tmp / 'bench.db'}"
        t0 = time.perf_counter()
        app = _make_app(url, tmp / "instance")
        seed(app, n)
        out: dict = {"seed_s": round(time.perf_counter() - t0, 1)}
        log(f"N={n}: seeded in {out['seed_s']} s")
        out["one_request"] = in_process(app, args.runs)
        if not args.skip_wrk:
            out["load"] = under_load(tmp, url, n, args.duration)
        return out


def table(result: dict) -> str:
    lines = []
    for n, r in result["sizes"].items():
        lines.append(f"\nN = {n} entries (seeded in {r['seed_s']} s)")
        if "load" in r:
            load = r["load"]
            lines.append(f"  {'page (wrk -t2 -c20)':30} {'req/s':>9} {'ratio':>7} {'p99 ms':>8}")
            lines.append(f"  {'plain page':30} {load['plain']['req_s']:9.0f} {'':>7} {load['plain']['p99_ms']:8.1f}")
            for name in ("home", "list"):
                lines.append(f"  {name:30} {load[name]['req_s']:9.0f} {load[name]['ratio']:7.2f} {load[name]['p99_ms']:8.1f}")
            lines.append(f"  worker RSS MB: {load['worker_rss_mb']} (plain: {load['plain_worker_rss_mb']}); "
                         f"entries after the load: {load['entries_after']}")
        lines.append(f"  {'one request':30} {'warm ms':>9} {'fresh ms':>9} {'cold ms':>9}")
        for name, t in r["one_request"].items():
            lines.append(f"  {name:30} {t['warm_ms']:9.2f} {t['fresh_ms']:9.2f} {t['cold_ms']:9.2f}")
    if "create" in result:
        c = result["create"]
        lines.append(f"\nCreate one entry with 10,000 existing: {c['fokus_create_ms']} ms"
                     + (f"; jrnl encrypted append {c['jrnl_append_ms']} ms; ratio {c['ratio']}x" if "ratio" in c else ""))
    return "\n".join(lines)


def main() -> None:
    global PORT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,5000,50000")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per page")
    parser.add_argument("--port", type=int, default=PORT, help="Fokus on this port, the plain page on the next")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--skip-wrk", action="store_true")
    parser.add_argument("--skip-jrnl", action="store_true")
    parser.add_argument("--skip-create", action="store_true")
    args = parser.parse_args()
    PORT = args.port
    result: dict = {"sizes": {}}
    for n in (int(s) for s in args.sizes.split(",")):
        result["sizes"][n] = run_size(n, args)
    if not args.skip_create:
        with tempfile.TemporaryDirectory(prefix="fokus-bench-") as tmpdir:
            result["create"] = create_vs_jrnl(Path(tmpdir), args.runs, args.skip_jrnl)
    print(json.dumps(result) if args.json else "Fokus journal benchmark" + table(result))


if __name__ == "__main__":
    main()
