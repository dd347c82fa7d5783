"""Account changes that set a password: the strength rule first, then the change, in one call for
sign-up, recovery, the settings page and the CLI; and what recovery resets afterwards.

`guard` runs the secret check (the view passes its attempt throttle, blueprints/throttle.py); the
strength rule runs before it, so a weak new password is refused without counting an attempt."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from domain.accounts import account, passwords, sessions, twofactor
from domain.accounts.account import AccountError, KdfPolicy
from domain.core.models import User
from domain.core.refusal import N_

T = TypeVar("T")
Guard = Callable[[Callable[[], T]], T]


class WeakPassword(AccountError):
    """The new password breaks the strength rule; `problems` lists the reasons (each a Message:
    English as text, in the reader's language through blueprints.i18n.say)."""

    def __init__(self, problems: list[str]):
        super().__init__(N_("Please choose a stronger password."))
        self.problems = list(problems)

    def __str__(self) -> str:  # the command line shows the reasons themselves
        return " ".join(self.problems)


def _unguarded(attempt: Callable[[], T]) -> T:
    return attempt()


def require_strong(password: str, user_inputs: list[str]) -> None:
    found = passwords.problems(password, user_inputs)
    if found:
        raise WeakPassword(found)


def sign_up(policy: KdfPolicy, secret: bytes, login: str, display_name: str,
            password: str) -> tuple[User, bytes, str]:
    """(user, user key, recovery code); WeakPassword or AccountError (login taken) otherwise."""
    require_strong(password, [login, display_name])
    return account.create_account(policy, secret, login, display_name.strip(), password)


def change_password(policy: KdfPolicy, user: User, user_key: bytes, current: str, new: str,
                    guard: Guard = _unguarded) -> None:
    """WeakPassword, or AccountError when the current password is not right (counted by `guard`)."""
    require_strong(new, [account.read_profile(user, user_key).get("display_name", "")])
    failure: list[AccountError] = []

    def attempt() -> bool:
        try:
            account.change_password(policy, user, current, new)
        except AccountError as exc:
            failure.append(exc)
            return False
        return True
    if not guard(attempt):
        raise failure[0]


def recover(policy: KdfPolicy, secret: bytes, login: str, code: str, password: str,
            guard: Guard = _unguarded) -> tuple[User, bytes, str, bool] | None:
    """Forgot password: (user, user key, new recovery code, whether 2FA was on), None when login or
    code is wrong, WeakPassword before anything is checked."""
    require_strong(password, [login])
    found = guard(lambda: account.recover(policy, secret, login, code, password))
    if found is None:
        return None
    user, user_key, new_code = found
    return user, user_key, new_code, after_recovery(user)


def after_recovery(user: User) -> bool:
    """Whoever knew the old password is logged out everywhere, the new code waits to be confirmed,
    and two-factor login is off: the recovery code stands in for every factor (the phone with the
    authenticator may be what was lost). Returns whether 2FA was on, so the page can say so."""
    sessions.end_all(user.id)
    user.recovery_confirmed_at = None
    had_2fa = user.totp_enabled
    twofactor.disable(user)
    return had_2fa
