"""A full supervision exchange on two phones (two separate browser contexts at 390x844): the therapist
invites a supervisor, the supervisor signs up through the link and accepts, the therapist shares a
hard-session entry with a question, the supervisor answers with a structured reflection, the
therapist replies, then revokes, and the supervisor gets the "no longer shared" page.
No page may scroll sideways."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import TIMEOUT_MS
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
ENTRY_URL = re.compile(r"/entries/[0-9a-f]{32}$")
THREAD_URL = re.compile(r"/shares/[0-9a-f]{32}(#.*)?$")


def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, base_url=live_server, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


def no_sideways_scroll(page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways: {width}"


def signup(page, login: str, name: str) -> None:
    """Fill the sign-up form (already open) and confirm the recovery code."""
    no_sideways_scroll(page)
    page.fill("#login", login)
    page.fill("#display_name", name)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.check("#understood")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/recovery-code")
    no_sideways_scroll(page)
    page.fill("#last_group", page.locator(".code-group").last.inner_text())
    page.get_by_role("button", name="I have saved it").click()
    page.wait_for_load_state()


def test_a_supervision_exchange_on_two_phones(browser, live_server):
    t_ctx, tess = phone(browser, live_server)
    s_ctx, sam = phone(browser, live_server)
    try:
        # the therapist signs up and creates an invitation link for a supervisor
        tess.goto("/signup")
        signup(tess, "tess", "Tess Therapist")
        tess.goto("/contacts")
        no_sideways_scroll(tess)
        tess.locator('label.chip:has(input[name="role"][value="supervisor"])').click()
        tess.get_by_role("button", name="Create invitation link").click()
        link = tess.locator("#invite-link").inner_text().strip()
        assert "/invite/" in link
        assert tess.locator(".qr img").is_visible()
        no_sideways_scroll(tess)

        # the supervisor opens the link on their own phone, signs up and accepts
        sam.goto(link)
        assert sam.locator("h1").inner_text() == "Tess Therapist invites you"
        no_sideways_scroll(sam)
        sam.get_by_role("link", name="Create an account to accept").click()
        sam.wait_for_url("**/signup")
        signup(sam, "sam", "Sam Supervisor")
        sam.wait_for_url("**/invite/**")                      # back to the invitation after sign-up
        no_sideways_scroll(sam)
        sam.get_by_role("button", name="Accept").click()
        sam.wait_for_url("**/contacts")
        assert sam.locator(".entry-card", has_text="Tess Therapist").count() == 1
        no_sideways_scroll(sam)

        # the therapist writes a hard-session entry and shares it with a question
        tess.goto("/")
        tess.get_by_role("link", name="A hard session").click()
        tess.wait_for_url("**/entries/new/hard_session")
        tess.fill("#what_happened", "the review stalled when the mother looked away from the screen")
        tess.locator("details.more > summary").click()       # the field waits in the fold-out
        tess.fill("#what_made_it_hard", "I kept explaining instead of waiting")
        tess.get_by_role("button", name="Save", exact=True).click()
        tess.wait_for_url(ENTRY_URL)
        no_sideways_scroll(tess)
        tess.get_by_role("link", name="Share", exact=True).click()
        tess.wait_for_url("**/share")
        assert tess.locator(".preview").get_by_text("I kept explaining instead of waiting").is_visible()
        no_sideways_scroll(tess)
        tess.locator("label.chip", has_text="Sam Supervisor").click()
        tess.fill("#question", "How can I slow down during the review?")
        tess.get_by_role("button", name="Share", exact=True).click()
        tess.wait_for_url("**/sharing")
        assert tess.locator(".share-row", has_text="Sam Supervisor").get_by_text("can read").is_visible()
        no_sideways_scroll(tess)

        # the supervisor finds it waiting and answers with a structured reflection
        sam.goto("/")
        assert sam.get_by_text("1 shared entry waits for your reflection").is_visible()
        no_sideways_scroll(sam)
        sam.goto("/inbox")
        no_sideways_scroll(sam)
        sam.locator("#inbox-waiting").locator("xpath=..").locator(".entry-card a").first.click()
        sam.wait_for_url(THREAD_URL)
        assert sam.get_by_text("How can I slow down during the review?").is_visible()
        assert sam.get_by_text("I kept explaining instead of waiting").is_visible()
        no_sideways_scroll(sam)
        sam.fill("#context", "The frame is voluntary, so there is room to go slower.")
        sam.fill("#feelings", "The urge to explain may be your own unease, not the mother's need.")
        sam.fill("#next_step", "Pause the film for three seconds after each clip.")
        sam.get_by_role("button", name="Send reflection").click()
        sam.wait_for_url(THREAD_URL)
        assert sam.get_by_text("Your reflection is sent.").is_visible()
        assert sam.locator(".message.mine", has_text="Pause the film for three seconds").is_visible()
        no_sideways_scroll(sam)

        # the therapist reads it and replies
        tess.goto("/")
        assert tess.get_by_text("1 new in conversations about your entries").is_visible()
        tess.goto("/outbox")
        tess.locator(".entry-card a", has_text="the review stalled").click()
        tess.wait_for_url(THREAD_URL)
        assert tess.get_by_text("Pause the film for three seconds after each clip.").is_visible()
        no_sideways_scroll(tess)
        tess.fill("#text", "Thank you, I will try the pause on Thursday.")
        tess.get_by_role("button", name="Send reply").click()
        tess.wait_for_url(THREAD_URL)
        assert tess.locator(".message.mine", has_text="I will try the pause").is_visible()
        no_sideways_scroll(tess)

        sam.reload()
        assert sam.locator(".message.new", has_text="I will try the pause").is_visible()
        no_sideways_scroll(sam)

        # the therapist ends the sharing; the supervisor gets the plain page, not a 500
        tess.get_by_role("link", name="Who can read it").click()
        tess.wait_for_url("**/sharing")
        assert tess.get_by_text("Sam Supervisor opened it").first.is_visible()
        tess.locator(".share-row", has_text="Sam Supervisor").get_by_role("button", name="End").click()
        tess.wait_for_url("**/sharing")
        assert tess.get_by_text("No longer shared.").is_visible()
        no_sideways_scroll(tess)

        response = sam.reload()
        assert response.status == 410
        assert sam.get_by_text("no longer shared with you").is_visible()
        assert sam.get_by_text("the review stalled").count() == 0
        no_sideways_scroll(sam)
        sam.goto("/inbox")
        assert sam.locator("#inbox-closed").locator("xpath=..").get_by_text("No longer shared with you").is_visible()
        no_sideways_scroll(sam)
    finally:
        t_ctx.close()
        s_ctx.close()
