"""What the journal cache keeps per session (domain/journal/cache.py): the opened index pages of
one owner as of one `journal_version`, the views the pages need built from them once, the results
computed from them (filtered lists, trends) and the few pages last rendered from them
(blueprints/page_memo.py). A state is never changed for a newer version: a writer makes a new one."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field

from domain.journal.items import IndexItem, all_tags, flagged, gc_paused

MEMOS = 8
RENDERED = 4
_BYTES_PER_RECORD = 1200      # a decoded record in Python objects, measured roughly with tracemalloc


@dataclass
class Page:
    rev: int
    records: list[dict]
    texts: dict[str, str] | None

    def ids(self) -> set[str]:
        return {r["_id"] for r in self.records}

    def apply(self, entry_id: str, record: dict | None, text: str | None) -> None:
        self.records = [r for r in self.records if r["_id"] != entry_id]
        if record is not None:
            self.records.append(record)
        if self.texts is not None:
            self.texts.pop(entry_id, None)
            if text is not None:
                self.texts[entry_id] = text

    def copy(self) -> Page:
        return Page(self.rev, list(self.records), dict(self.texts) if self.texts is not None else None)

    def nbytes(self) -> int:
        return len(self.records) * _BYTES_PER_RECORD + sum(len(t) for t in (self.texts or {}).values())


@dataclass
class State:
    """One owner's index as of `version`, with the views the pages need, built once."""
    owner_id: str
    version: int
    pages: dict[int, Page]
    _items: list | None = field(default=None, repr=False)

    def items(self) -> list:
        """Every entry as a journal Item, newest first (by entry day, then creation)."""
        if self._items is None:
            records = [r for page in self.pages.values() for r in page.records]
            if len({r["_id"] for r in records}) != len(records):
                records = self._newest_copies()
            with gc_paused():     # thousands of new objects, no cycles: no gen-0 collection storm
                items = [IndexItem(r) for r in records]
                items.sort(key=lambda i: i.sort_key, reverse=True)
            self._items = items
        return self._items

    def _newest_copies(self) -> list[dict]:
        """An entry on two pages (not expected: a page holds an entry for good) counts once, as
        the newer page has it."""
        seen: dict[str, tuple[int, dict]] = {}
        for page in self.pages.values():
            for r in page.records:
                if r["_id"] not in seen or seen[r["_id"]][0] < page.rev:
                    seen[r["_id"]] = (page.rev, r)
        return [r for _rev, r in seen.values()]

    @property
    def saved(self) -> list:
        return self._split()[0]

    @property
    def drafts(self) -> list:
        return self._split()[1]

    def _split(self) -> tuple[list, list]:
        """(saved, drafts), newest first, made together (two comprehensions cost less than one loop
        that appends to either)."""
        views = self.__dict__.setdefault("_views", {})
        if "saved" not in views:
            items = self.items()
            views["saved"] = [i for i in items if i.data.get("status") != "draft"]
            views["drafts"] = [i for i in items if i.data.get("status") == "draft"]
        return views["saved"], views["drafts"]

    @property
    def flagged(self) -> list:
        """Saved entries marked for supervision, urgent first."""
        views = self.__dict__.setdefault("_views", {})
        if "flagged" not in views:
            views["flagged"] = flagged(self.saved)
        return views["flagged"]

    @property
    def tags(self) -> list[str]:
        views = self.__dict__.setdefault("_views", {})
        if "tags" not in views:
            views["tags"] = all_tags(self.items())
        return views["tags"]

    def by_id(self) -> dict:
        views = self.__dict__.setdefault("_views", {})
        if "by_id" not in views:
            views["by_id"] = {i.id: i for i in self.items()}
        return views["by_id"]

    def memo(self, key: tuple, build):
        """A result computed from this state (a filtered list, personal trends), kept with it:
        the state is immutable for its version, so the result stays right. At most MEMOS kept."""
        memos = self.__dict__.setdefault("_memos", {})
        if key not in memos:
            if len(memos) >= MEMOS:
                memos.pop(next(iter(memos)))
            memos[key] = build()
        return memos[key]

    def rendered(self, key: tuple):
        """What `keep_rendered` kept under `key`, or None."""
        return self.__dict__.get("_rendered", {}).get(key)

    def keep_rendered(self, key: tuple, value: tuple[str, float]) -> int:
        """(html, when) of a page rendered from this state and the inputs in `key`; at most
        RENDERED kept, the oldest dropped first. Returns by how many bytes the state grew, pages
        dropped included. Call it through cache.keep_rendered: under the cache's lock, which
        counts the bytes."""
        rendered = self.__dict__.setdefault("_rendered", {})
        grew = 0
        while key not in rendered and len(rendered) >= RENDERED:
            grew -= sys.getsizeof(rendered.pop(next(iter(rendered)))[0])
        old = rendered.get(key)
        rendered[key] = value
        return grew + sys.getsizeof(value[0]) - (sys.getsizeof(old[0]) if old else 0)

    def rendered_bytes(self) -> int:
        return sum(sys.getsizeof(html) for html, _when in tuple(self.__dict__.get("_rendered", {}).values()))

    def nbytes(self) -> int:
        return sum(p.nbytes() for p in self.pages.values()) + self.rendered_bytes()
