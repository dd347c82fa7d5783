"""The only place decrypted journal data outlives a request: an in-process cache of the opened
journal index, one entry per live login session.

- Bounded in bytes (MAX_BYTES per process, least recently used dropped first).
- Scoped to a session: keyed by the session row id, dropped at logout and "log out everywhere",
  and after IDLE seconds unused (the session's own idle timeout).
- Current across workers and app instances: an entry carries the `users.journal_version` it was
  built for; a request that sees another number refreshes the changed pages from the database.
- Never written anywhere: not to disk, not to Redis, not to the database.

A state also keeps the few pages last rendered from it (blueprints/page_memo.py), under the same
rules and counted in the same bytes.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import NamedTuple

from domain.accounts import sessions
from domain.journal.state import Page, State

MAX_BYTES = 128 * 1024 * 1024
IDLE = 30 * 60.0


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
    """`state`'s pages grew (a search loaded their texts): every cached state holding one of those
    pages is counted again. A writer's newer state shares the pages it did not change, and with
    threaded workers that state may already have replaced `state` in its slot."""
    pages = {id(p) for p in state.pages.values()}
    with _lock:
        for sid, slot in list(_slots.items()):
            st = slot.state
            if st is state or (st.owner_id == state.owner_id and any(id(p) in pages for p in st.pages.values())):
                _slots[sid] = slot._replace(size=st.nbytes())
        _sweep(time.monotonic())


def keep_rendered(session_id: str | None, state: State, key: tuple, value: tuple[str, float]) -> None:
    """A page rendered from `state` kept with it (State.keep_rendered), if `state` is still what
    the session's slot holds (not when `put` refused it as too big, or a write replaced it). The
    slot's size moves by that page alone: summing every page's texts again would cost more than
    the page saves."""
    with _lock:
        slot = _slots.get(session_id) if session_id else None
        if slot is None or slot.state is not state:
            return
        _slots[session_id] = slot._replace(size=slot.size + state.keep_rendered(key, value))
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
            # The new state keeps no rendered page: they showed the old version.
            size = (slot.size - st.rendered_bytes() - (old.nbytes() if old is not None else 0)
                    + (page.nbytes() if page.records else 0))
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
