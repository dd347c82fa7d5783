"""`revoked_at` on its own shuts a reader out. Every revoke path also deletes the wrapped key, so a
bug in the revoked check would hide behind the missing wrap; here the wrap stays and only
`revoked_at` is set (as a half-finished revoke, or a restore of an older backup, would leave it)."""

from __future__ import annotations

from sqlalchemy import select

from domain.core.db import db, utcnow
from domain.core.models import Share
from tests.security.conftest import build_world, db_snapshot, login_client, snapshot_diff, token_for


def test_a_revoked_share_with_its_wrap_still_present_refuses_the_reader(app):
    world = build_world(app)
    sid, marker = world.ids["share"], world.markers["entry"]
    reader = login_client(app, "reader")
    assert marker in reader.get(f"/shares/{sid}").get_data(as_text=True)  # before: the reader reads
    with app.app_context():
        share = db.session.get(Share, sid)
        share.revoked_at = utcnow()
        db.session.commit()
        assert db.session.scalar(select(Share.wrapped_key).where(Share.id == sid)) is not None

    r = reader.get(f"/shares/{sid}")
    assert r.status_code == 410
    page = r.get_data(as_text=True)
    assert not world.leaks("revoked", page), world.leaks("revoked", page)
    for url in ("/", "/inbox"):
        body = reader.get(url).get_data(as_text=True)
        assert marker not in body and world.markers["question"] not in body, url

    token = token_for(reader)
    before = db_snapshot(app)
    for url, data in ((f"/shares/{sid}/reflection", {"context": "more", "action": "submit"}),
                      (f"/shares/{sid}/reply", {"text": "still here?", "reply_id": "a" * 32})):
        r = reader.post(url, data={"csrf_token": token, **data})
        assert r.status_code == 410, (url, r.status_code)
    assert snapshot_diff(before, db_snapshot(app)) == []

    # The reader's own export no longer carries the entry they could once read.
    r = reader.post("/settings/data/export.json", data={"csrf_token": token})
    assert r.status_code == 200 and marker.encode() not in r.data
