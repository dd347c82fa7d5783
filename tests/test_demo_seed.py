"""`flask fokus demo`: the demo accounts and about sixty entries, idempotent, and what a newcomer
sees after logging in as the demo therapist."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from domain.core.db import db, utcnow
from domain.core.models import Entry, Process, User
from domain.demo.content import DEMO_PASSWORD, DEMO_USERS, ENTRIES, PROCESSES
from domain.journal import entries as journal
from domain.journal import processes
from tests.conftest import raw_database_bytes, search
from tests.test_journal_http import KINDS, text


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(t)) for t in (User, Entry, Process))


def test_demo_command_seeds_once(app, client, auth):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["fokus", "demo"])
    assert result.exit_code == 0, result.output
    assert "Created demo account: demo" in result.output and DEMO_PASSWORD in result.output
    users, entries, procs = _counts(app)
    assert users == len(DEMO_USERS) and procs >= len(PROCESSES) == 5
    assert entries >= len(ENTRIES) and 50 <= len(ENTRIES) <= 70   # colleagues may have some too

    again = runner.invoke(args=["fokus", "demo"])
    assert again.exit_code == 0, again.output
    assert "already exist" in again.output and "Created" not in again.output
    assert _counts(app) == (users, entries, procs)

    # the therapist's journal: every kind, every theme, six months, readable only with the key
    r = auth.login("demo", DEMO_PASSWORD)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    home = text(client.get("/"))
    assert "Hello, Demo Therapist" in home and "Recent entries" in home
    assert home.count('class="entry-card"') >= 5 and "Waiting for supervision" in home
    listing = text(client.get("/entries"))
    assert f"{len(ENTRIES)} entries." in listing
    found = text(search(client, "q=lighthouse"))
    n = int(re.search(r"(\d+) (?:entry|entries) found", found).group(1))
    assert n >= 1 and "lighthouse" in found.lower()
    for kind in KINDS:
        assert "0 entries" not in text(search(client, f"kind={kind}")), kind
    assert "MM-24-07" in text(client.get("/processes/"))
    assert b"lighthouse" not in raw_database_bytes(app) and b"MM-24-07" not in raw_database_bytes(app)

    auth.logout()
    assert auth.login("supervisor", DEMO_PASSWORD).status_code == 302
    assert "Nothing yet" in text(client.get("/"))


def test_demo_in_bokmaal(app, client, auth):
    # The same demo in Norwegian words: the entries read in bokmål, and their catalogue labels
    # follow the reader's language because only ids are stored.
    result = app.test_cli_runner().invoke(args=["fokus", "demo", "--language", "nb"])
    assert result.exit_code == 0, result.output
    assert _counts(app)[0] == len(DEMO_USERS)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nb"
    assert auth.login("demo", DEMO_PASSWORD).status_code == 302
    assert "Demo-terapeut" in text(client.get("/"))
    found = text(search(client, "q=fyrtårn"))
    assert "Fyrtårnet til babyen hennes" in found and "lighthouse" not in found.lower()
    page = text(client.get("/processes/"))
    assert "MM-24-07" in page and "Avsluttet tidlig" in page
    assert "fyrtårn".encode() not in raw_database_bytes(app)


def test_demo_spans_six_months_with_linked_processes(app):
    from blueprints import guards
    from domain.accounts import account as accounts
    with app.app_context():
        from domain.demo import seed as demo
        demo.seed(guards.kdf_policy(), guards.server_secret())
        db.session.commit()
        user, key = accounts.authenticate(guards.kdf_policy(), guards.server_secret(), "demo", DEMO_PASSWORD)
        items = journal.all_items(user.id, key)
        procs = processes.all_items(user.id, key)
        assert {i.kind for i in items} == set(KINDS)
        assert {t for i in items for t in i.data["themes"]} == {"coercive_context", "safe_alliance",
                                                               "positive_moments", "therapist_feelings"}
        today = utcnow().date()
        assert min(i.day for i in items) >= today - timedelta(days=200)
        assert max(i.day for i in items) >= today - timedelta(days=14)
        assert min(i.day for i in items) <= today - timedelta(days=120)
        linked = {i.data.get("process_id") for i in items} - {None}
        assert linked <= {p.row.id for p in procs} and len(linked) >= 3
        assert not any(i.is_draft for i in items)
