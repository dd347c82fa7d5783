"""Login timing without a clock: an unknown login name costs the same work as a known one.

The argon2 derivation dominates a login (milliseconds against microseconds for everything else), so
"as long as" means: exactly one derivation, with the same argon2 parameters, whether the account
exists or not. The tests count derivations instead of timing them (timers on a shared machine are
noise); bench/timing_checks.py measures the actual ratio.
"""

from __future__ import annotations

import re

import pytest

from domain.accounts import account as accounts
from domain.core import keyring
from domain.core.db import db, utcnow
from tests.conftest import PASSWORD, said
from tests.security.conftest import token_for

MODERATE = {
    "FOKUS_ARGON2_MEMORY_KIB": "64",
    "FOKUS_ARGON2_TIME_COST": "2",
    "FOKUS_ARGON2_PARALLELISM": "1",
    "ARGON2_FLOOR": (8, 1, 1),
}


@pytest.fixture
def derivations(monkeypatch):
    """Every argon2 derivation the app runs, as (memory KiB, time cost, lanes)."""
    calls: list[tuple[int, int, int]] = []
    real = keyring.derive_password

    def counting(password, salt, params):
        calls.append((params.memory_kib, params.time_cost, params.parallelism))
        return real(password, salt, params)

    monkeypatch.setattr(keyring, "derive_password", counting)
    return calls


def _login(client, token: str, login: str, password: str):
    return client.post("/login", data={"csrf_token": token, "login": login, "password": password})


def test_unknown_login_costs_one_derivation_like_a_known_one(make_app, derivations):
    app = make_app(**MODERATE)
    with app.app_context():
        user, _key, _code = accounts.create_account(
            app.extensions["fokus_kdf"],
            str(app.config["SECRET_KEY"]).encode(),
            "timed_user",
            "Timed",
            PASSWORD,
        )
        user.recovery_confirmed_at = utcnow()
        db.session.commit()
        stored = (user.kdf_memory_kib, user.kdf_time_cost, user.kdf_parallelism)
    assert stored == (64, 2, 1)
    client = app.test_client()
    token = token_for(client, logged_in=False)
    work = {}
    for which, login in (("known", "timed_user"), ("unknown", "nobody_at_all"), ("known again", "TIMED_USER ")):
        derivations.clear()
        r = _login(client, token, login, "wrong password 123")
        assert r.status_code == 400
        assert said(client.application, "Login name or password is not right.") in r.get_data(as_text=True)
        work[which] = list(derivations)
    assert work == {"known": [stored], "unknown": [stored], "known again": [stored]}, work
    # The right password also costs exactly one derivation (no second one that would tell).
    derivations.clear()
    assert _login(client, token, "timed_user", PASSWORD).status_code == 302
    assert derivations == [stored]


def test_unknown_login_follows_a_raised_target(make_app, derivations):
    """After the argon2 target is raised, the dummy derivation for unknown names uses the new
    target, which is what a known account's login upgrades to as well."""
    app = make_app(**MODERATE)
    client = app.test_client()
    token = token_for(client, logged_in=False)
    with app.app_context():
        accounts.raise_target(keyring.KdfParams(128, 2, 1))
        db.session.commit()
    derivations.clear()
    assert _login(client, token, "nobody_at_all", "wrong password 123").status_code == 400
    assert derivations == [(128, 2, 1)]


def test_the_same_words_for_every_login_failure(make_app):
    app = make_app()
    with app.app_context():
        accounts.create_account(
            app.extensions["fokus_kdf"],
            str(app.config["SECRET_KEY"]).encode(),
            "words_user",
            "Words",
            PASSWORD,
        )
        db.session.commit()
    client = app.test_client()
    token = token_for(client, logged_in=False)
    bodies = []
    for login in ("words_user", "not_a_user_at_all"):
        r = client.post(
            "/login", data={"csrf_token": token, "login": login, "password": "wrong password 456"}
        )
        assert r.status_code == 400
        body = r.get_data(as_text=True)
        bodies.append(re.sub(r'name="csrf_token"[^>]*>', "", body.replace(login, "LOGIN")))
    assert bodies[0] == bodies[1]
