"""Contacts: invite by link (and QR code), accept, change role, confirm keys, remove."""
from __future__ import annotations

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user

from blueprints import guards, i18n
from blueprints.access import found_or_404
from blueprints.forms import EmptyForm
from blueprints.limits import limiter
from blueprints.sharing_forms import InviteForm, RoleForm
from domain.accounts import account as accounts
from domain.core import mailer
from domain.core.db import db, new_id
from domain.core.refusal import Refusal
from domain.sharing import contacts
from domain.sharing import shares as sharing

bp = Blueprint("contacts", __name__)


def _mine_or_404(link_id: str) -> contacts.Contact:
    return found_or_404(contacts.contact(current_user.user, guards.user_key(), link_id))


def _mine_posted(link_id: str) -> contacts.Contact:
    """The user's contact, for a button whose form (CSRF token) checks out."""
    c = _mine_or_404(link_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return c


def _index_page(form: InviteForm) -> str:
    people = contacts.contacts_of(current_user.user, guards.user_key())
    return render_template("contacts/index.html", people=people, form=form,
                           pending=contacts.pending_invitations(current_user.id))


def _detail_page(c: contacts.Contact, role_form: RoleForm) -> str:
    return render_template("contacts/detail.html", c=c, role_form=role_form, form=EmptyForm(),
                           own_fingerprint=contacts.own_fingerprint(current_user.user))


def _saved(message: str, link_id: str | None = None):
    """Every contact change ends alike: news waiting in the mailbox is folded in on this write,
    one commit, a message, back to the contact (or the list)."""
    contacts.fold_mailboxes(current_user.user, guards.user_key())
    db.session.commit()
    flash(message, "ok")
    return redirect(url_for("contacts.detail", link_id=link_id) if link_id else url_for("contacts.index"))


@bp.route("/contacts")
@guards.login_required
def index():
    return _index_page(InviteForm(data={"invite_id": new_id()}))


@bp.route("/contacts/invite", methods=["POST"])
@guards.login_required
@limiter.limit("20 per hour")
def invite():
    form = InviteForm()
    row = token = None
    if form.validate_on_submit():
        try:
            row, token = contacts.invite(current_user.user, guards.user_key(), form.role.data,
                                         form_id=form.invite_id.data or "", secret=guards.server_secret())
        except Refusal as exc:  # e.g. the text "None", which the radio field lets through
            form.role.errors = [i18n.say(exc)]
    if row is None:
        return _index_page(form), 400
    contacts.fold_mailboxes(current_user.user, guards.user_key())
    db.session.commit()
    link = url_for("contacts.invitation", token=token, _external=True)
    qr = segno.make(link, error="m").svg_data_uri(scale=5, border=2, dark="#1c2321", light="#ffffff")
    mailed = None
    if form.email.data and mailer.configured(current_app.config):
        name = accounts.read_profile(current_user.user, guards.user_key()).get("display_name") or gettext("A colleague")
        try:  # in the inviter's language: this request is theirs
            mailer.send_invitation(current_app.config, form.email.data.strip(), name, gettext(contacts.ROLE_LABELS[row.role]),
                                   link, i18n.day(row.expires_at), translate=gettext)
            mailed = gettext("The link was also sent by e-mail.")
        except mailer.MailError as exc:
            mailed = i18n.say(exc)
    return render_template("contacts/invite_link.html", link=link, qr=qr, row=row, mailed=mailed,
                           role=gettext(contacts.ROLE_LABELS[row.role]))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def invitation(token: str):
    if request.method == "POST" and current_user.is_authenticated:
        return _accept(token)
    try:
        inv, inviter_name = contacts.open_invitation(token)
    except Refusal as exc:
        return render_template("contacts/invitation_gone.html", message=i18n.say(exc)), exc.status
    if not current_user.is_authenticated:
        session["return_to"] = request.path  # come back here after sign-up or login
    return render_template("contacts/invitation.html", inviter=inviter_name, inv=inv, role=gettext(contacts.ROLE_LABELS[inv.role]),
                           form=EmptyForm() if current_user.is_authenticated else None)


def _accept(token: str):
    """Accept the link. The same link accepted twice (two taps) gives one contact and the same
    answer both times."""
    guards.user_key()
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        _link, inviter_name = contacts.accept(token, current_user.user, guards.user_key())
    except Refusal as exc:
        db.session.commit()
        return render_template("contacts/invitation_gone.html", message=i18n.say(exc)), exc.status
    session.pop("return_to", None)
    return _saved(gettext("You are now connected with %(name)s.", name=inviter_name))


@bp.route("/contacts/<link_id>", methods=["GET"])
@guards.login_required
def detail(link_id: str):
    c = _mine_or_404(link_id)
    return _detail_page(c, RoleForm(data={"role": c.link.role}))


@bp.route("/contacts/<link_id>/role", methods=["POST"])
@guards.login_required
def change_role(link_id: str):
    c = _mine_or_404(link_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _detail_page(c, form), 400
    try:
        contacts.set_role(c.link, form.role.data)
    except Refusal as exc:
        abort(exc.status)
    return _saved(gettext("The role is changed."), link_id)


@bp.route("/contacts/<link_id>/confirm-key", methods=["POST"])
@guards.fresh_login_required
def confirm_key(link_id: str):
    c = _mine_posted(link_id)
    contacts.confirm_key(c.link)
    return _saved(gettext("The new key is confirmed. You can share with this contact again."), link_id)


@bp.route("/contacts/<link_id>/remove", methods=["POST"])
@guards.fresh_login_required
def remove(link_id: str):
    c = _mine_posted(link_id)
    sharing.end_between(current_user.user, guards.user_key(), c.other_id)
    contacts.remove(current_user.id, c.other_id)
    db.session.commit()
    flash(gettext("%(name)s is removed. Everything you shared with each other is no longer shared.", name=c.name), "ok")
    return redirect(url_for("contacts.index"))
