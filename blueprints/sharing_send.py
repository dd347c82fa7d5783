"""Sending a share: the contacts to choose from, the share dialog's POST, and the urgent offer
shown after saving an urgent ethical dilemma (endpoint `sharing.urgent`, registered in
sharing.py so the sharing blueprint stays the one place its routes are listed)."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from blueprints import guards, i18n
from blueprints.access import allowed_or_404
from blueprints.sharing_forms import UrgentMailForm, share_form
from domain.catalogue.entry_kinds import KINDS
from domain.core import mailer
from domain.core.db import db
from domain.core.refusal import Refusal
from domain.journal import entries as journal
from domain.sharing import contacts, urgent_mail
from domain.sharing import shares as sharing

URGENT_KIND = "ethical_dilemma"


def contact_choices() -> tuple[list[contacts.Contact], dict[str, str]]:
    people = contacts.contacts_of(current_user.user, guards.user_key())
    return people, {c.other_id: f"{c.name} ({gettext(c.role_label).lower()})" for c in people}


def mandate_for(item: journal.Item) -> dict:
    """The mandate of the entry's process as a share would carry it ({} when none)."""
    return sharing.mandate_of_entry(current_user.id, guards.user_key(), item.data)


def do_share(form, entry_ids: list[str], urgent: bool = False):
    """Returns a redirect on success, else None with errors put on the form."""
    if not form.validate_on_submit():
        return None
    try:
        rows = sharing.share(current_user.user, guards.user_key(), entry_ids, list(form.readers.data or []),
                             (form.question.data or "").strip(), form.expires_at(), urgent=urgent,
                             include_mandate=bool(form.include_mandate.data) and len(entry_ids) == 1)
    except Refusal as exc:
        form.readers.errors = list(form.readers.errors) + [i18n.say(exc)]
        form.refusal_status = exc.status  # e.g. 409 when a contact's key changed
        return None
    db.session.commit()
    if urgent:
        _notify([r for r in rows if getattr(r, "created_now", False)])
        flash(gettext("Sent. It is at the top of their list, marked urgent."), "ok")
    else:
        flash(ngettext("Shared: %(num)d share. You can end it any time.",
                       "Shared: %(num)d shares. You can end them any time.", len(rows)), "ok")
    return redirect(url_for("sharing.manage", entry_id=entry_ids[0]) if len(entry_ids) == 1 else url_for("sharing.outbox"))


def _notify(rows) -> None:
    """E-mail each new urgent share's reader who asked for it: only that something urgent waits."""
    if not mailer.configured(current_app.config):
        return
    for row in rows:
        address = urgent_mail.address_for(current_user.user, guards.user_key(), row.reader_id)
        if address:
            urgent_mail.send_notice(current_app.config, address, url_for("sharing.inbox", _external=True), gettext)


def inbox_page(mail_form=None, status: int = 200):
    """Reader side: waiting for my reflection (urgent first), answered, closed; and, where SMTP
    is configured, the address for urgent notices."""
    sections = sharing.inbox_sections(current_user.user, guards.user_key())
    urgent = sum(1 for row in sections["waiting"] if row[3])
    if mail_form is None and mailer.configured(current_app.config):
        mail_form = UrgentMailForm(data={"email": urgent_mail.own_address(current_user.user, guards.user_key())})
    names = {c.other_id: c.name for c in contacts.contacts_of(current_user.user, guards.user_key())}
    return render_template("sharing/inbox.html", sections=sections, names=names, kinds=KINDS, urgent=urgent,
                           mail_form=mail_form), status


def urgent_mail_setting():
    """POST from the inbox: the address for urgent notices ("" stops them)."""
    form = UrgentMailForm()
    if not form.validate_on_submit():
        return inbox_page(form, 400)
    if not mailer.configured(current_app.config):
        abort(404)  # no mail server: nothing would ever be sent
    address = (form.email.data or "").strip()
    told = urgent_mail.set_address(current_user.user, guards.user_key(), address)
    db.session.commit()
    flash(ngettext("Saved for %(num)d colleague who shares with you.", "Saved for %(num)d colleagues who share with you.",
                   told) if address else gettext("No more e-mails about urgent entries."), "ok")
    return redirect(url_for("sharing.inbox"))


def offer_after_save(entry_id: str | None, kind_id: str, form, action: str | None) -> str | None:
    """Where to go after saving an entry: the urgent offer for a saved urgent ethical dilemma that
    is not shared yet; None for everything else (the entry page)."""
    if entry_id is None or action == "draft" or kind_id != URGENT_KIND or form.supervision.data != "urgent":
        return None
    if any(sharing.is_active(s) for s in sharing.shares_of_entry(entry_id)):
        return None
    return url_for("sharing.urgent", entry_id=entry_id)


def urgent(entry_id: str):
    """GET: "Saved. Send it to your supervisor now?" with the supervisor preselected and a calm
    question to edit. POST: share it, marked urgent in the share's sealed note."""
    decision = allowed_or_404(sharing.decide_entry(current_user.id, entry_id), sharing.Access.MANAGE)
    item = journal.Item(decision.entry, journal.read(decision.entry, guards.user_key()))
    people, choices = contact_choices()
    supervisor = sharing.supervisor_of(people)
    data = None
    if request.method == "GET":
        data = {"readers": [supervisor.other_id] if supervisor else [],
                "question": gettext("This feels urgent to me. Could we talk about it today or tomorrow?")}
    form = share_form(choices, data=data)
    if request.method == "POST":
        done = do_share(form, [entry_id], urgent=True)
        if done is not None:
            return done
    status = getattr(form, "refusal_status", 400) if form.is_submitted() else 200
    return render_template("sharing/urgent.html", form=form, item=item, people=people, supervisor=supervisor,
                           kinds=KINDS, mandate=mandate_for(item)), status
