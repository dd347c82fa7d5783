"""Forms for seminar groups."""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from blueprints.forms import Form
from blueprints.journal_forms import Radio
from domain.groups.membership import K_MAX, NAME_MAX
from domain.trends.suppression import DEFAULT_K, MIN_K

K_MESSAGE = _l("Choose a number from %(low)d to %(high)d. Below %(low)d a cell could point at one person.",
               low=MIN_K, high=K_MAX)


class GroupForm(Form):
    name = StringField(_l("Group name"), validators=[
        DataRequired(_l("Give the group a name.")),
        Length(max=NAME_MAX, message=_l("At most %(max)d characters.", max=NAME_MAX))])
    k = IntegerField(_l("Smallest number of people behind a shown number (k)"), default=DEFAULT_K,
                     validators=[DataRequired(K_MESSAGE), NumberRange(MIN_K, K_MAX, K_MESSAGE)])


class KForm(Form):
    k = IntegerField("k", validators=[DataRequired(K_MESSAGE), NumberRange(MIN_K, K_MAX, K_MESSAGE)])


class GroupInviteForm(Form):
    # Choices from a callable: read per request, so the labels follow the reader's language.
    multi_use = Radio(_l("Link"), choices=lambda: {"single": gettext("For one person"),
                                                   "multi": gettext("For the whole group")},
                      default="multi", validators=[DataRequired(_l("Choose one."))])
    days = IntegerField(_l("Valid for (days)"), default=14,
                        validators=[DataRequired(_l("Give a number of days.")),
                                    NumberRange(1, 60, _l("From 1 to 60 days."))])
