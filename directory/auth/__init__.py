"""Sign-in: who the current user is."""

from .loader import configure_login

__all__ = ["configure_login"]
