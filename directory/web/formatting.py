"""Facts in words: dates at their precision and distances, in the UI language."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _

from ..domain.dates import DatePrecision

# The workspace tells times as a Moscow coordinator reads the clock, and says so.
MOSCOW = ZoneInfo("Europe/Moscow")

# Babel patterns: "29 сентября 2016", "декабрь 2017" (standalone month), "2018".
DATE_PATTERNS = {
    DatePrecision.DAY: "d MMMM y",
    DatePrecision.MONTH: "LLLL y",
    DatePrecision.YEAR: "y",
}


def date_at_precision(value: date | None, precision: DatePrecision | None) -> str | None:
    """A date written only as precisely as it is known, or None when unknown."""
    if value is None or precision is None:
        return None
    return format_date(value, DATE_PATTERNS[DatePrecision(precision)])


def day(value: date | datetime | None) -> str | None:
    """A full date in words, for dates known to the day."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, DATE_PATTERNS[DatePrecision.DAY])


def kilometres(value: float) -> str:
    """A distance in km as the UI language writes it: "2,3" in Russian, "1,250" in English."""
    return format_decimal(value, format="#,##0.0" if value < 100 else "#,##0")


def moscow_time(moment: datetime | None, pattern: str = "d MMMM y, HH:mm") -> str | None:
    """A stored time in Moscow time, the zone named: "3 декабря 2026, 21:44 (мск)"."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        # SQLite returns naive datetimes; every stored time is UTC.
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    shown = format_datetime(moment.astimezone(MOSCOW), pattern, rebase=False)
    return _("%(time)s Moscow time", time=shown)
