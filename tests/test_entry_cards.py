"""The entry cards on the journal list and the home page (blueprints/entry_cards.py): each card
links to its entry and shows its kind, visit date, supervision mark, draft mark and deletion date,
the same deletion date the entry's own page shows."""
from __future__ import annotations

import re

import pytest

from tests.conftest import Auth


def _save(auth: Auth, kind: str, field: str, text: str, supervision: str = "no", action: str = "save") -> str:
    r = auth.post(f"/entries/new/{kind}", {"kind": kind, "action": action, "supervision": supervision,
                                           field: text, "visit_date": "2026-02-03"})
    assert r.status_code == 302, r.get_data(as_text=True)
    found = re.search(r"/entries/([0-9a-f]{32})", r.headers["Location"])
    return found.group(1) if found else ""


def _cards(html: str) -> dict[str, str]:
    """entry id -> the card's HTML."""
    return {m.group(1): m.group(0) for m in re.finditer(
        r'<li class="entry-card">\s*<a href="/entries/([0-9a-f]{32})">.*?</li>', html, re.DOTALL)}


def _expires(client, entry_id: str) -> str:
    page = client.get(f"/entries/{entry_id}").get_data(as_text=True)
    return re.search(r'<span class="expires-on">([^<·]+)', page).group(1).strip()


@pytest.fixture
def entries(auth, user):
    return {"urgent": _save(auth, "ethical_dilemma", "dilemma", "Do I call the caseworker tonight", "urgent"),
            "flagged": _save(auth, "hard_session", "what_happened", "The father left the room", "yes"),
            "plain": _save(auth, "bright_moment", "what_happened", "Eye contact at bathtime")}


def test_list_cards_show_kind_date_marks_and_deletion_date(client, entries):
    cards = _cards(client.get("/entries").get_data(as_text=True))
    assert set(cards) == set(entries.values())
    urgent, flagged, plain = (cards[entries[k]] for k in ("urgent", "flagged", "plain"))
    assert '<span class="kind kind-ethical_dilemma">Ethical dilemma</span>' in urgent
    assert '<time datetime="2026-02-03">3 Feb 2026</time>' in urgent
    assert '<span class="badge badge-urgent">urgent</span>' in urgent
    assert '<span class="badge">supervision</span>' in flagged and "badge-urgent" not in flagged
    assert "badge" not in plain and "Eye contact at bathtime" in plain
    for entry_id, card in cards.items():
        assert f'<span class="expires-on">{_expires(client, entry_id)}</span>' in card


def test_home_cards_and_drafts(auth, client, entries):
    draft = _save(auth, "bright_moment", "what_happened", "Half a thought in the car", action="draft")
    home = _cards(client.get("/").get_data(as_text=True))
    assert {entries["urgent"], entries["flagged"], draft} <= set(home)
    assert '<span class="badge">draft</span>' in home[draft]
    drafts = _cards(client.get("/entries?drafts=1").get_data(as_text=True))
    assert set(drafts) == {draft}
