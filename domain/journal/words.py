"""Messages the journal shows people: English msgids marked with N_ (extracted into the catalogues)
that still read as plain English text, so callers and logs that want a string get one, while views
translate them with `blueprints.i18n.say` (it reads `.message` and `.params`)."""
from __future__ import annotations

from domain.core.refusal import N_  # noqa: F401 (the journal marks its msgids with it)


class Message(str):
    """An English sentence that knows its msgid and the values filled into it."""

    message: str
    params: dict

    def __new__(cls, message: str, **params):
        self = super().__new__(cls, message % params if params else message)
        self.message, self.params = message, params
        return self
