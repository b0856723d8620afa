"""The administrators' import page: a CSV or JSON file checked whole, then imported whole."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ...extensions import db
from .forms import ImportForm
from .views import admins_only, me

if TYPE_CHECKING:
    from ...data.exchange.importer import ImportReport

# The page lists this many problems; a file with more is usually wrong as a whole.
ERRORS_SHOWN = 200


@admins_only
def technoparks_import():
    form = ImportForm()
    report: ImportReport | None = None
    if form.validate_on_submit():
        upload = form.file.data
        # A file over the limit never gets here: the request is refused with 413 before its
        # body is read (directory/web/bodies.py).
        report = run_import(upload.read(), upload.filename)
        if report is not None and report.ok:
            flash(
                _(
                    "Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
                    created=report.created,
                    updated=report.updated,
                    unchanged=report.unchanged,
                ),
                "success",
            )
            return redirect(url_for(".technoparks_import"))
    return render_template(
        "manage/technoparks_import.html", form=form, report=report, errors_shown=ERRORS_SHOWN
    )


def run_import(data: bytes, filename: str | None) -> ImportReport | None:
    """Import the file and commit, or roll back and return the report of what is wrong."""
    # The import checks rows with this blueprint's form, so it is loaded here, not on top.
    from ...data.exchange.importer import ImportConflict, import_source
    from ...data.exchange.reading import read_source

    try:
        report = import_source(read_source(data, filename), user=me())
    except ImportConflict:
        db.session.rollback()
        flash(
            _("The directory changed during the import, so nothing was imported. Try again."),
            "error",
        )
        return None
    if report.ok:
        db.session.commit()
    else:
        db.session.rollback()
    return report
