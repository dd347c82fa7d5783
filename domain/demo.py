"""Fill a database with the fictional demo (domain/demo_content.py): a therapist with processes
and about sixty entries, a supervisor and five seminar colleagues."""
from __future__ import annotations

from datetime import datetime, timedelta

from domain import accounts, journal, processes
from domain.accounts import KdfPolicy
from domain.db import db, utcnow
from domain.demo_content import DEMO_PASSWORD, DEMO_USERS, ENTRIES, PROCESSES
from domain.entry_kinds import KINDS
from domain.models import User

_NOT_STORED = {"days_ago", "process", "follow_up_days"}


def _entry_data(spec: dict, process_ids: dict[str, str], day: datetime) -> dict:
    data = {k: v for k, v in spec.items() if k not in _NOT_STORED}
    data["visit_date"] = day.date().isoformat()
    data["process_id"] = process_ids.get(spec.get("process") or "")
    if spec["kind"] == "ethical_dilemma":
        days = spec.get("follow_up_days")
        data["follow_up"] = (day + timedelta(days=days)).date().isoformat() if days is not None else None
    for f in KINDS[spec["kind"]].fields:
        data.setdefault(f.name, None)
    return journal.clean(data, set(process_ids.values()), draft=False)


def seed(policy: KdfPolicy, secret: bytes, now: datetime | None = None) -> dict[str, tuple[User, bytes]]:
    """Create the demo accounts (skipping any that exist) and the therapist's journal.
    Returns {username: (user, user key)} for accounts created in this run."""
    now = now or utcnow()
    created: dict[str, tuple[User, bytes]] = {}
    for spec in DEMO_USERS:
        if accounts.login_taken(secret, spec["username"]):
            continue
        user, key, _code = accounts.create_account(policy, secret, spec["username"], spec["display_name"],
                                                   DEMO_PASSWORD)
        user.recovery_confirmed_at = now  # demo accounts are not asked to save a code
        created[spec["username"]] = (user, key)
    db.session.flush()
    if "demo" in created:
        user, key = created["demo"]
        ids = {}
        for p in PROCESSES:
            row = processes.create(user, key, {k: v for k, v in p.items() if k != "key"})
            ids[p["key"]] = row.id
        for spec in ENTRIES:
            day = now - timedelta(days=spec["days_ago"], hours=2)
            row = journal.create(user, key, _entry_data(spec, ids, day))
            row.created_at = row.updated_at = day
    return created
