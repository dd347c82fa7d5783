"""Guards for the versioned catalogue in domain/catalogue/themes.py.

Stored entries and seminar trend counts refer to catalogue ids, so these tests protect the
promise that an id keeps its meaning for ever.
"""

from __future__ import annotations

import pytest

from domain.catalogue import themes as cat

# SNAPSHOT of every shipped theme and subtheme id with its name.
# If this test fails you changed the meaning of a shipped id (or removed one): do not edit
# this dict to make it pass. Add a new id instead, and mark the old one retired=True.
# Only a pure wording fix that keeps the meaning may be copied into this snapshot.
SHIPPED_IDS: dict[str, str] = {
    "coercive_context": "Promoting relational growth in a coercive context",
    "safe_alliance": "Building an alliance that feels safe for the parents",
    "positive_moments": "Looking at positive moments in difficult lives",
    "therapist_feelings": "Handling intense feelings as a therapist",
    "coercive_context.positives_vs_concern": "Positive focus versus what I saw",
    "coercive_context.whether_to_report": "Whether to report to child welfare services",
    "coercive_context.no_progress_under_pressure": "Time pressure with no visible change",
    "coercive_context.compliance_from_fear": "Taking part out of fear",
    "coercive_context.camera_as_control": "The camera felt as control",
    "coercive_context.mandate": "Mandate talks with child welfare services",
    "coercive_context.ending_early": "Ending the guidance early",
    "safe_alliance.trust_through_repetition": "Trust growing review by review",
    "safe_alliance.heard_as_criticism": "Guidance heard as criticism",
    "safe_alliance.filming_reluctance": "Reluctance to be filmed",
    "safe_alliance.focus_on_child": "Keeping the focus on the child",
    "safe_alliance.parents_bring_concerns": "Parents raising their own concerns",
    "safe_alliance.double_gaze": "Reading the parent during the review",
    "positive_moments.flooded_or_shut_down": "Parent flooded or shutting down",
    "positive_moments.clip_choice": "Clips that engage without overwhelming",
    "positive_moments.parent_childhood": "The parent's own childhood surfacing",
    "positive_moments.past_and_present": "Holding the past, returning to now",
    "positive_moments.child_out_of_focus": "Child out of focus or seen as hostile",
    "positive_moments.film_techniques": "Stills, repeats and close-ups",
    "positive_moments.new_view_of_child": "Parent sees the child anew",
    "therapist_feelings.closeness_imprint": "Closeness that stays with me",
    "therapist_feelings.intimate_disclosures": "Personal disclosures and wish for response",
    "therapist_feelings.joy_when_it_turns": "Joy when it turns",
    "therapist_feelings.nothing_moves": "Frustration or despair when nothing moves",
    "therapist_feelings.over_eagerness": "Over-eagerness: tempo and explaining",
    "therapist_feelings.witnessing_hostility": "Witnessing hostility without stepping in",
    "therapist_feelings.own_history": "My own history resonating",
}

# The exact ids other code (forms, validators, demo data) relies on.
EXPECTED_VOCAB_IDS: dict[str, tuple[str, ...]] = {
    "FEELINGS": (
        "frustration", "sadness", "despair", "helplessness", "anger", "irritation", "anxiety",
        "guilt", "shame", "overwhelm", "numbness", "loneliness", "tenderness", "protectiveness",
        "joy", "relief", "hope", "pride",
    ),
    "WHOSE": ("mine", "my_history", "parent", "child", "relationship", "unsure"),
    "DILEMMA_TYPES": (
        "report_cps", "continue_or_end", "concern_in_positive_method", "unclear_mandate",
        "filming_consent", "other",
    ),
    "CONCERN_LEVELS": ("none", "some", "serious", "acute"),
    "EFFECT": ("clear", "some", "none", "unclear"),
    "PROCESS_STATUS": ("ongoing", "completed", "ended_early", "reported"),  # 3 retired in version 3
    "SCREENING_FLAGS": (
        "child_protection", "parental_insecurity", "unresolved_problems", "parent_own_childhood",
        "child_seen_as_hostile", "filming_reluctance", "no_progress_under_pressure",
    ),
    "SUPERVISION": ("no", "yes", "urgent"),
    "SUPPORTS": ("colleague", "supervision", "seminar", "theory_method", "break", "other"),
    "PARENT_RESPONSE": ("engaged", "moved", "overwhelmed", "dismissive", "proud", "other"),
}


def _vocab(name: str):
    # A vocabulary by its module constant, or by its catalogue name while themes.py has none yet.
    return getattr(cat, name, None) or cat.VOCABULARIES[name.lower()]


def _all_theme_and_subtheme_ids() -> list[str]:
    return [t.id for t in cat.THEMES] + [s.id for t in cat.THEMES for s in t.subthemes]


def test_catalogue_version_is_a_positive_int() -> None:
    assert isinstance(cat.CATALOGUE_VERSION, int) and cat.CATALOGUE_VERSION >= 1


def test_theme_and_subtheme_ids_are_unique_across_the_catalogue() -> None:
    ids = _all_theme_and_subtheme_ids()
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", sorted(EXPECTED_VOCAB_IDS))
def test_vocabulary_ids_are_unique_within_each_vocabulary(name: str) -> None:
    ids = [c.id for c in _vocab(name)]
    assert len(ids) == len(set(ids))


def test_four_themes_in_order() -> None:
    assert [t.id for t in cat.THEMES] == [
        "coercive_context", "safe_alliance", "positive_moments", "therapist_feelings",
    ]
    assert [t.number for t in cat.THEMES] == [1, 2, 3, 4]
    assert cat.THEME_IDS == frozenset(t.id for t in cat.THEMES)


@pytest.mark.parametrize("t", cat.THEMES, ids=lambda t: t.id)
def test_theme_shape(t: cat.Theme) -> None:
    assert 4 <= len(t.subthemes) <= 8
    assert 1 <= len(t.short.split()) <= 4  # short enough for a chip on a phone
    assert t.description.strip()
    for s in t.subthemes:
        assert s.id.startswith(t.id + "."), s.id
        slug = s.id[len(t.id) + 1:]
        assert slug and slug.replace("_", "").isalnum() and slug == slug.lower(), s.id
        assert 0 < len(s.name) <= 45, s.name
        assert s.description.strip()


def test_subtheme_ids_cover_every_subtheme() -> None:
    assert cat.SUBTHEME_IDS == frozenset(s.id for t in cat.THEMES for s in t.subthemes)


@pytest.mark.parametrize("name", sorted(EXPECTED_VOCAB_IDS))
def test_vocabulary_has_exact_ids(name: str) -> None:
    vocab = _vocab(name)
    assert tuple(c.id for c in vocab) == EXPECTED_VOCAB_IDS[name]
    assert all(c.label.strip() for c in vocab)
    assert cat.valid_ids(vocab) == frozenset(EXPECTED_VOCAB_IDS[name])


def test_vocabularies_mapping_lists_every_vocabulary() -> None:
    assert {id(v) for v in cat.VOCABULARIES.values()} == {
        id(_vocab(name)) for name in EXPECTED_VOCAB_IDS
    }


def test_snapshot_of_shipped_ids() -> None:
    # If this fails you changed the meaning of a shipped id: add a new id instead
    # (and retire the old one with retired=True). See the rule next to CATALOGUE_VERSION.
    assert cat.FINGERPRINT == SHIPPED_IDS


def test_choice_label_known_and_unknown() -> None:
    assert cat.choice_label(cat.FEELINGS, "anger") == "Anger"
    # Unknown ids (older/newer data) must render as themselves, never crash.
    assert cat.choice_label(cat.FEELINGS, "no_such_feeling") == "no_such_feeling"
    assert cat.choice_label(cat.SUPERVISION, "") == ""


def test_lookups() -> None:
    assert cat.theme("safe_alliance").number == 2
    assert cat.subtheme("coercive_context.whether_to_report").name
    assert cat.theme_of("coercive_context.whether_to_report").id == "coercive_context"
    for t in cat.THEMES:
        for s in t.subthemes:
            assert cat.theme_of(s.id) is t


@pytest.mark.parametrize(
    "call, arg",
    [
        (cat.theme, "nope"),
        (cat.subtheme, "coercive_context.nope"),
        (cat.theme_of, "coercive_context.nope"),
        (cat.theme_of, "nope"),
    ],
)
def test_unknown_ids_raise_key_error(call, arg: str) -> None:
    with pytest.raises(KeyError):
        call(arg)


def test_retired_items_are_excluded_only_on_request() -> None:
    vocab = (cat.Choice("a", "A"), cat.Choice("b", "B", retired=True))
    assert cat.valid_ids(vocab) == {"a", "b"}
    assert cat.valid_ids(vocab, include_retired=False) == {"a"}
    t = cat.Theme("x", 9, "X", "X", "X.", (cat.Subtheme("x.a", "A", "a."),
                                          cat.Subtheme("x.b", "B", "b.", retired=True)))
    assert [s.id for s in t.active_subthemes] == ["x.a"]


def test_catalogue_objects_are_immutable() -> None:
    with pytest.raises(AttributeError):
        cat.THEMES[0].name = "changed"  # type: ignore[misc]


def _text_tables(node):
    """Every language-keyed text table in a data file (a dict whose keys include "en")."""
    if isinstance(node, dict):
        if "en" in node:
            yield node
        for value in node.values():
            yield from _text_tables(value)
    elif isinstance(node, list):
        for value in node:
            yield from _text_tables(value)


@pytest.mark.parametrize("name", ["themes.toml", "entry_kinds.toml"])
def test_every_catalogue_text_has_english(name: str) -> None:
    from domain.catalogue import texts

    data = texts.load(name)
    tables = list(_text_tables(data))
    assert tables
    assert all(isinstance(t["en"], str) and t["en"].strip() for t in tables)


def test_catalogue_text_falls_back_to_english(monkeypatch) -> None:
    # A translation can be added one text at a time: what is not translated yet shows in English.
    from domain.catalogue import texts

    monkeypatch.setattr(texts, "_source", lambda: "nb")
    assert texts.now(texts.text({"name": {"en": "Mother", "nb": "Mor"}}, "name")) == "Mor"
    assert texts.now(texts.text({"name": {"en": "Mother"}}, "name")) == "Mother"
    assert texts.now(texts.text({}, "description")) == ""


def test_process_status_ids_split_into_two_outcomes_are_retired() -> None:
    # Reporting a concern and ending the guidance are two decisions now (catalogue/outcomes.py).
    assert cat.CATALOGUE_VERSION >= 3
    assert cat.valid_ids(cat.PROCESS_STATUS, include_retired=False) == frozenset({"ongoing"})
    assert cat.choice_label(cat.PROCESS_STATUS, "ended_early") == "Ended early"
