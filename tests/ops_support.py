"""Fixtures shared by the tests/test_ops_*.py files (operations: probes, metrics, rotation)."""
from __future__ import annotations

import os

import pytest

from domain.db import db
from tests.conftest import base_config


@pytest.fixture(name="make_app")
def make_app_fixture(db_url, tmp_path, monkeypatch):
    """Apps on the test database with settings changed; FOKUS_* variables of the calling shell
    cannot leak in."""
    from app import create_app
    for name in [k for k in os.environ if k.startswith("FOKUS_")] + ["FLASK_DEBUG"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FOKUS_INSTANCE_PATH", str(tmp_path / "instance"))
    made = []

    def make(**overrides):
        application = create_app(base_config(db_url, tmp_path / "instance") | overrides)
        made.append(application)
        return application
    yield make
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
