"""Multi-factor authentication (auth-api.md §6): a first login opens an MFA session in `_mfas`;
a login with a different method that names the session within `mfa.duration` completes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pocketlite.core.auth_refs import MFAS, create_ref, delete_ref, find_ref, is_older_than
from pocketlite.core.errors import BadRequestError
from pocketlite.core.record import Record
from pocketlite.core.record_query import find_visible_record
from pocketlite.core.record_resolver import RequestInfo

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = ["mfa_step"]


async def _wants_mfa(app: Core, record: Record, info: RequestInfo) -> bool:
    """Whether the collection's MFA rule selects `record` ("" selects everyone)."""
    assert record.collection.auth is not None
    rule = record.collection.auth.mfa.rule
    if not rule:
        return True
    try:
        found = await find_visible_record(app, record.collection, record.id, rule, info)
        return found is not None
    except ValueError as exc:
        raise BadRequestError("Failed to authenticate.") from exc


async def mfa_step(app: Core, record: Record, method: str, mfa_id: str, info: RequestInfo) -> str:
    """ "" when the login with `method` may complete, else the id of the MFA session just opened
    (the client must log in again with another method and that id). An `mfa_id` that is unknown,
    expired, someone else's or of the same method is refused."""
    assert record.collection.auth is not None
    options = record.collection.auth.mfa
    if not options.enabled or not method or not await _wants_mfa(app, record, info):
        return ""
    sessions = app.find_collection(MFAS)
    assert sessions is not None, "system migrations create _mfas"
    if not mfa_id:
        return (await create_ref(app, sessions, record, method=method)).id
    session = await find_ref(app, sessions, mfa_id)
    if session is None or is_older_than(session, options.duration):
        if session is not None:
            await delete_ref(app, session)
        raise BadRequestError("Invalid or expired MFA session.")
    if session.get("recordRef") != record.id or session.get("collectionRef") != record.collection.id:
        raise BadRequestError("Invalid MFA session.")
    if session.get("method") == method:
        raise BadRequestError("A different authentication method is required.")
    await delete_ref(app, session)
    return ""
