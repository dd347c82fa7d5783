"""Entry forms (issues 15, 16, 20): supports beside "what helped", the duty-to-report aid and its
record, the act-now notice, the not-a-shadow-record prompt, quick capture's disclosure count and an
honest length limit (never a silent cut), the theme page's honest copy. Through the HTTP client."""
from __future__ import annotations

import os
import re

from markupsafe import escape

from domain.catalogue import entry_kinds, themes
from tests.conftest import said, said_html
from tests.test_journal_http import count_entries, entry_id, open_form, post_entry, text

ACT_NOW = "Act now, write later"
DUTY = "When must a concern go to barnevernet?"


def _view(client, r) -> str:
    return text(client.get(f"/entries/{entry_id(r)}"))


def label(app, vocab, choice_id: str) -> str:
    """A vocabulary label in the language the test clients ask for."""
    with app.test_request_context(headers={"Accept-Language": os.environ.get("FOKUS_TEST_LANG") or "en"}):
        return str(escape(themes.choice_label(vocab, choice_id)))


def test_supports_are_recorded_beside_what_helped(app, client, user):
    for kind, main in (("hard_session", "what_happened"), ("countertransference", "trigger")):
        html, _t, _d = open_form(client, f"/entries/new/{kind}")
        for sid in themes.valid_ids(themes.SUPPORTS):
            assert f'value="{sid}"' in html and 'name="supports"' in html, (kind, sid)
        r = post_entry(client, kind, {main: "forms supports line", "what_helped": "a long walk",
                                      "supports": ["colleague", "theory_method"]})
        view = _view(client, r)
        assert ", ".join(label(app, themes.SUPPORTS, s) for s in ("colleague", "theory_method")) in view
        if kind == "hard_session":
            assert "a long walk" in view   # the free text stays beside the ticks


def test_an_unknown_support_is_refused_and_nothing_typed_is_lost(app, client, user):
    before = count_entries(app)
    r = post_entry(client, "hard_session", {"what_happened": "forms keep this text", "supports": ["wine"]})
    assert r.status_code == 400
    assert "forms keep this text" in text(r)
    assert said_html(app, "Please choose from the list.") in text(r)
    assert count_entries(app) == before


def test_supports_are_not_offered_on_dilemmas_or_bright_moments(client, user):
    for kind in ("ethical_dilemma", "bright_moment"):
        html, _t, _d = open_form(client, f"/entries/new/{kind}")
        assert 'name="supports"' not in html


def test_the_dilemma_form_explains_the_duty_to_report(app, client, user):
    html, _t, _d = open_form(client, "/entries/new/ethical_dilemma")
    assert said_html(app, DUTY) in html
    assert "lovdata.no/lov/1999-07-02-64/§33" in html and "lovdata.no/lov/2021-06-18-97/§13-2" in html
    assert 'value="consult_anonymously"' in html   # consulting anonymously first is an option
    for name in ("report_decision", "reported_on", "reported_by", "parents_told"):
        assert f'name="{name}"' in html, name
    # the act-now notice waits, hidden, for scripts to show it when "acute" is chosen
    assert re.search(r'class="js-act-now" hidden>\s*<div class="alert alert-urgent act-now"', html)
    hard, _t, _d = open_form(client, "/entries/new/hard_session")
    assert said_html(app, DUTY) not in hard and "js-act-now" not in hard


def test_the_report_decision_is_kept_and_shown(app, client, user):
    r = post_entry(client, "ethical_dilemma", {
        "dilemma": "forms dilemma line", "report_decision": "reported", "reported_on": "2026-03-02",
        "reported_by": "me with my leader", "parents_told": "told them together at the next visit"})
    view = _view(client, r)
    for shown in ("me with my leader", "told them together at the next visit"):
        assert shown in view
    decision = next(f for f in entry_kinds.DILEMMA.fields if f.name == "report_decision")
    assert label(app, decision.vocab, "reported") in view


def test_acute_concern_shows_act_now_after_save_without_scripts(app, client, user):
    r = post_entry(client, "ethical_dilemma", {"dilemma": "forms acute line", "concern_level": "acute"})
    view = _view(client, r)
    assert said_html(app, ACT_NOW) in view and "112" in view
    calm = _view(client, post_entry(client, "ethical_dilemma", {"dilemma": "calm", "concern_level": "some"}))
    assert said_html(app, ACT_NOW) not in calm


def test_acute_concern_shows_act_now_first_when_the_form_comes_back(app, client, user):
    r = post_entry(client, "ethical_dilemma", {"dilemma": "", "concern_level": "acute"})
    assert r.status_code == 400
    page = text(r)
    first = page.index(said_html(app, ACT_NOW))
    assert first < page.index('name="dilemma"')   # above the form, not folded away


def test_the_record_prompt_is_on_hard_sessions_and_dilemmas_only(app, client, user):
    prompt = "Does anything here belong in the family"
    for kind, shown in (("hard_session", True), ("ethical_dilemma", True), ("countertransference", False),
                        ("bright_moment", False)):
        html, _t, _d = open_form(client, f"/entries/new/{kind}")
        assert ('name="record_check"' in html) is shown, kind
        assert 'value="reflection_only"' in html if shown else True
    with app.test_request_context(headers={"Accept-Language": "en"}):
        field = next(f for f in entry_kinds.HARD.fields if f.name == "record_check")
        assert field.label.startswith(prompt)
        assert "Fokus is for your own reflection" in field.hint
    r = post_entry(client, "hard_session", {"what_happened": "forms record line", "record_check": ["to_record"]})
    assert entry_id(r)


def test_over_the_limit_is_said_and_the_text_kept(app, client, user):
    long = "forms " + "x" * 20_000
    html, _t, _d = open_form(client, "/entries/new/hard_session")
    assert 'maxlength="4000"' not in html and 'data-max="4000"' in html   # the browser never cuts
    before = count_entries(app)
    r = post_entry(client, "hard_session", {"what_happened": long})
    assert r.status_code == 400
    page = text(r)
    assert long in page
    message = said_html(app, "At most %(max)d characters; this has %(num)d. Nothing was cut: shorten it and save again.")
    assert message.replace("%(max)d", "4000").replace("%(num)d", str(len(long))) in page
    assert count_entries(app) == before


def test_the_disclosure_counts_what_is_filled_in(app, client, user):
    html, _t, _d = open_form(client, "/entries/new/hard_session")
    assert said_html(app, "optional") in html and "<details class=\"more disclosure\">" in html
    r = post_entry(client, "hard_session", {"what_happened": "forms count line", "what_helped": "tea",
                                            "effect": "some", "tags": "night"})
    edit = text(client.get(f"/entries/{entry_id(r)}/edit"))
    assert said_html(app, "%(num)d filled in").replace("%(num)d", "3") in edit
    assert '<details class="more disclosure" open>' in edit


def test_quick_part_comes_before_the_disclosure(client, user):
    """First question, theme chips and Save (and "urgent" for a dilemma) sit above the fold-out."""
    for kind, first in (("hard_session", "what_happened"), ("ethical_dilemma", "dilemma"),
                        ("countertransference", "feelings"), ("bright_moment", "what_happened")):
        html, _t, _d = open_form(client, f"/entries/new/{kind}")
        fold = html.index('<details class="more disclosure"')
        assert html.index(f'name="{first}"') < html.index('name="themes_"') < html.index('value="save"') < fold
        assert html.index('name="subthemes"') > fold
        if kind == "ethical_dilemma":
            assert html.index('value="urgent"') < html.index('value="save"') < fold


def test_the_theme_page_cites_the_names_and_owns_the_summaries(app, client):
    page = text(client.get("/themes"))
    assert "Simhan" in page and "2020" in page
    assert page.count(said(app, "Theme name: Simhan et al. (2020). Description and subthemes: Fokus's own summary.")) == 4


def test_english_labels_say_child_welfare_services():
    with_labels = [c.labels.en for c in themes.DILEMMA_TYPES] + [s.names.en for t in themes.THEMES for s in t.subthemes]
    assert not [label for label in with_labels if "child protection" in label.lower()]
