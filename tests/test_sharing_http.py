"""Sharing through HTTP: bad input and abuse (clear outcome, right status, nothing lost, nothing
leaked), double submits, the agenda bundle, inbox sections, unseen counts and the access log."""
from __future__ import annotations

import re
from datetime import date, timedelta
from functools import partial

from sqlalchemy import event, func, inspect, select

from domain.core import keyring
from domain.core.db import db, utcnow
from domain.core.models import AccessEvent, ContactLink, Entry, Share, ThreadItem, User, UserSession
from domain.journal import entries as journal
from tests.conftest import PASSWORD, csrf_from
from tests.test_sharing_crypto import (
    connect,
    login_client,
    make_person,
    reflect,
    share_with,
    view_thread,
    write_entry,
)
from tests.test_sharing_crypto import (
    reply as add_reply,
)


def html(r) -> str:
    return r.get_data(as_text=True)


def token_of(client) -> str:
    return csrf_from(html(client.get("/about")))


def post(client, url: str, data: dict | None = None):
    return client.post(url, data={"csrf_token": token_of(client), **(data or {})})


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def setup(app, readers=("sam",), text="the father left the room", **entry_extra):
    """An owner (tess) connected to each reader, with one entry; returns (people, entry id)."""
    with app.app_context():
        people = {"tess": make_person(app, "tess", "Tess Therapist")}
        for name in readers:
            people[name] = make_person(app, name, f"{name.title()} Reader")
            connect(people["tess"], people[name])
        entry = write_entry(people["tess"], text, **entry_extra)
        db.session.commit()
        return people, entry.id


def share_over_http(owner_client, entry_id: str, reader_ids: list[str], question: str = "", expires: str = ""):
    return post(owner_client, f"/entries/{entry_id}/share", {"readers": reader_ids, "question": question,
                                                            "expires": expires})


def share_id_of(app, entry_id: str, reader_id: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Share.id).where(Share.entry_id == entry_id, Share.reader_id == reader_id)
                                 .order_by(Share.created_at.desc()))


def reply_id_from(page: str) -> str:
    return re.search(r'name="reply_id" type="hidden" value="([0-9a-f]+)"', page).group(1)


# --- refusing ------------------------------------------------------------------------------------

def test_sharing_with_a_non_contact_is_refused_on_the_form_and_nothing_is_shared(app):
    people, eid = setup(app)
    with app.app_context():
        stranger = make_person(app, "stan")
        db.session.commit()
    tess = login_client(app, "tess")
    for readers in ([stranger.id], [people["sam"].id, stranger.id]):
        r = share_over_http(tess, eid, readers, question="keep this question")
        assert r.status_code == 400
        page = html(r)
        assert "Please choose" in page or "choose" in page.lower()
        assert "keep this question" in page                        # what was typed is kept
    assert count(app, Share) == 0
    r = share_over_http(tess, eid, [], question="no one chosen")
    assert r.status_code == 400 and "Choose at least one" in html(r) and "no one chosen" in html(r)
    assert count(app, Share) == 0


def test_sharing_another_users_entry_is_404_and_nothing_is_shared(app):
    people, eid = setup(app)
    with app.app_context():
        stan = make_person(app, "stan")
        stan_entry = write_entry(stan, "stan's own entry", supervision="yes")
        connect(stan, people["sam"])
        db.session.commit()
        stan_eid = stan_entry.id
    stan_client = login_client(app, "stan")
    assert stan_client.get(f"/entries/{eid}/share").status_code == 404
    assert share_over_http(stan_client, eid, [people["sam"].id]).status_code == 404
    tess = login_client(app, "tess")
    assert tess.get(f"/entries/{stan_eid}/share").status_code == 404
    assert share_over_http(tess, stan_eid, [people["sam"].id]).status_code == 404
    r = post(tess, "/share/agenda", {"entries": [stan_eid], "readers": [people["sam"].id]})
    assert r.status_code == 400 and "stan's own entry" not in html(r)
    assert count(app, Share) == 0


def test_a_reader_cannot_edit_or_delete_the_shared_entry(app):
    people, eid = setup(app)
    with app.app_context():
        share_with(people["tess"], db.session.get(Entry, eid), people["sam"])
        db.session.commit()
        before = db.session.get(Entry, eid).content
    sam = login_client(app, "sam")
    assert sam.get(f"/entries/{eid}/edit").status_code == 404
    r = post(sam, f"/entries/{eid}/edit", {"kind": "hard_session", "what_happened": "rewritten by the reader",
                                           "action": "save", "draft_id": eid})
    assert r.status_code == 404 and "rewritten" not in html(r)
    assert post(sam, f"/entries/{eid}/delete").status_code == 404
    assert post(sam, "/entries/autosave", {"kind": "hard_session", "draft_id": eid,
                                          "what_happened": "autosaved over it"}).status_code in (200, 400)
    with app.app_context():
        row = db.session.get(Entry, eid)
        assert row is not None and row.content == before and row.owner_id == people["tess"].id
        assert journal.read(row, people["tess"].key)["what_happened"] == "the father left the room"
        # an autosave with someone else's entry id makes the reader a new entry of their own
        assert db.session.scalar(select(func.count()).select_from(Entry).where(Entry.id == eid)) == 1


def test_a_revoked_reader_replaying_old_requests_gets_410_and_nothing_is_stored(app):
    people, eid = setup(app)
    tess, sam = login_client(app, "tess"), login_client(app, "sam")
    assert share_over_http(tess, eid, [people["sam"].id], "what should I do").status_code == 302
    sid = share_id_of(app, eid, people["sam"].id)
    thread = html(sam.get(f"/shares/{sid}"))
    token = csrf_from(thread)
    reflection = {"csrf_token": token, "context": "my reflection", "action": "submit"}
    assert sam.post(f"/shares/{sid}/reflection", data=reflection).status_code == 302
    thread = html(sam.get(f"/shares/{sid}"))
    reply = {"csrf_token": token, "text": "one more thought", "reply_id": reply_id_from(thread)}
    assert sam.post(f"/shares/{sid}/reply", data=reply).status_code == 302
    assert post(tess, f"/shares/{sid}/revoke").status_code == 302
    items = count(app, ThreadItem)

    for url, data in ((f"/shares/{sid}/reflection", reflection), (f"/shares/{sid}/reply", reply),
                      (f"/shares/{sid}/reply", {**reply, "reply_id": "f" * 32}),
                      (f"/shares/{sid}/reflection", {**reflection, "action": "draft"})):
        r = sam.post(url, data=data)
        assert r.status_code == 410, url
        body = html(r)
        assert "no longer shared" in body.lower()
        assert "father" not in body and "what should I do" not in body and "my reflection" not in body
    r = sam.get(f"/shares/{sid}")
    assert r.status_code == 410 and "father" not in html(r)
    assert sam.get(f"/entries/{eid}/share").status_code == 404
    assert count(app, ThreadItem) == items


def test_the_owner_cannot_write_into_an_ended_conversation(app):
    people, eid = setup(app)
    with app.app_context():
        s = share_with(people["tess"], db.session.get(Entry, eid), people["sam"])
        reflect(people["sam"], s)
        db.session.commit()
        sid = s.id
    tess = login_client(app, "tess")
    assert post(tess, f"/shares/{sid}/revoke").status_code == 302
    page = html(tess.get(f"/shares/{sid}"))
    assert "This conversation has ended" in page and 'name="reply_id"' not in page
    r = post(tess, f"/shares/{sid}/reply", {"text": "are you there?", "reply_id": "a" * 32})
    assert r.status_code == 409 and "This conversation has ended" in html(r)
    assert count(app, ThreadItem, ThreadItem.kind == "reply") == 0


def test_replies_wait_for_the_reflection(app):
    people, eid = setup(app)
    with app.app_context():
        sid = share_with(people["tess"], db.session.get(Entry, eid), people["sam"]).id
        db.session.commit()
    tess = login_client(app, "tess")
    r = post(tess, f"/shares/{sid}/reply", {"text": "hello?", "reply_id": "b" * 32})
    assert r.status_code == 409 and "Replies open once the reflection is submitted" in html(r)
    assert post(tess, f"/shares/{sid}/reflection", {"context": "owner tries"}).status_code == 403
    assert count(app, ThreadItem) == 0


# --- double submits ------------------------------------------------------------------------------

def test_double_submits_store_one_share_one_reply_and_one_reflection(app):
    people, eid = setup(app)
    tess, sam = login_client(app, "tess"), login_client(app, "sam")
    page = html(tess.get(f"/entries/{eid}/share"))
    data = {"csrf_token": csrf_from(page), "readers": [people["sam"].id], "question": "first question"}
    assert tess.post(f"/entries/{eid}/share", data=data).status_code == 302
    assert tess.post(f"/entries/{eid}/share", data=data).status_code == 302
    assert count(app, Share) == 1
    sid = share_id_of(app, eid, people["sam"].id)
    with app.app_context():
        wrap = db.session.get(Share, sid).wrapped_key

    thread = html(sam.get(f"/shares/{sid}"))
    refl = {"csrf_token": csrf_from(thread), "context": "twice sent", "action": "submit"}
    assert sam.post(f"/shares/{sid}/reflection", data=refl).status_code == 302
    assert sam.post(f"/shares/{sid}/reflection", data={**refl, "context": "changed later"}).status_code == 302
    assert count(app, ThreadItem, ThreadItem.kind == "reflection") == 1
    assert "twice sent" in html(tess.get(f"/shares/{sid}")) and "changed later" not in html(tess.get(f"/shares/{sid}"))

    page = html(tess.get(f"/shares/{sid}"))
    rep = {"csrf_token": csrf_from(page), "text": "only once please", "reply_id": reply_id_from(page)}
    assert tess.post(f"/shares/{sid}/reply", data=rep).status_code == 302
    assert tess.post(f"/shares/{sid}/reply", data=rep).status_code == 302
    assert count(app, ThreadItem, ThreadItem.kind == "reply") == 1
    assert html(sam.get(f"/shares/{sid}")).count("only once please") == 1
    # the reader posting with the owner's reply id gets a reply of their own, not a hijack
    assert sam.post(f"/shares/{sid}/reply", data={**rep, "csrf_token": refl["csrf_token"],
                                                   "text": "mine"}).status_code == 302
    assert count(app, ThreadItem, ThreadItem.kind == "reply") == 2
    # a second share of an actively shared entry keeps the wrap and updates the question
    data["question"] = "a better question"
    assert tess.post(f"/entries/{eid}/share", data=data).status_code == 302
    with app.app_context():
        (row,) = db.session.scalars(select(Share)).all()
        assert row.wrapped_key == wrap
    assert "a better question" in html(sam.get(f"/shares/{sid}"))


def test_odd_reply_ids_never_break_the_thread(app):
    people, eid = setup(app)
    with app.app_context():
        s = share_with(people["tess"], db.session.get(Entry, eid), people["sam"])
        reflect(people["sam"], s)
        db.session.commit()
        sid = s.id
    tess = login_client(app, "tess")
    for rid in ("abc", "abc", "x" * 32, "0" * 40, "ZZZZ" * 8, "", "<script>"):
        r = post(tess, f"/shares/{sid}/reply", {"text": f"reply with id {rid!r}", "reply_id": rid})
        assert r.status_code == 302, (rid, r.status_code)
    with app.app_context():
        ids = list(db.session.scalars(select(ThreadItem.id).where(ThreadItem.kind == "reply")))
    assert len(ids) == 7 and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)


# --- long input, dates ---------------------------------------------------------------------------

def test_a_very_long_reflection_is_refused_with_the_text_kept(app):
    people, eid = setup(app)
    with app.app_context():
        sid = share_with(people["tess"], db.session.get(Entry, eid), people["sam"]).id
        db.session.commit()
    sam = login_client(app, "sam")
    long_text = ("a careful thought " * 300)[:4001]
    r = post(sam, f"/shares/{sid}/reflection", {"context": "short and fine", "feelings": long_text,
                                                "action": "submit"})
    assert r.status_code == 400
    page = html(r)
    assert long_text in page and "short and fine" in page         # nothing lost
    assert "At most 4000 characters" in page
    assert count(app, ThreadItem) == 0
    r = post(sam, f"/shares/{sid}/reflection", {"feelings": long_text[:4000], "action": "submit"})
    assert r.status_code == 302 and count(app, ThreadItem) == 1
    too_long_reply = "x" * 4001
    r = post(sam, f"/shares/{sid}/reply", {"text": too_long_reply, "reply_id": "c" * 32})
    assert r.status_code == 400 and too_long_reply in html(r)


def test_an_expiry_date_in_the_past_is_refused_with_the_question_kept(app):
    people, eid = setup(app)
    tess = login_client(app, "tess")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    r = share_over_http(tess, eid, [people["sam"].id], question="how do I keep the focus", expires=yesterday)
    assert r.status_code == 400
    page = html(r)
    assert "The end date must be in the future" in page and "how do I keep the focus" in page
    assert count(app, Share) == 0
    r = share_over_http(tess, eid, [people["sam"].id], question="q", expires="not a date")
    assert r.status_code == 400 and count(app, Share) == 0
    later = (date.today() + timedelta(days=10)).isoformat()
    assert share_over_http(tess, eid, [people["sam"].id], "how do I keep the focus", later).status_code == 302
    with app.app_context():
        (row,) = db.session.scalars(select(Share)).all()
        assert row.expires_at.date().isoformat() == later
    until = date.today() + timedelta(days=10)
    assert f"until {until.day} {until:%b %Y}" in html(tess.get(f"/entries/{eid}/sharing"))  # the chosen day, local format


def test_a_changed_contact_key_refuses_sharing_with_409_until_confirmed(app):
    people, eid = setup(app)
    with app.app_context():
        _priv, public = keyring.new_identity()
        db.session.get(User, people["sam"].id).public_key = public
        db.session.commit()
        from domain.sharing import contacts
        link_id = contacts.link_between(people["tess"].id, people["sam"].id).id
    tess = login_client(app, "tess")
    r = share_over_http(tess, eid, [people["sam"].id], question="still here?")
    assert r.status_code == 409
    assert "key has changed" in html(r) and "still here?" in html(r)
    assert count(app, Share) == 0
    detail = html(tess.get(f"/contacts/{link_id}"))
    assert "key has changed" in detail and keyring.fingerprint(public) in detail
    assert post(tess, f"/contacts/{link_id}/confirm-key").status_code == 302
    assert "key has changed" not in html(tess.get(f"/contacts/{link_id}"))
    assert share_over_http(tess, eid, [people["sam"].id]).status_code == 302
    assert count(app, Share) == 1


def test_share_and_revoke_need_a_fresh_login(app):
    people, eid = setup(app)
    with app.app_context():
        sid = share_with(people["tess"], db.session.get(Entry, eid), people["sam"]).id
        db.session.commit()
    tess = login_client(app, "tess")
    with app.app_context():
        for row in db.session.scalars(select(UserSession)):
            row.fresh_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    r = tess.get(f"/entries/{eid}/share")
    assert r.status_code == 302 and r.headers["Location"].startswith("/confirm")
    r = post(tess, f"/shares/{sid}/revoke")
    assert r.status_code == 302 and r.headers["Location"].startswith("/confirm")
    with app.app_context():
        assert db.session.get(Share, sid).revoked_at is None
    assert post(tess, "/confirm?next=/entries/" + eid + "/sharing", {"password": PASSWORD}).status_code == 302
    assert post(tess, f"/shares/{sid}/revoke").status_code == 302
    with app.app_context():
        assert db.session.get(Share, sid).revoked_at is not None


# --- the agenda bundle ---------------------------------------------------------------------------

def test_agenda_shares_every_flagged_entry_with_two_contacts(app):
    people, _eid = setup(app, readers=("sam", "pia"), text="not flagged")
    with app.app_context():
        tess = people["tess"]
        flagged = [write_entry(tess, f"flagged number {i}", supervision="yes").id for i in range(3)]
        urgent = write_entry(tess, "urgent dilemma kind", supervision="no").id
        db.session.commit()
    client = login_client(app, "tess")
    page = html(client.get("/share/agenda"))
    for fid in flagged:
        assert re.search(rf'checked[^>]*value="{fid}"|value="{fid}"[^>]*checked', page), fid
    assert urgent not in page and "not flagged" not in page
    r = post(client, "/share/agenda", {"entries": flagged, "readers": [people["sam"].id, people["pia"].id],
                                       "question": "for Thursday's session"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/outbox")
    assert count(app, Share) == 6
    for name in ("sam", "pia"):
        inbox = html(login_client(app, name).get("/inbox"))
        assert inbox.count("flagged number") == 3
        assert re.search(r"Waiting for my reflection <span class=\"muted\">\(3\)", inbox)
    with app.app_context():
        shares = list(db.session.scalars(select(Share)))
        assert {(s.entry_id, s.reader_id) for s in shares} == {(f, people[n].id) for f in flagged
                                                               for n in ("sam", "pia")}
    # the same bundle again: nothing doubled
    assert post(client, "/share/agenda", {"entries": flagged, "readers": [people["sam"].id]}).status_code == 302
    assert count(app, Share) == 6
    # an entry that is not flagged cannot be slipped into the bundle
    r = post(client, "/share/agenda", {"entries": [_eid], "readers": [people["sam"].id]})
    assert r.status_code == 400 and count(app, Share) == 6
    r = post(client, "/share/agenda", {"readers": [people["sam"].id]})
    assert r.status_code == 400 and "Choose at least one entry" in html(r)


# --- reader side: inbox, counts, access log -------------------------------------------------------

def test_inbox_sections_waiting_answered_closed(app):
    people, _ = setup(app)
    with app.app_context():
        tess, sam = people["tess"], people["sam"]
        e_wait, e_answer, e_closed, e_expired = (write_entry(tess, f"entry {n}") for n in
                                                 ("waiting one", "answered one", "closed one", "expired one"))
        share_with(tess, e_wait, sam)
        reflect(sam, share_with(tess, e_answer, sam))
        closed = share_with(tess, e_closed, sam)
        expired = share_with(tess, e_expired, sam)
        db.session.commit()
        from domain.sharing import shares as sharing
        sharing.revoke(tess.user, tess.key, closed)
        expired.expires_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    page = html(login_client(app, "sam").get("/inbox"))
    sections = dict(re.findall(r'<h2 id="inbox-(\w+)">.*?</h2>\s*<ul class="entry-list">(.*?)</ul>', page, re.DOTALL))
    assert set(sections) == {"waiting", "answered", "closed"}
    assert "entry waiting one" in sections["waiting"] and "entry answered one" in sections["answered"]
    assert sections["closed"].count("No longer shared with you") == 2
    for gone in ("closed one", "expired one"):
        assert gone not in page


def test_unseen_counts_on_home_and_inbox(app):
    people, eid = setup(app)
    tess, sam = login_client(app, "tess"), login_client(app, "sam")
    assert "Waiting for you" not in html(sam.get("/"))
    assert share_over_http(tess, eid, [people["sam"].id]).status_code == 302
    assert "1 shared entry waits for your reflection" in html(sam.get("/"))
    sid = share_id_of(app, eid, people["sam"].id)
    assert post(sam, f"/shares/{sid}/reflection", {"context": "seen it", "action": "submit"}).status_code == 302
    home = html(sam.get("/"))
    assert "waits for your reflection" not in home
    assert "1 new in conversations about your entries" in html(tess.get("/"))
    assert re.search(r'class="badge">1 new', html(tess.get("/outbox")))
    view_thread(tess, sid)                                          # the owner looks: nothing new now
    assert "new in conversations" not in html(tess.get("/"))
    for text in ("first answer", "second answer"):
        assert post(tess, f"/shares/{sid}/reply", {"text": text, "reply_id": keyring.random_key().hex()[:32]}
                    ).status_code == 302
    assert "2 new in conversations shared with you" in html(sam.get("/"))
    assert re.search(r'class="badge">2 new', html(sam.get("/inbox")))
    thread = html(view_thread(sam, sid))
    assert thread.count('<span class="badge">new</span>') == 2
    assert "new in conversations" not in html(sam.get("/"))
    assert "new</span>" not in html(sam.get("/inbox"))
    # an owner edit counts as news for the reader
    with app.app_context():
        row = db.session.get(Entry, eid)
        journal.update(row, people["tess"].key, {**journal.read(row, people["tess"].key), "what_happened": "v2"})
        db.session.commit()
    assert "1 new in conversations shared with you" in html(sam.get("/"))


def test_the_access_log_shows_the_reader_opening_and_holds_only_ids_and_times(app):
    people, eid = setup(app)
    with app.app_context():
        sid = share_with(people["tess"], db.session.get(Entry, eid), people["sam"]).id
        db.session.commit()
    tess, sam = login_client(app, "tess"), login_client(app, "sam")
    assert "Nobody has opened it" in html(tess.get(f"/entries/{eid}/sharing"))
    view_thread(tess, sid)                                            # the owner's look is not logged
    assert sam.get(f"/shares/{sid}").status_code == 200
    assert "Nobody has opened it" in html(tess.get(f"/entries/{eid}/sharing"))  # a GET writes nothing
    assert view_thread(sam, sid).status_code == 200
    manage = html(tess.get(f"/entries/{eid}/sharing"))
    assert re.search(r"Sam Reader opened it · \d{1,2} \w{3} \d{4}, \d\d:\d\d<", manage), manage
    with app.app_context():
        cols = {c["name"]: str(c["type"]) for c in inspect(db.engine).get_columns("access_events")}
        assert set(cols) == {"id", "entry_id", "actor_id", "action", "at"}
        (ev,) = db.session.scalars(select(AccessEvent)).all()
        assert (ev.entry_id, ev.actor_id, ev.action) == (eid, people["sam"].id, "opened")
        assert abs((utcnow() - ev.at).total_seconds()) < 120
    # the reader cannot see the log
    assert sam.get(f"/entries/{eid}/sharing").status_code == 404


def test_a_reflection_draft_stays_private_until_sent(app):
    people, eid = setup(app)
    with app.app_context():
        sid = share_with(people["tess"], db.session.get(Entry, eid), people["sam"]).id
        db.session.commit()
    tess, sam = login_client(app, "tess"), login_client(app, "sam")
    assert post(sam, f"/shares/{sid}/reflection", {"alliance": "half a thought", "action": "draft"}).status_code == 302
    assert "half a thought" in html(sam.get(f"/shares/{sid}"))          # back in the form
    assert "half a thought" not in html(tess.get(f"/shares/{sid}"))
    assert "1 shared entry waits" in html(sam.get("/"))
    assert post(sam, f"/shares/{sid}/reflection", {"alliance": "a whole thought", "action": "submit"}
                ).status_code == 302
    page = html(tess.get(f"/shares/{sid}"))
    assert "a whole thought" in page and "half a thought" not in page
    assert count(app, ThreadItem) == 1


def test_revoke_from_the_owner_page_ends_access_at_once(app):
    people, eid = setup(app, readers=("sam", "pia"))
    tess = login_client(app, "tess")
    assert share_over_http(tess, eid, [people["sam"].id, people["pia"].id], "q").status_code == 302
    sid = share_id_of(app, eid, people["sam"].id)
    manage = html(tess.get(f"/entries/{eid}/sharing"))
    assert manage.count('badge">can read<') == 2
    r = tess.post(f"/shares/{sid}/revoke", data={"csrf_token": csrf_from(manage)})
    assert r.status_code == 302
    manage = html(tess.get(r.headers["Location"]))
    assert manage.count('badge">can read<') == 1 and 'badge-urgent">ended<' in manage
    assert "They may have kept what they already read" in manage or "may have kept" in manage
    sam, pia = login_client(app, "sam"), login_client(app, "pia")
    assert sam.get(f"/shares/{sid}").status_code == 410
    assert pia.get(f"/shares/{share_id_of(app, eid, people['pia'].id)}").status_code == 200
    # sharing again after a revoke makes a new share; the old one stays ended
    assert share_over_http(tess, eid, [people["sam"].id], "again").status_code == 302
    new_sid = share_id_of(app, eid, people["sam"].id)
    assert new_sid != sid
    assert sam.get(f"/shares/{new_sid}").status_code == 200 and sam.get(f"/shares/{sid}").status_code == 410


def test_never_a_500_for_garbage_ids(app):
    setup(app)
    tess = login_client(app, "tess")
    for url in ("/shares/" + "x" * 500, "/shares/%00", "/entries/%00/share", "/entries/%00/sharing",
                "/shares/%00%01", "/entries/" + "9" * 65 + "/share",
                "/entries/" + "9" * 65 + "/sharing", "/contacts/" + "z" * 300, "/invite/" + "a" * 300):
        assert tess.get(url).status_code == 404, url
    for url in ("/shares/" + "x" * 500 + "/reply", "/shares/" + "x" * 500 + "/reflection",
                "/shares/" + "x" * 500 + "/revoke", "/contacts/" + "z" * 300 + "/remove",
                "/shares/%00/reply", "/shares/%00/reflection", "/shares/%00/revoke", "/entries/%00/share"):
        assert post(tess, url, {"text": "t"}).status_code == 404, url


def test_a_draft_with_a_follow_up_date_comes_back_in_the_form(app):
    people, eid = setup(app)
    with app.app_context():
        sid = share_with(people["tess"], db.session.get(Entry, eid), people["sam"]).id
        db.session.commit()
    sam = login_client(app, "sam")
    assert post(sam, f"/shares/{sid}/reflection", {"next_step": "call the caseworker", "follow_up": "2031-02-03",
                                                   "action": "draft"}).status_code == 302
    r = sam.get(f"/shares/{sid}")
    assert r.status_code == 200
    assert 'value="2031-02-03"' in html(r) and "call the caseworker" in html(r)
    r = post(sam, f"/shares/{sid}/reflection", {"follow_up": "not a date", "action": "submit"})
    assert r.status_code == 400 and count(app, ThreadItem, ThreadItem.draft.is_(False)) == 0


def _writes_during(app, fn) -> tuple[list[str], object]:
    """`fn`'s result and the INSERT, UPDATE and DELETE statements sent while it ran, leaving out the session row's
    last-seen stamp (the login guard's bookkeeping on any page, not the page's own work)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"} \
                and "user_sessions" not in statement:
            seen.append(statement)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        result = fn()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen, result


def test_sharing_and_contact_pages_never_write_on_a_get(app):
    """Upkeep waits for a write request: an expired share and an entry marked for rotation (the
    key sweep), news in a contact's mailbox (folded on the holder's next POST) and unread thread
    items (cleared by the page's "seen" POST) are all still pending after every page is shown."""
    people, eid = setup(app)
    clients = {login: login_client(app, login) for login in ("tess", "sam")}  # a login POST sweeps: log in first
    with app.app_context():
        tess, sam = people["tess"], people["sam"]
        share = share_with(tess, db.session.get(Entry, eid), sam)
        reflect(sam, share)
        add_reply(tess, share, "thank you")
        expired = share_with(tess, write_entry(tess, "expired one"), sam, expires_at=utcnow() + timedelta(hours=1))
        write_entry(tess, "to rotate").needs_rotation = True
        db.session.commit()
        expired.expires_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
        sid, expired_id = share.id, expired.id
        links = {p.login: db.session.scalar(select(ContactLink.id).where(ContactLink.holder_id == p.id))
                 for p in (tess, sam)}
    pages = {"tess": [f"/entries/{eid}/sharing", f"/entries/{eid}/share", "/share/agenda", "/outbox",
                      f"/shares/{sid}", "/contacts", f"/contacts/{links['tess']}"],
             "sam": ["/inbox", f"/shares/{sid}", "/contacts", f"/contacts/{links['sam']}"]}
    for login, urls in pages.items():
        for url in urls:
            writes, response = _writes_during(app, partial(clients[login].get, url))
            assert (writes, response.status_code) == ([], 200), url
    with app.app_context():
        assert db.session.get(ContactLink, links["tess"]).mailbox is not None
        assert db.session.get(Share, expired_id).wrapped_key is not None
        assert db.session.scalar(select(func.count()).select_from(Entry).where(Entry.needs_rotation.is_(True))) == 1
        assert db.session.get(Share, sid).reader_seen_at is None
        assert db.session.scalar(select(func.count()).select_from(AccessEvent)) == 0
