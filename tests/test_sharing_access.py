"""Authorization matrix: every journal, process, sharing and contact route, for every role.

The world (built fresh for each role, so one role's actions cannot change another role's cells):
  owner     Olivia: entry E (shared, flagged for supervision), private entry P, process PR
  peer      active reader of E (share S_peer: question, reflection, owner reply)
  sup       active reader of E (share S_sup: own question, no reflection yet)
  revoked   former reader of E (S_rev: reflected, then revoked)
  expired   former reader of E (S_exp: expires_at moved into the past in the database)
  contact   Olivia's contact with no share
  stranger  another account, not a contact, with an entry of their own
  anon      not logged in

Each cell is the expected status. "200+" (or "409+") means the page may show that role's own content (the
markers that role is allowed to see, and at least one of them must be there); a plain 200 (or any
other status) must show no marker at all. "login" means a redirect to the login page. Rows run top
to bottom, so destructive owner actions (revoke, remove contact, delete) come last.

Every (endpoint, method) in app.url_map must have a row here, or be in EXEMPT with a reason.
"""
from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from domain.core.db import db, new_id, utcnow
from domain.core.models import Entry, Share
from domain.journal import processes
from domain.sharing import shares as sharing
from tests.conftest import csrf_from, said
from tests.test_sharing_crypto import (
    Person,
    connect,
    login_client,
    make_person,
    reflect,
    reply,
    share_with,
    write_entry,
)

ROLES = ("owner", "peer", "sup", "revoked", "expired", "contact", "stranger", "anon")

# fmt: off
MATRIX = [
    # method, path                                   owner    peer     sup      revoked  expired  contact  stranger anon
    ("GET",  "/",                                    "200+",  200,     200,     200,     200,     200,     "200+",  200),
    ("GET",  "/about",                               200,     200,     200,     200,     200,     200,     200,     200),
    ("GET",  "/themes",                              200,     200,     200,     200,     200,     200,     200,     200),
    ("GET",  "/entries",                             "200+",  200,     200,     200,     200,     200,     "200+",  "login"),
    ("GET",  "/entries/new/hard_session",            "200+",  200,     200,     200,     200,     200,     200,     "login"),
    ("GET",  "/entries/{entry}",                     "200+",  404,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/entries/{private}",                   "200+",  404,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/entries/{stranger_entry}",            404,     404,     404,     404,     404,     404,     "200+",  "login"),
    ("GET",  "/entries/{missing}",                   404,     404,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/entries/{entry}/edit",                "200+",  404,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/entries/{entry}/delete",              "200+",  404,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/entries/{entry}/share",               "200+",  404,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/entries/{entry}/repair",              302,     404,     404,     404,     404,     404,     404,     "login"),
    ("POST", "/entries/{entry}/repair",              302,     404,     404,     404,     404,     404,     404,     401),
    ("GET",  "/entries/{entry}/urgent",              "200+",  404,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/entries/{stranger_entry}/urgent",     404,     404,     404,     404,     404,     404,     "200+",  "login"),
    ("GET",  "/entries/{stranger_entry}/share",      404,     404,     404,     404,     404,     404,     "200+",  "login"),
    ("GET",  "/entries/{entry}/sharing",             "200+",  404,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/shares/{share_peer}",                 "200+",  "200+",  404,     404,     404,     404,     404,     "login"),
    ("GET",  "/shares/{share_sup}",                  "200+",  404,     "200+",  404,     404,     404,     404,     "login"),
    ("GET",  "/shares/{share_rev}",                  "200+",  404,     404,     410,     404,     404,     404,     "login"),
    ("GET",  "/shares/{share_exp}",                  "200+",  404,     404,     404,     410,     404,     404,     "login"),
    ("GET",  "/shares/{missing}",                    404,     404,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/inbox",                               200,     "200+",  "200+",  200,     200,     200,     200,     "login"),
    ("GET",  "/outbox",                              "200+",  200,     200,     200,     200,     200,     200,     "login"),
    ("GET",  "/share/agenda",                        "200+",  200,     200,     200,     200,     200,     200,     "login"),
    ("GET",  "/contacts",                            200,     200,     200,     200,     200,     200,     200,     "login"),
    ("GET",  "/contacts/{link_owner_peer}",          200,     404,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/contacts/{link_peer_owner}",          404,     200,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/invite/{token}",                      200,     200,     200,     200,     200,     200,     200,     200),
    ("GET",  "/invite/{used_token}",                 410,     410,     410,     410,     410,     410,     410,     410),
    ("GET",  "/invite/{missing}",                    404,     404,     404,     404,     404,     404,     404,     404),
    ("GET",  "/processes/",                          "200+",  200,     200,     200,     200,     200,     200,     "login"),
    ("GET",  "/processes/new",                       200,     200,     200,     200,     200,     200,     200,     "login"),
    ("GET",  "/processes/{process}",                 "200+",  404,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/processes/{process}/edit",            "200+",  404,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/processes/{process}/delete",          "200+",  404,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/settings/",                           200,     200,     200,     200,     200,     200,     200,     "login"),
    ("GET",  "/settings/password",                   200,     200,     200,     200,     200,     200,     200,     "login"),
    ("GET",  "/settings/recovery-code",              200,     200,     200,     200,     200,     200,     200,     "login"),
    ("GET",  "/settings/sessions",                   200,     200,     200,     200,     200,     200,     200,     "login"),
    ("GET",  "/settings/two-factor/",                200,     200,     200,     200,     200,     200,     200,     "login"),
    ("GET",  "/settings/two-factor/setup",           200,     200,     200,     200,     200,     200,     200,     "login"),
    ("GET",  "/settings/data/",                      "200+",  200,     200,     200,     200,     200,     "200+",  "login"),
    ("GET",  "/settings/data/delete",                200,     200,     200,     200,     200,     200,     200,     "login"),
    # an export holds the caller's own journal (a reader's: their own reflections, under the
    # shared entry's headline while the share is active), never what they may not see
    ("POST", "/settings/data/export.json",           "200+",  "200+",  200,     200,     200,     200,     "200+",  401),
    ("POST", "/settings/data/export.zip",            "200+",  200,     200,     200,     200,     200,     "200+",  401),
    ("POST", "/settings/data/export.pdf",            200,     400,     400,     400,     400,     400,     "400+",  401),
    # --- POST: creating one's own things ---
    ("POST", "/entries/new/hard_session",            302,     302,     302,     302,     302,     302,     302,     401),
    ("POST", "/entries",                             303,     303,     303,     303,     303,     303,     303,     401),
    ("POST", "/entries/autosave",                    200,     200,     200,     200,     200,     200,     200,     401),
    ("POST", "/processes/new",                       302,     302,     302,     302,     302,     302,     302,     401),
    ("POST", "/contacts/invite",                     200,     200,     200,     200,     200,     200,     200,     401),
    # --- POST: someone's entry, thread or contact ---
    ("POST", "/entries/{entry}/edit",                302,     404,     404,     404,     404,     404,     404,     401),
    ("POST", "/entries/{entry}/share",               302,     404,     404,     404,     404,     404,     404,     401),
    ("POST", "/entries/{entry}/urgent",              302,     404,     404,     404,     404,     404,     404,     401),
    ("POST", "/inbox/urgent-mail",                   404,     404,     404,     404,     404,     404,     404,     401),
    ("POST", "/share/agenda",                        302,     400,     400,     400,     400,     400,     400,     401),
    ("POST", "/shares/{share_peer}/reflection",      403,     302,     404,     404,     404,     404,     404,     401),
    ("POST", "/shares/{share_sup}/reflection",       403,     404,     302,     404,     404,     404,     404,     401),
    ("POST", "/shares/{share_rev}/reflection",       403,     404,     404,     410,     404,     404,     404,     401),
    ("POST", "/shares/{share_exp}/reflection",       403,     404,     404,     404,     410,     404,     404,     401),
    ("POST", "/shares/{share_peer}/seen",            302,     302,     404,     404,     404,     404,     404,     401),
    ("POST", "/shares/{share_sup}/seen",             302,     404,     302,     404,     404,     404,     404,     401),
    ("POST", "/shares/{share_rev}/seen",             302,     404,     404,     410,     404,     404,     404,     401),
    ("POST", "/shares/{share_exp}/seen",             302,     404,     404,     404,     410,     404,     404,     401),
    ("POST", "/shares/{share_peer}/reply",           302,     302,     404,     404,     404,     404,     404,     401),
    ("POST", "/shares/{share_sup}/reply",            "409+",     404,     302,     404,     404,     404,     404,     401),
    ("POST", "/shares/{share_rev}/reply",            "409+",     404,     404,     410,     404,     404,     404,     401),
    ("POST", "/shares/{share_exp}/reply",            "409+",     404,     404,     404,     410,     404,     404,     401),
    ("POST", "/processes/{process}/edit",            302,     404,     404,     404,     404,     404,     404,     401),
    ("POST", "/contacts/{link_owner_peer}/role",     302,     404,     404,     404,     404,     404,     404,     401),
    ("POST", "/contacts/{link_peer_owner}/role",     404,     403,     404,     404,     404,     404,     404,     401),
    ("POST", "/contacts/{link_owner_peer}/confirm-key", 302,  404,     404,     404,     404,     404,     404,     401),
    ("POST", "/contacts/{link_peer_owner}/confirm-key", 404,  302,     404,     404,     404,     404,     404,     401),
    # the peer accepted this link: sending it again (a second tap) answers like the first time
    ("POST", "/invite/{used_token}",                 410,     302,     410,     410,     410,     410,     410,     410),
    ("POST", "/invite/{token}",                      400,     409,     409,     409,     409,     409,     302,     200),
    # --- POST: ending things (destructive, so last) ---
    ("POST", "/shares/{share_peer}/revoke",          302,     404,     404,     404,     404,     404,     404,     401),
    ("POST", "/shares/{share_sup}/revoke",           302,     404,     404,     404,     404,     404,     404,     401),
    ("POST", "/shares/{share_rev}/revoke",           302,     404,     404,     404,     404,     404,     404,     401),
    ("POST", "/shares/{share_exp}/revoke",           302,     404,     404,     404,     404,     404,     404,     401),
    ("POST", "/contacts/{link_owner_peer}/remove",   302,     404,     404,     404,     404,     404,     404,     401),
    ("POST", "/contacts/{link_peer_owner}/remove",   404,     302,     404,     404,     404,     404,     404,     401),
    ("POST", "/processes/{process}/delete",          302,     404,     404,     404,     404,     404,     404,     401),
    ("POST", "/entries/{entry}/delete",              302,     404,     404,     404,     404,     404,     404,     401),
    # --- after the owner's actions: what is left ---
    ("GET",  "/entries/{entry}",                     404,     404,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/shares/{share_peer}",                 404,     410,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/contacts/{link_peer_owner}",          404,     404,     404,     404,     404,     404,     404,     "login"),
    # --- seminar groups and trends (objects of their own; here: no group of the caller's) ---
    ("GET",  "/trends",                              200,     200,     200,     200,     200,     200,     200,     "login"),
    ("GET",  "/groups/",                             200,     200,     200,     200,     200,     200,     200,     "login"),
    ("POST", "/groups/",                             400,     400,     400,     400,     400,     400,     400,     401),
    ("GET",  "/groups/{missing}",                    404,     404,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/groups/{missing}/trends",             404,     404,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/groups/{missing}/handout.csv",        404,     404,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/groups/{missing}/handout.pdf",        404,     404,     404,     404,     404,     404,     404,     "login"),
    ("GET",  "/groups/{missing}/consent",            404,     404,     404,     404,     404,     404,     404,     "login"),
    ("POST", "/groups/{missing}/consent",            404,     404,     404,     404,     404,     404,     404,     401),
    ("POST", "/groups/{missing}/invite",             404,     404,     404,     404,     404,     404,     404,     401),
    ("POST", "/groups/{missing}/k",                  404,     404,     404,     404,     404,     404,     404,     401),
    ("POST", "/groups/{missing}/members/{missing}/remove", 404, 404,   404,     404,     404,     404,     404,     401),
    ("POST", "/groups/{missing}/members/{missing}/lead",   404, 404,   404,     404,     404,     404,     404,     401),
    ("GET",  "/groups/join/{missing}",               404,     404,     404,     404,     404,     404,     404,     404),
    ("POST", "/groups/join/{missing}",               404,     404,     404,     404,     404,     404,     404,     404),
]
# fmt: on

# (endpoint, method) pairs with no row, and why. Everything else in url_map must have a row.
EXEMPT = {
    ("static", "GET"): "files",
    **{(e, "GET"): "operator probes, covered by test_ops_health.py"
       for e in ("health.healthz", "health.readyz", "health.metrics")},
    **{(e, m): "account flows, covered by test_accounts.py" for e, m in [
        ("auth.signup", "GET"), ("auth.signup", "POST"), ("auth.login", "GET"), ("auth.login", "POST"),
        ("auth.logout", "POST"), ("auth.recover", "GET"), ("auth.recover", "POST"),
        ("auth.recovery_code", "GET"), ("auth.recovery_code", "POST"), ("auth.recovery_code_download", "GET"),
        ("auth.confirm", "GET"), ("auth.confirm", "POST"),
        ("auth.second_factor", "GET"), ("auth.second_factor", "POST"),
        ("settings.password", "POST"), ("settings.recovery_code", "POST"),
        ("settings.end_session", "POST"), ("settings.end_others", "POST"),
        ("twofactor.setup", "POST"), ("twofactor.disable", "POST"), ("twofactor.backup_codes", "POST"),
        ("data.import_preview", "POST"), ("data.import_confirm", "POST"),
        ("data.delete_account", "POST")]},
    **{(e, m): "passkeys, covered by tests/security/test_sec_routes.py and test_passkeys_http.py" for e, m in [
        ("passkeys.index", "GET"), ("passkeys.register_options", "POST"), ("passkeys.add", "POST"),
        ("passkeys.remove", "POST"), ("passkeys.login_options", "POST"), ("passkeys.login", "POST"),
        ("passkeys.password", "GET"), ("passkeys.password", "POST")]},
    **{(e, m): "language and time zone, covered by tests/security/test_sec_routes.py and test_i18n.py" for e, m in [
        ("i18n.settings", "GET"), ("i18n.settings", "POST"), ("i18n.switch", "POST")]},
    **{(e, m): "calendar, covered by tests/security/test_sec_routes.py and test_calendar_*.py" for e, m in [
        ("calendar.index", "GET"), ("calendar.create_feed", "POST"), ("calendar.revoke", "POST"),
        ("calendar.add_date", "POST"), ("calendar.remove_date", "POST"), ("calendar.refresh", "POST"),
        ("calendar.feed", "GET"), ("calendar.entry_follow_up", "GET"), ("calendar.reflection_follow_up", "GET"),
        ("calendar.reminder", "GET")]},
    **{(e, m): "process reviews, covered by tests/security/test_sec_routes.py and test_process_reviews.py"
       for e, m in [("process_reviews.new", "GET"), ("process_reviews.new", "POST"), ("process_reviews.edit", "GET"),
                    ("process_reviews.edit", "POST"), ("process_reviews.delete", "GET"),
                    ("process_reviews.delete", "POST")]},
    **{(e, "GET"): "the installable app's shell, covered by tests/security/test_sec_routes.py and test_offline_http.py"
       for e in ("offline.page", "offline.shell", "offline.token", "offline.worker")},
    ("audit.security_events", "GET"): "the user's own security events, covered by test_sec_routes.py and test_audit_events.py",
    **{(e, m): "retention, covered by tests/security/test_sec_routes.py and test_retention_*.py" for e, m in [
        ("retention.entry_expiry", "GET"), ("retention.entry_expiry", "POST"), ("retention.entry_extend", "POST"),
        ("retention.process_expiry", "GET"), ("retention.process_expiry", "POST"),
        ("retention.process_extend", "POST"), ("retention.settings", "GET"), ("retention.settings", "POST"),
        ("retention.soon", "GET")]},
}


def _marker(what: str) -> str:
    return "zq" + what + "".join(random.choice(string.ascii_lowercase) for _ in range(10))


@dataclass
class World:
    ids: dict[str, str]
    people: dict[str, Person]
    markers: dict[str, str]
    allowed: dict[str, set[str]] = field(default_factory=dict)
    entry_before: tuple[bytes, bytes] | None = None


def build_world(app) -> World:
    m = {k: _marker(k) for k in ("entry", "private", "proc", "qpeer", "qsup", "reflpeer", "replypeer",
                                  "reflrev", "stranger")}
    with app.app_context():
        p = {r: make_person(app, login) for r, login in (
            ("owner", "olivia"), ("peer", "pete"), ("sup", "sara"), ("revoked", "rita"), ("expired", "eddie"),
            ("contact", "carl"), ("stranger", "stan"))}
        owner = p["owner"]
        used = connect(owner, p["peer"], "peer")
        for r in ("sup", "revoked", "expired"):
            connect(owner, p[r], "supervisor")
        connect(owner, p["contact"], "peer")
        entry = write_entry(owner, f"what happened {m['entry']}", title=f"title {m['entry']}", supervision="yes")
        private = write_entry(owner, f"private {m['private']}", title=f"private {m['private']}")
        stranger_entry = write_entry(p["stranger"], f"stranger {m['stranger']}", title=f"title {m['stranger']}")
        proc = processes.create(owner.user, owner.key, {"code": m["proc"][:20], "working_goal": m["proc"],
                                                        "status": "ongoing", "screening": []})
        s_peer = share_with(owner, entry, p["peer"], f"question {m['qpeer']}")
        s_sup = share_with(owner, entry, p["sup"], f"question {m['qsup']}")
        s_rev = share_with(owner, entry, p["revoked"], "question for rita")
        s_exp = share_with(owner, entry, p["expired"], "question for eddie")
        reflect(p["peer"], s_peer, context=f"context {m['reflpeer']}", next_step="film the child")
        reply(owner, s_peer, f"reply {m['replypeer']}")
        reflect(p["revoked"], s_rev, feelings=f"feelings {m['reflrev']}")
        db.session.commit()
        sharing.revoke(owner.user, owner.key, s_rev)
        s_exp.expires_at = utcnow() - timedelta(hours=1)
        from domain.sharing import contacts
        _inv, token = contacts.invite(owner.user, owner.key, "peer")
        db.session.commit()
        ids = {"entry": entry.id, "private": private.id, "stranger_entry": stranger_entry.id, "process": proc.id,
               "share_peer": s_peer.id, "share_sup": s_sup.id, "share_rev": s_rev.id, "share_exp": s_exp.id,
               "link_owner_peer": contacts.link_between(owner.id, p["peer"].id).id,
               "link_peer_owner": contacts.link_between(p["peer"].id, owner.id).id,
               "token": token, "used_token": used, "missing": new_id()}
        world = World(ids, p, m)
        row = db.session.get(Entry, entry.id)
        world.entry_before = (row.content, row.wrapped_key)
    everything = set(m.values()) - {m["stranger"]}
    world.allowed = {"owner": everything, "peer": {m["entry"], m["qpeer"], m["reflpeer"], m["replypeer"]},
                     "sup": {m["entry"], m["qsup"]}, "revoked": set(), "expired": set(), "contact": set(),
                     "stranger": {m["stranger"]}, "anon": set()}
    return world


def post_data(path: str, role: str, w: World) -> dict:
    """A well-formed request for each POST row, so a refusal is the access rule and not bad input."""
    new_entry = {"kind": "hard_session", "what_happened": "a quiet line", "action": "save",
                 "draft_id": new_id(), "supervision": "no"}
    data = {
        "/entries/new/hard_session": new_entry,
        "/entries/autosave": {**new_entry, "action": "draft"},
        "/processes/new": {"code": "mm-ab-cd", "status": "ongoing"},
        "/processes/{process}/edit": {"code": "mm-ab-ce", "status": "ongoing"},
        "/contacts/invite": {"role": "peer"},
        "/entries/{entry}/edit": {**new_entry, "draft_id": w.ids["entry"], "supervision": "yes",
                                  # only the owner may put the marker back; nobody else echoes it
                                  "what_happened": f"edited {w.markers['entry']}" if role == "owner" else "edited",
                                  "title": f"title {w.markers['entry']}" if role == "owner" else ""},
        "/entries/{entry}/share": {"readers": [w.people["peer"].id]},
        "/entries/{entry}/urgent": {"readers": [w.people["peer"].id], "question": "now"},
        "/inbox/urgent-mail": {"email": "someone@example.test"},
        "/share/agenda": {"entries": [w.ids["entry"]], "readers": [w.people["peer"].id]},
        "/settings/data/export.pdf": {"entries": [w.ids["entry"]]},
        "/contacts/{link_owner_peer}/role": {"role": "supervisor"},
        "/contacts/{link_peer_owner}/role": {"role": "supervisor"},
    }
    if path.endswith("/reflection"):
        return {"context": "a late thought", "action": "submit"}
    if path.endswith("/reply"):
        return {"text": "a short reply", "reply_id": new_id()}
    return data.get(path, {})


def _client(app, role: str, w: World):
    if role == "anon":
        return app.test_client(), None
    client = login_client(app, w.people[role].login)
    return client, csrf_from(client.get("/about").get_data(as_text=True))


def run_role(app, role: str) -> list[str]:
    w = build_world(app)
    client, token = _client(app, role, w)
    col = ROLES.index(role)
    problems = []
    for method, path, *cells in MATRIX:
        expected = cells[col]
        url = path.format(**w.ids)
        if method == "GET":
            r = client.get(url)
        else:
            data = post_data(path, role, w)
            r = client.post(url, data={**data, **({"csrf_token": token} if token else {})})
        body = r.get_data().decode("utf-8", "replace") + "\n" + "\n".join(f"{k}: {v}" for k, v in r.headers.items())
        cell = f"{role:8} {method:4} {path}: expected {expected}, got {r.status_code}"
        shows_own = isinstance(expected, str) and expected.endswith("+")
        want = 302 if expected == "login" else int(expected.rstrip("+")) if shows_own else expected
        if r.status_code != want:
            problems.append(cell)
            continue
        if expected == "login" and not r.headers["Location"].startswith("/login"):
            problems.append(cell + f" (redirect to {r.headers['Location']}, not to the login page)")
        allowed = w.allowed[role] if shows_own else set()
        leaked = sorted(k for k, v in w.markers.items() if v in body and v not in allowed)
        if leaked:
            problems.append(cell + f" LEAKS {leaked}")
        if shows_own and not any(v in body for v in allowed):
            problems.append(cell + " shows none of this role's own content (is the cell right?)")
    if role != "owner":
        with app.app_context():
            row = db.session.get(Entry, w.ids["entry"])
            if row is None or (row.content, row.wrapped_key) != w.entry_before:
                problems.append(f"{role}: the owner's entry changed during a non-owner run")
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(app, role):
    problems = run_role(app, role)
    assert not problems, "\n" + "\n".join(problems)


def test_every_route_has_a_row(app):
    adapter = app.url_map.bind("localhost")
    covered = set()
    for method, path, *cells in MATRIX:
        assert len(cells) == len(ROLES), path
        concrete = path.format_map({k: "0" * 32 for k in ("entry", "private", "stranger_entry", "missing", "process",
                                                          "share_peer", "share_sup", "share_rev", "share_exp",
                                                          "link_owner_peer", "link_peer_owner", "token", "used_token")})
        endpoint, _args = adapter.match(concrete, method=method)
        covered.add((endpoint, method))
    in_map = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    missing = sorted(in_map - covered - set(EXEMPT))
    assert not missing, f"routes without a row in the authorization matrix: {missing}"
    stale = sorted(set(EXEMPT) - in_map)
    assert not stale, f"EXEMPT names routes that no longer exist: {stale}"


def test_revoked_reader_after_sweep_and_remove_still_sees_only_gone_pages(app):
    """After the owner's next visit (sweep) and contact removal the former readers' old links stay
    plain 410 pages; a removed contact's old link too."""
    w = build_world(app)
    owner = login_client(app, "olivia")
    assert owner.get("/").status_code == 200              # sweep: the expired share loses its wrap
    with app.app_context():
        assert db.session.get(Share, w.ids["share_exp"]).wrapped_key is None
    token = csrf_from(owner.get("/about").get_data(as_text=True))
    assert owner.post(f"/contacts/{w.ids['link_owner_peer']}/remove", data={"csrf_token": token}).status_code == 302
    for login, share in (("eddie", "share_exp"), ("rita", "share_rev"), ("pete", "share_peer")):
        client = login_client(app, login)
        r = client.get(f"/shares/{w.ids[share]}")
        assert r.status_code == 410, (login, r.status_code)
        body = r.get_data(as_text=True)
        assert said(app, "This is no longer shared with you.") in body
        assert not any(v in body for v in w.markers.values())
        inbox = client.get("/inbox").get_data(as_text=True)
        assert not any(v in inbox for v in w.markers.values())
