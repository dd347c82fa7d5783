"""Server secret rotation: FOKUS_OLD_SECRET_KEYS keeps everyone logged in and findable, and
`flask fokus rotate-secret` re-seals what the database keeps under the secret, so the old secret
can then be dropped without anyone noticing."""
from __future__ import annotations

import pytest

from domain.accounts import account as accounts
from domain.core import server_keys
from domain.core.db import db
from domain.core.models import GroupMember, User
from domain.groups import membership as groups
from domain.journal import entries as journal
from tests.conftest import PASSWORD, TEST_SECRET, Auth

NEW_SECRET = "the-new-server-secret-after-rotation-0123456789"
NEWER_SECRET = "an-even-newer-server-secret-for-round-two-98765"
COOKIE = "fokus"


def _move(client, to_app):
    """The same browser, now answered by an instance with another configuration."""
    other = to_app.test_client()
    other.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return other


def _rotate(app) -> str:
    result = app.test_cli_runner().invoke(args=["fokus", "rotate-secret"])
    assert result.exit_code == 0, result.output
    return result.output


def _lead_a_group(app, login: str) -> str:
    with app.app_context():
        policy = app.extensions["fokus_kdf"]
        found = accounts.authenticate(policy, TEST_SECRET.encode(), login, PASSWORD)
        assert found is not None
        user, key = found
        journal.create(user, key, {"kind": "hard_session", "title": "kept"})
        group = groups.create(user, key, "Seminar", 3, TEST_SECRET.encode())
        db.session.commit()
        return group.id


def test_rotation_logs_nobody_out_and_the_old_secret_can_then_go(make_app):
    old = make_app()
    browser = old.test_client()
    Auth(browser).signup(login="rotating-therapist")
    group_id = _lead_a_group(old, "rotating-therapist")

    # 0. Once, before anything changes: the login-index key is escrowed under the current secret.
    assert "Ready to rotate" in _rotate(old)
    # 1. Every instance accepts the new secret without using it yet; 2. then switches to it. While
    # instances are reloaded one by one, a browser goes back and forth between both kinds.
    accepting = make_app(FOKUS_SECRET_KEY=TEST_SECRET, FOKUS_OLD_SECRET_KEYS=NEW_SECRET)
    switched = make_app(FOKUS_SECRET_KEY=NEW_SECRET, FOKUS_OLD_SECRET_KEYS=TEST_SECRET)
    for instance in (accepting, switched, accepting, switched):
        browser = _move(browser, instance)
        assert browser.get("/settings/").status_code == 200  # still logged in
    newcomer = switched.test_client()
    Auth(newcomer).signup(login="joined-mid-rotation")

    # 3. The operator re-seals what the database keeps under the secret.
    out = _rotate(switched)
    assert "Group pseudonyms re-sealed: 1" in out
    assert "Keep FOKUS_OLD_SECRET_KEYS until" in out  # a session from before may still be out there
    assert "Group pseudonyms re-sealed: 0" in _rotate(switched)  # running again only reports

    # 4. The old secret is dropped.
    after = make_app(FOKUS_SECRET_KEY=NEW_SECRET)
    browser = _move(browser, after)
    assert browser.get("/settings/").status_code == 200
    assert browser.get("/entries").status_code == 200
    assert after.test_client().get("/readyz").status_code == 200
    fresh = Auth(after.test_client())
    for login in ("rotating-therapist", "joined-mid-rotation"):
        r = fresh.login(login=login)
        assert r.status_code == 302 and "/login" not in r.headers["Location"], login
        fresh.logout()
    with after.app_context():
        member = db.session.query(GroupMember).filter_by(group_id=group_id).one()
        assert groups.open_pseudonym(group_id, member, NEW_SECRET.encode())


def test_a_second_rotation_and_a_wrong_secret(make_app):
    first = make_app()
    Auth(first.test_client()).signup(login="twice-rotated")
    _rotate(first)
    _rotate(make_app(FOKUS_SECRET_KEY=NEW_SECRET, FOKUS_OLD_SECRET_KEYS=TEST_SECRET))
    _rotate(make_app(FOKUS_SECRET_KEY=NEWER_SECRET, FOKUS_OLD_SECRET_KEYS=NEW_SECRET))
    latest = make_app(FOKUS_SECRET_KEY=NEWER_SECRET)
    r = Auth(latest.test_client()).login(login="twice-rotated")
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
    # Retired secrets open nothing any more: an instance left on one is not ready.
    stale = make_app(FOKUS_SECRET_KEY=NEW_SECRET)
    assert stale.test_client().get("/readyz").status_code == 503
    with stale.app_context(), pytest.raises(server_keys.SecretMismatch):
        server_keys.index_key(NEW_SECRET.encode())


def test_old_secrets_before_the_first_escrow_are_refused_not_guessed(make_app):
    Auth(make_app().test_client()).signup(login="not-yet-escrowed")
    early = make_app(FOKUS_SECRET_KEY=NEW_SECRET, FOKUS_OLD_SECRET_KEYS=TEST_SECRET)
    assert early.test_client().get("/readyz").status_code == 503
    result = early.test_cli_runner().invoke(args=["fokus", "rotate-secret"])
    assert result.exit_code != 0 and "run `flask fokus rotate-secret` once" in result.output
    out = _rotate(make_app())
    assert "Ready to rotate" in out and "Sessions begun" not in out
    out = _rotate(make_app(FOKUS_SECRET_KEY=NEW_SECRET, FOKUS_OLD_SECRET_KEYS=TEST_SECRET))
    assert "Keep FOKUS_OLD_SECRET_KEYS until" in out


def test_with_nothing_from_before_the_old_secret_can_go_at_once(make_app):
    _rotate(make_app())
    out = _rotate(make_app(FOKUS_SECRET_KEY=NEW_SECRET, FOKUS_OLD_SECRET_KEYS=TEST_SECRET))
    assert "can be dropped now" in out  # no sessions, no groups: nothing depends on the old secret


def test_before_any_rotation_the_index_is_the_one_it_always_was(app, auth):
    auth.signup(login="unchanged-index")
    from domain.core import keyring
    with app.app_context():
        user = db.session.query(User).one()
        assert user.login_index == keyring.blind_index(TEST_SECRET.encode(), "unchanged-index")


def test_forms_and_kept_drafts_from_before_the_rotation_still_work(make_app):
    """A form opened before the switch posts fine after it, and text kept through a session
    timeout (sealed under the old secret) comes back after logging in on the new one."""
    import re

    from tests.conftest import csrf_from
    old = make_app()
    browser = old.test_client()
    Auth(browser).signup(login="typing-therapist")
    _rotate(old)
    page = browser.get("/entries/new/hard_session").get_data(as_text=True)
    token = csrf_from(page)
    draft = re.search(r'name="draft_id" type="hidden" value="([0-9a-f]*)"', page).group(1)

    during = make_app(FOKUS_SECRET_KEY=NEW_SECRET, FOKUS_OLD_SECRET_KEYS=TEST_SECRET)
    browser = _move(browser, during)
    r = browser.post("/entries/new/hard_session", data={
        "csrf_token": token, "draft_id": draft, "kind": "hard_session", "action": "save",
        "supervision": "no", "what_happened": "typed before the rotation"})
    assert r.status_code == 302 and "/entries/" in r.headers["Location"]

    anonymous = old.test_client()
    page = anonymous.get("/login").get_data(as_text=True)
    r = anonymous.post("/entries/new/hard_session", data={
        "csrf_token": csrf_from(page), "kind": "hard_session", "action": "save", "supervision": "no",
        "what_happened": "kept-through-the-rotation"})
    assert r.status_code == 401
    login_page = r.get_data(as_text=True)
    resume = re.search(r'name="resume" type="hidden" value="([^"]+)"', login_page).group(1)
    later = _move(anonymous, during)
    r = later.post("/login", data={"csrf_token": csrf_from(login_page), "login": "typing-therapist",
                                   "password": PASSWORD, "resume": resume})
    assert r.status_code == 200 and "kept-through-the-rotation" in r.get_data(as_text=True)
