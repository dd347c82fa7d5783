"""Checks on the demo data in domain/demo/data/, as domain/demo/content.py reads it.

The demo is what a newcomer sees first, so it must only use valid catalogue ids, look like
real entries of each kind, and be written in our own words (no borrowed sentences from the
source article).
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.catalogue import outcomes
from domain.catalogue import themes as cat
from domain.demo import content as demo

KINDS = {"hard_session", "countertransference", "ethical_dilemma", "bright_moment"}

COMMON_KEYS = {
    "days_ago", "kind", "title", "process", "themes", "subthemes", "tags", "supervision", "film_refs",
}
KIND_KEYS = {
    "hard_session": {
        "what_happened", "what_made_it_hard", "what_helped", "what_did_not_help", "effect",
        "effect_note", "how_it_left_me", "supports",
    },
    "countertransference": {
        "feelings", "feelings_other", "intensity", "body", "trigger", "whose", "what_i_did", "supports",
    },
    "ethical_dilemma": {
        "dilemma", "dilemma_type", "concern_level", "options", "consulted", "decision", "follow_up_days",
    },
    "bright_moment": {"what_happened", "what_made_it_possible", "how_it_left_me"},
}
PROCESS_KEYS = {
    "key", "code", "working_goal", "dialogue_element", "films", "reviews", "cps_commissioned",
    "screening", "notes",
}
OPTIONAL_PROCESS_KEYS = {"reported", "reported_days_ago", "ended", "ended_days_ago", "mandate", "review_log"}

# The source article is not part of the repository (it is not ours to publish). What is kept is a
# fingerprint of it: a short hash of every run of NGRAM words, enough to recognise a borrowed
# sentence and nothing more. Regenerate with: python -m tests.test_demo_content ARTICLE.txt
ARTICLE_NGRAMS = Path(__file__).resolve().parent / "data" / "article_8grams.txt.gz"
NGRAM = 8

PROCESS_KEYS_IN_USE = {p["key"] for p in demo.PROCESSES}


def _entry_id(entry: dict[str, Any]) -> str:
    return f"{entry['days_ago']}:{entry['title']}"


entries = pytest.mark.parametrize("entry", demo.ENTRIES, ids=_entry_id)


# --- shape ------------------------------------------------------------------------------

def test_volume_and_mix() -> None:
    assert 50 <= len(demo.ENTRIES) <= 70
    counts = {k: sum(e["kind"] == k for e in demo.ENTRIES) for k in KINDS}
    assert all(n >= 8 for n in counts.values()), counts


@entries
def test_entry_has_exact_keys_for_its_kind(entry: dict[str, Any]) -> None:
    assert entry["kind"] in KINDS
    assert set(entry) == COMMON_KEYS | KIND_KEYS[entry["kind"]]


@entries
def test_entry_basics(entry: dict[str, Any]) -> None:
    assert isinstance(entry["days_ago"], int) and 0 <= entry["days_ago"] <= 180
    assert entry["title"].strip() and "\n" not in entry["title"]
    assert entry["process"] is None or entry["process"] in PROCESS_KEYS_IN_USE
    assert entry["supervision"] in cat.valid_ids(cat.SUPERVISION)
    assert all(t == t.lower() and t.strip() for t in entry["tags"])
    for ref in entry["film_refs"]:
        assert set(ref) == {"film", "timestamp", "shows"}
        assert re.fullmatch(r"\d+", ref["film"])
        assert re.fullmatch(r"\d{1,2}:\d{2}", ref["timestamp"])
        assert ref["shows"].strip()


# --- catalogue ids ------------------------------------------------------------------------

@entries
def test_entry_uses_valid_themes_and_subthemes(entry: dict[str, Any]) -> None:
    assert len(entry["themes"]) == len(set(entry["themes"]))
    assert set(entry["themes"]) <= cat.THEME_IDS
    assert set(entry["subthemes"]) <= cat.SUBTHEME_IDS
    for sub_id in entry["subthemes"]:
        # A subtheme only makes sense together with its own theme.
        assert cat.theme_of(sub_id).id in entry["themes"], sub_id


@entries
def test_entry_uses_valid_kind_vocabularies(entry: dict[str, Any]) -> None:
    kind = entry["kind"]
    if kind == "hard_session":
        assert entry["effect"] in cat.valid_ids(cat.EFFECT)
    elif kind == "countertransference":
        assert set(entry["feelings"]) <= cat.valid_ids(cat.FEELINGS)
        assert set(entry["whose"]) <= cat.valid_ids(cat.WHOSE)
        assert isinstance(entry["intensity"], int) and 0 <= entry["intensity"] <= 10
    elif kind == "ethical_dilemma":
        assert entry["dilemma_type"] in cat.valid_ids(cat.DILEMMA_TYPES)
        assert entry["concern_level"] in cat.valid_ids(cat.CONCERN_LEVELS)
        days = entry["follow_up_days"]
        assert days is None or (isinstance(days, int) and days >= 0)


@entries
def test_required_text_per_kind(entry: dict[str, Any]) -> None:
    kind = entry["kind"]
    if kind in ("hard_session", "bright_moment"):
        assert entry["what_happened"].strip()
    elif kind == "countertransference":
        assert entry["feelings"] or entry["trigger"].strip()
    elif kind == "ethical_dilemma":
        assert entry["dilemma"].strip()


@entries
def test_urgent_supervision_only_for_child_safety_dilemmas(entry: dict[str, Any]) -> None:
    if entry["supervision"] == "urgent":
        assert entry["kind"] == "ethical_dilemma"
        assert entry["concern_level"] in ("serious", "acute")


def test_almost_every_entry_is_tagged() -> None:
    # A quick untagged capture from the car is realistic and the app must cope with it,
    # but the demo should mostly show tagging in use.
    untagged = [_entry_id(e) for e in demo.ENTRIES if not e["themes"]]
    assert len(untagged) <= 3, untagged


def test_every_theme_and_most_subthemes_are_used() -> None:
    used_themes = {t for e in demo.ENTRIES for t in e["themes"]}
    used_subs = {s for e in demo.ENTRIES for s in e["subthemes"]}
    assert used_themes == cat.THEME_IDS
    assert len(used_subs) >= 0.75 * len(cat.SUBTHEME_IDS)


def test_intensities_are_spread() -> None:
    values = {e["intensity"] for e in demo.ENTRIES if e["kind"] == "countertransference"}
    assert min(values) <= 2 and max(values) >= 9 and len(values) >= 6


# --- processes and users ------------------------------------------------------------------

@pytest.mark.parametrize("process", demo.PROCESSES, ids=lambda p: p["key"])
def test_process_shape(process: dict[str, Any]) -> None:
    assert PROCESS_KEYS <= set(process) <= PROCESS_KEYS | OPTIONAL_PROCESS_KEYS
    # Pseudonymous code only; a name must never be stored for a family.
    assert re.fullmatch(r"MM-\d{2}-\d{2}", process["code"])
    assert "status" not in process   # the two outcomes are kept apart (domain/catalogue/outcomes.py)
    assert process.get("reported", "") in ("", "yes") and process.get("ended", "") in ("", *outcomes.ENDINGS)
    for review in process.get("review_log", []):
        assert review["working_points"].strip() and review["days_ago"] > 0
        assert set(review.get("responses", [])) <= cat.valid_ids(cat.PARENT_RESPONSE)
    assert set(process.get("mandate", {})) <= {"commissioner", "goal", "reports_what", "reports_to", "parents_know",
                                               "next_review_in_days"}
    assert set(process["screening"]) <= cat.valid_ids(cat.SCREENING_FLAGS)
    assert isinstance(process["cps_commissioned"], bool)
    assert isinstance(process["films"], int) and isinstance(process["reviews"], int)
    assert 0 <= process["reviews"] <= process["films"]
    assert process["working_goal"].strip() and process["dialogue_element"].strip()


def test_processes_are_varied_and_unique() -> None:
    assert len(demo.PROCESSES) == 5
    assert len({p["key"] for p in demo.PROCESSES}) == 5
    assert len({p["code"] for p in demo.PROCESSES}) == 5
    reached = [outcomes.outcomes(p) for p in demo.PROCESSES]
    assert sum(1 for r in reached if not r) == 3 and {outcomes.ENDED_AS_PLANNED} in reached
    # One case shows both decisions: a concern reported, and the guidance ended early.
    assert any(p["cps_commissioned"] and r == {outcomes.REPORTED, outcomes.ENDED_EARLY}
               for p, r in zip(demo.PROCESSES, reached))
    # The mandate card and the review log have something to show.
    assert sum(1 for p in demo.PROCESSES if p.get("mandate")) >= 2
    assert sum(1 for p in demo.PROCESSES if p.get("review_log")) >= 2


def test_demo_users() -> None:
    names = [u["username"] for u in demo.DEMO_USERS]
    assert names == ["demo", "supervisor", *(f"colleague{i}" for i in range(1, 6))]
    assert demo.DEMO_USERS[0]["display_name"] == "Demo Therapist"
    assert demo.DEMO_USERS[1]["display_name"] == "Demo Supervisor"
    assert demo.DEMO_PASSWORD == "demo-password-2026"


# --- the data files ----------------------------------------------------------------------

def test_a_misspelt_field_fails_loudly() -> None:
    with pytest.raises(ValueError, match="what_happend"):
        demo._entry({"kind": "bright_moment", "days_ago": 1, "title": "Typo", "what_happend": "x"})


def test_a_subtheme_brings_its_theme() -> None:
    entry = demo._entry({"kind": "bright_moment", "days_ago": 1, "title": "t", "themes": ["safe_alliance"],
                         "subthemes": ["positive_moments.film_techniques"]})
    assert entry["themes"] == ["safe_alliance", "positive_moments"]
    assert entry["what_made_it_possible"] == "" and entry["supervision"] == "no"


# Only the words may differ between languages: ids, numbers and dates are the demo itself.
_ID_FIELDS = ("days_ago", "kind", "process", "themes", "subthemes", "supervision", "effect", "feelings",
              "intensity", "whose", "dilemma_type", "concern_level", "follow_up_days", "supports")


def _skeleton(d: demo.Demo) -> list[Any]:
    return [
        d.password,
        [(u["username"], u["role"]) for u in d.users],
        [{k: v for k, v in p.items() if k not in ("working_goal", "dialogue_element", "notes", "mandate",
                                                   "review_log")}
         | {"mandate": sorted(k for k, v in (p.get("mandate") or {}).items() if k in ("parents_know",
                                                                                    "next_review_in_days")),
            "review_log": [(r["days_ago"], r.get("responses")) for r in p.get("review_log", [])]}
         for p in d.processes],
        [[e.get(k) for k in _ID_FIELDS] + [[(f["film"], f["timestamp"]) for f in e["film_refs"]]]
         for e in d.entries],
        list(d.supervision["reflection"]),
    ]


@pytest.mark.parametrize("language", sorted(p.name for p in demo.DATA.iterdir() if p.is_dir()))
def test_every_language_tells_the_same_demo(language: str) -> None:
    assert _skeleton(demo.load(language)) == _skeleton(demo.load("en"))


# --- own words ---------------------------------------------------------------------------

def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def _words(text: str) -> list[str]:
    # Compare on words only: case, whitespace, line breaks and punctuation (including the
    # article's curly quotes) must not hide a borrowed sentence.
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return re.findall(r"[a-z0-9]+(?:'[a-z0-9]+)*", text)


def _ngrams(words: list[str], n: int = NGRAM) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def _fingerprint(gram: tuple[str, ...]) -> str:
    return hashlib.sha256(" ".join(gram).encode()).hexdigest()[:10]


def _article_fingerprints() -> set[str]:
    return set(gzip.decompress(ARTICLE_NGRAMS.read_bytes()).decode().split())


def test_the_article_fingerprint_is_in_the_repository() -> None:
    prints = _article_fingerprints()
    assert len(prints) > 5000 and all(re.fullmatch(r"[0-9a-f]{10}", p) for p in prints)


def test_no_text_is_borrowed_from_the_article() -> None:
    article = _article_fingerprints()
    borrowed = [
        (text, " ".join(gram))
        for text in _strings([demo.ENTRIES, demo.PROCESSES])
        for gram in _ngrams(_words(text))
        if _fingerprint(gram) in article
    ]
    assert not borrowed, borrowed


# Ten words of the article's abstract, a short quotation for the control below.
KNOWN_ARTICLE_RUN = "identification of these vulnerable dyads early in the process could"


def test_the_borrowing_check_sees_a_borrowed_sentence() -> None:
    """Eight words in a row from the article are caught (the fingerprint is neither empty nor
    hashed differently from the check)."""
    article = _article_fingerprints()
    planted = "We noticed that " + KNOWN_ARTICLE_RUN + " during the visit."
    assert len([g for g in _ngrams(_words(planted)) if _fingerprint(g) in article]) == 3


def write_fingerprints(article: Path) -> None:
    words = _words(article.read_text(encoding="utf-8", errors="replace"))
    lines = "\n".join(sorted({_fingerprint(g) for g in _ngrams(words)})) + "\n"
    ARTICLE_NGRAMS.parent.mkdir(exist_ok=True)
    ARTICLE_NGRAMS.write_bytes(gzip.compress(lines.encode(), mtime=0))


if __name__ == "__main__":
    import sys

    write_fingerprints(Path(sys.argv[1]))
