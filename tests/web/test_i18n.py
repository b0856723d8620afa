"""The UI language: Russian by default, English on request, remembered in a cookie."""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

TRANSLATIONS = Path(__file__).resolve().parents[2] / "directory" / "translations"


def test_russian_is_the_default(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="ru">' in page
    assert "Детские технопарки" in page


def test_lang_parameter_switches_and_is_remembered(client: FlaskClient) -> None:
    response = client.get("/?lang=en")
    assert '<html lang="en">' in response.get_data(as_text=True)
    assert "Children's technoparks" in response.get_data(as_text=True)
    cookie = client.get_cookie("lang")
    assert cookie is not None and cookie.value == "en"
    later = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in later
    back = client.get("/?lang=ru").get_data(as_text=True)
    assert '<html lang="ru">' in back
    assert client.get_cookie("lang").value == "ru"


def test_unknown_lang_parameter_is_ignored(client: FlaskClient) -> None:
    page = client.get("/?lang=xx").get_data(as_text=True)
    assert '<html lang="ru">' in page
    assert client.get_cookie("lang") is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [("en-GB,en;q=0.9", "en"), ("ru-RU,ru;q=0.9,en;q=0.5", "ru"), ("de-DE", "ru")],
)
def test_accept_language_applies_without_a_choice(
    client: FlaskClient, header: str, expected: str
) -> None:
    page = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{expected}">' in page


def test_language_switch_keeps_the_query(client: FlaskClient) -> None:
    page = client.get("/?q=robot").get_data(as_text=True)
    assert 'href="/?q=robot&amp;lang=en"' in page


def extracted_messages() -> set[str | tuple[str, ...]]:
    """Every message id the code and templates use today, extracted afresh."""
    root = TRANSLATIONS.parent.parent
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "messages.pot"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                "--quiet",
                "extract",
                "-F",
                "babel.cfg",
                "-k",
                "_l",
                "-o",
                str(output),
                "directory",
                "templates",
            ],
            cwd=root,
            check=True,
        )
        with output.open("rb") as handle:
            return {message.id for message in read_po(handle) if message.id}


@pytest.mark.parametrize("language", ["ru", "en"])
def test_catalogue_is_complete_and_compiled(language: str) -> None:
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    assert extracted_messages() <= {message.id for message in catalogue if message.id}
    missing = [
        message.id
        for message in catalogue
        if message.id
        and (
            message.fuzzy
            or not all(message.string if isinstance(message.string, tuple) else [message.string])
        )
    ]
    assert missing == []
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    assert (folder / "messages.mo").read_bytes() == compiled.getvalue(), "run make translations"
