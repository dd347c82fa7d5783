"""The journal's process filter (domain/journal/processes.labels, process_labels.py): it offers the
user's own process codes, open ones first; an edit, an ending or a deletion shows on the next
view although the codes are kept per session; a process that does not open is left out; what a
session kept goes when it ends and is never handed to another user."""
from __future__ import annotations

import re

from domain.core.db import db
from domain.core.models import Process
from domain.journal import process_labels
from tests.conftest import csrf_from
from tests.test_journal_http import second_client, text
from tests.test_processes_http import post_process, process_id


def _offered(client) -> list[str]:
    html = text(client.get("/entries"))
    select = re.search(r'<select id="process".*?</select>', html, re.DOTALL).group(0)
    return re.findall(r'<option value="[0-9a-f]{32}"[^>]*>([^<]*)</option>', select)


def test_codes_open_first_and_changes_show_at_once(client, user):
    a = process_id(post_process(client, {"code": "MM-25-01", "status": "ongoing"}))
    b = process_id(post_process(client, {"code": "AA-25-02", "status": "ongoing"}))
    assert _offered(client) == ["AA-25-02", "MM-25-01"]
    process_id(post_process(client, {"code": "AA-25-02", "ended": "early"}, url=f"/processes/{b}/edit"))
    assert _offered(client) == ["MM-25-01", "AA-25-02"]          # the ended one last
    process_id(post_process(client, {"code": "MM-25-09", "status": "ongoing"}, url=f"/processes/{a}/edit"))
    assert _offered(client) == ["MM-25-09", "AA-25-02"]          # renamed: the new code, not the kept one
    page = text(client.get(f"/processes/{b}/delete"))
    assert client.post(f"/processes/{b}/delete", data={"csrf_token": csrf_from(page)}).status_code == 302
    assert _offered(client) == ["MM-25-09"]


def test_a_process_that_does_not_open_is_left_out(app, client, user):
    process_id(post_process(client, {"code": "MM-25-01"}))
    bad = process_id(post_process(client, {"code": "MM-25-02"}))
    with app.app_context():
        row = db.session.get(Process, bad)
        row.content = row.content[:-1] + bytes([row.content[-1] ^ 1])
        row.version += 1                                          # a change this session has not seen
        db.session.commit()
    assert _offered(client) == ["MM-25-01"]


def test_kept_per_session_and_owner_and_gone_at_logout(app, client, auth, user):
    process_labels.clear()        # what earlier tests' sessions left in this process
    process_id(post_process(client, {"code": "MM-25-01"}))
    assert _offered(client) == ["MM-25-01"]
    assert len(process_labels._store) == 1
    [(session_id, (owner_id, _used, kept))] = process_labels._store.items()
    assert [code for code, _open in kept.values()] == ["MM-25-01"]
    assert process_labels.get(session_id, owner_id) == kept and process_labels.get(session_id, "someone-else") == {}
    other = second_client(app)
    assert _offered(other) == []                                  # another user sees none of them
    auth.logout()
    assert session_id not in process_labels._store
