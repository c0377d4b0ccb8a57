"""The Litestar application and the ASGI factory granian workers load."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import msgspec
from litestar import Litestar
from litestar.datastructures import State

from pocketlite.apis import (
    CONFIG_ENV,
    auth_methods,
    batch,
    collections,
    files,
    health,
    oauth2_redirect,
    realtime,
    record_auth,
    record_auth_mail,
    record_oauth2,
    record_otp,
    records,
    settings,
    static,
    updates,
)
from pocketlite.apis.errors import EXCEPTION_HANDLERS
from pocketlite.apis.middlewares import ASGIApp, cors_and_headers, load_auth
from pocketlite.app import App, Config

__all__ = ["asgi_from_env", "create_asgi"]

# PocketBase's default body limit (admin-apis.md §11).
MAX_BODY_SIZE = 32 << 20


def create_litestar(app: App) -> Litestar:
    """The route table and error handling, bound to `app`."""

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await app.start()
        try:
            yield
        finally:
            await app.stop()

    return Litestar(
        route_handlers=[
            health.health,
            *collections.ROUTES,
            *records.ROUTES,
            *batch.ROUTES,
            *record_auth.ROUTES,
            *auth_methods.ROUTES,
            *record_oauth2.ROUTES,
            *record_otp.ROUTES,
            *record_auth_mail.ROUTES,
            *settings.ROUTES,
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


def create_asgi(config: Config) -> ASGIApp:
    """The full ASGI stack for one process: global middlewares around Litestar."""
    app = App(config)
    litestar: ASGIApp = create_litestar(app)  # type: ignore[assignment]
    return cors_and_headers(load_auth(litestar, app), config.origins)


def asgi_from_env() -> ASGIApp:
    """granian's factory target: the config comes from `$POCKETLITE_CONFIG`."""
    config = msgspec.json.decode(os.environ.get(CONFIG_ENV, "{}"), type=Config)
    logging.basicConfig(level=logging.DEBUG if config.dev else logging.INFO, format="%(asctime)s %(message)s")
    return create_asgi(config)
