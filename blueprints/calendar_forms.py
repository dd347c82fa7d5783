"""Forms of the calendar page: make the feed address, add a date to be reminded of."""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, RadioField
from wtforms.validators import DataRequired, Regexp

from blueprints.forms import Form


class FeedForm(Form):
    # Chosen when the page is drawn: a repeated submit finds the feed it made instead of a new one.
    feed_id = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])


class DateForm(Form):
    kind = RadioField(_l("Remind me of"), choices=lambda: {
        "visit": gettext("Writing about a visit"), "supervision": gettext("A supervision meeting")},
        default="visit", validators=[DataRequired(_l("Choose what the reminder is for."))])
    on = DateField(_l("Date"), validators=[DataRequired(_l("Give a date, e.g. 2026-12-24."))])


class RemoveDateForm(Form):
    kind = HiddenField(validators=[DataRequired(), Regexp(r"^(visit|supervision)$")])
    on = HiddenField(validators=[DataRequired(), Regexp(r"^\d{4}-\d{2}-\d{2}$")])
