"""The installable app over HTTP: manifest and icons, the service worker's script and what it
precaches, the empty quick-capture forms (no account, process code or token in them), and the
token the offline queue sends with (a 401 for an ended session, never a login redirect)."""
from __future__ import annotations

import json
import re

from tests.conftest import csrf_from
from tests.test_processes_http import post_process, process_id

PRECACHE = re.compile(r"^self\.FOKUS = (\{.*\});$", re.MULTILINE)


def text(r) -> str:
    return r.get_data(as_text=True)


def worker_config(client) -> dict:
    r = client.get("/sw.js")
    assert r.status_code == 200
    assert r.mimetype == "text/javascript"
    assert r.headers["Cache-Control"] == "no-store"           # the browser checks for updates each visit
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    return json.loads(PRECACHE.search(text(r)).group(1))


def test_manifest_installs_with_png_icons(client):
    manifest = json.loads(text(client.get("/static/manifest.webmanifest")))
    assert {manifest["name"], manifest["short_name"]} == {"Fokus"}
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert manifest["theme_color"] and manifest["background_color"]
    icons = {(i["sizes"], i.get("purpose", "any")): i["src"] for i in manifest["icons"]}
    for key in (("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")):
        r = client.get(icons[key])
        assert r.status_code == 200 and r.mimetype == "image/png"
        assert r.data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(r.data[16:20], "big"), int.from_bytes(r.data[20:24], "big")
        assert f"{width}x{height}" == key[0]


def test_worker_precaches_static_files_and_empty_forms_only(client, user):
    config = worker_config(client)
    urls = config["precache"]
    statics = [u for u in urls if u.startswith("/static/")]
    assert {"/offline", "/offline/new/hard_session", "/offline/new/bright_moment"} <= set(urls)
    assert set(urls) - set(statics) == {"/offline"} | {u for u in urls if u.startswith("/offline/new/")}
    assert any("style.css?v=" in u for u in statics) and any("offline.js?v=" in u for u in statics)
    for url in statics:                                        # fingerprinted, so immutable
        r = client.get(url)
        assert r.status_code == 200 and "immutable" in r.headers["Cache-Control"], url
    assert config["queue"] in statics
    # A changed file means a new cache name, so an old cache is dropped on activation.
    assert re.fullmatch(r"fokus-[0-9a-f]{16}", config["cache"])


def test_empty_forms_hold_nothing_of_the_account(client, user):
    pid = process_id(post_process(client, {"code": "OFFPROC-77"}))
    assert pid
    for kind in ("hard_session", "countertransference", "ethical_dilemma", "bright_moment"):
        r = client.get(f"/offline/new/{kind}")
        page = text(r)
        assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
        assert "OFFPROC-77" not in page and "Tess Therapist" not in page
        assert "csrf_token" not in page and "data-offline-user" not in page
        assert f'action="/entries/new/{kind}"' in page
        assert 'name="draft_id" type="hidden" value=""' in page or 'name="draft_id" value=""' in page
    assert client.get("/offline/new/nonsense").status_code == 404
    offline = text(client.get("/offline"))
    assert "csrf_token" not in offline and "/entries/new/hard_session" in offline


def test_logged_in_pages_name_the_account_for_the_queue(client, user):
    home = text(client.get("/"))
    assert re.search(r'data-offline-user="[0-9a-f]{32}"', home)
    assert "/static/offline.js?v=" in home and "data-offline-i18n" in home


def test_token_for_sending_is_fresh_and_refuses_without_a_session(client, user, auth):
    r = client.get("/offline/token")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    body = r.get_json()
    assert body["ok"] and re.fullmatch(r"[0-9a-f]{32}", body["user"])
    # The token works for the journal's create (what the queue sends with).
    page = text(client.get("/entries/new/bright_moment"))
    draft = re.search(r'name="draft_id" type="hidden" value="([0-9a-f]{32})"', page).group(1)
    data = {"csrf_token": body["csrf"], "draft_id": draft, "kind": "bright_moment", "action": "save",
            "what_happened": "queued words", "supervision": "no"}
    first = client.post("/entries/new/bright_moment", data=data)
    again = client.post("/entries/new/bright_moment", data=data)       # sent twice: still one entry
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"] == f"/entries/{draft}"
    assert csrf_from(page)
    auth.logout()
    r = client.get("/offline/token")
    assert r.status_code == 401 and r.get_json() == {"ok": False}


def test_what_the_worker_fetches_never_writes_the_session_cookie(client, user):
    """The worker caches in the background with the cookie of that moment; a reply that set it
    would replace a newer cookie a page just got (and with it the page's form token)."""
    worker = client.get("/sw.js").get_data(as_text=True)
    precache = json.loads(re.search(r"self\.FOKUS = (\{.*?\});", worker).group(1))["precache"]
    urls = ["/sw.js", *(u for u in precache if not u.startswith("/static/")),
            next(u for u in precache if u.startswith("/static/"))]

    def stale_cookie():
        # A session the next request would change (the account's language is copied in once).
        with client.session_transaction() as s:
            s.pop("lang_checked", None)

    stale_cookie()
    assert "Set-Cookie" in client.get("/about").headers            # a page does write it
    for url in urls:
        stale_cookie()
        r = client.get(url)
        assert r.status_code == 200, url
        assert "Set-Cookie" not in r.headers, url
