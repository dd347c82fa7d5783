"""Account forms. Each POST view validates a FlaskForm, so every form carries a CSRF token."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from domain.accounts.account import LOGIN_MAX, LOGIN_MIN, NAME_MAX, PASSWORD_MAX

LOGIN_RE = re.compile(r"^[\w.+@-]+$")

_REQUIRED = "Please fill this in."


class Form(FlaskForm):
    """Base form. A failed CSRF check is shown on the form by _macros.form_errors, with the
    user's other input kept, instead of a bare error page."""

    CSRF_MESSAGE = ("This form expired or came from somewhere else. Nothing you typed is lost: "
                    "please check it and send it again.")


def _login_chars(_form, field):
    if field.data and not LOGIN_RE.match(field.data.strip()):
        raise ValidationError("Use letters, digits and . _ - + @ only (an e-mail address is fine).")


def password_field(label: str) -> PasswordField:
    return PasswordField(label, validators=[DataRequired(_REQUIRED),
                                            Length(max=PASSWORD_MAX, message=f"At most {PASSWORD_MAX} characters.")])


def confirm_field(other: str) -> PasswordField:
    return PasswordField("Repeat the password", validators=[
        DataRequired(_REQUIRED), EqualTo(other, message="The two passwords are not the same.")])


class SignupForm(Form):
    login = StringField("Login name or e-mail", validators=[
        DataRequired(_REQUIRED),
        Length(min=LOGIN_MIN, max=LOGIN_MAX, message=f"Between {LOGIN_MIN} and {LOGIN_MAX} characters."),
        _login_chars])
    display_name = StringField("Your name as colleagues will see it", validators=[
        DataRequired(_REQUIRED), Length(max=NAME_MAX, message=f"At most {NAME_MAX} characters.")])
    password = password_field("Password (at least 12 characters)")
    confirm = confirm_field("password")
    understood = BooleanField("I understand that if I lose both my password and my recovery code, "
                              "nobody can recover my journal.",
                              validators=[DataRequired("Please confirm that you have read this.")])


class LoginForm(Form):
    login = StringField("Login name or e-mail", validators=[
        DataRequired(_REQUIRED), Length(max=LOGIN_MAX, message=f"At most {LOGIN_MAX} characters.")])
    password = password_field("Password")
    # Sealed copy of a form that was posted after the session ended (see auth.login).
    resume = HiddenField()


class ConfirmCodeForm(Form):
    last_group = StringField("Type the last group of your code", validators=[
        DataRequired(_REQUIRED), Length(max=20, message="At most 20 characters.")])


class RecoverForm(Form):
    login = StringField("Login name or e-mail", validators=[
        DataRequired(_REQUIRED), Length(max=LOGIN_MAX, message=f"At most {LOGIN_MAX} characters.")])
    recovery_code = StringField("Recovery code", validators=[
        DataRequired(_REQUIRED), Length(max=80, message="At most 80 characters.")])
    password = password_field("New password (at least 12 characters)")
    confirm = confirm_field("password")


class PasswordChangeForm(Form):
    current = password_field("Current password")
    password = password_field("New password (at least 12 characters)")
    confirm = confirm_field("password")


class PasswordCheckForm(Form):
    password = password_field("Password")


class EmptyForm(Form):
    """For buttons that only need a CSRF token (log out, end session...)."""


class SecondFactorForm(Form):
    code = StringField("Code from your authenticator app, or a backup code", validators=[
        DataRequired(_REQUIRED), Length(max=40, message="At most 40 characters.")])
