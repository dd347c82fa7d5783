"""An entry form and the owner's guidance processes: a posted form checks a chosen process against
the owner's process ids (read only when one was chosen), and a form shown again lists the codes with
the chosen one still selected; autosave checks the same way."""
from __future__ import annotations

import re

from tests.test_journal_http import open_form, post_entry, second_client, text
from tests.test_processes_http import post_process, process_id


def _selected(html: str) -> list[tuple[str, str]]:
    field = re.search(r'<select[^>]*name="process_id".*?</select>', html, re.DOTALL).group(0)
    return re.findall(r'<option selected value="([0-9a-f]*)">([^<]*)</option>', field)


def test_a_form_shown_again_keeps_the_chosen_process_with_its_code(app, client, user):
    pid = process_id(post_process(client, {"code": "MM-26-11"}))
    post_process(client, {"code": "MM-26-12"})
    r = post_entry(client, "countertransference", {"trigger": "kept text", "process_id": pid, "intensity": "11"})
    assert r.status_code == 400
    html = text(r)
    assert _selected(html) == [(pid, "MM-26-11")] and "MM-26-12" in html and "kept text" in html


def test_autosave_links_the_owners_process_and_refuses_anothers(app, client, user):
    pid = process_id(post_process(client, {"code": "MM-26-13"}))
    _html, token, draft = open_form(client, "/entries/new/bright_moment")
    r = client.post("/entries/autosave", data={"csrf_token": token, "draft_id": draft, "kind": "bright_moment",
                                               "what_happened": "a draft", "process_id": pid})
    assert r.status_code == 200 and r.get_json()["ok"]
    assert _selected(text(client.get(f"/entries/{draft}/edit"))) == [(pid, "MM-26-13")]
    other = second_client(app)
    _html, token, other_draft = open_form(other, "/entries/new/bright_moment")
    r = other.post("/entries/autosave", data={"csrf_token": token, "draft_id": other_draft, "kind": "bright_moment",
                                              "what_happened": "their draft", "process_id": pid})
    assert r.status_code == 400 and "process_id" in r.get_json()["errors"]
