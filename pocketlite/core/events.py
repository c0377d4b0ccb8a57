"""The events of the model, record and collection hooks (spec/hooks.md §2.2).

A save or delete fires the record (or collection) hooks around the model hooks, as PocketBase's
priority -99 proxies do: `on_record_create` before `on_model_create`, … The events carry the
app that fired them (`e.app`, which inside a transaction is the transaction's, see `Core`), the
action (`type`) and the thing saved; error events add the exception.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pocketlite.core.collection import Collection
from pocketlite.core.record import Record
from pocketlite.tools.hook import Event

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = [
    "CREATE",
    "DELETE",
    "UPDATE",
    "VALIDATE",
    "BackupEvent",
    "BootstrapEvent",
    "CollectionErrorEvent",
    "CollectionEvent",
    "MailerEvent",
    "MailerRecordEvent",
    "ModelErrorEvent",
    "ModelEvent",
    "RecordEnrichEvent",
    "RecordErrorEvent",
    "RecordEvent",
    "ServeEvent",
    "SettingsReloadEvent",
    "TerminateEvent",
]

CREATE, UPDATE, DELETE, VALIDATE = "create", "update", "delete", "validate"

Model = Record | Collection


def model_tags(model: Any) -> tuple[str, ...]:
    """A model's hook tags: a record's collection name and id, else its table name."""
    if isinstance(model, Record):
        return (model.collection.name, model.collection.id)
    if isinstance(model, Collection):
        return ("_collections",)
    return ()


class ModelEvent(Event):
    """A record or collection being validated, saved or deleted, seen by the `on_model_*` hooks."""

    def __init__(self, app: Core, type: str, model: Model) -> None:
        self.app = app
        self.type = type
        self.model = model

    def tags(self) -> tuple[str, ...]:
        return model_tags(self.model)


class ModelErrorEvent(ModelEvent):
    """A failed save or delete (`on_model_after_*_error`); `error` is what failed it."""

    def __init__(self, app: Core, type: str, model: Model, error: BaseException) -> None:
        super().__init__(app, type, model)
        self.error = error


class RecordEvent(Event):
    """A record being validated, saved or deleted (`on_record_*`)."""

    def __init__(self, app: Core, type: str, record: Record) -> None:
        self.app = app
        self.type = type
        self.record = record

    def tags(self) -> tuple[str, ...]:
        return (self.record.collection.name, self.record.collection.id)


class RecordErrorEvent(RecordEvent):
    """A failed record save or delete (`on_record_after_*_error`)."""

    def __init__(self, app: Core, type: str, record: Record, error: BaseException) -> None:
        super().__init__(app, type, record)
        self.error = error


class CollectionEvent(Event):
    """A collection being validated, saved or deleted (`on_collection_*`)."""

    def __init__(self, app: Core, type: str, collection: Collection) -> None:
        self.app = app
        self.type = type
        self.collection = collection

    def tags(self) -> tuple[str, ...]:
        # NB: the current name, so after a rename the new one (PocketBase's choice, #7613).
        return tuple(t for t in (self.collection.id, self.collection.name) if t)


class CollectionErrorEvent(CollectionEvent):
    """A failed collection save or delete (`on_collection_after_*_error`)."""

    def __init__(self, app: Core, type: str, collection: Collection, error: BaseException) -> None:
        super().__init__(app, type, collection)
        self.error = error


# --- the app's lifecycle -----------------------------------------------------------------------


class BootstrapEvent(Event):
    """The app opens (`on_bootstrap`): before `next` nothing is open, after it the databases,
    settings and collections are."""

    def __init__(self, app: Core) -> None:
        self.app = app


class ServeEvent(Event):
    """`serve` starts (`on_serve`): routes are added to `router` here, before it listens."""

    def __init__(self, app: Core, router: Any) -> None:
        self.app = app
        self.router = router


class TerminateEvent(Event):
    """The process stops (`on_terminate`), or the hooks reload (`is_restart`)."""

    def __init__(self, app: Core, is_restart: bool = False) -> None:
        self.app = app
        self.is_restart = is_restart


class SettingsReloadEvent(Event):
    """The settings were (re)loaded (`on_settings_reload`)."""

    def __init__(self, app: Core) -> None:
        self.app = app


class BackupEvent(Event):
    """A backup being created (`on_backup_create`) or restored (`on_backup_restore`): `name` is
    the backup's key in the backups store ("" when creating asks for a generated one, which the
    last link fills in), `exclude` the pb_data entries (relative paths) the zip leaves out, or
    the restore leaves in place."""

    def __init__(self, app: Core, name: str, exclude: list[str]) -> None:
        self.app = app
        self.name = name
        self.exclude = exclude


# --- mail ----------------------------------------------------------------------------------------


class MailerEvent(Event):
    """A message about to be sent (`on_mailer_send`); the last link sends `message` through
    `mailer`."""

    def __init__(self, app: Core, mailer: Any, message: Any) -> None:
        self.app = app
        self.mailer = mailer
        self.message = message


class MailerRecordEvent(MailerEvent):
    """A system e-mail to an auth record (`on_mailer_record_*_send`), tagged by its collection;
    `meta` holds what the mail carries (`token`, `newEmail`, `otpId`, `password`, `info`)."""

    def __init__(self, app: Core, mailer: Any, message: Any, record: Record, meta: dict[str, Any]) -> None:
        super().__init__(app, mailer, message)
        self.record = record
        self.meta = meta

    def tags(self) -> tuple[str, ...]:
        return (self.record.collection.name, self.record.collection.id)


class RecordEnrichEvent(Event):
    """A record about to be answered to a client (`on_record_enrich`): lists, views, saves, auth
    answers, expanded relations and realtime messages. Handlers `hide`/`unhide` fields or add
    custom keys (`with_custom_data()`, `set_custom`) for this answer; `request_info` is the
    requester's."""

    def __init__(self, app: Core, record: Record, request_info: Any) -> None:
        self.app = app
        self.record = record
        self.request_info = request_info

    def tags(self) -> tuple[str, ...]:
        return (self.record.collection.name, self.record.collection.id)
