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


def test_home_notice_shows_the_soonest_few_and_links_to_all(app, client, auth, user):
    """Home's work must not grow with the journal: the notice lists the first few, the rest are
    one link away on /retention, which lists them all."""
    base = expiry.add_months(_today(), -12)
    for i in range(7):
        _post_entry(auth, base + timedelta(days=1 + i), f"going soon {i}")
    home = client.get("/").get_data(as_text=True)
    notice = home[home.index('id="expiring-h"'):].split("</section>")[0]
    assert notice.count('class="expiring-item"') == 5
    assert "going soon 0" in notice and "going soon 6" not in notice   # soonest first
    assert "See all 7" in home and 'href="/retention"' in home
    everything = client.get("/retention").get_data(as_text=True)
    assert everything.count('class="expiring-item"') == 7 and "See all" not in everything


def test_card_dates_come_in_one_query(app, client, auth, user):
    from sqlalchemy import event

    from domain.core.db import db
    for i in range(6):
        _post_entry(auth, _today() - timedelta(days=i), f"card {i}")
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)
    event.listen(engine, "before_cursor_execute", note)
    try:
        page = client.get("/entries").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert page.count('class="expires-on"') == 6
    assert sum("entries.expires_on" in s and "FROM entries" in s for s in seen) == 1
