"""The visitors' forms: report a mistake, and ask for access as a technopark's staff member.

Each carries a honeypot: a field people never see (hidden by the stylesheet, skipped by
the keyboard and screen readers) that form-filling robots fill in.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from ...domain.reports import MAX_TEXT_LENGTH, OTHER, VISITOR_FIELDS
from ..forms import Choice, DirectoryForm, as_choices
from ..manage.forms import field_label

TEXT_LIMIT_MESSAGE = _l("Write at most %(max)s characters.", max=MAX_TEXT_LENGTH)
EMAIL_MESSAGE = _l("Enter an email address such as name@example.org.")


def report_field_choices() -> list[tuple[str, str]]:
    """The fields a visitor may say are wrong, labelled as in the edit form, then the rest."""
    return [
        ("", str(_l("Choose what is wrong"))),
        *((name, field_label(name)) for name in VISITOR_FIELDS),
        (OTHER, str(_l("Something else"))),
    ]


class HoneypotForm(DirectoryForm):
    """A form with a field only robots fill in."""

    homepage = StringField(
        _l("Leave this field empty"),
        render_kw={"autocomplete": "off", "tabindex": "-1", "class": "trap-input"},
    )

    def filled_by_a_robot(self) -> bool:
        return bool((self.homepage.data or "").strip())


class ReportForm(HoneypotForm):
    """Which field is wrong, what is right, and an address for the answer if one likes."""

    # The empty prompt is listed, so a choice is required (Choice refuses unlisted values).
    field = Choice(_l("What is wrong?"), validators=[InputRequired(_l("Choose what is wrong."))])
    correction = TextAreaField(
        _l("What is right?"),
        description=_l("The correct phone, address, date… and, if you can, where it is stated."),
        validators=[
            DataRequired(_l("Write what is right.")),
            Length(max=MAX_TEXT_LENGTH, message=TEXT_LIMIT_MESSAGE),
        ],
        render_kw={"maxlength": MAX_TEXT_LENGTH, "rows": 4},
    )
    email = EmailField(
        _l("Your email, if you would like an answer (optional)"),
        validators=[Optional(), Length(max=254), Email(EMAIL_MESSAGE)],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field.choices = as_choices(report_field_choices())


class AccessRequestForm(HoneypotForm):
    """A technopark's staff member asks to keep its listing."""

    name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    position = StringField(
        _l("Your position"),
        description=_l("Such as methodologist or head of the technopark."),
        validators=[DataRequired(_l("Enter your position.")), Length(max=200)],
        render_kw={"autocomplete": "organization-title"},
    )
    email = EmailField(
        _l("Work email"),
        description=_l(
            "An address on the technopark's own domain is checked fastest. The link to "
            "choose your password is sent here."
        ),
        validators=[
            InputRequired(_l("Enter your work email.")),
            Length(max=254),
            Email(EMAIL_MESSAGE),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )
    message = TextAreaField(
        _l("Message to the administrators (optional)"),
        description=_l("How we can check that you work there: a phone, a page that names you…"),
        validators=[Optional(), Length(max=MAX_TEXT_LENGTH, message=TEXT_LIMIT_MESSAGE)],
        render_kw={"maxlength": MAX_TEXT_LENGTH, "rows": 4},
    )
