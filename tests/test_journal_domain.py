"""Unit tests for domain/journal/entries.py and domain/journal/processes.py: validation, storage, filters, search,
process code warnings and the early-supervision suggestion."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from blueprints import guards
from domain.accounts import account as accounts
from domain.catalogue import themes
from domain.core.db import db
from domain.core.keyring import CryptoError
from domain.journal import entries as journal
from domain.journal import process_screening, processes
from domain.journal.entries import EntryError, Item
from domain.journal.filters import Filters, select_items
from tests.conftest import PASSWORD


def _account(login: str):
    user, key, _code = accounts.create_account(guards.kdf_policy(), guards.server_secret(), login,
                                               login.title(), PASSWORD)
    db.session.flush()
    return user, key


@pytest.fixture
def owner(ctx):
    return _account("domainowner")


def entry(kind="hard_session", **fields) -> dict:
    """A minimal valid entry of a kind, plus extra fields."""
    main = {"hard_session": {"what_happened": "the review stalled"},
            "bright_moment": {"what_happened": "the baby laughed"},
            "ethical_dilemma": {"dilemma": "whether to say it"},
            "countertransference": {"trigger": "the raised voice"}}[kind]
    return {"kind": kind, **main, **fields}


def saved(owner, data: dict, draft=False, created: datetime | None = None) -> Item:
    user, key = owner
    row = journal.create(user, key, journal.clean(data, set(), draft))
    if created:
        row.created_at = row.updated_at = created
    db.session.flush()
    return Item(row, journal.read(row, key))


# --- clean -----------------------------------------------------------------------------------

@pytest.mark.parametrize("data, field", [
    ({"kind": "poem", "what_happened": "x"}, "kind"),
    ({"kind": None}, "kind"),
    (entry(themes=["no_such_theme"]), "themes"),
    (entry(subthemes=["coercive_context.no_such"]), "themes"),
    (entry(subthemes=["nonsense"]), "themes"),
    (entry("countertransference", feelings=["helplessness", "ennui"]), "feelings"),
    (entry("countertransference", whose=["the_neighbours"]), "whose"),
    (entry("ethical_dilemma", dilemma_type="buy_a_boat"), "dilemma_type"),
    (entry("ethical_dilemma", concern_level="extreme"), "concern_level"),
    (entry(effect="magic"), "effect"),
    (entry("countertransference", intensity=11), "intensity"),
    (entry("countertransference", intensity=-1), "intensity"),
    (entry(what_happened="x" * 4001), "what_happened"),
    (entry("countertransference", body="y" * 201), "body"),
])
def test_clean_refuses_unknown_ids_and_bad_values(data, field):
    with pytest.raises(EntryError) as exc:
        journal.clean(data, set(), draft=False)
    assert exc.value.field == field
    assert str(exc.value)


def test_clean_limits_are_the_catalogue_limits():
    assert journal.clean(entry(what_happened="x" * 4000), set(), False)["what_happened"] == "x" * 4000
    for n in (0, 10):
        assert journal.clean(entry("countertransference", intensity=n), set(), False)["intensity"] == n


def test_subthemes_imply_their_themes():
    out = journal.clean(entry(themes=["safe_alliance"],
                              subthemes=["therapist_feelings.own_history", "coercive_context.mandate"]),
                        set(), False)
    assert out["themes"] == sorted(["safe_alliance", "therapist_feelings", "coercive_context"])
    assert out["subthemes"] == ["therapist_feelings.own_history", "coercive_context.mandate"]


def test_clean_stamps_status_schema_and_catalogue_version():
    out = journal.clean(entry(), set(), draft=False)
    assert out["status"] == "saved" and out["v"] == journal.SCHEMA
    assert out["catalogue"] == themes.CATALOGUE_VERSION
    assert journal.clean({"kind": "bright_moment"}, set(), draft=True)["status"] == "draft"


def test_urgent_only_for_dilemmas():
    for kind in ("hard_session", "countertransference", "bright_moment"):
        with pytest.raises(EntryError) as exc:
            journal.clean(entry(kind, supervision="urgent"), set(), False)
        assert exc.value.field == "supervision"
    out = journal.clean(entry("ethical_dilemma", supervision="urgent"), set(), False)
    assert out["supervision"] == "urgent"


@pytest.mark.parametrize("kind, field", [("hard_session", "what_happened"), ("bright_moment", "what_happened"),
                                         ("ethical_dilemma", "dilemma"), ("countertransference", "feelings")])
def test_each_kind_needs_its_minimum_but_drafts_need_nothing(kind, field):
    with pytest.raises(EntryError) as exc:
        journal.clean({"kind": kind, "title": "only a title"}, set(), draft=False)
    assert exc.value.field == field
    assert journal.clean({"kind": kind}, set(), draft=True)["status"] == "draft"


@pytest.mark.parametrize("extra", [{"feelings": ["sadness"]}, {"feelings_other": "heavy"},
                                   {"trigger": "the door"}])
def test_countertransference_minimum_is_any_feeling_or_trigger(extra):
    assert journal.clean({"kind": "countertransference", **extra}, set(), False)["status"] == "saved"


def test_process_must_be_one_of_the_owners(owner):
    user, key = owner
    mine = processes.create(user, key, {"code": "MM-1"})
    other_user, other_key = _account("someoneelse")
    theirs = processes.create(other_user, other_key, {"code": "MM-2"})
    db.session.flush()
    mine_ids = {p.row.id for p in processes.all_items(user.id, key)}
    assert mine_ids == {mine.id}
    assert journal.clean(entry(process_id=mine.id), mine_ids, False)["process_id"] == mine.id
    with pytest.raises(EntryError) as exc:
        journal.clean(entry(process_id=theirs.id), mine_ids, False)
    assert exc.value.field == "process_id"
    # drafts too: a draft must not point at someone else's process either
    with pytest.raises(EntryError):
        journal.clean(entry(process_id=theirs.id), mine_ids, True)


# --- storage ---------------------------------------------------------------------------------

def test_create_read_update_round_trip(owner):
    user, key = owner
    data = journal.clean(entry("countertransference", feelings=["helplessness"], intensity=7,
                               trigger="roundtrip-marker-kestrel", tags=["night"]), set(), False)
    row = journal.create(user, key, data)
    db.session.commit()
    assert b"kestrel" not in row.content and b"helplessness" not in row.content
    got = journal.read(journal.get_owned(user.id, row.id), key)
    assert got == data
    got["trigger"] = "changed-marker-osprey"
    journal.update(row, key, got)
    db.session.commit()
    db.session.expire_all()
    assert journal.read(journal.get_owned(user.id, row.id), key)["trigger"] == "changed-marker-osprey"
    journal.delete(row, key)
    db.session.commit()
    assert journal.get_owned(user.id, row.id) is None


def test_create_never_reuses_a_taken_id(owner):
    user, key = owner
    first = journal.create(user, key, journal.clean(entry(), set(), False), "a" * 32)
    db.session.flush()
    assert first.id == "a" * 32
    second = journal.create(user, key, journal.clean(entry(), set(), False), "a" * 32)
    db.session.flush()
    assert second.id != first.id


def test_get_owned_hides_other_users_and_odd_ids(owner):
    user, key = owner
    row = journal.create(user, key, journal.clean(entry(), set(), False))
    other, _ = _account("nosy")
    db.session.flush()
    assert journal.get_owned(user.id, row.id) is row
    assert journal.get_owned(other.id, row.id) is None
    assert journal.get_owned(user.id, "") is None
    assert journal.get_owned(user.id, "x" * 65) is None


def test_a_content_blob_does_not_open_under_another_row(owner):
    user, key = owner
    a = journal.create(user, key, journal.clean(entry(), set(), False))
    b = journal.create(user, key, journal.clean(entry(what_happened="other"), set(), False))
    db.session.flush()
    b.content, b.wrapped_key = a.content, a.wrapped_key
    with pytest.raises(CryptoError):
        journal.read(b, key)


# --- Item ------------------------------------------------------------------------------------

def test_item_day_prefers_the_visit_date(owner):
    created = datetime(2026, 1, 10, 12, 0)
    assert saved(owner, entry(visit_date="2025-12-24"), created=created).day == date(2025, 12, 24)
    assert saved(owner, entry(), created=created).day == date(2026, 1, 10)


def test_item_headline(owner):
    assert saved(owner, entry(title="My own title", what_happened="long text")).headline == "My own title"
    long = "word " * 30
    head = saved(owner, entry(what_happened=long)).headline
    assert head.endswith("…") and len(head) == 71 and "  " not in head
    assert saved(owner, entry("ethical_dilemma", dilemma="report or not")).headline == "report or not"
    feel = saved(owner, {"kind": "countertransference", "feelings": ["helplessness", "sadness"]})
    assert feel.headline == "Helplessness, Sadness"
    assert saved(owner, {"kind": "bright_moment"}, draft=True).headline == "Bright moment"


# --- filters and search ----------------------------------------------------------------------

@pytest.fixture
def journal_items(owner):
    user, key = owner
    proc = processes.create(user, key, {"code": "MM-9"})
    db.session.flush()
    pids = {proc.id}
    specs = [
        entry("hard_session", what_happened="Camera stayed off", themes=["coercive_context"],
              visit_date="2026-01-05", tags=["First visit"], process_id=proc.id, supervision="yes"),
        entry("countertransference", feelings=["helplessness"], intensity=8, visit_date="2026-02-10",
              subthemes=["therapist_feelings.own_history"], tags=["night"]),
        entry("ethical_dilemma", dilemma="Whether to call the caseworker", dilemma_type="report_cps",
              supervision="urgent", visit_date="2026-03-01", process_id=proc.id),
        entry("bright_moment", what_happened="The lighthouse moment at bathtime", visit_date="2026-03-20",
              themes=["positive_moments"], subthemes=["positive_moments.new_view_of_child"]),
    ]
    items = [Item(r, journal.read(r, key)) for r in
             (journal.create(user, key, journal.clean(s, pids, False)) for s in specs)]
    draft = journal.create(user, key, journal.clean({"kind": "bright_moment", "what_happened": "unfinished"},
                                                    pids, True))
    db.session.flush()
    return items + [Item(draft, journal.read(draft, key))], proc.id


def _kinds(items, **filters):
    return [i.kind for i in select_items(items, Filters(**filters))]


def test_filters(journal_items):
    items, pid = journal_items
    assert _kinds(items) == ["hard_session", "countertransference", "ethical_dilemma", "bright_moment"]
    assert _kinds(items, drafts=True) == ["bright_moment"]
    assert _kinds(items, kind="ethical_dilemma") == ["ethical_dilemma"]
    assert _kinds(items, theme="therapist_feelings") == ["countertransference"]  # implied by its subtheme
    assert _kinds(items, theme="positive_moments") == ["bright_moment"]
    assert _kinds(items, subtheme="positive_moments.new_view_of_child") == ["bright_moment"]
    assert _kinds(items, process_id=pid) == ["hard_session", "ethical_dilemma"]
    assert _kinds(items, process_id="nope") == []
    assert _kinds(items, date_from=date(2026, 2, 10)) == ["countertransference", "ethical_dilemma",
                                                          "bright_moment"]
    assert _kinds(items, date_to=date(2026, 2, 10)) == ["hard_session", "countertransference"]
    assert _kinds(items, date_from=date(2026, 2, 11), date_to=date(2026, 3, 1)) == ["ethical_dilemma"]
    assert _kinds(items, supervision="flagged") == ["hard_session", "ethical_dilemma"]
    assert _kinds(items, supervision="urgent") == ["ethical_dilemma"]
    assert _kinds(items, tag="first VISIT") == ["hard_session"]
    assert _kinds(items, kind="hard_session", tag="night") == []
    assert Filters(tag="x").active() and not Filters(drafts=True).active()


@pytest.mark.parametrize("q, expected", [
    ("camera", ["hard_session"]),
    ("CAMERA off", ["hard_session"]),              # every word, any case
    ("camera lighthouse", []),                     # words are ANDed
    ("helpless", ["countertransference"]),         # a chosen feeling's label is searchable
    ("history resonating", ["countertransference"]),  # a subtheme's name
    ("child welfare services", ["ethical_dilemma"]),     # the dilemma type's label
    ("coercive context", ["hard_session"]),        # a theme's name
    ("night", ["countertransference"]),            # a tag
    ("lighthouse", ["bright_moment"]),
    ("unfinished", []),                            # drafts are listed apart
])
def test_search_words_across_text_and_labels(journal_items, q, expected):
    items, _pid = journal_items
    assert _kinds(items, q=q) == expected


def test_search_finds_drafts_in_the_draft_list(journal_items):
    items, _pid = journal_items
    assert _kinds(items, q="unfinished", drafts=True) == ["bright_moment"]


def test_all_items_newest_first_and_tags_and_flagged(owner, journal_items):
    user, key = owner
    items = journal.all_items(user.id, key)
    days = [i.day for i in items if not i.is_draft]
    assert days == sorted(days, reverse=True)
    assert journal.all_tags(items) == ["First visit", "night"]
    assert [i.data["supervision"] for i in journal.flagged(items)] == ["urgent", "yes"]


# --- processes: code warnings ----------------------------------------------------------------

@pytest.mark.parametrize("code", ["Kari", "Ola Nordmann", "MM Kari 3", "Åse-Marie", "baby Jonas"])
def test_code_warnings_for_names(code):
    warnings = processes.code_warnings(code)
    assert any("name" in w for w in warnings), code


@pytest.mark.parametrize("code", ["010203", "01.02.2023", "31-12-19", "MM 24.12.2025", "0102 2023"])
def test_code_warnings_for_birth_dates(code):
    assert any("birth date" in w for w in processes.code_warnings(code)), code


@pytest.mark.parametrize("code", ["MM-25-03", "mm-25-03", "A7", "D-2026-4", "MM-99-99-99", "K3B", "2025-17",
                                  "310299"])
def test_no_code_warnings_for_codes(code):
    # 31.02.99 is no real date, so 310299 is a number, not a birthday
    assert processes.code_warnings(code) == [], code


# --- processes: storage and supervision ------------------------------------------------------

def test_process_clean_drops_unknown_values(owner):
    user, key = owner
    row = processes.create(user, key, {"code": "MM-1", "status": "vanished",
                                       "screening": ["child_protection", "astrology"]})
    db.session.flush()
    assert b"MM-1" not in row.content
    data = processes.read(row, key)
    assert "status" not in data and data["screening"] == ["child_protection"]
    processes.update(row, key, data | {"ended": "early"})
    assert processes.read(row, key)["ended"] == "early"


def test_deleting_a_process_keeps_its_entries_unlinked(owner):
    user, key = owner
    proc = processes.create(user, key, {"code": "MM-4"})
    db.session.flush()
    row = journal.create(user, key, journal.clean(entry(process_id=proc.id), {proc.id}, False))
    db.session.flush()
    item = Item(row, journal.read(row, key))
    processes.delete(proc, [item], key)
    db.session.commit()
    assert processes.get_owned(user.id, proc.id) is None
    assert journal.read(journal.get_owned(user.id, row.id), key)["process_id"] is None


def _heavy(owner, day: date, kind="hard_session", draft=False) -> Item:
    return saved(owner, entry(kind, visit_date=day.isoformat()), draft=draft)


TODAY = date(2026, 6, 1)


def test_supervision_reason_for_screening_flags(owner):
    # Screening flags lead to concrete next steps on the process page, not to a generic reason.
    assert processes.supervision_reasons({"screening": ["child_protection"]}, [], TODAY) == []
    assert len(process_screening.next_steps(["child_protection", "parental_insecurity"])) == 2


def test_supervision_reason_for_three_heavy_entries_in_three_weeks(owner):
    days = [TODAY - timedelta(days=d) for d in (1, 8, 20)]
    heavy = [_heavy(owner, d, k) for d, k in zip(days, ("hard_session", "countertransference",
                                                        "ethical_dilemma"))]
    reasons = processes.supervision_reasons({}, heavy, TODAY)
    assert reasons == ["3 heavy entries within three weeks."]
    # two are not enough
    assert processes.supervision_reasons({}, heavy[:2], TODAY) == []


def test_supervision_ignores_spread_out_bright_draft_and_old_entries(owner):
    spread = [_heavy(owner, TODAY - timedelta(days=d)) for d in (1, 23, 45)]
    assert processes.supervision_reasons({}, spread, TODAY) == []
    bright = [_heavy(owner, TODAY - timedelta(days=1)), _heavy(owner, TODAY - timedelta(days=2)),
              _heavy(owner, TODAY - timedelta(days=3), "bright_moment")]
    assert processes.supervision_reasons({}, bright, TODAY) == []
    drafts = bright[:2] + [_heavy(owner, TODAY - timedelta(days=3), draft=True)]
    assert processes.supervision_reasons({}, drafts, TODAY) == []
    old = [_heavy(owner, TODAY - timedelta(days=d)) for d in (200, 201, 202)]
    assert processes.supervision_reasons({}, old, TODAY) == []
    assert processes.supervision_reasons({}, old + [_heavy(owner, TODAY - timedelta(days=5))], TODAY) == []


# --- robustness for callers other than the web form (import, demo) --------------------------

def test_clean_normalises_a_numeric_string_intensity():
    assert journal.clean(entry("countertransference", intensity="7"), set(), False)["intensity"] == 7
    for bad in ("abc", "7.5", True, [], "11"):
        with pytest.raises(EntryError) as exc:
            journal.clean(entry("countertransference", intensity=bad), set(), False)
        assert exc.value.field == "intensity"


@pytest.mark.parametrize("field, value", [("visit_date", "2026-02-30"), ("visit_date", "yesterday"),
                                          ("follow_up", "31.12.2026"), ("follow_up", 20260101)])
def test_clean_refuses_dates_that_are_not_iso(field, value):
    kind = "ethical_dilemma"
    with pytest.raises(EntryError) as exc:
        journal.clean(entry(kind, **{field: value}), set(), False)
    assert exc.value.field == field


def test_search_ignores_stored_ids(journal_items):
    items, pid = journal_items
    # "saved", "no", "yes" and the process id are how entries are stored, not what was written
    for q in ("saved", "yes", "hard_session", pid[:12], "therapist_feelings.own_history"):
        assert _kinds(items, q=q) == [], q
