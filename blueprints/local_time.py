"""Dates and times as the reader reads them: stored in UTC (naive), shown in the account's time
zone (blueprints/i18n.select_timezone, default Europe/Oslo) and the page's language, through the
Jinja filters `when`, `exact_when`, `day`, `short_day` and `local_iso` (docs/ARCHITECTURE.md,
"Language and time")."""
from __future__ import annotations

import functools
from datetime import date, datetime, timedelta

from babel.dates import format_date
from flask_babel import format_datetime, get_locale, gettext, to_user_timezone

from domain.core.db import utcnow

_PATTERNS = {
    "nb": {"when": "d. MMM y 'kl.' HH:mm", "day": "d. MMMM y", "short": "d. MMM y", "time": "HH:mm"},
    "en": {"when": "d MMM y, HH:mm", "day": "d MMMM y", "short": "d MMM y", "time": "HH:mm"},
}


def _pattern(name: str) -> str:
    return _PATTERNS.get(str(get_locale() or "en"), _PATTERNS["en"])[name]


def when(value: datetime | None, relative: bool = True) -> str:
    """A stored UTC time as the reader's local date and time: "i dag kl. 14:48", "30. nov. 2026 kl. 14:48"."""
    if value is None:
        return ""
    if relative:
        local = to_user_timezone(value).date()
        today = to_user_timezone(utcnow()).date()
        clock = format_datetime(value, _pattern("time"))
        if local == today:
            return gettext("today at %(time)s", time=clock)
        if local == today - timedelta(days=1):
            return gettext("yesterday at %(time)s", time=clock)
    return format_datetime(value, _pattern("when"))


def day(value: date | datetime | None) -> str:
    """A calendar date in words: "30. november 2026". A datetime is first moved to local time."""
    return _date(value, "day")


def short_day(value: date | datetime | None) -> str:
    """The short form: "30. nov. 2026"."""
    return _date(value, "short")


def _date(value: date | datetime | None, pattern: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    locale = str(get_locale() or "en")
    return _formatted_day(value, _PATTERNS.get(locale, _PATTERNS["en"])[pattern], locale)


@functools.lru_cache(maxsize=4096)
def _formatted_day(value: date, pattern: str, locale: str) -> str:
    """A list shows the same few days again and again, and formatting one costs more than
    looking it up (a calendar date does not depend on the time zone)."""
    return format_date(value, pattern, locale=locale)


def local_iso(value: datetime | None) -> str:
    """For <time datetime=…>: the local time with its offset."""
    return to_user_timezone(value).isoformat(timespec="minutes") if value else ""


FILTERS = {"when": when, "exact_when": lambda v: when(v, relative=False), "day": day,
           "short_day": short_day, "local_iso": local_iso}
