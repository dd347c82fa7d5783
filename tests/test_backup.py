"""Backup and restore: a backup holds only ciphertext, and restoring it into a fresh database lets
the user log in and read their journal again."""
import re
import shutil

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from domain.core.db import db
from tests.conftest import Auth, base_config, csrf_from, search


def _write(client, text_):
    page = client.get("/entries/new/hard_session").get_data(as_text=True)
    draft = re.search(r'name="draft_id" type="hidden" value="([0-9a-f]+)"', page).group(1)
    assert client.post("/entries/new/hard_session", data={
        "csrf_token": csrf_from(page), "draft_id": draft, "kind": "hard_session", "what_happened": text_,
        "action": "save"}).status_code == 302


def _fresh_url(app, tmp_path, db_template):
    kind, where = db_template
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.db'}"
    url = where.rsplit("/", 1)[0] + "/fokus_restore_target"
    admin = create_engine(where.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text('DROP DATABASE IF EXISTS "fokus_restore_target" WITH (FORCE)'))
        c.execute(text('CREATE DATABASE "fokus_restore_target"'))
    admin.dispose()
    return url


def test_backup_restore_roundtrip(app, client, auth, tmp_path, db_template):
    if db_template[0] == "postgresql" and shutil.which("pg_dump") is None:
        pytest.fail("pg_dump missing")
    auth.signup()
    _write(client, "MARKERbackup the baby slept through the review")
    target = tmp_path / "fokus.backup"
    result = app.test_cli_runner().invoke(args=["fokus", "backup", str(target)])
    assert result.exit_code == 0, result.output
    assert b"MARKERbackup" not in target.read_bytes()
    assert (target.stat().st_mode & 0o777) == 0o600
    url = _fresh_url(app, tmp_path, db_template)
    restored = create_app(base_config(url, tmp_path / "inst2"))
    r = restored.test_cli_runner().invoke(args=["fokus", "restore", str(target), "--yes"])
    assert r.exit_code == 0, r.output
    c = restored.test_client()
    assert Auth(c).login().status_code == 302
    assert "MARKERbackup" in search(c, "q=MARKERbackup").get_data(as_text=True)
    with restored.app_context():
        db.engine.dispose()
