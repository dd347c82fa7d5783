"""The sealed journal index: what lists, filters, search and personal trends need of every entry,
kept in pages of up to PAGE_SIZE compact records, so a journal page opens a few sealed pages (or
none, from the session's cache) instead of every entry.

Each page holds the compact records and the searchable text of its entries, sealed apart (the
format is in index_pages.py). Pages are filled in creation order (a new entry goes into the last
page), so a write re-seals exactly one page; the newest-first order is made in memory.

Consistency across workers: every entry write bumps `users.journal_version` in the same
transaction and, when the index was complete, applies its change and sets `journal_indexed` to the
same number. A reader whose `journal_indexed` lags (a writer without the key, an old account, a
page that no longer opens) rebuilds the index from the entries."""
from __future__ import annotations

from sqlalchemy import bindparam, case, delete, event, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from domain.catalogue import entry_kinds
from domain.core import keyring
from domain.core.db import db
from domain.core.models import Entry, JournalIndexPage, User
from domain.journal import cache as journal_cache
from domain.journal import filters as journal_filters
from domain.journal import index_pages
from domain.journal.items import Ref, open_row
from domain.journal.state import Page, State

PAGE_SIZE = 200
_PENDING = "journal_index_pending"
__all__ = ["Ref", "State", "entry_changed", "rebuild", "select_entries", "view"]


# --- reading ----------------------------------------------------------------------------------

def view(user: User, user_key: bytes, session_id: str | None) -> State:
    """The owner's index for this request: from the session's cache when current, else the
    changed pages are opened, else (missing, stale or unreadable) it is rebuilt."""
    state = journal_cache.get(session_id, user.id)
    if state is not None and state.version == user.journal_version:
        return state
    if user.journal_indexed == user.journal_version:
        try:
            state = _refresh(user.id, user_key, user.journal_version, state)
        except (keyring.CryptoError, ValueError, KeyError, TypeError):
            state = None
    else:
        state = None
    if state is None:
        state = rebuild(user, user_key)
    journal_cache.put(session_id, state)
    return state


def _refresh(owner_id: str, user_key: bytes, version: int, old: State | None) -> State:
    """Open only the pages whose revision changed since `old` (all of them without `old`)."""
    revs = dict(db.session.execute(select(JournalIndexPage.page_no, JournalIndexPage.rev)
                                   .where(JournalIndexPage.owner_id == owner_id)).all())
    known = old.pages if old is not None else {}
    keep = {n: p for n, p in known.items() if revs.get(n) == p.rev}
    wanted = [n for n in revs if n not in keep]
    key = index_pages.key(user_key, "records")
    with index_pages.gc_paused():
        for chunk in (wanted[i:i + 100] for i in range(0, len(wanted), 100)):
            rows = db.session.execute(select(JournalIndexPage.page_no, JournalIndexPage.rev,
                                             JournalIndexPage.records)
                                      .where(JournalIndexPage.owner_id == owner_id,
                                             JournalIndexPage.page_no.in_(chunk)))
            for n, rev, blob in rows:
                keep[n] = Page(rev, index_pages.open_part(blob, key, owner_id, n, "records"), None)
    # A missing page, or entries written around the index, show up as a different count.
    count = db.session.scalar(select(func.count()).select_from(Entry).where(Entry.owner_id == owner_id))
    if count != sum(len(p.records) for p in keep.values()):
        raise ValueError("journal index does not cover every entry")
    return State(owner_id, version, keep)


def select_entries(state: State, f, user_key: bytes) -> list:
    """The journal list for filters `f` (filters.Filters): saved entries or drafts, newest first."""
    base = state.drafts if f.drafts else state.saved
    if not f.active():
        return base
    key = ("select", *(v for k, v in sorted(f.__dict__.items()) if k != "errors"))
    if f.q:
        load_texts(state, user_key)
        texts = [p.texts for p in state.pages.values() if p.texts]
        return state.memo(key, lambda: journal_filters.select_items(base, f, texts))
    return state.memo(key, lambda: journal_filters.select_items(base, f))


def load_texts(state: State, user_key: bytes) -> None:
    """Open the search blobs of pages whose text is not in memory yet (first search only)."""
    missing = [n for n, p in state.pages.items() if p.texts is None]
    if not missing:
        return
    key = index_pages.key(user_key, "search")
    with index_pages.gc_paused():
        rows = db.session.execute(select(JournalIndexPage.page_no, JournalIndexPage.rev, JournalIndexPage.search)
                                  .where(JournalIndexPage.owner_id == state.owner_id,
                                         JournalIndexPage.page_no.in_(missing)))
        for n, rev, blob in rows:
            texts = index_pages.open_part(blob, key, state.owner_id, n, "search")
            page = state.pages[n]
            # A page rewritten meanwhile by another worker: its text may not match the records.
            page.texts = texts if rev == page.rev else {r["_id"]: "" for r in page.records}
    journal_cache.resized(state)


def rebuild(user: User, user_key: bytes) -> State:
    """Open every entry and write the index again. Saved at once when no write got in between;
    a failed save (a concurrent writer) still serves this request from memory."""
    version = user.journal_version
    pages: dict[int, Page] = {}
    rows = db.session.execute(select(Entry.id, Entry.owner_id, Entry.created_at, Entry.key_version,
                                     Entry.wrapped_key, Entry.content)
                              .where(Entry.owner_id == user.id).order_by(Entry.created_at, Entry.id))
    with index_pages.gc_paused():
        for n, row in enumerate(rows):
            data = open_row(row, user_key)
            page = pages.setdefault(n // PAGE_SIZE, Page(version, [], {}))
            if data is None:
                page.records.append(index_pages.broken_record(row.id, row.created_at))
                page.texts[row.id] = ""
            else:
                page.records.append(index_pages.record_of(row.id, row.created_at, data))
                page.texts[row.id] = entry_kinds.searchable_text(data)
    _save_rebuild(user.id, user_key, version, pages)
    return State(user.id, version, pages)


def _save_rebuild(owner_id: str, user_key: bytes, version: int, pages: dict[int, Page]) -> None:
    try:
        claimed = db.session.execute(update(User).where(User.id == owner_id, User.journal_version == version)
                                     .values(journal_indexed=version)
                                     .execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            db.session.rollback()
            return
        db.session.execute(delete(JournalIndexPage).where(JournalIndexPage.owner_id == owner_id))
        for n, page in pages.items():
            row = JournalIndexPage(owner_id=owner_id, page_no=n, rev=version)
            index_pages.seal(row, user_key, page)
            db.session.add(row)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()


# --- writing (one call from each entry writer) ------------------------------------------------
# Core statements, built once: they run on every entry write, and the ORM (objects for the pages,
# building each statement) cost more than the statements themselves (docs/ARCHITECTURE.md,
# "Journal index and speed").
_USERS, _PAGES = User.__table__, JournalIndexPage.__table__
_BUMP = (update(_USERS).where(_USERS.c.id == bindparam("b_owner"))
         .values(journal_version=_USERS.c.journal_version + 1,
                 # still complete after this write if it was before (the write is applied below)
                 journal_indexed=case((_USERS.c.journal_indexed == _USERS.c.journal_version,
                                       _USERS.c.journal_version + 1), else_=_USERS.c.journal_indexed))
         .returning(_USERS.c.journal_version, _USERS.c.journal_indexed))
_STALE = update(_USERS).where(_USERS.c.id == bindparam("b_owner")).values(journal_indexed=bindparam("b_indexed"))
_LAST_PAGE = (select(_PAGES.c.owner_id, _PAGES.c.page_no, _PAGES.c.rev, _PAGES.c.records, _PAGES.c.search)
              .where(_PAGES.c.owner_id == bindparam("b_owner"))
              .order_by(_PAGES.c.page_no.desc()).limit(1).with_for_update())
_HOLDING_PAGE = _LAST_PAGE.where(_PAGES.c.first_created <= bindparam("b_created"))
_ONE_PAGE = (_PAGES.c.owner_id == bindparam("b_owner"), _PAGES.c.page_no == bindparam("b_page"))
_REWRITE, _DROP = update(_PAGES).where(*_ONE_PAGE), delete(_PAGES).where(*_ONE_PAGE)


def entry_changed(row: Entry, user_key: bytes, data: dict | None) -> None:
    """Apply one entry's create, update (data) or delete (None) to the index, in the writer's
    transaction. The version bump comes first: on PostgreSQL it locks the user's row, so two
    workers writing for one user change the index one after the other. Anything unexpected (a
    page that does not open, an entry not where it should be) leaves the index stale instead:
    the next reader rebuilds it."""
    new = row in db.session.new           # not flushed yet: a create
    version, indexed = db.session.execute(_BUMP, {"b_owner": row.owner_id}).one()
    _sync_user(row.owner_id, journal_version=version, journal_indexed=indexed)
    if indexed != version:
        return                            # stale before this write: left for the next reader
    changed = _apply(row, user_key, data, version, new)
    if changed is None:
        db.session.execute(_STALE, {"b_owner": row.owner_id, "b_indexed": version - 1})
        _sync_user(row.owner_id, journal_indexed=version - 1)
        return
    # The cache learns of the new page only once the transaction commits (see _after_commit).
    db.session.info.setdefault(_PENDING, []).append((row.owner_id, version, *changed))


def _apply(row: Entry, user_key: bytes, data: dict | None, version: int, new: bool) -> tuple[int, Page] | None:
    """(page number, page) after writing the entry's change into its page (a new entry: the last
    page, or a new one when that is full); None when the page does not open or lacks the entry."""
    if new:
        stored = db.session.execute(_LAST_PAGE, {"b_owner": row.owner_id}).first()
    else:
        stored = db.session.execute(_HOLDING_PAGE, {"b_owner": row.owner_id, "b_created": row.created_at}).first()
    page = _open_page(stored, user_key) if stored is not None else None
    if (stored is not None and page is None) or (not new and (page is None or row.id not in page.ids())):
        return None
    page_no = stored.page_no if stored is not None else 0
    if new and (page is None or len(page.records) >= PAGE_SIZE):
        page_no, page, stored = (page_no + 1 if stored is not None else 0), Page(version, [], {}), None
    page.apply(row.id, index_pages.record_of(row.id, row.created_at, data) if data is not None else None,
               entry_kinds.searchable_text(data) if data is not None else None)
    page.rev = version
    where = {"b_owner": row.owner_id, "b_page": page_no}
    if not page.records:
        db.session.execute(_DROP, where)
        return page_no, page
    values = {"rev": version, **index_pages.sealed(row.owner_id, page_no, user_key, page)}
    if stored is not None:
        db.session.execute(_REWRITE, {**where, **values})
    else:
        db.session.execute(insert(_PAGES), {"owner_id": row.owner_id, "page_no": page_no, **values})
    return page_no, page


def _sync_user(owner_id: str, **values: int) -> None:
    """Keep a loaded user row in step with the counters just written, without another query."""
    user = db.session.identity_map.get(db.session.identity_key(User, owner_id))
    if user is not None:
        user.__dict__.update(values)


def _open_page(stored, user_key: bytes) -> Page | None:
    """A stored page (row with owner_id, page_no, rev, records, search), from the cache if there."""
    cached = journal_cache.cached_page(stored.owner_id, stored.page_no, stored.rev)
    if cached is not None and cached.texts is not None:
        return cached.copy()
    try:
        return index_pages.open_page(stored, user_key)
    except (keyring.CryptoError, ValueError):
        return None


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    # SQLAlchemy also calls this when a savepoint is released (a create on PostgreSQL runs in one):
    # the page waits for the outer commit, or a rollback after it would leave a phantom cached.
    if session.in_nested_transaction():
        return
    for change in session.info.pop(_PENDING, []):
        journal_cache.page_written(*change)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous) -> None:
    session.info.pop(_PENDING, None)
