"""The start page: a welcome for visitors, the journal's front door for therapists."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, session, url_for
from flask_login import current_user

from blueprints import guards
from domain import accounts

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    if session.get("pending_rc"):
        return redirect(url_for("auth.recovery_code"))
    profile = accounts.read_profile(current_user.user, guards.user_key())
    return render_template("home/index.html", profile=profile)


@bp.route("/about")
def about():
    return render_template("home/about.html")
