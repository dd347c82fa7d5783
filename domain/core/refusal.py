"""One refusal type for the domain: a rule said no, in words a user can read, with the HTTP status
the page should answer (400 for bad input, 403/404/409 where the rule is about access or state).

Every feature raises `Refusal` (or a subclass when callers must tell it apart); views catch it once
and show `str(err)` on the form with `err.status`. See docs/ARCHITECTURE.md, "Errors"."""


class Refusal(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status
