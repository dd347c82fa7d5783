"""Rate limits (Flask-Limiter). Storage comes from FOKUS_RATELIMIT_STORAGE so several app
processes can share counters in Redis; the default keeps them in memory for one process."""
from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
