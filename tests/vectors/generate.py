"""Writes the golden vectors in this folder. Run once per format change, with the code that writes
that format, and COMMIT the output: `.venv/bin/python -m tests.vectors.generate`.

Never regenerate an existing file to make a test pass: the point of these files is that bytes
written by an older Fokus keep opening in every later one.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HERE = Path(__file__).resolve().parent


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def legacy_hkdf_blob(key: bytes, plaintext: bytes, ad: bytes) -> bytes:
    """Blob v1 as first written: commitment subkey from full HKDF (Extract with an empty salt, then
    Expand), i.e. `keyring.hkdf(key, "commit")` of that time."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
    ck = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"fokus/v1|commit").derive(key)
    nonce = os.urandom(12)
    commit = hmac.new(ck, nonce + ad, hashlib.sha256).digest()
    return bytes([1]) + nonce + commit + AESGCM(key).encrypt(nonce, plaintext, ad)


def crypto_vectors() -> dict:
    from domain.core import keyring
    key = bytes(range(32))
    kek = bytes(range(32, 64))
    content_key = bytes(range(64, 96))
    ad = keyring.aad("entry", "e" * 32, "owner", "u" * 32, "kv", 1)
    wrap_ad = keyring.aad("wrap", "entry", "e" * 32, "u" * 32, "kv", 1)
    private, public = keyring.new_identity()
    share_info = keyring.aad("share", "e" * 32, "r" * 32, "kv", 1)
    return {
        "note": "Fixed keys and AADs; each ciphertext must open to its plaintext forever.",
        "blobs": [
            {"name": "v1 blob, legacy HKDF commitment", "version": 1, "key": b64(key), "aad": b64(ad),
             "plaintext": b64(b'{"kind":"hard_session","what_happened":"legacy"}'),
             "blob": b64(legacy_hkdf_blob(key, b'{"kind":"hard_session","what_happened":"legacy"}', ad))},
            {"name": f"v{keyring.BLOB_VERSION} blob as written by seal() then, HMAC commitment",
             "version": keyring.BLOB_VERSION, "key": b64(key), "aad": b64(ad),
             "plaintext": b64(b'{"kind":"hard_session","what_happened":"today"}'),
             "blob": b64(keyring.seal(key, b'{"kind":"hard_session","what_happened":"today"}', ad))},
        ],
        "wraps": [
            {"name": f"content key wrapped under a user key (blob v{keyring.BLOB_VERSION})", "kek": b64(kek), "aad": b64(wrap_ad),
             "key": b64(content_key), "wrapped": b64(keyring.wrap_key(kek, content_key, wrap_ad))},
            {"name": "content key wrapped, legacy HKDF commitment", "kek": b64(kek), "aad": b64(wrap_ad),
             "key": b64(content_key), "wrapped": b64(legacy_hkdf_blob(kek, content_key, wrap_ad))},
        ],
        "hpke": [
            {"name": f"HPKE share as written by hpke_wrap() then (HPKE v{getattr(keyring, 'HPKE_VERSION', 1)})",
             "version": getattr(keyring, "HPKE_VERSION", 1), "private": b64(private),
             "public": b64(public), "info": b64(share_info), "key": b64(content_key),
             "wrapped": b64(keyring.hpke_wrap(public, content_key, share_info))},
        ],
    }


def account_vectors() -> dict:
    """A small account (therapist + supervisor, one shared entry with a reflection and replies),
    made through the app, dumped as the database rows it left."""
    from sqlalchemy import select

    from app import create_app
    from domain.core.db import db
    from domain.sharing import shares as sharing
    from tests import conftest
    from tests.test_sharing_crypto import connect, make_person, reflect, reply, share_with, write_entry
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/v.db"
        os.environ["FOKUS_INSTANCE_PATH"] = tmp
        conftest._migrate(url, Path(tmp))
        app = create_app(conftest.base_config(url, Path(tmp)))
        with app.app_context():
            tess = make_person(app, "tess", "Tess Therapist")
            sam = make_person(app, "sam", "Sam Supervisor")
            connect(tess, sam)
            entry = write_entry(tess, "golden vector entry text")
            share = share_with(tess, entry, sam, question="golden question")
            reflect(sam, share, context="golden reflection")
            reply(tess, share, "golden owner reply")
            reply(sam, share, "golden reader reply")
            db.session.commit()
            tables = {}
            for table in db.metadata.sorted_tables:
                if table.name in ("user_sessions", "access_events"):
                    continue
                rows = [dict(r._mapping) for r in db.session.execute(select(table))]
                tables[table.name] = [{k: _plain(v) for k, v in row.items()} for row in rows]
            eid, sid = entry.id, share.id
            sharing  # noqa: B018 (imported for the builders)
            db.engine.dispose()
    return {"note": "Rows of a small account; log in with the password and everything opens.",
            "secret_key": conftest.TEST_SECRET, "password": conftest.PASSWORD,
            "logins": ["tess", "sam"], "entry_id": eid, "share_id": sid,
            "texts": ["golden vector entry text", "golden question", "golden reflection",
                      "golden owner reply", "golden reader reply"],
            "tables": tables}


def _plain(v):
    if isinstance(v, bytes | memoryview):
        return {"b64": b64(bytes(v))}
    if isinstance(v, datetime):
        return {"dt": v.isoformat()}
    return v


def main(which: str) -> None:
    if which == "crypto":
        out = crypto_vectors()
    else:
        out = account_vectors()
    path = HERE / sys.argv[2]
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1])
