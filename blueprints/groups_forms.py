"""Forms for seminar groups."""
from __future__ import annotations

from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from blueprints.forms import Form
from blueprints.journal_forms import Radio
from domain.groups.membership import K_MAX, NAME_MAX
from domain.trends.suppression import DEFAULT_K, MIN_K

K_MESSAGE = f"Choose a number from {MIN_K} to {K_MAX}. Below {MIN_K} a cell could point at one person."


class GroupForm(Form):
    name = StringField("Group name", validators=[DataRequired("Give the group a name."),
                                                 Length(max=NAME_MAX, message=f"At most {NAME_MAX} characters.")])
    k = IntegerField("Smallest number of people behind a shown number (k)", default=DEFAULT_K,
                     validators=[DataRequired(K_MESSAGE), NumberRange(MIN_K, K_MAX, K_MESSAGE)])


class KForm(Form):
    k = IntegerField("k", validators=[DataRequired(K_MESSAGE), NumberRange(MIN_K, K_MAX, K_MESSAGE)])


class GroupInviteForm(Form):
    multi_use = Radio("Link", choices={"single": "For one person", "multi": "For the whole group"},
                      default="multi", validators=[DataRequired("Choose one.")])
    days = IntegerField("Valid for (days)", default=14,
                        validators=[DataRequired("Give a number of days."),
                                    NumberRange(1, 60, "From 1 to 60 days.")])
