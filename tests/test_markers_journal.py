"""The marker test: everything typed or chosen in an entry or a process, entered through the web UI,
is absent from the raw database bytes (SQLite file + WAL, or every PostgreSQL value)."""
from __future__ import annotations

import random
import string

from tests.conftest import raw_database_bytes, said, search
from tests.test_journal_http import KINDS, count_entries, draft_id_from, entry_id, open_form, post_entry, text
from tests.test_processes_http import post_process, process_id

_rng = random.Random()


def marker(field: str) -> str:
    """Letters only: digits could read as phone numbers or dates and trigger the PII warnings."""
    return "zq" + field.replace("_", "")[:6] + "".join(_rng.choice(string.ascii_lowercase) for _ in range(10))


def short_marker() -> str:  # the film number field holds at most 12 characters
    return "zf" + "".join(_rng.choice(string.ascii_lowercase) for _ in range(10))


# Vocabulary chosen below, by id: a leak of the ids would tell what a therapist logged.
CHOSEN_IDS = [
    "helplessness", "despair", "my_history", "therapist_feelings.own_history", "safe_alliance.double_gaze",
    "coercive_context", "positive_moments", "countertransference", "hard_session", "ethical_dilemma",
    "bright_moment", "report_cps", "concern_in_positive_method", "acute", "ended_early", "child_protection",
    "parental_insecurity", "new_view_of_child",
    # field names inside the sealed JSON are not stored in clear either
    "what_happened", "feelings", "film_refs", "working_goal", "screening",
]

TEXT_FIELDS = {
    "hard_session": ["what_happened", "what_made_it_hard", "what_helped", "what_did_not_help", "effect_note",
                     "how_it_left_me"],
    "countertransference": ["feelings_other", "body", "trigger", "what_i_did"],
    "ethical_dilemma": ["dilemma", "options", "consulted", "decision"],
    "bright_moment": ["what_happened", "what_made_it_possible", "how_it_left_me"],
}
CHOICES = {
    "hard_session": {"effect": "unclear", "themes_": ["coercive_context"]},
    "countertransference": {"feelings": ["helplessness", "despair"], "intensity": "9", "whose": ["my_history"],
                            "subthemes": ["therapist_feelings.own_history", "safe_alliance.double_gaze"],
                            "supervision": "yes"},
    "ethical_dilemma": {"dilemma_type": "report_cps", "concern_level": "acute", "follow_up": "2026-05-17",
                        "supervision": "urgent", "themes_": ["coercive_context"]},
    "bright_moment": {"subthemes": ["positive_moments.new_view_of_child"]},
}


def test_nothing_typed_or_chosen_reaches_the_database_in_clear(app, client, user):
    markers: list[str] = []

    def m(field: str, short: bool = False) -> str:
        value = short_marker() if short else marker(field)
        markers.append(value)
        return value

    proc = {"code": m("code", short=True), "working_goal": m("goal"), "dialogue_element": m("dialogue"),
            "notes": m("notes"), "films": "3", "reviews": "2", "cps_commissioned": "y", "status": "ended_early",
            "screening": ["child_protection", "parental_insecurity"]}
    pid = process_id(post_process(client, proc))
    assert proc["working_goal"] in text(client.get(f"/processes/{pid}"))

    ids = {}
    for kind in KINDS:
        fields = {f: m(f) for f in TEXT_FIELDS[kind]}
        fields.update(CHOICES[kind])
        fields.update({"title": m("title"), "tags": f"{m('tag')}, {m('tag')}", "process_id": pid,
                       "visit_date": "2026-05-10", "films-0-film": m("film", short=True),
                       "films-0-timestamp": "01:02", "films-0-shows": m("shows")})
        ids[kind] = entry_id(post_entry(client, kind, fields))
        view = text(client.get(f"/entries/{ids[kind]}"))
        for f in TEXT_FIELDS[kind] + ["title"]:
            assert fields[f] in view, (kind, f)     # the markers really were stored, encrypted

    # an edit and an autosaved draft with markers of their own
    edited = m("edited")
    entry_id(post_entry(client, "bright_moment", {"what_happened": edited}, url=f"/entries/{ids['bright_moment']}/edit"))
    html, _token, draft = open_form(client, "/entries/new/countertransference")
    from tests.conftest import csrf_from
    auto = m("autosave")
    r = client.post("/entries/autosave", data={"csrf_token": csrf_from(html), "draft_id": draft_id_from(html),
                                               "kind": "countertransference", "trigger": auto,
                                               "feelings": ["helplessness"]})
    assert r.get_json() == {"ok": True}
    assert count_entries(app) == 5
    # search still finds them (decrypted in memory only)
    assert found_one(app) in text(search(client, f"q={edited}"))
    assert found_one(app) in text(search(client, f"drafts=1&q={auto}"))

    raw = raw_database_bytes(app)
    for eid in list(ids.values()) + [pid, draft]:
        assert eid.encode() in raw   # the scan does see the rows (ids are clear columns)
    for value in markers:
        assert value.encode() not in raw, value
        assert value.upper().encode() not in raw, value
    for chosen in CHOSEN_IDS:
        assert chosen.encode() not in raw, chosen
    # nor the human labels of the choices
    for label in ("Helplessness", "Report to child welfare services", "Acute concern", "My own history"):
        assert label.encode() not in raw, label


def found_one(app) -> str:
    return said(app, "%(num)d entry found.", "%(num)d entries found.", 1)
