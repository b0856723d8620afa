"""The sign-in form, and the forms to ask for and use a one-time password link."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, Field, HiddenField, PasswordField
from wtforms.validators import InputRequired, Length, ValidationError

from ...domain.accounts import password_problem
from ..forms import DirectoryForm


class LoginForm(DirectoryForm):
    """Email and password; `next` carries the page to return to."""

    email = EmailField(
        _l("Email"),
        validators=[InputRequired(_l("Enter your email address.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Enter your password.")), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device for 30 days"))
    next = HiddenField()


class ForgotPasswordForm(DirectoryForm):
    """Ask for a link to choose a new password."""

    email = EmailField(
        _l("Email"),
        validators=[InputRequired(_l("Enter your email address.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )


class ChoosePasswordForm(DirectoryForm):
    """Choose a password through a one-time link."""

    new_password = PasswordField(
        _l("New password"),
        description=_l("At least 10 characters; every other device will be signed out."),
        validators=[InputRequired(_l("Enter a new password.")), Length(max=1000)],
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
        # The policy's messages are marked for translation in manage/forms.py.
        problem = password_problem(field.data, self.account_email)
        if problem:
            raise ValidationError(_(problem))

    def validate_confirm_password(self, field: Field) -> None:
        if field.data != self.new_password.data:
            raise ValidationError(_("The two new passwords differ."))
