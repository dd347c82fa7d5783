"""Where reminder dates come from: follow-up dates of journal entries (dilemmas), follow-up dates in
reflections (the ones the user wrote, and the ones written on the user's own entries), and the
dates on the calendar page. Each becomes (source id, generic kind, date): never text."""
from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import or_, select

from domain.core import keyring
from domain.core.db import db
from domain.core.models import Entry, ThreadItem, User
from domain.journal import entries as journal
from domain.reminders import plan
from domain.sharing import access
from domain.sharing.items import open_item


class Reminder(NamedTuple):
    source: str      # "entry:<id>", "reflection:<id>", "supervision:<date>", "visit:<date>"
    kind: str        # follow_up | supervision | visit
    on: date


def _day(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def of_entry(entry_id: str, data: dict | None) -> Reminder | None:
    """The follow-up reminder an entry's content asks for (None for a draft or no date)."""
    if not data or data.get("status") == "draft":
        return None
    on = _day(data.get("follow_up"))
    return Reminder(f"entry:{entry_id}", "follow_up", on) if on else None


def of_reflection(item_id: str, content: dict) -> Reminder | None:
    on = _day(content.get("follow_up"))
    return Reminder(f"reflection:{item_id}", "follow_up", on) if on else None


def _entries(user: User, user_key: bytes) -> list[Reminder]:
    found = (of_entry(i.id, i.data) for i in journal.all_items(user.id, user_key))
    return [r for r in found if r]


def reflection_key(item: ThreadItem, user: User, user_key: bytes) -> bytes | None:
    """The entry key this user holds for a reflection's thread, or None (no longer shared)."""
    decision = access.decide_share(user.id, item.share_id)
    if decision.role not in ("owner", "reader"):
        return None
    return access.entry_key_for(decision, user, user_key)


def _reflections(user: User, user_key: bytes) -> list[Reminder]:
    mine = select(Entry.id).where(Entry.owner_id == user.id)
    items = db.session.scalars(select(ThreadItem).where(
        ThreadItem.kind == "reflection", ThreadItem.draft.is_(False),
        or_(ThreadItem.author_id == user.id, ThreadItem.entry_id.in_(mine))))
    found = []
    for item in items:
        try:
            key = reflection_key(item, user, user_key)
            found.append(of_reflection(item.id, open_item(item, key)) if key else None)
        except (keyring.CryptoError, ValueError):
            continue   # a thread that no longer opens reminds of nothing
    return [r for r in found if r]


def reflection_of_share(share_id: str, user: User, user_key: bytes) -> Reminder | None:
    """The follow-up of the submitted reflection in one share's thread (the caller has checked
    that the user may see that thread)."""
    item = db.session.scalar(select(ThreadItem).where(
        ThreadItem.share_id == share_id, ThreadItem.kind == "reflection", ThreadItem.draft.is_(False)))
    key = reflection_key(item, user, user_key) if item is not None else None
    return of_reflection(item.id, open_item(item, key)) if key else None


def of_plan(data: dict[str, list[str]]) -> list[Reminder]:
    return [Reminder(f"{kind}:{on}", kind, _day(on)) for kind, days in data.items() for on in days if _day(on)]


def everything(user: User, user_key: bytes) -> list[Reminder]:
    """Every reminder of this user, by date."""
    found = _entries(user, user_key) + _reflections(user, user_key) + of_plan(plan.read(user.id, user_key))
    return sorted(found, key=lambda r: (r.on, r.kind, r.source))


