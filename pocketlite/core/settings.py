"""App settings: one JSON document in `_params` (id `settings`), optionally AES-256-GCM encrypted."""

from __future__ import annotations

import base64
import ipaddress
import os
import re
from typing import TYPE_CHECKING, Any

import msgspec

from pocketlite.core.db import Database
from pocketlite.core.errors import ValidationError, ValidationErrors
from pocketlite.core.fields.email_syntax import is_domain, is_email
from pocketlite.core.fields.url_syntax import is_url
from pocketlite.core.validators import Rule, first_error, is_empty, length, match, min_value, one_of, required
from pocketlite.tools import gojson
from pocketlite.tools.cron import Schedule, ScheduleError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["Settings", "load_settings", "save_settings", "settings_errors"]

SETTINGS_PARAM = "settings"


class SMTPConfig(msgspec.Struct):
    """Outgoing mail server."""

    enabled: bool = False
    port: int = 587
    host: str = "smtp.example.com"
    username: str = ""
    password: str = ""
    authMethod: str = ""
    tls: bool = False
    localName: str = ""


class S3Config(msgspec.Struct):
    """S3-compatible storage."""

    enabled: bool = False
    bucket: str = ""
    region: str = ""
    endpoint: str = ""
    accessKey: str = ""
    secret: str = ""
    forcePathStyle: bool = False


class BackupsConfig(msgspec.Struct):
    """Automatic backups."""

    cron: str = ""
    cronMaxKeep: int = 3
    s3: S3Config = msgspec.field(default_factory=S3Config)


class MetaConfig(msgspec.Struct):
    """Application identity used in e-mails and the admin UI."""

    accentColor: str = "#1055c9"
    appName: str = "Acme"
    appURL: str = "http://localhost:8090"
    senderName: str = "Support"
    senderAddress: str = "support@example.com"
    hideControls: bool = False


class RateLimitRule(msgspec.Struct):
    """One rate limit: at most `maxRequests` per `duration` seconds for requests matching `label`."""

    label: str = ""
    audience: str = ""
    duration: int = 0
    maxRequests: int = 0


def _default_rate_limit_rules() -> list[RateLimitRule]:
    return [
        RateLimitRule("*:auth", "", 3, 2),
        RateLimitRule("*:create", "", 5, 20),
        RateLimitRule("/api/batch", "", 1, 3),
        RateLimitRule("/api/", "", 10, 300),
    ]


class RateLimitsConfig(msgspec.Struct):
    """Request rate limiting (off by default)."""

    rules: list[RateLimitRule] = msgspec.field(default_factory=_default_rate_limit_rules)
    excludedIPs: list[str] = []
    enabled: bool = False


class TrustedProxyConfig(msgspec.Struct):
    """Headers that carry the client IP behind a proxy."""

    headers: list[str] = []
    useLeftmostIP: bool = False


class BatchConfig(msgspec.Struct):
    """`/api/batch` limits."""

    enabled: bool = False
    maxRequests: int = 50
    timeout: int = 3
    maxBodySize: int = 0


class LogsConfig(msgspec.Struct):
    """Request log retention and detail."""

    maxDataSize: int = 0
    maxDays: int = 5
    minLevel: int = 0
    logIP: bool = True
    logAuthId: bool = False


class Settings(msgspec.Struct):
    """All settings, in PocketBase's key order."""

    superuserIPs: list[str] = []
    smtp: SMTPConfig = msgspec.field(default_factory=SMTPConfig)
    backups: BackupsConfig = msgspec.field(default_factory=BackupsConfig)
    s3: S3Config = msgspec.field(default_factory=S3Config)
    meta: MetaConfig = msgspec.field(default_factory=MetaConfig)
    rateLimits: RateLimitsConfig = msgspec.field(default_factory=RateLimitsConfig)
    trustedProxy: TrustedProxyConfig = msgspec.field(default_factory=TrustedProxyConfig)
    batch: BatchConfig = msgspec.field(default_factory=BatchConfig)
    logs: LogsConfig = msgspec.field(default_factory=LogsConfig)


def _cipher(encryption_env: str) -> AESGCM | None:
    if not encryption_env:
        return None
    key = os.environ.get(encryption_env, "")
    if len(key.encode()) != 32:
        raise ValueError(f"the value of ${encryption_env} must be 32 characters long")
    # Imported only when settings are encrypted: loading `cryptography` costs every start ~10 ms.
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key.encode())


async def load_settings(db: Database, encryption_env: str = "") -> Settings | None:
    """The stored settings, or None when none were saved yet."""
    row = await db.fetch_one("SELECT value FROM _params WHERE id = ?", (SETTINGS_PARAM,))
    if row is None or row["value"] is None:
        return None
    raw: str = row["value"]
    cipher = _cipher(encryption_env)
    if cipher is not None and not raw.lstrip().startswith("{"):
        blob = base64.b64decode(raw)
        raw = cipher.decrypt(blob[:12], blob[12:], None).decode()
    return gojson.decode(raw, Settings)


async def save_settings(db: Database, settings: Settings, encryption_env: str = "") -> None:
    """Store the settings (encrypted when `encryption_env` names a 32-character key)."""
    data = msgspec.to_builtins(settings)
    # PocketBase omits empty S3 secrets (`omitempty`); the stored JSON stays byte-compatible.
    for s3 in (data["s3"], data["backups"]["s3"]):
        if not s3["secret"]:
            del s3["secret"]
    value = msgspec.json.encode(data).decode()
    cipher = _cipher(encryption_env)
    if cipher is not None:
        nonce = os.urandom(12)
        value = base64.b64encode(nonce + cipher.encrypt(nonce, value.encode(), None)).decode()
    await db.execute(
        "INSERT INTO _params (id, value) VALUES (?, ?) "
        "ON CONFLICT(id) DO UPDATE SET value = excluded.value, "
        "updated = strftime('%Y-%m-%d %H:%M:%fZ')",
        (SETTINGS_PARAM, value),
    )


# --- validation, with PocketBase's rules and codes (core/settings_model.go) ----------------------

_HEX_COLOR = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
# NB: Go's `\w` is ASCII only and its `$` the end of the text (Python's also allows a final "\n").
_RATE_LABEL = re.compile(r"^(\w+\ \/[\w\/-]*|\/[\w\/-]*|^\w+\:\w+|\*\:\w+|\w+)\Z", re.ASCII)
_AUDIENCES = ("", "@guest", "@auth")


def _is_host(value: Any) -> ValidationError | None:
    if is_empty(value) or _is_ip(str(value)) or is_domain(str(value)):
        return None
    return ValidationError("validation_is_host", "Must be a valid IP address or DNS name.")


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_url(value: Any) -> ValidationError | None:
    if is_empty(value) or is_url(str(value)):
        return None
    return ValidationError("validation_is_url", "Must be a valid URL.")


def _is_email(value: Any) -> ValidationError | None:
    if is_empty(value) or is_email(str(value)):
        return None
    return ValidationError("validation_is_email", "Must be a valid email address.")


def _is_hex_color(value: Any) -> ValidationError | None:
    if is_empty(value) or _HEX_COLOR.match(str(value)):
        return None
    return ValidationError("validation_is_hex_color", "Must be a valid hexadecimal color code.")


def _ip_or_subnet(value: Any) -> ValidationError | None:
    if is_empty(value):
        return None
    try:
        ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        return ValidationError("validation_invlaid_ip_or_subnet", "Invalid IP or CIDR subnet.")
    return None


def _when(condition: bool, rule: Rule) -> Rule:
    return rule if condition else (lambda _value: None)


def _cron_expression(value: Any) -> ValidationError | None:
    """A schedule PocketBase's cron accepts ("" is none), with the parser's message."""
    if not value:
        return None
    try:
        Schedule.parse(value)
    except ScheduleError as exc:
        return ValidationError("validation_invalid_cron", str(exc))
    return None


def _each(values: list[Any], *rules: Rule) -> ValidationErrors | None:
    errors: dict[str, ValidationError | ValidationErrors] = {}
    for i, value in enumerate(values):
        error = first_error(value, *rules)
        if error is not None:
            errors[str(i)] = error
    return ValidationErrors(errors) if errors else None


def _struct(checks: dict[str, ValidationError | ValidationErrors | None]) -> ValidationErrors | None:
    errors = {k: v for k, v in checks.items() if v is not None}
    return ValidationErrors(errors) if errors else None


def _s3_errors(c: S3Config) -> ValidationErrors | None:
    needed = _when(c.enabled, required)
    return _struct(
        {
            "endpoint": first_error(c.endpoint, _is_url, needed),
            "bucket": first_error(c.bucket, needed),
            "region": first_error(c.region, needed),
            "accessKey": first_error(c.accessKey, needed),
            "secret": first_error(c.secret, needed),
        }
    )


def _rate_limit_errors(c: RateLimitsConfig) -> ValidationErrors | None:
    rules_error: ValidationError | ValidationErrors | None = first_error(c.rules, _when(c.enabled, required))
    if rules_error is None:
        rules_error = _conflicting_labels(c.rules)
    if rules_error is None:
        per_rule: dict[str, ValidationError | ValidationErrors] = {}
        for i, rule in enumerate(c.rules):
            error = _struct(
                {
                    "label": first_error(rule.label, required, match(_RATE_LABEL)),
                    "maxRequests": first_error(rule.maxRequests, required, min_value(1)),
                    "duration": first_error(rule.duration, required, min_value(1)),
                    "audience": first_error(rule.audience, one_of(_AUDIENCES)),
                }
            )
            if error is not None:
                per_rule[str(i)] = error
        rules_error = ValidationErrors(per_rule) if per_rule else None
    return _struct({"rules": rules_error, "excludedIPs": _each(c.excludedIPs, required, _ip_or_subnet)})


def _conflicting_labels(rules: list[RateLimitRule]) -> ValidationErrors | None:
    seen: list[str] = []
    for i, rule in enumerate(rules):
        key = f"{rule.label}@@{rule.audience}"
        if any(key.startswith(k) or k.startswith(key) for k in seen):
            error = ValidationError(
                "validation_conflicting_rate_limit_rule",
                f"Rate limit rule configuration with label {rule.label} already exists or conflicts "
                "with another rule.",
                {"label": rule.label},
            )
            return ValidationErrors({str(i): ValidationErrors({"label": error})})
        seen.append(key)
    return None


def settings_errors(s: Settings) -> ValidationErrors | None:
    """What is wrong with `s`, keyed like the settings JSON, or None."""
    smtp, meta, batch, backups = s.smtp, s.meta, s.batch, s.backups
    return _struct(
        {
            "superuserIPs": _each(s.superuserIPs, required, _ip_or_subnet),
            "meta": _struct(
                {
                    "accentColor": first_error(meta.accentColor, length(7, 7), _is_hex_color),
                    "appName": first_error(meta.appName, required, length(1, 255)),
                    "appURL": first_error(meta.appURL, required, _is_url),
                    "senderName": first_error(meta.senderName, required, length(1, 255)),
                    "senderAddress": first_error(meta.senderAddress, _is_email, required),
                }
            ),
            "logs": _struct({"maxDays": first_error(s.logs.maxDays, min_value(0))}),
            "smtp": _struct(
                {
                    "host": first_error(smtp.host, _when(smtp.enabled, required), _is_host),
                    "port": first_error(smtp.port, _when(smtp.enabled, required), min_value(0)),
                    "authMethod": first_error(smtp.authMethod, one_of(("LOGIN", "PLAIN"))),
                    "localName": first_error(smtp.localName, _is_host),
                }
            ),
            "s3": _s3_errors(s.s3),
            "backups": _struct(
                {
                    "s3": _s3_errors(backups.s3),
                    "cron": _cron_expression(backups.cron),
                    "cronMaxKeep": first_error(
                        backups.cronMaxKeep, _when(backups.cron != "", required), min_value(1)
                    ),
                }
            ),
            "batch": _struct(
                {
                    "maxRequests": first_error(
                        batch.maxRequests, _when(batch.enabled, required), min_value(0)
                    ),
                    "timeout": first_error(batch.timeout, _when(batch.enabled, required), min_value(0)),
                    "maxBodySize": first_error(batch.maxBodySize, min_value(0)),
                }
            ),
            "rateLimits": _rate_limit_errors(s.rateLimits),
        }
    )
