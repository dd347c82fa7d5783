"""Review finding 10 (files): the SQLite database, its WAL and SHM, and the instance secret are
readable by their owner only, from the first write on."""
from __future__ import annotations

import os
import stat

from app import create_app
from domain.core.db import db
from tests.conftest import Auth, base_config


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_database_wal_shm_and_secret_are_created_0600(tmp_path, monkeypatch):
    monkeypatch.setenv("FOKUS_INSTANCE_PATH", str(tmp_path / "instance"))
    path = tmp_path / "instance" / "fresh.db"
    config = base_config(f"sqlite:///{path}", tmp_path / "instance")
    config.pop("FOKUS_SECRET_KEY")
    app = create_app(config)
    from flask_migrate import upgrade
    with app.app_context():
        upgrade()
    client = app.test_client()
    Auth(client).signup()
    files = [path, f"{path}-wal", f"{path}-shm", tmp_path / "instance" / "secret_key"]
    assert all(os.path.exists(p) for p in files), [p for p in files if not os.path.exists(p)]
    assert {str(p): _mode(p) for p in files} == {str(p): 0o600 for p in files}
    with app.app_context():
        db.engine.dispose()


def test_an_older_world_readable_database_is_tightened(tmp_path, monkeypatch):
    monkeypatch.setenv("FOKUS_INSTANCE_PATH", str(tmp_path / "instance"))
    path = tmp_path / "old.db"
    path.write_bytes(b"")
    os.chmod(path, 0o644)
    app = create_app(base_config(f"sqlite:///{path}", tmp_path / "instance"))
    assert _mode(path) == 0o600
    with app.app_context():
        db.engine.dispose()
