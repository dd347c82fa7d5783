"""A leaked database reveals nothing of a passkey that the user chose or that unlocks: the name is
sealed, the PRF output and the user key appear in no form; account deletion shreds the wraps."""
from __future__ import annotations

import secrets

from sqlalchemy import select

from domain.accounts import sessions
from domain.core.db import db
from domain.core.keyring import b64d
from domain.core.models import Passkey, User
from domain.data import erasure
from tests.conftest import PASSWORD, csrf_from, raw_database_bytes
from tests.passkey_soft import SoftAuthenticator
from tests.test_markers_accounts import assert_absent
from tests.test_passkeys_http import add_passkey, answer, options, passkey_login


def test_passkey_name_prf_output_and_user_key_never_reach_the_database(app, client, auth):
    auth.signup()
    name = f"MARKERpasskey{secrets.token_hex(6)}"
    soft = SoftAuthenticator()
    cid = add_passkey(client, soft, name=name)
    assert name in client.get("/settings/passkeys").get_data(as_text=True)
    auth.logout()
    opts = options(client, [cid])
    cred, prf = soft.get(opts)
    assert answer(client, cred, prf).status_code == 200
    with client.session_transaction() as s:
        sealed = s["uk"]
    with app.app_context():
        row = sessions.list_for(db.session.scalar(select(User.id)))[0]
        user_key = sessions.unseal(row, sealed, str(app.config["SECRET_KEY"]).encode())
    raw = raw_database_bytes(app)
    assert_absent(raw, "passkey name", name.encode())
    assert_absent(raw, "PRF output", b64d(prf))
    assert_absent(raw, "user key", user_key)


def test_account_deletion_shreds_passkey_wraps(app, client, auth):
    auth.signup()
    soft = SoftAuthenticator()
    cid = add_passkey(client, soft)
    with app.app_context():
        wrap = db.session.scalar(select(Passkey)).uk_by_prf
        user = db.session.scalar(select(User))
        # step one of deletion overwrites the wrap (checked on a rolled-back copy)
        erasure.shred(user, b"k" * 32, str(app.config["SECRET_KEY"]).encode())
        assert db.session.scalar(select(Passkey)).uk_by_prf != wrap
        db.session.rollback()
    page = client.get("/settings/data/delete").get_data(as_text=True)
    r = client.post("/settings/data/delete", data={"csrf_token": csrf_from(page), "password": PASSWORD,
                                                   "confirm": "delete my journal", "understood": "y"})
    assert r.status_code == 302
    assert_absent(raw_database_bytes(app), "passkey wrap", wrap)
    with app.app_context():
        assert db.session.scalar(select(Passkey)) is None
    r = passkey_login(client, soft, [cid])
    assert r.status_code == 400
