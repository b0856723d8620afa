"""Command-line tasks: seed, accounts, open data export and import, benchmark data, mail."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TypeVar

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .data.demo_data import DemoDataRefused, fill_demo_data
from .data.exchange.export import FORMATS, export_technoparks
from .data.exchange.importer import ImportConflict, ImportReport, import_source
from .data.exchange.reading import READERS, read_source
from .data.exchange.rows import describe
from .data.seed import SeedError, load_seed
from .domain.accounts import AccountError, create_user, grant_technopark, user_by_email
from .domain.models import Role
from .domain.outbox import count_pending
from .extensions import db
from .mail import send_pending

T = TypeVar("T")

users = AppGroup("users", help="Create accounts and grant technoparks to coordinators.")
mail_commands = AppGroup("mail", help="The outbox of emails: send what is still pending.")


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


@click.command("export")
@click.option(
    "--format", "format_name", type=click.Choice(sorted(FORMATS)), default="csv", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of standard output.",
)
@click.option(
    "--include-synthetic",
    is_flag=True,
    help="Also export the synthetic benchmark records (left out by default), marked in a "
    "synthetic column; an import refuses such a file.",
)
@with_appcontext
def export_command(format_name: str, output: Path | None, include_synthetic: bool) -> None:
    """Export every technopark, published or draft, with all its fields.

    Synthetic benchmark records are left out unless --include-synthetic asks for them.
    Rows are ordered by slug; the same data always gives the same file.
    """
    data = export_technoparks(
        format_name, published_only=False, include_synthetic=include_synthetic
    )
    if output is None:
        click.echo(data, nl=False)
    else:
        output.write_bytes(data)
        click.echo(f"Wrote {output}.", err=True)


def progress_bar(items: Sequence[T], label: str) -> Iterator[T]:
    """The items, with a progress bar on standard error while they are worked through."""
    with click.progressbar(items, label=label, file=sys.stderr) as bar:
        yield from bar


@click.command("import")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--format",
    "format_name",
    type=click.Choice(sorted(READERS)),
    help="The file's format; by default from its extension (.csv, .json) or its content.",
)
@click.option(
    "--lang",
    type=click.Choice(["ru", "en"]),
    help="The language of the error messages (default: the site's default language).",
)
@with_appcontext
def import_command(file: IO[bytes], format_name: str | None, lang: str | None) -> None:
    """Import technoparks from a CSV or JSON file with the export's columns.

    Every row is checked by the edit form's rules first; if any row is wrong, each bad row
    is listed with its line and nothing is imported. Rows are matched to stored technoparks
    by slug; a row without `published` arrives as a draft.
    """
    language = lang or current_app.config["BABEL_DEFAULT_LOCALE"]
    data = file.read()
    # The form's messages are translated per request: the rows are checked inside one.
    with current_app.test_request_context(headers={"Accept-Language": language}):
        source = read_source(data, file.name, format_name)
        try:
            report = import_source(source, user=None, progress=progress_bar)
        except ImportConflict as error:
            db.session.rollback()
            raise click.ClickException(
                "The directory changed during the import; nothing was imported. Run it again."
            ) from error
        if not report.ok:
            db.session.rollback()
            for problem in report.errors:
                click.echo(describe(problem, report.numbering), err=True)
            raise click.ClickException(
                f"{len(report.errors)} problem(s) in the file; nothing was imported."
            )
        db.session.commit()
    echo_summary(report)


def echo_summary(report: ImportReport) -> None:
    """What the import changed, technoparks first."""
    click.echo(f"created: {report.created}")
    click.echo(f"updated: {report.updated}")
    click.echo(f"unchanged: {report.unchanged}")
    for (kind, action), count in sorted(report.related.items()):
        click.echo(f"{kind} {action}: {count}")


@mail_commands.command("send-pending")
@click.option(
    "--all",
    "include_waiting",
    is_flag=True,
    help="Also the messages waiting for their next attempt (after the mail server is back).",
)
def mail_send_pending(include_waiting: bool) -> None:
    """Send the emails still in the outbox; exit status 1 when some could not be sent.

    Run it from a timer (every few minutes): a message that failed is tried again after
    1, 5 and 15 minutes, then every few hours, until it goes out.
    """
    delivery = send_pending(include_waiting=include_waiting)
    pending = count_pending()
    db.session.commit()
    click.echo(f"sent {delivery.sent}, failed {delivery.failed}, still pending {pending}")
    if delivery.failed:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    """Register the commands with `flask --app wsgi`."""
    app.cli.add_command(seed_command)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(users)
    app.cli.add_command(mail_commands)
    app.cli.add_command(export_command)
    app.cli.add_command(import_command)
