"""`python -m pocketlite` runs the CLI."""

from __future__ import annotations

import sys

from pocketlite.cli import main

sys.exit(main())
