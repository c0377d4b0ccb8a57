"""The Litestar application and the ASGI factory granian workers load."""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import msgspec
from litestar import Litestar
from litestar.datastructures import State
from litestar.plugins import PluginProtocol
from litestar.plugins.core import MsgspecDIPlugin

from pocketlite.apis import (
    CONFIG_ENV,
    RESTART_SIGNAL,
    auth_methods,
    backups,
    batch,
    collections,
    crons,
    files,
    health,
    logs,
    oauth2_redirect,
    realtime,
    record_auth,
    record_auth_mail,
    record_oauth2,
    record_otp,
    records,
    settings,
    sql,
    static,
    updates,
)
from pocketlite.apis.dispatch import dispatch
from pocketlite.apis.errors import EXCEPTION_HANDLERS
from pocketlite.apis.middlewares import ASGIApp, cors_and_headers, load_auth
from pocketlite.apis.rate_limits import rate_limit
from pocketlite.apis.request_log import request_log
from pocketlite.apis.superuser_ips import superuser_ips
from pocketlite.apis.user_routes import user_routes
from pocketlite.app import App, Config
from pocketlite.core.events import ServeEvent
from pocketlite.plugins.migratecmd import bind_automigrate
from pocketlite.plugins.pyhooks import HooksLoader
from pocketlite.tools.logline import describe, log_line

__all__ = ["asgi_from_env", "configure_logging", "create_asgi"]

# PocketBase's default body limit (admin-apis.md §11).
MAX_BODY_SIZE = 32 << 20

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _end_streams_on_stop_signal(app: App) -> None:
    """Disconnect the realtime clients as soon as SIGINT or SIGTERM arrives. granian drains
    the open connections before it runs the lifespan shutdown, and a realtime stream never
    ends by itself: without this a stop would wait for every stream's idle timeout. As
    PocketBase cancels its requests' base context when it terminates."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(signum)

        # The server's own stop handler (granian's in a worker process, the CLI's when serving
        # in process) was added with `loop.add_signal_handler`, which the loop runs from its
        # wakeup fd whatever the Python-level handler is; chaining to `previous` keeps that
        # level intact too.
        def handler(sig: int, frame: FrameType | None, previous: Any = previous) -> None:
            loop.call_soon_threadsafe(app.realtime.close)
            if callable(previous):
                previous(sig, frame)

        signal.signal(signum, handler)


def _exit_with_parent() -> None:
    """A granian worker must not outlive the server process: SIGKILLed, that one can't stop its
    workers, which would go on holding the port. Linux kills the worker when the parent dies.

    NB: SIGKILL, not a graceful SIGTERM: a worker stopped while granian is starting or stopping
    can deadlock on the GIL (seen: every thread waiting on a futex), and then no Python-level
    handler or watchdog thread ever runs; with its parent gone, nothing else would end it. The
    graceful stop stays what the server process does on SIGINT/SIGTERM."""
    parent = multiprocessing.parent_process()
    if parent is None or sys.platform != "linux":
        return
    # Until granian sets up this worker's loop, SIGTERM must end it outright: a forked worker
    # inherits the main process's handler, which would only flag the dead parent's loop.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent.pid:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGKILL)


class _Litestar(Litestar):
    """Litestar with msgspec only. Litestar adds its pydantic and attrs plugins whenever the
    interpreter can import those libraries — from the host's site-packages too, under the pyz —
    which cost ~80 ms of start and several MiB for models pocketlite never uses."""

    @staticmethod
    def _get_default_plugins(plugins: list[PluginProtocol]) -> list[PluginProtocol]:
        plugins.append(MsgspecDIPlugin())
        return plugins


def create_litestar(app: App) -> Litestar:
    """The route table and error handling, bound to `app`."""

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        loader = HooksLoader(app, Path(app.config.hooks_dir)) if app.config.hooks_dir else None
        try:
            if loader is not None:
                loader.activate(loader.load())
            await app.start()
            if app.config.automigrate and app.config.migrations_dir:
                bind_automigrate(app, Path(app.config.migrations_dir))
            await app.on_serve.trigger(ServeEvent(app, app.router), _nothing)
        except Exception as exc:
            # granian exits without a word when a worker's startup fails (its log is off
            # unless --dev): say why, in the CLI's one-line format.
            print(log_line(f"server worker failed to start: {describe(exc)}"), file=sys.stderr)
            raise
        app.start_cron()
        _end_streams_on_stop_signal(app)
        # What start-up built (modules, routes, the schema) lives as long as the process: out
        # of the collector's sight, a full collection no longer walks it (pauses felt in the
        # realtime fan-out's tail latency).
        gc.freeze()
        watcher = (
            asyncio.get_running_loop().create_task(loader.watch())
            if loader is not None and app.config.hooks_watch
            else None
        )
        try:
            yield
        finally:
            if watcher is not None:
                watcher.cancel()
            await app.stop()

    return _Litestar(
        route_handlers=[
            health.health,
            *collections.ROUTES,
            *crons.ROUTES,
            *records.ROUTES,
            *batch.ROUTES,
            *record_auth.ROUTES,
            *auth_methods.ROUTES,
            *record_oauth2.ROUTES,
            *record_otp.ROUTES,
            *record_auth_mail.ROUTES,
            *settings.ROUTES,
            *sql.ROUTES,
            *backups.ROUTES,
            *logs.ROUTES,
            *realtime.ROUTES,
            *oauth2_redirect.ROUTES,
            *updates.ROUTES,
            *files.ROUTES,
            *static.ROUTES,
        ],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=[lifespan],
        state=State({"app": app}),
        request_max_body_size=MAX_BODY_SIZE,
        openapi_config=None,
        debug=False,
    )


def create_asgi(config: Config, restarter: Callable[[], None] | None = None) -> ASGIApp:
    """The full ASGI stack for one process: global middlewares around the routes hook code
    added, around Litestar. `restarter` is how its app asks for a restart in place."""
    app = App(config)
    app.restarter = restarter
    litestar = create_litestar(app)
    inner = dispatch(litestar)
    return request_log(
        cors_and_headers(
            load_auth(superuser_ips(rate_limit(user_routes(inner, app, litestar), app), app), app),
            config.origins,
        ),
        app,
    )


async def _nothing(_: object) -> None:
    return None


def configure_logging(config: Config) -> None:
    """The log format of a serving process (the app logs failed requests with their cause)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if config.dev:
        # Only ours: aiosqlite's DEBUG is a line per query.
        logging.getLogger("pocketlite").setLevel(logging.DEBUG)


def asgi_from_env() -> ASGIApp:
    """granian's factory target, run in each worker: the config comes from `$POCKETLITE_CONFIG`."""
    _exit_with_parent()
    config = msgspec.json.decode(os.environ.get(CONFIG_ENV, "{}"), type=Config)
    configure_logging(config)
    return create_asgi(config, _restart_server)


def _restart_server() -> None:
    """Ask the server's main process (this worker's parent) for a restart in place."""
    os.kill(os.getppid(), RESTART_SIGNAL)
