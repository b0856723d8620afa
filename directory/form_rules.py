"""The rule every form shares: text with control characters is refused, naming the field.

No keyboard types a NUL or another C0/C1 control character; they come from pasted binary or
from attacks. PostgreSQL cannot store NUL at all, and the others would hide inside names and
addresses, so a form that carries one is refused with an error on that field, before any
other rule (some of which query the database) runs. Tab, line feed and carriage return are
ordinary text. Hidden fields are left to the views that read them (a `next` path with a
control character is simply not followed).
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField

CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def first_control_character(values: list[Any] | None) -> str | None:
    """The first control character in the submitted values, if any."""
    for value in values or []:
        if isinstance(value, str) and (match := CONTROL_CHARACTER.search(value)):
            return match.group()
    return None


class DirectoryForm(FlaskForm):
    """A Flask-WTF form that refuses control characters in any submitted field."""

    def validate(self, extra_validators: Any = None) -> bool:
        refused = False
        for field in self:
            if isinstance(field, HiddenField):
                continue
            character = first_control_character(field.raw_data)
            if character is None:
                continue
            field.errors = [
                _(
                    "Remove the invisible control character %(code)s from this text: "
                    "it cannot be stored.",
                    code=f"U+{ord(character):04X}",
                )
            ]
            refused = True
        if refused:
            # The other fields were not validated; forms that add errors of their own
            # after validating (cross-field rules) need lists to add them to.
            for field in self:
                field.errors = list(field.errors)
            return False
        return super().validate(extra_validators)
