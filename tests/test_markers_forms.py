"""The marker test for the fields the entry forms added (supports, the duty-to-report record, the
record prompt): typed through the web UI, shown back on the entry page, absent from the raw
database bytes, text and chosen ids alike."""
from __future__ import annotations

from tests.conftest import raw_database_bytes
from tests.test_journal_http import entry_id, post_entry, text
from tests.test_markers_journal import marker

# Ids that tell what a therapist decided or leaned on; field names inside the sealed JSON too.
CHOSEN_IDS = ["theory_method", "consult_anonymously", "reflection_only", "to_record", "to_report",
              "report_decision", "reported_on", "reported_by", "parents_told", "record_check"]


def test_new_entry_fields_never_reach_the_database_in_clear(app, client, user):
    said_by, parents = marker("reportedby"), marker("parents")
    helped_hard, helped_ct = marker("helped"), marker("whatidid")
    dilemma = post_entry(client, "ethical_dilemma", {
        "dilemma": marker("dilemma"), "concern_level": "acute", "report_decision": "consult_anonymously",
        "reported_on": "2026-05-11", "reported_by": said_by, "parents_told": parents,
        "record_check": ["to_record", "to_report"]})
    hard = post_entry(client, "hard_session", {
        "what_happened": marker("happened"), "what_helped": helped_hard,
        "supports": ["theory_method", "break"], "record_check": ["reflection_only"]})
    counter = post_entry(client, "countertransference", {
        "trigger": marker("trigger"), "what_i_did": helped_ct, "supports": ["seminar"]})
    shown = {dilemma: (said_by, parents), hard: (helped_hard,), counter: (helped_ct,)}
    for response, values in shown.items():
        view = text(client.get(f"/entries/{entry_id(response)}"))
        for value in values:
            assert value in view   # stored, sealed, and opened again for the owner

    raw = raw_database_bytes(app)
    for value in (said_by, parents, helped_hard, helped_ct):
        assert value.encode() not in raw, value
    for chosen in CHOSEN_IDS:
        assert chosen.encode() not in raw, chosen
    for label in ("Consult barnevernet anonymously first", "Theory or method", "for my own reflection"):
        assert label.encode() not in raw, label
