"""Rotating the server secret: re-seal what the database keeps under it, and say when the
previous secret can go.

Under the secret (directly or through derived keys): the login-index key escrow, the escrowed
group pseudonyms, the sealed user key in each session cookie, the signed cookie itself, resumable
form drafts (3 hours) and the half-finished second-factor step (5 minutes). The first two live in
the database and are re-sealed here. Cookies live in browsers: each is carried over at its next
request (see sessions.unseal_any), and any that is not ends by the absolute session timeout, so
after that long the previous secret opens nothing that is still in use.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from domain.core import server_keys
from domain.core.db import db, utcnow
from domain.core.keyring import CryptoError
from domain.core.models import GroupMember, ServerSetting, UserSession
from domain.groups import membership as groups

STATE_KEY = "secret_rotation"


@dataclass
class Report:
    pseudonyms_resealed: int
    pseudonyms_unreadable: int
    sessions_from_before: int
    started_at: datetime
    safe_after: datetime

    def can_drop(self, now: datetime) -> bool:
        return self.pseudonyms_unreadable == 0 and (self.sessions_from_before == 0 or now >= self.safe_after)


def rotate(current: bytes, absolute_timeout: timedelta) -> Report:
    """Re-seal under `current`. Safe to run again: later runs only report (and finish leftovers).
    The caller commits."""
    server_keys.escrow_index_key(current)
    resealed = unreadable = 0
    for member in db.session.scalars(select(GroupMember)):
        try:
            resealed += groups.reseal_pseudonym(member, current)
        except CryptoError:
            unreadable += 1  # a damaged row stays as it is; counted so the operator hears of it
    started = _started_at(current)
    before = db.session.scalar(select(func.count()).select_from(UserSession)
                               .where(UserSession.created_at < started)) or 0
    return Report(resealed, unreadable, before, started, started + absolute_timeout)


def _started_at(current: bytes) -> datetime:
    """When the rotation to this secret was first run (kept, so running the command again does
    not push the date out)."""
    fp = server_keys.fingerprint(current)
    row = db.session.get(ServerSetting, STATE_KEY)
    if row is not None:
        state = json.loads(row.value)
        if state.get("to") == fp:
            return datetime.fromisoformat(state["at"])
    now = utcnow()
    db.session.merge(ServerSetting(key=STATE_KEY, value=json.dumps({"to": fp, "at": now.isoformat()})))
    return now
