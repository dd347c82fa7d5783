"""Saves that two devices and two workers can race: compare-and-swap on a row's version, and
creates that happen once per form-chosen id.

A form carries the version of the row it was opened with. The save loads the row locked for this
transaction (domain.core.db.get_for_update), compares, and writes, so nothing can slip in between:
- the same version: the save goes through and the version moves on;
- a newer version whose content equals what is being saved (a double tap, autosave racing Save):
  nothing is lost by writing, so it goes through too;
- otherwise `Conflict`: nothing is written and the caller shows both texts.
The content key is unwrapped from the row read under that lock, so a save never seals under a key
that a key rotation replaced meanwhile.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError

from domain.core.db import db, get_for_update

# Keys of sealed content that describe how it was saved, not what it says.
BOOKKEEPING = frozenset({"status", "v", "catalogue"})


class Conflict(Exception):
    """The row changed after the form was opened. Nothing was written; `theirs` is the newer saved
    content, `mine` what this request wanted to save, `version` the row's version now."""

    def __init__(self, row, theirs: dict, mine: dict):
        super().__init__("changed meanwhile")
        self.row, self.theirs, self.mine, self.version = row, theirs, mine, row.version


def base_version(raw: str | None) -> int | None:
    """The version a form was opened with (a hidden field), or None for a form that creates."""
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def same_content(a: dict, b: dict) -> bool:
    def strip(d: dict) -> dict:
        return {k: v for k, v in d.items() if k not in BOOKKEEPING and v not in (None, "", [], {})}
    return strip(a) == strip(b)


def check(row, base: int | None, theirs: Callable[[], dict], mine: dict) -> None:
    """Raise Conflict if `row` moved on since version `base` and says something else than `mine`.
    `base` None means the form that created this very row (same form-chosen id) saves again:
    that is the same author continuing, not a second device."""
    if base is None or row.version == base:
        return
    current = theirs()
    if not same_content(current, mine):
        raise Conflict(row, current, mine)


def lock(model, obj_id: str | None, owner_id: str):
    """The owner's row with this id, read fresh and locked for this transaction; None if there is
    none (or it is someone else's: callers then never reuse the id)."""
    row = locked(model, obj_id)
    return row if row is not None and row.owner_id == owner_id else None


def locked(model, obj_id: str | None):
    """The row with this id, whoever owns it, read fresh and locked; None if there is none."""
    if not obj_id or len(obj_id) > 64:
        return None
    return get_for_update(model, obj_id)


def taken(model, obj_id: str) -> bool:
    return get_for_update(model, obj_id) is not None


def insert_once(make: Callable[[], object]) -> object | None:
    """Run `make` (which adds a new row with a form-chosen id) and flush it in a savepoint.
    None if another request inserted the same id first: the caller then loads that row and
    treats this request as a save of it. Never an IntegrityError page."""
    try:
        with db.session.begin_nested():
            row = make()
            db.session.flush()
    except IntegrityError:
        return None
    return row
