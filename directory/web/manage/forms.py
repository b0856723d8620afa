"""Workspace forms: technoparks, news, accounts. Every rule explains itself in the UI language.

The technopark form renders the fields and carries the CSRF token; its rules are the
domain's (directory/domain/rules.py), the same ones an imported file is held to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    HiddenField,
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
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

from ...domain.accounts import password_problem, user_by_email
from ...domain.columns import TYPED_FIELDS
from ...domain.models import DatePrecision, LocationPrecision, Status
from ...domain.rules import MAX_LENGTH, Choices, Refused, check_technopark, web_address
from ..auth.forms import ChoosePasswordForm
from ..forms import Choice, ChoiceList, DirectoryForm, as_choices, stripped

# The password policy's messages (directory/domain/accounts.py), marked here for translation.
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


# ---------------------------------------------------------------- fields


class Listed(SelectField):
    """A select whose value the domain's rules check (an unknown one gets their message)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, validate_choice=False, **kwargs)


class ListedMany(SelectMultipleField):
    """Checkboxes whose values the domain's rules check."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, validate_choice=False, **kwargs)


class Typed(StringField):
    """Text kept exactly as typed, in a number input where the browser helps with numbers."""

    widget = NumberInput()


class Degrees(Typed):
    """Decimal degrees: any step."""

    widget = NumberInput(step="any")


def http_url(form: FlaskForm, field: Field) -> None:
    """Only http(s) addresses with a host: never javascript:, data: or a bare name."""
    try:
        web_address((field.data or "").strip() or None)
    except Refused as refusal:
        raise ValidationError(str(refusal.message)) from refusal


def not_in_future(form: FlaskForm, field: Field) -> None:
    if field.data and field.data > date.today():
        raise ValidationError(_("The date is in the future."))


# ---------------------------------------------------------------- technoparks


class OpenedAtVersion:
    """A form that carries the version of the record it was opened at (a hidden field)."""

    version: HiddenField

    def submitted_version(self) -> int | None:
        """The record version the form was opened with, if it is a number."""
        value = (self.version.data or "").strip()
        return int(value) if value.isdigit() else None


class TechnoparkForm(OpenedAtVersion, DirectoryForm):
    """A technopark's facts; the field names are the model's, the rules the domain's."""

    name = StringField(_l("Name"))
    network = StringField(_l("Network"))
    mobile = BooleanField(_l("A mobile technopark: it travels to schools from its base city"))
    host_organization = Listed(_l("Host organisation"), default="")
    program = Listed(_l("Programme"), default="")
    opening_date = StringField(
        _l("Opening date"),
        description=_l("As precisely as a source gives it: 2016-09-29, 2017-12 or 2018."),
    )
    opening_date_precision = Listed(
        _l("Opening date known to the"), choices=DATE_PRECISION_CHOICES, default=""
    )
    status = Listed(_l("Status"), choices=STATUS_CHOICES, default=Status.OPEN.value)
    status_as_of = StringField(
        _l("Status as of"),
        description=_l(
            "The date of the source that states the status: 2017-10-17, 2017-10 or 2017."
        ),
    )
    status_source_url = StringField(
        _l("Source of the status"),
        description=_l("The address of the article or page that states the status."),
        render_kw={"inputmode": "url"},
    )
    city = StringField(_l("City"))
    region = StringField(_l("Region"), description=_l("Such as Мурманская область."))
    district = StringField(_l("District"))
    address = StringField(_l("Address"))
    latitude = Degrees(_l("Latitude"), render_kw={"inputmode": "decimal"})
    longitude = Degrees(_l("Longitude"), render_kw={"inputmode": "decimal"})
    location_precision = Listed(
        _l("The map point shows"),
        choices=LOCATION_PRECISION_CHOICES,
        default=LocationPrecision.UNKNOWN.value,
    )
    location_note = TextAreaField(_l("Note on the location"))
    age_min = Typed(_l("Youngest age"), render_kw={"inputmode": "numeric"})
    age_max = Typed(_l("Oldest age"), render_kw={"inputmode": "numeric"})
    website = StringField(_l("Website"), render_kw={"inputmode": "url"})
    phone = StringField(_l("Phone"), render_kw={"inputmode": "tel"})
    email = StringField(_l("Email"), render_kw={"inputmode": "email"})
    enrolment_url = StringField(
        _l("Where to sign up"),
        description=_l(
            "The technopark's page in the regional navigator of additional education, or its "
            "own sign-up page."
        ),
        render_kw={"inputmode": "url"},
    )
    description = TextAreaField(_l("Description"))
    sources = TextAreaField(
        _l("Sources"),
        description=_l("Where the facts come from: articles, documents, the official site."),
    )
    directions = ListedMany(_l("Directions"))
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
        self.choices = Choices(
            organizations=frozenset(slug for slug, _name in organizations),
            programs=frozenset(slug for slug, _name in programs),
            directions=frozenset(slug for slug, _name in directions),
        )
        self.checked_values: dict[str, Any] = {}
        # The browser stops at each column's length too, and long texts count as typed.
        for name, limit in MAX_LENGTH.items():
            self[name].render_kw = {**(self[name].render_kw or {}), "maxlength": limit}

    def typed(self) -> dict[str, Any]:
        """Each field's text as typed (slugs for the choices)."""
        typed = {name: self[name].data for name in TYPED_FIELDS}
        # An empty select means "not known" for a host or programme.
        for name in ("host_organization", "program"):
            typed[name] = typed[name] or None
        typed["directions"] = list(self.directions.data or [])
        return typed

    def validate(self, extra_validators: Any = None) -> bool:
        """The token and the control-character rule, then the domain's rules."""
        if not super().validate(extra_validators):
            return False
        checked = check_technopark(self.typed(), self.choices)
        for name, messages in checked.errors.items():
            self[name].errors = [str(message) for message in messages]
        self.checked_values = checked.values
        return checked.ok

    def values(self) -> dict[str, Any]:
        """The checked column values, with relations as slugs (the view resolves them)."""
        return dict(self.checked_values)


# ---------------------------------------------------------------- news


class NewsForm(OpenedAtVersion, DirectoryForm):
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
    summary = TextAreaField(
        _l("Summary"),
        description=_l("In your own words: what the article reports. At most 2,000 characters."),
        validators=[Optional(), Length(max=2000)],
        render_kw={"maxlength": 2000},
    )
    language = Choice(_l("Language of the article"), choices=LANGUAGE_CHOICES, default="ru")
    technoparks = ChoiceList(_l("Technoparks the article covers"))
    version = HiddenField()
    # Which of my technoparks were linked when the form opened: the save applies only the
    # links I added or removed since, never undoing a colleague's.
    linked = HiddenField()

    def __init__(self, *args: Any, technoparks: Iterable[tuple[str, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.technoparks.choices = as_choices(technoparks)

    def linked_when_opened(self) -> set[str] | None:
        """The slugs linked when the form opened; None when the form did not say."""
        if self.linked.data is None:
            return None
        return {slug for slug in self.linked.data.split(",") if slug}

    def values(self) -> dict[str, Any]:
        return {
            "url": web_address(self.url.data.strip()),
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


class PasswordForm(ChoosePasswordForm):
    """A signed-in user changes their own password: the current one first."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )


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


class AnswerForm(DirectoryForm):
    """The reason given when a visitor's report or a request for access is rejected."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Write the reason.")), Length(max=2000)],
        render_kw={"maxlength": 2000, "rows": 2},
    )


# Labels of what the history records beyond the form's own fields.
HISTORY_LABELS = {
    "slug": _l("Address on the site"),
    "published": _l("Published"),
    "verified_at": _l("Confirmed by the coordinator"),
    "news": _l("News article"),
    "report": _l("Visitor's report"),
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
