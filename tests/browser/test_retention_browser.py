"""The deleted-soon notice on a phone (390x844): it lists what expires within two weeks, scrolls no
wider than the screen, and "Keep longer" leads to the one extension with a reason."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from domain.core.db import db, utcnow
from domain.core.models import Entry
from tests.browser.test_journal_browser import no_sideways_scroll, signup_in_browser

pytestmark = pytest.mark.browser


def test_notice_and_extension_on_a_phone(app, page, tmp_path):
    signup_in_browser(page, "retentionphone")
    page.goto("/entries/new/bright_moment")
    page.fill("#what_happened", "browser retention lantern moment")
    page.locator("button[name=action][value=save]").first.click()   # the quick-capture Save on the first screen
    page.wait_for_url("**/entries/*")
    with app.app_context():
        db.session.execute(update(Entry).values(expires_on=utcnow().date() + timedelta(days=6)))
        db.session.commit()
    page.goto("/retention")
    notice = page.locator(".expiring")
    assert "browser retention lantern moment" in notice.inner_text()
    no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / "retention-notice-390.png"))
    page.locator(".expiring-actions a").first.click()
    page.wait_for_url("**/expiry")
    no_sideways_scroll(page)
    page.fill("#reason", "still working on this family's plan")
    page.locator("form[action$='/extend'] button").click()
    page.wait_for_url("**/expiry")
    assert "still working on this family's plan" in page.locator(".reason").inner_text()
    page.goto("/retention")
    assert page.locator(".expiring").count() == 0


def test_retention_pages_have_no_serious_violations(app, page):
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.test_a11y import problems
    axe = Axe()
    signup_in_browser(page, "retentiona11y")
    page.goto("/entries/new/bright_moment")
    page.fill("#what_happened", "browser retention a11y moment")
    page.locator("button[name=action][value=save]").first.click()   # the quick-capture Save on the first screen
    page.wait_for_url("**/entries/*")
    entry_url = page.url
    with app.app_context():
        db.session.execute(update(Entry).values(expires_on=utcnow().date() + timedelta(days=6)))
        db.session.commit()
    for url in ("/retention", "/settings/retention", entry_url + "/expiry"):
        page.goto(url)
        assert problems(axe, page) == [], url
