"""The calendar listener asks "has this owner a feed?" once per transaction (feed.exists_for): the
answer must follow a feed made or revoked in that same transaction, and start afresh in the next."""
from __future__ import annotations

from domain.core.db import db, new_id
from domain.reminders import feed as feeds
from tests.test_sharing_crypto import make_person


def test_the_answer_follows_create_and_revoke_within_one_transaction(app):
    with app.app_context():
        tess = make_person(app, "tess")
        db.session.commit()
        assert not feeds.exists_for(tess.id)
        feeds.create(tess.user, tess.key, new_id(), "en")
        assert feeds.exists_for(tess.id)                     # same transaction: not the cached "no"
        db.session.commit()
        assert feeds.exists_for(tess.id)
        assert feeds.revoke(tess.id)
        assert not feeds.exists_for(tess.id)                 # same transaction: not the cached "yes"
        db.session.rollback()
        assert feeds.exists_for(tess.id)                     # the revoke was rolled back: asked again
