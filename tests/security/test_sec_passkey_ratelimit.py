"""Passkey attempts are rate limited like password logins: per IP, and per credential whatever
the IP (the per-account limit of the password login)."""
from __future__ import annotations

import uuid

from tests.security.conftest import token_for


def test_passkey_login_attempts_are_limited(make_app):
    from blueprints.limits import limiter
    prefix = f"fokus-sec-{uuid.uuid4().hex[:12]}"
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_KEY_PREFIX=prefix)
    old_prefix, limiter._key_prefix = limiter._key_prefix, prefix
    try:
        def attempt(ip: str, credential: str) -> int:
            client = app.test_client()
            client.environ_base["REMOTE_ADDR"] = ip
            data = {"csrf_token": token_for(client, logged_in=False), "credential": credential}
            return client.post("/login/passkey", data=data).status_code

        # one credential from many addresses
        same = [attempt(f"203.0.113.{n}", '{"id":"one"}') for n in range(6)]
        assert same == [400] * 5 + [429]
        # many credentials from one address
        many = [attempt("198.51.100.7", f'{{"id":"c{n}"}}') for n in range(11)]
        assert many == [400] * 10 + [429]
    finally:
        limiter._key_prefix = old_prefix
