"""Reads the catalogue's data files (domain/catalogue/data/*.toml) and gives their text in the
reader's language.

Text in those files is a small table keyed by language (``name.en``, ``name.nb``), so a
translation sits beside the English it translates. Each table becomes a `Text`, which holds
every language and answers in the current one when asked; English is the fallback.

Which language is current is not the domain's business: the web layer hands in a language
source once (`use_language`, called by blueprints/i18n.py). Until then, and whenever the source
cannot answer (no request: the CLI, tests calling the domain directly), it is English.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "nb")
_DATA = Path(__file__).parent / "data"


def _english() -> str:
    return "en"


_source: Callable[[], str] = _english


def use_language(source: Callable[[], str]) -> None:
    """Set where the current language comes from: a callable answering "en" or "nb"."""
    global _source
    _source = source


def language() -> str:
    """The current language; English when the source has no answer or an unknown one."""
    try:
        lang = _source()
    except RuntimeError:  # Flask's "working outside of request context"
        return "en"
    return lang if lang in LANGUAGES else "en"


@dataclass(frozen=True)
class Text:
    """One piece of catalogue text in every language it has (hashable, so the frozen catalogue
    objects that hold it stay hashable)."""

    en: str
    nb: str = ""

    def in_language(self, lang: str) -> str:
        """The text in `lang`, else in English."""
        return (getattr(self, lang, "") if lang in LANGUAGES else "") or self.en

    def every(self) -> tuple[str, ...]:
        """The text in each language that has it (search matches any of them)."""
        return tuple(dict.fromkeys(t for t in (self.en, self.nb) if t))

    def __str__(self) -> str:
        return self.in_language(language())


def now(value: Text | str) -> str:
    """A catalogue text in the current language (a plain str is taken as it is)."""
    return value if isinstance(value, str) else value.in_language(language())


def english(value: Text | str) -> str:
    """A catalogue text in English, whatever the current language (guards, snapshots)."""
    return value if isinstance(value, str) else value.en


def every(value: Text | str) -> tuple[str, ...]:
    """A catalogue text in every language it has."""
    return (value,) if isinstance(value, str) else value.every()


class Translated:
    """A read-only attribute that reads the Text held in another field in the current language:
    ``name = Translated("names")`` beside a ``names`` field."""

    def __init__(self, field: str) -> None:
        self.field = field

    def __get__(self, obj, owner=None):
        return self if obj is None else now(getattr(obj, self.field))


@cache
def load(name: str) -> dict:
    """One TOML file from domain/catalogue/data, read once per process."""
    with (_DATA / name).open("rb") as fh:
        return tomllib.load(fh)


def text(item: dict, key: str) -> Text:
    """``item[key]`` (a table keyed by language) as a Text; empty if the item has none.
    An unknown language key fails loudly here, at import, rather than being silently ignored."""
    return Text(**item.get(key, {"en": ""}))
