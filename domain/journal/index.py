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

from datetime import datetime

from sqlalchemy import delete, event, func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from domain.catalogue import entry_kinds
from domain.core import keyring
from domain.core.db import db
from domain.core.models import Entry, JournalIndexPage, User
from domain.journal import cache as journal_cache
from domain.journal import filters as journal_filters
from domain.journal import index_pages
from domain.journal.cache import Page, State
from domain.journal.items import Ref, open_row

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
        return state.memo(key, lambda: journal_filters.select_items(base, f, state.texts()))
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
    state.forget_texts()
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

def entry_changed(row: Entry, user_key: bytes, data: dict | None) -> None:
    """Apply one entry's create, update (data) or delete (None) to the index, in the writer's
    transaction. The version bump comes first: on PostgreSQL it locks the user's row, so two
    workers writing for one user change the index one after the other. Anything unexpected (a
    page that does not open, an entry not where it should be) leaves the index stale instead:
    the next reader rebuilds it."""
    new = row in db.session.new           # before the update below flushes it
    version, indexed = db.session.execute(
        update(User).where(User.id == row.owner_id).values(journal_version=User.journal_version + 1)
        .returning(User.journal_version, User.journal_indexed)
        .execution_options(synchronize_session=False)).one()
    _sync_user(row.owner_id, journal_version=version)
    if indexed != version - 1:
        return
    page_row = _page_for(row.owner_id, None if new else row.created_at)
    page = _open_page(page_row, user_key) if page_row is not None else None
    if page_row is not None and page is None:
        return
    if not new and (page is None or row.id not in page.ids()):
        return
    if new and (page is None or len(page.records) >= PAGE_SIZE):
        page_row = JournalIndexPage(owner_id=row.owner_id, page_no=page_row.page_no + 1 if page_row else 0)
        db.session.add(page_row)
        page = Page(version, [], {})
    assert page is not None
    page.apply(row.id, index_pages.record_of(row.id, row.created_at, data) if data is not None else None,
               entry_kinds.searchable_text(data) if data is not None else None)
    page_row.rev = page.rev = version
    if page.records:
        index_pages.seal(page_row, user_key, page)
    else:
        db.session.delete(page_row)
    db.session.execute(update(User).where(User.id == row.owner_id).values(journal_indexed=version)
                       .execution_options(synchronize_session=False))
    _sync_user(row.owner_id, journal_indexed=version)
    # The cache learns of the new page only once the transaction commits (see _after_commit).
    db.session.info.setdefault(_PENDING, []).append((row.owner_id, version, page_row.page_no, page))


def _sync_user(owner_id: str, **values: int) -> None:
    """Keep a loaded user row in step with the counters just written, without another query."""
    user = db.session.identity_map.get(db.session.identity_key(User, owner_id))
    if user is not None:
        user.__dict__.update(values)


def _page_for(owner_id: str, created_at: datetime | None) -> JournalIndexPage | None:
    """The last page (a new entry), or the page holding an existing entry: pages are in creation
    order, so the last one that starts at or before the entry's creation time."""
    q = (select(JournalIndexPage).where(JournalIndexPage.owner_id == owner_id)
         .order_by(JournalIndexPage.page_no.desc()).limit(1).with_for_update())
    if created_at is not None:
        q = q.where(JournalIndexPage.first_created <= created_at)
    return db.session.scalar(q)


def _open_page(page_row: JournalIndexPage, user_key: bytes) -> Page | None:
    cached = journal_cache.cached_page(page_row.owner_id, page_row.page_no, page_row.rev)
    if cached is not None and cached.texts is not None:
        return cached.copy()
    try:
        return index_pages.open_page(page_row, user_key)
    except (keyring.CryptoError, ValueError):
        return None


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    for change in session.info.pop(_PENDING, []):
        journal_cache.page_written(*change)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous) -> None:
    session.info.pop(_PENDING, None)
