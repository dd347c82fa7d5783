"""What is sealed under an entry key besides the entry itself: the reader's wrap info, the
owner's question on a share, and thread items (reflections and replies).

Shares, threads and key rotation all seal and open these, so they live here, below all three:
imports run one way (shares, conversation, rotation -> items), never in a circle."""
from __future__ import annotations

import json

from domain.core import keyring, sealed
from domain.core.db import utcnow
from domain.core.models import Entry, Share, ThreadItem
from domain.core.refusal import N_, Refusal
from domain.journal import entries as journal


def share_info(entry_id: str, reader_id: str, kv: int) -> bytes:
    return keyring.aad("share", entry_id, reader_id, "kv", kv)


def question_aad(share: Share, kv: int) -> bytes:
    return keyring.aad("question", share.id, "entry", share.entry_id, "kv", kv)


# The share's note: the owner's question, whether they marked it urgent, and the mandate snapshot
# they chose to include. It is sealed under the entry key like the question always was, so only
# owner and reader can tell an urgent share from another (docs/ARCHITECTURE.md, "Urgent shares").
# A note starts with NOTE_PREFIX; older blobs hold the question as plain UTF-8 and still open.
NOTE_PREFIX = b"\x00note1\n"
MANDATE_KEYS = ("commissioner", "goal", "reports_what", "reports_to", "parents_know", "next_review")


def question_plain(share: Share, key: bytes) -> bytes:
    """The note's sealed bytes as stored (for re-sealing under a new key), b"" when none."""
    if not share.question:
        return b""
    return keyring.open_blob(key, share.question, question_aad(share, share.key_version))


def parse_note(raw: bytes) -> dict:
    note: dict = {"question": "", "urgent": False, "mandate": {}}
    if raw.startswith(NOTE_PREFIX):
        try:
            stored = json.loads(raw[len(NOTE_PREFIX):])
        except ValueError:
            return note
        note.update(question=str(stored.get("question") or ""), urgent=stored.get("urgent") is True,
                    mandate=clean_mandate(stored.get("mandate")))
    else:
        note["question"] = raw.decode()
    return note


def clean_mandate(value) -> dict:
    """Only the contract's keys, as strings; {} when there is nothing in them."""
    if not isinstance(value, dict):
        return {}
    out = {k: str(value.get(k) or "") for k in MANDATE_KEYS}
    return out if any(out.values()) else {}


def note(share: Share, key: bytes) -> dict:
    return parse_note(question_plain(share, key))


def question(share: Share, key: bytes) -> str:
    return note(share, key)["question"]


def seal_note(share: Share, key: bytes, question_text: str, urgent: bool, mandate: dict) -> None:
    body = {"question": question_text.replace("\x00", ""), "urgent": bool(urgent), "mandate": clean_mandate(mandate)}
    share.question = keyring.seal(key, NOTE_PREFIX + json.dumps(body).encode(), question_aad(share, share.key_version))


def _item_aad(item: ThreadItem, kv: int) -> bytes:
    return keyring.aad("thread", item.id, "entry", item.entry_id, "share", item.share_id, "kv", kv)


def seal_item(item: ThreadItem, key: bytes, content: dict) -> None:
    item.content = keyring.seal(key, json.dumps(content).encode(), _item_aad(item, item.key_version))
    item.updated_at = utcnow()


def open_item(item: ThreadItem, key: bytes) -> dict:
    return json.loads(keyring.open_blob(key, item.content, _item_aad(item, item.key_version)))


def check_current(entry: Entry, key: bytes) -> None:
    """Refuse to seal under a key that is not the entry's current one (read before a rotation)."""
    if not keyring.commits_to(key, entry.content, sealed.content_aad(journal.TABLE, entry.id, entry.owner_id,
                                                                      entry.key_version)):
        raise Refusal(N_("The sharing of this entry changed a moment ago. Please try again."), 409)
