"""The dependency audit fails on a known-vulnerable pin, also where pip-audit had to skip it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_requirements.py"
spec = importlib.util.spec_from_file_location("audit_requirements", SCRIPT)
audit_requirements = importlib.util.module_from_spec(spec)
sys.modules["audit_requirements"] = audit_requirements
spec.loader.exec_module(audit_requirements)

ADVISORY = {"id": "PYSEC-2018-97", "aliases": ["CVE-2018-6594"], "fixed_in": [], "withdrawn": None}
SKIPPED = "Dependency not found on PyPI and could not be audited"


def project(newest: str, vulnerabilities: list[dict[str, Any]]) -> dict[str, Any]:
    return {"info": {"version": newest}, "vulnerabilities": vulnerabilities}


def test_pins_are_read_with_extras_and_includes(tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text("# runtime\nFlask==3.1.3\npsycopg[binary]==3.3.9\n")
    (tmp_path / "dev.txt").write_text("-r base.txt\npytest==9.2.0  # tests\nloose>=1\n")
    assert audit_requirements.read_pins(tmp_path / "dev.txt") == {
        "flask": "3.1.3",
        "psycopg": "3.3.9",
        "pytest": "9.2.0",
    }


def test_a_vulnerability_pip_audit_found_fails() -> None:
    findings = [{"name": "pycrypto", "version": "2.6.1", "vulns": [ADVISORY]}]
    report = audit_requirements.audit({"pycrypto": "2.6.1"}, findings, fetch=pytest.fail)
    assert report.failed
    assert report.vulnerable["pycrypto"] == ["PYSEC-2018-97 (CVE-2018-6594), no fix released"]


@pytest.mark.parametrize(
    ("newest", "vulnerabilities", "vulnerable", "audited"),
    [
        ("2.6.1", [ADVISORY], True, True),
        ("2.6.1", [{**ADVISORY, "withdrawn": "2024-01-01"}], False, True),
        ("2.6.1", [], False, True),
        ("3.0.0", [ADVISORY], False, False),
    ],
)
def test_a_skipped_pin_is_audited_from_the_project_page(
    newest: str, vulnerabilities: list[dict[str, Any]], vulnerable: bool, audited: bool
) -> None:
    findings = [
        {"name": "pycrypto", "skip_reason": SKIPPED},
        {"name": "flask", "version": "3.1.3", "vulns": []},
    ]
    report = audit_requirements.audit(
        {"pycrypto": "2.6.1", "flask": "3.1.3"},
        findings,
        fetch=lambda name: project(newest, vulnerabilities),
    )
    assert ("pycrypto" in report.vulnerable) is vulnerable
    assert ("pycrypto" in report.audited) is audited
    assert ("pycrypto" in report.not_audited) is not audited
    assert report.failed is vulnerable


def test_nothing_audited_fails() -> None:
    def unreachable(name: str) -> dict[str, Any]:
        raise OSError("no route to host")

    findings = [{"name": "flask", "skip_reason": SKIPPED}]
    report = audit_requirements.audit({"flask": "3.1.3"}, findings, fetch=unreachable)
    assert report.failed and report.not_audited and not report.vulnerable
