"""Schemathesis against the app's own OpenAPI document: no 500, every response as documented.

Schemathesis reads /api/openapi.json from the app (over WSGI, no server) and generates
requests for every operation and parameter, valid and invalid. Each response must not be a
server error, must have a documented status and content type, and must match the documented
schema. The number of examples is bounded so the whole run stays well under two minutes.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from conftest import record_figure
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES_PER_OPERATION = 100
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_api_answers_as_documented(seeded_app: Flask) -> None:
    if "api" not in seeded_app.blueprints:
        pytest.skip("the api blueprint (and /api/openapi.json) is not part of this build yet")
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", seeded_app)
    sent: Counter[str] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the OpenAPI document lists no operation"
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            # One Hypothesis run per operation and mode; schemathesis's pytest plugin would
            # do the same, but its lazy fixture loading does not work with pytest 9.
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def answers_as_documented(case: Any) -> None:
                sent[f"{case.method} {case.path}"] += 1
                # The test client does not undo gzip, so ask for plain responses.
                case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})

            try:
                answers_as_documented()
            except Unsatisfiable:
                # An operation without parameters has no invalid request to make.
                assert mode is GenerationMode.NEGATIVE, operation.label
    record_figure(
        f"API fuzzing (schemathesis): {sum(sent.values())} requests over {len(sent)} "
        "operations (valid and invalid parameters), 0 server errors, every response with a "
        "documented status, content type and schema"
    )
