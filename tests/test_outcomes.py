"""The two process outcomes are read from both the old single status and the new fields."""
from domain.catalogue.outcomes import ENDED_AS_PLANNED, ENDED_EARLY, REPORTED, is_open, outcomes, upgraded


def test_legacy_statuses_map_without_loss():
    assert outcomes({"status": "ongoing"}) == frozenset()
    assert outcomes({"status": "completed"}) == {ENDED_AS_PLANNED}
    assert outcomes({"status": "ended_early"}) == {ENDED_EARLY}
    assert outcomes({"status": "reported"}) == {REPORTED}


def test_reported_and_ended_are_two_decisions():
    data = {"reported": "yes", "reported_on": "2026-03-02", "ended": "early", "ended_on": "2026-04-01"}
    assert outcomes(data) == {REPORTED, ENDED_EARLY}
    assert not is_open(data)
    assert is_open({"reported": "yes"})


def test_new_fields_win_over_a_legacy_status():
    assert upgraded({"status": "completed", "ended": "early"})["ended"] == "early"
    assert "status" not in upgraded({"status": "reported"})
