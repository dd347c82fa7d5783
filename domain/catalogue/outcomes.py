"""The two outcomes of a guidance process, kept apart: a concern was reported to barnevernet, and
the guidance ended (as planned or early). One process may have both.

Processes written before the split hold a single `status` (ongoing, completed, ended_early,
reported); `outcomes()` reads both shapes, so old rows count correctly without a data migration
(the blobs are sealed: only their owner's key can rewrite them, which happens on the next save).
Pure: no I/O. Journal (forms, views) and trends (personal and group counts) both read it.

Process data keys (new shape):
    reported     "yes" or ""      a concern about the child was reported
    reported_on  "YYYY-MM-DD" or "" (unknown for processes migrated from the old status)
    ended        "" | "as_planned" | "early"
    ended_on     "YYYY-MM-DD" or ""
"""
from __future__ import annotations

REPORTED = "reported"
ENDED_AS_PLANNED = "ended_as_planned"
ENDED_EARLY = "ended_early"
OUTCOMES = (REPORTED, ENDED_AS_PLANNED, ENDED_EARLY)
ENDINGS = ("as_planned", "early")

_LEGACY = {"completed": {"ended": "as_planned"}, "ended_early": {"ended": "early"},
           "reported": {"reported": "yes"}}


def upgraded(data: dict) -> dict:
    """`data` in the new shape: a legacy status is turned into the matching outcome fields
    (fields already set win). `status` is dropped once it has been read."""
    out = dict(data)
    for key, value in _LEGACY.get(out.pop("status", "") or "", {}).items():
        out.setdefault(key, value)
        if not out[key]:
            out[key] = value
    return out


def outcomes(data: dict) -> frozenset[str]:
    """The outcomes a process has reached, from either shape of its data."""
    d = upgraded(data)
    found = set()
    if d.get("reported") == "yes":
        found.add(REPORTED)
    if d.get("ended") == "as_planned":
        found.add(ENDED_AS_PLANNED)
    elif d.get("ended") == "early":
        found.add(ENDED_EARLY)
    return frozenset(found)


def is_open(data: dict) -> bool:
    """A process is open until the guidance has ended (a report alone does not end it)."""
    return upgraded(data).get("ended") not in ENDINGS
