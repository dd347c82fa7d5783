"""What every detector of the identifying-details check shares: the kinds of finding and
their messages, the data-file loader, and the small text helpers the patterns lean on.

See domain/pii/detect.py for what the check is for and the rules its patterns follow.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from domain.catalogue import texts
from domain.catalogue.texts import Text

NATIONAL_ID = "national_id"
D_NUMBER = "d_number"
PHONE = "phone"
EMAIL = "email"
ADDRESS = "address"
NAME_NEAR_FAMILY = "name_near_family"
# Record-like content (domain/pii/records.py): not identifying by itself, but record material.
BIRTH_DATE = "birth_date"
DIAGNOSIS = "diagnosis"
MEDICATION = "medication"
TEST_RESULT = "test_result"

KINDS: tuple[str, ...] = (NATIONAL_ID, D_NUMBER, PHONE, EMAIL, ADDRESS, NAME_NEAR_FAMILY,
                          BIRTH_DATE, DIAGNOSIS, MEDICATION, TEST_RESULT)

_DATA = Path(__file__).parent / "data"


@cache
def load_data(name: str) -> dict:
    """One TOML file from domain/pii/data, read once per process."""
    with (_DATA / name).open("rb") as fh:
        return tomllib.load(fh)


class _Messages(Mapping[str, str]):
    """kind -> message, in the language of the moment (the catalogue's language source, which
    the web layer sets; English without a request). Fokus's own wording, kept in
    data/messages.toml with the bokmål beside the English."""

    def __init__(self, table: dict) -> None:
        self._texts = {kind: Text(**table[kind]) for kind in KINDS}

    def __getitem__(self, kind: str) -> str:
        return texts.now(self._texts[kind])

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)


MESSAGES: Mapping[str, str] = _Messages(load_data("messages.toml"))


@dataclass(frozen=True)
class Finding:
    """One suspicious spot. ``text[start:end] == excerpt``."""

    kind: str
    start: int
    end: int
    excerpt: str
    message: str


SP = r"[ \t\u00a0]"  # horizontal space only: a newline ends the phrase we are reading

# Latin letters incl. æøå and the Latin-1 accented letters (José, Zoë, Müller). Latin
# Extended-A (Ł, Ś, ...) is allowed in both classes; case is re-checked in Python.
UP = "A-ZÀ-ÖØ-Þ\u0100-\u017f"
LO = "a-zß-öø-ÿ\u0100-\u017f"

# A capitalised, name-shaped token: "Kari", "Anne-Marie", "Øystein". Each hyphen segment
# must start with the hyphen, so the repetition cannot backtrack exponentially.
NAME = rf"[{UP}][{LO}]+(?:-[{UP}{LO}][{LO}]+)*"


def alternation(words: set[str] | frozenset[str] | tuple[str, ...]) -> str:
    # Longest first so that "moren" is preferred to "mor" when both could apply.
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


def prev_word(text: str, pos: int) -> str:
    """The word just before ``pos`` (lower-cased), ignoring spaces and punctuation."""
    window = text[max(0, pos - 40) : pos]
    m = re.search(r"(\w+)\W*$", window)
    return m.group(1).lower() if m else ""


_SENTENCE_SKIP = " \t\u00a0\"'«»“”‘’„([{*•–—-"


def at_sentence_start(text: str, pos: int) -> bool:
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


def search_all(pattern: re.Pattern[str], text: str):
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
