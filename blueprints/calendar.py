"""Calendar reminders that reveal nothing: the settings page of the private feed (made, shown once,
revoked), the dates set there, the feed itself (fetched by a calendar app, no session) and
one-off .ics downloads. Every event says only "Fokus: follow-up" and the like, never content."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from blueprints import calendar_sync, guards
from blueprints.access import allowed_or_404, owned_or_404
from blueprints.calendar_forms import DateForm, FeedForm, RemoveDateForm
from blueprints.forms import EmptyForm
from blueprints.i18n import current_language, say
from blueprints.limits import limiter
from domain.core.db import db, new_id, utcnow
from domain.core.refusal import Refusal
from domain.journal import entries as journal
from domain.reminders import feed as feeds
from domain.reminders import ics, plan, sources
from domain.sharing import access as sharing

bp = Blueprint("calendar", __name__)
bp.record_once(lambda _state: calendar_sync.install())


def _page(status: int = 200, token: str | None = None, date_form: DateForm | None = None):
    user, key = current_user.user, guards.user_key()
    body = render_template("calendar/index.html", feed=feeds.of_owner(user.id), token=token,
                           feed_url=url_for("calendar.feed", token=token, _external=True) if token else None,
                           feed_form=FeedForm(data={"feed_id": new_id()}), date_form=date_form or DateForm(),
                           reminders=_coming(sources.everything(user, key)), titles=_titles())
    return body, status


def _coming(reminders: list[sources.Reminder]) -> list[sources.Reminder]:
    # The page lists what is still ahead (a day's slack for time zones); the feed keeps the past too,
    # so a calendar does not lose the events it already shows.
    since = utcnow().date() - timedelta(days=1)
    return [r for r in reminders if r.on >= since]


@bp.route("/settings/calendar")
@guards.login_required
def index():
    """The page; `?kind=visit&on=YYYY-MM-DD` fills in the date form (a link from an entry's visit
    date). Filling a form is not a write: the user still presses "Add reminder"."""
    kind, on = request.args.get("kind"), request.args.get("on")
    return _page(date_form=DateForm(formdata=None, data={"kind": kind, "on": _day(on)}) if kind in plan.KINDS else None)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.route("/settings/calendar/feed", methods=["POST"])
@guards.fresh_login_required
def create_feed():
    form = FeedForm()
    if not form.validate_on_submit():
        abort(400)
    _feed, token = feeds.create(current_user.user, guards.user_key(), form.feed_id.data, current_language())
    db.session.commit()
    return _page(token=token) if token else redirect(url_for("calendar.index"))


@bp.route("/settings/calendar/feed/revoke", methods=["POST"])
@guards.login_required
def revoke():
    if not EmptyForm().validate_on_submit():
        abort(400)
    feeds.revoke(current_user.id)
    db.session.commit()
    return redirect(url_for("calendar.index"))


@bp.route("/settings/calendar/dates", methods=["POST"])
@guards.login_required
def add_date():
    form = DateForm()
    if not form.validate_on_submit():
        return _page(400, date_form=form)
    try:
        plan.add(current_user.id, guards.user_key(), form.kind.data, form.on.data)
    except Refusal as err:
        form.on.errors = [say(err)]
        return _page(err.status, date_form=form)
    feeds.refresh(current_user.user, guards.user_key(), current_language())
    db.session.commit()
    return redirect(url_for("calendar.index"))


@bp.route("/settings/calendar/dates/remove", methods=["POST"])
@guards.login_required
def remove_date():
    form = RemoveDateForm()
    if not form.validate_on_submit():
        abort(400)
    plan.remove(current_user.id, guards.user_key(), form.kind.data, form.on.data)
    feeds.refresh(current_user.user, guards.user_key(), current_language())
    db.session.commit()
    return redirect(url_for("calendar.index"))


@bp.route("/settings/calendar/refresh", methods=["POST"])
@guards.login_required
def refresh():
    """Bring the feed up to date now (e.g. after a supervisor wrote a follow-up date)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    feeds.refresh(current_user.user, guards.user_key(), current_language())
    db.session.commit()
    return redirect(url_for("calendar.index"))


# --- .ics -----------------------------------------------------------------------------------------

def _titles() -> dict[str, str]:
    return {"follow_up": _("Fokus: follow-up"), "visit": _("Fokus: write about the visit"),
            "supervision": _("Fokus: supervision meeting")}


def _ics(reminders: list[sources.Reminder], uid_secret: bytes, filename: str | None) -> Response:
    body = ics.calendar(reminders, _titles(), _("Open Fokus:"), url_for("home.index", _external=True),
                        uid_secret, "Fokus")
    response = Response(body, mimetype="text/calendar")
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Calendar apps poll a few times an hour; the token cannot be guessed, this only blunts floods.
FEED_LIMIT = "60 per minute"


@bp.route("/calendar/feed/<token>.ics")
@limiter.limit(FEED_LIMIT)
def feed(token: str):
    """For a calendar app: no session, no key but the token in the URL; unknown or revoked: 404."""
    found = feeds.events_for_token(token)
    if found is None:
        abort(404)
    uid_secret, lang, reminders = found
    with force_locale(lang):
        response = _ics(reminders, uid_secret, None)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _one_off(reminder: sources.Reminder | None) -> Response:
    if reminder is None:
        abort(404)
    return _ics([reminder], feeds.uid_secret(guards.user_key()), "fokus-reminder.ics")


@bp.route("/calendar/entries/<entry_id>/follow-up.ics")
@guards.login_required
def entry_follow_up(entry_id: str):
    row = owned_or_404(journal.get_owned, entry_id)
    return _one_off(sources.of_entry(row.id, journal.read(row, guards.user_key())))


@bp.route("/calendar/shares/<share_id>/follow-up.ics")
@guards.login_required
def reflection_follow_up(share_id: str):
    allowed_or_404(sharing.decide_share(current_user.id, share_id), sharing.Access.VIEW)
    found = sources.reflection_of_share(share_id, current_user.user, guards.user_key())
    return _one_off(found)


@bp.route("/calendar/reminder.ics")
@guards.login_required
def reminder():
    """A visit or supervision date typed on the calendar page, as a one-off file."""
    kind, day = request.args.get("kind", ""), _day(request.args.get("on"))
    if kind not in plan.KINDS or day is None:
        abort(400)
    return _one_off(sources.Reminder(f"{kind}:{day.isoformat()}", kind, day))
