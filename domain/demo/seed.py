"""Fill a database with the fictional demo (domain/demo/content.py): a therapist with processes
and about sixty entries, a supervisor and five seminar colleagues."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from domain.accounts import account as accounts
from domain.accounts.account import KdfPolicy
from domain.catalogue.entry_kinds import KINDS
from domain.core.db import db, utcnow
from domain.core.models import User
from domain.demo.content import DEMO_PASSWORD, DEMO_USERS, ENTRIES, PROCESSES
from domain.journal import entries as journal
from domain.journal import processes

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
        _journal(*created["demo"], ENTRIES, now)
        rng = random.Random(2026)
        for i in range(1, 6):
            name = f"colleague{i}"
            if name in created:
                # Each colleague gets an own, shuffled share of the fictional entries, so the
                # seminar group has several real contributors behind its numbers.
                picks = rng.sample(ENTRIES, k=rng.randint(28, 40))
                _journal(*created[name], [dict(e, days_ago=max(0, e["days_ago"] + rng.randint(-12, 12)))
                                          for e in picks], now, with_processes=False)
        if "supervisor" in created:
            _supervision(created, secret)
            _seminar(created, secret)
    return created


def _journal(user: User, key: bytes, specs: list[dict], now: datetime, with_processes: bool = True) -> None:
    ids = {}
    if with_processes:
        for p in PROCESSES:
            ids[p["key"]] = processes.create(user, key, {k: v for k, v in p.items() if k != "key"}).id
    for spec in specs:
        day = now - timedelta(days=spec["days_ago"], hours=2)
        spec = dict(spec, process=spec.get("process") if with_processes else None)
        row = journal.create(user, key, _entry_data(spec, ids, day))
        row.created_at = row.updated_at = day


def _supervision(created: dict, secret: bytes) -> None:
    """The demo therapist has the demo supervisor as a contact and shares one entry with them."""
    from domain.sharing import contacts
    from domain.sharing import shares as sharing
    (therapist, tkey), (supervisor, skey) = created["demo"], created["supervisor"]
    _inv, token = contacts.invite(therapist, tkey, "supervisor")
    db.session.flush()
    contacts.accept(token, supervisor, skey)
    db.session.flush()
    flagged = journal.flagged(journal.all_items(therapist.id, tkey))
    if flagged:
        (row,) = sharing.share(therapist, tkey, [flagged[0].row.id], [supervisor.id],
                               "I keep going back and forth on this one. What do you see?", None)
        db.session.flush()
        decision = sharing.decide_share(supervisor.id, row.id)
        key = sharing.entry_key_for(decision, supervisor, skey)
        sharing.save_reflection(row, supervisor, key, {
            "context": "Your mandate lets you raise a concern openly; the method does not forbid it.",
            "alliance": "She has trusted you with hard things before. Naming it plainly may hold.",
            "positive": "Start the next review with the clip where the baby reaches for her.",
            "feelings": "The urgency you feel is real, and some of it may be hers.",
            "next_step": "Call the duty team this week for an anonymous consultation."}, submit=True)


def _seminar(created: dict, secret: bytes) -> None:
    """A seminar group led by the demo supervisor; the therapist and five colleagues contribute."""
    from domain.groups import membership as groups
    from domain.trends import store as trend_store
    supervisor, skey = created["supervisor"]
    group = groups.create(supervisor, skey, "Marte Meo seminar, autumn", 5, secret)
    lead = groups.membership(supervisor, skey, group.id)
    _inv, token = groups.invite(lead, multi_use=True, days=30)
    db.session.flush()
    for name in ["demo", *(f"colleague{i}" for i in range(1, 6))]:
        if name not in created:
            continue
        user, key = created[name]
        groups.join(token, user, key, secret)
        db.session.flush()
        ms = groups.membership(user, key, group.id)
        entries = [(i.row.id, i.data, i.row.created_at.date()) for i in journal.all_items(user.id, key)]
        procs = [(p.row.id, p.data, p.row.created_at.strftime("%Y-%m")) for p in processes.all_items(user.id, key)]
        trend_store.consent(ms, key, entries, procs)
