"""Injection payloads and the checks that prove a page shows them as typed and runs none.

Each value typed into a field starts with a marker naming the payload and the field
(`~html.name~`), so a check can find every place it landed: wherever the marker appears,
the exact payload must follow. An evaluated template (`~jinja-expression.name~49`), an
escaped-twice value (`&amp;lt;`) or a cut value all break that rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from itertools import cycle, islice
from typing import Any


def long_unicode(length: int = 5000) -> str:
    """Text mixing scripts, combining marks, joiners and emoji, ending in a letter."""
    pieces = [
        "Кванториум ",
        "技术园区 ",
        "تكنوبارك ",
        "טכנופארק ",
        "Τεχνοπάρκο ",
        "टेक्नोपार्क ",
        "e\u0301cole ",
        "👩\u200d🔬 ",
        "ﬁ Ǆ ß ",
    ]
    text = "".join(islice(cycle("".join(pieces)), length - 1))
    return text + "я"


PAYLOADS: dict[str, str] = {
    "html": '"><img src=x onerror=alert(1)>',
    "attribute": "' onmouseover='alert(1)",
    "script-close": "</script><script>alert(1)</script>",
    "template-literal": "${alert(1)}",
    "backtick": "\\`; alert(1); `${alert(2)}",
    "jinja-expression": "{{ 7*7 }}",
    "jinja-statement": "{% print(1) %}",
    "jinja-globals": "{{ lipsum.__globals__ }}",
    "sql": "'; DROP TABLE technopark; --",
    "long-unicode": long_unicode(),
    "rtl": "\u202eкрап онхет\u202c",
    "emoji": "🤖🚀 Технопарк 👩\u200d🔬🧪",
    # Refused with a form error: no control character is stored (directory/form_rules.py).
    "nul": "Кванто\x00риум",
}
REFUSED_EVERYWHERE = {"nul"}
HTML_SPECIAL = set("<>\"'&")


def typed(payload: str, field: str) -> str:
    """What is typed into this field for this payload: a marker, then the payload."""
    return f"~{payload}.{field}~{PAYLOADS[payload]}"


def marker(value: str) -> str:
    return value[: value.index("~", 1) + 1]


class PageReader(HTMLParser):
    """The text, attribute values, tags and inline scripts of a page, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.script: dict[str, str] | None = None
        self.scripts: list[tuple[dict[str, str], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        self.chunks.extend(attributes.values())
        if tag == "script":
            self.script = attributes
            self.scripts.append((attributes, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.script = None

    def handle_data(self, data: str) -> None:
        if self.script is not None:
            attributes, body = self.scripts[-1]
            self.scripts[-1] = (attributes, body + data)
        else:
            self.chunks.append(data)


def json_strings(value: Any) -> Iterator[str]:
    """Every string in a JSON document."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from json_strings(key)
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def follows_everywhere(chunks: Iterable[str], value: str) -> tuple[int, list[str]]:
    """How many chunks hold the value, and the places where its marker is not followed by it."""
    mark, found, wrong = marker(value), 0, []
    for chunk in chunks:
        start = chunk.find(mark)
        if start < 0:
            continue
        found += 1
        while start >= 0:
            if chunk[start : start + len(value)] != value:
                wrong.append(chunk[max(0, start - 20) : start + len(value) + 20])
            start = chunk.find(mark, start + 1)
    return found, wrong


def check_html(page: str, values: Iterable[str], shown: Iterable[str]) -> list[str]:
    """Problems on an HTML page: injected markup or scripts, or a value not shown as typed.

    `values` are every payload value stored now; `shown` are those this page must show.
    """
    reader = PageReader()
    reader.feed(page)
    reader.close()
    problems = []
    for tag, attributes in reader.tags:
        handlers = [name for name in attributes if name.startswith("on")]
        if handlers:
            problems.append(f"<{tag}> has event handler attributes {handlers}")
        if tag == "img" and attributes.get("src") == "x":
            problems.append("an injected <img src=x> was parsed")
    chunks = list(reader.chunks)
    for attributes, body in reader.scripts:
        if attributes.get("type") == "application/ld+json":
            chunks.extend(json_strings(json.loads(body)))
        elif body.strip() or not attributes.get("src", "").startswith("/"):
            problems.append(f"a script that is not ours: {attributes} {body[:80]!r}")
    shown = set(shown)
    for value in values:
        found, wrong = follows_everywhere(chunks, value)
        problems.extend(f"{marker(value)} not as typed: {place!r}" for place in wrong)
        if value in shown and not found:
            problems.append(f"{marker(value)} is missing")
        if HTML_SPECIAL & set(value) and value in page:
            problems.append(f"{marker(value)} appears unescaped in the HTML source")
    return problems


def check_json(document: Any, values: Iterable[str], shown: Iterable[str]) -> list[str]:
    """Problems in a JSON document: a value changed on the way, or missing where expected."""
    strings = list(json_strings(document))
    problems = []
    shown = set(shown)
    for value in values:
        found, wrong = follows_everywhere(strings, value)
        problems.extend(f"{marker(value)} not as typed: {place!r}" for place in wrong)
        if value in shown and not found:
            problems.append(f"{marker(value)} is missing")
    return problems
