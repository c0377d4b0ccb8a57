"""The first-run installer (auth-api.md §15): while no superuser exists, `serve` keeps a hidden
placeholder superuser and prints a link to the dashboard's installer with a 30-minute token of
it; that token creates the real first superuser (or restores a backup) through the API. Creating
any other superuser deletes the placeholder, so the token dies with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pocketlite.core.events import MailerRecordEvent, RecordEvent
from pocketlite.core.record import Record
from pocketlite.core.records import SUPERUSERS
from pocketlite.core.tokens import AUTH, issue_token
from pocketlite.tools.hook import Handler
from pocketlite.tools.security import random_string

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = ["INSTALLER_EMAIL", "bind_installer", "installer_token"]

INSTALLER_EMAIL = "__pbinstaller@example.com"
_TOKEN_DURATION = 30 * 60


async def installer_token(app: Core) -> str | None:
    """A 30-minute token of the placeholder superuser (created if missing), or None when a real
    superuser exists."""
    if await app.count_records(SUPERUSERS, "email != {:email}", {"email": INSTALLER_EMAIL}):
        return None
    placeholder = await app.find_first_record_by_filter(
        SUPERUSERS, "email = {:email}", {"email": INSTALLER_EMAIL}
    )
    if placeholder is None:
        placeholder = Record(app.superusers(), {"email": INSTALLER_EMAIL})
        placeholder.set("password", random_string(30))
        await app.save(placeholder)
    return issue_token(placeholder, AUTH, duration=_TOKEN_DURATION, refreshable=False)


def bind_installer(app: Core) -> None:
    """Delete the placeholder once a real superuser is created; never mail it a reset link."""
    app.on_record_create_execute(SUPERUSERS).bind(Handler(_drop_placeholder, "pbSuperusersInstaller", -99))
    app.on_mailer_record_password_reset_send(SUPERUSERS).bind(
        Handler(_no_reset, "pbSuperusersInstallerPasswordReset")
    )


async def _drop_placeholder(e: RecordEvent) -> None:
    await e.next()
    if e.record.get_string("email") == INSTALLER_EMAIL:
        return
    placeholder = await e.app.find_first_record_by_filter(
        SUPERUSERS, "email = {:email}", {"email": INSTALLER_EMAIL}
    )
    if placeholder is not None:
        try:
            await e.app.delete(placeholder)
        except Exception as exc:
            e.app.logger.warn("Failed to delete installer superuser", error=str(exc))


async def _no_reset(e: MailerRecordEvent) -> None:
    if e.record.get_string("email") == INSTALLER_EMAIL:
        raise ValueError("cannot reset the password for the installer superuser")
    await e.next()
