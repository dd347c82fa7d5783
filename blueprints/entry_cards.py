"""The entry cards of the journal list and the home page, prepared in Python for
templates/journal/_cards.html. Written as a Jinja macro, one card was a dozen template calls (its
link, date, badges and deletion date, each through the template runtime), and a page shows up to
twenty cards on every view: a third of the page's time went there (docs/ARCHITECTURE.md,
"Journal index and speed")."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext

from blueprints import local_time, retention
from domain.catalogue.entry_kinds import KINDS

_SLOT = "ENTRYID"


@dataclass(frozen=True, slots=True)
class Card:
    href: str
    day_iso: str
    day: str
    headline: str
    kind: str = ""          # the kind's id; empty for an entry that cannot be opened
    kind_label: str = ""
    badge: str = ""         # "urgent", "supervision" or ""
    badge_text: str = ""
    draft_text: str = ""
    expires: str = ""


def cards(items: Iterable) -> list[Card]:
    """One card per journal item (domain/journal/items.py), in the order given. The deletion dates
    of all of them come in one query."""
    items = list(items)
    retention.shown(i.row.id for i in items)
    dates = retention.expiry_dates()
    words = {"urgent": gettext("urgent"), "yes": gettext("supervision"), "draft": gettext("draft")}
    labels = {kind_id: kind.label for kind_id, kind in KINDS.items()}
    # Built once with a stand-in for the id (ids are hex, so the URL holds them as they are).
    view_url = url_for("journal.view", entry_id=_SLOT)
    out = []
    for item in items:
        entry_id, day = item.row.id, item.day
        if item.broken:
            out.append(Card(url_for("journal.repair", entry_id=entry_id), day.isoformat(),
                            local_time.short_day(day), gettext("This entry cannot be opened")))
            continue
        supervision = item.data.get("supervision")
        badge = {"urgent": "urgent", "yes": "supervision"}.get(supervision, "")
        out.append(Card(view_url.replace(_SLOT, entry_id), day.isoformat(), local_time.short_day(day),
                        item.headline, item.kind, labels[item.kind], badge,
                        words[supervision] if badge else "", words["draft"] if item.is_draft else "",
                        retention.expiry_text("entries", dates.get(entry_id))))
    return out
