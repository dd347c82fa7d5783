"""Fill a database with the fictional demo (domain/demo/content.py reads it from
domain/demo/data/): a therapist with processes and about sixty entries, a supervisor who
answers one shared entry, and five seminar colleagues in the supervisor's seminar group."""
from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from domain.accounts import account as accounts
from domain.accounts.account import KdfPolicy
from domain.catalogue.entry_kinds import KINDS
from domain.core.db import db, new_id, utcnow
from domain.core.models import User
from domain.demo import content
from domain.journal import entries as journal
from domain.journal import processes
from domain.trends.suppression import DEFAULT_K

_NOT_STORED = {"days_ago", "process", "follow_up_days"}
_SEMINAR_K = DEFAULT_K   # the seminar group hides any count below this (k-anonymity)
Created = dict[str, tuple[User, bytes]]   # username: (user, user key)


def seed(policy: KdfPolicy, secret: bytes, now: datetime | None = None, language: str = "en") -> Created:
    """Create the demo accounts (skipping any that exist) and the therapist's journal.
    Returns {username: (user, user key)} for accounts created in this run."""
    demo, now = content.load(language), now or utcnow()
    created = _accounts(policy, secret, demo, now)
    if "demo" in created:
        _journal(*created["demo"], demo.entries, now, demo.processes)
        colleagues = [u["username"] for u in demo.users if u["username"] not in ("demo", "supervisor")]
        _colleagues(created, colleagues, demo.entries, now)
        if "supervisor" in created:
            _supervision(created, demo.supervision)
            _seminar(created, ["demo", *colleagues], demo.seminar["name"], secret)
    return created


def _accounts(policy: KdfPolicy, secret: bytes, demo: content.Demo, now: datetime) -> Created:
    created: Created = {}
    for spec in demo.users:
        if accounts.login_taken(secret, spec["username"]):
            continue
        user, key, _code = accounts.create_account(policy, secret, spec["username"], spec["display_name"],
                                                   demo.password)
        user.recovery_confirmed_at = now  # demo accounts are not asked to save a code
        created[spec["username"]] = (user, key)
    db.session.flush()
    return created


def _colleagues(created: Created, names: list[str], entries: list[dict], now: datetime) -> None:
    """Each colleague gets an own, shuffled share of the fictional entries (without processes), so
    the seminar group has several real contributors behind its numbers."""
    rng = random.Random(2026)
    for name in names:
        if name in created:
            picks = rng.sample(entries, k=rng.randint(28, 40))
            shifted = [dict(e, days_ago=max(0, e["days_ago"] + rng.randint(-12, 12))) for e in picks]
            _journal(*created[name], shifted, now)


def _journal(user: User, key: bytes, specs: list[dict], now: datetime, procs: Sequence[dict] = ()) -> None:
    """Write `procs` as processes and `specs` as entries, each dated `days_ago` before `now`."""
    ids = {p["key"]: processes.create(user, key, _process_data(p, now)).id for p in procs}
    for spec in specs:
        day = now - timedelta(days=spec["days_ago"], hours=2)
        row = journal.create(user, key, _entry_data(spec, ids, day))
        row.created_at = row.updated_at = day


def _process_data(spec: dict, now: datetime) -> dict:
    """A demo process as the journal stores it: days before `now` become dates, each review gets
    an id (reviews are written with the process, newest first as the review log keeps them)."""
    def day(days_ago: int) -> str:
        return (now - timedelta(days=days_ago)).date().isoformat()
    data = {k: v for k, v in spec.items() if k not in ("key", "review_log", "mandate")}
    for outcome in ("reported", "ended"):
        if f"{outcome}_days_ago" in data:
            data[f"{outcome}_on"] = day(data.pop(f"{outcome}_days_ago"))
    mandate = dict(spec.get("mandate") or {})
    if "next_review_in_days" in mandate:
        mandate["next_review"] = day(-mandate.pop("next_review_in_days"))
    data["mandate"] = mandate
    data["screening_on"] = day(max([180, *(r["days_ago"] for r in spec.get("review_log", []))]))
    data["review_log"] = [{**{k: v for k, v in r.items() if k != "days_ago"}, "id": new_id(), "day": day(r["days_ago"])}
                          for r in spec.get("review_log", [])]
    return data


def _entry_data(spec: dict, process_ids: dict[str, str], day: datetime) -> dict:
    """A demo entry as the journal stores it; an entry whose process was not created has none."""
    data = {k: v for k, v in spec.items() if k not in _NOT_STORED}
    data["visit_date"] = day.date().isoformat()
    data["process_id"] = process_ids.get(spec.get("process") or "")
    if spec["kind"] == "ethical_dilemma":
        days = spec.get("follow_up_days")
        data["follow_up"] = (day + timedelta(days=days)).date().isoformat() if days is not None else None
    for f in KINDS[spec["kind"]].fields:
        data.setdefault(f.name, None)
    return journal.clean(data, set(process_ids.values()), draft=False)


def _supervision(created: Created, text: dict) -> None:
    """The demo therapist has the demo supervisor as a contact and shares her first flagged entry
    with them; the supervisor answers with a written reflection."""
    from domain.sharing import contacts
    from domain.sharing import shares as sharing
    (therapist, tkey), (supervisor, skey) = created["demo"], created["supervisor"]
    _inv, token = contacts.invite(therapist, tkey, "supervisor")
    db.session.flush()
    contacts.accept(token, supervisor, skey)
    db.session.flush()
    flagged = journal.flagged(journal.all_items(therapist.id, tkey))
    if flagged:
        (row,) = sharing.share(therapist, tkey, [flagged[0].row.id], [supervisor.id], text["question"], None)
        db.session.flush()
        key = sharing.entry_key_for(sharing.decide_share(supervisor.id, row.id), supervisor, skey)
        sharing.save_reflection(row, supervisor, key, text["reflection"], submit=True)
    urgent = [i for i in flagged[1:] if i.data.get("supervision") == "urgent"]
    if urgent and text.get("urgent_question"):   # one more, sent the urgent way and not answered yet
        sharing.share(therapist, tkey, [urgent[0].row.id], [supervisor.id], text["urgent_question"], None,
                      urgent=True)


def _seminar(created: Created, members: list[str], name: str, secret: bytes) -> None:
    """A seminar group led by the demo supervisor; the members who were created join and consent
    to contribute their entries and processes."""
    from domain.groups import contributions as trend_store
    from domain.groups import membership as groups
    supervisor, skey = created["supervisor"]
    group = groups.create(supervisor, skey, name, _SEMINAR_K, secret)
    lead = groups.membership(supervisor, skey, group.id)
    _inv, token = groups.invite(lead, multi_use=True, days=30)
    db.session.flush()
    for user, key in (created[m] for m in members if m in created):
        groups.join(token, user, key, secret)
        db.session.flush()
        ms = groups.membership(user, key, group.id)
        entries = [(i.row.id, i.data, i.row.created_at.date()) for i in journal.all_items(user.id, key)]
        procs = [(p.row.id, p.data, p.row.created_at.strftime("%Y-%m")) for p in processes.all_items(user.id, key)]
        trend_store.consent(ms, key, entries, procs)
