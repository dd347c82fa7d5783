"""Crypto properties of sharing, at the domain level (no HTTP unless a property is about a page).

- a reader can decrypt exactly the entries shared with them;
- after revoke + rotation the old HPKE wrap and the old entry key open nothing stored now
  (entry content, thread items, questions), and remaining readers still read everything;
- key versions move and AAD binds every blob and wrap to its row;
- rotation is all-or-nothing (an error half-way + rollback leaves the old keys working);
- pinned contact keys: a swapped public key makes sharing refuse until confirmed;
- expiry, contact removal and entry deletion end access, with rotation on the owner's next visit.

The small world builders at the top are also used by the other sharing tests.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from domain.accounts import account as accounts
from domain.core import keyring, sealed
from domain.core.db import db, utcnow
from domain.core.models import AccessEvent, ContactLink, Entry, Share, ThreadItem, User
from domain.core.refusal import Refusal
from domain.journal import entries as journal
from domain.sharing import contacts, items
from domain.sharing import shares as sharing
from domain.sharing.shares import Access
from tests.conftest import PASSWORD, Auth

# --- world builders (domain level; call inside an app context) ----------------------------------


@dataclass
class Person:
    """A user and their unwrapped user key (what a logged-in session holds)."""
    id: str
    key: bytes
    login: str

    @property
    def user(self) -> User:
        return db.session.get(User, self.id)

    def private(self) -> bytes:
        return accounts.private_key(self.user, self.key)


def make_person(app, login: str, name: str | None = None) -> Person:
    user, key, _code = accounts.create_account(app.extensions["fokus_kdf"], str(app.config["SECRET_KEY"]).encode(),
                                               login, name or login.title(), PASSWORD)
    user.recovery_confirmed_at = utcnow()
    db.session.flush()
    return Person(user.id, key, login)


def connect(inviter: Person, invitee: Person, role: str = "supervisor") -> str:
    """Invite and accept; returns the (now used) invitation token."""
    _row, token = contacts.invite(inviter.user, inviter.key, role)
    db.session.flush()
    contacts.accept(token, invitee.user, invitee.key)
    db.session.flush()
    return token


def write_entry(owner: Person, text: str, **extra) -> Entry:
    data = journal.clean({"kind": "hard_session", "what_happened": text, "themes": [], "subthemes": [],
                          "supervision": "no", **extra}, set(), draft=False)
    row = journal.create(owner.user, owner.key, data)
    db.session.flush()
    return row


def share_with(owner: Person, entry: Entry, reader: Person, question: str = "", expires_at=None) -> Share:
    (row,) = sharing.share(owner.user, owner.key, [entry.id], [reader.id], question, expires_at)
    db.session.flush()
    return row


def reader_key(reader: Person, share: Share) -> bytes:
    return sharing.entry_key_for(sharing.decide_share(reader.id, share.id), reader.user, reader.key)


def reflect(reader: Person, share: Share, **sections) -> ThreadItem:
    item = sharing.save_reflection(share, reader.user, reader_key(reader, share),
                                   sections or {"context": "a reflection"}, submit=True)
    db.session.flush()
    return item


def reply(author: Person, share: Share, text: str) -> ThreadItem:
    decision = sharing.decide_share(author.id, share.id)
    key = sharing.entry_key_for(decision, author.user, author.key)
    item = sharing.add_reply(share, author.user, key, text, "")
    db.session.flush()
    return item


def view_thread(client, share_id: str):
    """Open a thread page the way a browser does: the GET, then the page's "seen" report (app.js)."""
    page = client.get(f"/shares/{share_id}")
    form = re.search(r'action="/shares/[0-9a-f]+/seen"[^>]*>\s*<input id="csrf_token" name="csrf_token" '
                     r'type="hidden" value="([^"]+)"', page.get_data(as_text=True))
    if page.status_code == 200 and form:
        assert client.post(f"/shares/{share_id}/seen", data={"csrf_token": form.group(1)}).status_code == 302
    return page


def owner_entry_key(owner: Person, entry: Entry) -> bytes:
    return sealed.content_key(entry, journal.TABLE, owner.key)


def item_aad(item: ThreadItem) -> bytes:
    return items._item_aad(item, item.key_version)


def stored_blobs(entry_id: str) -> list[tuple[str, bytes, bytes]]:
    """Every blob sealed under an entry key that is stored now: (what, blob, its current AAD)."""
    entry = db.session.get(Entry, entry_id)
    out = [("entry", entry.content, sealed.content_aad(journal.TABLE, entry.id, entry.owner_id, entry.key_version))]
    for it in db.session.scalars(select(ThreadItem).where(ThreadItem.entry_id == entry_id)):
        out.append((f"{it.kind} {it.id}", it.content, item_aad(it)))
    for s in db.session.scalars(select(Share).where(Share.entry_id == entry_id)):
        if s.question:
            out.append((f"question {s.id}", s.question, sharing.question_aad(s, s.key_version)))
    return out


def opens(key: bytes, blob: bytes, aad: bytes) -> bool:
    try:
        keyring.open_blob(key, blob, aad)
    except keyring.CryptoError:
        return False
    return True


def unwraps(private: bytes, wrapped: bytes | None, info: bytes) -> bytes | None:
    if wrapped is None:
        return None
    try:
        return keyring.hpke_unwrap(private, wrapped, info)
    except keyring.CryptoError:
        return None


def login_client(app, login: str):
    client = app.test_client()
    r = Auth(client).login(login)
    assert r.status_code == 302, r.get_data(as_text=True)
    return client


# --- a world with one entry read by three people --------------------------------------------------

@dataclass
class Trio:
    owner: Person
    a: Person
    b: Person
    c: Person
    entry: Entry
    sa: Share
    sb: Share
    sc: Share


def trio(app) -> Trio:
    owner, a, b, c = (make_person(app, n) for n in ("owner", "ann", "ben", "cal"))
    for p in (a, b, c):
        connect(owner, p)
    entry = write_entry(owner, "entry text for three readers")
    sa, sb, sc = (share_with(owner, entry, p, f"question for {p.login}") for p in (a, b, c))
    for p, s in ((a, sa), (b, sb), (c, sc)):
        reflect(p, s, context=f"reflection by {p.login}", next_step=f"next step by {p.login}")
        reply(owner, s, f"owner reply to {p.login}")
        reply(p, s, f"{p.login} answers")
    db.session.commit()
    return Trio(owner, a, b, c, entry, sa, sb, sc)


# --- tests -----------------------------------------------------------------------------------------

def test_a_reader_decrypts_exactly_the_entries_shared_with_them(app):
    with app.app_context():
        owner, a, b = (make_person(app, n) for n in ("owner", "ann", "ben"))
        connect(owner, a)
        connect(owner, b, "peer")
        e1, e2, e3 = (write_entry(owner, f"entry number {i}") for i in (1, 2, 3))
        share_with(owner, e1, a)
        share_with(owner, e2, b)
        db.session.commit()

        shares = list(db.session.scalars(select(Share)))
        entries = {e.id: e for e in (e1, e2, e3)}
        for reader, mine in ((a, {e1.id}), (b, {e2.id})):
            private = reader.private()
            readable = set()
            for s in shares:
                for eid, entry in entries.items():
                    key = unwraps(private, s.wrapped_key, sharing.share_info(eid, reader.id, entry.key_version))
                    if key is not None and opens(key, entry.content, sealed.content_aad(
                            journal.TABLE, eid, owner.id, entry.key_version)):
                        readable.add(eid)
            assert readable == mine
            for eid in entries:
                decision = sharing.decide_entry(reader.id, eid)
                assert decision.allows(Access.VIEW) is (eid in mine)
                assert not decision.allows(Access.MANAGE)
            # the unwrapped key reads the entry through the normal path
            (s,) = [s for s in shares if s.reader_id == reader.id]
            assert sharing.read_entry(sharing.decide_share(reader.id, s.id), reader_key(reader, s))["what_happened"] \
                == journal.read(entries[s.entry_id], owner.key)["what_happened"]
        # the owner's own wrap (under the user key) is useless to a reader's user key
        with pytest.raises(keyring.CryptoError):
            owner_entry_key(Person(owner.id, a.key, "x"), e1)


def test_revoke_rotates_so_the_old_wrap_and_old_key_open_nothing_stored_now(app):
    with app.app_context():
        w = trio(app)
        old_key = owner_entry_key(w.owner, w.entry)
        old_wrap = w.sc.wrapped_key
        old_kv = w.entry.key_version
        old_info = sharing.share_info(w.entry.id, w.c.id, old_kv)
        assert unwraps(w.c.private(), old_wrap, old_info) == old_key
        before = {what: blob for what, blob, _ in stored_blobs(w.entry.id)}
        assert all(opens(old_key, blob, aad) for _what, blob, aad in stored_blobs(w.entry.id))

        sharing.revoke(w.owner.user, w.owner.key, w.sc)
        db.session.commit()

        entry = db.session.get(Entry, w.entry.id)
        assert entry.key_version == old_kv + 1
        new_key = owner_entry_key(w.owner, entry)
        assert new_key != old_key
        now_stored = stored_blobs(entry.id)
        assert len(now_stored) == len(before) == 1 + 3 * 3 + 3
        for what, blob, aad in now_stored:
            assert blob != before[what], what                       # every blob was re-sealed
            assert not opens(old_key, blob, aad), what              # the old key opens nothing now
            old_aad = aad.replace(f"|kv|{old_kv + 1}".encode(), f"|kv|{old_kv}".encode())
            assert not opens(old_key, blob, old_aad), what          # not even with the old AAD
            assert opens(new_key, blob, aad), what
        # the revoked reader's wrap is gone, and their private key opens no wrap stored now
        assert db.session.get(Share, w.sc.id).wrapped_key is None
        for s in db.session.scalars(select(Share)):
            assert s.wrapped_key != old_wrap
            for kv in (old_kv, old_kv + 1):
                for rid in (w.a.id, w.b.id, w.c.id):
                    assert unwraps(w.c.private(), s.wrapped_key, sharing.share_info(entry.id, rid, kv)) is None
        # key versions moved everywhere
        assert {s.key_version for s in db.session.scalars(select(Share))} == {old_kv + 1}
        assert {i.key_version for i in db.session.scalars(select(ThreadItem))} == {old_kv + 1}
        # the revoked reader is refused; the old wrap (if they kept it) yields a useless key
        assert sharing.decide_share(w.c.id, w.sc.id).gone
        kept = unwraps(w.c.private(), old_wrap, old_info)
        assert kept == old_key and not any(opens(kept, b, a) for _w, b, a in now_stored)

        # remaining readers still read everything: entry, their question, the whole thread
        for p, s in ((w.a, w.sa), (w.b, w.sb)):
            decision = sharing.decide_share(p.id, s.id)
            assert decision.role == "reader"
            key = sharing.entry_key_for(decision, p.user, p.key)
            assert key == new_key
            assert sharing.read_entry(decision, key)["what_happened"] == "entry text for three readers"
            assert sharing.question(decision.share, key) == f"question for {p.login}"
            texts = [m.content.get("text") or m.content.get("context") for m in
                     sharing.thread(decision.share, key, p.id, None)]
            assert texts == [f"reflection by {p.login}", f"owner reply to {p.login}", f"{p.login} answers"]
        # and the owner still reads the revoked reader's old thread
        owner_view = sharing.thread(db.session.get(Share, w.sc.id), new_key, w.owner.id, None)
        assert [m.content.get("text") or m.content.get("context") for m in owner_view] == \
            ["reflection by cal", "owner reply to cal", "cal answers"]


def test_two_revokes_in_a_row_keep_the_last_reader_reading(app):
    with app.app_context():
        w = trio(app)
        kv = w.entry.key_version
        sharing.revoke(w.owner.user, w.owner.key, w.sb)
        sharing.revoke(w.owner.user, w.owner.key, w.sc)
        db.session.commit()
        assert db.session.get(Entry, w.entry.id).key_version == kv + 2
        key = reader_key(w.a, w.sa)
        assert all(opens(key, blob, aad) for _w, blob, aad in stored_blobs(w.entry.id))
        for p, s in ((w.b, w.sb), (w.c, w.sc)):
            assert sharing.decide_share(p.id, s.id).role == "revoked"


def test_aad_binds_wraps_questions_items_and_content_to_their_rows(app):
    with app.app_context():
        owner, a, b = (make_person(app, n) for n in ("owner", "ann", "ben"))
        connect(owner, a)
        connect(owner, b)
        e1, e2 = write_entry(owner, "first"), write_entry(owner, "second")
        s1a, s1b = share_with(owner, e1, a, "q one a"), share_with(owner, e1, b, "q one b")
        s2a = share_with(owner, e2, a, "q two a")
        ia, ib = reflect(a, s1a), reflect(b, s1b)
        db.session.commit()

        # a share wrap copied to another share row fails there: other reader, other entry
        wrap = s1a.wrapped_key
        s1b.wrapped_key = wrap
        s2a.wrapped_key = wrap
        db.session.commit()
        with pytest.raises(keyring.CryptoError):
            reader_key(b, s1b)
        with pytest.raises(keyring.CryptoError):
            reader_key(a, s2a)
        # even the rightful reader cannot use it with another key version (a rollback attempt)
        assert unwraps(a.private(), wrap, sharing.share_info(e1.id, a.id, e1.key_version + 1)) is None
        assert unwraps(a.private(), wrap, sharing.share_info(e1.id, a.id, e1.key_version)) is not None

        k1 = owner_entry_key(owner, e1)
        # questions, thread items and entry content copied to another row fail to open there
        with pytest.raises(keyring.CryptoError):
            keyring.open_blob(k1, s1a.question, sharing.question_aad(s1b, s1b.key_version))
        with pytest.raises(keyring.CryptoError):
            keyring.open_blob(k1, ia.content, item_aad(ib))
        s1b.question = s1a.question
        ib.content = ia.content
        db.session.commit()
        with pytest.raises(keyring.CryptoError):
            sharing.question(s1b, k1)
        with pytest.raises(keyring.CryptoError):
            sharing.open_item(ib, k1)
        e2.content = e1.content
        db.session.commit()
        with pytest.raises(keyring.CryptoError):
            journal.read(e2, owner.key)


def test_an_error_half_way_through_rotation_leaves_everything_readable_with_the_old_keys(app, monkeypatch):
    with app.app_context():
        w = trio(app)
        entry_id = w.entry.id
        old_key = owner_entry_key(w.owner, w.entry)
        old_kv = w.entry.key_version
        snapshot = {what: blob for what, blob, _ in stored_blobs(entry_id)}
        wraps = {s.id: s.wrapped_key for s in (w.sa, w.sb, w.sc)}

        real_seal = items.seal_item
        calls = []

        def failing_seal(item, key, content):
            calls.append(item.id)
            if len(calls) > 1:
                raise RuntimeError("disk full half-way through the rotation")
            return real_seal(item, key, content)

        monkeypatch.setattr(items, "seal_item", failing_seal)
        with pytest.raises(RuntimeError):
            sharing.revoke(w.owner.user, w.owner.key, w.sc)
        db.session.rollback()
        monkeypatch.undo()
        assert len(calls) == 2
        db.session.expire_all()

        entry = db.session.get(Entry, entry_id)
        assert entry.key_version == old_kv and owner_entry_key(w.owner, entry) == old_key
        now = stored_blobs(entry_id)
        assert {what: blob for what, blob, _ in now} == snapshot
        assert all(opens(old_key, blob, aad) for _what, blob, aad in now)
        for p, s in ((w.a, w.sa), (w.b, w.sb), (w.c, w.sc)):
            row = db.session.get(Share, s.id)
            assert row.revoked_at is None and row.wrapped_key == wraps[s.id]
            assert unwraps(p.private(), row.wrapped_key, sharing.share_info(entry_id, p.id, old_kv)) == old_key
            key = reader_key(p, row)
            assert len(sharing.thread(row, key, p.id, None)) == 3
        # and the revoke works on a second try
        sharing.revoke(w.owner.user, w.owner.key, db.session.get(Share, w.sc.id))
        db.session.commit()
        assert db.session.get(Entry, entry_id).key_version == old_kv + 1


def test_a_swapped_public_key_makes_sharing_refuse_until_confirmed(app):
    with app.app_context():
        owner, a, b = (make_person(app, n) for n in ("owner", "ann", "ben"))
        connect(owner, a)
        connect(owner, b)
        e1, e2 = write_entry(owner, "first"), write_entry(owner, "second")
        sb = share_with(owner, e1, b)
        db.session.commit()
        attacker_private, attacker_public = keyring.new_identity()
        real_public = a.user.public_key
        a.user.public_key = attacker_public            # a database-level swap
        db.session.commit()

        with pytest.raises(Refusal) as exc:
            share_with(owner, e1, a)
        assert exc.value.status == 409
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Share).where(Share.reader_id == a.id)) == 0
        (c,) = [c for c in contacts.contacts_of(owner.user, owner.key) if c.other_id == a.id]
        assert c.key_changed and c.fingerprint == keyring.fingerprint(real_public)

        # a rotation never wraps to an unconfirmed key: swap ben's key too, then revoke nothing
        # but force a rotation; ben's new wrap is for his pinned (real) key only
        b_real = b.user.public_key
        b.user.public_key = attacker_public
        db.session.flush()
        from domain.sharing import rotation
        rotation.rotate(db.session.get(Entry, e1.id), owner.key)
        db.session.commit()
        sb = db.session.get(Share, sb.id)
        info = sharing.share_info(e1.id, b.id, sb.key_version)
        assert unwraps(attacker_private, sb.wrapped_key, info) is None
        assert unwraps(b.private(), sb.wrapped_key, info) == owner_entry_key(owner, db.session.get(Entry, e1.id))
        b.user.public_key = b_real

        link = contacts.link_between(owner.id, a.id)
        contacts.confirm_key(link)
        db.session.commit()
        assert link.pinned_key == attacker_public
        (s,) = sharing.share(owner.user, owner.key, [e2.id], [a.id], "", None)
        db.session.commit()
        assert unwraps(attacker_private, s.wrapped_key, sharing.share_info(e2.id, a.id, s.key_version)) is not None


def test_revoked_and_expired_readers_can_neither_reflect_nor_reply(app):
    with app.app_context():
        owner, a, b = (make_person(app, n) for n in ("owner", "ann", "ben"))
        connect(owner, a)
        connect(owner, b)
        entry = write_entry(owner, "text")
        sa, sb = share_with(owner, entry, a), share_with(owner, entry, b)
        reflect(a, sa)
        reflect(b, sb)
        db.session.commit()
        sharing.revoke(owner.user, owner.key, sa)
        sb.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        for p, s, role in ((a, sa, "revoked"), (b, sb, "expired")):
            d = sharing.decide_share(p.id, s.id)
            assert d.role == role and d.gone
            assert not any(d.allows(x) for x in Access)
            assert not sharing.decide_entry(p.id, entry.id).allows(Access.VIEW)
            with pytest.raises(Refusal):
                sharing.entry_key_for(d, p.user, p.key)
        # the domain itself refuses a reply in a conversation that has ended, whoever writes it
        key = owner_entry_key(owner, entry)
        for s in (sa, sb):
            with pytest.raises(Refusal) as exc:
                sharing.add_reply(s, owner.user, key, "anyone there?", "")
            assert exc.value.status in (409, 410)


def test_owner_edit_counts_as_new_for_the_reader_but_rotation_does_not(app):
    with app.app_context():
        owner, a, b = (make_person(app, n) for n in ("owner", "ann", "ben"))
        connect(owner, a)
        connect(owner, b)
        entry = write_entry(owner, "before the edit")
        sa, sb = share_with(owner, entry, a), share_with(owner, entry, b)
        sa.reader_seen_at = utcnow()
        db.session.commit()
        assert sharing.unseen_count(sa, a.id) == 0
        sharing.revoke(owner.user, owner.key, sb)          # rotation re-seals the entry
        db.session.commit()
        assert sharing.unseen_count(sa, a.id) == 0
        journal.update(entry, owner.key, {**journal.read(entry, owner.key), "what_happened": "after the edit"})
        db.session.commit()
        assert sharing.unseen_count(sa, a.id) == 1
        assert sharing.read_entry(sharing.decide_share(a.id, sa.id), reader_key(a, sa))["what_happened"] == \
            "after the edit"


def test_owner_edit_shows_as_edited_on_the_reader_page(app):
    with app.app_context():
        owner, a = make_person(app, "owner"), make_person(app, "ann")
        connect(owner, a)
        entry = write_entry(owner, "first version of the story")
        s = share_with(owner, entry, a)
        db.session.commit()
        sid, eid = s.id, entry.id
    reader = login_client(app, "ann")
    page = view_thread(reader, sid).get_data(as_text=True)
    assert "first version" in page and "edited since you last looked" not in page
    assert "edited since you last looked" not in view_thread(reader, sid).get_data(as_text=True)
    with app.app_context():
        row = db.session.get(Entry, eid)
        journal.update(row, owner.key, {**journal.read(row, owner.key), "what_happened": "second version"})
        db.session.commit()
    page = view_thread(reader, sid).get_data(as_text=True)
    assert "second version" in page and "edited since you last looked" in page
    assert "edited since you last looked" not in reader.get(f"/shares/{sid}").get_data(as_text=True)


def test_deleting_an_entry_ends_all_its_shares(app):
    with app.app_context():
        w = trio(app)
        other = write_entry(w.owner, "stays")
        keep = share_with(w.owner, other, w.a)
        sharing.log_access(w.entry.id, w.a.id, "opened")
        db.session.commit()
        gone = [(w.a.id, w.sa.id), (w.b.id, w.sb.id)]
        entry_id = w.entry.id
        journal.delete(db.session.get(Entry, entry_id), w.owner.key)
        db.session.commit()
        db.session.expire_all()
        for model in (Share, ThreadItem, AccessEvent):
            assert db.session.scalar(select(func.count()).select_from(model).where(
                model.entry_id == entry_id)) == 0, model
        assert db.session.get(Share, keep.id) is not None
        for person_id, share_id in gone:
            assert db.session.get(Share, share_id) is None
            assert sharing.decide_share(person_id, share_id).role == "none"
            assert sharing.decide_entry(person_id, entry_id).role == "none"


def test_contact_removal_ends_shares_both_ways_and_the_other_side_rotates_on_next_visit(app):
    with app.app_context():
        tess, sam, pia = (make_person(app, n) for n in ("tess", "sam", "pia"))
        connect(tess, sam)
        connect(tess, pia, "peer")
        t_entry, s_entry = write_entry(tess, "tess writes"), write_entry(sam, "sam writes")
        t_share = share_with(tess, t_entry, sam)
        t_share_pia = share_with(tess, t_entry, pia)
        s_share = share_with(sam, s_entry, tess)   # the invitee shares back with the inviter
        reflect(tess, s_share)
        db.session.commit()
        t_kv, s_kv = t_entry.key_version, s_entry.key_version
        old_s_key = owner_entry_key(sam, s_entry)

        sharing.end_between(tess.user, tess.key, sam.id)   # tess removes sam
        contacts.remove(tess.id, sam.id)
        db.session.commit()
        db.session.expire_all()
        assert contacts.link_between(tess.id, sam.id) is None and contacts.link_between(sam.id, tess.id) is None
        # tess's own entry: rotated at once; pia keeps reading
        t_entry = db.session.get(Entry, t_entry.id)
        assert t_entry.key_version == t_kv + 1 and not t_entry.needs_rotation
        assert sharing.decide_share(sam.id, t_share.id).role == "revoked"
        assert reader_key(pia, db.session.get(Share, t_share_pia.id)) == owner_entry_key(tess, t_entry)
        # sam's entry: tess lost access now, the rotation waits for sam (his key is not here)
        s_entry = db.session.get(Entry, s_entry.id)
        assert s_entry.needs_rotation and s_entry.key_version == s_kv
        assert db.session.get(Share, s_share.id).wrapped_key is None
        assert sharing.decide_share(tess.id, s_share.id).gone
        assert sharing.sweep(tess.user, tess.key) == 0          # not tess's entry to rotate

    sam_client = login_client(app, "sam")                    # sam's next write request (here his login) sweeps
    assert sam_client.get("/").status_code == 200
    with app.app_context():
        s_entry = db.session.get(Entry, s_entry.id)
        assert not s_entry.needs_rotation and s_entry.key_version == s_kv + 1
        assert not any(opens(old_s_key, blob, aad) for _w, blob, aad in stored_blobs(s_entry.id))
        assert all(opens(owner_entry_key(sam, s_entry), blob, aad) for _w, blob, aad in stored_blobs(s_entry.id))
        assert sharing.sweep(sam.user, sam.key) == 0            # nothing left to do


def test_expired_shares_lose_their_wrap_and_rotate_on_sweep(app):
    with app.app_context():
        w = trio(app)
        old_key = owner_entry_key(w.owner, w.entry)
        kv = w.entry.key_version
        w.sb.expires_at = utcnow() + timedelta(days=2)       # still valid
        w.sc.expires_at = utcnow() - timedelta(seconds=1)    # just expired
        db.session.commit()
        assert sharing.decide_share(w.c.id, w.sc.id).role == "expired"   # refused before any sweep
        assert sharing.sweep(w.owner.user, w.owner.key) == 1
        db.session.commit()
        db.session.expire_all()
        sc = db.session.get(Share, w.sc.id)
        assert sc.wrapped_key is None and sc.revoked_at is None
        entry = db.session.get(Entry, w.entry.id)
        assert entry.key_version == kv + 1
        assert not any(opens(old_key, blob, aad) for _w, blob, aad in stored_blobs(entry.id))
        for p, s in ((w.a, w.sa), (w.b, w.sb)):
            assert reader_key(p, db.session.get(Share, s.id)) == owner_entry_key(w.owner, entry)
        assert sharing.decide_share(w.c.id, w.sc.id).role == "expired"
        assert sharing.sweep(w.owner.user, w.owner.key) == 0


def test_revoke_leaves_other_entries_of_the_same_reader_alone(app):
    with app.app_context():
        owner, a = make_person(app, "owner"), make_person(app, "ann")
        connect(owner, a)
        e1, e2 = write_entry(owner, "one"), write_entry(owner, "two")
        s1, s2 = share_with(owner, e1, a), share_with(owner, e2, a)
        db.session.commit()
        kv2, wrap2 = e2.key_version, s2.wrapped_key
        sharing.revoke(owner.user, owner.key, s1)
        db.session.commit()
        assert e2.key_version == kv2 and db.session.get(Share, s2.id).wrapped_key == wrap2
        assert sharing.read_entry(sharing.decide_share(a.id, s2.id), reader_key(a, s2))["what_happened"] == "two"


def test_links_pin_the_public_key_seen_at_accept_time(app):
    with app.app_context():
        owner, a = make_person(app, "owner"), make_person(app, "ann")
        connect(owner, a)
        db.session.commit()
        mine = contacts.link_between(owner.id, a.id)
        theirs = contacts.link_between(a.id, owner.id)
        assert mine.pinned_key == a.user.public_key and theirs.pinned_key == owner.user.public_key
        assert isinstance(db.session.scalar(select(ContactLink.pinned_key).limit(1)), bytes)
