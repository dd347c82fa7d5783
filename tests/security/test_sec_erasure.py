"""Deleting an account through /settings/data/delete leaves nothing of it: no row in any table
refers to the user id, none of its ciphertext survives in the database bytes, and none of its
markers can be read back. Everyone else keeps working."""

from __future__ import annotations

from sqlalchemy import inspect, select, text

from domain.core.db import db
from domain.core.models import Entry, TrendFact, User
from domain.groups import contributions as trend_store
from domain.groups import membership as groups
from domain.journal import entries as journal
from domain.sharing import shares as sharing
from tests.conftest import PASSWORD, Auth, csrf_from, raw_database_bytes, said_html
from tests.security.conftest import build_world, login_client, new_marker


def _rows_mentioning(app, needle: str) -> list[str]:
    """Every (table.column) whose value is or contains `needle`, across the whole schema."""
    found = []
    with app.app_context():
        insp = inspect(db.engine)
        with db.engine.connect() as conn:
            for table in insp.get_table_names():
                for col in insp.get_columns(table):
                    rows = conn.execute(text(f'SELECT "{col["name"]}" FROM "{table}"')).scalars().all()
                    for v in rows:
                        if v is None:
                            continue
                        raw = bytes(v) if isinstance(v, (bytes, memoryview)) else str(v).encode()
                        if needle.encode() in raw:
                            found.append(f"{table}.{col['name']}")
                            break
    return found


def _blobs_of(app, user_id: str) -> list[bytes]:
    """Ciphertext and key material that belonged to the user (to prove it is physically gone)."""
    out = []
    with app.app_context():
        u = db.session.get(User, user_id)
        out += [
            u.uk_by_password,
            u.uk_by_recovery,
            u.private_key_sealed,
            u.profile_sealed,
            u.login_index,
            u.verifier_digest,
        ]
        for row in db.session.scalars(select(Entry).where(Entry.owner_id == user_id)):
            out += [row.content, row.wrapped_key]
    return [b for b in out if b and len(b) >= 32]


def test_deleting_an_account_leaves_no_row_and_no_marker(app):
    world = build_world(app)
    uid = world.users["owner"]
    extra = new_marker("contactentry")
    with app.app_context():
        owner = db.session.get(User, uid)
        okey = world.keys["owner"]
        # The owner also reads an entry of the contact, and reflects on it.
        contact = db.session.get(User, world.users["contact"])
        centry = journal.create(
            contact,
            world.keys["contact"],
            journal.clean(
                {
                    "kind": "bright_moment",
                    "what_happened": extra,
                    "themes": [],
                    "subthemes": [],
                    "supervision": "no",
                },
                set(),
                draft=False,
            ),
        )
        db.session.flush()
        (cshare,) = sharing.share(contact, world.keys["contact"], [centry.id], [uid], "", None)
        db.session.flush()
        key = sharing.entry_key_for(sharing.decide_share(uid, cshare.id), owner, okey)
        sharing.save_reflection(
            cshare, owner, key, {"context": f"owner says {world.markers['refl']}"}, submit=True
        )
        sharing.log_access(centry.id, uid, "opened")
        # A second member, so the group outlives its only lead; the owner contributes facts.
        ms = groups.membership(owner, okey, world.ids["group"])
        erow = db.session.get(Entry, world.ids["entry"])
        trend_store.consent(ms, okey, [(erow.id, journal.read(erow, okey), erow.created_at.date())], [])
        pseudonym = groups.pseudonym(okey, world.ids["group"])
        db.session.commit()
        groups.join(
            world.ids["group_token"],
            db.session.get(User, world.users["reader"]),
            world.keys["reader"],
            str(app.config["SECRET_KEY"]).encode(),
        )
        db.session.commit()
        centry_id, kv_before = centry.id, centry.key_version
        assert (
            db.session.scalars(select(TrendFact).where(TrendFact.pseudonym == pseudonym)).first() is not None
        )
    assert _rows_mentioning(app, uid), "the world should reference the owner before deletion"
    blobs = _blobs_of(app, uid)

    client = login_client(app, "owner")
    page = client.get("/settings/data/delete").get_data(as_text=True)
    assert said_html(app, "I understand that nothing can be recovered afterwards.") in page
    r = client.post(
        "/settings/data/delete",
        data={
            "csrf_token": csrf_from(page),
            "password": PASSWORD,
            "confirm": "delete my journal",
            "understood": "y",
        },
    )
    assert r.status_code == 302

    leftovers = _rows_mentioning(app, uid)
    assert not leftovers, f"rows still mention the deleted user: {leftovers}"
    with app.app_context():
        assert db.session.scalars(select(TrendFact).where(TrendFact.pseudonym == pseudonym)).first() is None
    raw = raw_database_bytes(app)
    assert not [k for k, v in world.markers.items() if v.encode() in raw]
    assert extra.encode() not in raw
    surviving = [i for i, b in enumerate(blobs) if b in raw]
    assert not surviving, f"{len(surviving)} of the user's blobs are still in the database bytes"

    # The session is gone, the login fails, and everyone else carries on.
    assert client.get("/entries").status_code == 302
    assert Auth(app.test_client()).login("sec_owner").status_code == 400
    for role in ("reader", "contact", "stranger", "revoked"):
        c = login_client(app, role)
        for url in ("/", "/inbox", "/contacts", "/entries", "/groups/"):
            assert c.get(url).status_code == 200, (role, url)
    reader = login_client(app, "reader")
    assert reader.get(f"/groups/{world.ids['group']}").status_code == 200  # the group found a new lead
    contact = login_client(app, "contact")
    assert contact.get(f"/entries/{centry_id}").status_code == 200
    with app.app_context():
        # The entry the deleted user could read was rotated on its owner's next visit.
        assert db.session.get(Entry, centry_id).key_version == kv_before + 1


def test_deletion_refuses_without_password_and_phrase(app):
    world = build_world(app)
    client = login_client(app, "owner")
    page = client.get("/settings/data/delete").get_data(as_text=True)
    token = csrf_from(page)
    for data in (
        {"password": "wrong password here", "confirm": "delete my journal", "understood": "y"},
        {"password": PASSWORD, "confirm": "delete my", "understood": "y"},
        {"password": PASSWORD, "confirm": "delete my journal"},
    ):
        assert client.post("/settings/data/delete", data={"csrf_token": token, **data}).status_code == 400
    with app.app_context():
        assert db.session.get(User, world.users["owner"]) is not None


def test_rows_mentioning_finds_references(app):
    """Self-check for the generic scan: it finds an id wherever it is stored."""
    world = build_world(app)
    found = set(_rows_mentioning(app, world.users["owner"]))
    for col in (
        "users.id",
        "entries.owner_id",
        "processes.owner_id",
        "shares.owner_id",
        "contact_links.holder_id",
        "contact_links.other_id",
        "group_members.user_id",
        "invitations.inviter_id",
        "user_sessions.user_id",
        "thread_items.author_id",
    ):
        assert col in found, col
