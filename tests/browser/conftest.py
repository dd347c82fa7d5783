"""Browser fixtures: one headless Chromium per test process and a live server per test.

Chromium comes from the system (/usr/bin/chromium); Playwright's own download is never used.
Without it the browser tests are skipped locally and fail on CI (CI=true), where a missing
browser means the tests silently stopped running.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
# Generous, because CI shares two cores between the test workers, their servers and the browsers:
# a page that loads in half a second alone has taken over ten seconds there. A real hang still
# fails, only later.
TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing on CI: browser tests cannot run")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import expect, sync_playwright
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app):
    """The test `app` served over HTTP on a free local port; yields its base URL."""
    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def page(browser, live_server):
    """A phone-sized (390x844) touch page on the live server."""
    context = browser.new_context(viewport=PHONE, base_url=live_server, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    yield pg
    context.close()
