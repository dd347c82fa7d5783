"""One way to say who may enter: every view that opens someone's object asks here, and a refusal is
always the same 404 (never 403), so a stranger cannot tell "not yours" from "does not exist".

- `owned_or_404(lookup, object_id)`: the acting user's own row, found by a domain lookup that takes
  (user_id, object_id) and returns None when the row is not theirs.
- `allowed_or_404(decision, action)`: a sharing decision (domain/sharing) that must allow `action`.
"""
from collections.abc import Callable
from typing import TypeVar

from flask import abort
from flask_login import current_user

T = TypeVar("T")


def found_or_404(value: T | None) -> T:
    if value is None:
        abort(404)
    return value


def owned_or_404(lookup: Callable[[str, str], T | None], object_id: str) -> T:
    return found_or_404(lookup(current_user.id, object_id))


def allowed_or_404(decision, action):
    """The decision itself when it allows `action`; 404 otherwise."""
    if not decision.allows(action):
        abort(404)
    return decision
