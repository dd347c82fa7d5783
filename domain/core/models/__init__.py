"""Tables. Clear columns are limited to ids, owners, timestamps, key versions and key material that
is itself wrapped; everything a user wrote or chose lives in a sealed blob (see keyring.py).

One module per feature; every model is re-exported here, so `from domain.core.models import X`
works for all of them and importing this package registers every table on `db.metadata` (which
Alembic compares with the migrations)."""
from __future__ import annotations

from domain.core.models.accounts import LoginStep, Passkey, PasskeyChallenge, User, UserSession
from domain.core.models.audit import AuditEvent, AuditSubject
from domain.core.models.groups import (
    Group,
    GroupInvite,
    GroupMember,
    TrendCell,
    TrendCellMask,
    TrendFact,
    TrendPresence,
    TrendPresenceMask,
    TrendRollup,
)
from domain.core.models.journal import Entry, JournalIndexPage, Process, SealedMixin
from domain.core.models.ops import AuthFailure, ServerSetting, TrustedDevice
from domain.core.models.reminders import CalendarDrop, CalendarFeed, ReminderPlan
from domain.core.models.retention import RetentionChoice as RetentionChoice
from domain.core.models.retention import RetentionMark as RetentionMark
from domain.core.models.sharing import AccessEvent, ContactLink, Invitation, Share, ThreadItem

__all__ = [
    "AccessEvent",
    "AuditEvent",
    "AuditSubject",
    "AuthFailure",
    "CalendarDrop",
    "CalendarFeed",
    "ContactLink",
    "Entry",
    "Group",
    "GroupInvite",
    "GroupMember",
    "Invitation",
    "JournalIndexPage",
    "LoginStep",
    "Passkey",
    "PasskeyChallenge",
    "Process",
    "ReminderPlan",
    "SealedMixin",
    "ServerSetting",
    "Share",
    "ThreadItem",
    "TrendCell",
    "TrendCellMask",
    "TrendFact",
    "TrendPresence",
    "TrendPresenceMask",
    "TrendRollup",
    "TrustedDevice",
    "User",
    "UserSession",
]
