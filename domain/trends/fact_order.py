"""Trend facts are stored in no meaningful order.

Row order would hint at who wrote what when (a fact stored right after another was written right
after it). SQLite keeps trend_facts WITHOUT ROWID, so rows sit in the order of their random
primary keys. PostgreSQL appends new rows to the end of the table's heap whatever the key, so each
write also moves a random sample of the group's existing facts (same values, new random ids) and
inserts everything in shuffled order: the newest facts are then hidden among MIX older ones.
"""
from __future__ import annotations

import secrets

from sqlalchemy import delete, select

from domain.core.db import db, new_id
from domain.core.models import TrendFact

MIX = 16
_COLUMNS = ("group_id", "pseudonym", "entry_tag", "month", "kind", "theme", "subtheme", "band", "outcome")


def _sample(group_id: str, exclude: set[str]) -> list[TrendFact]:
    """Up to MIX existing facts of the group, starting at a random point of the primary key."""
    start = new_id()
    rows = list(db.session.scalars(select(TrendFact).where(TrendFact.group_id == group_id, TrendFact.id >= start)
                                   .order_by(TrendFact.id).limit(MIX)))
    if len(rows) < MIX:
        rows += list(db.session.scalars(select(TrendFact).where(TrendFact.group_id == group_id, TrendFact.id < start)
                                        .order_by(TrendFact.id).limit(MIX - len(rows))))
    return [r for r in rows if r.id not in exclude]


def add_facts(rows: list[TrendFact]) -> None:
    """Add new fact rows, mixed with moved old ones, in random order."""
    if not rows:
        return
    db.session.flush()
    moved: list[TrendFact] = []
    if db.session.get_bind().dialect.name != "sqlite":
        for group_id in {r.group_id for r in rows}:
            old = _sample(group_id, {r.id for r in rows})
            if old:
                moved += [TrendFact(id=new_id(), **{c: getattr(o, c) for c in _COLUMNS}) for o in old]
                db.session.execute(delete(TrendFact).where(TrendFact.id.in_([o.id for o in old])),
                                   execution_options={"synchronize_session": "fetch"})
    combined = rows + moved
    secrets.SystemRandom().shuffle(combined)
    db.session.add_all(combined)
