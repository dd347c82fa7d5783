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
