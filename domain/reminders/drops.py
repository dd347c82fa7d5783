"""Reminders one user gives another: a supervisor's reflection with a follow-up date on a
therapist's entry. The writer has no key to the owner's feed, so the reminder is HPKE-sealed to the
feed's public key and left in a drop box; the feed URL's key opens the private key at fetch time,
and the owner's next write folds the drops into the sealed list and deletes them."""
from __future__ import annotations

import json

from sqlalchemy import delete, select

from domain.core import keyring
from domain.core.db import db
from domain.core.models import CalendarDrop, CalendarFeed, Entry
from domain.reminders.sources import Reminder


def _info(feed: CalendarFeed) -> bytes:
    return keyring.aad("calendar_drops", feed.id, "owner", feed.owner_id)


def private_aad(feed: CalendarFeed) -> bytes:
    return keyring.aad("calendar_feeds", feed.id, "owner", feed.owner_id, "private")


def give(entry_id: str, giver_id: str, source: str, reminder: Reminder | None, find_feed) -> None:
    """Leave `reminder` (None: take it back) in the feed of the entry's owner, if they have one."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.owner_id == giver_id:
        return
    feed = find_feed(entry.owner_id)
    if feed is None:
        return
    value = [reminder.kind, reminder.on.isoformat()] if reminder else None
    blob = keyring.hpke_seal(feed.public_key, json.dumps({"source": source, "value": value}).encode(), _info(feed))
    db.session.add(CalendarDrop(feed_id=feed.id, sealed=blob))


def fold(feed: CalendarFeed, feed_key: bytes, events: dict) -> dict:
    """`events` with every drop applied, oldest first (a drop that does not open is skipped)."""
    private = keyring.open_blob(feed_key, feed.private_sealed, private_aad(feed))
    rows = db.session.scalars(select(CalendarDrop).where(CalendarDrop.feed_id == feed.id)
                              .order_by(CalendarDrop.created_at, CalendarDrop.id))
    for row in rows:
        try:
            drop = json.loads(keyring.hpke_open(private, row.sealed, _info(feed)))
        except (keyring.CryptoError, ValueError):
            continue
        if drop.get("value"):
            events[drop["source"]] = drop["value"]
        else:
            events.pop(drop.get("source"), None)
    return events


def clear(feed: CalendarFeed) -> None:
    db.session.execute(delete(CalendarDrop).where(CalendarDrop.feed_id == feed.id))
