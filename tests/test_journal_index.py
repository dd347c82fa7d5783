"""The sealed journal index answers exactly what decrypting every entry answers: after creates,
edits, deletes, a process deletion and a key rotation; it rebuilds itself when a page is missing
or damaged; another worker's writes are seen; logout drops the cached copy."""
from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import delete, select, update

from blueprints import guards
from domain.accounts import account as accounts
from domain.catalogue.themes import THEMES
from domain.core.db import db
from domain.core.models import JournalIndexPage, User
from domain.journal import cache as journal_cache
from domain.journal import entries as journal
from domain.journal import index as journal_index
from domain.journal import processes
from domain.journal.filters import Filters, select_items
from domain.journal.state import Page, State
from domain.sharing import rotation

WORDS = ("camera", "bathtime", "raincoat", "metronome", "silence", "waiting room", "father", "clip")
MAIN = {"hard_session": "what_happened", "bright_moment": "what_happened",
        "ethical_dilemma": "dilemma", "countertransference": "trigger"}


@pytest.fixture
def owner(app, monkeypatch):
    monkeypatch.setattr(journal_index, "PAGE_SIZE", 7)   # many pages from few entries
    journal_cache.clear()
    with app.test_request_context():
        user, key, _ = accounts.create_account(guards.kdf_policy(), guards.server_secret(), "ix",
                                               "Index Tester", "index tester password 42")
        db.session.commit()
        yield user, key
        journal_cache.clear()


def _data(rng: random.Random, i: int, procs: list[str]) -> dict:
    kind = rng.choice(list(MAIN))
    theme = rng.choice(THEMES)
    data = {"kind": kind, MAIN[kind]: f"entry {i} " + " ".join(rng.sample(WORDS, 3)),
            "themes": [theme.id], "subthemes": [rng.choice(theme.subthemes).id],
            "tags": [rng.choice(("Night", "first visit", "night"))],
            "visit_date": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "supervision": rng.choice(("no", "yes", "urgent" if kind == "ethical_dilemma" else "no")),
            "process_id": rng.choice(procs + [None])}
    return journal.clean(data, set(procs), draft=rng.random() < 0.15)


FILTERS = [{}, {"drafts": True}, {"kind": "bright_moment"}, {"theme": THEMES[0].id},
           {"subtheme": THEMES[1].subthemes[0].id}, {"supervision": "flagged"}, {"supervision": "urgent"},
           {"tag": "night"}, {"date_from": date(2025, 3, 1), "date_to": date(2025, 8, 31)},
           {"q": "raincoat"}, {"q": "waiting metronome"}, {"q": "bathtime", "kind": "hard_session"}]


def _same_as_brute_force(user: User, key: bytes, procs: list[str], session_id: str | None = None) -> None:
    state = journal_index.view(user, key, session_id)
    everything = journal.all_items(user.id, key)
    for spec in FILTERS + [{"process_id": p} for p in procs]:
        f = Filters(**spec)
        want = [i.row.id for i in select_items(everything, f)]
        got = [i.row.id for i in journal_index.select_entries(state, f, key)]
        assert got == want, spec
        assert [i.headline for i in journal_index.select_entries(state, f, key)] == \
            [i.headline for i in select_items(everything, f)]
    assert state.tags == journal.all_tags(everything)
    assert [i.row.id for i in state.flagged] == [i.row.id for i in journal.flagged(everything)]


def test_index_equals_brute_force_through_writes(owner):
    user, key = owner
    rng = random.Random(11)
    procs = [processes.create(user, key, {"code": f"MM-{n}"}).id for n in range(3)]
    rows = [journal.create(user, key, _data(rng, i, procs)) for i in range(40)]
    db.session.commit()
    _same_as_brute_force(user, key, procs, "s1")
    for row in rng.sample(rows, 10):                       # edits
        journal.update(row, key, _data(rng, 99, procs))
    for row in rng.sample(rows, 6):                        # deletes
        rows.remove(row)
        journal.delete(row, key)
    db.session.commit()
    _same_as_brute_force(user, key, procs, "s1")
    gone = processes.get_owned(user.id, procs[0])          # unlinks its entries
    processes.delete(gone, journal.all_items(user.id, key), key)
    rotation.rotate(rows[0], key)                          # a new entry key, same content
    db.session.commit()
    _same_as_brute_force(user, key, procs[1:], "s1")
    _same_as_brute_force(user, key, procs[1:], None)       # and without the cache
    assert user.journal_indexed == user.journal_version    # kept up to date, never rebuilt


@pytest.mark.parametrize("damage", ["missing", "corrupt", "stale"])
def test_rebuilds_a_missing_or_damaged_index(owner, damage):
    user, key = owner
    rng = random.Random(12)
    for i in range(30):
        journal.create(user, key, _data(rng, i, []))
    db.session.commit()
    if damage == "missing":
        db.session.execute(delete(JournalIndexPage).where(JournalIndexPage.page_no == 2))
    elif damage == "corrupt":
        page = db.session.scalar(select(JournalIndexPage).where(JournalIndexPage.page_no == 1))
        page.records = page.records[:-1] + bytes([page.records[-1] ^ 1])
    else:
        db.session.execute(update(User).where(User.id == user.id).values(journal_indexed=-1))
    db.session.commit()
    db.session.refresh(user)
    _same_as_brute_force(user, key, [])
    db.session.refresh(user)
    assert user.journal_indexed == user.journal_version    # the rebuild was saved
    assert len(journal_index.view(user, key, None).items()) == 30


@pytest.mark.parametrize("write", ["create", "update"])
def test_a_write_into_a_damaged_page_leaves_the_index_stale_for_the_next_reader(owner, write):
    user, key = owner
    rng = random.Random(14)
    rows = [journal.create(user, key, _data(rng, i, [])) for i in range(10)]   # pages 0 (7) and 1 (3)
    db.session.commit()
    page = db.session.scalar(select(JournalIndexPage).where(JournalIndexPage.page_no == 1))
    page.records = page.records[:-1] + bytes([page.records[-1] ^ 1])
    db.session.commit()
    if write == "create":
        journal.create(user, key, _data(rng, 10, []))
    else:
        journal.update(rows[-1], key, _data(rng, 11, []))
    db.session.commit()
    db.session.refresh(user)
    assert user.journal_indexed != user.journal_version    # not written into a page that does not open
    _same_as_brute_force(user, key, [])
    db.session.refresh(user)
    assert user.journal_indexed == user.journal_version    # the reader rebuilt it


def test_another_workers_write_is_seen(owner, monkeypatch):
    user, key = owner
    rng = random.Random(13)
    journal.create(user, key, _data(rng, 0, []))
    db.session.commit()
    before = journal_index.view(user, key, "s1")
    # The other worker's process never tells this one's cache: only the database does.
    monkeypatch.setattr(journal_cache, "page_written", lambda *a: None)
    other = journal.create(user, key, _data(rng, 1, []))
    db.session.commit()
    db.session.refresh(user)
    after = journal_index.view(user, key, "s1")
    assert after is not before and other.id in {i.row.id for i in after.items()}
    _same_as_brute_force(user, key, [], "s1")


def test_a_damaged_entry_is_one_broken_record(owner):
    user, key = owner
    rng = random.Random(14)
    rows = [journal.create(user, key, _data(rng, i, [])) for i in range(5)]
    db.session.commit()
    bad = rows[2]
    bad.content = bad.content[:-1] + bytes([bad.content[-1] ^ 1])
    user.journal_indexed = -1
    db.session.commit()
    state = journal_index.view(user, key, None)
    broken = [i for i in state.items() if i.broken]
    assert [i.row.id for i in broken] == [bad.id] and broken[0].headline == journal.BROKEN_HEADLINE
    assert bad.id not in {i.row.id for i in journal.all_items(user.id, key)}


def test_cache_is_bounded_and_scoped(owner, monkeypatch):
    user, key = owner
    journal.create(user, key, _data(random.Random(15), 0, []))
    db.session.commit()
    journal_index.view(user, key, "s1")
    assert journal_cache.get("s1", user.id) is not None
    assert journal_cache.get("s1", "someone-else") is None
    journal_cache.drop_session("s1")
    assert journal_cache.get("s1", user.id) is None
    monkeypatch.setattr(journal_cache, "MAX_BYTES", 10)
    journal_index.view(user, key, "s2")
    assert journal_cache.get("s2", user.id) is None        # too big for the budget: not kept
    monkeypatch.setattr(journal_cache, "MAX_BYTES", 1 << 20)
    monkeypatch.setattr(journal_cache, "IDLE", -1)
    journal_index.view(user, key, "s3")
    assert journal_cache.get("s3", user.id) is None        # idle past the session timeout


def test_a_cached_index_keeps_its_size_right_through_writes(owner):
    """A write in this process updates the cached index by one page; its size (what the byte budget
    counts) moves by that page, and must stay the sum of the pages, search text included."""
    user, key = owner
    rng = random.Random(16)
    rows = [journal.create(user, key, _data(rng, i, [])) for i in range(12)]
    db.session.commit()
    state = journal_index.view(user, key, "s1")
    journal_index.select_entries(state, Filters(q="raincoat"), key)     # search text loaded
    journal.create(user, key, _data(rng, 12, []))                       # into the last page
    journal.update(rows[0], key, _data(rng, 13, []))                    # the first page
    for row in rows[7:]:                                                # page 1 emptied out
        journal.delete(row, key)
    db.session.commit()
    db.session.refresh(user)
    state = journal_index.view(user, key, "s1")
    slot = journal_cache._slots["s1"]
    assert slot.state is state and slot.size == state.nbytes()
    _same_as_brute_force(user, key, [], "s1")


def test_texts_loaded_into_a_replaced_state_are_counted_in_its_successor():
    """Threaded workers: a search that began with the session's state loads texts into its pages
    while a write in another thread has already put a newer state (sharing the pages it did not
    change) into the slot. The slot's size must still count those texts: the byte bound holds."""
    journal_cache.clear()
    kept, changed = Page(1, [{"_id": "a"}], None), Page(1, [{"_id": "b"}], None)
    old = State("owner", 5, {0: kept, 1: changed})
    journal_cache.put("s1", old)
    journal_cache.keep_rendered("s1", old, ("home",), ("<p>home</p>" * 100, 0.0))
    journal_cache.page_written("owner", 6, 1, Page(2, [{"_id": "b"}, {"_id": "c"}], None))
    new = journal_cache._slots["s1"].state
    assert new.version == 6 and new.pages[0] is kept and new.rendered(("home",)) is None
    assert journal_cache._slots["s1"].size == new.nbytes()          # the old rendered page left the count
    journal_cache.keep_rendered("s1", old, ("list",), ("<p>old</p>" * 100, 0.0))   # rendered from the old one
    assert new.rendered(("list",)) is None and journal_cache._slots["s1"].size == new.nbytes()
    kept.texts = {"a": "x" * 50_000}                                  # the search, in the other thread
    journal_cache.resized(old)
    assert journal_cache._slots["s1"].size == new.nbytes() > 50_000


def test_logout_drops_the_cache(client, auth, user):
    journal_cache.clear()
    assert client.get("/entries").status_code == 200
    assert len(journal_cache._slots) == 1
    auth.logout()
    assert len(journal_cache._slots) == 0


def test_two_apps_on_one_database_see_each_others_writes(app, db_url, tmp_path):
    from app import create_app
    from tests.conftest import Auth, base_config
    second = create_app(base_config(db_url, tmp_path / "instance"))
    one, two = Auth(app.test_client()), Auth(second.test_client())
    one.signup()
    two.login()
    assert "0 entries" in two.client.get("/entries").get_data(as_text=True)
    r = one.post("/entries/new/bright_moment", {"kind": "bright_moment", "action": "save", "supervision": "no",
                                                 "what_happened": "seen by the other worker"})
    assert r.status_code == 302
    page = two.client.get("/entries").get_data(as_text=True)
    assert "1 entry" in page and "seen by the other worker" in page
    with second.app_context():
        db.session.remove()
        db.engine.dispose()




def test_a_rolled_back_create_never_reaches_the_cache(app):
    """A create inside a savepoint (PostgreSQL's path; here outside a write request) releases it
    before the request commits: the new page must wait for the commit, so a rollback after the
    save leaves the cached index as it was, not with a phantom entry."""
    from domain.core.db import new_id
    from domain.journal import cache as journal_cache
    from domain.journal import entries as journal
    from domain.journal import index as journal_index
    from tests.test_journal_http import domain_account
    uid, key = domain_account(app, "cachey", n_entries=3)
    with app.app_context():
        user = db.session.get(User, uid)
        before = journal_index.view(user, key, "sess-1").version
        db.session.commit()
        user = db.session.get(User, uid)
        journal.save(user, key, new_id(), journal.clean({"kind": "bright_moment", "what_happened": "phantom"},
                                                        set(), False), None)
        assert journal_cache.get("sess-1", uid).version == before
        db.session.rollback()
        cached = journal_cache.get("sess-1", uid)
        assert cached.version == before and len(cached.items()) == 3
