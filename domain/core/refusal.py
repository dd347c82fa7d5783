"""One refusal type for the domain: a rule said no, in words a user can read, with the HTTP status
the page should answer (400 for bad input, 403/404/409 where the rule is about access or state).

Every feature raises `Refusal` (or a subclass when callers must tell it apart); views catch it once
and show it on the form with `err.status`. The domain does not know the reader's language: the
message is an English msgid marked with `N_` (extracted into the catalogues, translated nowhere
here), and the view shows `blueprints.i18n.say(err)`, which translates it and fills in `params`.
See docs/ARCHITECTURE.md, "Errors" and "Language and time"."""


def N_(message: str) -> str:
    """Mark a message for the catalogues without translating it (gettext_noop)."""
    return message


class Refusal(Exception):
    def __init__(self, message: str, status: int = 400, **params):
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)
        self.status = status


class Message(str):
    """A message that is not an exception (one of several password problems, a part of another
    message): reads as English text, and carries `message` and `params` like Refusal, so
    blueprints.i18n.say shows it in the reader's language."""

    message: str
    params: dict

    def __new__(cls, message: str, **params):
        self = super().__new__(cls, message % params if params else message)
        self.message, self.params = message, params
        return self
