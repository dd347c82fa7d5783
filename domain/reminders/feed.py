"""The private calendar feed. A calendar app fetches it without a session, so the server holds no
user key then: the feed key is HKDF(token), where the token is the secret in the feed's URL, shown
once and stored only as its SHA-256. The event list (source, generic kind, date) is sealed under
the feed key; the same key is wrapped under the user key, so the owner's own writes keep the list
current while they are logged in. Revoking deletes the row: the URL then finds nothing."""
from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from domain.core import keyring, versions
from domain.core.db import db, for_update, new_id, utcnow
from domain.core.models import CalendarFeed, User
from domain.reminders import drops, sources
from domain.reminders.sources import Reminder

PURPOSE = "calendar-feed"


def token_hash(token: str) -> bytes:
    return hashlib.sha256(f"calendar-feed|{token}".encode()).digest()


def _token_key(token: str) -> bytes:
    return keyring.hkdf(token.encode(), "calendar-feed|key")


def _key_aad(feed: CalendarFeed) -> bytes:
    return keyring.aad("calendar_feeds", feed.id, "owner", feed.owner_id, "key")


def _events_aad(feed: CalendarFeed) -> bytes:
    return keyring.aad("calendar_feeds", feed.id, "owner", feed.owner_id, "events")


def of_owner(owner_id: str) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.owner_id == owner_id))


_KNOWN = "calendar_feed_owners"
_EXISTS = select(CalendarFeed.id).where(CalendarFeed.owner_id == bindparam("owner")).limit(1)


def exists_for(owner_id: str) -> bool:
    """Whether the owner has a feed. Asked on every flush of the owner's writes (several per
    request), so answered once per transaction; create and revoke, the feed's only writers, forget
    the answer (docs/ARCHITECTURE.md, "Journal index and speed")."""
    known = db.session.info.setdefault(_KNOWN, {})
    if owner_id not in known:
        known[owner_id] = db.session.scalar(_EXISTS, {"owner": owner_id}) is not None
    return known[owner_id]


def _forget() -> None:
    db.session.info.pop(_KNOWN, None)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_KNOWN, None)


def _locked(owner_id: str) -> CalendarFeed | None:
    """The feed read for a re-seal: locked (PostgreSQL), so two workers writing for one user
    re-seal one after the other instead of one losing the other's change."""
    stmt = for_update(select(CalendarFeed).where(CalendarFeed.owner_id == owner_id))
    return db.session.scalar(stmt.execution_options(populate_existing=True))


def create(user: User, user_key: bytes, feed_id: str, lang: str) -> tuple[CalendarFeed, str | None]:
    """(feed, token): a new feed replacing any old one (whose URL then stops working). The token is
    returned only here, once; a repeated submit of the same form (`feed_id`) gets (feed, None)."""
    _forget()
    old = _locked(user.id)
    if old is not None and old.id == feed_id:
        return old, None
    if old is not None:
        db.session.delete(old)
        db.session.flush()
    token = secrets.token_urlsafe(32)
    key = _token_key(token)
    private, public = keyring.new_identity()
    feed = CalendarFeed(id=feed_id or new_id(), owner_id=user.id, token_hash=token_hash(token), key_by_user=b"",
                        events=b"", public_key=public, private_sealed=b"")
    feed.key_by_user = keyring.wrap_for(user_key, PURPOSE, key, _key_aad(feed))
    feed.private_sealed = keyring.seal(key, private, drops.private_aad(feed))
    _seal_events(feed, key, sources.everything(user, user_key), user_key, lang)
    made = versions.insert_once(lambda: _added(feed))
    _forget()   # asked (and answered "no") while the insert flushed
    if made is None:   # a twin request made this user's feed first
        return of_owner(user.id), None
    return feed, token


def _added(feed: CalendarFeed) -> CalendarFeed:
    db.session.add(feed)
    return feed


def revoke(owner_id: str) -> bool:
    feed = of_owner(owner_id)
    if feed is None:
        return False
    _forget()
    db.session.delete(feed)
    return True


def uid_secret(user_key: bytes) -> bytes:
    """Keys the events' UIDs, so the feed and a one-off download name the same event alike."""
    return keyring.purpose_key(user_key, "calendar-uid")


def _seal_events(feed: CalendarFeed, key: bytes, reminders: list[Reminder], user_key: bytes, lang: str) -> None:
    # The language travels in the sealed list: the calendar app's request says nothing about it.
    data = {"uid": uid_secret(user_key).hex(), "lang": lang, "events": {r.source: [r.kind, r.on.isoformat()] for r in reminders}}
    feed.events = keyring.seal(key, json.dumps(data).encode(), _events_aad(feed))
    feed.updated_at = utcnow()


def _open(feed: CalendarFeed, key: bytes) -> dict:
    return json.loads(keyring.open_blob(key, feed.events, _events_aad(feed)))


def _as_reminders(data: dict[str, list[str]]) -> list[Reminder]:
    found = [Reminder(source, kind, date.fromisoformat(on)) for source, (kind, on) in data.items()]
    return sorted(found, key=lambda r: (r.on, r.kind, r.source))


def events_for_token(token: str) -> tuple[bytes, str, list[Reminder]] | None:
    """(UID secret, language, reminders) for the secret in a feed URL, or None (unknown or revoked)."""
    if not token or len(token) > 100:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == token_hash(token)))
    if feed is None:
        return None
    try:
        key = _token_key(token)
        data = _open(feed, key)
        return bytes.fromhex(data["uid"]), data["lang"], _as_reminders(drops.fold(feed, key, data["events"]))
    except (keyring.CryptoError, ValueError, KeyError):
        return None


def _owner_key(feed: CalendarFeed, user_key: bytes) -> bytes:
    return keyring.unwrap_for(user_key, PURPOSE, feed.key_by_user, _key_aad(feed))


def refresh(user: User, user_key: bytes, lang: str) -> None:
    """Rebuild the whole event list (after a change on the calendar page, or when asked)."""
    feed = _locked(user.id)
    if feed is not None:
        # The full rebuild reads every reflection on the user's entries: the drop box is covered.
        _seal_events(feed, _owner_key(feed, user_key), sources.everything(user, user_key), user_key, lang)
        drops.clear(feed)


def source_changed(owner_id: str, user_key: bytes, source: str, reminder: Reminder | None) -> None:
    """One source's reminder changed (an entry saved or deleted, a reflection written): re-seal
    the list with just that one replaced, so a write costs the same however long the journal."""
    feed = _locked(owner_id)
    if feed is None:
        return
    key = _owner_key(feed, user_key)
    opened = _open(feed, key)
    data = drops.fold(feed, key, dict(opened["events"]))
    if data == opened["events"] and data.get(source) == ([reminder.kind, reminder.on.isoformat()] if reminder else None):
        return
    drops.clear(feed)
    data.pop(source, None)
    reminders = _as_reminders(data) + ([reminder] if reminder else [])
    _seal_events(feed, key, reminders, user_key, opened["lang"])
