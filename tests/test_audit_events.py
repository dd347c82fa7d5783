"""The security event log through the HTTP client: every event kind is recorded with the right
outcome and account pseudonym, the account holder sees their own events, the log holds none of
the marker strings, and the hash chain check fails after a row is altered (both databases)."""
from __future__ import annotations

import io
import json
import re
import secrets

import pyotp
from sqlalchemy import select, text

from domain.core.db import db
from domain.core.models import AuditEvent, AuditSubject, User
from domain.ops import audit, audit_chain
from tests.conftest import PASSWORD, Auth, csrf_from, raw_database_bytes
from tests.passkey_soft import SoftAuthenticator
from tests.test_passkeys_http import add_passkey, passkey_login
from tests.test_sharing_crypto import login_client
from tests.test_sharing_http import post, setup, share_id_of, share_over_http

NEW_PASSWORD = "a brand new passphrase 55 q"


def events(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(e.kind, e.outcome) for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]


def last(app) -> AuditEvent:
    with app.app_context():
        row = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        db.session.expunge(row)
        return row


def pseudonym_of(app, login: str) -> str | None:
    with app.app_context():
        uid = audit.user_id_for_login(app.config["SECRET_KEY"].encode(), login)
        return audit.pseudonym(uid, create=False)


def test_logins_failures_and_password_changes_are_recorded_under_the_accounts_pseudonym(app, client, auth):
    auth.signup()
    assert events(app)[-1] == ("signup", "ok")
    auth.logout()
    assert events(app)[-1] == ("logout", "ok")
    assert auth.login(password="wrong password entirely 1").status_code == 400
    assert events(app)[-1] == ("login", "failed")
    assert auth.login(login="nobody-here", password="wrong password entirely 1").status_code == 400
    assert events(app)[-1] == ("login", "failed") and last(app).pseudonym is None
    assert auth.login().status_code == 302
    assert events(app)[-1] == ("login", "ok")
    mine = pseudonym_of(app, "therapist")
    assert mine and len(mine) == 32
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.pseudonym).where(AuditEvent.seq == 3)) == mine  # failed login
    r = auth.post("/settings/password", {"current": "not it at all 12345", "password": NEW_PASSWORD,
                                         "confirm": NEW_PASSWORD})
    assert r.status_code == 400 and events(app)[-1] == ("password_changed", "failed")
    r = auth.post("/settings/password", {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302 and events(app)[-1] == ("password_changed", "ok")
    r = auth.post("/settings/recovery-code", {"password": NEW_PASSWORD})
    assert r.status_code == 302 and events(app)[-1] == ("recovery_code_changed", "ok")
    assert last(app).address == "127.0.0.1" and last(app).pseudonym == mine
    r = auth.post("/confirm?next=/settings/data/", {"password": "nope nope nope 1"}, form_url="/confirm")
    assert r.status_code == 400 and events(app)[-1] == ("password_check", "failed")


def test_recovery_two_factor_and_sessions(app, client, auth):
    code = auth.signup()
    auth.logout()
    r = Auth(client).post("/recover", {"login": "therapist", "recovery_code": code, "password": NEW_PASSWORD,
                                       "confirm": NEW_PASSWORD})
    assert r.status_code == 302 and events(app)[-1] == ("recovery_used", "ok")
    auth.post("/recovery-code", {"last_group": auth.pending_code().split("-")[-1]})
    page = client.get("/settings/two-factor/setup").get_data(as_text=True)
    key = re.search(r'<code class="totp-key">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    r = client.post("/settings/two-factor/setup", data={"csrf_token": csrf_from(page), "code": "000000"})
    assert r.status_code == 400 and events(app)[-1] == ("two_factor_on", "failed")
    r = client.post("/settings/two-factor/setup", data={"csrf_token": csrf_from(page), "code": pyotp.TOTP(key).now()})
    assert r.status_code == 200 and events(app)[-1] == ("two_factor_on", "ok")
    codes = re.findall(r"<li><code>([0-9A-F-]+)</code></li>", r.get_data(as_text=True))
    r = post(client, "/settings/two-factor/backup-codes")
    assert r.status_code == 200 and events(app)[-1] == ("backup_codes_renewed", "ok")
    codes = re.findall(r"<li><code>([0-9A-F-]+)</code></li>", r.get_data(as_text=True))
    auth.logout()
    assert auth.login(password=NEW_PASSWORD).status_code == 302
    assert events(app)[-1] == ("login", "pending")
    page = client.get("/login/code").get_data(as_text=True)
    assert client.post("/login/code", data={"csrf_token": csrf_from(page), "code": "000000"}).status_code == 400
    assert events(app)[-1] == ("login_second_factor", "failed")
    assert last(app).pseudonym == pseudonym_of(app, "therapist")
    assert client.post("/login/code", data={"csrf_token": csrf_from(page), "code": codes[0]}).status_code == 302
    assert events(app)[-1] == ("login_second_factor", "ok")
    r = post(client, "/settings/two-factor/disable", {"password": NEW_PASSWORD, "code": codes[1]})
    assert r.status_code == 302 and events(app)[-1] == ("two_factor_off", "ok")
    other = Auth(app.test_client())
    assert other.login(password=NEW_PASSWORD).status_code == 302
    assert post(client, "/settings/sessions/end-others").status_code == 302
    assert events(app)[-1] == ("sessions_ended", "ok")


def test_passkeys_added_used_and_removed(app, client, auth):
    auth.signup()
    soft = SoftAuthenticator()
    cid = add_passkey(client, soft)
    assert events(app)[-1] == ("passkey_added", "ok")
    auth.logout()
    r = passkey_login(client, soft, [cid])
    assert r.status_code == 200 and events(app)[-1] == ("login_passkey", "ok")
    assert last(app).pseudonym == pseudonym_of(app, "therapist")
    with app.app_context():
        from domain.core.models import Passkey
        pk_id = db.session.scalar(select(Passkey.id))
    assert post(client, f"/settings/passkeys/{pk_id}/remove").status_code == 302
    assert events(app)[-1] == ("passkey_removed", "ok")


def test_exports_imports_shares_revokes_and_account_deletion(app):
    people, eid = setup(app)
    tess = login_client(app, "tess")
    for fmt in ("json", "zip"):
        assert post(tess, f"/settings/data/export.{fmt}").status_code == 200
        assert events(app)[-1] == ("export", "ok") and last(app).detail == fmt
    dump = post(tess, "/settings/data/export.json").data
    page = tess.get("/settings/data/").get_data(as_text=True)
    r = tess.post("/settings/data/import", data={"csrf_token": csrf_from(page),
                                                  "file": (io.BytesIO(dump), "x.json")}, content_type="multipart/form-data")
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', r.get_data(as_text=True)).group(1)
    assert post(tess, "/settings/data/import/confirm", {"payload": payload}).status_code == 302
    assert events(app)[-1] == ("import", "ok")
    assert share_over_http(tess, eid, []).status_code == 400
    assert events(app)[-1] == ("share", "failed")
    assert share_over_http(tess, eid, [people["sam"].id]).status_code == 302
    assert events(app)[-1] == ("share", "ok")
    assert post(tess, f"/shares/{share_id_of(app, eid, people['sam'].id)}/revoke").status_code == 302
    assert events(app)[-1] == ("revoke", "ok")
    name = pseudonym_of(app, "tess")
    r = post(tess, "/settings/data/delete", {"password": PASSWORD, "confirm": "delete my journal",
                                                  "understood": "y"})
    assert r.status_code == 302 and events(app)[-1] == ("account_deleted", "ok")
    with app.app_context():
        assert db.session.get(User, people["tess"].id) is None
        # The account's events stay, under a pseudonym nothing links to the deleted id any more.
        assert last(app).pseudonym == name
        assert db.session.scalar(select(AuditSubject).where(AuditSubject.pseudonym == name)) is None
        assert audit_chain.verify().ok


def test_rate_limit_refusals_are_recorded(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    Auth(client).signup()
    Auth(client).logout()
    statuses = [Auth(client).login(password=f"wrong guess number {i}").status_code for i in range(12)]
    assert 429 in statuses
    kinds = events(app)
    assert ("rate_limited", "refused") in kinds
    with app.app_context():
        refused = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "rate_limited")).first()
        assert refused.detail == "auth.login" and refused.pseudonym == pseudonym_of(app, "therapist")


def test_expiry_runs_are_recorded_by_an_explicit_call(app):
    with app.app_context():
        audit.record("expiry_run", user_id=None, address=None, outcome="ok", detail="entries=3 processes=1")
        db.session.commit()
    assert events(app)[-1] == ("expiry_run", "ok")


def test_gets_and_unrelated_posts_record_nothing(app, client, auth):
    auth.signup()
    before = events(app)
    for url in ("/", "/settings/", "/settings/security-events", "/settings/data/"):
        assert client.get(url).status_code == 200
    assert events(app) == before
    # Anonymous POSTs that are only sent to the login page are not account events.
    anon = app.test_client()
    token = csrf_from(anon.get("/login").get_data(as_text=True))
    assert anon.post("/settings/password", data={"csrf_token": token}).status_code in (302, 401)
    assert events(app) == before
    # A form without a valid token did nothing, so it is no event (an expired page, a forgery).
    r = anon.post("/login", data={"csrf_token": "stale", "login": "therapist", "password": "x" * 12})
    assert r.status_code == 400 and events(app) == before


def test_the_account_holder_sees_only_their_own_events(app, client, auth):
    auth.signup()
    auth.logout()
    auth.login(password="this is not the password 9")
    auth.login()
    other = Auth(app.test_client())
    other.signup(login="someone-else")
    page = client.get("/settings/security-events").get_data(as_text=True)
    assert page.count("Login with password") == 2 and "failed" in page and "Account created" in page
    assert page.count("Account created") == 1   # the other account's sign-up is not listed
    assert app.test_client().get("/settings/security-events").status_code == 302  # login first


def test_the_log_holds_none_of_the_marker_strings(app):
    tag = secrets.token_hex(5)
    login, name = f"MARKERauditlogin{tag}", f"MARKERauditname{tag}"
    password, question = f"MARKERauditpass{tag} long enough", f"MARKERauditquestion{tag}"
    people, eid = setup(app, text=f"MARKERauditentry{tag}")
    tess = login_client(app, "tess")
    share_over_http(tess, eid, [people["sam"].id], question=question)
    client = app.test_client()
    Auth(client).signup(login=login, name=name, password=password)
    Auth(app.test_client()).login(login=login, password=f"MARKERauditwrong{tag} pass")
    with app.app_context():
        exported = json.dumps(audit_chain.export_rows())
    assert len(events(app)) >= 4
    for marker in (login, name, password, question, f"MARKERauditentry{tag}", f"MARKERauditwrong{tag}"):
        assert marker not in exported
        assert marker.lower() not in exported.lower()
    raw = raw_database_bytes(app)
    assert b"MARKERaudit" not in raw


def test_the_chain_check_fails_after_a_row_is_altered_removed_or_inserted(app, client, auth):
    auth.signup()
    auth.logout()
    auth.login(password="wrong wrong wrong 123")
    auth.login()
    with app.app_context():
        report = audit_chain.verify()
        assert report.ok and report.checked == 4
        db.session.execute(text("UPDATE audit_events SET outcome = 'ok' WHERE seq = 3"))
        db.session.commit()
        assert not audit_chain.verify().ok
        db.session.execute(text("UPDATE audit_events SET outcome = 'failed' WHERE seq = 3"))
        db.session.commit()
        assert audit_chain.verify().ok
        db.session.execute(text("UPDATE audit_events SET address = '10.0.0.9' WHERE seq = 2"))
        db.session.commit()
        assert "row 2: its content was changed" in audit_chain.verify().problems[0]
        db.session.execute(text("UPDATE audit_events SET address = '127.0.0.1' WHERE seq = 2"))
        db.session.execute(text("DELETE FROM audit_events WHERE seq = 2"))
        db.session.commit()
        assert any("missing" in p for p in audit_chain.verify().problems)


def test_every_kind_has_a_source_and_every_rule_a_real_endpoint(app):
    from blueprints.audit import RULES
    explicit = {"expiry_run", "audit_pruned", "rate_limited"}   # a job's call, the pruner, any 429
    assert {kind for kind, _ in RULES.values()} | explicit == set(audit.KINDS)
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(RULES) <= endpoints


def test_the_events_page_speaks_bokmal(app, client, auth):
    auth.signup()
    page = client.get("/settings/security-events", headers={"Accept-Language": "nb"}).get_data(as_text=True)
    assert "Sikkerhetshendelser" in page and "Konto opprettet" in page and "utført" in page
