"""`flask --app app fokus rotate-secret`: the operator's half of a server secret rotation."""
from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app

from blueprints import guards
from blueprints.cli import fokus
from domain import secret_rotation
from domain.db import db, utcnow


@fokus.command("rotate-secret")
def rotate_secret() -> None:
    """Re-seal what the database keeps under the server secret with FOKUS_SECRET_KEY, and report
    when FOKUS_OLD_SECRET_KEYS can be removed. Run it after every instance has the new secret
    (and the old one in FOKUS_OLD_SECRET_KEYS); running it again only reports."""
    if not current_app.config["OLD_SECRET_KEYS"]:
        raise click.ClickException("Set FOKUS_SECRET_KEY to the new secret and FOKUS_OLD_SECRET_KEYS to the "
                                   "previous one (on every instance), then run this again.")
    timeout = timedelta(hours=current_app.config["ABSOLUTE_TIMEOUT_HOURS"])
    report = secret_rotation.rotate(guards.server_secret(), timeout)
    db.session.commit()
    click.echo("Login index key: sealed under the new secret only.")
    click.echo(f"Group pseudonyms re-sealed: {report.pseudonyms_resealed}.")
    if report.pseudonyms_unreadable:
        click.echo(f"Group pseudonyms that open with no configured secret: {report.pseudonyms_unreadable} "
                   "(damaged rows, or a secret missing from FOKUS_OLD_SECRET_KEYS).")
    click.echo(f"Sessions begun before the rotation started ({report.started_at:%Y-%m-%d %H:%M} UTC): "
               f"{report.sessions_from_before}; each moves to the new secret at its next request.")
    if report.can_drop(utcnow()):
        click.echo("The old secret can be dropped now: remove FOKUS_OLD_SECRET_KEYS and restart the instances.")
    else:
        click.echo(f"Keep FOKUS_OLD_SECRET_KEYS until {report.safe_after:%Y-%m-%d %H:%M} UTC (when the last "
                   "of those sessions has timed out), then run this command again.")
