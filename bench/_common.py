"""Shared pieces of the benchmarks: the app on a fresh database, the hello-world baseline, timing.

Benchmarks print ratios against a plain Flask hello-world page measured in the same run, so the
numbers mean something on any machine; nothing here asserts a time."""
from __future__ import annotations

import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
# Fast argon2 for setting up accounts only: the benchmarks are not about the login.
FAST_ARGON2 = {"FOKUS_ARGON2_MEMORY_KIB": "8", "FOKUS_ARGON2_TIME_COST": "1", "FOKUS_ARGON2_PARALLELISM": "1",
               "ARGON2_FLOOR": (8, 1, 1), "RATELIMIT_ENABLED": False}


def median_ms(fn, runs: int) -> float:
    fn()  # warm-up (templates compiled, caches filled)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def hello_world_client():
    from flask import Flask
    hello = Flask("hello")
    hello.add_url_rule("/", "hello", lambda: "Hello, world!")
    return hello.test_client()


def make_app(db_url: str, instance: Path):
    """The Fokus app on `db_url`, migrated to the newest schema."""
    os.environ["FOKUS_INSTANCE_PATH"] = str(instance)
    from flask_migrate import upgrade

    from app import create_app
    app = create_app({"FOKUS_SECRET_KEY": SECRET, "FOKUS_DATABASE_URL": db_url, **FAST_ARGON2})
    with app.app_context():
        upgrade()
    return app


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html).group(1)
