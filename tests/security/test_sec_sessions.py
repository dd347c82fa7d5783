"""Session cookies replayed, tampered or forged; and the fresh-login gate on sensitive actions."""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from flask import Flask
from sqlalchemy import update

from blueprints import guards
from domain.accounts import sessions
from domain.core.db import db, utcnow
from domain.core.models import UserSession
from tests.conftest import PASSWORD, Auth, csrf_from, said
from tests.security.conftest import db_snapshot, login_client, session_cookie, snapshot_diff, token_for

# --- helpers ---------------------------------------------------------------------------------------


def _decode(app, cookie: str) -> dict:
    return dict(app.session_interface.get_signing_serializer(app).loads(cookie))


def _row_id(app, cookie: str) -> str:
    return hashlib.sha256(_decode(app, cookie)["_user_id"].encode()).hexdigest()


def _replay(app, cookie: str):
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return client


def assert_anonymous(client, world, token: str | None = None) -> None:
    """Treated as a visitor: welcome page, login redirects, 401 on POST, no marker anywhere, no 500."""
    r = client.get("/")
    assert r.status_code == 200 and said(client.application, "Log in") in r.get_data(as_text=True)
    assert not world.leaks("anon", r.get_data(as_text=True))
    for url in (
        f"/entries/{world.ids['entry']}",
        "/entries",
        f"/shares/{world.ids['share']}",
        "/settings/",
        f"/processes/{world.ids['process']}",
    ):
        r = client.get(url)
        assert r.status_code == 302 and r.headers["Location"].startswith("/login"), (url, r.status_code)
    data = {"csrf_token": token} if token else {}
    r = client.post(f"/entries/{world.ids['entry']}/delete", data=data)
    assert r.status_code == 401
    r = client.post("/settings/data/export.json", data=data)
    assert r.status_code == 401 and not world.leaks("anon", r.get_data(as_text=True))


def _sees_entry(client, world) -> bool:
    r = client.get(f"/entries/{world.ids['entry']}")
    return r.status_code == 200 and world.markers["entry"] in r.get_data(as_text=True)


# --- replay ----------------------------------------------------------------------------------------


def test_cookie_replayed_after_logout_is_anonymous(app, world):
    client = login_client(app, "owner")
    assert _sees_entry(client, world)
    cookie, token = session_cookie(client, app), token_for(client)
    row = _row_id(app, cookie)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.get(UserSession, row) is None
    assert_anonymous(_replay(app, cookie), world, token)


def test_cookie_replayed_after_password_change_elsewhere_is_anonymous(app, world):
    victim, changer = login_client(app, "owner"), login_client(app, "owner")
    cookie, token = session_cookie(victim, app), token_for(victim)
    page = changer.get("/settings/password").get_data(as_text=True)
    new = PASSWORD + " and more"
    r = changer.post(
        "/settings/password",
        data={"csrf_token": csrf_from(page), "current": PASSWORD, "password": new, "confirm": new},
    )
    assert r.status_code == 302
    assert _sees_entry(changer, world)  # the session that changed it stays
    assert_anonymous(victim, world, token)
    assert_anonymous(_replay(app, cookie), world, token)


def test_cookie_replayed_after_recovery_is_anonymous(app, world):
    victim = login_client(app, "owner")
    cookie = session_cookie(victim, app)
    other = app.test_client()
    r = Auth(other).post(
        "/recover",
        {
            "login": "sec_owner",
            "recovery_code": world.recovery_code("owner"),
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert r.status_code == 302
    assert_anonymous(_replay(app, cookie), world)


@pytest.mark.parametrize("which", ["idle", "absolute"])
def test_cookie_after_timeout_is_anonymous(app, world, which):
    client = login_client(app, "owner")
    assert _sees_entry(client, world)
    cookie, token = session_cookie(client, app), token_for(client)
    row = _row_id(app, cookie)
    with app.app_context():
        if which == "idle":
            past = utcnow() - timedelta(minutes=app.config["IDLE_TIMEOUT_MINUTES"], seconds=5)
            values = {"last_seen_at": past}
        else:
            past = utcnow() - timedelta(hours=app.config["ABSOLUTE_TIMEOUT_HOURS"], seconds=5)
            values = {"created_at": past}  # last_seen stays recent: only the absolute limit applies
        db.session.execute(update(UserSession).where(UserSession.id == row).values(**values))
        db.session.commit()
    assert_anonymous(client, world, token)
    with app.app_context():
        assert db.session.get(UserSession, row) is None, "a timed-out session row must be deleted"
    assert_anonymous(_replay(app, cookie), world, token)


def test_just_inside_the_idle_timeout_still_works(app, world):
    client = login_client(app, "owner")
    row = _row_id(app, session_cookie(client, app))
    with app.app_context():
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == row)
            .values(last_seen_at=utcnow() - timedelta(minutes=app.config["IDLE_TIMEOUT_MINUTES"] - 1))
        )
        db.session.commit()
    assert _sees_entry(client, world)


B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _flip(text: str, at: int) -> str:
    """Change one character so the decoded bytes change too: flipping the top bit of the 6-bit
    value. (Swapping only the low bits of a final base64 character can decode to the same bytes,
    which is the same cookie, not a tampered one.)"""
    ch = text[at]
    new = B64[(B64.index(ch) + 32) % 64] if ch in B64 else "A"
    return text[:at] + new + text[at + 1 :]


def test_tampered_session_cookie_is_anonymous(app, world):
    client = login_client(app, "owner")
    cookie = session_cookie(client, app)
    positions = sorted(
        {
            0,
            1,
            5,
            len(cookie) // 3,
            len(cookie) // 2,
            cookie.rfind(".") - 1,
            cookie.rfind(".") + 1,
            len(cookie) - 2,
            len(cookie) - 1,
        }
    )
    for at in positions:
        assert_anonymous(_replay(app, _flip(cookie, at)), world)
    for junk in ("", ".", "a.b.c", "x" * 4000, cookie[: len(cookie) // 2], "\u00e9t\u00e9"):
        r = _replay(app, junk).get(f"/entries/{world.ids['entry']}")
        # To the login page, with the way back to the entry (and nowhere else).
        assert r.status_code == 302, (junk[:20], r.status_code)
        where = urlsplit(r.headers["Location"])
        assert (where.scheme, where.netloc, where.path) == ("", "", "/login"), r.headers["Location"]
        assert parse_qs(where.query).get("next") == [f"/entries/{world.ids['entry']}"], r.headers["Location"]


def test_cookie_forged_with_a_wrong_secret_is_anonymous(app, world):
    client = login_client(app, "owner")
    data = _decode(app, session_cookie(client, app))
    forger = Flask("forger")
    forger.secret_key = "not-the-server-secret-but-long-enough-0123456789"
    forged = forger.session_interface.get_signing_serializer(forger).dumps(data)
    assert_anonymous(_replay(app, forged), world)


def test_cookie_with_the_sealed_key_of_another_session_is_refused(app, world):
    """Even with the server secret (a forger who can sign), the sealed user key of one session does
    not open under another session's row: the request is refused and logged out, never a 500."""
    a, b = login_client(app, "owner"), login_client(app, "owner")
    da, db_ = _decode(app, session_cookie(a, app)), _decode(app, session_cookie(b, app))
    forged = app.session_interface.get_signing_serializer(app).dumps({**da, "uk": db_["uk"]})
    client = _replay(app, forged)
    r = client.get(f"/entries/{world.ids['entry']}")
    assert r.status_code == 401 and not world.leaks("anon", r.get_data(as_text=True))
    assert_anonymous(client, world)
    # Garbage in the sealed slot, too.
    forged = app.session_interface.get_signing_serializer(app).dumps({**da, "uk": "!!not base64!!"})
    r = _replay(app, forged).get("/entries")
    assert r.status_code == 401


# --- fresh login -----------------------------------------------------------------------------------


def _fresh_endpoints(app) -> set[str]:
    marker = guards.fresh_login_required(lambda: None).__code__
    return {ep for ep, view in app.view_functions.items() if getattr(view, "__code__", None) is marker}


SENSITIVE = {
    "sharing.share_entry",
    "sharing.urgent",
    "sharing.agenda",
    "sharing.revoke",
    "twofactor.setup",
    "twofactor.disable",
    "twofactor.backup_codes",
    "data.export_json",
    "data.export_zip",
    "data.export_pdf",
    "data.import_preview",
    "data.import_confirm",
    "data.delete_account",
    "contacts.confirm_key",
    "contacts.remove",
}


def test_every_sensitive_action_is_behind_the_fresh_login_gate(app):
    assert SENSITIVE <= _fresh_endpoints(app), sorted(SENSITIVE - _fresh_endpoints(app))


def _make_stale(app, client) -> None:
    row = _row_id(app, session_cookie(client, app))
    with app.app_context():
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == row)
            .values(fresh_at=utcnow() - timedelta(minutes=app.config["FRESH_LOGIN_MINUTES"], seconds=5))
        )
        db.session.commit()


def _confirm(client, next_url: str, password: str = PASSWORD):
    page = client.get(next_url)
    assert page.status_code == 200
    return client.post(
        next_url, data={"csrf_token": csrf_from(page.get_data(as_text=True)), "password": password}
    )


def test_sensitive_actions_ask_for_the_password_again(app, world):
    ids = world.ids
    client = login_client(app, "owner")
    token = token_for(client)
    import_file = json.dumps(
        {"format": "fokus-export", "version": 1, "processes": [], "entries": []}
    ).encode()
    calls = [
        ("GET", f"/entries/{ids['entry']}/share", {}),
        ("POST", f"/entries/{ids['entry']}/share", {"readers": world.users["contact"]}),
        ("GET", "/share/agenda", {}),
        ("POST", "/share/agenda", {"entries": ids["entry"], "readers": world.users["contact"]}),
        ("POST", f"/shares/{ids['share']}/revoke", {}),
        ("GET", "/settings/two-factor/setup", {}),
        ("POST", "/settings/two-factor/setup", {"code": "123456"}),
        ("POST", "/settings/two-factor/disable", {"password": PASSWORD, "code": "123456"}),
        ("POST", "/settings/two-factor/backup-codes", {}),
        ("POST", "/settings/data/export.json", {}),
        ("POST", "/settings/data/export.zip", {}),
        ("POST", "/settings/data/export.pdf", {"entries": ids["entry"]}),
        ("POST", "/settings/data/import", {"file": (io.BytesIO(import_file), "x.json")}),
        ("POST", "/settings/data/import/confirm", {"payload": "x"}),
        ("GET", "/settings/data/delete", {}),
        (
            "POST",
            "/settings/data/delete",
            {"password": PASSWORD, "confirm": "delete my journal", "understood": "y"},
        ),
        ("POST", f"/contacts/{ids['link']}/confirm-key", {}),
        ("POST", f"/contacts/{ids['link']}/remove", {}),
    ]
    _make_stale(app, client)
    before = db_snapshot(app)
    for method, url, data in calls:
        r = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token, **data})
        assert r.status_code == 302, (method, url, r.status_code)
        assert r.headers["Location"].startswith("/confirm?next="), (url, r.headers["Location"])
        assert not world.leaks("anon", r.get_data(as_text=True))
    assert not snapshot_diff(before, db_snapshot(app)), snapshot_diff(before, db_snapshot(app))

    # A wrong password keeps the gate shut.
    r = _confirm(client, f"/confirm?next=/entries/{ids['entry']}/share", "not the password at all")
    assert r.status_code == 400
    assert client.get(f"/entries/{ids['entry']}/share").headers["Location"].startswith("/confirm")

    # The right one opens it, and lands where the user was going.
    r = _confirm(client, f"/confirm?next=/entries/{ids['entry']}/share")
    assert r.status_code == 302 and r.headers["Location"] == f"/entries/{ids['entry']}/share"
    page = client.get(f"/entries/{ids['entry']}/share")
    assert page.status_code == 200 and world.markers["entry"] in page.get_data(as_text=True)
    token = csrf_from(page.get_data(as_text=True))
    r = client.post(
        f"/entries/{ids['entry']}/share", data={"csrf_token": token, "readers": world.users["contact"]}
    )
    assert r.status_code == 302 and r.headers["Location"] == f"/entries/{ids['entry']}/sharing"
    assert client.post(f"/shares/{ids['share']}/revoke", data={"csrf_token": token}).status_code == 302
    r = client.post("/settings/data/export.json", data={"csrf_token": token})
    assert r.status_code == 200 and world.markers["entry"] in r.get_data(as_text=True)
    assert client.post("/settings/data/export.zip", data={"csrf_token": token}).data[:2] == b"PK"
    r = client.post("/settings/data/export.pdf", data={"csrf_token": token, "entries": ids["entry"]})
    assert r.status_code == 200 and r.data[:4] == b"%PDF"
    r = client.post(
        "/settings/data/import", data={"csrf_token": token, "file": (io.BytesIO(import_file), "x.json")}
    )
    assert r.status_code == 200
    page = client.get("/settings/two-factor/setup").get_data(as_text=True)
    key = re.search(r'<code class="totp-key">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    r = client.post("/settings/two-factor/setup", data={"csrf_token": token, "code": pyotp.TOTP(key).now()})
    assert r.status_code == 200 and said(app, "Your backup codes") in r.get_data(as_text=True)
    codes = re.findall(r"<li><code>([0-9A-F-]+)</code></li>", r.get_data(as_text=True))

    # Stale again: disabling 2FA and deleting the account are gated too, and work after /confirm.
    _make_stale(app, client)
    r = client.post(
        "/settings/two-factor/disable", data={"csrf_token": token, "password": PASSWORD, "code": codes[0]}
    )
    assert r.headers["Location"].startswith("/confirm")
    assert _confirm(client, "/confirm?next=/settings/two-factor/").status_code == 302
    r = client.post(
        "/settings/two-factor/disable", data={"csrf_token": token, "password": PASSWORD, "code": codes[0]}
    )
    assert r.status_code == 302 and r.headers["Location"] == "/settings/two-factor/"
    _make_stale(app, client)
    assert client.get("/settings/data/delete").headers["Location"].startswith("/confirm")
    assert (
        _confirm(client, "/confirm?next=/settings/data/delete").headers["Location"] == "/settings/data/delete"
    )
    r = client.post(
        "/settings/data/delete",
        data={"csrf_token": token, "password": PASSWORD, "confirm": "delete my journal", "understood": "y"},
    )
    assert r.status_code == 302
    assert Auth(app.test_client()).login("sec_owner").status_code == 400


def test_session_row_id_is_a_hash_of_the_cookie_token(app, world):
    """The database holds only a hash of the cookie token: a database reader cannot present it."""
    client = login_client(app, "owner")
    token = _decode(app, session_cookie(client, app))["_user_id"]
    with app.app_context():
        ids = [r.id for r in sessions.list_for(world.users["owner"])]
    assert token not in ids and hashlib.sha256(token.encode()).hexdigest() in ids
