"""The coordinators' workspace."""

from .views import bp

__all__ = ["bp"]
