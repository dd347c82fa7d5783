"""The journal area in bokmål: home, welcome, about, the list with a filter and a search, the four
entry forms, an entry and its edit and delete pages, processes and personal trends. Each page shows
its key Norwegian text and none of the area's English messages; times are Oslo time, and dates are
taken as people type them in either language."""
from __future__ import annotations

import html
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from babel.messages.pofile import read_po

from tests.conftest import search
from tests.test_journal_http import KINDS, entry_id, post_entry, text
from tests.test_processes_http import post_process, process_id

CATALOGUE = Path(__file__).resolve().parent.parent / "translations/journal/nb/LC_MESSAGES/messages.po"


def _english_msgids() -> list[str]:
    """The area's English sentences long enough to be told apart from a Norwegian word."""
    with CATALOGUE.open("rb") as f:
        cat = read_po(f, locale="nb")
    out = []
    for m in cat:
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        out += [i for i in ids if i and len(i) >= 12 and "%(" not in i and i not in strings]
    return out


# "Countertransference" is also the entry kind's label, which the catalogue data (another area) owns.
ENGLISH = [m for m in _english_msgids() if m != "Countertransference"]


def bokmaal(page: str, *expected: str) -> str:
    """Assert the page is bokmål, holds `expected`, and none of the area's English messages in its
    main part (the top bar and footer belong to another area)."""
    assert '<html lang="nb"' in page
    plain = html.unescape(page.split('<main id="main"', 1)[1].split("</main>", 1)[0])
    for words in expected:
        assert words in plain, words
    leaked = [m for m in ENGLISH if m in plain]
    assert not leaked, leaked
    return plain


@pytest.fixture
def nb(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nb-NO,nb;q=0.9,en;q=0.5"
    return client


@pytest.fixture
def writer(nb, user):
    """A logged-in therapist whose browser speaks Norwegian, with one process and one entry in it."""
    pid = process_id(post_process(nb, {"code": "MM-26-01", "screening_article": ["parental_insecurity"],
                                       "films": "2", "reviews": "1", "cps_commissioned": "y"}))
    eid = entry_id(post_entry(nb, "hard_session", {"what_happened": "tung økt i stua", "process_id": pid,
                                                   "supervision": "yes", "visit_date": "30.11.2026"}))
    return nb, pid, eid


def test_welcome_and_about_for_visitors(nb):
    bokmaal(text(nb.get("/")), "Et privat sted å tenke etter et tungt besøk", "Opprett konto", "Logg inn")
    bokmaal(text(nb.get("/about")), "Slik beskyttes dataene dine", "gjenopprettingskoden din",
            "30 minutter uten aktivitet")


def test_home_in_bokmaal(writer):
    client, _pid, _eid = writer
    bokmaal(text(client.get("/")), "Hva satt igjen hos deg?", "Venter på veiledning", "Siste notater",
            "Alle notatene, med søk", "Del dem med veilederen min", "30. nov. 2026")


def test_the_list_with_a_filter_and_a_search(writer):
    client, _pid, _eid = writer
    bokmaal(text(client.get("/entries")), "Søk i alt jeg har skrevet", "Filtre", "Alle typer", "1 notat.",
            "Vis utkast")
    found = bokmaal(text(search(client, "q=stua&kind=hard_session")), "1 notat funnet.", "Nullstill")
    assert "tung økt i stua" in found
    bokmaal(text(search(client, "supervision=flagged")), "Merket for veiledning", "1 notat funnet.")
    none = bokmaal(text(search(client, "q=finnesikke")), "0 notater funnet.")
    assert "tung økt i stua" not in none


@pytest.mark.parametrize("typed", ["30.11.2026", "30.11.26", "2026-11-30"])
def test_date_filters_take_what_people_type(writer, typed):
    client, _pid, _eid = writer
    assert "1 notat funnet." in text(search(client, f"from={typed}&to={typed}"))
    assert "0 notater funnet." in text(search(client, "from=01.12.2026"))


def test_a_date_that_is_not_real_is_said_in_bokmaal(writer):
    client, _pid, _eid = writer
    r = search(client, "from=31.02.2026")
    assert r.status_code == 400
    bokmaal(text(r), "Skriv en gyldig dato")
    r = search(client, "from=02.12.2026&to=01.12.2026")
    bokmaal(text(r), "Sluttdatoen er før startdatoen.")


@pytest.mark.parametrize("kind", KINDS)
def test_new_entry_forms(nb, user, kind):
    bokmaal(text(nb.get(f"/entries/new/{kind}")), "Nytt", "Bare det første feltet må fylles ut", "Temaer",
            "Hva betyr temaene?", "Dato, forløp, stikkord, filmøyeblikk", "Legg til et filmøyeblikk",
            "Lagre utkast", "Lagre")


@pytest.mark.parametrize("typed", ["30.11.2026", "30.11.26", "2026-11-30"])
def test_the_visit_date_takes_what_people_type(nb, user, typed):
    eid = entry_id(post_entry(nb, "bright_moment", {"what_happened": "et lyspunkt", "visit_date": typed}))
    bokmaal(text(nb.get(f"/entries/{eid}")), "30. november 2026")


def test_an_entry_view_edit_and_delete(writer):
    client, _pid, eid = writer
    page = bokmaal(text(client.get(f"/entries/{eid}")), "30. november 2026", "til veiledning", "Forløp:",
                   "Rediger", "Skriv ut", "Hvem kan lese det", "Slett")
    assert re.search(r"Skrevet i dag kl\. \d{2}:\d{2}", page), "times read 'i dag kl. 14:48'"
    assert "UTC" not in page
    offset = datetime.now(ZoneInfo("Europe/Oslo")).isoformat(timespec="minutes")[-6:]
    assert re.search(rf'<time datetime="[0-9T:-]+{re.escape(offset)}">Skrevet', page), "Oslo time"
    bokmaal(text(client.get(f"/entries/{eid}/edit")), "Rediger", "Lagre")
    bokmaal(text(client.get(f"/entries/{eid}/delete")), "Slette dette notatet?", "Ja, slett det",
            "Nei, behold det")


def test_identifying_details_warning_in_bokmaal(nb, user):
    r = post_entry(nb, "hard_session", {"what_happened": "Møtte mor Kari i døra", "how_it_left_me": "Hun sa ring 912 34 567"})
    assert r.status_code == 200
    bokmaal(text(r), "Kan dette avsløre hvem familien er?", "trykk Lagre en gang til")


def test_a_refusal_from_the_domain_is_said_in_bokmaal(nb, user):
    r = post_entry(nb, "hard_session", {"what_happened": ""})
    assert r.status_code == 400
    bokmaal(text(r), "Skriv i hvert fall dette. Én linje er nok.")


def test_processes_list_form_and_view(writer):
    client, pid, _eid = writer
    bokmaal(text(client.get("/processes/")), "Veiledningsforløp", "Nytt forløp", "MM-26-01", "barnevernet",
            "kartleggingsmerker: 1")
    bokmaal(text(client.get("/processes/new")), "Nytt veiledningsforløp", "Skriv aldri navn",
            "Forløpskode", "Tiltak fra barnevernet", "Lagre forløp")
    view = bokmaal(text(client.get(f"/processes/{pid}")), "Neste steg å vurdere",
                   "Artikkelens kriterier:", "2 filmopptak, 1 gjennomgang", "Tidslinje", "30. nov. 2026",
                   "Skriv et notat")
    assert "tung økt i stua" in view
    bokmaal(text(client.get(f"/processes/{pid}/delete")), "Slette forløpet MM-26-01?")


def test_a_name_like_code_is_questioned_in_bokmaal(nb, user):
    r = post_process(nb, {"code": "Kari"})
    assert r.status_code == 400
    bokmaal(text(r), "Dette ser ut som det kan være et navn.", "Kryss av her for å beholde koden likevel")


def test_personal_trends(writer):
    client, _pid, _eid = writer
    page = bokmaal(text(client.get("/trends?period=all")), "Mine mønstre", "notat i denne perioden",
                   "Lyspunkter og tunge notater", "Per måned", "Vis som tabell", "Typer per måned", "Alt",
                   "6 måneder")
    assert format_date(date.today().replace(day=1), "LLL yy", locale="nb") in page
    bokmaal(text(client.get("/trends?period=3")), "Ingenting i denne perioden.")


def test_english_stays_english(client, user):
    page = text(client.get("/"))
    assert '<html lang="en"' in page and "What stayed with you?" in page


def test_the_themes_page(nb, user):
    bokmaal(text(nb.get("/themes")), "De fire temaene", "ikke en diagnose")


def test_an_entry_that_cannot_be_opened_is_explained_in_bokmaal(app, writer):
    client, _pid, eid = writer
    from domain.core.db import db
    from domain.core.models import Entry
    with app.app_context():
        row = db.session.get(Entry, eid)
        row.content = bytes(b ^ 1 for b in row.content)
        db.session.commit()
    r = client.get(f"/entries/{eid}")
    assert r.status_code == 302
    page = bokmaal(text(client.get(r.headers["Location"])), "Dette notatet kan ikke åpnes", "Skrevet",
                   "Sist endret", "Slett dette notatet", "Tilbake til notatene mine")
    assert " kl. " in page and "UTC" not in page
