"""Account deletion overwrites every key before any row goes (crypto-shredding).

On PostgreSQL a deleted row lives on in dead tuples, the write-ahead log and backups; on SQLite in
old page images. Only the overwrite makes those copies useless. So the test stops the deletion
between its two steps (it wraps erasure.delete_rows), reads the committed rows on a separate
connection, and checks that every wrap and key was replaced by random bytes of the same length:
not the old value, not zeros, no two alike, and the password no longer opens the user key.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from domain.accounts import account as accounts
from domain.core.db import begin_writes, db
from domain.core.keyring import CryptoError
from domain.core.models import Entry, Process, Share, User
from domain.data import erasure
from domain.journal import entries as journal
from domain.sharing import shares as sharing
from tests.conftest import PASSWORD, csrf_from
from tests.security.conftest import build_world, login_client

USER_KEYS = ("uk_by_password", "uk_by_recovery", "private_key_sealed", "profile_sealed",
             "verifier_digest", "recovery_digest")


def _stored(app, uid: str) -> dict[str, bytes | None]:
    """The user's key material as committed in the database, read on a connection of its own."""
    out: dict[str, bytes | None] = {}
    with db.engine.connect() as conn:
        row = conn.execute(select(*[getattr(User, c) for c in USER_KEYS], User.totp_sealed)
                           .where(User.id == uid)).one()
        out |= {c: _b(v) for c, v in zip((*USER_KEYS, "totp_sealed"), row)}
        for model in (Entry, Process):
            for rid, wrapped in conn.execute(select(model.id, model.wrapped_key).where(model.owner_id == uid)):
                out[f"{model.__tablename__}:{rid}"] = _b(wrapped)
        for sid, wrapped in conn.execute(select(Share.id, Share.wrapped_key)
                                         .where(or_(Share.owner_id == uid, Share.reader_id == uid))):
            out[f"share:{sid}"] = _b(wrapped)
    return out


def _b(v) -> bytes | None:
    return bytes(v) if v is not None else None


def test_deletion_overwrites_every_key_and_wrap_before_rows_go(app, monkeypatch):
    world = build_world(app)
    uid = world.users["owner"]
    with app.app_context():
        # The owner also reads an entry of a contact: that share's wrap must go too.
        contact = db.session.get(User, world.users["contact"])
        centry = journal.create(contact, world.keys["contact"], journal.clean(
            {"kind": "bright_moment", "what_happened": "a small smile", "themes": [], "subthemes": [],
             "supervision": "no"}, set(), draft=False))
        db.session.flush()
        sharing.share(contact, world.keys["contact"], [centry.id], [uid], "", None)
        db.session.commit()
        before = _stored(app, uid)
    wraps = [k for k in before if k.split(":")[0] in ("entries", "processes")]
    shares = [k for k, v in before.items() if k.startswith("share:") and v is not None]
    assert len(wraps) == 3 and len(shares) == 2, (wraps, shares)  # E, P, PR; S and the contact's

    seen: dict[str, dict] = {}
    real = erasure.delete_rows

    def spy(user_id: str) -> None:
        # The spy reads on a connection of its own, inside the deleting request: a plain (deferred)
        # read, as another process would make, not the request's IMMEDIATE write transaction.
        begin_writes(False)
        seen["between"] = _stored(app, user_id)
        begin_writes(True)
        user = db.session.get(User, user_id)
        seen["password_opens"] = _password_opens(app, user)
        real(user_id)

    monkeypatch.setattr(erasure, "delete_rows", spy)
    client = login_client(app, "owner")
    page = client.get("/settings/data/delete").get_data(as_text=True)
    r = client.post("/settings/data/delete", data={"csrf_token": csrf_from(page), "password": PASSWORD,
                                                   "confirm": "delete my journal", "understood": "y"})
    assert r.status_code == 302
    assert "between" in seen, "the deletion never reached its row-deleting step"

    between = seen["between"]
    assert set(between) == set(before)
    for name in (*USER_KEYS, *wraps):
        old, new = before[name], between[name]
        assert new is not None, name
        assert new != old, f"{name} was not overwritten"
        assert len(new) == len(old) or (name in ("private_key_sealed", "profile_sealed") and len(new) >= 32), \
            (name, len(old), len(new))
        assert new.strip(b"\0") and len(set(new)) > len(new) // 4, f"{name} is not random: {new[:16]!r}"
        assert old not in new and new not in old
    values = [between[n] for n in (*USER_KEYS, *wraps)]
    assert len(set(values)) == len(values), "two overwritten keys hold the same bytes"
    for name in shares:
        assert between[name] is None, f"{name} still holds its wrapped key"
    assert between["totp_sealed"] is None
    assert seen["password_opens"] is False
    with app.app_context():
        assert db.session.get(User, uid) is None
        assert not db.session.scalars(select(Entry).where(Entry.owner_id == uid)).all()


def _password_opens(app, user: User) -> bool:
    """Does the password still unwrap a user key (it must not, once the wraps are noise)?"""
    try:
        return accounts.authenticate_user(app.extensions["fokus_kdf"], user, PASSWORD) is not None
    except CryptoError:
        return False
