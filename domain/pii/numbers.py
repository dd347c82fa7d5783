"""Detectors for numbers and contact details: national identity numbers (with D- and
H-numbers), phone numbers and e-mail addresses.

Each detector returns ``(kind, start, end)`` candidates; domain/pii/detect.py settles overlaps.
"""

from __future__ import annotations

import re

from domain.pii.common import D_NUMBER, EMAIL, NATIONAL_ID, PHONE
from domain.pii.dates import looks_like_compact_date, valid_ddmmyy

# --------------------------------------------------------------------------------------
# National identity numbers, D-numbers and H-numbers
# --------------------------------------------------------------------------------------

# Six digits (DDMMYY), an optional single space, five digits. [0-9] rather than \d so that
# other scripts' digits never reach int(). The lookarounds refuse a piece of a longer
# number and the end of a decimal like "3.14159265358".
_ELEVEN_DIGITS = re.compile(
    r"(?<![0-9])(?<![0-9][.,])"
    r"[0-9]{6}[ \u00a0]?[0-9]{5}"
    r"(?![0-9])(?![.,][0-9])"
)

_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _mod11_check_digit(digits: list[int], weights: tuple[int, ...]) -> int | None:
    remainder = sum(d * w for d, w in zip(digits, weights)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None  # no valid check digit exists for this prefix
    return 11 - remainder


def _classify_eleven(digits: str) -> str | None:
    """national_id, d_number (also H-numbers) or None for 11 digits."""
    ds = [int(c) for c in digits]
    k1 = _mod11_check_digit(ds[:9], _K1_WEIGHTS)
    if k1 is None or k1 != ds[9]:
        return None
    k2 = _mod11_check_digit(ds[:10], _K2_WEIGHTS)
    if k2 is None or k2 != ds[10]:
        return None

    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    kind = NATIONAL_ID
    if day > 40:  # D-number: first digit 4-7, day + 40
        day -= 40
        kind = D_NUMBER
    if month > 40:  # H-number (health services' help number): month + 40
        if kind == D_NUMBER:
            return None  # a number is never both
        month -= 40
        kind = D_NUMBER
    if not valid_ddmmyy(day, month, yy):
        return None
    return kind


def scan_identity_numbers(text: str) -> list[tuple[str, int, int]]:
    hits = []
    for m in _ELEVEN_DIGITS.finditer(text):
        digits = m.group().replace(" ", "").replace("\u00a0", "")
        kind = _classify_eleven(digits)
        if kind:
            hits.append((kind, m.start(), m.end()))
    return hits


# --------------------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------------------

_S = "[ \u00a0]"
# Norwegian numbers have 8 digits and start with 2-9. Without a +47 prefix we only accept
# the ways people actually write them, so that sums, dates and counts do not look alike:
# 41234567, 412 34 567, 41 23 45 67.
_NO_LOCAL = (
    rf"(?:[2-9][0-9]{{7}}"  # 41234567
    rf"|[2-9][0-9]{{2}}{_S}[0-9]{{2}}{_S}[0-9]{{3}}"  # 412 34 567
    rf"|[2-9][0-9](?:{_S}[0-9]{{2}}){{3}})"  # 41 23 45 67
)
# After +47/0047 the intent is clear, so "4123 4567" and hyphens are fine too.
_NO_PREFIXED = rf"(?:{_NO_LOCAL}|[2-9][0-9]{{3}}[ \u00a0-][0-9]{{4}}|[2-9][0-9]{{2}}-[0-9]{{2}}-[0-9]{{3}})"

# The number must not continue: no digit, no ".5"/":30"/"/10" tail, and no further group
# of two or more digits ("41 23 45 67 89" is not a phone number we understand).
_PHONE_END = r"(?![0-9])(?![.,:/-][0-9])(?![ \u00a0][0-9]{2})"

_PHONE_NO = re.compile(
    r"(?:"
    rf"(?<![\w+])(?:\+|00)47{_S}?(?:\(0\){_S}?)?{_NO_PREFIXED}"
    r"|"
    # Not glued to a word ("ID41234567") or to a number ("3.41234567", "12 41234567").
    rf"(?<!\w)(?<![0-9][.,:/-])(?<![0-9][ \u00a0]){_NO_LOCAL}"
    r")" + _PHONE_END
)

# Any other country: "+" and 8-15 digits in total, single separators allowed, and an
# optional "(0)". Each repetition consumes exactly one digit, so there is only one way to
# match and no catastrophic backtracking. +47 is left to the stricter pattern above.
_PHONE_INTL = re.compile(
    r"(?<![\w+])\+(?!47)[1-9](?:[ \u00a0.\-]?(?:\([0-9]{1,3}\)[ \u00a0]?)?[0-9]){7,16}(?![0-9])"
)


def scan_phones(text: str) -> list[tuple[str, int, int]]:
    hits = []
    for m in _PHONE_NO.finditer(text):
        s = m.group()
        if s.isdigit() and len(s) == 8 and looks_like_compact_date(s):
            continue
        hits.append((PHONE, m.start(), m.end()))
    for m in _PHONE_INTL.finditer(text):
        n_digits = sum(c.isdigit() for c in m.group())
        if 8 <= n_digits <= 15:
            hits.append((PHONE, m.start(), m.end()))
    return hits


# --------------------------------------------------------------------------------------
# E-mail
# --------------------------------------------------------------------------------------

# The lookbehind lets a match start only at the beginning of a run of address characters,
# so a long run without "@" is read once instead of once per character. Domain labels
# cannot contain a dot, so splitting "a.b.c" into labels is unambiguous.
_EMAIL = re.compile(
    r"(?<![\w.%+-])[\w.%+-]{1,64}@"
    r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+"
    r"[^\W\d_]{2,24}(?![\w-])"
)


def scan_emails(text: str) -> list[tuple[str, int, int]]:
    return [(EMAIL, m.start(), m.end()) for m in _EMAIL.finditer(text)]
