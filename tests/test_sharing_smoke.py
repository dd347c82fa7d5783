"""End-to-end sharing flow through HTTP (the full matrix lives in test_sharing_access.py)."""
import re

from tests.conftest import Auth, csrf_from


def _entry(client):
    page = client.get("/entries/new/hard_session").get_data(as_text=True)
    draft = re.search(r'name="draft_id" type="hidden" value="([0-9a-f]+)"', page).group(1)
    r = client.post("/entries/new/hard_session", data={
        "csrf_token": csrf_from(page), "draft_id": draft, "kind": "hard_session",
        "what_happened": "The father left the room during the review", "action": "save"})
    assert r.status_code == 302
    return r.headers["Location"].rsplit("/", 1)[-1]


def test_full_exchange(app):
    owner_c, reader_c = app.test_client(), app.test_client()
    owner, reader = Auth(owner_c), Auth(reader_c)
    owner.signup("tess", "Tess Therapist")
    reader.signup("sam", "Sam Supervisor")
    r = owner.post("/contacts/invite", {"role": "supervisor"}, form_url="/contacts")
    assert r.status_code == 200
    link = re.search(r'<code id="invite-link">([^<]+)</code>', r.get_data(as_text=True)).group(1)
    path = link.split("://", 1)[1].split("/", 1)[1]
    r = reader.post("/" + path, {})
    assert r.status_code == 302, r.get_data(as_text=True)
    entry_id = _entry(owner_c)
    page = owner_c.get(f"/entries/{entry_id}/share").get_data(as_text=True)
    assert "father left the room" in page  # preview
    reader_id = re.search(r'name="readers" type="checkbox" value="([0-9a-f]+)"', page).group(1)
    r = owner_c.post(f"/entries/{entry_id}/share", data={"csrf_token": csrf_from(page), "readers": reader_id,
                                                         "question": "How do I keep the focus?"})
    assert r.status_code == 302, r.get_data(as_text=True)
    inbox = reader_c.get("/inbox").get_data(as_text=True)
    share_id = re.search(r'/shares/([0-9a-f]+)', inbox).group(1)
    t = reader_c.get(f"/shares/{share_id}").get_data(as_text=True)
    assert "father left the room" in t and "How do I keep the focus?" in t
    r = reader_c.post(f"/shares/{share_id}/reflection", data={"csrf_token": csrf_from(t), "context": "CPS frame",
                                                              "next_step": "Film the child only", "action": "submit"})
    assert r.status_code == 302
    t = owner_c.get(f"/shares/{share_id}").get_data(as_text=True)
    assert "Film the child only" in t
    rid = re.search(r'name="reply_id" type="hidden" value="([0-9a-f]+)"', t).group(1)
    r = owner_c.post(f"/shares/{share_id}/reply", data={"csrf_token": csrf_from(t), "reply_id": rid,
                                                        "text": "Thank you, I will try"})
    assert r.status_code == 302
    assert "Thank you, I will try" in reader_c.get(f"/shares/{share_id}").get_data(as_text=True)
    m = owner_c.get(f"/entries/{entry_id}/sharing").get_data(as_text=True)
    r = owner_c.post(f"/shares/{share_id}/revoke", data={"csrf_token": csrf_from(m)})
    assert r.status_code == 302
    gone = reader_c.get(f"/shares/{share_id}")
    assert gone.status_code == 410 and "father" not in gone.get_data(as_text=True)
    assert "Thank you" in owner_c.get(f"/shares/{share_id}").get_data(as_text=True)
