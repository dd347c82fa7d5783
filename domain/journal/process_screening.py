"""Screening a guidance process at intake: the article's three criteria for a vulnerable dyad kept
apart from the extra flags Fokus adds of its own, and for each flag one concrete next step.

The three criteria are those named by Simhan, Vik, Veseth & Hjeltnes (2020); the extra flags and
every next step are Fokus's own suggestions (the article reports no outcomes), and pages say so.
"""
from __future__ import annotations

from domain.catalogue import themes
from domain.core.refusal import N_, Message

ARTICLE_CRITERIA = ("child_protection", "parental_insecurity", "unresolved_problems")
OWN_FLAGS = ("parent_own_childhood", "child_seen_as_hostile", "filming_reluctance", "no_progress_under_pressure")

NEXT_STEPS = {
    "child_protection": N_("Check the mandate: who commissioned the guidance, what is reported back and "
                           "to whom, and whether the parents know. Bring the process to supervision "
                           "before the first film review."),
    "parental_insecurity": N_("Bring the process to supervision early, before the first film review, and "
                              "plan how to open the review with what went well."),
    "unresolved_problems": N_("With the parent's consent, contact the parent's own treatment (GP, mental "
                              "health services) so that guidance and treatment pull the same way."),
    "parent_own_childhood": N_("Plan with your supervisor how to answer if the parent's own childhood comes "
                               "up in a review, and keep the child's moments at the centre."),
    "child_seen_as_hostile": N_("Choose clips where the child's initiative is easy to see, and talk the "
                                "choice through in supervision before showing them."),
    "filming_reluctance": N_("Before the first film, agree with the parent what is filmed, who sees it and "
                             "when it is deleted."),
    "no_progress_under_pressure": N_("Check the next review date in the mandate and tell the commissioner "
                                     "early what is realistic; bring it to supervision."),
}


def split(flags: list[str]) -> tuple[list[str], list[str]]:
    """(the article's criteria, Fokus's own flags) among `flags`, each in catalogue order."""
    return [f for f in ARTICLE_CRITERIA if f in flags], [f for f in OWN_FLAGS if f in flags]


def next_steps(flags: list[str]) -> list[tuple[str, Message]]:
    """(flag label, next step) for every flag set, the article's criteria first."""
    article, own = split(flags)
    return [(themes.choice_label(themes.SCREENING_FLAGS, f), Message(NEXT_STEPS[f])) for f in article + own]
