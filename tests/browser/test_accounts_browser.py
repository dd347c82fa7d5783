"""The account flows in real Chromium on a phone-sized window (390x844): sign up, save the recovery
code, log out, log in, change the password, recover with the code; no page may scroll sideways."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import TIMEOUT_MS
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
NEW_PASSWORD = "violet umbrella orbit canyon 77"
RECOVERED_PASSWORD = "gravel lantern mosaic thunder 19"
HOME = re.compile(r"^http://127\.0\.0\.1:\d+/$")


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, base_url=live_server, is_mobile=True, has_touch=True,
                                  accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Console errors other than "Failed to load resource" (which 4xx form pages cause on purpose):
    # a CSP violation ("Refused to ...") or a script error.
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    yield page
    context.close()
    assert errors == [], f"JavaScript or CSP errors in the browser: {errors}"


def fits(page) -> None:
    """No sideways scrolling, and no server error page."""
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url} scrolls sideways: {width} > {inner}"
    assert "Something went wrong" not in page.title(), page.url


def submit(page, label: str, url) -> None:
    with page.expect_navigation(url=url):
        page.get_by_role("button", name=label, exact=True).click()
    fits(page)


def read_code(page) -> str:
    page.wait_for_url(re.compile(r"/recovery-code$"))
    fits(page)
    groups = page.locator(".code-group").all_inner_texts()
    assert len(groups) == 8 and all(re.fullmatch(r"[A-Z2-7]{4}", g) for g in groups), groups
    return "-".join(groups)


def confirm_code(page, code: str) -> None:
    page.fill("#last_group", code.split("-")[-1].lower())
    submit(page, "I have saved it", HOME)


def log_out(page) -> None:
    submit(page, "Log out", re.compile(r"/login$"))
    assert page.get_by_text("You are logged out.").is_visible()


def log_in(page, password: str) -> None:
    page.fill("#login", "phone-therapist")
    page.fill("#password", password)
    submit(page, "Log in", HOME)


def settings_show_name(page) -> None:
    page.goto("/settings/")
    fits(page)
    assert page.get_by_text("Logged in as Pia Phone").is_visible()


def test_account_life_cycle_on_a_phone(phone):
    page = phone
    page.goto("/signup")
    fits(page)
    assert page.get_by_text("nobody can ever open your journal again").is_visible()
    page.fill("#login", "phone-therapist")
    page.fill("#display_name", "Pia Phone")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.check("#understood")
    submit(page, "Create account", re.compile(r"/recovery-code$"))
    code = read_code(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as a text file").click()
    assert download.value.suggested_filename == "fokus-recovery-code.txt"
    with open(download.value.path(), encoding="utf-8") as fh:
        assert code in fh.read()

    # A wrong group is refused with a message next to the field; the right one is accepted.
    page.fill("#last_group", "ZZZZ" if not code.endswith("ZZZZ") else "YYYY")
    submit(page, "I have saved it", re.compile(r"/recovery-code$"))
    assert page.locator("#last_group-error").is_visible()
    confirm_code(page, code)
    settings_show_name(page)

    log_out(page)
    log_in(page, PASSWORD)

    page.goto("/settings/password")
    fits(page)
    page.fill("#current", PASSWORD)
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    submit(page, "Change password", re.compile(r"/settings/$"))
    assert page.get_by_text("Your password is changed.").is_visible()
    log_out(page)

    page.get_by_role("link", name=re.compile("Forgot your password")).click()
    page.wait_for_url(re.compile(r"/recover$"))
    fits(page)
    page.fill("#login", "phone-therapist")
    page.fill("#recovery_code", code.lower().replace("-", " "))
    page.fill("#password", RECOVERED_PASSWORD)
    page.fill("#confirm", RECOVERED_PASSWORD)
    submit(page, "Set new password", re.compile(r"/recovery-code$"))
    new_code = read_code(page)
    assert new_code != code
    confirm_code(page, new_code)
    settings_show_name(page)
    log_out(page)

    # The old password no longer works; the recovered one does.
    page.fill("#login", "phone-therapist")
    page.fill("#password", NEW_PASSWORD)
    submit(page, "Log in", re.compile(r"/login$"))
    assert page.get_by_text("Login name or password is not right.").is_visible()
    assert page.input_value("#login") == "phone-therapist"
    log_in(page, RECOVERED_PASSWORD)
    settings_show_name(page)


def test_form_errors_keep_what_was_typed_on_a_phone(phone):
    page = phone
    page.goto("/signup")
    page.fill("#login", "phone-therapist")
    page.fill("#display_name", "Pia Phone")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD + " typo")
    page.check("#understood")
    submit(page, "Create account", re.compile(r"/signup$"))
    assert page.locator("#confirm-error").is_visible()
    assert page.input_value("#login") == "phone-therapist"
    assert page.input_value("#display_name") == "Pia Phone"
