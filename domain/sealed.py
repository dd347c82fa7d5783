"""Sealed JSON objects (entries, processes, ...): a per-object content key wrapped under the
owner's user key, and the content sealed under the content key, both bound to the row by AAD."""
from __future__ import annotations

import json

from sqlalchemy import select

from domain import keyring
from domain.db import db, new_id, utcnow


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


def write(row, table: str, key: bytes, data: dict) -> None:
    row.content = keyring.seal(key, json.dumps(data, separators=(",", ":")).encode(),
                               content_aad(table, row.id, row.owner_id, row.key_version))
    row.updated_at = utcnow()


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
