"""The journal in real Chromium on a phone-sized window (390x844): capture each kind from the home
page, find an entry by filter and by search, edit it; no page may scroll sideways."""
from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

ENTRY_URL = re.compile(r"/entries/[0-9a-f]{32}$")
CAPTURE = {  # button text on the home page -> (main field id, text, theme id)
    "hard_session": ("A hard session", "what_happened", "browser hard lantern visit", "coercive_context"),
    "countertransference": ("A strong reaction", "trigger", "browser reaction heron trigger", "therapist_feelings"),
    "ethical_dilemma": ("A dilemma", "dilemma", "browser dilemma quarry report", "coercive_context"),
    "bright_moment": ("A bright moment", "what_happened", "browser bright meadow smile", "positive_moments"),
}


def no_sideways_scroll(page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways: {width}"


def signup_in_browser(page, login: str = "phoneuser") -> None:
    page.goto("/signup")
    no_sideways_scroll(page)
    page.fill("#login", login)
    page.fill("#display_name", "Phone Therapist")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.check("#understood")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/recovery-code")
    no_sideways_scroll(page)
    last = page.locator(".code-group").last.inner_text()
    page.fill("#last_group", last)
    page.get_by_role("button", name="I have saved it").click()
    page.wait_for_url(lambda url: url.rstrip("/").count("/") == 2)   # the home page
    no_sideways_scroll(page)


def capture(page, kind: str) -> str:
    """From the home page: tap the kind's button, write one line, tick a theme, save. Returns the URL."""
    verb, field, words, theme = CAPTURE[kind]
    page.goto("/")
    page.get_by_role("link", name=verb).click()
    page.wait_for_url(f"**/entries/new/{kind}")
    no_sideways_scroll(page)
    if page.locator(f"#{field}").is_hidden():   # a later question: open "Date, process, tags and more"
        page.locator("details.more > summary").click()
    page.fill(f"#{field}", words)
    page.locator(f'label.chip:has(input[name="themes_"][value="{theme}"])').click()
    assert page.locator(f'input[name="themes_"][value="{theme}"]').is_checked()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(ENTRY_URL)
    no_sideways_scroll(page)
    assert page.locator("h1").inner_text() == words
    return page.url


def test_capture_find_and_edit_on_a_phone(page):
    signup_in_browser(page)
    urls = {kind: capture(page, kind) for kind in CAPTURE}
    assert page.locator(".alert", has_text="Saved.").count() == 1

    page.goto("/")
    for kind in CAPTURE:
        assert page.locator(".entry-card", has_text=CAPTURE[kind][2]).count() == 1
    no_sideways_scroll(page)

    # find by filter: the kind select inside the collapsed "Filters"
    page.goto("/entries")
    no_sideways_scroll(page)
    page.locator("summary", has_text="Filters").click()
    page.select_option("#kind", "ethical_dilemma")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/entries?f=*")  # the choice is sealed, never in the URL
    assert "ethical_dilemma" not in page.url
    no_sideways_scroll(page)
    cards = page.locator(".entry-list .entry-card")
    assert cards.count() == 1 and CAPTURE["ethical_dilemma"][2] in cards.inner_text()

    # find by theme filter too
    page.goto("/entries?theme=positive_moments")
    assert page.locator(".entry-list .entry-card").count() == 1

    # find by search, a word from the text
    page.goto("/entries")
    page.fill("#q", "heron")
    page.press("#q", "Enter")
    page.wait_for_url("**/entries?f=*")
    assert "heron" not in page.url
    no_sideways_scroll(page)
    cards = page.locator(".entry-list .entry-card")
    assert cards.count() == 1
    cards.first.locator("a").click()
    page.wait_for_url(urls["countertransference"])

    # edit it
    page.get_by_role("link", name="Edit").click()
    page.wait_for_url("**/edit")
    no_sideways_scroll(page)
    page.fill("#trigger", "browser reaction heron trigger, edited later")
    page.locator('label.chip:has(input[name="feelings"][value="sadness"])').click()
    page.locator('label.chip:has(input[name="intensity"][value="6"])').click()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(urls["countertransference"])
    no_sideways_scroll(page)
    body = page.locator("main").inner_text()
    assert "edited later" in body and "Sadness" in body and "6 of 10" in body

    # the other pages a therapist visits
    for path in ("/processes/", "/processes/new", "/themes", "/entries?drafts=1", urls["hard_session"] + "/delete"):
        page.goto(path)
        no_sideways_scroll(page)


def test_long_unbroken_text_does_not_widen_the_page(page):
    signup_in_browser(page, "widetext")
    page.goto("/entries/new/bright_moment")
    page.fill("#what_happened", "x" * 300)
    page.locator("summary", has_text="Date, process, tags").click()
    page.fill("#title", "y" * 120)
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(ENTRY_URL)
    no_sideways_scroll(page)
    page.goto("/entries")
    no_sideways_scroll(page)
    page.goto("/")
    no_sideways_scroll(page)


def test_autosave_and_a_session_that_ends_mid_entry(page, app):
    from playwright.sync_api import expect
    from sqlalchemy import delete, func, select

    from domain.core.db import db
    from domain.core.models import Entry, UserSession

    signup_in_browser(page, "parkedcar")
    page.clock.install()
    page.goto("/entries/new/hard_session")
    status = page.locator(".autosave-status")
    page.fill("#what_happened", "written in the parked car")
    page.clock.run_for(4500)
    expect(status).to_contain_text("Draft saved")
    drafts = page.request.get("/entries?drafts=1").text()   # same cookies; the form stays open
    assert "1 entry" in drafts and "written in the parked car" in drafts

    # the session ends while the form is open
    with app.app_context():
        db.session.execute(delete(UserSession))
        db.session.commit()
    page.fill("#what_happened", "written in the parked car, and then some more")
    page.clock.run_for(4500)
    expect(status).to_contain_text("session has ended")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("h1")).to_have_text("Log in")
    no_sideways_scroll(page)
    page.fill("#login", "parkedcar")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#what_happened")).to_have_value("written in the parked car, and then some more")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(ENTRY_URL)
    assert page.locator("h1").inner_text() == "written in the parked car, and then some more"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Entry)) == 1   # the draft, now saved
