"""The layers import one way: web → domain → db, with data (files in and out) beside the web,
and mail (sending the outbox) beside it too: the domain queues emails, never sends them.

Read from the source with ast, so a forbidden import fails here even if nothing runs it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "directory"

# What each layer may not import, as module prefixes.
FORBIDDEN = {
    "domain": ("directory.web", "directory.data", "directory.mail"),
    "db": ("directory.web", "directory.data", "directory.domain", "directory.mail"),
    "data": ("directory.web", "directory.mail"),
    "mail": ("directory.web", "directory.data"),
}
# Libraries that only the web layer has any business with.
WEB_ONLY = ("flask.request", "flask.Blueprint", "flask.render_template", "wtforms", "flask_wtf")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(path: Path) -> set[str]:
    """Every module (and imported name, as module.name) the file imports, made absolute."""
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def modules_of(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_each_layer_imports_only_the_layers_below_it(layer: str) -> None:
    offences = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in modules_of(layer)
        for name in sorted(imported_names(path))
        if name.startswith(FORBIDDEN[layer])
    ]
    assert offences == []


@pytest.mark.parametrize("layer", ["domain", "db", "data", "mail"])
def test_below_the_web_nothing_touches_requests_forms_or_templates(layer: str) -> None:
    offences = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in modules_of(layer)
        for name in sorted(imported_names(path))
        if name.startswith(WEB_ONLY)
    ]
    assert offences == []


def test_the_checker_sees_relative_imports() -> None:
    """The rule is only as good as the import reading: a relative import is resolved."""
    names = imported_names(PACKAGE / "web" / "api" / "views.py")
    assert "directory.domain.search.search_technoparks" in names
    assert "directory.web.api.schemas" in names
