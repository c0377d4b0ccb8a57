"""Fixtures of the unit tests that need a running app on a real data dir."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pocketlite.app import App, Config


@pytest.fixture()
async def app(tmp_path: Path) -> AsyncIterator[App]:
    """An App started on an empty data dir (system migrations applied)."""
    running = App(Config(data_dir=str(tmp_path / "pb_data")))
    await running.start()
    yield running
    await running.stop()
