"""The marker test for what a process holds beyond its code: mandate, outcomes, intake screening
and the review log. Everything typed or chosen through the web UI is absent from the raw database
bytes (SQLite file + WAL, or every PostgreSQL value), and shows on the page (so it was stored)."""
from __future__ import annotations

from tests.conftest import raw_database_bytes
from tests.test_journal_http import text
from tests.test_markers_journal import marker
from tests.test_process_reviews import add_review, review_ids
from tests.test_processes_http import post_process, process_id

# Dates nobody else writes, so finding them in clear can only mean a leak.
DATES = {"m_next_review": "2031-07-19", "screening_on": "2031-03-17", "reported_on": "2031-04-23",
         "ended_on": "2031-05-29"}
REVIEW_DAY = "2031-06-13"
# Ids and field names inside the sealed JSON are not stored in clear either.
CHOSEN = ["as_planned", "unresolved_problems", "no_progress_under_pressure", "overwhelmed", "dismissive",
          "parents_know", "reports_what", "reports_to", "commissioner", "review_log", "working_points",
          "clips_held_back", "held_back_why", "response_note", "screening_on", "reported_on", "ended_on",
          "mandate"]


def test_process_parts_never_reach_the_database_in_clear(app, client, user):
    mandate = {f: marker(f) for f in ("m_commissioner", "m_goal", "m_reports_what", "m_reports_to")}
    pid = process_id(post_process(client, {
        "code": "MM-60-01", **mandate, **DATES, "cps_commissioned": "y", "m_parents_know": "partly",
        "screening_article": ["unresolved_problems"], "screening_own": ["no_progress_under_pressure"],
        "reported": "y", "ended": "as_planned"}))
    review = {f: marker(f) for f in ("working_points", "dialogue_element", "clips_shown", "clips_held_back",
                                     "held_back_why", "response_note")}
    r, _ = add_review(client, pid, {**review, "day": REVIEW_DAY, "responses": ["overwhelmed", "dismissive"]})
    assert r.status_code == 302
    view = text(client.get(f"/processes/{pid}"))
    rid = review_ids(view, pid)[0]
    page = view + text(client.get(f"/processes/{pid}/reviews/{rid}")) + text(client.get(f"/processes/{pid}/edit"))
    for value in [*mandate.values(), *review.values(), *DATES.values(), REVIEW_DAY]:
        assert value in page, value   # stored (sealed), and shown back

    raw = raw_database_bytes(app)
    assert pid.encode() in raw
    for value in [*mandate.values(), *review.values()]:
        assert value.encode() not in raw and value.upper().encode() not in raw, value
    for value in [*DATES.values(), REVIEW_DAY, *CHOSEN]:
        assert value.encode() not in raw, value
