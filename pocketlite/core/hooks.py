"""The app's hooks (spec/hooks.md §2): one `Hook` per PocketBase hook, named as PocketBase's in
snake_case. `Core` inherits them, so code binds `app.on_record_create("posts").bind_func(fn)`
and the core triggers `app.on_record_create.trigger(event, action)`.

Record and collection hooks wrap the model hooks of the same step, as PocketBase's priority -99
proxies do: a record create runs `on_record_create`'s handlers, then `on_model_create`'s, then
the action (`layered`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from pocketlite.core.events import (
    BackupEvent,
    BootstrapEvent,
    CollectionErrorEvent,
    CollectionEvent,
    MailerEvent,
    MailerRecordEvent,
    ModelErrorEvent,
    ModelEvent,
    RecordEnrichEvent,
    RecordErrorEvent,
    RecordEvent,
    ServeEvent,
    SettingsReloadEvent,
    TerminateEvent,
)
from pocketlite.core.request_events import (
    BatchRequestEvent,
    CollectionRequestEvent,
    CollectionsImportRequestEvent,
    CollectionsListRequestEvent,
    FileDownloadRequestEvent,
    FileTokenRequestEvent,
    RealtimeConnectRequestEvent,
    RealtimeMessageEvent,
    RealtimeSubscribeRequestEvent,
    RecordAuthRequestEvent,
    RecordAuthWithOAuth2RequestEvent,
    RecordAuthWithOTPRequestEvent,
    RecordAuthWithPasswordRequestEvent,
    RecordCreateOTPRequestEvent,
    RecordEmailChangeRequestEvent,
    RecordRequestEvent,
    RecordsListRequestEvent,
    SettingsListRequestEvent,
    SettingsUpdateRequestEvent,
)
from pocketlite.tools.hook import Hook

__all__ = ["Family", "Hooks", "layered"]

Action = Callable[[Any], Awaitable[None]]


class Family(NamedTuple):
    """The hooks of one action on one kind of model: (own hook, model hook) pairs."""

    main: tuple[Hook[Any], Hook[Any]]
    execute: tuple[Hook[Any], Hook[Any]]
    success: tuple[Hook[Any], Hook[Any]]
    error: tuple[Hook[Any], Hook[Any]]


class Hooks:
    """Every hook of an app."""

    def __init__(self) -> None:
        self._families: dict[tuple[str, str], Family] = {}
        # Model hooks: records and collections alike, tagged by a record's collection or by
        # `_collections`.
        self.on_model_validate: Hook[ModelEvent] = Hook(tagged=True)
        self.on_model_create: Hook[ModelEvent] = Hook(tagged=True)
        self.on_model_create_execute: Hook[ModelEvent] = Hook(tagged=True)
        self.on_model_after_create_success: Hook[ModelEvent] = Hook(tagged=True)
        self.on_model_after_create_error: Hook[ModelErrorEvent] = Hook(tagged=True)
        self.on_model_update: Hook[ModelEvent] = Hook(tagged=True)
        self.on_model_update_execute: Hook[ModelEvent] = Hook(tagged=True)
        self.on_model_after_update_success: Hook[ModelEvent] = Hook(tagged=True)
        self.on_model_after_update_error: Hook[ModelErrorEvent] = Hook(tagged=True)
        self.on_model_delete: Hook[ModelEvent] = Hook(tagged=True)
        self.on_model_delete_execute: Hook[ModelEvent] = Hook(tagged=True)
        self.on_model_after_delete_success: Hook[ModelEvent] = Hook(tagged=True)
        self.on_model_after_delete_error: Hook[ModelErrorEvent] = Hook(tagged=True)

        self.on_record_validate: Hook[RecordEvent] = Hook(tagged=True)
        self.on_record_create: Hook[RecordEvent] = Hook(tagged=True)
        self.on_record_create_execute: Hook[RecordEvent] = Hook(tagged=True)
        self.on_record_after_create_success: Hook[RecordEvent] = Hook(tagged=True)
        self.on_record_after_create_error: Hook[RecordErrorEvent] = Hook(tagged=True)
        self.on_record_update: Hook[RecordEvent] = Hook(tagged=True)
        self.on_record_update_execute: Hook[RecordEvent] = Hook(tagged=True)
        self.on_record_after_update_success: Hook[RecordEvent] = Hook(tagged=True)
        self.on_record_after_update_error: Hook[RecordErrorEvent] = Hook(tagged=True)
        self.on_record_delete: Hook[RecordEvent] = Hook(tagged=True)
        self.on_record_delete_execute: Hook[RecordEvent] = Hook(tagged=True)
        self.on_record_after_delete_success: Hook[RecordEvent] = Hook(tagged=True)
        self.on_record_after_delete_error: Hook[RecordErrorEvent] = Hook(tagged=True)

        self.on_record_enrich: Hook[RecordEnrichEvent] = Hook(tagged=True)

        self.on_collection_validate: Hook[CollectionEvent] = Hook(tagged=True)
        self.on_collection_create: Hook[CollectionEvent] = Hook(tagged=True)
        self.on_collection_create_execute: Hook[CollectionEvent] = Hook(tagged=True)
        self.on_collection_after_create_success: Hook[CollectionEvent] = Hook(tagged=True)
        self.on_collection_after_create_error: Hook[CollectionErrorEvent] = Hook(tagged=True)
        self.on_collection_update: Hook[CollectionEvent] = Hook(tagged=True)
        self.on_collection_update_execute: Hook[CollectionEvent] = Hook(tagged=True)
        self.on_collection_after_update_success: Hook[CollectionEvent] = Hook(tagged=True)
        self.on_collection_after_update_error: Hook[CollectionErrorEvent] = Hook(tagged=True)
        self.on_collection_delete: Hook[CollectionEvent] = Hook(tagged=True)
        self.on_collection_delete_execute: Hook[CollectionEvent] = Hook(tagged=True)
        self.on_collection_after_delete_success: Hook[CollectionEvent] = Hook(tagged=True)
        self.on_collection_after_delete_error: Hook[CollectionErrorEvent] = Hook(tagged=True)

        # The app's lifecycle.
        self.on_bootstrap: Hook[BootstrapEvent] = Hook()
        self.on_serve: Hook[ServeEvent] = Hook()
        self.on_terminate: Hook[TerminateEvent] = Hook()
        self.on_settings_reload: Hook[SettingsReloadEvent] = Hook()

        # Backups: each creation, and each restore before the server restarts on it.
        self.on_backup_create: Hook[BackupEvent] = Hook()
        self.on_backup_restore: Hook[BackupEvent] = Hook()

        # Requests (API endpoints only), tagged by their collection where they have one.
        self.on_records_list_request: Hook[RecordsListRequestEvent] = Hook(tagged=True)
        self.on_record_view_request: Hook[RecordRequestEvent] = Hook(tagged=True)
        self.on_record_create_request: Hook[RecordRequestEvent] = Hook(tagged=True)
        self.on_record_update_request: Hook[RecordRequestEvent] = Hook(tagged=True)
        self.on_record_delete_request: Hook[RecordRequestEvent] = Hook(tagged=True)
        self.on_batch_request: Hook[BatchRequestEvent] = Hook()
        self.on_collections_list_request: Hook[CollectionsListRequestEvent] = Hook()
        self.on_collection_view_request: Hook[CollectionRequestEvent] = Hook()
        self.on_collection_create_request: Hook[CollectionRequestEvent] = Hook()
        self.on_collection_update_request: Hook[CollectionRequestEvent] = Hook()
        self.on_collection_delete_request: Hook[CollectionRequestEvent] = Hook()
        self.on_collections_import_request: Hook[CollectionsImportRequestEvent] = Hook()
        self.on_settings_list_request: Hook[SettingsListRequestEvent] = Hook()
        self.on_settings_update_request: Hook[SettingsUpdateRequestEvent] = Hook()

        # Realtime (SSE).
        self.on_realtime_connect_request: Hook[RealtimeConnectRequestEvent] = Hook()
        self.on_realtime_subscribe_request: Hook[RealtimeSubscribeRequestEvent] = Hook()
        self.on_realtime_message_send: Hook[RealtimeMessageEvent] = Hook()

        # Files, tagged by the file's collection (the token's: by the auth record's).
        self.on_file_download_request: Hook[FileDownloadRequestEvent] = Hook(tagged=True)
        self.on_file_token_request: Hook[FileTokenRequestEvent] = Hook(tagged=True)

        # Mail: every message, and each system e-mail to an auth record (which wraps it).
        self.on_mailer_send: Hook[MailerEvent] = Hook()
        self.on_mailer_record_password_reset_send: Hook[MailerRecordEvent] = Hook(tagged=True)
        self.on_mailer_record_verification_send: Hook[MailerRecordEvent] = Hook(tagged=True)
        self.on_mailer_record_email_change_send: Hook[MailerRecordEvent] = Hook(tagged=True)
        self.on_mailer_record_otp_send: Hook[MailerRecordEvent] = Hook(tagged=True)
        self.on_mailer_record_auth_alert_send: Hook[MailerRecordEvent] = Hook(tagged=True)

        # Auth requests, tagged by the auth collection.
        self.on_record_auth_request: Hook[RecordAuthRequestEvent] = Hook(tagged=True)
        self.on_record_auth_with_password_request: Hook[RecordAuthWithPasswordRequestEvent] = Hook(
            tagged=True
        )
        self.on_record_auth_refresh_request: Hook[RecordRequestEvent] = Hook(tagged=True)
        self.on_record_auth_with_oauth2_request: Hook[RecordAuthWithOAuth2RequestEvent] = Hook(tagged=True)
        self.on_record_request_otp_request: Hook[RecordCreateOTPRequestEvent] = Hook(tagged=True)
        self.on_record_auth_with_otp_request: Hook[RecordAuthWithOTPRequestEvent] = Hook(tagged=True)
        self.on_record_request_password_reset_request: Hook[RecordRequestEvent] = Hook(tagged=True)
        self.on_record_confirm_password_reset_request: Hook[RecordRequestEvent] = Hook(tagged=True)
        self.on_record_request_verification_request: Hook[RecordRequestEvent] = Hook(tagged=True)
        self.on_record_confirm_verification_request: Hook[RecordRequestEvent] = Hook(tagged=True)
        self.on_record_request_email_change_request: Hook[RecordEmailChangeRequestEvent] = Hook(tagged=True)
        self.on_record_confirm_email_change_request: Hook[RecordEmailChangeRequestEvent] = Hook(tagged=True)

    def family(self, kind: str, action: str) -> Family:
        """The hooks of one action (`create`, `update`, `delete`) on records or collections
        (`kind`), each with its model hook."""
        key = (kind, action)
        found = self._families.get(key)
        if found is None:

            def pair(name: str) -> tuple[Hook[Any], Hook[Any]]:
                return self.hook(f"on_{kind}_{name}"), self.hook(f"on_model_{name}")

            found = Family(
                pair(action),
                pair(f"{action}_execute"),
                pair(f"after_{action}_success"),
                pair(f"after_{action}_error"),
            )
            self._families[key] = found
        return found

    def hook(self, name: str) -> Hook[Any]:
        """A hook by its name (`on_record_create`), for loaders and tests."""
        found = getattr(self, name, None) if name.startswith("on_") else None
        if not isinstance(found, Hook):
            raise AttributeError(f"no hook named {name!r}")
        return found

    def hook_names(self) -> list[str]:
        """The names of every hook."""
        return [name for name, value in vars(self).items() if isinstance(value, Hook)]


async def layered(outer: Hook[Any], model_hook: Hook[Any], event: Any, action: Action) -> None:
    """Trigger `outer` (a record or collection hook) and, inside it, the model hook of the same
    step, with `action` last. The model handlers see a `ModelEvent` (an error event's `error`
    included); what they set as its model is what `action` gets."""
    if not len(model_hook):
        await outer.trigger(event, action)
        return

    async def through_model(e: Any) -> None:
        model = e.record if isinstance(e, RecordEvent) else e.collection
        error = getattr(e, "error", None)
        me = (
            ModelEvent(e.app, e.type, model)
            if error is None
            else ModelErrorEvent(e.app, e.type, model, error)
        )

        async def resume(me: ModelEvent) -> None:
            if isinstance(e, RecordEvent):
                e.record = me.model  # type: ignore[assignment]
            else:
                e.collection = me.model
            await action(e)

        await model_hook.trigger(me, resume)

    await outer.trigger(event, through_model)
