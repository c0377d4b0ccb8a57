"""The initial schema: PocketBase 0.40's fresh data dir, table for table and row for row.

PocketBase reaches its current schema through eight migrations; we create the end state at once
and record all eight names (`covers`), so either server accepts the other's data dir.
"""

from __future__ import annotations

from pocketlite.core.auth_options import AuthOptions, OAuth2Config, OAuth2MappedFields
from pocketlite.core.collection import AUTH, BASE, Collection
from pocketlite.core.db import Database, Transaction
from pocketlite.core.fields import Field, FileField, PasswordField, TextField
from pocketlite.core.migrations import Migration
from pocketlite.core.scaffolds import auth_fields, auth_indexes, autodate_fields, id_field
from pocketlite.core.settings import Settings, save_settings
from pocketlite.core.tablesync import create_collection_table
from pocketlite.tools.types import now_string

__all__ = ["AUX_INIT", "INIT", "system_collections"]

_NOW = "strftime('%Y-%m-%d %H:%M:%fZ')"
_RANDOM_ID = "('r'||lower(hex(randomblob(7))))"

_PARAMS_TABLE = f"""CREATE TABLE `_params` (
    `id`      TEXT PRIMARY KEY DEFAULT {_RANDOM_ID} NOT NULL,
    `value`   JSON DEFAULT NULL,
    `created` TEXT DEFAULT ({_NOW}) NOT NULL,
    `updated` TEXT DEFAULT ({_NOW}) NOT NULL
)"""

_COLLECTIONS_TABLE = f"""CREATE TABLE `_collections` (
    `id`         TEXT PRIMARY KEY DEFAULT {_RANDOM_ID} NOT NULL,
    `system`     BOOLEAN DEFAULT FALSE NOT NULL,
    `type`       TEXT DEFAULT "base" NOT NULL,
    `name`       TEXT UNIQUE NOT NULL,
    `fields`     JSON DEFAULT "[]" NOT NULL,
    `indexes`    JSON DEFAULT "[]" NOT NULL,
    `listRule`   TEXT DEFAULT NULL,
    `viewRule`   TEXT DEFAULT NULL,
    `createRule` TEXT DEFAULT NULL,
    `updateRule` TEXT DEFAULT NULL,
    `deleteRule` TEXT DEFAULT NULL,
    `options`    JSON DEFAULT "{{}}" NOT NULL,
    `created`    TEXT DEFAULT ({_NOW}) NOT NULL,
    `updated`    TEXT DEFAULT ({_NOW}) NOT NULL
)"""

_LOGS_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS `_logs` (
    `id`      TEXT PRIMARY KEY DEFAULT {_RANDOM_ID} NOT NULL,
    `level`   INTEGER DEFAULT 0 NOT NULL,
    `message` TEXT DEFAULT "" NOT NULL,
    `data`    JSON DEFAULT "{{}}" NOT NULL,
    `created` TEXT DEFAULT ({_NOW}) NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_logs_level on `_logs` (`level`);
CREATE INDEX IF NOT EXISTS idx_logs_message on `_logs` (`message`);
CREATE INDEX IF NOT EXISTS idx_logs_created_hour on `_logs` (strftime('%Y-%m-%d %H:00:00', `created`));
"""

# Owners may see (and for some, delete) the rows that belong to them.
_OWNER_RULE = (
    "@request.auth.id != '' && recordRef = @request.auth.id && collectionRef = @request.auth.collectionId"
)


def _required_text(name: str, *, hidden: bool = False) -> TextField:
    return TextField(name=name, system=True, required=True, hidden=hidden)


def _owned_collection(
    id_: str, name: str, fields: list[Field], indexes: list[str], *, owner_can_delete: bool = False
) -> Collection:
    return Collection(
        id=id_,
        name=name,
        type=BASE,
        system=True,
        fields=[
            id_field(),
            _required_text("collectionRef"),
            _required_text("recordRef"),
            *fields,
            *autodate_fields(system=True),
        ],
        indexes=indexes,
        listRule=_OWNER_RULE,
        viewRule=_OWNER_RULE,
        deleteRule=_OWNER_RULE if owner_can_delete else None,
    )


def system_collections() -> list[Collection]:
    """The collections of a fresh data dir, in PocketBase's creation order."""
    superusers_id, users_id = "pbc_3142635823", "_pb_users_auth_"
    return [
        _owned_collection(
            "pbc_2279338944",
            "_mfas",
            [_required_text("method")],
            ["CREATE INDEX `idx_mfas_collectionRef_recordRef` ON `_mfas` (collectionRef,recordRef)"],
        ),
        _owned_collection(
            "pbc_1638494021",
            "_otps",
            [
                PasswordField(name="password", system=True, hidden=True, required=True, cost=8),
                TextField(name="sentTo", system=True, hidden=True),
            ],
            ["CREATE INDEX `idx_otps_collectionRef_recordRef` ON `_otps` (collectionRef, recordRef)"],
        ),
        _owned_collection(
            "pbc_2281828961",
            "_externalAuths",
            [_required_text("provider"), _required_text("providerId")],
            [
                "CREATE UNIQUE INDEX `idx_externalAuths_record_provider` "
                "ON `_externalAuths` (collectionRef, recordRef, provider)",
                "CREATE UNIQUE INDEX `idx_externalAuths_collection_provider` "
                "ON `_externalAuths` (collectionRef, provider, providerId)",
            ],
            owner_can_delete=True,
        ),
        _owned_collection(
            "pbc_4275539003",
            "_authOrigins",
            [_required_text("fingerprint")],
            [
                "CREATE UNIQUE INDEX `idx_authOrigins_unique_pairs` "
                "ON `_authOrigins` (collectionRef, recordRef, fingerprint)"
            ],
            owner_can_delete=True,
        ),
        Collection(
            id=superusers_id,
            name="_superusers",
            type=AUTH,
            system=True,
            fields=[id_field(), *auth_fields(), *autodate_fields(system=True)],
            indexes=auth_indexes(superusers_id, "_superusers"),
            auth=_superusers_options(),
        ),
        Collection(
            id=users_id,
            name="users",
            type=AUTH,
            fields=[
                id_field(),
                *auth_fields(),
                TextField(name="name", max=255),
                FileField(
                    name="avatar",
                    maxSelect=1,
                    mimeTypes=["image/jpeg", "image/png", "image/svg+xml", "image/gif", "image/webp"],
                ),
                *autodate_fields(),
            ],
            indexes=auth_indexes(users_id, "users"),
            listRule="id = @request.auth.id",
            viewRule="id = @request.auth.id",
            createRule="",
            updateRule="id = @request.auth.id",
            deleteRule="id = @request.auth.id",
            auth=AuthOptions(
                oauth2=OAuth2Config(mappedFields=OAuth2MappedFields(name="name", avatarURL="avatar"))
            ),
        ),
    ]


def _superusers_options() -> AuthOptions:
    options = AuthOptions()
    options.authToken.duration = 86400
    return options


async def _aux_init(data: Database, aux: Database) -> None:
    async with aux.transaction() as aux_tx:
        await aux_tx.executescript(_LOGS_SCHEMA)


async def _init(data: Database, aux: Database) -> None:
    async with data.transaction() as tx:
        await _create_schema(tx)
    await save_settings(data, Settings())


async def _create_schema(tx: Transaction) -> None:
    await tx.executescript(_PARAMS_TABLE + ";\n" + _COLLECTIONS_TABLE + ";\n")
    await tx.execute("CREATE INDEX idx__collections_type on `_collections` (`type`)")
    for collection in system_collections():
        collection.created = collection.updated = now_string()
        await create_collection_table(tx, collection)
        row = collection.to_row()
        columns = ", ".join(f"`{k}`" for k in row)
        await tx.execute(
            f"INSERT INTO `_collections` ({columns}) VALUES ({', '.join('?' for _ in row)})",
            tuple(row.values()),
        )


AUX_INIT = Migration("1640988000_aux_init.go", _aux_init)
INIT = Migration(
    "1640988000_init.go",
    _init,
    covers=(
        "1717233556_v0.23_migrate.go",
        "1717233557_v0.23_migrate2.go",
        "1717233558_v0.23_migrate3.go",
        "1717233559_v0.23_migrate4.go",
        "1763020353_update_default_auth_alert_templates.go",
        "1778828400_normalize_indexes.go",
    ),
)
