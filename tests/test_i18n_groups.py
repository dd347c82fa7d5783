"""Seminar groups in bokmål: every group page for a lead and a member, the refusals and flashes,
the group trends page, the handout PDF and the CSV speak Norwegian, and none of the area's English
messages shows through. English stays as it was (tests/test_groups_http.py, tests/test_handout.py)."""
from __future__ import annotations

import csv
import html as htmlmod
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from domain.core.db import utcnow
from domain.groups import handout
from tests.conftest import Auth
from tests.test_groups_http import SIX, login_client, make_user, member_id, seminar, text

CATALOGUE = Path(__file__).resolve().parent.parent / "translations/groups/nb/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|<[^>]+>")


def english_fragments() -> set[str]:
    """The area's English msgids (singular and plural), cut at placeholders and tags: every piece of
    12 characters or more with a word in it must stay out of a bokmål page."""
    with CATALOGUE.open("rb") as f:
        cat = read_po(f, locale="nb")
    out = set()
    for m in cat:
        for msgid in (m.id if isinstance(m.id, tuple) else (m.id,)):
            out.update(p.strip() for p in PLACEHOLDER.split(msgid or "")
                       if len(p.strip()) >= 12 and re.search(r"[A-Za-z]{4}", p))
    return out


ENGLISH = english_fragments()


def no_english(body: str, where: str) -> None:
    plain = htmlmod.unescape(body)
    found = sorted(e for e in ENGLISH if e in plain)
    assert not found, f"{where}: English left in a bokmål page: {found}"


def nb_client(app, login: str):
    c, a = login_client(app, login)
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nb"
    return c, a


def page(c, url: str, status: int = 200, *, has=()) -> str:
    r = c.get(url)
    assert r.status_code == status, (url, r.status_code)
    body = text(r)
    assert '<html lang="nb"' in body, url
    for want in has:
        assert want in htmlmod.unescape(body), (url, want)
    no_english(body, url)
    return body


def test_the_catalogue_fragments_are_real_english():
    assert "This list shows who is in the group, never who contributes." in ENGLISH
    assert "Countertransference intensity" in ENGLISH and len(ENGLISH) > 60


def test_every_group_page_in_bokmaal_for_a_lead_and_a_member(app):
    s = seminar(app)
    gid = s["gid"]
    lead, lead_auth = nb_client(app, "lead")
    page(lead, "/groups/", has=("Seminargrupper", "leder", "bidrar ikke", "Start en gruppe", "Opprett gruppe",
                                "Mine mønstre"))
    page(lead, f"/groups/{gid}", has=("Seminargruppe · du er leder", "Gruppens trender", "Bidra",
                                      "Inviter medlemmer", "For hele gruppen", "Gyldig i (dager)",
                                      "Medlemmer (7)", "Fjern som leder", "Gjør til leder", "Fjern", "k = 5.",
                                      "Ligger fast siden det første medlemmet begynte å bidra",
                                      "Gå ut av Seminar Fjordlight Autumn"))
    r = lead_auth.post(f"/groups/{gid}/invite", {"multi_use": "single", "days": "3"}, form_url=f"/groups/{gid}")
    assert r.status_code == 200
    no_english(text(r), "invite link")
    assert "Én person kan bli med via denne lenken fram til" in htmlmod.unescape(text(r))
    assert "Kopier lenken" in text(r) and "QR-kode for invitasjonslenken" in text(r)
    page(lead, f"/groups/{gid}/consent", has=("Vil du bidra til gruppens trender?", "Dette går aldri ut",
                                              "Ja, jeg vil bidra", "Tilbake til gruppen"))
    trends = page(lead, f"/groups/{gid}/trends",
                  has=("Gruppens trender", "6</strong> medlemmer bidrar i denne perioden", "«<5» betyr færre",
                       "«skjult»", "Utdelingsark (PDF, én side)", "Tabeller (CSV)", "Notattyper",
                       "Styrke på motoverføring", "Utfall av forløp", "Verdt å snakke om", "Vist ",
                       "Hvor ordene kommer fra", "Sum"))
    assert ">hidden<" not in trends and "per quarter" not in trends and "Worth discussing" not in trends

    member, _ = nb_client(app, SIX[0])
    page(member, "/groups/", has=("Seminargrupper", "bidrar"))
    view = page(member, f"/groups/{gid}", has=("Seminargruppe", "Mitt bidrag", "Gå ut av gruppen"))
    assert "Medlemmer (" not in view and "du er leder" not in view
    page(member, f"/groups/{gid}/consent", has=("Du bidrar til denne gruppen", "Du har bidratt siden i dag kl.",
                                                "Sist oppdatert i dag kl.", "Oppdater opplysningene mine nå",
                                                "Slutt å bidra"))
    page(member, f"/groups/{gid}/trends", has=("Gruppens trender", "medlemmer bidrar"))
    page(member, f"/groups/join/{s['token']}", has=("Bli med i «Seminar Fjordlight Autumn»", "Du deler ingenting",
                                                    "Bli med i gruppen"))


def test_refusals_flashes_and_form_errors_in_bokmaal(app):
    s = seminar(app)
    gid = s["gid"]
    _lead, lead_auth = nb_client(app, "lead")
    r = lead_auth.post("/groups/", {"name": "Ny gruppe", "k": "2"}, form_url="/groups/")
    assert r.status_code == 400 and "Velg et tall fra 3 til 50. Under 3 kan et tall peke ut én person." in text(r)
    no_english(text(r), "k form error")
    r = lead_auth.post(f"/groups/{gid}/k", {"k": "6"}, form_url=f"/groups/{gid}")   # members contribute: k is fixed
    assert r.status_code == 409 and "k ligger fast når et medlem har begynt å bidra" in htmlmod.unescape(text(r))
    no_english(text(r), "k fixed")
    # the last lead cannot step down: the domain's refusal, in bokmål
    r = lead_auth.post(f"/groups/{gid}/members/{member_id(app, gid, s['lead'][0])}/lead", {"lead": "0"},
                       form_url=f"/groups/{gid}")
    assert r.status_code == 409 and "En gruppe trenger minst én seminarleder." in text(r)
    no_english(text(r), "refusal")

    member, member_auth = nb_client(app, SIX[0])
    r = member_auth.post(f"/groups/{gid}/k", {"k": "7"}, form_url=f"/groups/{gid}")
    assert r.status_code == 403 and "Bare seminarledere kan endre k." in text(r)
    r = member_auth.post(f"/groups/{gid}/consent", {"action": "withdraw"}, form_url=f"/groups/{gid}/consent")
    flashed = htmlmod.unescape(text(member.get(r.headers["Location"])))
    assert re.search(r"Du bidrar ikke lenger\. \d+ opplysninger ble slettet fra gruppen\.", flashed), flashed
    r = member_auth.post(f"/groups/{gid}/consent", {"action": "consent"}, form_url=f"/groups/{gid}/consent")
    flashed = htmlmod.unescape(text(member.get(r.headers["Location"])))
    assert re.search(r"Takk! \d+ opplysninger fra notatene dine teller nå med", flashed), flashed

    # a broken link, and a visitor on a Norwegian phone
    visitor = app.test_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nb"
    r = visitor.get("/groups/join/" + "x" * 43)
    assert r.status_code == 404 and "Denne gruppelenken er ikke gyldig." in text(r)
    page(visitor, f"/groups/join/{s['token']}", has=("Opprett en konto for å bli med", "Jeg har konto: logg inn"))

    # a newcomer joins and creates a group of their own
    make_user(app, "newcomer", "Nina Ny")
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nb"
    a = Auth(c)
    assert a.login("newcomer").status_code == 302
    page(c, "/groups/", has=("Du er ikke med i noen gruppe.",))
    r = a.post(f"/groups/join/{s['token']}", {})
    assert "Du er med i Seminar Fjordlight Autumn. Ingenting av ditt deles før du selv velger å bidra." in \
        htmlmod.unescape(text(c.get(r.headers["Location"])))
    r = a.post("/groups/", {"name": "", "k": "5"})
    assert r.status_code == 400 and "Gi gruppen et navn." in text(r)
    r = a.post("/groups/", {"name": "Tirsdagsgruppa", "k": "5"})
    assert "Gruppen er opprettet. Inviter medlemmene med en lenke." in text(c.get(r.headers["Location"]))


def pdftotext(pdf: bytes) -> str:
    tool = shutil.which("pdftotext")
    if not tool:
        pytest.skip("pdftotext is not installed")
    return subprocess.run([tool, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True,
                          timeout=60).stdout.decode()


def test_handout_pdf_and_csv_in_bokmaal(app):
    s = seminar(app)
    c, _ = nb_client(app, "lead")
    r = c.get(f"/groups/{s['gid']}/handout.pdf?period=6")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    words = pdftotext(r.data)
    for shown in (f"Utdelingsark: {s['name']}", "Periode:", "Bidragsytere: 6.", "Kort sagt",
                  "notater ble skrevet i denne perioden", "Temaer som ble notert mest", "Navnene på de fire temaene"):
        assert shown in words, shown
    for english in ("Seminar handout", "In short", "Themes logged most", "Period:", "Contributors", "entries were"):
        assert english not in words, english
    no_english(words, "handout PDF")
    tables = pdftotext(c.get(f"/groups/{s['gid']}/handout.pdf?tables=1").data)
    for shown in ("Notattyper", "Temaer", "Undertemaer", "Styrke på motoverføring", "Utfall av forløp", "Sum",
                  "<5"):
        assert shown in tables, shown
    assert not re.search(r"\bTotal\b|\bAll\b|\bhidden\b", tables)

    r = c.get(f"/groups/{s['gid']}/handout.csv")
    rows = list(csv.reader(io.StringIO(text(r))))
    assert rows[0][:2] == ["tabell", "rad"] and rows[0][-1] == "totalt"
    assert {row[0] for row in rows[1:]} - {"tabell"} == {"notattyper", "temaer", "undertemaer", "styrke", "utfall",
                                                          "hva som hjalp"}
    assert {"totalt", "antall som bidrar"} <= {row[1] for row in rows[1:]}
    cells = {v for row in rows[1:] for v in row[2:]}
    assert "hidden" not in cells and "<5" in cells


def test_handout_prints_norwegian_letters_outside_a_request():
    """A translator that answers with æ ø å (and quotes outside Latin-1) never makes the PDF fail."""
    class Words:
        @staticmethod
        def gettext(message, **params):
            return "Blåbærsyltetøy «ÆØÅ» – “x” " + (message % params if params else message)

        @staticmethod
        def pgettext(context, message, **params):
            return "Sum på år"

        @staticmethod
        def ngettext(singular, plural, num, **params):
            return f"Blåbær {num}"

        label = period_label = block_label = grain_text = staticmethod(str)

    from domain.trends import adaptive, periods
    from domain.trends.headline import headline
    p = periods.default(utcnow().date())
    rel = adaptive.release(p.year, adaptive.counter([]), 5)
    v = adaptive.view(rel, p, adaptive.bucket_aggregate([], {p.id: p.months()}))
    pdf = handout.render("Høstseminar i Tromsø", v, headline(v), Words, True)
    assert pdf.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        words = pdftotext(pdf)
        assert "Blåbærsyltetøy «ÆØÅ»" in words and "Høstseminar i Tromsø" in words
