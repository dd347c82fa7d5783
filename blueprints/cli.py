"""`flask --app app fokus ...` commands for operators."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from blueprints import guards
from domain.accounts import account as accounts
from domain.accounts import credentials
from domain.accounts.account import AccountError
from domain.core.db import db
from domain.core.keyring import OWASP_FLOOR, KdfParams

fokus = AppGroup("fokus", help="Fokus administration.")


@fokus.command("create-user")
@click.option("--login", prompt=True)
@click.option("--name", "display_name", prompt="Display name")
@click.password_option()
def create_user(login: str, display_name: str, password: str) -> None:
    """Create an account from the shell; prints its one-time recovery code."""
    try:
        _user, _key, code = credentials.sign_up(guards.kdf_policy(), guards.server_secret(), login,
                                                display_name, password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {login}. Recovery code (shown once, hand it over privately):\n{code}")


@fokus.command("raise-kdf")
@click.option("--memory-kib", type=int, required=True)
@click.option("--time-cost", type=int, required=True)
@click.option("--parallelism", type=int, required=True)
def raise_kdf(memory_kib: int, time_cost: int, parallelism: int) -> None:
    """Raise the argon2id cost. Each user's password is re-derived at their next login."""
    m, t, p = OWASP_FLOOR
    if (memory_kib < m or time_cost < t or parallelism < p) and not current_app.testing:
        raise click.ClickException(f"Refusing parameters below the OWASP minimum (m={m}, t={t}, p={p}).")
    params = KdfParams(memory_kib, time_cost, parallelism)
    accounts.raise_target(params)
    db.session.commit()
    effective = accounts.target_params(guards.kdf_policy())
    click.echo(f"argon2id target is now m={effective.memory_kib} KiB, t={effective.time_cost}, "
               f"p={effective.parallelism}; users are upgraded at their next login.")


@fokus.command("demo")
@click.option("--language", type=click.Choice(["en", "nb"]), default="en", help="Language of the demo texts.")
def demo(language: str) -> None:
    """Create the demo therapist, supervisor and colleagues with about 60 fictional entries."""
    from domain.demo import seed as demo_seed
    from domain.demo.content import DEMO_PASSWORD
    created = demo_seed.seed(guards.kdf_policy(), guards.server_secret(), language=language)
    db.session.commit()
    if not created:
        click.echo("The demo accounts already exist.")
    for name in created:
        click.echo(f"Created demo account: {name}")
    click.echo(f"Log in as 'demo' (therapist) or 'supervisor' with password: {DEMO_PASSWORD}")


@fokus.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_cmd(path: str) -> None:
    """Write a consistent backup of the database (ciphertext only) to PATH."""
    from pathlib import Path

    from domain.data import backup
    db.session.remove()
    try:
        written = backup.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], Path(path))
    except (backup.BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written to {written}. It holds only encrypted data; keep FOKUS_SECRET_KEY "
               "(or instance/secret_key) with it, or accounts cannot be found after a restore.")


@fokus.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_cmd(path: str, yes: bool) -> None:
    """Replace the database with a backup made by `fokus backup`. Stop the app first."""
    from pathlib import Path

    from domain.data import backup
    if not yes:
        click.confirm("This replaces everything in the current database. Continue?", abort=True)
    db.session.remove()
    db.engine.dispose()
    try:
        backup.restore(current_app.config["SQLALCHEMY_DATABASE_URI"], Path(path))
    except (backup.BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("Restored.")
