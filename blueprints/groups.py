"""Seminar groups: create, invite, join, consent to contribute, members, group trends, handouts."""
from __future__ import annotations

import segno
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from blueprints import groups_view, guards
from blueprints.access import found_or_404
from blueprints.forms import EmptyForm
from blueprints.groups_forms import GroupForm, GroupInviteForm, KForm
from blueprints.groups_text import consent_times, csv_text, handout_words
from blueprints.i18n import say
from blueprints.limits import limiter
from blueprints.trends import label
from domain.core.db import db
from domain.core.refusal import Refusal
from domain.groups import contributions as trend_store
from domain.groups import handout, threshold
from domain.groups import membership as groups
from domain.journal import entries as journal
from domain.journal import processes
from domain.trends.group_tables import TABLE_TITLES

bp = Blueprint("groups", __name__, url_prefix="/groups")


def _secret() -> bytes:
    return guards.server_secret()


def _membership_or_404(group_id: str) -> groups.Membership:
    return found_or_404(groups.membership(current_user.user, guards.user_key(), group_id))


def _group_page(ms: groups.Membership, status: int = 200, *, invite_form: GroupInviteForm | None = None,
                k_form: KForm | None = None):
    """The group page, with the form the request filled in (or fresh ones) and the member list
    for a lead."""
    return render_template("groups/view.html", ms=ms, members=groups.members(ms) if ms.is_lead else [],
                           invite_form=invite_form if invite_form is not None else GroupInviteForm(),
                           k_form=k_form if k_form is not None else KForm(data={"k": ms.group.k}),
                           form=EmptyForm()), status


@bp.route("/", methods=["GET", "POST"])
@guards.login_required
def index():
    form = GroupForm()
    if form.validate_on_submit():
        try:
            group = groups.create(current_user.user, guards.user_key(), form.name.data, form.k.data, _secret())
        except Refusal as exc:
            form.name.errors = [say(exc)]
        else:
            db.session.commit()
            flash(gettext("The group is created. Invite its members with a link."), "ok")
            return redirect(url_for("groups.view", group_id=group.id))
    status = 400 if form.is_submitted() else 200
    return render_template("groups/index.html", form=form,
                           mine=groups.memberships(current_user.user, guards.user_key())), status


@bp.route("/<group_id>")
@guards.login_required
def view(group_id: str):
    return _group_page(_membership_or_404(group_id))


@bp.route("/<group_id>/invite", methods=["POST"])
@guards.login_required
@limiter.limit("30 per hour")
def invite(group_id: str):
    ms = _membership_or_404(group_id)
    form = GroupInviteForm()
    if not form.validate_on_submit():
        return _group_page(ms, 400, invite_form=form)
    try:
        inv, token = groups.invite(ms, form.multi_use.data == "multi", form.days.data)
    except Refusal as exc:
        abort(exc.status)
    db.session.commit()
    link = url_for("groups.join", token=token, _external=True)
    qr = segno.make(link, error="m").svg_data_uri(scale=5, border=2, dark="#1c2321", light="#ffffff")
    return render_template("groups/invite_link.html", ms=ms, link=link, qr=qr, inv=inv)


@bp.route("/join/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def join(token: str):
    try:
        _inv, _key, name = groups.open_invite(token)
    except Refusal as exc:
        return render_template("contacts/invitation_gone.html", message=say(exc)), exc.status
    if not current_user.is_authenticated:
        session["return_to"] = request.path
        return render_template("groups/join.html", name=name, form=None)
    form = EmptyForm()
    if request.method == "POST":
        guards.user_key()
        if not form.validate_on_submit():
            abort(400)
        try:
            group = groups.join(token, current_user.user, guards.user_key(), _secret())
        except Refusal as exc:
            return render_template("contacts/invitation_gone.html", message=say(exc)), exc.status
        session.pop("return_to", None)
        db.session.commit()
        flash(gettext("You joined %(name)s. Nothing of yours is shared until you choose to contribute.",
                      name=name), "ok")
        return redirect(url_for("groups.consent", group_id=group.id))
    return render_template("groups/join.html", name=name, form=form)


def _my_sources(key: bytes):
    entries = [(i.row.id, i.data, i.row.created_at.date())
               for i in journal.all_items(current_user.id, key) if not i.is_draft]
    procs = [(p.row.id, p.data, p.row.updated_at.strftime("%Y-%m"))
             for p in processes.all_items(current_user.id, key)]
    return entries, procs


@bp.route("/<group_id>/consent", methods=["GET", "POST"])
@guards.login_required
def consent(group_id: str):
    ms = _membership_or_404(group_id)
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        key = guards.user_key()
        if request.form.get("action") == "withdraw":
            n = trend_store.withdraw(ms, key)
            flash(ngettext("You stopped contributing. %(num)d fact was deleted from the group.",
                           "You stopped contributing. %(num)d facts were deleted from the group.", n), "ok")
        else:
            n = trend_store.consent(ms, key, *_my_sources(key))
            flash(ngettext("Thank you. %(num)d fact from your journal now counts in the group's trends.",
                           "Thank you. %(num)d facts from your journal now count in the group's trends.", n), "ok")
        db.session.commit()
        return redirect(url_for("groups.consent", group_id=group_id))
    return render_template("groups/consent.html", ms=ms, form=form, **consent_times(ms.state))


def _download(body: str | bytes, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/<group_id>/trends")
@guards.login_required
def group_trends(group_id: str):
    ms = _membership_or_404(group_id)
    a = groups_view.asked(ms.group.id, ms.group.k)
    words = handout_words()
    return render_template("groups/trends.html", ms=ms, a=a, label=label, titles=TABLE_TITLES, gv=groups_view,
                           lines=handout.summary_lines(a.headline, words), charts=handout.charts(a.headline, words))


@bp.route("/<group_id>/handout.csv")
@guards.login_required
def handout_csv(group_id: str):
    ms = _membership_or_404(group_id)
    return _download(csv_text(groups_view.asked(ms.group.id, ms.group.k).view), "text/csv", "seminar-trends.csv")


@bp.route("/<group_id>/handout.pdf")
@guards.login_required
def handout_pdf(group_id: str):
    ms = _membership_or_404(group_id)
    a = groups_view.asked(ms.group.id, ms.group.k)
    return _download(handout.render(ms.name, a.view, a.headline, handout_words(), request.args.get("tables") == "1"),
                     "application/pdf", "seminar-handout.pdf")


def _member_action(group_id: str, action):
    ms = _membership_or_404(group_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        message = action(ms)
    except Refusal as exc:
        # A redirect cannot carry a 403/409 that a browser would follow: show the group page
        # with the message and the real status instead.
        flash(say(exc), "error")
        return _group_page(ms, exc.status)
    db.session.commit()
    flash(message, "ok")
    return None


@bp.route("/<group_id>/members/<member_id>/remove", methods=["POST"])
@guards.login_required
def remove_member(group_id: str, member_id: str):
    leaving = {}

    def act(ms):
        leaving["self"] = member_id == ms.member.id
        groups.remove(ms, member_id, _secret())
        return gettext("You left the group; your facts are deleted.") if leaving["self"] else \
            gettext("The member is removed and their facts are deleted.")
    failed = _member_action(group_id, act)
    if failed:
        return failed
    return redirect(url_for("groups.index") if leaving.get("self") else url_for("groups.view", group_id=group_id))


@bp.route("/<group_id>/members/<member_id>/lead", methods=["POST"])
@guards.login_required
def toggle_lead(group_id: str, member_id: str):
    make = request.form.get("lead") == "1"
    failed = _member_action(group_id, lambda ms: (groups.set_lead(ms, member_id, make),
                                                  gettext("Roles updated."))[1])
    return failed or redirect(url_for("groups.view", group_id=group_id))


@bp.route("/<group_id>/k", methods=["POST"])
@guards.login_required
def set_k(group_id: str):
    ms = _membership_or_404(group_id)
    form = KForm()
    status = 400
    try:
        threshold.may_set_k(ms)  # a member's or a fixed group's page has no k form: say it above
    except Refusal as exc:
        flash(say(exc), "error")
        return _group_page(ms, exc.status, k_form=form)
    if form.validate_on_submit():
        try:
            threshold.set_k(ms, form.k.data)
        except Refusal as exc:
            form.k.errors = [say(exc)]
            status = exc.status
        else:
            db.session.commit()
            flash(gettext("Cells now need at least %(k)d people.", k=form.k.data), "ok")
            return redirect(url_for("groups.view", group_id=group_id))
    return _group_page(ms, status, k_form=form)


