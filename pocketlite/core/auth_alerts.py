"""Login alerts (auth-api.md §9): each device a record signs in from is remembered in
`_authOrigins` by a fingerprint of IP + user agent; a sign-in from a new one mails an alert."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from pocketlite.core.auth_refs import ORIGINS, create_ref, delete_ref, find_refs
from pocketlite.core.record import Record
from pocketlite.tools.security import md5_hex
from pocketlite.tools.types import now_string

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = ["remember_login_origin"]

_log = logging.getLogger("pocketlite")

MAX_ORIGINS = 5
# How long a login waits for the alert mail before answering anyway.
ALERT_WAIT = 15.0

SendAlert = Callable[[str], Awaitable[None]]


async def remember_login_origin(
    app: Core, record: Record, ip: str, user_agent: str, send_alert: SendAlert
) -> None:
    """Touch (or add) the origin of this sign-in; alert by mail when the record has signed in
    before, but never from here. Only the `MAX_ORIGINS` most recent origins are kept."""
    if len(user_agent) > 200:
        user_agent = user_agent[:200] + "..."
    fingerprint = md5_hex(ip + user_agent)
    refs = app.find_collection(ORIGINS)
    assert refs is not None, "system migrations create _authOrigins"
    origins = await find_refs(app, refs, record)
    current = next((o for o in origins if o.get("fingerprint") == fingerprint), None)
    if current is None and origins and record.get_string("email"):
        try:
            await asyncio.wait_for(send_alert(f"{now_string()} - {ip} {user_agent}"), ALERT_WAIT)
        except Exception:
            # NB: as in PocketBase, the origin stays unknown, so the next sign-in alerts again.
            _log.warning("Failed to send the login alert of record %s", record.id, exc_info=True)
            return
    if current is not None:
        await app.save(current)  # refreshes `updated`
        return
    for old in origins[MAX_ORIGINS - 1 :]:
        await delete_ref(app, old)
    await create_ref(app, refs, record, fingerprint=fingerprint)
