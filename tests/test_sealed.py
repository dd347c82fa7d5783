"""Sealed objects (domain/core/sealed.py) by their properties: each object has its own content key,
wrapped under the owner's user key; content and wrap are bound to the row (table, id, owner, key
version), so a blob moved to another row, owner or version does not open."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from domain.core import keyring, sealed
from domain.core.keyring import CryptoError

DATA = {"kind": "bright_moment", "what_happened": "the baby laughed"}


def _row(**kw):
    return SimpleNamespace(**({"id": None, "owner_id": "owner-1", "key_version": None, "content": None,
                                "version": None} | kw))


def _sealed_row(user_key: bytes, **kw):
    row = _row(**kw)
    key = sealed.create(row, "entries", user_key, DATA)
    return row, key


def test_round_trip_and_a_content_key_of_its_own():
    user_key = keyring.random_key()
    a, ka = _sealed_row(user_key)
    b, kb = _sealed_row(user_key)
    assert sealed.read_owned(a, "entries", user_key) == DATA == sealed.read(b, "entries", kb)
    assert a.id != b.id and a.key_version == 1
    assert len({ka, kb, user_key}) == 3, "each object needs its own content key, never the user key"
    assert sealed.content_key(a, "entries", user_key) == ka


@pytest.mark.parametrize("change", [{"id": "another-row"}, {"owner_id": "owner-2"}, {"key_version": 2}])
def test_content_does_not_open_on_another_row_owner_or_version(change):
    user_key = keyring.random_key()
    row, key = _sealed_row(user_key)
    for name, value in change.items():
        setattr(row, name, value)
    with pytest.raises(CryptoError):
        sealed.read(row, "entries", key)  # the right key, the wrong row
    with pytest.raises(CryptoError):
        sealed.content_key(row, "entries", user_key)


def test_content_does_not_open_as_another_table():
    user_key = keyring.random_key()
    row, key = _sealed_row(user_key)
    with pytest.raises(CryptoError):
        sealed.read(row, "processes", key)
    with pytest.raises(CryptoError):
        sealed.content_key(row, "processes", user_key)


def test_another_users_key_opens_nothing():
    row, _key = _sealed_row(keyring.random_key())
    with pytest.raises(CryptoError):
        sealed.read_owned(row, "entries", keyring.random_key())


def test_a_rewrite_keeps_the_key_and_changes_the_blob():
    user_key = keyring.random_key()
    row, key = _sealed_row(user_key)
    first = row.content
    # (a rewrite of a stored row also checks, under the row lock, that `key` is still the row's;
    # that check needs the database and is covered by tests/test_races_sharing.py)
    sealed.write(row, "entries", key, DATA, new_key=True)
    assert row.content != first and sealed.read(row, "entries", key) == DATA
