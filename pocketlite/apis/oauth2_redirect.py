"""`/api/oauth2-redirect` (auth-api.md §8): the provider sends the browser back here, and the code
goes to the app's realtime client waiting on the `@oauth2` topic (the SDKs' popup flow, where
`state` is the realtime client id). The popup then lands on the dashboard's end page, which says
how it went and closes itself."""

from __future__ import annotations

import logging

import msgspec
from litestar import Response, route

from pocketlite.apis.body import read_body
from pocketlite.apis.context import AnyRequest, get_app, skip_success_log
from pocketlite.apis.realip import real_ip
from pocketlite.core.errors import ApiError
from pocketlite.core.realtime import Message
from pocketlite.tools.expiring import ExpiringMap

__all__ = ["APPLE_NAMES", "OAUTH2_TOPIC", "ROUTES"]

_log = logging.getLogger("pocketlite")

OAUTH2_TOPIC = "@oauth2"

# Apple sends the user's name only in the first redirect's form: kept here for a minute under
# the code, for the `auth-with-oauth2` call that follows.
APPLE_NAMES = ExpiringMap(60)

# Relative to /api/oauth2-redirect, as PocketBase's (so a server behind a path prefix works).
_SUCCESS = "../_/#/auth/oauth2-redirect-success"
_FAILURE = "../_/#/auth/oauth2-redirect-failure"


class RedirectData(msgspec.Struct):
    """What the provider sends back (`user` is Apple's name JSON)."""

    state: str = ""
    code: str = ""
    error: str = ""
    user: str = ""


class _Forwarded(msgspec.Struct, omit_defaults=True):
    state: str
    code: str
    error: str = ""


class _AppleUser(msgspec.Struct):
    class Name(msgspec.Struct):
        firstName: str = ""
        lastName: str = ""

    name: Name = msgspec.field(default_factory=Name)


def _remember_apple_name(code: str, raw: str) -> None:
    if len(code) > 1000:
        return
    try:
        name = msgspec.json.decode(raw, type=_AppleUser).name
    except msgspec.DecodeError:
        _log.debug("unreadable Apple user data in the OAuth2 redirect")
        return
    full = f"{name.firstName} {name.lastName}"[:150].strip()
    if full:
        APPLE_NAMES.set(code, full)


def _redirect(request: AnyRequest, location: str) -> Response[str]:
    # 303 turns a provider's form POST (Apple) into a GET of the page.
    status = 307 if request.method == "GET" else 303
    return Response("", status_code=status, headers={"Location": location}, media_type="text/plain")


@route("/api/oauth2-redirect", http_method=["GET", "POST"], status_code=200)
async def oauth2_redirect(request: AnyRequest) -> Response[str]:
    """Forward `state`/`code`/`error` to the waiting realtime client."""
    skip_success_log(request)  # the URL carries the code
    if request.method == "POST":
        try:
            data = await read_body(request, RedirectData)
        except ApiError:
            return _redirect(request, _FAILURE)
    else:
        query = request.query_params
        data = RedirectData(query.get("state", ""), query.get("code", ""), query.get("error", ""))
    if not data.state:
        return _redirect(request, _FAILURE)
    client = await get_app(request).realtime.find(data.state)
    if client is None or client.closed or not client.has_subscription(OAUTH2_TOPIC):
        return _redirect(request, _FAILURE)
    # One redirect per subscription.
    await client.replace(client.auth, [s for s in client.subscriptions if s != OAUTH2_TOPIC])
    # NB: the browser finishing the sign-in must be where the app's realtime client is, which
    # keeps a leaked state from being completed elsewhere.
    if client.ip and client.ip != real_ip(request):
        return _redirect(request, _FAILURE)
    if data.user and not data.error and data.code:
        _remember_apple_name(data.code, data.user)
    client.send(Message(OAUTH2_TOPIC, msgspec.json.encode(_Forwarded(data.state, data.code, data.error))))
    if data.error or not data.code:
        return _redirect(request, _FAILURE)
    return _redirect(request, _SUCCESS)


ROUTES = [oauth2_redirect]
