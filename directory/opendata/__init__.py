"""Open data for other sites and search engines: exports, the sitemap and robots.txt."""

from .views import bp

__all__ = ["bp"]
