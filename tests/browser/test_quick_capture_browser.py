"""Quick capture on one screen (issue 16.3) in real Chromium at 390x844, light and dark: the first
question, the theme chips and Save (and "urgent" on a dilemma) are in the first screen; the
fold-out looks like one; a long paste is counted, never cut; "acute" shows the act-now notice at
once (issue 15.2)."""
from __future__ import annotations

import pytest

from tests.browser.test_journal_browser import no_sideways_scroll, signup_in_browser

pytestmark = pytest.mark.browser

FIRST = {"hard_session": "#what_happened", "countertransference": 'input[name="feelings"]',
         "ethical_dilemma": "#dilemma", "bright_moment": "#what_happened"}


def in_first_screen(page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844, (page.url, selector, box)


def chip_in_first_screen(page, selector: str) -> None:
    """Chips hide their input; what the thumb meets is the label around it."""
    in_first_screen(page, f"label.chip:has({selector})")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_first_field_themes_and_save_in_the_first_screen(page, scheme, tmp_path):
    page.emulate_media(color_scheme=scheme)
    signup_in_browser(page, login=f"quick{scheme}")
    for kind, first in FIRST.items():
        page.goto(f"/entries/new/{kind}")
        no_sideways_scroll(page)
        assert page.evaluate("window.scrollY") == 0
        if first.startswith("#"):
            in_first_screen(page, first)
        else:
            chip_in_first_screen(page, first)
        for theme in page.locator('input[name="themes_"]').all():
            chip_in_first_screen(page, f'input[name="themes_"][value="{theme.get_attribute("value")}"]')
        in_first_screen(page, 'button[value="save"] >> nth=0')
        if kind == "ethical_dilemma":
            chip_in_first_screen(page, 'input[name="supervision"][value="urgent"]')
        # the fold-out has an arrow (a ::before) and says how much is filled in
        summary = page.locator("details.more > summary")
        assert page.evaluate("el => getComputedStyle(el, '::before').content", summary.element_handle()) == '"▸"'
        summary.click()
        assert page.locator("details.more").get_attribute("open") is not None
        no_sideways_scroll(page)
        page.screenshot(path=str(tmp_path / f"quick-{kind}-{scheme}.png"))


def test_a_long_paste_is_counted_and_kept_and_acute_shows_act_now(page):
    signup_in_browser(page, login="quicklong")
    page.goto("/entries/new/ethical_dilemma")
    long = "browser paste " + "y" * 5000
    page.fill("#dilemma", long)
    count = page.locator("#dilemma-count")
    assert count.is_visible() and "over" in (count.get_attribute("class") or "")
    assert page.input_value("#dilemma") == long   # the browser did not cut it
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert page.input_value("#dilemma") == long   # nor did the server
    assert page.locator("#dilemma-error").is_visible()

    page.fill("#dilemma", "browser acute line")
    notice = page.locator(".js-act-now")
    assert not notice.is_visible()
    assert page.locator("details.more").get_attribute("open") is not None   # open after an error
    page.locator('label.chip:has(input[name="concern_level"][value="acute"])').click()
    assert notice.is_visible() and "112" in notice.inner_text()
