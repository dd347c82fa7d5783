"""Retention where the user meets it: home shows the notice, the entry and process pages and the
journal list show the deletion date, settings link to the period."""
from __future__ import annotations

from datetime import timedelta

from domain.retention import expiry
from tests.test_retention_cycle import _post_entry, _today


def test_hooks(app, client, auth, user):
    eid = _post_entry(auth, expiry.add_months(_today(), -12) + timedelta(days=5), "soon gone moment")
    home = client.get("/").get_data(as_text=True)
    assert "expiring-h" in home and "soon gone moment" in home
    assert f"/entries/{eid}/expiry" in client.get(f"/entries/{eid}").get_data(as_text=True)
    assert "expires-on" in client.get("/entries").get_data(as_text=True)
    assert "/settings/retention" in client.get("/settings/").get_data(as_text=True)
    r = auth.post("/processes/new", {"code": "MM-25-09", "status": "ongoing"}, form_url="/processes/new")
    pid = r.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert f"/processes/{pid}/expiry" in client.get(f"/processes/{pid}").get_data(as_text=True)
