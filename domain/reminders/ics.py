"""iCalendar files through the `icalendar` library. Each event is an all-day event with a generic
title and a link to open Fokus, and a morning alarm; the caller passes the titles already in the
reader's language. The UID is a keyed hash of the source, so it names no entry id."""
from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from domain.reminders.sources import Reminder

PRODID = "-//Fokus//Reminders//EN"


def _uid(secret: bytes, source: str) -> str:
    return hmac.new(secret, source.encode(), hashlib.sha256).hexdigest()[:32] + "@fokus"


def _event(reminder: Reminder, title: str, note: str, link: str, uid: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", reminder.on)
    event.add("dtend", reminder.on + timedelta(days=1))
    event.add("summary", title)
    event.add("description", f"{note}\n{link}")
    event.add("url", link)
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", title)
    alarm.add("trigger", timedelta(hours=9))   # 09:00 on the day: an all-day event starts at midnight
    event.add_component(alarm)
    return event


def calendar(reminders: list[Reminder], titles: dict[str, str], note: str, link: str, uid_secret: bytes,
             name: str) -> bytes:
    """The .ics bytes for `reminders`; `titles` maps each generic kind to its title."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = datetime.now(UTC).replace(microsecond=0)
    for r in reminders:
        cal.add_component(_event(r, titles[r.kind], note, link, _uid(uid_secret, r.source), stamp))
    return cal.to_ical()
