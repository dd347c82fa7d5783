"""`flask --app app fokus ...`: creating an account from the shell and raising argon2 parameters."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app import create_app
from domain.core.db import db
from domain.core.models import ServerSetting, User
from tests.conftest import PASSWORD, Auth, base_config

NEW_PASSWORD = "violet umbrella orbit canyon 77"


def stored_params(app) -> list[tuple[int, int, int]]:
    with app.app_context():
        return [(u.kdf_memory_kib, u.kdf_time_cost, u.kdf_parallelism)
                for u in db.session.scalars(select(User))]


def run(app, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(args=["fokus", *args], input=input)


# --------------------------------------------------------------------------- create-user

def test_create_user_prints_a_recovery_code_and_the_account_works(app, client):
    result = run(app, "create-user", "--login", "shell-user", "--name", "Shelly Shell",
                 "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    code = re.search(r"([A-Z2-7]{4}(?:-[A-Z2-7]{4}){7})", result.output).group(1)
    assert PASSWORD not in result.output
    auth = Auth(client)
    r = auth.login("shell-user")
    # The code was handed over outside the app: the user confirms a fresh one at first login.
    assert r.status_code == 302 and r.headers["Location"].endswith("/recovery-code")
    auth.post("/recovery-code", {"last_group": auth.pending_code().split("-")[-1]})
    assert "Logged in as Shelly Shell" in client.get("/settings/").get_data(as_text=True)
    assert code  # printed once; replaced by the one shown at first login


def test_create_user_prompts_for_what_is_missing(app, client):
    result = run(app, "create-user", input=f"prompted-user\nPriya Prompt\n{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert Auth(client).login("prompted-user").status_code == 302


def test_create_user_recovery_code_from_the_shell_works(app, client):
    result = run(app, "create-user", "--login", "shell-user", "--name", "Shelly Shell",
                 "--password", PASSWORD)
    code = re.search(r"([A-Z2-7]{4}(?:-[A-Z2-7]{4}){7})", result.output).group(1)
    auth = Auth(client)
    r = auth.post("/recover", {"login": "shell-user", "recovery_code": code,
                               "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302
    # The same account, now behind the new password (the old one no longer opens it), and the
    # profile sealed under the same user key still reads.
    auth.post("/recovery-code", {"last_group": auth.pending_code().split("-")[-1]})
    assert "Logged in as Shelly Shell" in client.get("/settings/").get_data(as_text=True)
    auth.logout()
    assert auth.login("shell-user", PASSWORD).status_code == 400
    assert auth.login("shell-user", NEW_PASSWORD).status_code == 302
    assert "Logged in as Shelly Shell" in client.get("/settings/").get_data(as_text=True)
    # The printed code worked once.
    auth.logout()
    r = auth.post("/recover", {"login": "shell-user", "recovery_code": code,
                               "password": PASSWORD, "confirm": PASSWORD})
    assert r.status_code == 400


@pytest.mark.parametrize("password, message", [
    ("short", "at least 12"), ("password1234", "too easy to guess"),
])
def test_create_user_refuses_weak_passwords(app, password, message):
    result = run(app, "create-user", "--login", "shell-user", "--name", "Shelly Shell",
                 "--password", password)
    assert result.exit_code != 0 and message in result.output
    with app.app_context():
        assert db.session.scalar(select(User)) is None


def test_create_user_refuses_a_taken_login(app):
    args = ("create-user", "--login", "shell-user", "--name", "Shelly Shell", "--password", PASSWORD)
    assert run(app, *args).exit_code == 0
    result = run(app, "create-user", "--login", "Shell-User", "--name", "Other", "--password", PASSWORD)
    assert result.exit_code != 0 and "taken" in result.output


# --------------------------------------------------------------------------- raise-kdf

def test_raise_kdf_upgrades_stored_params_at_the_next_login(app, auth, client):
    auth.signup()
    auth.logout()
    assert stored_params(app) == [(8, 1, 1)]
    result = run(app, "raise-kdf", "--memory-kib", "16", "--time-cost", "2", "--parallelism", "1")
    assert result.exit_code == 0, result.output
    assert "m=16 KiB, t=2, p=1" in result.output
    assert stored_params(app) == [(8, 1, 1)]  # nothing happens until the user logs in
    assert auth.login().status_code == 302
    assert stored_params(app) == [(16, 2, 1)]
    assert "Logged in as Tess Therapist" in client.get("/settings/").get_data(as_text=True)
    auth.logout()
    assert auth.login().status_code == 302  # the re-derived password works
    assert stored_params(app) == [(16, 2, 1)]


def test_raised_target_applies_to_new_accounts_and_password_changes(app, auth, client):
    run(app, "raise-kdf", "--memory-kib", "16", "--time-cost", "2", "--parallelism", "1")
    auth.signup()
    assert stored_params(app) == [(16, 2, 1)]


def test_a_wrong_password_does_not_upgrade(app, auth, client):
    auth.signup()
    auth.logout()
    run(app, "raise-kdf", "--memory-kib", "16", "--time-cost", "2", "--parallelism", "1")
    auth.login(password="not the right password")
    assert stored_params(app) == [(8, 1, 1)]


def test_raise_kdf_never_lowers(app):
    run(app, "raise-kdf", "--memory-kib", "32", "--time-cost", "3", "--parallelism", "2")
    result = run(app, "raise-kdf", "--memory-kib", "16", "--time-cost", "4", "--parallelism", "1")
    assert result.exit_code == 0
    assert "m=32 KiB, t=4, p=2" in result.output


def test_raise_kdf_refuses_parameters_below_the_owasp_floor_outside_tests(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("FOKUS_INSTANCE_PATH", str(tmp_path / "instance"))
    strict = create_app(base_config(db_url, tmp_path / "instance") | {"TESTING": False})
    try:
        result = run(strict, "raise-kdf", "--memory-kib", "16", "--time-cost", "2", "--parallelism", "1")
        assert result.exit_code != 0 and "OWASP" in result.output
        with strict.app_context():
            assert db.session.get(ServerSetting, "argon2_target") is None
    finally:
        with strict.app_context():
            db.session.remove()
            db.engine.dispose()


def test_raise_kdf_needs_all_three_parameters(app):
    result = run(app, "raise-kdf", "--memory-kib", "16")
    assert result.exit_code != 0


def test_create_user_accepts_a_long_passphrase(app, client):
    long = ("a meadow of quiet violet umbrellas drifting over the canyon at dawn while gravel "
            "lanterns hum softly beside the mosaic thunder")
    result = run(app, "create-user", "--login", "long-user", "--name", "Lena Long", "--password", long)
    assert result.exit_code == 0, result.output
    assert Auth(client).login("long-user", long).status_code == 302
