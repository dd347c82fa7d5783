"""Password strength: length rules plus zxcvbn's estimate of how guessable a password is.

zxcvbn explains itself in English only; its feedback is mapped to our own messages (N_, translated
in the view), and anything it says that we do not know is left out."""
from __future__ import annotations

import threading

from domain.accounts.account import PASSWORD_MAX, PASSWORD_MIN
from domain.core.refusal import N_, Message

MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline attack"
JUDGED = 72  # zxcvbn's own default maximum length
_ZXCVBN_LOCK = threading.Lock()

TOO_EASY = N_("This password is too easy to guess.")
EASY = N_("It would be easy to guess.")
# zxcvbn's warnings and suggestions (zxcvbn/feedback.py) -> ours.
FEEDBACK = {
    "Use a few words, avoid common phrases.": N_("Use a few words, not a common phrase."),
    "No need for symbols, digits, or uppercase letters.": N_("You do not need symbols, digits or capital letters."),
    "Add another word or two. Uncommon words are better.": N_("Add another word or two. Unusual words are better."),
    "Straight rows of keys are easy to guess.": N_("Straight rows of keys are easy to guess."),
    "Short keyboard patterns are easy to guess.": N_("Short keyboard patterns are easy to guess."),
    "Use a longer keyboard pattern with more turns.": N_("Use a longer keyboard pattern with more turns."),
    'Repeats like "aaa" are easy to guess.': N_("Repeated letters like “aaa” are easy to guess."),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        N_("Repeats like “abcabcabc” are hardly harder to guess than “abc”."),
    "Avoid repeated words and characters.": N_("Avoid repeated words and characters."),
    'Sequences like "abc" or "6543" are easy to guess.': N_("Sequences like “abc” or “6543” are easy to guess."),
    "Avoid sequences.": N_("Avoid sequences."),
    "Recent years are easy to guess.": N_("Recent years are easy to guess."),
    "Avoid recent years.": N_("Avoid recent years."),
    "Avoid years that are associated with you.": N_("Avoid years that have to do with you."),
    "Dates are often easy to guess.": N_("Dates are often easy to guess."),
    "Avoid dates and years that are associated with you.": N_("Avoid dates and years that have to do with you."),
    "This is a top-10 common password.": N_("This is one of the ten most common passwords."),
    "This is a top-100 common password.": N_("This is one of the hundred most common passwords."),
    "This is a very common password.": N_("This is a very common password."),
    "This is similar to a commonly used password.": N_("This is close to a commonly used password."),
    "A word by itself is easy to guess.": N_("A single word is easy to guess."),
    "Names and surnames by themselves are easy to guess.": N_("Names on their own are easy to guess."),
    "Common names and surnames are easy to guess.": N_("Common names are easy to guess."),
    "Capitalization doesn't help very much.": N_("A capital first letter does not help much."),
    "All-uppercase is almost as easy to guess as all-lowercase.":
        N_("All capitals are almost as easy to guess as all small letters."),
    "Reversed words aren't much harder to guess.": N_("Words spelled backwards are not much harder to guess."),
    "Predictable substitutions like '@' instead of 'a' don't help very much.":
        N_("Predictable swaps like “@” for “a” do not help much."),
}


def problems(password: str, user_inputs: list[str]) -> list[Message]:
    """Plain-language reasons the password is not good enough; empty when it is."""
    if len(password) < PASSWORD_MIN:
        return [Message(N_("Use at least %(num)d characters."), num=PASSWORD_MIN)]
    if len(password) > PASSWORD_MAX:
        return [Message(N_("Use at most %(num)d characters."), num=PASSWORD_MAX)]
    # zxcvbn refuses (ValueError) anything longer than its max_length, and its cost grows with
    # length: judge the first JUDGED characters, which is plenty.
    # zxcvbn keeps the user inputs in a module-wide dictionary, so two threads must not overlap.
    from zxcvbn import zxcvbn  # on first use: its word lists cost each worker ~12 MB
    with _ZXCVBN_LOCK:
        result = zxcvbn(password[:JUDGED], user_inputs=[u for u in user_inputs if u][:5],
                        max_length=JUDGED)
    if result["score"] >= MIN_SCORE:
        return []
    said = [result["feedback"].get("warning") or ""] + list(result["feedback"].get("suggestions") or [])
    ours = [FEEDBACK[s] for s in said if s in FEEDBACK]
    if not result["feedback"].get("warning") or result["feedback"]["warning"] not in FEEDBACK:
        ours.insert(0, EASY)
    return [Message(m) for m in (TOO_EASY, *ours)]
