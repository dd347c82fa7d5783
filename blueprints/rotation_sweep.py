"""Key rotations left over for the owner's next write request (docs/ARCHITECTURE.md, "Writers hold
the entry; page views write nothing"): an expired share, a contact removed by the other side.

Nothing rotates on a page view: the sweep runs after a write request that unsealed the owner's key,
in its own transaction after the request's own. Whether anything is due is one EXISTS query
(sharing.rotation_due), asked inside the request's own transaction just before it commits, on the
connection it already holds; so a request with nothing due (almost every one) opens no second
transaction. A request that committed nothing asks after it instead."""
from __future__ import annotations

from flask import current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from blueprints.transactions import READ_ONLY
from domain.core.db import db
from domain.core.keyring import CryptoError
from domain.sharing import shares as sharing

_ASKED = "rotation_due"


def _writer() -> str | None:
    """The owner whose write request this is, with the key open; None otherwise."""
    if not has_request_context() or request.method in READ_ONLY or "user_key" not in g:
        return None
    return current_user.id if current_user.is_authenticated else None


@event.listens_for(Session, "before_commit")
def _ask_before_commit(session: Session) -> None:
    owner = _writer()
    if owner is not None and session is db.session():
        setattr(g, _ASKED, sharing.rotation_due(owner))   # the last commit of the request answers


def after_request(response):
    """Registered by the sharing blueprint (blueprints/sharing.py), first of the after-request hooks."""
    if response.status_code >= 400 or _writer() is None:
        return response
    try:
        due = g.pop(_ASKED, None)
        if due is None:
            due = sharing.rotation_due(current_user.id)
        if due and sharing.sweep(current_user.user, g.user_key):
            db.session.commit()
    except (SQLAlchemyError, CryptoError) as exc:  # a rotation that cannot run now runs next time
        db.session.rollback()
        current_app.logger.warning("key rotation sweep postponed: %s", type(exc).__name__)
    return response
