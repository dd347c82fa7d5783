"""Settings from FOKUS_* environment variables, with safe defaults and a production gate.

Every setting is listed in SETTINGS so README's configuration table and the code cannot drift
(tests/test_config.py checks that README mentions each one).
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from domain.core.keyring import OWASP_FLOOR


@dataclass(frozen=True)
class Setting:
    env: str
    key: str
    default: object
    parse: Callable[[str], object]
    help: str


def _bool(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


def _secret_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


SETTINGS: tuple[Setting, ...] = (
    Setting("FOKUS_ENV", "FOKUS_ENV", "development", str,
            "`production` turns on secure cookies, HSTS and the start-up safety checks"),
    Setting("FOKUS_SECRET_KEY", "SECRET_KEY", None, str,
            "server secret (>= 32 characters); required in production; in development generated once "
            "into instance/secret_key (0600)"),
    Setting("FOKUS_DATABASE_URL", "SQLALCHEMY_DATABASE_URI", None, str,
            "SQLAlchemy URL; default SQLite in instance/fokus.db; PostgreSQL: postgresql+psycopg://..."),
    Setting("FOKUS_IDLE_TIMEOUT_MINUTES", "IDLE_TIMEOUT_MINUTES", 30, int,
            "a session with no request for this long is ended"),
    Setting("FOKUS_ABSOLUTE_TIMEOUT_HOURS", "ABSOLUTE_TIMEOUT_HOURS", 12, int,
            "a session ends this long after login, whatever happens"),
    Setting("FOKUS_FRESH_LOGIN_MINUTES", "FRESH_LOGIN_MINUTES", 5, int,
            "sensitive actions ask for the password again after this long"),
    Setting("FOKUS_ARGON2_MEMORY_KIB", "ARGON2_MEMORY_KIB", 65536, int,
            "argon2id memory for new and upgraded passwords (RFC 9106: 64 MiB)"),
    Setting("FOKUS_ARGON2_TIME_COST", "ARGON2_TIME_COST", 3, int, "argon2id passes"),
    Setting("FOKUS_ARGON2_PARALLELISM", "ARGON2_PARALLELISM", 4, int, "argon2id lanes"),
    Setting("FOKUS_KDF_CONCURRENCY", "KDF_CONCURRENCY", 2, int,
            "password derivations running at once per process (caps memory under a login flood)"),
    Setting("FOKUS_MAX_REQUEST_KB", "MAX_REQUEST_KB", 512, int, "largest accepted request body"),
    Setting("FOKUS_PROXY_COUNT", "PROXY_COUNT", 0, int,
            "number of reverse proxies in front (trust their X-Forwarded-* headers)"),
    Setting("FOKUS_RATELIMIT_STORAGE", "RATELIMIT_STORAGE_URI", "memory://", str,
            "Flask-Limiter storage; use redis://host:6379 when running several processes"),
    Setting("FOKUS_SMTP_HOST", "SMTP_HOST", "", str,
            "mail server for sending invitation links (optional; without it invites are links and QR codes)"),
    Setting("FOKUS_SMTP_PORT", "SMTP_PORT", 587, int, "mail server port"),
    Setting("FOKUS_SMTP_USER", "SMTP_USER", "", str, "mail server login (optional)"),
    Setting("FOKUS_SMTP_PASSWORD", "SMTP_PASSWORD", "", str, "mail server password (optional)"),
    Setting("FOKUS_SMTP_FROM", "SMTP_FROM", "fokus@localhost", str, "sender address of invitation mails"),
    Setting("FOKUS_SMTP_STARTTLS", "SMTP_STARTTLS", True, _bool, "use STARTTLS (on by default)"),
    Setting("FOKUS_OLD_SECRET_KEYS", "OLD_SECRET_KEYS", (), _secret_list,
            "other server secrets, comma-separated, still accepted during a secret rotation "
            "(docs/deploy.md); remove them when `flask fokus rotate-secret` says so"),
    Setting("FOKUS_METRICS_TOKEN", "METRICS_TOKEN", "", str,
            "turns on /metrics for Prometheus, which must send `Authorization: Bearer <token>`"),
    Setting("FOKUS_LOG_FORMAT", "LOG_FORMAT", "", str,
            "`json` (one object per line, default in production) or `text`"),
    Setting("FOKUS_DEMO_LOGIN_HINT", "DEMO_LOGIN_HINT", False, _bool,
            "show the demo credentials on the login page (for `make demo` only)"),
    Setting("FOKUS_WEBAUTHN_RP_ID", "WEBAUTHN_RP_ID", "", str,
            "passkey relying party id, the site's domain (e.g. fokus.example.org); default: the request's host"),
    Setting("FOKUS_WEBAUTHN_ORIGIN", "WEBAUTHN_ORIGIN", "", str,
            "passkey origin (e.g. https://fokus.example.org); default: the request's scheme and host"),
)


def instance_secret(instance_path: Path) -> str:
    """Read instance/secret_key, creating it (mode 0600) with 64 random bytes on first run.

    The key is written to a private temporary file and then linked into place, which fails if the
    file exists: several workers starting at once all end up with the one complete key, never a
    half-written or empty one."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / "secret_key"
    if not path.exists():
        tmp = instance_path / f".secret_key.{secrets.token_hex(8)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(64))
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process won the race; use its key
        finally:
            tmp.unlink()
    secret = path.read_text().strip()
    if len(secret) < 32:
        raise ConfigError(f"{path} is empty or too short; delete it to have a new one made, "
                          "or set FOKUS_SECRET_KEY")
    return secret


def from_environment(environ: dict[str, str], instance_path: Path) -> dict[str, object]:
    cfg: dict[str, object] = {}
    for s in SETTINGS:
        raw = environ.get(s.env)
        if raw is None or raw == "":
            cfg[s.key] = s.default
            continue
        try:
            cfg[s.key] = s.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{s.env}: cannot read {raw!r} ({exc})") from exc
    if not cfg["SECRET_KEY"]:
        if cfg["FOKUS_ENV"] == "production":
            # Several processes would each invent their own secret: one shared secret is required.
            raise ConfigError("Fokus refuses to start in production:\n- FOKUS_SECRET_KEY is not set "
                              "(every app process needs the same secret; nothing is generated in production)")
        cfg["SECRET_KEY"] = instance_secret(instance_path)
    if not cfg["SQLALCHEMY_DATABASE_URI"]:
        cfg["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_path / 'fokus.db'}"
    if cfg["OLD_SECRET_KEYS"]:
        # Cookies signed with a previous secret stay valid (Flask and itsdangerous sign with the
        # last key of the list and accept all of them), so a rotation logs nobody out.
        cfg["SECRET_KEY_FALLBACKS"] = list(cfg["OLD_SECRET_KEYS"])  # type: ignore[call-overload]
        cfg["WTF_CSRF_SECRET_KEY"] = [*cfg["OLD_SECRET_KEYS"], cfg["SECRET_KEY"]]  # type: ignore[misc]
    return cfg


class ConfigError(RuntimeError):
    """The configuration is unusable or unsafe; the message says which setting and why."""


def production_problems(cfg: dict[str, object]) -> list[str]:
    """Reasons a production deployment must not start. Empty list: good to go."""
    problems = []
    secret = str(cfg.get("SECRET_KEY") or "")
    if len(secret) < 32:
        problems.append("FOKUS_SECRET_KEY must be at least 32 characters of random data")
    if cfg.get("DEBUG") or os.environ.get("FLASK_DEBUG") in {"1", "true"}:
        problems.append("debug mode must be off (unset FLASK_DEBUG)")
    m, t, p = OWASP_FLOOR
    if (int(cfg["ARGON2_MEMORY_KIB"]) < m or int(cfg["ARGON2_TIME_COST"]) < t  # type: ignore[arg-type]
            or int(cfg["ARGON2_PARALLELISM"]) < p):  # type: ignore[arg-type]
        problems.append(f"argon2 parameters are below the OWASP minimum (m={m} KiB, t={t}, p={p})")
    if cfg.get("DEMO_LOGIN_HINT"):
        problems.append("FOKUS_DEMO_LOGIN_HINT must be off")
    if int(cfg["IDLE_TIMEOUT_MINUTES"]) <= 0 or int(cfg["ABSOLUTE_TIMEOUT_HOURS"]) <= 0:  # type: ignore[arg-type]
        problems.append("session timeouts must be positive")
    return problems
