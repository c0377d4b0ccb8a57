"""Options of auth collections (data-model.md §2.5), with PocketBase's defaults."""

from __future__ import annotations

from typing import Any

import msgspec

from pocketlite.tools.security import random_string

__all__ = [
    "TOKEN_TYPES",
    "AuthAlertConfig",
    "AuthOptions",
    "EmailTemplate",
    "MFAConfig",
    "OAuth2Config",
    "OAuth2Provider",
    "OTPConfig",
    "PasswordAuthConfig",
    "TokenConfig",
]

_SECRET_LENGTH = 50


def _new_secret() -> str:
    return random_string(_SECRET_LENGTH)


class EmailTemplate(msgspec.Struct):
    """A subject and an HTML body with `{PLACEHOLDER}`s."""

    subject: str = ""
    body: str = ""


class TokenConfig(msgspec.Struct):
    """A token type's signing secret (never serialized by the API) and lifetime in seconds."""

    secret: str = msgspec.field(default_factory=_new_secret)
    duration: int = 0


class AuthAlertConfig(msgspec.Struct):
    """E-mail sent after a login from a new location."""

    enabled: bool = True
    emailTemplate: EmailTemplate = msgspec.field(
        default_factory=lambda: EmailTemplate(
            "Login from a new location",
            "<p>Hello,</p>\n<p>We noticed a login to your {APP_NAME} account from a new location:</p>\n"
            "<p><em>{ALERT_INFO}</em></p>\n<p><strong>If this wasn't you, you should immediately change "
            "your {APP_NAME} account password to revoke access from all other locations.</strong></p>\n"
            "<p>If this was you, you may disregard this email.</p>\n"
            "<p>\n  Thanks,<br/>\n  {APP_NAME} team\n</p>",
        )
    )


class OAuth2Provider(msgspec.Struct, omit_defaults=False):
    """A configured OAuth2 provider; `clientSecret` is never serialized by the API."""

    name: str = ""
    clientId: str = ""
    clientSecret: str = ""
    authURL: str = ""
    tokenURL: str = ""
    userInfoURL: str = ""
    displayName: str = ""
    pkce: bool | None = None
    extra: dict[str, Any] = {}


class OAuth2MappedFields(msgspec.Struct):
    """Record fields that receive the OAuth2 user's data on sign-up."""

    id: str = ""
    name: str = ""
    username: str = ""
    avatarURL: str = ""


class OAuth2Config(msgspec.Struct):
    """OAuth2 sign-in."""

    providers: list[OAuth2Provider] = []
    mappedFields: OAuth2MappedFields = msgspec.field(default_factory=OAuth2MappedFields)
    enabled: bool = False


class PasswordAuthConfig(msgspec.Struct):
    """Identity + password sign-in."""

    enabled: bool = True
    identityFields: list[str] = msgspec.field(default_factory=lambda: ["email"])


class MFAConfig(msgspec.Struct):
    """Multi-factor auth: a second, different method within `duration` seconds."""

    enabled: bool = False
    duration: int = 600
    rule: str = ""


class OTPConfig(msgspec.Struct):
    """One-time passwords sent by e-mail."""

    enabled: bool = False
    duration: int = 180
    length: int = 8
    emailTemplate: EmailTemplate = msgspec.field(
        default_factory=lambda: EmailTemplate(
            "OTP for {APP_NAME}",
            "<p>Hello,</p>\n<p>Your one-time password is: <strong>{OTP}</strong></p>\n"
            "<p><i>If you didn't ask for the one-time password, you can ignore this email.</i></p>\n"
            "<p>\n  Thanks,<br/>\n  {APP_NAME} team\n</p>",
        )
    )


def _link_template(subject: str, intro: str, route: str, button: str, outro: str) -> EmailTemplate:
    return EmailTemplate(
        subject,
        f"<p>Hello,</p>\n{intro}"
        f'<p>\n  <a class="btn" href="{{APP_URL}}/_/#/auth/{route}/{{TOKEN}}" target="_blank" '
        f'rel="noopener">{button}</a>\n</p>\n'
        f"<p><i>{outro}</i></p>\n<p>\n  Thanks,<br/>\n  {{APP_NAME}} team\n</p>",
    )


def _verification_template() -> EmailTemplate:
    return _link_template(
        "Verify your {APP_NAME} email",
        "<p>Thank you for joining us at {APP_NAME}.</p>\n"
        "<p>Click on the button below to verify your email address.</p>\n",
        "confirm-verification",
        "Verify",
        "If you didn't recently register, please ignore this email.",
    )


def _reset_password_template() -> EmailTemplate:
    return _link_template(
        "Reset your {APP_NAME} password",
        "<p>Click on the button below to reset your password.</p>\n",
        "confirm-password-reset",
        "Reset password",
        "If you didn't ask to reset your password, please ignore this email.",
    )


def _confirm_email_change_template() -> EmailTemplate:
    return _link_template(
        "Confirm your {APP_NAME} new email address",
        "<p>Click on the button below to confirm your new email address.</p>\n",
        "confirm-email-change",
        "Confirm new email",
        "If you didn't ask to change your email address, please ignore this email.",
    )


# Token type name (as in JWT `type` claims) → AuthOptions attribute.
TOKEN_TYPES = {
    "auth": "authToken",
    "passwordReset": "passwordResetToken",
    "emailChange": "emailChangeToken",
    "verification": "verificationToken",
    "file": "fileToken",
}


class AuthOptions(msgspec.Struct):
    """Everything an auth collection adds to a base one, in PocketBase's key order."""

    authRule: str | None = ""
    manageRule: str | None = None
    authAlert: AuthAlertConfig = msgspec.field(default_factory=AuthAlertConfig)
    oauth2: OAuth2Config = msgspec.field(default_factory=OAuth2Config)
    passwordAuth: PasswordAuthConfig = msgspec.field(default_factory=PasswordAuthConfig)
    mfa: MFAConfig = msgspec.field(default_factory=MFAConfig)
    otp: OTPConfig = msgspec.field(default_factory=OTPConfig)
    authToken: TokenConfig = msgspec.field(default_factory=lambda: TokenConfig(duration=432000))
    passwordResetToken: TokenConfig = msgspec.field(default_factory=lambda: TokenConfig(duration=1800))
    emailChangeToken: TokenConfig = msgspec.field(default_factory=lambda: TokenConfig(duration=1800))
    verificationToken: TokenConfig = msgspec.field(default_factory=lambda: TokenConfig(duration=86400))
    fileToken: TokenConfig = msgspec.field(default_factory=lambda: TokenConfig(duration=180))
    verificationTemplate: EmailTemplate = msgspec.field(default_factory=_verification_template)
    resetPasswordTemplate: EmailTemplate = msgspec.field(default_factory=_reset_password_template)
    confirmEmailChangeTemplate: EmailTemplate = msgspec.field(default_factory=_confirm_email_change_template)

    def token_config(self, token_type: str) -> TokenConfig:
        """The config of a JWT `type` (`auth`, `file`, …); KeyError for unknown types."""
        config: TokenConfig = getattr(self, TOKEN_TYPES[token_type])
        return config

    def to_api(self) -> dict[str, Any]:
        """The options as the API shows them: token secrets and OAuth2 client secrets removed."""
        out: dict[str, Any] = msgspec.to_builtins(self)
        for attr in TOKEN_TYPES.values():
            out[attr].pop("secret", None)
        for provider in out["oauth2"]["providers"]:
            provider.pop("clientSecret", None)
        return out
