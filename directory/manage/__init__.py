"""The coordinators' workspace."""

from . import import_views  # noqa: F401  (registers the import page on bp)
from .views import bp

__all__ = ["bp"]
