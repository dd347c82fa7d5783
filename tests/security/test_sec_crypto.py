"""Crypto properties under attack: AAD binding, key commitment, nonce uniqueness, pinned contact
keys, the argon2 floor, and all-or-nothing key rotation."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select, update

from domain.accounts import account as accounts
from domain.core import keyring, sealed
from domain.core.db import db
from domain.core.models import ContactLink, Entry, Process, Share, ThreadItem, User
from domain.journal import entries as journal
from domain.journal import processes
from domain.sharing import rotation
from domain.sharing import shares as sharing
from tests.conftest import PASSWORD, csrf_from, said_html
from tests.security.conftest import build_world, login_client


def _opens(fn) -> bool:
    try:
        fn()
    except keyring.CryptoError:
        return False
    return True


# --- AAD: a ciphertext or wrap copied into another row does not open ------------------------------

def test_entry_ciphertext_and_wrap_copied_to_another_row_do_not_open(app, world):
    okey = world.keys["owner"]
    with app.app_context():
        src, dst = db.session.get(Entry, world.ids["entry"]), db.session.get(Entry, world.ids["private"])
        assert _opens(lambda: journal.read(src, okey))
        dst.content, dst.wrapped_key, dst.key_version = src.content, src.wrapped_key, src.key_version
        db.session.commit()
        assert not _opens(lambda: journal.read(dst, okey))
        # Even the right content key does not open the copied content under the other row's AAD.
        key = sealed.content_key(src, journal.TABLE, okey)
        assert not _opens(lambda: sealed.read(dst, journal.TABLE, key))
        # A process's blob moved into an entry row (other table in the AAD) does not open either.
        proc = db.session.get(Process, world.ids["process"])
        dst.content, dst.wrapped_key = proc.content, proc.wrapped_key
        db.session.commit()
        assert not _opens(lambda: journal.read(dst, okey))
    # The owner gets the repair page for that one row (never its content, never a 500).
    r = login_client(app, "owner").get(f"/entries/{world.ids['private']}", follow_redirects=True)
    assert r.status_code == 200 and said_html(app, "This entry cannot be opened") in r.get_data(as_text=True)
    assert world.markers["entry"] not in r.get_data(as_text=True)
    assert world.markers["proc"] not in r.get_data(as_text=True)


def test_entry_moved_to_another_owner_does_not_open_for_either(app, world):
    with app.app_context():
        row = db.session.get(Entry, world.ids["entry"])
        row.owner_id = world.users["stranger"]
        db.session.commit()
        assert not _opens(lambda: journal.read(row, world.keys["stranger"]))
        assert not _opens(lambda: journal.read(row, world.keys["owner"]))
    # The stranger now "owns" a row they cannot open: the repair page, never its content.
    r = login_client(app, "stranger").get(f"/entries/{world.ids['entry']}", follow_redirects=True)
    assert r.status_code == 200 and said_html(app, "This entry cannot be opened") in r.get_data(as_text=True)
    assert world.markers["entry"] not in r.get_data(as_text=True)


def test_thread_item_copied_to_another_row_does_not_open(app, world):
    with app.app_context():
        items = {
            it.kind + ("-owner" if it.author_id == world.users["owner"] else ""): it
            for it in db.session.scalars(select(ThreadItem).where(ThreadItem.share_id == world.ids["share"]))
        }
        refl, reply = items["reflection"], items["reply-owner"]
        owner = db.session.get(User, world.users["owner"])
        key = sharing.entry_key_for(
            sharing.decide_share(owner.id, world.ids["share"]), owner, world.keys["owner"]
        )
        assert _opens(lambda: sharing.open_item(refl, key))
        reply.content = refl.content
        db.session.commit()
        assert not _opens(lambda: sharing.open_item(reply, key))
    r = login_client(app, "reader").get(f"/shares/{world.ids['share']}")
    assert r.status_code >= 400 and world.markers["refl"] not in r.get_data(as_text=True)


def test_share_wrap_copied_to_another_share_does_not_open(app, world):
    """The reader's HPKE wrap for entry E, copied onto their share of entry P, opens nothing."""
    with app.app_context():
        owner = db.session.get(User, world.users["owner"])
        (p_share,) = sharing.share(
            owner, world.keys["owner"], [world.ids["private"]], [world.users["reader"]], "", None
        )
        e_share = db.session.get(Share, world.ids["share"])
        p_share.wrapped_key, p_share.key_version = e_share.wrapped_key, e_share.key_version
        db.session.commit()
        reader = db.session.get(User, world.users["reader"])
        decision = sharing.decide_share(reader.id, p_share.id)
        assert not _opens(lambda: sharing.entry_key_for(decision, reader, world.keys["reader"]))
        p_share_id = p_share.id
    r = login_client(app, "reader").get(f"/shares/{p_share_id}")
    body = r.get_data(as_text=True)
    assert (
        r.status_code >= 400 and world.markers["entry"] not in body and world.markers["private"] not in body
    )


def test_user_key_wraps_are_bound_to_their_account(app, world):
    """Swapping two accounts' password wraps (and salts and params) lets neither log in as the other."""
    with app.app_context():
        a, b = db.session.get(User, world.users["contact"]), db.session.get(User, world.users["stranger"])
        for col in ("uk_by_password", "kdf_salt", "verifier_digest"):
            va, vb = getattr(a, col), getattr(b, col)
            setattr(a, col, vb)
            setattr(b, col, va)
        db.session.commit()
        with pytest.raises(keyring.CryptoError):
            accounts.authenticate_user(app.extensions["fokus_kdf"], a, PASSWORD)


# --- key commitment --------------------------------------------------------------------------------


def _parts(blob: bytes):
    return blob[:1], blob[1:13], blob[13:45], blob[45:]


def test_a_forged_key_commitment_is_rejected_before_decryption(monkeypatch):
    k1, k2, aad = keyring.random_key(), keyring.random_key(), keyring.aad("entry", "x", "owner", "y", "kv", 1)
    blob = keyring.seal(k1, b"what the therapist wrote", aad)
    version, nonce, _commit, ct = _parts(blob)
    # Random commitment, and a commitment honestly computed for a different key.
    forged_random = version + nonce + bytes(32) + ct
    forged_k2 = version + nonce + keyring._commitment(k2, nonce, aad) + ct
    calls = []
    real = keyring.AESGCM

    class Spy:
        def __init__(self, key):
            self._inner = real(key)

        def encrypt(self, *a, **kw):
            return self._inner.encrypt(*a, **kw)

        def decrypt(self, *a, **kw):
            calls.append(1)
            return self._inner.decrypt(*a, **kw)

    monkeypatch.setattr(keyring, "AESGCM", Spy)
    for forged, key in ((forged_random, k1), (forged_k2, k1)):
        with pytest.raises(keyring.CryptoError, match="commitment"):
            keyring.open_blob(key, forged, aad)
    assert calls == [], "the commitment must be checked before AES-GCM runs"
    # The commitment for k2 matches under k2, but GCM authentication then fails: still refused.
    with pytest.raises(keyring.CryptoError, match="authentication"):
        keyring.open_blob(k2, forged_k2, aad)
    assert calls == [1]
    # A wrong AAD fails at the commitment too (it covers the AAD).
    with pytest.raises(keyring.CryptoError, match="commitment"):
        keyring.open_blob(k1, blob, aad + b"x")
    assert keyring.open_blob(k1, blob, aad) == b"what the therapist wrote"


def test_forged_commitment_in_a_stored_entry_is_rejected(app, world):
    with app.app_context():
        row = db.session.get(Entry, world.ids["entry"])
        version, nonce, _c, ct = _parts(row.content)
        row.content = version + nonce + hashlib.sha256(b"forged").digest() + ct
        db.session.commit()
        with pytest.raises(keyring.CryptoError, match="commitment"):
            journal.read(row, world.keys["owner"])


# --- nonces ----------------------------------------------------------------------------------------


def test_ten_thousand_seals_give_ten_thousand_distinct_nonces():
    key, aad = keyring.random_key(), keyring.aad("entry", "same", "owner", "same", "kv", 1)
    nonces = {keyring.seal(key, b"same plaintext", aad)[1:13] for _ in range(10_000)}
    assert len(nonces) == 10_000


def test_rewriting_an_entry_uses_fresh_nonces(app, world):
    with app.app_context():
        row = db.session.get(Entry, world.ids["entry"])
        data = journal.read(row, world.keys["owner"])
        seen = set()
        for _ in range(50):
            journal.update(row, world.keys["owner"], data)
            seen.add(row.content[1:13])
        assert len(seen) == 50


# --- pinned contact keys ----------------------------------------------------------------------------


def _share_status(client, world, reader_id: str) -> int:
    page = client.get(f"/entries/{world.ids['private']}/share").get_data(as_text=True)
    return client.post(
        f"/entries/{world.ids['private']}/share", data={"csrf_token": csrf_from(page), "readers": reader_id}
    ).status_code


def test_swapped_contact_public_key_makes_sharing_refuse_until_confirmed(app, world):
    contact = world.users["contact"]
    _private, public = keyring.new_identity()
    with app.app_context():
        db.session.execute(update(User).where(User.id == contact).values(public_key=public))
        db.session.commit()
        link_id = db.session.scalar(
            select(ContactLink.id).where(
                ContactLink.holder_id == world.users["owner"], ContactLink.other_id == contact
            )
        )
    owner = login_client(app, "owner")
    assert _share_status(owner, world, contact) == 409
    with app.app_context():
        assert db.session.scalar(select(Share).where(Share.reader_id == contact)) is None
        assert db.session.get(ContactLink, link_id).pinned_key != public
    detail = owner.get(f"/contacts/{link_id}").get_data(as_text=True)
    assert keyring.fingerprint(public) in detail  # the new fingerprint is shown to compare
    r = owner.post(f"/contacts/{link_id}/confirm-key", data={"csrf_token": csrf_from(detail)})
    assert r.status_code == 302
    assert _share_status(owner, world, contact) == 302
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.reader_id == contact))
        # The wrap went to the newly confirmed key: HPKE to `public` (the old key's holder cannot open it).
        assert share.wrapped_key is not None and db.session.get(ContactLink, link_id).pinned_key == public


# --- argon2 floor ----------------------------------------------------------------------------------


def test_stored_argon2_parameters_below_the_floor_are_upgraded_at_login(app, make_app, world):
    with app.app_context():
        before = db.session.get(User, world.users["contact"])
        old = (before.kdf_memory_kib, before.kdf_time_cost, before.kdf_parallelism, before.kdf_salt)
    assert old[:3] == (8, 1, 1)
    stricter = make_app(ARGON2_FLOOR=(64, 2, 1))
    client = login_client(stricter, "contact")
    with stricter.app_context():
        after = db.session.get(User, world.users["contact"])
        assert (after.kdf_memory_kib, after.kdf_time_cost, after.kdf_parallelism) == (64, 2, 1)
        assert after.kdf_salt != old[3]
        # Same user key: everything still opens, nothing was re-encrypted.
        key = accounts.authenticate_user(stricter.extensions["fokus_kdf"], after, PASSWORD)
        assert key == world.keys["contact"]
    assert client.get("/contacts").status_code == 200
    # A second login does not upgrade again.
    login_client(stricter, "contact")
    with stricter.app_context():
        assert db.session.get(User, world.users["contact"]).kdf_salt == after.kdf_salt


def test_weak_parameters_are_not_kept_if_the_password_is_wrong(app, make_app, world):
    stricter = make_app(ARGON2_FLOOR=(64, 2, 1))
    client = stricter.test_client()
    page = client.get("/login").get_data(as_text=True)
    r = client.post(
        "/login", data={"csrf_token": csrf_from(page), "login": "sec_contact", "password": "wrong" * 4}
    )
    assert r.status_code == 400
    with stricter.app_context():
        assert db.session.get(User, world.users["contact"]).kdf_memory_kib == 8


# --- rotation is one transaction -------------------------------------------------------------------


def _everything_opens(app, world, share_ids: list[str]) -> None:
    """Owner opens entry, items and questions; each active reader opens entry and thread."""
    with app.app_context():
        owner = db.session.get(User, world.users["owner"])
        entry = db.session.get(Entry, world.ids["entry"])
        okey = sealed.content_key(entry, journal.TABLE, world.keys["owner"])
        assert world.markers["entry"] in journal.read(entry, world.keys["owner"])["what_happened"]
        for it in db.session.scalars(select(ThreadItem).where(ThreadItem.entry_id == entry.id)):
            sharing.open_item(it, okey)
        for s in db.session.scalars(select(Share).where(Share.entry_id == entry.id)):
            sharing.question(s, okey)
        for sid in share_ids:
            s = db.session.get(Share, sid)
            reader = db.session.get(User, s.reader_id)
            role = next(r for r, uid in world.users.items() if uid == reader.id)
            rkey = sharing.entry_key_for(sharing.decide_share(reader.id, sid), reader, world.keys[role])
            assert rkey == okey
            assert (
                world.markers["entry"]
                in sharing.read_entry(sharing.decide_share(reader.id, sid), rkey)["what_happened"]
            )
            for m in sharing.thread(s, rkey, reader.id, None):
                assert m.content
        assert owner is not None


def test_an_error_half_way_through_rotation_leaves_everything_readable(app, monkeypatch):
    world = build_world(app)
    # A second active reader (the contact), so a revoke has someone left to re-wrap for.
    with app.app_context():
        owner = db.session.get(User, world.users["owner"])
        (extra,) = sharing.share(
            owner, world.keys["owner"], [world.ids["entry"]], [world.users["contact"]], "q2", None
        )
        db.session.commit()
        extra_id = extra.id
        before = {
            (t.__tablename__, r.id): (
                getattr(r, "content", None),
                getattr(r, "wrapped_key", None),
                r.key_version,
            )
            for t in (Entry, ThreadItem, Share)
            for r in db.session.scalars(select(t))
        }
    _everything_opens(app, world, [world.ids["share"], extra_id])

    calls = {"n": 0}
    real = sharing.seal_item

    def failing(item, key, content):
        calls["n"] += 1
        if calls["n"] == 2:  # after the entry and one thread item are re-sealed
            raise RuntimeError("injected failure half-way through rotation")
        return real(item, key, content)

    monkeypatch.setattr("domain.sharing.items.seal_item", failing)
    client = login_client(app, "owner")
    manage = client.get(f"/entries/{world.ids['entry']}/sharing").get_data(as_text=True)
    r = client.post(f"/shares/{extra_id}/revoke", data={"csrf_token": csrf_from(manage)})
    assert r.status_code == 500 and "Traceback" not in r.get_data(as_text=True)
    assert calls["n"] == 2
    monkeypatch.setattr("domain.sharing.items.seal_item", real)

    with app.app_context():
        after = {
            (t.__tablename__, r.id): (
                getattr(r, "content", None),
                getattr(r, "wrapped_key", None),
                r.key_version,
            )
            for t in (Entry, ThreadItem, Share)
            for r in db.session.scalars(select(t))
        }
        assert after == before, "a failed rotation must leave every row as it was"
        assert db.session.get(Share, extra_id).revoked_at is None
    _everything_opens(app, world, [world.ids["share"], extra_id])
    for role, sid in (("reader", world.ids["share"]), ("contact", extra_id)):
        page = login_client(app, role).get(f"/shares/{sid}")
        assert page.status_code == 200 and world.markers["entry"] in page.get_data(as_text=True)

    # And when it does not fail, the revoke completes and the others still read.
    r = client.post(f"/shares/{extra_id}/revoke", data={"csrf_token": csrf_from(manage)})
    assert r.status_code == 302
    _everything_opens(app, world, [world.ids["share"]])


def test_rotation_failure_at_the_domain_level_rolls_back_cleanly(app, world, monkeypatch):
    """Same property without HTTP: rotate() raising half-way, then rollback, leaves old keys working."""
    with app.app_context():
        entry = db.session.get(Entry, world.ids["entry"])
        kv = entry.key_version
        real = keyring.hpke_wrap
        monkeypatch.setattr(keyring, "hpke_wrap", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
        with pytest.raises(RuntimeError):
            rotation.rotate(entry, world.keys["owner"])
        db.session.rollback()
        monkeypatch.setattr(keyring, "hpke_wrap", real)
        entry = db.session.get(Entry, world.ids["entry"])
        assert entry.key_version == kv
    _everything_opens(app, world, [world.ids["share"]])


def test_processes_are_bound_to_their_owner_too(app, world):
    with app.app_context():
        proc = db.session.get(Process, world.ids["process"])
        assert world.markers["proc"] in processes.read(proc, world.keys["owner"])["notes"]
        proc.owner_id = world.users["stranger"]
        db.session.commit()
        assert not _opens(lambda: processes.read(proc, world.keys["owner"]))
        assert not _opens(lambda: processes.read(proc, world.keys["stranger"]))
    assert (
        re.search(
            world.markers["proc"],
            login_client(app, "stranger").get(f"/processes/{world.ids['process']}").get_data(as_text=True),
        )
        is None
    )
