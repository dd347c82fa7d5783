"""Calendar reminders (issue 16 item 4): the private feed parses as iCalendar, says nothing but
"Fokus: follow-up" and a date, follows the owner's writes, shows its address once and stops
working when revoked; one-off downloads; nothing typed, chosen or dated reaches the database in
clear."""
from __future__ import annotations

import re
from datetime import date

from icalendar import Calendar

from domain.core.db import db
from domain.core.models import ReminderPlan
from tests.conftest import PASSWORD, csrf_from, raw_database_bytes, said
from tests.test_journal_http import entry_id, post_entry, second_client, text
from tests.test_markers_journal import marker

FEED_ID = re.compile(r'name="feed_id" type="hidden" value="([0-9a-f]{32})"')
FEED_URL = re.compile(r'value="(http://localhost/calendar/feed/[A-Za-z0-9_-]{40,}\.ics)"')


def _page(client) -> str:
    r = client.get("/settings/calendar")
    assert r.status_code == 200
    return text(r)


def make_feed(client) -> str:
    html = _page(client)
    feed_id = FEED_ID.search(html)
    r = client.post("/settings/calendar/feed", data={"csrf_token": csrf_from(html), "feed_id": feed_id.group(1)})
    assert r.status_code == 200, text(r)[:2000]
    return FEED_URL.search(text(r)).group(1)


def dilemma(client, follow_up: str, words: list[str]) -> str:
    words.append(marker("dilemma"))
    return entry_id(post_entry(client, "ethical_dilemma", {"dilemma": words[-1], "follow_up": follow_up,
                                                           "dilemma_type": "report_cps", "themes": "coercive_context"}))


def events(app, url: str) -> dict[date, str]:
    """The feed as a calendar app sees it: fetched without any session."""
    r = app.test_client().get(url.replace("http://localhost", ""))
    assert r.status_code == 200, r.status_code
    assert r.mimetype == "text/calendar"
    cal = Calendar.from_ical(r.get_data())
    return {e.decoded("dtstart"): str(e.get("summary")) for e in cal.walk("VEVENT")}


def post(client, url: str, **data):
    return client.post(url, data={"csrf_token": csrf_from(_page(client)), **data})


def test_feed_follows_writes_shows_once_and_revokes(app, client, user):
    words: list[str] = []
    first = dilemma(client, "2031-05-17", words)
    url = make_feed(client)
    assert FEED_URL.search(_page(client)) is None                       # shown only once
    assert events(app, url) == {date(2031, 5, 17): said(app, "Fokus: follow-up")}
    second = dilemma(client, "2031-06-01", words)                       # a write after: the feed follows
    assert set(events(app, url)) == {date(2031, 5, 17), date(2031, 6, 1)}
    r = post(client, f"/entries/{first}/delete")
    assert r.status_code == 302
    assert set(events(app, url)) == {date(2031, 6, 1)}
    body = app.test_client().get(url.replace("http://localhost", "")).get_data(as_text=True)
    for word in [*words, second, first, "coercive", "report_cps", "dilemma"]:
        assert word not in body
    assert post(client, "/settings/calendar/feed/revoke").status_code == 302
    assert app.test_client().get(url.replace("http://localhost", "")).status_code == 404


def test_new_address_replaces_the_old_one(app, client, user):
    old = make_feed(client)
    new = make_feed(client)
    assert old != new
    assert app.test_client().get(old.replace("http://localhost", "")).status_code == 404
    assert events(app, new) == {}


def test_dates_set_on_the_page(app, client, user):
    url = make_feed(client)
    assert post(client, "/settings/calendar/dates", kind="visit", on="2031-03-02").status_code == 302
    assert post(client, "/settings/calendar/dates", kind="supervision", on="2031-03-09").status_code == 302
    assert events(app, url) == {date(2031, 3, 2): said(app, "Fokus: write about the visit"),
                                date(2031, 3, 9): said(app, "Fokus: supervision meeting")}
    r = post(client, "/settings/calendar/dates", kind="visit", on="next tuesday")
    assert r.status_code == 400 and "next tuesday" in text(r)              # nothing typed lost
    assert post(client, "/settings/calendar/dates/remove", kind="visit", on="2031-03-02").status_code == 302
    assert set(events(app, url)) == {date(2031, 3, 9)}


def test_one_off_downloads(app, client, user):
    words: list[str] = []
    eid = dilemma(client, "2031-05-17", words)
    r = client.get(f"/calendar/entries/{eid}/follow-up.ics")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    [event] = Calendar.from_ical(r.get_data()).walk("VEVENT")
    assert event.decoded("dtstart") == date(2031, 5, 17) and words[0] not in r.get_data(as_text=True)
    r = client.get("/calendar/reminder.ics?kind=visit&on=2031-01-02")
    assert [e.decoded("dtstart") for e in Calendar.from_ical(r.get_data()).walk("VEVENT")] == [date(2031, 1, 2)]
    assert client.get("/calendar/reminder.ics?kind=visit&on=soon").status_code == 400
    assert client.get("/calendar/reminder.ics?kind=diary&on=2031-01-02").status_code == 400
    other = second_client(app)
    assert other.get(f"/calendar/entries/{eid}/follow-up.ics").status_code == 404
    no_date = entry_id(post_entry(client, "ethical_dilemma", {"dilemma": "plain"}))
    assert client.get(f"/calendar/entries/{no_date}/follow-up.ics").status_code == 404


def test_nothing_reaches_the_database_in_clear(app, client, user):
    words: list[str] = []
    dilemma(client, "2031-05-17", words)
    url = make_feed(client)
    post(client, "/settings/calendar/dates", kind="supervision", on="2031-08-19")
    raw = raw_database_bytes(app)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    for value in [*words, token, "2031-05-17", "2031-08-19", "supervision", "follow_up"]:
        assert value.encode() not in raw, value


def test_a_visit_date_link_fills_the_form_without_saving(app, client, user):
    html = _page_at(client, "/settings/calendar?kind=visit&on=2031-04-05")
    assert 'value="2031-04-05"' in html
    with app.app_context():
        assert db.session.query(ReminderPlan).count() == 0            # GET never writes
    assert 'value="2031-04-05"' not in _page_at(client, "/settings/calendar?kind=diary&on=2031-04-05")


def _page_at(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200
    return text(r)


def test_deleting_the_account_ends_the_feed(app, client, user):
    url = make_feed(client)
    r = client.post("/settings/data/delete", data={"csrf_token": csrf_from(text(client.get("/settings/data/delete"))),
                                          "password": PASSWORD, "confirm": "delete my journal", "understood": "y"})
    assert r.status_code == 302, text(r)[:2000]
    assert app.test_client().get(url.replace("http://localhost", "")).status_code == 404


def test_a_double_tap_makes_one_address_and_shows_it_once(app, client, user):
    html = _page(client)
    data = {"csrf_token": csrf_from(html), "feed_id": FEED_ID.search(html).group(1)}
    first = client.post("/settings/calendar/feed", data=data)
    assert first.status_code == 200 and FEED_URL.search(text(first))
    again = client.post("/settings/calendar/feed", data=data)
    assert again.status_code == 302                                  # the same form: no second token
    assert events(app, FEED_URL.search(text(first)).group(1)) == {}
    assert client.post("/settings/calendar/feed", data={**data, "feed_id": "nothex"}).status_code == 400
