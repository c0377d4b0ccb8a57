"""pocketlite: a PocketBase-compatible backend in one file."""

from __future__ import annotations

__all__ = ["POCKETBASE_VERSION", "__version__"]

__version__ = "0.1.0"

# The PocketBase release whose wire protocol pocketlite speaks.
POCKETBASE_VERSION = "0.40.6"
