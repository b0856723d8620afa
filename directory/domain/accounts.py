"""Accounts: creating users, the password policy, and granting technoparks to coordinators."""

from __future__ import annotations

import secrets

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from ..extensions import db
from .models import Role, Technopark, User

MIN_PASSWORD_LENGTH = 10

# The most common passwords of leaked lists; a length rule alone lets these through.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "0987654321",
        "1111111111",
        "qwertyuiop",
        "password123",
        "password12",
        "passw0rd123",
        "iloveyou123",
        "qwerty12345",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "zaq12wsxcde",
        "abcdefghij",
        "йцукенгшщз",
    }
)


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message says why."""


def normalise_email(email: str) -> str:
    """The address in the form we store it, or AccountError if it is not an address."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError(f"Not a valid email address: {email!r} ({error}).") from error


def password_problem(password: str, email: str) -> str | None:
    """Why a password is too weak, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password must be at least {MIN_PASSWORD_LENGTH} characters long."
    if len(set(password)) < 4:
        return "The password repeats too few different characters."
    if password.casefold() in COMMON_PASSWORDS:
        return "The password is one of the most common passwords."
    if email and email.split("@")[0].casefold() in password.casefold():
        return "The password must not contain the email address."
    return None


def user_by_email(email: str) -> User | None:
    """The user with this address, compared without regard to case."""
    return db.session.execute(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()


def create_user(email: str, name: str, role: Role, password: str) -> User:
    """A new user with a hashed password; flushes, the caller commits."""
    email = normalise_email(email)
    if not name.strip():
        raise AccountError("The name must not be empty.")
    if user_by_email(email) is not None:
        raise AccountError(f"A user with the email {email} already exists.")
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem)
    user = User(email=email, name=name.strip(), role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def create_user_without_password(email: str, name: str, role: Role) -> User:
    """A new account nobody can sign in to until its owner chooses a password by a link.

    Its hash is of a long random secret that is thrown away at once.
    """
    email = normalise_email(email)
    if not name.strip():
        raise AccountError("The name must not be empty.")
    if user_by_email(email) is not None:
        raise AccountError(f"A user with the email {email} already exists.")
    user = User(email=email, name=name.strip(), role=role)
    user.set_password(secrets.token_urlsafe(32))
    db.session.add(user)
    db.session.flush()
    return user


def grant_technopark(user: User, slug: str) -> Technopark:
    """Let the user coordinate the technopark with this slug; granting twice is harmless."""
    technopark = db.session.execute(
        select(Technopark).where(Technopark.slug == slug)
    ).scalar_one_or_none()
    if technopark is None:
        raise AccountError(f"There is no technopark with the slug {slug!r}.")
    if technopark not in user.technoparks:
        user.technoparks.append(technopark)
    db.session.flush()
    return technopark
