"""Readiness: can this process serve requests right now? Database reachable, schema at the
migration head, Redis reachable when rate limits live there. Answers are yes/no plus a short
reason for the operator's log; the HTTP answer itself says nothing more than ready or not."""
from __future__ import annotations

import functools
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@functools.cache
def _scripts() -> tuple[str, frozenset[str]]:
    """(head, every revision) of the migrations in the code. Read once per process: the code does
    not change under a running process, and parsing the scripts on every probe would not be cheap."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    cfg = Config(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(cfg)
    return script.get_current_head() or "", frozenset(r.revision for r in script.walk_revisions())


def script_head() -> str:
    return _scripts()[0]


def database_problem(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as exc:  # any driver error means "not reachable" for a probe
        return f"database unreachable ({type(exc).__name__})"
    head, known = _scripts()
    if version != head and version in known:
        return f"database schema at {version}, code expects {head} (run flask db upgrade)"
    # A revision this code does not know is a newer release's: during a rolling upgrade the
    # database is upgraded first and old instances keep serving until they are switched.
    return None


def redis_problem(storage_uri: str) -> str | None:
    if not storage_uri.startswith(("redis://", "rediss://", "redis+unix://")):
        return None
    import redis
    try:
        client = redis.Redis.from_url(storage_uri.replace("redis+unix://", "unix://"),
                                      socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError) as exc:
        return f"redis unreachable ({type(exc).__name__})"
    return None


def problems(engine: Engine, storage_uri: str) -> list[str]:
    return [p for p in (database_problem(engine), redis_problem(storage_uri)) if p]


def secret_problem(secret: bytes) -> list[str]:
    """An instance given the wrong secret would answer every login with "not right": not ready."""
    from domain.core import server_keys
    try:
        server_keys.index_key(secret)
    except server_keys.SecretMismatch:
        return ["FOKUS_SECRET_KEY does not open the login index key"]
    except SQLAlchemyError as exc:
        return [f"database unreachable ({type(exc).__name__})"]
    return []
