"""Shared pieces of the adversarial suite: a populated "world", logged-in clients per role, marker
strings, and a factory for apps with custom settings on the test database.

The world (domain-level, so it is quick to build):
  owner     entry E (shared, tagged, flagged for supervision, linked to process PR), private entry P,
            process PR, seminar group G (lead), an unused contact invitation and a group link,
            a second logged-in session (for the sessions routes)
  reader    active reader of E (share S: question, submitted reflection, replies both ways)
  revoked   former reader of E (share R: question, reflection, then revoked)
  contact   the owner's contact, nothing shared
  stranger  another account, not connected
  anon      not logged in

Every piece of text is a unique marker, so a page, a log line, a file or a URL that shows one is a
leak unless that role may see it (ALLOWED).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import ClassVar

import pytest
from jinja2 import BytecodeCache
from sqlalchemy import select

from domain.accounts import account as accounts
from domain.accounts import passkeys
from domain.core import keyring
from domain.core.db import db, new_id, utcnow
from domain.core.models import ContactLink, GroupMember, Passkey, User, UserSession
from domain.groups import membership as groups
from domain.journal import entries as journal
from domain.journal import process_reviews, processes
from domain.sharing import contacts
from domain.sharing import shares as sharing
from tests.conftest import PASSWORD, Auth

ROLES = ("owner", "reader", "revoked", "contact", "stranger", "anon")
LOGINS = {
    "owner": "sec_owner",
    "reader": "sec_reader",
    "revoked": "sec_revoked",
    "contact": "sec_contact",
    "stranger": "sec_stranger",
}
MARKER_KEYS = (
    "entry",
    "tag",
    "private",
    "proc",
    "question",
    "rquestion",
    "refl",
    "rrefl",
    "reply",
    "rreply",
    "group",
)


RECOVERY_CODES: dict[str, str] = {}


def new_marker(what: str) -> str:
    # Letters only: survives slugging, casefolding and URL quoting unchanged, and never looks like PII.
    return "zq" + what + "".join(secrets.choice("bcdfghjkmnpqrstvwxz") for _ in range(10))


@dataclass
class World:
    app: object
    ids: dict[str, str]
    users: dict[str, str]  # role -> user id
    keys: dict[str, bytes]  # role -> user key (what a logged-in session holds)
    markers: dict[str, str]
    allowed: dict[str, set[str]] = field(default_factory=dict)

    def recovery_code(self, role: str) -> str:
        return RECOVERY_CODES[self.users[role]]

    def marker_values(self) -> set[str]:
        return set(self.markers.values())

    def leaks(self, role: str, text: str) -> list[str]:
        """Marker names in `text` that `role` must not see."""
        return sorted(k for k, v in self.markers.items() if v in text and v not in self.allowed[role])


def _person(app, role: str) -> tuple[str, bytes]:
    user, key, code = accounts.create_account(
        app.extensions["fokus_kdf"],
        str(app.config["SECRET_KEY"]).encode(),
        LOGINS[role],
        f"{role.title()} Person",
        PASSWORD,
    )
    user.recovery_confirmed_at = utcnow()
    db.session.flush()
    RECOVERY_CODES[user.id] = code
    return user.id, key


def _connect(inviter: tuple[str, bytes], invitee: tuple[str, bytes], role: str = "supervisor") -> None:
    _row, token = contacts.invite(db.session.get(User, inviter[0]), inviter[1], role)
    db.session.flush()
    contacts.accept(token, db.session.get(User, invitee[0]), invitee[1])
    db.session.flush()


def build_world(app) -> World:
    m = {k: new_marker(k) for k in MARKER_KEYS}
    with app.app_context():
        p = {r: _person(app, r) for r in LOGINS}
        owner_id, okey = p["owner"]
        owner = db.session.get(User, owner_id)
        for r in ("reader", "revoked", "contact"):
            _connect(p["owner"], p[r])
        proc = processes.create(
            owner,
            okey,
            {
                "code": "MM-25-03",
                "working_goal": f"goal {m['proc']}",
                "notes": f"notes {m['proc']}",
                "status": "ongoing",
                "screening": [],
            },
        )
        db.session.flush()
        data = journal.clean(
            {
                "kind": "hard_session",
                "what_happened": f"{m['entry']} the father left",
                "what_helped": f"helped {m['entry']}",
                "tags": [m["tag"]],
                "themes": [],
                "subthemes": [],
                "supervision": "yes",
                "process_id": proc.id,
            },
            {proc.id},
            draft=False,
        )
        entry = journal.create(owner, okey, data)
        private = journal.create(
            owner,
            okey,
            journal.clean(
                {
                    "kind": "bright_moment",
                    "what_happened": f"{m['private']} a smile",
                    "themes": [],
                    "subthemes": [],
                    "supervision": "no",
                },
                set(),
                draft=False,
            ),
        )
        db.session.flush()

        def share(role: str, question: str):
            (row,) = sharing.share(owner, okey, [entry.id], [p[role][0]], question, None)
            db.session.flush()
            return row

        def reader_key(role: str, row) -> bytes:
            rid, rkey = p[role]
            return sharing.entry_key_for(sharing.decide_share(rid, row.id), db.session.get(User, rid), rkey)

        s = share("reader", f"question {m['question']}")
        r = share("revoked", f"question {m['rquestion']}")
        for role, row, text in (("reader", s, m["refl"]), ("revoked", r, m["rrefl"])):
            sharing.save_reflection(
                row,
                db.session.get(User, p[role][0]),
                reader_key(role, row),
                {"context": f"context {text}", "next_step": f"next {text}"},
                submit=True,
            )
        db.session.flush()
        ekey = sharing.entry_key_for(sharing.decide_share(owner_id, s.id), owner, okey)
        sharing.add_reply(s, owner, ekey, f"reply {m['reply']}", "")
        sharing.add_reply(
            s, db.session.get(User, p["reader"][0]), reader_key("reader", s), f"answer {m['rreply']}", ""
        )
        db.session.flush()
        db.session.commit()
        sharing.revoke(owner, okey, r)
        group = groups.create(owner, okey, f"Seminar {m['group']}", 5, str(app.config["SECRET_KEY"]).encode())
        db.session.flush()
        ms = groups.membership(owner, okey, group.id)
        _ginv, group_token = groups.invite(ms, True, 14)
        _inv, invite_token = contacts.invite(owner, okey, "peer")
        db.session.commit()
        link = db.session.scalar(
            select(ContactLink).where(
                ContactLink.holder_id == owner_id, ContactLink.other_id == p["contact"][0]
            )
        )
        member = db.session.scalar(select(GroupMember).where(GroupMember.group_id == group.id))
        passkey = Passkey(id=new_id(), user_id=owner_id, credential_id=secrets.token_bytes(16),
                          public_key=b"\x00", prf_salt=secrets.token_bytes(32), name_sealed=b"")
        passkey.name_sealed = keyring.seal(okey, b"Owner phone", passkeys._name_aad(owner_id, passkey.id))
        db.session.add(passkey)
        review = process_reviews.save(owner, okey, proc.id, {"id": new_id(), "day": "2026-03-10",
                                      "working_points": f"review {m['proc']}"}, None)
        db.session.commit()
        ids = {
            "review": review["id"],
            "passkey": passkey.id,
            "entry": entry.id,
            "private": private.id,
            "process": proc.id,
            "share": s.id,
            "rshare": r.id,
            "link": link.id,
            "group": group.id,
            "member": member.id,
            "invite_token": invite_token,
            "group_token": group_token,
        }
    world = World(app, ids, {r: v[0] for r, v in p.items()}, {r: v[1] for r, v in p.items()}, m)
    everything = set(m.values())
    world.allowed = {
        "owner": everything,
        "reader": {m[k] for k in ("entry", "tag", "question", "refl", "reply", "rreply")},
        "revoked": set(),
        "contact": set(),
        "stranger": set(),
        "anon": set(),
    }
    # A second session of the owner, for the "end one session" routes.
    with app.app_context():
        before = set(db.session.scalars(select(UserSession.id).where(UserSession.user_id == owner_id)))
    login_client(app, "owner")
    with app.app_context():
        after = set(db.session.scalars(select(UserSession.id).where(UserSession.user_id == owner_id)))
    (world.ids["other_session"],) = after - before
    return world


def route_values(world: World, endpoint: str, role: str = "owner") -> dict[str, str]:
    """URL arguments for a rule: the owner's objects (the revoked reader gets their own old share)."""
    ids = world.ids
    return {
        "entry_id": ids["entry"],
        "process_id": ids["process"],
        "review_id": ids["review"],
        "link_id": ids["link"],
        "share_id": ids["rshare"] if role == "revoked" else ids["share"],
        "group_id": ids["group"],
        "member_id": ids["member"],
        "row_id": ids["other_session"],
        "passkey_id": ids["passkey"],
        "kind_id": "hard_session",
        "token": ids["group_token"] if endpoint.startswith("groups.") else ids["invite_token"],
        "filename": "style.css",
    }


def get_urls(app, world: World, role: str = "owner") -> list[tuple[str, str]]:
    """(endpoint, url) for every GET rule, static included."""
    adapter = app.url_map.bind("localhost")
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            values = {
                k: v for k, v in route_values(world, rule.endpoint, role).items() if k in rule.arguments
            }
            out.append((rule.endpoint, adapter.build(rule.endpoint, values)))
    return sorted(out)


def login_client(app, role: str, **kw):
    """A test client logged in as `role` (or a fresh anonymous one)."""
    client = app.test_client(**kw)
    if role != "anon":
        r = Auth(client).login(LOGINS[role])
        assert r.status_code == 302, r.get_data(as_text=True)
    return client


def token_for(client, logged_in: bool = True) -> str:
    """A valid CSRF token for this client's session (from the nav's logout form, or the login form)."""
    for url in ("/about", "/login") if logged_in else ("/login", "/about"):
        m = re.search(
            r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', client.get(url).get_data(as_text=True)
        )
        if m:
            return m.group(1)
    raise AssertionError("no CSRF token on /about or /login")


def session_cookie(client, app) -> str | None:
    c = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return c.value if c is not None else None


class _SharedBytecode(BytecodeCache):
    """Compiled templates shared by every app this process creates (keyed by source checksum,
    so an edited template recompiles). Each test builds a new app; without this most of a
    route sweep's time goes into compiling the same templates again."""

    store: ClassVar[dict[str, bytes]] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _SharedBytecode()


def _with_shared_templates(application):
    application.jinja_env.bytecode_cache = _BYTECODE
    return application


@pytest.fixture(autouse=True)
def _shared_template_cache(monkeypatch):
    import tests.conftest as base

    real = base.create_app
    monkeypatch.setattr(base, "create_app", lambda *a, **k: _with_shared_templates(real(*a, **k)))


@pytest.fixture
def world(app) -> World:
    return build_world(app)


@pytest.fixture
def make_app(make_app):
    """The suite's make_app (tests/conftest.py), with compiled templates shared across apps."""
    return lambda **overrides: _with_shared_templates(make_app(**overrides))


def db_snapshot(app, ignore: tuple[str, ...] = ("user_sessions.last_seen_at",)) -> dict[str, frozenset]:
    """Every row of every table (minus the ignored columns), to prove a request changed nothing."""
    out = {}
    with app.app_context(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            cols = [c for c in table.columns if f"{table.name}.{c.name}" not in ignore]
            rows = conn.execute(select(*cols)).all()
            out[table.name] = frozenset(
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in rows
            )
    return out


def snapshot_diff(before: dict, after: dict) -> list[str]:
    return [
        f"{t}: {len(before[t] - after[t])} rows gone/changed, {len(after[t] - before[t])} new/changed"
        for t in before
        if before[t] != after[t]
    ]
