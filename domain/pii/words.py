"""The word lists of the identifying-details check, read once from data/words.toml.

Kept as data so that a word can be added (or a language) without touching a pattern.
The sets are combined here the same way for every detector: what counts as "not a name"
is decided in one place.
"""

from __future__ import annotations

from domain.pii.common import load_data

_WORDS = load_data("words.toml")


def _words(section: str, *keys: str) -> frozenset[str]:
    return frozenset(w for key in keys for w in _WORDS[section][key])


FAMILY_NOUNS = _words("family", "nouns_en", "nouns_no")
FAMILY_ADJECTIVES = _words("family", "adjectives")

STREET_SUFFIXES_NO = _words("streets", "suffixes_no")
NOT_STREETS = _words("streets", "not_streets")
NOT_POSTCODE_BEFORE = _words("postcodes", "not_after")

ENGLISH_FAR = _words("names", "english_far")
PREPOSITIONS = _words("names", "prepositions")
MONTHS_AND_DAYS = _words("names", "months_and_days")
FUNCTION_WORDS = _words("names", "function_words_en", "function_words_no")
_COMMON_CAPITALISED = FUNCTION_WORDS | _words("names", "work_words", "services", "places", "nationalities")

NOT_NAMES = (
    _COMMON_CAPITALISED
    | MONTHS_AND_DAYS
    | {w.capitalize() for w in FAMILY_NOUNS | FAMILY_ADJECTIVES}
    | {w.capitalize() + "s" for w in FAMILY_NOUNS}
)

# Place-name check for postcodes: words that are clearly not places ("2024 The ...").
NOT_PLACES = FUNCTION_WORDS | MONTHS_AND_DAYS | _words("postcodes", "not_places")


def is_common_word(word: str) -> bool:
    return word in NOT_NAMES or word.split("-")[0] in NOT_NAMES
