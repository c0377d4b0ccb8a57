"""Loading `pb_hooks/*.py` (spec/hooks.md §5.3, §5.8).

The top-level `*.py` files of the hooks dir, except names starting with `_`, are imported in
name order as modules of a package named `pb_hooks` (so helpers in subfolders or `_*.py` files
import as `pb_hooks.lib.x` or relatively). `pb_hooks/_vendor/`, when present, goes on
`sys.path`: `pip install --target pb_hooks/_vendor PKG` makes a package importable even from
the `.pyz`. `*.pb.js` files are PocketBase's JS hooks, which pocketlite doesn't run (the
CLI says so).

A load builds a `Generation` (what the decorators registered) without touching the running
app; `activate` swaps it in with no `await` in between, so every hook trigger and route lookup
sees either the old generation or the new one whole. A reload that fails to import keeps the
old generation and logs why.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import sys
import traceback
import types
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pocketlite import hooks
from pocketlite.core.base import Core
from pocketlite.core.events import BootstrapEvent, ServeEvent, TerminateEvent
from pocketlite.tools.hook import Handler, Hook

__all__ = ["HooksError", "HooksLoader"]

_log = logging.getLogger("pocketlite")

PACKAGE = "pb_hooks"
# How often the watcher looks for changed files, and how long changes must settle.
_POLL_SECONDS = 0.25


class HooksError(Exception):
    """The hooks files could not be loaded; the message says where and why."""


async def _nothing(_: Any) -> None:
    return None


class HooksLoader:
    """The hooks of one app from one directory: load, swap in, and reload on change."""

    def __init__(self, app: Core, directory: Path) -> None:
        self.app = app
        self.directory = directory
        self.active: hooks.Generation | None = None
        self._vendor_added = False

    # --- loading ---------------------------------------------------------------------------------

    def files(self) -> list[Path]:
        """The entry files, in load order."""
        if not self.directory.is_dir():
            return []
        return sorted(
            p
            for p in self.directory.iterdir()
            if p.suffix == ".py" and p.is_file() and not p.name.startswith("_")
        )

    def load(self) -> hooks.Generation:
        """Import the hooks files into a new generation (`HooksError` when one fails)."""
        generation = hooks.Generation(self.app)
        self._prepare_package()
        hooks.begin(generation)
        try:
            for path in self.files():
                try:
                    importlib.import_module(f"{PACKAGE}.{path.stem}")
                except Exception as exc:
                    detail = "".join(traceback.format_exception(exc)).rstrip()
                    raise HooksError(f"failed to load {path}:\n{detail}") from exc
        finally:
            hooks.end()
        return generation

    def _prepare_package(self) -> None:
        # A new package object each load: the previous generation keeps its own modules.
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]
        package = types.ModuleType(PACKAGE)
        package.__path__ = [str(self.directory)]
        package.__file__ = str(self.directory / "__init__.py")
        sys.modules[PACKAGE] = package
        importlib.invalidate_caches()
        vendor = self.directory / "_vendor"
        if vendor.is_dir() and not self._vendor_added:
            sys.path.insert(0, str(vendor))
            self._vendor_added = True

    # --- swapping in -----------------------------------------------------------------------------

    def activate(self, generation: hooks.Generation) -> hooks.Generation | None:
        """Make `generation` the running one; returns the one it replaced. No `await` here:
        other tasks see the old bindings or the new ones, never a mix."""
        old = self.active
        app = self.app
        if old is not None:
            for hook_name, handler_id in old.bound_ids:
                app.hook(hook_name).unbind(handler_id)
            for job_id in old.jobs:
                app.cron.remove(job_id)
        for binding in generation.bindings:
            handler_id = app.hook(binding.hook)(*binding.tags).bind(binding.handler)
            generation.bound_ids.append((binding.hook, handler_id))
        for job_id in generation.removed_jobs:
            app.cron.remove(job_id)
        for job_id, (expression, func) in generation.jobs.items():
            app.cron.add(job_id, expression, _job(app, func))
        app.router = generation.router
        self.active = generation
        hooks.begin(generation)  # `hooks.app` for code running later
        hooks.end()
        return old

    # --- reloading on change -----------------------------------------------------------------------

    async def watch(self) -> None:
        """Reload whenever a file under the hooks dir changes (until cancelled)."""
        seen = self._snapshot()
        while True:
            await asyncio.sleep(_POLL_SECONDS)
            current = self._snapshot()
            if current == seen:
                continue
            # Let an editor's burst of writes settle before importing.
            await asyncio.sleep(_POLL_SECONDS)
            seen = self._snapshot()
            await self.reload()

    async def reload(self) -> bool:
        """Load again and swap the new generation in; on failure keep the running one."""
        try:
            generation = self.load()
        except HooksError as exc:
            _log.error("pb_hooks reload failed, the previous hooks keep running: %s", exc)
            return False
        old = self.activate(generation)
        if old is not None:
            await _run_own(old, "on_terminate", TerminateEvent(self.app, is_restart=True))
        await _run_own(generation, "on_bootstrap", BootstrapEvent(self.app))
        await _run_own(generation, "on_serve", ServeEvent(self.app, generation.router))
        _log.info("pb_hooks reloaded (%d files)", len(self.files()))
        return True

    def _snapshot(self) -> dict[str, float]:
        stamps: dict[str, float] = {}
        if not self.directory.is_dir():
            return stamps
        for root, dirs, files in os.walk(self.directory):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d not in ("__pycache__", "_vendor")]
            for name in files:
                path = os.path.join(root, name)
                try:
                    stamps[path] = os.stat(path).st_mtime_ns
                except OSError:
                    continue
        return stamps


def _job(app: Core, func: Callable[[Core], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await func(app)

    return run


async def _run_own(generation: hooks.Generation, hook_name: str, event: Any) -> None:
    """Run only `generation`'s handlers of a lifecycle hook (a reload re-runs setup code)."""
    own: Hook[Any] = Hook()
    for binding in generation.bindings:
        if binding.hook == hook_name:
            own.bind(Handler(binding.handler.func, binding.handler.id, binding.handler.priority))
    if len(own):
        try:
            await own.trigger(event, _nothing)
        except Exception:
            _log.exception("%s handler failed during the pb_hooks reload", hook_name)
