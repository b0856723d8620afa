"""Workspace forms: technoparks, news, accounts. Every rule explains itself in the UI language."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    DateField,
    EmailField,
    Field,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..accounts import password_problem, user_by_email
from ..form_rules import DirectoryForm
from ..models import DatePrecision, LocationPrecision, Status, Technopark
from ..operations import DESCRIBING_COLUMNS

AGE_MIN, AGE_MAX = 3, 18

# The password policy's messages (directory/accounts.py), marked here for translation.
PASSWORD_MESSAGES = (
    _l("The password must be at least 10 characters long."),
    _l("The password repeats too few different characters."),
    _l("The password is one of the most common passwords."),
    _l("The password must not contain the email address."),
)

STATUS_CHOICES = [
    SelectChoice(Status.OPEN.value, _l("open")),
    SelectChoice(Status.PLANNED.value, _l("planned")),
    SelectChoice(Status.CLOSED.value, _l("closed")),
]
LOCATION_PRECISION_CHOICES = [
    SelectChoice(LocationPrecision.BUILDING.value, _l("the building itself")),
    SelectChoice(LocationPrecision.STREET.value, _l("the street or the address")),
    SelectChoice(LocationPrecision.DISTRICT.value, _l("the district")),
    SelectChoice(LocationPrecision.CITY.value, _l("the city")),
    SelectChoice(LocationPrecision.UNKNOWN.value, _l("not known")),
]
DATE_PRECISION_CHOICES = [
    SelectChoice("", _l("as written")),
    SelectChoice(DatePrecision.DAY.value, _l("day")),
    SelectChoice(DatePrecision.MONTH.value, _l("month")),
    SelectChoice(DatePrecision.YEAR.value, _l("year")),
]
LANGUAGE_CHOICES = [SelectChoice("ru", _l("Russian")), SelectChoice("en", _l("English"))]

PHONE_CHARACTERS = re.compile(r"^\+?[0-9][0-9 ()\-]*[0-9]$")
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
PRECISION_ORDER = [DatePrecision.YEAR, DatePrecision.MONTH, DatePrecision.DAY]


# ---------------------------------------------------------------- fields


def as_choices(pairs: Iterable[tuple[str, Any] | SelectChoice]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms' SelectChoice options."""
    return [pair if isinstance(pair, SelectChoice) else SelectChoice(*pair) for pair in pairs]


class Choice(SelectField):
    """A select whose unknown values get our own message."""

    def pre_validate(self, form: FlaskForm) -> None:
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(_("Choose one of the listed options."))


class ChoiceList(SelectMultipleField):
    """Checkboxes for several values, each of which must come from the list."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: FlaskForm) -> None:
        known = {choice.value for choice in self.choices}
        unknown = [value for value in self.data or [] if value not in known]
        if unknown:
            raise ValidationError(
                _("Choose from the list; unknown: %(values)s.", values=", ".join(unknown))
            )


class Coordinate(FloatField):
    """A decimal number that also accepts a comma, as Russian keyboards type it."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = float(str(valuelist[0]).strip().replace(",", "."))
        except ValueError as error:
            self.data = None
            raise ValueError(_("Enter a number in degrees, such as 55.7512.")) from error


class Years(IntegerField):
    """An age in whole years."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = int(str(valuelist[0]).strip())
        except ValueError as error:
            self.data = None
            raise ValueError(_("Enter a whole number of years, such as 12.")) from error


def http_url(form: FlaskForm, field: Field) -> None:
    """Only http(s) addresses with a host: never javascript:, data: or a bare name."""
    value = (field.data or "").strip()
    if not value:
        return
    parts = urlsplit(value)
    if any(char.isspace() for char in value) or parts.scheme.lower() not in ("http", "https"):
        raise ValidationError(_("Enter a web address starting with http:// or https://."))
    if not parts.hostname:
        raise ValidationError(_("The web address has no site name after http(s)://."))


def phone_number(form: FlaskForm, field: Field) -> None:
    """Digits with the usual +, brackets, blanks and dashes; 6 to 15 digits in all."""
    value = (field.data or "").strip()
    if not value:
        return
    digits = sum(char.isdigit() for char in value)
    if not PHONE_CHARACTERS.match(value) or not 6 <= digits <= 15:
        raise ValidationError(_("Enter a phone number such as +7 (495) 123-45-67."))


def not_in_future(form: FlaskForm, field: Field) -> None:
    if field.data and field.data > date.today():
        raise ValidationError(_("The date is in the future."))


def stripped(value: Any) -> Any:
    """Blanks around typed text removed; an empty answer stored as unknown (None)."""
    if isinstance(value, str):
        return value.strip() or None
    return value


# ---------------------------------------------------------------- opening dates


def parse_partial_date(text: str) -> tuple[date, DatePrecision]:
    """'2016-09-29', '2017-12' or '2018' as a date and the precision it is written with."""
    match = PARTIAL_DATE.match(text.strip())
    if not match:
        raise ValueError(text)
    year, month, day = (int(part) if part else None for part in match.groups())
    if day is not None:
        return date(year, month, day), DatePrecision.DAY
    if month is not None:
        return date(year, month, 1), DatePrecision.MONTH
    return date(year, 1, 1), DatePrecision.YEAR


def written_date(value: date | None, precision: DatePrecision | None) -> str:
    """A stored opening date written as precisely as it is known, the way the form takes it."""
    if value is None or precision is None:
        return ""
    return {
        DatePrecision.DAY: value.isoformat(),
        DatePrecision.MONTH: f"{value.year:04d}-{value.month:02d}",
        DatePrecision.YEAR: f"{value.year:04d}",
    }[DatePrecision(precision)]


def at_precision(value: date, precision: DatePrecision) -> date:
    """The first day of the period the precision names."""
    if precision == DatePrecision.YEAR:
        return value.replace(month=1, day=1)
    if precision == DatePrecision.MONTH:
        return value.replace(day=1)
    return value


# ---------------------------------------------------------------- technoparks


class TechnoparkForm(DirectoryForm):
    """A technopark's facts; the field names are the model's."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Give the technopark's name.")), Length(max=300)],
    )
    network = StringField(_l("Network"), validators=[Optional(), Length(max=120)])
    host_organization = Choice(_l("Host organisation"), default="")
    program = Choice(_l("Programme"), default="")
    opening_date = StringField(
        _l("Opening date"),
        description=_l("As precisely as a source gives it: 2016-09-29, 2017-12 or 2018."),
        validators=[Optional(), Length(max=10)],
    )
    opening_date_precision = Choice(
        _l("Opening date known to the"), choices=DATE_PRECISION_CHOICES, default=""
    )
    status = Choice(_l("Status"), choices=STATUS_CHOICES, default=Status.OPEN.value)
    city = StringField(_l("City"), validators=[DataRequired(_l("Give the city.")), Length(max=120)])
    district = StringField(_l("District"), validators=[Optional(), Length(max=120)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])
    latitude = Coordinate(
        _l("Latitude"),
        validators=[
            Optional(),
            NumberRange(-90, 90, _l("The latitude must be between -90 and 90 degrees.")),
        ],
        render_kw={"inputmode": "decimal"},
    )
    longitude = Coordinate(
        _l("Longitude"),
        validators=[
            Optional(),
            NumberRange(-180, 180, _l("The longitude must be between -180 and 180 degrees.")),
        ],
        render_kw={"inputmode": "decimal"},
    )
    location_precision = Choice(
        _l("The map point shows"),
        choices=LOCATION_PRECISION_CHOICES,
        default=LocationPrecision.UNKNOWN.value,
    )
    location_note = TextAreaField(_l("Note on the location"), validators=[Optional()])
    age_min = Years(
        _l("Youngest age"),
        validators=[
            Optional(),
            NumberRange(AGE_MIN, AGE_MAX, _l("Ages must be between 3 and 18 years.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    age_max = Years(
        _l("Oldest age"),
        validators=[
            Optional(),
            NumberRange(AGE_MIN, AGE_MAX, _l("Ages must be between 3 and 18 years.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    website = StringField(
        _l("Website"),
        validators=[Optional(), Length(max=500), http_url],
        render_kw={"inputmode": "url"},
    )
    phone = StringField(
        _l("Phone"),
        validators=[Optional(), Length(max=60), phone_number],
        render_kw={"inputmode": "tel"},
    )
    email = StringField(
        _l("Email"),
        validators=[
            Optional(),
            Length(max=254),
            Email(_l("Enter an email address such as info@example.org.")),
        ],
        render_kw={"inputmode": "email"},
    )
    description = TextAreaField(_l("Description"), validators=[Optional()])
    sources = TextAreaField(
        _l("Sources"),
        description=_l("Where the facts come from: articles, documents, the official site."),
        validators=[Optional()],
    )
    directions = ChoiceList(_l("Directions"))
    version = HiddenField()

    def __init__(
        self,
        *args: Any,
        organizations: Sequence[tuple[str, str]] = (),
        programs: Sequence[tuple[str, str]] = (),
        directions: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.host_organization.choices = as_choices([("", _("not known")), *organizations])
        self.program.choices = as_choices([("", _("not known")), *programs])
        self.directions.choices = as_choices(directions)
        self.parsed_opening: tuple[date | None, DatePrecision | None] = (None, None)

    def validate_opening_date(self, field: Field) -> None:
        text = (field.data or "").strip()
        chosen = self.opening_date_precision.data
        try:
            value, written = parse_partial_date(text)
        except ValueError as error:
            raise ValidationError(
                _("Write the date as 2016-09-29, 2017-12 or 2018 (year first).")
            ) from error
        precision = DatePrecision(chosen) if chosen else written
        if PRECISION_ORDER.index(precision) > PRECISION_ORDER.index(written):
            raise ValidationError(_("The date is less precise than the precision chosen."))
        value = at_precision(value, precision)
        if value > date.today() and self.status.data != Status.PLANNED.value:
            raise ValidationError(
                _("The opening date is in the future: set the status to planned, or fix the date.")
            )
        self.parsed_opening = (value, precision)

    def validate(self, extra_validators: Any = None) -> bool:
        """The field rules, then the rules that tie two fields together."""
        valid = super().validate(extra_validators)
        latitude, longitude = self.latitude, self.longitude
        if (latitude.data is None) != (longitude.data is None) and not (
            latitude.errors or longitude.errors
        ):
            missing = longitude if longitude.data is None else latitude
            missing.errors.append(_("Give both the latitude and the longitude, or neither."))
            valid = False
        if self.opening_date_precision.data and not (self.opening_date.data or "").strip():
            self.opening_date_precision.errors.append(
                _("Give the date, or leave its precision as written.")
            )
            valid = False
        return valid

    def validate_age_max(self, field: Field) -> None:
        if (
            field.data is not None
            and self.age_min.data is not None
            and self.age_min.data > field.data
        ):
            raise ValidationError(_("The oldest age must not be below the youngest."))

    def submitted_version(self) -> int | None:
        """The record version the form was opened with, if it is a number."""
        value = (self.version.data or "").strip()
        return int(value) if value.isdigit() else None

    def values(self) -> dict[str, Any]:
        """The plain column values, with relations as slugs (the view resolves them)."""
        opening_date, precision = self.parsed_opening
        return {
            "name": stripped(self.name.data),
            "network": stripped(self.network.data),
            "opening_date": opening_date,
            "opening_date_precision": precision,
            "status": Status(self.status.data),
            "city": stripped(self.city.data),
            "district": stripped(self.district.data),
            "address": stripped(self.address.data),
            "latitude": self.latitude.data,
            "longitude": self.longitude.data,
            "location_precision": LocationPrecision(self.location_precision.data),
            "location_note": stripped(self.location_note.data),
            "age_min": self.age_min.data,
            "age_max": self.age_max.data,
            "website": stripped(self.website.data),
            "phone": stripped(self.phone.data),
            "email": stripped(self.email.data),
            "description": stripped(self.description.data),
            "sources": stripped(self.sources.data),
        }


def described_as_typed(technopark: Technopark) -> dict[str, Any]:
    """The describing columns as a person types them: stored values, choices as their value."""
    values = {column: getattr(technopark, column) for column in DESCRIBING_COLUMNS}
    values["location_precision"] = technopark.location_precision.value
    return values


def technopark_form_data(technopark: Technopark) -> dict[str, Any]:
    """The form's starting values for a stored technopark."""
    return {
        "name": technopark.name,
        "network": technopark.network,
        "host_organization": technopark.host_organization.slug
        if technopark.host_organization
        else "",
        "program": technopark.program.slug if technopark.program else "",
        "opening_date": written_date(technopark.opening_date, technopark.opening_date_precision),
        "opening_date_precision": technopark.opening_date_precision.value
        if technopark.opening_date_precision
        else "",
        "status": technopark.status.value,
        **described_as_typed(technopark),
        "directions": [direction.slug for direction in technopark.directions],
        "version": str(technopark.version),
    }


# ---------------------------------------------------------------- news


class NewsForm(DirectoryForm):
    """A news article and the technoparks it covers."""

    url = StringField(
        _l("Address of the article"),
        validators=[
            DataRequired(_l("Give the article's web address.")),
            Length(max=1000),
            http_url,
        ],
        render_kw={"inputmode": "url"},
    )
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give the article's title.")), Length(max=500)]
    )
    outlet = StringField(_l("Outlet"), validators=[Optional(), Length(max=200)])
    published_on = DateField(
        _l("Published on"),
        validators=[Optional(), not_in_future],
    )
    summary = TextAreaField(_l("Summary"), validators=[Optional()])
    language = Choice(_l("Language of the article"), choices=LANGUAGE_CHOICES, default="ru")
    technoparks = ChoiceList(_l("Technoparks the article covers"))

    def __init__(self, *args: Any, technoparks: Iterable[tuple[str, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.technoparks.choices = as_choices(technoparks)

    def values(self) -> dict[str, Any]:
        return {
            "url": self.url.data.strip(),
            "title": stripped(self.title.data),
            "outlet": stripped(self.outlet.data),
            "published_on": self.published_on.data,
            "summary": stripped(self.summary.data),
            "language": self.language.data,
        }


# ---------------------------------------------------------------- accounts


def check_password_policy(password: str, email: str) -> None:
    """The shared password policy, its reason shown in the UI language."""
    problem = password_problem(password, email)
    if problem:
        raise ValidationError(_(problem))


class NewCoordinatorForm(DirectoryForm):
    """An administrator creates a coordinator's account with a first password."""

    email = EmailField(
        _l("Email"),
        validators=[
            InputRequired(_l("Enter the email address.")),
            Length(max=254),
            Email(_l("Enter an email address such as name@example.org.")),
        ],
    )
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter the person's name.")), Length(max=200)]
    )
    password = PasswordField(
        _l("First password"),
        description=_l("At least 10 characters; tell it to the coordinator in person."),
        validators=[InputRequired(_l("Enter a password."))],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_email(self, field: Field) -> None:
        if user_by_email(field.data) is not None:
            raise ValidationError(_("An account with this email address already exists."))

    def validate_password(self, field: Field) -> None:
        check_password_policy(field.data, self.email.data or "")


class GrantForm(DirectoryForm):
    """Let a coordinator edit one more technopark."""

    technopark = Choice(_l("Technopark"))


class PasswordForm(DirectoryForm):
    """A signed-in user changes their own password."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        description=_l("At least 10 characters; every other device will be signed out."),
        validators=[InputRequired(_l("Enter a new password."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[InputRequired(_l("Enter the new password again."))],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args: Any, email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account_email = email

    def validate_new_password(self, field: Field) -> None:
        check_password_policy(field.data, self.account_email)

    def validate_confirm_password(self, field: Field) -> None:
        if field.data != self.new_password.data:
            raise ValidationError(_("The two new passwords differ."))


class ImportForm(FlaskForm):
    """An administrator uploads technoparks as a CSV or JSON file with the export's columns."""

    file = FileField(
        _l("File"),
        description=_l("CSV (UTF-8) or JSON, with the columns of the export."),
        validators=[
            FileRequired(_l("Choose a file to import.")),
            FileAllowed(["csv", "json"], _l("Choose a .csv or .json file.")),
        ],
    )


# Labels of what the history records beyond the form's own fields.
HISTORY_LABELS = {
    "slug": _l("Address on the site"),
    "published": _l("Published"),
    "verified_at": _l("Confirmed by the coordinator"),
    "news": _l("News article"),
}


def field_label(name: str) -> str:
    """The label a technopark field has in the form or the history."""
    if name in HISTORY_LABELS:
        return str(HISTORY_LABELS[name])
    unbound = getattr(TechnoparkForm, name, None)
    if unbound is not None and getattr(unbound, "args", None):
        return str(unbound.args[0])
    return name


def readable_value(name: str, text: str | None) -> str | None:
    """A stored value as a person reads it: choices by their label, yes/no for flags."""
    if text is None:
        return None
    choices = {
        "status": STATUS_CHOICES,
        "location_precision": LOCATION_PRECISION_CHOICES,
        "opening_date_precision": DATE_PRECISION_CHOICES,
    }.get(name)
    if choices is not None:
        labels = {choice.value: choice.label for choice in choices}
        return str(labels.get(text, text))
    if name == "published":
        return _("yes") if text == "True" else _("no")
    return text
