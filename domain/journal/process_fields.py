"""The parts of a process's sealed data beyond code and goal, cleaned before every write: the
mandate (when child welfare services commissioned the guidance), the two outcomes, the dated
intake screening and the review log. Pure: no I/O.

Shapes (all inside the process blob; docs/ARCHITECTURE.md, "Guidance processes"):
    mandate      {"commissioner", "goal", "reports_what", "reports_to", "parents_know", "next_review"}
                 or absent when nothing was written
    reported, reported_on, ended, ended_on     see domain/catalogue/outcomes.py
    screening_on "YYYY-MM-DD" or ""            the day the intake screening was answered
    review_log   [{"id", "rev", "day", "working_points", "dialogue_element", "clips_shown",
                   "clips_held_back", "held_back_why", "responses": [ids], "response_note"}]
"""
from __future__ import annotations

from datetime import date

from domain.catalogue import outcomes, themes

MANDATE_TEXT = ("commissioner", "goal", "reports_what", "reports_to")
MANDATE_KEYS = (*MANDATE_TEXT, "parents_know", "next_review")
PARENTS_KNOW = ("yes", "partly", "no")
REVIEW_TEXT = ("working_points", "dialogue_element", "clips_shown", "clips_held_back", "held_back_why",
               "response_note")
REVIEWS_MAX = 200
TEXT_MAX = 4000   # forms allow less; this bounds what an import can bring


def responses() -> tuple:
    """How a parent responded to a review (catalogue vocabulary `parent_response`)."""
    return themes.VOCABULARIES["parent_response"]


def iso_day(value) -> str:
    """A YYYY-MM-DD string, or "" for anything that is not a real date."""
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(value).isoformat() if isinstance(value, str) and value else ""
    except ValueError:
        return ""


def _text(value) -> str:
    return value.strip()[:TEXT_MAX] if isinstance(value, str) else ""


def mandate_of(data: dict) -> dict:
    """The process's mandate in the shape above, or {} when none was written."""
    raw = data.get("mandate")
    if not isinstance(raw, dict):
        return {}
    out = {k: _text(raw.get(k)) for k in MANDATE_TEXT}
    out["parents_know"] = raw.get("parents_know") if raw.get("parents_know") in PARENTS_KNOW else ""
    out["next_review"] = iso_day(raw.get("next_review"))
    return out if any(out.values()) else {}


def clean_outcomes(data: dict) -> dict:
    """The new-shape outcome keys (a legacy `status` is read once and dropped)."""
    d = outcomes.upgraded({k: v for k, v in data.items() if k != "status" or isinstance(v, str)})
    reported = "yes" if d.get("reported") == "yes" else ""
    ended = d.get("ended") if d.get("ended") in outcomes.ENDINGS else ""
    return {"reported": reported, "reported_on": iso_day(d.get("reported_on")) if reported else "",
            "ended": ended, "ended_on": iso_day(d.get("ended_on")) if ended else ""}


def clean_review(raw) -> dict | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
        return None
    allowed = themes.valid_ids(responses())
    out = {"id": raw["id"][:64], "rev": raw.get("rev") if isinstance(raw.get("rev"), int) else 1,
           "day": iso_day(raw.get("day"))}
    out.update({k: _text(raw.get(k)) for k in REVIEW_TEXT})
    given = raw.get("responses")
    out["responses"] = [r for r in given if isinstance(r, str) and r in allowed] if isinstance(given, list) else []
    return out


def clean_log(log) -> list[dict]:
    if not isinstance(log, list):
        return []
    reviews = [r for r in (clean_review(x) for x in (log or [])[:REVIEWS_MAX]) if r is not None]
    return sorted(reviews, key=lambda r: r["day"], reverse=True)


def cleaned(data: dict) -> dict:
    """`data` with every part above in its one shape; other keys pass through."""
    out = {k: v for k, v in data.items() if k != "status"}
    out.update(clean_outcomes(data))
    mandate = mandate_of(data)
    if mandate:
        out["mandate"] = mandate
    else:
        out.pop("mandate", None)
    out["screening_on"] = iso_day(data.get("screening_on"))
    out["review_log"] = clean_log(data.get("review_log"))
    return out
