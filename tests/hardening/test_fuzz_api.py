"""Schemathesis against the app's own OpenAPI document, with every check it has.

The app is served over HTTP and `schemathesis run --checks all` reads /api/openapi.json
from it, as an outside tester would: examples, coverage (every boundary, every undeclared
method), fuzzing and stateful phases. Among the checks: no server error; every status,
content type, header and body as documented; schema-valid requests accepted and invalid
ones rejected; the methods an address does not answer refused with the right Allow header.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from helpers import record_figure, served

pytestmark = pytest.mark.fuzz

EXAMPLES_PER_OPERATION = 40
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def test_every_schemathesis_check_passes(seeded_app: Flask, tmp_path: Path) -> None:
    command = [
        str(SCHEMATHESIS),
        "run",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--no-color",
        "--report-dir",
        str(tmp_path),
    ]
    if os.environ.get("CI") == "true":
        # CI replays the same requests every run, so a result never depends on luck.
        command += ["--seed", "1"]
    with served(seeded_app) as url:
        result = subprocess.run(
            [*command, f"{url}/api/openapi.json"],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "Selected: 7/7" in output, output[-3000:]
    cases = re.search(r"(\d+) generated, (\d+) passed", output)
    assert cases is not None and cases.group(1) == cases.group(2), output[-3000:]
    record_figure(
        f"API fuzzing (schemathesis --checks all, 4 phases): {cases.group(1)} requests over "
        "7 operations, all passed: no server error; statuses, content types, headers and "
        "bodies as documented; valid data accepted, invalid data rejected; undeclared methods "
        "refused with the right Allow"
    )
