"""A row that cannot be opened is one bad row: every page still answers, lists show it as
"This entry cannot be opened" with its date, the owner can delete it from a repair page, and the
export carries everything else and names what it could not open."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from domain.core.db import db
from domain.core.models import Entry, User
from tests.conftest import Auth, csrf_from, search

NOTICE = "This entry cannot be opened"


def _entry(auth: Auth, text: str) -> str:
    r = auth.post("/entries/new/bright_moment", {"kind": "bright_moment", "action": "save", "supervision": "no",
                                                  "what_happened": text, "visit_date": "2026-02-03"})
    assert r.status_code == 302
    return r.headers["Location"].rsplit("/", 1)[-1]


@pytest.fixture
def damaged(app, auth, user):
    ids = [_entry(auth, f"bright moment number {n}") for n in range(3)]
    with app.app_context():
        row = db.session.get(Entry, ids[1])
        row.content = row.content[:-1] + bytes([row.content[-1] ^ 1])   # one flipped bit
        db.session.commit()
    return ids


PAGES = ["/", "/entries", "/trends", "/outbox",
         "/inbox", "/processes/", "/settings/data/", "/share/agenda"]


def test_every_page_answers_and_the_entry_leads_to_repair(client, damaged):
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    for query in ("q=bright", "kind=bright_moment"):
        assert search(client, query).status_code == 200, query
    r = client.get(f"/entries/{damaged[1]}", follow_redirects=True)
    assert r.status_code == 200 and NOTICE in r.get_data(as_text=True)
    for action in ("edit", "delete"):
        r = client.get(f"/entries/{damaged[1]}/{action}")
        assert r.status_code == 302 and r.headers["Location"].endswith(f"/entries/{damaged[1]}/repair")
    assert "bright moment number 2" in client.get(f"/entries/{damaged[2]}").get_data(as_text=True)


def test_lists_show_the_notice_once_the_index_is_rebuilt(app, client, damaged):
    with app.app_context():   # as after a write made without the key: the index is rebuilt
        db.session.execute(update(User).values(journal_indexed=-1))
        db.session.commit()
    for url in ("/", "/entries"):
        page = client.get(url).get_data(as_text=True)
        assert NOTICE in page and f"/entries/{damaged[1]}/repair" in page and "3 Feb 2026" in page, url
        assert "bright moment number 0" in page and "bright moment number 2" in page
    assert client.get("/trends").status_code == 200


def test_export_has_everything_else_and_names_what_it_could_not_open(client, damaged):
    page = client.get("/settings/data/").get_data(as_text=True)
    r = client.post("/settings/data/export.json", data={"csrf_token": csrf_from(page)})
    assert r.status_code == 200
    dump = json.loads(r.data)
    assert sorted(e["id"] for e in dump["entries"]) == sorted([damaged[0], damaged[2]])
    assert [u["id"] for u in dump["could_not_open"]] == [damaged[1]]
    r = client.post("/settings/data/export.zip", data={"csrf_token": csrf_from(page)})
    assert r.status_code == 200 and r.data[:2] == b"PK"


def test_the_owner_deletes_it_from_the_repair_page(app, client, auth, damaged):
    url = f"/entries/{damaged[1]}/repair"
    page = client.get(url).get_data(as_text=True)
    assert NOTICE in page and damaged[1] in page
    assert client.post(url, data={}).status_code == 400                      # no CSRF token
    r = client.post(url, data={"csrf_token": csrf_from(page)})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Entry).where(Entry.id == damaged[1])) is None
    assert "2 entries" in client.get("/entries").get_data(as_text=True)
    stranger = Auth(app.test_client())
    stranger.signup("stranger", "Stranger")
    assert stranger.client.get(f"/entries/{damaged[0]}/repair").status_code == 404
    assert stranger.client.post(f"/entries/{damaged[0]}/repair",
                                data={"csrf_token": stranger.get_form("/entries")}).status_code == 404


def test_a_readable_entry_has_no_repair_page(client, damaged):
    r = client.get(f"/entries/{damaged[0]}/repair")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/entries/{damaged[0]}")
