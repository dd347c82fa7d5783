"""The Fokus catalogue: themes, subthemes and the small fixed vocabularies.

Every entry a therapist writes is tagged with ids from this module, and seminar trend
summaries count those ids across people and months. The catalogue is therefore a shared
language that must stay stable over time, which is why it is versioned and guarded by a
snapshot test (tests/test_themes.py). Its text lives in data/themes.toml (read once, at
import), English and bokmål side by side; this module turns it into frozen objects and
lookups whose names and labels answer in the reader's language (domain/catalogue/texts.py).

Pure stdlib on purpose: the catalogue is imported by models, forms, templates, the
demo seeder and the trend code, and must never pull in Flask or the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.catalogue import texts
from domain.catalogue.texts import Text, Translated

# The catalogue itself, and the versioning rule for editing it, is in data/themes.toml.
_DATA = texts.load("themes.toml")
CATALOGUE_VERSION: int = _DATA["version"]


# Each text field holds a texts.Text (every language) and is read through a Translated
# attribute that answers in the current language, so a page relabels with the reader's
# language while the objects stay built once, at import. A plain str is accepted too (tests).


@dataclass(frozen=True)
class Subtheme:
    id: str
    names: Text | str
    descriptions: Text | str
    retired: bool = False

    name = Translated("names")
    description = Translated("descriptions")


@dataclass(frozen=True)
class Theme:
    id: str
    number: int
    names: Text | str
    shorts: Text | str
    descriptions: Text | str
    subthemes: tuple[Subtheme, ...]

    name = Translated("names")
    short = Translated("shorts")
    description = Translated("descriptions")

    @property
    def active_subthemes(self) -> tuple[Subtheme, ...]:
        """Subthemes offered in forms; retired ones only remain for old data."""
        return tuple(s for s in self.subthemes if not s.retired)


@dataclass(frozen=True)
class Choice:
    id: str
    labels: Text | str
    descriptions: Text | str = ""
    retired: bool = False

    label = Translated("labels")
    description = Translated("descriptions")


def _subtheme(theme_id: str, item: dict) -> Subtheme:
    # Building the id from the theme id keeps the "<theme_id>.<slug>" convention impossible
    # to get wrong by hand.
    return Subtheme(
        id=f"{theme_id}.{item['slug']}",
        names=texts.text(item, "name"),
        descriptions=texts.text(item, "description"),
        retired=item.get("retired", False),
    )


def _theme(item: dict) -> Theme:
    return Theme(
        id=item["id"],
        number=item["number"],
        names=texts.text(item, "name"),
        shorts=texts.text(item, "short"),
        descriptions=texts.text(item, "description"),
        subthemes=tuple(_subtheme(item["id"], sub) for sub in item["subthemes"]),
    )


def _choice(item: dict) -> Choice:
    return Choice(
        item["id"], texts.text(item, "label"), texts.text(item, "description"), item.get("retired", False)
    )


THEMES: tuple[Theme, ...] = tuple(_theme(item) for item in _DATA["themes"])

# Name -> vocabulary, so forms, validators and exports can iterate instead of importing
# each tuple by hand.
VOCABULARIES: dict[str, tuple[Choice, ...]] = {
    name: tuple(_choice(item) for item in items) for name, items in _DATA["vocabularies"].items()
}
FEELINGS = VOCABULARIES["feelings"]
WHOSE = VOCABULARIES["whose"]
DILEMMA_TYPES = VOCABULARIES["dilemma_types"]
CONCERN_LEVELS = VOCABULARIES["concern_levels"]  # least to most serious: code compares positions
EFFECT = VOCABULARIES["effect"]
PROCESS_STATUS = VOCABULARIES["process_status"]
SCREENING_FLAGS = VOCABULARIES["screening_flags"]
SUPERVISION = VOCABULARIES["supervision"]
SUPPORTS = VOCABULARIES["supports"]  # what helped: counted beside the strain in trends
PARENT_RESPONSE = VOCABULARIES["parent_response"]  # how the parent met a film review


# ---------------------------------------------------------------------------------------
# Lookups
# ---------------------------------------------------------------------------------------

_THEMES_BY_ID: dict[str, Theme] = {t.id: t for t in THEMES}
_SUBTHEMES_BY_ID: dict[str, Subtheme] = {s.id: s for t in THEMES for s in t.subthemes}

THEME_IDS: frozenset[str] = frozenset(_THEMES_BY_ID)
# Includes retired subthemes: they are still valid in stored data.
SUBTHEME_IDS: frozenset[str] = frozenset(_SUBTHEMES_BY_ID)


def theme(theme_id: str) -> Theme:
    """The theme with this id; KeyError if unknown."""
    return _THEMES_BY_ID[theme_id]


def subtheme(subtheme_id: str) -> Subtheme:
    """The subtheme with this id; KeyError if unknown."""
    return _SUBTHEMES_BY_ID[subtheme_id]


def theme_of(subtheme_id: str) -> Theme:
    """The theme a subtheme belongs to; KeyError if the subtheme is unknown."""
    subtheme(subtheme_id)  # raise for unknown ids rather than guessing from the prefix
    return _THEMES_BY_ID[subtheme_id.split(".", 1)[0]]


def choice_label(vocab: Iterable[Choice], choice_id: str) -> str:
    """Human label for an id; the id itself if unknown.

    Falling back instead of raising means an entry written against an older or newer
    catalogue still renders instead of crashing a page.
    """
    for choice in vocab:
        if choice.id == choice_id:
            return choice.label
    return choice_id


def valid_ids(vocab: Iterable[Choice], *, include_retired: bool = True) -> frozenset[str]:
    """Ids of a vocabulary. Pass include_retired=False when validating new input."""
    return frozenset(c.id for c in vocab if include_retired or not c.retired)


# Snapshot of every theme and subtheme id with its English name. tests/test_themes.py compares
# this against a hard-coded copy, so any change to shipped ids has to be made deliberately.
# English only, whatever the reader's language: adding or polishing a translation is not a
# change of meaning and must not trip the guard (nor CATALOGUE_VERSION).
FINGERPRINT: dict[str, str] = {
    **{t.id: texts.english(t.names) for t in THEMES},
    **{s.id: texts.english(s.names) for t in THEMES for s in t.subthemes},
}
