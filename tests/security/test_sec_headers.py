"""Security headers on every response, and cookie flags in production."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD, TEST_SECRET, Auth
from tests.security.conftest import get_urls, login_client, token_for

OWASP = {"FOKUS_ARGON2_MEMORY_KIB": "19456", "FOKUS_ARGON2_TIME_COST": "2", "FOKUS_ARGON2_PARALLELISM": "1"}


def https_client(app):
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    return client


def header_problems(r, what: str, static: bool = False) -> list[str]:
    h = r.headers
    out = []
    csp = h.get("Content-Security-Policy", "")
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        out.append("CSP allows inline code")
    if directives.get("frame-ancestors") != "frame-ancestors 'none'":
        out.append(f"CSP frame-ancestors is {directives.get('frame-ancestors')!r}")
    for needed in ("default-src", "script-src", "object-src", "base-uri"):
        if needed not in directives:
            out.append(f"CSP lacks {needed}")
    if h.get("X-Content-Type-Options") != "nosniff":
        out.append("no X-Content-Type-Options: nosniff")
    if h.get("Referrer-Policy") != "no-referrer":
        out.append(f"Referrer-Policy is {h.get('Referrer-Policy')!r}")
    if not h.get("Permissions-Policy") or "camera=()" not in h["Permissions-Policy"]:
        out.append("no Permissions-Policy")
    if not static and "no-store" not in h.get("Cache-Control", ""):
        out.append(f"Cache-Control is {h.get('Cache-Control')!r}")
    return [f"{what}: {p}" for p in out]


def inline_code(r) -> list[str]:
    """HTML that the CSP would block (so a page that relies on it is broken, or the CSP got loosened)."""
    if r.mimetype != "text/html":
        return []
    html = r.get_data(as_text=True)
    found = []
    if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html):
        found.append("inline <script>")
    if re.search(r"\son[a-z]+\s*=", html):
        found.append("inline event handler")
    if re.search(r"<style[\s>]", html) or re.search(r'\sstyle\s*=\s*"', html):
        found.append("inline style")
    if re.search(r'href\s*=\s*"javascript:', html, re.IGNORECASE):
        found.append("javascript: URL")
    return found


@pytest.mark.parametrize("role", ["owner", "anon"])
def test_every_get_route_has_the_security_headers(app, world, role):
    client = login_client(app, role)
    problems = []
    for endpoint, url in get_urls(app, world, role):
        r = client.get(url)
        problems += header_problems(r, f"{role} GET {url} ({r.status_code})", static=endpoint == "static")
        problems += [f"{role} GET {url}: {p}" for p in inline_code(r)]
        r.close()
    assert not problems, "\n" + "\n".join(problems)


def test_error_pages_have_the_security_headers(app, world, monkeypatch):
    client = login_client(app, "owner")
    token = token_for(client)
    responses = {
        "404": client.get("/no/such/page"),
        "404 object": client.get("/entries/" + "0" * 32),
        "405": client.get("/logout"),
        "400 csrf": client.post("/logout", data={}),
        "401": app.test_client().post("/entries/autosave", data={}),
        "413": client.post(
            "/entries/new/hard_session",
            data={"csrf_token": token, "what_happened": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)},
        ),
        "410": login_client(app, "revoked").get(f"/shares/{world.ids['rshare']}"),
    }
    from blueprints import home

    monkeypatch.setattr(home.journal_index, "view", lambda *a, **k: 1 / 0)
    responses["500"] = client.get("/")
    problems = []
    for what, r in responses.items():
        assert str(r.status_code) == what.split()[0], (what, r.status_code)
        problems += header_problems(r, what)
    assert not problems, "\n" + "\n".join(problems)


def test_development_has_no_hsts_but_production_does(app, make_app):
    assert "Strict-Transport-Security" not in app.test_client().get("/").headers
    prod = make_app(FOKUS_ENV="production", FOKUS_SECRET_KEY=TEST_SECRET, **OWASP)
    r = https_client(prod).get("/")
    hsts = r.headers.get("Strict-Transport-Security", "")
    assert "max-age=" in hsts and int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000


def _cookie_problems(header: str) -> list[str]:
    name = header.split("=", 1)[0]
    attrs = [a.strip() for a in header.split(";")[1:]]
    lower = {a.split("=", 1)[0].lower(): (a.split("=", 1)[1] if "=" in a else None) for a in attrs}
    out = []
    if not name.startswith("__Host-"):
        out.append("no __Host- prefix")
    if "secure" not in lower:
        out.append("not Secure")
    if "httponly" not in lower:
        out.append("not HttpOnly")
    if (lower.get("samesite") or "").lower() != "lax":
        out.append(f"SameSite={lower.get('samesite')}")
    if lower.get("path") != "/":
        out.append(f"Path={lower.get('path')}")
    if "domain" in lower:
        out.append("has a Domain")
    return [f"{header[:40]}...: {p}" for p in out]


def test_production_cookies_have_every_flag(make_app):
    prod = make_app(FOKUS_ENV="production", FOKUS_SECRET_KEY=TEST_SECRET, **OWASP)
    assert prod.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    seen: list[tuple[str, list]] = []
    inner = prod.wsgi_app

    def recorder(environ, start_response):  # every response, whoever made the request
        def record(status, headers, exc_info=None):
            seen.append((f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']} {status}", headers))
            return start_response(status, headers, exc_info)

        return inner(environ, record)

    prod.wsgi_app = recorder
    client = https_client(prod)
    auth = Auth(client)
    # No Referer is sent (Referrer-Policy: no-referrer), and forms must still work over HTTPS.
    auth.signup("prod_user", "Prod User")
    client.get("/")
    auth.logout()
    assert auth.login("prod_user").status_code == 302
    client.get("/settings/")
    client.post("/confirm", data={"csrf_token": token_for(client), "password": PASSWORD})
    auth.logout()
    assert auth.login("prod_user", password="wrong password, wrong").status_code == 400
    client.get("/static/style.css").close()
    cookies = [(what, v) for what, headers in seen for k, v in headers if k.lower() == "set-cookie"]
    assert len(cookies) >= 3, "expected cookies at sign-up, login and logout"
    problems = [f"{what}: {p}" for what, v in cookies for p in _cookie_problems(v)]
    problems += [
        f"{what}: no HSTS"
        for what, headers in seen
        if not any(k.lower() == "strict-transport-security" for k, _v in headers)
    ]
    assert not problems, "\n" + "\n".join(problems)
