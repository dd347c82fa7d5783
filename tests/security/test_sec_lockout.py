"""Guessing secrets: one policy for every form that checks a password, recovery code or second
factor (429 by the 11th wrong try), no owner lockout from failures elsewhere, failures logged as
security events without secrets, and a second-factor step that the server secret cannot forge."""
from __future__ import annotations

import logging
import re
from datetime import timedelta

import pyotp
import pytest

from domain.accounts import attempts, login_steps, twofactor
from domain.core import keyring
from domain.core.db import db, utcnow
from domain.core.models import LoginStep, User
from tests.conftest import PASSWORD, TEST_SECRET, Auth, csrf_from

WRONG = "this is not the password 1"


@pytest.fixture
def limited(app):
    """The app with the secret-guessing policy on (Flask-Limiter stays off, so only the policy
    under test answers 429)."""
    app.config["RATELIMIT_ENABLED"] = True
    return app


def _client(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _signed_up(app, address="10.9.0.1"):
    client = _client(app, address)
    Auth(client).signup()
    return client


def _post_form(client, url: str, data: dict, form_url: str | None = None):
    page = client.get(form_url or url)
    return client.post(url, data={"csrf_token": csrf_from(page.get_data(as_text=True)), **data})


def _fresh(client) -> None:
    r = _post_form(client, "/confirm", {"password": PASSWORD})
    assert r.status_code == 302


PASSWORD_FORMS = {
    "confirm": ("/confirm", {"password": WRONG}),
    "settings password": ("/settings/password", {"current": WRONG, "password": PASSWORD + " new",
                                                 "confirm": PASSWORD + " new"}),
    "settings recovery code": ("/settings/recovery-code", {"password": WRONG}),
    "data delete": ("/settings/data/delete", {"password": WRONG, "confirm": "delete my journal",
                                              "understood": "y"}),
}


@pytest.mark.parametrize("name", sorted(PASSWORD_FORMS))
def test_each_password_form_answers_429_by_the_eleventh_wrong_try(limited, name):
    url, data = PASSWORD_FORMS[name]
    client = _signed_up(limited)
    if name == "data delete":
        _fresh(client)
    statuses = [_post_form(client, url, data).status_code for _ in range(11)]
    assert statuses[:10] == [400] * 10, statuses
    assert statuses[10] == 429, statuses
    # The right password waits too, from this device, until the window has passed.
    r = _post_form(client, "/confirm", {"password": PASSWORD})
    assert r.status_code == 429 and r.headers["Retry-After"].isdigit()


def test_login_and_recovery_answer_429_by_the_eleventh_wrong_try(limited):
    _signed_up(limited)
    client = _client(limited, "10.9.1.1")
    statuses = [_post_form(client, "/login", {"login": "therapist", "password": WRONG}).status_code
                for _ in range(11)]
    assert statuses == [400] * 10 + [429]
    # Recovery: the same policy (here for a login nobody has, which must look the same).
    other = _client(limited, "10.9.1.2")
    statuses = [_post_form(other, "/recover", {"login": "nobody_here", "recovery_code": "A" * 32,
                                               "password": PASSWORD, "confirm": PASSWORD}).status_code
                for _ in range(11)]
    assert statuses == [400] * 10 + [429]


def test_owner_logs_in_after_failures_from_other_addresses(limited, monkeypatch):
    phone = _signed_up(limited, "10.8.0.1")
    Auth(phone).logout()
    assert Auth(phone).login().status_code == 302  # this browser logged in before: a trusted device
    Auth(phone).logout()
    for n in range(5):
        r = _post_form(_client(limited, f"10.8.1.{n}"), "/login", {"login": "therapist", "password": WRONG})
        assert r.status_code == 400
    # Five failures from five addresses do not stop the owner on a fresh address.
    assert Auth(_client(limited, "10.8.2.1")).login().status_code == 302
    # Many more from many addresses: strangers now wait, growing each time...
    now = utcnow()
    monkeypatch.setattr(attempts, "utcnow", lambda: now)
    for n in range(30):
        _post_form(_client(limited, f"10.8.3.{n}"), "/login", {"login": "therapist", "password": WRONG})
    r = Auth(_client(limited, "10.8.4.1")).login()
    assert r.status_code == 429
    # ...but the owner's own phone is not blocked by failures from elsewhere.
    assert Auth(phone).login().status_code == 302
    # And the delay is a delay, not a lockout: later, a fresh address gets in.
    monkeypatch.setattr(attempts, "utcnow", lambda: now + attempts.MAX_DELAY + timedelta(seconds=5))
    assert Auth(_client(limited, "10.8.4.2")).login().status_code == 302


def test_a_stolen_device_cookie_gets_no_more_guesses(limited):
    phone = _signed_up(limited, "10.7.0.1")
    Auth(phone).logout()
    Auth(phone).login()  # now a trusted device
    statuses = [_post_form(phone, "/confirm", {"password": WRONG}).status_code for _ in range(11)]
    assert statuses[-1] == 429
    # The same device cookie from another address is still the same device.
    phone.environ_base["REMOTE_ADDR"] = "10.7.0.2"
    assert _post_form(phone, "/confirm", {"password": WRONG}).status_code == 429


def test_failures_are_security_events_without_secrets(limited, caplog):
    client = _client(limited, "10.6.0.1")
    _signed_up(limited)
    with caplog.at_level(logging.WARNING, logger="fokus.security"):
        _post_form(client, "/login", {"login": "therapist", "password": WRONG})
    events = [r.getMessage() for r in caplog.records if r.name == "fokus.security"]
    assert len(events) == 1 and "auth_failure check=login" in events[0] and "10.6.0.1" in events[0]
    assert WRONG not in events[0] and "therapist" not in events[0]


# --- the second-factor step --------------------------------------------------------------------

def _enable_2fa(app, client) -> str:
    with app.app_context():
        user = db.session.scalars(db.select(User)).one()
    page = client.get("/settings/two-factor/setup").get_data(as_text=True)
    key = re.search(r'<code class="totp-key">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    r = client.post("/settings/two-factor/setup", data={"csrf_token": csrf_from(page),
                                                         "code": pyotp.TOTP(key).now()})
    assert r.status_code == 200
    assert user.id
    return key


def _forge(app, value: dict) -> str:
    return app.session_interface.get_signing_serializer(app).dumps({"second_factor": value})


def _old_style_step(user_id: str, user_key: bytes) -> dict:
    """The pre-login cookie the server secret alone could build before: user key sealed under a
    key derived from the secret and a salt in the same cookie."""
    salt = keyring.random_key()
    until = int(utcnow().timestamp()) + 300
    sealed = keyring.seal(keyring.hkdf(TEST_SECRET.encode(), "second-factor", salt=salt), user_key,
                          keyring.aad("second-factor", user_id, until))
    return {"uid": user_id, "salt": keyring.b64e(salt), "uk": keyring.b64e(sealed), "until": until,
            "token": keyring.b64e(salt)}


@pytest.mark.parametrize("two_factor", [False, True])
def test_a_forged_second_factor_cookie_is_refused(app, two_factor):
    victim = _signed_up(app)
    if two_factor:
        _enable_2fa(app, victim)
    with app.app_context():
        user = db.session.scalars(db.select(User)).one()
        user_id = user.id
    attacker = app.test_client()
    attacker.set_cookie(app.config["SESSION_COOKIE_NAME"], _forge(app, _old_style_step(user_id, keyring.random_key())))
    page = attacker.get("/login/code")
    assert page.status_code == 302 and page.headers["Location"].endswith("/login")
    attacker.set_cookie(app.config["SESSION_COOKIE_NAME"], _forge(app, _old_style_step(user_id, keyring.random_key())))
    r = attacker.post("/login/code", data={"code": "000000"})
    assert r.status_code in (302, 400) and "/login/code" not in r.headers.get("Location", "")
    assert attacker.get("/settings/").status_code == 302  # not logged in
    with app.app_context():
        assert db.session.query(LoginStep).count() == 0


def test_without_2fa_there_is_no_step_and_verify_is_never_a_free_pass(app):
    _signed_up(app)
    with app.app_context():
        user = db.session.scalars(db.select(User)).one()
        assert twofactor.verify(user, keyring.random_key(), "000000") is False
        with pytest.raises(ValueError):
            login_steps.begin(user, keyring.random_key())
    client = _client(app, "10.5.0.1")
    r = Auth(client).login()
    assert r.status_code == 302 and not r.headers["Location"].endswith("/login/code")


def _to_step(app, address="10.4.0.2"):
    client = _client(app, address)
    r = Auth(client).login()
    assert r.headers["Location"].endswith("/login/code")
    return client


def test_the_step_is_a_server_row_that_dies_at_logout_use_and_expiry(app):
    owner = _signed_up(app)
    key = _enable_2fa(app, owner)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    # Logout during the step deletes the row; a copy of the cookie is then worthless.
    client = _to_step(app)
    captured = client.get_cookie(cookie_name).value
    with app.app_context():
        assert db.session.query(LoginStep).count() == 1
        step = db.session.scalars(db.select(LoginStep)).one()
        assert step.sealed_key and len(step.id) == 64
    assert _post_form(client, "/logout", {}, form_url="/login").status_code == 302
    with app.app_context():
        assert db.session.query(LoginStep).count() == 0
    replay = app.test_client()
    replay.set_cookie(cookie_name, captured)
    assert replay.get("/login/code").headers["Location"].endswith("/login")
    # Single use: after the right code the row is gone and the cookie copy opens nothing.
    client = _to_step(app)
    captured = client.get_cookie(cookie_name).value
    r = _post_form(client, "/login/code", {"code": pyotp.TOTP(key).now()})
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
    with app.app_context():
        assert db.session.query(LoginStep).count() == 0
    replay = app.test_client()
    replay.set_cookie(cookie_name, captured)
    assert replay.get("/login/code").headers["Location"].endswith("/login")
    # Expiry: a step older than its TTL is refused and deleted.
    client = _to_step(app, "10.4.0.3")
    with app.app_context():
        step = db.session.scalars(db.select(LoginStep)).one()
        step.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/login/code").headers["Location"].endswith("/login")
    with app.app_context():
        assert db.session.query(LoginStep).count() == 0


def test_five_wrong_codes_end_the_step(app):
    owner = _signed_up(app)
    _enable_2fa(app, owner)
    client = _to_step(app)
    statuses = [_post_form(client, "/login/code", {"code": "000000"}).status_code for _ in range(5)]
    assert statuses == [400] * 4 + [302]
    assert client.get("/login/code").headers["Location"].endswith("/login")
