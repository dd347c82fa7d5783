"""The process form across versions: a form opened before the outcomes were split still saves what
it says, and a stale edit shows the mandate and outcome differences instead of overwriting."""
from __future__ import annotations

import re

from tests.conftest import csrf_from, said
from tests.test_journal_http import text
from tests.test_processes_http import post_process, process_id


def test_an_old_form_posting_status_and_screening_is_read_not_lost(app, client, user):
    pid = process_id(post_process(client, {"code": "MM-70-01", "status": "reported",
                                           "screening": ["child_protection", "filming_reluctance"]}))
    view = text(client.get(f"/processes/{pid}"))
    assert said(app, "Concern reported") in view and said(app, "Ongoing") in view
    assert said(app, "The article's criteria:") in view and said(app, "Fokus's own flags:") in view
    r = post_process(client, {"code": "MM-70-01", "status": "ended_early"}, url=f"/processes/{pid}/edit")
    assert process_id(r) == pid
    assert said(app, "Ended early") in text(client.get(f"/processes/{pid}"))


def test_a_stale_edit_shows_both_mandates(app, client, user):
    pid = process_id(post_process(client, {"code": "MM-70-02", "m_goal": "first goal"}))
    edit = text(client.get(f"/processes/{pid}/edit"))
    base = {"csrf_token": csrf_from(edit), "code": "MM-70-02",
            "version": re.search(r'name="version"[^>]*value="(\d+)"', edit)[1]}
    assert process_id(client.post(f"/processes/{pid}/edit", data={**base, "m_goal": "laptop goal"})) == pid
    r = client.post(f"/processes/{pid}/edit", data={**base, "m_goal": "phone goal", "reported": "y"})
    assert r.status_code == 409
    page = text(r)
    assert "laptop goal" in page and "phone goal" in page
    assert page.count("class=\"conflict-part\"") == 2   # the goal and the outcome differ
    assert "laptop goal" in text(client.get(f"/processes/{pid}"))
