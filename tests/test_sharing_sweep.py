"""The key sweep after a write request: one cheap question (sharing.rotation_due) decides whether it
runs, so it must say "yes" for every case the sweep handles, and the owner's next write (creating
an entry, or a form shown again without saving) must still rotate what is due."""
from __future__ import annotations

from datetime import timedelta

import pytest

from domain.core.db import db, utcnow
from domain.core.models import Entry, Share
from domain.sharing import shares as sharing
from tests.test_sharing_crypto import login_client, share_with, write_entry
from tests.test_sharing_http import post, setup


def test_rotation_due_answers_for_each_case_the_sweep_handles(app):
    people, eid = setup(app, readers=("sam", "pia"))
    with app.app_context():
        tess, sam, pia = people["tess"], people["sam"], people["pia"]
        entry = db.session.get(Entry, eid)
        share = share_with(tess, entry, sam, expires_at=utcnow() + timedelta(hours=1))
        db.session.commit()
        assert not sharing.rotation_due(tess.id)                   # a share that has not expired yet
        share.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        assert sharing.rotation_due(tess.id)                       # expired, wrap still in place
        assert not sharing.rotation_due(sam.id)                    # the reader has nothing to rotate
        assert sharing.sweep(tess.user, tess.key) == 1
        db.session.commit()
        assert not sharing.rotation_due(tess.id)                   # wrap gone, key rotated
        sharing.revoke(tess.user, tess.key, share_with(tess, entry, pia))
        db.session.commit()
        assert not sharing.rotation_due(tess.id)                   # a revoke rotates at once
        write_entry(tess, "marked").needs_rotation = True          # a contact removed by the other side
        db.session.commit()
        assert sharing.rotation_due(tess.id)
        assert not sharing.rotation_due(pia.id)


@pytest.mark.parametrize("action", ["save", "more-films"])
def test_the_owners_next_write_still_rotates_an_expired_share_and_a_marked_entry(app, action):
    """"save" commits (the question is asked just before that commit); "more-films" shows the form
    again and commits nothing (the sweep asks on its own)."""
    people, eid = setup(app)
    client = login_client(app, "tess")                             # the login POST sweeps: before the expiry
    with app.app_context():
        tess, sam = people["tess"], people["sam"]
        share = share_with(tess, db.session.get(Entry, eid), sam, expires_at=utcnow() + timedelta(hours=1))
        marked = write_entry(tess, "marked")
        db.session.commit()
        marked.needs_rotation = True
        share.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        sid, marked_id = share.id, marked.id
        versions = {i: db.session.get(Entry, i).key_version for i in (eid, marked_id)}
    r = post(client, "/entries/new/bright_moment", {"kind": "bright_moment", "action": action,
                                                    "supervision": "no", "what_happened": "a smile"})
    assert r.status_code == (302 if action == "save" else 200)
    with app.app_context():
        assert db.session.get(Share, sid).wrapped_key is None
        for entry_id, kv in versions.items():
            entry = db.session.get(Entry, entry_id)
            assert (entry.key_version, entry.needs_rotation) == (kv + 1, False)
        assert not sharing.rotation_due(people["tess"].id)
