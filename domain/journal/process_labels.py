"""The codes of a user's guidance processes, kept per login session for the journal's process
filter, under the same rules as the journal index cache (domain/journal/cache.py): in process
memory only, dropped when the session ends or idles out, at most MAX_SESSIONS sessions. The list
page offers every process in a dropdown, and opening each one (two AES opens) on every view cost
more than the rest of the filter form (docs/ARCHITECTURE.md, "Journal index and speed").

Entries are keyed by (process id, version): an edit makes a new version, so a code is never shown
after it changed, and a process that is gone is no longer asked for."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

from domain.accounts import sessions
from domain.journal.cache import IDLE

MAX_SESSIONS = 1000
Labels = dict[tuple[str, int], tuple[str, bool]]   # (id, version) -> (code, is open)

_lock = threading.Lock()
_store: OrderedDict[str, tuple[str, float, Labels]] = OrderedDict()   # session -> (owner, last used, labels)


def get(session_id: str | None, owner_id: str) -> Labels:
    """What this session already opened (a copy), or nothing."""
    with _lock:
        found = _store.get(session_id) if session_id else None
        if found is None or found[0] != owner_id or time.monotonic() - found[1] > IDLE:
            return {}
        return dict(found[2])


def put(session_id: str | None, owner_id: str, labels: Labels) -> None:
    if not session_id:
        return
    with _lock:
        now = time.monotonic()
        _store[session_id] = (owner_id, now, labels)
        _store.move_to_end(session_id)
        # Least recently used first: drop from the front what idled out or is over the bound.
        while _store and (len(_store) > MAX_SESSIONS or now - next(iter(_store.values()))[1] > IDLE):
            _store.popitem(last=False)


def drop_session(session_id: str) -> None:
    with _lock:
        _store.pop(session_id, None)


def drop_owner(owner_id: str) -> None:
    with _lock:
        for sid in [s for s, (owner, _used, _labels) in _store.items() if owner == owner_id]:
            del _store[sid]


sessions.when_ended(session=drop_session, owner=drop_owner)


def clear() -> None:
    with _lock:
        _store.clear()
