"""Detector for names next to family words: "mother Kari", "Kari's mother", "Karis mor",
"Kari, the mother", "the Hansen family".

A capitalised word alone proves nothing (sentence starts, places, services), so each
pattern pairs a name-shaped token with a family word, and the checks in Python drop the
common words listed in data/words.toml. Returns ``(kind, start, end)`` candidates;
domain/pii/detect.py settles overlaps.
"""

from __future__ import annotations

import re

from domain.pii.common import (
    LO,
    NAME,
    NAME_NEAR_FAMILY,
    SP,
    alternation,
    at_sentence_start,
    prev_word,
    search_all,
)
from domain.pii.words import (
    ENGLISH_FAR,
    FAMILY_ADJECTIVES,
    FAMILY_NOUNS,
    FUNCTION_WORDS,
    PREPOSITIONS,
    is_common_word,
)

_NAME_FULL = re.compile(NAME)
_FAM_ANY = rf"(?i:{alternation(FAMILY_NOUNS | FAMILY_ADJECTIVES)})"
_FAM_NOUN = rf"(?i:{alternation(FAMILY_NOUNS)})"
# Norwegian puts the possessive after the noun: "datteren hans, Ida".
_POSS_AFTER = r"(?:hans|hennes|deres|sin|si|sitt|sine|min|mi|mitt|mine|din|di|ditt|vår|vårt)"
_DETERMINER = r"(?:the|a|an|our|his|her|their|my|hans|hennes|deres|min|mi|mitt|vår)"
_NAME_END = r"(?!\w)(?!-\w)"

# A) family word, then the name: "mother Kari", "the baby, Emma", "datteren hans, Ida",
#    "mora til Jonas", "mor (Kari)", "lille Emma". An optional surname is captured too.
_NAME_AFTER_FAMILY = re.compile(
    rf"(?<![\w-])(?P<fam>{_FAM_ANY})(?!\w)"
    rf"(?:{SP}+{_POSS_AFTER})?"
    rf"(?:{SP}*[,(]{SP}*|{SP}+)"
    rf"(?:(?:til|of){SP}+)?"
    rf"(?P<name>{NAME}){_NAME_END}(?:{SP}+(?P<surname>{NAME}){_NAME_END})?"
)

# B) possessive: "Kari's mother", "Jonas' mor", "Kari's little brother".
_NAME_POSSESSIVE = re.compile(
    rf"(?<![\w-])(?P<name>{NAME})['’´`]s?{SP}+(?:[{LO}]+{SP}+)?{_FAM_NOUN}(?!\w)"
)

# C) Norwegian genitive without apostrophe: "Karis mor", "Oles lille datter".
_NAME_GENITIVE = re.compile(
    rf"(?<![\w-])(?P<name>{NAME})s{SP}+(?:[{LO}]+{SP}+)?{_FAM_NOUN}(?!\w)"
)

# D) apposition: "Kari, the mother", "Ole (far)", "Kari Nordmann, mora til ...".
_NAME_APPOSITION = re.compile(
    rf"(?<![\w-])(?P<name>{NAME})(?:{SP}+(?P<surname>{NAME}))?"
    rf"{SP}*[,(]{SP}*(?:{_DETERMINER}{SP}+)?{_FAM_NOUN}(?!\w)"
)

# E) surname before "family": "the Hansen family".
_SURNAME_FAMILY = re.compile(
    rf"(?<![\w-])(?P<name>{NAME}){SP}+(?i:family|familien|familie)(?!\w)"
)

Hit = tuple[str, int, int]


def _looks_like_name(text: str, start: int, end: int) -> bool:
    word = text[start:end]
    if not (2 <= len(word) <= 20) or not word[0].isupper() or not _NAME_FULL.fullmatch(word):
        return False
    if any(seg[1:] != seg[1:].lower() for seg in word.split("-")):
        return False  # "McX"/"NAv"-style mixed case: more likely an acronym or a brand
    if is_common_word(word):
        return False
    # "Marte" on its own is an ordinary Norwegian name; "Marte Meo" is the method.
    return not (word == "Marte" and re.match(r"[ \t\u00a0\-]+Meo\b", text[end:end + 8]))


def _name_tokens(text: str, m: re.Match[str]) -> list[tuple[int, int, bool]]:
    """(start, end, looks_like_name) for the name and optional surname of a match."""
    spans = [(m.start("name"), m.end("name"))]
    if m.group("surname"):
        spans.append((m.start("surname"), m.end("surname")))
    return [(s, e, _looks_like_name(text, s, e)) for s, e in spans]


def _after_family_word(text: str) -> list[Hit]:
    """A) family word first. The name follows the family word, so it is never a sentence
    start (the separator cannot contain a full stop or a newline)."""
    hits = []
    for m in search_all(_NAME_AFTER_FAMILY, text):
        if not _looks_like_name(text, m.start("name"), m.end("name")):
            continue
        fam = m.group("fam").lower()
        if fam == "far" and prev_word(text, m.start()) in ENGLISH_FAR:
            continue  # English "so far, Kari ..."
        end = m.end("name")
        if m.group("surname") and _looks_like_name(text, m.start("surname"), m.end("surname")):
            end = m.end("surname")
        hits.append((NAME_NEAR_FAMILY, m.start(), end))
    return hits


def _possessive(text: str) -> list[Hit]:
    """B) "Kari's mother". An apostrophe possessive on a capitalised word is a strong
    signal, so this is accepted even at a sentence start (common words excluded)."""
    return [
        (NAME_NEAR_FAMILY, m.start(), m.end())
        for m in search_all(_NAME_POSSESSIVE, text)
        if _looks_like_name(text, m.start("name"), m.end("name"))
    ]


def _genitive(text: str) -> list[Hit]:
    """C) "Karis mor". "Hennes mor", "Barnets far" look the same at a sentence start, so a
    sentence-initial word is not trusted here."""
    hits = []
    for m in search_all(_NAME_GENITIVE, text):
        token_end = m.end("name") + 1  # include the genitive s
        stem = m.group("name")
        if at_sentence_start(text, m.start()) or is_common_word(text[m.start() : token_end]):
            continue
        if _looks_like_name(text, m.start(), m.end("name")) or (
            # Names that end in -s ("og Hans mor") have a stem that is a pronoun ("Han");
            # judge the whole token then. Other common stems ("Bufetats") stay excluded.
            stem in FUNCTION_WORDS and _looks_like_name(text, m.start(), token_end)
        ):
            hits.append((NAME_NEAR_FAMILY, m.start(), m.end()))
    return hits


def _apposition(text: str) -> list[Hit]:
    """D) "Kari, the mother". Introductory phrases ("Afterwards, the mother", "In Bergen,
    the father") look the same, so sentence starts and words after a preposition are
    skipped."""
    hits = []
    for m in search_all(_NAME_APPOSITION, text):
        # Leading tokens that are not names are dropped ("In Kari, the mother" -> "Kari"),
        # but the token right before the comma must be a name.
        tokens = _name_tokens(text, m)
        if not tokens[-1][2]:
            continue
        start = tokens[-1][0] if not tokens[0][2] else tokens[0][0]
        # A bracketed role right after a capitalised word ("Ole (far)") is a strong signal
        # on its own; only the comma form needs the extra care.
        bracketed = "(" in text[tokens[-1][1] : m.end()]
        if not bracketed and (
            at_sentence_start(text, start) or prev_word(text, start) in PREPOSITIONS
        ):
            continue
        hits.append((NAME_NEAR_FAMILY, start, m.end()))
    return hits


def _surname_family(text: str) -> list[Hit]:
    """E) "the Hansen family"."""
    return [
        (NAME_NEAR_FAMILY, m.start(), m.end())
        for m in search_all(_SURNAME_FAMILY, text)
        if not at_sentence_start(text, m.start())
        and _looks_like_name(text, m.start("name"), m.end("name"))
    ]


_DETECTORS = (_after_family_word, _possessive, _genitive, _apposition, _surname_family)


def scan_names(text: str) -> list[Hit]:
    return [hit for detector in _DETECTORS for hit in detector(text)]
