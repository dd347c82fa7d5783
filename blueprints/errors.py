"""Friendly error pages: plain words, a way back, never a stack trace."""
from __future__ import annotations

import traceback

from flask import Flask, current_app, make_response, render_template
from werkzeug.exceptions import HTTPException

from domain.accounts import KdfBusy

MESSAGES = {
    400: ("That request could not be read", ("Something in what was sent did not make sense. "
          "Go back, check the form and try again.")),
    401: ("Please log in again", "Your session has ended. Log in again to continue."),
    403: ("Not for you", "You do not have access to this page."),
    404: ("Not found", "There is nothing here, or it is not yours to see."),
    405: ("Not allowed", "That action is not possible on this page."),
    410: ("No longer available", "This is no longer shared with you."),
    413: ("Too much at once", "What you sent is larger than Fokus accepts. Shorten it and try again."),
    429: ("Please slow down", "There were too many attempts. Wait a little, then try again."),
    500: ("Something went wrong on our side", ("Nothing you typed was logged. "
          "Please try again; if it keeps happening, tell your Fokus administrator.")),
    503: ("Busy right now", "The server is busy. Please try again in a moment."),
}


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(KdfBusy, lambda _e: page(503, retry_after="5"))
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
