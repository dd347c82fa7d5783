"""Fokus application factory: a table of contents, nothing else."""
from __future__ import annotations

import gc
import os
from pathlib import Path

from flask import Flask
from flask_migrate import Migrate
from werkzeug.middleware.proxy_fix import ProxyFix

from blueprints import (
    audit,
    audit_cli,  # noqa: F401 (registers `fokus audit-verify`, `audit-export`, `audit-prune`)
    auth,
    calendar,
    cli,
    contacts,
    data,
    entry_cards,
    errors,
    groups,
    guards,
    headers,
    health,
    home,
    i18n,
    journal,
    limits,
    observe,
    offline,
    ops_cli,  # noqa: F401 (registers `fokus rotate-secret`)
    passkeys,
    process_reviews,
    processes,
    retention,
    settings,
    sharing,
    static_assets,
    template_filters,
    throttle,
    transactions,
    trends,
    twofactor,
)
from domain.core import server_keys
from domain.core.config import ConfigError, from_environment, production_problems
from domain.core.db import db, init_engine_events


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("FOKUS_INSTANCE_PATH")
                or str(Path(__file__).resolve().parent / "instance"))
    _configure(app, config or {})
    server_keys.configure(app.config["SECRET_KEY"], app.config["OLD_SECRET_KEYS"])
    _init_database(app)
    for part in (transactions, guards, headers, i18n, static_assets, limits, errors, observe, throttle, audit):
        part.init_app(app)
    template_filters.register(app)
    app.add_template_global(entry_cards.cards, "entry_cards")
    for bp in (auth.bp, home.bp, journal.bp, processes.bp, process_reviews.bp, contacts.bp, sharing.bp,
               trends.bp, groups.bp, settings.bp, twofactor.bp, data.bp, health.bp, passkeys.bp, calendar.bp,
               offline.bp, audit.bp, retention.bp):
        app.register_blueprint(bp)
    app.cli.add_command(cli.fokus)
    if app.config["FOKUS_ENV"] == "production":
        # Everything loaded so far lives as long as the worker: move it out of the collector's
        # reach, so request garbage is collected without rescanning the whole app each time.
        gc.collect()
        gc.freeze()
    return app


def _configure(app: Flask, config: dict) -> None:
    """FOKUS_* settings from the environment (overridden by `config`), what follows from them, and
    the other keys of `config`; production refuses to start on development defaults."""
    settings_ = from_environment(dict(os.environ) | {k: str(v) for k, v in config.items()
                                                     if k.startswith("FOKUS_")},
                                 Path(app.instance_path))
    app.config.update(settings_)
    app.config.update(_derived(app.config))
    app.config.update({k: v for k, v in config.items() if not k.startswith("FOKUS_")})
    if app.config["FOKUS_ENV"] == "production":
        problems = production_problems(app.config)
        if problems:
            raise ConfigError("Fokus refuses to start in production:\n- " + "\n- ".join(problems))
    if app.config["PROXY_COUNT"]:
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]


def _init_database(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        init_engine_events(db.engine)
    Migrate(app, db, directory=str(Path(__file__).resolve().parent / "migrations"),
            render_as_batch=True, compare_type=True)


def _derived(cfg: dict) -> dict:
    """Flask/extension settings that follow from FOKUS_* settings."""
    production = cfg["FOKUS_ENV"] == "production"
    return {
        "MAX_CONTENT_LENGTH": int(cfg["MAX_REQUEST_KB"]) * 1024,
        "SESSION_COOKIE_NAME": "__Host-fokus" if production else "fokus",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_PATH": "/",
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # CSRF tokens are bound to the session, which has its own idle timeout: no second clock
        # that would throw away a long reflection typed slowly in a parked car.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": production,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }
