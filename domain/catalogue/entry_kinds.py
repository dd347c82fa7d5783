"""The four entry kinds and their fields, as data: forms, validation, views, search and export
all read this one description, so a field is added in one place (data/entry_kinds.toml, read
once at import; its text is keyed by language like the theme catalogue's, and labels answer in
the reader's language).

Only a minimum is required per kind, so a one-line entry is always possible.
"""
from __future__ import annotations

from dataclasses import dataclass

from domain.catalogue import texts, themes
from domain.catalogue.texts import Text, Translated
from domain.catalogue.themes import Choice

TEXT_MAX = 4000      # one field: about two pages; plenty for a reflection typed on a phone
LINE_MAX = 200
TITLE_MAX = 120
TAG_MAX, TAGS_MAX = 40, 12
FILM_REFS_MAX = 6


@dataclass(frozen=True)
class Field:
    name: str
    labels: Text | str
    type: str                       # text | line | choice | multi | scale | date
    hints: Text | str = ""
    vocab: tuple[Choice, ...] = ()
    max_len: int = TEXT_MAX

    label = Translated("labels")
    hint = Translated("hints")


@dataclass(frozen=True)
class Kind:
    id: str
    labels: Text | str
    verbs: Text | str               # button text on the home page
    blurbs: Text | str
    fields: tuple[Field, ...]
    heavy: bool

    label = Translated("labels")
    verb = Translated("verbs")
    blurb = Translated("blurbs")


def _vocab(item: dict) -> tuple[Choice, ...]:
    """A shared vocabulary from themes.toml, or the field's own options (a decision or a prompt
    that only this form asks about and trends never count)."""
    if "vocab" in item:
        return themes.VOCABULARIES[item["vocab"]]
    return tuple(Choice(o["id"], texts.text(o, "label"), texts.text(o, "description"), False)
                 for o in item.get("options", ()))


def _field(item: dict) -> Field:
    return Field(
        name=item["name"],
        labels=texts.text(item, "label"),
        type=item["type"],
        hints=texts.text(item, "hint"),
        vocab=_vocab(item),
        max_len=LINE_MAX if item["type"] == "line" else TEXT_MAX,
    )


def _kind(item: dict) -> Kind:
    return Kind(
        id=item["id"],
        labels=texts.text(item, "label"),
        verbs=texts.text(item, "verb"),
        blurbs=texts.text(item, "blurb"),
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


def written_headline(data: dict) -> str | None:
    """The headline when it comes from what the therapist wrote (the title, else the first words
    of the main text), else None. Worth keeping (the sealed journal index does); a headline made
    of catalogue labels is not, as it must follow the reader's language."""
    if data.get("title"):
        return data["title"]
    main = data.get("what_happened") or data.get("dilemma") or data.get("trigger") or ""
    if not main:
        return None
    main = " ".join(str(main).split())
    return (main[:70] + "…") if len(main) > 70 else main


def headline(kind_id: str, data: dict) -> str:
    """A one-line label for lists: what was written (above), else the feelings chosen, else the
    kind's label, in the current language."""
    written = written_headline(data)
    if written:
        return written
    main = "" if written == "" else ", ".join(themes.choice_label(themes.FEELINGS, f) for f in data.get("feelings") or [])
    main = " ".join(main.split())
    return (main[:70] + "…") if len(main) > 70 else (main or KINDS[kind_id].label)


_ID_KEYS = frozenset({"kind", "status", "process_id", "supervision", "themes", "subthemes"})


def _chosen_names(data: dict) -> list[str]:
    """The labels of everything chosen (vocabulary items, themes, subthemes) in every language,
    so search finds "sinne" and "anger" alike and the sealed index's text never depends on the
    language of the request that built it."""
    kind_id = data.get("kind")
    named: list[Text | str] = []
    for f in KINDS[kind_id].fields if kind_id in KINDS else ():
        if f.vocab:
            chosen = data.get(f.name)
            ids = chosen if isinstance(chosen, list) else [chosen] if chosen else []
            by_id = {c.id: c.labels for c in f.vocab}
            named += [by_id.get(cid, str(cid)) for cid in ids]
    named += [themes.theme(t).names for t in data.get("themes", []) if t in themes.THEME_IDS]
    named += [themes.subtheme(s).names for s in data.get("subthemes", []) if s in themes.SUBTHEME_IDS]
    return [name for value in named for name in texts.every(value)]


def searchable_text(data: dict) -> str:
    """Everything a therapist wrote or chose, as one casefolded string.
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
    parts += _chosen_names(data)
    return " ".join(str(p) for p in parts).casefold()
