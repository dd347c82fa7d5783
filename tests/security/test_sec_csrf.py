"""CSRF: every POST route, sent with a body that is valid except for the token.

Without a token, with a token from another account's session, or with a tampered token, the answer
is 400 (a few routes answer a redirect before they read any form, listed in BEFORE_FORM) and the
database is exactly as before. Then, as a control, the same body with the right token must get
past the check, which proves the body was valid and the 400 was the token's doing.
"""

from __future__ import annotations

import io
import json
import re
import secrets
from typing import ClassVar

from sqlalchemy import select

from domain.core.db import db, new_id
from domain.core.keyring import OWASP_FLOOR
from domain.core.models import GroupMember
from tests.conftest import PASSWORD, Auth
from tests.security.conftest import LOGINS, build_world, db_snapshot, login_client, snapshot_diff, token_for

IMPORT_FILE = json.dumps(
    {
        "format": "fokus-export",
        "version": 1,
        "processes": [],
        "entries": [
            {
                "id": "a" * 32,
                "created_at": "2025-01-02T03:04:05",
                "data": {"kind": "bright_moment", "what_happened": "an imported smile"},
            }
        ],
    }
).encode()

# Routes that redirect before they read a form, whatever is sent: no state change either way.
BEFORE_FORM = {"passkeys.password": 302, "auth.second_factor": 302, "auth.recovery_code": 302, "twofactor.backup_codes": 302}


# Controls after which the client's session (and with it the CSRF token) is a new one.
NEW_SESSION = {"auth.logout", "auth.login", "auth.recover", "auth.signup", "data.delete_account"}


def _steps(w):
    """(actor, endpoint, url, body, status with the right token or None to skip the control).
    The order matters: destructive controls come last."""
    ids = w.ids
    entry = {
        "kind": "hard_session",
        "what_happened": "a quiet line",
        "action": "save",
        "pii_ack": "1",
        "supervision": "no",
    }
    return [
        ("owner", "auth.confirm", "/confirm", {"password": PASSWORD}, 302),
        ("owner", "auth.second_factor", "/login/code", {"code": "123456"}, 302),
        ("owner", "auth.recovery_code", "/recovery-code", {"last_group": "ABCD"}, 302),
        ("owner", "journal.new", "/entries/new/hard_session", {**entry, "draft_id": new_id()}, 302),
        ("owner", "journal.index", "/entries", {"q": "smile", "kind": "hard_session"}, 303),
        (
            "owner",
            "journal.autosave",
            "/entries/autosave",
            {**entry, "kind": "bright_moment", "action": "draft", "draft_id": new_id()},
            200,
        ),
        (
            "owner",
            "journal.edit",
            f"/entries/{ids['private']}/edit",
            {"what_happened": "edited smile", "action": "save", "pii_ack": "1", "supervision": "no"},
            302,
        ),
        ("owner", "processes.new", "/processes/new", {"code": "MM-25-09", "status": "ongoing"}, 302),
        ("owner", "retention.settings", "/settings/retention", {"months": "6"}, 302),
        ("owner", "retention.entry_expiry", f"/entries/{ids['private']}/expiry", {"until": "2099-01-01"}, 302),
        ("owner", "retention.entry_extend", f"/entries/{ids['private']}/expiry/extend", {"reason": "still useful"}, 302),
        ("owner", "retention.process_expiry", f"/processes/{ids['process']}/expiry", {"until": "2099-01-01"}, 302),
        ("owner", "retention.process_extend", f"/processes/{ids['process']}/expiry/extend", {"reason": "still useful"},
         302),
        (
            "owner",
            "processes.edit",
            f"/processes/{ids['process']}/edit",
            {"code": "MM-25-03", "status": "ongoing"},
            302,
        ),
        ("owner", "process_reviews.new", f"/processes/{ids['process']}/reviews/new",
         {"day": "2026-03-11", "form_id": new_id()}, 302),
        ("owner", "process_reviews.edit", f"/processes/{ids['process']}/reviews/{ids['review']}",
         {"day": "2026-03-12"}, 302),
        ("owner", "contacts.invite", "/contacts/invite", {"role": "peer"}, 200),
        ("owner", "contacts.change_role", f"/contacts/{ids['link']}/role", {"role": "peer"}, 302),
        ("owner", "contacts.confirm_key", f"/contacts/{ids['link']}/confirm-key", {}, 302),
        ("stranger", "contacts.invitation", f"/invite/{ids['invite_token']}", {}, 302),
        (
            "owner",
            "sharing.share_entry",
            f"/entries/{ids['entry']}/share",
            {"readers": w.users["contact"], "question": "a question"},
            302,
        ),
        (
            "owner",
            "sharing.urgent",
            f"/entries/{ids['entry']}/urgent",
            {"readers": w.users["contact"], "question": "an urgent question"},
            302,
        ),
        ("reader", "sharing.urgent_mail", "/inbox/urgent-mail", {"email": "r@example.test"}, 404),  # no SMTP in tests
        (
            "owner",
            "sharing.agenda",
            "/share/agenda",
            {"entries": ids["entry"], "readers": w.users["contact"]},
            302,
        ),
        (
            "reader",
            "sharing.reflection",
            f"/shares/{ids['share']}/reflection",
            {"context": "late", "action": "save"},
            302,
        ),
        ("reader", "sharing.seen", f"/shares/{ids['share']}/seen", {}, 302),
        (
            "owner",
            "sharing.reply",
            f"/shares/{ids['share']}/reply",
            {"text": "a reply", "reply_id": new_id()},
            302,
        ),
        ("owner", "groups.index", "/groups/", {"name": "Second group", "k": "5"}, 302),
        ("owner", "groups.set_k", f"/groups/{ids['group']}/k", {"k": "6"}, 302),  # before consent: k is fixed after it
        ("owner", "groups.consent", f"/groups/{ids['group']}/consent", {}, 302),
        (
            "owner",
            "groups.invite",
            f"/groups/{ids['group']}/invite",
            {"multi_use": "multi", "days": "7"},
            200,
        ),
        (
            "owner",
            "groups.toggle_lead",
            f"/groups/{ids['group']}/members/{ids['member']}/lead",
            {"lead": "1"},
            302,
        ),
        ("stranger", "groups.join", f"/groups/join/{ids['group_token']}", {}, 302),
        ("owner", "twofactor.setup", "/settings/two-factor/setup", {"code": "123456"}, None),
        (
            "owner",
            "twofactor.disable",
            "/settings/two-factor/disable",
            {"password": PASSWORD, "code": "123456"},
            None,
        ),
        ("owner", "twofactor.backup_codes", "/settings/two-factor/backup-codes", {}, 302),
        ("owner", "data.export_json", "/settings/data/export.json", {}, 200),
        ("owner", "data.export_zip", "/settings/data/export.zip", {}, 200),
        ("owner", "data.export_pdf", "/settings/data/export.pdf", {"entries": ids["entry"]}, 200),
        (
            "owner",
            "data.import_preview",
            "/settings/data/import",
            {"file": (io.BytesIO(IMPORT_FILE), "export.json")},
            200,
        ),
        ("owner", "data.import_confirm", "/settings/data/import/confirm", {"payload": "FROM_PREVIEW"}, 302),
        ("owner", "passkeys.register_options", "/settings/passkeys/options", {}, 200),
        # with the right token the made-up credential itself is refused: 400 with a JSON message
        ("owner", "passkeys.add", "/settings/passkeys/add", {"name": "Phone", "credential": "{}"}, 400),
        ("owner", "passkeys.remove", f"/settings/passkeys/{ids['passkey']}/remove", {}, 302),
        ("anon", "passkeys.login_options", "/login/passkey/options", {}, 200),
        ("anon", "passkeys.login", "/login/passkey", {"credential": "{}"}, 400),
        ("anon", "passkeys.password", "/login/passkey/password", {"password": PASSWORD}, 302),
        ("owner", "calendar.create_feed", "/settings/calendar/feed", {"feed_id": new_id()}, 200),
        ("owner", "calendar.add_date", "/settings/calendar/dates", {"kind": "visit", "on": "2031-01-02"}, 302),
        ("owner", "calendar.remove_date", "/settings/calendar/dates/remove", {"kind": "visit", "on": "2031-01-02"}, 302),
        ("owner", "calendar.refresh", "/settings/calendar/refresh", {}, 302),
        ("owner", "calendar.revoke", "/settings/calendar/feed/revoke", {}, 302),
        ("owner", "settings.end_session", f"/settings/sessions/{ids['other_session']}/end", {}, 302),
        ("owner", "settings.end_others", "/settings/sessions/end-others", {}, 302),
        ("owner", "i18n.settings", "/settings/language", {"lang": "nb", "tz": "Europe/Oslo"}, 303),
        ("anon", "i18n.switch", "/language", {"lang": "nb", "next": "/login"}, 303),
        ("owner", "settings.recovery_code", "/settings/recovery-code", {"password": PASSWORD}, 302),
        (
            "owner",
            "settings.password",
            "/settings/password",
            {"current": PASSWORD, "password": PASSWORD, "confirm": PASSWORD},
            302,
        ),
        ("owner", "sharing.revoke", f"/shares/{ids['share']}/revoke", {}, 302),
        ("owner", "contacts.remove", f"/contacts/{ids['link']}/remove", {}, 302),
        ("owner", "groups.remove_member", f"/groups/{ids['group']}/members/STRANGER_MEMBER/remove", {}, 302),
        ("owner", "process_reviews.delete", f"/processes/{ids['process']}/reviews/{ids['review']}/delete", {}, 302),
        ("owner", "processes.delete", f"/processes/{ids['process']}/delete", {}, 302),
        ("owner", "journal.repair", f"/entries/{ids['private']}/repair", {}, 302),  # opens: nothing to repair
        ("owner", "journal.delete", f"/entries/{ids['entry']}/delete", {}, 302),
        ("owner", "auth.logout", "/logout", {}, 302),
        ("owner", "auth.login", "/login", {"login": "sec_owner", "password": PASSWORD}, 302),
        (
            "owner",
            "data.delete_account",
            "/settings/data/delete",
            {"password": PASSWORD, "confirm": "delete my journal", "understood": "y"},
            302,
        ),
        (
            "anon",
            "auth.signup",
            "/signup",
            {
                "login": "sec_newcomer",
                "display_name": "New Comer",
                "password": PASSWORD,
                "confirm": PASSWORD,
                "understood": "y",
            },
            302,
        ),
        (
            "anon",
            "auth.recover",
            "/recover",
            {
                "login": "sec_reader",
                "recovery_code": "RECOVERY_CODE",
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
            302,
        ),
    ]


def _body(data: dict) -> dict:
    """A fresh copy (file objects are consumed by a request)."""
    return {k: (io.BytesIO(IMPORT_FILE), v[1]) if isinstance(v, tuple) else v for k, v in data.items()}


def test_every_post_route_is_in_the_csrf_list(app):
    w_steps = {(step[1]) for step in _steps(_FakeWorld())}
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}
    assert posts - w_steps == set(), f"POST routes missing from the CSRF suite: {sorted(posts - w_steps)}"


class _FakeWorld:
    ids: ClassVar[dict] = dict.fromkeys(
        ("entry", "private", "process", "link", "share", "group", "member", "invite_token",
         "group_token", "other_session", "passkey", "review"), "x")
    users: ClassVar[dict] = {"contact": "x"}


def test_posts_without_a_valid_token_change_nothing(app):
    _sweep(app, login_client)


def test_production_app_refuses_posts_without_a_valid_token(make_app):
    """The same sweep on an app built the way a server runs it: FOKUS_ENV=production, TESTING off,
    a real secret and argon2 at the OWASP floor, over HTTPS (the __Host- cookie needs it). Every
    other app in the suite has TESTING on, so CSRF switched off outside tests would go unseen."""
    app = make_app(TESTING=False, FOKUS_ENV="production", FOKUS_SECRET_KEY=secrets.token_urlsafe(48),
                   FOKUS_ARGON2_MEMORY_KIB=str(OWASP_FLOOR[0]), FOKUS_ARGON2_TIME_COST=str(OWASP_FLOOR[1]),
                   FOKUS_ARGON2_PARALLELISM=str(OWASP_FLOOR[2]), ARGON2_FLOOR=OWASP_FLOOR)
    assert app.testing is False and app.config["FOKUS_ENV"] == "production"
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-fokus"

    def https_login(application, role):
        client = application.test_client()
        client.environ_base["wsgi.url_scheme"] = "https"
        if role != "anon":
            r = Auth(client).login(LOGINS[role])
            assert r.status_code == 302, r.get_data(as_text=True)
        return client

    _sweep(app, https_login)


def _sweep(app, login) -> None:
    w = build_world(app)
    clients = {role: login(app, role) for role in ("owner", "reader", "stranger", "anon", "contact")}
    foreign = token_for(clients["contact"])  # a real token, for someone else's session (never an actor)
    problems = []
    payload = None
    good: dict[str, str] = {}
    for actor, endpoint, url, data, control in _steps(w):
        client = clients[actor]
        if data.get("payload") == "FROM_PREVIEW":
            data = {"payload": payload}
        if "STRANGER_MEMBER" in url:
            with app.app_context():
                url = url.replace(
                    "STRANGER_MEMBER",
                    db.session.scalar(
                        select(GroupMember.id).where(
                            GroupMember.group_id == w.ids["group"], GroupMember.user_id == w.users["stranger"]
                        )
                    ),
                )
        if data.get("recovery_code") == "RECOVERY_CODE":
            data = {**data, "recovery_code": w.recovery_code("reader")}
        if actor not in good:
            good[actor] = token_for(client, logged_in=actor != "anon")
        tampered = good[actor][:-3] + ("AAA" if not good[actor].endswith("AAA") else "BBB")
        before = db_snapshot(app)
        for label, token in (
            ("no token", None),
            ("another session's token", foreign),
            ("tampered token", tampered),
        ):
            body = _body(data) | ({"csrf_token": token} if token else {})
            r = client.post(url, data=body)
            want = BEFORE_FORM.get(endpoint, 400)
            if r.status_code != want:
                problems.append(f"{actor} {endpoint} with {label}: expected {want}, got {r.status_code}")
        changed = snapshot_diff(before, db_snapshot(app))
        if changed:
            problems.append(f"{actor} {endpoint} without a valid token CHANGED {changed}")
        if control is not None:
            r = client.post(url, data=_body(data) | {"csrf_token": good[actor]})
            if endpoint in NEW_SESSION:
                good.pop(actor)  # a new session has a new token
            if r.status_code != control:
                problems.append(
                    f"{actor} {endpoint} control with the right token: expected {control}, "
                    f"got {r.status_code} (is the test body valid?)"
                )
            if endpoint == "data.import_preview":
                m = re.search(r'name="payload" type="hidden" value="([^"]+)"', r.get_data(as_text=True))
                payload = m.group(1) if m else ""
    assert not problems, "\n" + "\n".join(problems)
