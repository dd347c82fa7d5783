"""Smoke tests for 2FA, export/import and account deletion (the full suites live in tests/security)."""
import io
import json
import re

import pyotp

from tests.conftest import PASSWORD, Auth, csrf_from, search


def _entry(client, text):
    page = client.get("/entries/new/bright_moment").get_data(as_text=True)
    draft = re.search(r'name="draft_id" type="hidden" value="([0-9a-f]+)"', page).group(1)
    r = client.post("/entries/new/bright_moment", data={"csrf_token": csrf_from(page), "draft_id": draft,
                                                        "kind": "bright_moment", "what_happened": text,
                                                        "action": "save"})
    assert r.status_code == 302


def test_two_factor_roundtrip(app, client, auth):
    auth.signup()
    page = client.get("/settings/two-factor/setup").get_data(as_text=True)
    key = re.search(r'<code class="totp-key">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    r = client.post("/settings/two-factor/setup", data={"csrf_token": csrf_from(page), "code": pyotp.TOTP(key).now()})
    assert r.status_code == 200 and "backup codes" in r.get_data(as_text=True)
    codes = re.findall(r"<li><code>([0-9A-F-]+)</code></li>", r.get_data(as_text=True))
    assert len(codes) == 10
    auth.logout()
    r = auth.login()
    assert r.headers["Location"].endswith("/login/code")
    assert "Hello" not in client.get("/").get_data(as_text=True)
    page = client.get("/login/code").get_data(as_text=True)
    r = client.post("/login/code", data={"csrf_token": csrf_from(page), "code": "000000"})
    assert r.status_code == 400
    r = client.post("/login/code", data={"csrf_token": csrf_from(page), "code": codes[0]})
    assert r.status_code == 302
    assert "Hello" in client.get("/").get_data(as_text=True)


def test_export_import_delete(app):
    a, b = app.test_client(), app.test_client()
    ua, ub = Auth(a), Auth(b)
    ua.signup("anna", "Anna")
    _entry(a, "MARKERexport the mother laughed")
    page = a.get("/settings/data/").get_data(as_text=True)
    r = a.post("/settings/data/export.json", data={"csrf_token": csrf_from(page)})
    dump = json.loads(r.data)
    assert dump["entries"][0]["data"]["what_happened"] == "MARKERexport the mother laughed"
    r = a.post("/settings/data/export.zip", data={"csrf_token": csrf_from(page)})
    assert r.data[:2] == b"PK"
    ub.signup("bert", "Bert")
    page = b.get("/settings/data/").get_data(as_text=True)
    r = b.post("/settings/data/import", data={"csrf_token": csrf_from(page),
                                              "file": (io.BytesIO(json.dumps(dump).encode()), "x.json")},
               content_type="multipart/form-data")
    assert r.status_code == 200 and "1</strong> new entry" in r.get_data(as_text=True)
    html = r.get_data(as_text=True)
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', html).group(1)
    r = b.post("/settings/data/import/confirm", data={"csrf_token": csrf_from(html), "payload": payload})
    assert r.status_code == 302
    assert "MARKERexport" in search(b, "q=MARKERexport").get_data(as_text=True)
    page = a.get("/settings/data/delete").get_data(as_text=True)
    r = a.post("/settings/data/delete", data={"csrf_token": csrf_from(page), "password": PASSWORD,
                                              "confirm": "delete my journal", "understood": "y"})
    assert r.status_code == 302
    assert ua.login("anna").status_code == 400
