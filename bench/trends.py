"""Trends benchmark: personal trends over 5,000 entries, group trends over 1,000,000 fact rows.

1. Personal trends (SQLite, like bench/journal.py): one therapist with 5,000 entries over two
   years; GET /trends for 12 months and for "all", through the Flask test client, each as a ratio to
   a plain Flask hello-world page measured in the same run.
2. Group trends (PostgreSQL): a fresh database (default fokus_bench on 127.0.0.1:5432, user
   postgres) migrated like production, 1,000,000 fact rows for one group bulk-loaded with COPY (plus
   rows of other groups, so that the index has something to skip), then trend_store.aggregates +
   group_tables.trends_from_aggregates for 3, 6, 12 and 24 months, and the whole group trends page.
   EXPLAIN (ANALYZE) shows which index each query uses. The database is dropped at the end.

Prints numbers only; never fails on time.

    .venv/bin/python bench/trends.py [--entries 5000] [--facts 1000000] [--runs 7]
                                     [--pg postgresql+psycopg://postgres@127.0.0.1:5432] [--skip-pg]
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from _common import FAST_ARGON2, ROOT, csrf, hello_world_client, make_app, median_ms  # noqa: F401

PASSWORD = "bench horse battery staple 42"
INDEX = "ix_trend_facts_group_month"
INDEX_WORD = INDEX + r"\b"
COVER = "ix_trend_facts_group_month_cover"   # proposed: the same keys, the counted columns included

# The counts kept on write (domain/trends/rollup.py), each counted once after COPY, in this order.
ROLLUP = [("trend_rollup", "group_id, month, tbl, cell, pseudonym, n", "FRESH_COUNT_SQL"),
          ("trend_cells", "group_id, month, tbl, cell, n, people", "FRESH_CELLS_SQL"),
          ("trend_presence", "group_id, month, tbl, pseudonym, cells", "FRESH_PRESENCE_SQL"),
          ("trend_cell_masks", "group_id, year, tbl, cell, pseudonym, months", "FRESH_CELL_MASKS_SQL"),
          ("trend_presence_masks", "group_id, year, tbl, pseudonym, months", "FRESH_PRESENCE_MASKS_SQL")]






def login(app, login_name: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    r = client.post("/login", data={"csrf_token": csrf(page), "login": login_name, "password": PASSWORD})
    assert r.status_code == 302, r.status_code
    return client


def account(login_name: str):
    from blueprints import guards
    from domain.accounts import account as accounts
    from domain.core.db import db, utcnow
    user, key, _code = accounts.create_account(guards.kdf_policy(), guards.server_secret(), login_name,
                                               "Bench Therapist", PASSWORD)
    user.recovery_confirmed_at = utcnow()
    db.session.flush()
    return user, key


def month_no(d: date) -> int:
    return d.year * 12 + d.month - 1


# --- 1. personal trends ----------------------------------------------------------------------------

def fill_journal(app, n: int) -> None:
    from domain.catalogue import themes
    from domain.catalogue.entry_kinds import KIND_IDS
    from domain.core.db import db
    from domain.journal import entries as journal
    rng = random.Random(5000)
    main = {"hard_session": "what_happened", "bright_moment": "what_happened",
            "ethical_dilemma": "dilemma", "countertransference": "trigger"}
    feelings = [c.id for c in themes.FEELINGS]
    today = date.today()
    with app.app_context():
        user, key = account("bench")
        for i in range(n):
            kind = rng.choice(KIND_IDS)
            theme = rng.choice(themes.THEMES)
            back = rng.randrange(24)
            no = month_no(today) - back
            data = {"kind": kind, main[kind]: f"entry {i}: camera review bathtime silence",
                    "themes": [theme.id], "subthemes": [rng.choice(theme.subthemes).id],
                    "visit_date": date(no // 12, no % 12 + 1, rng.randint(1, 28 if back else today.day)).isoformat(),
                    "supervision": rng.choice(("no", "no", "no", "yes"))}
            if kind == "countertransference":
                data["intensity"] = rng.randint(0, 10)
                data["feelings"] = rng.sample(feelings, 2)
            journal.create(user, key, journal.clean(data, set(), draft=False))
            if i % 500 == 499:
                db.session.commit()
        db.session.commit()


def personal(args) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="fokus-bench-") as tmpdir:
        tmp = Path(tmpdir)
        t0 = time.perf_counter()
        app = make_app(f"sqlite:///{tmp / 'bench.db'}", tmp / "instance")
        fill_journal(app, args.entries)
        setup = time.perf_counter() - t0
        client = login(app, "bench")
        hello = hello_world_client()

        def page(period: str):
            def get():
                r = client.get(f"/trends?period={period}")
                assert r.status_code == 200 and "entries in this period" in r.get_data(as_text=True)
            return get

        results = {"hello world": median_ms(lambda: hello.get("/"), max(args.runs, 200))}
        results["GET /trends (12 months)"] = median_ms(page("12"), args.runs)
        results["GET /trends (all, 24 months)"] = median_ms(page("all"), args.runs)
    print(f"\n1. Personal trends: {args.entries} entries on SQLite, median of {args.runs} runs; setup {setup:.1f} s")
    print_table(results)
    return results


# --- 2. group trends on PostgreSQL -----------------------------------------------------------------

def fact_rows(rng: random.Random, gid: str, n: int, people: int, months: list[str]):
    """Rows as an entry would give them: a kind row, its themes and subthemes, the band of a
    countertransference reaction; now and then a process outcome."""
    from domain.catalogue import themes
    from domain.catalogue.entry_kinds import KIND_IDS
    from domain.trends import facts as trends
    pseudonyms = [f"{rng.getrandbits(128):032x}" for _ in range(people)]
    count = 0
    while count < n:
        who, m, tag = rng.choice(pseudonyms), rng.choice(months), f"{rng.getrandbits(128):032x}"
        kind = rng.choice(KIND_IDS)
        theme = rng.choice(themes.THEMES)
        rows = [(kind, None, None, None, None), (kind, theme.id, None, None, None),
                (kind, None, rng.choice(theme.subthemes).id, None, None)]
        if rng.random() < 0.3:
            rows.append((kind, None, rng.choice(theme.subthemes).id, None, None))
        if kind == "countertransference":
            rows.append((kind, None, None, rng.choice(trends.BANDS), None))
        if rng.random() < 0.03:
            rows.append(("process", None, None, None, rng.choice(trends.OUTCOMES)))
        for r in rows[:n - count]:
            yield (f"{rng.getrandbits(128):032x}", gid, who, tag, m, *r)
        count += len(rows)


def copy_facts(app, rows) -> int:
    from domain.core.db import db
    n = 0
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            with cur.copy("COPY trend_facts (id, group_id, pseudonym, entry_tag, month, kind, theme, subtheme, "
                          "band, outcome) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
                    n += 1
            raw.commit()
        finally:
            raw.close()
    return n


def capture_sql(app, fn):
    """Run fn() and return the SQL statements it sent, with their parameters."""
    from sqlalchemy import event

    from domain.core.db import db
    seen = []

    def listener(_conn, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            fn()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    return seen


def explain(app, statements) -> list[tuple[str, list[str]]]:
    from domain.core.db import db
    out = []
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            for statement, params in statements:
                if statement.lstrip().upper().startswith("SET "):     # e.g. SET LOCAL work_mem
                    cur.execute(statement, params)
                if not statement.lstrip().upper().startswith(("SELECT", "WITH")) or "trend_facts" not in statement:
                    continue
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
                out.append((statement, [r[0] for r in cur.fetchall()]))
            raw.rollback()
        finally:
            raw.close()
    return out


def group(args) -> None:
    from sqlalchemy import create_engine, text
    base = args.pg.rstrip("/")
    name = args.database
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
        reuse = bool(exists) and args.keep
        if not reuse:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        with tempfile.TemporaryDirectory(prefix="fokus-bench-") as tmpdir:
            app = make_app(f"{base}/{name}", Path(tmpdir) / "instance")
            try:
                group_bench(args, app, reuse)
            finally:
                from domain.core.db import db
                with app.app_context():
                    db.session.remove()
                    db.engine.dispose()
    finally:
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def group_bench(args, app, reuse: bool = False) -> None:
    from blueprints import guards
    from blueprints.trends import SUBTHEME_ORDER, THEME_ORDER
    from domain.catalogue.entry_kinds import KIND_IDS
    from domain.core.db import db
    from domain.groups import contributions as trend_store
    from domain.groups import membership as groups
    from domain.trends import facts as trends
    from domain.trends.group_tables import trends_from_aggregates

    t0 = time.perf_counter()
    months = trends.months_back(date.today(), 24, None)
    if reuse:  # --keep and the database is there from an earlier run: the largest group is the one
        with app.app_context():
            gid, n = db.session.execute(text_(
                "SELECT group_id, count(*) FROM trend_facts GROUP BY group_id ORDER BY 2 DESC LIMIT 1")).one()
            n_groups = db.session.execute(text_("SELECT count(DISTINCT group_id) FROM trend_facts")).scalar()
            n_other = db.session.execute(text_("SELECT count(*) FROM trend_facts")).scalar() - n
            others = [None] * (n_groups - 1)
    else:
        with app.app_context():
            lead, lead_key = account("lead")
            gid = groups.create(lead, lead_key, "Bench seminar", 5, guards.server_secret()).id
            others = [groups.create(lead, lead_key, f"Other seminar {i}", 5, guards.server_secret()).id
                      for i in range(args.other_groups)]
            db.session.commit()
        rng = random.Random(1_000_000)
        older = trends.months_back(date(date.today().year - 2, date.today().month, 1), 12, None)
        n = copy_facts(app, fact_rows(rng, gid, args.facts, args.people, months + older[:6]))

        def other_rows():
            for og in others:
                yield from fact_rows(rng, og, args.other_facts // max(1, len(others)), 30, months)
        n_other = copy_facts(app, other_rows()) if others else 0
        # The roll-up that the write path keeps (domain/trends/rollup.py), counted once after COPY.
        from domain.trends import rollup
        with app.app_context(), db.engine.begin() as conn:
            for table, _columns, _sql in ROLLUP:
                conn.execute(text_(f"DELETE FROM {table}"))
            for table, columns, sql in ROLLUP:
                conn.execute(text_(f"INSERT INTO {table} ({columns}) " + getattr(rollup, sql)))
    # As autovacuum would after a bulk load in production: statistics and the visibility map
    # (index-only scans need the latter).
    with app.app_context(), db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text_("VACUUM ANALYZE trend_facts"))
        for table, _columns, _sql in ROLLUP:
            conn.execute(text_(f"VACUUM ANALYZE {table}"))
        rollup_rows = {table: conn.execute(text_(f"SELECT count(*) FROM {table} WHERE group_id = :g"),
                                           {"g": gid}).scalar() for table, _columns, _sql in ROLLUP}
        size = conn.execute(text_("SELECT pg_size_pretty(pg_total_relation_size('trend_facts'))")).scalar()
        in_group = conn.execute(text_("SELECT count(*) FROM trend_facts WHERE group_id = :g"), {"g": gid}).scalar()
    setup = time.perf_counter() - t0
    print(f"\n2. Group trends on PostgreSQL ({args.database}): {in_group:,} fact rows in the group, "
          f"{n_other:,} in {len(others)} other groups; table with indexes {size}; loaded in {setup:.1f} s; "
          "rows kept on write for the group: " + ", ".join(f"{t} {n:,}" for t, n in rollup_rows.items()))

    orders = {"kind_order": list(KIND_IDS), "theme_order": THEME_ORDER, "subtheme_order": SUBTHEME_ORDER}
    hello = hello_world_client()
    client = login(app, "lead")

    def measure(title: str) -> None:
        results = {"hello world": median_ms(lambda: hello.get("/"), max(args.runs, 200))}
        split = {}
        for span in (3, 6, 12, 24):
            period = months[-span:]
            times_sql, times_py = [], []

            def run(period=period, times_sql=times_sql, times_py=times_py):
                with app.app_context():
                    t = time.perf_counter()
                    agg = trend_store.aggregates(gid, period)
                    t2 = time.perf_counter()
                    gt = trends_from_aggregates(agg, period, 5, **orders)
                    times_sql.append((t2 - t) * 1000)
                    times_py.append((time.perf_counter() - t2) * 1000)
                    assert gt.contributors == args.people
                    db.session.remove()
            results[f"aggregates + suppression, {span} months"] = median_ms(run, args.runs)
            split[span] = (statistics.median(times_sql[1:]), statistics.median(times_py[1:]))

        def release():
            # Adaptive detail (issue 19): every block of a year at every level, from one read of the
            # year's counts (domain/groups/year_counts.py), as the page does.
            from domain.groups import year_counts
            from domain.trends import adaptive
            with app.app_context():
                year = int(months[-1][:4])
                adaptive.release(year, year_counts.read(gid, year), 5, **orders)
                db.session.remove()
        results["adaptive release of one year (one read)"] = median_ms(release, args.runs)

        year, month_no_ = months[-1][:4], int(months[-1][5:])
        for name, pid in (("a year", year), ("a half-year", f"{year}-T{(month_no_ - 1) // 6 + 1}"),
                          ("a quarter", f"{year}-Q{(month_no_ - 1) // 3 + 1}"), ("a month", months[-1]),
                          ("last year", str(int(year) - 1))):
            def page(pid=pid):
                r = client.get(f"/groups/{gid}/trends?period={pid}")
                assert r.status_code == 200 and "members contribute" in r.get_data(as_text=True)
            results[f"GET group trends page ({name})"] = median_ms(page, args.runs)

        def pdf():
            r = client.get(f"/groups/{gid}/handout.pdf")
            assert r.status_code == 200 and r.data.startswith(b"%PDF")
        results["GET handout PDF (a half-year)"] = median_ms(pdf, args.runs)
        results["write: an entry's counts in, then out"] = median_ms(write_once(app, gid, months[-1]), args.runs)
        print(f"\n{title}: median of {args.runs} runs")
        print_table(results)
        print(f"{'':44} {'SQL ms':>9} {'Python ms':>10}")
        for span, (sql_ms, py_ms) in split.items():
            print(f"{f'  of which, {span} months':44} {sql_ms:9.1f} {py_ms:10.1f}")

        statements = capture_sql(app, lambda: trend_store.aggregates(gid, months[-12:]))
        plans = explain(app, statements)
        for statement, plan in plans:
            indexes = sorted({m for line in plan for m in re.findall(r"(?:Index|Index Only) Scan (?:using|on) (\w+)",
                                                                        line)})
            scans = [line.strip().split("  (")[0].lstrip("-> ") for line in plan
                     if "Scan" in line and "trend_" in line]
            print(f"EXPLAIN ANALYZE, 12 months: scans: {scans}; indexes used: {indexes or 'none'}")
            if args.show_plans:
                print("  " + re.sub(r"\s+", " ", statement)[:200] + "...")
                for line in plan:
                    print("    " + line)

    with app.app_context(), db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text_(f"DROP INDEX IF EXISTS {COVER}"))
    measure("Current schema (index on group_id, month)")
    if args.covering:
        with app.app_context(), db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            t = time.perf_counter()
            conn.execute(text_(f"CREATE INDEX {COVER} ON trend_facts (group_id, month) "
                               "INCLUDE (pseudonym, kind, theme, subtheme, band, outcome)"))
            conn.execute(text_("VACUUM ANALYZE trend_facts"))
            size = conn.execute(text_(f"SELECT pg_size_pretty(pg_relation_size('{COVER}'))")).scalar()
        print(f"\nProposed: CREATE INDEX {COVER} ON trend_facts (group_id, month) INCLUDE (pseudonym, kind, "
              f"theme, subtheme, band, outcome)  [{size}, built in {time.perf_counter() - t:.1f} s]")
        measure("With the proposed covering index (index-only scans)")


def write_once(app, gid: str, month: str):
    """The counts kept on write (domain/trends/rollup.py) for a new member's entry of four facts,
    added and removed again, rolled back: what each save costs in the big group."""
    from collections import Counter

    from domain.core.db import db
    from domain.trends import rollup
    with app.app_context():
        cells = [tuple(r) for r in db.session.execute(text_(
            "SELECT DISTINCT tbl, cell FROM trend_cells WHERE group_id = :g AND tbl <> '' ORDER BY 1, 2"), {"g": gid})]
    change = Counter({(month, *cells[i * 7 % len(cells)], "bench-new-member"): 1 for i in range(4)})

    def run():
        with app.app_context():
            rollup._apply(gid, change)
            rollup._apply(gid, Counter({k: -n for k, n in change.items()}))
            db.session.rollback()
    return run


def text_(sql: str):
    from sqlalchemy import text
    return text(sql)


def print_table(results: dict[str, float]) -> None:
    base = results["hello world"]
    print(f"{'':44} {'ms':>9} {'x hello':>10}")
    for name, ms in results.items():
        print(f"{name:44} {ms:9.2f} {ms / base:10.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--facts", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=240, help="contributors in the benchmark group")
    parser.add_argument("--other-groups", type=int, default=20)
    parser.add_argument("--other-facts", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pg", default=os.environ.get("FOKUS_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432"))
    parser.add_argument("--database", default="fokus_bench")
    parser.add_argument("--show-plans", action="store_true", help="print the full EXPLAIN ANALYZE plans")
    parser.add_argument("--no-covering", dest="covering", action="store_false",
                        help="do not measure again with the proposed covering index")
    parser.add_argument("--keep", action="store_true",
                        help="keep the PostgreSQL database afterwards, and reuse it if it is there")
    parser.add_argument("--skip-personal", action="store_true")
    parser.add_argument("--skip-pg", action="store_true")
    args = parser.parse_args()
    print(f"Fokus trends benchmark ({date.today().isoformat()})")
    if not args.skip_personal:
        personal(args)
    if not args.skip_pg:
        group(args)


if __name__ == "__main__":
    main()
