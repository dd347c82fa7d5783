"""The sealed journal index's page format (index.py keeps and reads the pages).

Each page holds two blobs: the records (id, creation time, day, kind, status, supervision, themes,
subthemes, tags, process, intensity, feelings, headline) and the lower-cased searchable text of the
same entries. Both are sealed under keys derived (HKDF) from the user key and bound to the owner and
page number."""
from __future__ import annotations

import json
import marshal
from datetime import datetime

from domain.catalogue import entry_kinds
from domain.core import keyring
from domain.core.models import JournalIndexPage
from domain.journal.items import gc_paused  # noqa: F401 (read as index_pages.gc_paused)
from domain.journal.state import Page

FIELDS = ("kind", "status", "supervision", "themes", "subthemes", "tags", "process_id", "intensity",
          "feelings", "visit_date")


def key(user_key: bytes, part: str) -> bytes:
    return keyring.hkdf(user_key, f"journal-index|{part}")


def aad(owner_id: str, page_no: int, part: str) -> bytes:
    return keyring.aad("journal-index", part, owner_id, "page", page_no)


def record_of(entry_id: str, created_at: datetime, data: dict) -> dict:
    rec = {k: data[k] for k in FIELDS if data.get(k) not in (None, "", [])}
    rec.update(_id=entry_id, _c=created_at.isoformat(), _h=entry_kinds.written_headline(data))
    return rec  # no written headline: the list makes one from kind and feelings, in the reader's language


def broken_record(entry_id: str, created_at: datetime) -> dict:
    return {"_id": entry_id, "_c": created_at.isoformat(), "_x": 1}


# Pages are sealed in Python's marshal format: it decodes a page of records about twice as fast as
# JSON, which is most of the time of opening a large index (docs/ARCHITECTURE.md, "Journal index
# and speed"). Only blobs that open under the user's key (AES-GCM) are ever decoded, so the
# decoder only sees what this code wrote. Pages written as JSON (before) still open; a page that
# does not decode (a Python whose marshal cannot read it) is a ValueError: the index is rebuilt.
MARSHAL = b"M4"


def _dump(obj) -> bytes:
    return MARSHAL + marshal.dumps(_shared_lists(obj) if isinstance(obj, list) else obj, 4)


def _shared_lists(records: list[dict]) -> list[dict]:
    """The records with each list value (themes, tags, ...) as a tuple, equal ones as one object.
    marshal writes an object it meets twice once and reads it back as one object, so a page of 200
    records decodes into a few dozen shared tuples instead of hundreds of lists: fewer objects to
    make, to hold and, above all, for the cyclic collector to walk after a large index is opened.
    Readers only iterate these values; JSON and older marshal pages hold lists, which read the same."""
    shared: dict[tuple, tuple] = {}
    out = []
    for record in records:
        if any(isinstance(v, list) for v in record.values()):
            record = {k: shared.setdefault(tuple(v), tuple(v)) if isinstance(v, list) else v
                      for k, v in record.items()}
        out.append(record)
    return out


def _load(plain: bytes):
    if not plain.startswith(MARSHAL):
        return json.loads(plain)
    try:
        obj = marshal.loads(plain[len(MARSHAL):])
    except (EOFError, TypeError) as exc:
        raise ValueError("index page does not decode") from exc
    if not isinstance(obj, list | dict):
        raise ValueError("index page does not decode")  # noqa: TRY004 (readers rebuild on ValueError)
    return obj


def seal(row: JournalIndexPage, user_key: bytes, page: Page) -> None:
    for name, value in sealed(row.owner_id, row.page_no, user_key, page).items():
        setattr(row, name, value)


def sealed(owner_id: str, page_no: int, user_key: bytes, page: Page) -> dict:
    """A page's stored columns: both parts sealed, and the creation time of its oldest entry."""
    return {"records": keyring.seal(key(user_key, "records"), _dump(page.records), aad(owner_id, page_no, "records")),
            "search": keyring.seal(key(user_key, "search"), _dump(page.texts), aad(owner_id, page_no, "search")),
            "first_created": min(datetime.fromisoformat(r["_c"]) for r in page.records)}


def open_part(blob: bytes, part_key: bytes, owner_id: str, page_no: int, part: str):
    return _load(keyring.open_blob(part_key, blob, aad(owner_id, page_no, part)))


def open_page(row: JournalIndexPage, user_key: bytes) -> Page:
    """Both parts of a stored page; raises keyring.CryptoError or ValueError when one does not open."""
    return Page(row.rev, open_part(row.records, key(user_key, "records"), row.owner_id, row.page_no, "records"),
                open_part(row.search, key(user_key, "search"), row.owner_id, row.page_no, "search"))
