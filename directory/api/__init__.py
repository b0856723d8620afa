"""The read-only JSON, GeoJSON and OpenAPI endpoints under /api."""

from .views import bp

__all__ = ["bp"]
