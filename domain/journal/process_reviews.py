"""The review log of a guidance process: one record per film review, kept inside the process's
sealed blob (so it shares the process's key, export and deletion). Each review has its own `rev`,
so editing one review never conflicts with an edit of another or of the process itself.

Creates are idempotent (the form chooses the review id); edits compare the review's `rev` with the
one the form was opened with, under the process row's lock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.core import versions
from domain.core.models import Process, User
from domain.journal import process_fields, processes
from domain.journal.entries import Item


class ReviewConflict(Exception):
    """The review changed after the form was opened; nothing was written."""

    def __init__(self, theirs: dict, rev: int):
        super().__init__("review changed meanwhile")
        self.theirs, self.rev = theirs, rev


def find(data: dict, review_id: str | None) -> dict | None:
    return next((r for r in data.get("review_log") or [] if r.get("id") == review_id), None) if review_id else None


def _locked(owner: User, process_id: str, user_key: bytes) -> tuple[Process, dict]:
    row = versions.lock(Process, process_id, owner.id)
    if row is None:
        raise LookupError(process_id)
    return row, processes.read(row, user_key)


def _same(a: dict, b: dict) -> bool:
    keys = ("day", "responses", *process_fields.REVIEW_TEXT)
    return all(a.get(k) == b.get(k) for k in keys)


def save(owner: User, user_key: bytes, process_id: str, review: dict, base_rev: int | None) -> dict:
    """Add or change one review (`review["id"]` chosen by the form). Raises ReviewConflict when
    the review moved on since `base_rev` and says something else; None means the creating form."""
    row, data = _locked(owner, process_id, user_key)
    log = list(data.get("review_log") or [])
    mine = process_fields.clean_review({**review, "rev": 1})
    old = find(data, mine["id"])
    if old is None:
        log.append(mine)
    else:
        if base_rev is not None and old.get("rev") != base_rev and not _same(old, mine):
            raise ReviewConflict(old, old.get("rev", 1))
        if _same(old, mine):
            return old
        mine["rev"] = old.get("rev", 1) + 1
        log = [mine if r.get("id") == mine["id"] else r for r in log]
    processes.update(row, user_key, data | {"review_log": log})
    return mine


def delete(owner: User, user_key: bytes, process_id: str, review_id: str) -> None:
    row, data = _locked(owner, process_id, user_key)
    log = [r for r in data.get("review_log") or [] if r.get("id") != review_id]
    processes.update(row, user_key, data | {"review_log": log})


@dataclass
class Moment:
    """One line of a process timeline: an entry or a review, on its day."""
    day: date | None
    entry: Item | None = None
    review: dict | None = None


def timeline(entries: list[Item], reviews: list[dict]) -> list[Moment]:
    """Entries and reviews together, newest day first (undated reviews last)."""
    moments = [Moment(i.day, entry=i) for i in entries]
    moments += [Moment(date.fromisoformat(r["day"]) if r.get("day") else None, review=r) for r in reviews]
    return sorted(moments, key=lambda m: (m.day is not None, m.day or date.min), reverse=True)
