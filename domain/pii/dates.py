"""Date checks the number detectors share: a fødselsnummer starts with a date, and an
eight-digit run that is a date is not a phone number."""

from __future__ import annotations

from datetime import date


def _exists(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def valid_ddmmyy(day: int, month: int, yy: int) -> bool:
    # The century is encoded in the individual number, but the only thing it changes for
    # date validity is 29 February. Accept the date if it exists in 19yy or 20yy.
    return any(_exists(century + yy, month, day) for century in (1900, 2000))


def looks_like_compact_date(digits: str) -> bool:
    """'24122023' (DDMMYYYY) or '20240312' (YYYYMMDD) is a date, not a phone number."""
    ddmmyyyy = (int(digits[4:8]), int(digits[2:4]), int(digits[0:2]))
    yyyymmdd = (int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    return any(1900 <= ymd[0] <= 2099 and _exists(*ymd) for ymd in (ddmmyyyy, yyyymmdd))
