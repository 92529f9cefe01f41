"""SQL export: literals per dialect, batching, case rows, identity columns and CREATE TABLE.

Loading into real databases is covered by ``tests/integration/test_sql_databases.py``; these
tests pin the text itself and load it into an in-memory SQLite where that says more.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlglot

from tdgen_desktop.core import (
    MISSING,
    CaseKind,
    Constraints,
    Dialect,
    Expectation,
    ExportFormat,
    Field,
    FieldType,
    ForeignKey,
    Table,
)
from tdgen_desktop.core.rows import VALID_LABEL, CaseLabel, RowBatch
from tdgen_desktop.exporters import ExportOptions, writer_for
from tdgen_desktop.exporters.sql import SqlWriter, create_table_sql, quote_identifier, sql_literal
from tdgen_desktop.importers import load_schema


def _table(dialect: Dialect | None = None) -> Table:
    return Table(
        name="item",
        fields=[
            Field("id", FieldType.INTEGER, constraints=Constraints(minimum=1, maximum=2**31 - 1)),
            Field("name", FieldType.STRING, nullable=True, constraints=Constraints(max_length=20)),
            Field("ok", FieldType.BOOLEAN),
        ],
        primary_key=("id",),
        dialect=dialect,
    )


def _write(
    tmp_path: Path,
    table: Table,
    rows: list[tuple[Any, ...]],
    labels: list[CaseLabel] | None = None,
    **options: Any,
) -> str:
    path = tmp_path / f"{table.name}.sql"
    columns = table.columns
    batch = RowBatch(table, columns, rows, labels or [VALID_LABEL] * len(rows))
    with SqlWriter(path, table, columns, ExportOptions(**options)) as writer:
        writer.write(batch)
    return path.read_bytes().decode("utf-8")


# ====================================================================== literals


@pytest.mark.parametrize(
    ("dialect", "value", "expected"),
    [
        (Dialect.SQLITE, "it's", "'it''s'"),
        (Dialect.POSTGRES, "it's", "'it''s'"),
        (Dialect.MYSQL, "it's", "'it''s'"),
        (Dialect.SQLITE, "a\\b", "'a\\b'"),
        (Dialect.POSTGRES, "a\\b", "E'a\\\\b'"),
        (Dialect.MYSQL, "a\\b", "'a\\\\b'"),
        (Dialect.POSTGRES, "one\ntwo\t", "E'one\\ntwo\\t'"),
        (Dialect.MYSQL, "one\ntwo", "'one\\ntwo'"),
        (Dialect.SQLITE, "one\ntwo", "'one\ntwo'"),
        (Dialect.SQLITE, "a\rb", "('a' || char(13) || 'b')"),
        (Dialect.POSTGRES, "bell\x07", "E'bell\\x07'"),
        (Dialect.SQLITE, "nul\x00gone", "'nulgone'"),
        (Dialect.POSTGRES, "nul\x00gone", "'nulgone'"),
        (Dialect.MYSQL, "Zoë 東京 🙂", "'Zoë 東京 🙂'"),
        (Dialect.SQLITE, True, "1"),
        (Dialect.POSTGRES, True, "TRUE"),
        (Dialect.MYSQL, False, "FALSE"),
        (Dialect.POSTGRES, None, "NULL"),
        (Dialect.SQLITE, MISSING, "NULL"),
        (Dialect.POSTGRES, 12.5, "12.5"),
        (Dialect.POSTGRES, float("nan"), "'NaN'"),
        (Dialect.MYSQL, float("inf"), "NULL"),
        (Dialect.SQLITE, {"a": [1, "x"]}, '\'{"a":[1,"x"]}\''),
    ],
)
def test_literals(dialect: Dialect, value: Any, expected: str) -> None:
    assert sql_literal(value, dialect) == expected


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        (Dialect.SQLITE, "X'00ff27'"),
        (Dialect.MYSQL, "X'00ff27'"),
        (Dialect.POSTGRES, "decode('00ff27', 'hex')"),
    ],
)
def test_binary_values_are_hexadecimal(dialect: Dialect, expected: str) -> None:
    assert sql_literal("AP8n", dialect, FieldType.BINARY) == expected  # base64 of 00 ff 27
    assert sql_literal(b"\x00\xff'", dialect) == expected


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        (Dialect.SQLITE, "'2024-02-29 23:59:58'"),
        (Dialect.MYSQL, "'2024-02-29 23:59:58'"),
        (Dialect.POSTGRES, "'2024-02-29T23:59:58Z'"),
    ],
)
def test_date_times_as_each_dialect_reads_them(dialect: Dialect, expected: str) -> None:
    assert sql_literal("2024-02-29T23:59:58Z", dialect, FieldType.DATETIME) == expected
    assert sql_literal("2024-02-29", dialect, FieldType.DATE) == "'2024-02-29'"


def test_identifiers_are_quoted() -> None:
    assert quote_identifier('we"ird', Dialect.POSTGRES) == '"we""ird"'
    assert quote_identifier("we`ird", Dialect.MYSQL) == "`we``ird`"


# ====================================================================== statements


def test_rows_are_batched_into_multi_row_inserts(tmp_path: Path) -> None:
    rows = [(i, f"n{i}", i % 2 == 0) for i in range(1, 8)]
    text = _write(tmp_path, _table(), rows, dialect=Dialect.POSTGRES, batch_rows=3)

    assert text.count('INSERT INTO "item" ("id", "name", "ok") VALUES') == 3
    assert "(1, 'n1', FALSE),\n(2, 'n2', TRUE),\n(3, 'n3', FALSE);\n" in text
    assert text.startswith(
        "-- tdgen: rows of table item (postgres)\nSET client_encoding = 'UTF8';\n"
    )


def test_the_dialect_defaults_to_the_source_then_sqlite(tmp_path: Path) -> None:
    assert "(mysql)" in _write(tmp_path, _table(Dialect.MYSQL), [(1, "a", True)])
    assert "(sqlite)" in _write(tmp_path, _table(), [(1, "a", True)])


def test_invalid_rows_get_a_statement_of_their_own(tmp_path: Path) -> None:
    labels = [
        VALID_LABEL,
        CaseLabel(CaseKind.INVALID, "name", "maxLength", Expectation.REJECT, "name\nis too long"),
        CaseLabel(CaseKind.BOUNDARY, "id", "minimum", Expectation.ACCEPT),
        VALID_LABEL,
    ]
    rows = [(1, "a", True), (2, "x" * 21, True), (1, "b", False), (4, "d", True)]
    text = _write(tmp_path, _table(), rows, labels)

    statements = [s for s in text.split("INSERT INTO") if "VALUES" in s]
    assert len(statements) == 2  # the rows to accept, then the invalid row on its own, last
    assert "-- invalid: name maxLength (expect reject) — name is too long\n" in text
    assert (
        "(1, 'a', 1),\n(1, 'b', 0), -- boundary: id minimum (expect accept)\n(4, 'd', 1);\n" in text
    )
    assert text.index("-- invalid:") > text.index("(4, 'd', 1);")
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE item (id INTEGER, name TEXT, ok BOOLEAN)")
    connection.executescript(text)
    assert connection.execute("SELECT count(*) FROM item").fetchone()[0] == 4


def test_identity_always_columns_are_overridden_in_postgres(tmp_path: Path) -> None:
    table = _table(Dialect.POSTGRES)
    table.fields[0].sql_identity = "identity always"

    assert "OVERRIDING SYSTEM VALUE VALUES" in _write(tmp_path, table, [(1, "a", True)])
    assert "OVERRIDING" not in _write(tmp_path, table, [(1, "a", True)], dialect=Dialect.MYSQL)


def test_postgres_array_columns_get_array_literals(tmp_path: Path) -> None:
    path = tmp_path / "arr.sql"
    path.write_text("CREATE TABLE arr (id integer, tags text[], doc jsonb);", encoding="utf-8")
    table = load_schema(path, dialect=Dialect.POSTGRES).tables[0]
    text = _write(tmp_path, table, [(1, ['a"b', "c\\d", None], {"k": [1]}), (2, [], None)])

    assert 'E\'{"a\\\\"b","c\\\\\\\\d",NULL}\'' in text
    assert "'{\"k\":[1]}'" in text
    assert "(2, '{}', NULL)" in text


def test_the_writer_is_registered() -> None:
    assert writer_for(ExportFormat.SQL) is SqlWriter


# ====================================================================== CREATE TABLE


def _shop() -> list[Table]:
    parent = Table(
        name="customer",
        fields=[
            Field("id", FieldType.INTEGER, constraints=Constraints(minimum=1, maximum=2**32 - 1)),
            Field("email", FieldType.STRING, unique=True, constraints=Constraints(max_length=60)),
        ],
        primary_key=("id",),
    )
    child = Table(
        name="order",
        fields=[
            Field(
                "id",
                FieldType.INTEGER,
                constraints=Constraints(minimum=-(2**31), maximum=2**31 - 1),
            ),
            Field(
                "customer_id",
                FieldType.INTEGER,
                constraints=Constraints(minimum=1, maximum=2**32 - 1),
            ),
            Field(
                "size", FieldType.STRING, nullable=True, constraints=Constraints(enum=("S", "M"))
            ),
            Field(
                "total",
                FieldType.NUMBER,
                constraints=Constraints(minimum=-999.99, maximum=999.99, multiple_of=0.01),
            ),
            Field("paid", FieldType.BOOLEAN),
            Field("at", FieldType.DATETIME),
            Field("blob", FieldType.BINARY, nullable=True),
            Field("doc", FieldType.OBJECT, nullable=True),
            Field("uid", FieldType.UUID),
        ],
        primary_key=("id",),
        unique_sets=[("customer_id", "at")],
        foreign_keys=[ForeignKey(("customer_id",), "customer", ("id",))],
    )
    return [parent, child]


@pytest.mark.parametrize("dialect", list(Dialect), ids=lambda d: d.value)
def test_create_table_parses_in_its_dialect(dialect: Dialect) -> None:
    for table in _shop():
        text = create_table_sql(table, dialect)
        parsed = sqlglot.parse_one(text, read=dialect.value)
        assert parsed is not None
        assert quote_identifier(table.name, dialect) in text


def test_create_table_carries_keys_references_and_checks() -> None:
    text = create_table_sql(_shop()[1], Dialect.POSTGRES)

    assert '"id" INT NOT NULL' in text
    assert '"customer_id" BIGINT NOT NULL' in text  # unsigned INT needs BIGINT in PostgreSQL
    assert '"total" DECIMAL(5, 2) NOT NULL' in text
    assert '"blob" BYTEA' in text
    assert '"doc" JSONB' in text
    assert 'PRIMARY KEY ("id")' in text
    assert 'FOREIGN KEY ("customer_id") REFERENCES "customer"' in text
    assert "CHECK (\"size\" IN ('S', 'M'))" in text
    assert 'CHECK ("customer_id" >= 1 AND "customer_id" <= 4294967295)' in text


def test_ddl_and_rows_load_into_sqlite_with_foreign_keys_on(tmp_path: Path) -> None:
    parent, child = _shop()
    parent_text = _write(tmp_path, parent, [(1, "a@x.org"), (2, "b@x.org")], with_ddl=True)
    child_rows = [
        (
            1,
            2,
            "S",
            12.5,
            True,
            "2024-01-02T03:04:05Z",
            "AAE=",
            {"k": 1},
            "1f0c2a2e-0000-4000-8000-000000000001",
        ),
        (
            2,
            1,
            None,
            -0.01,
            False,
            "2024-01-02T03:04:06Z",
            None,
            None,
            "1f0c2a2e-0000-4000-8000-000000000002",
        ),
    ]
    child_text = _write(tmp_path, child, child_rows, with_ddl=True)
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.executescript(parent_text + child_text)

    assert connection.execute('SELECT count(*) FROM "order"').fetchone()[0] == 2
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    with pytest.raises(sqlite3.IntegrityError):
        connection.execute("""INSERT INTO "order" VALUES (3, 9, 'S', 1, 1, 'x', NULL, NULL, 'u')""")
    with pytest.raises(sqlite3.IntegrityError):
        connection.execute(
            """INSERT INTO "order" VALUES (3, 1, 'XL', 1, 1, 'x', NULL, NULL, 'u')"""
        )
