"""Golden vectors: bytes written by earlier Fokus releases open in this one, forever.

tests/vectors/*.json were written once by tests/vectors/generate.py with the code of their time
and are never regenerated. A failure here means a format changed without a new version (see the
"Formats and versions" note in domain/core/keyring.py and docs/ARCHITECTURE.md).
"""
from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path

import pytest

from domain.core import keyring
from domain.core.db import db
from tests.conftest import Auth, csrf_from

VECTORS = Path(__file__).resolve().parent / "vectors"


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def load(name: str) -> dict:
    return json.loads((VECTORS / name).read_text())


CRYPTO_FILES = ("v1_crypto.json", "v2_crypto.json")


def vectors(part: str) -> list[dict]:
    return [v for name in CRYPTO_FILES for v in load(name)[part]]


@pytest.mark.parametrize("vector", vectors("blobs"), ids=lambda v: v["name"])
def test_blob_vectors_open(vector):
    blob = b64(vector["blob"])
    assert blob[0] == vector["version"]
    assert keyring.open_blob(b64(vector["key"]), blob, b64(vector["aad"])) == b64(vector["plaintext"])
    with pytest.raises(keyring.CryptoError):
        keyring.open_blob(bytes(32), blob, b64(vector["aad"]))
    with pytest.raises(keyring.CryptoError):
        keyring.open_blob(b64(vector["key"]), blob, b64(vector["aad"]) + b"x")


@pytest.mark.parametrize("vector", vectors("wraps"), ids=lambda v: v["name"])
def test_wrap_vectors_open(vector):
    assert keyring.unwrap_key(b64(vector["kek"]), b64(vector["wrapped"]), b64(vector["aad"])) == b64(vector["key"])


@pytest.mark.parametrize("vector", vectors("hpke"), ids=lambda v: v["name"])
def test_hpke_vectors_open(vector):
    private, info = b64(vector["private"]), b64(vector["info"])
    assert keyring.hpke_unwrap(private, b64(vector["wrapped"]), info) == b64(vector["key"])
    with pytest.raises(keyring.CryptoError):
        keyring.hpke_unwrap(private, b64(vector["wrapped"]), info + b"x")


def test_writing_produces_the_newest_versions_and_they_open():
    key, ad = keyring.random_key(), keyring.aad("t", 1)
    blob = keyring.seal(key, b"new", ad)
    assert blob[0] == keyring.BLOB_VERSION == keyring.BLOB_V2
    assert keyring.open_blob(key, blob, ad) == b"new"
    private, public = keyring.new_identity()
    wrapped = keyring.hpke_wrap(public, key, ad)
    assert wrapped[0] == keyring.HPKE_VERSION and keyring.hpke_unwrap(private, wrapped, ad) == key


def test_a_v2_blob_does_not_accept_the_legacy_commitment():
    """Only v1 may carry the HKDF commitment: relabelling a legacy blob as v2 fails."""
    vector = load("v1_crypto.json")["blobs"][0]
    blob = bytearray(b64(vector["blob"]))
    blob[0] = keyring.BLOB_V2
    with pytest.raises(keyring.CryptoError):
        keyring.open_blob(b64(vector["key"]), bytes(blob), b64(vector["aad"]))


def _value(v):
    if isinstance(v, dict) and "b64" in v:
        return b64(v["b64"])
    if isinstance(v, dict) and "dt" in v:
        return datetime.fromisoformat(v["dt"])
    return v


def _restore(account: dict) -> None:
    for table in db.metadata.sorted_tables:
        rows = account["tables"].get(table.name) or []
        names = set(table.columns.keys())
        if rows:
            db.session.execute(table.insert(), [{k: _value(v) for k, v in r.items() if k in names} for r in rows])
    db.session.commit()


@pytest.fixture
def golden_app(app):
    account = load("v1_account.json")
    assert account["secret_key"] == app.config["SECRET_KEY"]
    with app.app_context():
        _restore(account)
    return app, account


def test_an_account_written_with_v1_formats_logs_in_and_everything_opens(golden_app):
    app, account = golden_app
    owner, reader = app.test_client(), app.test_client()
    assert Auth(owner).login("tess", account["password"]).status_code == 302
    assert Auth(reader).login("sam", account["password"]).status_code == 302
    entry = owner.get(f"/entries/{account['entry_id']}").get_data(as_text=True)
    assert "golden vector entry text" in entry
    for client in (owner, reader):
        page = client.get(f"/shares/{account['share_id']}")
        assert page.status_code == 200
        for text in account["texts"]:
            assert text in page.get_data(as_text=True)
    token = csrf_from(owner.get("/settings/data/").get_data(as_text=True))
    dump = owner.post("/settings/data/export.json", data={"csrf_token": token})
    assert dump.status_code == 200
    assert all(t in dump.get_data(as_text=True) for t in account["texts"] if t != "golden question")


def test_a_v1_account_upgrades_on_write_and_a_revoke_still_works(golden_app):
    """Writing re-seals under the newest version; a revoke re-seals the whole thread."""
    app, account = golden_app
    owner = app.test_client()
    Auth(owner).login("tess", account["password"])
    token = csrf_from(owner.get(f"/entries/{account['entry_id']}/sharing").get_data(as_text=True))
    r = owner.post(f"/shares/{account['share_id']}/revoke", data={"csrf_token": token})
    assert r.status_code == 302
    from domain.core.models import Entry, ThreadItem
    with app.app_context():
        entry = db.session.get(Entry, account["entry_id"])
        # content: the newest blob; the content-key wrap: the newest blob under a purpose subkey
        assert entry.content[0] == keyring.BLOB_VERSION
        assert entry.wrapped_key[:2] == bytes([keyring.PURPOSE_MARKER, keyring.BLOB_VERSION])
        assert all(it.content[0] == keyring.BLOB_VERSION for it in db.session.query(ThreadItem))
    page = owner.get(f"/shares/{account['share_id']}").get_data(as_text=True)
    assert "golden reader reply" in page


@pytest.mark.parametrize("vector", load("index_pages_v1.json")["pages"], ids=lambda v: f"{v['format']}-{v['part']}")
def test_journal_index_pages_of_both_formats_open(vector):
    """Index pages were JSON until marshal (prefix "M4") replaced it; both keep opening."""
    from domain.journal import index_pages
    v = load("index_pages_v1.json")
    key = index_pages.key(b64(v["user_key"]), vector["part"])
    got = index_pages.open_part(b64(vector["blob"]), key, v["owner_id"], v["page_no"], vector["part"])
    assert got == vector["plain"]
    with pytest.raises(keyring.CryptoError):   # bound to its owner and page
        index_pages.open_part(b64(vector["blob"]), key, v["owner_id"], v["page_no"] + 1, vector["part"])


def test_journal_index_records_with_shared_tuples_open():
    """Since December 2026 a page's list values are tuples, equal ones stored once: they open as
    one shared object (fewer objects for the collector) and read like the lists they were."""
    from domain.journal import index_pages
    v = load("index_pages_v2.json")
    [vector] = v["pages"]
    key = index_pages.key(b64(v["user_key"]), "records")
    got = index_pages.open_part(b64(vector["blob"]), key, v["owner_id"], v["page_no"], "records")
    assert [{k: list(x) if isinstance(x, tuple) else x for k, x in r.items()} for r in got] == vector["plain"]
    assert got[0]["themes"] is got[1]["themes"] and isinstance(got[0]["tags"], tuple)
