"""Processes in real Chromium at 390x844: create a process with the intake screening and a mandate,
see the next steps and the mandate card, log a film review and find it in the timeline; no page
scrolls sideways."""
from __future__ import annotations

import re

import pytest

from tests.browser.test_journal_browser import no_sideways_scroll, signup_in_browser

pytestmark = pytest.mark.browser

PROCESS_URL = re.compile(r"/processes/[0-9a-f]{32}$")


def test_process_with_screening_mandate_and_a_review(page):
    signup_in_browser(page, "processphone")
    page.goto("/processes/new")
    no_sideways_scroll(page)
    page.fill("#code", "MM-80-01")
    page.get_by_text("Unresolved relational or mental-health difficulties").click()
    page.get_by_text("Reluctance to be filmed").click()
    page.check("#cps_commissioned")
    page.fill("#m_commissioner", "Barnevernstjenesten")
    page.fill("#m_goal", "calmer bedtimes")
    page.get_by_role("button", name="Save process").click()
    page.wait_for_url(PROCESS_URL)
    no_sideways_scroll(page)
    assert page.locator(".mandate-card").get_by_text("calmer bedtimes").is_visible()
    steps = page.locator("#next-steps").inner_text()
    assert "contact the parent's own treatment" in steps and "who sees it" in steps

    page.get_by_role("link", name="Log a review").click()
    page.wait_for_url("**/reviews/new")
    no_sideways_scroll(page)
    page.fill("#working_points", "wait for the child's gaze")
    page.fill("#clips_held_back", "the bedtime clip")
    page.get_by_text("Proud").click()
    page.get_by_role("button", name="Save review").click()
    page.wait_for_url(re.compile(r"/processes/[0-9a-f]{32}#timeline$"))
    no_sideways_scroll(page)
    review = page.locator(".timeline-review")
    assert "wait for the child" in review.inner_text() and "Proud" in review.inner_text()
