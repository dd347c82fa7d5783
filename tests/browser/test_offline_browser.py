"""Offline capture in real Chromium (390x844): two notes of different kinds written without a
network survive a reload and a closed tab, hold no plaintext in IndexedDB, and arrive exactly once
when the network is back; the service worker controls the page, serves the offline page and
keeps no page with user content; logging out with unsent notes asks first and deletes the key."""
from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_journal_browser import capture, signup_in_browser
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

MARKERS = {"hard_session": ("what_happened", "offmark lantern quietly", "coercive_context"),
           "bright_moment": ("what_happened", "offmark meadow softly", "positive_moments")}

# Every record of every IndexedDB store of the origin, with binary values as latin-1 text, so a
# plaintext marker anywhere (keys, values, nested buffers) would show up in the dump.
DUMP_IDB = """async () => {
  const show = (v) => {
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
      const bytes = new Uint8Array(v.buffer ? v.buffer : v);
      return Array.from(bytes, (b) => String.fromCharCode(b)).join("");
    }
    if (v instanceof CryptoKey) return "CryptoKey:" + v.algorithm.name + ":" + v.extractable;
    if (v && typeof v === "object") return Object.entries(v).map(([k, x]) => k + "=" + show(x)).join(";");
    return String(v);
  };
  const out = {};
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok, no) => { const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = no; });
    for (const store of db.objectStoreNames) {
      const rows = await new Promise((ok) => { const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => ok(r.result); });
      const keys = await new Promise((ok) => { const r = db.transaction(store).objectStore(store).getAllKeys(); r.onsuccess = () => ok(r.result); });
      out[info.name + "/" + store] = rows.map((row, i) => show(keys[i]) + "->" + show(row));
    }
    db.close();
  }
  return out;
}"""

CACHED = """async () => {
  const out = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const req of await cache.keys()) {
      const body = await (await cache.match(req)).text();
      out.push([new URL(req.url).pathname + new URL(req.url).search, body]);
    }
  }
  return out;
}"""


def until(page, script: str, tries: int = 100):
    """Poll `script` with page.evaluate (wait_for_function would need eval, which the CSP forbids)."""
    for _ in range(tries):
        value = page.evaluate(script)
        if value:
            return value
        page.wait_for_timeout(200)
    raise AssertionError(f"never true: {script}")


def controlled(page) -> None:
    """Wait for the worker, reload, and check that it controls the page."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    until(page, "typeof FokusQueue === 'object'")


def write_offline(page, kind: str) -> None:
    field, words, theme = MARKERS[kind]
    page.fill(f"#{field}", words)
    page.locator(f'label.chip:has(input[name="themes_"][value="{theme}"])').click()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/offline?kept=1")
    assert page.locator(".offline-kept").is_visible()


def waiting(page) -> int:
    return page.evaluate("FokusQueue.waiting()")


def test_two_notes_written_offline_arrive_exactly_once(page, live_server, app):
    signup_in_browser(page, "offlinecar")
    controlled(page)
    until(page, "indexedDB.databases().then((d) => d.length > 0)")
    context = page.context

    page.goto("/entries/new/hard_session")   # opened online, the signal goes while writing
    context.set_offline(True)
    write_offline(page, "hard_session")
    page.goto("/entries/new/bright_moment")  # opened offline: the worker's empty form
    assert page.locator("#what_happened").input_value() == ""
    write_offline(page, "bright_moment")
    assert waiting(page) == 2
    until(page, "document.querySelector('.offline-status').textContent.includes('2')")

    page.reload()                            # offline: still the offline page, still two notes
    assert waiting(page) == 2
    page.close()
    page = context.new_page()                # the tab was closed; the phone opens Fokus again
    page.goto("/")
    assert page.locator("h1").inner_text() == "No connection"
    assert waiting(page) == 2

    dump = str(page.evaluate(DUMP_IDB))
    assert "CryptoKey:AES-GCM:false" in dump
    for _field, words, _theme in MARKERS.values():
        assert words not in dump and words.split()[1] not in dump

    cached = page.evaluate(CACHED)
    paths = {p for p, _ in cached}
    assert "/offline" in paths and "/offline/new/hard_session" in paths
    assert not [p for p in paths if p.startswith(("/entries", "/settings")) or p == "/"]
    assert not [p for p, body in cached if "offmark" in body or "offlinecar" in body]

    context.set_offline(False)               # the signal is back: the `online` event sends
    until(page, "FokusQueue.waiting().then((n) => n === 0)")
    page.goto("/entries")
    listing = page.content()
    for kind, (_field, words, _theme) in MARKERS.items():
        assert listing.count(words) == 1, kind
        page.get_by_role("link", name=words).first.click()
        page.wait_for_url("**/entries/*")
        assert page.locator("h1").inner_text() == words
        page.goto("/entries")
    page.reload()                            # sending again on the next visit adds nothing
    assert page.content().count(MARKERS["hard_session"][1]) == 1


def test_logout_with_unsent_notes_asks_and_then_deletes_the_key(page, live_server):
    signup_in_browser(page, "offlinebye")
    controlled(page)
    page.route("**/offline/token", lambda route: route.abort())   # sending fails: the note waits
    page.evaluate("""FokusQueue.enqueue("%s", "/entries/new/bright_moment",
                       [["what_happened", "offmark farewell"], ["kind", "bright_moment"]])""" % ("ab" * 16))
    assert waiting(page) == 1
    answers = []

    def answer(dialog):
        answers.append(dialog.message)
        (dialog.accept if len(answers) > 1 else dialog.dismiss)()
    page.on("dialog", answer)
    page.get_by_role("button", name="Log out").click()
    for _ in range(50):                                      # the question comes after a send attempt
        if answers:
            break
        page.wait_for_timeout(200)
    assert len(answers) == 1 and waiting(page) == 1          # cancelled: still logged in, note kept
    assert page.get_by_role("button", name="Log out").is_visible()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/")
    until(page, "document.querySelector('.lang-switch') !== null")
    dump = page.evaluate(DUMP_IDB)
    assert dump["fokus-offline/keys"] == [] and dump["fokus-offline/queue"] == []


def test_a_page_with_user_content_is_never_cached(page, live_server):
    signup_in_browser(page, "offlinecache")
    controlled(page)
    url = capture(page, "hard_session")
    page.goto(url)
    page.goto("/entries")
    cached = page.evaluate(CACHED)
    assert cached, "the worker precached nothing"
    assert not [p for p, _ in cached if p.startswith("/entries") or p == "/"]
    assert not [p for p, body in cached if "browser hard lantern visit" in body]
    assert PHONE["width"] == 390


def test_notes_wait_for_the_next_login_when_the_session_ended(page, live_server):
    signup_in_browser(page, "offlinelate")
    controlled(page)
    context = page.context
    page.goto("/entries/new/countertransference")
    context.set_offline(True)
    page.locator("details.more > summary").click()   # the trigger waits in the fold-out
    page.fill("#trigger", "offmark heron waits")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/offline?kept=1")
    context.clear_cookies()                  # the session ends while the phone is offline
    context.set_offline(False)
    until(page, "document.querySelector('.offline-status').textContent.includes('log in')")
    assert waiting(page) == 1
    page.goto("/login")
    page.fill("#login", "offlinelate")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    until(page, "FokusQueue.waiting().then((n) => n === 0)")
    page.goto("/entries")
    assert page.content().count("offmark heron waits") == 1


def test_offline_pages_have_no_serious_accessibility_problems(page, live_server):
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.test_a11y import problems
    axe = Axe()
    signup_in_browser(page, "offlineaxe")
    controlled(page)
    page.context.set_offline(True)
    found = {}
    for url in ("/offline?kept=1", "/entries/new/hard_session", "/entries/new/ethical_dilemma"):
        page.goto(url)
        assert page.locator("h1").is_visible()
        bad = problems(axe, page)
        if bad:
            found[url] = bad
    assert not found, found
