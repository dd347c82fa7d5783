"""Account forms. Each POST view validates a FlaskForm, so every form carries a CSRF token.
Labels and messages are lazy: they are read in the language of the request that shows them."""
from __future__ import annotations

import re

from babel import support
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from domain.accounts.account import LOGIN_MAX, LOGIN_MIN, NAME_MAX, PASSWORD_MAX

LOGIN_RE = re.compile(r"^[\w.+@-]+$")

_REQUIRED = _l("Please fill this in.")
LOGIN_LABEL = _l("Login name or e-mail")
NEW_PASSWORD_LABEL = _l("New password (at least 12 characters)")
WRONG_PASSWORD = _l("That password is not right.")
WRONG_CODE = _l("That code is not right.")


def at_most(n: int):
    return _l("At most %(num)d characters.", num=n)


_WTFORMS_MESSAGES: dict[str, support.NullTranslations] = {}


def wtforms_messages(locale: str) -> support.NullTranslations:
    """WTForms' own messages in one language. Flask-WTF parses that catalogue file again in every
    request that builds a form; it never changes while the process runs, so once per language."""
    found = _WTFORMS_MESSAGES.get(locale)
    if found is None:
        found = _WTFORMS_MESSAGES[locale] = support.Translations.load(messages_path(), [locale], domain="wtforms")
    return found


class Form(FlaskForm):
    """Base form. A failed CSRF check is shown on the form by _macros.form_errors, with the
    user's other input kept, instead of a bare error page."""

    CSRF_MESSAGE = _l("This form expired or came from somewhere else. Nothing you typed is lost: "
                      "please check it and send it again.")

    class Meta:
        def get_translations(self, form):
            return wtforms_messages(str(get_locale() or "en"))


def _login_chars(_form, field):
    if field.data and not LOGIN_RE.match(field.data.strip()):
        raise ValidationError(_l("Use letters, digits and . _ - + @ only (an e-mail address is fine)."))


def password_field(label) -> PasswordField:
    return PasswordField(label, validators=[DataRequired(_REQUIRED), Length(max=PASSWORD_MAX, message=at_most(PASSWORD_MAX))])


def confirm_field(other: str) -> PasswordField:
    return PasswordField(_l("Repeat the password"), validators=[
        DataRequired(_REQUIRED), EqualTo(other, message=_l("The two passwords are not the same."))])


def login_field(*checks) -> StringField:
    return StringField(LOGIN_LABEL, validators=[DataRequired(_REQUIRED), *checks])


class SignupForm(Form):
    login = login_field(Length(min=LOGIN_MIN, max=LOGIN_MAX, message=_l(
        "Between %(low)d and %(high)d characters.", low=LOGIN_MIN, high=LOGIN_MAX)), _login_chars)
    display_name = StringField(_l("Your name as colleagues will see it"), validators=[
        DataRequired(_REQUIRED), Length(max=NAME_MAX, message=at_most(NAME_MAX))])
    password = password_field(_l("Password (at least 12 characters)"))
    confirm = confirm_field("password")
    understood = BooleanField(_l("I understand that if I lose both my password and my recovery code, "
                                 "nobody can recover my journal."),
                              validators=[DataRequired(_l("Please confirm that you have read this."))])


class LoginForm(Form):
    login = login_field(Length(max=LOGIN_MAX, message=at_most(LOGIN_MAX)))
    password = password_field(_l("Password"))
    # Sealed copy of a form that was posted after the session ended (see auth.login).
    resume = HiddenField()


class ConfirmCodeForm(Form):
    last_group = StringField(_l("Type the last group of your code"), validators=[
        DataRequired(_REQUIRED), Length(max=20, message=at_most(20))])


class RecoverForm(Form):
    login = login_field(Length(max=LOGIN_MAX, message=at_most(LOGIN_MAX)))
    recovery_code = StringField(_l("Recovery code"), validators=[
        DataRequired(_REQUIRED), Length(max=80, message=at_most(80))])
    password = password_field(NEW_PASSWORD_LABEL)
    confirm = confirm_field("password")


class PasswordChangeForm(Form):
    current = password_field(_l("Current password"))
    password = password_field(NEW_PASSWORD_LABEL)
    confirm = confirm_field("password")


class PasswordCheckForm(Form):
    password = password_field(_l("Password"))


class EmptyForm(Form):
    """For buttons that only need a CSRF token (log out, end session...)."""


class SecondFactorForm(Form):
    code = StringField(_l("Code from your authenticator app, or a backup code"), validators=[
        DataRequired(_REQUIRED), Length(max=40, message=at_most(40))])
