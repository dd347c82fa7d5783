"""Passkeys in real Chromium with its virtual authenticator (DevTools protocol): register, log out,
log in with the passkey alone and read an entry (PRF on); the same with PRF off, where the password
follows the passkey; remove the passkey and see it refused."""
from __future__ import annotations

import re

import pytest

from domain.core.db import db
from domain.core.models import Entry
from tests.browser.conftest import TIMEOUT_MS
from tests.conftest import PASSWORD
from tests.test_journal_http import domain_account

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def origin(live_server):
    # WebAuthn needs a domain name, not an IP address; localhost is a secure context over http.
    return live_server.replace("127.0.0.1", "localhost")


def phone(browser, origin, prf: bool):
    context = browser.new_context(viewport=PHONE, base_url=origin, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    page.goto("/login")
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "hasPrf": prf, "automaticPresenceSimulation": True}})
    return context, page, errors


def account(app) -> str:
    domain_account(app, "pkuser", n_entries=1)
    with app.app_context():
        return db.session.query(Entry.id).scalar()


def password_login(page) -> None:
    page.goto("/login")
    page.fill("#login", "pkuser")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in", exact=True).click()


def add_passkey(page, note: str) -> None:
    page.goto("/settings/passkeys")
    page.fill("#name", "Test phone")
    page.get_by_role("button", name="Add a passkey").click()
    page.wait_for_selector(f"text={note}")
    assert "Test phone" in page.inner_text("main")


def log_out(page) -> None:
    with page.expect_navigation(url=re.compile(r"/login$")):
        page.get_by_role("button", name="Log out").click()


def passkey_button(page):
    return page.get_by_role("button", name="Use a passkey")


@pytest.mark.parametrize("prf", [True, False], ids=["prf", "no-prf"])
def test_register_log_out_and_open_the_journal_with_the_passkey(app, browser, origin, prf):
    eid = account(app)
    context, page, errors = phone(browser, origin, prf)
    try:
        password_login(page)
        add_passkey(page, "It opens your journal on its own." if prf else "so you will type your password")
        log_out(page)
        with page.expect_navigation():
            passkey_button(page).click()
        if not prf:
            page.wait_for_url(re.compile(r"/login/passkey/password$"))
            assert "password is still needed" in page.inner_text("main")
            page.fill("#password", PASSWORD)
            with page.expect_navigation():
                page.get_by_role("button", name="Open my journal").click()
        page.wait_for_url(re.compile(r"/$"))
        page.goto(f"/entries/{eid}")
        assert "bulk entry 0" in page.inner_text("main")
        # The passkey login used the phone's lock (user verification): settings open without /confirm.
        page.goto("/settings/passkeys")
        assert page.url.endswith("/settings/passkeys")
    finally:
        context.close()
    assert errors == [], errors


def test_removed_passkey_is_refused(app, browser, origin):
    account(app)
    context, page, errors = phone(browser, origin, True)
    try:
        password_login(page)
        add_passkey(page, "It opens your journal on its own.")
        with page.expect_navigation():
            page.get_by_role("button", name="Remove").click()
        assert "Passkey removed" in page.inner_text("main")
        log_out(page)
        passkey_button(page).click()
        page.wait_for_selector("#passkey-error:not([hidden])")
        assert "not known here" in page.inner_text("#passkey-error")
        assert page.url.endswith("/login")
    finally:
        context.close()
    assert errors == [], errors
