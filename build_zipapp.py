"""Build `dist/pocketlite.pyz`: pocketlite and its dependencies in one zipapp (shiv).

The pyz carries native wheels (granian, msgspec, bcrypt, …) of the building interpreter, so its
shebang names that interpreter's version: build it with the Python that will run it.

    python build_zipapp.py [--output dist/pocketlite.pyz]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# What the wheel is built from (pyproject.toml names the rest).
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "pocketlite", "ui_dist")

# Distributions litestar requires for its CLI (click, rich, rich-click and theirs), its example
# factories (polyfactory, faker) and its htmx plugin, none of which a pocketlite process imports.
# Without them the pyz holds half as many files (1,400), and every start reads its directory
# twice (Python's zipimport, then shiv's bootstrap; see `_MAIN`): 16 -> 9 ms; 4 MB less to ship,
# 40 MB less unpacked.
UNUSED = (
    "click",
    "rich",
    "rich_click",
    "pygments",
    "markdown_it_py",
    "mdurl",
    "polyfactory",
    "faker",
    "litestar_htmx",
)

# Run by shiv's bootstrap once the unpacked site-packages is on sys.path, before pocketlite
# starts (`archive` is the pyz as it was run). Python put the pyz itself on sys.path only to load
# that bootstrap: left there, litestar's version lookup at import (importlib.metadata) parses the
# zip's directory once more and keeps it cached for good.
_DROP_ARCHIVE = (
    "sys.path[:] = [p for p in sys.path if not (os.path.isfile(p) and os.path.samefile(p, archive))]"
)
_PREAMBLE = f"import os, sys\n{_DROP_ARCHIVE}\n"


# Written over shiv's `__main__.py`, which imports shiv's whole bootstrap (zipfile, compileall,
# hashlib, json, runpy, ...) and reads the pyz's directory a second time at every start, only to
# find the unpacked copy there: ~20 ms of each CLI command. Once the copy exists, this does what
# the bootstrap then does (shiv 1.0's `bootstrap()`: add the site dir in front of the host's,
# extend PYTHONPATH, run the preamble, call the entry point); a first run, or any SHIV_* variable
# set, goes through shiv's bootstrap as before.
_MAIN = """\
import os, site, sys


_SITE_DIRS = ("site-packages", "dist-packages")


def _unpacked():
    if any(name.startswith("SHIV_") for name in os.environ):
        return None
    name = os.path.basename(os.path.realpath(sys.argv[0]))
    path = os.path.join(os.path.expanduser("~/.shiv"), f"{{name}}_{build_id}", "site-packages")
    return path if os.path.isdir(path) else None


site_packages = _unpacked()
if site_packages is None:
    import _bootstrap

    _bootstrap.bootstrap()
else:
    length = len(sys.path)
    index = next(
        (i for i, p in enumerate(sys.path) if os.path.splitext(os.path.basename(p))[0] in _SITE_DIRS), None
    ) or length
    before = list(sys.path)
    site.addsitedir(site_packages)
    sys.path[:] = sys.path[:index] + sys.path[length:] + sys.path[index:length]
    paths = os.environ["PYTHONPATH"].split(os.pathsep) if "PYTHONPATH" in os.environ else []
    paths += [p for p in sys.path if p not in before]
    os.environ["PYTHONPATH"] = os.pathsep.join(sorted(set(paths), key=paths.index))
    archive = sys.argv[0]
    {drop_archive}

    from {module} import {function}

    sys.exit({function}())
"""


def build(output: Path) -> Path:
    """Install this project into a scratch site-packages, leave out what no pocketlite process
    imports, and pack that with shiv; returns the path of the pyz."""
    output.parent.mkdir(parents=True, exist_ok=True)
    # From a scratch copy: setuptools builds in the source's build/ dir, and a leftover of an
    # earlier build there (or a second build at the same time) breaks the next one.
    with tempfile.TemporaryDirectory(prefix="pocketlite-pyz-") as scratch:
        source, site_packages = Path(scratch) / "source", Path(scratch) / "site-packages"
        for name in SOURCES:
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                source.mkdir(exist_ok=True)
                shutil.copy2(ROOT / name, source / name)
        _install(source, site_packages)
        for distribution in UNUSED:
            _remove(site_packages, distribution)
        _prune(site_packages)
        preamble = Path(scratch) / "pocketlite_preamble.py"
        preamble.write_text(_PREAMBLE)
        _shiv(output, site_packages, preamble)
    _write_main(output)
    return output


def _install(source: Path, site_packages: Path) -> None:
    """pip-install the project and its dependencies into `site_packages`."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--disable-pip-version-check",
            "install",
            "--quiet",
            "--target",
            str(site_packages),
            str(source),
        ],
        check=True,
        cwd=source,
    )


def _remove(site_packages: Path, distribution: str) -> None:
    """Delete the files of an installed distribution (its RECORD lists them), if it is there."""
    for dist_info in site_packages.glob(f"{distribution}-*.dist-info"):
        for line in (dist_info / "RECORD").read_text().splitlines():
            # Console scripts are recorded relative to a lib/pythonX.Y/site-packages dir.
            path = line.rsplit(",", 2)[0].replace("../../bin/", "bin/", 1)
            (site_packages / path).unlink(missing_ok=True)
        shutil.rmtree(dist_info)


def _prune(site_packages: Path) -> None:
    """Delete the directories the removals left without a file but bytecode caches."""
    for directory in sorted(site_packages.rglob("*"), reverse=True):  # children before parents
        if directory.is_dir() and all(child.name == "__pycache__" for child in directory.iterdir()):
            shutil.rmtree(directory)


def _shiv(output: Path, site_packages: Path, preamble: Path) -> None:
    python = f"/usr/bin/env python{sys.version_info.major}.{sys.version_info.minor}"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "shiv",
            "--site-packages",
            str(site_packages),
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
            "--preamble",
            str(preamble),
        ],
        check=True,
    )


def _write_main(pyz: Path) -> None:
    """Put `_MAIN` in place of shiv's `__main__.py`, keeping every other entry (and its date) as
    shiv wrote it."""
    with zipfile.ZipFile(pyz) as packed:
        entries = [(info, packed.read(info)) for info in packed.infolist()]
        environment = json.loads(packed.read("environment.json"))
    module, function = environment["entry_point"].split(":")
    main = _MAIN.format(
        build_id=environment["build_id"], drop_archive=_DROP_ARCHIVE, module=module, function=function
    )
    shebang = pyz.read_bytes().split(b"\n", 1)[0] + b"\n"
    rewritten = pyz.with_suffix(".tmp")
    with rewritten.open("wb") as file:
        file.write(shebang)
        with zipfile.ZipFile(file, "w") as out:
            for info, data in entries:
                out.writestr(info, main.encode() if info.filename == "__main__.py" else data)
    rewritten.chmod(pyz.stat().st_mode)
    rewritten.replace(pyz)


def main() -> None:
    """Command line entry: `--output` picks the file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "dist" / "pocketlite.pyz")
    args = parser.parse_args()
    path = build(args.output)
    print(f"built {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
