"""Journal entries: plaintext in, ciphertext stored. Lists, filters and search read the sealed
journal index (index.py); the database never holds a plaintext index."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from domain.catalogue import entry_kinds, themes
from domain.catalogue.entry_kinds import KINDS
from domain.core import sealed, versions
from domain.core.db import db, new_id, utcnow
from domain.core.models import Entry, User
from domain.core.refusal import N_
from domain.journal import index as journal_index
from domain.journal import index_pages
from domain.journal.filters import BAD_DATE
from domain.journal.items import BROKEN_HEADLINE, TABLE, Item, all_tags, flagged, open_row  # noqa: F401 (the journal API)
from domain.journal.owned import OwnedTable

SCHEMA = 1
OWNED = OwnedTable(Entry, TABLE, "entry")


class EntryError(ValueError):
    """Input the domain refuses; `field` names the form field to show it on."""

    def __init__(self, field: str, message: str, **params):
        super().__init__(message % params if params else message)
        self.field, self.message, self.params = field, message, params




def clean(data: dict, process_ids: set[str], draft: bool) -> dict:
    """Check ids against the catalogue and the owner's processes; subthemes imply their theme."""
    kind_id = data.get("kind")
    if kind_id not in KINDS:
        raise EntryError("kind", N_("Unknown entry kind."))
    out = dict(data)
    for f in KINDS[kind_id].fields:
        value = out.get(f.name)
        if f.vocab and value:
            allowed = themes.valid_ids(f.vocab, include_retired=False)
            chosen = value if isinstance(value, list) else [value]
            if any(v not in allowed for v in chosen):
                raise EntryError(f.name, N_("Please choose from the list."))
        if f.type == "scale" and value is not None:
            if isinstance(value, str) and value.strip().isdigit():
                value = out[f.name] = int(value)   # an imported file may carry "7" for 7
            if not _in_scale(value):
                raise EntryError(f.name, N_("Choose a number from 0 to 10."))
        if f.type == "date" and value and not _iso_date(value):
            raise EntryError(f.name, BAD_DATE)
        if isinstance(value, str) and len(value) > f.max_len:
            raise EntryError(f.name, N_("At most %(num)d characters."), num=f.max_len)
    if out.get("visit_date") and not _iso_date(out["visit_date"]):
        raise EntryError("visit_date", BAD_DATE)
    subs = [s for s in out.get("subthemes", [])]
    if any(s not in themes.SUBTHEME_IDS for s in subs) or any(
            t not in themes.THEME_IDS for t in out.get("themes", [])):
        raise EntryError("themes", N_("Unknown theme. Please choose from the list."))
    out["themes"] = sorted(set(out.get("themes", [])) | {themes.theme_of(s).id for s in subs})
    if out.get("process_id") and out["process_id"] not in process_ids:
        raise EntryError("process_id", N_("Choose one of your guidance processes."))
    if out.get("supervision") == "urgent" and kind_id != "ethical_dilemma":
        raise EntryError("supervision", N_("“Urgent” is for dilemmas about a child's safety."))
    if not draft:
        missing = entry_kinds.minimum_missing(kind_id, out)
        if missing:
            raise EntryError(missing, N_("Please write at least this, one line is enough."))
    out["status"] = "draft" if draft else "saved"
    out["v"], out["catalogue"] = SCHEMA, themes.CATALOGUE_VERSION
    return out


def _in_scale(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10


def _iso_date(value) -> bool:
    """Stored dates are ISO strings; anything else would break Item.day and the filters later."""
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def create(owner: User, user_key: bytes, data: dict, entry_id: str | None = None) -> Entry:
    """Store a new entry. A form chooses its id when opened (so a double submit or an autosave
    updates one entry); an id that is already taken, by anyone, is never reused."""
    if not entry_id or db.session.get(Entry, entry_id) is not None:
        entry_id = new_id()
    return _insert(owner, user_key, data, entry_id)


def _insert(owner: User, user_key: bytes, data: dict, entry_id: str) -> Entry:
    row = Entry(id=entry_id, owner_id=owner.id, created_at=utcnow())
    sealed.create(row, TABLE, user_key, data)
    OWNED.expiry_changed(row, user_key, data)   # before the row joins the session: its INSERT carries the date
    db.session.add(row)
    _changed(row, user_key, data, expiry_done=True)
    return row


def save(owner: User, user_key: bytes, entry_id: str | None, data: dict, base: int | None,
         drafts_only: bool = False) -> Entry | None:
    """Create or update the entry a form is about (its form-chosen id) as one compare-and-swap
    on the locked row; `base` is the version the form was opened with (None: the form that
    creates this id). Two requests with the same new id, in any order, make one entry.
    Returns None when `drafts_only` (autosave) meets an entry that was saved for real.
    Raises versions.Conflict when the entry changed meanwhile; then nothing is written."""
    row, made = OWNED.lock_or_insert(entry_id, owner.id,
                                     lambda: _insert(owner, user_key, data, entry_id or new_id()),
                                     lambda: create(owner, user_key, data))
    if made:
        return row
    if drafts_only and read(row, user_key).get("status") != "draft":
        return None
    versions.check(row, base, lambda: read(row, user_key), data)
    update(row, user_key, data)
    return row


def save_draft(owner: User, user_key: bytes, entry_id: str, data: dict, process_ids: set[str],
               base: int | None) -> Entry | None:
    """Autosave: `data` as a draft, never over an entry that was saved for real (then None).
    Raises EntryError for input the domain refuses, versions.Conflict as save()."""
    return save(owner, user_key, entry_id, clean(data, process_ids, draft=True), base, drafts_only=True)


def update(row: Entry, user_key: bytes, data: dict) -> None:
    OWNED.write(row, user_key, data)
    _changed(row, user_key, data)


def delete(row: Entry, user_key: bytes) -> None:
    """Delete an entry; its shares and threads go with it (foreign keys cascade)."""
    _changed(row, user_key, None)
    db.session.delete(row)


def _changed(row: Entry, user_key: bytes, data: dict | None, expiry_done: bool = False) -> None:
    journal_index.entry_changed(row, user_key, data)
    OWNED.trends_changed(row, user_key, data, expiry_done)


# The owner's rows of this table, found and read the one way entries and processes share.
get_owned = OWNED.get_owned
read = OWNED.read


def all_items(owner_id: str, user_key: bytes, include_broken: bool = False) -> list[Item]:
    """Every entry of the owner, decrypted, newest first (by entry date, then creation). For the
    few places that need whole entries (export, groups); pages read the index instead. Rows that
    cannot be opened are left out unless asked for (then as broken items)."""
    rows = db.session.scalars(select(Entry).where(Entry.owner_id == owner_id))
    items = []
    with index_pages.gc_paused():
        for r in rows:
            data = open_row(r, user_key)
            if data is not None or include_broken:
                items.append(Item(r, data or {}, broken=data is None))
    items.sort(key=lambda i: (i.day, i.row.created_at), reverse=True)
    return items


