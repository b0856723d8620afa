"""schema.org JSON-LD for a technopark profile, so search engines read the facts."""

from __future__ import annotations

from typing import Any

from ..domain.dates import iso_at_precision
from ..domain.models import Technopark


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
        "foundingDate": iso_at_precision(
            technopark.opening_date, technopark.opening_date_precision
        ),
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
