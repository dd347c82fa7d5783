"""The dates a user set on the calendar page: next supervision meetings and visits to write about.
Sealed under a subkey of the user key; one small row per user."""
from __future__ import annotations

import json
from datetime import date

from domain.core import keyring
from domain.core.db import db, utcnow
from domain.core.models import ReminderPlan
from domain.core.refusal import N_, Refusal

PURPOSE = "reminder-plan"
KINDS = ("supervision", "visit")
MAX_DATES = 50   # per kind: a calendar page, not an archive


def _aad(owner_id: str) -> bytes:
    return keyring.aad("reminder_plans", owner_id)


def read(owner_id: str, user_key: bytes) -> dict[str, list[str]]:
    """{"supervision": [iso dates], "visit": [iso dates]}, sorted; empty lists when none."""
    row = db.session.get(ReminderPlan, owner_id)
    data = json.loads(keyring.open_for(user_key, PURPOSE, row.sealed, _aad(owner_id))) if row else {}
    return {k: sorted(data.get(k) or []) for k in KINDS}


def _write(owner_id: str, user_key: bytes, data: dict) -> None:
    blob = keyring.seal_for(user_key, PURPOSE, json.dumps(data).encode(), _aad(owner_id))
    row = db.session.get(ReminderPlan, owner_id)
    if row is None:
        db.session.add(ReminderPlan(owner_id=owner_id, sealed=blob, updated_at=utcnow()))
    else:
        row.sealed, row.updated_at = blob, utcnow()


def add(owner_id: str, user_key: bytes, kind: str, on: date) -> None:
    """Add a date (a repeated add changes nothing, so a double tap is harmless)."""
    if kind not in KINDS:
        raise Refusal(N_("Choose what the reminder is for."))
    data = read(owner_id, user_key)
    if on.isoformat() not in data[kind]:
        if len(data[kind]) >= MAX_DATES:
            raise Refusal(N_("At most %(max)d dates of one kind."), max=MAX_DATES)
        data[kind].append(on.isoformat())
    _write(owner_id, user_key, data)


def remove(owner_id: str, user_key: bytes, kind: str, on: str) -> None:
    data = read(owner_id, user_key)
    data[kind] = [d for d in data.get(kind, []) if d != on]
    _write(owner_id, user_key, data)
