"""Spotting identifying details in free text before it is saved or shared.

Fokus therapists write about real home visits, and the rule of the trade is that a note
must never identify a family: no names, identity numbers, phone numbers, e-mail or street
addresses. This module looks for the most common slips and explains each one in a kind,
plain sentence. It only *warns*: the caller decides what to show, and the therapist
decides what to change. Nothing here blocks a save.

Design notes
  * Pure stdlib (re, bisect, dataclasses, datetime) so that forms, exports and tests can call it
    without Flask or the database.
  * Heuristic on purpose. We prefer a few missed hits over a stream of false alarms,
    because a warning that cries wolf on "14:30" or "Marte Meo" soon gets ignored.
  * Every regex is linear-ish: no nested unbounded quantifiers over the same characters,
    lookbehinds that only let a match start at the beginning of a token, and bounded
    repetitions. Scanning a 20,000 character entry takes milliseconds.

Public API: ``Finding``, ``scan(text)`` and ``scan_fields({name: text})``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date

__all__ = [
    "ADDRESS",
    "D_NUMBER",
    "EMAIL",
    "KINDS",
    "MESSAGES",
    "NAME_NEAR_FAMILY",
    "NATIONAL_ID",
    "PHONE",
    "Finding",
    "scan",
    "scan_fields",
]

NATIONAL_ID = "national_id"
D_NUMBER = "d_number"
PHONE = "phone"
EMAIL = "email"
ADDRESS = "address"
NAME_NEAR_FAMILY = "name_near_family"

KINDS: tuple[str, ...] = (NATIONAL_ID, D_NUMBER, PHONE, EMAIL, ADDRESS, NAME_NEAR_FAMILY)

# Fokus's own wording. Kind, short, and always says what to do instead.
MESSAGES: dict[str, str] = {
    NATIONAL_ID: (
        "This looks like a national identity number (fødselsnummer). "
        "Please remove it and use the process code instead."
    ),
    D_NUMBER: (
        "This looks like a D-number or H-number, which identifies a person just like a "
        "national identity number. Please remove it and use the process code instead."
    ),
    PHONE: "This looks like a phone number. Contact details do not belong in the journal.",
    EMAIL: "This looks like an e-mail address. Contact details do not belong in the journal.",
    ADDRESS: (
        "This looks like an address. Please describe the place in general terms, "
        "for example “the family's home”."
    ),
    NAME_NEAR_FAMILY: (
        "This looks like the name of a family member. Please use a role instead, "
        "for example “the mother” or “the baby”."
    ),
}

# When two findings overlap, the more specific kind wins (lower number = stronger).
# An 11-digit fødselsnummer must be reported as national_id, never as a phone number.
_PRIORITY: dict[str, int] = {
    NATIONAL_ID: 0,
    D_NUMBER: 0,
    EMAIL: 1,
    PHONE: 2,
    ADDRESS: 3,
    NAME_NEAR_FAMILY: 4,
}


@dataclass(frozen=True)
class Finding:
    """One suspicious spot. ``text[start:end] == excerpt``."""

    kind: str
    start: int
    end: int
    excerpt: str
    message: str


# --------------------------------------------------------------------------------------
# Shared building blocks
# --------------------------------------------------------------------------------------

_SP = r"[ \t\u00a0]"  # horizontal space only: a newline ends the phrase we are reading

# Latin letters incl. æøå and the Latin-1 accented letters (José, Zoë, Müller). Latin
# Extended-A (Ł, Ś, ...) is allowed in both classes; case is re-checked in Python.
_UP = "A-ZÀ-ÖØ-Þ\u0100-\u017f"
_LO = "a-zß-öø-ÿ\u0100-\u017f"

# A capitalised, name-shaped token: "Kari", "Anne-Marie", "Øystein". Each hyphen segment
# must start with the hyphen, so the repetition cannot backtrack exponentially.
_NAME = rf"[{_UP}][{_LO}]+(?:-[{_UP}{_LO}][{_LO}]+)*"
_NAME_FULL = re.compile(_NAME)


def _alternation(words: set[str] | tuple[str, ...]) -> str:
    # Longest first so that "moren" is preferred to "mor" when both could apply.
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


def _prev_word(text: str, pos: int) -> str:
    """The word just before ``pos`` (lower-cased), ignoring spaces and punctuation."""
    window = text[max(0, pos - 40) : pos]
    m = re.search(r"(\w+)\W*$", window)
    return m.group(1).lower() if m else ""


_SENTENCE_SKIP = " \t\u00a0\"'«»“”‘’„([{*•–—-"


def _at_sentence_start(text: str, pos: int) -> bool:
    """True if ``pos`` starts a sentence, a line, a bullet or the text.

    A word capitalised only because it opens a sentence tells us nothing about whether it
    is a name, so the riskier name patterns skip such words.
    """
    j = pos - 1
    while j >= 0 and text[j] in _SENTENCE_SKIP:
        j -= 1
    if j < 0:
        return True
    return text[j] in ".!?…\n\r\u2028\u2029"


def _search_all(pattern: re.Pattern[str], text: str):
    """Like finditer, but also yields matches that overlap an earlier one.

    A candidate can be rejected by the checks in Python (e.g. "Marte Meo, the mother");
    restarting one character after each match start makes sure such a rejected match does
    not hide a real one that overlaps it. Overlapping accepted hits are merged later.
    """
    pos = 0
    n = len(text)
    while pos <= n:
        m = pattern.search(text, pos)
        if m is None:
            return
        yield m
        pos = m.start() + 1


# --------------------------------------------------------------------------------------
# National identity numbers, D-numbers and H-numbers
# --------------------------------------------------------------------------------------

# Six digits (DDMMYY), an optional single space, five digits. [0-9] rather than \d so that
# other scripts' digits never reach int(). The lookarounds refuse a piece of a longer
# number and the end of a decimal like "3.14159265358".
_ELEVEN_DIGITS = re.compile(
    r"(?<![0-9])(?<![0-9][.,])"
    r"[0-9]{6}[ \u00a0]?[0-9]{5}"
    r"(?![0-9])(?![.,][0-9])"
)

_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _mod11_check_digit(digits: list[int], weights: tuple[int, ...]) -> int | None:
    remainder = sum(d * w for d, w in zip(digits, weights)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None  # no valid check digit exists for this prefix
    return 11 - remainder


def _valid_ddmmyy(day: int, month: int, yy: int) -> bool:
    # The century is encoded in the individual number, but the only thing it changes for
    # date validity is 29 February. Accept the date if it exists in 19yy or 20yy.
    for century in (1900, 2000):
        try:
            date(century + yy, month, day)
        except ValueError:
            continue
        return True
    return False


def _classify_eleven(digits: str) -> str | None:
    """national_id, d_number (also H-numbers) or None for 11 digits."""
    ds = [int(c) for c in digits]
    k1 = _mod11_check_digit(ds[:9], _K1_WEIGHTS)
    if k1 is None or k1 != ds[9]:
        return None
    k2 = _mod11_check_digit(ds[:10], _K2_WEIGHTS)
    if k2 is None or k2 != ds[10]:
        return None

    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    kind = NATIONAL_ID
    if day > 40:  # D-number: first digit 4-7, day + 40
        day -= 40
        kind = D_NUMBER
    if month > 40:  # H-number (health services' help number): month + 40
        if kind == D_NUMBER:
            return None  # a number is never both
        month -= 40
        kind = D_NUMBER
    if not _valid_ddmmyy(day, month, yy):
        return None
    return kind


def _scan_identity_numbers(text: str) -> list[tuple[str, int, int]]:
    hits = []
    for m in _ELEVEN_DIGITS.finditer(text):
        digits = m.group().replace(" ", "").replace("\u00a0", "")
        kind = _classify_eleven(digits)
        if kind:
            hits.append((kind, m.start(), m.end()))
    return hits


# --------------------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------------------

_S = "[ \u00a0]"
# Norwegian numbers have 8 digits and start with 2-9. Without a +47 prefix we only accept
# the ways people actually write them, so that sums, dates and counts do not look alike:
# 41234567, 412 34 567, 41 23 45 67.
_NO_LOCAL = (
    rf"(?:[2-9][0-9]{{7}}"  # 41234567
    rf"|[2-9][0-9]{{2}}{_S}[0-9]{{2}}{_S}[0-9]{{3}}"  # 412 34 567
    rf"|[2-9][0-9](?:{_S}[0-9]{{2}}){{3}})"  # 41 23 45 67
)
# After +47/0047 the intent is clear, so "4123 4567" and hyphens are fine too.
_NO_PREFIXED = rf"(?:{_NO_LOCAL}|[2-9][0-9]{{3}}[ \u00a0-][0-9]{{4}}|[2-9][0-9]{{2}}-[0-9]{{2}}-[0-9]{{3}})"

# The number must not continue: no digit, no ".5"/":30"/"/10" tail, and no further group
# of two or more digits ("41 23 45 67 89" is not a phone number we understand).
_PHONE_END = r"(?![0-9])(?![.,:/-][0-9])(?![ \u00a0][0-9]{2})"

_PHONE_NO = re.compile(
    r"(?:"
    rf"(?<![\w+])(?:\+|00)47{_S}?(?:\(0\){_S}?)?{_NO_PREFIXED}"
    r"|"
    # Not glued to a word ("ID41234567") or to a number ("3.41234567", "12 41234567").
    rf"(?<!\w)(?<![0-9][.,:/-])(?<![0-9][ \u00a0]){_NO_LOCAL}"
    r")" + _PHONE_END
)

# Any other country: "+" and 8-15 digits in total, single separators allowed, and an
# optional "(0)". Each repetition consumes exactly one digit, so there is only one way to
# match and no catastrophic backtracking. +47 is left to the stricter pattern above.
_PHONE_INTL = re.compile(
    r"(?<![\w+])\+(?!47)[1-9](?:[ \u00a0.\-]?(?:\([0-9]{1,3}\)[ \u00a0]?)?[0-9]){7,16}(?![0-9])"
)


def _looks_like_compact_date(digits: str) -> bool:
    """'24122023' (DDMMYYYY) or '20240312' (YYYYMMDD) is a date, not a phone number."""
    try:
        date(int(digits[4:8]), int(digits[2:4]), int(digits[0:2]))
        if 1900 <= int(digits[4:8]) <= 2099:
            return True
    except ValueError:
        pass
    try:
        date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
        if 1900 <= int(digits[0:4]) <= 2099:
            return True
    except ValueError:
        pass
    return False


def _scan_phones(text: str) -> list[tuple[str, int, int]]:
    hits = []
    for m in _PHONE_NO.finditer(text):
        s = m.group()
        if s.isdigit() and len(s) == 8 and _looks_like_compact_date(s):
            continue
        hits.append((PHONE, m.start(), m.end()))
    for m in _PHONE_INTL.finditer(text):
        n_digits = sum(c.isdigit() for c in m.group())
        if 8 <= n_digits <= 15:
            hits.append((PHONE, m.start(), m.end()))
    return hits


# --------------------------------------------------------------------------------------
# E-mail
# --------------------------------------------------------------------------------------

# The lookbehind lets a match start only at the beginning of a run of address characters,
# so a long run without "@" is read once instead of once per character. Domain labels
# cannot contain a dot, so splitting "a.b.c" into labels is unambiguous.
_EMAIL = re.compile(
    r"(?<![\w.%+-])[\w.%+-]{1,64}@"
    r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+"
    r"[^\W\d_]{2,24}(?![\w-])"
)


def _scan_emails(text: str) -> list[tuple[str, int, int]]:
    return [(EMAIL, m.start(), m.end()) for m in _EMAIL.finditer(text)]


# --------------------------------------------------------------------------------------
# Addresses
# --------------------------------------------------------------------------------------

# House number: 1-4 digits, optionally a letter ("5B", "12 B"). It must not run on into
# a time, decimal or date ("12:30", "12.5") nor into a word ("12th").
_HOUSE = r"[0-9]{1,4}(?:[A-Ha-h]|[ \u00a0][A-H])?(?!\w)(?![.,:/][0-9])"

_NO_STREET_SUFFIXES = (
    "gate", "gata", "gaten", "veien", "vegen", "vei", "veg", "stien", "plassen", "plass",
    "allé", "alléen", "alle", "bakken", "svingen", "torget", "brygge", "brygga",
)  # fmt: skip

# "Storgata 12", "Kirkeveien 5B": one capitalised word ending in a street suffix. The
# stem must have at least one lower-case letter, so "Alle 3 barna" ("all 3 children") and
# plain "Veien" do not count.
_NO_COMPOUND_STREET = re.compile(
    rf"(?<![\w-])[A-ZÆØÅ][a-zæøåé]+(?:{_alternation(_NO_STREET_SUFFIXES)})[ \u00a0]+{_HOUSE}"
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

# English verbs that happen to end in "gate" ("Investigate 3 options").
_NOT_STREETS = {
    "aggregate", "congregate", "delegate", "interrogate", "propagate", "relegate",
    "segregate", "subjugate", "abrogate", "surrogate", "elongate", "colgate",
}  # fmt: skip

# Words before four digits that say "this is a year, time, amount or count". ("i" and
# "in" are not here: "bor i 4604 Kristiansand" is an address; years are handled apart.)
_NOT_POSTCODE_BEFORE = {
    "år", "året", "year", "since", "siden", "until", "innen", "før", "etter", "before",
    "after", "høsten", "våren", "sommeren", "vinteren", "autumn", "spring", "summer",
    "winter", "ca", "about", "around", "over", "under", "kl", "klokka", "klokken", "nr",
    "no", "kr", "nok", "page", "side", "uke", "week", "during", "mellom", "between",
    "room", "rom", "floor", "etasje", "code", "kode", "pin", "ref", "sak", "case", "id",
}  # fmt: skip


def _scan_addresses(text: str) -> list[tuple[str, int, int]]:
    hits = []
    for m in _NO_COMPOUND_STREET.finditer(text):
        word = m.group().split()[0].lower()
        if word in _NOT_STREETS or word.endswith("igate"):
            continue
        hits.append((ADDRESS, m.start(), m.end()))
    for m in _search_all(_NO_SPLIT_STREET, text):
        if _is_common_word(m.group("w2").split()[0]):
            continue
        start = m.start()
        if m.group("w1") and _is_common_word(m.group("w1")):
            start = m.start("w2")
        hits.append((ADDRESS, start, m.end()))
    for m in _search_all(_EN_STREET_AFTER, text):
        start = m.start()
        if _is_common_word(m.group("w1")):
            if not m.group("w2") or _is_common_word(m.group("w2")):
                continue
            start = m.start("w2")  # "On Elm Street 14" -> "Elm Street 14"
        hits.append((ADDRESS, start, m.end()))
    for m in _search_all(_EN_STREET_BEFORE, text):
        if _is_common_word(m.group("w1")) or (m.group("w2") and _is_common_word(m.group("w2"))):
            continue
        hits.append((ADDRESS, m.start(), m.end()))
    for m in _POSTCODE.finditer(text):
        number, place = m.group().split(None, 1)
        if place in _NOT_PLACES or _prev_word(text, m.start()) in _NOT_POSTCODE_BEFORE:
            continue
        if 1900 <= int(number) <= 2099:
            # Could be a year ("2024 Emma ..."). Real postcodes in that range (2000
            # Lillestrøm) are nearly always written after a street: "..., 2000 Lillestrøm".
            before = text[max(0, m.start() - 10) : m.start()].rstrip(" \t\u00a0")
            if not before.endswith(","):
                continue
        hits.append((ADDRESS, m.start(), m.end()))
    return hits


# --------------------------------------------------------------------------------------
# Names next to family words
# --------------------------------------------------------------------------------------

_FAMILY_NOUNS_EN = {
    "mother", "mum", "mom", "mummy", "mommy", "mama", "father", "dad", "daddy", "papa",
    "baby", "infant", "newborn", "toddler", "son", "daughter", "child", "kid", "boy", "girl",
    "grandmother", "grandma", "granny", "grandfather", "grandpa", "sister", "brother",
    "sibling", "twin", "partner", "husband", "wife", "boyfriend", "girlfriend",
    "stepmother", "stepfather", "stepmum", "stepmom", "stepdad", "aunt", "uncle", "cousin",
    "parent", "parents", "family",
}  # fmt: skip
_FAMILY_NOUNS_NO = {
    "mor", "mora", "moren", "mors", "mamma", "mammaen", "mammas", "far", "faren", "fars",
    "pappa", "pappaen", "pappas", "baby", "babyen", "barn", "barnet", "spedbarn",
    "spedbarnet", "sønn", "sønnen", "datter", "datteren", "dattera", "jente", "jenta",
    "jenten", "gutt", "gutten", "bestemor", "bestefar", "mormor", "morfar", "farmor",
    "farfar", "søster", "søstera", "søsteren", "storesøster", "lillesøster", "bror",
    "broren", "storebror", "lillebror", "søsken", "tvilling", "tvillingen", "samboer",
    "samboeren", "partneren", "ektemann", "ektemannen", "mannen", "kona", "kone", "stemor",
    "stefar", "tante", "onkel", "fetter", "kusine", "forelder", "foreldrene", "familien",
}  # fmt: skip
_FAMILY_NOUNS = _FAMILY_NOUNS_EN | _FAMILY_NOUNS_NO
# Words that come *before* a child's name ("lille Emma") but cannot follow one.
_FAMILY_ADJECTIVES = {"lille", "vesle", "little"}

_FAM_ANY = rf"(?i:{_alternation(_FAMILY_NOUNS | _FAMILY_ADJECTIVES)})"
_FAM_NOUN = rf"(?i:{_alternation(_FAMILY_NOUNS)})"
# Norwegian puts the possessive after the noun: "datteren hans, Ida".
_POSS_AFTER = r"(?:hans|hennes|deres|sin|si|sitt|sine|min|mi|mitt|mine|din|di|ditt|vår|vårt)"
_DETERMINER = r"(?:the|a|an|our|his|her|their|my|hans|hennes|deres|min|mi|mitt|vår)"
_NAME_END = r"(?!\w)(?!-\w)"

# A) family word, then the name: "mother Kari", "the baby, Emma", "datteren hans, Ida",
#    "mora til Jonas", "mor (Kari)", "lille Emma". An optional surname is captured too.
_NAME_AFTER_FAMILY = re.compile(
    rf"(?<![\w-])(?P<fam>{_FAM_ANY})(?!\w)"
    rf"(?:{_SP}+{_POSS_AFTER})?"
    rf"(?:{_SP}*[,(]{_SP}*|{_SP}+)"
    rf"(?:(?:til|of){_SP}+)?"
    rf"(?P<name>{_NAME}){_NAME_END}(?:{_SP}+(?P<surname>{_NAME}){_NAME_END})?"
)

# B) possessive: "Kari's mother", "Jonas' mor", "Kari's little brother".
_NAME_POSSESSIVE = re.compile(
    rf"(?<![\w-])(?P<name>{_NAME})['’´`]s?{_SP}+(?:[{_LO}]+{_SP}+)?{_FAM_NOUN}(?!\w)"
)

# C) Norwegian genitive without apostrophe: "Karis mor", "Oles lille datter".
_NAME_GENITIVE = re.compile(
    rf"(?<![\w-])(?P<name>{_NAME})s{_SP}+(?:[{_LO}]+{_SP}+)?{_FAM_NOUN}(?!\w)"
)

# D) apposition: "Kari, the mother", "Ole (far)", "Kari Nordmann, mora til ...".
_NAME_APPOSITION = re.compile(
    rf"(?<![\w-])(?P<name>{_NAME})(?:{_SP}+(?P<surname>{_NAME}))?"
    rf"{_SP}*[,(]{_SP}*(?:{_DETERMINER}{_SP}+)?{_FAM_NOUN}(?!\w)"
)

# E) surname before "family": "the Hansen family".
_SURNAME_FAMILY = re.compile(
    rf"(?<![\w-])(?P<name>{_NAME}){_SP}+(?i:family|familien|familie)(?!\w)"
)

_ENGLISH_FAR = {"so", "as", "how", "too", "thus", "by", "that", "this", "very", "far"}
_PREPOSITIONS = {
    "in", "on", "at", "after", "before", "during", "since", "from", "until", "to", "into",
    "for", "i", "på", "etter", "før", "under", "siden", "fra", "til", "hos", "ved", "om",
    "mot", "over", "through", "gjennom", "across", "near", "nær",
}  # fmt: skip

_MONTHS_AND_DAYS = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Januar", "Februar", "Mars", "Mai", "Juni", "Juli",
    "Oktober", "Desember", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept",
    "Oct", "Okt", "Nov", "Dec", "Des", "Monday", "Tuesday", "Wednesday", "Thursday",
    "Friday", "Saturday", "Sunday", "Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag",
    "Lørdag", "Søndag", "Spring", "Summer", "Autumn", "Fall", "Winter", "Vår", "Sommer",
    "Høst", "Vinter", "Christmas", "Easter", "Påske", "Pinse", "Today", "Tonight",
    "Yesterday", "Tomorrow", "Weekend", "Helg", "Helgen",
}  # fmt: skip

# Function words, capitalised because they open a sentence. Compared with the exact
# token, e.g. "The", "Hennes".
_FUNCTION_WORDS = {
    # English
    "I", "A", "An", "The", "This", "That", "These", "Those", "He", "She", "It", "We", "You",
    "They", "Him", "Her", "His", "Hers", "Its", "Our", "Their", "My", "Your", "Me", "Us",
    "Them", "And", "But", "Or", "Nor", "So", "Yet", "If", "Then", "Than", "When", "While",
    "Where", "What", "Who", "Whom", "Why", "How", "Which", "After", "Before", "During",
    "Since", "Until", "In", "On", "At", "By", "For", "From", "To", "Of", "With", "Without",
    "About", "Also", "Here", "There", "Now", "Later", "Yes", "No", "Not", "Ok", "Okay",
    "Hello", "Hi", "Thanks", "Please", "Both", "All", "Each", "Every", "Everyone",
    "Everybody", "Someone", "Somebody", "Nobody", "Anyone", "Anybody", "Other", "Others",
    "Another", "One", "Two", "Three", "First", "Second", "Third", "Next", "Last", "Some",
    "Many", "Most", "Such", "Mr", "Mrs", "Ms", "Miss", "Dr", "Sir", "Madam", "God",
    "Jesus", "New", "Year", "Week", "Day", "Session", "Film", "Video", "Clip", "Note",
    "Notes", "Summary", "Plan", "Goal", "Home", "Visit", "Afterwards", "Meanwhile",
    "However", "Still", "Just", "Even", "Again", "Very", "Together",
    # Norwegian function words and everyday nouns
    "Jeg", "Du", "Han", "Hun", "Hen", "Den", "Det", "De", "Dem", "Deg", "Meg", "Seg", "Vi",
    "Oss", "Dere", "Deres", "Hennes", "Dens", "Dets", "Min", "Mi", "Mitt", "Mine", "Din",
    "Di", "Ditt", "Dine", "Sin", "Si", "Sitt", "Sine", "Vårt", "Våre", "En", "Ei", "Et",
    "Og", "Men", "Eller", "Så", "Da", "Når", "Hvis", "Om", "Som", "Etter", "Før", "Under",
    "Mens", "Siden", "Til", "Fra", "Med", "Uten", "På", "Hos", "Ved", "Mot", "Over",
    "Gjennom", "Ikke", "Ja", "Nei", "Hei", "Takk", "Alle", "Begge", "Hver", "Noen", "Ingen",
    "Andre", "Annen", "Annet", "Der", "Nå", "Senere", "Først", "Deretter", "Etterpå",
    "Hva", "Hvem", "Hvorfor", "Hvordan", "Hens", "Ens",
}  # fmt: skip

# Other capitalised words that are not names: professional vocabulary, institutions,
# places that often follow "til"/"to", nationalities.
_COMMON_CAPITALISED = _FUNCTION_WORDS | {
    "Dag", "Idag", "Økt", "Veiledning", "Veileder", "Terapeut", "Klipp", "Opptak",
    "Hjemmebesøk", "Besøk", "Mål", "Tiltak", "Samtale",
    # Marte Meo and the services around it ("Marte" is handled separately: a name unless
    # followed by "Meo")
    "Meo", "Bufetat", "Bufdir", "Nav", "Bup", "Ppt", "Abup", "Barnevernet", "Barnevern",
    "Barnevernstjenesten", "Familievernet", "Familievern", "Helsestasjon",
    "Helsestasjonen", "Statsforvalteren", "Fylkesmannen", "Kommunen", "Kommune",
    "Sykehuset", "Legevakten", "Fastlegen", "Fastlege", "Jordmor", "Psykolog", "Politiet",
    "Barnehage", "Barnehagen", "Skole", "Skolen", "Protective", "Services", "Service",
    "Welfare", "Protection", "Health", "Care", "Centre", "Center", "Clinic", "Unit",
    "Hospital", "Department", "Office", "Agency", "Development", "Psychiatry", "School",
    "Kindergarten", "Court", "Police", "Zoom", "Teams", "Skype", "Facetime", "Messenger",
    "Snapchat", "Instagram", "Facebook", "Google", "Tongue",
    # Places that typically follow "til"/"to"/"in"
    "Norge", "Norway", "Sverige", "Sweden", "Danmark", "Denmark", "Europa", "Europe",
    "Oslo", "Bergen", "Trondheim", "Stavanger", "Kristiansand", "Tromsø", "Drammen",
    "Fredrikstad", "Sandnes", "Bodø", "Ålesund", "Sarpsborg", "Skien", "Arendal",
    "Tønsberg", "Haugesund", "Hamar", "Lillehammer", "Gjøvik", "East", "West", "North",
    "South", "Nord", "Sør", "Øst", "Vest",
    # Nationalities, languages, religions (describe a family without naming it)
    "Norwegian", "Swedish", "Danish", "Finnish", "Sami", "Samisk", "English", "British",
    "American", "German", "French", "Spanish", "Italian", "Polish", "Lithuanian",
    "Latvian", "Estonian", "Russian", "Ukrainian", "Romanian", "Bulgarian", "Somali",
    "Syrian", "Afghan", "Eritrean", "Ethiopian", "Sudanese", "Iraqi", "Iranian", "Kurdish",
    "Turkish", "Pakistani", "Indian", "Tamil", "Thai", "Filipino", "Vietnamese", "Chinese",
    "Arab", "Arabic", "African", "Asian", "European", "Roma", "Romani", "Muslim", "Hindu",
    "Jewish", "Catholic", "Buddhist", "Sikh",
}  # fmt: skip

_NOT_NAMES = (
    _COMMON_CAPITALISED
    | _MONTHS_AND_DAYS
    | {w.capitalize() for w in _FAMILY_NOUNS | _FAMILY_ADJECTIVES}
    | {w.capitalize() + "s" for w in _FAMILY_NOUNS}
)

# Place-name check for postcodes: words that are clearly not places ("2024 The ...").
_NOT_PLACES = (
    _FUNCTION_WORDS
    | _MONTHS_AND_DAYS
    | {"Kroner", "Kr", "Euro", "Dollar", "Children", "Kids", "People", "Steps", "Meo"}
)


def _is_common_word(word: str) -> bool:
    return word in _NOT_NAMES or word.split("-")[0] in _NOT_NAMES


def _looks_like_name(text: str, start: int, end: int) -> bool:
    word = text[start:end]
    if not (2 <= len(word) <= 20) or not word[0].isupper() or not _NAME_FULL.fullmatch(word):
        return False
    if any(seg[1:] != seg[1:].lower() for seg in word.split("-")):
        return False  # "McX"/"NAv"-style mixed case: more likely an acronym or a brand
    if _is_common_word(word):
        return False
    # "Marte" on its own is an ordinary Norwegian name; "Marte Meo" is the method.
    return not (word == "Marte" and re.match(r"[ \t\u00a0\-]+Meo\b", text[end:end + 8]))


def _name_tokens(text: str, m: re.Match[str]) -> list[tuple[int, int, bool]]:
    """(start, end, looks_like_name) for the name and optional surname of a match."""
    spans = [(m.start("name"), m.end("name"))]
    if m.group("surname"):
        spans.append((m.start("surname"), m.end("surname")))
    return [(s, e, _looks_like_name(text, s, e)) for s, e in spans]


def _scan_names(text: str) -> list[tuple[str, int, int]]:
    hits: list[tuple[str, int, int]] = []

    # A) family word first. The name follows the family word, so it is never a sentence
    #    start (the separator cannot contain a full stop or a newline).
    for m in _search_all(_NAME_AFTER_FAMILY, text):
        if not _looks_like_name(text, m.start("name"), m.end("name")):
            continue
        fam = m.group("fam").lower()
        if fam == "far" and _prev_word(text, m.start()) in _ENGLISH_FAR:
            continue  # English "so far, Kari ..."
        end = m.end("name")
        if m.group("surname") and _looks_like_name(text, m.start("surname"), m.end("surname")):
            end = m.end("surname")
        hits.append((NAME_NEAR_FAMILY, m.start(), end))

    # B) "Kari's mother". An apostrophe possessive on a capitalised word is a strong
    #    signal, so this is accepted even at a sentence start (common words excluded).
    for m in _search_all(_NAME_POSSESSIVE, text):
        if _looks_like_name(text, m.start("name"), m.end("name")):
            hits.append((NAME_NEAR_FAMILY, m.start(), m.end()))

    # C) "Karis mor". "Hennes mor", "Barnets far" look the same at a sentence start, so a
    #    sentence-initial word is not trusted here.
    for m in _search_all(_NAME_GENITIVE, text):
        token_end = m.end("name") + 1  # include the genitive s
        stem = m.group("name")
        if _at_sentence_start(text, m.start()) or _is_common_word(text[m.start() : token_end]):
            continue
        if _looks_like_name(text, m.start(), m.end("name")) or (
            # Names that end in -s ("og Hans mor") have a stem that is a pronoun ("Han");
            # judge the whole token then. Other common stems ("Bufetats") stay excluded.
            stem in _FUNCTION_WORDS and _looks_like_name(text, m.start(), token_end)
        ):
            hits.append((NAME_NEAR_FAMILY, m.start(), m.end()))

    # D) "Kari, the mother". Introductory phrases ("Afterwards, the mother",
    #    "In Bergen, the father") look the same, so sentence starts and words after a
    #    preposition are skipped.
    for m in _search_all(_NAME_APPOSITION, text):
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
            _at_sentence_start(text, start) or _prev_word(text, start) in _PREPOSITIONS
        ):
            continue
        hits.append((NAME_NEAR_FAMILY, start, m.end()))

    # E) "the Hansen family".
    for m in _search_all(_SURNAME_FAMILY, text):
        if _at_sentence_start(text, m.start()):
            continue
        if _looks_like_name(text, m.start("name"), m.end("name")):
            hits.append((NAME_NEAR_FAMILY, m.start(), m.end()))

    return hits


# --------------------------------------------------------------------------------------
# Putting it together
# --------------------------------------------------------------------------------------


def _resolve(hits: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Remove overlaps, in O(n log n) so that long entries stay fast.

    Kinds are taken strongest first (national_id > d_number > email > phone > address >
    name). A candidate that overlaps an already accepted finding of a stronger kind is
    dropped; the remaining candidates of one kind are merged where they overlap, so
    "Kari, mora til Jonas" becomes one finding. Merging only covers characters that the
    surviving candidates already cover, so it can never create a new clash.
    """
    starts: list[int] = []  # accepted findings, sorted; they never overlap, so the
    ends: list[int] = []  # ends are sorted too
    kinds: list[str] = []
    for kind in sorted(KINDS, key=lambda k: (_PRIORITY[k], KINDS.index(k))):
        survivors = []
        for k, start, end in hits:
            if k != kind:
                continue
            i = bisect_left(starts, end)  # accepted findings before i start before `end`
            if i and ends[i - 1] > start:
                continue
            survivors.append((start, end))
        merged: list[list[int]] = []
        for start, end in sorted(survivors):
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        for start, end in merged:
            i = bisect_left(starts, start)
            starts.insert(i, start)
            ends.insert(i, end)
            kinds.insert(i, kind)
    return list(zip(kinds, starts, ends))


def _close_bracket(text: str, kind: str, start: int, end: int) -> tuple[str, int, int]:
    """"mor (Kari" -> "mor (Kari)": include a closing bracket right after the match."""
    if end < len(text) and text[end] == ")" and text.count("(", start, end) > text.count(")", start, end):
        end += 1
    return kind, start, end


def scan(text: str) -> list[Finding]:
    """Return identifying details found in ``text``, sorted by position, never overlapping."""
    if not isinstance(text, str):
        raise TypeError(f"scan() expects str, got {type(text).__name__}")
    if not text:
        return []
    hits: list[tuple[str, int, int]] = []
    hits += _scan_identity_numbers(text)
    hits += _scan_emails(text)
    hits += _scan_phones(text)
    hits += _scan_addresses(text)
    hits += _scan_names(text)
    hits = [_close_bracket(text, kind, start, end) for kind, start, end in hits]
    return [
        Finding(kind=kind, start=start, end=end, excerpt=text[start:end], message=MESSAGES[kind])
        for kind, start, end in _resolve(hits)
    ]


def scan_fields(fields: dict[str, str]) -> dict[str, list[Finding]]:
    """Scan several form fields at once; only fields with findings are returned.

    Empty or missing values (None) are treated as empty text.
    """
    result: dict[str, list[Finding]] = {}
    for name, value in fields.items():
        findings = scan(value or "")
        if findings:
            result[name] = findings
    return result
