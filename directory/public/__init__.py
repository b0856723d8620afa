"""The public side: the list, profiles and health."""

from .views import bp

__all__ = ["bp"]
