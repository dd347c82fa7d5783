"""Detector for street addresses and postcodes, Norwegian and English.

Returns ``(kind, start, end)`` candidates; domain/pii/detect.py settles overlaps. The word
lists (street suffixes, words that rule out a postcode) live in data/words.toml.
"""

from __future__ import annotations

import re

from domain.pii.common import ADDRESS, alternation, prev_word, search_all
from domain.pii.words import NOT_PLACES, NOT_POSTCODE_BEFORE, NOT_STREETS, STREET_SUFFIXES_NO, is_common_word

# House number: 1-4 digits, optionally a letter ("5B", "12 B"). It must not run on into
# a time, decimal or date ("12:30", "12.5") nor into a word ("12th").
_HOUSE = r"[0-9]{1,4}(?:[A-Ha-h]|[ \u00a0][A-H])?(?!\w)(?![.,:/][0-9])"

# "Storgata 12", "Kirkeveien 5B": one capitalised word ending in a street suffix. The
# stem must have at least one lower-case letter, so "Alle 3 barna" ("all 3 children") and
# plain "Veien" do not count.
_NO_COMPOUND_STREET = re.compile(
    rf"(?<![\w-])[A-ZÆØÅ][a-zæøåé]+(?:{alternation(STREET_SUFFIXES_NO)})[ \u00a0]+{_HOUSE}"
)

# "Kongens gate 5B", "Karl Johans gate 1", "Bygdøy allé 2". Written apart, the word before
# "gate" is nearly always a genitive in -s; "allé" is distinctive enough on its own. Plain
# "alle" is left out because it also means "all". One more capitalised word in front
# ("Karl", "Dronning") is kept unless it is a common word ("I Karl Johans gate 1").
_NO_SPLIT_STREET = re.compile(
    r"(?<![\w-])(?:(?P<w1>[A-ZÆØÅ][\w-]{0,30})[ \u00a0]+)?(?P<w2>"
    r"[A-ZÆØÅ][\w-]{0,30}s[ \u00a0]+(?:gate|gata|veien|vegen|vei|veg|plass|stien|allé)"
    r"|[A-ZÆØÅ][\w-]{0,30}[ \u00a0]+allé"
    rf")[ \u00a0]+{_HOUSE}"
)

_EN_STREET_WORDS = r"(?:Street|Road|Avenue|Lane|Drive|Crescent|Terrace|Boulevard)"
_EN_WORD = "[A-Z][a-z]+"

# "Elm Street 14", "Abbey Road 3". The optional first word lets "Penny Lane" through;
# a common word there ("On Elm Street 14") is trimmed off in Python.
_EN_STREET_AFTER = re.compile(
    rf"(?<![\w-])(?P<w1>{_EN_WORD})(?:[ \u00a0](?P<w2>{_EN_WORD}))?[ \u00a0]+{_EN_STREET_WORDS}"
    rf"[ \u00a0]+{_HOUSE}"
)
# "14 Elm Street".
_EN_STREET_BEFORE = re.compile(
    rf"(?<![\w.,:/-])[0-9]{{1,4}}[A-Za-z]?[ \u00a0]+(?P<w1>{_EN_WORD})(?:[ \u00a0](?P<w2>{_EN_WORD}))?"
    rf"[ \u00a0]+{_EN_STREET_WORDS}(?!\w)"
)

# "4604 Kristiansand": four digits and a capitalised place name.
_POSTCODE = re.compile(
    r"(?<!\w)(?<![0-9][.,:/-])[0-9]{4}[ \u00a0]+"
    r"[A-ZÆØÅ][a-zæøå]+(?:-[A-ZÆØÅ][a-zæøå]+)?(?!\w)"
)


Hit = tuple[str, int, int]


def _norwegian_streets(text: str) -> list[Hit]:
    hits = []
    for m in _NO_COMPOUND_STREET.finditer(text):
        word = m.group().split()[0].lower()
        if word in NOT_STREETS or word.endswith("igate"):
            continue
        hits.append((ADDRESS, m.start(), m.end()))
    for m in search_all(_NO_SPLIT_STREET, text):
        if is_common_word(m.group("w2").split()[0]):
            continue
        start = m.start()
        if m.group("w1") and is_common_word(m.group("w1")):
            start = m.start("w2")
        hits.append((ADDRESS, start, m.end()))
    return hits


def _english_streets(text: str) -> list[Hit]:
    hits = []
    for m in search_all(_EN_STREET_AFTER, text):
        start = m.start()
        if is_common_word(m.group("w1")):
            if not m.group("w2") or is_common_word(m.group("w2")):
                continue
            start = m.start("w2")  # "On Elm Street 14" -> "Elm Street 14"
        hits.append((ADDRESS, start, m.end()))
    for m in search_all(_EN_STREET_BEFORE, text):
        if is_common_word(m.group("w1")) or (m.group("w2") and is_common_word(m.group("w2"))):
            continue
        hits.append((ADDRESS, m.start(), m.end()))
    return hits


def _postcodes(text: str) -> list[Hit]:
    hits = []
    for m in _POSTCODE.finditer(text):
        number, place = m.group().split(None, 1)
        if place in NOT_PLACES or prev_word(text, m.start()) in NOT_POSTCODE_BEFORE:
            continue
        if 1900 <= int(number) <= 2099:
            # Could be a year ("2024 Emma ..."). Real postcodes in that range (2000
            # Lillestrøm) are nearly always written after a street: "..., 2000 Lillestrøm".
            before = text[max(0, m.start() - 10) : m.start()].rstrip(" \t\u00a0")
            if not before.endswith(","):
                continue
        hits.append((ADDRESS, m.start(), m.end()))
    return hits


def scan_addresses(text: str) -> list[Hit]:
    return _norwegian_streets(text) + _english_streets(text) + _postcodes(text)
