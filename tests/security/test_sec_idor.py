"""Object ids carried in form bodies (not URLs) and redirect targets: another user's id in a
hidden field or a checkbox never reaches their object, and `next` never leaves the site."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.core.db import db
from domain.core.models import Entry, Share, ThreadItem
from tests.conftest import PASSWORD
from tests.security.conftest import db_snapshot, login_client, snapshot_diff, token_for


def _owner_rows(app, world):
    with app.app_context():
        entry = db.session.get(Entry, world.ids["entry"])
        items = sorted(
            (i.id, i.content)
            for i in db.session.scalars(select(ThreadItem).where(ThreadItem.entry_id == entry.id))
        )
        return (entry.content, entry.wrapped_key, entry.key_version), items


def test_someone_elses_ids_in_form_bodies_touch_nothing_of_theirs(app, world):
    ids, users = world.ids, world.users
    before = _owner_rows(app, world)
    stranger = login_client(app, "stranger")
    token = token_for(stranger)
    entry = {
        "csrf_token": token,
        "kind": "hard_session",
        "what_happened": "mine",
        "pii_ack": "1",
        "action": "save",
    }
    # A draft id that is the owner's entry: a new entry of the stranger's own, never the owner's.
    assert (
        stranger.post("/entries/new/hard_session", data={**entry, "draft_id": ids["entry"]}).status_code
        == 302
    )
    r = stranger.post("/entries/autosave", data={**entry, "action": "draft", "draft_id": ids["private"]})
    assert r.status_code == 200
    # The owner's process in the stranger's entry form.
    r = stranger.post(
        "/entries/new/hard_session", data={**entry, "draft_id": "a" * 32, "process_id": ids["process"]}
    )
    assert r.status_code == 400
    # The owner's entry in a share form, and non-contacts as readers.
    mine = stranger.post("/entries/new/bright_moment", data={**entry, "kind": "bright_moment"})
    my_entry = mine.headers["Location"].rsplit("/", 1)[-1]
    r = stranger.post(
        "/share/agenda", data={"csrf_token": token, "entries": ids["entry"], "readers": users["owner"]}
    )
    assert r.status_code == 400
    r = stranger.post(f"/entries/{my_entry}/share", data={"csrf_token": token, "readers": users["owner"]})
    assert r.status_code == 400
    # The reader replies with the id of the owner's reply: a new reply, the owner's stays the owner's.
    reader = login_client(app, "reader")
    with app.app_context():
        owner_reply = db.session.scalar(
            select(ThreadItem).where(
                ThreadItem.share_id == ids["share"], ThreadItem.author_id == users["owner"]
            )
        )
        owner_reply_id, owner_reply_blob = owner_reply.id, owner_reply.content
    r = reader.post(
        f"/shares/{ids['share']}/reply",
        data={"csrf_token": token_for(reader), "text": "hijack?", "reply_id": owner_reply_id},
    )
    assert r.status_code == 302
    with app.app_context():
        same = db.session.get(ThreadItem, owner_reply_id)
        assert same.author_id == users["owner"] and same.content == owner_reply_blob
    # The owner's group member id inside the stranger's own group.
    r = stranger.post("/groups/", data={"csrf_token": token, "name": "Mine", "k": "5"})
    gid = r.headers["Location"].rsplit("/", 1)[-1]
    snap = db_snapshot(app)
    for action in ("remove", "lead"):
        r = stranger.post(
            f"/groups/{gid}/members/{ids['member']}/{action}", data={"csrf_token": token, "lead": "1"}
        )
        assert r.status_code == 404, (action, r.status_code)
    assert not snapshot_diff(snap, db_snapshot(app))
    # The owner's other session id on the stranger's "end session" button.
    r = stranger.post(f"/settings/sessions/{ids['other_session']}/end", data={"csrf_token": token})
    assert r.status_code == 404

    after = _owner_rows(app, world)
    assert after[0] == before[0]
    assert set(before[1]) <= set(after[1])  # only the reader's new reply was added
    with app.app_context():
        assert db.session.scalar(select(Share).where(Share.owner_id == users["stranger"])) is None
        assert db.session.get(Entry, ids["entry"]).owner_id == users["owner"]


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "/\\evil.example",
        "/\t/evil.example",
        "https://evil.example/",
        "/\r\nLocation: x",
        "javascript:alert(1)",
        "///evil.example",
        "\\\\evil.example",
        " //evil.example",
        "/%0d%0aSet-Cookie:x=1",
    ],
)
def test_next_never_leaves_the_site(app, world, target):
    client = app.test_client()
    token = token_for(client, logged_in=False)
    r = client.post(
        "/login",
        query_string={"next": target},
        data={"csrf_token": token, "login": "sec_owner", "password": PASSWORD},
    )
    assert r.status_code == 302
    location = r.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "\n" not in location and "\r" not in location
    r = client.get("/confirm", query_string={"next": target})
    page_token = token_for(client)
    r = client.post(
        "/confirm", query_string={"next": target}, data={"csrf_token": page_token, "password": PASSWORD}
    )
    assert r.status_code == 302
    location = r.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
