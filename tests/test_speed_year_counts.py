"""The one-read year counts (domain/groups/year_counts.py) count every block exactly as the
database's bucket counts do, so the page can use them without changing what is released."""
from __future__ import annotations

import random
from collections import Counter

from domain.core.db import db, utcnow
from domain.groups import contributions as trend_store
from domain.groups import merged_counts, year_counts
from domain.trends import adaptive, periods
from domain.trends import rollup as trend_rollup
from tests.test_groups_http import seminar

CELLS = [("kinds", "hard_session"), ("kinds", "bright_moment"), ("themes", "safe_alliance"),
         ("intensity", "7-8"), ("outcomes", "reported"), ("supports", "colleague"), ("", "process")]


def _levels(year: int) -> list[dict[str, list[str]]]:
    y = periods.Period(year, "year", 1)
    terms = y.children()
    quarters = [q for t in terms for q in t.children()]
    months = [m for q in quarters for m in q.children()]
    blocks = [y, *terms, *quarters, *months]
    return [{b.id: b.months() for b in level} for level in ([y], terms, quarters, months)] + \
        [{b.id: b.months()} for b in blocks]


def _same(mine, db_) -> None:
    assert mine.cells == db_.cells
    assert mine.col_people == {b: {t: db_.col_people[b].get(t, 0) for t in mine.col_people[b]} for b in db_.col_people}
    assert mine.table_people == db_.table_people and mine.people == db_.people


def test_year_counts_equal_the_bucket_counts_at_every_level(app, client):
    s = seminar(app)
    year = utcnow().date().year
    rng = random.Random(11)
    extra = Counter()
    for _ in range(400):   # people in random months and cells, some outside the tables
        tbl, cell = rng.choice(CELLS)
        extra[(f"{year:04d}-{rng.randint(1, 12):02d}", tbl, cell, f"p{rng.randint(1, 9)}")] += rng.randint(1, 3)
    extra[(f"{year - 1:04d}-12", "kinds", "hard_session", "p1")] += 4   # another year: never counted
    with app.app_context():
        trend_rollup._apply(s["gid"], extra)
        db.session.commit()
        counts = year_counts.read(s["gid"], year)
        both = year_counts.read(s["gid"], year - 1, year)     # two years in one read
        for buckets in _levels(year):
            _same(counts(buckets), trend_store.bucket_aggregates(s["gid"], buckets))
            _same(both(buckets), trend_store.bucket_aggregates(s["gid"], buckets))
        for buckets in _levels(year - 1)[:4]:
            _same(both(buckets), trend_store.bucket_aggregates(s["gid"], buckets))
        assert both({"x": [f"{year - 1:04d}-12"]}).cells["x"][("kinds", "hard_session")][0] >= 4
        # and the release and view built from them are the database's
        p = periods.default(utcnow().date())
        page = merged_counts.read(s["gid"], p.year)
        # the database's bucket counts, merged the same way (the merging is tested in test_seminar_http)
        rel = adaptive.release(p.year, merged_counts.Counts(_Db(s["gid"], page.counts), page.themes), 5)
        fast = adaptive.release(p.year, page, 5)
        assert fast.partition == rel.partition and fast.solved == rel.solved
        for q in [p, *p.children()]:
            want = adaptive.view(rel, q, trend_store.bucket_aggregates(s["gid"], {q.id: q.months()}))
            assert adaptive.view(fast, q, counts({q.id: q.months()})) == want


class _Db:
    def __init__(self, gid, counts):
        self.gid, self.mask = gid, counts.mask

    def __call__(self, buckets):
        return trend_store.bucket_aggregates(self.gid, buckets)


def test_year_counts_of_an_empty_year(app, client):
    s = seminar(app)
    with app.app_context():
        counts = year_counts.read(s["gid"], 1999)
        for buckets in _levels(1999)[:4]:
            _same(counts(buckets), trend_store.bucket_aggregates(s["gid"], buckets))


def _masks() -> tuple[list, list, list, list]:
    """The year masks kept on write, and the same folded afresh from the roll-up."""
    from sqlalchemy import text
    run = db.session.execute
    return (sorted(tuple(r) for r in run(text("SELECT * FROM trend_cell_masks"))),
            sorted(tuple(r) for r in run(text(trend_rollup.FRESH_CELL_MASKS_SQL))),
            sorted(tuple(r) for r in run(text("SELECT * FROM trend_presence_masks"))),
            sorted(tuple(r) for r in run(text(trend_rollup.FRESH_PRESENCE_MASKS_SQL))))


def test_year_masks_follow_adds_and_removals_across_years(app, client):
    """Counts going up, down, to zero and back in two years keep every mask equal to a fresh fold."""
    s = seminar(app)
    year = utcnow().date().year
    rng = random.Random(17)
    held: Counter = Counter()
    with app.app_context():
        for _ in range(30):
            change = Counter()
            for _ in range(rng.randint(1, 12)):
                key = (f"{rng.choice((year - 1, year)):04d}-{rng.randint(1, 12):02d}", *rng.choice(CELLS),
                       f"p{rng.randint(1, 4)}")
                change[key] += rng.randint(-held[key] - change[key], 3)   # never below zero
            trend_rollup._apply(s["gid"], change)
            held.update(change)
            cells, fresh_cells, presence, fresh_presence = _masks()
            assert cells == fresh_cells and presence == fresh_presence
        assert any(n == 0 for n in held.values()) and cells


def test_migration_0017_backfills_the_masks(app, client):
    """Upgrading a database with a roll-up but no masks gives the masks the write path keeps."""
    from flask_migrate import downgrade, upgrade
    s = seminar(app)
    year = utcnow().date().year
    rng = random.Random(23)
    change = Counter({(f"{rng.choice((year - 1, year)):04d}-{rng.randint(1, 12):02d}", *rng.choice(CELLS),
                       f"p{rng.randint(1, 6)}"): rng.randint(1, 3) for _ in range(80)})
    with app.app_context():
        trend_rollup._apply(s["gid"], change)
        db.session.commit()
        kept = _masks()
        db.session.remove()
        downgrade(revision="0016")
        upgrade()
        assert _masks() == kept and kept[0] and kept[2]


def test_the_mask_tables_keep_no_write_order_on_sqlite(app):
    """Like trend_facts: rows sit in key order, not in the order they were written."""
    from sqlalchemy import text
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            for table in ("trend_cell_masks", "trend_presence_masks"):
                sql = db.session.execute(text(f"SELECT sql FROM sqlite_master WHERE name='{table}'")).scalar()
                assert "WITHOUT ROWID" in sql
