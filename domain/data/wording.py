"""How an export (Markdown, PDF) speaks to its reader: headings and notes as N_ msgids said in the
reader's language, dates in words where they are prose. The view passes the request's language
(blueprints/data.py); without one, English and ISO dates. File names and JSON stay ISO: they are data."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime


def english(message: str, **params) -> str:
    return message % params if params else message


def _iso_day(value: date) -> str:
    return value.isoformat()[:10]


@dataclass(frozen=True)
class Reader:
    say: Callable[..., str] = english
    day: Callable[[date], str] = _iso_day
    when: Callable[[datetime], str] = datetime.isoformat

    def day_of(self, text: str) -> str:
        """A stored ISO date ("2026-11-30") or timestamp (its day) in words; as it is if not a date."""
        try:
            return self.day(datetime.fromisoformat(text) if len(text) > 10 else date.fromisoformat(text))
        except (TypeError, ValueError):
            return text

    def when_of(self, text: str) -> str:
        try:
            return self.when(datetime.fromisoformat(text))
        except (TypeError, ValueError):
            return text


ENGLISH = Reader()
