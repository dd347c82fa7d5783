"""The only place decrypted journal data outlives a request: an in-process cache of the opened
journal index, one entry per live login session.

- Bounded in bytes (MAX_BYTES per process, least recently used dropped first).
- Scoped to a session: keyed by the session row id, dropped at logout and "log out everywhere",
  and after IDLE seconds unused (the session's own idle timeout).
- Current across workers and app instances: an entry carries the `users.journal_version` it was
  built for; a request that sees another number refreshes the changed pages from the database.
- Never written anywhere: not to disk, not to Redis, not to the database.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import NamedTuple

from domain.accounts import sessions
from domain.journal.items import IndexItem, all_tags, flagged, gc_paused

MAX_BYTES = 128 * 1024 * 1024
IDLE = 30 * 60.0
MEMOS = 8
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

    def nbytes(self) -> int:
        return sum(p.nbytes() for p in self.pages.values())


class _Slot(NamedTuple):
    state: State
    used: float
    size: int


_lock = threading.Lock()
_slots: OrderedDict[str, _Slot] = OrderedDict()


def _sweep(now: float) -> None:
    for sid in [s for s, slot in _slots.items() if now - slot.used > IDLE]:
        del _slots[sid]
    while _slots and sum(s.size for s in _slots.values()) > MAX_BYTES:
        _slots.popitem(last=False)


def get(session_id: str | None, owner_id: str) -> State | None:
    if session_id is None:
        return None
    with _lock:
        now = time.monotonic()
        _sweep(now)
        slot = _slots.get(session_id)
        if slot is None or slot.state.owner_id != owner_id:
            return None
        _slots[session_id] = slot._replace(used=now)
        _slots.move_to_end(session_id)
        return slot.state


def put(session_id: str | None, state: State) -> None:
    if session_id is None:
        return
    size = state.nbytes()
    with _lock:
        if size <= MAX_BYTES:
            _slots[session_id] = _Slot(state, time.monotonic(), size)
            _slots.move_to_end(session_id)
        _sweep(time.monotonic())


def resized(state: State) -> None:
    with _lock:
        for sid, slot in list(_slots.items()):
            if slot.state is state:
                _slots[sid] = slot._replace(size=state.nbytes())
        _sweep(time.monotonic())


def cached_page(owner_id: str, page_no: int, rev: int) -> Page | None:
    with _lock:
        for slot in _slots.values():
            page = slot.state.pages.get(page_no) if slot.state.owner_id == owner_id else None
            if page is not None and page.rev == rev:
                return page
    return None


def page_written(owner_id: str, version: int, page_no: int, page: Page) -> None:
    """A writer in this process changed one page: cached states that were current just before
    take the new page and version (others refresh from the database on their next request).
    Called after the writer's transaction committed."""
    with _lock:
        for sid, slot in list(_slots.items()):
            st = slot.state
            if st.owner_id != owner_id or st.version != version - 1:
                continue
            pages = dict(st.pages)
            old = pages.get(page_no)
            if page.records:
                pages[page_no] = page.copy()
            else:
                pages.pop(page_no, None)
            # The size moves by this one page (a state's size is the sum of its pages'): summing every
            # page's text again cost more than the rest of a write, once a search had loaded them.
            size = slot.size - (old.nbytes() if old is not None else 0) + (page.nbytes() if page.records else 0)
            _slots[sid] = _Slot(State(owner_id, version, pages), slot.used, size)


def drop_session(session_id: str) -> None:
    with _lock:
        _slots.pop(session_id, None)


def drop_owner(owner_id: str) -> None:
    with _lock:
        for sid in [s for s, slot in _slots.items() if slot.state.owner_id == owner_id]:
            del _slots[sid]


# Logout, "log out everywhere" and timeouts end sessions in domain/accounts/sessions.py; what was
# cached for them goes at the same moment.
sessions.when_ended(session=drop_session, owner=drop_owner)


def clear() -> None:
    with _lock:
        _slots.clear()
