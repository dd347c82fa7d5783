"""HTTP tests for seminar groups: create, invite links, join (also from a logged-out phone), consent
and withdraw (facts in and out of the database), facts kept current on entry changes, members and
leads, k, leaving, access by non-members, and the k-anonymous group trends end to end (page, CSV,
PDF, every period).

The helpers at the top are shared with test_group_contributions, test_handout and the browser test.
"""
from __future__ import annotations

import csv
import html as htmlmod
import io
import re
import zlib
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from domain.accounts import account as accounts
from domain.core.db import db, utcnow
from domain.core.models import Group, GroupInvite, GroupMember, TrendFact, User
from domain.core.refusal import Refusal
from domain.groups import contributions as trend_store
from domain.groups import membership as groups
from domain.journal import entries as journal
from domain.journal import processes
from domain.trends import facts as trend_facts
from domain.trends import group_tables, suppression
from tests.conftest import PASSWORD, Auth, csrf_from

CT, HS, ED, BM = "countertransference", "hard_session", "ethical_dilemma", "bright_moment"
MAIN = {HS: "what_happened", BM: "what_happened", ED: "dilemma", CT: "trigger"}


# --- helpers ---------------------------------------------------------------------------------------

def text(r) -> str:
    return r.get_data(as_text=True)


def month_day(back: int, day: int = 1) -> date:
    """A day in the month `back` months before this one."""
    today = utcnow().date()
    no = today.year * 12 + today.month - 1 - back
    return date(no // 12, no % 12 + 1, day)


def month(back: int) -> str:
    return trend_facts.month_of(month_day(back))


def entry(kind: str, back: int = 0, *, themes=(), subthemes=(), intensity=None, draft=False, **extra) -> dict:
    """An entry spec `back` months ago (used by make_user)."""
    data = {"kind": kind, MAIN[kind]: f"{kind} words {back}", "visit_date": month_day(back).isoformat(),
            "themes": list(themes), "subthemes": list(subthemes), "supervision": "no", **extra}
    if intensity is not None:
        data["intensity"] = intensity
    return {"data": data, "draft": draft}


def make_user(app, login: str, name: str | None = None, entries=(), procs=(),
              keep_months: int | None = None) -> tuple[str, bytes]:
    """A confirmed account made through the domain, with entries (specs from `entry`) and
    processes (dicts); returns (user id, user key). `keep_months` sets the retention period first,
    so entries dated further back than the default 12 months are not deleted at the next login."""
    with app.app_context():
        from blueprints import guards
        user, key, _ = accounts.create_account(guards.kdf_policy(), guards.server_secret(), login,
                                               name or f"Therapist {login}", PASSWORD)
        user.recovery_confirmed_at = utcnow()
        db.session.flush()
        if keep_months is not None:
            from domain.retention import expiry
            expiry.choice_row(user.id).months = keep_months
        for p in procs:
            processes.create(user, key, dict(p))
        for spec in entries:
            journal.create(user, key, journal.clean(dict(spec["data"]), set(), spec["draft"]))
        db.session.commit()
        return user.id, key


def login_client(app, login: str) -> tuple[object, Auth]:
    """A fresh browser (test client) logged in as `login`."""
    c = app.test_client()
    a = Auth(c)
    r = a.login(login)
    assert r.status_code == 302, text(r)[:2000]
    return c, a


def create_group(auth: Auth, name: str = "Tuesday seminar", k="5") -> str:
    r = auth.post("/groups/", {"name": name, "k": str(k)})
    assert r.status_code == 302, text(r)[:3000]
    loc = r.headers["Location"]
    assert re.fullmatch(r"/groups/[0-9a-f]{32}", loc), loc
    return loc.rsplit("/", 1)[1]


def invite_token(auth: Auth, gid: str, multi: bool = True, days: int = 14) -> str:
    r = auth.post(f"/groups/{gid}/invite", {"multi_use": "multi" if multi else "single", "days": str(days)},
                  form_url=f"/groups/{gid}")
    assert r.status_code == 200, text(r)[:3000]
    link = re.search(r'<code id="invite-link">([^<]+)</code>', text(r)).group(1)
    assert "/groups/join/" in link
    return link.rsplit("/groups/join/", 1)[1]


def join(auth: Auth, token: str):
    return auth.post(f"/groups/join/{token}", {})


def joined(auth: Auth, token: str, gid: str) -> None:
    r = join(auth, token)
    assert r.status_code == 302 and r.headers["Location"] == f"/groups/{gid}/consent", text(r)[:2000]


def consent(auth: Auth, gid: str, action: str = "consent"):
    return auth.post(f"/groups/{gid}/consent", {"action": action})


def member_id(app, gid: str, uid: str) -> str:
    with app.app_context():
        return db.session.scalar(select(GroupMember.id).where(GroupMember.group_id == gid,
                                                              GroupMember.user_id == uid))


def facts(app, gid: str | None = None, pseudonym: str | None = None) -> list[TrendFact]:
    with app.app_context():
        q = select(TrendFact)
        if gid:
            q = q.where(TrendFact.group_id == gid)
        if pseudonym:
            q = q.where(TrendFact.pseudonym == pseudonym)
        rows = db.session.scalars(q).all()
        db.session.expunge_all()
        return rows


def fact_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(TrendFact))


def pseudonym(key: bytes, gid: str) -> str:
    return groups.pseudonym(key, gid)


def summary(rows) -> set[tuple]:
    """Fact rows as comparable tuples (without ids, tags or pseudonyms)."""
    return {(f.month, f.kind, f.theme, f.subtheme, f.band, f.outcome) for f in rows}


# --- reading the group trend tables back: page, CSV, PDF --------------------------------------------

TITLES = {"kinds": "Entry kinds", "themes": "Themes", "subthemes": "Subthemes",
          "intensity": "Countertransference intensity", "outcomes": "Process outcomes", "supports": "What helped"}


def _cell_text(s: str) -> str:
    return htmlmod.unescape(re.sub(r"<[^>]+>", "", s)).strip()


def page_tables(html: str) -> dict[str, dict[str, list[str]]]:
    """{table title: {"": header cells, row label: cells...}} from the group trends page."""
    out = {}
    for title, body in re.findall(r"<h2>([^<]*)</h2>\s*<p class=\"grain\">.*?</p>\s*<div class=\"table-scroll[^\"]*\""
                                  r".*?<table class=\"trend[^\"]*\">(.*?)</table>", html, re.DOTALL):
        rows = {}
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL):
            cells = [_cell_text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.DOTALL)]
            rows["" if cells[0] == _cell_text(title) else cells[0]] = cells[1:]
        out[_cell_text(title)] = rows
    return out


def csv_tables(body: str) -> dict[str, dict[str, list[str]]]:
    rows = list(csv.reader(io.StringIO(body)))
    out: dict[str, dict[str, list[str]]] = {}
    for r in rows[1:]:
        out.setdefault(r[0], {})[r[1]] = r[2:]
    return out


def pdf_strings(pdf: bytes) -> list[str]:
    """The text strings drawn in a PDF made by fpdf2, in drawing order (streams are inflated)."""
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            content = zlib.decompress(raw)
        except zlib.error:
            content = raw
        for s in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", content, re.DOTALL):
            s = re.sub(rb"\\([()\\])", rb"\1", s)
            out.append(s.decode("latin-1"))
    return out


def pdf_text(pdf: bytes) -> str:
    return "\n".join(pdf_strings(pdf))


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


# --- a seminar of six contributors, crafted so that some cells have fewer than five people ----------

SIX = [f"member{i}" for i in range(1, 7)]
NAMES = {login: f"Zelda Quorn{i}ham" for i, login in enumerate(SIX, 1)}  # names nobody may see in trends


def seminar_specs(i: int) -> list[dict]:
    """Member i (1..6). M0 = this month, M1 = last month, M2 = the one before.

    M0: all six write a hard session (coercive context) and a bright moment (positive moments);
        members 1-2 a countertransference reaction at intensity 7 (therapist's feelings): 2 people.
    M1: all six a hard session (safe alliance); members 1-4 a dilemma about reporting: 4 people.
    M2: members 1-5 a bright moment (5 people, shown); member 6 a dilemma (1 person).
    Member 1 also has a draft (never counts) and a process that ended early (1 person)."""
    specs = [entry(HS, 0, themes=["coercive_context"]), entry(BM, 0, themes=["positive_moments"]),
             entry(HS, 1, themes=["safe_alliance"])]
    if i <= 2:
        specs.append(entry(CT, 0, themes=["therapist_feelings"], intensity=7, feelings=["helplessness"]))
    if i <= 4:
        specs.append(entry(ED, 1, subthemes=["coercive_context.whether_to_report"]))
    specs.append(entry(BM, 2, themes=["positive_moments"]) if i <= 5 else entry(ED, 2))
    if i == 1:
        specs.append(entry(ED, 0, draft=True))
    return specs


def seminar(app, k: int = 5, name: str = "Seminar Fjordlight Autumn", lead: str = "lead") -> dict:
    """A lead (not contributing) and six contributing members, all through the domain."""
    lead_uid, lead_key = make_user(app, lead, "Lena Lead")
    with app.app_context():
        from blueprints import guards
        secret = guards.server_secret()
        lead_user = db.session.get(User, lead_uid)
        group = groups.create(lead_user, lead_key, name, k, secret)
        db.session.flush()
        _inv, token = groups.invite(groups.membership(lead_user, lead_key, group.id), True, 14)
        gid = group.id
        db.session.commit()
    members = []
    for i, login in enumerate(SIX, 1):
        procs = [{"code": "MM-1", "status": "ended_early"}] if i == 1 else []
        uid, key = make_user(app, login, NAMES[login], seminar_specs(i), procs)
        with app.app_context():
            user = db.session.get(User, uid)
            groups.join(token, user, key, secret)
            db.session.flush()
            ms = groups.membership(user, key, gid)
            entries = [(it.row.id, it.data, it.row.created_at.date()) for it in journal.all_items(uid, key)]
            procs_ = [(p.row.id, p.data, utcnow().strftime("%Y-%m")) for p in processes.all_items(uid, key)]
            trend_store.consent(ms, key, entries, procs_)
            db.session.commit()
        members.append((uid, key))
    return {"gid": gid, "token": token, "lead": (lead_uid, lead_key), "members": members, "name": name}


def seminar_facts() -> list[trend_facts.GroupFact]:
    """The facts the six members of the seminar contribute, built without the database."""
    fs = []
    for i in range(1, 7):
        for spec in seminar_specs(i):
            if not spec["draft"]:
                d = journal.clean(dict(spec["data"]), set(), False)
                fs += trend_facts.facts_for_entry(trend_store.entry_fact(d, utcnow().date()), f"p{i}")
    fs += trend_facts.facts_for_process(trend_facts.ProcessFact.of("x", {"status": "ended_early"}), month(0), "p1")
    return fs


def expected_trends(months: list[str], k: int = 5) -> group_tables.GroupTrends:
    """The oracle: the pure function over the same facts the six members contributed."""
    from blueprints.trends import SUBTHEME_ORDER, THEME_ORDER
    from domain.catalogue.entry_kinds import KIND_IDS
    fs = seminar_facts()
    return group_tables.group_trends(fs, months, k, kind_order=list(KIND_IDS), theme_order=THEME_ORDER,
                               subtheme_order=SUBTHEME_ORDER)


def shown(c: suppression.Cell, k: int) -> str:
    return str(c.value) if not c.suppressed else (f"<{k}" if c.reason == "primary" else "hidden")


def expected_page_tables(gt: group_tables.GroupTrends) -> dict[str, dict[str, list[str]]]:
    from blueprints.trends import label
    out = {}
    for t in gt.tables():
        rows = {label(r): [shown(t.cell(r, m), gt.k) for m in t.months] + [shown(t.row_totals[r], gt.k)]
                for r in t.rows}
        rows["All"] = [shown(t.col_totals[m], gt.k) for m in t.months] + [shown(t.total, gt.k)]
        out[TITLES[t.name]] = rows
    return out


# --- creating a group ------------------------------------------------------------------------------

def test_create_view_and_list(app, client, user, auth):
    assert "You are not in a group" in text(client.get("/groups/"))
    gid = create_group(auth, "Tuesday seminar", 6)
    page = text(client.get(f"/groups/{gid}"))
    assert "The group is created" in page and "Tuesday seminar" in page and "you lead it" in page
    assert "Tess Therapist" in page  # the lead sees the member list (names), never who contributes
    assert "Numbers need at least 6 people" in page
    listing = text(client.get("/groups/"))
    assert "Tuesday seminar" in listing and "lead" in listing and "not contributing" in listing
    with app.app_context():
        assert db.session.get(Group, gid).k == 6


@pytest.mark.parametrize("fields, message", [
    ({"name": "Keep this name", "k": "2"}, "Choose a number from 3 to 50"),
    ({"name": "Keep this name", "k": "51"}, "Choose a number from 3 to 50"),
    ({"name": "Keep this name", "k": "many"}, "Choose a number from 3 to 50"),
    ({"name": "Keep this name", "k": ""}, "Choose a number from 3 to 50"),
    ({"name": "", "k": "7"}, "Give the group a name."),
    ({"name": "   ", "k": "7"}, "Give the group a name"),
    ({"name": "x" * 81, "k": "7"}, "At most 80 characters."),
])
def test_create_refuses_bad_input_and_keeps_what_was_typed(app, client, user, auth, fields, message):
    r = auth.post("/groups/", fields)
    assert r.status_code == 400
    page = text(r)
    assert message in page
    if fields["name"].strip():
        assert f'value="{fields["name"]}"' in page
    if fields["k"] == "7":
        assert 'value="7"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Group)) == 0


def test_create_without_csrf_is_refused(app, client, user):
    r = client.post("/groups/", data={"name": "No token", "k": "5"})
    assert r.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Group)) == 0


# --- invitation links ------------------------------------------------------------------------------

def test_single_use_link_works_once(app, client, user, auth):
    gid = create_group(auth)
    token = invite_token(auth, gid, multi=False, days=3)
    make_user(app, "first")
    make_user(app, "second")
    _c1, a1 = login_client(app, "first")
    page = text(a1.client.get(f"/groups/join/{token}"))
    assert "Join “Tuesday seminar”" in page and "Joining shares nothing" in page
    joined(a1, token, gid)
    assert "You joined Tuesday seminar" in text(a1.client.get(f"/groups/{gid}/consent"))

    c2, _a2 = login_client(app, "second")
    r = c2.get(f"/groups/join/{token}")
    assert r.status_code == 410 and "already been used" in text(r)
    r = c2.post(f"/groups/join/{token}", data={"csrf_token": csrf_from(text(c2.get("/")))})
    assert r.status_code == 410 and "already been used" in text(r)
    assert c2.get(f"/groups/{gid}").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(GroupMember)) == 2


def test_multi_use_link_and_expiry(app, client, user, auth):
    gid = create_group(auth)
    token = invite_token(auth, gid, multi=True, days=1)
    for login in ("one", "two", "three"):
        make_user(app, login)
    for login in ("one", "two"):
        _c, a = login_client(app, login)
        joined(a, token, gid)
    # a member using the link again is told so, not made a member twice
    _c, a = login_client(app, "one")
    r = join(a, token)
    assert r.status_code == 409 and "already a member" in text(r)

    with app.app_context():
        inv = db.session.scalar(select(GroupInvite).where(GroupInvite.group_id == gid))
        assert inv.uses == 2
        inv.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    c3, _a3 = login_client(app, "three")
    r = c3.get(f"/groups/join/{token}")
    assert r.status_code == 410 and "expired" in text(r)
    r = c3.post(f"/groups/join/{token}", data={"csrf_token": csrf_from(text(c3.get("/")))})
    assert r.status_code == 410 and "expired" in text(r)
    # logged out, an expired link says the same
    assert app.test_client().get(f"/groups/join/{token}").status_code == 410


@pytest.mark.parametrize("token", ["bogus", "x" * 43, "x" * 300, "%00", "..%2f..%2fetc"])
def test_bogus_link_is_404(app, client, user, auth, token):
    create_group(auth)
    r = client.get(f"/groups/join/{token}")
    assert r.status_code == 404
    if token in ("bogus", "x" * 43):      # a plausible token is told so; garbage is simply not found
        assert "This group link is not valid." in text(r)
    r = client.post(f"/groups/join/{token}", data={"csrf_token": csrf_from(text(client.get("/")))})
    assert r.status_code == 404


def test_invite_needs_a_lead_and_sane_days(app, client, user, auth):
    gid = create_group(auth)
    r = auth.post(f"/groups/{gid}/invite", {"multi_use": "multi", "days": "61"}, form_url=f"/groups/{gid}")
    assert r.status_code == 400 and "From 1 to 60 days." in text(r)
    r = auth.post(f"/groups/{gid}/invite", {"multi_use": "sometimes", "days": "3"}, form_url=f"/groups/{gid}")
    assert r.status_code == 400
    token = invite_token(auth, gid)
    make_user(app, "plain")
    c, a = login_client(app, "plain")
    joined(a, token, gid)
    assert "Invite members" not in text(c.get(f"/groups/{gid}"))
    r = c.post(f"/groups/{gid}/invite", data={"csrf_token": csrf_from(text(c.get(f"/groups/{gid}"))),
                                              "multi_use": "multi", "days": "3"})
    assert r.status_code == 403


def test_join_logged_out_signs_up_then_returns_to_the_link(app, client, user, auth):
    gid = create_group(auth)
    token = invite_token(auth, gid)
    newcomer = app.test_client()
    page = text(newcomer.get(f"/groups/join/{token}"))
    assert "Create an account to join" in page and "log in" in page
    Auth(newcomer).signup(login="newcomer", name="New Comer")   # confirms the code: goes back to the link
    r = newcomer.get(f"/groups/join/{token}")
    assert 'name="csrf_token"' in text(r) and "Join the group" in text(r)
    joined(Auth(newcomer), token, gid)
    assert newcomer.get(f"/groups/{gid}").status_code == 200


def test_signup_redirects_back_to_the_join_link(app, client, user, auth):
    gid = create_group(auth)
    token = invite_token(auth, gid)
    newcomer = app.test_client()
    newcomer.get(f"/groups/join/{token}")
    a = Auth(newcomer)
    r = a.post("/signup", {"login": "fresh", "display_name": "Fresh One", "password": PASSWORD,
                           "confirm": PASSWORD, "understood": "y"})
    assert r.status_code == 302
    r = a.post("/recovery-code", {"last_group": a.pending_code().split("-")[-1]})
    assert r.status_code == 302 and r.headers["Location"] == f"/groups/join/{token}"


def test_login_redirects_back_to_the_join_link(app, client, user, auth):
    gid = create_group(auth)
    token = invite_token(auth, gid)
    make_user(app, "existing")
    c = app.test_client()
    assert c.get(f"/groups/join/{token}").status_code == 200
    r = Auth(c).login("existing")
    assert r.status_code == 302 and r.headers["Location"] == f"/groups/join/{token}"
    joined(Auth(c), token, gid)


def test_a_single_use_link_cannot_be_claimed_twice_in_a_race(app, client, user, auth):
    """Two phones open the same single-use link at once: both pass the first check, one joins."""
    gid = create_group(auth)
    token = invite_token(auth, gid, multi=False)
    _a_uid, _a_key = make_user(app, "racer-a")
    b_uid, b_key = make_user(app, "racer-b")
    with app.app_context():
        from sqlalchemy import text as sql

        from blueprints import guards
        inv, _key, _name = groups.open_invite(token)   # racer B's request has read the link: unused
        b = db.session.get(User, b_uid)
        # meanwhile racer A's request claims it and commits; B still holds what it read
        db.session.execute(sql("UPDATE group_invites SET uses = 1"))
        assert inv.uses == 0
        with pytest.raises(Refusal) as err:
            groups.join(token, b, b_key, guards.server_secret())
        assert err.value.status == 410
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(GroupMember)) == 1


# --- consent, withdraw, facts kept current ---------------------------------------------------------

def test_consent_page_says_what_leaves_and_what_never_does(app, client, user, auth):
    gid = create_group(auth, k="5")
    page = text(client.get(f"/groups/{gid}/consent"))
    for words in ("What leaves your journal", "month", "kind", "themes", "subthemes", "intensity band",
                  "ended early", "reported", "What never leaves it", "No text", "no tags", "no process codes",
                  "no dates finer than a month", "pseudonym for this group", "while you are logged in",
                  "How to stop", "every fact you gave this group is deleted", "at least 5 different people",
                  "Yes, contribute"):
        assert words in page, words


def test_consent_backfills_facts_under_the_pseudonym_and_withdraw_deletes_them(app, client, user, auth):
    gid = create_group(auth)
    token = invite_token(auth, gid)
    uid, key = make_user(app, "contrib", "Con Tributor", [
        entry(CT, 0, themes=["therapist_feelings"], subthemes=["therapist_feelings.own_history"], intensity=9,
              feelings=["anger"]),
        entry(BM, 1, themes=["positive_moments"]),
        entry(HS, 0, draft=True),                   # drafts never leave
    ], procs=[{"code": "MM-1", "status": "reported"}, {"code": "MM-2", "status": "ongoing"}])
    _other_uid, other_key = make_user(app, "other", entries=[entry(HS, 0, themes=["coercive_context"])])
    c, a = login_client(app, "contrib")
    joined(a, token, gid)
    assert facts(app) == []                         # joining shares nothing
    r = consent(a, gid)
    assert r.status_code == 302
    page = text(c.get(r.headers["Location"]))
    assert "7 facts from your journal now count" in page and "Contributing since" in page
    assert "Last refreshed" in page and "Stop contributing" in page

    mine = facts(app, gid)
    assert len(mine) == 7 and {f.pseudonym for f in mine} == {pseudonym(key, gid)}
    assert summary(mine) == {
        (month(0), CT, None, None, None, None), (month(0), CT, "therapist_feelings", None, None, None),
        (month(0), CT, None, "therapist_feelings.own_history", None, None),
        (month(0), CT, None, None, "9-10", None),
        (month(1), BM, None, None, None, None), (month(1), BM, "positive_moments", None, None, None),
        (month(0), "process", None, None, None, "reported")}
    assert len({f.entry_tag for f in mine}) == 3
    # the pseudonym is not the user id and differs per group; the listing shows "contributing"
    assert pseudonym(key, gid) != uid and pseudonym(key, gid) != pseudonym(key, "another-group")
    assert "contributing" in text(c.get("/groups/"))

    # consenting again (the "refresh" button) replaces, never duplicates
    consent(a, gid)
    assert len(facts(app, gid)) == 7

    # a second contributor, then the first withdraws: only their rows go
    _c2, a2 = login_client(app, "other")
    joined(a2, token, gid)
    consent(a2, gid)
    assert fact_count(app) == 9
    r = consent(a, gid, "withdraw")
    assert r.status_code == 302
    assert "7 facts were deleted" in text(c.get(r.headers["Location"]))
    assert fact_count(app) == 2 and facts(app, gid, pseudonym(key, gid)) == []
    assert {f.pseudonym for f in facts(app)} == {pseudonym(other_key, gid)}
    assert "Yes, contribute" in text(c.get(f"/groups/{gid}/consent"))


def _entry_form_post(client, url: str, kind: str, fields: dict):
    page = text(client.get(url))
    m = re.search(r'name="draft_id" type="hidden" value="([0-9a-f]*)"', page)
    data = {"csrf_token": csrf_from(page), "draft_id": m.group(1) if m else "", "kind": kind, "action": "save",
            "supervision": "no", **fields}
    return client.post(url, data=data)


def test_creating_editing_and_deleting_entries_keeps_facts_current(app, client, user, auth):
    gid = create_group(auth)
    consent(auth, gid)
    assert facts(app, gid) == []

    r = _entry_form_post(client, "/entries/new/hard_session", HS, {
        "what_happened": "camera session", "themes_": ["coercive_context"],
        "visit_date": month_day(0).isoformat()})
    assert r.status_code == 302, text(r)[:2000]
    eid = r.headers["Location"].rsplit("/", 1)[1]
    rows = facts(app, gid)
    assert summary(rows) == {(month(0), HS, None, None, None, None), (month(0), HS, "coercive_context", None, None, None)}
    key_pseud = {f.pseudonym for f in rows}
    assert len(key_pseud) == 1

    # edit: another theme and another month -> the old facts are gone, the new ones there
    r = _entry_form_post(client, f"/entries/{eid}/edit", HS, {
        "what_happened": "camera session", "themes_": ["safe_alliance"], "visit_date": month_day(1).isoformat()})
    assert r.status_code == 302, text(r)[:2000]
    assert summary(facts(app, gid)) == {(month(1), HS, None, None, None, None),
                                        (month(1), HS, "safe_alliance", None, None, None)}

    # a second entry, then deleting the first: only the second's facts stay
    r = _entry_form_post(client, "/entries/new/bright_moment", BM, {
        "what_happened": "a smile", "subthemes": ["positive_moments.new_view_of_child"]})
    assert r.status_code == 302
    assert len(facts(app, gid)) == 5
    page = text(client.get(f"/entries/{eid}/delete"))
    r = client.post(f"/entries/{eid}/delete", data={"csrf_token": csrf_from(page)})
    assert r.status_code == 302
    assert summary(facts(app, gid)) == {
        (month(0), BM, None, None, None, None), (month(0), BM, "positive_moments", None, None, None),
        (month(0), BM, None, "positive_moments.new_view_of_child", None, None)}
    assert {f.pseudonym for f in facts(app, gid)} == key_pseud

    # the consent page shows when the contribution was last refreshed
    assert "Last refreshed" in text(client.get(f"/groups/{gid}/consent"))

    # after withdrawing, new entries add nothing
    consent(auth, gid, "withdraw")
    assert facts(app, gid) == []
    r = _entry_form_post(client, "/entries/new/bright_moment", BM, {"what_happened": "another smile"})
    assert r.status_code == 302 and facts(app, gid) == []


def test_process_status_changes_are_counted_while_contributing(app, client, user, auth):
    gid = create_group(auth)
    consent(auth, gid)
    page = text(client.get("/processes/new"))
    r = client.post("/processes/new", data={"csrf_token": csrf_from(page), "code": "MM-25-03", "status": "ongoing",
                                            "films": "0", "reviews": "0", "code_ack": "y"})
    assert r.status_code == 302, text(r)[:2000]
    pid = r.headers["Location"].rsplit("/", 1)[1]
    assert facts(app, gid) == []
    page = text(client.get(f"/processes/{pid}/edit"))
    r = client.post(f"/processes/{pid}/edit", data={"csrf_token": csrf_from(page), "code": "MM-25-03",
                                                    "status": "ended_early", "films": "0", "reviews": "0",
                                                    "code_ack": "y"})
    assert r.status_code == 302
    assert summary(facts(app, gid)) == {(month(0), "process", None, None, None, "ended_early")}


def db_user_id(app, login: str) -> str:
    with app.app_context():
        from blueprints import guards
        return accounts._find(guards.server_secret(), login).id


# --- who may see what ------------------------------------------------------------------------------

def test_non_members_and_other_groups_get_404(app, client, user, auth):
    gid = create_group(auth, "Group A")
    make_user(app, "outsider")
    c, a = login_client(app, "outsider")
    other_gid = create_group(a, "Group B")
    token_page = csrf_from(text(c.get("/")))
    for url in (f"/groups/{gid}", f"/groups/{gid}/trends", f"/groups/{gid}/trends?period=all",
                f"/groups/{gid}/consent", f"/groups/{gid}/handout.csv", f"/groups/{gid}/handout.pdf?period=3",
                "/groups/" + "0" * 32 + "/trends", "/groups/nonsense/consent", "/groups/%27%3B--/trends"):
        assert c.get(url).status_code == 404, url
    lead_mid = member_id(app, gid, db_user_id(app, "therapist"))
    for url, data in ((f"/groups/{gid}/consent", {"action": "consent"}),
                      (f"/groups/{gid}/invite", {"multi_use": "multi", "days": "5"}),
                      (f"/groups/{gid}/k", {"k": "9"}),
                      (f"/groups/{gid}/members/{lead_mid}/remove", {}),
                      (f"/groups/{gid}/members/{lead_mid}/lead", {"lead": "0"})):
        assert c.post(url, data={"csrf_token": token_page, **data}).status_code == 404, url
    # a member of B uses B's membership with A's member id: still 404, nothing changes
    r = c.post(f"/groups/{other_gid}/members/{lead_mid}/remove", data={"csrf_token": token_page})
    assert r.status_code == 404
    with app.app_context():
        assert db.session.get(GroupMember, lead_mid) is not None
        assert db.session.get(Group, gid).k == 5
    assert fact_count(app) == 0
    # logged out: the login page
    anon = app.test_client()
    r = anon.get(f"/groups/{gid}/trends")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_lead_removes_a_member_and_their_facts_go(app, client, user, auth):
    gid = create_group(auth)
    token = invite_token(auth, gid)
    uid, key = make_user(app, "leaver", "Lee Leaver", [entry(HS, 0, themes=["coercive_context"])])
    _uid2, _key2 = make_user(app, "stayer", "Stay Here", [entry(BM, 0)])
    c, a = login_client(app, "leaver")
    joined(a, token, gid)
    consent(a, gid)
    _c2, a2 = login_client(app, "stayer")
    joined(a2, token, gid)
    consent(a2, gid)
    assert len(facts(app, gid, pseudonym(key, gid))) == 2 and fact_count(app) == 3

    view = text(client.get(f"/groups/{gid}"))
    assert "Lee Leaver" in view and "Stay Here" in view and "Members (3)" in view
    r = auth.post(f"/groups/{gid}/members/{member_id(app, gid, uid)}/remove", {}, form_url=f"/groups/{gid}")
    assert r.status_code == 302
    assert "The member is removed and their facts are deleted." in text(client.get(r.headers["Location"]))
    assert facts(app, gid, pseudonym(key, gid)) == [] and fact_count(app) == 1
    assert c.get(f"/groups/{gid}/trends").status_code == 404
    # a plain member cannot remove anyone
    stayer_mid = member_id(app, gid, _uid2)
    lead_mid = member_id(app, gid, db_user_id(app, "therapist"))
    r = a2.post(f"/groups/{gid}/members/{lead_mid}/remove", {}, form_url=f"/groups/{gid}")
    assert r.status_code == 403 and "Only a lead can remove members." in text(r)
    r = a2.post(f"/groups/{gid}/members/{stayer_mid}/lead", {"lead": "1"}, form_url=f"/groups/{gid}")
    assert r.status_code == 403 and "Only a lead can change roles." in text(r)
    with app.app_context():
        assert db.session.get(GroupMember, lead_mid) is not None
        assert db.session.get(GroupMember, stayer_mid).role == "member"


def test_the_last_lead_stays(app, client, user, auth):
    gid = create_group(auth)
    token = invite_token(auth, gid)
    uid, _key = make_user(app, "second")
    c2, a2 = login_client(app, "second")
    joined(a2, token, gid)
    lead_mid = member_id(app, gid, db_user_id(app, "therapist"))
    # demoting oneself as the only lead, or leaving: 409 with a message, nothing changes
    r = auth.post(f"/groups/{gid}/members/{lead_mid}/lead", {"lead": "0"}, form_url=f"/groups/{gid}")
    assert r.status_code == 409 and "A group needs at least one lead." in text(r)
    r = auth.post(f"/groups/{gid}/members/{lead_mid}/remove", {}, form_url=f"/groups/{gid}")
    assert r.status_code == 409 and "A group needs a lead. Make someone else a lead first." in text(r)
    with app.app_context():
        assert db.session.get(GroupMember, lead_mid).role == "lead"

    # with a second lead both work
    second_mid = member_id(app, gid, uid)
    r = auth.post(f"/groups/{gid}/members/{second_mid}/lead", {"lead": "1"}, form_url=f"/groups/{gid}")
    assert r.status_code == 302
    assert "Invite members" in text(c2.get(f"/groups/{gid}"))
    # the new lead cannot now be demoted by the other once it is the only one left
    r = auth.post(f"/groups/{gid}/members/{lead_mid}/lead", {"lead": "0"}, form_url=f"/groups/{gid}")
    assert r.status_code == 302
    r = a2.post(f"/groups/{gid}/members/{second_mid}/lead", {"lead": "0"}, form_url=f"/groups/{gid}")
    assert r.status_code == 409
    r = a2.post(f"/groups/{gid}/members/{second_mid}/remove", {}, form_url=f"/groups/{gid}")
    assert r.status_code == 409
    # the former lead leaves; then the sole member-lead may leave too and the group is gone
    r = auth.post(f"/groups/{gid}/members/{lead_mid}/remove", {}, form_url=f"/groups/{gid}")
    assert r.status_code == 302 and r.headers["Location"] == "/groups/"
    r = a2.post(f"/groups/{gid}/members/{second_mid}/remove", {}, form_url=f"/groups/{gid}")
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Group, gid) is None


@pytest.mark.parametrize("k, status, message", [
    ("2", 400, "Choose a number from 3 to 50"), ("0", 400, "Choose a number from 3 to 50"),
    ("-5", 400, "Choose a number from 3 to 50"), ("51", 400, "Choose a number from 3 to 50"),
    ("abc", 400, "Choose a number from 3 to 50"), ("4", 302, None), ("50", 302, None)])
def test_lead_changes_k(app, client, user, auth, k, status, message):
    gid = create_group(auth)
    r = auth.post(f"/groups/{gid}/k", {"k": k}, form_url=f"/groups/{gid}")
    assert r.status_code == status
    with app.app_context():
        assert db.session.get(Group, gid).k == (int(k) if status == 302 else 5)
    if message:
        assert message in text(r)
    else:
        assert f"Cells now need at least {k} people." in text(client.get(r.headers["Location"]))


def test_only_a_lead_changes_k(app, client, user, auth):
    gid = create_group(auth)
    token = invite_token(auth, gid)
    make_user(app, "member")
    _c, a = login_client(app, "member")
    joined(a, token, gid)
    r = a.post(f"/groups/{gid}/k", {"k": "3"}, form_url=f"/groups/{gid}")
    assert r.status_code == 403 and "Only a lead can change k." in text(r)
    with app.app_context():
        assert db.session.get(Group, gid).k == 5


def test_k_is_fixed_once_a_member_contributes(app, client, user, auth):
    """The same counts released at two thresholds could give a hidden one away: k changes only
    until the first member contributes, and stays fixed after that member withdraws again."""
    gid = create_group(auth)
    assert auth.post(f"/groups/{gid}/k", {"k": "4"}, form_url=f"/groups/{gid}").status_code == 302
    page = text(client.get(f"/groups/{gid}"))
    assert f'action="/groups/{gid}/k"' in page and "Fixed once a member contributes." in page
    token = invite_token(auth, gid)
    make_user(app, "member", entries=[entry(HS, 0)])
    _c, a = login_client(app, "member")
    joined(a, token, gid)
    assert consent(a, gid).status_code == 302
    for k in ("6", "4", "2"):
        r = auth.post(f"/groups/{gid}/k", {"k": k}, form_url=f"/groups/{gid}")
        assert r.status_code == 409 and "k is fixed once a member contributes" in htmlmod.unescape(text(r))
    assert consent(a, gid, "withdraw").status_code == 302
    assert auth.post(f"/groups/{gid}/k", {"k": "6"}, form_url=f"/groups/{gid}").status_code == 409
    with app.app_context():
        assert db.session.get(Group, gid).k == 4
    page = htmlmod.unescape(text(client.get(f"/groups/{gid}")))
    assert f'action="/groups/{gid}/k"' not in page and "k = 4." in page
    assert "Fixed since the first member contributed" in page and "What each choice hides" in page


def test_a_members_first_fact_fixes_k_of_a_group_from_before_the_rule(app, client, user, auth):
    """A member who consented before k was fixed on consent (migration 0018 cannot read who
    consented): their next entry fixes it."""
    from tests.test_journal_http import post_entry
    gid = create_group(auth)
    token = invite_token(auth, gid)
    make_user(app, "member")
    c, a = login_client(app, "member")
    joined(a, token, gid)
    assert consent(a, gid).status_code == 302
    with app.app_context():
        db.session.get(Group, gid).k_fixed_at = None
        db.session.commit()
    assert auth.post(f"/groups/{gid}/k", {"k": "4"}, form_url=f"/groups/{gid}").status_code == 302
    post_entry(c, "bright_moment", {"what_happened": "a calm bath"})
    with app.app_context():
        assert db.session.get(Group, gid).k_fixed_at is not None
    assert auth.post(f"/groups/{gid}/k", {"k": "5"}, form_url=f"/groups/{gid}").status_code == 409


def test_a_new_group_defaults_to_k_3(app, client, user, auth):
    page = text(client.get("/groups/"))
    assert 'name="k" type="text" value="3"' in page or 'value="3"' in page
    assert "3 suits groups of 6 to 15" in page


def test_a_member_leaves_and_their_facts_go(app, client, user, auth):
    gid = create_group(auth)
    token = invite_token(auth, gid)
    uid, key = make_user(app, "member", entries=[entry(HS, 0), entry(BM, 1)])
    c, a = login_client(app, "member")
    joined(a, token, gid)
    consent(a, gid)
    assert len(facts(app, gid, pseudonym(key, gid))) == 2
    view = text(c.get(f"/groups/{gid}"))
    assert "Leave Tuesday seminar" in view and "Members (" not in view   # members see no member list
    r = a.post(f"/groups/{gid}/members/{member_id(app, gid, uid)}/remove", {}, form_url=f"/groups/{gid}")
    assert r.status_code == 302 and r.headers["Location"] == "/groups/"
    assert "You left the group; your facts are deleted." in text(c.get("/groups/"))
    assert facts(app, gid) == [] and member_id(app, gid, uid) is None
    assert c.get(f"/groups/{gid}/trends").status_code == 404
    # the link still works to come back
    joined(a, token, gid)


# --- the trends page: counts, never who; k-anonymity end to end -------------------------------------

def test_trends_page_counts_contributors_never_names(app, client):
    s = seminar(app)
    c, _a = login_client(app, "lead")
    page = text(c.get(f"/groups/{s['gid']}/trends"))
    assert "<strong>6</strong> members contribute in this period" in page
    csv_body = text(c.get(f"/groups/{s['gid']}/trends".replace("trends", "handout.csv")))
    pdf = c.get(f"/groups/{s['gid']}/handout.pdf").data
    everything = page + csv_body + pdf_text(pdf) + pdf.decode("latin-1")
    with app.app_context():
        pseudonyms = {f.pseudonym for f in db.session.scalars(select(TrendFact))}
    assert len(pseudonyms) == 6
    for secret in [*NAMES.values(), *SIX, *pseudonyms, "Lena Lead"]:
        assert secret not in everything, secret
    # members read the same trends (and only the count of contributors), but not the member list
    m, _ = login_client(app, SIX[2])
    member_page = text(m.get(f"/groups/{s['gid']}/trends"))
    assert "<strong>6</strong> members contribute" in member_page
    assert page_tables(member_page) == page_tables(page)
    assert m.get(f"/groups/{s['gid']}/handout.csv").data == c.get(f"/groups/{s['gid']}/handout.csv").data
    member_view = text(m.get(f"/groups/{s['gid']}"))
    assert not any(n in member_view for n in NAMES.values()) and "Members (" not in member_view
    # the lead's group page lists members by name (that is who is in it), but not who contributes
    view = text(c.get(f"/groups/{s['gid']}"))
    assert all(n in view for n in NAMES.values()) and "contribut" not in view.split('<ul class="rows">')[1].split("</ul>")[0]


def test_group_pages_only_read(app, client, user, auth):
    """Every GET of the groups blueprint reads: no INSERT, UPDATE or DELETE reaches the database,
    for the lead, for a visitor on an invite link, logged in or not."""
    gid = create_group(auth)
    token = invite_token(auth, gid)
    consent(auth, gid)
    writes: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        # The login guard's idle-timeout stamp (user_sessions.last_seen_at) is not the groups views' doing.
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE") \
                and "user_sessions" not in statement:
            writes.append(statement)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        for url in ("/groups/", f"/groups/{gid}", f"/groups/{gid}/consent", f"/groups/{gid}/trends?period=all",
                    f"/groups/{gid}/handout.csv", f"/groups/{gid}/handout.pdf", f"/groups/join/{token}"):
            assert client.get(url).status_code == 200, url
        assert app.test_client().get(f"/groups/join/{token}").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert writes == []


def expected_view(period_id: str, k: int = 5):
    """The oracle: the pure adaptive release over the same facts the six members contributed."""
    from blueprints.trends import SUBTHEME_ORDER, SUPPORT_ORDER, THEME_ORDER
    from domain.catalogue.entry_kinds import KIND_IDS
    from domain.trends import adaptive, periods
    fs = seminar_facts()
    p = periods.parse(period_id)
    rel = adaptive.release(p.year, adaptive.counter(fs), k, kind_order=list(KIND_IDS),
                           theme_order=THEME_ORDER, subtheme_order=SUBTHEME_ORDER, support_order=SUPPORT_ORDER)
    return adaptive.view(rel, p, adaptive.bucket_aggregate(fs, {p.id: p.months()}))


def expected_view_tables(v) -> dict[str, dict[str, list[str]]]:
    from blueprints.trends import label
    out = {}
    for t in v.ordered():
        if t.total.value == 0 and not t.total.suppressed:
            continue  # "Nothing in this period", no table
        more = len(t.months) > 1
        rows = {label(r): [shown(t.cell(r, m), v.k) for m in t.months] + ([shown(t.row_totals[r], v.k)] if more else [])
                for r in t.rows}
        rows["All"] = [shown(t.col_totals[m], v.k) for m in t.months] + ([shown(t.total, v.k)] if more else [])
        out[TITLES[t.name]] = rows
    return out


def test_k_anonymity_end_to_end_on_page_csv_and_pdf(app, client):
    """Every offered fixed period: the page and the CSV show exactly the pure adaptive release over
    the members' facts (database counts = pure counts), a block's cells never differ between two
    periods that show it, and the real small counts never appear."""
    from domain.trends import periods
    s = seminar(app)
    gid = s["gid"]
    c, _a = login_client(app, "lead")
    by_block: dict[tuple, str] = {}
    offered = [p.id for p in periods.offered(utcnow().date())]
    for period in [*offered, "bogus"]:
        v = expected_view(period if period != "bogus" else periods.default(utcnow().date()).id)
        want = expected_view_tables(v)
        html = text(c.get(f"/groups/{gid}/trends?period={period}"))
        got = page_tables(html)
        for rows in got.values():
            del rows[""]
        assert got == want, period
        for t in v.ordered():
            if TITLES[t.name] not in got:
                continue
            for r, values in got[TITLES[t.name]].items():
                for m, val in zip(t.months, values, strict=False):
                    assert by_block.setdefault((t.name, r, m), val) == val, (period, t.name, r, m)
        body = text(c.get(f"/groups/{gid}/handout.csv?period={period}"))
        rows = list(csv.reader(io.StringIO(body)))
        for t in v.ordered():
            mine = {r[1]: r[2:] for r in rows if r[0] == {"supports": "what helped"}.get(t.name, t.name)}
            assert mine["total"][-1] == shown(t.total, v.k), (period, t.name)
        if v.tables["kinds"].months == [month(0)[:4] + "-T2"] or period == offered[0]:
            kinds = got[TITLES["kinds"]]
            assert not {"1", "2", "4"} & set(kinds["Countertransference reaction"]), kinds
    # the current term of a six-member group: period totals and a headline, not a wall of "hidden"
    html = text(c.get(f"/groups/{gid}/trends"))
    assert "Worth discussing" in html and "entries were logged in this period" in html
    assert html.count("hidden</td>") <= 3


