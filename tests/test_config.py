"""Configuration (instance secret, production gate, README table), security headers and the friendly
error pages."""
from __future__ import annotations

import re
import stat
import threading
from pathlib import Path

import pytest
from flask import abort, request

from domain.core.config import SETTINGS, ConfigError, instance_secret
from domain.core.keyring import OWASP_FLOOR
from tests.conftest import PASSWORD, Auth, base_config

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "p" * 20 + "-production-secret-of-plenty-length-0123456789"
FLOOR_ARGON2 = {"FOKUS_ARGON2_MEMORY_KIB": str(OWASP_FLOOR[0]), "FOKUS_ARGON2_TIME_COST": str(OWASP_FLOOR[1]),
                "FOKUS_ARGON2_PARALLELISM": str(OWASP_FLOOR[2])}


def html(r) -> str:
    return r.get_data(as_text=True)



def https_client(application):
    client = application.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    return client


def production(**overrides) -> dict:
    return {"FOKUS_ENV": "production", "FOKUS_SECRET_KEY": GOOD_SECRET, **FLOOR_ARGON2, **overrides}


# =========================================================================== instance secret

def test_a_random_secret_is_written_to_instance_with_mode_0600_and_reused(make_app, tmp_path):
    first = make_app(drop=("FOKUS_SECRET_KEY",))
    path = tmp_path / "instance" / "secret_key"
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = path.read_text().strip()
    assert len(secret) >= 64 and first.config["SECRET_KEY"] == secret
    second = make_app(drop=("FOKUS_SECRET_KEY",))
    assert second.config["SECRET_KEY"] == secret
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".secret_key")] == []


def test_a_configured_secret_wins_and_no_file_is_written(make_app, tmp_path):
    application = make_app()
    assert application.config["SECRET_KEY"] == base_config("", tmp_path)["FOKUS_SECRET_KEY"]
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_each_new_instance_gets_its_own_secret(tmp_path):
    assert instance_secret(tmp_path / "a") != instance_secret(tmp_path / "b")


def test_workers_starting_together_share_one_complete_secret(tmp_path):
    results, barrier = [], threading.Barrier(8)

    def start():
        barrier.wait()
        results.append(instance_secret(tmp_path / "shared"))
    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 and len(set(results)) == 1 and len(results[0]) >= 64


def test_an_empty_secret_file_is_refused(tmp_path):
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(ConfigError, match="secret_key"):
        instance_secret(tmp_path)


def test_sessions_survive_an_app_restart_with_the_instance_secret(make_app):
    first = make_app(drop=("FOKUS_SECRET_KEY",))
    client = first.test_client()
    Auth(client).signup()
    cookie = client.get_cookie("fokus").value
    restarted = make_app(drop=("FOKUS_SECRET_KEY",)).test_client()
    restarted.set_cookie("fokus", cookie)
    assert restarted.get("/settings/").status_code == 200


# =========================================================================== environment

def test_bad_numbers_in_the_environment_are_named(make_app):
    with pytest.raises(ConfigError, match="FOKUS_IDLE_TIMEOUT_MINUTES"):
        make_app(FOKUS_IDLE_TIMEOUT_MINUTES="soon")


def test_settings_are_read_from_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("FOKUS_IDLE_TIMEOUT_MINUTES", "7")
    monkeypatch.setenv("FOKUS_MAX_REQUEST_KB", "64")
    application = make_app()
    assert application.config["IDLE_TIMEOUT_MINUTES"] == 7
    assert application.config["MAX_CONTENT_LENGTH"] == 64 * 1024


def test_development_defaults(make_app):
    application = make_app()
    assert application.config["FOKUS_ENV"] == "development"
    assert application.config["SESSION_COOKIE_NAME"] == "fokus"
    r = application.test_client().get("/")
    assert "Strict-Transport-Security" not in r.headers


def test_defaults_match_the_design():
    defaults = {s.env: s.default for s in SETTINGS}
    assert defaults["FOKUS_IDLE_TIMEOUT_MINUTES"] == 30
    assert defaults["FOKUS_ABSOLUTE_TIMEOUT_HOURS"] == 12
    assert (defaults["FOKUS_ARGON2_MEMORY_KIB"], defaults["FOKUS_ARGON2_TIME_COST"],
            defaults["FOKUS_ARGON2_PARALLELISM"]) == (65536, 3, 4)
    assert OWASP_FLOOR == (19 * 1024, 2, 1)


# =========================================================================== production gate

@pytest.mark.parametrize("overrides, why", [
    ({"FOKUS_SECRET_KEY": "too-short"}, "FOKUS_SECRET_KEY"),
    ({"FOKUS_ARGON2_MEMORY_KIB": "8", "FOKUS_ARGON2_TIME_COST": "1"}, "argon2"),
    ({"FOKUS_ARGON2_MEMORY_KIB": str(OWASP_FLOOR[0] - 1)}, "argon2"),
    ({"FOKUS_ARGON2_TIME_COST": "1"}, "argon2"),
    ({"DEBUG": True}, "debug"),
    ({"FOKUS_DEMO_LOGIN_HINT": "1"}, "FOKUS_DEMO_LOGIN_HINT"),
    ({"FOKUS_IDLE_TIMEOUT_MINUTES": "0"}, "timeouts"),
], ids=["short-secret", "tiny-argon2", "argon2-memory", "argon2-time", "debug", "demo-hint", "timeouts"])
def test_production_refuses_an_insecure_configuration(make_app, overrides, why):
    with pytest.raises(ConfigError, match=why) as info:
        make_app(**production(**overrides))
    assert "refuses to start" in str(info.value)


def test_production_refuses_flask_debug_from_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigError, match="debug"):
        make_app(**production())


def test_production_lists_every_problem_at_once(make_app):
    with pytest.raises(ConfigError) as info:
        make_app(**production(FOKUS_SECRET_KEY="short", DEBUG=True, FOKUS_ARGON2_TIME_COST="1"))
    message = str(info.value)
    assert "FOKUS_SECRET_KEY" in message and "debug" in message and "argon2" in message


def test_production_with_good_settings_starts_with_secure_cookies_and_hsts(make_app):
    application = make_app(**production())
    cfg = application.config
    assert cfg["SESSION_COOKIE_NAME"] == "__Host-fokus"
    assert cfg["SESSION_COOKIE_SECURE"] is True and cfg["SESSION_COOKIE_HTTPONLY"] is True
    assert cfg["SESSION_COOKIE_SAMESITE"] == "Lax" and cfg["SESSION_COOKIE_PATH"] == "/"
    assert not cfg.get("SESSION_COOKIE_DOMAIN")
    client = https_client(application)
    r = client.get("/login")
    assert r.status_code == 200
    hsts = r.headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("__Host-fokus=")
    for flag in ("Secure", "HttpOnly", "Path=/", "SameSite=Lax"):
        assert flag in cookie
    assert "Domain=" not in cookie


def test_production_forms_work_without_a_referer_header(make_app):
    """Pages send Referrer-Policy: no-referrer, so form posts must not depend on a Referer."""
    application = make_app(**production())
    client = https_client(application)
    auth = Auth(client)
    auth.signup()
    r = client.get("/settings/")
    assert r.status_code == 200 and "Logged in as Tess Therapist" in html(r)


# =========================================================================== README

def test_readme_documents_every_setting():
    text = (ROOT / "README.md").read_text()
    missing = [s.env for s in SETTINGS if s.env not in text]
    assert missing == [], f"README.md does not mention {missing}"


# =========================================================================== headers

PAGES = ["/", "/login", "/signup", "/recover", "/about", "/no-such-page"]


@pytest.mark.parametrize("url", PAGES)
def test_security_headers_on_pages(client, url):
    r = client.get(url)
    csp = r.headers["Content-Security-Policy"]
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";"))
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["Cache-Control"] == "no-store"


def test_logged_in_pages_are_not_cached(auth, client):
    auth.signup()
    for url in ("/settings/", "/settings/sessions", "/settings/password"):
        r = client.get(url)
        assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store", url


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE), "inline script"),
    (re.compile(r"<style\b", re.IGNORECASE), "style element"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "event handler attribute"),
    (re.compile(r"javascript:", re.IGNORECASE), "javascript: URL"),
]


def test_pages_need_no_inline_script_or_style(auth, client):
    """The CSP forbids inline code, so no page may rely on it."""
    urls = ["/", "/login", "/signup", "/recover", "/about", "/no-such-page"]
    pages = {u: html(client.get(u)) for u in urls}
    auth.post("/signup", {"login": "therapist", "display_name": "Tess Therapist", "password": PASSWORD,
                          "confirm": PASSWORD, "understood": "y"})
    pages["/recovery-code"] = html(client.get("/recovery-code"))
    auth.post("/recovery-code", {"last_group": auth.pending_code().split("-")[-1]})
    for u in ["/settings/", "/settings/password", "/settings/recovery-code", "/settings/sessions",
              "/confirm?next=/"]:
        pages[u] = html(client.get(u))
    for url, text in pages.items():
        for pattern, what in INLINE:
            assert not pattern.search(text), (url, what, pattern.search(text))


# =========================================================================== error pages

def assert_error_page(r, status: int, title: str) -> str:
    text = html(r)
    assert r.status_code == status, (r.status_code, text[:500])
    assert f"<h1>{title}</h1>" in text
    assert "Traceback" not in text and 'File "' not in text and "werkzeug" not in text.lower()
    assert r.headers["Content-Security-Policy"] and r.headers["Cache-Control"] == "no-store"
    return text


def test_400_page(auth, client):
    auth.signup()
    assert_error_page(client.post("/logout", data={}), 400, "That request could not be read")


def test_403_page(app):
    app.add_url_rule("/test-forbidden", "test_forbidden", lambda: abort(403))
    assert_error_page(app.test_client().get("/test-forbidden"), 403, "Not for you")


def test_404_page(client):
    assert_error_page(client.get("/no-such-page"), 404, "Not found")


def test_405_page(client):
    assert_error_page(client.get("/logout"), 405, "Not allowed")
    assert_error_page(client.put("/login"), 405, "Not allowed")


def test_413_page(make_app):
    small = make_app(FOKUS_MAX_REQUEST_KB="1")
    r = small.test_client().post("/login", data={"login": "x", "password": "p" * 4096})
    assert_error_page(r, 413, "Too much at once")


def test_413_page_at_the_default_limit(client):
    r = client.post("/signup", data={"display_name": "x" * (513 * 1024)})
    assert_error_page(r, 413, "Too much at once")


def test_429_page(make_app):
    limited = make_app(RATELIMIT_ENABLED=True)
    client = limited.test_client()
    # A different login name each time, so only the per-address limit (10 a minute) applies.
    statuses = [client.post("/login", data={"login": f"someone-{i}", "password": "wrong"}).status_code
                for i in range(10)]
    assert statuses == [400] * 10
    r = client.post("/login", data={"login": "someone-else", "password": "wrong"})
    assert_error_page(r, 429, "Please slow down")
    assert int(r.headers["Retry-After"]) > 0
    # Reading pages is not limited.
    assert client.get("/login").status_code == 200


def test_500_page_hides_the_exception(app, caplog):
    def explode():
        raise RuntimeError(request.args["typed"])  # an exception message carrying user input
    app.add_url_rule("/test-explode", "test_explode", explode)
    r = app.test_client().get("/test-explode?typed=secret+journal+text")
    text = assert_error_page(r, 500, "Something went wrong on our side")
    assert "secret journal text" not in text and "RuntimeError" not in text
    assert "secret journal text" not in caplog.text
    assert "RuntimeError" in caplog.text


def test_503_when_password_derivations_are_saturated(app, auth, client):
    auth.signup()
    auth.logout()

    class Saturated:
        def acquire(self, timeout=None):
            return False

        def release(self):
            raise AssertionError("never acquired")
    app.extensions["fokus_kdf"].slots = Saturated()
    r = auth.login()
    text = assert_error_page(r, 503, "Busy right now")
    assert r.headers["Retry-After"] == "5"
    assert "Traceback" not in text
