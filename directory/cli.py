"""Command-line tasks: seed the directory, manage accounts, fill a benchmark database."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .accounts import AccountError, create_user, grant_technopark, user_by_email
from .demo_data import DemoDataRefused, fill_demo_data
from .extensions import db
from .models import Role
from .seed import SeedError, load_seed

users = AppGroup("users", help="Create accounts and grant technoparks to coordinators.")


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Load seed_data/ (idempotent; never overwrites a coordinator's edits)."""
    try:
        report = load_seed(Path(current_app.config["SEED_DATA_DIR"]))
    except SeedError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    if not report.changed:
        click.echo("Seed data already loaded: nothing changed.")
    for kind, count in sorted(report.created.items()):
        click.echo(f"created {count} {kind}")
    for kind, count in sorted(report.updated.items()):
        click.echo(f"updated {count} {kind}")
    if report.kept_edited:
        click.echo("kept as edited by a person: " + ", ".join(report.kept_edited))


@click.command("demo-data")
@click.option("--count", type=click.IntRange(min=0), required=True, help="How many records.")
@click.option("--force", is_flag=True, help="Add them even beside real technoparks.")
@click.option("--seed", type=int, default=1, help="Random seed: the same seed, the same records.")
@with_appcontext
def demo_data_command(count: int, force: bool, seed: int) -> None:
    """Replace the synthetic benchmark technoparks with COUNT new ones (never shown publicly)."""
    with click.progressbar(length=count, label="Synthetic technoparks") as bar:
        try:
            real = fill_demo_data(
                count, Path(current_app.config["SEED_DATA_DIR"]), force, seed, bar.update
            )
        except DemoDataRefused as refusal:
            db.session.rollback()
            raise click.ClickException(str(refusal)) from refusal
    db.session.commit()
    click.echo(f"{count} synthetic technoparks in the database, beside {real} real ones.")


@users.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's name as others see it.")
@click.option(
    "--role", type=click.Choice([role.value for role in Role]), default=Role.COORDINATOR.value
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(email: str, name: str, role: str, password_stdin: bool) -> None:
    """Create an administrator or a coordinator."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, name, Role(role), password)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email}.")


@users.command("grant")
@click.argument("email")
@click.argument("slug")
def users_grant(email: str, slug: str) -> None:
    """Let a coordinator edit the technopark with this slug."""
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"There is no user with the email {email}.")
    try:
        technopark = grant_technopark(user, slug)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{user.email} may now edit {technopark.slug}.")


def init_app(app: Flask) -> None:
    """Register the commands with `flask --app wsgi`."""
    app.cli.add_command(seed_command)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(users)
