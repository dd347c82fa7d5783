"""The review log through the web UI: add (idempotent per form), edit (versioned per review),
delete (POST + CSRF), bad input kept, other users get 404, and the process timeline shows reviews
and entries together by date."""
from __future__ import annotations

import re

from tests.conftest import csrf_from, said, said_html
from tests.test_journal_http import entry_id, post_entry, second_client, text
from tests.test_processes_http import post_process, process_id

REVIEW = {"day": "2026-03-10", "working_points": "wait for the child's lead", "dialogue_element": "naming",
          "clips_shown": "bath time, 00:40", "clips_held_back": "the tantrum", "held_back_why": "too raw yet",
          "responses": ["engaged", "proud"], "response_note": "smiled at the clip"}


def _form(client, url: str) -> tuple[str, dict]:
    page = text(client.get(url))
    hidden = dict(re.findall(r'<input[^>]*name="(form_id|rev)"[^>]*value="([^"]*)"', page))
    return page, {"csrf_token": csrf_from(page), **hidden}


def add_review(client, pid: str, fields: dict | None = None):
    _page, base = _form(client, f"/processes/{pid}/reviews/new")
    return client.post(f"/processes/{pid}/reviews/new", data={**base, **REVIEW, **(fields or {})}), base


def checked(html: str) -> set[str]:
    """The parent responses ticked on a review form."""
    return set(re.findall(r'<input checked[^>]*name="responses"[^>]*value="(\w+)"', html)) | \
        set(re.findall(r'<input[^>]*name="responses"[^>]*value="(\w+)"[^>]*checked', html))


def review_ids(html: str, pid: str) -> list[str]:
    return re.findall(rf'href="/processes/{pid}/reviews/([0-9a-f]{{32}})"', html)


def test_add_edit_delete_a_review(app, client, user):
    pid = process_id(post_process(client, {"code": "MM-40-01", "dialogue_element": "turn-taking"}))
    new = text(client.get(f"/processes/{pid}/reviews/new"))
    assert 'value="turn-taking"' in new    # the process's element is offered
    r, base = add_review(client, pid)
    assert r.status_code == 302 and r.headers["Location"].startswith(f"/processes/{pid}")
    # a double submit of the same form adds nothing
    again = client.post(f"/processes/{pid}/reviews/new", data={**base, **REVIEW})
    assert again.status_code == 302
    view = text(client.get(f"/processes/{pid}"))
    [rid] = review_ids(view, pid)
    assert rid == base["form_id"]
    assert "wait for the child" in view and view.count('class="muted">') >= 1
    edit = text(client.get(f"/processes/{pid}/reviews/{rid}"))
    for shown in ("too raw yet", "the tantrum", "bath time, 00:40", "smiled at the clip"):
        assert shown in edit, shown
    assert checked(edit) == {"engaged", "proud"}
    _page, base = _form(client, f"/processes/{pid}/reviews/{rid}")
    assert base["rev"] == "1"
    r = client.post(f"/processes/{pid}/reviews/{rid}", data={**base, **REVIEW, "working_points": "name the feeling",
                                                             "responses": ["moved"]})
    assert r.status_code == 302
    view = text(client.get(f"/processes/{pid}"))
    assert "name the feeling" in view and review_ids(view, pid) == [rid]
    assert checked(text(client.get(f"/processes/{pid}/reviews/{rid}"))) == {"moved"}
    # delete: GET asks, POST without token keeps it, POST with token deletes
    ask = text(client.get(f"/processes/{pid}/reviews/{rid}/delete"))
    assert said(app, "Delete this review?") in ask
    assert client.post(f"/processes/{pid}/reviews/{rid}/delete", data={}).status_code == 400
    r = client.post(f"/processes/{pid}/reviews/{rid}/delete", data={"csrf_token": csrf_from(ask)})
    assert r.status_code == 302
    assert review_ids(text(client.get(f"/processes/{pid}")), pid) == []
    assert client.get(f"/processes/{pid}/reviews/{rid}").status_code == 404


def test_an_edit_from_a_stale_form_is_a_conflict_with_text_kept(app, client, user):
    pid = process_id(post_process(client, {"code": "MM-40-02"}))
    add_review(client, pid)
    rid = review_ids(text(client.get(f"/processes/{pid}")), pid)[0]
    _, phone = _form(client, f"/processes/{pid}/reviews/{rid}")
    _, laptop = _form(client, f"/processes/{pid}/reviews/{rid}")
    assert client.post(f"/processes/{pid}/reviews/{rid}",
                       data={**laptop, **REVIEW, "working_points": "laptop words"}).status_code == 302
    r = client.post(f"/processes/{pid}/reviews/{rid}", data={**phone, **REVIEW, "working_points": "phone words"})
    assert r.status_code == 409
    page = text(r)
    assert "phone words" in page and "laptop words" in page
    assert said_html(app, "This review was changed on another device") in page
    # saving again from the conflict page keeps mine
    r = client.post(f"/processes/{pid}/reviews/{rid}", data={**phone, **REVIEW, "working_points": "phone words",
                                                             "csrf_token": csrf_from(page),
                                                             "rev": re.search(r'name="rev"[^>]*value="(\d+)"', page)[1]})
    assert r.status_code == 302 and "phone words" in text(client.get(f"/processes/{pid}"))


def test_bad_review_input_is_refused_with_text_kept(app, client, user):
    pid = process_id(post_process(client, {"code": "MM-40-03"}))
    for fields, message in (({"day": ""}, "Please give the date of the review."),
                            ({"day": "31.02.2026"}, None),
                            ({"responses": ["furious"]}, "Please choose from the list."),
                            ({"working_points": "w" * 1001}, None)):
        r, _ = add_review(client, pid, {**fields, "held_back_why": "kept reason"})
        assert r.status_code == 400, fields
        assert "kept reason" in text(r)
        if message:
            assert said_html(app, message) in text(r)
    assert review_ids(text(client.get(f"/processes/{pid}")), pid) == []


def test_timeline_mixes_reviews_and_entries_by_date(app, client, user):
    pid = process_id(post_process(client, {"code": "MM-40-04"}))
    entry_id(post_entry(client, "hard_session", {"what_happened": "entry in march", "process_id": pid,
                                                 "visit_date": "2026-03-05"}))
    entry_id(post_entry(client, "hard_session", {"what_happened": "entry in may", "process_id": pid,
                                                 "visit_date": "2026-05-05"}))
    add_review(client, pid, {"day": "2026-04-01", "working_points": "review in april"})
    add_review(client, pid, {"day": "2026-02-01", "working_points": "review in february"})
    view = text(client.get(f"/processes/{pid}"))
    order = [view.index(s) for s in ("entry in may", "review in april", "entry in march", "review in february")]
    assert order == sorted(order)


def test_other_users_cannot_reach_reviews(app, client, user):
    pid = process_id(post_process(client, {"code": "MM-40-05"}))
    add_review(client, pid)
    rid = review_ids(text(client.get(f"/processes/{pid}")), pid)[0]
    other = second_client(app)
    token = csrf_from(text(other.get("/processes/new")))
    for url in (f"/processes/{pid}/reviews/new", f"/processes/{pid}/reviews/{rid}",
                f"/processes/{pid}/reviews/{rid}/delete"):
        assert other.get(url).status_code == 404
        assert other.post(url, data={"csrf_token": token, **REVIEW}).status_code == 404
    # their own process does not open my review either
    theirs = process_id(post_process(other, {"code": "MM-40-06"}))
    assert other.get(f"/processes/{theirs}/reviews/{rid}").status_code == 404
    assert "wait for the child" in text(client.get(f"/processes/{pid}/reviews/{rid}"))
