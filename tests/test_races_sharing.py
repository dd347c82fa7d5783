"""Deterministic interleavings of two workers on one database: a reader's reply or reflection
racing the owner's revoke (key rotation), and double submits of replies, reflections, shares and
invitations. Each runs 100 rounds (30 for the slower double submits) on SQLite and PostgreSQL.

Two test clients on one app are two workers: each request runs in its own thread with its own
session and connection. A hook between a writer's read and its write (the form check, which runs
after the request has read the share and before it seals anything) lets the other request run to
completion there. On PostgreSQL the revoke then commits in that gap; on SQLite the writer's
BEGIN IMMEDIATE holds the database, so the revoke waits for it: both are correct outcomes, and the
invariants below must hold after every round:

- every stored blob of the entry opens under the owner's current key (nothing sealed under a
  stale key), the owner's thread page and export work, a second revoke works;
- the revoked reader's old wrap opens nothing stored now and their thread link answers 410;
- no response is a 5xx.
"""
from __future__ import annotations

import os
import re
import threading

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from app import create_app
from domain.core import keyring
from domain.core.db import db
from domain.core.models import Entry, Invitation, Share, ThreadItem
from domain.sharing import shares as sharing
from tests.conftest import base_config, csrf_from
from tests.test_sharing_crypto import (
    connect,
    login_client,
    make_person,
    opens,
    owner_entry_key,
    reflect,
    share_with,
    stored_blobs,
    write_entry,
)

ROUNDS = int(os.environ.get("FOKUS_RACE_ROUNDS", "100"))


def html(r) -> str:
    return r.get_data(as_text=True)


def token(client) -> str:
    return csrf_from(html(client.get("/about")))


class Gap:
    """Pauses the thread named `writer` after its form check until `other` has finished (or, when
    the other cannot finish because the writer holds the database, for a moment)."""

    def __init__(self, monkeypatch, sqlite: bool):
        self.reached, self.done = threading.Event(), threading.Event()
        self.wait = 0.005 if sqlite else 10
        original = FlaskForm.validate
        gap = self

        def validate(form, *a, **k):
            ok = original(form, *a, **k)
            if threading.current_thread().name == "writer":
                gap.reached.set()
                gap.done.wait(gap.wait)
            return ok
        monkeypatch.setattr(FlaskForm, "validate", validate)

    def reset(self):
        self.reached.clear()
        self.done.clear()


def run_pair(writer, other, gap: Gap | None):
    """Run `writer` and `other` in two threads; `other` starts once the writer is in the gap."""
    out = {}

    def go_writer():
        out["writer"] = writer()

    def go_other():
        if gap is not None:
            gap.reached.wait(10)
        out["other"] = other()
        if gap is not None:
            gap.done.set()
    threads = [threading.Thread(target=go_writer, name="writer"), threading.Thread(target=go_other, name="other")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads), "a request hung"
    return out["writer"], out["other"]


@pytest.fixture
def app(db_url, tmp_path, monkeypatch):
    """The usual test app; on PostgreSQL without waiting for each commit's disk flush (the races
    are about ordering, not durability, and a round makes a dozen commits)."""
    monkeypatch.setenv("FOKUS_INSTANCE_PATH", str(tmp_path / "instance"))
    extra = {}
    if db_url.startswith("postgresql"):
        extra["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True,
                                              "connect_args": {"options": "-c synchronous_commit=off"}}
    application = create_app(base_config(db_url, tmp_path / "instance") | extra)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def world(app):
    with app.app_context():
        tess, ann, bob = make_person(app, "tess"), make_person(app, "ann"), make_person(app, "bob")
        connect(tess, ann)
        connect(tess, bob)
        db.session.commit()
    clients = {name: login_client(app, name) for name in ("tess", "ann", "bob")}
    clients["tess2"] = login_client(app, "tess")  # the owner's second device
    return {"tess": tess, "ann": ann, "bob": bob, **{f"{k}_client": v for k, v in clients.items()},
            "tokens": {k: token(v) for k, v in clients.items()}}


def new_round(app, w, text: str) -> dict:
    """A fresh entry shared with ann and bob; ann has reflected, so replies are open."""
    with app.app_context():
        entry = write_entry(w["tess"], text)
        sa, sb = share_with(w["tess"], entry, w["ann"]), share_with(w["tess"], entry, w["bob"])
        reflect(w["ann"], sa, context=f"reflection {text}")
        db.session.commit()
        return {"entry": entry.id, "sa": sa.id, "sb": sb.id, "ann_wrap": sa.wrapped_key, "kv": entry.key_version}


def check_round(app, w, r: dict, revoked: str, texts: list[str]) -> None:
    tess = w["tess_client"]
    with app.app_context():
        entry = db.session.get(Entry, r["entry"])
        key = owner_entry_key(w["tess"], entry)
        assert all(opens(key, blob, aad) for _what, blob, aad in stored_blobs(entry.id)), "a blob under a stale key"
    page = tess.get(f"/shares/{r['sa']}")
    assert page.status_code == 200 and all(t in html(page) for t in texts)
    dump = tess.post("/settings/data/export.json", data={"csrf_token": w["tokens"]["tess"]})
    assert dump.status_code == 200 and all(t in html(dump) for t in texts)
    # a second revoke works and leaves everything readable
    second = "sb" if revoked == "sa" else "sa"
    assert tess.post(f"/shares/{r[second]}/revoke", data={"csrf_token": w["tokens"]["tess"]}).status_code == 302
    assert tess.get(f"/shares/{r[revoked]}").status_code == 200
    with app.app_context():
        entry = db.session.get(Entry, r["entry"])
        key = owner_entry_key(w["tess"], entry)
        assert all(opens(key, blob, aad) for _what, blob, aad in stored_blobs(entry.id))
        # re-shared with bob: ann's old wrap opens nothing stored now
        share_with(w["tess"], entry, w["bob"])
        db.session.commit()
        old = keyring.hpke_unwrap(w["ann"].private(), r["ann_wrap"], sharing.share_info(entry.id, w["ann"].id, r["kv"]))
        assert not any(opens(old, blob, aad) for _w, blob, aad in stored_blobs(entry.id))
    assert w["ann_client"].get(f"/shares/{r['sa']}").status_code == 410
    with app.app_context():  # keep the world small: the next round starts from one entry
        db.session.delete(db.session.get(Entry, r["entry"]))
        db.session.commit()


def _sqlite(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


@pytest.mark.parametrize("case", ["reply-vs-revoke-same", "reply-vs-revoke-other", "reflection-vs-revoke-other",
                                  "edit-vs-revoke-other"])
def test_a_thread_write_racing_a_revoke_never_seals_under_a_stale_key(app, world, monkeypatch, case):
    w, gap = world, Gap(monkeypatch, _sqlite(app))
    ann, tess = w["ann_client"], w["tess_client"]
    statuses: dict[int, int] = {}
    for n in range(ROUNDS):
        r = new_round(app, w, f"round {n} entry")
        revoked = "sa" if case == "reply-vs-revoke-same" else "sb"
        text = f"round {n} ann writes"
        if case.startswith("reply"):
            def writer(r=r, text=text):
                return ann.post(f"/shares/{r['sa']}/reply", data={"csrf_token": w["tokens"]["ann"], "text": text,
                                                                   "reply_id": keyring.random_key().hex()[:32]})
        elif case.startswith("edit"):
            def writer(r=r, text=text):  # the owner's other device saves an edit
                return w["tess2_client"].post(f"/entries/{r['entry']}/edit", data={
                    "csrf_token": w["tokens"]["tess2"], "kind": "hard_session", "what_happened": text,
                    "supervision": "no", "action": "save", "draft_id": r["entry"]})
        else:
            with app.app_context():  # reopen the reflection as a draft, so it can be written again
                item = db.session.scalar(select(ThreadItem).where(ThreadItem.share_id == r["sa"]))
                item.draft = True
                db.session.get(Share, r["sa"]).reflected_at = None
                db.session.commit()

            def writer(r=r, text=text):
                return ann.post(f"/shares/{r['sa']}/reflection", data={
                    "csrf_token": w["tokens"]["ann"], "context": text, "action": "submit"})

        def other(r=r, revoked=revoked):
            return tess.post(f"/shares/{r[revoked]}/revoke", data={"csrf_token": w["tokens"]["tess"]})
        gap.reset()
        wr, ot = run_pair(writer, other, gap)
        for resp in (wr, ot):
            statuses[resp.status_code] = statuses.get(resp.status_code, 0) + 1
        assert ot.status_code == 302, (n, html(ot)[:300])
        assert wr.status_code in ((302, 409) if case.startswith("edit") else (302, 410)), (n, wr.status_code)
        texts = [text] if wr.status_code == 302 else []
        if revoked == "sb" and not case.startswith("edit"):
            assert wr.status_code == 302
        check_round(app, w, r, revoked, texts)
    assert all(code < 500 for code in statuses), statuses


def test_a_double_submitted_reply_is_stored_once(app, world):
    w = world
    r = new_round(app, w, "double reply entry")
    for n in range(ROUNDS):
        reply_id = keyring.random_key().hex()[:32]
        barrier = threading.Barrier(2)

        def send(client=w["ann_client"], n=n, reply_id=reply_id, barrier=barrier):
            barrier.wait(5)
            return client.post(f"/shares/{r['sa']}/reply", data={"csrf_token": w["tokens"]["ann"],
                                                                 "text": f"twice {n}", "reply_id": reply_id})
        a, b = run_pair(send, send, None)
        assert (a.status_code, b.status_code) == (302, 302), (n, a.status_code, b.status_code)
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(ThreadItem).where(ThreadItem.id == reply_id)) == 1
    page = html(w["tess_client"].get(f"/shares/{r['sa']}"))
    assert all(page.count(f"twice {n}<") == 1 for n in range(ROUNDS))


def test_double_submits_of_reflections_shares_and_invitations_make_one_object(app, world):
    w = world
    tess, ann = w["tess_client"], w["ann_client"]
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Invitation))
    for n in range(30):
        with app.app_context():
            entry = write_entry(w["tess"], f"double {n}")
            db.session.commit()
            eid = entry.id
        barrier = threading.Barrier(2)

        def share(eid=eid, barrier=barrier):
            barrier.wait(5)
            return tess.post(f"/entries/{eid}/share", data={"csrf_token": w["tokens"]["tess"],
                                                            "readers": [w["ann"].id], "question": "q"})
        a, b = run_pair(share, share, None)
        assert (a.status_code, b.status_code) == (302, 302), (n, a.status_code, b.status_code)
        with app.app_context():
            sid = db.session.scalar(select(Share.id).where(Share.entry_id == eid))
            assert db.session.scalar(select(func.count()).select_from(Share).where(Share.entry_id == eid)) == 1
        barrier = threading.Barrier(2)

        def reflect_twice(sid=sid, n=n, barrier=barrier):
            barrier.wait(5)
            return ann.post(f"/shares/{sid}/reflection", data={"csrf_token": w["tokens"]["ann"],
                                                               "context": f"once {n}", "action": "submit"})
        a, b = run_pair(reflect_twice, reflect_twice, None)
        assert (a.status_code, b.status_code) == (302, 302), (n, a.status_code, b.status_code)
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(ThreadItem)
                                     .where(ThreadItem.share_id == sid)) == 1
        page = html(tess.get("/contacts"))
        invite_id = re.search(r'name="invite_id" type="hidden" value="([0-9a-f]+)"', page).group(1)
        barrier = threading.Barrier(2)

        def invite(invite_id=invite_id, barrier=barrier):
            barrier.wait(5)
            return tess.post("/contacts/invite", data={"csrf_token": w["tokens"]["tess"], "role": "peer",
                                                       "invite_id": invite_id})
        a, b = run_pair(invite, invite, None)
        assert (a.status_code, b.status_code) == (200, 200), (n, a.status_code, b.status_code)
        link = re.search(r'(/invite/[A-Za-z0-9_-]+)', html(a)).group(1)
        assert link in html(b)                                         # both show the same link
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Invitation)) == before + n + 1
