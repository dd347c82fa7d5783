"""The fictional demo as Python values, read from the TOML files in domain/demo/data/.

Everything there is invented and written in our own words. Each language has a folder of its
own (data/en/) holding the same four files: users, processes, entries and sharing (what the
accounts write to each other). A second language is a second folder beside it, with the same
ids and numbers and only the text translated; `load(language)` reads one folder.

Stdlib only, so the seeder, tests and docs can import it without an app context. The module
names below (DEMO_PASSWORD, DEMO_USERS, PROCESSES, ENTRIES) are the English demo.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"

# Every entry gets the full key set for its kind, so consumers can index without .get()
# and a typo in a field name fails loudly at load time instead of vanishing.
_KIND_FIELDS: dict[str, dict[str, Any]] = {
    "hard_session": {
        "what_happened": "", "what_made_it_hard": "", "what_helped": "", "what_did_not_help": "",
        "effect": "unclear", "effect_note": "", "how_it_left_me": "", "supports": [],
    },
    "countertransference": {
        "feelings": [], "feelings_other": "", "intensity": 0, "body": "", "trigger": "", "whose": [],
        "what_i_did": "", "supports": [],
    },
    "ethical_dilemma": {
        "dilemma": "", "dilemma_type": "other", "concern_level": "none", "options": "", "consulted": "",
        "decision": "", "follow_up_days": None,
    },
    "bright_moment": {"what_happened": "", "what_made_it_possible": "", "how_it_left_me": ""},
}
_COMMON_FIELDS = ("days_ago", "kind", "title", "process", "themes", "subthemes", "tags", "supervision",
                  "film_refs")


@dataclass(frozen=True)
class Demo:
    """One language's demo: the accounts, the therapist's processes and journal, and what the
    seeder has the accounts write to each other (`supervision`, `seminar`)."""
    password: str
    users: list[dict[str, str]]
    processes: list[dict[str, Any]]
    entries: list[dict[str, Any]]
    supervision: dict[str, Any]
    seminar: dict[str, Any]


def _read(language: str, name: str) -> dict[str, Any]:
    with (DATA / language / f"{name}.toml").open("rb") as f:
        return tomllib.load(f)


def _entry(spec: dict[str, Any]) -> dict[str, Any]:
    """A data-file entry with every field of its kind, in a fixed key order."""
    kind = spec["kind"]
    fields = {k: v for k, v in spec.items() if k not in _COMMON_FIELDS}
    unknown = set(fields) - set(_KIND_FIELDS[kind])
    if unknown:
        raise ValueError(f"unknown field(s) for {kind} in {spec['title']!r}: {sorted(unknown)}")
    subthemes = spec.get("subthemes", [])
    # A subtheme implies its theme; listing it again by hand is easy to forget.
    themes = list(dict.fromkeys([*spec.get("themes", []), *(s.split(".", 1)[0] for s in subthemes)]))
    return {
        "days_ago": spec["days_ago"],
        "kind": kind,
        "title": spec["title"],
        "process": spec.get("process"),
        "themes": themes,
        "subthemes": subthemes,
        "tags": spec.get("tags", []),
        "supervision": spec.get("supervision", "no"),
        "film_refs": spec.get("film_refs", []),
        **{k: (list(v) if isinstance(v, list) else v) for k, v in _KIND_FIELDS[kind].items()},
        **fields,
    }


@cache
def load(language: str = "en") -> Demo:
    """The demo in one language (a folder of domain/demo/data/), read once per process."""
    users, sharing = _read(language, "users"), _read(language, "sharing")
    entries = [_entry(e) for e in _read(language, "entries")["entry"]]
    return Demo(
        password=users["password"],
        users=users["user"],
        processes=_read(language, "processes")["process"],
        # Oldest first, the order the seeder writes them in (a stable sort: the file's order breaks ties).
        entries=sorted(entries, key=lambda e: -e["days_ago"]),
        supervision=sharing["supervision"],
        seminar=sharing["seminar"],
    )


_ENGLISH = load("en")
DEMO_PASSWORD: str = _ENGLISH.password
DEMO_USERS: list[dict[str, str]] = _ENGLISH.users
PROCESSES: list[dict[str, Any]] = _ENGLISH.processes
ENTRIES: list[dict[str, Any]] = _ENGLISH.entries
