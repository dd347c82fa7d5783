"""The four entry kinds and their fields, as data: forms, validation, views, search and export
all read this one description, so a field is added in one place (data/entry_kinds.toml, read
once at import; its text is keyed by language like the theme catalogue's).

Only a minimum is required per kind, so a one-line entry is always possible.
"""
from __future__ import annotations

from dataclasses import dataclass

from domain.catalogue import texts, themes
from domain.catalogue.themes import Choice

TEXT_MAX = 4000      # one field: about two pages; plenty for a reflection typed on a phone
LINE_MAX = 200
TITLE_MAX = 120
TAG_MAX, TAGS_MAX = 40, 12
FILM_REFS_MAX = 6


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str                       # text | line | choice | multi | scale | date
    hint: str = ""
    vocab: tuple[Choice, ...] = ()
    max_len: int = TEXT_MAX


@dataclass(frozen=True)
class Kind:
    id: str
    label: str
    verb: str                       # button text on the home page
    blurb: str
    fields: tuple[Field, ...]
    heavy: bool


def _field(item: dict) -> Field:
    return Field(
        name=item["name"],
        label=texts.text(item, "label"),
        type=item["type"],
        hint=texts.text(item, "hint"),
        vocab=themes.VOCABULARIES[item["vocab"]] if "vocab" in item else (),
        max_len=LINE_MAX if item["type"] == "line" else TEXT_MAX,
    )


def _kind(item: dict) -> Kind:
    return Kind(
        id=item["id"],
        label=texts.text(item, "label"),
        verb=texts.text(item, "verb"),
        blurb=texts.text(item, "blurb"),
        fields=tuple(_field(f) for f in item["fields"]),
        heavy=item["heavy"],
    )


# The kinds and their fields, in the order the home page offers them: data/entry_kinds.toml.
KINDS: dict[str, Kind] = {k.id: k for k in map(_kind, texts.load("entry_kinds.toml")["kinds"])}
HARD, COUNTER, DILEMMA, BRIGHT = KINDS.values()
KIND_IDS = tuple(KINDS)
HEAVY_KINDS = frozenset(k.id for k in KINDS.values() if k.heavy)


def kind(kind_id: str) -> Kind:
    return KINDS[kind_id]


def display(f: Field, value) -> str:
    """A field's stored value as words: vocabulary ids become their labels."""
    if f.vocab:
        return ", ".join(themes.choice_label(f.vocab, x) for x in (value if isinstance(value, list) else [value]))
    return str(value)


def minimum_missing(kind_id: str, data: dict) -> str | None:
    """The one thing a kind needs before it can be saved (drafts need nothing), or None."""
    if kind_id in ("hard_session", "bright_moment") and not data.get("what_happened"):
        return "what_happened"
    if kind_id == "ethical_dilemma" and not data.get("dilemma"):
        return "dilemma"
    if kind_id == "countertransference" and not (data.get("feelings") or data.get("feelings_other")
                                                 or data.get("trigger")):
        return "feelings"
    return None


def headline(kind_id: str, data: dict) -> str:
    """A one-line label for lists: the title, else the first words of the main text."""
    if data.get("title"):
        return data["title"]
    main = data.get("what_happened") or data.get("dilemma") or data.get("trigger") or ""
    if not main and data.get("feelings"):
        main = ", ".join(themes.choice_label(themes.FEELINGS, f) for f in data["feelings"])
    main = " ".join(str(main).split())
    return (main[:70] + "…") if len(main) > 70 else (main or KINDS[kind_id].label)


_ID_KEYS = frozenset({"kind", "status", "process_id", "supervision", "themes", "subthemes"})


def searchable_text(data: dict) -> str:
    """Everything a therapist wrote or chose, as one casefolded string (built in memory only).
    Chosen items are searchable by their labels; stored ids ("saved", "no", a process id...) are
    left out, or a search for "no" or "saved" would match every entry."""
    parts: list[str] = []
    kind_fields = KINDS[data["kind"]].fields if data.get("kind") in KINDS else ()
    id_keys = _ID_KEYS | {f.name for f in kind_fields if f.vocab}
    for key, value in data.items():
        if key in id_keys:
            continue
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list):
            for item in value:
                parts.extend(item.values() if isinstance(item, dict) else [str(item)])
    kind_id = data.get("kind")
    if kind_id in KINDS:
        for f in KINDS[kind_id].fields:
            if f.vocab:
                chosen = data.get(f.name)
                for cid in (chosen if isinstance(chosen, list) else [chosen] if chosen else []):
                    parts.append(themes.choice_label(f.vocab, cid))
    for tid in data.get("themes", []):
        if tid in themes.THEME_IDS:
            parts.append(themes.theme(tid).name)
    for sid in data.get("subthemes", []):
        if sid in themes.SUBTHEME_IDS:
            parts.append(themes.subtheme(sid).name)
    return " ".join(str(p) for p in parts).casefold()
