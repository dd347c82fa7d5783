"""`flask --app app fokus rotate-secret`: the operator's half of a server secret rotation
(the steps are in docs/deploy.md, section "Rotating the server secret")."""
from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app

from blueprints import guards
from blueprints.cli import fokus
from domain.core.db import db, utcnow
from domain.core.server_keys import SecretMismatch
from domain.ops import secret_rotation

NEXT_STEPS = ("Ready to rotate. On every instance, one by one: FOKUS_OLD_SECRET_KEYS=<new secret> (accepted, "
              "not used yet); then FOKUS_SECRET_KEY=<new secret> and FOKUS_OLD_SECRET_KEYS=<old secret>; "
              "then run this command again.")


@fokus.command("rotate-secret")
def rotate_secret() -> None:
    """Seal what the database keeps under the server secret with FOKUS_SECRET_KEY alone, and
    report when FOKUS_OLD_SECRET_KEYS can be removed. Run it once before a rotation, and again
    after every instance has switched to the new secret. Safe to run again at any time."""
    old = current_app.config["OLD_SECRET_KEYS"]
    try:
        report = secret_rotation.rotate(guards.server_secret(),
                                        timedelta(hours=current_app.config["ABSOLUTE_TIMEOUT_HOURS"]))
    except SecretMismatch as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo("Login index key: sealed under FOKUS_SECRET_KEY only.")
    click.echo(f"Group pseudonyms re-sealed: {report.pseudonyms_resealed}.")
    if report.pseudonyms_unreadable:
        click.echo(f"Group pseudonyms that open with no configured secret: {report.pseudonyms_unreadable} "
                   "(damaged rows, or a secret missing from FOKUS_OLD_SECRET_KEYS).")
    if not old:
        click.echo(NEXT_STEPS)
        return
    click.echo(f"Sessions begun before this secret took over ({report.started_at:%Y-%m-%d %H:%M} UTC): "
               f"{report.sessions_from_before}; each moves to the new secret at its next request.")
    if report.can_drop(utcnow()):
        click.echo("The old secret can be dropped now: remove FOKUS_OLD_SECRET_KEYS and restart the instances.")
    else:
        click.echo(f"Keep FOKUS_OLD_SECRET_KEYS until {report.safe_after:%Y-%m-%d %H:%M} UTC (when the last "
                   "of those sessions has timed out), then run this command again.")
