"""Build `dist/pocketlite.pyz`: pocketlite and its dependencies in one zipapp (shiv).

The pyz carries native wheels (granian, msgspec, bcrypt, …) of the building interpreter, so its
shebang names that interpreter's version: build it with the Python that will run it.

    python build_zipapp.py [--output dist/pocketlite.pyz]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# What the wheel is built from (pyproject.toml names the rest).
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "pocketlite", "ui_dist")


def build(output: Path) -> Path:
    """Run shiv over this project; returns the path of the pyz."""
    output.parent.mkdir(parents=True, exist_ok=True)
    # From a scratch copy: setuptools builds in the source's build/ dir, and a leftover of an
    # earlier build there (or a second build at the same time) breaks the next one.
    with tempfile.TemporaryDirectory(prefix="pocketlite-pyz-") as scratch:
        for name in SOURCES:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, Path(scratch) / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, Path(scratch) / name)
        _shiv(output, Path(scratch))
    return output


def _shiv(output: Path, source: Path) -> None:
    python = f"/usr/bin/env python{sys.version_info.major}.{sys.version_info.minor}"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "shiv",
            "--console-script",
            "pocketlite",
            "--output-file",
            str(output),
            "--python",
            python,
            "--compressed",
            # Byte-compile once at first extraction: without it every process (and every granian
            # worker) compiles the whole stack from source, which measured 2x slower starts.
            "--compile-pyc",
            "--reproducible",
            # granian starts its workers as new interpreters; they must find the unpacked deps.
            "--extend-pythonpath",
            str(source),
            "--quiet",
            "--disable-pip-version-check",
        ],
        check=True,
        cwd=source,
    )


def main() -> None:
    """Command line entry: `--output` picks the file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "dist" / "pocketlite.pyz")
    args = parser.parse_args()
    path = build(args.output)
    print(f"built {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
