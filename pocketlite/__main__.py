"""`python -m pocketlite` runs the CLI."""

from __future__ import annotations

from pocketlite.cli import main

main()
