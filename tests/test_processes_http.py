"""HTTP tests for guidance processes: list, create (with the name/birth-date code warning), view with
its timeline and the early-supervision suggestion, edit, delete, bad input and other users."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.conftest import csrf_from, search
from tests.test_journal_http import count_entries, entry_id, post_entry, second_client, text


def post_process(client, fields: dict, url: str = "/processes/new", with_csrf: bool = True):
    page = text(client.get(url))
    data = {"code": "MM-25-03", "films": "0", "reviews": "0", **fields}
    if with_csrf:
        data["csrf_token"] = csrf_from(page)
    return client.post(url, data=data)


def process_id(response) -> str:
    assert response.status_code == 302, text(response)[:3000]
    loc = response.headers["Location"]
    assert re.fullmatch(r"/processes/[0-9a-f]{32}", loc), loc
    return loc.rsplit("/", 1)[1]


def test_list_new_view_edit(client, user):
    assert "No processes yet." in text(client.get("/processes/"))
    form = text(client.get("/processes/new"))
    assert "Never write a name, a birth date or an address here" in form
    pid = process_id(post_process(client, {
        "code": "MM-25-03", "working_goal": "following the child", "dialogue_element": "naming",
        "films": "4", "reviews": "3", "cps_commissioned": "y", "status": "ongoing", "notes": "slow start"}))
    view = text(client.get(f"/processes/{pid}"))
    for shown in ("The process is saved.", "MM-25-03", "following the child", "naming", "4 films, 3 reviews",
                  "commissioned by child welfare services", "Ongoing", "slow start", "No entries linked yet."):
        assert shown in view, shown
    assert "Worth bringing to supervision early" not in view
    listing = text(client.get("/processes/"))
    assert "MM-25-03" in listing and "child welfare" in listing

    edit = text(client.get(f"/processes/{pid}/edit"))
    assert 'value="MM-25-03"' in edit and "following the child" in edit and "slow start" in edit
    assert process_id(post_process(client, {"code": "MM-25-03", "ended": "early", "films": "5",
                                            "screening_article": ["parental_insecurity"]},
                                   url=f"/processes/{pid}/edit")) == pid
    view = text(client.get(f"/processes/{pid}"))
    assert "Ended early" in view and "5 films" in view and "commissioned by child welfare services" not in view
    assert "Next steps to consider" in view
    assert "parent&#39;s insecurity strains the alliance" in view.lower()
    assert "screening flags: 1" in text(client.get("/processes/"))


@pytest.mark.parametrize("code, warning", [
    ("Kari", "could be a name"),
    ("Ola Nordmann", "could be a name"),
    ("010203", "could be a birth date"),
    ("01.02.2023", "could be a birth date"),
])
def test_code_warning_needs_the_acknowledgement(app, client, user, code, warning):
    r = post_process(client, {"code": code, "working_goal": "goal kept"})
    html = text(r)
    assert r.status_code == 400 and warning in html
    assert "This code is not a name or a birth date" in html and "Tick this box" in html
    assert "goal kept" in html and f'value="{code}"' in html
    assert "No processes yet." in text(client.get("/processes/"))
    r = client.post("/processes/new", data={"csrf_token": csrf_from(html), "code": code, "status": "ongoing",
                                            "working_goal": "goal kept", "code_ack": "y"})
    pid = process_id(r)
    assert code in text(client.get(f"/processes/{pid}"))


@pytest.mark.parametrize("fields, message", [
    ({"code": ""}, "Please give the process a code."),
    ({"code": "C" * 25}, "At most 24 characters"),
    ({"films": "abc"}, "Not a valid integer value"),
    ({"reviews": "1000"}, "A number from 0 to 999."),
    ({"films": "-1"}, "A number from 0 to 999."),
    ({"ended": "vanished"}, "Please choose from the list."),
    ({"screening_article": ["astrology"]}, "Please choose from the list."),
    ({"screening_own": ["child_protection"]}, "Please choose from the list."),
    ({"m_parents_know": "maybe"}, "Please choose from the list."),
    ({"working_goal": "g" * 1001}, "At most 1000 characters"),
    ({"notes": "n" * 2001}, "At most 2000 characters"),
])
def test_bad_process_input(client, user, fields, message):
    r = post_process(client, {"dialogue_element": "kept-element", **fields})
    assert r.status_code == 400
    assert message in text(r) and "kept-element" in text(r)
    assert "No processes yet." in text(client.get("/processes/"))


def test_missing_csrf_keeps_process_text(client, user):
    r = post_process(client, {"working_goal": "kept-goal"}, with_csrf=False)
    assert r.status_code == 400
    assert "This form expired" in text(r) and "kept-goal" in text(r)


def test_timeline_and_supervision_from_heavy_entries(app, client, user):
    pid = process_id(post_process(client, {"code": "MM-26-01"}))
    today = date.today()
    for n, kind in enumerate(("hard_session", "countertransference", "ethical_dilemma")):
        main = {"hard_session": "what_happened", "countertransference": "trigger",
                "ethical_dilemma": "dilemma"}[kind]
        visit = (today - timedelta(days=n * 6)).isoformat()
        r = post_entry(client, kind, {main: f"timeline entry {n}", "process_id": pid, "visit_date": visit},
                       url=f"/entries/new/{kind}?process={pid}")
        entry_id(r)
    post_entry(client, "bright_moment", {"what_happened": "timeline draft", "process_id": pid}, action="draft")
    entry_id(post_entry(client, "bright_moment", {"what_happened": "unlinked entry"}))
    view = text(client.get(f"/processes/{pid}"))
    assert [m for m in re.findall(r"timeline entry (\d)", view)] == ["0", "1", "2"]  # newest first
    assert "timeline draft" not in view and "unlinked entry" not in view
    assert "Worth bringing to supervision" in view and "3 heavy entries within three weeks." in view
    # the list filtered by this process shows the same three
    assert "3 entries found" in text(search(client, f"process={pid}"))


def test_new_entry_form_preselects_the_process(client, user):
    pid = process_id(post_process(client, {"code": "MM-26-02"}))
    view = text(client.get(f"/processes/{pid}"))
    assert f"/entries/new/hard_session?process={pid}" in view
    form = text(client.get(f"/entries/new/hard_session?process={pid}"))
    assert re.search(rf'<option selected value="{pid}">MM-26-02</option>', form)
    # a process id that is not mine selects nothing and breaks nothing
    assert client.get("/entries/new/hard_session?process=" + "f" * 32).status_code == 200


def test_entry_page_links_its_process(client, user):
    pid = process_id(post_process(client, {"code": "MM-26-03"}))
    eid = entry_id(post_entry(client, "bright_moment", {"what_happened": "linked", "process_id": pid}))
    view = text(client.get(f"/entries/{eid}"))
    assert f'href="/processes/{pid}">MM-26-03</a>' in view


def test_delete_process_keeps_its_entries(app, client, user):
    pid = process_id(post_process(client, {"code": "MM-26-04"}))
    eid = entry_id(post_entry(client, "bright_moment", {"what_happened": "survives", "process_id": pid}))
    page = text(client.get(f"/processes/{pid}/delete"))
    assert "Delete process MM-26-04?" in page and "No, keep it" in page
    assert client.post(f"/processes/{pid}/delete", data={}).status_code == 400
    assert client.get(f"/processes/{pid}").status_code == 200
    r = client.post(f"/processes/{pid}/delete", data={"csrf_token": csrf_from(page)})
    assert r.status_code == 302 and r.headers["Location"] == "/processes/"
    assert client.get(f"/processes/{pid}").status_code == 404
    view = text(client.get(f"/entries/{eid}"))
    assert "survives" in view and "MM-26-04" not in view
    assert count_entries(app) == 1
    # editing the entry still works without the process
    assert entry_id(post_entry(client, "bright_moment", {"what_happened": "still here"},
                               url=f"/entries/{eid}/edit")) == eid


def test_other_users_process_is_404_and_cannot_be_linked(app, client, user):
    pid = process_id(post_process(client, {"code": "MM-mine"}))
    other = second_client(app)
    token = csrf_from(text(other.get("/processes/new")))
    for target in (pid, "0" * 32):
        assert other.get(f"/processes/{target}").status_code == 404
        assert other.get(f"/processes/{target}/edit").status_code == 404
        assert other.get(f"/processes/{target}/delete").status_code == 404
        assert other.post(f"/processes/{target}/edit", data={"csrf_token": token, "code": "X-1"}).status_code == 404
        assert other.post(f"/processes/{target}/delete", data={"csrf_token": token}).status_code == 404
    assert "MM-mine" not in text(other.get("/processes/"))
    # linking their entry to my process is refused, with their text kept
    r = post_entry(other, "hard_session", {"what_happened": "their own text", "process_id": pid})
    assert r.status_code == 400 and "their own text" in text(r) and "Please choose from the list." in text(r)
    assert "MM-mine" not in text(r)
    # and the list filter by my process shows them nothing
    assert "0 entries" in text(search(other, f"process={pid}"))
    assert "MM-mine" in text(client.get(f"/processes/{pid}"))


def test_a_kept_code_is_not_questioned_on_every_edit(client, user):
    page = text(client.get("/processes/new"))
    pid = process_id(client.post("/processes/new", data={"csrf_token": csrf_from(page), "code": "Nora",
                                                         "status": "ongoing", "code_ack": "y"}))
    edit = text(client.get(f"/processes/{pid}/edit"))
    r = client.post(f"/processes/{pid}/edit", data={"csrf_token": csrf_from(edit), "code": "Nora",
                                                    "ended": "as_planned"})
    assert process_id(r) == pid and "Ended as planned" in text(client.get(f"/processes/{pid}"))
    # a new name-like code is questioned again
    r = client.post(f"/processes/{pid}/edit", data={"csrf_token": csrf_from(edit), "code": "Nora Berg",
                                                    "ended": "as_planned"})
    assert r.status_code == 400 and "could be a name" in text(r)


def test_timeline_names_the_kinds(client, user):
    pid = process_id(post_process(client, {"code": "MM-26-05"}))
    entry_id(post_entry(client, "countertransference", {"trigger": "t", "process_id": pid}))
    view = text(client.get(f"/processes/{pid}"))
    assert '<span class="kind kind-countertransference">Countertransference reaction</span>' in view


def test_process_delete_without_token_explains(client, user):
    pid = process_id(post_process(client, {"code": "MM-26-06"}))
    r = client.post(f"/processes/{pid}/delete", data={"csrf_token": "stale"})
    assert r.status_code == 400 and "This form expired" in text(r)
