"""The operator's commands for the security event log: `flask fokus audit-verify`,
`audit-export` and `audit-prune` (docs/compliance/avviksrutine.md says when to run which)."""
from __future__ import annotations

import csv
import io
import json
import os

import click
from flask import current_app

from blueprints.cli import fokus
from domain.core.db import begin_writes, db
from domain.ops import audit, audit_chain

DEFAULT_RETENTION_DAYS = 365


def retention_days() -> int:
    """FOKUS_AUDIT_RETENTION_DAYS (config or environment), 12 months unless set."""
    raw = current_app.config.get("AUDIT_RETENTION_DAYS") or os.environ.get("FOKUS_AUDIT_RETENTION_DAYS")
    try:
        days = int(raw) if raw else DEFAULT_RETENTION_DAYS
    except ValueError as exc:
        raise click.ClickException("FOKUS_AUDIT_RETENTION_DAYS must be a whole number of days") from exc
    if days < 1:
        raise click.ClickException("FOKUS_AUDIT_RETENTION_DAYS must be at least 1")
    return days


@fokus.command("audit-verify")
def audit_verify() -> None:
    """Check the hash chain of the security event log; exit 1 when a row was changed, removed or
    inserted. Prints the head hash: note it, a later check must continue from it."""
    report = audit_chain.verify()
    for problem in report.problems:
        click.echo(problem, err=True)
    if not report.ok:
        raise click.ClickException(f"Audit log chain is BROKEN ({len(report.problems)} problems "
                                   f"in {report.checked} events).")
    click.echo(f"Audit log chain intact: {report.checked} events, head {report.head}.")


@fokus.command("audit-export")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--output", type=click.File("w"), default="-", help="File to write (default: standard output).")
def audit_export(fmt: str, output) -> None:
    """Write the whole log, oldest first, with each row's hashes (checkable outside Fokus)."""
    rows = audit_chain.export_rows()
    if fmt == "jsonl":
        output.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(audit_chain.FIELDS) + ["prev_hash", "hash"])
    writer.writeheader()
    writer.writerows(rows)
    output.write(buffer.getvalue())


@fokus.command("audit-prune")
@click.option("--days", type=int, default=None, help="Keep this many days (default FOKUS_AUDIT_RETENTION_DAYS or 365).")
def audit_prune(days: int | None) -> None:
    """Delete events older than the retention period; an anchor event keeps the chain checkable.
    Run daily from cron or a systemd timer, next to `flask fokus expire`."""
    begin_writes(True)
    gone = audit.prune(None, days or retention_days())
    db.session.commit()
    click.echo(f"Audit events removed: {gone}.")
