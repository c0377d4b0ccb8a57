"""The collections API (admin-apis.md §1, data-model.md §2): schema changes over HTTP.

Every expected body below was captured from PocketBase 0.40.6 for the same request.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.scenarios import SUPERUSER_TOKEN, Scenario, run
from tests.servers import Server

COLLECTIONS = "/api/collections"
AS_SUPERUSER = {"Authorization": SUPERUSER_TOKEN}
CREATE_FAILED = '"message":"Failed to create collection.","status":400}'


def _bad_create(name: str, body: Any, data: str) -> Scenario:
    return Scenario(
        name,
        "POST",
        COLLECTIONS,
        400,
        headers=AS_SUPERUSER,
        json=body,
        expected=['{"data":' + data + "," + CREATE_FAILED],
    )


SCENARIOS = [
    Scenario(
        "guests can't list the schema",
        "GET",
        f"{COLLECTIONS}/users",
        401,
        expected=[
            '{"data":{},"message":"The request requires valid record authorization token.","status":401}'
        ],
    ),
    Scenario("an unknown collection", "GET", f"{COLLECTIONS}/nope", 404, headers=AS_SUPERUSER),
    Scenario(
        "the list is paged",
        "GET",
        f"{COLLECTIONS}?filter=system=true&sort=-name&perPage=2&fields=name",
        200,
        headers=AS_SUPERUSER,
        expected=[
            '{"items":[{"name":"_superusers"},{"name":"_otps"}],"page":1,"perPage":2,"totalItems":5,"totalPages":3}'
        ],
    ),
    Scenario(
        "the list without totals",
        "GET",
        f"{COLLECTIONS}?filter=name~'users'&skipTotal=true&fields=name",
        200,
        headers=AS_SUPERUSER,
        expected=[
            '{"items":[{"name":"_superusers"},{"name":"users"}],"page":1,"perPage":30,"totalItems":-1,"totalPages":-1}'
        ],
    ),
    Scenario(
        "a list filter on an unknown field",
        "GET",
        f"{COLLECTIONS}?filter=nope=1",
        400,
        headers=AS_SUPERUSER,
        expected=['{"data":{},"message":"Something went wrong while processing your request.","status":400}'],
    ),
    Scenario(
        "a collection by name",
        "GET",
        f"{COLLECTIONS}/users",
        200,
        headers=AS_SUPERUSER,
        expected=['{"id":"_pb_users_auth_","listRule":"id = @request.auth.id"'],
        not_expected=['"secret"'],
    ),
    Scenario(
        "a collection by id, trimmed with fields",
        "GET",
        f"{COLLECTIONS}/pbc_3142635823?fields=name,system",
        200,
        headers=AS_SUPERUSER,
        expected=['{"name":"_superusers","system":true}'],
    ),
    _bad_create(
        "a name is required", {}, '{"name":{"code":"validation_required","message":"Cannot be blank."}}'
    ),
    _bad_create(
        "names are unique case-insensitively",
        {"name": "USERS"},
        '{"name":{"code":"validation_collection_name_exists",'
        '"message":"Collection name must be unique (case insensitive)."}}',
    ),
    _bad_create(
        "a bad name and an unknown type",
        {"name": "a b", "type": "nope"},
        '{"name":{"code":"validation_match_invalid","message":"Must be in a valid format."},'
        '"type":{"code":"validation_in_invalid","message":"Must be a valid value."}}',
    ),
    _bad_create(
        "names can't contain _via_",
        {"name": "x_via_y"},
        '{"name":{"code":"validation_found_via","message":"The value cannot contain \\"_via_\\"."}}',
    ),
    _bad_create(
        "a name can't be another collection's id",
        {"name": "pbc_3142635823"},
        '{"name":{"code":"validation_collection_name_id_duplicate",'
        '"message":"The name must not match an existing collection id."}}',
    ),
    _bad_create(
        "a name over 255 characters",
        {"name": "a" * 256},
        '{"name":{"code":"validation_length_out_of_range","message":"The length must be between 1 and 255.",'
        '"params":{"max":255,"min":1}}}',
    ),
    _bad_create(
        "an id that exists",
        {"name": "taken_id", "id": "pbc_3142635823"},
        '{"id":{"code":"validation_invalid_or_existing_id",'
        '"message":"The model id is invalid or already exists."}}',
    ),
    _bad_create(
        "an id of the wrong shape",
        {"name": "bad_id", "id": "a b"},
        '{"id":{"code":"validation_match_invalid","message":"Must be in a valid format."}}',
    ),
    _bad_create(
        "field names are unique case-insensitively (errors count the id field)",
        {"name": "dup_fields", "fields": [{"name": "a", "type": "text"}, {"name": "A", "type": "bool"}]},
        '{"fields":{"2":{"name":{"code":"validation_duplicated_field_name",'
        '"message":"Duplicated or invalid field name A.","params":{"fieldName":"A"}}}}}',
    ),
    _bad_create(
        "an invalid index",
        {"name": "bad_index", "indexes": ["bad"]},
        '{"indexes":{"0":{"code":"validation_invalid_index_expression",'
        '"message":"Invalid CREATE INDEX expression."}}}',
    ),
    _bad_create(
        "index names are unique within the collection",
        {"name": "dup_index", "indexes": ["create index a on x (id)", "create index A on x (id)"]},
        '{"indexes":{"1":{"code":"validation_duplicated_index_name",'
        '"message":"The index name already exists."}}}',
    ),
    _bad_create(
        "index definitions are unique",
        {"name": "dup_def", "indexes": ["create index a on x (id)", "create index b on x (`id`)"]},
        '{"indexes":{"1":{"code":"validation_duplicated_index_definition",'
        '"message":"The index definition already exists."}}}',
    ),
    _bad_create(
        "index names of other tables are taken",
        {"name": "used_index", "indexes": ["create index idx_email__pb_users_auth_ on x (id)"]},
        '{"indexes":{"0":{"code":"validation_existing_index_name",'
        '"message":"The index name is already used in users collection.",'
        '"params":{"usedTableName":"users"}}}}',
    ),
    _bad_create(
        "auth options out of range, reserved names and empty templates",
        {
            "name": "bad_auth",
            "type": "auth",
            "fields": [{"name": "passwordConfirm", "type": "text"}],
            "otp": {"duration": 1, "enabled": True, "length": 2},
            "authToken": {"duration": 5},
            "verificationTemplate": {"subject": ""},
            "manageRule": "",
        },
        '{"authToken":{"duration":{"code":"validation_min_greater_equal_than_required",'
        '"message":"Must be no less than 10.","params":{"threshold":10}}},'
        '"fields":{"1":{"name":{"code":"validation_reserved_field_name",'
        '"message":"The field name is reserved and cannot be used."}}},'
        '"manageRule":{"code":"validation_nil_or_not_empty_required","message":"Cannot be blank."},'
        '"otp":{"duration":{"code":"validation_min_greater_equal_than_required",'
        '"message":"Must be no less than 10.",'
        '"params":{"threshold":10}},"length":{"code":"validation_min_greater_equal_than_required",'
        '"message":"Must be no less than 4.","params":{"threshold":4}}},'
        '"verificationTemplate":{"subject":{"code":"validation_required","message":"Cannot be blank."}}}',
    ),
    _bad_create(
        "identity fields must exist",
        {"name": "bad_identity", "type": "auth", "passwordAuth": {"identityFields": ["nope"]}},
        '{"passwordAuth":{"identityFields":{"code":"validation_missing_field",'
        '"message":"Invalid or missing field nope.","params":{"fieldName":"nope"}}}}',
    ),
    _bad_create(
        "MFA needs two auth methods",
        {"name": "bad_mfa", "type": "auth", "mfa": {"enabled": True}},
        '{"mfa":{"enabled":{"code":"validation_mfa_not_enough_auths",'
        '"message":"MFA requires at least 2 auth methods to be enabled."}}}',
    ),
    _bad_create(
        "OAuth2 providers are listed once",
        {
            "name": "bad_oauth",
            "type": "auth",
            "oauth2": {"enabled": True, "providers": [{"name": "github"}] * 2},
        },
        '{"oauth2":{"providers":{"1":{"name":{"code":"validation_duplicated_provider",'
        '"message":"The provider github is already registered.","params":{"name":"github"}}}}}}',
    ),
    _bad_create(
        "OAuth2 providers need client credentials",
        {
            "name": "bad_oauth2",
            "type": "auth",
            "oauth2": {"enabled": True, "providers": [{"name": "github"}]},
        },
        '{"oauth2":{"providers":{"0":{"clientId":{"code":"validation_required","message":"Cannot be blank."},'
        '"clientSecret":{"code":"validation_required","message":"Cannot be blank."}}}}}',
    ),
    Scenario(
        "an unknown field type",
        "POST",
        COLLECTIONS,
        400,
        headers=AS_SUPERUSER,
        json={"name": "bad_type", "fields": [{"name": "a", "type": "zzz"}]},
        expected=[
            '{"data":{},"message":"Failed to load the submitted data due to invalid formatting.",'
            '"status":400}'
        ],
    ),
    Scenario(
        "a body that isn't an object",
        "POST",
        COLLECTIONS,
        400,
        headers={**AS_SUPERUSER, "Content-Type": "application/json"},
        content=b"garbage",
        expected=['"message":"Failed to load the collection type data due to invalid formatting."'],
    ),
    Scenario(
        "SQLite's own refusals come back raw",
        "POST",
        COLLECTIONS,
        400,
        headers=AS_SUPERUSER,
        json={"name": "sqlite_master"},
        expected=[
            '{"data":{},"message":"Failed to create collection. Raw error: \\nSQL logic error: '
            'object name reserved for internal use: sqlite_master (1).","status":400}'
        ],
    ),
    Scenario(
        "system collections can't be renamed or have their rules changed",
        "PATCH",
        f"{COLLECTIONS}/_superusers",
        400,
        headers=AS_SUPERUSER,
        json={"name": "su", "listRule": ""},
        expected=[
            '{"data":{"listRule":{"code":"validation_collection_system_rule_change",'
            '"message":"System collection API rule cannot be changed."},'
            '"name":{"code":"validation_collection_system_name_change",'
            '"message":"System collection name cannot be changed."}},'
            '"message":"Failed to update collection.","status":400}'
        ],
    ),
    Scenario(
        "system collections can't be deleted",
        "DELETE",
        f"{COLLECTIONS}/_superusers",
        400,
        headers=AS_SUPERUSER,
        expected=['{"data":{},"message":"Failed to delete collection.","status":400}'],
    ),
    Scenario(
        "importing nothing",
        "PUT",
        f"{COLLECTIONS}/import",
        400,
        headers=AS_SUPERUSER,
        json={"collections": []},
        expected=[
            '{"data":{"collections":{"code":"validation_required","message":"Cannot be blank."}},'
            '"message":"An error occurred while validating the submitted data.","status":400}'
        ],
    ),
    Scenario(
        "an import with an invalid collection changes nothing",
        "PUT",
        f"{COLLECTIONS}/import",
        400,
        headers=AS_SUPERUSER,
        json={"collections": [{"name": "imp_ok"}, {"name": "a b"}]},
        expected=[
            '{"data":{"collections":{"code":"validation_collections_import_failure",'
            '"message":"Data validations failed for collection \\"a b\\" (pbc_2404009634):'
            '\\n{\\n  \\"name\\": '
            '\\"must be in a valid format\\"\\n}."}},"message":"Failed to import collections.","status":400}'
        ],
    ),
]


# The hooks each kind of request fires, counted as PocketBase's API tests count them.
_CREATED = {
    "on_collection_create_request": 1,
    "on_collection_create": 1,
    "on_model_create": 1,
    "on_collection_validate": 1,
    "on_model_validate": 1,
    "on_collection_create_execute": 1,
    "on_model_create_execute": 1,
    "on_collection_after_create_success": 1,
    "on_model_after_create_success": 1,
}

# One collection's life, in order (so in one test: the rows depend on each other).
LIFECYCLE = [
    Scenario(
        "a list fires its request hook only",
        "GET",
        f"{COLLECTIONS}?perPage=1",
        200,
        headers=AS_SUPERUSER,
        expected_events={"on_collections_list_request": 1},
    ),
    Scenario(
        "a view fires its request hook only",
        "GET",
        f"{COLLECTIONS}/users",
        200,
        headers=AS_SUPERUSER,
        expected_events={"on_collection_view_request": 1},
    ),
    Scenario(
        "a guest's view fires nothing",
        "GET",
        f"{COLLECTIONS}/users",
        401,
        expected_events={},
    ),
    Scenario(
        "a create fires the request, save and model hooks",
        "POST",
        COLLECTIONS,
        200,
        headers=AS_SUPERUSER,
        json={"name": "events_created"},
        expected_events=_CREATED,
    ),
    Scenario(
        "a refused create stops at validation and fires the error hooks",
        "POST",
        COLLECTIONS,
        400,
        headers=AS_SUPERUSER,
        json={"name": "a b"},
        expected_events={
            "on_collection_create_request": 1,
            "on_collection_create": 1,
            "on_model_create": 1,
            "on_collection_validate": 1,
            "on_model_validate": 1,
            "on_collection_after_create_error": 1,
            "on_model_after_create_error": 1,
        },
    ),
    Scenario(
        "an update fires the update hooks",
        "PATCH",
        f"{COLLECTIONS}/events_created",
        200,
        headers=AS_SUPERUSER,
        json={"listRule": ""},
        expected_events={k.replace("create", "update"): v for k, v in _CREATED.items()},
    ),
    Scenario(
        "a delete fires the delete hooks, without validation",
        "DELETE",
        f"{COLLECTIONS}/events_created",
        204,
        headers=AS_SUPERUSER,
        expected_events={
            k.replace("create", "delete"): v for k, v in _CREATED.items() if "validate" not in k
        },
    ),
    Scenario(
        "an import saves each collection through the hooks",
        "PUT",
        f"{COLLECTIONS}/import",
        204,
        headers=AS_SUPERUSER,
        json={"collections": [{"name": "events_imported"}]},
        expected_events={
            "on_collections_import_request": 1,
            **{k: v for k, v in _CREATED.items() if k != "on_collection_create_request"},
        },
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_scenario(client: httpx.Client, superuser_token: str, scenario: Scenario) -> None:
    run(client, scenario, superuser_token)


def test_a_collections_life_fires_its_hooks(client: httpx.Client, superuser_token: str) -> None:
    for scenario in LIFECYCLE:
        run(client, scenario, superuser_token)


# --- behaviour over several requests ----------------------------------------------------------


@pytest.fixture()
def admin(server: Server, superuser_token: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers={"Authorization": superuser_token}, timeout=30) as http:
        yield http


@pytest.fixture()
def db(server: Server) -> Iterator[sqlite3.Connection]:
    """The server's own data.db, opened beside it (WAL allows it)."""
    conn = sqlite3.connect(Path(server.data_dir) / "data.db", timeout=10)
    yield conn
    conn.close()


def _schema(db: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    rows = db.execute("SELECT type, sql FROM sqlite_master WHERE tbl_name = ? ORDER BY name", (table,))
    return [(kind, sql) for kind, sql in rows]


def _create(admin: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = admin.post(COLLECTIONS, json=body)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


def test_a_base_collection_gets_the_id_field_and_a_deterministic_id(admin: httpx.Client) -> None:
    created = _create(admin, {"name": "posts", "fields": [{"name": "title", "type": "text"}]})

    assert created["id"] == "pbc_1125843985"
    assert [(f["name"], f["id"], f["type"]) for f in created["fields"]] == [
        ("id", "text3208210256", "text"),
        ("title", "text724990059", "text"),
    ]
    assert created["fields"][0]["autogeneratePattern"] == "[a-z0-9]{15}"
    assert list(created) == [
        "id", "listRule", "viewRule", "createRule", "updateRule", "deleteRule",
        "name", "type", "fields", "indexes", "created", "updated", "system",
    ]  # fmt: skip
    assert admin.get(f"{COLLECTIONS}/posts").json() == created


def test_an_auth_collection_gets_its_system_fields_and_unique_indexes(admin: httpx.Client) -> None:
    created = _create(
        admin, {"name": "members", "type": "auth", "fields": [{"name": "nick", "type": "text"}]}
    )

    names = [f["name"] for f in created["fields"]]
    assert names == ["id", "nick", "password", "tokenKey", "email", "emailVisibility", "verified"]
    assert created["indexes"] == [
        f"CREATE UNIQUE INDEX `idx_tokenKey_{created['id']}` ON `members` (`tokenKey`)",
        f"CREATE UNIQUE INDEX `idx_email_{created['id']}` ON `members` (`email`) WHERE `email` != ''",
    ]
    assert "secret" not in str(created)


def test_renaming_a_field_keeps_its_data(admin: httpx.Client, db: sqlite3.Connection) -> None:
    created = _create(admin, {"name": "notes", "fields": [{"name": "body", "type": "text"}]})
    with db:
        db.execute("INSERT INTO notes (id, body) VALUES ('n1', 'kept')")
    fields = created["fields"]
    fields[1]["name"] = "text"

    response = admin.patch(f"{COLLECTIONS}/notes", json={"fields": fields})

    assert response.status_code == 200, response.text
    assert [f["name"] for f in response.json()["fields"]] == ["id", "text"]
    assert db.execute("SELECT id, text FROM notes").fetchall() == [("n1", "kept")]


def test_patching_fields_replaces_the_whole_list(admin: httpx.Client, db: sqlite3.Connection) -> None:
    _create(
        admin, {"name": "drops", "fields": [{"name": "a", "type": "text"}, {"name": "b", "type": "text"}]}
    )

    response = admin.patch(f"{COLLECTIONS}/drops", json={"fields": [{"name": "b", "type": "text"}]})

    assert response.status_code == 200, response.text
    assert [r[1] for r in db.execute("PRAGMA table_info(drops)")] == ["b", "id"]


def test_renaming_a_collection_renames_its_table(admin: httpx.Client, db: sqlite3.Connection) -> None:
    _create(admin, {"name": "before_rename"})

    response = admin.patch(f"{COLLECTIONS}/before_rename", json={"name": "after_rename"})

    assert response.status_code == 200, response.text
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "after_rename" in tables and "before_rename" not in tables


def test_indexes_are_created_rewritten_and_dropped(admin: httpx.Client, db: sqlite3.Connection) -> None:
    _create(admin, {"name": "tagged", "fields": [{"name": "tag", "type": "text"}]})

    added = admin.patch(
        f"{COLLECTIONS}/tagged", json={"indexes": ["create unique index idx_tag on whatever (tag)"]}
    )

    assert added.json()["indexes"] == ["CREATE UNIQUE INDEX `idx_tag` ON `tagged` (`tag`)"]
    assert ("index", "CREATE UNIQUE INDEX `idx_tag` ON `tagged` (`tag`)") in _schema(db, "tagged")

    admin.patch(f"{COLLECTIONS}/tagged", json={"indexes": []})
    assert [(kind, sql is None) for kind, sql in _schema(db, "tagged")] == [
        ("index", True),  # the primary key's autoindex
        ("table", False),
    ]


def test_a_refused_change_leaves_schema_and_rows_untouched(
    admin: httpx.Client, db: sqlite3.Connection
) -> None:
    _create(admin, {"name": "steady", "fields": [{"name": "v", "type": "text"}]})
    with db:
        db.execute("INSERT INTO steady (id, v) VALUES ('s1', 'x')")
    before = (
        _schema(db, "steady"),
        db.execute("SELECT * FROM _collections WHERE name = 'steady'").fetchall(),
    )

    response = admin.patch(
        f"{COLLECTIONS}/steady",
        json={
            "fields": [{"name": "w", "type": "text"}],
            "indexes": ["CREATE INDEX idx_steady ON steady (nope)"],
        },
    )

    assert response.status_code == 400
    assert response.json()["data"] == {
        "indexes": {
            "0": {
                "code": "validation_invalid_index_expression",
                "message": "Failed to create index idx_steady - SQL logic error: no such column: nope (1).",
            }
        }
    }
    after = (_schema(db, "steady"), db.execute("SELECT * FROM _collections WHERE name = 'steady'").fetchall())
    assert after == before
    assert db.execute("SELECT id, v FROM steady").fetchall() == [("s1", "x")]


def test_system_fields_can_be_omitted_but_not_replaced(admin: httpx.Client) -> None:
    _create(admin, {"name": "guarded", "type": "auth"})

    kept = admin.patch(f"{COLLECTIONS}/guarded", json={"fields": [{"name": "extra", "type": "text"}]})
    replaced = admin.patch(f"{COLLECTIONS}/guarded", json={"fields": [{"name": "tokenKey", "type": "bool"}]})

    assert kept.status_code == 200
    assert [f["name"] for f in kept.json()["fields"]][:2] == ["id", "extra"]
    assert replaced.json()["data"] == {
        "fields": {
            "code": "validation_system_field_change",
            "message": "System fields cannot be deleted or renamed.",
        }
    }


def test_the_type_and_system_flag_are_fixed(admin: httpx.Client) -> None:
    _create(admin, {"name": "fixed"})

    response = admin.patch(f"{COLLECTIONS}/fixed", json={"type": "auth", "system": True})

    assert response.json()["data"] == {
        "system": {
            "code": "validation_collection_system_flag_change",
            "message": "System collection state cannot be changed.",
        },
        "type": {
            "code": "validation_collection_type_change",
            "message": "Collection type cannot be changed.",
        },
    }


def test_auth_options_merge_key_by_key(admin: httpx.Client) -> None:
    _create(admin, {"name": "otp_users", "type": "auth"})

    response = admin.patch(f"{COLLECTIONS}/otp_users", json={"otp": {"enabled": True}})

    assert response.json()["otp"]["enabled"] is True
    assert response.json()["otp"]["duration"] == 180
    assert response.json()["otp"]["emailTemplate"]["subject"] == "OTP for {APP_NAME}"


def test_delete_and_truncate(admin: httpx.Client, db: sqlite3.Connection) -> None:
    _create(admin, {"name": "doomed"})
    with db:
        db.executemany("INSERT INTO doomed (id) VALUES (?)", [("d1",), ("d2",)])

    assert admin.delete(f"{COLLECTIONS}/doomed/truncate").status_code == 204
    assert db.execute("SELECT COUNT(*) FROM doomed").fetchone()[0] == 0
    assert admin.delete(f"{COLLECTIONS}/doomed").status_code == 204
    assert admin.get(f"{COLLECTIONS}/doomed").status_code == 404
    assert db.execute("SELECT name FROM sqlite_master WHERE name = 'doomed'").fetchall() == []


def test_import_creates_updates_and_deletes_missing(admin: httpx.Client) -> None:
    _create(admin, {"name": "imp_keep", "fields": [{"name": "a", "type": "text"}]})
    _create(admin, {"name": "imp_gone"})
    everything = admin.get(f"{COLLECTIONS}/users").json(), admin.get(f"{COLLECTIONS}/_superusers").json()

    response = admin.put(
        f"{COLLECTIONS}/import",
        json={
            "collections": [
                *everything,
                {"name": "imp_keep", "fields": [{"name": "b", "type": "text"}]},
                {"name": "imp_new"},
            ],
            "deleteMissing": False,
        },
    )

    assert response.status_code == 204, response.text
    kept = admin.get(f"{COLLECTIONS}/imp_keep").json()
    # NB: PocketBase appends the omitted fields (the id one included) after the imported ones.
    assert [f["name"] for f in kept["fields"]] == ["b", "id", "a"]
    assert admin.get(f"{COLLECTIONS}/imp_new").status_code == 200
    assert admin.get(f"{COLLECTIONS}/imp_gone").status_code == 200


def test_a_failed_import_changes_nothing(admin: httpx.Client) -> None:
    response = admin.put(
        f"{COLLECTIONS}/import", json={"collections": [{"name": "imp_half"}, {"name": "x y"}]}
    )

    assert response.status_code == 400
    assert admin.get(f"{COLLECTIONS}/imp_half").status_code == 404


def test_scaffolds(admin: httpx.Client) -> None:
    scaffolds = admin.get(f"{COLLECTIONS}/meta/scaffolds").json()

    assert sorted(scaffolds) == ["auth", "base", "view"]
    assert all(s["id"] == "" and s["name"] == "" for s in scaffolds.values())
    assert [f["name"] for f in scaffolds["base"]["fields"]] == ["id"]
    assert scaffolds["view"]["fields"] == [] and scaffolds["view"]["viewQuery"] == ""
    assert len(scaffolds["auth"]["fields"]) == 6 and len(scaffolds["auth"]["indexes"]) == 2


def test_every_worker_sees_a_schema_change_at_once(tmp_path: Path) -> None:
    srv = Server.pocketlite(tmp_path / "pb_data")
    srv.create_superuser()
    srv.start("--workers=2")
    try:
        # New connections spread over both worker processes.
        headers = {"Authorization": srv.auth_token()}
        created = httpx.post(f"{srv.url}{COLLECTIONS}", headers=headers, json={"name": "shared"})
        assert created.status_code == 200, created.text
        statuses = {
            httpx.get(f"{srv.url}{COLLECTIONS}/shared", headers=headers).status_code for _ in range(20)
        }
        assert statuses == {200}
        assert httpx.delete(f"{srv.url}{COLLECTIONS}/shared", headers=headers).status_code == 204
        statuses = {
            httpx.get(f"{srv.url}{COLLECTIONS}/shared", headers=headers).status_code for _ in range(20)
        }
        assert statuses == {404}
    finally:
        srv.stop()


def test_a_view_over_a_join_with_an_aggregate_infers_its_fields(
    admin: httpx.Client, db: sqlite3.Connection
) -> None:
    writers = _create(admin, {"name": "writers", "fields": [{"name": "name", "type": "text"}]})
    articles = _create(
        admin,
        {
            "name": "articles",
            "fields": [
                {"name": "title", "type": "text", "max": 100, "required": True},
                {"name": "views", "type": "number", "onlyInt": True, "max": 1000},
                {"name": "writer", "type": "relation", "collectionId": writers["id"], "maxSelect": 1},
                {"name": "created", "type": "autodate", "onCreate": True},
            ],
        },
    )
    _create(
        admin,
        {
            "name": "replies",
            "fields": [
                {"name": "article", "type": "relation", "collectionId": articles["id"], "maxSelect": 1}
            ],
        },
    )
    with db:
        db.execute("INSERT INTO articles (id, title, views) VALUES ('a1', 'Hello', 17)")
        db.executemany("INSERT INTO replies (id, article) VALUES (?, 'a1')", [("r1",), ("r2",)])

    view = _create(
        admin,
        {
            "name": "article_stats",
            "type": "view",
            "viewQuery": "select a.id, a.title, count(r.id) as total_replies, max(r.id) as last_reply, "
            "a.writer, cast(a.views as real) as score "
            "from articles a left join replies r on r.article = a.id group by a.id",
        },
    )

    fields = {f["name"]: f for f in view["fields"]}
    assert list(fields) == ["id", "title", "total_replies", "last_reply", "writer", "score"]
    assert fields["id"]["primaryKey"] is True and fields["id"]["autogeneratePattern"] == ""
    assert fields["title"]["id"].startswith("_clone_")
    assert (fields["title"]["max"], fields["title"]["required"]) == (100, True)
    assert (fields["total_replies"]["type"], fields["total_replies"]["onlyInt"]) == ("number", True)
    assert fields["total_replies"]["id"] == f"number{zlib.crc32(b'total_replies')}"
    assert (fields["last_reply"]["type"], fields["last_reply"]["maxSize"]) == ("json", 1)
    assert (fields["writer"]["type"], fields["writer"]["collectionId"]) == ("relation", writers["id"])
    assert (fields["score"]["type"], fields["score"]["onlyInt"]) == ("number", False)
    assert db.execute("SELECT id, title, total_replies FROM article_stats").fetchall() == [("a1", "Hello", 2)]


def test_views_refuse_bad_queries_and_write_rules(admin: httpx.Client) -> None:
    missing_id = admin.post(
        COLLECTIONS, json={"name": "v_no_id", "type": "view", "viewQuery": "select 1 as x"}
    )
    write_rule = admin.post(
        COLLECTIONS,
        json={"name": "v_rule", "type": "view", "viewQuery": "select id from users", "createRule": ""},
    )

    assert missing_id.json()["data"]["viewQuery"] == {
        "code": "validation_invalid_view_query",
        "message": "Invalid query - missing required id column (you can use `(ROW_NUMBER() OVER()) as id` "
        "if you don't have one).",
    }
    assert write_rule.json()["data"] == {
        "createRule": {"code": "validation_nil", "message": "Must be blank."}
    }


def test_dry_run_shows_fields_and_sample_records_and_leaves_nothing(
    admin: httpx.Client, db: sqlite3.Connection
) -> None:
    before = db.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall()

    response = admin.post(
        f"{COLLECTIONS}/meta/dry-run-view", json={"query": "select id, email from _superusers"}
    )
    bad = admin.post(f"{COLLECTIONS}/meta/dry-run-view", json={"query": "select id from nope"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert [f["name"] for f in body["fields"]] == ["id", "email"]
    assert [sorted(r) for r in body["sample"]] == [["collectionId", "collectionName", "email", "id"]]
    assert body["sample"][0]["collectionName"].startswith("temp_view_")
    assert bad.json() == {
        "data": {},
        "message": "Invalid view query. Raw error: \nSQL logic error: no such table: main.nope (1).",
        "status": 400,
    }
    assert db.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall() == before


def test_a_collection_referenced_by_a_relation_cant_be_deleted(admin: httpx.Client) -> None:
    target = _create(admin, {"name": "ref_target"})
    _create(
        admin,
        {
            "name": "ref_source",
            "fields": [{"name": "link", "type": "relation", "collectionId": target["id"]}],
        },
    )

    response = admin.delete(f"{COLLECTIONS}/ref_target")

    assert response.json() == {
        "data": {},
        "message": "Failed to delete collection probably due to existing reference in ref_source.",
        "status": 400,
    }


def test_views_follow_and_protect_the_collections_they_read(admin: httpx.Client) -> None:
    _create(admin, {"name": "sources", "fields": [{"name": "title", "type": "text"}]})
    _create(admin, {"name": "source_view", "type": "view", "viewQuery": "select id, title from sources"})

    changed = admin.patch(
        f"{COLLECTIONS}/sources",
        json={"fields": [{"name": "title", "type": "text", "max": 5}, {"name": "x", "type": "bool"}]},
    )
    view = admin.get(f"{COLLECTIONS}/source_view").json()
    dropped = admin.patch(f"{COLLECTIONS}/sources", json={"fields": [{"name": "other", "type": "text"}]})
    deleted = admin.delete(f"{COLLECTIONS}/sources")

    assert changed.status_code == 200
    assert [(f["name"], f.get("max")) for f in view["fields"]] == [("id", 0), ("title", 5)]
    assert dropped.json()["message"] == (
        "Failed to update collection. Raw error: \nfailed to drop column title - "
        "SQL logic error: error in view source_view after drop column: no such column: title (1)."
    )
    assert deleted.json() == {"data": {}, "message": "Failed to delete collection.", "status": 400}
    assert admin.get(f"{COLLECTIONS}/sources").status_code == 200
