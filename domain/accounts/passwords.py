"""Password strength: length rules plus zxcvbn's estimate of how guessable a password is."""
from __future__ import annotations

import threading

from domain.accounts.account import PASSWORD_MAX, PASSWORD_MIN

MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline attack"
JUDGED = 72  # zxcvbn's own default maximum length
_ZXCVBN_LOCK = threading.Lock()


def problems(password: str, user_inputs: list[str]) -> list[str]:
    """Plain-language reasons the password is not good enough; empty when it is."""
    if len(password) < PASSWORD_MIN:
        return [f"Use at least {PASSWORD_MIN} characters."]
    if len(password) > PASSWORD_MAX:
        return [f"Use at most {PASSWORD_MAX} characters."]
    # zxcvbn refuses (ValueError) anything longer than its max_length, and its cost grows with
    # length: judge the first JUDGED characters, which is plenty.
    # zxcvbn keeps the user inputs in a module-wide dictionary, so two threads must not overlap.
    from zxcvbn import zxcvbn  # on first use: its word lists cost each worker ~12 MB
    with _ZXCVBN_LOCK:
        result = zxcvbn(password[:JUDGED], user_inputs=[u for u in user_inputs if u][:5],
                        max_length=JUDGED)
    if result["score"] >= MIN_SCORE:
        return []
    hint = result["feedback"].get("warning") or "It would be easy to guess."
    tips = " ".join(result["feedback"].get("suggestions") or [])
    return [f"This password is too easy to guess. {hint} {tips}".strip()]
