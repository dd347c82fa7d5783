"""Rate limits (Flask-Limiter). Storage comes from FOKUS_RATELIMIT_STORAGE so several app
processes can share counters in Redis; the default keeps them in memory for one process.

When Redis cannot be reached, the limits keep working on in-process counters (Flask-Limiter's
in-memory fallback, which logs "Rate limit storage unreachable" as a warning and goes back to
Redis once it answers again): a login must not fail because the counter store is down. Counters
are then per process, so the limits are looser by the number of workers for that time.
"""
from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    if str(app.config.get("RATELIMIT_STORAGE_URI", "")).startswith(("redis://", "rediss://")):
        # Fail over in about a second instead of hanging a login on an unreachable host.
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1})
    limiter.init_app(app)
