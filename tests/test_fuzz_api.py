"""Schemathesis against the app's own OpenAPI document: no 500, every response as documented.

Schemathesis reads /api/openapi.json from the app (over WSGI, no server) and generates
requests for every operation and parameter, valid and invalid. Each response must not be a
server error, must have a documented status and content type, and must match the documented
schema. The number of examples is bounded so the whole run stays well under two minutes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from conftest import record_figure
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES_PER_OPERATION = 40
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SENT: Counter[str] = Counter()


@pytest.fixture
def api_schema(seeded_app: Flask) -> Any:
    """The app's OpenAPI document, loaded by schemathesis from the app itself."""
    if "api" not in seeded_app.blueprints:
        pytest.skip("the api blueprint (and /api/openapi.json) is not part of this build yet")
    return schemathesis.openapi.from_wsgi("/api/openapi.json", seeded_app)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(scope="module", autouse=True)
def report_figures() -> Iterator[None]:
    yield
    if SENT:
        record_figure(
            f"API fuzzing (schemathesis): {sum(SENT.values())} requests over {len(SENT)} "
            "operations, 0 server errors, every response matching the OpenAPI document"
        )


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_documented(case: Any) -> None:
    SENT[f"{case.method} {case.path}"] += 1
    case.call_and_validate(checks=CHECKS)
