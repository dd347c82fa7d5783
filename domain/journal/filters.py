"""The journal list's filters and search: which values a filter state may hold, and which entries
pass it. Pages run these over the sealed journal index (index.py), never over a database query."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from domain.catalogue import entry_kinds, themes
from domain.catalogue.entry_kinds import KINDS
from domain.core.refusal import N_

if TYPE_CHECKING:
    from collections.abc import Callable

    from domain.journal.items import Item

BAD_DATE = N_("Please give a real date (for example 14.03.2026 or 2026-03-14).")
BACKWARDS = N_("The end date is before the start date.")
# What people type for a date in Norway and elsewhere: 30.11.2026, 30.11.26, 30/11/2026.
_DAY_FIRST = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})$")
PAGE_SIZE = 20   # entries on one page of the journal list


@dataclass
class Filters:
    kind: str = ""
    theme: str = ""
    subtheme: str = ""
    process_id: str = ""
    date_from: date | None = None
    date_to: date | None = None
    supervision: str = ""          # "" | "flagged" | "urgent"
    tag: str = ""
    q: str = ""
    drafts: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    def active(self) -> bool:
        return any([self.kind, self.theme, self.subtheme, self.process_id, self.date_from,
                    self.date_to, self.supervision, self.tag, self.q])


def predicate(f: Filters) -> Callable[[Item], bool]:
    """Whether an item passes the filters other than the search words (select_items looks for
    those), with what they ask looked up once: it runs over every entry of a journal for each
    filtered page. Cheapest and most selective checks first, each returning early."""
    drafts, active = f.drafts, f.active()
    kind, process_id, theme, subtheme = f.kind, f.process_id, f.theme, f.subtheme
    date_from, date_to, tag = f.date_from, f.date_to, f.tag.casefold()
    supervision = ("yes", "urgent") if f.supervision == "flagged" else (f.supervision,) if f.supervision else ()

    def ok(item: Item) -> bool:
        d = item.data
        if (d.get("status") == "draft") != drafts or (active and item.broken):
            return False
        if (kind and d.get("kind") != kind) or (process_id and d.get("process_id") != process_id):
            return False
        if (theme and theme not in d.get("themes", ())) or (subtheme and subtheme not in d.get("subthemes", ())):
            return False
        if (date_from and item.day < date_from) or (date_to and item.day > date_to):
            return False
        if supervision and d.get("supervision") not in supervision:
            return False
        return not (tag and tag not in (t.casefold() for t in d.get("tags", ())))
    return ok


def select_items(items: list[Item], f: Filters, texts: list[dict[str, str]] | None = None) -> list[Item]:
    """Items that pass the filters. A search looks in `texts` (entry id -> searchable text, one
    dict per index page: the index keeps it apart from the records); without it, in each item's
    own data."""
    ok = predicate(Filters(**{**f.__dict__, "q": ""}) if f.q else f)
    words = f.q.casefold().split()
    if not words:
        return [i for i in items if ok(i)]
    if texts is None:
        texts = [{i.id: entry_kinds.searchable_text(i.data) for i in items}]
    # The words first: they are the most selective test, and scanning plain strings costs far
    # less than the other checks made on every entry of a large journal.
    first, rest = words[0], words[1:]
    found = {entry_id: text for page in texts for entry_id, text in page.items() if first in text}
    hits = {entry_id for entry_id, text in found.items() if all(w in text for w in rest)}
    return [i for i in items if i.id in hits and ok(i)]


def parse(values) -> Filters:
    """Filters from a filter state (a dict of short strings): unknown ids are dropped, dates that
    are not real or run backwards are reported in `errors`."""
    f = Filters()
    f.kind = values.get("kind", "") if values.get("kind", "") in KINDS else ""
    f.theme = values.get("theme", "") if values.get("theme", "") in themes.THEME_IDS else ""
    f.subtheme = values.get("subtheme", "") if values.get("subtheme", "") in themes.SUBTHEME_IDS else ""
    f.process_id = values.get("process", "")[:64]
    f.supervision = values.get("supervision", "") if values.get("supervision") in ("flagged", "urgent") else ""
    f.tag = values.get("tag", "")[:40]
    f.q = values.get("q", "")[:200].strip()
    f.drafts = values.get("drafts") == "1"
    for name in ("from", "to"):
        raw = values.get(name, "").strip()
        if raw:
            try:
                setattr(f, f"date_{name}", parse_day(raw))
            except ValueError:
                f.errors[name] = BAD_DATE
    if f.date_from and f.date_to and f.date_from > f.date_to:
        f.errors["to"] = BACKWARDS
    return f


def parse_day(raw: str) -> date:
    """A typed date in either language's habit: 2026-11-30, 30.11.2026 or 30.11.26 (20xx).
    Raises ValueError for anything else, or a day that does not exist."""
    raw = raw.strip()
    m = _DAY_FIRST.match(raw)
    if m is None:
        return date.fromisoformat(raw)
    day, month, year = (int(x) for x in m.groups())
    return date(year + 2000 if len(m.group(3)) == 2 else year, month, day)


def page_of(items: list, requested: str, size: int = PAGE_SIZE) -> tuple[list, int, int]:
    """(the items on page `requested`, that page number, the number of pages): a page that is not
    a number is the first, one past the end is the last."""
    try:
        page = max(1, int(requested))
    except ValueError:
        page = 1
    pages = max(1, -(-len(items) // size))
    page = min(page, pages)
    return items[(page - 1) * size: page * size], page, pages
