"""Journal pages opened with GET write nothing: home, the list and a search result, an entry, its
edit and delete pages, processes and personal trends. The one documented exception is the lazy
rebuild of a stale sealed journal index (domain/journal/index.py), which may rewrite the index
pages and the user's `journal_indexed` counter, and nothing else."""
from __future__ import annotations

import re

from sqlalchemy import update

from domain.core.db import db
from domain.core.models import User
from tests.conftest import Auth, search, writes_during
from tests.test_journal_http import entry_id, post_entry, text
from tests.test_processes_http import post_process, process_id


def _index_rebuild(statement: str) -> bool:
    words = " ".join(statement.split()).lower()
    return (re.match(r"(insert into|delete from) journal_index\b", words) is not None
            or re.fullmatch(r"update users set journal_indexed=\S+ where users\.id = \S+ "
                            r"and users\.journal_version = \S+", words) is not None)


def _pages(client) -> list[str]:
    pid = process_id(post_process(client, {"code": "RD-26-01"}))
    eid = entry_id(post_entry(client, "bright_moment", {"what_happened": "quiet reads", "process_id": pid,
                                                        "tags": "calm", "supervision": "yes"}))
    post_entry(client, "hard_session", {"what_happened": "half a thought"}, action="draft")
    found = search(client, "q=quiet")
    assert "quiet reads" in text(found)
    return ["/", "/entries", "/entries?drafts=1", found.request.full_path, f"/entries/{eid}",
            f"/entries/{eid}/edit", f"/entries/{eid}/delete", "/entries/new/bright_moment",
            "/processes/", f"/processes/{pid}", f"/processes/{pid}/edit", "/trends", "/themes", "/about"]


def _touch(statement: str) -> bool:
    """The session's idle clock (sessions.load_with_user moves last_seen_at at most every
    touch_every): a slow run can cross that step between two GETs, and it is not journal data."""
    return re.fullmatch(r"update user_sessions set last_seen_at=\S+( \S+)* where user_sessions\.id = \S+",
                        " ".join(statement.split()).lower()) is not None


def _writes_of_gets(app, client, urls: list[str]) -> list[str]:
    def visit():
        for url in urls:
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)
    return [s for s in writes_during(app, visit) if not _touch(s)]


def test_journal_pages_write_nothing_on_get(app, client, user):
    urls = _pages(client)
    assert _writes_of_gets(app, client, urls) == []
    # A fresh login starts with a cold index cache: opening the stored index still writes nothing.
    Auth(client).logout()
    Auth(client).login()
    assert _writes_of_gets(app, client, urls) == []


def test_a_stale_index_is_rebuilt_on_get_and_nothing_else_is_written(app, client, user):
    urls = _pages(client)
    with app.app_context():   # as after a write made without the key: the stored index lags
        db.session.execute(update(User).values(journal_indexed=0))
        db.session.commit()
    Auth(client).logout()     # and this login has no cached index of its own
    Auth(client).login()
    writes = _writes_of_gets(app, client, ["/"])
    assert writes and all(_index_rebuild(s) for s in writes), writes
    assert _writes_of_gets(app, client, urls) == []
