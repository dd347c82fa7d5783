"""The operator's commands: `fokus audit-verify` (exit code), `audit-export` (JSON lines, CSV),
`audit-prune` (retention with an anchor that keeps the chain checkable), and appends from two
workers at once never forking the chain."""
from __future__ import annotations

import csv
import io
import json
import threading
from datetime import timedelta

from sqlalchemy import select, text

from domain.core.db import begin_writes, db, utcnow
from domain.core.models import AuditEvent
from domain.ops import audit, audit_chain


def fokus(app, *args):
    return app.test_cli_runner().invoke(args=["fokus", *args])


def add(app, n: int, kind: str = "export", days_ago: int = 0) -> None:
    with app.app_context():
        for _ in range(n):
            row = audit.record(kind, user_id=None, address="192.0.2.7", outcome="ok")
            if days_ago:  # an old event: rewrite its time and hash as if written back then
                row.at = utcnow() - timedelta(days=days_ago)
                row.hash = audit_chain.row_hash(row, row.prev_hash)
            db.session.commit()


def test_verify_passes_then_fails_after_a_row_is_altered(app):
    add(app, 3)
    r = fokus(app, "audit-verify")
    assert r.exit_code == 0 and "intact: 3 events" in r.output
    with app.app_context():
        db.session.execute(text("UPDATE audit_events SET kind = 'import' WHERE seq = 2"))
        db.session.commit()
    r = fokus(app, "audit-verify")
    assert r.exit_code == 1 and "BROKEN" in r.output and "row 2" in r.output


def test_a_rewritten_tail_is_caught_by_the_noted_head(app):
    add(app, 3)
    head = fokus(app, "audit-verify").output.split("head ")[1].strip(" .\n")
    with app.app_context():
        row = db.session.get(AuditEvent, 3)
        row.outcome = "failed"
        row.hash = audit_chain.row_hash(row, row.prev_hash)  # an attacker recomputing the hash
        db.session.commit()
        report = audit_chain.verify()
    assert report.ok and report.head != head    # so the operator's noted head hash matters


def test_export_as_json_lines_and_csv(app):
    add(app, 2)
    r = fokus(app, "audit-export")
    lines = [json.loads(x) for x in r.output.splitlines()]
    assert [x["seq"] for x in lines] == [1, 2] and lines[1]["prev_hash"] == lines[0]["hash"]
    assert lines[0]["address"] == "192.0.2.7" and lines[0]["at"].endswith("Z")
    r = fokus(app, "audit-export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert len(rows) == 2 and rows[0]["kind"] == "export" and rows[1]["hash"] == lines[1]["hash"]


def test_prune_keeps_the_retention_period_and_the_chain_checkable(app, monkeypatch):
    add(app, 3, days_ago=400)
    add(app, 2, days_ago=10)
    r = fokus(app, "audit-prune")
    assert r.exit_code == 0 and "removed: 3" in r.output
    with app.app_context():
        kinds = db.session.scalars(select(AuditEvent.kind).order_by(AuditEvent.seq)).all()
        assert kinds == ["export", "export", "audit_pruned"]
    assert fokus(app, "audit-verify").exit_code == 0
    monkeypatch.setenv("FOKUS_AUDIT_RETENTION_DAYS", "5")
    r = fokus(app, "audit-prune")
    assert "removed: 2" in r.output
    add(app, 1)
    assert fokus(app, "audit-verify").exit_code == 0
    with app.app_context():  # removing an old row by hand is not a prune
        first = db.session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq))
        db.session.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": first})
        db.session.commit()
    assert fokus(app, "audit-verify").exit_code == 1
    monkeypatch.setenv("FOKUS_AUDIT_RETENTION_DAYS", "soon")
    assert fokus(app, "audit-prune").exit_code != 0


def test_two_workers_appending_at_once_never_fork_the_chain(app):
    errors: list[BaseException] = []

    def worker():
        try:
            with app.app_context():
                for _ in range(15):
                    begin_writes(True)   # as a POST request does
                    audit.record("share", user_id=None, address=None, outcome="ok")
                    db.session.commit()
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with app.app_context():
        report = audit_chain.verify()
        assert report.ok and report.checked == 30
