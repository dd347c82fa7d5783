"""The Fokus catalogue: themes, subthemes and the small fixed vocabularies.

Every entry a therapist writes is tagged with ids from this module, and seminar trend
summaries count those ids across people and months. The catalogue is therefore a shared
language that must stay stable over time, which is why it lives in code, is versioned and
is guarded by a snapshot test (tests/test_themes.py).

The four theme *names* are those of Simhan, Vik, Veseth & Hjeltnes (2020). Every other
word here (short labels, descriptions, subthemes) is Fokus's own wording.

Pure stdlib on purpose: the catalogue is imported by models, forms, templates, the
demo seeder and the trend code, and must never pull in Flask or the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Versioning rule (read before editing anything below):
#   * An id, once shipped, never changes meaning. Stored entries refer to ids, so changing
#     what an id means would silently rewrite every old entry and every trend count.
#   * Fixing a typo or sharpening the wording of a name/description is fine (update the
#     snapshot in tests/test_themes.py in the same change); changing *what it is about*
#     is not.
#   * New items get new ids. If an item's meaning has to change, retire the old one and
#     add a new id.
#   * Retired items stay in the catalogue with retired=True so that old entries still
#     render with a proper label and old trend data stays countable. Forms hide them.
#   * Bump CATALOGUE_VERSION whenever ids are added or retired, so clients and exports can
#     tell which catalogue an entry was written against.
CATALOGUE_VERSION = 1


@dataclass(frozen=True)
class Subtheme:
    id: str
    name: str
    description: str
    retired: bool = False


@dataclass(frozen=True)
class Theme:
    id: str
    number: int
    name: str
    short: str
    description: str
    subthemes: tuple[Subtheme, ...]

    @property
    def active_subthemes(self) -> tuple[Subtheme, ...]:
        """Subthemes offered in forms; retired ones only remain for old data."""
        return tuple(s for s in self.subthemes if not s.retired)


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    description: str = ""
    retired: bool = False


def _sub(theme_id: str, slug: str, name: str, description: str) -> Subtheme:
    # Building the id from the theme id keeps the "<theme_id>.<slug>" convention impossible
    # to get wrong by hand.
    return Subtheme(id=f"{theme_id}.{slug}", name=name, description=description)


# ---------------------------------------------------------------------------------------
# Themes and subthemes
# ---------------------------------------------------------------------------------------

_CC = "coercive_context"
_SA = "safe_alliance"
_PM = "positive_moments"
_TF = "therapist_feelings"

THEMES: tuple[Theme, ...] = (
    Theme(
        id=_CC,
        number=1,
        name="Promoting relational growth in a coercive context",
        short="Coercive context",
        description=(
            "Guidance that happens while child protection is involved or a worry about the "
            "child is growing. The method looks for what works, yet you may be seeing things "
            "that cannot be left unsaid, and the family may feel watched rather than helped."
        ),
        subthemes=(
            _sub(_CC, "positives_vs_concern", "Positive focus versus what I saw",
                 "A resource-focused review sits uneasily next to something on film that worries me."),
            _sub(_CC, "whether_to_report", "Whether to report to child protection",
                 "Weighing if what I have seen is serious enough to pass on to child protection."),
            _sub(_CC, "no_progress_under_pressure", "Time pressure with no visible change",
                 "The clock is running for the child, and the films show little or no movement."),
            _sub(_CC, "compliance_from_fear", "Taking part out of fear",
                 "The parents go along with guidance because they feel they must, not because they want to."),
            _sub(_CC, "camera_as_control", "The camera felt as control",
                 "For the parents the filming seems to be about being checked rather than supported."),
            _sub(_CC, "mandate", "Negotiating the mandate with CPS",
                 ("Agreeing with child protection what the guidance is for and what, if anything, is "
                  "reported back.")),
            _sub(_CC, "ending_early", "Ending the guidance early",
                 "Deciding that guidance should stop before the planned end, and how to close it well."),
        ),
    ),
    Theme(
        id=_SA,
        number=2,
        name="Building an alliance that feels safe for the parents",
        short="Safe alliance",
        description=(
            "Earning enough trust that the parents can let themselves be filmed and look at "
            "the film with you. Safety tends to grow slowly, through reviews that reliably "
            "show what goes well, and it is easily shaken."
        ),
        subthemes=(
            _sub(_SA, "trust_through_repetition", "Trust growing review by review",
                 "Safety that builds slowly because each review keeps showing what works."),
            _sub(_SA, "heard_as_criticism", "Guidance heard as criticism",
                 "A parent takes a suggestion or a clip as proof of failing."),
            _sub(_SA, "filming_reluctance", "Reluctance to be filmed",
                 ("A parent hesitates to be on film, and we adapt, for example filming only the child or "
                  "blurring the parent.")),
            _sub(_SA, "focus_on_child", "Keeping the focus on the child",
                 ("Steering attention to the child's signals so that the parent does not feel under "
                  "inspection.")),
            _sub(_SA, "parents_bring_concerns", "Parents raising their own concerns",
                 "A parent starts to bring worries of their own, a sign the space feels safe enough."),
            _sub(_SA, "double_gaze", "Reading the parent during the review",
                 "Watching the parent's reactions as closely as the screen and adjusting as I go."),
        ),
    ),
    Theme(
        id=_PM,
        number=3,
        name="Looking at positive moments in difficult lives",
        short="Positive moments",
        description=(
            "Showing good moments to parents whose own hurts get stirred by the film. It is "
            "about choosing and pacing clips so the parent can take them in, and helping them "
            "see their child rather than their own past or their worries."
        ),
        subthemes=(
            _sub(_PM, "flooded_or_shut_down", "Parent flooded or shutting down",
                 "Seeing the film overwhelms the parent, or they go blank and withdraw."),
            _sub(_PM, "clip_choice", "Clips that engage without overwhelming",
                 "Picking moments the parent can bear to look at and still find meaningful."),
            _sub(_PM, "parent_childhood", "The parent's own childhood surfacing",
                 "Memories of how the parent was cared for come up during filming or review."),
            _sub(_PM, "past_and_present", "Holding the past, returning to now",
                 ("Giving the parent's history some room while bringing attention back to today's "
                  "interaction.")),
            _sub(_PM, "child_out_of_focus", "Child out of focus or seen as hostile",
                 "The parent keeps steering away from the child or speaks of the child as against them."),
            _sub(_PM, "film_techniques", "Stills, repeats and close-ups",
                 "Using pauses, replays, faces, rhythm and tone to make a small moment visible."),
            _sub(_PM, "new_view_of_child", "Parent sees the child anew",
                 "The moment a parent notices something in their child they had not seen before."),
        ),
    ),
    Theme(
        id=_TF,
        number=4,
        name="Handling intense feelings as a therapist",
        short="My feelings",
        description=(
            "What working this close to a family does to you. Strong reactions are part of "
            "the work, from delight to despair, and some of them belong to your own story; "
            "noticing which is which helps you stay useful to the family."
        ),
        subthemes=(
            _sub(_TF, "closeness_imprint", "Closeness that stays with me",
                 "Being so near a family's everyday life leaves traces after the visit is over."),
            _sub(_TF, "intimate_disclosures", "Personal disclosures and wish for response",
                 "A parent shares something very private and seems to want more from me than guidance."),
            _sub(_TF, "joy_when_it_turns", "Joy when it turns",
                 "The lift I feel when an interaction finally shifts."),
            _sub(_TF, "nothing_moves", "Frustration or despair when nothing moves",
                 "Heavy feelings when visit after visit shows no change."),
            _sub(_TF, "over_eagerness", "Over-eagerness: tempo and explaining",
                 "Noticing I push, talk too much or go too fast because I want it to work."),
            _sub(_TF, "witnessing_hostility", "Witnessing hostility without stepping in",
                 "Filming harsh moments towards the child without interrupting, and carrying that."),
            _sub(_TF, "own_history", "My own history resonating",
                 "Something in the family touches my own story and colours how I react."),
        ),
    ),
)

# Deliberately not a subtheme: "what helps" (a colleague, supervision, seminars, theory).
# Fokus captures support structurally (the supervision flag, the "what helped" field and
# sharing), and trend summaries are about what was hard, so a tag would double-count it.


# ---------------------------------------------------------------------------------------
# Other vocabularies
# ---------------------------------------------------------------------------------------

FEELINGS: tuple[Choice, ...] = (
    Choice("frustration", "Frustration", "Blocked, as if my effort hits a wall."),
    Choice("sadness", "Sadness", "A heaviness or grief about what I see."),
    Choice("despair", "Despair", "A sense that nothing will change."),
    Choice("helplessness", "Helplessness", "Not knowing what I could possibly do."),
    Choice("anger", "Anger", "Heat, a wish to protect or to push back."),
    Choice("irritation", "Irritation", "A smaller, sharper annoyance."),
    Choice("anxiety", "Anxiety", "Worry or unease about what may happen."),
    Choice("guilt", "Guilt", "A feeling that I did something wrong or not enough."),
    Choice("shame", "Shame", "Wanting to hide how I acted or felt."),
    Choice("overwhelm", "Overwhelm", "Too much at once to take in."),
    Choice("numbness", "Numbness", "Feeling little or nothing where I expected to feel a lot."),
    Choice("loneliness", "Loneliness", "Carrying this on my own."),
    Choice("tenderness", "Tenderness", "Warmth and care towards the child or the parent."),
    Choice("protectiveness", "Protectiveness", "An urge to shield the child."),
    Choice("joy", "Joy", "Delight in something that went well."),
    Choice("relief", "Relief", "Tension letting go."),
    Choice("hope", "Hope", "A sense that change is possible."),
    Choice("pride", "Pride", "Satisfaction in the family's work or my own."),
)

WHOSE: tuple[Choice, ...] = (
    Choice("mine", "Mine", "It belongs to me, here and now."),
    Choice("my_history", "My own history", "It echoes something from my own life."),
    Choice("parent", "The parent's", "I may be picking up what the parent feels."),
    Choice("child", "The child's", "I may be feeling on behalf of the child."),
    Choice("relationship", "The relationship's", "It lives in the pattern between us or between them."),
    Choice("unsure", "Not sure yet", "Worth looking at later, perhaps with someone else."),
)

DILEMMA_TYPES: tuple[Choice, ...] = (
    Choice("report_cps", "Report to child protection?",
           "Whether what I have seen should be passed on to child protection."),
    Choice("continue_or_end", "Continue or end the guidance?",
           "Whether going on still serves the child, or it is time to stop."),
    Choice("concern_in_positive_method", "Raise a concern in a positive-only method?",
           "How to name something worrying when reviews show only what works."),
    Choice("unclear_mandate", "Unclear mandate",
           "It is not clear who the guidance is for or what is reported to whom."),
    Choice("filming_consent", "Filming and consent",
           "Who may be filmed, who sees the film, and what happens to it."),
    Choice("other", "Something else", ""),
)

# Ordered from least to most serious: code may compare positions in this tuple.
CONCERN_LEVELS: tuple[Choice, ...] = (
    Choice("none", "No concern", "Nothing about the child's care worries me."),
    Choice("some", "Some concern", "Something to keep an eye on."),
    Choice("serious", "Serious concern", "The child's care may not be good enough."),
    Choice("acute", "Acute concern", "An immediate worry for the child's safety."),
)

EFFECT: tuple[Choice, ...] = (
    Choice("clear", "Clear effect", "The interaction is visibly changing."),
    Choice("some", "Some effect", "Small or uneven signs of change."),
    Choice("none", "No effect yet", "Nothing seems to be moving."),
    Choice("unclear", "Hard to tell", "Too early, or too mixed to say."),
)

PROCESS_STATUS: tuple[Choice, ...] = (
    Choice("ongoing", "Ongoing", "Guidance is in progress."),
    Choice("completed", "Completed", "Guidance ran to its planned end."),
    Choice("ended_early", "Ended early", "Guidance stopped before the planned end."),
    Choice("reported", "Reported", "A concern was passed on to child protection."),
)

# Early signs that a guidance process may be with a vulnerable dyad. Fokus uses these to
# suggest supervision early; they describe the process, never diagnose a person.
SCREENING_FLAGS: tuple[Choice, ...] = (
    Choice("child_protection", "Child protection involved or likely",
           "Child protection is involved, or there are worries about the child's care."),
    Choice("parental_insecurity", "Parent's insecurity strains the alliance",
           "Mistrust or fragile self-worth makes the working relationship hard to build."),
    Choice("unresolved_problems", "Unresolved relational or mental-health difficulties",
           "The parent carries difficulties that may need treatment alongside guidance."),
    Choice("parent_own_childhood", "Parent's own childhood is active",
           "The parent's early experiences come up strongly in contact with the child."),
    Choice("child_seen_as_hostile", "Child described negatively or as hostile",
           "The parent speaks of the child as difficult, against them or to blame."),
    Choice("filming_reluctance", "Reluctance to be filmed",
           "Being filmed feels threatening or exposing to the parent."),
    Choice("no_progress_under_pressure", "No progress under time pressure",
           "Little change is visible while an outside deadline approaches."),
)

SUPERVISION: tuple[Choice, ...] = (
    Choice("no", "Not now", ""),
    Choice("yes", "Bring to supervision", "I want to reflect on this with someone."),
    Choice("urgent", "Urgent", "I need to talk to a supervisor soon, before the next visit."),
)

# Name -> vocabulary, so forms, validators and exports can iterate instead of importing
# each tuple by hand.
VOCABULARIES: dict[str, tuple[Choice, ...]] = {
    "feelings": FEELINGS,
    "whose": WHOSE,
    "dilemma_types": DILEMMA_TYPES,
    "concern_levels": CONCERN_LEVELS,
    "effect": EFFECT,
    "process_status": PROCESS_STATUS,
    "screening_flags": SCREENING_FLAGS,
    "supervision": SUPERVISION,
}


# ---------------------------------------------------------------------------------------
# Lookups
# ---------------------------------------------------------------------------------------

_THEMES_BY_ID: dict[str, Theme] = {t.id: t for t in THEMES}
_SUBTHEMES_BY_ID: dict[str, Subtheme] = {s.id: s for t in THEMES for s in t.subthemes}

THEME_IDS: frozenset[str] = frozenset(_THEMES_BY_ID)
# Includes retired subthemes: they are still valid in stored data.
SUBTHEME_IDS: frozenset[str] = frozenset(_SUBTHEMES_BY_ID)


def theme(theme_id: str) -> Theme:
    """The theme with this id; KeyError if unknown."""
    return _THEMES_BY_ID[theme_id]


def subtheme(subtheme_id: str) -> Subtheme:
    """The subtheme with this id; KeyError if unknown."""
    return _SUBTHEMES_BY_ID[subtheme_id]


def theme_of(subtheme_id: str) -> Theme:
    """The theme a subtheme belongs to; KeyError if the subtheme is unknown."""
    subtheme(subtheme_id)  # raise for unknown ids rather than guessing from the prefix
    return _THEMES_BY_ID[subtheme_id.split(".", 1)[0]]


def choice_label(vocab: Iterable[Choice], choice_id: str) -> str:
    """Human label for an id; the id itself if unknown.

    Falling back instead of raising means an entry written against an older or newer
    catalogue still renders instead of crashing a page.
    """
    for choice in vocab:
        if choice.id == choice_id:
            return choice.label
    return choice_id


def valid_ids(vocab: Iterable[Choice], *, include_retired: bool = True) -> frozenset[str]:
    """Ids of a vocabulary. Pass include_retired=False when validating new input."""
    return frozenset(c.id for c in vocab if include_retired or not c.retired)


# Snapshot of every theme and subtheme id with its name. tests/test_themes.py compares this
# against a hard-coded copy, so any change to shipped ids has to be made deliberately.
FINGERPRINT: dict[str, str] = {
    **{t.id: t.name for t in THEMES},
    **{s.id: s.name for t in THEMES for s in t.subthemes},
}
