"""Journal benchmark: one therapist with 5,000 entries.

Measures, through the Flask test client, the list page, a full-text search and the creation of
one more entry, each as a ratio to a plain Flask hello-world page measured in the same run (so the
numbers mean something on any machine). Prints numbers only; never fails on time.

    .venv/bin/python bench/journal.py [--entries 5000] [--runs 15]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import csrf, hello_world_client, median_ms
from _common import make_app as _make_app


def make_app(tmp: Path):
    return _make_app(f"sqlite:///{tmp / 'bench.db'}", tmp / "instance")

PASSWORD = "bench horse battery staple 42"
WORDS = ("camera", "review", "bathtime", "silence", "father", "clip", "caseworker", "raincoat", "morning",
         "eye contact", "turn-taking", "the baby", "the mother", "waiting room", "metronome")





def fill(app, n: int) -> None:
    import random

    from blueprints import guards
    from domain import accounts, journal
    from domain.db import db, utcnow
    from domain.entry_kinds import KIND_IDS
    from domain.themes import THEMES
    rng = random.Random(5000)
    with app.app_context():
        user, key, _code = accounts.create_account(guards.kdf_policy(), guards.server_secret(), "bench",
                                                   "Bench Therapist", PASSWORD)
        user.recovery_confirmed_at = utcnow()
        db.session.flush()
        main = {"hard_session": "what_happened", "bright_moment": "what_happened",
                "ethical_dilemma": "dilemma", "countertransference": "trigger"}
        for i in range(n):
            kind = rng.choice(KIND_IDS)
            theme = rng.choice(THEMES)
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 60)))
            data = {"kind": kind, main[kind]: f"entry {i}: {text}", "themes": [theme.id],
                    "subthemes": [rng.choice(theme.subthemes).id], "tags": [rng.choice(WORDS)],
                    "visit_date": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    "supervision": rng.choice(("no", "no", "no", "yes"))}
            journal.create(user, key, journal.clean(data, set(), draft=False))
            if i % 500 == 499:
                db.session.commit()
        db.session.commit()



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fokus-bench-") as tmpdir:
        tmp = Path(tmpdir)
        t0 = time.perf_counter()
        app = make_app(tmp)
        fill(app, args.entries)
        setup_s = time.perf_counter() - t0

        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        r = client.post("/login", data={"csrf_token": csrf(page), "login": "bench", "password": PASSWORD})
        assert r.status_code == 302, r.status_code

        hello = hello_world_client()
        form = client.get("/entries/new/bright_moment").get_data(as_text=True)
        token = csrf(form)
        seen = set()

        def list_page():
            resp = client.get("/entries")
            assert resp.status_code == 200 and f"{args.entries}" in resp.get_data(as_text=True)

        def search():
            resp = client.get("/entries?q=raincoat+metronome")
            assert resp.status_code == 200

        def create():
            resp = client.post("/entries/new/bright_moment", data={
                "csrf_token": token, "kind": "bright_moment", "action": "save", "supervision": "no",
                "what_happened": "one more bright moment at bathtime", "themes_": ["positive_moments"]})
            assert resp.status_code == 302, resp.status_code
            seen.add(resp.headers["Location"])

        def hello_world():
            assert hello.get("/").status_code == 200

        results = {"hello world": median_ms(hello_world, max(args.runs, 200))}
        results["list page (page 1 of 5,000)"] = median_ms(list_page, args.runs)
        results["search, two words"] = median_ms(search, args.runs)
        results["create one entry (POST)"] = median_ms(create, args.runs)
        assert len(seen) == args.runs + 1  # every POST created its own entry

    base = results["hello world"]
    print(f"Fokus journal benchmark: {args.entries} entries, median of {args.runs} runs "
          f"(hello world: {max(args.runs, 200)}); setup {setup_s:.1f} s")
    print(f"{'':34} {'ms':>9} {'x hello':>10}")
    for name, ms in results.items():
        print(f"{name:34} {ms:9.2f} {ms / base:10.0f}")


if __name__ == "__main__":
    main()
