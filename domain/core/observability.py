"""Operator-facing counters and the JSON log format.

Metrics carry route names, status codes and outcome words only: never a path with ids, never a
login name, never anything a user wrote. Under gunicorn each worker writes its samples to files in
PROMETHEUS_MULTIPROC_DIR (prometheus_client's multiprocess mode) so one scrape sees every worker;
that variable must be set before this module is imported, which gunicorn.conf.py takes care of.
"""
from __future__ import annotations

import json
import logging
import os
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

REQUESTS = Counter("fokus_http_requests_total", "HTTP requests by route name, method and status",
                   ["route", "method", "status"])
LATENCY = Histogram("fokus_http_request_duration_seconds", "Time to answer, by route name",
                    ["route"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
LOGINS = Counter("fokus_logins_total", "Password logins by outcome", ["outcome"])
RATE_LIMITED = Counter("fokus_rate_limit_refusals_total", "Requests refused by a rate limit (429)",
                       ["route"])
DECRYPTION_FAILURES = Counter("fokus_decryption_failures_total",
                              "Sealed blobs that did not open (wrong key, tampering, corruption)")
POOL_CHECKED_OUT = Gauge("fokus_db_pool_checked_out", "Database connections in use",
                         multiprocess_mode="livesum")
POOL_OPEN = Gauge("fokus_db_pool_connections", "Database connections held open by the pool",
                  multiprocess_mode="livesum")


def count_login(success: bool) -> None:
    LOGINS.labels("success" if success else "failure").inc()


def count_decryption_failure() -> None:
    DECRYPTION_FAILURES.inc()


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(route, method, str(status)).inc()
    LATENCY.labels(route).observe(seconds)
    if status == 429:
        RATE_LIMITED.labels(route).inc()


def watch_pool(engine) -> None:
    """Follow connections in and out of the SQLAlchemy pool (gauges summed over live workers)."""
    from sqlalchemy import event
    event.listen(engine, "connect", lambda *_a: POOL_OPEN.inc())
    event.listen(engine, "close", lambda *_a: POOL_OPEN.dec())
    event.listen(engine, "checkout", lambda *_a: POOL_CHECKED_OUT.inc())
    event.listen(engine, "checkin", lambda *_a: POOL_CHECKED_OUT.dec())


def exposition() -> bytes:
    """The text format for a scrape: every worker's samples in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Only the fields named here, plus whatever the caller passed in
    `extra=` under FIELDS: callers decide what is safe, this class never dumps arbitrary state."""

    FIELDS = ("request_id", "method", "route", "status", "duration_ms", "event")

    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
               + f".{int(record.msecs):03d}Z", "level": record.levelname.lower(),
               "logger": record.name, "msg": record.getMessage()}
        for name in self.FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                out[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            out["exception"] = record.exc_info[0].__name__  # the type only: messages may hold input
        return json.dumps(out, separators=(",", ":"))
