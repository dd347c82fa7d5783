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


def question(share: Share, key: bytes) -> str:
    if not share.question:
        return ""
    return keyring.open_blob(key, share.question, question_aad(share, share.key_version)).decode()


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
