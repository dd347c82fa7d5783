def test_signup_login_logout(auth, client):
    code = auth.signup()
    assert len(code) == 39
    r = client.get("/")
    assert "Hello, Tess Therapist" in r.get_data(as_text=True)
    assert auth.logout().status_code == 302
    assert "Create an account" in client.get("/").get_data(as_text=True)
    r = auth.login()
    assert r.status_code == 302
    assert "Hello, Tess Therapist" in client.get("/").get_data(as_text=True)


def test_journal_roundtrip(auth, client, user):
    from tests.conftest import csrf_from, search
    page = client.get("/entries/new/countertransference").get_data(as_text=True)
    import re
    draft_id = re.search(r'name="draft_id" type="hidden" value="([0-9a-f]+)"', page).group(1)
    r = client.post("/entries/new/countertransference", data={
        "csrf_token": csrf_from(page), "draft_id": draft_id, "kind": "countertransference",
        "feelings": ["helplessness", "sadness"], "intensity": "7", "trigger": "the lighthouse film clip",
        "themes_": ["therapist_feelings"], "subthemes": ["safe_alliance.double_gaze"], "supervision": "yes",
        "tags": "night, car", "action": "save", "films-0-film": "3", "films-0-timestamp": "04:12",
        "films-0-shows": "baby turns"})
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    view = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "lighthouse" in view and "Helplessness" in view
    lst = search(client, "q=lighthouse").get_data(as_text=True)
    assert "1 entry found" in lst
    home = client.get("/").get_data(as_text=True)
    assert "Waiting for supervision" in home
