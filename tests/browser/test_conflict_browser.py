"""Two devices edit one entry (two browser contexts = a phone and a tablet): the later save does
not overwrite the earlier one; it shows both texts, and "Keep mine" keeps the later device's text."""
from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, TIMEOUT_MS
from tests.browser.test_journal_browser import ENTRY_URL, capture, no_sideways_scroll, signup_in_browser
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_second_device_sees_both_texts_and_keeps_its_own(page, browser, live_server):
    signup_in_browser(page, "twodevices")
    entry_url = capture(page, "hard_session")
    tablet_ctx = browser.new_context(viewport=PHONE, base_url=live_server, is_mobile=True, has_touch=True)
    tablet_ctx.set_default_timeout(TIMEOUT_MS)
    try:
        tablet = tablet_ctx.new_page()
        tablet.goto("/login")
        tablet.fill("#login", "twodevices")
        tablet.fill("#password", PASSWORD)
        tablet.get_by_role("button", name="Log in").click()
        tablet.wait_for_url(lambda url: "/login" not in url)

        # Both open the entry for editing before either saves.
        page.goto(entry_url + "/edit")
        tablet.goto(entry_url + "/edit")
        page.fill("#what_happened", "phone words about the visit")
        tablet.fill("#what_happened", "tablet words about the visit")

        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_url(ENTRY_URL)
        tablet.get_by_role("button", name="Save", exact=True).click()

        conflict = tablet.locator(".conflict")
        conflict.wait_for()
        assert "changed on another device" in conflict.inner_text()
        assert "phone words about the visit" in tablet.locator(".conflict-theirs").first.inner_text()
        assert "tablet words about the visit" in tablet.locator(".conflict-mine").first.inner_text()
        assert tablet.input_value("#what_happened") == "tablet words about the visit"
        no_sideways_scroll(tablet)

        tablet.get_by_role("button", name="Keep mine").click()
        tablet.wait_for_url(ENTRY_URL)
        assert "tablet words about the visit" in tablet.locator("main").inner_text()
        page.reload()
        assert "tablet words about the visit" in page.locator("main").inner_text()
    finally:
        tablet_ctx.close()
