"""Mandate card, intake screening and honest copy on process pages, through the web UI."""
from __future__ import annotations

from domain.journal import process_screening, processes
from tests.conftest import said, said_html
from tests.test_journal_http import text
from tests.test_processes_http import post_process, process_id

MANDATE = {"cps_commissioned": "y", "m_commissioner": "Barnevernstjenesten", "m_goal": "safer evenings at home",
           "m_reports_what": "attendance and progress on the goal", "m_reports_to": "the case worker",
           "m_parents_know": "partly", "m_next_review": "2026-09-01"}


def test_mandate_card_on_the_process_page(app, client, user):
    pid = process_id(post_process(client, {"code": "MM-50-01", **MANDATE}))
    view = text(client.get(f"/processes/{pid}"))
    assert 'class="mandate-card"' in view
    for shown in ("Barnevernstjenesten", "safer evenings at home", "attendance and progress on the goal",
                  "the case worker", said(app, "Partly"), 'datetime="2026-09-01"'):
        assert shown in view, shown
    edit = text(client.get(f"/processes/{pid}/edit"))
    assert 'value="Barnevernstjenesten"' in edit and 'value="2026-09-01"' in edit
    # no mandate written: no card
    plain = process_id(post_process(client, {"code": "MM-50-02"}))
    assert 'class="mandate-card"' not in text(client.get(f"/processes/{plain}"))


def test_mandate_of_is_pure_and_follows_the_contract():
    assert processes.mandate_of({}) == {} and processes.mandate_of({"mandate": "x"}) == {}
    assert processes.mandate_of({"mandate": {"commissioner": " ", "parents_know": "maybe"}}) == {}
    got = processes.mandate_of({"mandate": {"commissioner": "Barnevernstjenesten", "parents_know": "yes",
                                            "next_review": "2026-02-30", "extra": "dropped"}})
    assert got == {"commissioner": "Barnevernstjenesten", "goal": "", "reports_what": "", "reports_to": "",
                   "parents_know": "yes", "next_review": ""}


def test_screening_asked_at_intake_and_kept_apart(app, client, user):
    new = text(client.get("/processes/new"))
    assert said(app, "Screening at intake") in new
    assert 'name="screening_on"' in new and 'name="screening_article"' in new and 'name="screening_own"' in new
    assert new.index('value="child_protection"') < new.index(said(app, "Extra flags (Fokus's own, not from the article)"))
    assert new.index(said(app, "Extra flags (Fokus's own, not from the article)")) < new.index('value="filming_reluctance"')
    pid = process_id(post_process(client, {"code": "MM-50-03", "screening_on": "2026-01-15",
                                           "screening_article": ["child_protection", "unresolved_problems"],
                                           "screening_own": ["filming_reluctance"]}))
    view = text(client.get(f"/processes/{pid}"))
    assert said(app, "The article's criteria:") in view and said(app, "Fokus's own flags:") in view
    assert 'datetime="2026-01-15"' in view and said(app, "Next steps to consider") in view
    for flag in ("child_protection", "unresolved_problems", "filming_reluctance"):
        step = process_screening.NEXT_STEPS[flag]
        assert said_html(app, step) in view, step  # said() in Python: escaped by the page
    # a flag not ticked gives no step
    assert said_html(app, process_screening.NEXT_STEPS["child_seen_as_hostile"]) not in view


def test_honest_copy_on_process_pages(app, client, user):
    pid = process_id(post_process(client, {"code": "MM-50-04", "screening_article": ["parental_insecurity"]}))
    view = text(client.get(f"/processes/{pid}"))
    assert "often go better" not in view and "second pair of eyes" not in view
    assert said(app, "These steps are Fokus's own suggestions. The article names the three criteria; it does "
                          "not report how processes turn out.") in view
