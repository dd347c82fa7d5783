"""Two workers, one database: deterministic interleavings of the races a therapist with two phones
(or a double tap, or autosave racing Save) can cause.

Each "worker" is its own app instance on the same database (as two gunicorn workers are), driven
from its own thread. A barrier sits between a save's read and its write (the domain function
that writes is wrapped): without serialization both requests read before either writes, which is
the lost update / duplicate insert. With it the second request waits for the first to commit and
never reaches the barrier in time; the barrier then gives up after a short wait (that wait is most
of the time these loops take).
"""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app import create_app
from domain.accounts import account as accounts
from domain.core import sealed
from domain.core.db import db, new_id
from domain.core.models import Entry, Process, User
from domain.journal import entries as journal
from tests.conftest import PASSWORD, Auth, base_config, csrf_from

ROUNDS = 100
MEET_TIMEOUT = 0.08   # seconds one request waits at the barrier for its twin
POOL = ThreadPoolExecutor(2, thread_name_prefix="worker")


class Meet:
    """A two-party barrier placed inside a domain function; gives up quietly after a timeout."""

    def __init__(self):
        self.barrier = threading.Barrier(2)

    def wrap(self, fn):
        def waiting(*args, **kwargs):
            try:
                self.barrier.wait(MEET_TIMEOUT)
            except threading.BrokenBarrierError:
                pass
            return fn(*args, **kwargs)
        return waiting

    def reset(self):
        self.barrier.reset()


def both(*posts):
    """Run two POSTs (client, url, form data) at once, one per worker thread; return the responses."""
    futures = [POOL.submit(client.post, url, data=data) for client, url, data in posts]
    return [f.result(timeout=60) for f in futures]


@pytest.fixture
def workers(app, db_url, tmp_path):
    """Two app instances (two workers) on the test database; the `app` fixture is the first."""
    second = create_app(base_config(db_url, tmp_path / "instance"))
    yield app, second
    with second.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def devices(workers):
    """One therapist logged in on two devices, each talking to a different worker."""
    a, b = (w.test_client() for w in workers)
    Auth(a).signup()
    Auth(b).login()
    return a, b


def _token(client) -> str:
    return csrf_from(client.get("/entries/new/hard_session").get_data(as_text=True))


def _entry_post(token: str, draft_id: str, text: str, **extra) -> dict:
    return {"csrf_token": token, "draft_id": draft_id, "kind": "hard_session", "action": "save",
            "supervision": "no", "pii_ack": "1", "what_happened": text, **extra}


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_double_submit_of_a_new_entry_makes_one_entry(workers, devices, monkeypatch):
    """Two taps on two devices, or autosave racing Save: the same form-chosen id posted twice."""
    app = workers[0]
    a, b = devices
    ta, tb = _token(a), _token(b)
    meet = Meet()
    monkeypatch.setattr(sealed, "create", meet.wrap(sealed.create))   # after the look-up, before the insert
    bad = []
    for n in range(ROUNDS):
        draft = new_id()
        save_a = (a, "/entries/new/hard_session", _entry_post(ta, draft, f"round {n}"))
        if n % 2:   # autosave on one device racing Save on the other
            other = (b, "/entries/autosave", _entry_post(tb, draft, f"round {n}", action="draft"))
        else:
            other = (b, "/entries/new/hard_session", _entry_post(tb, draft, f"round {n}"))
        ra, rb = both(save_a, other)
        meet.reset()
        with app.app_context():
            rows = db.session.scalars(select(Entry).where(Entry.id == draft)).all()
        if not (ra.status_code == 302 and rb.status_code in (200, 302) and len(rows) == 1
                and ra.headers["Location"].endswith(draft)):
            bad.append((n, ra.status_code, rb.status_code, len(rows)))
    assert not bad, f"{len(bad)}/{ROUNDS} rounds wrong: {bad[:5]}"
    assert _count(app, Entry) == ROUNDS


def test_two_devices_editing_one_entry_never_lose_an_edit(workers, devices, monkeypatch):
    app = workers[0]
    a, b = devices
    ta, tb = _token(a), _token(b)
    first = a.post("/entries/new/hard_session", data=_entry_post(ta, new_id(), "first words"))
    entry_id = first.headers["Location"].rsplit("/", 1)[1]
    meet = Meet()
    monkeypatch.setattr(journal, "update", meet.wrap(journal.update))
    bad = []
    for n in range(ROUNDS):
        with app.app_context():
            version = db.session.get(Entry, entry_id).version
        url = f"/entries/{entry_id}/edit"
        mine, theirs = f"phone text {n}", f"tablet text {n}"
        ra, rb = both((a, url, _entry_post(ta, entry_id, mine, version=version)),
                      (b, url, _entry_post(tb, entry_id, theirs, version=version)))
        meet.reset()
        codes = sorted((ra.status_code, rb.status_code))
        loser = ra if ra.status_code == 409 else rb
        winner_text = mine if ra.status_code == 302 else theirs
        page = loser.get_data(as_text=True)
        stored = a.get(f"/entries/{entry_id}").get_data(as_text=True)
        if not (codes == [302, 409] and mine in page and theirs in page and winner_text in stored
                and "changed on another device" in page):
            bad.append((n, codes))
    assert not bad, f"{len(bad)}/{ROUNDS} rounds wrong: {bad[:5]}"


def test_keep_mine_after_a_conflict_saves_mine(devices):
    a, b = devices
    ta, tb = _token(a), _token(b)
    entry_id = a.post("/entries/new/hard_session",
                      data=_entry_post(ta, new_id(), "start")).headers["Location"].rsplit("/", 1)[1]
    page = b.get(f"/entries/{entry_id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    assert a.post(f"/entries/{entry_id}/edit",
                  data=_entry_post(ta, entry_id, "from the phone", version=version)).status_code == 302
    r = b.post(f"/entries/{entry_id}/edit", data=_entry_post(tb, entry_id, "from the tablet", version=version))
    assert r.status_code == 409
    page = r.get_data(as_text=True)
    assert "from the phone" in page and "from the tablet" in page and "Keep mine" in page
    newer = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    assert int(newer) > int(version)
    r = b.post(f"/entries/{entry_id}/edit", data=_entry_post(tb, entry_id, "from the tablet", version=newer))
    assert r.status_code == 302
    assert "from the tablet" in a.get(f"/entries/{entry_id}").get_data(as_text=True)


def test_autosave_on_an_older_version_is_refused_quietly(devices):
    a, b = devices
    ta, tb = _token(a), _token(b)
    r = a.post("/entries/new/hard_session", data=_entry_post(ta, new_id(), "a draft", action="draft"))
    entry_id = r.headers["Location"].rsplit("/", 1)[1]
    page = b.get(f"/entries/{entry_id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    r = a.post("/entries/autosave", data=_entry_post(ta, entry_id, "phone draft", action="draft", version=version))
    assert r.status_code == 200 and r.get_json()["version"] == int(version) + 1
    r = b.post("/entries/autosave", data=_entry_post(tb, entry_id, "tablet draft", action="draft", version=version))
    assert r.status_code == 409 and r.get_json()["conflict"] is True
    assert "phone draft" in a.get(f"/entries/{entry_id}").get_data(as_text=True)


def test_signing_up_the_same_login_twice_at_once_never_fails(workers, monkeypatch):
    app = workers[0]
    meet = Meet()
    monkeypatch.setattr(accounts, "write_profile", meet.wrap(accounts.write_profile))
    bad = []
    for n in range(ROUNDS):
        clients = [w.test_client() for w in workers]
        tokens = [csrf_from(c.get("/signup").get_data(as_text=True)) for c in clients]
        form = {"login": f"twin{n}", "display_name": "Twin", "password": PASSWORD, "confirm": PASSWORD,
                "understood": "y"}
        ra, rb = both(*((c, "/signup", {"csrf_token": t, **form}) for c, t in zip(clients, tokens, strict=True)))
        meet.reset()
        codes = sorted((ra.status_code, rb.status_code))
        loser = ra if ra.status_code == 400 else rb
        if codes != [302, 400] or "That login name is taken" not in loser.get_data(as_text=True):
            bad.append((n, codes))
    assert not bad, f"{len(bad)}/{ROUNDS} rounds wrong: {bad[:5]}"
    assert _count(app, User) == ROUNDS


def _process_post(token: str, form_id: str, code: str, **extra) -> dict:
    return {"csrf_token": token, "form_id": form_id, "code": code, "status": "ongoing", "films": "0",
            "reviews": "0", **extra}


def test_double_submit_of_a_new_process_makes_one_process(workers, devices, monkeypatch):
    app = workers[0]
    a, b = devices
    ta, tb = _token(a), _token(b)
    meet = Meet()
    monkeypatch.setattr(sealed, "create", meet.wrap(sealed.create))
    for n in range(20):
        form_id = new_id()
        ra, rb = both((a, "/processes/new", _process_post(ta, form_id, f"MM-{n:02d}")),
                      (b, "/processes/new", _process_post(tb, form_id, f"MM-{n:02d}")))
        meet.reset()
        assert (ra.status_code, rb.status_code) == (302, 302), n
        assert ra.headers["Location"] == rb.headers["Location"] == f"/processes/{form_id}"
    assert _count(app, Process) == 20


def test_a_stale_process_edit_shows_both_versions(devices):
    a, b = devices
    ta, tb = _token(a), _token(b)
    process_id = new_id()
    assert a.post("/processes/new", data=_process_post(ta, process_id, "MM-01")).status_code == 302
    page = b.get(f"/processes/{process_id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    edit = f"/processes/{process_id}/edit"
    assert a.post(edit, data=_process_post(ta, "", "MM-01", notes="phone note", version=version)).status_code == 302
    r = b.post(edit, data=_process_post(tb, "", "MM-01", notes="tablet note", version=version))
    assert r.status_code == 409
    page = r.get_data(as_text=True)
    assert "phone note" in page and "tablet note" in page and "Keep the saved version" in page
    assert "phone note" in a.get(f"/processes/{process_id}").get_data(as_text=True)


def test_back_then_save_updates_the_same_entry(app, client, user):
    token = _token(client)
    draft = new_id()
    first = client.post("/entries/new/hard_session", data=_entry_post(token, draft, "first try"))
    again = client.post("/entries/new/hard_session", data=_entry_post(token, draft, "first try, and more"))
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"] == f"/entries/{draft}"
    assert _count(app, Entry) == 1
    assert "first try, and more" in client.get(f"/entries/{draft}").get_data(as_text=True)
