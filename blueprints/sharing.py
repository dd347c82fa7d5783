"""Sharing pages: share dialog with preview, supervision agenda, owner control, reader inbox,
shared entry with structured reflection, and the thread. Every route asks domain/sharing."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from blueprints import guards, i18n, rotation_sweep
from blueprints.access import allowed_or_404
from blueprints.forms import EmptyForm
from blueprints.sharing_forms import SECTION_LABELS, ReflectionForm, ReplyForm, share_form
from blueprints.sharing_send import contact_choices, do_share, inbox_page, mandate_for, urgent_mail_setting
from blueprints.sharing_send import urgent as _urgent
from domain.catalogue.entry_kinds import KINDS
from domain.core.db import db, new_id, utcnow
from domain.core.refusal import Refusal
from domain.journal import entries as journal
from domain.sharing import contacts
from domain.sharing import shares as sharing

bp = Blueprint("sharing", __name__)


def _share_dialog(form, items: list[journal.Item], people, entry_ids: list[str], agenda: bool):
    """A POST with entries shares them and redirects; otherwise (or when refused) the dialog,
    with identifying details in what is about to be shared as warnings."""
    if request.method == "POST" and entry_ids:
        done = do_share(form, entry_ids)
        if done is not None:
            return done
    elif request.method == "POST":
        form.entries.errors = [gettext("Choose at least one entry.")]
    status = getattr(form, "refusal_status", 400) if form.is_submitted() else 200
    mandate = mandate_for(items[0]) if len(items) == 1 and not agenda else {}
    return render_template("sharing/share.html", form=form, items=items, people=people, kinds=KINDS, agenda=agenda,
                           mandate=mandate, warnings=sharing.identifying_details(items, form.question.data or "")), status


@bp.route("/entries/<entry_id>/share", methods=["GET", "POST"])
@guards.fresh_login_required
def share_entry(entry_id: str):
    decision = allowed_or_404(sharing.decide_entry(current_user.id, entry_id), sharing.Access.MANAGE)
    item = journal.Item(decision.entry, journal.read(decision.entry, guards.user_key()))
    people, choices = contact_choices()
    return _share_dialog(share_form(choices), [item], people, [entry_id], agenda=False)


@bp.route("/share/agenda", methods=["GET", "POST"])
@guards.fresh_login_required
def agenda():
    """Share a bundle: entries marked for supervision (all pre-selected), with one or more contacts."""
    items = [i for i in journal.flagged(journal.all_items(current_user.id, guards.user_key()))]
    people, choices = contact_choices()
    entry_choices = {i.row.id: i.headline for i in items}
    form = share_form(choices, entry_choices, data={"entries": list(entry_choices)} if request.method == "GET" else None)
    return _share_dialog(form, items, people, list(form.entries.data or []), agenda=True)


bp.add_url_rule("/entries/<entry_id>/urgent", "urgent", guards.fresh_login_required(_urgent), methods=["GET", "POST"])
bp.add_url_rule("/inbox/urgent-mail", "urgent_mail", guards.login_required(urgent_mail_setting), methods=["POST"])


def _names() -> dict[str, str]:
    return {c.other_id: c.name for c in contacts.contacts_of(current_user.user, guards.user_key())}


def _unseen(shares) -> dict[str, int]:
    return {s.id: sharing.unseen_count(s, current_user.id) for s in shares}


@bp.route("/entries/<entry_id>/sharing")
@guards.login_required
def manage(entry_id: str):
    """Owner control: who can read it, since and until when, revoke, access log."""
    decision = allowed_or_404(sharing.decide_entry(current_user.id, entry_id), sharing.Access.MANAGE)
    key = guards.user_key()
    item = journal.Item(decision.entry, journal.read(decision.entry, key))
    shares = sharing.shares_of_entry(entry_id)
    entry_key = sharing.entry_key_for(decision, current_user.user, key)
    questions = {s.id: sharing.question(s, entry_key) for s in shares}
    return render_template("sharing/manage.html", item=item, shares=shares, names=_names(), questions=questions,
                           log=sharing.access_log(entry_id), form=EmptyForm(), now=utcnow(), unseen=_unseen(shares))


@bp.route("/shares/<share_id>/revoke", methods=["POST"])
@guards.fresh_login_required
def revoke(share_id: str):
    decision = allowed_or_404(sharing.decide_share(current_user.id, share_id), sharing.Access.MANAGE)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if decision.share.revoked_at is None:
        try:
            sharing.revoke(current_user.user, guards.user_key(), decision.share)
        except Refusal as exc:
            abort(exc.status)
        db.session.commit()
        flash(gettext("No longer shared. They may have kept what they already read; nothing new reaches them."), "ok")
    return redirect(url_for("sharing.manage", entry_id=decision.entry.id))


# Key rotations left over for the owner's next write request, first of the after-request hooks.
bp.after_app_request(rotation_sweep.after_request)


@bp.route("/outbox")
@guards.login_required
def outbox():
    """Everything I share, newest first, with what is new in each thread."""
    rows = sharing.outbox(current_user.id)
    items = sharing.outbox_items(current_user.user, guards.user_key(), guards.session_row().id)
    return render_template("sharing/outbox.html", rows=rows, items=items, names=_names(), kinds=KINDS,
                           unseen=_unseen(rows), now=utcnow())


@bp.route("/inbox")
@guards.login_required
def inbox():
    """Reader side: waiting for my reflection, answered, closed."""
    return inbox_page()


def _thread_page(decision, status: int = 200, reflection_form=None, reply_form=None):
    user, share = current_user.user, decision.share
    entry_key = sharing.entry_key_for(decision, user, guards.user_key())
    data = sharing.read_entry(decision, entry_key)
    is_reader = decision.role == "reader"
    messages = sharing.thread(share, entry_key, user.id, sharing.last_seen(decision))
    own_draft = next((m for m in messages if m.item.draft), None)
    if reflection_form is None and is_reader and share.reflected_at is None:
        reflection_form = ReflectionForm.from_draft(own_draft.content if own_draft else None)
    other = _names().get(share.owner_id if is_reader else share.reader_id) or gettext("Your colleague")
    note = sharing.note(share, entry_key)
    return render_template("sharing/thread.html", share=share, item=journal.Item(decision.entry, data), other=other,
                           kind=KINDS[data["kind"]], question=note["question"], urgent=note["urgent"],
                           mandate=note["mandate"], is_reader=is_reader,
                           messages=[m for m in messages if not m.item.draft], reflection_form=reflection_form,
                           reply_form=reply_form or ReplyForm(data={"reply_id": new_id()}), seen_form=EmptyForm(),
                           sections=SECTION_LABELS, edited=sharing.edited_since_seen(decision),
                           ended=not sharing.is_active(share)), status


def _decide_thread(share_id: str, held: bool = False):
    """The viewer's decision; writers (held=True) hold the entry first and decide on fresh rows,
    so the key they read below is the one they seal under."""
    decision = (sharing.decide_share_held if held else sharing.decide_share)(current_user.id, share_id)
    if decision.gone:
        abort(410)
    return allowed_or_404(decision, sharing.Access.VIEW)


@bp.route("/shares/<share_id>")
@guards.login_required
def thread(share_id: str):
    return _thread_page(_decide_thread(share_id))


@bp.route("/shares/<share_id>/seen", methods=["POST"])
@guards.login_required
def seen(share_id: str):
    """The thread page reports that it was shown (app.js, or the "Mark as read" button): the "new"
    marks clear, a reader's look is logged. A GET never writes, so page views cannot race writes."""
    decision = _decide_thread(share_id, held=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    sharing.mark_seen(decision, current_user.id)
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        return {"ok": True}
    return redirect(url_for("sharing.thread", share_id=share_id))


def _write_to_thread(share_id: str, action: sharing.Access, form, form_name: str, errors_on, write,
                     done: str = "", anchor: str = ""):
    """A reflection or reply: decide, validate, hold the entry, `write(decision, key)`, commit and
    go back to the thread (flashing `done`); a refusal shows the thread with the form again."""
    decision = _decide_thread(share_id)
    if not decision.allows(action):
        abort(403)  # they can see the thread (so 404 would hide nothing), but not do this in it
    if not form.validate_on_submit():
        return _thread_page(decision, 400, **{form_name: form})
    decision = _decide_thread(share_id, held=True)  # hold the entry, then read its key
    key = sharing.entry_key_for(decision, current_user.user, guards.user_key())
    try:
        write(decision, key)
    except Refusal as exc:
        errors_on.errors = [i18n.say(exc)]
        return _thread_page(decision, exc.status, **{form_name: form})
    db.session.commit()
    if done:
        flash(done, "ok")
    return redirect(url_for("sharing.thread", share_id=share_id) + anchor)


@bp.route("/shares/<share_id>/reflection", methods=["POST"])
@guards.login_required
def reflection(share_id: str):
    form = ReflectionForm()
    submit = request.form.get("action") == "submit"
    done = gettext("Your reflection is sent.") if submit else gettext("Draft saved. Only you can see it.")
    return _write_to_thread(share_id, sharing.Access.REFLECT, form, "reflection_form", form.context, lambda decision, key:
                            sharing.save_reflection(decision.share, current_user.user, key, form.sections(), submit), done=done)


@bp.route("/shares/<share_id>/reply", methods=["POST"])
@guards.login_required
def reply(share_id: str):
    form = ReplyForm()
    return _write_to_thread(share_id, sharing.Access.REPLY, form, "reply_form", form.text, lambda decision, key:
                            sharing.add_reply(decision.share, current_user.user, key, form.text.data,
                                              form.reply_id.data or ""), anchor="#thread-end")


def unseen_counts() -> tuple[int, int, int, int]:
    """The acting user's unseen counts (domain/sharing/overview.py), counted once per request:
    the home page and the navigation badge show the same numbers."""
    if "unseen_counts" not in g:
        g.unseen_counts = sharing.unseen_counts(current_user.id)
    return g.unseen_counts


@bp.app_context_processor
def _shared_badge() -> dict:
    """The "Shared" count in the navigation, on every page: new thread items and edited entries
    the user has not looked at yet. A page that cannot count (database trouble) shows no badge."""
    try:
        return {"unseen_total": sum(unseen_counts()) if current_user.is_authenticated else 0}
    except SQLAlchemyError:
        return {"unseen_total": 0}
