"""The calendar page on a phone: make the private address, see it once, add a visit date, the
feed (fetched like a calendar app, without cookies) has it; stop the subscription; axe clean."""
from __future__ import annotations

import urllib.error
import urllib.request
from datetime import date

import pytest
from icalendar import Calendar

from tests.browser.test_a11y import problems
from tests.browser.test_journal_browser import no_sideways_scroll, signup_in_browser

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe
    return Axe()


def fetch(url: str) -> int | bytes:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:   # no cookies: like a calendar app
            return r.read()
    except urllib.error.HTTPError as err:
        return err.code


def test_calendar_page_on_a_phone(page, axe):
    signup_in_browser(page, "calendaruser")
    page.goto("/settings/calendar")
    no_sideways_scroll(page)
    assert problems(axe, page) == []
    page.get_by_role("button", name="Make a private calendar address").click()
    url = page.locator(".calendar-url").input_value()
    assert "/calendar/feed/" in url
    no_sideways_scroll(page)
    assert problems(axe, page) == []
    page.locator('label.chip:has(input[name="kind"][value="visit"])').click()
    page.fill("#on", "2031-03-02")
    page.get_by_role("button", name="Add reminder").click()
    page.wait_for_url("**/settings/calendar")
    assert page.locator(".calendar-url").count() == 0                  # shown once only
    assert page.locator(".calendar-list time[datetime='2031-03-02']").count() == 1
    cal = Calendar.from_ical(fetch(url))
    assert [e.decoded("dtstart") for e in cal.walk("VEVENT")] == [date(2031, 3, 2)]
    page.get_by_role("button", name="Stop the subscription").click()
    page.wait_for_url("**/settings/calendar")
    assert fetch(url) == 404
