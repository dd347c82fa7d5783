"""Per-request transaction mode: requests that may write begin their SQLite transactions
IMMEDIATE (see domain.db). Registered first, before any hook that reads the database."""
from __future__ import annotations

from flask import Flask, request

from domain.core.db import begin_writes

READ_ONLY = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, _declare)
    app.teardown_request(_reset)


def _declare() -> None:
    begin_writes(request.method not in READ_ONLY)


def _reset(_exc) -> None:
    begin_writes(False)
