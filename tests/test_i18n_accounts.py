"""The accounts area in bokmål: sign-up, login, recovery, second factor, settings, data and error
pages speak Norwegian (no English message of the area left on them), password problems and
exports too. English stays the default (the other tests run without Accept-Language)."""
from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache

import pyotp
import pytest
from babel.messages.pofile import read_po

from tests.conftest import csrf_from
from tests.test_data_export import _form_for, _post
from translations import check as catalogue_check

NB = {"Accept-Language": "nb"}


@cache
def english_msgids() -> tuple[str, ...]:
    """This area's English messages long enough to be unmistakable (placeholders cut out)."""
    po = catalogue_check.HERE / "accounts" / "nb" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        cat = read_po(f, locale="nb")
    out = set()
    for m in cat:
        for text in (m.id if isinstance(m.id, tuple) else (m.id,)):
            for part in re.split(r"%\(\w+\)[sd]|<[^>]+>", text or ""):
                if len(part.strip()) >= 12:
                    out.add(part.strip())
    return tuple(sorted(out))


def visible(html: str) -> str:
    """The page as a reader meets it: text and attributes, without the data-i18n catalogue for app.js
    (translated too, but JSON-escaped) and without scripts."""
    html = re.sub(r'data-i18n="[^"]*"', "", html)
    return html.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")


def assert_bokmaal(html: str, *expected: str) -> None:
    assert '<html lang="nb">' in html
    text = visible(html)
    for word in expected:
        assert word in text, (word, text[:3000])
    english = [m for m in english_msgids() if m in text]
    assert not english, english


@pytest.fixture
def nb_user(client, user):
    """A signed-up therapist whose English flash from sign-up has been shown already."""
    client.get("/about")
    return user


def get(client, url: str, status: int = 200) -> str:
    r = client.get(url, headers=NB)
    assert r.status_code == status, (url, r.status_code)
    return r.get_data(as_text=True)


@pytest.mark.parametrize("url, words", [
    ("/signup", ("Opprett Fokus-kontoen din", "gjenopprettingskode", "Brukernavn eller e-post")),
    ("/login", ("Logg inn", "Bruk passnøkkel", "Glemt passordet?")),
    ("/recover", ("Sett nytt passord med gjenopprettingskoden", "Gjenta passordet")),
])
def test_visitor_pages_in_bokmaal(client, url, words):
    assert_bokmaal(get(client, url), *words)


def test_recovery_code_page_in_bokmaal(client, auth):
    auth.signup(confirm_code=False)
    assert_bokmaal(get(client, "/recovery-code"), "Ta vare på gjenopprettingskoden", "(8 av 8)")


@pytest.mark.parametrize("url, words", [
    ("/settings/", ("Innstillinger", "Bytt passord", "Innlogging i to trinn", "Logg ut")),
    ("/settings/password", ("Nåværende passord", "Nytt passord (minst 12 tegn)")),
    ("/settings/sessions", ("Hvor du er logget inn", "denne enheten", "i dag kl.")),
    ("/settings/two-factor/", ("Av. Med innlogging i to trinn", "Sett det opp")),
    ("/settings/two-factor/setup", ("Sett opp innlogging i to trinn", "Slå på")),
    ("/settings/passkeys", ("Passnøkler", "Legg til passnøkkel")),
    ("/settings/recovery-code", ("Lag ny gjenopprettingskode",)),
    ("/settings/language", ("Språk og tidssone",)),
    ("/settings/data/", ("Dataene mine", "Eksporter alt", "Slett kontoen min")),
    ("/settings/data/delete", ("Slett alt", "slett dagboken min")),
])
def test_settings_pages_in_bokmaal(client, nb_user, url, words):
    assert_bokmaal(get(client, url), *words)


def test_nav_and_footer_in_bokmaal(client, nb_user):
    assert_bokmaal(get(client, "/settings/"), "Hopp til innholdet", "Notater", "Forløp", "Delt",
                   "Fokus holder notatene dine kryptert.")


def test_sessions_name_the_device_in_bokmaal(client, auth):
    auth.signup()
    auth.logout()
    auth.login(headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14) Chrome/120"})
    page = get(client, "/settings/sessions")
    assert "Chrome på Android" in page and "Chrome on Android" not in page


def test_second_factor_page_in_bokmaal(client, auth):
    auth.signup()
    page = client.get("/settings/two-factor/setup").get_data(as_text=True)
    key = re.search(r'<code class="totp-key">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    r = client.post("/settings/two-factor/setup", data={"csrf_token": csrf_from(page), "code": pyotp.TOTP(key).now()},
                    headers=NB)
    assert_bokmaal(r.get_data(as_text=True), "Reservekodene dine", "bare nå")
    assert_bokmaal(get(client, "/settings/two-factor/"), "reservekoder igjen", "Slå av")
    auth.logout()
    auth.login()
    assert_bokmaal(get(client, "/login/code"), "Ett steg til", "autentiseringsappen")


@pytest.mark.parametrize("code, url, words", [
    (404, "/no-such-page", ("Finnes ikke", "Gå til forsiden")),
    (405, "/logout", ("Ikke tillatt",)),
])
def test_error_pages_in_bokmaal(client, code, url, words):
    assert_bokmaal(get(client, url, code), *words)


def test_every_error_text_has_bokmaal(app):
    from blueprints import errors
    with app.test_request_context("/", headers=NB):
        for code in (400, 401, 403, 404, 405, 409, 413, 429, 500, 503):
            title, text = errors.MESSAGES[code]
            assert str(title) != title._args[0] and str(text) != text._args[0], code


def test_weak_password_is_refused_in_bokmaal(client):
    token = csrf_from(get(client, "/signup"))
    r = client.post("/signup", headers=NB, data={
        "csrf_token": token, "login": "kari", "display_name": "Kari", "password": "password1234",
        "confirm": "password1234", "understood": "y"})
    assert r.status_code == 400
    assert_bokmaal(r.get_data(as_text=True), "Dette passordet er for lett å gjette.")
    r = client.post("/signup", headers=NB, data={
        "csrf_token": token, "login": "kari", "display_name": "Kari", "password": "kort",
        "confirm": "kort", "understood": "y"})
    assert "Bruk minst 12 tegn." in r.get_data(as_text=True)


def test_password_problems_are_english_msgids_with_params(app):
    from blueprints.i18n import say
    from domain.accounts import passwords
    found = passwords.problems("password1234", [])
    assert found[0] == "This password is too easy to guess." and all(isinstance(p, str) for p in found)
    with app.test_request_context("/", headers=NB):
        assert say(passwords.problems("x" * 300, [])[0]) == "Bruk høyst 256 tegn."
        assert all(say(p) != p for p in found)


def test_import_problem_names_the_place_in_bokmaal(client, user):
    import io
    token = csrf_from(get(client, "/settings/data/"))
    raw = b'{"format": "fokus-export", "version": 1, "entries": [{"created_at": 5, "data": {"kind": "x"}}]}'
    r = client.post("/settings/data/import", headers=NB, data={"csrf_token": token, "file": (io.BytesIO(raw), "x.json")})
    assert r.status_code == 400
    assert "I denne filen skulle created_at i element 1 i entries vært tekst." in r.get_data(as_text=True)


def test_import_preview_in_bokmaal(client, user):
    import io
    import json
    token = csrf_from(get(client, "/settings/data/"))
    dump = {"format": "fokus-export", "version": 1, "entries": [
        {"created_at": "2025-01-02T10:00:00", "data": {"kind": "bright_moment", "what_happened": "et smil"}}]}
    r = client.post("/settings/data/import", headers=NB, data={
        "csrf_token": token, "file": (io.BytesIO(json.dumps(dump).encode()), "x.json")})
    assert r.status_code == 200
    assert_bokmaal(r.get_data(as_text=True), "Før du importerer", "nytt notat blir lagt til", "Importer nå")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")
def test_pdf_export_in_bokmaal(client, user, tmp_path):
    body, _want = _form_for("bright_moment", "pdfmark", None)
    entry_id = _post(client, "/entries/new/bright_moment", {**body, "action": "save"})
    token = csrf_from(get(client, "/settings/data/"))
    r = client.post("/settings/data/export.pdf", headers=NB, data={"csrf_token": token, "entries": [entry_id]})
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    (tmp_path / "x.pdf").write_bytes(r.data)
    text = subprocess.run(["pdftotext", str(tmp_path / "x.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Temaer" in text and "Stikkord:" in text and "14. mars 2025" in text, text
    assert "Themes" not in text and "Tags:" not in text


def test_markdown_export_in_bokmaal(client, user):
    import io
    import zipfile
    body, _want = _form_for("bright_moment", "mdmark", None)
    _post(client, "/entries/new/bright_moment", {**body, "action": "save"})
    token = csrf_from(get(client, "/settings/data/"))
    r = client.post("/settings/data/export.zip", headers=NB, data={"csrf_token": token})
    with zipfile.ZipFile(io.BytesIO(r.data)) as z:
        readme = z.read("fokus/README.md").decode()
        entry = next(z.read(n).decode() for n in z.namelist() if n.endswith("bright-moment-title-bright-moment.md"))
    assert "Dagboken min i Fokus" in readme and "UTC" not in readme
    assert "## Temaer" in entry and "Stikkord:" in entry and "14. mars 2025" in entry


def test_delete_asks_for_the_phrase_in_the_readers_language(client, nb_user):
    from tests.conftest import PASSWORD
    token = csrf_from(get(client, "/settings/data/delete"))
    r = client.post("/settings/data/delete", headers=NB, data={
        "csrf_token": token, "password": PASSWORD, "confirm": "slett alt", "understood": "y"})
    assert r.status_code == 400 and "Skriv nøyaktig: slett dagboken min" in r.get_data(as_text=True)
    r = client.post("/settings/data/delete", headers=NB, data={
        "csrf_token": token, "password": PASSWORD, "confirm": "Slett dagboken min", "understood": "y"})
    assert r.status_code == 302
    assert "Kontoen og dagboken din er slettet." in get(client, "/about")
