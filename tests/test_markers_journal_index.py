"""The marker test for the journal index: after entries are written, after the index is rebuilt,
and after searches and the trends page have run, no text, tag or chosen id is in the database in
clear; the index pages are there, sealed."""
from __future__ import annotations

from sqlalchemy import func, select, update

from domain.core.db import db
from domain.core.models import JournalIndexPage, User
from tests.conftest import raw_database_bytes, said, search
from tests.test_journal_http import entry_id, post_entry, text
from tests.test_markers_journal import marker


def test_index_pages_hold_no_plaintext(app, client, user):
    markers = {f: marker(f) for f in ("happened", "title", "tag", "trigger", "body")}
    entry_id(post_entry(client, "bright_moment", {"what_happened": markers["happened"], "title": markers["title"],
                                                  "tags": markers["tag"], "themes_": ["positive_moments"]}))
    entry_id(post_entry(client, "countertransference", {"trigger": markers["trigger"], "body": markers["body"],
                                                        "feelings": ["helplessness"], "intensity": "8"}))

    def pages_and_search() -> bytes:
        assert found_one(app) in text(search(client, f"q={markers['body']}"))
        assert markers["title"] in text(client.get("/entries"))
        assert client.get("/trends").status_code == 200
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(JournalIndexPage)) >= 1
        return raw_database_bytes(app)

    raws = [pages_and_search()]
    with app.app_context():      # the index rebuilt from the entries is sealed the same way
        db.session.execute(update(User).values(journal_indexed=-1))
        db.session.commit()
    raws.append(pages_and_search())
    for raw in raws:
        for value in markers.values():
            assert value.encode() not in raw, value
        for chosen in ("positive_moments", "helplessness", "countertransference", "bright_moment", "headline"):
            assert chosen.encode() not in raw, chosen


def found_one(app) -> str:
    return said(app, "%(num)d entry found.", "%(num)d entries found.", 1)
