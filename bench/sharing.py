"""Sharing benchmark: opening a shared entry as a reader, and revoking a share of an entry that has
5 readers and 50 replies (which re-seals the entry, its questions, reflections and replies under a
fresh key and wraps it again for the 4 readers left).

Measured through the Flask test client (the whole request: session, access decision, HPKE unwrap,
decrypting the thread, the commit) and, for revoke, also at the domain level (sharing.revoke +
commit). Each time is printed in ms and as a ratio to a plain Flask hello-world page measured in
the same run. Prints numbers only; never fails on time.

    .venv/bin/python bench/sharing.py [--runs 15] [--readers 5] [--replies 50]
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from _common import csrf, hello_world_client
from _common import make_app as _make_app


def make_app(tmp: Path):
    return _make_app(os.environ.get("FOKUS_BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}",
                     tmp / "instance")

PASSWORD = "bench horse battery staple 42"
TEXT = ("The mother turned away from the screen when the clip showed the baby reaching for her. "
        "I waited, then paused the film and asked what she noticed. ") * 3


def timed(fn, runs: int) -> float:
    """Median ms of `fn(i)` for i in 0..runs-1 (each call may use its own prepared object)."""
    times = []
    for i in range(runs):
        t = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)




def person(login: str, name: str):
    from blueprints import guards
    from domain.accounts import account as accounts
    from domain.core.db import db, utcnow
    user, key, _code = accounts.create_account(guards.kdf_policy(), guards.server_secret(), login, name, PASSWORD)
    user.recovery_confirmed_at = utcnow()
    db.session.flush()
    return user, key


def fill(app, entries: int, readers: int, replies: int) -> dict:
    """`entries` entries, each shared with every reader, each reader's thread holding a reflection
    and an equal part of `replies` replies (alternating owner and reader)."""
    from domain.core.db import db
    from domain.journal import entries as journal
    from domain.sharing import contacts
    from domain.sharing import shares as sharing
    with app.app_context():
        owner, okey = person("owner", "Olivia Owner")
        people = [person(f"reader{i}", f"Reader {i}") for i in range(readers)]
        for user, key in people:
            _inv, token = contacts.invite(owner, okey, "supervisor")
            db.session.flush()
            contacts.accept(token, user, key)
        db.session.commit()
        per_thread = replies // readers
        out = {"entries": [], "shares": [], "owner_key": okey}
        for n in range(entries):
            entry = journal.create(owner, okey, journal.clean(
                {"kind": "hard_session", "what_happened": f"{n}: {TEXT}", "what_made_it_hard": TEXT,
                 "themes": ["safe_alliance"], "subthemes": [], "supervision": "yes"}, set(), draft=False))
            db.session.flush()
            rows = sharing.share(owner, okey, [entry.id], [u.id for u, _k in people],
                                 "How can I keep the focus on the child?", None)
            db.session.flush()
            okey_entry = sharing.entry_key_for(sharing.Decision("owner", entry), owner, okey)
            for row, (user, key) in zip(rows, people):
                sharing.save_reflection(row, user, okey_entry, {s: TEXT for s in sharing.REFLECTION_SECTIONS},
                                        submit=True)
                for r in range(per_thread):
                    author = owner if r % 2 == 0 else user
                    sharing.add_reply(row, author, okey_entry, f"reply {r}: {TEXT[:200]}", "")
            db.session.commit()
            out["entries"].append(entry.id)
            out["shares"].append([row.id for row in rows])
        return out



def login(app, name: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    r = client.post("/login", data={"csrf_token": csrf(page), "login": name, "password": PASSWORD})
    assert r.status_code == 302, r.status_code
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--readers", type=int, default=5)
    parser.add_argument("--replies", type=int, default=50)
    args = parser.parse_args()
    runs = args.runs

    with tempfile.TemporaryDirectory(prefix="fokus-bench-") as tmpdir:
        t0 = time.perf_counter()
        app = make_app(Path(tmpdir))
        # one entry to open, `runs` entries to revoke over HTTP, `runs` to revoke in the domain
        world = fill(app, 1 + 2 * runs, args.readers, args.replies)
        setup_s = time.perf_counter() - t0

        owner, reader = login(app, "owner"), login(app, "reader0")
        token = csrf(owner.get("/about").get_data(as_text=True))
        hello = hello_world_client()
        open_share = world["shares"][0][0]
        http_revokes = world["shares"][1:1 + runs]
        domain_revokes = world["shares"][1 + runs:]

        def hello_world(_i):
            assert hello.get("/").status_code == 200

        def open_as_reader(_i):
            r = reader.get(f"/shares/{open_share}")
            assert r.status_code == 200 and "reply 9:" in r.get_data(as_text=True)

        def open_as_owner(_i):
            assert owner.get(f"/shares/{open_share}").status_code == 200

        def revoke_http(i):
            r = owner.post(f"/shares/{http_revokes[i][0]}/revoke", data={"csrf_token": token})
            assert r.status_code == 302, r.status_code

        def revoke_domain(i):
            from domain.core.db import db
            from domain.core.models import Share, User
            from domain.sharing import shares as sharing
            with app.app_context():
                row = db.session.get(Share, domain_revokes[i][0])
                user = db.session.get(User, row.owner_id)
                sharing.revoke(user, owner_key, row)
                db.session.commit()

        owner_key = world["owner_key"]

        for fn in (hello_world, open_as_reader, open_as_owner):
            fn(0)  # warm-up: templates compiled, caches filled
        results = {"hello world": timed(hello_world, max(runs, 200))}
        results["open shared entry as reader (GET)"] = timed(open_as_reader, runs)
        results["open the same thread as owner (GET)"] = timed(open_as_owner, runs)
        results["revoke, 5 readers / 50 replies (POST)"] = timed(revoke_http, runs)
        results["revoke, same, domain only"] = timed(revoke_domain, runs)

        with app.app_context():
            from domain.core.db import db
            from domain.core.models import Entry, Share
            revoked = db.session.scalar(db.select(db.func.count()).select_from(Share).where(
                Share.revoked_at.is_not(None)))
            assert revoked == 2 * runs, revoked
            assert all(db.session.get(Entry, e).key_version == 2 for e in world["entries"][1:])

    base = results["hello world"]
    print(f"Fokus sharing benchmark: {args.readers} readers per entry, {args.replies} replies + "
          f"{args.readers} reflections per entry, median of {runs} runs (hello world: {max(runs, 200)}); "
          f"setup {setup_s:.1f} s")
    print(f"{'':40} {'ms':>9} {'x hello':>10}")
    for name, ms in results.items():
        print(f"{name:40} {ms:9.2f} {ms / base:10.0f}")


if __name__ == "__main__":
    main()
