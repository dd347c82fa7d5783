"""Language for every page: Flask-Babel wiring, the language switch, the account's choice of
language and time zone, and the few strings app.js needs (dates and times: local_time.py).

Which language a page speaks, first match wins (docs/ARCHITECTURE.md, "Language and time"):
1. the account's own choice (kept sealed in the profile; copied into the signed session cookie
   the first time a logged-in request needs it, so a page costs no extra decryption);
2. the `lang` cookie set by the switch on the login and sign-up pages;
3. the browser's Accept-Language: Norwegian bokmål, Nynorsk and plain "no" all get bokmål;
4. English.
Times are stored in UTC and shown in the account's time zone (default Europe/Oslo).
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import Babel, get_locale, get_translations, gettext, lazy_gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import validate_csrf
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape
from wtforms import SelectField
from wtforms.validators import ValidationError

from blueprints import catalogues, guards
from blueprints.local_time import FILTERS, day, local_iso, short_day, when  # noqa: F401 (i18n's API)
from domain.accounts import account
from domain.catalogue import texts as catalogue_texts
from domain.core.db import db
from domain.core.keyring import CryptoError
from domain.core.refusal import Message

LANGUAGES = ("nb", "en")
NAMES = {"nb": "Norsk", "en": "English"}
DEFAULT_TZ = "Europe/Oslo"
COOKIE = "lang"
COOKIE_AGE = 365 * 24 * 3600

bp = Blueprint("i18n", __name__)

# Strings static/app.js shows, handed over in a data attribute on <body> (no inline script).
JS_STRINGS = {
    "copied": lazy_gettext("Copied"),
    "draft_saved": lazy_gettext("Draft saved %(time)s"),
    "draft_newer": lazy_gettext("There is a newer version of this draft, saved on another device. "
                                "Your text is still here; press Save to compare both."),
    "session_ended": lazy_gettext("Your session has ended. Press Save: after logging in, your text "
                                  "will be back."),
    "draft_not_saved": lazy_gettext("Draft not saved yet; your text is still here."),
    "offline": lazy_gettext("Offline? Your text is still here; press Save when you can."),
    # static/passkeys.js
    "passkey_too_many": lazy_gettext("Too many attempts. Please wait a minute and try again."),
    "passkey_failed": lazy_gettext("Something went wrong. Please try again."),
    "passkey_cancelled": lazy_gettext("The passkey request was cancelled or timed out."),
    "passkey_name": lazy_gettext("Please give the passkey a name."),
}
# static/offline.js: the queue's notices.
OFFLINE_STRINGS = {
    "one": lazy_gettext("1 note is waiting to be sent."),
    "many": lazy_gettext("%(num)s notes are waiting to be sent.", num="%(num)s"),
    "login": lazy_gettext("They will be sent after you log in."),
    "kept": lazy_gettext("Kept on this device, encrypted. It will be sent when you are online."),
    "unsent": lazy_gettext("Not sent yet; Fokus tries again later."),
    "logout": lazy_gettext("Notes written offline have not been sent yet. If you log out now, they are "
                           "deleted from this device. Log out anyway?"),
}
# Both attribute values, per language: the same on every page, so built once per process.
_ATTRIBUTES: dict[str, dict[str, Markup]] = {}


def init_app(app: Flask) -> None:
    directory = catalogues.compiled(Path(app.instance_path))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = directory
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    catalogue_texts.use_language(current_language)  # catalogue words follow the page's language
    app.before_request(_remember_account_choice)
    app.context_processor(lambda: {"page_lang": current_language, "js_attributes": js_attributes, "LANGUAGE_NAMES": NAMES})
    _fast_template_gettext(app)
    for name, fn in FILTERS.items():
        app.add_template_filter(fn, name)
    # A domain Message printed as it is ({{ contact.name }} for an unnamed one) is said in the
    # page's language; everything else passes through untouched.
    app.jinja_env.finalize = lambda value: say(value) if isinstance(value, Message) else value
    app.register_blueprint(bp)


def select_locale() -> str:
    chosen = session.get("lang") or request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return from_accept_language(request.headers.get("Accept-Language", ""))


def from_accept_language(header: str) -> str:
    """bokmål for nb, nn and no (with or without a region), English for the rest, in the browser's order."""
    ranked = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        ranked.append((-q, i, tag.strip().lower().replace("_", "-").split("-")[0]))
    for _q, _i, base in sorted(ranked):
        if base in ("nb", "nn", "no"):
            return "nb"
        if base == "en":
            return "en"
    return "en"


def select_timezone() -> str:
    return session.get("tz") or DEFAULT_TZ


def current_language() -> str:
    # Flask-Babel's own per-request answer, read without its proxies first: every catalogue label
    # on a page asks (domain/catalogue/texts.py), and force_locale changes this same attribute.
    locale = getattr(g.get("_flask_babel"), "babel_locale", None) or get_locale()
    return locale.language if locale is not None else "en"


def say(err: Exception) -> str:
    """A domain message (Refusal, AccountError, ...: an English msgid marked with N_, and its
    params) in the reader's language."""
    message = getattr(err, "message", None) or str(err)
    params = getattr(err, "params", None) or {}
    # A param may itself be a message (domain.core.refusal.Message): said first, in the same language.
    return gettext(message, **{k: say(v) if hasattr(v, "message") else v for k, v in params.items()})


def js_attributes() -> dict[str, Markup]:
    """The strings app.js and offline.js show, as escaped JSON for <body>'s data attributes."""
    lang = current_language()
    if lang not in _ATTRIBUTES:
        _ATTRIBUTES[lang] = {name: escape(str(htmlsafe_json_dumps({k: str(v) for k, v in strings.items()})))
                             for name, strings in (("i18n", JS_STRINGS), ("offline", OFFLINE_STRINGS))}
    return _ATTRIBUTES[lang]


def _fast_template_gettext(app: Flask) -> None:
    """Templates call _() dozens of times per page; Flask-Babel looks the catalogue up through
    several context proxies on each call. Keep it per request (and per locale, so force_locale
    still works) instead: the same catalogue, found once."""
    def catalogue():
        ctx = g.get("_flask_babel")
        locale = getattr(ctx, "babel_locale", None) if ctx is not None else None
        found = g.setdefault("_fokus_catalogues", {})
        if locale is None or locale not in found:
            translations = get_translations()
            locale = getattr(g.get("_flask_babel"), "babel_locale", None)
            if locale is None:
                return translations
            found[locale] = translations
        return found[locale]
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n), newstyle=True,
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n))


def _remember_account_choice() -> None:
    """Copy the account's language and time zone from the sealed profile into the session, once."""
    if "lang_checked" in session or not current_user.is_authenticated:
        return
    try:
        profile = account.read_profile(current_user.user, guards.user_key())
    except CryptoError:  # a profile that cannot be opened must not block every page
        profile = {}
    apply_choice(profile.get("lang"), profile.get("tz"))


def apply_choice(lang: str | None, tz: str | None) -> None:
    session["lang_checked"] = True
    for name, value in (("lang", lang), ("tz", tz)):
        if value:
            session[name] = value
        else:
            session.pop(name, None)


@bp.post("/language")
def switch():
    """The switch on pages for people not logged in: a cookie, nothing stored on the server."""
    try:
        validate_csrf(request.form.get("csrf_token", ""))
    except ValidationError:
        abort(400)
    lang = request.form.get("lang", "")
    if lang not in LANGUAGES:
        abort(400)
    target = request.form.get("next", "")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        target = url_for("home.index")
    response = redirect(target, code=303)
    response.set_cookie(COOKIE, lang, max_age=COOKIE_AGE, samesite="Lax", httponly=True,
                        secure=request.is_secure)
    if current_user.is_authenticated:
        session["lang"] = lang
    return response


# --- the account's own choice (settings) ------------------------------------------------------------

# Time zones a therapist in Norway is likely to need; the current one is always offered too.
TIME_ZONES = ("Europe/Oslo", "Europe/Stockholm", "Europe/Copenhagen", "Europe/Helsinki", "Europe/London",
              "Europe/Berlin", "Atlantic/Reykjavik", "UTC")


class LanguageForm(FlaskForm):
    lang = SelectField(lazy_gettext("Language"), choices=dict(NAMES))
    tz = SelectField(lazy_gettext("Time zone"), choices={z: z for z in TIME_ZONES})


@bp.route("/settings/language", methods=["GET", "POST"])
@guards.login_required
def settings():
    user, key = current_user.user, guards.user_key()
    profile = account.read_profile(user, key)
    # Prefilled on GET only: a POST must name both choices itself.
    form = LanguageForm() if request.method == "POST" else LanguageForm(
        data={"lang": profile.get("lang") or current_language(), "tz": profile.get("tz") or DEFAULT_TZ})
    if form.validate_on_submit():
        account.write_profile(user, key, profile | {"lang": form.lang.data, "tz": form.tz.data})
        db.session.commit()
        apply_choice(form.lang.data, form.tz.data)
        flash(gettext("Language and time zone saved."), "ok")
        return redirect(url_for("settings.index"), code=303)
    return render_template("settings/language.html", form=form), 400 if form.errors else 200
