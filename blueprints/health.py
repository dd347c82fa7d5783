"""/healthz, /readyz and /metrics for load balancers and Prometheus.

No login, no session, no database writes, no rate limit: probes hit these every few seconds on
every instance. They say "ok" or "unready" and nothing else; the reason goes to the log.
/metrics exists only when FOKUS_METRICS_TOKEN is set and then wants `Authorization: Bearer <token>`.
"""
from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, current_app, request

from blueprints.limits import limiter
from domain.core import observability
from domain.core.db import db
from domain.ops import readiness

bp = Blueprint("health", __name__)
limiter.exempt(bp)


def _plain(body: str, status: int = 200) -> Response:
    return Response(body + "\n", status=status, mimetype="text/plain")


@bp.get("/healthz")
def healthz():
    """The process is alive and answering (nothing else is checked)."""
    return _plain("ok")


@bp.get("/readyz")
def readyz():
    problems = readiness.problems(db.engine, str(current_app.config.get("RATELIMIT_STORAGE_URI") or ""))
    if not problems:
        problems = readiness.secret_problem(str(current_app.config["SECRET_KEY"]).encode())
    if problems:
        current_app.logger.warning("not ready: %s", "; ".join(problems))
        return _plain("unready", 503)
    return _plain("ready")


@bp.get("/metrics")
def metrics():
    token = str(current_app.config.get("METRICS_TOKEN") or "")
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        abort(404)  # the same answer as "not configured": nothing to learn by probing
    return Response(observability.exposition(), mimetype="text/plain; version=0.0.4; charset=utf-8")
