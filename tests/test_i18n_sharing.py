"""Sharing and contacts in bokmål: every page the owner and the reader reach speaks Norwegian (none
of the area's English messages left), a refusal from the domain is shown in bokmål, dates are local,
and the invitation e-mail goes out in the inviter's language."""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from app import create_app
from domain.core.db import db
from domain.core.models import ContactLink
from tests.conftest import Auth, base_config
from tests.test_invite_mail import FakeSMTP
from tests.test_sharing_crypto import connect, reflect, reply, share_with, write_entry
from tests.test_sharing_http import (  # the people of the sharing tests
    html,
    login_client,
    make_person,
    post,
    share_id_of,
    view_thread,
)
from translations.check import KEYWORDS, ROOT

AREA = ["templates/sharing/*.html", "templates/contacts/*.html", "blueprints/sharing.py", "blueprints/contacts.py",
        "blueprints/sharing_forms.py", "domain/sharing/*.py", "domain/core/mailer.py"]


def area_msgids() -> set[str]:
    """The area's English messages, as literal runs of 12 characters or more (placeholders cut out)."""
    out = set()
    for pattern in AREA:
        for path in sorted(ROOT.glob(pattern)):
            method = "jinja2" if path.suffix == ".html" else "python"
            for _line, msg, _c, _ctx in extract_from_file(method, str(path), keywords=KEYWORDS):
                for text in (msg if isinstance(msg, tuple) else (msg,)):
                    out |= {run.strip() for run in re.split(r"%\(\w+\)[sd]|\n", text) if len(run.strip()) >= 12}
    return out


ENGLISH = area_msgids()


def english_left(page: str) -> list[str]:
    visible = re.sub(r"<[^>]+>", " ", page.replace("&#39;", "'").replace("&#34;", '"'))
    return sorted(m for m in ENGLISH if m in visible or m in page)


def nb_client(app, login: str):
    client = login_client(app, login)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nb"
    return client


@pytest.fixture
def world(app):
    """Tess shares two entries with her supervisor Sam: one answered (a reflection and a reply),
    one waiting for his reflection. A third entry is marked for supervision."""
    with app.app_context():
        tess, sam = make_person(app, "tess", "Tess Terapeut"), make_person(app, "sam", "Sam Veileder")
        connect(tess, sam)
        answered = write_entry(tess, "mor Kari ringte fra 912 34 567")
        waiting = write_entry(tess, "en rolig økt")
        write_entry(tess, "til torsdag", supervision="yes")
        first = share_with(tess, answered, sam, question="hvordan holder jeg fokus")
        share_with(tess, waiting, sam)
        reflect(sam, first, context="rammene var trange", next_step="filme igjen")
        reply(tess, first, "takk, det hjelper")
        ids = {"answered": answered.id, "waiting": waiting.id, "tess": tess.id, "sam": sam.id,
               "link": db.session.query(ContactLink.id).filter_by(holder_id=tess.id).scalar()}
        db.session.commit()
    ids["first"] = share_id_of(app, ids["answered"], ids["sam"])
    ids["second"] = share_id_of(app, ids["waiting"], ids["sam"])
    return ids


def bokmaal(client, url: str, *expected: str) -> str:
    r = client.get(url)
    page = html(r)
    assert r.status_code == 200, (url, r.status_code)
    assert '<html lang="nb">' in page
    for text in expected:
        assert text in page, (url, text)
    assert not english_left(page), (url, english_left(page))
    return page


def test_the_owner_sees_sharing_in_bokmaal(app, world):
    tess = nb_client(app, "tess")
    view_thread(nb_client(app, "sam"), world["first"])  # the access log gets a line
    bokmaal(tess, f"/entries/{world['answered']}/share", "Del dette notatet", "Dette ser de",
            "Kan dette avsløre hvem familien er?", "Dette vil jeg ha hjelp med (valgfritt)", "Sam Veileder (veileder)")
    bokmaal(tess, "/share/agenda", "Ta med til veiledning", "Alle notater som er merket for veiledning")
    manage = bokmaal(tess, f"/entries/{world['answered']}/sharing", "Hvem kan lese det", "Tilgangslogg",
                     "Sam Veileder åpnet det · ", "kan lese", "Avslutt", "refleksjon mottatt",
                     "Spørsmålet ditt: «hvordan holder jeg fokus»")
    assert "UTC" not in manage and re.search(r"åpnet det · \d{1,2}\. \w+\.? \d{4} kl\. \d\d:\d\d", manage)
    bokmaal(tess, "/outbox", "Det jeg deler", "Delt med meg", "Ta med merkede notater til veiledning", "besvart",
            "venter")
    thread = bokmaal(tess, f"/shares/{world['first']}", "delt med Sam Veileder", "Samtale",
                     "Strukturert refleksjon", "Kontekst og mandat", "Avtalt neste steg", "Svaret ditt", "Send svar")
    assert "UTC" not in thread and "i dag kl. " in thread
    bokmaal(tess, f"/shares/{world['second']}", "Sam Veileder har ikke svart ennå.")


def test_the_reader_sees_sharing_in_bokmaal(app, world):
    sam = nb_client(app, "sam")
    inbox = bokmaal(sam, "/inbox", "Venter på refleksjonen min", "Besvart", "Avsluttet", "fra Tess Terapeut")
    assert "1 ny" in inbox or "2 nye" in inbox  # the owner's reply is new to him
    bokmaal(sam, f"/shares/{world['first']}", "delt av Tess Terapeut", "Dette vil Tess Terapeut ha hjelp med",
            "Du", "rammene var trange", "takk, det hjelper", "Merk som lest")
    bokmaal(sam, f"/shares/{world['second']}", "Refleksjonen din", "Alle delene er valgfrie",
            "Allianse og trygghet", "Rammene rundt arbeidet: barnevernet", "Dato for oppfølging (valgfritt)",
            "Send refleksjon", "Lagre utkast", "Ingen refleksjon ennå.")


def test_contacts_and_invitations_in_bokmaal(app, world):
    tess = nb_client(app, "tess")
    bokmaal(tess, "/contacts", "Kontakter", "Inviter noen", "Veileder (ekstern veiledning)",
            "Kollega (en jeg stoler på)", "Lag invitasjonslenke")
    bokmaal(tess, f"/contacts/{world['link']}", "Fingeravtrykk for nøkkelen", "Nøkkelen til Sam Veileder:",
            "Endre rolle", "Fjern Sam Veileder")
    r = post(tess, "/contacts/invite", {"role": "peer"})
    page = html(r)
    assert r.status_code == 200 and "Invitasjonslenken din" in page and "som kollega" in page
    assert re.search(r"til og med \d{1,2}\. \w+ \d{4}", page) and not english_left(page)
    link = re.search(r'<code id="invite-link">([^<]+)</code>', page).group(1)
    path = link.removeprefix("http://localhost")
    bokmaal(tess, "/contacts", "1 ubrukt invitasjon er fortsatt åpen.")
    visitor = app.test_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nb"
    bokmaal(visitor, path, "Tess Terapeut inviterer deg", "som kollega i Fokus", "Opprett en konto for å godta")
    bokmaal(nb_client(app, "sam"), path, "Godta")


def test_a_refusal_is_shown_in_bokmaal(app, world):
    tess = nb_client(app, "tess")
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    r = post(tess, f"/entries/{world['waiting']}/share", {"readers": [world["sam"]], "expires": yesterday})
    assert r.status_code == 400 and "Sluttdatoen må være fram i tid." in html(r)
    assert "The end date must be in the future" not in html(r)
    with app.app_context():
        make_person(app, "pia")
        db.session.commit()
    token = post(tess, "/contacts/invite", {"role": "peer"})
    path = re.search(r'<code id="invite-link">http://localhost([^<]+)</code>', html(token)).group(1)
    pia_client = nb_client(app, "pia")
    assert post(pia_client, path).status_code == 302
    r = post(nb_client(app, "sam"), path)
    assert r.status_code == 410 and "Denne invitasjonen er allerede brukt. Be om en ny." in html(r)
    assert "Denne invitasjonen kan ikke brukes" in html(r) and not english_left(html(r))


def test_the_invitation_mail_speaks_the_inviters_language(db_url, tmp_path, monkeypatch):
    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    FakeSMTP.sent = []
    app = create_app(base_config(db_url, tmp_path) | {"FOKUS_SMTP_HOST": "mail.example.test"})
    try:
        client = app.test_client()
        auth = Auth(client)
        auth.signup("tess", "Tess Terapeut")
        assert auth.post("/settings/language", {"lang": "nb", "tz": "Europe/Oslo"}).status_code == 303
        r = auth.post("/contacts/invite", {"role": "supervisor", "email": "sam@example.test"}, form_url="/contacts")
        assert r.status_code == 200 and "Lenken er også sendt på e-post." in html(r)
        (msg,) = FakeSMTP.sent
        body = msg.get_content()
        assert msg["Subject"] == "En invitasjon til Fokus"
        assert "Tess Terapeut inviterer deg til Fokus som veileder" in body
        assert re.search(r"til og med \d{1,2}\. \w+ \d{4}\)", body), body
        assert "invites you" not in body and "ignore this message" not in body
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_area_has_english_messages_to_check():
    assert len(ENGLISH) > 80 and "Waiting for my reflection" in ENGLISH
    assert Path(ROOT / "translations/sharing/nb/LC_MESSAGES/messages.po").is_file()
