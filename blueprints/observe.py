"""Per-request bookkeeping: a request id, one JSON access line and the Prometheus counters.

The access line names the route (`journal.entry`), never the path (ids, invitation tokens) or the
query string, and nothing from the request body.
"""
from __future__ import annotations

import logging
import re
import secrets
import sys
import time

from flask import Flask, Response, g, has_request_context, request

from domain.core import observability
from domain.core.db import db

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("fokus.access")


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g and not hasattr(record, "request_id"):
            record.request_id = g.request_id
        return True


def init_app(app: Flask) -> None:
    # First of all before_request hooks: the rate limiter refuses in its own hook, and a refusal
    # must still get a request id, a log line and a count.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
    with app.app_context():
        observability.watch_pool(db.engine)
    fmt = str(app.config.get("LOG_FORMAT") or "")
    if fmt == "json" or (not fmt and app.config["FOKUS_ENV"] == "production"):
        _json_logging(app)


def _json_logging(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(observability.JsonFormatter())
    handler.addFilter(_RequestIdFilter())
    for logger in (app.logger, access_log):
        logger.handlers[:] = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _SANE_ID.match(given) else secrets.token_hex(16)
    g.started = time.perf_counter()


def _finish(response: Response) -> Response:
    if "started" not in g:  # a request that failed before our before_request ran
        return response
    seconds = time.perf_counter() - g.started
    route = request.endpoint or "unmatched"  # a rule name, never the path: no ids or tokens
    method = request.method if request.method in _METHODS else "other"  # label values stay few
    observability.observe_request(route, method, response.status_code, seconds)
    response.headers["X-Request-ID"] = g.request_id
    access_log.info("request", extra={"request_id": g.request_id, "method": method,
                                      "route": route, "status": response.status_code,
                                      "duration_ms": round(seconds * 1000, 1), "event": "access"})
    return response
