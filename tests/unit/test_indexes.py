"""`CREATE INDEX` parsing and normal form (data-model.md §6), as PocketBase's `dbutils`."""

from __future__ import annotations

import pytest

from pocketlite.core.indexes import Index, IndexColumn, find_single_column_unique_index, parse_index


def test_a_full_statement_is_parsed() -> None:
    index = parse_index(
        "create unique index if not exists s.`idx_x` on 'posts' (title collate nocase desc, lower(body)) "
        "where title != ''"
    )
    assert index == Index(
        name="idx_x",
        table="posts",
        columns=(IndexColumn("title", "nocase", "DESC"), IndexColumn("lower(body)")),
        unique=True,
        optional=True,
        schema="s",
        where="title != ''",
    )


@pytest.mark.parametrize(
    ("statement", "normal"),
    [
        ("CREATE INDEX idx ON t (a)", "CREATE INDEX `idx` ON `t` (`a`)"),
        (
            "create unique index `idx` on `t` (`a` asc, b)",
            "CREATE UNIQUE INDEX `idx` ON `t` (\n  `a` ASC,\n  `b`\n)",
        ),
        ("CREATE INDEX idx ON t (a) WHERE a > 1", "CREATE INDEX `idx` ON `t` (`a`) WHERE a > 1"),
        (
            "CREATE INDEX IF NOT EXISTS idx ON t (a COLLATE NOCASE)",
            "CREATE INDEX IF NOT EXISTS `idx` ON `t` (`a` COLLATE NOCASE)",
        ),
    ],
)
def test_statements_are_built_in_pocketbases_normal_form(statement: str, normal: str) -> None:
    assert parse_index(statement).build() == normal


@pytest.mark.parametrize(
    "statement", ["bad", "CREATE INDEX ON t (a)", "CREATE INDEX idx ON t ()", "CREATE TABLE t (a)"]
)
def test_incomplete_statements_are_invalid(statement: str) -> None:
    index = parse_index(statement)
    assert not index.is_valid
    assert index.build() == ""


def test_the_table_is_rewritten_for_the_collection() -> None:
    assert (
        parse_index("CREATE INDEX idx ON old (a)").with_table("new").build()
        == "CREATE INDEX `idx` ON `new` (`a`)"
    )


def test_single_column_unique_indexes_are_found_case_insensitively() -> None:
    indexes = [
        "CREATE UNIQUE INDEX a ON t (x, y)",
        "CREATE INDEX b ON t (email)",
        "CREATE UNIQUE INDEX c ON t (`Email`) WHERE email != ''",
    ]
    found = find_single_column_unique_index(indexes, "email")
    assert found is not None and found.name == "c"
    assert find_single_column_unique_index(indexes, "x") is None
