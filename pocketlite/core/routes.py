"""Routes that hook code adds (spec/hooks.md §3.1-3.2): PocketBase's route table, free of any
web framework. Paths follow Go's `ServeMux` patterns: `{name}` matches one segment,
`{name...}` the rest of the path (last segment only), `{$}` anchors the end, and a trailing `/`
matches the whole subtree. The most specific pattern wins; two patterns that match the same
requests without either being more specific are refused when added.

A route's handler runs as the last link of a chain of middlewares (`Handler`s over the
`RequestEvent`): the router's, then each enclosing group's, then the route's own, sorted by
priority. A group or route can `unbind` an inherited middleware by id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from pocketlite.core.request_events import RequestEvent
from pocketlite.tools.hook import Handler, Hook

__all__ = ["Group", "Route", "RouteConflictError", "Router"]

RouteFunc = Callable[[RequestEvent], Awaitable[None]]
Middleware = Handler[RequestEvent]

_METHODS = ("", "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "SEARCH")


class RouteConflictError(ValueError):
    """Two routes would match the same requests and neither is more specific."""


@dataclass(frozen=True)
class _Segment:
    kind: str  # "lit", "one" ({name}), "rest" ({name...})
    value: str  # the literal text, or the wildcard's name


@dataclass(frozen=True)
class _Pattern:
    segments: tuple[_Segment, ...]
    subtree: bool  # a trailing "/": the path may go on

    @classmethod
    def parse(cls, path: str) -> _Pattern:
        if not path.startswith("/"):
            raise ValueError(f"route path {path!r} must start with /")
        parts = path[1:].split("/")
        subtree = False
        if parts[-1] == "":
            parts.pop()
            subtree = True
        elif parts[-1] == "{$}":
            parts.pop()
        segments: list[_Segment] = []
        for i, part in enumerate(parts):
            if part.startswith("{") and part.endswith("}"):
                name = part[1:-1]
                if name.endswith("..."):
                    if i != len(parts) - 1:
                        raise ValueError(f"{{{name}}} must be the last segment of {path!r}")
                    segments.append(_Segment("rest", name[:-3]))
                    subtree = False
                elif name.isidentifier():
                    segments.append(_Segment("one", name))
                else:
                    raise ValueError(f"bad wildcard {part!r} in {path!r}")
            elif "{" in part or "}" in part:
                raise ValueError(f"bad segment {part!r} in {path!r}")
            else:
                segments.append(_Segment("lit", unquote(part)))
        return cls(tuple(segments), subtree)

    def match(self, parts: list[str]) -> dict[str, str] | None:
        values: dict[str, str] = {}
        for i, segment in enumerate(self.segments):
            if segment.kind == "rest":
                values[segment.value] = "/".join(parts[i:])
                return values
            if i >= len(parts):
                return None
            if segment.kind == "lit":
                if parts[i] != segment.value:
                    return None
            elif parts[i] == "":
                return None
            else:
                values[segment.value] = parts[i]
        if len(parts) == len(self.segments) or (self.subtree and len(parts) >= len(self.segments)):
            return values
        return None

    def rank(self) -> tuple[Any, ...]:
        """Orders patterns by specificity: literals beat wildcards, segment by segment; longer
        beats shorter; an exact path beats a subtree."""
        scores = tuple({"lit": 2, "one": 1, "rest": 0}[s.kind] for s in self.segments)
        return (scores, len(self.segments), not self.subtree)

    def shape(self) -> tuple[Any, ...]:
        return (tuple((s.kind, s.value if s.kind == "lit" else "") for s in self.segments), self.subtree)


@dataclass
class Route:
    """One route: method ("" for any), path pattern, handler and its own middlewares."""

    method: str
    path: str
    action: RouteFunc
    middlewares: list[Middleware] = field(default_factory=list)
    excluded: set[str] = field(default_factory=set)
    pattern: _Pattern = field(init=False)
    group: Group | None = None

    def __post_init__(self) -> None:
        self.pattern = _Pattern.parse(self.path)

    def bind(self, *middlewares: Middleware | RouteFunc) -> Route:
        """Add middlewares that run for this route only."""
        self.middlewares += [_as_middleware(m) for m in middlewares]
        return self

    def unbind(self, *ids: str) -> Route:
        """Drop this route's middlewares with these ids, and the inherited ones."""
        self.middlewares = [m for m in self.middlewares if m.id not in ids]
        self.excluded.update(ids)
        return self


class Group:
    """Routes under a common prefix, with middlewares they all get."""

    def __init__(self, router: Router, prefix: str, parent: Group | None = None) -> None:
        self._router = router
        self.prefix = prefix.rstrip("/")
        self.parent = parent
        self.middlewares: list[Middleware] = []
        self.excluded: set[str] = set()

    def bind(self, *middlewares: Middleware | RouteFunc) -> Group:
        """Add middlewares for every route of the group."""
        self.middlewares += [_as_middleware(m) for m in middlewares]
        return self

    def unbind(self, *ids: str) -> Group:
        """Drop middlewares by id, the inherited ones included."""
        self.middlewares = [m for m in self.middlewares if m.id not in ids]
        self.excluded.update(ids)
        return self

    def group(self, prefix: str, *middlewares: Middleware | RouteFunc) -> Group:
        """A nested group."""
        return Group(self._router, self.prefix + prefix, self).bind(*middlewares)

    def route(self, method: str, path: str, action: RouteFunc, *middlewares: Middleware | RouteFunc) -> Route:
        """Add a route under this group's prefix."""
        return self._router._add(Route(method.upper(), self.prefix + path, action, group=self), middlewares)

    def get(self, path: str, action: RouteFunc, *middlewares: Middleware | RouteFunc) -> Route:
        return self.route("GET", path, action, *middlewares)

    def post(self, path: str, action: RouteFunc, *middlewares: Middleware | RouteFunc) -> Route:
        return self.route("POST", path, action, *middlewares)

    def put(self, path: str, action: RouteFunc, *middlewares: Middleware | RouteFunc) -> Route:
        return self.route("PUT", path, action, *middlewares)

    def patch(self, path: str, action: RouteFunc, *middlewares: Middleware | RouteFunc) -> Route:
        return self.route("PATCH", path, action, *middlewares)

    def delete(self, path: str, action: RouteFunc, *middlewares: Middleware | RouteFunc) -> Route:
        return self.route("DELETE", path, action, *middlewares)

    def any(self, path: str, action: RouteFunc, *middlewares: Middleware | RouteFunc) -> Route:
        return self.route("", path, action, *middlewares)


class Router(Group):
    """The routes hook code added, matched before the built-in API."""

    def __init__(self) -> None:
        super().__init__(self, "")
        self.routes: list[Route] = []

    def _add(self, route: Route, middlewares: tuple[Middleware | RouteFunc, ...]) -> Route:
        if route.method not in _METHODS:
            raise ValueError(f"unknown HTTP method {route.method!r}")
        shape = route.pattern.shape()
        for other in self.routes:
            same_method = route.method == other.method
            if same_method and other.pattern.shape() == shape:
                raise RouteConflictError(
                    f"route {route.method or 'ANY'} {route.path} conflicts with {other.path}"
                )
        route.bind(*middlewares)
        self.routes.append(route)
        return route

    def has_route(self, method: str, path: str) -> bool:
        """Whether a route with exactly this method and pattern exists."""
        shape = _Pattern.parse(path).shape()
        return any(r.method == method.upper() and r.pattern.shape() == shape for r in self.routes)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The most specific route for a request, with its path values."""
        if not self.routes:
            return None
        parts = [unquote(p) for p in path[1:].split("/")] if path.startswith("/") else []
        best: tuple[tuple[Any, ...], Route, dict[str, str]] | None = None
        for route in self.routes:
            if route.method and route.method != method and not (route.method == "GET" and method == "HEAD"):
                continue
            values = route.pattern.match(parts)
            if values is None:
                continue
            rank = (route.pattern.rank(), route.method != "")
            if best is None or rank > best[0]:
                best = (rank, route, values)
        return (best[1], best[2]) if best is not None else None

    def chain(self, route: Route) -> Hook[RequestEvent]:
        """The route's middlewares, from the router's down to its own, as one hook (the route's
        action is triggered as its last link)."""
        levels: list[Group | Route] = [route]
        group = route.group
        while group is not None:
            levels.append(group)
            group = group.parent
        excluded: set[str] = set()
        kept: list[list[Middleware]] = []
        for level in levels:  # innermost first: an exclusion applies to what a level inherits
            kept.append([m for m in level.middlewares if not m.id or m.id not in excluded])
            excluded |= level.excluded
        hook: Hook[RequestEvent] = Hook()
        for middlewares in reversed(kept):  # equal priorities: the router's first
            for middleware in middlewares:
                hook.bind(Handler(middleware.func, middleware.id, middleware.priority))
        return hook


def _as_middleware(middleware: Middleware | RouteFunc) -> Middleware:
    return middleware if isinstance(middleware, Handler) else Handler(middleware)
