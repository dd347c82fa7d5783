"""Spotting identifying details in free text before it is saved or shared.

Fokus therapists write about real home visits, and the rule of the trade is that a note
must never identify a family: no names, identity numbers, phone numbers, e-mail or street
addresses. This package looks for the most common slips and explains each one in a kind,
plain sentence. It only *warns*: the caller decides what to show, and the therapist
decides what to change. Nothing here blocks a save.

This module is the entry point: it runs every detector and settles overlaps. The detectors
live beside it, one module per kind of detail: numbers.py (identity numbers, phones,
e-mail), places.py (addresses), names.py (names next to family words), with dates.py,
words.py (word lists from data/words.toml) and common.py (kinds, messages from
data/messages.toml, shared text helpers).

Design notes
  * Pure stdlib (re, bisect, dataclasses, datetime, tomllib) so that forms, exports and tests
    can call it without Flask or the database.
  * Heuristic on purpose. We prefer a few missed hits over a stream of false alarms,
    because a warning that cries wolf on "14:30" or "Marte Meo" soon gets ignored.
  * Every regex is linear-ish: no nested unbounded quantifiers over the same characters,
    lookbehinds that only let a match start at the beginning of a token, and bounded
    repetitions. Scanning a 20,000 character entry takes milliseconds.

Public API: ``Finding``, ``scan(text)`` and ``scan_fields({name: text})``.
"""

from __future__ import annotations

from bisect import bisect_left

from domain.pii import common
from domain.pii.names import scan_names
from domain.pii.numbers import scan_emails, scan_identity_numbers, scan_phones
from domain.pii.places import scan_addresses
from domain.pii.records import scan_records

__all__ = [
    "ADDRESS",
    "BIRTH_DATE",
    "DIAGNOSIS",
    "D_NUMBER",
    "EMAIL",
    "KINDS",
    "MEDICATION",
    "MESSAGES",
    "NAME_NEAR_FAMILY",
    "NATIONAL_ID",
    "PHONE",
    "TEST_RESULT",
    "Finding",
    "scan",
    "scan_fields",
]

# Re-exported so that callers import the whole public API from this one module.
Finding, KINDS, MESSAGES = common.Finding, common.KINDS, common.MESSAGES
NATIONAL_ID, D_NUMBER, PHONE, EMAIL, ADDRESS, NAME_NEAR_FAMILY = common.KINDS[:6]
BIRTH_DATE, DIAGNOSIS, MEDICATION, TEST_RESULT = common.KINDS[6:]

# When two findings overlap, the more specific kind wins (lower number = stronger).
# An 11-digit fødselsnummer must be reported as national_id, never as a phone number.
_PRIORITY: dict[str, int] = {
    NATIONAL_ID: 0,
    D_NUMBER: 0,
    EMAIL: 1,
    PHONE: 2,
    ADDRESS: 3,
    NAME_NEAR_FAMILY: 4,
    # A birth date outranks the phone and address patterns its digits might also fit; the
    # other record-like kinds only ever overlap each other.
    BIRTH_DATE: 1,
    DIAGNOSIS: 5,
    MEDICATION: 5,
    TEST_RESULT: 5,
}

# Every detector, in the order their candidates are collected.
_DETECTORS = (scan_identity_numbers, scan_emails, scan_phones, scan_addresses, scan_names, scan_records)

Hit = tuple[str, int, int]


def _survivors(hits: list[Hit], kind: str, starts: list[int], ends: list[int]) -> list[list[int]]:
    """Candidates of one kind that clash with no accepted finding, merged where they overlap.

    Merging only covers characters that the surviving candidates already cover, so it can
    never create a new clash.
    """
    survivors = []
    for k, start, end in hits:
        if k != kind:
            continue
        i = bisect_left(starts, end)  # accepted findings before i start before `end`
        if i and ends[i - 1] > start:
            continue
        survivors.append((start, end))
    merged: list[list[int]] = []
    for start, end in sorted(survivors):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def _resolve(hits: list[Hit]) -> list[Hit]:
    """Remove overlaps, in O(n log n) so that long entries stay fast.

    Kinds are taken strongest first (national_id > d_number > email > phone > address >
    name). A candidate that overlaps an already accepted finding of a stronger kind is
    dropped; the remaining candidates of one kind are merged where they overlap, so
    "Kari, mora til Jonas" becomes one finding.
    """
    starts: list[int] = []  # accepted findings, sorted; they never overlap, so the
    ends: list[int] = []  # ends are sorted too
    kinds: list[str] = []
    for kind in sorted(KINDS, key=lambda k: (_PRIORITY[k], KINDS.index(k))):
        for start, end in _survivors(hits, kind, starts, ends):
            i = bisect_left(starts, start)
            starts.insert(i, start)
            ends.insert(i, end)
            kinds.insert(i, kind)
    return list(zip(kinds, starts, ends))


def _close_bracket(text: str, kind: str, start: int, end: int) -> Hit:
    """"mor (Kari" -> "mor (Kari)": include a closing bracket right after the match."""
    if end < len(text) and text[end] == ")" and text.count("(", start, end) > text.count(")", start, end):
        end += 1
    return kind, start, end


def scan(text: str) -> list[Finding]:
    """Return identifying details found in ``text``, sorted by position, never overlapping."""
    if not isinstance(text, str):
        raise TypeError(f"scan() expects str, got {type(text).__name__}")
    if not text:
        return []
    hits = [hit for detector in _DETECTORS for hit in detector(text)]
    hits = [_close_bracket(text, kind, start, end) for kind, start, end in hits]
    return [
        Finding(kind=kind, start=start, end=end, excerpt=text[start:end], message=MESSAGES[kind])
        for kind, start, end in _resolve(hits)
    ]


def scan_fields(fields: dict[str, str]) -> dict[str, list[Finding]]:
    """Scan several form fields at once; only fields with findings are returned.

    Empty or missing values (None) are treated as empty text.
    """
    result: dict[str, list[Finding]] = {}
    for name, value in fields.items():
        findings = scan(value or "")
        if findings:
            result[name] = findings
    return result
