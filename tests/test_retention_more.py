"""Retention details: pages that only read write nothing, a process ended without a date counts
from the day the end was recorded (and keeps that day on later edits), reopening clears the date,
deleting an object removes its mark, and the command is quiet when nothing is due."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from domain.core.db import db, utcnow
from domain.core.models import Process, RetentionMark, User
from domain.journal import entries as journal
from domain.journal import processes
from domain.retention import expiry
from tests.test_groups_http import HS, entry, make_user
from tests.test_retention_cycle import _post_entry


def test_reading_pages_write_nothing(app, client, auth, user):
    from tests.conftest import writes_during
    eid = _post_entry(auth, utcnow().date() - timedelta(days=360))
    for url in ("/retention", "/settings/retention", f"/entries/{eid}/expiry"):
        seen = writes_during(app, lambda u=url: client.get(u))
        assert seen == [], (url, seen)


def test_process_ended_without_date_counts_from_the_day_seen(app, ctx):
    uid, key = make_user(app, "p2", procs=[{"code": "MM-2"}])
    user = db.session.get(User, uid)
    proc = db.session.scalars(select(Process).where(Process.owner_id == uid)).one()
    row = journal.create(user, key, journal.clean(dict(entry(HS, 0, process_id=proc.id)["data"]), {proc.id}, False))
    processes.update(proc, key, {"code": "MM-2", "ended": "early"})
    db.session.flush()
    today = utcnow().date()
    assert proc.expires_on == expiry.add_months(today, 12)
    assert db.session.get(RetentionMark, proc.id).ended_seen == today
    db.session.refresh(row)
    assert row.expires_on == proc.expires_on
    db.session.get(RetentionMark, proc.id).ended_seen = today - timedelta(days=10)
    processes.update(proc, key, {"code": "MM-2b", "ended": "early"})     # an edit keeps the day
    assert proc.expires_on == expiry.add_months(today - timedelta(days=10), 12)
    processes.update(proc, key, {"code": "MM-2b"})                       # reopened: no date
    db.session.flush()
    db.session.refresh(row)
    assert proc.expires_on is None and row.expires_on is None


def test_delete_removes_the_mark_and_the_command_is_quiet(app, ctx):
    uid, key = make_user(app, "p3", entries=[entry(HS, 0)])
    row = journal.all_items(uid, key)[0].row
    expiry.choose("entries", row, date(2030, 1, 1))
    db.session.flush()
    assert db.session.get(RetentionMark, row.id) is not None
    journal.delete(row, key)
    db.session.commit()
    assert db.session.get(RetentionMark, row.id) is None
    result = app.test_cli_runner().invoke(args=["fokus", "expire"])
    assert result.exit_code == 0 and "Expired: 0 entries, 0 processes." in result.output


def test_add_months_clamps_to_the_month():
    assert expiry.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert expiry.add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert expiry.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_the_date_partial_works_inside_a_macro(app):
    from flask import g, render_template_string
    source = ('{% from "retention/_expires.html" import expires %}'
              '{% macro card(i) %}{{ expires("entries", i, link=False) }}{% endmacro %}'
              '{{ card("a") }}|{{ expires("entries", "b") }}|{{ expires("processes", "c") }}')
    with app.test_request_context("/"):
        g.retention_dates = {"a": date(2027, 1, 2), "b": None}
        html = render_template_string(source)
    first, second, third = html.split("|")
    assert "2027" in first and "href" not in first
    assert "/entries/b/expiry" in second and "/processes/c/expiry" in third


def test_a_damaged_process_never_stops_the_login(app, client):
    from tests.conftest import PASSWORD, Auth
    uid, _key = make_user(app, "p4", procs=[{"code": "MM-4"}])
    with app.app_context():
        proc = db.session.scalars(select(Process).where(Process.owner_id == uid)).one()
        proc.wrapped_key = proc.wrapped_key[:-1] + bytes([proc.wrapped_key[-1] ^ 1])
        db.session.commit()
    assert Auth(client).login("p4", PASSWORD).status_code == 302
    assert client.get("/retention").status_code == 200


def test_a_process_due_soon_is_listed_with_export(app, client):
    from tests.conftest import PASSWORD, Auth
    uid, _key = make_user(app, "p5", procs=[{"code": "MM-5", "ended": "as_planned",
                                              "ended_on": (expiry.add_months(utcnow().date(), -12)
                                                           + timedelta(days=3)).isoformat()}])
    assert Auth(client).login("p5", PASSWORD).status_code == 302
    page = client.get("/retention").get_data(as_text=True)
    assert "MM-5" in page and "/settings/data/" in page
    with app.app_context():
        pid = db.session.scalars(select(Process.id).where(Process.owner_id == uid)).one()
    assert f"/processes/{pid}/expiry" in page
