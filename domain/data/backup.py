"""Backups hold only what the database holds: ciphertext, wrapped keys, ids and timestamps.

SQLite: the online backup API copies a consistent snapshot while the app keeps running.
PostgreSQL: pg_dump / pg_restore (custom format), driven with the same connection URL.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    pass


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    u = make_url(url)
    args = ["-h", u.host or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres"]
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = u.password
    return args + ["-d", u.database or "postgres"], env


def _sqlite_copy(source: str | Path, target: str | Path) -> None:
    """SQLite's online backup API: a consistent page-by-page copy, safe while others write."""
    try:
        src = sqlite3.connect(source)
        dst = sqlite3.connect(target)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite: {exc}") from exc


def _run(tool: str, argv: list[str], env: dict[str, str]) -> None:
    """Run pg_dump / pg_restore; on failure the tool's own message is what the operator sees."""
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed on this machine.")
    done = subprocess.run([tool, *argv], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = (done.stderr or done.stdout or "").strip() or "no message"
        raise BackupError(f"{tool} failed (exit status {done.returncode}):\n{message}")


def backup(database_url: str, target: Path) -> Path:
    u = make_url(database_url)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if u.get_backend_name() == "sqlite":
        _sqlite_copy(u.database, target)
    elif u.get_backend_name() == "postgresql":
        args, env = _pg_args(database_url)
        _run("pg_dump", ["--format=custom", "--no-owner", "--file", str(target), *args], env)
    else:
        raise BackupError(f"No backup method for {u.get_backend_name()}.")
    os.chmod(target, 0o600)
    return target


def restore(database_url: str, source: Path) -> None:
    """Replace the database's content with the backup's. The app must be stopped."""
    u = make_url(database_url)
    source = Path(source)
    if not source.exists():
        raise BackupError(f"{source} does not exist.")
    if u.get_backend_name() == "sqlite":
        _sqlite_copy(source, u.database)
    elif u.get_backend_name() == "postgresql":
        args, env = _pg_args(database_url)
        _run("pg_restore", ["--clean", "--if-exists", "--no-owner", *args, str(source)], env)
    else:
        raise BackupError(f"No restore method for {u.get_backend_name()}.")
