"""The rules a technopark's facts meet wherever they are typed: the edit form or a file.

check_technopark() reads each field from the text a person typed, as the workspace's form
and an imported row both give it, and returns the typed values and, per field, why a value
cannot be stored. Every message is in the visitor's language. A field with an invisible
control character is refused before any other rule runs, since the other rules would only
repeat the complaint in other words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from .columns import TYPED_FIELDS
from .dates import DatePrecision, at_precision, finer, parse_partial_date
from .models import LocationPrecision, Status
from .text import first_control_character

AGE_MIN, AGE_MAX = 3, 18
# The longest text each column stores; None for long text.
MAX_LENGTH = {
    "name": 300,
    "network": 120,
    "opening_date": 10,
    "status_as_of": 10,
    "status_source_url": 1000,
    "city": 120,
    "region": 120,
    "district": 120,
    "address": 500,
    "website": 500,
    "phone": 60,
    "email": 254,
    "enrolment_url": 500,
    "location_note": 1000,
    "description": 5000,
    "sources": 5000,
}
# How a yes or a no may be written in a file; a form's checkbox gives True or False.
YES = frozenset({"true", "yes", "1", "y", "on", "да"})
NO = frozenset({"false", "no", "0", "n", "off", "нет", ""})
REQUIRED = {
    "name": _l("Give the technopark's name."),
    "city": _l("Give the city."),
}
PHONE_CHARACTERS = re.compile(r"^\+?[0-9][0-9 ()\-]*[0-9]$")
# An extension after the number: "доб. 123", "ext. 123", "x123".
EXTENSION = re.compile(
    r"[,;]?\s*(?:доб(?:авочный)?\.?|ext(?:ension)?\.?|x)\s*(\d{1,6})\s*$", re.IGNORECASE
)
# A site typed without its scheme: kvantorium.ru, www.example.org/about, кванториум63.рф.
BARE_DOMAIN = re.compile(r"^(?:[^\W_][\w-]*\.)+[^\W\d_]{2,}(?:[/?#]\S*)?$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

CHOOSE_LISTED = _l("Choose one of the listed options.")


@dataclass(frozen=True)
class Choices:
    """What a technopark may refer to: hosts, programmes and directions by slug."""

    organizations: frozenset[str] = frozenset()
    programs: frozenset[str] = frozenset()
    directions: frozenset[str] = frozenset()


@dataclass
class Checked:
    """Typed values for the fields that passed, and messages for those that did not."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[LazyString | str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def refuse(self, name: str, message: LazyString | str) -> None:
        """Record why a field's value cannot be stored."""
        self.errors.setdefault(name, []).append(message)


class Refused(ValueError):
    """A value that breaks a rule; its message says why, in the visitor's language."""

    def __init__(self, message: LazyString | str) -> None:
        super().__init__(str(message))
        self.message = message


# ---------------------------------------------------------------- single values


def text_of(value: Any) -> str | None:
    """Typed text without surrounding blanks; an empty answer is unknown (None)."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def control_character_message(text: str) -> LazyString | None:
    """The refusal for a text holding an invisible control character, if it does."""
    character = first_control_character(text)
    if character is None:
        return None
    code = f"U+{ord(character):04X}"
    return _l(
        "Remove the invisible control character %(code)s from this text: it cannot be stored.",
        code=code,
    )


def check_length(text: str | None, limit: int | None) -> None:
    """Refuse a text longer than its column."""
    if text is not None and limit is not None and len(text) > limit:
        raise Refused(_l("Write at most %(max)s characters.", max=limit))


def web_address(text: str | None) -> str | None:
    """Only http(s) addresses with a host: never javascript:, data: or a bare name.

    A bare domain (kvantorium.ru) is read as https://kvantorium.ru.
    """
    if text is None:
        return None
    if BARE_DOMAIN.match(text):
        text = "https://" + text
    parts = urlsplit(text)
    if any(char.isspace() for char in text) or parts.scheme.lower() not in ("http", "https"):
        raise Refused(_l("Enter a web address starting with http:// or https://."))
    if not parts.hostname:
        raise Refused(_l("The web address has no site name after http(s)://."))
    return text


def phone_number(text: str | None) -> str | None:
    """Digits with the usual +, brackets, blanks and dashes (6 to 15 digits), and maybe an
    extension; stored with single blanks and the extension as ", доб. 123"."""
    if text is None:
        return None
    extension = EXTENSION.search(text)
    number = text[: extension.start()].strip() if extension else text
    digits = sum(char.isdigit() for char in number)
    if not PHONE_CHARACTERS.match(number) or not 6 <= digits <= 15:
        raise Refused(
            _l("Enter a phone number such as +7 (495) 123-45-67, with an extension if any.")
        )
    number = " ".join(number.split())
    return f"{number}, доб. {extension.group(1)}" if extension else number


def email_address(text: str | None) -> str | None:
    """An address as typed, if it is one."""
    if text is None:
        return None
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise Refused(_l("Enter an email address such as info@example.org.")) from error
    return text


def flag(value: Any) -> bool:
    """A yes or a no: a checkbox's value, or a word such as true, false, да, нет."""
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().casefold()
    if text in YES:
        return True
    if text in NO:
        return False
    raise Refused(_l("Write true or false."))


def degrees(text: str | None, limit: int, out_of_range: LazyString) -> float | None:
    """A coordinate in decimal degrees; a comma is read as the decimal point."""
    if text is None:
        return None
    try:
        number = float(text.replace(",", "."))
    except ValueError as error:
        raise Refused(_l("Enter a number in degrees, such as 55.7512.")) from error
    if not -limit <= number <= limit:
        raise Refused(out_of_range)
    return number


def years(text: str | None) -> int | None:
    """An age in whole years between AGE_MIN and AGE_MAX."""
    if text is None:
        return None
    try:
        number = int(text)
    except ValueError as error:
        raise Refused(_l("Enter a whole number of years, such as 12.")) from error
    if not AGE_MIN <= number <= AGE_MAX:
        raise Refused(_l("Ages must be between 3 and 18 years."))
    return number


def choice(text: str | None, allowed: Sequence[str] | frozenset[str], default: Any = None) -> Any:
    """One of the allowed values; nothing typed gives the default."""
    if text is None:
        return default
    if text not in allowed:
        raise Refused(CHOOSE_LISTED)
    return text


def enum_choice(name: str, given: Any) -> Any:
    """A status or position precision: its default when not given, else a listed value."""
    default = ENUM_DEFAULTS[name]
    if given is None:
        return default
    return type(default)(choice(str(given), ENUM_VALUES[name]))


def slug(text: str | None) -> str | None:
    """A slug: Latin lower-case letters, digits and single dashes."""
    if text is not None and (len(text) > 120 or not SLUG.match(text)):
        raise Refused(
            _l(
                "A slug has only Latin lower-case letters, digits and single dashes, "
                "such as kvantorium-tula."
            )
        )
    return text


# ---------------------------------------------------------------- a whole technopark


ENUM_VALUES = {
    "status": [status.value for status in Status],
    "location_precision": [precision.value for precision in LocationPrecision],
    "opening_date_precision": [precision.value for precision in DatePrecision],
}
LATITUDE_RANGE = _l("The latitude must be between -90 and 90 degrees.")
LONGITUDE_RANGE = _l("The longitude must be between -180 and 180 degrees.")

# Choices that take a default when the field is not given at all (a form or file that sends
# the field empty chose nothing, which is refused).
ENUM_DEFAULTS = {"status": Status.OPEN, "location_precision": LocationPrecision.UNKNOWN}

# How each single-valued field is read from its text, once its length is checked.
READERS: dict[str, Callable[[str | None], Any]] = {
    "latitude": lambda text: degrees(text, 90, LATITUDE_RANGE),
    "longitude": lambda text: degrees(text, 180, LONGITUDE_RANGE),
    "age_min": years,
    "age_max": years,
    "website": web_address,
    "phone": phone_number,
    "email": email_address,
    "enrolment_url": web_address,
    "status_source_url": web_address,
}


def refuse_control_characters(raw: Mapping[str, Any]) -> Checked:
    """A refusal for each field whose text (or one of whose texts) holds a control character."""
    checked = Checked()
    for name, value in raw.items():
        for text in value if isinstance(value, list) else [value]:
            message = control_character_message(str(text)) if text is not None else None
            if message is not None:
                checked.refuse(name, message)
                break
    return checked


def check_technopark(
    raw: Mapping[str, Any], choices: Choices, today: date | None = None
) -> Checked:
    """Every technopark field read from its typed text and checked; see the module's notes.

    raw holds text per field (a list of slugs for directions); a missing key is a field
    nobody gave, which takes its default (status open, position precision unknown).
    """
    checked = refuse_control_characters(raw)
    if not checked.ok:
        return checked
    for name in TYPED_FIELDS:
        try:
            checked.values[name] = read_field(name, raw, choices)
        except Refused as refusal:
            checked.refuse(name, refusal.message)
    check_together(raw, checked, today or date.today())
    return checked


def read_field(name: str, raw: Mapping[str, Any], choices: Choices) -> Any:
    """One field's typed value, or Refused."""
    if name == "directions":
        return read_directions(raw.get(name) or [], choices)
    if name == "mobile":
        return flag(raw.get(name))
    text = text_of(raw.get(name))
    if name in REQUIRED and text is None:
        raise Refused(REQUIRED[name])
    check_length(text, MAX_LENGTH.get(name))
    if name in ENUM_DEFAULTS:
        return enum_choice(name, raw.get(name))
    if name == "opening_date_precision":
        return choice(text, ENUM_VALUES[name])
    if name == "host_organization":
        return choice(text, choices.organizations)
    if name == "program":
        return choice(text, choices.programs)
    if name in READERS:
        return READERS[name](text)
    return text


def read_directions(slugs: Sequence[str], choices: Choices) -> list[str]:
    """The chosen directions, each of which must be known."""
    unknown = [value for value in slugs if value not in choices.directions]
    if unknown:
        raise Refused(_l("Choose from the list; unknown: %(values)s.", values=", ".join(unknown)))
    return list(dict.fromkeys(slugs))


def check_together(raw: Mapping[str, Any], checked: Checked, today: date) -> None:
    """The rules that tie two fields together, for fields that passed on their own."""
    values, errors = checked.values, checked.errors
    if "latitude" not in errors and "longitude" not in errors:
        if (values["latitude"] is None) != (values["longitude"] is None):
            missing = "longitude" if values["longitude"] is None else "latitude"
            checked.refuse(missing, _l("Give both the latitude and the longitude, or neither."))
    if "age_min" not in errors and "age_max" not in errors:
        if values["age_min"] is not None and values["age_max"] is not None:
            if values["age_min"] > values["age_max"]:
                checked.refuse("age_max", _l("The oldest age must not be below the youngest."))
    check_opening_date(checked, today)
    check_status_as_of(checked, today)


def check_status_as_of(checked: Checked, today: date) -> None:
    """When the status's source said so: a date at the precision written, not in the future."""
    values = checked.values
    text = values.pop("status_as_of", None)
    values["status_as_of"], values["status_as_of_precision"] = None, None
    if "status_as_of" in checked.errors or text is None:
        return
    try:
        value, precision = parse_partial_date(text)
    except ValueError:
        checked.refuse(
            "status_as_of", _l("Write the date as 2016-09-29, 2017-12 or 2018 (year first).")
        )
        return
    if value > today:
        checked.refuse("status_as_of", _l("The date is in the future."))
        return
    values["status_as_of"], values["status_as_of_precision"] = value, precision


def check_opening_date(checked: Checked, today: date) -> None:
    """The opening date at the precision written or chosen; in the future only if planned."""
    values, errors = checked.values, checked.errors
    text = values.pop("opening_date", None)
    chosen = values.get("opening_date_precision")
    values["opening_date"], values["opening_date_precision"] = None, None
    if "opening_date" in errors or "opening_date_precision" in errors:
        return
    if text is None:
        if chosen:
            checked.refuse(
                "opening_date_precision", _l("Give the date, or leave its precision as written.")
            )
        return
    try:
        value, written = parse_partial_date(text)
    except ValueError:
        checked.refuse(
            "opening_date", _l("Write the date as 2016-09-29, 2017-12 or 2018 (year first).")
        )
        return
    precision = DatePrecision(chosen) if chosen else written
    if finer(precision, written):
        checked.refuse("opening_date", _l("The date is less precise than the precision chosen."))
        return
    value = at_precision(value, precision)
    if value > today and values.get("status") != Status.PLANNED:
        checked.refuse(
            "opening_date",
            _l("The opening date is in the future: set the status to planned, or fix the date."),
        )
        return
    values["opening_date"], values["opening_date_precision"] = value, precision
