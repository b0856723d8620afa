"""The public side: the map and list, profiles, news, programmes, hosts and health."""

from . import map_views  # noqa: F401  (registers the map routes on bp)
from .views import bp

__all__ = ["bp"]
