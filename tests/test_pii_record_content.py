"""Record-like content in the identifying-details check (issue 20.2): diagnoses, medicines and
doses, test results and full dates of birth are found in bokmål and English, with a calm
warning in the reader's language; ordinary reflective writing stays quiet."""
from __future__ import annotations

import pytest

from domain.catalogue import texts
from domain.pii.detect import BIRTH_DATE, DIAGNOSIS, MEDICATION, MESSAGES, TEST_RESULT, scan

FOUND = [
    # diagnoses: ICD-10 codes and words
    ("Mor har fått F32.1 fra fastlegen.", DIAGNOSIS, "F32.1"),
    ("Henvist med Z63 i papirene.", DIAGNOSIS, "Z63"),
    ("Referral mentions F90.0 for the boy.", DIAGNOSIS, "F90.0"),
    ("The mother has postpartum depression.", DIAGNOSIS, "postpartum depression"),
    ("He was diagnosed with autism last year.", DIAGNOSIS, "autism"),
    ("Gutten har ADHD, sier far.", DIAGNOSIS, "ADHD"),
    ("Mor har en fødselsdepresjon.", DIAGNOSIS, "fødselsdepresjon"),
    ("Hun fikk diagnosen i vår.", DIAGNOSIS, "fikk diagnosen"),
    ("Far har PTSD etter krigen.", DIAGNOSIS, "PTSD"),
    ("Jenta har epilepsi.", DIAGNOSIS, "epilepsi"),
    # medicines and doses
    ("Mor tar Sertralin hver morgen.", MEDICATION, "Sertralin"),
    ("The boy is on Ritalin now.", MEDICATION, "Ritalin"),
    ("She takes 50 mg in the evening.", MEDICATION, "50 mg"),
    ("Han bruker 2,5 mg/dag.", MEDICATION, "2,5 mg/dag"),
    ("Melatonin før leggetid.", MEDICATION, "Melatonin"),
    # test results
    ("IQ 85 ved siste testing.", TEST_RESULT, "IQ 85"),
    ("EPDS score 14 at the last visit.", TEST_RESULT, "EPDS score 14"),
    ("EPDS: 16 i uke 6.", TEST_RESULT, "EPDS: 16"),
    ("Weight on the 3rd percentile.", TEST_RESULT, "3rd percentile"),
    ("Vekten ligger på 10 persentil.", TEST_RESULT, "10 persentil"),
    # full dates of birth
    ("Barnet er født 12.03.2023.", BIRTH_DATE, "født 12.03.2023"),
    ("Babyen, f. 3. mai 2024, sov.", BIRTH_DATE, "f. 3. mai 2024"),
    ("The baby was born on 12 March 2024.", BIRTH_DATE, "born on 12 March 2024"),
    ("DOB 2023-04-01 on the referral.", BIRTH_DATE, "DOB 2023-04-01"),
    ("Fødselsdato: 01.02.22", BIRTH_DATE, "Fødselsdato: 01.02.22"),
]


@pytest.mark.parametrize(("text", "kind", "excerpt"), FOUND)
def test_record_like_content_is_found(text, kind, excerpt):
    found = [(f.kind, f.excerpt) for f in scan(text)]
    assert (kind, excerpt) in found, found


QUIET = [
    # what the notes are for: what happened and how it felt
    "The mother seemed low and tired today; I felt heavy afterwards.",
    "Mor virket nedstemt og sliten. Jeg ble selv lei meg etterpå.",
    "Jeg lurer på om jeg skal ta opp bekymringen i veiledning.",
    # numbers that are not doses, dates that are not births, codes that are not diagnoses
    "The baby drank 120 ml and fell asleep at 14:30.",
    "Hjemmebesøk 12.03.2024 kl. 10:15, film 2 (00:04:12).",
    "I met the father on 12 March 2024.",
    "We were stuck in traffic on the E18.",
    "Vitamin B12 was on the shopping list.",
    "Add the clip to the next session.",
    "Intensity 7/10, session 4 of 8.",
    # the name of an instrument without a score, a test without a number
    "We talked about why the EPDS is used at the health centre.",
    "Vi snakket om hva en IQ-test måler.",
    "Marte Meo-veiledning nr. 4 av 8, prosesskode MM-24-07.",
]


@pytest.mark.parametrize("text", QUIET)
def test_ordinary_reflection_stays_quiet(text):
    assert scan(text) == []


def test_the_warnings_are_calm_and_in_both_languages(monkeypatch):
    for kind in (BIRTH_DATE, DIAGNOSIS, MEDICATION, TEST_RESULT):
        english = MESSAGES[kind]
        assert "record" in english and "!" not in english
        monkeypatch.setattr(texts, "_source", lambda: "nb")
        bokmal = MESSAGES[kind]
        monkeypatch.setattr(texts, "_source", lambda: "en")
        assert bokmal != english and "journalen" in bokmal and "!" not in bokmal


def test_the_entry_form_warns_once_and_then_saves(app, client, user):
    from tests.conftest import csrf_from
    from tests.test_journal_http import count_entries, draft_id_from, entry_id, post_entry
    from tests.test_journal_http import text as page_text

    fields = {"what_happened": "Mor har F32.1 og tar sertralin 50 mg. Babyen er født 12.03.2025."}
    r = post_entry(client, "hard_session", fields)
    html = page_text(r)
    assert r.status_code == 200 and count_entries(app) == 0
    for kind in (DIAGNOSIS, MEDICATION, BIRTH_DATE):
        assert MESSAGES[kind].replace("'", "&#39;").split(";")[0] in html
    assert "sertralin 50 mg" in html                               # nothing typed is lost
    r = client.post("/entries/new/hard_session", data={
        "csrf_token": csrf_from(html), "draft_id": draft_id_from(html), "pii_ack": "1", "kind": "hard_session",
        "action": "save", "supervision": "no", **fields})
    entry_id(r)                                                    # a warning, never a refusal
    assert count_entries(app) == 1
