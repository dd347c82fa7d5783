"""The urgent path: who the supervisor is, the mandate snapshot a share may carry, and how many
urgent shares wait for a reader.

Urgency and the mandate live in the share's sealed note (items.py), never in a clear column: the
server can count waiting shares from their timestamps, but only owner and reader can tell which of
them are urgent. Counting urgent ones therefore opens each waiting share's note with the reader's
key, on the reader's own page views (docs/ARCHITECTURE.md, "Urgent shares")."""
from __future__ import annotations

from domain.core.models import User
from domain.journal import processes
from domain.sharing.access import decide_share, entry_key_for
from domain.sharing.contacts import Contact
from domain.sharing.items import clean_mandate, note


def supervisor_of(people: list[Contact]) -> Contact | None:
    """The contact to preselect for an urgent share: a supervisor whose key still matches; of
    several, the most recently connected one. None when there is none."""
    supervisors = [c for c in people if c.link.role == "supervisor" and not c.key_changed]
    return max(supervisors, key=lambda c: c.link.created_at, default=None)


def mandate_of_entry(owner_id: str, owner_key: bytes, entry_data: dict) -> dict:
    """The mandate of the process the entry belongs to, as the contract shapes it; {} when none."""
    process = processes.owned_item(owner_id, entry_data.get("process_id"), owner_key)
    return clean_mandate(process.data.get("mandate")) if process is not None else {}


def is_urgent(decision, reader: User, user_key: bytes) -> bool:
    return note(decision.share, entry_key_for(decision, reader, user_key))["urgent"]


def urgent_waiting(reader: User, user_key: bytes, share_ids: list[str]) -> int:
    """How many of these waiting shares (the reader's own) are marked urgent."""
    count = 0
    for share_id in share_ids:
        decision = decide_share(reader.id, share_id)
        count += int(decision.role == "reader" and is_urgent(decision, reader, user_key))
    return count
