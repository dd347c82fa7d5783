"""What entries and processes share: one owner's sealed rows of one table, found, read, saved
once per form-chosen id, and reported to the seminar-group trends when they change."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from domain.core import sealed, versions
from domain.core.db import holds_database


@dataclass(frozen=True)
class OwnedTable:
    model: Any        # the ORM class (Entry, Process)
    table: str        # the name bound into the sealed content's AAD
    fact_kind: str    # what the trend store calls these objects

    def get_owned(self, owner_id: str, obj_id: str):
        return sealed.get_owned(self.model, owner_id, obj_id)

    def read(self, row, user_key: bytes) -> dict:
        return sealed.read_owned(row, self.table, user_key)

    def write(self, row, user_key: bytes, data: dict) -> None:
        # The content key is unwrapped from `row` as loaded in this transaction (save() locks it).
        sealed.write(row, self.table, sealed.content_key(row, self.table, user_key), data)

    def lock_or_insert(self, obj_id: str | None, owner_id: str, insert: Callable[[], Any],
                       create: Callable[[], Any]) -> tuple[Any, bool]:
        """(row, made): the locked row of `obj_id` to update, or (made=True) the row that was just
        inserted. Where a twin request may commit that id at any moment (PostgreSQL, or SQLite
        outside a write request), the insert runs in a savepoint and the primary key decides: a
        refused insert becomes a save of the twin's row, never a second row."""
        row = versions.locked(self.model, obj_id)
        if row is not None:
            return (row, False) if row.owner_id == owner_id else (create(), True)   # another's id: never reused
        if holds_database():
            # SQLite's write lock is held since this transaction began: no twin can insert this id
            # before it commits, so the insert needs no savepoint to fall back from.
            return insert(), True
        made = versions.insert_once(insert)
        if made is not None:
            return made, True
        row = versions.lock(self.model, obj_id, owner_id)   # the twin request created it first
        return (row, False) if row is not None else (create(), True)

    def trends_changed(self, row, user_key: bytes, data: dict | None, expiry_done: bool = False, **extra) -> None:
        # Seminar groups the owner contributes to get their facts replaced now, while the key is here.
        from domain.groups import contributions as trend_store
        trend_store.object_changed(row.owner_id, user_key, self.fact_kind, row.id, data, row.created_at.date(),
                                   **extra)
        if not expiry_done:
            self.expiry_changed(row, user_key, data)

    def expiry_changed(self, row, user_key: bytes, data: dict | None) -> None:
        # Every write (create, edit, delete, key rotation of the content) passes here with the key,
        # so this is where the clear expiry date is computed (domain/retention/expiry.py).
        from domain.retention import expiry
        expiry.object_changed(self.model.__tablename__, row, data, lambda: linked_entries(row.owner_id, user_key, row.id))


def linked_entries(owner_id: str, user_key: bytes, process_id: str) -> list[str]:
    """Ids of the owner's entries linked to a process: the link is sealed, the index knows it."""
    from domain.core.db import db
    from domain.core.models import User
    from domain.journal import index as journal_index
    user = db.session.get(User, owner_id)
    state = journal_index.view(user, user_key, None)
    return [i.row.id for i in state.items() if i.data.get("process_id") == process_id]
