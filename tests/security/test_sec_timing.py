"""Login timing: an unknown login name takes as long as a known one with a wrong password.

The argon2 derivation dominates a login, so a missing dummy derivation for unknown accounts would
show as a difference of about 100%; the test allows 20% on medians of interleaved samples and, on
a busy machine, takes a second, larger round before it fails.
"""

from __future__ import annotations

import random
import re
import statistics
import time

from domain import accounts
from domain.db import db, utcnow
from tests.conftest import PASSWORD
from tests.security.conftest import token_for

MODERATE = {
    "FOKUS_ARGON2_MEMORY_KIB": "8192",
    "FOKUS_ARGON2_TIME_COST": "2",
    "FOKUS_ARGON2_PARALLELISM": "1",
    "ARGON2_FLOOR": (8, 1, 1),
}


def _round(client, token: str, samples: int) -> tuple[float, float]:
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for _ in range(samples):
        pair = ["known", "unknown"]
        random.shuffle(pair)
        for which in pair:
            login = "timed_user" if which == "known" else f"nobody_{random.randrange(10**9)}"
            start = time.perf_counter()
            r = client.post(
                "/login", data={"csrf_token": token, "login": login, "password": "wrong password 123"}
            )
            times[which].append(time.perf_counter() - start)
            assert r.status_code == 400
            assert "Login name or password is not right." in r.get_data(as_text=True)
    return statistics.median(times["known"]), statistics.median(times["unknown"])


def test_unknown_login_takes_as_long_as_a_known_one(make_app):
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
        assert user.kdf_memory_kib == 8192 and user.kdf_time_cost == 2
    client = app.test_client()
    token = token_for(client, logged_in=False)
    _round(client, token, 3)  # warm up caches and templates
    results = []
    for samples in (15, 31):
        known, unknown = _round(client, token, samples)
        ratio = unknown / known
        results.append(f"known {known * 1000:.1f} ms, unknown {unknown * 1000:.1f} ms, ratio {ratio:.2f}")
        if 0.8 <= ratio <= 1.2:
            break
    else:
        raise AssertionError("login timing tells known from unknown accounts: " + "; ".join(results))


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
