"""Reads the catalogue's data files (domain/catalogue/data/*.toml) and picks their text in
one language.

Text in those files is a small table keyed by language (``name.en``, later ``name.nb``), so
a translation sits beside the English it translates. English is the fallback.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LANGUAGE = "en"
_DATA = Path(__file__).parent / "data"


@cache
def load(name: str) -> dict:
    """One TOML file from domain/catalogue/data, read once per process."""
    with (_DATA / name).open("rb") as fh:
        return tomllib.load(fh)


def text(item: dict, key: str) -> str:
    """The text of ``item[key]`` in LANGUAGE, else in English; "" if the item has none."""
    values = item.get(key, {})
    return values.get(LANGUAGE) or values.get("en", "")
