"""gunicorn settings for production: `make serve`, or `gunicorn -c gunicorn.conf.py`.

Read by the gunicorn master before any worker starts. Tunables come from the environment
(FOKUS_BIND, FOKUS_WORKERS, FOKUS_THREADS, FOKUS_METRICS_DIR); the app's own settings are the
FOKUS_* variables in README.md. Graceful restart: `kill -HUP <master pid>` starts new workers with
fresh code and configuration and lets the old ones finish their requests (systemd: `reload`).
"""
import json
import logging
import multiprocessing
import os
import shutil
import sys
import tempfile
import time

wsgi_app = "app:create_app()"
bind = os.environ.get("FOKUS_BIND", "127.0.0.1:8000").split(",")

# Two threads' worth of work per core is plenty: most requests wait on the database, and the
# expensive part (argon2 at login) is capped per process by FOKUS_KDF_CONCURRENCY anyway.
workers = int(os.environ.get("FOKUS_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "gthread"
threads = int(os.environ.get("FOKUS_THREADS") or 4)
timeout = 60            # a 25 MB import on a slow disk; a stuck worker is killed after this
graceful_timeout = 30   # on HUP/TERM, requests in flight get this long to finish
keepalive = 5           # behind a proxy that reuses connections
max_requests = 5000     # recycle workers now and then, staggered so they never all restart at once
max_requests_jitter = 500
limit_request_line = 8190

# The app writes one JSON line per request (route name, status, duration, request id; no path, no
# query string), so gunicorn's own access log is off. Turn it on with --access-logfile - if you
# want it anyway: this format leaves out the query string (%(U)s is the path only).
accesslog = None
access_log_format = ('{"remote":"%(h)s","method":"%(m)s","path":"%(U)s","status":"%(s)s",'
                     '"bytes":"%(B)s","duration_us":"%(D)s","request_id":"%({x-request-id}o)s"}')
errorlog = "-"
loglevel = "info"


class _JsonLines(logging.Formatter):
    """gunicorn's own messages (worker starts, timeouts) in the same one-object-per-line shape."""

    def format(self, record):
        return json.dumps({"ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
                           "level": record.levelname.lower(), "logger": record.name,
                           "msg": record.getMessage()}, separators=(",", ":"))


logconfig_dict = {
    "version": 1, "disable_existing_loggers": False,
    "formatters": {"json": {"()": _JsonLines}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    # gunicorn.access at INFO (and --access-logfile -) brings back gunicorn's own access lines.
    "loggers": {"gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
                "gunicorn.access": {"handlers": ["stderr"], "level": "WARNING", "propagate": False}},
}

# prometheus_client's multiprocess mode: every worker writes its samples to files in this directory
# and /metrics sums them. It must be set before the app (and prometheus_client) is imported, and be
# empty at start; each instance on a machine needs its own.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", os.environ.get("FOKUS_METRICS_DIR")
                      or tempfile.mkdtemp(prefix="fokus-metrics-"))


def _development_defaults() -> list[str]:
    env = os.environ
    problems = []
    if env.get("FOKUS_ENV") != "production":
        problems.append("FOKUS_ENV is not 'production'")
    if len(env.get("FOKUS_SECRET_KEY", "")) < 32:
        problems.append("FOKUS_SECRET_KEY is not set (or shorter than 32 characters); every instance needs "
                        "the same one")
    if not env.get("FOKUS_DATABASE_URL"):
        problems.append("FOKUS_DATABASE_URL is not set (the default is a SQLite file in ./instance)")
    if env.get("FLASK_DEBUG") in {"1", "true"}:
        problems.append("FLASK_DEBUG is on")
    return problems


def on_starting(server):
    problems = _development_defaults()
    if problems:
        print("Fokus will not serve with development defaults:\n- " + "\n- ".join(problems)
              + "\nUse `make run` for a development copy; see docs/deploy.md.", file=sys.stderr)
        sys.exit(2)
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(directory, ignore_errors=True)  # samples of an earlier run would be summed in
    os.makedirs(directory, mode=0o700, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(worker.pid)
