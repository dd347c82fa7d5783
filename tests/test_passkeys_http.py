"""Passkeys over HTTP with a software authenticator: register, log in alone (PRF) or with the
password (no PRF), replays, counters, removal, and the key hierarchy staying whole."""
from __future__ import annotations

import json
import logging
import re

import pytest
from sqlalchemy import select

from domain.core import keyring
from domain.core.db import db
from domain.core.models import Passkey, PasskeyChallenge
from tests.conftest import PASSWORD, Auth, csrf_from
from tests.passkey_soft import SoftAuthenticator
from tests.test_journal_http import entry_id, post_entry

NEW_PASSWORD = "another long passphrase 77 x"


def token(client, url="/about") -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


def add_passkey(client, soft: SoftAuthenticator, name="My phone"):
    csrf = token(client, "/settings/passkeys")
    r = client.post("/settings/passkeys/options", data={"csrf_token": csrf})
    assert r.status_code == 200, r.get_data(as_text=True)
    cred, prf = soft.create(r.get_json())
    r = client.post("/settings/passkeys/add", data={"csrf_token": csrf, "name": name, "credential": cred,
                                                    "prf": prf})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["id"]


def options(client, known=()):
    r = client.post("/login/passkey/options", data={"csrf_token": token(client, "/login"),
                                                     "known": ",".join(known)})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def answer(client, cred: str, prf: str, retried=False):
    return client.post("/login/passkey", data={"csrf_token": token(client, "/login"), "credential": cred,
                                               "prf": prf, "retried": "1" if retried else ""})


def passkey_login(client, soft, known=(), **kw):
    opts = options(client, known)
    return answer(client, *soft.get(opts, **kw))


@pytest.fixture
def world(app, client, auth):
    auth.signup()
    eid = entry_id(post_entry(client, "bright_moment", {"what_happened": "zqpasskeyentry"}))
    return eid


def test_prf_passkey_opens_the_journal_alone(client, auth, world):
    soft = SoftAuthenticator()
    cid = add_passkey(client, soft)
    page = client.get("/settings/passkeys").get_data(as_text=True)
    assert "My phone" in page and "opens your journal" in page
    auth.logout()
    r = passkey_login(client, soft, [cid])
    assert r.status_code == 200 and r.get_json() == {"redirect": "/"}
    assert "zqpasskeyentry" in client.get(f"/entries/{world}").get_data(as_text=True)
    # user verification was performed: this login counts as fresh for sensitive actions
    assert client.get("/settings/passkeys").status_code == 200


def test_without_user_verification_the_login_is_not_fresh(client, auth, world):
    soft = SoftAuthenticator()
    cid = add_passkey(client, soft)
    auth.logout()
    soft.uv = False
    r = passkey_login(client, soft, [cid])
    assert r.status_code == 200 and r.get_json() == {"redirect": "/"}
    assert "zqpasskeyentry" in client.get(f"/entries/{world}").get_data(as_text=True)
    r = client.get("/settings/passkeys")
    assert r.status_code == 302 and "/confirm" in r.headers["Location"]


def test_discovered_passkey_is_asked_again_for_prf(client, auth, world):
    soft = SoftAuthenticator()
    add_passkey(client, soft)
    auth.logout()
    r = passkey_login(client, soft)          # no known ids: no PRF salt in the options
    retry = r.get_json()["retry"]
    assert retry == keyring.b64e(soft.creds[0].credential_id)
    opts = options(client, [retry])
    assert retry in opts["extensions"]["prf"]["evalByCredential"]
    r = answer(client, *soft.get(opts), retried=True)
    assert r.get_json() == {"redirect": "/"}
    assert "zqpasskeyentry" in client.get(f"/entries/{world}").get_data(as_text=True)


def test_without_prf_the_passkey_is_the_second_factor(client, auth, world):
    soft = SoftAuthenticator(prf=False)
    cid = add_passkey(client, soft)
    assert "with your password" in client.get("/settings/passkeys").get_data(as_text=True)
    auth.logout()
    r = passkey_login(client, soft, [cid])
    assert r.get_json() == {"redirect": "/login/passkey/password"}
    assert client.get(f"/entries/{world}").status_code == 302   # not logged in yet
    page = client.get("/login/passkey/password").get_data(as_text=True)
    assert "password is still needed" in page
    csrf = csrf_from(page)
    r = client.post("/login/passkey/password", data={"csrf_token": csrf, "password": "wrong one"})
    assert r.status_code == 400
    r = client.post("/login/passkey/password", data={"csrf_token": csrf, "password": PASSWORD})
    assert r.status_code == 302
    assert "zqpasskeyentry" in client.get(f"/entries/{world}").get_data(as_text=True)


def test_password_page_needs_a_passkey_first(client, auth, world):
    auth.logout()
    assert client.get("/login/passkey/password").status_code == 302


def test_replayed_assertion_is_refused(client, auth, world):
    soft = SoftAuthenticator()
    cid = add_passkey(client, soft)
    auth.logout()
    cred, prf = soft.get(options(client, [cid]))
    assert answer(client, cred, prf).status_code == 200
    auth.logout()
    assert answer(client, cred, prf).status_code == 400          # challenge already used
    options(client, [cid])
    assert answer(client, cred, prf).status_code == 400          # a new challenge, the old answer


def test_challenge_mismatch_and_counter_regression_are_refused(client, auth, world):
    soft = SoftAuthenticator()
    cid = add_passkey(client, soft)
    auth.logout()
    opts = options(client, [cid])
    r = answer(client, *soft.get(opts, challenge=keyring.b64e(b"x" * 32)))
    assert r.status_code == 400
    assert passkey_login(client, soft, [cid]).status_code == 200
    auth.logout()
    r = passkey_login(client, soft, [cid], counter=1)           # the counter went backwards
    assert r.status_code == 400 and "could not be checked" in r.get_json()["error"]


def test_wrong_prf_output_does_not_unlock(client, auth, world):
    soft = SoftAuthenticator()
    cid = add_passkey(client, soft)
    auth.logout()
    cred, _prf = soft.get(options(client, [cid]))
    r = answer(client, cred, keyring.b64e(b"\x00" * 32))
    assert r.status_code == 400
    assert client.get(f"/entries/{world}").status_code == 302


def test_removed_passkey_is_refused(client, auth, world):
    soft = SoftAuthenticator()
    cid = add_passkey(client, soft)
    page = client.get("/settings/passkeys").get_data(as_text=True)
    remove = re.search(r'action="(/settings/passkeys/[^/"]+/remove)"', page).group(1)
    r = client.post(remove, data={"csrf_token": csrf_from(page)})
    assert r.status_code == 302
    assert "You have no passkeys yet" in client.get("/settings/passkeys").get_data(as_text=True)
    auth.logout()
    r = passkey_login(client, soft, [cid])
    assert r.status_code == 400 and "not known" in r.get_json()["error"]


def test_other_users_passkey_cannot_be_removed(app, client, auth, world):
    add_passkey(client, SoftAuthenticator())
    with app.app_context():
        pid = db.session.scalar(select(Passkey.id))
    other = app.test_client()
    Auth(other).signup(login="intruder")
    page = other.get("/settings/passkeys").get_data(as_text=True)
    assert other.post(f"/settings/passkeys/{pid}/remove", data={"csrf_token": csrf_from(page)}).status_code == 404
    with app.app_context():
        assert db.session.get(Passkey, pid) is not None


def test_password_change_and_recovery_keep_passkeys_working(app, client, auth):
    code = auth.signup()
    eid = entry_id(post_entry(client, "bright_moment", {"what_happened": "zqpasskeyentry"}))
    soft = SoftAuthenticator()
    cid = add_passkey(client, soft)
    csrf = token(client, "/settings/password")
    r = client.post("/settings/password", data={"csrf_token": csrf, "current": PASSWORD,
                                                "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302, r.get_data(as_text=True)
    auth.logout()
    assert passkey_login(client, soft, [cid]).get_json() == {"redirect": "/"}
    auth.logout()
    r = client.post("/recover", data={"csrf_token": token(client, "/recover"), "login": "therapist",
                                      "recovery_code": code, "password": PASSWORD + " again",
                                      "confirm": PASSWORD + " again"})
    assert r.status_code == 302, r.get_data(as_text=True)
    auth.logout()
    r = passkey_login(client, soft, [cid])
    assert r.status_code == 200
    assert "zqpasskeyentry" in client.get(f"/entries/{eid}").get_data(as_text=True)


def test_challenges_are_short_lived_rows(app, client, auth, world):
    auth.logout()
    options(client)
    with app.app_context():
        row = db.session.scalar(select(PasskeyChallenge))
        assert row.purpose == "login" and len(row.challenge) == 32


def test_prf_output_is_never_logged_or_stored(app, client, auth, world, caplog):
    caplog.set_level(logging.DEBUG)
    soft = SoftAuthenticator()
    cid = add_passkey(client, soft, name="zqpasskeyname")
    auth.logout()
    cred, prf = soft.get(options(client, [cid]))
    assert answer(client, cred, prf).status_code == 200
    raw = keyring.b64d(prf)
    logs = caplog.text
    assert prf not in logs and raw.hex() not in logs
    assert "passkey.login" in logs
    from tests.conftest import raw_database_bytes
    dump = raw_database_bytes(app)
    assert raw not in dump and prf.encode() not in dump
    assert b"zqpasskeyname" not in dump
    assert json.loads(cred)["id"]


def test_two_factor_code_is_still_asked_when_the_passkey_did_not_verify_the_user(app, client, auth, world):
    soft = SoftAuthenticator()
    cid = add_passkey(client, soft)
    with app.app_context():
        from domain.accounts import twofactor
        from domain.core.models import User
        user = db.session.scalar(select(User))
        twofactor.enable(user, b"\x00" * 32, twofactor.new_secret())  # the sealed secret is not read here
        db.session.commit()
    auth.logout()
    assert passkey_login(client, soft, [cid]).get_json() == {"redirect": "/"}   # verified: no code
    auth.logout()
    soft.uv = False
    assert passkey_login(client, soft, [cid]).get_json() == {"redirect": "/login/code"}
    assert client.get(f"/entries/{world}").status_code == 302


def login_with_next(client, soft, cid: str, next_url: str):
    cred, prf = soft.get(options(client, [cid]))
    return client.post("/login/passkey", data={"csrf_token": token(client, "/login"), "credential": cred,
                                               "prf": prf, "next": next_url})


def test_passkey_login_returns_to_the_page_that_asked(client, auth, world):
    # Like a password login: /login?next=/entries/<id> lands on that entry, and a foreign
    # address is never followed.
    soft = SoftAuthenticator()
    cid = add_passkey(client, soft)
    auth.logout()
    r = login_with_next(client, soft, cid, f"/entries/{world}")
    assert r.get_json() == {"redirect": f"/entries/{world}"}
    auth.logout()
    r = login_with_next(client, soft, cid, "//evil.example/x")
    assert r.get_json() == {"redirect": "/"}


def test_passkey_without_prf_keeps_next_through_the_password_step(client, auth, world):
    soft = SoftAuthenticator(prf=False)
    cid = add_passkey(client, soft)
    auth.logout()
    r = login_with_next(client, soft, cid, f"/entries/{world}")
    assert r.get_json() == {"redirect": "/login/passkey/password"}
    r = client.post("/login/passkey/password", data={"csrf_token": token(client, "/login/passkey/password"),
                                                     "password": PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == f"/entries/{world}"
