"""Sharing pages: share dialog with preview, supervision agenda, owner control, reader inbox,
shared entry with structured reflection, and the thread. Every route asks domain/sharing/shares.py."""
from __future__ import annotations

from datetime import date, datetime, time

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from blueprints import guards
from blueprints.forms import EmptyForm
from blueprints.sharing_forms import SECTION_LABELS, ReflectionForm, ReplyForm, share_form
from domain.catalogue.entry_kinds import KINDS
from domain.core.db import db, new_id, utcnow
from domain.core.keyring import CryptoError
from domain.journal import entries as journal
from domain.pii import detect as pii
from domain.sharing import contacts
from domain.sharing import shares as sharing
from domain.sharing.shares import Access, ShareError

bp = Blueprint("sharing", __name__)


def _contact_choices() -> tuple[list[contacts.Contact], dict[str, str]]:
    people = contacts.contacts_of(current_user.user, guards.user_key())
    return people, {c.other_id: f"{c.name} ({c.role_label.lower()})" for c in people}


def _expiry(form) -> datetime | None:
    return datetime.combine(form.expires.data, time(23, 59)) if form.expires.data else None


def _do_share(form, entry_ids: list[str]):
    """Returns a redirect on success, else None with errors put on the form."""
    if not form.validate_on_submit():
        return None
    try:
        rows = sharing.share(current_user.user, guards.user_key(), entry_ids, list(form.readers.data or []),
                             (form.question.data or "").strip(), _expiry(form))
    except ShareError as exc:
        form.readers.errors = list(form.readers.errors) + [str(exc)]
        form.refusal_status = exc.status  # e.g. 409 when a contact's key changed
        return None
    db.session.commit()
    flash(f"Shared: {len(rows)} {'share' if len(rows) == 1 else 'shares'}. You can end them any time.", "ok")
    return redirect(url_for("sharing.manage", entry_id=entry_ids[0]) if len(entry_ids) == 1
                    else url_for("sharing.outbox"))


@bp.route("/entries/<entry_id>/share", methods=["GET", "POST"])
@guards.fresh_login_required
def share_entry(entry_id: str):
    decision = sharing.decide_entry(current_user.id, entry_id)
    if not decision.allows(Access.MANAGE):
        abort(404)
    item = journal.Item(decision.entry, journal.read(decision.entry, guards.user_key()))
    people, choices = _contact_choices()
    form = share_form(choices)
    if request.method == "POST":
        done = _do_share(form, [entry_id])
        if done is not None:
            return done
    status = getattr(form, "refusal_status", 400) if form.is_submitted() else 200
    return render_template("sharing/share.html", form=form, items=[item], people=people, kinds=KINDS,
                           agenda=False, warnings=_pii([item], form.question.data or "")), status


@bp.route("/share/agenda", methods=["GET", "POST"])
@guards.fresh_login_required
def agenda():
    """Share a bundle: entries marked for supervision (all pre-selected), with one or more contacts."""
    items = [i for i in journal.flagged(journal.all_items(current_user.id, guards.user_key()))]
    people, choices = _contact_choices()
    entry_choices = {i.row.id: i.headline for i in items}
    form = share_form(choices, entry_choices, data={"entries": list(entry_choices)} if request.method == "GET" else None)
    if request.method == "POST":
        done = _do_share(form, list(form.entries.data or [])) if form.entries.data else None
        if done is not None:
            return done
        if not form.entries.data:
            form.entries.errors = ["Choose at least one entry."]
    status = getattr(form, "refusal_status", 400) if form.is_submitted() else 200
    return render_template("sharing/share.html", form=form, items=items, people=people, kinds=KINDS,
                           agenda=True, warnings=_pii(items, form.question.data or "")), status


def _pii(items: list[journal.Item], question: str = "") -> list[tuple[str, object]]:
    """Identifying details in what is about to be shared, named by entry and field (a warning only)."""
    found = []
    for item in items:
        kind = KINDS[item.kind]
        texts = {f.label: item.data.get(f.name) or "" for f in kind.fields if f.type in ("text", "line")}
        texts["Title"] = item.data.get("title") or ""
        for label, findings in pii.scan_fields(texts).items():
            found += [(f"{item.headline} · {label}", fnd) for fnd in findings]
    found += [("Your question", fnd) for fnd in pii.scan(question or "")]
    return found


def _names() -> dict[str, str]:
    return {c.other_id: c.name for c in contacts.contacts_of(current_user.user, guards.user_key())}


@bp.route("/entries/<entry_id>/sharing")
@guards.login_required
def manage(entry_id: str):
    """Owner control: who can read it, since and until when, revoke, access log."""
    decision = sharing.decide_entry(current_user.id, entry_id)
    if not decision.allows(Access.MANAGE):
        abort(404)
    key = guards.user_key()
    item = journal.Item(decision.entry, journal.read(decision.entry, key))
    shares = sharing.shares_of_entry(entry_id)
    entry_key = sharing.entry_key_for(decision, current_user.user, key)
    questions = {s.id: sharing.question(s, entry_key) for s in shares}
    return render_template("sharing/manage.html", item=item, shares=shares, names=_names(), questions=questions,
                           log=sharing.access_log(entry_id), form=EmptyForm(), now=utcnow(),
                           unseen={s.id: sharing.unseen_count(s, current_user.id) for s in shares})


@bp.route("/shares/<share_id>/revoke", methods=["POST"])
@guards.fresh_login_required
def revoke(share_id: str):
    decision = sharing.decide_share(current_user.id, share_id)
    if not decision.allows(Access.MANAGE):
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if decision.share.revoked_at is None:
        try:
            sharing.revoke(current_user.user, guards.user_key(), decision.share)
        except ShareError as exc:
            abort(exc.status)
        db.session.commit()
        flash("No longer shared. They may have kept what they already read; nothing new reaches them.", "ok")
    return redirect(url_for("sharing.manage", entry_id=decision.entry.id))


@bp.after_app_request
def _sweep(response):
    """Rotate entries whose readers lost access while the owner was away (expiry, removal by the
    other side). Nothing rotates on a page view: this runs after the owner's write requests (any
    POST that unsealed their key), in its own transaction after the request's own."""
    if request.method in ("GET", "HEAD", "OPTIONS") or response.status_code >= 400 or "user_key" not in g \
            or not current_user.is_authenticated:
        return response
    try:
        if sharing.sweep(current_user.user, g.user_key):
            db.session.commit()
    except (SQLAlchemyError, CryptoError) as exc:  # a rotation that cannot run now runs next time
        db.session.rollback()
        current_app.logger.warning("key rotation sweep postponed: %s", type(exc).__name__)
    return response


@bp.route("/outbox")
@guards.login_required
def outbox():
    """Everything I share, newest first, with what is new in each thread."""
    from sqlalchemy import select

    from domain.core.models import Share
    rows = list(db.session.scalars(select(Share).where(Share.owner_id == current_user.id)
                                   .order_by(Share.created_at.desc())))
    items = {i.row.id: i for i in journal.all_items(current_user.id, guards.user_key())}
    return render_template("sharing/outbox.html", rows=rows, items=items, names=_names(), kinds=KINDS,
                           unseen={s.id: sharing.unseen_count(s, current_user.id) for s in rows}, now=utcnow())


@bp.route("/inbox")
@guards.login_required
def inbox():
    """Reader side: waiting for my reflection, answered, closed."""
    names = _names()
    sections: dict[str, list] = {"waiting": [], "answered": [], "closed": []}
    for s in sharing.inbox(current_user.id):
        decision = sharing.decide_share(current_user.id, s.id)
        if decision.role != "reader":
            sections["closed"].append((s, None, 0))
            continue
        key = sharing.entry_key_for(decision, current_user.user, guards.user_key())
        data = sharing.read_entry(decision, key)
        item = journal.Item(decision.entry, data)
        sections["answered" if s.reflected_at else "waiting"].append(
            (s, item, sharing.unseen_count(s, current_user.id)))
    return render_template("sharing/inbox.html", sections=sections, names=names, kinds=KINDS)


def _thread_page(decision, status: int = 200, reflection_form=None, reply_form=None):
    user, key = current_user.user, guards.user_key()
    share = decision.share
    entry_key = sharing.entry_key_for(decision, user, key)
    data = sharing.read_entry(decision, entry_key)
    is_reader = decision.role == "reader"
    seen = share.reader_seen_at if is_reader else share.owner_seen_at
    messages = sharing.thread(share, entry_key, user.id, seen)
    own_draft = next((m for m in messages if m.item.draft), None)
    if reflection_form is None and is_reader and share.reflected_at is None:
        draft = dict(own_draft.content) if own_draft else None
        if draft and draft.get("follow_up"):
            # Stored as an ISO string; the date field needs a date (a string here was a 500).
            try:
                draft["follow_up"] = date.fromisoformat(draft["follow_up"])
            except (TypeError, ValueError):
                draft["follow_up"] = None
        reflection_form = ReflectionForm(data=draft)
    reply_form = reply_form or ReplyForm(data={"reply_id": new_id()})
    edited = is_reader and share.reader_seen_at is not None and decision.entry.updated_at > share.reader_seen_at
    other_id = share.owner_id if is_reader else share.reader_id
    other = _names().get(other_id) or "Your colleague"
    page = render_template("sharing/thread.html", decision=decision, share=share, item=journal.Item(decision.entry, data),
                           kind=KINDS[data["kind"]], question=sharing.question(share, entry_key),
                           messages=[m for m in messages if not m.item.draft], reflection_form=reflection_form,
                           reply_form=reply_form, sections=SECTION_LABELS, other=other, is_reader=is_reader,
                           edited=edited, has_draft=own_draft is not None,
                           ended=not sharing.is_active(share), seen_form=EmptyForm())
    return page, status


def _decide_thread(share_id: str, held: bool = False):
    """The viewer's decision; writers (held=True) hold the entry first and decide on fresh rows,
    so the key they read below is the one they seal under."""
    decision = (sharing.decide_share_held if held else sharing.decide_share)(current_user.id, share_id)
    if decision.gone:
        abort(410)
    if not decision.allows(Access.VIEW):
        abort(404)
    return decision


@bp.route("/shares/<share_id>")
@guards.login_required
def thread(share_id: str):
    return _thread_page(_decide_thread(share_id))


@bp.route("/shares/<share_id>/seen", methods=["POST"])
@guards.login_required
def seen(share_id: str):
    """The thread page reports that it was shown (app.js, or the "Mark as read" button without
    scripts): this clears the "new" marks and, for a reader, writes "opened" to the access log.
    A GET never writes, so two workers' page views cannot race each other's writes."""
    decision = _decide_thread(share_id, held=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if decision.role == "reader":
        sharing.log_access(decision.entry.id, current_user.id, "opened")
        decision.share.reader_seen_at = utcnow()
    else:
        decision.share.owner_seen_at = utcnow()
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        return {"ok": True}
    return redirect(url_for("sharing.thread", share_id=share_id))


@bp.route("/shares/<share_id>/reflection", methods=["POST"])
@guards.login_required
def reflection(share_id: str):
    decision = _decide_thread(share_id)
    if not decision.allows(Access.REFLECT):
        abort(403)
    form = ReflectionForm()
    if not form.validate_on_submit():
        return _thread_page(decision, 400, reflection_form=form)
    decision = _decide_thread(share_id, held=True)  # hold the entry, then read its key
    submit = request.form.get("action") == "submit"
    data = {name: getattr(form, name).data for name in sharing.REFLECTION_SECTIONS}
    data["follow_up"] = form.follow_up.data.isoformat() if form.follow_up.data else ""
    key = sharing.entry_key_for(decision, current_user.user, guards.user_key())
    try:
        sharing.save_reflection(decision.share, current_user.user, key, data, submit)
    except ShareError as exc:
        form.context.errors = [str(exc)]
        return _thread_page(decision, exc.status, reflection_form=form)
    db.session.commit()
    flash("Your reflection is sent." if submit else "Draft saved. Only you can see it.", "ok")
    return redirect(url_for("sharing.thread", share_id=share_id))


@bp.route("/shares/<share_id>/reply", methods=["POST"])
@guards.login_required
def reply(share_id: str):
    decision = _decide_thread(share_id)
    if not decision.allows(Access.REPLY):
        abort(403)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _thread_page(decision, 400, reply_form=form)
    decision = _decide_thread(share_id, held=True)  # hold the entry, then read its key
    key = sharing.entry_key_for(decision, current_user.user, guards.user_key())
    try:
        sharing.add_reply(decision.share, current_user.user, key, form.text.data, form.reply_id.data or "")
    except ShareError as exc:
        form.text.errors = [str(exc)]
        return _thread_page(decision, exc.status, reply_form=form)
    db.session.commit()
    return redirect(url_for("sharing.thread", share_id=share_id) + "#thread-end")


@bp.app_context_processor
def _shared_badge() -> dict:
    """The "Shared" count in the navigation, on every page: new thread items and edited entries
    the user has not looked at yet. A page that cannot count (database trouble) shows no badge."""
    return {"unseen_total": _unseen_total()}


def _unseen_total() -> int:
    if not current_user.is_authenticated:
        return 0
    try:
        return sharing.unseen_total(current_user.id)
    except SQLAlchemyError:
        return 0
