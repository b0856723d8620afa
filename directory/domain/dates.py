"""Dates at the precision a source gives them, and times in UTC.

A source may date an opening to the day («29 сентября 2016»), the month («в декабре 2017») or
only the year («в конце 2015 года»). The directory stores the first day of that period with
its precision and writes it back as ISO 8601 cut to the precision: 2016-09-29, 2017-12, 2015.
"""

from __future__ import annotations

import enum
import re
from datetime import UTC, date, datetime

PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


class DatePrecision(enum.StrEnum):
    """How much of a date a source gives."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


# From the least precise to the most.
PRECISION_ORDER = (DatePrecision.YEAR, DatePrecision.MONTH, DatePrecision.DAY)
ISO_LENGTH = {DatePrecision.DAY: 10, DatePrecision.MONTH: 7, DatePrecision.YEAR: 4}


def utcnow() -> datetime:
    """The current time in UTC, stored with its zone on both databases."""
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every stored time is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def parse_partial_date(text: str) -> tuple[date, DatePrecision]:
    """'2016-09-29', '2017-12' or '2018' as a date and the precision it is written with.

    ValueError for anything else, including impossible days such as 2017-02-30.
    """
    match = PARTIAL_DATE.match(text.strip())
    if not match:
        raise ValueError(text)
    year, month, day = (int(part) if part else None for part in match.groups())
    if day is not None:
        return date(year, month, day), DatePrecision.DAY
    if month is not None:
        return date(year, month, 1), DatePrecision.MONTH
    return date(year, 1, 1), DatePrecision.YEAR


def iso_at_precision(value: date | None, precision: DatePrecision | str | None) -> str | None:
    """A stored date written as precisely as it is known: 2016-09-29, 2017-12 or 2018."""
    if value is None or precision is None:
        return None
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"[
        : ISO_LENGTH[DatePrecision(precision)]
    ]


def at_precision(value: date, precision: DatePrecision) -> date:
    """The first day of the period the precision names."""
    if precision == DatePrecision.YEAR:
        return value.replace(month=1, day=1)
    if precision == DatePrecision.MONTH:
        return value.replace(day=1)
    return value


def finer(precision: DatePrecision, than: DatePrecision) -> bool:
    """Whether one precision says more than another (a day says more than a month)."""
    return PRECISION_ORDER.index(precision) > PRECISION_ORDER.index(than)
