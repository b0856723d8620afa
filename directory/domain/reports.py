"""Visitors' reports of mistakes on profiles, and how coordinators resolve them.

A visitor names a field (or "something else") and writes what is right. A coordinator of
that technopark (or an administrator) applies the suggestion, marks the report done after
correcting the listing by hand, or rejects it with a reason. Applying is an ordinary edit
(operations.update_technopark) followed by an audit row that names the report, and only a
plain field whose suggested text passes the technopark's rules can be applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import selectinload

from ..db.data_version import bump_data_version
from ..extensions import db
from . import operations
from .columns import TYPED_FIELDS, technopark_as_typed
from .models import (
    CORRECTED,
    CorrectionReport,
    Direction,
    Organization,
    Program,
    ReportStatus,
    Technopark,
    User,
    coordinator_grant,
    utcnow,
)
from .rules import Choices, check_technopark

OTHER = "other"
# What a visitor may say is wrong: the facts a parent reads on the profile, in the profile's
# order, or something else. Derived and technical fields (a precision, half a position) are not
# offered: a visitor says "the map point is wrong" under "something else".
VISITOR_FIELDS = (
    "name",
    "city",
    "district",
    "address",
    "phone",
    "email",
    "website",
    "enrolment_url",
    "age_min",
    "age_max",
    "directions",
    "opening_date",
    "status",
    "host_organization",
    "program",
    "description",
)
REPORTABLE_FIELDS = (*VISITOR_FIELDS, OTHER)
# Choices, flags and lists are corrected by hand: a visitor's words are not a slug.
CORRECTED_BY_HAND = frozenset(
    {
        "host_organization",
        "program",
        "directions",
        "status",
        "location_precision",
        "opening_date_precision",
        "mobile",
        OTHER,
    }
)
# A suggested date brings its own precision, read from how it is written.
WRITTEN_PRECISION = {"opening_date": "opening_date_precision"}
STORED_WITH = {
    "opening_date": ("opening_date_precision",),
    "status_as_of": ("status_as_of_precision",),
}
MAX_TEXT_LENGTH = 2000


class ReportClosed(Exception):
    """The report was resolved meanwhile (by a colleague, or in another tab)."""


@dataclass
class Suggestion:
    """Whether a report's suggestion can be saved as it is, and the values it would write."""

    values: dict[str, Any] = field(default_factory=dict)
    problem: LazyString | str | None = None

    @property
    def applicable(self) -> bool:
        return self.problem is None


# ---------------------------------------------------------------- reading


def reports_for(user: User) -> Select[tuple[CorrectionReport]]:
    """Open reports on the technoparks the user may act on (an admin: all), oldest first."""
    statement = (
        select(CorrectionReport)
        .where(CorrectionReport.status == ReportStatus.OPEN)
        .options(
            selectinload(CorrectionReport.technopark).options(
                selectinload(Technopark.directions),
                selectinload(Technopark.host_organization),
                selectinload(Technopark.program),
            )
        )
        .order_by(CorrectionReport.created_at, CorrectionReport.id)
    )
    if not user.is_admin:
        statement = statement.join(
            coordinator_grant,
            coordinator_grant.c.technopark_id == CorrectionReport.technopark_id,
        ).where(coordinator_grant.c.user_id == user.id)
    return statement


def report_by_id(report_id: int) -> CorrectionReport | None:
    return db.session.get(CorrectionReport, report_id)


def corrections_made(technopark_id: int) -> int:
    """How many visitors' reports led to a correction of this technopark."""
    return db.session.execute(
        select(func.count())
        .select_from(CorrectionReport)
        .where(
            CorrectionReport.technopark_id == technopark_id,
            CorrectionReport.status.in_(CORRECTED),
        )
    ).scalar_one()


def current_choices() -> Choices:
    """Every stored host, programme and direction, as the rules check references."""
    return Choices(
        organizations=frozenset(db.session.execute(select(Organization.slug)).scalars()),
        programs=frozenset(db.session.execute(select(Program.slug)).scalars()),
        directions=frozenset(db.session.execute(select(Direction.slug)).scalars()),
    )


def current_value(report: CorrectionReport) -> Any:
    """What the listing holds now in the reported field, as a person types it."""
    if report.field == OTHER:
        return None
    return technopark_as_typed(report.technopark).get(report.field)


def error_set(errors: Mapping[str, list[Any]]) -> set[tuple[str, str]]:
    return {(name, str(message)) for name, messages in errors.items() for message in messages}


def suggestion(report: CorrectionReport, choices: Choices) -> Suggestion:
    """Whether the suggestion can be saved: a plain field, the rules pass, a real change."""
    if report.field in CORRECTED_BY_HAND or report.field not in TYPED_FIELDS:
        return Suggestion(problem=_l("This field is corrected by hand in the edit form."))
    technopark = report.technopark
    typed = technopark_as_typed(technopark)
    suggested = {**typed, report.field: report.suggested_value}
    if report.field in WRITTEN_PRECISION:
        suggested[WRITTEN_PRECISION[report.field]] = ""
    before, after = check_technopark(typed, choices), check_technopark(suggested, choices)
    if report.field in after.errors:
        return Suggestion(problem=after.errors[report.field][0])
    # A value fine on its own may break a rule together with another field (ages, say).
    introduced = error_set(after.errors) - error_set(before.errors)
    if introduced:
        return Suggestion(problem=sorted(introduced)[0][1])
    values = {
        name: after.values[name]
        for name in (report.field, *STORED_WITH.get(report.field, ()))
        if name in after.values
    }
    if not operations.technopark_changes(technopark, values):
        return Suggestion(problem=_l("The listing already has this value."))
    return Suggestion(values=values)


# ---------------------------------------------------------------- writing


def submit_report(
    technopark: Technopark,
    field_name: str,
    suggested_value: str,
    reporter_email: str | None,
    language: str,
) -> CorrectionReport:
    """Store a visitor's report; flushes, the caller commits."""
    if field_name not in REPORTABLE_FIELDS:
        raise ValueError(f"not a reportable field: {field_name!r}")
    text = suggested_value.strip()
    if not text or len(text) > MAX_TEXT_LENGTH:
        raise ValueError("the suggestion must hold 1 to 2000 characters")
    report = CorrectionReport(
        technopark=technopark,
        field=field_name,
        suggested_value=text,
        reporter_email=(reporter_email or "").strip() or None,
        language=language,
        status=ReportStatus.OPEN,
    )
    db.session.add(report)
    db.session.flush()
    return report


def close_report(
    report: CorrectionReport, status: ReportStatus, user: User, note: str | None = None
) -> None:
    """Move an open report to its resolution; ReportClosed if it was resolved meanwhile.

    One conditional UPDATE, so two coordinators acting at once cannot both resolve it.
    """
    moment = utcnow()
    closed = db.session.execute(
        update(CorrectionReport)
        .where(CorrectionReport.id == report.id, CorrectionReport.status == ReportStatus.OPEN)
        .values(status=status, resolved_at=moment, resolved_by_id=user.id, resolution_note=note)
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:
        raise ReportClosed(report.id)
    db.session.refresh(report)
    if status in CORRECTED:
        # The profile counts the corrections made from reports.
        bump_data_version()


def apply_report(
    report: CorrectionReport, values: Mapping[str, Any], user: User
) -> dict[str, tuple[Any, Any]]:
    """Save the suggestion as an ordinary edit of the current version, linked to the report.

    The caller checked the values with suggestion(); a colleague's save in between raises
    StaleDataError as for any edit, and nothing is written.
    """
    close_report(report, ReportStatus.APPLIED, user)
    technopark = report.technopark
    changes = operations.update_technopark(technopark, values, user)
    operations.log_changes(
        "technopark",
        technopark.id,
        "apply_report",
        {"report": (None, f"#{report.id}")},
        user=user,
    )
    db.session.flush()
    return changes


def mark_report_done(report: CorrectionReport, user: User) -> None:
    """The coordinator corrected the listing by hand."""
    close_report(report, ReportStatus.DONE, user)
    operations.log_changes(
        "technopark",
        report.technopark_id,
        "report_done",
        {"report": (None, f"#{report.id}")},
        user=user,
    )
    db.session.flush()


def reject_report(report: CorrectionReport, user: User, reason: str) -> None:
    """Close the report unchanged; the reason is kept in the history and sent to the reporter."""
    close_report(report, ReportStatus.REJECTED, user, note=reason.strip())
    operations.log_changes(
        "technopark",
        report.technopark_id,
        "report_rejected",
        {"report": (None, f"#{report.id}: {reason.strip()}")},
        user=user,
    )
    db.session.flush()
