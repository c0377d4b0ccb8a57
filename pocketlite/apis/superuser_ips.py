"""`superuserIPs` (admin-apis.md §9): while the list is set, every request carrying a superuser
token from another client IP is refused, whatever the route (PocketBase's
`superuserIPsWhitelist` middleware, which runs before the rate limits)."""

from __future__ import annotations

from pocketlite.apis.context import AUTH_STATE, NO_SECURITY_HEADERS, REQUEST_ERROR
from pocketlite.apis.middlewares import ASGIApp, Receive, Scope, Send
from pocketlite.apis.realip import client_ip
from pocketlite.app import App
from pocketlite.core.errors import ForbiddenError
from pocketlite.core.record_view import is_superuser
from pocketlite.tools.iplist import ip_in_list

__all__ = ["superuser_ips"]

_FORBIDDEN = b'{"data":{},"message":"You are not allowed to perform this request.","status":403}'
_FORBIDDEN_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(_FORBIDDEN)).encode()),
]


def superuser_ips(inner: ASGIApp, app: App) -> ASGIApp:
    """Answer 403 to a superuser's request from an IP the list doesn't hold."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        allowed = app.settings.superuserIPs
        if (
            not allowed
            or scope["type"] != "http"
            or not is_superuser(scope["state"].get(AUTH_STATE))
            or ip_in_list(client_ip(scope, app.settings.trustedProxy), allowed)
        ):
            await inner(scope, receive, send)
            return
        scope["state"][NO_SECURITY_HEADERS] = True
        error = ForbiddenError()
        scope["state"][REQUEST_ERROR] = (error, error)  # for the request log, as a returned error
        await send({"type": "http.response.start", "status": 403, "headers": _FORBIDDEN_HEADERS})
        await send({"type": "http.response.body", "body": _FORBIDDEN})

    return middleware
