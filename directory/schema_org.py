"""schema.org JSON-LD for a technopark profile, so search engines read the facts."""

from __future__ import annotations

from typing import Any

from .models import DatePrecision, Technopark

ISO_LENGTH = {DatePrecision.DAY: 10, DatePrecision.MONTH: 7, DatePrecision.YEAR: 4}


def iso_at_precision(technopark: Technopark) -> str | None:
    """The opening date as ISO 8601 cut to its precision: 2016-09-29, 2017-12 or 2018."""
    if technopark.opening_date is None or technopark.opening_date_precision is None:
        return None
    precision = DatePrecision(technopark.opening_date_precision)
    return technopark.opening_date.isoformat()[: ISO_LENGTH[precision]]


def educational_organization(technopark: Technopark, profile_url: str) -> dict[str, Any]:
    """An EducationalOrganization with address and geo; unknown facts are left out."""
    address = {"@type": "PostalAddress", "addressLocality": technopark.city, "addressCountry": "RU"}
    if technopark.address:
        address["streetAddress"] = technopark.address
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "EducationalOrganization",
        "name": technopark.name,
        "url": profile_url,
        "address": address,
    }
    if technopark.has_position:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": technopark.latitude,
            "longitude": technopark.longitude,
        }
    optional = {
        "foundingDate": iso_at_precision(technopark),
        "telephone": technopark.phone,
        "email": technopark.email,
        "sameAs": technopark.website,
        "description": technopark.description,
    }
    data.update({key: value for key, value in optional.items() if value})
    if technopark.host_organization:
        data["parentOrganization"] = {
            "@type": "Organization",
            "name": technopark.host_organization.name,
        }
    return data
