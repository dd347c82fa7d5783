"""The urgent path on two phones (two browser contexts at 390x844): the therapist saves an urgent
ethical dilemma, lands on "Send it to your supervisor now?" with the supervisor ticked, taps
"Send now"; the supervisor finds it at the top of the inbox with the urgent badge, above an older
calm share, and a line on the home page. No page scrolls sideways."""
from __future__ import annotations

import re

import pytest

from domain.core.db import db
from tests.browser.test_sharing_browser import no_sideways_scroll, phone
from tests.conftest import PASSWORD
from tests.test_sharing_crypto import connect, make_person, share_with, write_entry

pytestmark = pytest.mark.browser


def log_in(page, login: str) -> None:
    page.goto("/login")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_an_urgent_dilemma_reaches_the_top_of_the_supervisors_inbox_in_one_tap(app, browser, live_server):
    with app.app_context():
        tess, vera = make_person(app, "tess", "Tess Therapist"), make_person(app, "vera", "Vera Supervisor")
        connect(tess, vera, "supervisor")
        share_with(tess, write_entry(tess, "an older calm entry"), vera, "whenever you have time")
        db.session.commit()
    t_ctx, therapist = phone(browser, live_server)
    s_ctx, supervisor = phone(browser, live_server)
    try:
        log_in(therapist, "tess")
        therapist.goto("/entries/new/ethical_dilemma")
        therapist.fill("#dilemma", "worried about the evenings at home")
        therapist.locator('label.chip:has(input[name="supervision"][value="urgent"])').click()
        therapist.get_by_role("button", name="Save", exact=True).click()
        therapist.wait_for_url(re.compile(r"/entries/[0-9a-f]{32}/urgent$"))
        no_sideways_scroll(therapist)
        assert therapist.locator("h1").inner_text() == "Send it to your supervisor now?"
        assert therapist.locator('label.chip:has-text("Vera Supervisor") input').is_checked()
        assert therapist.locator("#question").input_value().strip()
        send = therapist.get_by_role("button", name="Send now")
        assert send.bounding_box()["height"] >= 44                      # a thumb-sized target
        send.click()
        therapist.wait_for_url(re.compile(r"/entries/[0-9a-f]{32}/sharing$"))
        no_sideways_scroll(therapist)

        log_in(supervisor, "vera")
        assert supervisor.locator('.urgent-home').is_visible()          # home says something urgent waits
        no_sideways_scroll(supervisor)
        assert supervisor.locator('nav a[href="/inbox"] .count').inner_text() == "2"
        supervisor.goto("/inbox")
        no_sideways_scroll(supervisor)
        first = supervisor.locator("#inbox-waiting ~ ul .entry-card").first
        assert "worried about the evenings at home" in first.inner_text()
        assert first.locator(".badge-urgent").inner_text() == "Urgent"
        first.locator("a").click()
        supervisor.wait_for_url(re.compile(r"/shares/[0-9a-f]{32}"))
        no_sideways_scroll(supervisor)
        assert supervisor.locator(".entry-view .badge-urgent").is_visible()
        assert supervisor.locator("textarea").first.get_attribute("name") == "did_well"
    finally:
        t_ctx.close()
        s_ctx.close()
