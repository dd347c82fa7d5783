"""What a journal page holds of one entry: the `Item` (an entry with its opened content, or its
compact index record), opening one row, and the small views over a list of items (tags, flagged).
Shared by the entries module, the sealed index and its cache, so none of them imports another
in a circle (docs/ARCHITECTURE.md, "Journal index and speed")."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from domain.catalogue import entry_kinds
from domain.catalogue.entry_kinds import KINDS
from domain.core import keyring, sealed
from domain.core.models import Entry
from domain.core.refusal import N_

TABLE = "entry"
BROKEN_HEADLINE = N_("This entry cannot be opened")


class Ref(NamedTuple):
    """What the index knows of an entry row (templates read item.row.id and created_at)."""
    id: str
    created_at: datetime


@dataclass
class Item:
    """An entry with its decrypted content (or, from the index, its compact record), for one
    request. `broken` marks a row that cannot be opened: it still lists, with its date."""
    row: Entry | Ref
    data: dict
    broken: bool = False
    title: str | None = None          # the headline, when it comes from the index
    sort_day: date | None = None

    @property
    def id(self) -> str:
        return self.row.id

    @property
    def kind(self) -> str:
        return self.data.get("kind", "")

    @property
    def day(self) -> date:
        if self.sort_day is not None:
            return self.sort_day
        visit = self.data.get("visit_date")
        return date.fromisoformat(visit) if visit else self.row.created_at.date()

    @property
    def headline(self) -> str:
        if self.broken:
            return BROKEN_HEADLINE
        if self.title is not None:
            return self.title
        return entry_kinds.headline(self.kind, self.data)

    @property
    def is_draft(self) -> bool:
        return self.data.get("status") == "draft"


class IndexItem:
    """An Item made from a compact index record, cheaply: the row (id and creation time) and the
    day are made only when a page asks for them, and the sort key is the record's own ISO strings
    (they sort like the dates they name). Opening a 50,000-entry index then builds one small object per
    entry instead of an Item, a Ref and two parsed dates (docs/ARCHITECTURE.md, "Journal index and
    speed")."""
    __slots__ = ("_row", "data", "id", "sort_key")

    def __init__(self, record: dict):
        self.data = record
        self.id: str = record["_id"]   # a slot, not a property: filters read it for every entry
        created = record["_c"]
        # The day (always 10 characters) then the creation time: one string compares faster
        # than a tuple, and sorts the same.
        self.sort_key = (record.get("visit_date") or created[:10]) + created
        self._row: Ref | None = None

    @property
    def row(self) -> Ref:
        if self._row is None:
            self._row = Ref(self.data["_id"], datetime.fromisoformat(self.data["_c"]))
        return self._row

    kind = property(lambda self: self.data.get("kind", ""))
    broken = property(lambda self: bool(self.data.get("_x")))
    title = property(lambda self: self.data.get("_h"))
    day = property(lambda self: date.fromisoformat(self.sort_key[:10]))
    headline = Item.headline
    is_draft = Item.is_draft


def open_row(row, user_key: bytes) -> dict | None:
    """The content of an entry row (ORM or Core), or None when it cannot be opened (tampered,
    wrong key, damaged JSON): one bad row stays one bad row."""
    try:
        data = sealed.read_owned(row, TABLE, user_key)
    except (keyring.CryptoError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("kind") in KINDS else None


@contextmanager
def gc_paused() -> Iterator[None]:
    """Decoding thousands of small dicts triggers a storm of gen-0 collections that find nothing
    to free (no cycles are made here); pause the collector for the bulk step only."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def all_tags(items: list[Item]) -> list[str]:
    # Index records share their tag tuples within a page (index_pages._shared_lists), so there
    # are few distinct ones: collect those first, then their tags.
    distinct = {tags if type(tags) is tuple else tuple(tags) for i in items if (tags := i.data.get("tags"))}
    return sorted(set().union(*distinct), key=str.casefold)


def flagged(items: list[Item]) -> list[Item]:
    """Saved entries marked for supervision, urgent first."""
    marked = [i for i in items if not i.is_draft and i.data.get("supervision") in ("yes", "urgent")]
    return sorted(marked, key=lambda i: i.data.get("supervision") != "urgent")
