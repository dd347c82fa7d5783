"""Timings that used to be assertions in tests; the tests now check the same properties without a
clock (derivation counts, bounded work), and this prints the measured numbers.

1. Login: median time of a failed login for an unknown name against a known name with a wrong
   password, interleaved, with argon2 at the OWASP floor. Expect a ratio near 1.00; an unknown
   name that skipped the derivation would show about 0.0x.
2. PII scan: 20,000 characters of mixed text and the pathological repeats from tests/test_pii.py,
   as a ratio to a hello-world request.
3. Group trends: a catalogue-sized table (1,500 entries, 12 months), as a ratio to a hello-world
   request.

Prints numbers only; never fails on time.

    .venv/bin/python bench/timing_checks.py [--samples 15]
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from _common import SECRET, csrf, hello_world_client, median_ms

PASSWORD = "bench horse battery staple 42"
PATHOLOGICAL = ["a", "A", "1", "Aa ", "mother ", "a@", "+1 ", "Kari, ", "1 ", "Storgata ", "-Aa", ".a",
                "x@y.", "1234 ", "mora til Jonas ", "mother Kari, ", "og Karis mor ", "x, 4604 Bø ",
                "Kongens gate 5 ", "+46 70 123 45 67 ", "01019012345 "]


def login_ratio(samples: int) -> tuple[float, float]:
    import os

    from flask_migrate import upgrade

    from domain.core.keyring import OWASP_FLOOR
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["FOKUS_INSTANCE_PATH"] = tmp
        from app import create_app
        from domain.accounts import account as accounts
        from domain.core.db import db
        m, t, p = OWASP_FLOOR
        app = create_app({"FOKUS_SECRET_KEY": SECRET, "FOKUS_DATABASE_URL": f"sqlite:///{Path(tmp) / 'b.db'}",
                          "FOKUS_ARGON2_MEMORY_KIB": str(m), "FOKUS_ARGON2_TIME_COST": str(t),
                          "FOKUS_ARGON2_PARALLELISM": str(p), "RATELIMIT_ENABLED": False})
        with app.app_context():
            upgrade()
            accounts.create_account(app.extensions["fokus_kdf"], SECRET.encode(), "timed", "Timed", PASSWORD)
            db.session.commit()
        client = app.test_client()
        token = csrf(client.get("/login").get_data(as_text=True))

        def attempt(login: str) -> float:
            start = time.perf_counter()
            r = client.post("/login", data={"csrf_token": token, "login": login, "password": "wrong pw 123"})
            assert r.status_code == 400
            return time.perf_counter() - start

        known, unknown = [], []
        attempt("timed"), attempt("nobody")
        for _ in range(samples):
            pair = [("timed", known), (f"nobody{random.randrange(10**9)}", unknown)]
            random.shuffle(pair)
            for login, bucket in pair:
                bucket.append(attempt(login))
        with app.app_context():
            db.engine.dispose()
        return statistics.median(known) * 1000, statistics.median(unknown) * 1000


def pii_ms() -> tuple[float, float]:
    from domain.pii.detect import scan
    text = "Mor Kari Hansen ringte 412 34 567 fra Storgata 5, 0150 Oslo. The baby smiled at 14:30 on 12.03.2024. "
    text = (text * (20_000 // len(text) + 1))[:20_000]
    mixed = median_ms(lambda: scan(text), 5)
    worst = max(median_ms(lambda c=c: scan(c * (20_000 // len(c))), 3) for c in PATHOLOGICAL)
    return mixed, worst


def trends_ms() -> float:
    from domain.trends.facts import EntryFact, ProcessFact, facts_for_entry, facts_for_process
    from domain.trends.group_tables import group_trends
    kinds = ["hard_session", "countertransference", "ethical_dilemma", "bright_moment"]
    subs, themes = [f"s{i}" for i in range(26)], ["t1", "t2", "t3", "t4"]
    months = [f"2025-{i:02d}" for i in range(1, 13)]
    facts = []
    for i in range(1500):
        kind = kinds[i % 4]
        e = EntryFact(date(2025, i % 12 + 1, 1), kind, (themes[i % 4],), (subs[i % 26], subs[(i * 7) % 26]),
                      i % 11 if kind == "countertransference" else None)
        facts += facts_for_entry(e, f"p{(i * 13) % 9}")
        if i % 10 == 0:
            facts += facts_for_process(ProcessFact("p", "ended_early"), months[i % 12], f"p{i % 4}")
    return median_ms(lambda: group_trends(facts, months, 5, kind_order=kinds, theme_order=themes,
                                          subtheme_order=subs), 5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=15)
    args = parser.parse_args()
    hello = hello_world_client()
    base = median_ms(lambda: hello.get("/"), 200)
    print(f"hello-world baseline: {base:.3f} ms")
    known, unknown = login_ratio(args.samples)
    print(f"login, known name + wrong password: {known:.1f} ms; unknown name: {unknown:.1f} ms; "
          f"unknown/known ratio {unknown / known:.2f} (expect about 1.00)")
    mixed, worst = pii_ms()
    print(f"PII scan of 20,000 characters: {mixed:.1f} ms ({mixed / base:.0f}x hello-world); "
          f"worst pathological repeat: {worst:.1f} ms ({worst / base:.0f}x)")
    t = trends_ms()
    print(f"group trends, catalogue-sized table: {t:.1f} ms ({t / base:.0f}x hello-world)")


if __name__ == "__main__":
    main()
