"""Quick capture helpers for the entry form: an honest length check (never a silent cut) and the
count of optional answers shown on the "More about it" disclosure."""
from __future__ import annotations

from flask_babel import gettext
from wtforms.validators import ValidationError

from domain.catalogue.entry_kinds import Kind

# Shown on the quick part of the form, so never counted as "filled in" below it.
_QUICK = frozenset({"themes_", "csrf_token", "draft_id", "version", "pii_ack", "record_check"})


def length(n: int):
    """At most n characters, said with the count and with the text kept on the form. Unlike
    wtforms' Length this sets no `maxlength` flag, so the browser never cuts pasted text."""
    def check(_form, field):
        size = len(field.data or "")
        if size > n:
            raise ValidationError(gettext(
                "At most %(max)d characters; this has %(num)d. Nothing was cut: shorten it and save again.",
                max=n, num=size))
    return check


def _has(value) -> bool:
    if isinstance(value, list):
        return any(_has(v) for v in value)
    if isinstance(value, dict):
        return any(_has(v) for v in value.values())
    return value not in (None, "", "None", "no")


def filled_count(form, kind: Kind) -> int:
    """How many optional answers behind the disclosure hold something (the first question, the
    theme chips and, for dilemmas, the supervision choice sit above it)."""
    quick = _QUICK | {kind.fields[0].name} | ({"supervision"} if kind.id == "ethical_dilemma" else set())
    return sum(1 for f in form if f.name not in quick and _has(f.data))
