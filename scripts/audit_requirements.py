"""Fail when a pinned requirement has a known vulnerability: pip-audit, with a fallback.

pip-audit asks PyPI's JSON API about each pin at /pypi/NAME/VERSION/json. Where an index
answers only the project's page (/pypi/NAME/json), pip-audit skips the pin and passes. This
script runs pip-audit first, then audits each skipped pin from the project's page: its
"vulnerabilities" list describes the newest release, so it applies when the pin is that
release. A pin older than the newest release that pip-audit could not audit is reported as
not audited; the run fails when any vulnerability is found, or when no pin could be audited
at all (the index was unreachable).

Usage: python scripts/audit_requirements.py [requirements.txt ...]
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;#]+)")
PROJECT_URL = "https://pypi.org/pypi/{name}/json"


def canonical(name: str) -> str:
    """The normalised project name (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path) -> dict[str, str]:
    """{canonical name: version} for every `name==version` line; -r includes are followed."""
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith(("-r ", "--requirement ")):
            pins.update(read_pins(path.parent / stripped.split(maxsplit=1)[1]))
        elif match := PIN.match(stripped):
            pins[canonical(match.group(1))] = match.group(2)
    return pins


@dataclass
class Report:
    """What the audit found: vulnerabilities by pin, and the pins it could not audit."""

    vulnerable: dict[str, list[str]] = field(default_factory=dict)
    audited: list[str] = field(default_factory=list)
    not_audited: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return bool(self.vulnerable) or not self.audited


def fetch_project(name: str) -> dict[str, Any]:
    """The project's JSON page on PyPI."""
    url = PROJECT_URL.format(name=name)
    # A fixed https URL, so bandit's warning about file: URLs does not apply.
    with urllib.request.urlopen(url, timeout=30) as response:  # nosec B310
        return json.load(response)


def run_pip_audit(requirements: Path) -> list[dict[str, Any]]:
    """pip-audit's findings for the pinned requirements, without installing them."""
    # Our own interpreter with fixed arguments: no shell, nothing from outside.
    result = subprocess.run(  # nosec B603
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--requirement",
            str(requirements),
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if not result.stdout.strip():
        raise SystemExit(f"pip-audit gave no report:\n{result.stderr}")
    return json.loads(result.stdout)["dependencies"]


def describe(vulnerability: dict[str, Any]) -> str:
    """An advisory as one line: its id, aliases and the versions that fix it."""
    aliases = ", ".join(vulnerability.get("aliases") or [])
    fixed = ", ".join(vulnerability.get("fixed_in") or vulnerability.get("fix_versions") or [])
    return (
        f"{vulnerability['id']}"
        + (f" ({aliases})" if aliases else "")
        + (f", fixed in {fixed}" if fixed else ", no fix released")
    )


def audit(
    pins: dict[str, str],
    findings: Iterable[dict[str, Any]],
    fetch: Callable[[str], dict[str, Any]] = fetch_project,
) -> Report:
    """Merge pip-audit's findings with the fallback for the pins it skipped."""
    report = Report()
    for finding in findings:
        name = canonical(finding["name"])
        if "skip_reason" not in finding:
            report.audited.append(name)
            if finding.get("vulns"):
                report.vulnerable[name] = [describe(vuln) for vuln in finding["vulns"]]
            continue
        version = pins.get(name)
        try:
            project = fetch(name)
        except OSError as error:
            report.not_audited[name] = f"{finding['skip_reason']}; the project page failed: {error}"
            continue
        newest = project["info"]["version"]
        if version != newest:
            report.not_audited[name] = (
                f"{version} is not the newest release ({newest}), and the index gives no "
                "per-version data"
            )
            continue
        report.audited.append(name)
        known = [vuln for vuln in project.get("vulnerabilities") or [] if not vuln.get("withdrawn")]
        if known:
            report.vulnerable[name] = [describe(vuln) for vuln in known]
    return report


def main(arguments: list[str]) -> int:
    paths = [Path(argument) for argument in arguments] or [Path("requirements.txt")]
    failed = False
    for path in paths:
        pins = read_pins(path)
        report = audit(pins, run_pip_audit(path))
        print(f"{path}: {len(pins)} pins, {len(report.audited)} audited")
        for name, reasons in sorted(report.not_audited.items()):
            print(f"  not audited: {name}=={pins.get(name)}: {reasons}")
        for name, advisories in sorted(report.vulnerable.items()):
            for advisory in advisories:
                print(f"  VULNERABLE: {name}=={pins.get(name)}: {advisory}")
        if not report.audited:
            print("  no pin could be audited: is PyPI reachable?")
        failed = failed or report.failed
    print("audit failed" if failed else "no known vulnerability in the pinned requirements")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
