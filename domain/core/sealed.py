"""Sealed JSON objects (entries, processes, ...): a per-object content key wrapped under the
owner's user key, and the content sealed under the content key, both bound to the row by AAD."""
from __future__ import annotations

import json

from sqlalchemy import select

from domain.core import keyring
from domain.core.db import db, for_update, new_id, utcnow


def content_aad(table: str, obj_id: str, owner_id: str, kv: int) -> bytes:
    return keyring.aad(table, obj_id, "owner", owner_id, "kv", kv)


def wrap_aad(table: str, obj_id: str, holder_id: str, kv: int) -> bytes:
    return keyring.aad("wrap", table, obj_id, holder_id, "kv", kv)


def create(row, table: str, user_key: bytes, data: dict) -> bytes:
    """Fill a new row's key and content; returns the content key (callers may need it)."""
    row.id = row.id or new_id()  # the AAD needs the id before the first flush
    row.key_version = row.key_version or 1
    key = keyring.random_key()
    row.wrapped_key = keyring.wrap_for(user_key, "content-key", key,
                                       wrap_aad(table, row.id, row.owner_id, row.key_version))
    write(row, table, key, data)
    return key


def content_key(row, table: str, user_key: bytes) -> bytes:
    # Wraps from before per-purpose subkeys were sealed under the user key itself: still readable.
    return keyring.unwrap_for(user_key, "content-key", row.wrapped_key,
                              wrap_aad(table, row.id, row.owner_id, row.key_version))


class StaleKey(keyring.CryptoError):
    """A writer holds a content key that is no longer the row's (a rotation happened since it was
    read). Writing would make the row unreadable, so the write is refused (409, try again)."""


def write(row, table: str, key: bytes, data: dict, new_key: bool = False) -> None:
    """Seal `data` as the row's content. Unless the caller is installing a new key (rotation), the
    key must be the one the row's current content was sealed under. Every write (edit or key
    rotation) moves the version on, so a form opened before it cannot overwrite it unseen
    (domain/core/versions.py)."""
    if row.content and not new_key and not _key_is_current(row, table, key):
        raise StaleKey("the content key changed since it was read")
    row.version = (row.version or 0) + 1 if row.content is not None else 1
    row.content = keyring.seal(key, json.dumps(data, separators=(",", ":")).encode(),
                               content_aad(table, row.id, row.owner_id, row.key_version))
    row.updated_at = utcnow()


def _key_is_current(row, table: str, key: bytes) -> bool:
    """Lock the row (FOR UPDATE on PostgreSQL; SQLite write requests hold the database) and check
    the key against the content and key version as stored NOW, not as loaded earlier in the
    request: a rotation committed by another worker in between is caught here, not written over."""
    model = type(row)
    stored = db.session.execute(for_update(select(model.content, model.key_version).where(model.id == row.id))).first()
    if stored is None:
        return True  # not stored yet
    return stored.key_version == row.key_version and keyring.commits_to(
        key, stored.content, content_aad(table, row.id, row.owner_id, stored.key_version))


def read(row, table: str, key: bytes) -> dict:
    return json.loads(keyring.open_blob(key, row.content, content_aad(table, row.id, row.owner_id,
                                                                       row.key_version)))


def read_owned(row, table: str, user_key: bytes) -> dict:
    return read(row, table, content_key(row, table, user_key))


def get_owned(model, owner_id: str, obj_id: str):
    """The row if it exists AND belongs to owner_id; None otherwise (callers answer 404, so
    another user's object and a missing one look the same)."""
    if not obj_id or len(obj_id) > 64:
        return None
    return db.session.scalar(select(model).where(model.id == obj_id, model.owner_id == owner_id))
