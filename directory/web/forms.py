"""What every form shares: CSRF (Flask-WTF), the control-character rule, select fields.

No keyboard types a NUL or another control character; a form that carries one is refused
with an error on that field, before any other rule (some of which query the database) runs.
Tab, line feed and carriage return are ordinary text. Hidden fields are left to the views
that read them (a `next` path with a control character is simply not followed).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain.rules import control_character_message


def as_choices(pairs: Iterable[tuple[str, Any] | SelectChoice]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms' SelectChoice options."""
    return [pair if isinstance(pair, SelectChoice) else SelectChoice(*pair) for pair in pairs]


def stripped(value: Any) -> Any:
    """Blanks around typed text removed; an empty answer stored as unknown (None)."""
    if isinstance(value, str):
        return value.strip() or None
    return value


class DirectoryForm(FlaskForm):
    """A Flask-WTF form that refuses control characters in any submitted field."""

    def validate(self, extra_validators: Any = None) -> bool:
        refused = False
        for field in self:
            if isinstance(field, HiddenField):
                continue
            for value in field.raw_data or []:
                message = control_character_message(value) if isinstance(value, str) else None
                if message is not None:
                    field.errors = [message]
                    refused = True
                    break
        if refused:
            # The other fields were not validated; forms that add errors of their own
            # after validating (cross-field rules) need lists to add them to.
            for field in self:
                field.errors = list(field.errors)
            return False
        return super().validate(extra_validators)


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
