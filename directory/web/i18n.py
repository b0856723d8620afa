"""The UI language: Russian by default, English on request, remembered in a cookie."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, Response, current_app, g, request


def requested_language() -> str | None:
    """The language asked for with ?lang=…, if it is one we speak."""
    language = request.args.get("lang", "")
    return language if language in current_app.config["LANGUAGES"] else None


def select_locale() -> str:
    """?lang= first, then the remembered cookie, then Accept-Language, then Russian."""
    languages = current_app.config["LANGUAGES"]
    chosen = requested_language() or request.cookies.get(current_app.config["LANGUAGE_COOKIE"])
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def remember_language(response: Response) -> Response:
    """Keep the language chosen with ?lang= for the next visits (one year)."""
    language = requested_language()
    if language is not None:
        response.set_cookie(
            current_app.config["LANGUAGE_COOKIE"],
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
        )
    return response


def current_language() -> str:
    """The language of this response, cached on g for templates."""
    if "language" not in g:
        g.language = select_locale()
    return g.language


def init_app(app: Flask) -> None:
    """Register the cookie hook and the template helpers."""
    app.after_request(remember_language)
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["url_in_language"] = url_in_language


def url_in_language(language: str) -> str:
    """This page's URL with ?lang= set, other query parameters kept."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [language]
    return request.path + "?" + urlencode(args, doseq=True)
