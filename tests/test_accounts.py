"""Accounts: the domain rules (re-wrapping, one-time recovery codes, KDF upgrades) and every HTTP
account flow, including bad input on every form: a clear message, a 4xx, what was typed kept,
never a 500."""
from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import select

from blueprints import guards
from blueprints.forms import Form
from domain.accounts import account as accounts
from domain.accounts.account import AccountError
from domain.core import keyring
from domain.core.db import db
from domain.core.keyring import KdfParams
from domain.core.models import User, UserSession
from tests.conftest import PASSWORD, csrf_from

NEW_PASSWORD = "violet umbrella orbit canyon 77"
THIRD_PASSWORD = "gravel lantern mosaic thunder 19"
CSRF_MESSAGE = str(Form.CSRF_MESSAGE)  # lazy: English outside a request
REQUIRED = "Please fill this in."


def html(r) -> str:
    return r.get_data(as_text=True)


def assert_form_error(r, *expected: str, kept: tuple[str, ...] = (), status: int = 400) -> str:
    """A 4xx with the message on the form and what was typed still in the inputs; never a 500."""
    text = html(r)
    assert r.status_code == status, (r.status_code, text[:2000])
    assert "Traceback" not in text
    for message in expected:
        assert message in text, (message, text)
    for value in kept:
        assert f'value="{value}"' in text, (value, text)
    return text


def all_users() -> list[User]:
    return list(db.session.scalars(select(User)))



# =========================================================================== domain rules

def logout_response(client):
    """Log out from a page with the navigation (also while a recovery code waits)."""
    token = csrf_from(html(client.get("/about")))
    return client.post("/logout", data={"csrf_token": token})


def logout(client) -> None:
    assert logout_response(client).status_code == 302


def _create(app, login="domainuser", password=PASSWORD, name="Dora Domain"):
    with app.app_context():
        user, user_key, code = accounts.create_account(guards.kdf_policy(), guards.server_secret(),
                                                       login, name, password)
        db.session.commit()
        return user.id, user_key, code


def _authenticate(app, login, password):
    with app.app_context():
        found = accounts.authenticate(guards.kdf_policy(), guards.server_secret(), login, password)
        db.session.commit()
        return None if found is None else (found[0].id, found[1])


def test_password_change_rewraps_and_keeps_old_data_readable(app):
    user_id, user_key, _code = _create(app)
    ad = keyring.aad("entry", "e1", "owner", user_id, "kv", 1)
    blob = keyring.seal(user_key, b"what stayed with me after the visit", ad)
    with app.app_context():
        user = db.session.get(User, user_id)
        wrapped_before = user.uk_by_password
        returned = accounts.change_password(guards.kdf_policy(), user, PASSWORD, NEW_PASSWORD)
        assert returned == user_key
        assert user.uk_by_password != wrapped_before
        db.session.commit()
    assert _authenticate(app, "domainuser", PASSWORD) is None
    found = _authenticate(app, "domainuser", NEW_PASSWORD)
    assert found is not None and found[0] == user_id
    assert keyring.open_blob(found[1], blob, ad) == b"what stayed with me after the visit"
    with app.app_context():
        user = db.session.get(User, user_id)
        assert accounts.read_profile(user, found[1]) == {"display_name": "Dora Domain"}
        assert accounts.private_key(user, found[1])


def test_change_password_with_a_wrong_current_password_changes_nothing(app):
    user_id, _key, _code = _create(app)
    with app.app_context():
        user = db.session.get(User, user_id)
        before = (user.uk_by_password, user.verifier_digest, user.kdf_salt)
        with pytest.raises(AccountError):
            accounts.change_password(guards.kdf_policy(), user, "not the password at all", NEW_PASSWORD)
        assert (user.uk_by_password, user.verifier_digest, user.kdf_salt) == before


def test_recovery_code_works_once_and_the_new_one_replaces_it(app):
    user_id, user_key, code = _create(app)
    with app.app_context():
        found = accounts.recover(guards.kdf_policy(), guards.server_secret(), "domainuser",
                                 code.lower().replace("-", " "), NEW_PASSWORD)
        assert found is not None
        user, recovered_key, new_code = found
        assert user.id == user_id and recovered_key == user_key and new_code != code
        db.session.commit()
    with app.app_context():
        policy, secret = guards.kdf_policy(), guards.server_secret()
        assert accounts.recover(policy, secret, "domainuser", code, THIRD_PASSWORD) is None
        db.session.rollback()
    assert _authenticate(app, "domainuser", PASSWORD) is None
    assert _authenticate(app, "domainuser", NEW_PASSWORD)[1] == user_key
    with app.app_context():
        found = accounts.recover(guards.kdf_policy(), guards.server_secret(), "domainuser", new_code,
                                 THIRD_PASSWORD)
        assert found is not None and found[1] == user_key
        db.session.commit()
    assert _authenticate(app, "domainuser", THIRD_PASSWORD)[1] == user_key


def test_new_recovery_code_from_settings_replaces_the_old_one(app):
    _user_id, user_key, code = _create(app)
    with app.app_context():
        user = db.session.scalar(select(User))
        fresh = accounts.new_recovery_code(user, user_key)
        db.session.commit()
    with app.app_context():
        policy, secret = guards.kdf_policy(), guards.server_secret()
        assert accounts.recover(policy, secret, "domainuser", code, NEW_PASSWORD) is None
        assert accounts.recover(policy, secret, "domainuser", fresh, NEW_PASSWORD) is not None


def test_recover_refuses_unknown_accounts_and_malformed_codes(app):
    _create(app)
    with app.app_context():
        policy, secret = guards.kdf_policy(), guards.server_secret()
        code = keyring.new_recovery_code()
        assert accounts.recover(policy, secret, "nobody", code, NEW_PASSWORD) is None
        assert accounts.recover(policy, secret, "domainuser", code, NEW_PASSWORD) is None
        assert accounts.recover(policy, secret, "domainuser", "ABCD", NEW_PASSWORD) is None


def test_login_names_are_normalised_and_unique(app):
    _create(app, login="Therapist.One")
    assert _authenticate(app, "  therapist.one ", PASSWORD) is not None
    assert _authenticate(app, "ＴＨＥＲＡＰＩＳＴ.ONE", PASSWORD) is not None  # NFKC full-width
    with app.app_context(), pytest.raises(AccountError, match="taken"):
        accounts.create_account(guards.kdf_policy(), guards.server_secret(), "THERAPIST.ONE", "X", PASSWORD)


def test_stored_row_holds_no_login_name_password_or_user_key(app):
    user_id, user_key, code = _create(app, login="findable-login-name")
    with app.app_context():
        user = db.session.get(User, user_id)
        for column in User.__table__.columns:
            value = getattr(user, column.key)
            raw = value if isinstance(value, bytes) else str(value).encode()
            for secret in (b"findable-login-name", PASSWORD.encode(), user_key, code.encode(),
                           code.replace("-", "").encode(), b"Dora Domain"):
                assert secret not in raw, column.key


def test_stored_params_below_the_floor_are_upgraded_at_login(app, make_app):
    user_id, user_key, _code = _create(app)
    # The same database, served by an app whose floor (and so target) is higher.
    strict = make_app(ARGON2_FLOOR=(16, 2, 1))
    assert _authenticate(strict, "domainuser", PASSWORD)[1] == user_key
    with strict.app_context():
        user = db.session.get(User, user_id)
        stored = KdfParams(user.kdf_memory_kib, user.kdf_time_cost, user.kdf_parallelism)
        assert not stored.below(KdfParams(16, 2, 1)), stored
    assert _authenticate(strict, "domainuser", PASSWORD)[1] == user_key
    assert _authenticate(strict, "domainuser", "wrong password entirely") is None


def test_new_accounts_never_get_params_below_the_floor(make_app):
    strict = make_app(ARGON2_FLOOR=(16, 2, 1))
    user_id, _key, _code = _create(strict)
    with strict.app_context():
        user = db.session.get(User, user_id)
        assert not KdfParams(user.kdf_memory_kib, user.kdf_time_cost, user.kdf_parallelism).below(
            KdfParams(16, 2, 1))


def test_a_higher_configured_target_upgrades_at_login(app, make_app):
    user_id, user_key, _code = _create(app)
    raised = make_app(FOKUS_ARGON2_MEMORY_KIB="32", FOKUS_ARGON2_TIME_COST="2")
    with raised.app_context():
        salt_before = db.session.get(User, user_id).kdf_salt
    assert _authenticate(raised, "domainuser", PASSWORD)[1] == user_key
    with raised.app_context():
        user = db.session.get(User, user_id)
        assert (user.kdf_memory_kib, user.kdf_time_cost) == (32, 2)
        assert user.kdf_salt != salt_before


# =========================================================================== sign-up

SIGNUP_OK = {"login": "kept-login", "display_name": "Kept Name", "password": PASSWORD,
             "confirm": PASSWORD, "understood": "y"}


def test_signup_page_warns_that_nothing_can_be_recovered_without_password_and_code(client):
    text = html(client.get("/signup"))
    assert "nobody can ever open your journal again" in text
    assert 'name="csrf_token"' in text


def test_signup_shows_the_code_once_and_confirming_it_lands_on_home(auth, client):
    r = auth.post("/signup", SIGNUP_OK)
    assert r.status_code == 302 and r.headers["Location"].endswith("/recovery-code")
    assert client.get("/").status_code == 302  # home waits until the code is confirmed
    code = auth.pending_code()
    assert len(code.replace("-", "")) == 32
    r = auth.post("/recovery-code", {"last_group": " " + code.split("-")[-1].lower() + " "})
    assert r.status_code == 302 and urlsplit(r.headers["Location"]).path == "/"
    assert "recovery code is saved" in html(client.get("/settings/"))
    assert "Logged in as Kept Name" in html(client.get("/settings/"))
    # Shown once: the page and the download are gone after confirming.
    assert client.get("/recovery-code").status_code == 302
    assert client.get("/recovery-code.txt").status_code == 404


def test_recovery_code_download_is_a_small_text_attachment(auth, client):
    auth.post("/signup", SIGNUP_OK)
    code = auth.pending_code()
    r = client.get("/recovery-code.txt")
    assert r.status_code == 200
    assert r.mimetype == "text/plain"
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert "fokus-recovery-code.txt" in r.headers["Content-Disposition"]
    assert code in html(r) and len(r.data) < 2000
    assert r.headers["Cache-Control"] == "no-store"


def test_recovery_code_pages_need_a_login(client):
    assert client.get("/recovery-code").status_code == 302
    assert client.get("/recovery-code.txt").status_code == 302


@pytest.mark.parametrize("change, message, kept", [
    ({"login": "", "display_name": "", "password": "", "confirm": "", "understood": ""}, REQUIRED, ()),
    ({"login": "x" * 255}, "Between 3 and 254 characters.", ("Kept Name",)),
    ({"login": "ab"}, "Between 3 and 254 characters.", ("ab", "Kept Name")),
    ({"login": "has spaces!"}, "Use letters, digits", ("has spaces!", "Kept Name")),
    ({"display_name": "N" * 81}, "At most 80 characters.", ("kept-login",)),
    ({"display_name": "   "}, REQUIRED, ("kept-login",)),
    ({"password": "p" * 257, "confirm": "p" * 257}, "At most 256 characters.", ("kept-login", "Kept Name")),
    ({"confirm": PASSWORD + "x"}, "The two passwords are not the same.", ("kept-login", "Kept Name")),
    ({"password": "short", "confirm": "short"}, "Use at least 12 characters.", ("kept-login", "Kept Name")),
    ({"password": "password1234", "confirm": "password1234"}, "This password is too easy to guess",
     ("kept-login", "Kept Name")),
    ({"password": "kept-login2024", "confirm": "kept-login2024"},
     "This password is too easy to guess", ("kept-login", "Kept Name")),
    ({"understood": ""}, "Please confirm that you have read this.", ("kept-login", "Kept Name")),
], ids=["empty", "login-too-long", "login-too-short", "login-chars", "name-too-long", "name-blank",
        "password-too-long", "mismatch", "password-short", "password-weak", "password-is-login",
        "not-understood"])
def test_signup_bad_input(auth, client, change, message, kept):
    r = auth.post("/signup", SIGNUP_OK | change)
    assert_form_error(r, message, kept=kept)
    with client.application.app_context():
        assert all_users() == []


def test_signup_without_csrf_token_keeps_the_input(client):
    r = client.post("/signup", data=SIGNUP_OK)
    assert_form_error(r, CSRF_MESSAGE, kept=("kept-login", "Kept Name"))
    r = client.post("/signup", data=SIGNUP_OK | {"csrf_token": "forged-token"})
    assert_form_error(r, CSRF_MESSAGE, kept=("kept-login", "Kept Name"))


def test_signup_with_a_taken_login(auth, client):
    auth.signup(login="kept-login")
    logout(client)
    r = auth.post("/signup", SIGNUP_OK | {"login": "KEPT-LOGIN", "display_name": "Second Person"})
    assert_form_error(r, "That login name is taken", kept=("KEPT-LOGIN", "Second Person"))


def test_signup_when_logged_in_goes_home(auth, client):
    auth.signup()
    assert client.get("/signup").status_code == 302


@pytest.mark.parametrize("typed, message", [
    ("", REQUIRED), ("ZZZZ", "That does not match the last group"), ("A" * 21, "At most 20 characters."),
], ids=["empty", "wrong", "too-long"])
def test_recovery_code_confirmation_bad_input(auth, client, typed, message):
    auth.post("/signup", SIGNUP_OK)
    code = auth.pending_code()
    if typed == "ZZZZ" and code.endswith("ZZZZ"):
        typed = "YYYY"
    r = auth.post("/recovery-code", {"last_group": typed})
    text = assert_form_error(r, message)
    assert code.split("-")[0] in text  # the code is still shown
    assert auth.pending_code() == code  # and is the same code


def test_recovery_code_confirmation_without_csrf(auth, client):
    auth.post("/signup", SIGNUP_OK)
    code = auth.pending_code()
    r = client.post("/recovery-code", data={"last_group": code.split("-")[-1]})
    assert_form_error(r, CSRF_MESSAGE, kept=(code.split("-")[-1],))
    assert auth.pending_code() == code


def test_recovery_code_confirmation_tolerates_confusables(auth, client):
    auth.post("/signup", SIGNUP_OK)
    code = auth.pending_code()
    last = code.split("-")[-1]
    typed = "-".join(last.lower().replace("o", "0").replace("i", "1"))
    r = auth.post("/recovery-code", {"last_group": typed})
    assert r.status_code == 302
    # The code is marked confirmed: stored, no longer shown, and the journal opens.
    with client.application.app_context():
        (user,) = db.session.scalars(select(User)).all()
        assert user.recovery_confirmed_at is not None
    assert client.get("/recovery-code").status_code == 302
    assert client.get("/").status_code == 200


def test_an_unconfirmed_code_is_replaced_at_the_next_login(auth, client):
    auth.post("/signup", SIGNUP_OK)
    first = auth.pending_code()
    logout(client)
    r = auth.login("kept-login")
    assert r.status_code == 302 and r.headers["Location"].endswith("/recovery-code")
    second = auth.pending_code()
    assert second != first
    auth.post("/recovery-code", {"last_group": second.split("-")[-1]})
    logout(client)
    r = auth.post("/recover", {"login": "kept-login", "recovery_code": first, "password": NEW_PASSWORD,
                               "confirm": NEW_PASSWORD})
    assert_form_error(r, "Login name or recovery code is not right")
    r = auth.post("/recover", {"login": "kept-login", "recovery_code": second,
                               "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302


# =========================================================================== login and logout

def test_login_logout(auth, client):
    auth.signup()
    logout(client)
    assert client.get("/settings/").status_code == 302
    r = auth.login()
    assert r.status_code == 302 and urlsplit(r.headers["Location"]).path == "/"
    assert "Logged in as Tess Therapist" in html(client.get("/settings/"))
    r = logout_response(client)
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    assert "You are logged out." in html(client.get("/login"))
    assert client.get("/settings/").status_code == 302


def test_login_with_any_case_and_surrounding_spaces(auth, client):
    auth.signup(login="Therapist")
    logout(client)
    assert auth.login(" THERAPIST ").status_code == 302


def test_login_page_links_to_recovery_and_signup(client):
    text = html(client.get("/login"))
    assert 'href="/recover"' in text and 'href="/signup"' in text


@pytest.mark.parametrize("data, message, kept", [
    ({"login": "", "password": ""}, REQUIRED, ()),
    ({"login": "kept-login", "password": ""}, REQUIRED, ("kept-login",)),
    ({"login": "", "password": PASSWORD}, REQUIRED, ()),
    ({"login": "x" * 255, "password": PASSWORD}, "At most 254 characters.", ()),
    ({"login": "kept-login", "password": "p" * 257}, "At most 256 characters.", ("kept-login",)),
    ({"login": "therapist", "password": "wrong password here"}, "Login name or password is not right.",
     ("therapist",)),
], ids=["empty", "no-password", "no-login", "login-too-long", "password-too-long", "wrong-password"])
def test_login_bad_input(auth, client, data, message, kept):
    auth.signup()
    logout(client)
    r = auth.post("/login", data)
    assert_form_error(r, message, kept=kept)
    assert client.get("/settings/").status_code == 302


def test_login_without_csrf_token(auth, client):
    auth.signup()
    logout(client)
    r = client.post("/login", data={"login": "therapist", "password": PASSWORD})
    assert_form_error(r, CSRF_MESSAGE, kept=("therapist",))
    assert client.get("/settings/").status_code == 302


def _normalised_login_page(r, login: str) -> str:
    text = html(r)
    return text.replace(csrf_from(text), "TOKEN").replace(f'value="{login}"', 'value="LOGIN"')


def test_login_errors_are_identical_for_unknown_and_known_accounts(auth, client):
    auth.signup(login="known-person")
    logout(client)
    known = auth.post("/login", {"login": "known-person", "password": "wrong password here"})
    unknown = auth.post("/login", {"login": "nobody-here", "password": "wrong password here"})
    assert known.status_code == unknown.status_code == 400
    assert "Login name or password is not right." in html(known)
    assert (_normalised_login_page(known, "known-person")
            == _normalised_login_page(unknown, "nobody-here"))
    assert set(known.headers.keys()) == set(unknown.headers.keys())


def test_unknown_account_login_does_the_same_work_as_a_known_one(make_app, monkeypatch):
    """Without a clock: one argon2 derivation with the same parameters for an unknown login name as
    for a known one with a wrong password (bench/timing_checks.py measures the time ratio)."""
    slow = make_app(FOKUS_ARGON2_MEMORY_KIB="64", FOKUS_ARGON2_TIME_COST="2")
    _create(slow, login="timed-person")
    client = slow.test_client()
    token = csrf_from(html(client.get("/login")))
    calls = []
    real = keyring.derive_password
    monkeypatch.setattr(keyring, "derive_password",
                        lambda pw, salt, params: calls.append(params) or real(pw, salt, params))

    def work(login: str) -> list:
        calls.clear()
        r = client.post("/login", data={"csrf_token": token, "login": login,
                                        "password": "not the password 123"})
        assert r.status_code == 400
        return list(calls)

    assert work("timed-person") == work("nobody-at-all") == [KdfParams(64, 2, 1)]


def test_logout_without_csrf_token_is_refused_and_keeps_the_session(auth, client):
    auth.signup()
    r = client.post("/logout", data={})
    assert r.status_code == 400
    assert "That request could not be read" in html(r) and "Traceback" not in html(r)
    assert client.get("/settings/").status_code == 200


def test_logout_needs_post(auth, client):
    auth.signup()
    assert client.get("/logout").status_code == 405
    assert client.get("/settings/").status_code == 200


# --------------------------------------------------------------------------- open redirects

EVIL = ["//evil.example", "https://evil.example/", "/\\evil.example", "\\\\evil.example",
        "/\t/evil.example", "/\n/evil.example", "///evil.example", "javascript:alert(1)",
        "http:evil.example", "/\x7f/evil.example"]


@pytest.mark.parametrize("target", EVIL)
def test_login_refuses_open_redirects(auth, client, target):
    auth.signup()
    logout(client)
    r = auth.post("/login?next=" + quote(target, safe=""), {"login": "therapist", "password": PASSWORD},
                  form_url="/login")
    assert r.status_code == 302
    location = r.headers["Location"]
    assert urlsplit(location).netloc in ("", "localhost") and not location.startswith("//")
    assert urlsplit(location).path == "/"


def test_login_follows_a_local_next(auth, client):
    auth.signup()
    logout(client)
    r = client.get("/settings/password")
    assert r.status_code == 302
    login_url = r.headers["Location"]
    assert "next=" in login_url
    r = auth.post(login_url, {"login": "therapist", "password": PASSWORD})
    assert r.status_code == 302 and urlsplit(r.headers["Location"]).path == "/settings/password"


# =========================================================================== forgot password

def test_recover_sets_a_new_password_and_keeps_the_journal(auth, client):
    code = auth.signup()
    logout(client)
    r = auth.post("/recover", {"login": "therapist", "recovery_code": code.lower().replace("-", " "),
                               "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302 and r.headers["Location"].endswith("/recovery-code")
    assert "journal is intact" in html(client.get("/recovery-code"))
    new_code = auth.pending_code()
    assert new_code != code
    auth.post("/recovery-code", {"last_group": new_code.split("-")[-1]})
    assert "Logged in as Tess Therapist" in html(client.get("/settings/"))  # the sealed profile still opens
    logout(client)
    assert_form_error(auth.login(password=PASSWORD), "Login name or password is not right.")
    assert auth.login(password=NEW_PASSWORD).status_code == 302
    logout(client)
    # The old code worked once; the new one works.
    r = auth.post("/recover", {"login": "therapist", "recovery_code": code, "password": THIRD_PASSWORD,
                               "confirm": THIRD_PASSWORD})
    assert_form_error(r, "Login name or recovery code is not right", kept=("therapist",))
    r = auth.post("/recover", {"login": "therapist", "recovery_code": new_code,
                               "password": THIRD_PASSWORD, "confirm": THIRD_PASSWORD})
    assert r.status_code == 302


RECOVER_BASE = {"login": "therapist", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}


@pytest.mark.parametrize("change, message, kept", [
    ({"login": "", "recovery_code": "", "password": "", "confirm": ""}, REQUIRED, ()),
    ({"recovery_code": "A" * 81}, "At most 80 characters.", ("therapist",)),
    ({"login": "x" * 255}, "At most 254 characters.", ()),
    ({"recovery_code": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH"}, "Login name or recovery code is not right",
     ("therapist", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH")),
    ({"recovery_code": "too short"}, "Login name or recovery code is not right", ("therapist",)),
    ({"login": "nobody-here"}, "Login name or recovery code is not right", ("nobody-here",)),
    ({"confirm": NEW_PASSWORD + "x"}, "The two passwords are not the same.", ("therapist",)),
    ({"password": "password1234", "confirm": "password1234"}, "This password is too easy to guess",
     ("therapist",)),
    ({"password": "short", "confirm": "short"}, "Use at least 12 characters.", ("therapist",)),
    ({"password": "p" * 257, "confirm": "p" * 257}, "At most 256 characters.", ("therapist",)),
], ids=["empty", "code-too-long", "login-too-long", "wrong-code", "malformed-code", "unknown-login",
        "mismatch", "weak", "short", "password-too-long"])
def test_recover_bad_input(auth, client, change, message, kept):
    code = auth.signup()
    logout(client)
    data = RECOVER_BASE | {"recovery_code": code} | change
    assert_form_error(auth.post("/recover", data), message, kept=kept)
    # Nothing changed: the old password and the code still work.
    assert auth.login().status_code == 302
    logout(client)
    assert auth.post("/recover", RECOVER_BASE | {"recovery_code": code}).status_code == 302


def test_recover_without_csrf_token(auth, client):
    code = auth.signup()
    logout(client)
    r = client.post("/recover", data=RECOVER_BASE | {"recovery_code": code})
    assert_form_error(r, CSRF_MESSAGE, kept=("therapist", code))
    assert auth.login().status_code == 302


def test_recover_wrong_code_and_unknown_login_say_the_same(auth, client):
    auth.signup()
    logout(client)
    other_code = keyring.new_recovery_code()
    a = auth.post("/recover", RECOVER_BASE | {"recovery_code": other_code})
    b = auth.post("/recover", RECOVER_BASE | {"login": "nobody-here", "recovery_code": other_code})
    assert a.status_code == b.status_code == 400
    assert (_normalised_login_page(a, "therapist") == _normalised_login_page(b, "nobody-here"))


# =========================================================================== password change

PW_OK = {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}


def test_password_change(auth, client):
    auth.signup()
    r = auth.post("/settings/password", PW_OK)
    assert r.status_code == 302
    assert "Your password is changed." in html(client.get("/settings/"))
    assert "Logged in as Tess Therapist" in html(client.get("/settings/"))
    logout(client)
    assert_form_error(auth.login(password=PASSWORD), "Login name or password is not right.")
    assert auth.login(password=NEW_PASSWORD).status_code == 302
    assert "Logged in as Tess Therapist" in html(client.get("/settings/"))


@pytest.mark.parametrize("change, message", [
    ({"current": "", "password": "", "confirm": ""}, REQUIRED),
    ({"current": "wrong password here"}, "The current password is not right."),
    ({"confirm": NEW_PASSWORD + "x"}, "The two passwords are not the same."),
    ({"password": "password1234", "confirm": "password1234"}, "This password is too easy to guess"),
    ({"password": "Tess Therapist 1", "confirm": "Tess Therapist 1"}, "This password is too easy to guess"),
    ({"password": "short", "confirm": "short"}, "Use at least 12 characters."),
    ({"password": "p" * 257, "confirm": "p" * 257}, "At most 256 characters."),
    ({"current": "c" * 257}, "At most 256 characters."),
], ids=["empty", "wrong-current", "mismatch", "weak", "weak-name", "short", "too-long", "current-too-long"])
def test_password_change_bad_input(auth, client, change, message):
    auth.signup()
    assert_form_error(auth.post("/settings/password", PW_OK | change), message)
    logout(client)
    assert auth.login().status_code == 302  # unchanged


def test_password_change_without_csrf_token(auth, client):
    auth.signup()
    assert_form_error(client.post("/settings/password", data=PW_OK), CSRF_MESSAGE)
    logout(client)
    assert auth.login().status_code == 302


def test_settings_pages_need_a_login(client):
    for url in ("/settings/", "/settings/password", "/settings/recovery-code", "/settings/sessions"):
        r = client.get(url)
        assert r.status_code == 302 and "/login" in r.headers["Location"], url
    r = client.post("/settings/password", data=PW_OK)
    assert r.status_code in (302, 401) and "Traceback" not in html(r)


# =========================================================================== new recovery code

def test_new_recovery_code_from_settings(auth, client):
    old = auth.signup()
    r = auth.post("/settings/recovery-code", {"password": PASSWORD})
    assert r.status_code == 302 and r.headers["Location"].endswith("/recovery-code")
    new = auth.pending_code()
    assert new != old
    assert auth.post("/recovery-code", {"last_group": new.split("-")[-1]}).status_code == 302
    logout(client)
    r = auth.post("/recover", RECOVER_BASE | {"recovery_code": old})
    assert_form_error(r, "Login name or recovery code is not right")
    assert auth.post("/recover", RECOVER_BASE | {"recovery_code": new}).status_code == 302


@pytest.mark.parametrize("password, message", [
    ("", REQUIRED), ("wrong password here", "That password is not right."),
    ("p" * 257, "At most 256 characters."),
], ids=["empty", "wrong", "too-long"])
def test_new_recovery_code_bad_input(auth, client, password, message):
    code = auth.signup()
    assert_form_error(auth.post("/settings/recovery-code", {"password": password}), message)
    assert client.get("/recovery-code").status_code == 302  # no new code pending
    logout(client)
    assert auth.post("/recover", RECOVER_BASE | {"recovery_code": code}).status_code == 302


def test_new_recovery_code_without_csrf_token(auth, client):
    auth.signup()
    assert_form_error(client.post("/settings/recovery-code", data={"password": PASSWORD}), CSRF_MESSAGE)


# =========================================================================== /confirm re-entry

def test_confirm_asks_for_the_password_and_goes_on(auth, client):
    auth.signup()
    text = html(client.get("/confirm?next=/settings/sessions"))
    assert "type your password again" in text
    r = auth.post("/confirm?next=/settings/sessions", {"password": PASSWORD})
    assert r.status_code == 302 and urlsplit(r.headers["Location"]).path == "/settings/sessions"


@pytest.mark.parametrize("password, message", [
    ("", REQUIRED), ("wrong password here", "That password is not right."),
    ("p" * 257, "At most 256 characters."),
], ids=["empty", "wrong", "too-long"])
def test_confirm_bad_input(auth, client, password, message):
    auth.signup()
    assert_form_error(auth.post("/confirm?next=/settings/", {"password": password}), message)


def test_confirm_without_csrf_token(auth, client):
    auth.signup()
    assert_form_error(client.post("/confirm?next=/settings/", data={"password": PASSWORD}), CSRF_MESSAGE)


@pytest.mark.parametrize("target", EVIL)
def test_confirm_refuses_open_redirects(auth, client, target):
    auth.signup()
    url = "/confirm?next=" + quote(target, safe="")
    r = auth.post(url, {"password": PASSWORD})
    assert r.status_code == 302
    location = r.headers["Location"]
    assert urlsplit(location).netloc in ("", "localhost") and urlsplit(location).path == "/"


def test_confirm_needs_a_login(client):
    r = client.get("/confirm?next=/settings/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_confirm_marks_the_session_fresh(auth, client, app):
    auth.signup()
    with app.app_context():
        row = db.session.scalar(select(UserSession))
        row.fresh_at = row.fresh_at.replace(year=2000)
        db.session.commit()
    auth.post("/confirm?next=/", {"password": PASSWORD})
    with app.app_context():
        assert db.session.scalar(select(UserSession)).fresh_at.year > 2000


# =========================================================================== odd input

def test_markup_in_a_display_name_is_shown_as_text(auth, client):
    auth.signup(name='<b onmouseover="x()">Bold</b>')
    text = html(client.get("/settings/"))
    assert "<b onmouseover" not in text and "&lt;b onmouseover=" in text


ODD = ["\x00", "a\x00b", "\u202eevil", "ÄÖÜ" * 10, "𝔘𝔫𝔦" * 5, "ǅ", "' OR 1=1 --", "%s%n{0}"]


@pytest.mark.parametrize("odd", ODD, ids=[f"odd{i}" for i in range(len(ODD))])
def test_odd_characters_never_cause_a_server_error(auth, client, odd):
    auth.signup()
    logout(client)
    for url, data in [
        ("/login", {"login": odd, "password": odd}),
        ("/recover", {"login": odd, "recovery_code": odd, "password": odd * 12, "confirm": odd * 12}),
        ("/signup", {"login": odd * 3, "display_name": odd, "password": odd * 12, "confirm": odd * 12,
                     "understood": "y"}),
    ]:
        r = auth.post(url, data)
        assert r.status_code < 500 and "Traceback" not in html(r), (url, r.status_code)
    auth.login()
    for url, data in [("/settings/password", {"current": odd, "password": odd * 12, "confirm": odd * 12}),
                      ("/settings/recovery-code", {"password": odd}), ("/confirm?next=/", {"password": odd})]:
        r = auth.post(url, data)
        assert r.status_code == 400 and "Traceback" not in html(r), (url, r.status_code)


def test_invalid_utf8_in_a_form_body_is_not_a_server_error(client):
    token = csrf_from(html(client.get("/login")))
    r = client.post("/login", data=f"csrf_token={token}&login=%FF%FE&password=%C0%AF".encode(),
                    content_type="application/x-www-form-urlencoded")
    assert 400 <= r.status_code < 500


# =========================================================================== long passphrases

LONG = ("a meadow of quiet violet umbrellas drifting over the canyon at dawn while gravel lanterns "
        "hum softly beside the mosaic thunder of an orbiting heron 2026")


def test_password_strength_judges_long_passphrases_without_failing():
    from domain.accounts import passwords
    assert 72 < len(LONG) <= accounts.PASSWORD_MAX
    assert passwords.problems(LONG, ["someone", "Some One"]) == []
    assert passwords.problems("a" * 200, ["someone"]) != []
    assert passwords.problems("x" * accounts.PASSWORD_MAX, []) != []
    assert passwords.problems("x" * (accounts.PASSWORD_MAX + 1), []) == ["Use at most 256 characters."]


def test_long_passphrases_work_in_every_account_flow(auth, client):
    code = auth.signup(password=LONG)
    logout(client)
    assert auth.login(password=LONG).status_code == 302
    r = auth.post("/settings/password", {"current": LONG, "password": LONG[::-1], "confirm": LONG[::-1]})
    assert r.status_code == 302
    logout(client)
    r = auth.post("/recover", {"login": "therapist", "recovery_code": code, "password": LONG.upper(),
                               "confirm": LONG.upper()})
    assert r.status_code == 302
    logout(client)
    assert auth.login(password=LONG.upper()).status_code == 302
