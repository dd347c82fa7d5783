"""Retention (issue 20.1), end to end: the notice two weeks before, export, the one extension with
a sealed reason, the owner's own date and period, the shred at expiry (with the key at login, and
without it by `flask fokus expire`), trend facts gone, other members' counts unchanged."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select, update

from domain.core.db import db, new_id, utcnow
from domain.core.models import AccessEvent, Entry, Process, RetentionMark, Share, ThreadItem, TrendFact, User
from domain.groups import contributions as trend_store
from domain.groups import membership as groups
from domain.journal import entries as journal
from domain.retention import expiry
from tests.conftest import PASSWORD, Auth, raw_database_bytes
from tests.test_group_contributions import _rollup_is_a_fresh_count
from tests.test_groups_http import HS, entry, make_user

REASON = "RETENTION-MARKER-reason-7f3a"


def _today() -> date:
    return utcnow().date()


def _post_entry(auth: Auth, visit: date, text: str = "a bright moment") -> str:
    r = auth.post("/entries/new/bright_moment", {"kind": "bright_moment", "action": "save", "supervision": "no",
                                                  "what_happened": text, "visit_date": visit.isoformat()})
    assert r.status_code == 302, r.get_data(as_text=True)
    return r.headers["Location"].rsplit("/", 1)[-1]


def _expires(app, entry_id: str) -> date | None:
    with app.app_context():
        row = db.session.get(Entry, entry_id)
        return row.expires_on if row is not None else None


def test_default_date_is_twelve_months_after_the_entry(app, auth, user):
    visit = _today() - timedelta(days=30)
    eid = _post_entry(auth, visit)
    assert _expires(app, eid) == expiry.add_months(visit, 12)


def test_period_choice_moves_every_date(app, auth, user):
    visit = _today() - timedelta(days=30)
    eid = _post_entry(auth, visit)
    r = auth.post("/settings/retention", {"months": "3"})
    assert r.status_code == 302
    assert _expires(app, eid) == expiry.add_months(visit, 3)
    r = auth.post("/settings/retention", {"months": "5"})
    assert r.status_code == 400
    assert _expires(app, eid) == expiry.add_months(visit, 3)


def test_notice_export_extend_once_with_sealed_reason(app, client, auth, user):
    visit = expiry.add_months(_today(), -12) + timedelta(days=5)
    eid = _post_entry(auth, visit, "soon gone moment")
    _post_entry(auth, _today(), "fresh moment")
    page = client.get("/retention").get_data(as_text=True)
    assert "soon gone moment" in page and "fresh moment" not in page
    r = auth.post("/settings/data/export.pdf", {"entries": eid}, form_url="/retention")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    # the reason is required, then the date moves once by the period
    r = auth.post(f"/entries/{eid}/expiry/extend", {"reason": ""}, form_url=f"/entries/{eid}/expiry")
    assert r.status_code == 400
    r = auth.post(f"/entries/{eid}/expiry/extend", {"reason": REASON}, form_url=f"/entries/{eid}/expiry")
    assert r.status_code == 302
    assert _expires(app, eid) == expiry.add_months(expiry.add_months(visit, 12), 12)
    page = client.get(f"/entries/{eid}/expiry").get_data(as_text=True)
    assert REASON in page                      # the owner reads it back
    r = client.post(f"/entries/{eid}/expiry/extend",
                    data={"csrf_token": auth.get_form("/retention"), "reason": "again"})
    assert r.status_code in (400, 409)
    assert _expires(app, eid) == expiry.add_months(expiry.add_months(visit, 12), 12)
    assert "soon gone moment" not in client.get("/retention").get_data(as_text=True)
    assert REASON.encode() not in raw_database_bytes(app)
    # kept longer once, then brought near again by its own date: the notice offers a date change
    near = _today() + timedelta(days=3)
    assert auth.post(f"/entries/{eid}/expiry", {"until": near.isoformat()}).status_code == 302
    home = client.get("/").get_data(as_text=True)
    notice = home[home.index('class="card expiring"'):]
    assert "soon gone moment" in notice and ">Change date<" in notice and ">Keep longer<" not in notice


def test_own_date_for_one_entry(app, auth, user):
    eid = _post_entry(auth, _today())
    url = f"/entries/{eid}/expiry"
    assert auth.post(url, {"until": (_today() - timedelta(days=1)).isoformat()}).status_code == 400
    chosen = _today() + timedelta(days=40)
    assert auth.post(url, {"until": chosen.isoformat()}).status_code == 302
    assert _expires(app, eid) == chosen
    # an edit keeps the owner's own date
    auth.post("/settings/retention", {"months": "24"})
    assert _expires(app, eid) == chosen


def test_entries_follow_their_process(app, ctx):
    uid, key = make_user(app, "proc", procs=[{"code": "MM-1"}])
    user = db.session.get(User, uid)
    proc = db.session.scalars(select(Process).where(Process.owner_id == uid)).one()
    row = journal.create(user, key, journal.clean(dict(entry(HS, 0, process_id=proc.id)["data"]), {proc.id}, False))
    db.session.flush()
    assert proc.expires_on is None and row.expires_on is None           # open process: no date yet
    from domain.journal import processes
    processes.update(proc, key, {"code": "MM-1", "ended": "as_planned", "ended_on": "2026-01-10"})
    db.session.flush()
    db.session.refresh(row)
    assert proc.expires_on == date(2027, 1, 10) and row.expires_on == date(2027, 1, 10)


def _group_with_member(app) -> tuple[str, str, str, bytes, str, bytes]:
    """A group where 'lead' and 'member' both contribute; member has one hard session."""
    from blueprints import guards
    lead_uid, lead_key = make_user(app, "lead", entries=[entry(HS, 0, themes=["coercive_context"])])
    uid, key = make_user(app, "member", entries=[entry(HS, 0, themes=["coercive_context"])])
    with app.app_context():
        secret = guards.server_secret()
        g = groups.create(db.session.get(User, lead_uid), lead_key, "Seminar", 3, secret)
        db.session.flush()
        lead_ms = groups.membership(db.session.get(User, lead_uid), lead_key, g.id)
        _inv, token = groups.invite(lead_ms, False, 3)
        db.session.flush()
        groups.join(token, db.session.get(User, uid), key, secret)
        db.session.flush()
        for u, k in ((lead_uid, lead_key), (uid, key)):
            src = [(i.row.id, i.data, i.row.created_at.date()) for i in journal.all_items(u, k)]
            trend_store.consent(groups.membership(db.session.get(User, u), k, g.id), k, src, [])
        eid = db.session.scalars(select(Entry.id).where(Entry.owner_id == uid)).one()
        share = Share(entry_id=eid, owner_id=uid, reader_id=lead_uid, wrapped_key=b"x" * 80)
        db.session.add(share)
        db.session.flush()
        db.session.add(ThreadItem(share_id=share.id, entry_id=eid, author_id=lead_uid, kind="reply", content=b"y"))
        db.session.add(AccessEvent(entry_id=eid, actor_id=lead_uid, action="open"))
        db.session.execute(update(Entry).where(Entry.id == eid).values(expires_on=_today() - timedelta(days=1)))
        db.session.commit()
        return g.id, lead_uid, uid, key, eid, groups.pseudonym(lead_key, g.id)


def _facts(app, gid: str) -> tuple[int, int]:
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(TrendFact).where(TrendFact.group_id == gid))
        return total, db.session.scalar(select(func.count(func.distinct(TrendFact.pseudonym)))
                                        .where(TrendFact.group_id == gid))


def _gone(app, eid: str) -> None:
    with app.app_context():
        assert db.session.get(Entry, eid) is None
        for model in (Share, ThreadItem, AccessEvent):
            assert db.session.scalar(select(func.count()).select_from(model).where(model.entry_id == eid)) == 0


def test_login_shreds_with_facts_and_keeps_others_counts(app, client):
    gid, _lead, _uid, _key, eid, lead_pseud = _group_with_member(app)
    with app.app_context():
        lead_facts = db.session.scalar(select(func.count()).select_from(TrendFact).where(
            TrendFact.group_id == gid, TrendFact.pseudonym == lead_pseud))
    before, people = _facts(app, gid)
    assert people == 2
    r = Auth(client).login("member", PASSWORD)
    assert r.status_code == 302
    _gone(app, eid)
    after, people = _facts(app, gid)
    assert people == 1 and after == lead_facts and after < before
    with app.app_context():
        _rollup_is_a_fresh_count()      # the counts kept on write followed the shred


def test_expire_command_shreds_without_key_then_login_removes_facts(app, client):
    gid, _lead, _uid, _key, eid, _pseud = _group_with_member(app)
    result = app.test_cli_runner().invoke(args=["fokus", "expire"])
    assert result.exit_code == 0, result.output
    assert "Expired: 1 entries" in result.output
    _gone(app, eid)
    with app.app_context():
        assert db.session.get(RetentionMark, eid).shredded_on == _today()
    assert _facts(app, gid)[1] == 2                         # the facts need the owner's key
    assert Auth(client).login("member", PASSWORD).status_code == 302
    assert _facts(app, gid)[1] == 1
    with app.app_context():
        _rollup_is_a_fresh_count()
    with app.app_context():
        assert db.session.get(RetentionMark, eid) is None
    assert "hard_session words" not in client.get("/entries").get_data(as_text=True)


def test_others_cannot_see_or_change_dates(app, client, auth, user):
    eid = _post_entry(auth, _today())
    auth.logout()
    auth.signup(login="other")
    assert client.get(f"/entries/{eid}/expiry").status_code == 404
    r = client.post(f"/entries/{eid}/expiry/extend", data={"csrf_token": auth.get_form("/retention"),
                                                               "reason": "mine now"})
    assert r.status_code == 404
    assert client.get(f"/processes/{eid}/expiry").status_code == 404
    assert client.get(f"/entries/{new_id()}/expiry").status_code == 404
