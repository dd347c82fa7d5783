"""The two outcomes of a process through the web UI: "concern reported (date)" and "guidance ended
(as planned / early, date)" as separate controls; processes saved with the old single status show
the right outcomes at once and are stored in the new shape on their next save; list badges and
filters follow."""
from __future__ import annotations

import re

from blueprints import guards
from domain.accounts import account as accounts
from domain.core.db import db
from domain.core.models import Process
from domain.journal import processes
from tests.conftest import PASSWORD, csrf_from, said, said_html
from tests.test_journal_http import text
from tests.test_processes_http import post_process, process_id


def _legacy(app, login: str, rows: dict[str, dict]) -> dict[str, str]:
    """An account whose processes hold old-shape blobs (written past clean()): code -> id."""
    with app.app_context():
        user, key, _ = accounts.create_account(guards.kdf_policy(), guards.server_secret(), login, "Old", PASSWORD)
        ids = {}
        for code, extra in rows.items():
            row = processes.create(user, key, {"code": code})
            db.session.flush()
            processes.OWNED.write(row, key, {"code": code, "screening": [], **extra})
            ids[code] = row.id
        db.session.commit()
    return ids



def test_old_statuses_show_as_outcomes_and_are_upgraded_on_save(app, client, auth):
    ids = _legacy(app, "legacyone", {"OLD-R": {"status": "reported"}, "OLD-E": {"status": "ended_early"},
                                     "OLD-C": {"status": "completed"}, "OLD-O": {"status": "ongoing"}})
    r = auth.login("legacyone")
    assert r.status_code == 302, text(r)[:2000]
    reported = text(client.get(f"/processes/{ids['OLD-R']}"))
    assert said(app, "Concern reported") in reported and said(app, "Ongoing") in reported
    assert said_html(app, "Concern reported (date not recorded).") in reported
    early = text(client.get(f"/processes/{ids['OLD-E']}"))
    assert said(app, "Ended early") in early and said(app, "Concern reported") not in early
    assert said(app, "Ended as planned") in text(client.get(f"/processes/{ids['OLD-C']}"))

    # the edit form opens with the outcomes ticked, and a save adds the second decision
    edit = text(client.get(f"/processes/{ids['OLD-R']}/edit"))
    assert re.search(r'<input[^>]*checked[^>]*name="reported"|<input[^>]*name="reported"[^>]*checked', edit)
    r = client.post(f"/processes/{ids['OLD-R']}/edit", data={
        "csrf_token": csrf_from(edit), "code": "OLD-R", "reported": "y", "reported_on": "2026-03-02",
        "ended": "early", "ended_on": "2026-04-01", "version": re.search(r'name="version"[^>]*value="(\d+)"', edit)[1]})
    assert process_id(r) == ids["OLD-R"]
    view = text(client.get(f"/processes/{ids['OLD-R']}"))
    assert said(app, "Concern reported") in view and said(app, "Ended early") in view
    assert said(app, "Ongoing") not in view
    with app.app_context():
        row = db.session.get(Process, ids["OLD-R"])
        assert row.version > 1


def test_upgrade_keeps_both_outcomes_in_the_stored_shape(ctx):
    user, key, _ = accounts.create_account(guards.kdf_policy(), guards.server_secret(), "shapeowner", "S", PASSWORD)
    db.session.flush()
    row = processes.create(user, key, {"code": "MM-9"})
    db.session.flush()
    processes.OWNED.write(row, key, {"code": "MM-9", "status": "reported", "screening": []})
    processes.update(row, key, processes.read(row, key) | {"ended": "early", "ended_on": "2026-05-01"})
    data = processes.read(row, key)
    assert "status" not in data
    assert (data["reported"], data["ended"], data["ended_on"]) == ("yes", "early", "2026-05-01")
    # a date without its decision is not kept; a bad date is dropped, not stored
    processes.update(row, key, data | {"reported": "", "reported_on": "2026-01-01", "ended_on": "31.02.2026"})
    data = processes.read(row, key)
    assert (data["reported"], data["reported_on"], data["ended"], data["ended_on"]) == ("", "", "early", "")


def test_both_outcomes_through_the_form_and_the_list(app, client, user):
    both = process_id(post_process(client, {"code": "MM-30-01", "reported": "y", "reported_on": "2026-02-03",
                                            "ended": "as_planned", "ended_on": "2026-06-30"}))
    open_ = process_id(post_process(client, {"code": "MM-30-02"}))
    view = text(client.get(f"/processes/{both}"))
    assert said(app, "Concern reported") in view and said(app, "Ended as planned") in view
    listing = text(client.get("/processes/"))
    assert listing.index("MM-30-02") < listing.index("MM-30-01")   # open processes first
    assert "MM-30-01" not in text(client.get("/processes/?show=open"))
    assert "MM-30-02" in text(client.get("/processes/?show=open"))
    assert "MM-30-01" in text(client.get("/processes/?show=ended"))
    assert "MM-30-02" not in text(client.get("/processes/?show=reported"))
    assert "MM-30-01" in text(client.get("/processes/?show=reported"))
    assert client.get("/processes/?show=nonsense").status_code == 200
    assert open_


def test_a_date_without_its_decision_is_refused_with_input_kept(app, client, user):
    r = post_process(client, {"code": "MM-30-03", "working_goal": "kept goal", "reported_on": "2026-02-03"})
    assert r.status_code == 400
    assert said_html(app, "Tick that a concern was reported, or clear the date.") in text(r)
    assert "kept goal" in text(r)
    r = post_process(client, {"code": "MM-30-03", "ended_on": "2026-02-03"})
    assert r.status_code == 400 and said_html(app, "Choose how the guidance ended, or clear the date.") in text(r)
    r = post_process(client, {"code": "MM-30-03", "reported": "y", "reported_on": "not a date"})
    assert r.status_code == 400 and 'value="not a date"' in text(r)
