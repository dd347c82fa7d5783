"""Home and the journal list are rendered once per set of inputs (blueprints/page_memo.py): the
same page again is not rendered again, and every input that can change what the page shows
renders it anew at once, also when the change was written by another worker or device (straight
into the database here). What is kept counts in the journal cache's bytes and goes at logout."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from flask import template_rendered
from sqlalchemy import update

from blueprints import page_memo
from domain.accounts import account
from domain.core.db import db, utcnow
from domain.core.models import Entry
from domain.journal import cache as journal_cache
from tests.conftest import Auth, csrf_from, search
from tests.test_entry_cards import _save
from tests.test_journal_http import second_client
from tests.test_sharing_http import connect, login_client, make_person, share_over_http, write_entry

PAGES = {"/": "home/index.html", "/entries": "journal/list.html"}


@contextmanager
def rendered(app):
    """The names of the page templates rendered while inside."""
    names: list[str] = []

    def seen(_sender, template, context, **_extra):
        if template.name in PAGES.values():
            names.append(template.name)
    template_rendered.connect(seen, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(seen, app)


def body(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


def assert_kept(app, client, url: str) -> str:
    """The page once more: the same HTML, not rendered again. (The first view may show a message
    the last POST left, and a page with a message is rendered as it is.)"""
    body(client, url)
    first = body(client, url)
    with rendered(app) as names:
        again = body(client, url)
    assert names == [] and again == first
    return again


def assert_renders(app, client, url: str) -> str:
    with rendered(app) as names:
        page = body(client, url)
    assert names == [PAGES[url.split("?")[0]]]
    return page


@pytest.fixture
def entry_id(auth, user):
    return _save(auth, "bright_moment", "what_happened", "Eye contact at bathtime")


@pytest.mark.parametrize("url", list(PAGES))
def test_the_same_page_again_is_sent_as_rendered(app, client, entry_id, url):
    assert "Eye contact at bathtime" in assert_kept(app, client, url)
    # another URL (a page of the list, drafts) is a page of its own
    assert_renders(app, client, url + "?page=1")
    assert_kept(app, client, url + "?page=1")


@pytest.mark.parametrize("url", list(PAGES))
def test_a_journal_write_shows_at_once(app, auth, client, entry_id, url):
    assert_kept(app, client, url)
    _save(auth, "hard_session", "what_happened", "The father left the room")
    assert "The father left the room" in assert_renders(app, client, url)


@pytest.mark.parametrize("url", list(PAGES))
def test_a_deletion_date_changed_elsewhere_shows_at_once(app, client, entry_id, url):
    """No journal write: only the entry's date moved (another worker, the retention job)."""
    assert_kept(app, client, url)
    with app.app_context():
        db.session.execute(update(Entry).where(Entry.id == entry_id).values(expires_on=date(2031, 5, 17)))
        db.session.commit()
    assert "17 May 2031" in assert_renders(app, client, url)


@pytest.mark.parametrize("url", list(PAGES))
def test_something_shared_with_me_shows_in_the_badge_at_once(app, url):
    with app.app_context():
        tess, sam = make_person(app, "tess", "Tess Therapist"), make_person(app, "sam", "Sam Reader")
        connect(tess, sam)
        entry = write_entry(tess, "the father left the room")
        db.session.commit()
        entry_id, sam_id = entry.id, sam.user.id
    reader = login_client(app, "sam")
    page = body(reader, url)
    assert '<span class="count">' not in page
    assert_kept(app, reader, url)
    assert share_over_http(login_client(app, "tess"), entry_id, [sam_id]).status_code == 302
    page = assert_renders(app, reader, url)
    assert '<span class="count">1</span>' in page
    if url == "/":
        assert "1 shared entry waits for your reflection" in page


def test_a_profile_written_elsewhere_shows_at_once(app):
    """A data import on another device rewrites the sealed profile; no journal write."""
    with app.app_context():
        tess = make_person(app, "tess", "Tess Therapist")
        db.session.commit()
    client = login_client(app, "tess")
    assert "Hello, Tess Therapist" in assert_kept(app, client, "/")
    with app.app_context():
        row = tess.user
        account.write_profile(row, tess.key, account.read_profile(row, tess.key) | {"display_name": "Tess Weber"})
        db.session.commit()
    assert "Hello, Tess Weber" in assert_renders(app, client, "/")


def test_a_language_setting_renders_anew(app, auth, client, entry_id):
    assert_kept(app, client, "/")
    assert auth.post("/settings/language", {"lang": "nb", "tz": "Europe/Oslo"}).status_code == 303
    assert "Hei, Tess Therapist" in assert_renders(app, client, "/")
    assert_kept(app, client, "/")


@pytest.mark.parametrize("url", list(PAGES))
def test_the_language_switch_renders_anew(app, client, entry_id, url):
    """The switch changes the session's language only (no profile write)."""
    assert_kept(app, client, url)
    token = csrf_from(body(client, "/about"))
    assert client.post("/language", data={"csrf_token": token, "lang": "nb", "next": url}).status_code == 303
    assert '<html lang="nb">' in assert_renders(app, client, url)


def test_a_message_waiting_is_shown_once_and_the_page_kept_before_it_serves_again(app, auth, client, entry_id):
    before = assert_kept(app, client, "/entries")
    with client.session_transaction() as s:
        s["_flashes"] = [("info", "A message from the last POST")]
    with rendered(app) as names:
        page = body(client, "/entries")
    assert names == ["journal/list.html"] and "A message from the last POST" in page
    assert assert_kept(app, client, "/entries") == before


def test_a_new_day_or_max_age_renders_anew(app, client, entry_id, monkeypatch):
    assert_kept(app, client, "/")
    tomorrow = utcnow() + timedelta(days=1)
    monkeypatch.setattr(page_memo, "utcnow", lambda: tomorrow)
    assert_renders(app, client, "/")
    assert_kept(app, client, "/")
    later = page_memo.time.monotonic() + page_memo.MAX_AGE + 1
    monkeypatch.setattr(page_memo.time, "monotonic", lambda: later)
    assert_renders(app, client, "/")


def test_kept_per_session_counted_in_bytes_and_gone_at_logout(app, auth, client, entry_id):
    journal_cache.clear()
    body(client, "/")                                     # the index opened; the save's message shown
    body(client, "/")                                     # rendered and kept
    [(session_id, slot)] = journal_cache._slots.items()
    pages = sum(p.nbytes() for p in slot.state.pages.values())
    assert slot.size == slot.state.nbytes() > pages            # the kept page is in the count
    other = second_client(app)                            # another user: a session of their own
    with rendered(app) as names:
        body(other, "/")
    assert names == ["home/index.html"]
    auth.logout()
    assert session_id not in journal_cache._slots
    auth.login()
    assert_renders(app, client, "/")


def test_a_page_with_errors_is_never_kept(app, client, entry_id):
    r = search(client, "from=2026-02-30")
    assert r.status_code == 400
    with rendered(app) as names:
        assert client.get(r.request.url).status_code == 400
    assert names == ["journal/list.html"]


def test_a_process_renamed_elsewhere_shows_at_once(app):
    """Its code is in home's "Deleted soon" notice and in the list's process filter; renaming it
    (another device) writes no entry."""
    from domain.core.models import Process
    from domain.journal import processes
    from domain.retention import expiry
    ended = {"ended": "as_planned", "ended_on": expiry.add_months(date.today() + timedelta(days=3), -12).isoformat()}
    with app.app_context():
        tess = make_person(app, "tess", "Tess Therapist")
        proc_id = processes.create(tess.user, tess.key, {"code": "MM-25-01"} | ended).id
        db.session.commit()
    client = login_client(app, "tess")
    assert "MM-25-01" in assert_kept(app, client, "/").split('class="card expiring"')[1]
    assert '>MM-25-01</option>' in assert_kept(app, client, "/entries")
    with app.app_context():
        row = db.session.get(Process, proc_id)
        processes.update(row, tess.key, {"code": "MM-25-09"} | ended)
        db.session.commit()
    assert "MM-25-09" in assert_renders(app, client, "/").split('class="card expiring"')[1]
    assert '>MM-25-09</option>' in assert_renders(app, client, "/entries")


def test_another_session_of_the_same_user_renders_its_own(app, auth, client, entry_id):
    assert_kept(app, client, "/")
    phone = app.test_client()
    assert Auth(phone).login().status_code == 302
    body(phone, "/")                                      # the login's message
    assert_renders(app, phone, "/")
    assert_kept(app, phone, "/")


def test_kept_pages_stay_counted_as_they_come_and_go(app, client, entry_id):
    """More addresses than a state keeps: the oldest go, and the count follows, through a write."""
    journal_cache.clear()
    for page in range(1, 8):
        body(client, f"/entries?page={page}")
        body(client, f"/entries?page={page}")
        [slot] = journal_cache._slots.values()
        assert len(slot.state.__dict__["_rendered"]) <= 4
        assert slot.size == slot.state.nbytes()
    _save(Auth(client), "hard_session", "what_happened", "A second entry")   # the cached state takes the page
    body(client, "/entries")
    [slot] = journal_cache._slots.values()
    assert slot.size == slot.state.nbytes()
