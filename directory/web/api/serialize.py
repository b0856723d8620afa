"""Technoparks and news as the API answers with them: the models of schemas.py, filled."""

from __future__ import annotations

from flask import url_for

from ...domain.dates import iso_at_precision
from ...domain.models import NewsArticle, Technopark
from ...domain.public import is_public
from . import schemas


def profile_url(technopark: Technopark) -> str:
    """The absolute address of the technopark's public profile."""
    return url_for("public.technopark_detail", slug=technopark.slug, _external=True)


def listing_fields(technopark: Technopark) -> dict[str, object]:
    """What a list, a profile and the map share about one technopark."""
    precision = technopark.opening_date_precision
    host = technopark.host_organization
    return {
        "slug": technopark.slug,
        "name": technopark.name,
        "network": technopark.network,
        "status": technopark.status,
        "city": technopark.city,
        "address": technopark.address,
        "latitude": technopark.latitude,
        "longitude": technopark.longitude,
        "location_precision": technopark.location_precision,
        "directions": [direction.slug for direction in technopark.directions],
        "age_min": technopark.age_min,
        "age_max": technopark.age_max,
        "opening_date": iso_at_precision(technopark.opening_date, precision),
        "opening_date_precision": precision,
        "host_organization": host.name if host else None,
        "program": technopark.program.name if technopark.program else None,
        "url": profile_url(technopark),
    }


def technopark_item(technopark: Technopark, distance_km: float | None = None) -> schemas.Technopark:
    """One technopark in a list; distance_km only when the search had a starting point."""
    item = schemas.Technopark(**listing_fields(technopark))
    if distance_km is not None:
        item.distance_km = round(distance_km, 3)
    return item


def technopark_detail(technopark: Technopark) -> schemas.TechnoparkDetail:
    """One technopark with everything its profile shows: contacts, sources and news."""
    return schemas.TechnoparkDetail(
        **listing_fields(technopark),
        district=technopark.district,
        location_note=technopark.location_note,
        description=technopark.description,
        sources=technopark.sources,
        contacts=schemas.Contacts(
            phone=technopark.phone, website=technopark.website, email=technopark.email
        ),
        verified_at=technopark.verified_at,
        news=[news_link(article) for article in technopark.news],
    )


def news_link(article: NewsArticle) -> schemas.NewsLink:
    """An article as a profile lists it."""
    return schemas.NewsLink(
        title=article.title,
        url=article.url,
        outlet=article.outlet,
        published_on=article.published_on,
    )


def news_item(article: NewsArticle) -> schemas.NewsItem:
    """An article in the news feed, with the public technoparks it covers."""
    return schemas.NewsItem(
        **news_link(article).model_dump(),
        summary=article.summary,
        language=article.language,
        technoparks=[
            schemas.TechnoparkLink(slug=park.slug, name=park.name, url=profile_url(park))
            for park in article.technoparks
            if is_public(park)
        ],
    )


def geojson_feature(technopark: Technopark, distance_km: float | None = None) -> schemas.Feature:
    """An RFC 7946 Point feature; coordinates are [longitude, latitude]."""
    host = technopark.host_organization
    properties = schemas.FeatureProperties(
        slug=technopark.slug,
        name=technopark.name,
        city=technopark.city,
        host_organization=host.name if host else None,
        url=profile_url(technopark),
        location_precision=technopark.location_precision,
    )
    if distance_km is not None:
        properties.distance_km = round(distance_km, 3)
    return schemas.Feature(
        type="Feature",
        geometry=schemas.PointGeometry(
            type="Point", coordinates=(technopark.longitude, technopark.latitude)
        ),
        properties=properties,
    )
