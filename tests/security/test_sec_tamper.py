"""Tampered database rows: a flipped byte in a ciphertext, a wrapped key or a thread item, and an
old key version. Every page that touches the row answers a friendly error page (never a stack
trace) and shows no plaintext of what was tampered with; the crypto layer refuses to open it."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from domain.core import keyring, sealed
from domain.core.db import db
from domain.core.models import Entry, ThreadItem, User
from domain.journal import entries as journal
from domain.sharing import shares as sharing
from tests.conftest import said_html
from tests.security.conftest import login_client

BLOB_REGIONS = {"version": 0, "nonce": 5, "commitment": 20, "ciphertext": 50, "tag": -1}


def _flip(blob: bytes, at: int) -> bytes:
    b = bytearray(blob)
    b[at] ^= 0x01
    return bytes(b)


def _set(app, model, row_id: str, **values) -> None:
    with app.app_context():
        db.session.execute(update(model).where(model.id == row_id).values(**values))
        db.session.commit()


def _get(app, model, row_id: str):
    with app.app_context():
        row = db.session.get(model, row_id)
        db.session.expunge(row)
        return row


_APP = {}


@pytest.fixture(autouse=True)
def _remember_app(app):
    _APP["app"] = app


def assert_clean_error(r, forbidden: list[str]) -> None:
    body = r.get_data(as_text=True)
    assert 400 <= r.status_code < 600, r.status_code
    assert "Traceback" not in body and 'File "' not in body and "CryptoError" not in body
    assert 'class="eyebrow">' + said_html(_APP["app"], "Error %(code)s", code=r.status_code) in body, body[:500]  # the friendly error template
    for m in forbidden:
        assert m not in body, "plaintext of a tampered row reached the page"


def assert_repair_page(r, forbidden: list[str]) -> None:
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and said_html(_APP["app"], "This entry cannot be opened") in body, r.status_code
    assert "Traceback" not in body and "CryptoError" not in body
    for m in forbidden:
        assert m not in body, "plaintext of a tampered row reached the page"


@pytest.mark.parametrize("column", ["content", "wrapped_key"])
def test_flipped_byte_in_an_entry_gives_a_clean_error(app, world, column):
    entry = _get(app, Entry, world.ids["entry"])
    owner, reader = login_client(app, "owner"), login_client(app, "reader")
    secret = [world.markers["entry"]]
    for at in BLOB_REGIONS.values():
        _set(app, Entry, entry.id, **{column: _flip(getattr(entry, column), at)})
        for url in (f"/entries/{entry.id}/sharing",):
            assert_clean_error(owner.get(url), secret)
        # One bad row is one bad row: the owner gets the repair page, the journal still lists.
        for url in (f"/entries/{entry.id}", f"/entries/{entry.id}/edit"):
            assert_repair_page(owner.get(url, follow_redirects=True), secret)
        r = owner.get("/entries")
        assert r.status_code == 200 and "Traceback" not in r.get_data(as_text=True)
        if column == "content":
            # The reader opens the content with their own wrap: the flipped content fails for them too.
            assert_clean_error(reader.get(f"/shares/{world.ids['share']}"), secret)
        with app.app_context():
            row = db.session.get(Entry, entry.id)
            with pytest.raises(keyring.CryptoError):
                journal.read(row, world.keys["owner"])
    _set(app, Entry, entry.id, **{column: getattr(entry, column)})
    assert world.markers["entry"] in owner.get(f"/entries/{entry.id}").get_data(as_text=True)


def test_flipped_byte_in_a_thread_item_gives_a_clean_error(app, world):
    with app.app_context():
        item = db.session.scalars(
            db.select(ThreadItem).where(
                ThreadItem.share_id == world.ids["share"], ThreadItem.kind == "reflection"
            )
        ).one()
        item_id, content = item.id, item.content
    clients = {role: login_client(app, role) for role in ("owner", "reader")}
    for at in BLOB_REGIONS.values():
        _set(app, ThreadItem, item_id, content=_flip(content, at))
        for client in clients.values():
            assert_clean_error(client.get(f"/shares/{world.ids['share']}"), [world.markers["refl"]])


def test_an_entry_with_a_changed_key_version_does_not_open(app, world):
    entry = _get(app, Entry, world.ids["entry"])
    for kv in (entry.key_version - 1, entry.key_version + 1):
        _set(app, Entry, entry.id, key_version=kv)
        with app.app_context():
            row = db.session.get(Entry, entry.id)
            with pytest.raises(keyring.CryptoError):
                journal.read(row, world.keys["owner"])
            # Not even with the right content key: the content AAD names the key version.
            key = keyring.unwrap_for(
                world.keys["owner"],
                "content-key",
                entry.wrapped_key,
                sealed.wrap_aad(journal.TABLE, entry.id, entry.owner_id, entry.key_version),
            )
            with pytest.raises(keyring.CryptoError):
                sealed.read(row, journal.TABLE, key)
        assert_repair_page(login_client(app, "owner").get(f"/entries/{entry.id}", follow_redirects=True),
                           [world.markers["entry"]])
    _set(app, Entry, entry.id, key_version=entry.key_version)
    r = login_client(app, "owner").get(f"/entries/{entry.id}")
    assert r.status_code == 200 and world.markers["entry"] in r.get_data(as_text=True)


def test_a_share_with_a_changed_key_version_does_not_open(app, world):
    from domain.core.models import Share

    share = _get(app, Share, world.ids["share"])
    _set(app, Share, share.id, key_version=share.key_version + 1)
    with app.app_context():
        decision = sharing.decide_share(world.users["reader"], share.id)
        with pytest.raises(keyring.CryptoError):
            sharing.entry_key_for(decision, db.session.get(User, world.users["reader"]), world.keys["reader"])
    assert_clean_error(login_client(app, "reader").get(f"/shares/{share.id}"), [world.markers["entry"]])


def test_truncated_and_emptied_blobs_give_a_clean_error(app, world):
    entry = _get(app, Entry, world.ids["entry"])
    for bad in (b"", b"\x01", entry.content[:45], entry.content[:-16], b"\x7f" + entry.content[1:]):  # 0x7f: no such version
        _set(app, Entry, entry.id, content=bad)
        assert_repair_page(login_client(app, "owner").get(f"/entries/{entry.id}", follow_redirects=True),
                           [world.markers["entry"]])
