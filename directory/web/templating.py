"""Helpers the templates use: dates at their precision, safe links, phone links."""

from __future__ import annotations

import re

from flask import Flask

from ..domain.public import is_public
from ..domain.rules import EXTENSION
from .formatting import date_at_precision, day, kilometres, moscow_time

PHONE_DIAL_CHARACTERS = re.compile(r"[^\d+]")


def is_web_url(value: str | None) -> bool:
    """Only http(s) addresses become links; anything else is shown as text."""
    return bool(value) and value.lower().startswith(("http://", "https://"))


def tel_href(phone: str) -> str:
    """A tap-to-call link: the digits and a leading plus, and an extension (RFC 3966)."""
    extension = EXTENSION.search(phone)
    number = phone[: extension.start()] if extension else phone
    href = "tel:" + PHONE_DIAL_CHARACTERS.sub("", number)
    return href + f";ext={extension.group(1)}" if extension else href


def init_app(app: Flask) -> None:
    """Register the helpers with Jinja."""
    app.jinja_env.globals["date_at_precision"] = date_at_precision
    app.jinja_env.globals["kilometres"] = kilometres
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["moscow_time"] = moscow_time
    app.jinja_env.filters["tel_href"] = tel_href
    app.jinja_env.tests["web_url"] = is_web_url
    app.jinja_env.tests["public"] = is_public
