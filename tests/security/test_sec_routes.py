"""Every rule of the URL map, for every role and every method it allows.

No 500, no status outside the literal table below, and no marker of another user's content in a
body or header. A rule with no row here fails test_every_rule_has_a_row: adding a route means
deciding, here, who may reach it.

POSTs carry a valid CSRF token (so a refusal is the access rule, not the token) and no other
fields; the CSRF suite (test_sec_csrf.py) sends them without tokens. Requests run in phases per
role (GETs, harmless POSTs, joining, then the owner's destructive POSTs in a fixed order) on a
fresh world per role, so one role's actions cannot change another role's cells.
"""

from __future__ import annotations

import pytest

from tests.security.conftest import ROLES, build_world, login_client, route_values, token_for


def row(owner, reader, revoked, contact, stranger, anon):
    return dict(zip(ROLES, (owner, reader, revoked, contact, stranger, anon)))


def owner_only(ok=200, anon=302):
    return row(ok, 404, 404, 404, 404, anon)


def any_user(ok=200, anon=302):
    return row(ok, ok, ok, ok, ok, anon)


def everyone(ok=200):
    return row(ok, ok, ok, ok, ok, ok)


# (endpoint, method) -> expected status per role. A tuple lists acceptable alternatives.
# fmt: off
TABLE = {
    ("home.index", "GET"):                    everyone(200),
    ("home.about", "GET"):                    everyone(200),
    ("journal.themes_page", "GET"):           everyone(200),
    ("health.healthz", "GET"):                everyone(200),
    ("health.readyz", "GET"):                 everyone(200),
    ("health.metrics", "GET"):                everyone(404),  # FOKUS_METRICS_TOKEN unset in tests
    # --- accounts ---
    ("auth.signup", "GET"):                   any_user(302, anon=200),
    ("auth.signup", "POST"):                  any_user(302, anon=400),
    ("auth.login", "GET"):                    any_user(302, anon=200),
    ("auth.login", "POST"):                   everyone(400),
    ("auth.second_factor", "GET"):            everyone(302),
    ("auth.second_factor", "POST"):           everyone(302),
    ("auth.logout", "POST"):                  everyone(302),
    ("auth.recover", "GET"):                  everyone(200),
    ("auth.recover", "POST"):                 everyone(400),
    ("auth.recovery_code", "GET"):            any_user(302),
    ("auth.recovery_code", "POST"):           any_user(302, anon=401),
    ("auth.recovery_code_download", "GET"):   any_user(404),
    ("auth.confirm", "GET"):                  any_user(200),
    ("auth.confirm", "POST"):                 any_user(400, anon=401),
    ("settings.index", "GET"):                any_user(200),
    ("settings.password", "GET"):             any_user(200),
    ("settings.password", "POST"):            any_user(400, anon=401),
    ("settings.recovery_code", "GET"):        any_user(200),
    ("settings.recovery_code", "POST"):       any_user(400, anon=401),
    ("settings.sessions_page", "GET"):        any_user(200),
    ("audit.security_events", "GET"):         any_user(200),
    ("settings.end_session", "POST"):         owner_only(302, anon=401),   # the owner's *other* session
    ("settings.end_others", "POST"):          any_user(302, anon=401),
    ("i18n.settings", "GET"):                 any_user(200),
    ("i18n.settings", "POST"):                any_user(400, anon=401),
    ("i18n.switch", "POST"):                  everyone(400),   # no language chosen
    ("passkeys.index", "GET"):                any_user(200),
    ("passkeys.register_options", "POST"):    any_user(200, anon=401),
    ("passkeys.add", "POST"):                 any_user(400, anon=401),
    ("passkeys.remove", "POST"):              owner_only(302, anon=401),
    ("passkeys.login_options", "POST"):       everyone(200),
    ("passkeys.login", "POST"):               everyone(400),
    ("passkeys.password", "GET"):             everyone(302),             # only right after a passkey
    ("passkeys.password", "POST"):            everyone(302),
    ("twofactor.index", "GET"):               any_user(200),
    ("twofactor.setup", "GET"):               any_user(200),
    ("twofactor.setup", "POST"):              any_user(400, anon=401),
    ("twofactor.disable", "POST"):            any_user(400, anon=401),
    ("twofactor.backup_codes", "POST"):       any_user(302, anon=401),
    ("data.index", "GET"):                    any_user(200),
    ("data.export_json", "POST"):             any_user(200, anon=401),     # each their own data
    ("data.export_zip", "POST"):              any_user(200, anon=401),
    ("data.export_pdf", "POST"):              any_user(400, anon=401),
    ("data.import_preview", "POST"):          any_user(400, anon=401),
    ("data.import_confirm", "POST"):          any_user(400, anon=401),
    ("data.delete_account", "GET"):           any_user(200),
    ("data.delete_account", "POST"):          any_user(400, anon=401),
    # --- journal ---
    ("journal.index", "GET"):                 any_user(200),
    ("journal.index", "POST"):                any_user(303, anon=401),
    ("journal.new", "GET"):                   any_user(200),
    ("journal.new", "POST"):                  any_user(400, anon=401),
    ("journal.autosave", "POST"):             any_user(400, anon=401),
    ("journal.view", "GET"):                  owner_only(200),
    ("journal.edit", "GET"):                  owner_only(200),
    ("journal.edit", "POST"):                 owner_only(400, anon=401),
    ("journal.repair", "GET"):                owner_only(302),   # the entry opens: back to it
    ("journal.repair", "POST"):               owner_only(302, anon=401),
    ("journal.delete", "GET"):                owner_only(200),
    ("journal.delete", "POST"):               owner_only(302, anon=401),
    ("processes.index", "GET"):               any_user(200),
    ("processes.new", "GET"):                 any_user(200),
    ("processes.new", "POST"):                any_user(400, anon=401),
    ("processes.view", "GET"):                owner_only(200),
    ("processes.edit", "GET"):                owner_only(200),
    ("processes.edit", "POST"):               owner_only(400, anon=401),
    ("processes.delete", "GET"):              owner_only(200),
    ("processes.delete", "POST"):             owner_only(302, anon=401),
    ("process_reviews.new", "GET"):           owner_only(200),
    ("process_reviews.new", "POST"):          owner_only(400, anon=401),
    ("process_reviews.edit", "GET"):          owner_only(200),
    ("process_reviews.edit", "POST"):         owner_only(400, anon=401),
    ("process_reviews.delete", "GET"):        owner_only(200),
    ("process_reviews.delete", "POST"):       owner_only(302, anon=401),
    ("trends.personal", "GET"):               any_user(200),
    # --- contacts ---
    ("contacts.index", "GET"):                any_user(200),
    ("contacts.invite", "POST"):              any_user(200, anon=401),
    ("contacts.detail", "GET"):               owner_only(200),
    ("contacts.change_role", "POST"):         owner_only(400, anon=401),
    ("contacts.confirm_key", "POST"):         owner_only(302, anon=401),
    ("contacts.remove", "POST"):              owner_only(302, anon=401),
    ("contacts.invitation", "GET"):           everyone(200),
    # own link: 400; already connected: 409; a stranger with the link connects; anonymous sees the page
    ("contacts.invitation", "POST"):          row(400, 409, 409, 409, 302, 200),
    # --- sharing ---
    ("sharing.share_entry", "GET"):           owner_only(200),
    ("sharing.share_entry", "POST"):          owner_only(400, anon=401),
    ("sharing.urgent", "GET"):                owner_only(200),
    ("sharing.urgent", "POST"):               owner_only(400, anon=401),
    ("sharing.urgent_mail", "POST"):          any_user(404, anon=401),  # no SMTP in tests: nothing to set
    ("sharing.manage", "GET"):                owner_only(200),
    ("sharing.agenda", "GET"):                any_user(200),
    ("sharing.agenda", "POST"):               any_user(400, anon=401),
    ("sharing.inbox", "GET"):                 any_user(200),
    ("sharing.outbox", "GET"):                any_user(200),
    # share_id is the active share for everyone but the revoked reader, who uses their own old one
    ("sharing.thread", "GET"):                row(200, 200, 410, 404, 404, 302),
    ("sharing.reflection", "POST"):           row(403, 302, 410, 404, 404, 401),
    ("sharing.reply", "POST"):                row(400, 400, 410, 404, 404, 401),
    ("sharing.seen", "POST"):                 row(302, 302, 410, 404, 404, 401),
    ("sharing.revoke", "POST"):               owner_only(302, anon=401),
    # --- groups ---
    ("groups.index", "GET"):                  any_user(200),
    ("groups.index", "POST"):                 any_user(400, anon=401),
    ("groups.view", "GET"):                   owner_only(200),
    ("groups.consent", "GET"):                owner_only(200),
    ("groups.consent", "POST"):               owner_only(302, anon=401),
    ("groups.group_trends", "GET"):           owner_only(200),
    ("groups.handout_csv", "GET"):            owner_only(200),
    ("groups.handout_pdf", "GET"):            owner_only(200),
    ("groups.invite", "POST"):                owner_only(200, anon=401),
    ("groups.set_k", "POST"):                 owner_only((400, 409), anon=401),  # 409 once k is fixed
    ("groups.toggle_lead", "POST"):           owner_only(409, anon=401),   # the only lead cannot step down
    ("groups.remove_member", "POST"):         owner_only(302, anon=401),
    ("groups.join", "GET"):                   everyone(200),
    ("groups.join", "POST"):                  row(409, 302, 302, 302, 302, 200),
    # --- calendar (each user their own feed and dates; the world's entry and reflection carry no
    # follow-up date, so their one-off files are 404 for everyone: the 200s are in test_calendar_*) ---
    ("calendar.index", "GET"):                any_user(200),
    ("calendar.create_feed", "POST"):         any_user(400, anon=401),     # no form id
    ("calendar.revoke", "POST"):              any_user(302, anon=401),
    ("calendar.add_date", "POST"):            any_user(400, anon=401),
    ("calendar.remove_date", "POST"):         any_user(400, anon=401),
    ("calendar.refresh", "POST"):             any_user(302, anon=401),
    ("calendar.feed", "GET"):                 everyone(404),               # not a feed token
    ("calendar.entry_follow_up", "GET"):      row(404, 404, 404, 404, 404, 302),
    ("calendar.reflection_follow_up", "GET"): row(404, 404, 404, 404, 404, 302),
    ("calendar.reminder", "GET"):             any_user(400),               # no kind, no date
    # --- offline (the service worker, its offline page and empty forms: nothing of an account) ---
    ("offline.worker", "GET"):                everyone(200),
    ("offline.page", "GET"):                  everyone(200),
    ("offline.shell", "GET"):                 everyone(200),
    ("offline.token", "GET"):                 any_user(200, anon=401),
    # retention (issue 20.1)
    ("retention.settings", "GET"):            any_user(200),
    ("retention.settings", "POST"):           any_user(400, anon=401),    # no period chosen
    ("retention.soon", "GET"):                any_user(200),
    ("retention.entry_expiry", "GET"):        owner_only(200),
    ("retention.entry_expiry", "POST"):       owner_only(400, anon=401),  # no date
    ("retention.entry_extend", "POST"):       owner_only(400, anon=401),  # no reason
    ("retention.process_expiry", "GET"):      owner_only(200),
    ("retention.process_expiry", "POST"):     owner_only(400, anon=401),
    ("retention.process_extend", "POST"):     owner_only(400, anon=401),
}
# fmt: on

SKIP = {"static"}

# Routes whose owner POST ends or deletes something: run last, in this order.
DESTRUCTIVE = [
    "settings.end_session",
    "settings.end_others",
    "sharing.revoke",
    "contacts.remove",
    "groups.remove_member",
    "process_reviews.delete",
    "processes.delete",
    "journal.delete",
    "data.delete_account",
    "auth.logout",
]  # logout: the very last call of every role
# POSTs that make the caller a member/contact: after every other POST of that role.
JOINING = ["contacts.invitation", "groups.join"]

# A page that must show the owner's (or reader's) own content: proves the world is what we think.
MUST_SHOW = {
    ("journal.view", "owner"): "entry",
    ("processes.view", "owner"): "proc",
    ("sharing.thread", "owner"): "reply",
    ("sharing.thread", "reader"): "refl",
    ("groups.view", "owner"): "group",
    ("journal.index", "owner"): "private",
}


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint not in SKIP]


def _plan(app, world, role):
    adapter = app.url_map.bind("localhost")
    calls = []
    for rule in _rules(app):
        values = {k: v for k, v in route_values(world, rule.endpoint, role).items() if k in rule.arguments}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = adapter.build(rule.endpoint, values, method=method)
            if method == "GET":
                phase = 0
            elif rule.endpoint == "auth.logout":
                phase = 100
            elif rule.endpoint in DESTRUCTIVE:
                phase = 3 + DESTRUCTIVE.index(rule.endpoint)
            elif rule.endpoint in JOINING:
                # the owner's own links answer 400/409 and must run before the group is gone;
                # everyone else joins last, once every other cell has been tried as an outsider
                phase = 2 if role == "owner" else 99
            else:
                phase = 1
            calls.append((phase, rule.endpoint, method, url))
    return sorted(calls)


def test_every_rule_has_a_row(app):
    in_map = {(r.endpoint, m) for r in _rules(app) for m in r.methods - {"HEAD", "OPTIONS"}}
    missing = sorted(in_map - set(TABLE))
    assert not missing, f"routes without a row in tests/security/test_sec_routes.py TABLE: {missing}"
    stale = sorted(set(TABLE) - in_map)
    assert not stale, f"TABLE rows for routes that no longer exist: {stale}"
    for key, cells in TABLE.items():
        assert set(cells) == set(ROLES), key


@pytest.mark.parametrize("role", ROLES)
def test_route_matrix(app, role):
    world = build_world(app)
    client = login_client(app, role)
    token = token_for(client, logged_in=role != "anon")
    problems = []
    seen_group_link = False
    for _phase, endpoint, method, url in _plan(app, world, role):
        if method == "GET":
            r = client.get(url)
        else:
            r = client.post(url, data={"csrf_token": token})
        expected = TABLE[(endpoint, method)][role]
        allowed = expected if isinstance(expected, tuple) else (expected,)
        body = r.get_data(as_text=True) if r.mimetype.startswith(("text/", "application/json")) else ""
        head = "\n".join(f"{k}: {v}" for k, v in r.headers.items())
        where = f"{role:8} {method:4} {url} ({endpoint})"
        if r.status_code >= 500:
            problems.append(f"{where}: {r.status_code}")
        elif r.status_code not in allowed:
            problems.append(f"{where}: expected {expected}, got {r.status_code}")
        if (
            r.status_code == 302
            and expected == 302
            and role == "anon"
            and method == "GET"
            and endpoint not in ("auth.second_factor",)
        ) and not r.headers["Location"].startswith("/login"):
            problems.append(f"{where}: redirects to {r.headers['Location']}, not to the login page")
        if endpoint == "groups.join":
            # Whoever holds a group link may see the group's name (the join page names it).
            seen_group_link = True
        leaked = world.leaks(role, body + "\n" + head)
        if seen_group_link:
            leaked = [k for k in leaked if k != "group"]
        if r.mimetype in ("application/zip", "application/pdf") and role != "owner":
            leaked += world.leaks(role, r.get_data().decode("latin-1"))
        if leaked:
            problems.append(f"{where}: LEAKS {leaked}")
        want = MUST_SHOW.get((endpoint, role))
        if want and method == "GET" and world.markers[want] not in body:
            problems.append(f"{where}: does not show the {want} marker (is the world right?)")
    assert not problems, "\n" + "\n".join(problems)
