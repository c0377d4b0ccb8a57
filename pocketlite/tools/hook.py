"""The hook primitive (DESIGN.md principle 3; spec/hooks.md §1 and §5.2): an ordered chain of
async handlers over one event, with the core action passed as the last link.

A handler is `async def handler(e)`. Code before `await e.next()` runs before the rest of the
chain, code after it runs after. Errors are exceptions: raising without calling `next()` vetoes
(the exception goes back to whoever triggered the hook); returning without calling it replaces
everything later in the chain, the core action included; `await e.next()` raises whatever a
later link raised, to be passed on, swallowed or swapped with `try/except`.

Handlers run by priority, lowest first, equal priorities in the order they were bound; binding
an id that is already bound replaces that handler in place. A trigger runs over a copy of the
chain, so binding or unbinding during a trigger only changes later ones.
"""

from __future__ import annotations

import inspect
import secrets
from collections.abc import Awaitable, Callable, Generator, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = ["Event", "Handler", "Hook", "HookError", "TaggedHook"]

_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_ID_LENGTH = 20


class HookError(RuntimeError):
    """A handler misused the chain (called `e.next()` without awaiting it)."""


class _Next:
    """What `e.next()` returns: the rest of the chain, run when awaited. It remembers whether it
    was, so that a forgotten `await` is an error naming the handler, not a silently skipped
    core action."""

    __slots__ = ("awaited", "run")

    def __init__(self, run: Callable[[], Awaitable[None]] | None) -> None:
        self.run = run
        self.awaited = False

    def __await__(self) -> Generator[Any, None, None]:
        self.awaited = True
        if self.run is not None:
            yield from self.run().__await__()


class Event:
    """What a hook's handlers receive; subclasses carry the fields of their hook."""

    _continuation: Callable[[], Awaitable[None]] | None = None
    _pending: _Next | None = None

    def next(self) -> _Next:
        """The rest of the chain, to be awaited (nothing is left after the last link)."""
        pending = _Next(self._continuation)
        self._pending = pending
        return pending

    def tags(self) -> tuple[str, ...]:
        """What tagged hooks match this event on (a record's collection name and id, …)."""
        return ()


E = TypeVar("E", bound=Event)
HandlerFunc = Callable[[E], Awaitable[None]]


@dataclass
class Handler(Generic[E]):
    """A function in a hook's chain; a random id is given when bound without one. With `when`,
    it joins the chain only for the events `when` accepts (tags; built-in reactions with
    nothing to do): the others don't pay for a link that would only pass them on."""

    func: HandlerFunc[E]
    id: str = ""
    priority: int = 0
    when: Callable[[E], bool] | None = None


class Hook(Generic[E]):
    """The handlers of one kind of event. Calling a tagged hook with tags gives the view whose
    handlers run only for matching events: `app.on_record_create("posts").bind_func(...)`."""

    def __init__(self, *, tagged: bool = False) -> None:
        self._handlers: list[Handler[E]] = []
        self.tagged = tagged

    def __call__(self, *tags: str) -> TaggedHook[E]:
        if tags and not self.tagged:
            raise TypeError("this hook takes no tags: its events are not about a collection")
        return TaggedHook(self, tags)

    def bind(self, handler: Handler[E]) -> str:
        """Add `handler` to the chain (replacing the one with its id); returns its id."""
        _require_async(handler.func)
        handler_id = handler.id or _new_id({h.id for h in self._handlers})
        bound = Handler(handler.func, handler_id, handler.priority, handler.when)
        at = next((i for i, h in enumerate(self._handlers) if h.id == handler_id), None)
        handlers = list(self._handlers)
        if at is None:
            handlers.append(bound)
        else:
            handlers[at] = bound
        handlers.sort(key=lambda h: h.priority)  # stable: equal priorities keep their order
        self._handlers = handlers  # a new list: running triggers keep the one they copied
        return handler_id

    def bind_func(self, func: HandlerFunc[E]) -> str:
        """Add `func` with a new id and priority 0; returns the id."""
        return self.bind(Handler(func))

    def unbind(self, *ids: str) -> None:
        """Remove the handlers with these ids (unknown ids are ignored)."""
        self._handlers = [h for h in self._handlers if h.id not in ids]

    def unbind_all(self) -> None:
        """Remove every handler."""
        self._handlers = []

    def __len__(self) -> int:
        return len(self._handlers)

    def ids(self) -> list[str]:
        """The ids of the bound handlers, in chain order."""
        return [h.id for h in self._handlers]

    async def trigger(self, event: E, *one_off: HandlerFunc[E]) -> None:
        """Run the bound handlers, then `one_off` (the core action last), over `event`.

        NB: as PocketBase, one event may pass through nested triggers (a model save wraps its
        execute step): the continuation of the outer chain is set aside and restored after."""
        chain = [h.func for h in self._handlers if h.when is None or h.when(event)]
        if not chain and len(one_off) == 1:
            # The usual case, no handler for this event: just the core action (our own code,
            # which never calls `e.next()`), without the chain's bookkeeping.
            await one_off[0](event)
            return
        chain.extend(one_off)
        outer = event._continuation, event._pending
        try:
            event._continuation = _link(chain, 0, event)
            await event.next()
        finally:
            event._continuation, event._pending = outer


def _link(chain: list[HandlerFunc[E]], at: int, event: E) -> Callable[[], Awaitable[None]] | None:
    if at == len(chain):
        return None

    async def run() -> None:
        event._continuation = _link(chain, at + 1, event)
        await _run(chain[at], event)

    return run


async def _run(func: HandlerFunc[E], event: E) -> None:
    # The `next()` of the handler whose `await e.next()` runs this one, set aside meanwhile.
    awaiting = event._pending
    event._pending = None
    try:
        await func(event)
        pending = event._pending
        if pending is not None and not pending.awaited:
            raise HookError(f"{_name(func)} called e.next() without awaiting it")
    finally:
        event._pending = awaiting


class TaggedHook(Generic[E]):
    """A view of `hook` whose handlers run only for events carrying one of `tags` (every event
    when there are none); for other events they just pass on to the next link."""

    def __init__(self, hook: Hook[E], tags: Iterable[str] = ()) -> None:
        self.hook = hook
        self.tags = tuple(tags)

    def matches(self, event: E) -> bool:
        """Whether this view's handlers run for `event` (exact, case-sensitive tags)."""
        return not self.tags or any(tag in self.tags for tag in event.tags())

    def bind(self, handler: Handler[E]) -> str:
        """Bind `handler` on the hook, for the events carrying one of this view's tags; returns
        its id."""
        _require_async(handler.func)
        if not self.tags:
            return self.hook.bind(handler)
        own = handler.when
        if own is None:
            when: Callable[[E], bool] = self.matches
        else:

            def when(event: E) -> bool:
                return self.matches(event) and own(event)

        return self.hook.bind(Handler(handler.func, handler.id, handler.priority, when))

    def bind_func(self, func: HandlerFunc[E]) -> str:
        """Bind `func` with a new id and priority 0; returns the id."""
        return self.bind(Handler(func))

    def unbind(self, *ids: str) -> None:
        """Remove handlers of the underlying hook by id."""
        self.hook.unbind(*ids)

    def __len__(self) -> int:
        return len(self.hook)


def _require_async(func: Callable[..., Any]) -> None:
    if not inspect.iscoroutinefunction(func):  # `functools.partial`s of one count too
        raise TypeError(f"hook handlers must be async functions: {_name(func)}")


def _name(func: Callable[..., Any]) -> str:
    return getattr(func, "__qualname__", None) or repr(func)


def _new_id(taken: set[str]) -> str:
    while True:
        candidate = "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))
        if candidate not in taken:
            return candidate
