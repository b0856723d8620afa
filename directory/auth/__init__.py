"""Sign-in: the login and logout views, and who the current user is."""

from .loader import configure_login
from .views import bp

__all__ = ["bp", "configure_login"]
