"""Identifying details in what an entry's form holds: warnings, never a block (the trade's rule:
no family names in notes). The detectors are domain/pii's; this module knows which parts of an
entry are free text and what the therapist calls them."""
from __future__ import annotations

from domain.catalogue.entry_kinds import KINDS
from domain.core.refusal import N_
from domain.pii import detect as pii

TEXT_TYPES = ("text", "line")
FILM_LABEL = N_("Film moment")
TITLE_LABEL = N_("Title")


def findings(kind_id: str, typed: dict) -> dict[str, list]:
    """{field label: findings} for the free text of `typed`, a form's values by field name
    (film moments as a list of rows with a "shows" text)."""
    kind = KINDS[kind_id]
    fields = {f.name: typed.get(f.name) or "" for f in kind.fields if f.type in TEXT_TYPES}
    fields["title"] = typed.get("title") or ""
    fields.update({f"films-{i}-shows": (row.get("shows") or "") for i, row in enumerate(typed.get("films") or [])})
    labels = {f.name: f.label for f in kind.fields} | {"title": TITLE_LABEL}
    return {labels.get(k, FILM_LABEL): v for k, v in pii.scan_fields(fields).items()}
