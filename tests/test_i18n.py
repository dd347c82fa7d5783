"""Language and local time: which language a page speaks, the switch, the account's choice, Oslo
time, and a bokmål catalogue that covers every message in the code."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from tests.conftest import csrf_from, raw_database_bytes
from translations import check as catalogue_check  # the same check `make i18n` runs


def lang_of(response) -> str:
    m = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    assert m, "no <html lang>"
    return m.group(1)


@pytest.mark.parametrize("header, expected", [
    ("nb-NO,nb;q=0.9,en;q=0.8", "nb"),
    ("nn-NO", "nb"),
    ("no", "nb"),
    ("en-GB,en;q=0.9,nb;q=0.8", "en"),
    ("de-DE,sv;q=0.8", "en"),
    ("de-DE,nb;q=0.5", "nb"),
    ("", "en"),
])
def test_browser_language_decides_for_visitors(client, header, expected):
    assert lang_of(client.get("/login", headers={"Accept-Language": header})) == expected


def test_bokmaal_page_is_in_bokmaal(client):
    page = client.get("/login", headers={"Accept-Language": "nb"}).get_data(as_text=True)
    assert "Norsk" in page and "English" in page  # the switch, each name in its own language


def test_switch_sets_a_cookie_that_beats_the_browser(client):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    r = client.post("/language", data={"csrf_token": token, "lang": "en", "next": "/signup"},
                    headers={"Accept-Language": "nb"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/signup")
    assert lang_of(client.get("/signup", headers={"Accept-Language": "nb"})) == "en"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_switch_never_redirects_away(client, target):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    r = client.post("/language", data={"csrf_token": token, "lang": "nb", "next": target})
    assert r.status_code == 303
    assert "evil" not in r.headers["Location"] and "javascript" not in r.headers["Location"]


def test_switch_refuses_unknown_language_and_missing_csrf(client):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    assert client.post("/language", data={"csrf_token": token, "lang": "xx"}).status_code == 400
    assert client.post("/language", data={"lang": "nb"}).status_code == 400


def test_account_choice_is_sealed_and_follows_the_login(app, client, auth, user):
    r = auth.post("/settings/language", {"lang": "nb", "tz": "Europe/Oslo"})
    assert r.status_code == 303
    assert lang_of(client.get("/settings/", headers={"Accept-Language": "en"})) == "nb"
    auth.logout()
    auth.login()
    # A fresh session: the choice comes back from the sealed profile, whatever the browser says.
    assert lang_of(client.get("/settings/", headers={"Accept-Language": "en"})) == "nb"
    assert b"Europe/Oslo" not in raw_database_bytes(app)


def test_bad_choice_is_a_400_on_the_form(client, auth, user):
    r = auth.post("/settings/language", {"lang": "klingon", "tz": "Mars/Olympus"})
    assert r.status_code == 400
    assert "Not a valid choice" in r.get_data(as_text=True) or "gyldig" in r.get_data(as_text=True)


@pytest.mark.parametrize("lang, expected", [("nb", "30. nov. 2026 kl. 14:48"), ("en", "30 Nov 2026, 14:48")])
def test_times_are_oslo_time_in_the_locale_format(app, lang, expected):
    from blueprints import i18n
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        assert i18n.when(datetime(2026, 11, 30, 13, 48), relative=False) == expected
        # Summer time: UTC+2.
        assert "14:00" in i18n.when(datetime(2026, 7, 1, 12, 0), relative=False)


def test_relative_day_reads_today_and_yesterday(app, monkeypatch):
    from blueprints import i18n, local_time
    monkeypatch.setattr(local_time, "utcnow", lambda: datetime(2026, 11, 30, 20, 0))
    with app.test_request_context("/", headers={"Accept-Language": "nb"}):
        assert i18n.when(datetime(2026, 11, 30, 13, 48)) == "i dag kl. 14:48"
        assert i18n.when(datetime(2026, 11, 29, 23, 30)) == "i dag kl. 00:30"  # local midnight, not UTC
        assert i18n.when(datetime(2026, 11, 29, 10, 0)) == "i går kl. 11:00"


def test_javascript_strings_come_with_the_page(client):
    page = client.get("/login", headers={"Accept-Language": "nb"}).get_data(as_text=True)
    assert "data-i18n=" in page and "Uten nett?" in page


def test_every_message_in_the_code_has_a_bokmaal_translation():
    gaps = catalogue_check.missing()
    assert not gaps, "untranslated:\n" + "\n".join(f"{w}: {m!r}" for m, w in list(gaps.items())[:50])


def test_translations_keep_their_placeholders():
    bad = []
    for area, cat in catalogue_check.catalogues().items():
        for m in cat:
            if not m.id or not m.string:
                continue
            ids = m.id if isinstance(m.id, tuple) else (m.id,)
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            wanted = set(re.findall(r"%\((\w+)\)[sd]", ids[-1]))
            for s in strings:
                if set(re.findall(r"%\((\w+)\)[sd]", s)) - wanted or \
                        (len(ids) == 1 and set(re.findall(r"%\((\w+)\)[sd]", s)) != wanted):
                    bad.append((area, ids[0], s))
    assert not bad, bad


def test_the_gate_extracts_every_marking_form(tmp_path, monkeypatch):
    """The catalogue gate above is only as good as its extraction: babel.cfg's map and check.py's
    KEYWORDS must find N_ (domain), _l / lazy_gettext (forms), ngettext in Python and in templates,
    and {% trans %} blocks, so an unmarked-but-new string of any of these forms fails CI."""
    import shutil
    shutil.copy(catalogue_check.ROOT / "babel.cfg", tmp_path / "babel.cfg")
    for folder in ("blueprints", "domain/core", "templates/x"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "app.py").write_text('from flask_babel import gettext as _\nA = _("py app")\n')
    (tmp_path / "blueprints" / "b.py").write_text(
        'from flask_babel import lazy_gettext as _l, ngettext\nL = _l("py lazy")\n'
        'def f(n):\n    return ngettext("%(num)d py note", "%(num)d py notes", n)\n')
    (tmp_path / "domain" / "core" / "d.py").write_text('from domain.core.refusal import N_\nM = N_("py noop")\n')
    (tmp_path / "templates" / "x" / "t.html").write_text(
        '{{ _("tpl gettext") }} {{ ngettext("%(num)d tpl note", "%(num)d tpl notes", n) }}\n'
        '{% trans %}tpl block{% endtrans %} {{ _("tpl with %(name)s", name=n) }}\n')
    monkeypatch.setattr(catalogue_check, "ROOT", tmp_path)
    found = set(catalogue_check.extracted())
    assert found == {"py app", "py lazy", ("%(num)d py note", "%(num)d py notes"), "py noop", "tpl gettext",
                     ("%(num)d tpl note", "%(num)d tpl notes"), "tpl block", "tpl with %(name)s"}, found


def test_catalogues_are_valid_and_nothing_is_fuzzy():
    """A fuzzy message is not shown by gettext: it counts as untranslated (check.translated skips
    it), and here it fails by name. Placeholder checks as msgfmt -c does them."""
    fuzzy, broken = [], []
    for area, cat in catalogue_check.catalogues().items():
        fuzzy += [(area, m.id) for m in cat if m.id and m.fuzzy]
        broken += [(area, m.id, [str(e) for e in errors]) for m, errors in cat.check() if errors]
    assert not fuzzy, fuzzy
    assert not broken, broken


def test_one_message_has_one_bokmaal_text_in_every_area():
    """Areas keep their own catalogues; a message two areas share must read the same in both. A
    message with a context (pgettext) is another message than the same words without one."""
    texts: dict = {}
    for area, cat in catalogue_check.catalogues().items():
        for m in cat:
            if m.id and m.string:
                texts.setdefault((m.context, catalogue_check._key(m.id)), set()).add((str(m.string), area))
    differing = {k: v for k, v in texts.items() if len({s for s, _a in v}) > 1}
    assert not differing, differing
