"""Technoparks and news as the API writes them: stable field names, plain JSON values."""

from __future__ import annotations

from typing import Any

from flask import url_for

from ...domain.dates import iso_at_precision
from ...domain.models import NewsArticle, Technopark
from ...domain.public import is_public


def profile_url(technopark: Technopark) -> str:
    """The absolute address of the technopark's public profile."""
    return url_for("public.technopark_detail", slug=technopark.slug, _external=True)


def technopark_item(technopark: Technopark, distance_km: float | None = None) -> dict[str, Any]:
    """One technopark in a list; distance_km only when the search had a starting point."""
    precision = technopark.opening_date_precision
    item: dict[str, Any] = {
        "slug": technopark.slug,
        "name": technopark.name,
        "network": technopark.network,
        "status": technopark.status.value,
        "city": technopark.city,
        "address": technopark.address,
        "latitude": technopark.latitude,
        "longitude": technopark.longitude,
        "location_precision": technopark.location_precision.value,
        "directions": [direction.slug for direction in technopark.directions],
        "age_min": technopark.age_min,
        "age_max": technopark.age_max,
        "opening_date": iso_at_precision(technopark.opening_date, precision),
        "opening_date_precision": precision.value if precision else None,
        "host_organization": (
            technopark.host_organization.name if technopark.host_organization else None
        ),
        "program": technopark.program.name if technopark.program else None,
        "url": profile_url(technopark),
    }
    if distance_km is not None:
        item["distance_km"] = round(distance_km, 3)
    return item


def technopark_detail(technopark: Technopark) -> dict[str, Any]:
    """One technopark with everything its profile shows: contacts, sources and news."""
    verified_at = technopark.verified_at
    return {
        **technopark_item(technopark),
        "district": technopark.district,
        "location_note": technopark.location_note,
        "description": technopark.description,
        "sources": technopark.sources,
        "contacts": {
            "phone": technopark.phone,
            "website": technopark.website,
            "email": technopark.email,
        },
        "verified_at": verified_at.isoformat() if verified_at else None,
        "news": [news_link(article) for article in technopark.news],
    }


def news_link(article: NewsArticle) -> dict[str, Any]:
    """An article as a profile lists it."""
    return {
        "title": article.title,
        "url": article.url,
        "outlet": article.outlet,
        "published_on": article.published_on.isoformat() if article.published_on else None,
    }


def news_item(article: NewsArticle) -> dict[str, Any]:
    """An article in the news feed, with the public technoparks it covers."""
    return {
        **news_link(article),
        "summary": article.summary,
        "language": article.language,
        "technoparks": [
            {"slug": park.slug, "name": park.name, "url": profile_url(park)}
            for park in article.technoparks
            if is_public(park)
        ],
    }


def geojson_feature(technopark: Technopark, distance_km: float | None = None) -> dict[str, Any]:
    """An RFC 7946 Point feature; coordinates are [longitude, latitude]."""
    properties: dict[str, Any] = {
        "slug": technopark.slug,
        "name": technopark.name,
        "city": technopark.city,
        "host_organization": (
            technopark.host_organization.name if technopark.host_organization else None
        ),
        "url": profile_url(technopark),
        "location_precision": technopark.location_precision.value,
    }
    if distance_km is not None:
        properties["distance_km"] = round(distance_km, 3)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [technopark.longitude, technopark.latitude]},
        "properties": properties,
    }
