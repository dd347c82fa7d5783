"""Tests for domain/pii/detect.py: the "is this identifying?" warnings shown before save/share.

Two kinds of promises are guarded here:
  * true positives: the slips therapists actually make are found, with the right kind;
  * false positives: ordinary journal language (times, dates, film timestamps, "Marte
    Meo", process codes) stays completely clean, because a warning that fires on
    everything teaches people to ignore it.

All identity numbers below are synthetic: they are built from a date and a made-up
individual number by the same check-digit rule the register uses.
"""

from __future__ import annotations

import importlib
import itertools
import pkgutil
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.pii.detect import (
    ADDRESS,
    D_NUMBER,
    EMAIL,
    KINDS,
    MESSAGES,
    NAME_NEAR_FAMILY,
    NATIONAL_ID,
    PHONE,
    Finding,
    scan,
    scan_fields,
)

# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------

K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _control(digits: str, weights: tuple[int, ...]) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(digits, weights)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def with_check_digits(first9: str) -> str | None:
    """Append both mod-11 control digits, or None if this prefix has no valid number."""
    assert len(first9) == 9 and first9.isdigit()
    k1 = _control(first9, K1)
    if k1 is None:
        return None
    k2 = _control(first9 + str(k1), K2)
    if k2 is None:
        return None
    return f"{first9}{k1}{k2}"


def make_number(day: int, month: int, yy: int, individual: int = 400) -> str:
    """A valid synthetic 11-digit number for the given (possibly +40) day and month."""
    for ind in range(individual, individual + 1000):
        number = with_check_digits(f"{day:02d}{month:02d}{yy:02d}{ind % 1000:03d}")
        if number:
            return number
    raise AssertionError("no valid individual number found")  # pragma: no cover


def break_check_digit(number: str, position: int) -> str:
    """Same number with one control digit changed, so that it no longer validates."""
    digit = (int(number[position]) + 1) % 10
    return number[:position] + str(digit) + number[position + 1 :]


def kinds(text: str) -> list[str]:
    return [f.kind for f in scan(text)]


def excerpts(text: str, kind: str | None = None) -> list[str]:
    return [f.excerpt for f in scan(text) if kind is None or f.kind == kind]


# Synthetic numbers that validate (checked independently of the helper above).
KNOWN_VALID_NATIONAL_IDS = ["15076500565", "01010750160", "08077000292", "31129956715"]
KNOWN_VALID_D_NUMBERS = ["41018036736"]

BIRTH_DATES = [(1, 1, 90), (15, 7, 65), (29, 2, 0), (29, 2, 84), (31, 12, 99), (30, 4, 21), (10, 10, 10)]


# --------------------------------------------------------------------------------------
# National identity numbers and D-numbers
# --------------------------------------------------------------------------------------


class TestHelper:
    def test_helper_agrees_with_known_numbers(self):
        for number in KNOWN_VALID_NATIONAL_IDS + KNOWN_VALID_D_NUMBERS:
            assert with_check_digits(number[:9]) == number

    def test_remainder_one_means_no_number(self):
        # Some prefixes cannot carry a valid k1; the helper reports that as None.
        assert any(with_check_digits(f"010190{i:03d}") is None for i in range(100))


class TestNationalId:
    @pytest.mark.parametrize("number", KNOWN_VALID_NATIONAL_IDS)
    def test_known_valid_numbers(self, number):
        text = f"Fnr {number} ble nevnt."
        assert kinds(text) == [NATIONAL_ID]
        assert excerpts(text) == [number]

    @pytest.mark.parametrize("day,month,yy", BIRTH_DATES)
    def test_generated_numbers(self, day, month, yy):
        number = make_number(day, month, yy)
        assert kinds(f"The mother's number is {number}.") == [NATIONAL_ID]

    @pytest.mark.parametrize("day,month,yy", BIRTH_DATES[:3])
    def test_space_between_date_and_personal_number(self, day, month, yy):
        number = make_number(day, month, yy)
        spaced = f"{number[:6]} {number[6:]}"
        assert excerpts(f"nr. {spaced} i journalen") == [spaced]
        assert kinds(f"nr. {spaced}") == [NATIONAL_ID]

    def test_two_spaces_is_not_accepted(self):
        number = make_number(1, 1, 90)
        assert scan(f"{number[:6]}  {number[6:]}") == []

    @pytest.mark.parametrize("position", [9, 10])
    @pytest.mark.parametrize("day,month,yy", BIRTH_DATES)
    def test_invalid_check_digit_is_ignored(self, day, month, yy, position):
        broken = break_check_digit(make_number(day, month, yy), position)
        assert NATIONAL_ID not in kinds(f"nr {broken}")
        assert scan(broken) == []

    @pytest.mark.parametrize(
        "day,month,yy",
        [
            (31, 2, 99),
            (30, 2, 0),
            (29, 2, 83),
            (32, 1, 90),
            (0, 1, 90),
            (15, 13, 90),
            (15, 0, 90),
            (31, 4, 90),
        ],
    )
    def test_invalid_date_is_ignored(self, day, month, yy):
        # Check digits are valid, only the date is impossible.
        number = make_number(day, month, yy)
        assert scan(number) == []

    @pytest.mark.parametrize("day,month,yy", BIRTH_DATES[:3])
    def test_longer_or_shorter_digit_runs_are_ignored(self, day, month, yy):
        number = make_number(day, month, yy)
        assert scan(number[:-1]) == []  # 10 digits
        assert scan(number + "7") == []  # 12 digits
        assert scan("3" + number) == []  # 12 digits
        assert scan("99" + number + "12") == []
        assert scan(f"{number}.5") == []  # a decimal, not an identity number

    def test_number_next_to_letters_and_punctuation(self):
        number = make_number(24, 12, 85)
        assert kinds(f"({number})") == [NATIONAL_ID]
        assert kinds(f"fnr:{number},") == [NATIONAL_ID]

    def test_reported_as_national_id_not_phone(self):
        number = make_number(12, 3, 88)
        found = scan(f"Ring meg, fnr {number}")
        assert [f.kind for f in found] == [NATIONAL_ID]


class TestDNumber:
    @pytest.mark.parametrize("number", KNOWN_VALID_D_NUMBERS)
    def test_known_valid(self, number):
        assert kinds(f"D-nummer {number}") == [D_NUMBER]

    @pytest.mark.parametrize("day,month,yy", BIRTH_DATES)
    def test_generated_d_numbers(self, day, month, yy):
        number = make_number(day + 40, month, yy)
        assert number[0] in "4567"
        assert kinds(f"D-nr {number}.") == [D_NUMBER]

    @pytest.mark.parametrize("day,month,yy", [(1, 1, 90), (31, 12, 5)])
    def test_h_numbers_month_plus_40(self, day, month, yy):
        number = make_number(day, month + 40, yy)
        assert kinds(f"H-nummer {number}") == [D_NUMBER]

    @pytest.mark.parametrize("position", [9, 10])
    def test_invalid_check_digits(self, position):
        broken = break_check_digit(make_number(52, 6, 77), position)
        assert scan(broken) == []

    @pytest.mark.parametrize("day,month", [(72, 1), (71, 4), (40, 1), (69, 2)])
    def test_invalid_d_dates(self, day, month):
        # 72-40 = 32; 31 April; day 0; 29 Feb in a year that is never a leap year.
        assert scan(make_number(day, month, 1)) == []

    def test_both_d_and_h_is_not_a_number(self):
        assert scan(make_number(41, 41, 90)) == []


# --------------------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------------------


class TestPhone:
    @pytest.mark.parametrize(
        "phone",
        [
            "41234567",
            "412 34 567",
            "41 23 45 67",
            "91234567",
            "22 33 44 55",
            "55 12 34 56",
            "800 12 345",
            "+47 41234567",
            "+4741234567",
            "+47 412 34 567",
            "+47 41 23 45 67",
            "+47 4123 4567",
            "+47 412-34-567",
            "0047 41234567",
            "0047 41 23 45 67",
            "+46 70 123 45 67",
            "+44 20 7946 0958",
            "+44 (0)20 7946 0958",
            "+1 555 123 4567",
            "+1 (555) 123-4567",
            "+48 512 345 678",
            "+252 61 1234567",
        ],
    )
    def test_phone_formats(self, phone):
        text = f"Mora ga meg nummeret {phone} i dag."
        assert [(f.kind, f.excerpt) for f in scan(text)] == [(PHONE, phone)]

    @pytest.mark.parametrize("phone", ["41234567", "412 34 567", "+47 41 23 45 67"])
    def test_phone_at_edges_and_in_punctuation(self, phone):
        for text in (phone, f"({phone})", f"tlf. {phone}", f"tlf:{phone}.", f"{phone}, ring etter 16"):
            assert excerpts(text, PHONE) == [phone], text

    @pytest.mark.parametrize(
        "text",
        [
            "12345678",  # Norwegian numbers never start with 0 or 1
            "01234567",
            "2024",
            "In 2024 we met twice",
            "14:30",
            "kl. 14.30",
            "12.03.2024",
            "2024-03-12",
            "24122023",  # compact date DDMMYYYY
            "20240312",  # compact date YYYYMMDD
            "film 3 at 04:12",
            "from 00:12:31 to 00:14:02",
            "intensity 7/10",
            "3 films",
            "the 3rd visit",
            "45 minutes",
            "kr 12 500",
            "20 000 000",
            "2 000 000",
            "41 23 45 67 89",  # ten digits in pairs: not a number we understand
            "3.41234567",
            "ID41234567",
            "4123456",  # seven digits
            "412345678",  # nine digits
            "+4 degrees",
            "5+10000000",
            "2023-2024",
            "1/2 3/4",
            "MM-24-07",
        ],
    )
    def test_not_phone(self, text):
        assert PHONE not in kinds(text)
        assert scan(text) == []


# --------------------------------------------------------------------------------------
# E-mail
# --------------------------------------------------------------------------------------


class TestEmail:
    @pytest.mark.parametrize(
        "email",
        [
            "kari.nordmann@example.no",
            "ola+fokus@sub.example.co.uk",
            "k_n-1990@mail.example.com",
            "bjørn@eksempel.no",
            "a@b.co",
        ],
    )
    def test_email(self, email):
        for text in (email, f"Send til {email}.", f"<{email}>", f"mail:{email}, takk"):
            assert [(f.kind, f.excerpt) for f in scan(text)] == [(EMAIL, email)], text

    @pytest.mark.parametrize(
        "text",
        ["kari@example", "@kari", "kari@", "mother @ home", "a@b", "user@.no", "x@y.1", "kari@@example.no"],
    )
    def test_not_email(self, text):
        assert EMAIL not in kinds(text)


# --------------------------------------------------------------------------------------
# Addresses
# --------------------------------------------------------------------------------------


class TestAddress:
    @pytest.mark.parametrize(
        "address",
        [
            "Storgata 12",
            "Storgata 12B",
            "Kirkeveien 5 B",
            "Parkveien 3A",
            "Ringvegen 101",
            "Kirkevei 7",
            "Skogstien 2",
            "Torgplassen 1",
            "Stortorget 4",
            "Kongens gate 5B",
            "Karl Johans gate 1",
            "Dronning Eufemias gate 16",
            "Thereses gate 3",
            "Bygdøy allé 2",
            "Elm Street 14",
            "14 Elm Street",
            "221B Baker Street",
            "Abbey Road 3",
            "Penny Lane 9",
            "4604 Kristiansand",
            "0155 Oslo",
            "1430 Ås",
            "9008 Tromsø",
        ],
    )
    def test_address(self, address):
        text = f"Familien bor i {address}, i andre etasje."
        assert [(f.kind, f.excerpt) for f in scan(text)] == [(ADDRESS, address)]

    def test_street_and_postcode_are_two_findings(self):
        text = "Adresse: Storgata 12, 2000 Lillestrøm"
        assert [(f.kind, f.excerpt) for f in scan(text)] == [
            (ADDRESS, "Storgata 12"),
            (ADDRESS, "2000 Lillestrøm"),
        ]

    @pytest.mark.parametrize(
        "text,excerpt",
        [
            ("On Elm Street 14 we met", "Elm Street 14"),
            ("I Karl Johans gate 1 bor de", "Karl Johans gate 1"),
            ("The Hansens gate 4", "Hansens gate 4"),
        ],
    )
    def test_leading_common_word_is_trimmed(self, text, excerpt):
        assert excerpts(text, ADDRESS) == [excerpt]

    @pytest.mark.parametrize(
        "text",
        [
            "Storgata",
            "Storgata 12:30",
            "Storgata 12th",
            "veien videre er lang",
            "Veien 5",
            "Nesten alle 3 barna sov",
            "på vei 3 ganger",
            "Investigate 3 options",
            "Navigate 2 screens",
            "In 2024 Bufetat changed the rules",
            "2024 Emma turned one",
            "Since 2019 Kari has",
            "12.03.2024 Emma smiled",
            "kl 1430 Ås",
            "5000 Kroner",
            "1200 Children",
            "2024 March",
            "The gate 5 was closed",
            "Street 14",
            "Room 2301 Floor 3",
        ],
    )
    def test_not_address(self, text):
        assert ADDRESS not in kinds(text)


# --------------------------------------------------------------------------------------
# Names next to family words
# --------------------------------------------------------------------------------------


class TestNameNearFamily:
    @pytest.mark.parametrize(
        "text,excerpt",
        [
            # English
            ("I talked with mother Kari today.", "mother Kari"),
            ("We watched Kari's mother play.", "Kari's mother"),
            ("Kari's mother came in.", "Kari's mother"),  # possessive is trusted at a start
            ("Jonas' dad held him.", "Jonas' dad"),
            ("the baby, Emma, smiled", "baby, Emma"),
            ("baby Noah cried", "baby Noah"),
            ("Baby Noah cried", "Baby Noah"),
            ("little Emma slept", "little Emma"),
            ("the mother of Jonas", "mother of Jonas"),
            ("her son Lucas laughed", "son Lucas"),
            ("the daughter, Ida,", "daughter, Ida"),
            ("grandma Anne-Marie visited", "grandma Anne-Marie"),
            ("mother Kari Nordmann came", "mother Kari Nordmann"),
            ("the father, José, came", "father, José"),
            ("with Kari, the mother, we", "Kari, the mother"),
            ("met Kari Nordmann, the mother", "Kari Nordmann, the mother"),
            ("visited Ole (father) at home", "Ole (father)"),
            ("the mother (Kari) and", "mother (Kari)"),
            ("we met the Hansen family", "Hansen family"),
            ("Kari's little brother", "Kari's little brother"),
            ("the partner Alex", "partner Alex"),
            # Norwegian
            ("mora til Jonas var sliten", "mora til Jonas"),
            ("faren Ole holdt babyen", "faren Ole"),
            ("lille Emma sovnet", "lille Emma"),
            ("Lille Emma sovnet", "Lille Emma"),
            ("vesle Ida smilte", "vesle Ida"),
            ("sønnen Jonas lo", "sønnen Jonas"),
            ("datteren hans, Ida, gråt", "datteren hans, Ida"),
            ("sønnen hans Jonas", "sønnen hans Jonas"),
            ("Vi snakket med moren Marte om det.", "moren Marte"),  # Marte alone is a name
            ("vi møtte Karis mor i dag", "Karis mor"),
            ("og Hans mor kom", "Hans mor"),
            ("med Oles lille datter", "Oles lille datter"),
            ("Jonas' mor var der", "Jonas' mor"),
            ("mor (Kari) sa", "mor (Kari)"),
            ("besøk hos Ole (far) gikk fint", "Ole (far)"),
            ("Ole (far) kom sent", "Ole (far)"),  # a bracketed role is trusted at a start
            ("bestemor Åse kom", "bestemor Åse"),
            ("broren Øystein", "broren Øystein"),
            ("mamma Zoë", "mamma Zoë"),
            ("babyen, Noah, sov", "babyen, Noah"),
            ("gutten Elias lekte", "gutten Elias"),
            ("jenta Sofie lo", "jenta Sofie"),
            ("samboeren Per-Erik", "samboeren Per-Erik"),
            ("familien Hansen", "familien Hansen"),
        ],
    )
    def test_name_near_family(self, text, excerpt):
        assert [(f.kind, f.excerpt) for f in scan(text)] == [(NAME_NEAR_FAMILY, excerpt)]

    def test_several_names_in_one_note(self):
        text = "Mora til Jonas ringte. Senere kom faren Ole og lille Emma."
        assert excerpts(text) == ["Mora til Jonas", "faren Ole", "lille Emma"]

    def test_overlapping_phrases_become_one_finding(self):
        text = "Vi møtte Kari, mora til Jonas, i dag."
        found = scan(text)
        assert [(f.kind, f.excerpt) for f in found] == [(NAME_NEAR_FAMILY, "Kari, mora til Jonas")]

    @pytest.mark.parametrize(
        "text",
        [
            "The mother was tired",
            "I met the father at 14:30 on 12.03.2024",
            "In March the baby smiled",
            "Marte Meo session",
            "the mother, Marte Meo trained, said",
            "the Marte Meo family work",
            "CPS asked",
            "CPS asked the mother",
            "the mother asked CPS",
            "the mother called NAV and BUP",
            "moren ringte Bufetat",
            "the mother, The end",
            "Monday",
            "the baby on Monday",
            "mother Monday",
            "faren I dag",
            "the baby I saw",
            "mother OK",
            "The mother told the baby. Then we left.",
            "the mother\nKari",  # a new line ends the phrase
            "Mother's Day",
            "Everyone's baby",
            "Today's mother",
            "Hennes mor kom",
            "Hans mor kom",  # sentence start: "His mother came"
            "Barnets far kom",
            "Karis mor kom",  # sentence start is not trusted for this form
            "Afterwards, the mother said",
            "In Bergen, the father said",
            "In March, the baby smiled",
            "Kari, the mother, said",  # sentence start is not trusted for this form
            "a Norwegian family",
            "a Polish family",
            "Father Christmas",
            "The Far East",
            "So far, Kari has",
            "little English",
            "a father of Norwegian descent",
            "Child Protective Services came",
            "took the baby to Oslo",
            "gikk med babyen til Bergen",
            "the mother MM-24-07",
            "MM-24-07 mother",
            "Process code MM-24-07",
            "prosesskode MM-24-07, mor og baby",
            "mother Dr",
            "the mother Hennes",
            "moren Nav",
            "In 2024 the mother",
            "mother of two",
        ],
    )
    def test_not_name(self, text):
        assert NAME_NEAR_FAMILY not in kinds(text)
        assert scan(text) == []

    @pytest.mark.parametrize("word", ["Ab", "A" + "b" * 19])
    def test_name_length_limits(self, word):
        assert excerpts(f"mother {word} came") == [f"mother {word}"]

    @pytest.mark.parametrize("word", ["X", "A" + "b" * 20])
    def test_names_outside_length_limits(self, word):
        assert scan(f"mother {word} came") == []


# --------------------------------------------------------------------------------------
# Clean journal language: nothing at all may be reported
# --------------------------------------------------------------------------------------

CLEAN_TEXTS = [
    "The mother was tired",
    "I met the father at 14:30 on 12.03.2024",
    "film 3 at 04:12",
    "intensity 7/10",
    "In March the baby smiled",
    "Marte Meo session",
    "CPS asked",
    "MM-24-07",
    "2024",
    "Monday",
    "3 films",
    (
        "Hjemmebesøk 12.03.2024 kl. 10:15-11:30, prosesskode MM-24-07. Vi så film 2 "
        "(00:04:12) sammen. Mor fulgte babyens initiativ 3 ganger; intensitet 7/10. "
        "I mars smilte babyen mer. Marte Meo-veiledning nr. 4 av 8."
    ),
    (
        "Session 4 of 8 on Monday. The mother named the baby's feelings twice in clip 3 "
        "(01:12-01:40). CPS asked for a summary by 15 April 2024. I felt 6/10 calm."
    ),
]


@pytest.mark.parametrize("text", CLEAN_TEXTS)
def test_clean_texts_have_no_findings(text):
    assert scan(text) == []


# --------------------------------------------------------------------------------------
# Finding objects, offsets, ordering, overlaps, scan_fields
# --------------------------------------------------------------------------------------

MIXED = (
    "Mora til Jonas (fnr {fnr}) ringte fra 412 34 567. Hun bor i Storgata 12, "
    "4604 Kristiansand, og skriver til kari.nordmann@example.no. Lille Emma sov."
)


def mixed_text() -> str:
    return MIXED.format(fnr=make_number(15, 7, 90))


def test_mixed_note_finds_every_kind_in_order():
    text = mixed_text()
    found = scan(text)
    assert [f.kind for f in found] == [
        NAME_NEAR_FAMILY,
        NATIONAL_ID,
        PHONE,
        ADDRESS,
        ADDRESS,
        EMAIL,
        NAME_NEAR_FAMILY,
    ]


def test_offsets_match_excerpt():
    text = mixed_text()
    for f in scan(text):
        assert text[f.start : f.end] == f.excerpt
        assert 0 <= f.start < f.end <= len(text)


def test_sorted_and_not_overlapping():
    text = mixed_text() * 3
    found = scan(text)
    assert found == sorted(found, key=lambda f: f.start)
    for a, b in itertools.pairwise(found):
        assert a.end <= b.start


def test_stronger_kind_wins_an_overlap():
    # "mother Storgata" alone would read as a name; the address is the better explanation.
    assert [(f.kind, f.excerpt) for f in scan("the mother Storgata 12")] == [(ADDRESS, "Storgata 12")]


def test_messages_are_kind_and_per_kind():
    text = mixed_text()
    for f in scan(text):
        assert f.message == MESSAGES[f.kind]
    assert set(MESSAGES) == set(KINDS)
    for message in MESSAGES.values():
        assert message.endswith(".") and len(message) < 200


def test_finding_is_frozen():
    f = scan("mother Kari")[0]
    assert isinstance(f, Finding)
    with pytest.raises(AttributeError):
        f.start = 3  # type: ignore[misc]


def test_empty_text():
    assert scan("") == []


def test_non_string_is_rejected():
    with pytest.raises(TypeError):
        scan(None)  # type: ignore[arg-type]


def test_scan_fields_only_returns_fields_with_findings():
    result = scan_fields(
        {
            "title": "Hjemmebesøk MM-24-07",
            "observation": "faren Ole holdt babyen",
            "reflection": "Ring 41234567 eller kari@example.no",
            "empty": "",
        }
    )
    assert set(result) == {"observation", "reflection"}
    assert [f.kind for f in result["observation"]] == [NAME_NEAR_FAMILY]
    assert [f.kind for f in result["reflection"]] == [PHONE, EMAIL]


def test_scan_fields_empty():
    assert scan_fields({}) == {}
    assert scan_fields({"a": "The mother was tired"}) == {}


class _CountingPattern:
    """A compiled pattern that adds up how much text each search reads: from where it starts to
    where its match ends (or to the end of the text when nothing matches)."""

    def __init__(self, pattern: re.Pattern[str], box: list[int]):
        self.pattern, self.box = pattern, box

    def _read(self, start: int, end: int) -> None:
        self.box[0] += max(end - start, 1)

    def search(self, text, pos=0, *args):
        m = self.pattern.search(text, pos, *args)
        self._read(pos, m.end() if m else len(text))
        return m

    def finditer(self, text, pos=0, *args):
        last = pos
        for m in self.pattern.finditer(text, pos, *args):
            self._read(last, m.end())
            last = m.end()
            yield m
        self._read(last, len(text))

    def match(self, text, pos=0, *args):
        m = self.pattern.match(text, pos, *args)
        self._read(pos, m.end() if m else pos + 1)
        return m

    def fullmatch(self, text, *args):
        self._read(0, len(text))
        return self.pattern.fullmatch(text, *args)

    def __getattr__(self, name):
        return getattr(self.pattern, name)


def _pii_modules():
    """Every module of the domain.pii package: the detectors keep their patterns apart."""
    import domain.pii

    names = [info.name for info in pkgutil.iter_modules(domain.pii.__path__, "domain.pii.")]
    return [importlib.import_module(name) for name in names]


@pytest.fixture
def text_read(monkeypatch):
    """scan() with every module-level pattern counted; returns text -> characters read."""
    from domain.pii import detect as pii

    box = [0]
    for module in _pii_modules():
        for name, value in list(vars(module).items()):
            if isinstance(value, re.Pattern):
                monkeypatch.setattr(module, name, _CountingPattern(value, box))

    def read(text: str) -> int:
        box[0] = 0
        pii.scan(text)
        return box[0]

    return read


def _sized(chunk: str, n: int) -> str:
    return (chunk * (n // len(chunk) + 1))[:n]


# Without a clock (bench/timing_checks.py times these): the scanner reads its text a bounded number
# of times, so twice the text is twice the work, never four times (a rescan after every candidate
# would be quadratic). 20,000 characters is five times the largest entry field.
LINEAR_SLACK, READS_PER_CHAR = 2.2, 40


def test_scanning_twenty_thousand_characters_reads_the_text_a_bounded_number_of_times(text_read):
    chunk = mixed_text() + " The baby smiled at 14:30 on 12.03.2024. "
    small, large = text_read(_sized(chunk, 10_000)), text_read(_sized(chunk, 20_000))
    assert large <= LINEAR_SLACK * small and large <= READS_PER_CHAR * 20_000, (small, large)


@pytest.mark.parametrize(
    "chunk",
    [
        "a", "A", "1", "Aa ", "mother ", "a@", "+1 ", "Kari, ", "1 ", "Storgata ", "-Aa", ".a",
        "x@y.", "1234 ", "mora til Jonas ", "mother Kari, ", "og Karis mor ", "x, 4604 Bø ",
        "Kongens gate 5 ", "+46 70 123 45 67 ", "01019012345 ",
    ],
)
def test_pathological_inputs_do_linear_work(chunk, text_read):
    small, large = text_read(_sized(chunk, 10_000)), text_read(_sized(chunk, 20_000))
    assert large <= LINEAR_SLACK * small and large <= READS_PER_CHAR * 20_000, (small, large)


def test_the_work_counter_sees_a_rescan(text_read, monkeypatch):
    """The counter is not blind: a scanner that read the whole text again for every candidate
    (quadratic) fails the linear bound above."""
    from domain.pii import common

    real = common.search_all

    def rescanning(pattern, text):
        for m in real(pattern, text):
            list(pattern.finditer(text))
            yield m

    for module in _pii_modules():
        if getattr(module, "search_all", None) is real:
            monkeypatch.setattr(module, "search_all", rescanning)
    chunk = "mother Kari, "
    small, large = text_read(_sized(chunk, 2_000)), text_read(_sized(chunk, 4_000))
    assert large > LINEAR_SLACK * small


# --------------------------------------------------------------------------------------
# Property tests
# --------------------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "mother", "Kari", "'s", ",", " ", ".", "\n", "faren", "Ole", "lille", "Emma", "til",
        "(", ")", "412", "34", "567", "+47", "@", "example.no", "Storgata", "12", "gate",
        "4604", "Kristiansand", "2024", "14:30", "MM-24-07", "Marte", "Meo", "s", "-",
        "0", "1", "9", "allé", "Street", "the", "family",
    ]
)  # fmt: skip


def _check_invariants(text: str) -> None:
    found = scan(text)
    for f in found:
        assert f.kind in KINDS
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end] == f.excerpt
    for a, b in itertools.pairwise(found):
        assert a.start <= b.start
        assert a.end <= b.start


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=400))
def test_scan_never_raises_on_arbitrary_text(text):
    _check_invariants(text)


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(FRAGMENTS, max_size=60).map("".join))
def test_scan_never_raises_on_journal_like_text(text):
    _check_invariants(text)


@settings(max_examples=100, deadline=None, database=None)
@given(
    st.dates(),
    st.integers(min_value=0, max_value=999),
    st.booleans(),
)
def test_every_valid_generated_number_is_found(birth, individual, d_number):
    day = birth.day + (40 if d_number else 0)
    number = with_check_digits(f"{day:02d}{birth.month:02d}{birth.year % 100:02d}{individual:03d}")
    if number is None:
        return
    assert kinds(f"nr {number}") == [D_NUMBER if d_number else NATIONAL_ID]
