"""Rate limits on login (per account across IPs, and per IP across accounts), in memory and in Redis.

Redis: set FOKUS_TEST_REDIS_URL (CI uses redis://127.0.0.1:6379/15). Under CI=true a missing or
unreachable Redis fails; locally the Redis cases are skipped. Each run uses its own key prefix and
deletes only its own keys.

Flask-Limiter keeps its state on one module-level Limiter, so the limited app here must be the
last app created in the test (no `app`/`world` fixture): users are made inside it.
"""

from __future__ import annotations

import os
import uuid

import pytest

from domain.accounts import account as accounts
from domain.core.db import db, utcnow
from tests.conftest import PASSWORD, said
from tests.security.conftest import token_for

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _redis_url() -> str:
    url = os.environ.get("FOKUS_TEST_REDIS_URL")
    if not url:
        if CI:
            pytest.fail("CI must set FOKUS_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15)")
        pytest.skip("FOKUS_TEST_REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        if CI:
            pytest.fail(f"Redis at {url} is not reachable under CI: {exc}")
        pytest.skip(f"Redis at {url} is not reachable: {exc}")
    return url


@pytest.fixture(params=["memory", "redis"])
def limited_app(request, make_app):
    prefix = f"fokus-sec-{uuid.uuid4().hex[:12]}"
    cfg = {"RATELIMIT_ENABLED": True, "RATELIMIT_KEY_PREFIX": prefix}
    url = None
    if request.param == "redis":
        url = _redis_url()
        cfg["FOKUS_RATELIMIT_STORAGE"] = url
    application = make_app(**cfg)
    from blueprints.limits import limiter

    # Flask-Limiter keeps the first key prefix it ever saw for the life of the process; set ours so
    # each test counts from zero and cleans up exactly its own keys.
    old_prefix, limiter._key_prefix = limiter._key_prefix, prefix
    with application.app_context():
        for login in ("victim", "bystander"):
            user, _key, _code = accounts.create_account(
                application.extensions["fokus_kdf"],
                str(application.config["SECRET_KEY"]).encode(),
                login,
                login.title(),
                PASSWORD,
            )
            user.recovery_confirmed_at = utcnow()
        db.session.commit()
    yield application
    limiter._key_prefix = old_prefix
    if url:
        import redis

        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match=f"*{prefix}*", count=500))
        if keys:
            client.delete(*keys)
        client.close()


def _login(app, ip: str, login: str, password: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    token = token_for(client, logged_in=False)
    return client.post("/login", data={"csrf_token": token, "login": login, "password": password})


def _assert_429_page(app, r) -> None:
    body = r.get_data(as_text=True)
    assert r.status_code == 429, r.status_code
    assert said(app, "Please slow down") in body
    assert said(app, "There were too many attempts. Wait a little, then try again.") in body
    assert "Traceback" not in body
    assert r.headers.get("Retry-After", "").isdigit()
    assert r.headers.get("Cache-Control") == "no-store"


def test_failed_logins_for_one_account_from_many_ips_are_limited(limited_app, monkeypatch):
    """Per account, from anywhere: ten failures a day are free, then each try waits longer (the
    clock is frozen so the growing delay is exact). No hard lockout: see test_sec_lockout."""
    from domain.accounts import attempts

    now = utcnow()
    monkeypatch.setattr(attempts, "utcnow", lambda: now)
    for n in range(10):
        assert _login(limited_app, f"10.0.0.{n + 1}", "victim", "wrong password number x").status_code == 400
    r = _login(limited_app, "10.0.0.99", "victim", "wrong password number x")
    _assert_429_page(limited_app, r)
    # The right password from yet another unknown address waits too...
    _assert_429_page(limited_app, _login(limited_app, "10.0.0.100", "victim", PASSWORD))
    # ...the same spelling with other case and spaces is the same account...
    _assert_429_page(limited_app, _login(limited_app, "10.0.0.101", "  VICTIM ", PASSWORD))
    # ...but other accounts are not affected.
    assert _login(limited_app, "10.0.0.102", "bystander", PASSWORD).status_code == 302


def test_unknown_accounts_are_limited_the_same_way(limited_app, monkeypatch):
    """The limit must not tell an existing account from an unknown one."""
    from domain.accounts import attempts

    now = utcnow()
    monkeypatch.setattr(attempts, "utcnow", lambda: now)
    statuses = [
        _login(limited_app, f"10.1.0.{n}", "nobody_at_all", "whatever password 1").status_code
        for n in range(11)
    ]
    assert statuses == [400] * 10 + [429]


def test_many_accounts_from_one_ip_are_limited(limited_app):
    statuses = [
        _login(limited_app, "10.2.0.1", f"someone{n}", "wrong password number y").status_code
        for n in range(11)
    ]
    assert statuses == [400] * 10 + [429], statuses
    _assert_429_page(limited_app, _login(limited_app, "10.2.0.1", "bystander", PASSWORD))
    assert _login(limited_app, "10.2.0.2", "bystander", PASSWORD).status_code == 302


def test_recovery_is_limited_per_ip(limited_app):
    client = limited_app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.3.0.1"
    token = token_for(client, logged_in=False)
    statuses = [
        client.post(
            "/recover",
            data={
                "csrf_token": token,
                "login": f"who{n}",
                "recovery_code": "A" * 32,
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
        ).status_code
        for n in range(11)
    ]
    assert statuses[-1] == 429 and set(statuses[:-1]) == {400}, statuses
