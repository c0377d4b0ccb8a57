"""The auth e-mails (auth-api.md §7, §9-§12): a collection's template with its placeholders
filled in, wrapped in PocketBase's HTML layout, from the sender in the `meta` settings; each goes
through its `on_mailer_record_*_send` hook, then `on_mailer_send`."""

from __future__ import annotations

import html
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from pocketlite.core.auth_options import AuthOptions, EmailTemplate
from pocketlite.core.events import MailerRecordEvent
from pocketlite.core.record import Record
from pocketlite.core.settings import MetaConfig
from pocketlite.tools.hook import Hook
from pocketlite.tools.mailer import Address, Message

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = ["send_auth_alert", "send_email_change", "send_otp", "send_password_reset", "send_verification"]

# Field types whose values go into a template unescaped (they can't hold markup).
_UNESCAPED_TYPES = {"autodate", "date", "bool", "number"}


@cache
def _layout() -> tuple[str, str]:
    text = resources.files("pocketlite.core").joinpath("data/mail_layout.html").read_text("utf-8")
    before, after = text.split('{{template "content" .}}')
    return before, after


def render(
    template: EmailTemplate, meta: MetaConfig, record: Record, values: dict[str, str]
) -> tuple[str, str]:
    """Subject and HTML body: `{APP_NAME}`, `{APP_URL}`, `{RECORD:<field>}` (visible fields,
    HTML-escaped) and the mail's own placeholders replaced."""
    placeholders = {"{APP_NAME}": meta.appName, "{APP_URL}": meta.appURL, **values}
    for field in record.collection.fields:
        key = "{RECORD:" + field.name + "}"
        if field.hidden or key in placeholders:
            continue
        value = _as_text(record.get(field.name))
        placeholders[key] = value if field.type in _UNESCAPED_TYPES else html.escape(value)
    subject, body = template.subject, template.body
    for key, value in placeholders.items():
        subject = subject.replace(key, value)
        body = body.replace(key, value)
    before, after = _layout()
    return subject, before + body + after


def _as_text(value: object) -> str:
    """A value as Go's `cast.ToString` writes it (lists become "")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None or isinstance(value, list):
        return ""
    return str(value)


async def _send(
    app: Core,
    hook: Hook[MailerRecordEvent],
    record: Record,
    template: EmailTemplate,
    to: str,
    values: dict[str, str],
    meta: dict[str, Any],
) -> None:
    settings = app.settings.meta
    subject, body = render(template, settings, record, values)
    sender = Address(settings.senderAddress, settings.senderName)
    message = Message(sender=sender, to=[Address(to)], subject=subject, html=body)
    client = app.new_mail_client()

    async def deliver(e: MailerRecordEvent) -> None:
        await client.send(e.message)

    await hook.trigger(MailerRecordEvent(app, app.mailer(), message, record, meta), deliver)


def _options(record: Record) -> AuthOptions:
    options = record.collection.auth
    assert options is not None, "auth mails go to auth records"
    return options


async def send_verification(app: Core, record: Record, token: str) -> None:
    """The e-mail verification link (`on_mailer_record_verification_send`)."""
    template = _options(record).verificationTemplate
    values = {"{TOKEN}": token}
    hook = app.on_mailer_record_verification_send
    await _send(app, hook, record, template, record.get_string("email"), values, {"token": token})


async def send_password_reset(app: Core, record: Record, token: str) -> None:
    """The password reset link (`on_mailer_record_password_reset_send`)."""
    template = _options(record).resetPasswordTemplate
    values = {"{TOKEN}": token}
    hook = app.on_mailer_record_password_reset_send
    await _send(app, hook, record, template, record.get_string("email"), values, {"token": token})


async def send_email_change(app: Core, record: Record, token: str, new_email: str) -> None:
    """The confirmation link of an e-mail change, sent to the new address
    (`on_mailer_record_email_change_send`)."""
    template = _options(record).confirmEmailChangeTemplate
    meta = {"token": token, "newEmail": new_email}
    hook = app.on_mailer_record_email_change_send
    await _send(app, hook, record, template, new_email, {"{TOKEN}": token}, meta)


async def send_otp(app: Core, record: Record, otp_id: str, code: str, to: str) -> None:
    """A one-time password (`on_mailer_record_otp_send`)."""
    template = _options(record).otp.emailTemplate
    values = {"{OTP_ID}": otp_id, "{OTP}": code}
    meta = {"otpId": otp_id, "password": code}
    await _send(app, app.on_mailer_record_otp_send, record, template, to, values, meta)


async def send_auth_alert(app: Core, record: Record, alert_info: str) -> None:
    """The alert about a sign-in from a new device (`on_mailer_record_auth_alert_send`)."""
    template = _options(record).authAlert.emailTemplate
    values = {"{ALERT_INFO}": html.escape(alert_info)}
    hook = app.on_mailer_record_auth_alert_send
    await _send(app, hook, record, template, record.get_string("email"), values, {"info": alert_info})
