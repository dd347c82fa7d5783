"""HTTP tests for the journal: every route and kind, filters, search, pagination, drafts and autosave,
bad input (never a 500, never lost text), access by another user (404), session timeout, PII warnings."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import delete as sql_delete
from sqlalchemy import func, select

from domain.accounts import account as accounts
from domain.core.db import db, utcnow
from domain.core.models import Entry, UserSession
from domain.journal import entries as journal
from domain.journal import processes
from tests.conftest import PASSWORD, Auth, csrf_from, raw_database_bytes, search

KINDS = ("hard_session", "countertransference", "ethical_dilemma", "bright_moment")
MAIN = {"hard_session": "what_happened", "countertransference": "trigger",
        "ethical_dilemma": "dilemma", "bright_moment": "what_happened"}

# Every field of every kind, as a phone would post it.
FULL = {
    "hard_session": {"what_happened": "hs happened", "what_made_it_hard": "hs hard", "what_helped": "hs helped",
                     "what_did_not_help": "hs unhelpful", "effect": "unclear", "effect_note": "hs effect note",
                     "how_it_left_me": "hs left me"},
    "countertransference": {"feelings": ["helplessness", "sadness"], "feelings_other": "ct other feeling",
                            "intensity": "7", "body": "ct body chest", "trigger": "ct trigger",
                            "whose": ["my_history", "parent"], "what_i_did": "ct what I did"},
    "ethical_dilemma": {"dilemma": "ed dilemma", "dilemma_type": "report_cps", "concern_level": "serious",
                        "options": "ed options", "consulted": "ed consulted", "decision": "ed decision",
                        "follow_up": "2026-04-01"},
    "bright_moment": {"what_happened": "bm happened", "what_made_it_possible": "bm possible",
                      "how_it_left_me": "bm left me"},
}
SHOWN = {  # what the entry page shows for the choices above
    "hard_session": ["Hard to tell"],
    "countertransference": ["Helplessness, Sadness", "My own history, The parent&#39;s", "7"],
    "ethical_dilemma": ["Report to child welfare services?", "Serious concern", "1 April 2026"],
    "bright_moment": [],
}


# --- helpers (also used by the process, marker and browser tests) ----------------------------

def draft_id_from(html: str) -> str:
    m = re.search(r'name="draft_id" type="hidden" value="([0-9a-f]*)"', html)
    assert m, "no draft_id on the page"
    return m.group(1)


def form_action(html: str) -> str:
    """Where the page's main form posts (the first form with an action, after the top bar's logout)."""
    actions = [a for a in re.findall(r'<form method="post"[^>]*?action="([^"]*)"', html) if a not in ("/logout", "/language")]
    assert actions, "no form with an action"
    return actions[0]


def open_form(client, url: str) -> tuple[str, str, str]:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    html = r.get_data(as_text=True)
    return html, csrf_from(html), draft_id_from(html)


def post_entry(client, kind: str, fields: dict, action: str = "save", url: str | None = None,
               with_csrf: bool = True, **extra):
    """Open the form at `url` (default: new entry of `kind`), then post it like a browser."""
    url = url or f"/entries/new/{kind}"
    _html, token, draft_id = open_form(client, url)
    data = {"draft_id": draft_id, "kind": kind, "action": action, "supervision": "no", **fields, **extra}
    if with_csrf:
        data["csrf_token"] = token
    return client.post(url, data=data)


def entry_id(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    loc = response.headers["Location"]
    # An urgent dilemma lands on the "send it to my supervisor now?" offer, the others on the entry.
    found = re.fullmatch(r"/entries/([0-9a-f]{32})(/urgent)?", loc)
    assert found, loc
    return found.group(1)


def count_entries(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Entry))


def text(r) -> str:
    return r.get_data(as_text=True)


def second_client(app, login="other"):
    """Another signed-up therapist in their own browser."""
    c = app.test_client()
    Auth(c).signup(login=login, name="Other Therapist")
    return c


def domain_account(app, login: str, n_entries: int = 0, make=None):
    """A confirmed account made through the domain (fast bulk data); returns (user id, key)."""
    with app.app_context():
        from blueprints import guards
        user, key, _ = accounts.create_account(guards.kdf_policy(), guards.server_secret(), login,
                                               "Bulk Therapist", PASSWORD)
        user.recovery_confirmed_at = utcnow()
        db.session.flush()
        for n in range(n_entries):
            data = make(n) if make else {"kind": "bright_moment", "what_happened": f"bulk entry {n}"}
            journal.create(user, key, journal.clean(data, set(), False))
        db.session.commit()
        return user.id, key


# --- pages for every kind --------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_new_form_for_each_kind(client, user, kind):
    html, _token, draft = open_form(client, f"/entries/new/{kind}")
    assert len(draft) == 32
    for name in FULL[kind]:
        assert f'name="{name}"' in html, name
    assert 'name="themes_"' in html and 'name="subthemes"' in html and 'name="films-0-film"' in html
    assert 'data-max="4000"' in html and 'maxlength="4000"' not in html and "up to 4000 characters" in html   # limits are shown
    assert ('value="urgent"' in html) == (kind == "ethical_dilemma")
    # each open form gets its own id, so two tabs never overwrite each other
    assert draft_id_from(text(client.get(f"/entries/new/{kind}"))) != draft


def test_unknown_kind_is_404(client, user):
    assert client.get("/entries/new/poem").status_code == 404
    assert client.post("/entries/new/poem", data={}).status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_create_view_edit_each_kind(client, user, kind):
    r = post_entry(client, kind, {**FULL[kind], "title": f"{kind} title", "visit_date": "2026-03-02",
                                  "themes_": ["safe_alliance"], "subthemes": ["therapist_feelings.own_history"],
                                  "tags": "first visit, #Night, night", "supervision": "yes",
                                  "films-0-film": "3", "films-0-timestamp": "04:12", "films-0-shows": "turns"})
    eid = entry_id(r)
    view = text(client.get(f"/entries/{eid}"))
    assert "Saved." in view
    for value in FULL[kind].values():
        if isinstance(value, str) and " " in value:  # typed text (ids and numbers are checked below)
            assert value in view, value
    for shown in SHOWN[kind]:
        assert shown in view, shown
    assert f"{kind} title" in view and "2 March 2026" in view
    assert "Building an alliance" in view and "My own history resonating" in view
    assert "Handling intense feelings" in view   # implied by the subtheme
    assert "#first visit" in view and "#Night" in view and view.count("#night") == 0
    assert "Film 3 at 04:12: turns" in view and "for supervision" in view

    edit = text(client.get(f"/entries/{eid}/edit"))
    assert FULL[kind][MAIN[kind]] in edit and f'value="{eid}"' in edit
    assert "first visit, Night" in edit and 'value="2026-03-02"' in edit
    r = post_entry(client, kind, {**FULL[kind], MAIN[kind]: "edited main text", "tags": "later"},
                   url=f"/entries/{eid}/edit")
    assert entry_id(r) == eid
    view = text(client.get(f"/entries/{eid}"))
    assert "edited main text" in view and "#later" in view and "edited" in view


def test_one_line_is_enough(app, client, user):
    for kind in KINDS:
        entry_id(post_entry(client, kind, {MAIN[kind]: "one line"}))
    assert count_entries(app) == 4
    assert "4 entries" in text(client.get("/entries"))


def test_delete_asks_first(app, client, user):
    eid = entry_id(post_entry(client, "bright_moment", {"what_happened": "to be deleted"}))
    page = text(client.get(f"/entries/{eid}/delete"))
    assert "Delete this entry?" in page and "to be deleted" in page and "No, keep it" in page
    assert client.post(f"/entries/{eid}/delete", data={}).status_code == 400   # no token: nothing happens
    assert count_entries(app) == 1
    r = client.post(f"/entries/{eid}/delete", data={"csrf_token": csrf_from(page)})
    assert r.status_code == 302 and r.headers["Location"] == "/entries"
    assert "The entry is deleted." in text(client.get("/entries"))
    assert count_entries(app) == 0
    assert client.get(f"/entries/{eid}").status_code == 404


def test_pages_need_login(client):
    for url in ("/entries", "/entries/new/hard_session", "/entries/" + "a" * 32, "/processes/"):
        r = client.get(url)
        assert r.status_code == 302 and r.headers["Location"].startswith("/login"), url
    assert client.post("/entries/autosave", data={"kind": "hard_session"}).status_code == 401


def test_themes_page(client):
    html = text(client.get("/themes"))
    assert "Promoting relational growth in a coercive context" in html
    assert "Handling intense feelings as a therapist" in html
    assert "My own history resonating" in html


# --- list, filters, search, pagination -------------------------------------------------------

def test_list_pagination_newest_first(app, client, auth):
    domain_account(app, "bulk", 45, lambda n: {"kind": "bright_moment", "what_happened": f"bulk entry {n:02d}",
                                               "visit_date": f"2026-01-{(n % 28) + 1:02d}" if n < 28 else
                                               f"2026-02-{(n - 27):02d}"})
    auth.login("bulk")
    first = text(client.get("/entries"))
    assert "45 entries." in first and "Page 1 of 3" in first and "Older" in first and "Newer" not in first
    assert first.count('class="entry-card"') == 20
    assert first.index("bulk entry 44") < first.index("bulk entry 43")  # newest visit date first
    second = text(client.get("/entries?page=2"))
    assert "Page 2 of 3" in second and "Newer" in second and second.count('class="entry-card"') == 20
    last = text(client.get("/entries?page=3"))
    assert last.count('class="entry-card"') == 5 and "bulk entry 00" in last
    assert "Page 3 of 3" in text(client.get("/entries?page=99"))
    assert "Page 1 of 3" in text(client.get("/entries?page=abc"))
    assert "Page 1 of 3" in text(client.get("/entries?page=-4"))
    # filters survive paging
    filtered = text(search(client, "q=bulk", page=2))
    assert "page=3" in filtered and "f=" in filtered and "q=bulk" not in filtered


@pytest.fixture
def varied(app, client, auth):
    """A therapist with one process and entries that differ in every filterable way."""
    uid, key = domain_account(app, "varied")
    with app.app_context():
        from domain.core.models import User
        user = db.session.get(User, uid)
        proc = processes.create(user, key, {"code": "MM-7"})
        db.session.flush()
        specs = [
            {"kind": "hard_session", "what_happened": "alpha camera session", "themes": ["coercive_context"],
             "visit_date": "2026-01-05", "tags": ["First visit"], "process_id": proc.id, "supervision": "yes"},
            {"kind": "countertransference", "feelings": ["helplessness"], "intensity": 9,
             "visit_date": "2026-02-10", "subthemes": ["therapist_feelings.own_history"], "tags": ["night"]},
            {"kind": "ethical_dilemma", "dilemma": "gamma caseworker call", "dilemma_type": "report_cps",
             "supervision": "urgent", "visit_date": "2026-03-01", "process_id": proc.id},
            {"kind": "bright_moment", "what_happened": "delta lighthouse bathtime", "visit_date": "2026-03-20",
             "subthemes": ["positive_moments.new_view_of_child"]},
        ]
        for s in specs:
            journal.create(user, key, journal.clean(s, {proc.id}, False))
        journal.create(user, key, journal.clean({"kind": "bright_moment", "what_happened": "epsilon draft"},
                                                {proc.id}, True))
        db.session.commit()
        pid = proc.id
    auth.login("varied")
    return pid


def _found(client, query: str) -> list[str]:
    r = search(client, query)
    assert r.status_code == 200, (query, r.status_code)
    return re.findall(r'<span class="kind kind-([a-z_]+)">', text(r).split('class="entry-list"', 1)[1])


@pytest.mark.parametrize("query, kinds", [
    ("", ["bright_moment", "ethical_dilemma", "countertransference", "hard_session"]),
    ("kind=ethical_dilemma", ["ethical_dilemma"]),
    ("theme=therapist_feelings", ["countertransference"]),
    ("theme=positive_moments", ["bright_moment"]),
    ("subtheme=therapist_feelings.own_history", ["countertransference"]),
    ("from=2026-02-10&to=2026-03-01", ["ethical_dilemma", "countertransference"]),
    ("supervision=flagged", ["ethical_dilemma", "hard_session"]),
    ("supervision=urgent", ["ethical_dilemma"]),
    ("tag=first+visit", ["hard_session"]),
    ("tag=night&kind=hard_session", []),
    ("q=lighthouse", ["bright_moment"]),
    ("q=HELPLESSNESS", ["countertransference"]),
    ("q=caseworker+gamma", ["ethical_dilemma"]),
    ("q=caseworker+delta", []),
    ("drafts=1", ["bright_moment"]),
    ("drafts=1&q=epsilon", ["bright_moment"]),
    ("q=epsilon", []),
    ("kind=nonsense&theme=nope", ["bright_moment", "ethical_dilemma", "countertransference", "hard_session"]),
])
def test_list_filters(client, varied, query, kinds):
    assert _found(client, query) == kinds


def test_list_filter_by_process_and_counts(client, varied):
    assert _found(client, f"process={varied}") == ["ethical_dilemma", "hard_session"]
    assert _found(client, "process=" + "f" * 32) == []
    html = text(search(client, "q=lighthouse"))
    assert "1 entry found" in html and "Clear" in html
    assert "MM-7" in html  # the process is offered as a filter


@pytest.mark.parametrize("query", ["from=2026-02-30", "to=yesterday", "from=2026-03-01&to=2026-01-01"])
def test_list_bad_dates(client, varied, query):
    r = search(client, query)
    assert r.status_code == 400
    html = text(r)
    assert "Please give a real date" in html or "before the start date" in html
    assert "0 entries" in html


def test_home_shows_recent_drafts_and_supervision(client, varied):
    home = text(client.get("/"))
    assert "Waiting for supervision" in home and "gamma caseworker call" in home
    assert "Drafts" in home and "epsilon draft" in home
    assert "Recent entries" in home and "delta lighthouse bathtime" in home
    for kind in KINDS:
        assert f"/entries/new/{kind}" in home


# --- drafts and autosave ---------------------------------------------------------------------

def _autosave(client, kind, html, fields, token=True):
    data = {"kind": kind, "draft_id": draft_id_from(html), **fields}
    if token:
        data["csrf_token"] = csrf_from(html)
    return client.post("/entries/autosave", data=data)


def test_autosave_then_save_publishes_the_same_entry(app, client, user):
    html, _t, draft = open_form(client, "/entries/new/hard_session")
    r = _autosave(client, "hard_session", html, {"what_happened": "typed in the car", "action": "draft"})
    assert r.status_code == 200 and r.get_json() == {"ok": True}
    r = _autosave(client, "hard_session", html, {"what_happened": "typed in the car, more"})
    assert r.get_json() == {"ok": True} and count_entries(app) == 1
    drafts = text(client.get("/entries?drafts=1"))
    assert "1 entry" in drafts and "typed in the car, more" in drafts
    assert "typed in the car, more" in text(client.get("/"))
    # a draft view and its edit form still offer "Save draft"
    assert "draft" in text(client.get(f"/entries/{draft}"))
    assert 'value="draft"' in text(client.get(f"/entries/{draft}/edit"))

    r = client.post("/entries/new/hard_session", data={
        "csrf_token": csrf_from(html), "draft_id": draft, "kind": "hard_session", "action": "save",
        "what_happened": "typed in the car, final", "supervision": "no"})
    assert entry_id(r) == draft and count_entries(app) == 1
    assert "0 entries" in text(client.get("/entries?drafts=1"))
    assert "typed in the car, final" in text(client.get("/entries"))
    # a late autosave (timer fired after Save) never turns the saved entry back into a draft
    r = _autosave(client, "hard_session", html, {"what_happened": "stale"})
    assert r.status_code == 200 and r.get_json()["skipped"]
    assert "typed in the car, final" in text(client.get(f"/entries/{draft}"))


def test_save_draft_button_and_publish_from_edit(app, client, user):
    eid = entry_id(post_entry(client, "countertransference", {"body": "throat"}, action="draft"))
    view = text(client.get(f"/entries/{eid}"))
    assert "Saved as a draft." in view and "draft" in view
    # Save needs the minimum; the draft is left as it was
    r = post_entry(client, "countertransference", {"body": "throat"}, url=f"/entries/{eid}/edit")
    assert r.status_code == 400 and "one line is enough" in text(r) and "throat" in text(r)
    r = post_entry(client, "countertransference", {"body": "throat", "feelings": ["anger"]},
                   url=f"/entries/{eid}/edit")
    assert entry_id(r) == eid and count_entries(app) == 1
    assert "0 entries" in text(client.get("/entries?drafts=1"))


@pytest.mark.parametrize("data, status", [
    ({"kind": "poem"}, 400),
    ({"kind": "hard_session"}, 400),                              # no draft id, no token
    ({"kind": "hard_session", "draft_id": "../../etc"}, 400),
])
def test_autosave_refuses_bad_requests(app, client, user, data, status):
    r = client.post("/entries/autosave", data=data)
    assert r.status_code == status and r.get_json()["ok"] is False
    assert count_entries(app) == 0


def test_autosave_without_csrf_or_with_bad_values(app, client, user):
    html, _t, _d = open_form(client, "/entries/new/countertransference")
    r = _autosave(client, "countertransference", html, {"trigger": "x"}, token=False)
    assert r.status_code == 400 and r.get_json()["csrf"] is True
    r = _autosave(client, "countertransference", html, {"intensity": "11"})
    assert r.status_code == 400 and "intensity" in r.get_json()["errors"]
    r = _autosave(client, "countertransference", html, {"supervision": "urgent"})
    assert r.status_code == 400
    assert count_entries(app) == 0


def test_double_submit_creates_one_entry(app, client, user):
    _html, token, draft = open_form(client, "/entries/new/bright_moment")
    data = {"csrf_token": token, "draft_id": draft, "kind": "bright_moment", "action": "save",
            "what_happened": "double tap", "supervision": "no"}
    first = client.post("/entries/new/bright_moment", data=data)
    second = client.post("/entries/new/bright_moment", data=data)
    assert entry_id(first) == entry_id(second) == draft
    assert count_entries(app) == 1


def test_more_films_adds_a_row_without_saving(app, client, user):
    r = post_entry(client, "hard_session", {"what_happened": "keep me", "films-0-film": "2"},
                   action="more-films")
    html = text(r)
    assert r.status_code == 200 and count_entries(app) == 0
    assert 'name="films-1-film"' in html and "keep me" in html and 'value="2"' in html
    # up to six rows, then the button goes away
    data = {"csrf_token": csrf_from(html), "draft_id": draft_id_from(html), "kind": "hard_session",
            "action": "more-films", "what_happened": "keep me", "supervision": "no"}
    for _ in range(8):
        html = text(client.post("/entries/new/hard_session", data=data))
        data.update({k: "" for k in re.findall(r'name="(films-\d+-film)"', html)})
    assert 'name="films-5-film"' in html and 'name="films-6-film"' not in html
    assert 'value="more-films"' not in html and count_entries(app) == 0
    r = client.post("/entries/new/hard_session", data=data | {"action": "save"})
    entry_id(r)


def test_more_films_on_edit(app, client, user):
    eid = entry_id(post_entry(client, "bright_moment", {"what_happened": "w"}))
    r = post_entry(client, "bright_moment", {"what_happened": "w changed"}, action="more-films",
                   url=f"/entries/{eid}/edit")
    assert r.status_code == 200 and 'name="films-1-film"' in text(r) and "w changed" in text(r)
    assert "w changed" not in text(client.get(f"/entries/{eid}"))


# --- bad input: a clear message, the text kept, never a 500 ----------------------------------

KEEP = "kept-text-marker-puffin"


@pytest.mark.parametrize("kind, fields, message", [
    ("hard_session", {"what_happened": "x" * 4001}, "At most 4000 characters"),
    ("countertransference", {"body": "b" * 201}, "At most 200 characters"),
    ("bright_moment", {"title": "t" * 121}, "At most 120 characters"),
    ("hard_session", {"visit_date": "2026-02-30"}, "Please give a real date"),
    ("hard_session", {"visit_date": "30.02.2026"}, "Please give a real date"),
    ("ethical_dilemma", {"follow_up": "2026-13-01"}, "Please give a real date"),
    ("countertransference", {"intensity": "11"}, "Please choose from the list."),
    ("countertransference", {"intensity": "abc"}, "Please choose from the list."),
    ("countertransference", {"intensity": "-1"}, "Please choose from the list."),
    ("countertransference", {"feelings": ["ennui"]}, "Please choose from the list."),
    ("hard_session", {"themes_": ["no_such_theme"]}, "Please choose from the list."),
    ("hard_session", {"subthemes": ["safe_alliance.nope"]}, "Please choose from the list."),
    ("ethical_dilemma", {"dilemma_type": "boat"}, "Please choose from the list."),
    ("hard_session", {"supervision": "urgent"}, "Please choose from the list."),
    ("hard_session", {"process_id": "f" * 32}, "Please choose from the list."),
    ("hard_session", {"films-0-timestamp": "noon"}, "mm:ss"),
    ("hard_session", {"films-0-film": "1" * 13}, "At most 12 characters"),
    ("hard_session", {"tags": ",".join(f"t{n}" for n in range(13))}, "At most 12 tags."),
    ("hard_session", {"tags": "y" * 41}, "Each tag at most 40 characters."),
])
def test_bad_input_is_refused_with_the_text_kept(app, client, user, kind, fields, message):
    keep_field = "how_it_left_me" if kind in ("hard_session", "bright_moment") else (
        "what_i_did" if kind == "countertransference" else "options")
    main = {MAIN[kind]: "main line"} if MAIN[kind] not in fields else {}
    r = post_entry(client, kind, {**main, keep_field: KEEP, **fields})
    assert r.status_code == 400, text(r)[:2000]
    html = text(r)
    assert message in html and KEEP in html
    assert 'aria-invalid="true"' in html
    assert count_entries(app) == 0


def test_missing_minimum_is_explained(app, client, user):
    r = post_entry(client, "ethical_dilemma", {"options": KEEP})
    assert r.status_code == 400 and "one line is enough" in text(r) and KEEP in text(r)
    assert count_entries(app) == 0


def test_missing_csrf_keeps_the_text(app, client, user):
    r = post_entry(client, "hard_session", {"what_happened": KEEP}, with_csrf=False)
    assert r.status_code == 400
    html = text(r)
    assert "This form expired or came from somewhere else" in html and KEEP in html
    # the re-rendered form carries a fresh token: sending it again works
    r = client.post("/entries/new/hard_session", data={
        "csrf_token": csrf_from(html), "draft_id": draft_id_from(html), "kind": "hard_session",
        "action": "save", "what_happened": KEEP, "supervision": "no"})
    entry_id(r)
    assert count_entries(app) == 1


def test_bad_draft_ids_never_break_saving(app, client, user):
    for draft in ("", "not-hex", "A" * 32, "0" * 64):
        r = client.post("/entries/new/bright_moment", data={
            "csrf_token": csrf_from(text(client.get("/entries/new/bright_moment"))), "draft_id": draft,
            "kind": "bright_moment", "action": "save", "what_happened": "odd id", "supervision": "no"})
        entry_id(r)
    assert count_entries(app) == 4


# --- another user's entries: 404, exactly like a missing one ---------------------------------

def test_other_users_entry_is_404(app, client, user):
    eid = entry_id(post_entry(client, "hard_session", {"what_happened": "mine alone"}))
    other = second_client(app)
    token = csrf_from(text(other.get("/entries/new/hard_session")))
    missing = "0" * 32
    for target in (eid, missing, "x" * 100):
        assert other.get(f"/entries/{target}").status_code == 404
        assert other.get(f"/entries/{target}/edit").status_code == 404
        assert other.get(f"/entries/{target}/delete").status_code == 404
        assert other.post(f"/entries/{target}/edit", data={
            "csrf_token": token, "kind": "hard_session", "what_happened": "overwritten", "action": "save"}
        ).status_code == 404
        assert other.post(f"/entries/{target}/delete", data={"csrf_token": token}).status_code == 404
    # same page, same words for "not yours" and "not there"
    assert text(other.get(f"/entries/{eid}")) == text(other.get(f"/entries/{missing}"))
    # their draft id pointing at my entry: they get a new entry, mine is untouched
    r = other.post("/entries/new/hard_session", data={
        "csrf_token": token, "draft_id": eid, "kind": "hard_session", "action": "save",
        "what_happened": "hijack attempt", "supervision": "no"})
    assert entry_id(r) != eid
    r = other.post("/entries/autosave", data={"csrf_token": token, "draft_id": eid, "kind": "hard_session",
                                              "what_happened": "hijack by autosave"})
    assert r.status_code == 200
    view = text(client.get(f"/entries/{eid}"))
    assert "mine alone" in view and "hijack" not in view
    assert "hijack" not in text(client.get("/entries")) and "mine alone" not in text(other.get("/entries"))
    assert "mine alone" not in text(search(other, "q=mine"))


# --- session timeout: the text survives, nothing of it is stored ----------------------------

def test_session_timeout_keeps_text(app, client, user):
    marker = "timeout-marker-gannet"
    _html, token, draft = open_form(client, "/entries/new/countertransference")
    with app.app_context():
        db.session.execute(sql_delete(UserSession))
        db.session.commit()
    form = {"csrf_token": token, "draft_id": draft, "kind": "countertransference", "action": "save",
            "trigger": f"{marker} trigger", "feelings": ["despair", "guilt"], "intensity": "6",
            "supervision": "yes", "tags": "car park"}
    r = client.post("/entries/new/countertransference", data=form)
    assert r.status_code == 401
    login_page = text(r)
    assert "What you typed is kept" in login_page and marker not in login_page
    resume = re.search(r'name="resume" type="hidden" value="([^"]+)"', login_page).group(1)
    assert marker.encode() not in raw_database_bytes(app)
    assert count_entries(app) == 0

    # the page is served at the entry form's URL, but its form must post to /login
    assert form_action(login_page) == "/login"
    r = client.post(form_action(login_page), data={"csrf_token": csrf_from(login_page), "login": "therapist",
                                                   "password": PASSWORD, "resume": resume})
    assert r.status_code == 200
    again = text(r)
    # ...and the entry form, now served at /login, posts back to the entry form
    assert form_action(again) == "/entries/new/countertransference"
    assert f"{marker} trigger" in again and "car park" in again and "Welcome back" in again
    assert draft_id_from(again) == draft
    assert re.search(r'value="despair"[^>]*checked|checked[^>]*value="despair"', again)
    assert marker.encode() not in raw_database_bytes(app)

    r = client.post(form_action(again), data=form | {"csrf_token": csrf_from(again)})
    assert entry_id(r) == draft
    view = text(client.get(f"/entries/{draft}"))
    assert f"{marker} trigger" in view and "Despair, Guilt" in view
    assert marker.encode() not in raw_database_bytes(app)


def test_session_timeout_on_edit_keeps_changes(app, client, user):
    eid = entry_id(post_entry(client, "bright_moment", {"what_happened": "before"}))
    _html, token, _d = open_form(client, f"/entries/{eid}/edit")
    with app.app_context():
        db.session.execute(sql_delete(UserSession))
        db.session.commit()
    r = client.post(f"/entries/{eid}/edit", data={"csrf_token": token, "draft_id": eid, "kind": "bright_moment",
                                                   "action": "save", "what_happened": "after the timeout"})
    assert r.status_code == 401
    page = text(r)
    resume = re.search(r'name="resume" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post(form_action(page), data={"csrf_token": csrf_from(page), "login": "therapist",
                                             "password": PASSWORD, "resume": resume})
    again = text(r)
    assert r.status_code == 200 and "after the timeout" in again
    assert form_action(again) == f"/entries/{eid}/edit"
    r = client.post(form_action(again), data={"csrf_token": csrf_from(again), "draft_id": eid,
                                                   "kind": "bright_moment", "action": "save",
                                                   "what_happened": "after the timeout"})
    assert entry_id(r) == eid and "after the timeout" in text(client.get(f"/entries/{eid}"))


def test_tampered_resume_is_ignored(client, user, auth):
    auth.logout()
    page = text(client.get("/login"))
    r = client.post("/login", data={"csrf_token": csrf_from(page), "login": "therapist", "password": PASSWORD,
                                    "resume": "bm90IGEgcmVhbCBibG9i"})
    assert r.status_code == 302 and r.headers["Location"] == "/"


# --- identifying details: warn once, then respect the therapist's choice ----------------------

def test_pii_warning_then_second_save(app, client, user):
    fields = {"what_happened": "Met mother Kari at the door", "how_it_left_me": "She said call 912 34 567"}
    r = post_entry(client, "hard_session", fields)
    html = text(r)
    assert r.status_code == 200 and count_entries(app) == 0
    assert "Could this identify a family?" in html
    assert "What happened?" in html and "mother Kari" in html
    assert "How did it leave me?" in html and "912 34 567" in html
    assert 'name="pii_ack" type="hidden" value="1"' in html
    r = client.post("/entries/new/hard_session", data={
        "csrf_token": csrf_from(html), "draft_id": draft_id_from(html), "pii_ack": "1", "kind": "hard_session",
        "action": "save", "supervision": "no", **fields})
    entry_id(r)
    assert count_entries(app) == 1


def test_pii_in_film_notes_and_title_is_found_and_drafts_are_not_blocked(app, client, user):
    r = post_entry(client, "bright_moment", {"what_happened": "fine", "films-0-shows": "ring 41234567"})
    assert r.status_code == 200 and "Film moment" in text(r)
    r = post_entry(client, "bright_moment", {"what_happened": "fine", "title": "baby Jonas smiles"})
    assert r.status_code == 200 and "Title" in text(r)
    entry_id(post_entry(client, "bright_moment", {"what_happened": "father Ola"}, action="draft"))
    assert count_entries(app) == 1


def test_editing_a_draft_keeps_the_draft_button_after_an_error(client, user):
    eid = entry_id(post_entry(client, "hard_session", {"what_made_it_hard": "half a thought"}, action="draft"))
    r = post_entry(client, "hard_session", {"what_made_it_hard": "half a thought", "visit_date": "2026-02-30"},
                   url=f"/entries/{eid}/edit", action="draft")
    assert r.status_code == 400 and 'value="draft"' in text(r) and "half a thought" in text(r)
    r = post_entry(client, "hard_session", {"what_made_it_hard": "half a thought"}, url=f"/entries/{eid}/edit",
                   action="more-films")
    assert r.status_code == 200 and 'value="draft"' in text(r)
    # a saved entry offers only Save
    saved = entry_id(post_entry(client, "hard_session", {"what_happened": "done"}))
    r = post_entry(client, "hard_session", {"what_happened": "done", "visit_date": "nope"},
                   url=f"/entries/{saved}/edit")
    assert r.status_code == 400 and 'value="draft"' not in text(r)


def test_delete_without_token_explains(client, user):
    eid = entry_id(post_entry(client, "bright_moment", {"what_happened": "stay"}))
    r = client.post(f"/entries/{eid}/delete", data={"csrf_token": "stale"})
    assert r.status_code == 400 and "This form expired" in text(r)
    assert client.get(f"/entries/{eid}").status_code == 200
