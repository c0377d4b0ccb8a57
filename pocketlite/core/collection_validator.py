"""Collection validation (data-model.md §2.3, §2.5): PocketBase's rules, codes and messages.

`validate_collection` checks a collection about to be saved against its stored state (`original`,
None on create) and the other collections; it reads the database but writes nothing. Errors come
back as one `ValidationErrors`, keyed like the submitted JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pocketlite.core.auth_options import AuthOptions, EmailTemplate, TokenConfig
from pocketlite.core.collection import AUTH, RULES, TYPES, Collection
from pocketlite.core.db import Transaction
from pocketlite.core.errors import ValidationError, ValidationErrors
from pocketlite.core.fields import BoolField, EmailField, PasswordField, TextField
from pocketlite.core.fields.url import is_url
from pocketlite.core.indexes import Index, find_single_column_unique_index, parse_index
from pocketlite.core.oauth2_providers import is_provider
from pocketlite.core.record_resolver import RecordFieldResolver, RequestInfo
from pocketlite.core.validators import (
    first_error,
    length,
    match,
    max_value,
    min_value,
    must_be_nil,
    nil_or_not_empty,
    one_of,
    required,
)
from pocketlite.core.views import ViewQueryError, check_view_query, infer_view_fields
from pocketlite.search.filter import build_filter

__all__ = ["validate_collection"]

_NAME_RE = re.compile(r"^\w+$")
_RESERVED_AUTH_FIELD_NAMES = ("passwordConfirm", "oldPassword")
Errors = dict[str, ValidationError | ValidationErrors]


async def validate_collection(
    db: Transaction,
    new: Collection,
    original: Collection | None,
    find_collection: Callable[[str], Collection | None],
) -> None:
    """Raise `ValidationErrors` when `new` can't be saved."""
    errors: Errors = {}
    is_new = original is None
    if new.is_view:
        # A view's fields always come from its query (whatever was submitted).
        try:
            new.fields = await infer_view_fields(db, new.viewQuery)
        except ViewQueryError as exc:
            new.fields = exc.fields
        except Exception:
            new.fields = []

    error = first_error(new.id, required)
    if error is None and is_new:
        error = first_error(new.id, length(1, 100), match(_NAME_RE)) or await _unique_id(db, new.id)
    elif error is None and original is not None and new.id != original.id:
        error = ValidationError("validation_values_mismatch", "Values don't match.")
    _put(errors, "id", error)

    if original is not None and new.system != original.system:
        _put(
            errors,
            "system",
            _error("collection_system_flag_change", "System collection state cannot be changed."),
        )

    error = first_error(new.type, required, one_of(TYPES))
    if error is None and original is not None and new.type != original.type:
        error = _error("collection_type_change", "Collection type cannot be changed.")
    _put(errors, "type", error)

    _put(errors, "name", await _check_name(db, new, original))
    _put(errors, "fields", _check_fields(new, original, find_collection))

    for rule in RULES:
        value = getattr(new, rule)
        error = must_be_nil(value) if new.is_view and rule in RULES[2:] else None
        _put(
            errors,
            rule,
            error or _rule_error(new, value, find_collection) or _system_rule_change(new, original, rule),
        )

    _put(errors, "indexes", await _check_indexes(db, new, original))

    if new.type == AUTH and new.auth is not None:
        errors.update(_check_auth_options(new, new.auth, original, find_collection))
    elif new.is_view:
        problem = await check_view_query(db, new.viewQuery, find_collection)
        error = required(new.viewQuery) or (
            _error("invalid_view_query", f"Invalid query - {problem}") if problem else None
        )
        _put(errors, "viewQuery", error)
    if errors:
        raise ValidationErrors(errors)


# --- base properties --------------------------------------------------------------------------


def _error(code: str, message: str, params: dict[str, Any] | None = None) -> ValidationError:
    return ValidationError(f"validation_{code}", message, params)


def _put(errors: Errors, key: str, error: ValidationError | ValidationErrors | None) -> None:
    if error is not None:
        errors[key] = error


async def _unique_id(db: Transaction, collection_id: str) -> ValidationError | None:
    if await db.fetch_one("SELECT 1 FROM _collections WHERE id = ? LIMIT 1", (collection_id,)) is None:
        return None
    return _error("invalid_or_existing_id", "The model id is invalid or already exists.")


async def _check_name(
    db: Transaction, new: Collection, original: Collection | None
) -> ValidationError | None:
    name = new.name
    error = first_error(name, required, length(1, 255))
    if error is None and "_via_" in name.lower():
        error = _error("found_via", 'The value cannot contain "_via_".')
    error = error or match(_NAME_RE)(name)
    if error is not None:
        return error
    if original is not None and original.system and name != original.name:
        return _error("collection_system_name_change", "System collection name cannot be changed.")
    exclude = original.id if original is not None else ""
    taken = await db.fetch_one(
        "SELECT 1 FROM _collections WHERE LOWER(name) = LOWER(?) AND id != ? LIMIT 1", (name, exclude)
    )
    if taken is not None:
        return _error("collection_name_exists", "Collection name must be unique (case insensitive).")
    if await db.fetch_one("SELECT 1 FROM _collections WHERE id = ? LIMIT 1", (name,)) is not None:
        return _error("collection_name_id_duplicate", "The name must not match an existing collection id.")
    renamed = original is None or original.name != name
    if renamed and await db.fetch_one(
        "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND LOWER(name) = LOWER(?) "
        "AND LOWER(name) NOT IN (SELECT LOWER(name) FROM _collections) LIMIT 1",
        (name,),
    ):
        return _error("collection_name_invalid", "The name shouldn't match with an existing internal table.")
    return None


# --- fields -----------------------------------------------------------------------------------


def _check_fields(
    new: Collection, original: Collection | None, find_collection: Callable[[str], Collection | None]
) -> ValidationError | ValidationErrors | None:
    """The first failing check of PocketBase's order: duplicates, minimum fields, system fields,
    type changes, reserved auth names, then each field's own settings."""
    return (
        _duplicates(new)
        or _min_fields(new)
        or (None if new.is_view else _system_fields_change(new, original) or _type_changes(new, original))
        or (_reserved_auth_names(new) if new.type == AUTH else None)
        or _field_settings(new, find_collection)
    )


def _duplicates(new: Collection) -> ValidationErrors | None:
    ids: set[str] = set()
    names: set[str] = set()
    for i, field in enumerate(new.fields):
        if field.id in ids:
            return ValidationErrors(
                {
                    str(i): ValidationErrors(
                        {"id": _error("duplicated_field_id", f'Duplicated or invalid field id "{field.id}"')}
                    )
                }
            )
        if field.name.lower() in names:
            return ValidationErrors(
                {
                    str(i): ValidationErrors(
                        {
                            "name": _error(
                                "duplicated_field_name",
                                f"Duplicated or invalid field name {field.name}",
                                {"fieldName": field.name},
                            )
                        }
                    )
                }
            )
        ids.add(field.id)
        names.add(field.name.lower())
    return None


_AUTH_SYSTEM_FIELDS: tuple[tuple[str, type, bool], ...] = (
    ("password", PasswordField, True),
    ("tokenKey", TextField, True),
    ("email", EmailField, False),
    ("emailVisibility", BoolField, False),
    ("verified", BoolField, False),
)


def _min_fields(new: Collection) -> ValidationError | ValidationErrors | None:
    if not new.fields:
        return required(new.fields)
    id_field = new.field("id")
    if not isinstance(id_field, TextField) or not id_field.primaryKey:
        return _error("missing_primary_key", 'Missing or invalid "id" PK field.')
    if new.type != AUTH:
        return None
    for name, kind, hidden in _AUTH_SYSTEM_FIELDS:
        field = new.field(name)
        if field is None or not isinstance(field, kind):
            return _error(f"missing_{name}_field", f'System "{name}" field is required.')
        if not field.system or (hidden and not field.hidden):
            message = (
                'The field must be marked as "System" and "Hidden".'
                if hidden
                else 'The field must be marked as "System".'
            )
            code = "must_be_system_and_hidden" if hidden else "must_be_system"
            return ValidationErrors({name: _error(code, message)})
    return None


def _system_fields_change(new: Collection, original: Collection | None) -> ValidationError | None:
    if original is None:
        return None
    new_by_id = {f.id: f for f in new.fields}
    for old in original.fields:
        if old.system and (old.id not in new_by_id or new_by_id[old.id].name != old.name):
            return _error("system_field_change", "System fields cannot be deleted or renamed.")
    return None


def _type_changes(new: Collection, original: Collection | None) -> ValidationErrors | None:
    if original is None:
        return None
    old_by_id = {f.id: f for f in original.fields}
    errors: Errors = {
        str(i): _error("field_type_change", "Field type cannot be changed.")
        for i, f in enumerate(new.fields)
        if f.id in old_by_id and old_by_id[f.id].type != f.type
    }
    return ValidationErrors(errors) if errors else None


def _reserved_auth_names(new: Collection) -> ValidationErrors | None:
    errors: Errors = {
        str(i): ValidationErrors(
            {"name": _error("reserved_field_name", "The field name is reserved and cannot be used.")}
        )
        for i, f in enumerate(new.fields)
        if f.name in _RESERVED_AUTH_FIELD_NAMES
    }
    return ValidationErrors(errors) if errors else None


def _field_settings(
    new: Collection, find_collection: Callable[[str], Collection | None]
) -> ValidationErrors | None:
    errors: Errors = {}
    for i, field in enumerate(new.fields):
        error = field.validate_settings(new, find_collection)
        if error is not None:
            errors[str(i)] = error
    return ValidationErrors(errors) if errors else None


# --- rules ------------------------------------------------------------------------------------


def _rule_error(
    new: Collection, rule: str | None, find: Callable[[str], Collection | None]
) -> ValidationError | None:
    """A rule must parse and resolve against the collection's fields (any request shape)."""
    if not rule:
        return None
    try:
        build_filter(rule, RecordFieldResolver(find, new, RequestInfo(), allow_hidden=True))
    except ValueError as exc:
        return _error("invalid_rule", f"Invalid rule. Raw error: {exc}")
    return None


def _system_rule_change(new: Collection, original: Collection | None, rule: str) -> ValidationError | None:
    if original is None or not original.system or _rule_of(new, rule) == _rule_of(original, rule):
        return None
    return _error("collection_system_rule_change", "System collection API rule cannot be changed.")


def _rule_of(collection: Collection, rule: str) -> str | None:
    if rule in RULES:
        value: str | None = getattr(collection, rule)
        return value
    auth = collection.auth
    if auth is None:
        return None
    return auth.mfa.rule if rule == "mfa.rule" else getattr(auth, rule)


# --- indexes ----------------------------------------------------------------------------------


async def _check_indexes(
    db: Transaction, new: Collection, original: Collection | None
) -> ValidationError | ValidationErrors | None:
    if new.is_view and new.indexes:
        return _error("indexes_not_supported", "View collections don't support indexes.")
    names: set[str] = set()
    definitions: set[str] = set()
    old_name = original.name if original is not None else ""
    for i, statement in enumerate(new.indexes):
        index = parse_index(statement).with_table("validator")
        if not index.is_valid:
            return _at(i, _error("invalid_index_expression", "Invalid CREATE INDEX expression."))
        if index.name.lower() in names:
            return _at(i, _error("duplicated_index_name", "The index name already exists."))
        names.add(index.name.lower())
        used = await db.fetch_one(
            "SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND LOWER(tbl_name) != LOWER(?) "
            "AND LOWER(tbl_name) != LOWER(?) AND LOWER(name) = LOWER(?) LIMIT 1",
            (old_name, new.name, index.name),
        )
        if used is not None:
            return _at(
                i,
                _error(
                    "existing_index_name",
                    f"The index name is already used in {used[0]} collection.",
                    {"usedTableName": used[0]},
                ),
            )
        definition = Index(
            name="validator",
            table="validator",
            columns=index.columns,
            unique=index.unique,
            optional=index.optional,
            schema="validator",
            where=index.where,
        ).build()
        if definition in definitions:
            return _at(i, _error("duplicated_index_definition", "The index definition already exists."))
        definitions.add(definition)
    return _system_unique_indexes_kept(new, original) or _required_auth_indexes(new)


def _at(i: int, error: ValidationError) -> ValidationErrors:
    return ValidationErrors({str(i): error})


def _bare(index: Index) -> Index:
    """The parts of a unique index that make the constraint (no names, collation, order, WHERE)."""
    from dataclasses import replace

    return replace(
        index,
        name="",
        table="",
        schema="",
        where="",
        columns=tuple(replace(c, collate="", sort="") for c in index.columns),
    )


def _system_unique_indexes_kept(new: Collection, original: Collection | None) -> ValidationError | None:
    if original is None:
        return None
    new_bare = [_bare(parse_index(s)).columns for s in new.indexes if parse_index(s).unique]
    system_names = {f.name.lower(): f.name for f in original.fields if f.system}
    for statement in original.indexes:
        old = parse_index(statement)
        if not old.unique:
            continue
        for column in old.columns:
            name = system_names.get(column.name.lower())
            if name is None:
                continue
            if _bare(old).columns not in new_bare:
                return _error(
                    "invalid_unique_system_field_index",
                    f"Unique index definition on system fields ({name}) is invalid or missing.",
                    {"fieldName": name},
                )
            break
    return None


def _required_auth_indexes(new: Collection) -> ValidationError | None:
    if new.type != AUTH:
        return None
    for name in ("tokenKey", "email"):
        if find_single_column_unique_index(new.indexes, name) is None:
            return _error(
                "missing_required_unique_index",
                f'Missing required unique index for field "{name}".',
                {"fieldName": name},
            )
    return None


# --- auth options -----------------------------------------------------------------------------


def _check_auth_options(
    new: Collection,
    options: AuthOptions,
    original: Collection | None,
    find: Callable[[str], Collection | None],
) -> Errors:
    errors: Errors = {}
    _put(
        errors,
        "authRule",
        _rule_error(new, options.authRule, find) or _system_rule_change(new, original, "authRule"),
    )
    _put(
        errors,
        "manageRule",
        nil_or_not_empty(options.manageRule)
        or _rule_error(new, options.manageRule, find)
        or _system_rule_change(new, original, "manageRule"),
    )
    _put(errors, "authAlert", _nested({"emailTemplate": _template(options.authAlert.emailTemplate)}))
    _put(errors, "oauth2", _oauth2_errors(options))
    _put(errors, "otp", _duration_errors(options.otp.enabled, options.otp.duration, options.otp.length))
    _put(errors, "mfa", _duration_errors(options.mfa.enabled, options.mfa.duration, None))
    for name in ("authToken", "passwordResetToken", "emailChangeToken", "verificationToken", "fileToken"):
        _put(errors, name, _token_errors(getattr(options, name)))
    for name in ("verificationTemplate", "resetPasswordTemplate", "confirmEmailChangeTemplate"):
        template: EmailTemplate = getattr(options, name)
        _put(errors, name, required(template.subject + template.body) or _template(template))
    if errors:
        return errors
    if options.mfa.enabled:
        enabled = options.passwordAuth.enabled + options.oauth2.enabled + options.otp.enabled
        if enabled < 2:
            error = _error("mfa_not_enough_auths", "MFA requires at least 2 auth methods to be enabled.")
            return {"mfa": ValidationErrors({"enabled": error})}
        if options.mfa.rule:
            rule_error = _rule_error(new, options.mfa.rule, find) or _system_rule_change(
                new, original, "mfa.rule"
            )
            if rule_error is not None:
                return {"mfa": ValidationErrors({"rule": rule_error})}
    if options.passwordAuth.enabled:
        identity_error = _identity_fields(new, options.passwordAuth.identityFields)
        if identity_error is not None:
            return {"passwordAuth": ValidationErrors({"identityFields": identity_error})}
    return {}


def _nested(errors: dict[str, ValidationError | ValidationErrors | None]) -> ValidationErrors | None:
    found: Errors = {k: v for k, v in errors.items() if v is not None}
    return ValidationErrors(found) if found else None


def _template(template: EmailTemplate) -> ValidationErrors | None:
    return _nested({"subject": required(template.subject), "body": required(template.body)})


def _token_errors(config: TokenConfig) -> ValidationErrors | None:
    return _nested(
        {
            "secret": first_error(config.secret, required, length(30, 255)),
            "duration": first_error(config.duration, required, min_value(10), max_value(94670856)),
        }
    )


def _duration_errors(enabled: bool, duration: int, otp_length: int | None) -> ValidationErrors | None:
    if not enabled:
        return None
    errors: dict[str, ValidationError | ValidationErrors | None] = {
        "duration": first_error(duration, required, min_value(10), max_value(86400))
    }
    if otp_length is not None:
        errors["length"] = first_error(otp_length, required, min_value(4))
    return _nested(errors)


def _oauth2_errors(options: AuthOptions) -> ValidationErrors | None:
    if not options.oauth2.enabled:
        return None
    seen: set[str] = set()
    for i, provider in enumerate(options.oauth2.providers):
        if provider.name and provider.name in seen:
            error = _error(
                "duplicated_provider",
                f"The provider {provider.name} is already registered.",
                {"name": provider.name},
            )
            return ValidationErrors(
                {"providers": ValidationErrors({str(i): ValidationErrors({"name": error})})}
            )
        seen.add(provider.name)
    provider_errors: Errors = {}
    for i, provider in enumerate(options.oauth2.providers):
        found = _nested(
            {
                "name": required(provider.name) or _known_provider(provider.name),
                "clientId": required(provider.clientId),
                "clientSecret": required(provider.clientSecret),
                "authURL": _url_error(provider.authURL),
                "tokenURL": _url_error(provider.tokenURL),
                "userInfoURL": _url_error(provider.userInfoURL),
            }
        )
        if found is not None:
            provider_errors[str(i)] = found
    return ValidationErrors({"providers": ValidationErrors(provider_errors)}) if provider_errors else None


def _known_provider(name: str) -> ValidationError | None:
    if is_provider(name):
        return None
    return _error("missing_provider", f"Invalid or missing provider with name {name}.", {"name": name})


def _url_error(value: str) -> ValidationError | None:
    if not value or is_url(value):
        return None
    return _error("is_url", "Must be a valid URL.")


def _identity_fields(new: Collection, names: list[str]) -> ValidationError | None:
    if not names:
        return required(names)
    for name in dict.fromkeys(names):
        if new.field(name) is None:
            return _error("missing_field", f"Invalid or missing field {name}", {"fieldName": name})
        if find_single_column_unique_index(new.indexes, name) is None:
            return _error(
                "missing_unique_constraint",
                f"The field {name} doesn't have a UNIQUE constraint.",
                {"fieldName": name},
            )
    return None
