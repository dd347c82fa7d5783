"""The catalogue in both languages (issue 14): every theme, subtheme, vocabulary item, entry kind,
field and identifying-details warning has bokmål and English; pages relabel with the reader's
language; stored entries keep ids only; without a request the catalogue answers in English."""
from __future__ import annotations

import pytest
from markupsafe import escape

from domain.catalogue import entry_kinds, texts, themes
from domain.pii import common as pii_common
from domain.pii import detect as pii
from tests.conftest import search
from tests.test_journal_http import entry_id, post_entry
from tests.test_themes import _text_tables

NB = {"Accept-Language": "nb-NO,nb;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


@pytest.fixture
def in_bokmaal():
    """The catalogue's language source answering bokmål, as during a Norwegian request."""
    texts.use_language(lambda: "nb")
    yield
    texts.use_language(texts._english)


def _every_text() -> list[texts.Text]:
    out: list = []
    for t in themes.THEMES:
        out += [t.names, t.shorts, t.descriptions]
        out += [x for s in t.subthemes for x in (s.names, s.descriptions)]
    for vocab in themes.VOCABULARIES.values():
        out += [c.labels for c in vocab] + [c.descriptions for c in vocab if c.descriptions.en]
    for k in entry_kinds.KINDS.values():
        out += [k.labels, k.verbs, k.blurbs]
        out += [f.labels for f in k.fields] + [f.hints for f in k.fields if f.hints.en]
    return out


# --- the data files ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["themes.toml", "entry_kinds.toml"])
def test_every_catalogue_text_has_bokmaal_and_english(name):
    tables = list(_text_tables(texts.load(name)))
    assert len(tables) > 20
    for table in tables:
        assert set(table) == {"en", "nb"}, table
        assert table["en"].strip() and table["nb"].strip(), table
        assert table["en"] != table["nb"], table  # an untranslated copy is not a translation


def test_every_identifying_details_warning_has_bokmaal_and_english():
    data = pii_common.load_data("messages.toml")
    for kind in pii.KINDS:
        assert set(data[kind]) == {"en", "nb"}, kind
        assert data[kind]["nb"].strip().endswith(".") and len(data[kind]["nb"]) < 200, kind


def test_the_objects_hold_both_languages():
    every = _every_text()
    assert len(every) > 150
    assert all(t.en and t.nb for t in every)


def test_bokmaal_follows_the_glossary(in_bokmaal):
    assert [k.label for k in entry_kinds.KINDS.values()] == [
        "Tung økt", "Motoverføring", "Etisk dilemma", "Lyspunkt"]
    words = " ".join(t.nb for t in _every_text()).casefold()
    assert "barnevernet" in words and "bekymringsmelding" in words and "veileder" in words
    english = " ".join(t.en for t in _every_text())
    for banned in ("CPS", "health visitor", "health-visitor"):
        assert banned not in english


def test_short_enough_for_a_phone_in_bokmaal(in_bokmaal):
    for t in themes.THEMES:
        assert 1 <= len(t.short.split()) <= 4, t.short
        assert all(0 < len(s.name) <= 45 for s in t.subthemes), t.id


# --- the language source -------------------------------------------------------------------

def test_switching_the_language_relabels_the_same_objects(in_bokmaal):
    anger = next(c for c in themes.FEELINGS if c.id == "anger")
    assert anger.label == "Sinne"
    assert themes.choice_label(themes.FEELINGS, "anger") == "Sinne"
    assert themes.theme("safe_alliance").short == "Trygg allianse"
    assert entry_kinds.HARD.fields[0].label == "Hva skjedde?"
    assert entry_kinds.display(entry_kinds.COUNTER.fields[0], ["anger", "joy"]) == "Sinne, Glede"
    texts.use_language(lambda: "en")
    assert anger.label == "Anger" and themes.theme("safe_alliance").short == "Safe alliance"
    assert entry_kinds.display(entry_kinds.COUNTER.fields[0], ["anger", "joy"]) == "Anger, Joy"


def test_unknown_or_failing_source_answers_english():
    def outside_a_request():
        raise RuntimeError("Working outside of request context.")

    try:
        for source in (outside_a_request, lambda: "de", lambda: None):
            texts.use_language(source)
            assert texts.language() == "en"
            assert themes.theme("coercive_context").short == "Coercive context"
    finally:
        texts.use_language(texts._english)


def test_outside_a_request_the_catalogue_answers_english(app):
    # create_app wired the real source (blueprints/i18n.current_language): no app context here...
    assert texts.language() == "en"
    assert entry_kinds.KINDS["bright_moment"].label == "Bright moment"
    # ...and an app context without a request (the CLI, tests calling domain code) is English too.
    with app.app_context():
        assert texts.language() == "en"
        assert themes.choice_label(themes.SUPERVISION, "yes") == "Bring to supervision"
        assert pii.scan("ring 912 34 567")[0].message == pii_common.load_data("messages.toml")["phone"]["en"]


def test_the_version_guard_ignores_translations(in_bokmaal):
    # The snapshot and CATALOGUE_VERSION are about ids and their English meaning: a bokmål
    # reader (or a new translation) never changes them.
    assert themes.FINGERPRINT["safe_alliance"] == "Building an alliance that feels safe for the parents"
    assert themes.CATALOGUE_VERSION == 3


def test_identifying_details_warnings_follow_the_language(in_bokmaal):
    (finding,) = pii.scan("Ring meg på 912 34 567")
    assert finding.message == "Dette ser ut som et telefonnummer. Kontaktopplysninger hører ikke hjemme i notatene."
    assert pii.MESSAGES["email"].startswith("Dette ser ut som en e-postadresse")


def test_search_finds_chosen_labels_in_both_languages():
    text = entry_kinds.searchable_text({"kind": "countertransference", "feelings": ["helplessness"],
                                        "themes": ["safe_alliance"], "whose": ["parent"]})
    for word in ("helplessness", "hjelpeløshet", "safe for the parents", "trygg for foreldrene",
                 "the parent's", "forelderen"):
        assert word in text


# --- pages ---------------------------------------------------------------------------------

def _page(client, url: str, headers: dict) -> str:
    r = client.get(url, headers=headers)
    assert r.status_code == 200, (url, r.status_code)
    return r.get_data(as_text=True)


def _absent(page: str, words) -> list[str]:
    """The words (12 characters or more) that do show on the page."""
    return [w for w in words if len(w) >= 12 and str(escape(w)) in page]


def test_themes_page_in_bokmaal_and_english(client, user):
    nb, en = _page(client, "/themes", NB), _page(client, "/themes", EN)
    for t in themes.THEMES:
        assert str(escape(t.names.nb)) in nb and str(escape(t.names.en)) in en
        assert str(escape(t.descriptions.nb)) in nb and str(escape(t.descriptions.en)) in en
        for s in t.active_subthemes:
            assert str(escape(s.names.nb)) in nb and str(escape(s.names.en)) in en
    shown = [x for t in themes.THEMES for x in (t.names, t.descriptions)] + [
        x for t in themes.THEMES for s in t.subthemes for x in (s.names, s.descriptions)]
    assert _absent(nb, [x.en for x in shown]) == []
    assert _absent(en, [x.nb for x in shown]) == []


@pytest.mark.parametrize("kind_id", list(entry_kinds.KINDS))
def test_new_entry_form_in_bokmaal_and_english(client, user, kind_id):
    kind = entry_kinds.KINDS[kind_id]
    nb = _page(client, f"/entries/new/{kind_id}", NB)
    en = _page(client, f"/entries/new/{kind_id}", EN)
    words = [kind.labels] + [f.labels for f in kind.fields] + [f.hints for f in kind.fields if f.hints.en]
    words += [c.labels for f in kind.fields for c in f.vocab if not c.retired]
    words += [t.names for t in themes.THEMES]
    for w in words:
        assert str(escape(w.nb)) in nb, w.nb
        assert str(escape(w.en)) in en, w.en
    assert _absent(nb, [w.en for w in words]) == []
    assert _absent(en, [w.nb for w in words]) == []


def test_home_page_offers_the_kinds_in_bokmaal(client, user):
    page = _page(client, "/", NB)
    for k in entry_kinds.KINDS.values():
        assert str(escape(k.verbs.nb)) in page and str(escape(k.blurbs.nb)) in page
        assert str(escape(k.blurbs.en)) not in page


def test_an_entry_saved_in_bokmaal_reads_in_english(client, user):
    # The entry keeps ids only, so what was chosen on a Norwegian phone reads in English and back.
    fields = {"feelings": ["helplessness", "sadness"], "whose": ["parent"], "intensity": "6",
              "themes_": ["therapist_feelings"], "subthemes": ["therapist_feelings.own_history"]}
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nb"
    eid = entry_id(post_entry(client, "countertransference", fields))
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    en, nb = _page(client, f"/entries/{eid}", EN), _page(client, f"/entries/{eid}", NB)
    assert "Helplessness, Sadness" in en and "Hjelpeløshet, Tristhet" in nb
    assert "Countertransference reaction" in en and "Motoverføring" in nb
    assert "Hjelpeløshet" not in en and "Helplessness" not in nb
    # The list's headline (no title or text: made from the feelings) follows the reader too,
    # although the sealed journal index was written during the bokmål request.
    assert "Helplessness, Sadness" in _page(client, "/entries", EN)
    assert "Hjelpeløshet, Tristhet" in _page(client, "/entries", NB)
    # Search knows the labels in both languages, whatever the reader's language.
    assert eid in search(client, "q=hjelpeløshet").get_data(as_text=True)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nb"
    assert eid in search(client, "q=helplessness").get_data(as_text=True)
    assert eid not in search(client, "q=sinne").get_data(as_text=True)

