"""Layering runs one way (DESIGN.md principle 2): tools ← search ← core ← migrations ← app ←
apis / plugins ← cli; `hooks` (what pb_hooks files import) sits beside the app."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "pocketlite"

# Which top-level parts of the package each part may import.
ALLOWED = {
    "tools": {"tools"},
    "search": {"tools", "search"},
    "core": {"tools", "search", "core"},
    "migrations": {"tools", "search", "core", "migrations"},
    "app": {"tools", "search", "core", "migrations", "app"},
    "hooks": {"tools", "search", "core", "migrations", "app", "hooks"},
    "plugins": {"tools", "search", "core", "migrations", "app", "hooks", "plugins"},
    "apis": {"tools", "search", "core", "migrations", "app", "hooks", "plugins", "apis"},
    "cli": {"tools", "search", "core", "migrations", "app", "hooks", "plugins", "apis", "cli"},
}
# Only the HTTP layer and the CLI may know the web framework and the server.
WEB_MODULES = {"litestar", "granian"}


def _part(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py") if len(relative.parts) > 1 else relative.stem


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if _part(p) in ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_the_layers(path: Path) -> None:
    part = _part(path)
    for name in _imports(path):
        root, _, rest = name.partition(".")
        if root == "pocketlite" and rest:
            target = rest.split(".")[0]
            assert target in ALLOWED[part], f"{path.name} ({part}) must not import pocketlite.{target}"
        if part not in ("apis", "cli"):
            assert root not in WEB_MODULES, f"{path.name} ({part}) must not import {root}"


def test_every_module_belongs_to_a_layer() -> None:
    stray = [
        p
        for p in PACKAGE.rglob("*.py")
        if _part(p) not in ALLOWED and p.name not in ("__init__.py", "__main__.py")
    ]
    assert stray == []
