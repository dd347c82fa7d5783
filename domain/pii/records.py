"""Record-like content: diagnoses (ICD-10 codes and diagnosis words), medicines and doses, test
results, and full dates of birth. None of these identifies a family by itself the way a name
does, but each belongs in the family's record, not in reflection notes that must not grow into
a second, hidden record (issue 20.2). The check only warns, calmly; words live in
data/records.toml.

Quiet on purpose: a bare date, a millilitre of milk, "ADD" in a sentence or the name of a test
without a score say nothing a record would hold."""

from __future__ import annotations

import re
from collections.abc import Iterator

from domain.pii.common import BIRTH_DATE, DIAGNOSIS, MEDICATION, TEST_RESULT, alternation, load_data

_DATA = load_data("records.toml")
_B, _E = r"(?<![\w-])", r"(?![\w-])"      # a whole word, not part of one (nor of "F32-test")
_INFLECTION = r"[a-zæøå]{0,4}"            # depresjon-en, autism-e, diagnose-s

# ICD-10: a code with a decimal (F32.1, Z63.8) whatever the chapter; without one only the chapters
# a home visit would meet (F mental health, Z family circumstances, R symptoms, Q congenital,
# O pregnancy), so a road (E18) or a vitamin (B12) is not a diagnosis.
_ICD = re.compile(rf"{_B}(?:[A-TV-Z][0-9]{{2}}\.[0-9]{{1,2}}|[FZRQO][0-9]{{2}}){_E}")
_DIAGNOSIS_WORDS = re.compile(
    rf"{_B}(?:{alternation(set(_DATA['diagnoses']['en']) | set(_DATA['diagnoses']['nb']))}){_INFLECTION}{_E}",
    re.IGNORECASE)
_ABBREVIATIONS = re.compile(rf"{_B}(?:{alternation(set(_DATA['diagnoses']['abbreviations']))}){_E}")

_DOSE = re.compile(rf"{_B}[0-9]{{1,4}}(?:[.,][0-9]{{1,3}})?[ \u00a0]?(?:mg|mcg|µg|μg|IE|IU)(?:/(?:kg|dag|døgn|day|d))?{_E}")
_MEDICINES = re.compile(rf"{_B}(?:{alternation(set(_DATA['medication']['names']))}){_E}", re.IGNORECASE)

# A test's name, at most a few characters of "score"/":"/"=" or words, then the number.
_TEST = re.compile(
    rf"{_B}(?:{alternation(set(_DATA['tests']['names']))}){_E}"
    r"[ \u00a0:=]{0,3}(?:(?:score|skåre|sum|poeng|points|på|of|on|was|var|er|is)[ \u00a0:=]{1,3}){0,2}"
    r"[0-9]{1,3}(?:[.,][0-9])?(?![0-9])")
_PERCENTILE = re.compile(r"(?<![0-9])[0-9]{1,2}(?:\.|st|nd|rd|th)?[ \u00a0](?:persentil|percentile)\w{0,3}",
                         re.IGNORECASE)

_MONTHS = ("januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember|"
           "january|february|march|may|june|july|october|december")
_FULL_DATE = (rf"(?:[0-9]{{1,2}}[./-][0-9]{{1,2}}[./-](?:[0-9]{{4}}|[0-9]{{2}})(?![0-9])"
              rf"|[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}"
              rf"|[0-9]{{1,2}}\.?[ \u00a0](?:{_MONTHS})[ \u00a0][0-9]{{4}}"
              rf"|(?:{_MONTHS})[ \u00a0][0-9]{{1,2}},?[ \u00a0][0-9]{{4}})")
# A birth cue right before a full date: "født 12.03.2019", "f. 3. mai 2018", "DOB 2019-03-12".
_BIRTH = re.compile(
    rf"{_B}(?:født|fødd|f\.|fødselsdato|f\.dato|born(?:[ \u00a0]on)?|date[ \u00a0]of[ \u00a0]birth|DOB|d\.o\.b\.)"
    rf"[ \u00a0:]{{0,3}}(?:den[ \u00a0]|on[ \u00a0])?{_FULL_DATE}", re.IGNORECASE)

Hit = tuple[str, int, int]


def _hits(kind: str, pattern: re.Pattern[str], text: str) -> Iterator[Hit]:
    for m in pattern.finditer(text):
        yield kind, m.start(), m.end()


def scan_records(text: str) -> list[Hit]:
    """Every record-like spot in ``text`` as (kind, start, end) candidates."""
    return [
        *_hits(DIAGNOSIS, _ICD, text),
        *_hits(DIAGNOSIS, _DIAGNOSIS_WORDS, text),
        *_hits(DIAGNOSIS, _ABBREVIATIONS, text),
        *_hits(MEDICATION, _DOSE, text),
        *_hits(MEDICATION, _MEDICINES, text),
        *_hits(TEST_RESULT, _TEST, text),
        *_hits(TEST_RESULT, _PERCENTILE, text),
        *_hits(BIRTH_DATE, _BIRTH, text),
    ]
