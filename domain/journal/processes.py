"""Guidance processes: a dyad under a pseudonymous code, its mandate, screening, outcomes, review
log and entry timeline (the parts beyond the code are cleaned in process_fields)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from sqlalchemy import bindparam, select

from domain.catalogue import outcomes, themes
from domain.catalogue.entry_kinds import HEAVY_KINDS
from domain.core import keyring, sealed, versions
from domain.core.db import core_read, db, utcnow
from domain.core.models import Process, User
from domain.core.refusal import N_, Message
from domain.journal import process_fields, process_labels
from domain.journal.entries import Item
from domain.journal.owned import OwnedTable

TABLE = "process"
OWNED = OwnedTable(Process, TABLE, "process")
CODE_MAX = 24
HEAVY_WINDOW = timedelta(days=21)
HEAVY_COUNT = 3

# A lone capitalised word or two ("Kari", "Ola Nordmann") reads like a name, not a code.
_NAME_LIKE = re.compile(r"^[A-ZÆØÅ][a-zæøåéü]+(?:[ -][A-ZÆØÅ][a-zæøåéü]+)*$")
_NAME_WORD = re.compile(r"\b[A-ZÆØÅ][a-zæøåéü]{2,}\b")
_DATE_LIKE = re.compile(r"(?<!\d)(\d{2})[.\-/ ]?(\d{2})[.\-/ ]?(\d{2}|\d{4})(?!\d)")


@dataclass
class ProcessItem:
    row: Process
    data: dict

    @property
    def code(self) -> str:
        return self.data.get("code", "")

    @property
    def shown(self) -> dict:
        """The data as pages show it: an old single status read as the two outcomes (no write)."""
        return process_fields.cleaned(self.data)

    @property
    def is_open(self) -> bool:
        return outcomes.is_open(self.data)


def _valid_date(dd: str, mm: str, yy: str) -> bool:
    year = int(yy) + (2000 if len(yy) == 2 else 0)
    try:
        date(year, int(mm), int(dd))
    except ValueError:
        return False
    return True


def code_warnings(code: str) -> list[str]:
    """Reasons a process code may identify a family. Warnings, not errors: the therapist decides."""
    warnings = []
    if _NAME_LIKE.match(code.strip()) or _NAME_WORD.search(code):
        warnings.append(Message(N_("This looks like it could be a name. Use a code that means nothing "
                                   "outside your own records, for example MM-25-03.")))
    if any(_valid_date(*m.groups()) for m in _DATE_LIKE.finditer(code)):
        warnings.append(Message(N_("This looks like it could be a birth date. Dates identify people; "
                                   "use a running number instead.")))
    return warnings


def code_questions(row: Process | None, user_key: bytes, code: str) -> list[str]:
    """The warnings to ask about before `code` is saved for `row` (None: a new process). A code
    that was kept after a warning is not questioned again on every later edit."""
    warnings = code_warnings(code)
    unchanged = row is not None and read(row, user_key).get("code") == code.strip()
    return [] if unchanged else warnings


mandate_of = process_fields.mandate_of


def clean(data: dict) -> dict:
    """The one shape every write stores; an old `status` becomes the two outcomes here."""
    out = process_fields.cleaned(data)
    allowed = themes.valid_ids(themes.SCREENING_FLAGS, include_retired=False)
    out["screening"] = [s for s in out.get("screening", []) if s in allowed]
    return out


def create(owner: User, user_key: bytes, data: dict, process_id: str | None = None) -> Process:
    """A new process; a form-chosen id is used unless it is taken (by anyone)."""
    if process_id and db.session.get(Process, process_id) is not None:
        process_id = None
    return _insert(owner, user_key, data, process_id)


def _insert(owner: User, user_key: bytes, data: dict, process_id: str | None) -> Process:
    row = Process(id=process_id or None, owner_id=owner.id, created_at=utcnow())
    data = clean(data)
    sealed.create(row, TABLE, user_key, data)
    db.session.add(row)
    _changed(row, user_key, data)
    return row


def save(owner: User, user_key: bytes, process_id: str | None, data: dict, base: int | None) -> Process:
    """Create or update, as journal.save: one process per form-chosen id, a compare-and-swap on
    the version the form was opened with. Raises versions.Conflict (nothing written)."""
    row, made = OWNED.lock_or_insert(process_id, owner.id, lambda: _insert(owner, user_key, data, process_id),
                                     lambda: create(owner, user_key, data))
    if made:
        return row
    versions.check(row, base, lambda: read(row, user_key), clean(data))
    update(row, user_key, data)
    return row


def update(row: Process, user_key: bytes, data: dict) -> None:
    data = clean(data)
    OWNED.write(row, user_key, data)
    _changed(row, user_key, data)


def _changed(row: Process, user_key: bytes, data: dict | None) -> None:
    OWNED.trends_changed(row, user_key, data, month=utcnow().strftime("%Y-%m"))


# Found and read the one way entries and processes share (owned.py).
get_owned = OWNED.get_owned
read = OWNED.read


def owned_item(owner_id: str, process_id: str | None, user_key: bytes) -> ProcessItem | None:
    """The owner's process `process_id` with its content; None for no id or another's process."""
    row = get_owned(owner_id, process_id) if process_id else None
    return ProcessItem(row, read(row, user_key)) if row is not None else None


def all_items(owner_id: str, user_key: bytes) -> list[ProcessItem]:
    rows = db.session.scalars(select(Process).where(Process.owner_id == owner_id))
    items = [ProcessItem(r, read(r, user_key)) for r in rows]
    items.sort(key=lambda p: (not p.is_open, p.code.casefold()))
    return items


_VERSIONS = select(Process.id, Process.version).where(Process.owner_id == bindparam("owner"))


def labels(owner_id: str, user_key: bytes, session_id: str | None) -> list[tuple[str, str]]:
    """(id, code) of the owner's processes, open ones first, for the journal's process filter.
    Only processes this session has not opened in their current version are opened (see
    process_labels.py); one that does not open is left out (a damaged row never stops a page)."""
    current = dict(core_read(_VERSIONS, {"owner": owner_id}).all())
    known = process_labels.get(session_id, owner_id)
    missing = [pid for pid, version in current.items() if (pid, version) not in known]
    if missing:
        for row in db.session.scalars(select(Process).where(Process.id.in_(missing))):
            try:
                item = ProcessItem(row, read(row, user_key))
            except (keyring.CryptoError, ValueError, KeyError, TypeError):
                continue
            known[(row.id, row.version)] = (item.code, item.is_open)
    fresh = {key: known[key] for key in current.items() if key in known}
    process_labels.put(session_id, owner_id, fresh)
    ranked = sorted(fresh.items(), key=lambda kv: (not kv[1][1], kv[1][0].casefold()))
    return [(pid, code) for (pid, _version), (code, _open) in ranked]


_IDS = select(Process.id).where(Process.owner_id == bindparam("owner"))   # built once: every entry form


class Choices:
    """The owner's processes as an entry form offers them, each part read when first needed:
    checking a chosen process needs only the ids (one query; none when no process was chosen),
    the codes (each process opened) are read only when a form is shown."""

    def __init__(self, owner_id: str, user_key: bytes):
        self.owner_id, self._key = owner_id, user_key

    @cached_property
    def ids(self) -> set[str]:
        return set(db.session.scalars(_IDS, {"owner": self.owner_id}))

    def ids_for(self, data: dict) -> set[str]:
        """What entries.clean checks `data`'s process against (nothing to check: no query)."""
        return self.ids if data.get("process_id") else set()

    @cached_property
    def items(self) -> list[ProcessItem]:
        return all_items(self.owner_id, self._key)

    def labelled(self) -> list[tuple[str, str]]:
        return [(p.row.id, p.code) for p in self.items]


def delete(row: Process, entries: list[Item], user_key: bytes) -> None:
    """Delete a process; its entries stay, unlinked (their text is the therapist's, not the process's)."""
    from domain.journal import entries as journal
    for item in entries:
        if item.data.get("process_id") == row.id:
            item.data["process_id"] = None
            journal.update(item.row, user_key, item.data)
    _changed(row, user_key, None)
    db.session.delete(row)


def supervision_reasons(data: dict, entries: list[Item], today: date) -> list[str]:
    """Why this process might deserve supervision early beside the screening's own next steps
    (process_screening): several heavy entries close together. Calm, plain sentences."""
    reasons = []
    heavy = sorted(i.day for i in entries if i.kind in HEAVY_KINDS and not i.is_draft
                   and i.day >= today - timedelta(days=90))
    for n, first in enumerate(heavy):
        window = [d for d in heavy[n:] if d - first <= HEAVY_WINDOW]
        if len(window) >= HEAVY_COUNT:
            reasons.append(Message(N_("%(num)d heavy entries within three weeks."), num=len(window)))
            break
    return reasons
