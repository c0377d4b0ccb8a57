"""App settings: one JSON document in `_params` (id `settings`), optionally AES-256-GCM encrypted."""

from __future__ import annotations

import base64
import os

import msgspec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pocketlite.core.db import Database

__all__ = ["Settings", "load_settings", "save_settings"]

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
    return msgspec.json.decode(raw, type=Settings)


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
