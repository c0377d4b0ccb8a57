"""What the wheel and the pyz carry: every package of the source tree (pyproject lists them, since
the dashboard's bundle is mapped in as `pocketlite.ui_dist`), and a `ui_dist/` built from the
current `ui/` source (the committed bundle must not go stale)."""

from __future__ import annotations

import filecmp
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_pyproject_lists_every_package() -> None:
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    found = sorted(
        ".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "pocketlite").rglob("__init__.py")
    )
    assert listed == [*found, "pocketlite.ui_dist"]


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.mark.slow
def test_the_committed_bundle_is_built_from_the_source(tmp_path: Path) -> None:
    # The same build `make ui` runs, into a scratch dir: the same files, byte for byte.
    subprocess.run(
        ["npx", "vite", "build", "--outDir", str(tmp_path / "built"), "--emptyOutDir", "--logLevel", "error"],
        cwd=ROOT / "ui",
        check=True,
        timeout=300,
    )
    committed, built = ROOT / "ui_dist", tmp_path / "built"
    assert _tree(built) == _tree(committed), "ui_dist/ is stale: run `make ui` and commit it"
    mismatched = filecmp.cmpfiles(committed, built, _tree(committed), shallow=False)[1]
    assert mismatched == [], "ui_dist/ is stale: run `make ui` and commit it"
