"""Follow-up dates written in a supervisor's reflection reach the calendar of the person who wrote
it (kept current on the write) and of the entry's owner, and come as a one-off file from the
thread; nothing of the reflection's text is in the feed."""
from __future__ import annotations

import re
from datetime import date

from icalendar import Calendar

from domain.core.db import db
from domain.core.models import CalendarDrop, Entry
from tests.test_calendar_feed import dilemma, events, make_feed
from tests.test_sharing_crypto import login_client
from tests.test_sharing_http import count, post, setup, share_with


def test_reflection_follow_up_in_both_calendars_and_as_a_file(app):
    people, eid = setup(app, readers=("sam", "kim"))
    with app.app_context():
        sid = share_with(people["tess"], db.session.get(Entry, eid), people["sam"]).id
        db.session.commit()
    tess = login_client(app, "tess")
    tess_feed = make_feed(tess)
    sam = login_client(app, "sam")
    sam_feed = make_feed(sam)
    r = post(sam, f"/shares/{sid}/reflection", {"next_step": "zqcaseworkerzq", "follow_up": "2031-02-03",
                                                "action": "submit"})
    assert r.status_code == 302
    assert set(events(app, sam_feed)) == {date(2031, 2, 3)}        # the writer's feed followed the write
    assert set(events(app, tess_feed)) == {date(2031, 2, 3)}       # the owner's, through the drop box
    assert count(app, CalendarDrop) == 1
    dilemma(tess, "2031-07-01", [])                                 # the owner's next write folds it in
    assert count(app, CalendarDrop) == 0
    assert set(events(app, tess_feed)) == {date(2031, 2, 3), date(2031, 7, 1)}
    assert set(events(app, make_feed(tess))) == {date(2031, 2, 3), date(2031, 7, 1)}   # a full rebuild too
    body = app.test_client().get(re.sub(r"^http://localhost", "", tess_feed)).get_data(as_text=True)
    assert "zqcaseworkerzq" not in body and "father" not in body
    r = tess.get(f"/calendar/shares/{sid}/follow-up.ics")
    assert r.status_code == 200
    assert [e.decoded("dtstart") for e in Calendar.from_ical(r.get_data()).walk("VEVENT")] == [date(2031, 2, 3)]
    assert sam.get(f"/calendar/shares/{sid}/follow-up.ics").status_code == 200
    assert login_client(app, "kim").get(f"/calendar/shares/{sid}/follow-up.ics").status_code == 404
