"""Sessions: the cookie carries a token and the sealed user key; the server keeps a row with the
seal's salt. Logout, timeouts, password change and recovery delete rows, and then a replayed cookie
is useless."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from blueprints import guards
from domain.accounts import account as accounts
from domain.accounts import sessions
from domain.core import keyring
from domain.core.db import db, utcnow
from domain.core.models import UserSession
from tests.conftest import PASSWORD, Auth, csrf_from

NEW_PASSWORD = "violet umbrella orbit canyon 77"
COOKIE = "fokus"


def html(r) -> str:
    return r.get_data(as_text=True)


def cookie_of(client) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None and cookie.value
    return cookie.value


def replay(app, value: str):
    """A fresh client that presents a saved cookie value."""
    other = app.test_client()
    other.set_cookie(COOKIE, value)
    return other


def assert_logged_out(client) -> None:
    r = client.get("/settings/")
    assert r.status_code == 302 and "/login" in r.headers["Location"], r.status_code
    text = html(client.get("/settings/", follow_redirects=True))
    assert "Tess Therapist" not in text and "Logged in as" not in text
    assert "Traceback" not in text


def assert_logged_in(client) -> None:
    r = client.get("/settings/")
    assert r.status_code == 200 and "Logged in as Tess Therapist" in html(r)


def logout(client) -> None:
    token = csrf_from(html(client.get("/about")))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def rows(app) -> list[UserSession]:
    with app.app_context():
        return list(db.session.scalars(select(UserSession)))


def shift(app, **fields: timedelta) -> None:
    """Move timestamps of every session row back in time."""
    with app.app_context():
        for row in db.session.scalars(select(UserSession)):
            for name, delta in fields.items():
                setattr(row, name, getattr(row, name) - delta)
        db.session.commit()


def second_login(app) -> tuple:
    """Another device of the same therapist."""
    client = app.test_client()
    auth = Auth(client)
    assert auth.login().status_code == 302
    return client, auth



# --------------------------------------------------------------------------- the cookie

def test_session_cookie_flags_in_development(auth, client):
    r = auth.post("/signup", {"login": "therapist", "display_name": "Tess Therapist", "password": PASSWORD,
                              "confirm": PASSWORD, "understood": "y"})
    set_cookie = r.headers["Set-Cookie"]
    assert set_cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie and "Path=/" in set_cookie
    assert "Domain=" not in set_cookie


def test_the_cookie_does_not_carry_the_user_key_in_the_clear(app, auth, client):
    auth.signup()
    value = cookie_of(client)
    data = app.session_interface.get_signing_serializer(app).loads(value)
    with app.app_context():
        _user, user_key = accounts.authenticate(guards.kdf_policy(), guards.server_secret(),
                                                "therapist", PASSWORD)
    flat = repr(data).encode()
    for form in (user_key, user_key.hex().encode(), keyring.b64e(user_key).encode()):
        assert form not in flat and form not in value.encode()


def test_login_starts_a_new_session(auth, client, app):
    auth.signup()
    first = cookie_of(client)
    first_row = rows(app)[0].id
    logout(client)
    auth.login()
    assert cookie_of(client) != first
    assert [r.id for r in rows(app)] != [first_row] and len(rows(app)) == 1


def test_session_row_stores_only_a_hash_of_the_token(app, auth, client):
    auth.signup()
    data = app.session_interface.get_signing_serializer(app).loads(cookie_of(client))
    token = data["_user_id"]
    (row,) = rows(app)
    assert row.id != token and row.id == sessions._row_id(token)


# --------------------------------------------------------------------------- logout and replay

def test_logout_makes_a_replayed_cookie_useless(app, auth, client):
    auth.signup()
    saved = cookie_of(client)
    assert_logged_in(replay(app, saved))
    logout(client)
    assert rows(app) == []
    stolen = replay(app, saved)
    assert_logged_out(stolen)
    r = stolen.get("/")
    assert r.status_code == 200 and "Tess Therapist" not in html(r)


def test_logout_of_one_device_leaves_the_other(app, auth, client):
    auth.signup()
    other, _ = second_login(app)
    logout(client)
    assert_logged_in(other)


# --------------------------------------------------------------------------- timeouts

def test_idle_timeout_ends_the_session(app, auth, client):
    auth.signup()
    saved = cookie_of(client)
    shift(app, last_seen_at=timedelta(minutes=31))
    assert_logged_out(client)
    assert rows(app) == []
    assert_logged_out(replay(app, saved))


def test_activity_within_the_idle_timeout_keeps_the_session(app, auth, client):
    auth.signup()
    shift(app, last_seen_at=timedelta(minutes=29))
    assert_logged_in(client)
    (row,) = rows(app)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)  # touched


def test_absolute_timeout_ends_an_active_session(app, auth, client):
    auth.signup()
    saved = cookie_of(client)
    shift(app, created_at=timedelta(hours=12, minutes=1))
    assert_logged_out(client)
    assert rows(app) == []
    assert_logged_out(replay(app, saved))


def test_configured_idle_timeout(make_app):
    short = make_app(FOKUS_IDLE_TIMEOUT_MINUTES="2")
    client = short.test_client()
    Auth(client).signup()
    shift(short, last_seen_at=timedelta(seconds=90))
    assert_logged_in(client)
    saved = cookie_of(client)
    shift(short, last_seen_at=timedelta(seconds=150))
    assert_logged_out(client)
    assert_logged_out(replay(short, saved))


def test_configured_absolute_timeout(make_app):
    short = make_app(FOKUS_ABSOLUTE_TIMEOUT_HOURS="1")
    client = short.test_client()
    Auth(client).signup()
    shift(short, created_at=timedelta(minutes=50))
    assert_logged_in(client)
    saved = cookie_of(client)
    shift(short, created_at=timedelta(minutes=20))
    assert_logged_out(client)
    assert_logged_out(replay(short, saved))


def test_load_deletes_expired_rows(app):
    with app.app_context():
        user, user_key, _ = accounts.create_account(guards.kdf_policy(), guards.server_secret(), "x-user",
                                                    "X", PASSWORD)
        db.session.flush()
        token, sealed = sessions.start(user.id, user_key, b"s" * 32, "test")
        db.session.commit()
        limits = sessions.Timeouts(idle=timedelta(minutes=30), absolute=timedelta(hours=12))
        row = sessions.load(token, limits)
        assert row is not None and sessions.unseal(row, sealed, b"s" * 32) == user_key
        with pytest.raises(keyring.CryptoError):
            sessions.unseal(row, sealed, b"t" * 32)
        assert sessions.load("not-a-token", limits) is None
        assert sessions.load("x" * 101, limits) is None
        assert sessions.load(token, limits, now=utcnow() + timedelta(minutes=31)) is None
        assert sessions.load(token, limits) is None  # and it stays gone


# --------------------------------------------------------------------------- password change, recovery

def test_password_change_logs_out_other_sessions(app, auth, client):
    auth.signup()
    other, _ = second_login(app)
    other_cookie = cookie_of(other)
    r = auth.post("/settings/password", {"current": PASSWORD, "password": NEW_PASSWORD,
                                         "confirm": NEW_PASSWORD})
    assert r.status_code == 302
    assert "1 other session was logged out" in html(client.get("/settings/"))
    assert_logged_in(client)
    assert_logged_out(other)
    assert_logged_out(replay(app, other_cookie))
    assert len(rows(app)) == 1


def test_recover_logs_out_all_sessions(app, auth, client):
    code = auth.signup()
    saved = cookie_of(client)
    second, _ = second_login(app)
    stranger = app.test_client()
    r = Auth(stranger).post("/recover", {"login": "therapist", "recovery_code": code,
                                         "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302
    assert_logged_out(client)
    assert_logged_out(second)
    assert_logged_out(replay(app, saved))
    assert len(rows(app)) == 1  # only the session of whoever recovered


# --------------------------------------------------------------------------- tampering

@pytest.mark.parametrize("mangle", [
    # Not the last character: its low bits are base64 padding, so some changes there decode to
    # the very same signature bytes.
    lambda v: v[:-5] + ("A" if v[-5] != "A" else "B") + v[-4:],
    lambda v: v[: len(v) // 2],
    lambda v: "X" + v,
    lambda v: "garbage",
    lambda v: "",
    lambda v: "." * 4000,
], ids=["signature", "truncated", "prefixed", "garbage", "empty", "huge"])
def test_tampered_session_cookie_is_treated_as_logged_out(app, auth, client, mangle):
    auth.signup()
    tampered = replay(app, mangle(cookie_of(client)))
    assert_logged_out(tampered)
    r = tampered.get("/")
    assert r.status_code == 200 and "Tess Therapist" not in html(r)
    r = tampered.get("/login")
    assert r.status_code == 200


def test_a_sealed_key_moved_to_another_session_does_not_open(app, auth, client):
    """Even with the server secret's signature intact, the sealed key is bound to its session row."""
    auth.signup()
    other, _ = second_login(app)
    serializer = app.session_interface.get_signing_serializer(app)
    mine, theirs = serializer.loads(cookie_of(client)), serializer.loads(cookie_of(other))
    forged = dict(mine, uk=theirs["uk"])
    attacker = replay(app, serializer.dumps(forged))
    r = attacker.get("/settings/")
    assert r.status_code == 401 and "Please log in again" in html(r) and "Traceback" not in html(r)
    assert_logged_out(attacker)


def test_a_session_without_the_sealed_key_is_refused(app, auth, client):
    auth.signup()
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(cookie_of(client))
    data.pop("uk")
    r = replay(app, serializer.dumps(data)).get("/settings/")
    assert r.status_code == 401 and "Traceback" not in html(r)


# --------------------------------------------------------------------------- sessions page

def test_sessions_page_lists_devices(app, auth, client):
    auth.signup()
    second = app.test_client()
    second.environ_base["HTTP_USER_AGENT"] = ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 "
                                              "Chrome/126.0 Mobile Safari/537.36")
    assert Auth(second).login().status_code == 302
    text = html(client.get("/settings/sessions"))
    assert "Chrome on Android" in text and "this device" in text
    assert "Log out all other sessions" in text


def row_id_of(app, client) -> str:
    token = app.session_interface.get_signing_serializer(app).loads(cookie_of(client))["_user_id"]
    return sessions._row_id(token)


def test_end_one_other_session(app, auth, client):
    auth.signup()
    other, _ = second_login(app)
    mine, theirs = row_id_of(app, client), row_id_of(app, other)
    text = html(client.get("/settings/sessions"))
    assert f"/settings/sessions/{mine}/end" in text and f"/settings/sessions/{theirs}/end" in text
    r = client.post(f"/settings/sessions/{theirs}/end", data={"csrf_token": csrf_from(text)})
    assert r.status_code == 302
    assert "That session is logged out." in html(client.get("/settings/sessions"))
    assert_logged_out(other)
    assert_logged_in(client)
    assert [r.id for r in rows(app)] == [mine]


def test_end_own_session_logs_out(app, auth, client):
    auth.signup()
    saved = cookie_of(client)
    (row,) = rows(app)
    text = html(client.get("/settings/sessions"))
    r = client.post(f"/settings/sessions/{row.id}/end", data={"csrf_token": csrf_from(text)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    assert_logged_out(client)
    assert_logged_out(replay(app, saved))


def test_end_other_sessions(app, auth, client):
    auth.signup()
    devices = [second_login(app)[0] for _ in range(2)]
    text = html(client.get("/settings/sessions"))
    r = client.post("/settings/sessions/end-others", data={"csrf_token": csrf_from(text)})
    assert r.status_code == 302
    assert "2 other sessions logged out." in html(client.get("/settings/sessions"))
    for device in devices:
        assert_logged_out(device)
    assert_logged_in(client)


def test_cannot_end_someone_elses_session(app, auth, client):
    auth.signup()
    (victim_row,) = rows(app)
    victim = client
    intruder = app.test_client()
    Auth(intruder).signup(login="intruder", name="Ian Intruder")
    text = html(intruder.get("/settings/sessions"))
    assert victim_row.id not in text
    r = intruder.post(f"/settings/sessions/{victim_row.id}/end", data={"csrf_token": csrf_from(text)})
    assert r.status_code == 404 and "Traceback" not in html(r)
    assert_logged_in(victim)


def test_session_buttons_need_csrf(app, auth, client):
    auth.signup()
    other, _ = second_login(app)
    for url in ["/settings/sessions/end-others"] + [f"/settings/sessions/{r.id}/end" for r in rows(app)]:
        r = client.post(url, data={})
        assert r.status_code == 400 and "Traceback" not in html(r), url
    assert_logged_in(client)
    assert_logged_in(other)


def test_logging_in_again_ends_the_previous_session_of_this_browser(app, auth, client):
    auth.signup()
    saved = cookie_of(client)
    token = csrf_from(html(client.get("/settings/password")))
    r = client.post("/login", data={"csrf_token": token, "login": "therapist", "password": PASSWORD})
    assert r.status_code == 302
    assert len(rows(app)) == 1
    assert_logged_in(client)
    assert_logged_out(replay(app, saved))


def test_recovering_while_someone_else_is_logged_in_ends_their_session(app, auth, client):
    code = auth.signup()
    logout(client)
    other = app.test_client()
    Auth(other).signup(login="colleague", name="Cora Colleague")
    colleague_cookie = cookie_of(other)
    r = Auth(other).post("/recover", {"login": "therapist", "recovery_code": code,
                                      "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302
    assert_logged_out(replay(app, colleague_cookie))
    assert len(rows(app)) == 1
