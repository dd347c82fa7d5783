"""Friendly error pages: plain words, a way back, never a stack trace."""
from __future__ import annotations

import traceback

from flask import Flask, current_app, make_response, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from domain.accounts.account import KdfBusy
from domain.core.db import db
from domain.core.sealed import StaleKey

MESSAGES = {
    400: (_l("That request could not be read"), _l("Something in what was sent did not make sense. "
                                                  "Go back, check the form and try again.")),
    401: (_l("Please log in again"), _l("Your session has ended. Log in again to continue.")),
    403: (_l("Not for you"), _l("You do not have access to this page.")),
    404: (_l("Not found"), _l("There is nothing here, or it is not yours to see.")),
    405: (_l("Not allowed"), _l("That action is not possible on this page.")),
    409: (_l("Changed elsewhere"), _l("This changed on another device a moment ago. Reload the page and try again.")),
    410: (_l("No longer available"), _l("This is no longer shared with you.")),
    413: (_l("Too much at once"), _l("What you sent is larger than Fokus accepts. Shorten it and try again.")),
    429: (_l("Please slow down"), _l("There were too many attempts. Wait a little, then try again.")),
    500: (_l("Something went wrong on our side"), _l("Nothing you typed was logged. Please try again; "
                                                     "if it keeps happening, tell your Fokus administrator.")),
    503: (_l("Busy right now"), _l("The server is busy. Please try again in a moment.")),
}
DATABASE_TEXT = _l("Fokus could not reach its database just now. Nothing was lost: "
                   "please try again in a moment.")
TRY_AGAIN = _l("Please try again")
CONFLICT_TEXT = _l("This changed on another device a moment ago, so nothing was saved. "
                   "Go back, reload the page and try again; your text is still in the form.")


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(KdfBusy, lambda _e: page(503, retry_after="5"))
    app.register_error_handler(StaleKey, _stale_key)
    for lost in (OperationalError, DisconnectionError, InterfaceError):
        app.register_error_handler(lost, _database_unavailable)
    app.register_error_handler(Exception, _unexpected)


def page(code: int, retry_after: str | None = None, text: str | None = None):
    title, default_text = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
    resp = make_response(render_template("errors/error.html", code=code, title=title,
                                         text=text or default_text), code)
    if retry_after:
        resp.headers["Retry-After"] = retry_after
    return resp


def _http_error(exc: HTTPException):
    retry = exc.response.headers.get("Retry-After") if exc.response is not None else None
    resp = page(exc.code or 500, retry)
    if getattr(exc, "valid_methods", None):  # 405 keeps its Allow header
        resp.headers["Allow"] = ", ".join(exc.valid_methods)
    return resp


def _unexpected(exc: Exception):
    # Log the exception type and the code path only: an exception message can carry form values,
    # and form values here are journal text that must never reach a log file.
    frames = "".join(traceback.format_tb(exc.__traceback__))
    current_app.logger.error("unhandled %s\n%s", type(exc).__name__, frames)
    return page(500)


def _database_unavailable(exc: Exception):
    """A lost or refused database connection (restart, failover, terminated connections, a lock
    that did not clear in time): a calm 503, never a traceback. The pool pings connections before
    use (pool_pre_ping), so the next request gets a fresh one."""
    current_app.logger.warning("database unavailable: %s", type(exc).__name__)
    _rollback()
    return _plain_if_broken(503, DATABASE_TEXT, retry_after="5")


def _stale_key(_exc: Exception):
    _rollback()
    return _plain_if_broken(409, CONFLICT_TEXT)


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; the session is discarded at teardown
        current_app.logger.warning("rollback failed after a database error")


def _plain_if_broken(code: int, text: str, retry_after: str | None = None):
    """The usual page, or (if even rendering it needs the database, e.g. to load the user) a
    minimal page with the same words."""
    try:
        return page(code, retry_after, text=text)
    except Exception:  # noqa: BLE001
        _rollback()
        resp = make_response(f"<!doctype html><title>Fokus</title><h1>{_words(TRY_AGAIN)}</h1>"
                             f"<p>{_words(text)}</p>", code)
        if retry_after:
            resp.headers["Retry-After"] = retry_after
        return resp


def _words(text) -> str:
    """Translated if the language can still be chosen, else the English msgid."""
    try:
        return str(text)
    except Exception:  # noqa: BLE001 - the page that explains a broken database must not break
        return getattr(text, "_args", (text,))[0]
