"""Operator endpoints and logs: /healthz, /readyz, /metrics, request ids and JSON access lines."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from domain.core import keyring, observability
from domain.core.db import db
from domain.ops import readiness
from tests.conftest import PASSWORD, Auth, writes_during

TOKEN = "metrics-token-for-tests-0123456789"


def test_healthz_and_readyz_are_plain_cookieless_and_write_nothing(app, client):
    Auth(client).signup()  # a logged-in browser probing must not get a session touched either
    probe = app.test_client()
    responses: list = []
    for url, body in (("/healthz", "ok"), ("/readyz", "ready")):
        writes = writes_during(app, lambda u=url: responses.append(probe.get(u)))
        r = responses[-1]
        assert r.status_code == 200 and r.get_data(as_text=True).strip() == body
        assert r.mimetype == "text/plain"
        assert "Set-Cookie" not in r.headers
        assert writes == []
    r = client.get("/readyz")
    assert r.status_code == 200 and "Set-Cookie" not in r.headers


def test_readyz_unready_when_migrations_are_behind_not_ahead(app, client):
    with app.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        db.session.commit()
    r = client.get("/readyz")
    assert r.status_code == 503 and r.get_data(as_text=True).strip() == "unready"
    with app.app_context():  # a newer release migrated first (rolling upgrade): this one still serves
        db.session.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_next_release'"))
        db.session.commit()
    assert client.get("/readyz").status_code == 200
    with app.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": readiness.script_head()})
        db.session.commit()
    assert client.get("/readyz").status_code == 200


def test_readyz_unready_when_database_or_redis_unreachable(make_app, tmp_path):
    gone = make_app(FOKUS_DATABASE_URL=f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}")
    r = gone.test_client().get("/readyz")
    assert r.status_code == 503 and r.get_data(as_text=True).strip() == "unready"
    assert gone.test_client().get("/healthz").status_code == 200  # alive, just not ready
    no_redis = make_app(FOKUS_RATELIMIT_STORAGE="redis://127.0.0.1:1/0")
    assert no_redis.test_client().get("/readyz").status_code == 503
    assert readiness.redis_problem("memory://") is None


def test_probes_are_not_rate_limited_and_refusals_are_counted(make_app):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute", FOKUS_METRICS_TOKEN=TOKEN)
    c = limited.test_client()
    before = _sample(_scrape(c), "fokus_rate_limit_refusals_total", route="home.about")
    refused = [c.get("/about") for _ in range(3)][-1]
    assert refused.status_code == 429 and len(refused.headers["X-Request-ID"]) == 32
    assert {c.get(u).status_code for u in ("/healthz", "/readyz") for _ in range(5)} == {200}
    assert _sample(_scrape(c), "fokus_rate_limit_refusals_total", route="home.about") == before + 1


def _scrape(c) -> str:
    return c.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(as_text=True)


def test_request_id_is_echoed_when_sane_and_made_up_otherwise(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123_XYZ.9"}).headers["X-Request-ID"] == "abc-123_XYZ.9"
    for bad in ("short", "has spaces in it", "x" * 65, "<script>alert(1)</script>"):
        rid = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert rid != bad and len(rid) == 32 and int(rid, 16) >= 0
    assert len(client.get("/about").headers["X-Request-ID"]) == 32


def test_metrics_hidden_unless_configured_and_token_given(make_app):
    assert make_app().test_client().get("/metrics").status_code == 404
    c = make_app(FOKUS_METRICS_TOKEN=TOKEN).test_client()
    assert c.get("/metrics").status_code == 404
    assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    r = c.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200 and "fokus_http_requests_total" in r.get_data(as_text=True)


def _sample(text_: str, name: str, **labels) -> float:
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text_.splitlines():
        if line.startswith(name + ("{" if labels else " ")):
            got = line.split("{", 1)[1].split("}", 1)[0] if labels else ""
            if sorted(got.split(",")) == sorted(want.split(",")) if labels else True:
                return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_routes_logins_refusals_and_decryption_failures(make_app):
    app = make_app(FOKUS_METRICS_TOKEN=TOKEN)
    c = app.test_client()
    auth = Auth(c)

    def scrape() -> str:
        return c.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(as_text=True)
    before = scrape()
    auth.signup(login="metrics-person-login")
    auth.logout()
    auth.login(login="metrics-person-login", password="not the password at all")
    auth.login(login="metrics-person-login", password=PASSWORD)
    with pytest.raises(keyring.CryptoError):
        keyring.open_blob(keyring.random_key(), keyring.seal(keyring.random_key(), b"x", b"ad"), b"ad")
    observability.observe_request("auth.login", "POST", 429, 0.01)
    after = scrape()
    assert _sample(after, "fokus_logins_total", outcome="failure") == _sample(before, "fokus_logins_total",
                                                                             outcome="failure") + 1
    assert _sample(after, "fokus_logins_total", outcome="success") >= _sample(
        before, "fokus_logins_total", outcome="success") + 1
    assert _sample(after, "fokus_decryption_failures_total") >= _sample(before, "fokus_decryption_failures_total") + 1
    assert _sample(after, "fokus_rate_limit_refusals_total", route="auth.login") >= 1
    assert _sample(after, "fokus_http_requests_total", route="auth.login", method="POST", status="302") >= 1
    assert "fokus_db_pool_checked_out" in after and "fokus_db_pool_connections" in after
    assert "metrics-person-login" not in after and "/login" not in after


def test_metrics_name_routes_never_paths_with_ids(make_app):
    app = make_app(FOKUS_METRICS_TOKEN=TOKEN)
    c = app.test_client()
    c.get("/entries/0123456789abcdef0123456789abcdef")
    c.get("/no/such/page/with-a-token-abcdef")
    text_ = c.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(as_text=True)
    assert "0123456789abcdef" not in text_ and "with-a-token" not in text_
    assert 'route="unmatched"' in text_


def test_json_logs_one_object_per_request_without_query_or_input(make_app, capsys):
    app = make_app(FOKUS_LOG_FORMAT="json")
    c = app.test_client()
    capsys.readouterr()
    c.get("/login?next=/secret-query-marker", headers={"X-Request-ID": "req-id-for-test-1"})
    c.post("/login", data={"login": "login-marker-x", "password": "password-marker-y"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
    access = [x for x in lines if x.get("event") == "access"]
    assert [x["route"] for x in access] == ["auth.login", "auth.login"]
    assert access[0]["request_id"] == "req-id-for-test-1" and access[0]["status"] == 200
    assert access[1]["status"] == 400 and access[1]["method"] == "POST"
    assert set(access[0]) == {"ts", "level", "logger", "msg", "request_id", "method", "route", "status",
                              "duration_ms", "event"}
    dumped = json.dumps(lines)
    for marker in ("secret-query-marker", "login-marker-x", "password-marker-y", "next="):
        assert marker not in dumped
