"""Command-line tasks: framework validation and loading, demo data, users, backups."""

from __future__ import annotations

import secrets
import sqlite3
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.engine import make_url

from . import engine
from .config import ROOT
from .extensions import db
from .models import Assessment, FrameworkRecord, User


def register_cli(app: Flask) -> None:
    app.cli.add_command(framework_group)
    app.cli.add_command(seed_demo)
    app.cli.add_command(users_group)
    app.cli.add_command(backup)


@click.group("framework", help="Check and load the questionnaire's data files.")
def framework_group():
    pass


@framework_group.command("validate")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def framework_validate(path: Path | None):
    """Check framework files; print every problem as file:line: id: message."""
    path = path or ROOT / "framework"
    if not path.exists():
        click.echo(f"{path}: no such file or folder", err=True)
        sys.exit(1)
    problems = engine.validate(path)
    if problems:
        for problem in problems:
            click.echo(str(problem))
        click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found", err=True)
        sys.exit(1)
    frameworks = (
        {("", ""): engine.load(path)}
        if (path / "framework.yaml").exists()
        else engine.load_all(path)
    )
    for fw in frameworks.values():
        click.echo(f"{fw.id} {fw.version}: {engine.summary(fw)}")


@framework_group.command("load")
def framework_load():
    """Validate the frameworks and record their versions; refuse edits to a version in use."""
    root = Path(current_app.config["FRAMEWORK_ROOT"])
    problems = engine.validate(root)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    for (fid, version), fw in sorted(engine.load_all(root).items()):
        record = db.session.scalar(
            select(FrameworkRecord).where(
                FrameworkRecord.framework_id == fid, FrameworkRecord.version == version
            )
        )
        if record is None:
            db.session.add(
                FrameworkRecord(
                    framework_id=fid, version=version, title=fw.title, checksum=fw.digest
                )
            )
            click.echo(f"{fid} {version}: loaded ({engine.summary(fw)})")
        elif record.checksum != fw.digest:
            in_use = db.session.scalar(
                select(Assessment.id).where(
                    Assessment.framework_id == fid, Assessment.framework_version == version
                )
            )
            if in_use:
                click.echo(
                    f"{fid} {version}: the files changed, but assessments use this version. "
                    "Put the changes in a new version (a new folder or version string).",
                    err=True,
                )
                sys.exit(1)
            record.checksum = fw.digest
            record.title = fw.title
            click.echo(f"{fid} {version}: updated (not yet used by any assessment)")
        else:
            click.echo(f"{fid} {version}: unchanged")
    db.session.commit()


@click.command("seed-demo")
def seed_demo():
    """Create the demo providers, wards, accounts and assessments (not in production)."""
    if current_app.config["APP_ENV"] == "production":
        click.echo("Demo data cannot be created when APP_ENV=production.", err=True)
        sys.exit(1)
    from .demo import seed

    if seed():
        click.echo("Demo data created. Every demo account's password is demo-password-1.")
    else:
        click.echo("Demo data is already there; nothing changed.")


@click.group("users", help="Manage user accounts.")
def users_group():
    pass


@users_group.command("create")
@click.option("--email", required=True, help="Their email address; they sign in with it.")
@click.option("--name", required=True, help="Their full name, as other users will see it.")
@click.option("--admin", is_flag=True, help="Make them an administrator.")
@click.password_option(help="At least 12 characters; asked for if not given.")
def users_create(email: str, name: str, admin: bool, password: str):
    """Create an account, for example the first administrator."""
    from .admin import forms
    from .auth.passwords import hash_password, password_problem

    email, name = email.strip().lower(), name.strip()
    # The same checks as the administration pages' "Add a user" form.
    if len(email) > forms.EMAIL_MAX:
        problem = forms.EMAIL_TOO_LONG
    elif not forms.EMAIL_PATTERN.match(email):
        problem = forms.EMAIL_FORMAT
    elif not name:
        problem = "Enter their name"
    elif len(name) > forms.NAME_MAX:
        problem = f"Their name must be {forms.NAME_MAX} characters or fewer"
    elif len(password) > forms.PASSWORD_MAX:
        problem = forms.PASSWORD_TOO_LONG
    else:
        problem = password_problem(password, email)
    if problem:
        click.echo(problem, err=True)
        sys.exit(1)
    if db.session.scalar(select(User).where(User.email == email)):
        click.echo(f"There is already an account for {email}", err=True)
        sys.exit(1)
    db.session.add(
        User(
            email=email,
            name=name,
            password_hash=hash_password(password),
            is_admin=admin,
            session_token=secrets.token_hex(16),
        )
    )
    db.session.commit()
    click.echo(f"Created {'administrator' if admin else 'user'} {email}")


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
def backup(path: Path):
    """Copy the SQLite database consistently while the app runs (online backup API)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        click.echo(
            "This database is not SQLite. For PostgreSQL use: pg_dump --format=custom "
            '--file=backup.dump "$DATABASE_URL"',
            err=True,
        )
        sys.exit(1)
    if path.exists():
        click.echo(f"{path} already exists: choose a new file name", err=True)
        sys.exit(1)
    if not path.parent.exists():
        click.echo(f"Folder {path.parent} does not exist", err=True)
        sys.exit(1)
    source = sqlite3.connect(url.database)
    target = sqlite3.connect(path)
    try:
        with target:
            source.backup(target)
        check = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
        source.close()
    if check != "ok":
        click.echo(f"The copy failed its integrity check: {check}", err=True)
        sys.exit(1)
    click.echo(f"Backed up {url.database} to {path}")
