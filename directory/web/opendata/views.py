"""The public downloads (published records only), the sitemap and robots.txt."""

from __future__ import annotations

from flask import Response, render_template, request, url_for

from ...data.exchange.export import FORMATS, export_technoparks
from .sitemap import public_pages


def download(format_name: str) -> Response:
    """An export of the published technoparks as a file any site may fetch (CORS *)."""
    export_format = FORMATS[format_name]
    response = Response(
        export_technoparks(format_name, published_only=True),
        content_type=export_format.media_type,
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{export_format.filename}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    # The same data gives the same bytes, so a client holding them gets 304.
    response.add_etag()
    return response.make_conditional(request)


def export_csv():
    return download("csv")


def export_json():
    return download("json")


def export_geojson():
    return download("geojson")


def sitemap():
    xml = render_template("opendata/sitemap.xml", pages=public_pages())
    return Response(xml, content_type="application/xml; charset=utf-8")


def robots():
    lines = [
        "User-agent: *",
        f"Disallow: {url_for('manage.index')}",
        f"Disallow: {url_for('auth.login')}",
        f"Sitemap: {url_for('.sitemap', _external=True)}",
    ]
    return Response("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
