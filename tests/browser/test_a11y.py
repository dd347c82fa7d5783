"""axe-core in Chromium on the journal pages: no serious or critical accessibility violations."""
from __future__ import annotations

import pytest

from tests.browser.test_journal_browser import ENTRY_URL, signup_in_browser

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe
    return Axe()


def problems(axe, page) -> list[str]:
    results = axe.run(page).response
    assert results["passes"], "axe did not run any check"
    return [f"{v['id']} ({v['impact']}): {v['help']} -> " + "; ".join(n["target"][0] for n in v["nodes"][:5])
            for v in results["violations"] if v["impact"] in BLOCKING]


def test_journal_pages_have_no_serious_violations(page, axe):
    signup_in_browser(page, "a11yuser")
    page.goto("/processes/new")
    page.fill("#code", "MM-26-09")
    page.fill("#working_goal", "following the child's lead")
    page.locator('label.chip:has(input[name="screening_article"][value="child_protection"])').click()
    page.get_by_role("button", name="Save process").click()
    page.wait_for_url("**/processes/*")
    process_url = page.url

    page.goto("/entries/new/countertransference")
    page.locator('label.chip:has(input[name="feelings"][value="helplessness"])').click()
    page.locator("summary", has_text="Date, process, tags").click()
    page.locator('label.chip:has(input[name="intensity"][value="7"])').click()
    page.fill("#trigger", "the door closed hard")
    page.locator('label.chip:has(input[name="supervision"][value="yes"])').click()
    page.select_option("#process_id", label="MM-26-09")
    page.fill("#tags", "evening, first visit")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(ENTRY_URL)
    entry_url = page.url

    pages = ["/", "/entries/new/hard_session", "/entries/new/countertransference",
             "/entries/new/ethical_dilemma", "/entries/new/bright_moment", "/entries", "/entries?q=door",
             entry_url, entry_url + "/edit", entry_url + "/delete", process_url, "/processes/",
             "/processes/new", "/themes"]
    found = {}
    for url in pages:
        page.goto(url)
        bad = problems(axe, page)
        if bad:
            found[url] = bad

    # pages with errors shown: a refused entry and a refused process code
    page.goto("/entries/new/countertransference")
    page.locator("summary", has_text="Date, process, tags").click()
    # a date picker cannot hold an impossible date; a browser without one could send it
    page.locator("#visit_date").evaluate("el => { el.type = 'text'; el.value = '2026-02-30'; }")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert page.locator(".error").count() >= 1
    if bad := problems(axe, page):
        found["entry form with errors"] = bad
    page.goto("/processes/new")
    page.fill("#code", "Kari")
    page.get_by_role("button", name="Save process").click()
    page.wait_for_load_state()
    assert page.locator("#code_ack").count() == 1
    if bad := problems(axe, page):
        found["process form with warning"] = bad

    # the same colours in dark mode (base.html declares `color-scheme: light dark`)
    page.emulate_media(color_scheme="dark")
    for url in ("/", "/entries/new/ethical_dilemma", "/entries", entry_url, process_url):
        page.goto(url)
        bad = problems(axe, page)
        if bad:
            found[f"{url} (dark)"] = bad

    assert not found, "\n".join(f"{url}:\n  " + "\n  ".join(v) for url, v in found.items())
