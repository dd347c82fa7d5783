"""The hash chain of the security event log: what a row's hash covers, how the chain is checked,
and how old rows are pruned without breaking the check.

Each row's hash is SHA-256 over its own fields and the previous row's hash, so changing, removing
or inserting a row breaks every later link. A plain hash, not a keyed one: anyone can check an
exported log, and a chain rewritten from the altered row onwards is caught by comparing the head
hash that `audit-verify` prints with one noted earlier (docs/compliance/avviksrutine.md).

Pruning deletes the oldest rows and appends an `audit_pruned` event whose detail names the first
kept row and the hash it links to (the anchor); the check starts from the newest anchor."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from domain.core.db import db
from domain.core.models import AuditEvent

GENESIS = "0" * 64
FIELDS = ("seq", "at", "kind", "pseudonym", "address", "outcome", "detail")


def row_hash(row: AuditEvent, prev_hash: str) -> str:
    """SHA-256 over the fields, unambiguous (length-prefixed) so no two rows share a preimage."""
    parts = [str(row.seq), _iso(row.at), row.kind, row.pseudonym or "", row.address or "",
             row.outcome, row.detail or "", prev_hash]
    text = "".join(f"{len(p)}:{p}|" for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")


@dataclass
class Report:
    checked: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _anchor(detail: str) -> tuple[int, str] | None:
    """(first kept seq, hash it links to) from a prune event's detail 'first=<n> prev=<hash>'."""
    try:
        values = dict(part.split("=", 1) for part in detail.split())
        return int(values["first"]), values["prev"]
    except (KeyError, ValueError):
        return None


def verify() -> Report:
    """Walk the whole log in order; every broken link, gap or altered row is a problem."""
    report = Report()
    rows = db.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()
    previous: AuditEvent | None = None
    for row in rows:
        report.checked += 1
        expected_prev = previous.hash if previous is not None else _start_link(row, report)
        if previous is not None and row.seq != previous.seq + 1:
            report.problems.append(f"row {row.seq}: rows {previous.seq + 1}..{row.seq - 1} are missing")
        if row.prev_hash != expected_prev:
            report.problems.append(f"row {row.seq}: does not link to the row before it")
        if row.hash != row_hash(row, row.prev_hash):
            report.problems.append(f"row {row.seq}: its content was changed after it was written")
        previous = row
    report.head = previous.hash if previous is not None else GENESIS
    return report


def _start_link(first: AuditEvent, report: Report) -> str:
    """What the oldest kept row must link to: nothing (seq 1) or the newest prune anchor."""
    if first.seq == 1:
        return GENESIS
    prunes = db.session.execute(select(AuditEvent.detail).where(AuditEvent.kind == "audit_pruned")
                                .order_by(AuditEvent.seq.desc()).limit(1)).scalar_one_or_none()
    anchor = _anchor(prunes or "")
    if anchor is None or anchor[0] != first.seq:
        report.problems.append(f"row {first.seq}: older rows are gone without a prune record")
        return first.prev_hash if anchor is None else anchor[1]
    return anchor[1]


def prune(now: datetime, keep_days: int) -> tuple[int, str] | None:
    """Delete rows older than `keep_days`; returns (rows deleted, detail for the anchor event) or
    None when nothing is old enough. The newest row is always kept, so the chain has a head."""
    cutoff = now - timedelta(days=keep_days)
    newest = db.session.execute(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)).scalar()
    first_kept = db.session.execute(select(AuditEvent).where(AuditEvent.at >= cutoff)
                                    .order_by(AuditEvent.seq).limit(1)).scalar_one_or_none()
    if newest is None:
        return None
    if first_kept is None:
        first_kept = db.session.get(AuditEvent, newest)
    if first_kept.seq == 1 or first_kept.seq <= _oldest_seq():
        return None
    gone = db.session.execute(delete(AuditEvent).where(AuditEvent.seq < first_kept.seq)).rowcount
    return gone, f"first={first_kept.seq} prev={first_kept.prev_hash}"


def _oldest_seq() -> int:
    return db.session.execute(select(AuditEvent.seq).order_by(AuditEvent.seq).limit(1)).scalar() or 0


def export_rows() -> list[dict]:
    """Every row as plain values, oldest first (for `flask fokus audit-export`)."""
    rows = db.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()
    return [{"seq": r.seq, "at": _iso(r.at) + "Z", "kind": r.kind, "pseudonym": r.pseudonym or "",
             "address": r.address or "", "outcome": r.outcome, "detail": r.detail or "",
             "prev_hash": r.prev_hash, "hash": r.hash} for r in rows]
