"""What `pb_hooks/*.py` files import (spec/hooks.md §5.3): decorators that bind hook handlers,
routes, middlewares and cron jobs into the app being loaded, and `hooks.app`, the running app.

```python
from pocketlite import hooks
from pocketlite.hooks import BadRequestError, RecordRequestEvent

@hooks.on_record_create_request("posts")
async def stamp_author(e: RecordRequestEvent) -> None:
    if e.auth is None:
        raise BadRequestError("Sign in to post.")
    e.record.set("author", e.auth.id)
    await e.next()
```

Every hook `on_x` of PocketBase is `hooks.on_x(*tags, id="", priority=0)`, always called with
parentheses. The decorators return the function unchanged. They only work while the hooks are
loading (`RuntimeError` otherwise): a reload builds a whole new set of bindings and swaps it in.
A plain (not async) handler runs in a worker thread and the chain goes on after it returns.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pocketlite.core.errors import (
    ApiError,
    BadRequestError,
    ForbiddenError,
    InternalServerError,
    NotFoundError,
    TooManyRequestsError,
    UnauthorizedError,
    ValidationError,
    ValidationErrors,
)
from pocketlite.core.events import (
    BackupEvent,
    BootstrapEvent,
    CollectionErrorEvent,
    CollectionEvent,
    MailerEvent,
    MailerRecordEvent,
    ModelErrorEvent,
    ModelEvent,
    RecordErrorEvent,
    RecordEvent,
    ServeEvent,
    SettingsReloadEvent,
    TerminateEvent,
)
from pocketlite.core.record import Record
from pocketlite.core.request_events import (
    BatchRequestEvent,
    CollectionRequestEvent,
    CollectionsImportRequestEvent,
    CollectionsListRequestEvent,
    RecordAuthRequestEvent,
    RecordAuthWithOAuth2RequestEvent,
    RecordAuthWithOTPRequestEvent,
    RecordAuthWithPasswordRequestEvent,
    RecordCreateOTPRequestEvent,
    RecordEmailChangeRequestEvent,
    RecordRequestEvent,
    RecordsListRequestEvent,
    RequestEvent,
    SettingsListRequestEvent,
    SettingsUpdateRequestEvent,
)
from pocketlite.core.route_guards import (
    require_auth,
    require_guest_only,
    require_same_collection_context_auth,
    require_superuser_auth,
    require_superuser_or_owner_auth,
)
from pocketlite.core.routes import Group, Router
from pocketlite.tools.cron import Schedule
from pocketlite.tools.hook import Handler
from pocketlite.tools.mailer import Address
from pocketlite.tools.mailer import Message as MailerMessage

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = [
    "Address",
    "ApiError",
    "BackupEvent",
    "BadRequestError",
    "BatchRequestEvent",
    "BootstrapEvent",
    "CollectionErrorEvent",
    "CollectionEvent",
    "CollectionRequestEvent",
    "CollectionsImportRequestEvent",
    "CollectionsListRequestEvent",
    "ForbiddenError",
    "Generation",
    "InternalServerError",
    "MailerEvent",
    "MailerMessage",
    "MailerRecordEvent",
    "Middleware",
    "ModelErrorEvent",
    "ModelEvent",
    "NotFoundError",
    "Record",
    "RecordAuthRequestEvent",
    "RecordAuthWithOAuth2RequestEvent",
    "RecordAuthWithOTPRequestEvent",
    "RecordAuthWithPasswordRequestEvent",
    "RecordCreateOTPRequestEvent",
    "RecordEmailChangeRequestEvent",
    "RecordErrorEvent",
    "RecordEvent",
    "RecordRequestEvent",
    "RecordsListRequestEvent",
    "RequestEvent",
    "ServeEvent",
    "SettingsListRequestEvent",
    "SettingsReloadEvent",
    "SettingsUpdateRequestEvent",
    "TerminateEvent",
    "TooManyRequestsError",
    "UnauthorizedError",
    "ValidationError",
    "ValidationErrors",
    "cron",
    "cron_remove",
    "group",
    "middleware",
    "require_auth",
    "require_guest_only",
    "require_same_collection_context_auth",
    "require_superuser_auth",
    "require_superuser_or_owner_auth",
    "route",
    "router_use",
    "spawn",
]

F = TypeVar("F", bound=Callable[..., Any])

# A middleware: an async function over the `RequestEvent` with an id and a priority.
Middleware = Handler[RequestEvent]


@dataclass
class Binding:
    """A handler a hooks file bound: which hook, which tags, and the handler."""

    hook: str
    tags: tuple[str, ...]
    handler: Handler[Any]


@dataclass
class Generation:
    """Everything one load of the hooks files registered."""

    app: Core
    bindings: list[Binding] = field(default_factory=list)
    router: Router = field(default_factory=Router)
    jobs: dict[str, tuple[str, Callable[[Core], Awaitable[None]]]] = field(default_factory=dict)
    removed_jobs: set[str] = field(default_factory=set)
    bound_ids: list[tuple[str, str]] = field(default_factory=list)  # (hook, id) once active


_loading: Generation | None = None
# The app of this process, once hooks loaded (for `hooks.app` and `spawn` at run time).
_app: Core | None = None


def begin(generation: Generation) -> None:
    """Let the decorators register into `generation` (the loader calls this)."""
    global _loading, _app
    _loading = generation
    _app = generation.app


def end() -> None:
    """Loading is over: the decorators refuse until the next load."""
    global _loading
    _loading = None


def _current() -> Generation:
    if _loading is None:
        raise RuntimeError("pocketlite.hooks decorators work only while pb_hooks files load")
    return _loading


def __getattr__(name: str) -> Any:
    if name == "app":
        if _app is None:
            raise RuntimeError("no app: pocketlite.hooks.app is set once the hooks load")
        return _app
    if name.startswith("on_"):
        return functools.partial(_hook_decorator, name)
    raise AttributeError(f"module 'pocketlite.hooks' has no attribute {name!r}")


def _hook_decorator(name: str, *tags: str, id: str = "", priority: int = 0) -> Callable[[F], F]:
    generation = _current()
    hook = generation.app.hook(name)  # an unknown name fails here, at the decorator line
    if tags and not hook.tagged:
        raise TypeError(f"{name} takes no tags: its events are not about a collection")

    def bind(func: F) -> F:
        generation.bindings.append(Binding(name, tags, Handler(as_handler(func), id, priority)))
        return func

    return bind


def as_handler(func: Callable[..., Any]) -> Callable[[Any], Awaitable[None]]:
    """`func` as an async handler: a plain function runs in a worker thread, then the chain
    goes on."""
    if inspect.iscoroutinefunction(func):
        return func

    async def in_thread(e: Any) -> None:
        await asyncio.to_thread(func, e)
        await e.next()

    in_thread.__qualname__ = getattr(func, "__qualname__", repr(func))
    return in_thread


def route(method: str, path: str, *middlewares: Middleware | Callable[..., Any]) -> Callable[[F], F]:
    """Add a route (PocketBase's `routerAdd`): `path` in Go's ServeMux syntax; the handler
    answers through `e.json(...)` and its siblings."""
    router = _current().router

    def add(func: F) -> F:
        router.route(method, path, as_handler(func), *(_middleware(m) for m in middlewares))
        return func

    return add


def group(prefix: str, *middlewares: Middleware | Callable[..., Any]) -> Group:
    """A group of routes under `prefix` with shared middlewares (`.route()`, `.get()`, …)."""
    return _current().router.group(prefix, *(_middleware(m) for m in middlewares))


def router_use(*middlewares: Middleware | Callable[..., Any]) -> None:
    """Middlewares for every route the hooks add (PocketBase's `routerUse`)."""
    _current().router.bind(*(_middleware(m) for m in middlewares))


def middleware(id: str = "", priority: int = 0) -> Callable[[Callable[..., Any]], Middleware]:
    """Make a function a middleware with an id (to unbind it by) and a priority."""

    def wrap(func: Callable[..., Any]) -> Middleware:
        return Handler(as_handler(func), id, priority)

    return wrap


def _middleware(value: Middleware | Callable[..., Any]) -> Middleware:
    return value if isinstance(value, Handler) else Handler(as_handler(value))


def cron(job_id: str, expression: str) -> Callable[[F], F]:
    """Run `async def job(app)` on a schedule (5 fields or a macro, UTC)."""
    generation = _current()
    Schedule.parse(expression)  # a bad expression fails at the decorator's line

    def add(func: F) -> F:
        if not inspect.iscoroutinefunction(func):
            raise TypeError(f"cron jobs must be async functions: {func.__qualname__}")
        generation.jobs[job_id] = (expression, func)
        return func

    return add


def cron_remove(job_id: str) -> None:
    """Remove a job (a built-in one too) from the schedule."""
    generation = _current()
    generation.jobs.pop(job_id, None)
    generation.removed_jobs.add(job_id)


def spawn(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """Run `coro` in the background, outside any transaction and off the request path; the
    server waits for it (a while) before it stops, and logs what it raises."""
    if _app is None:
        raise RuntimeError("no app to spawn on")
    return _app.spawn(coro)
