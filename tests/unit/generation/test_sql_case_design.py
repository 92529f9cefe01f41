"""Invalid cases for SQL output break only rules the target database enforces; each table with
a foreign key gets a row whose reference has no parent row."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from tdgen_desktop.core import CaseKind, Dialect, ExportFormat, FieldType
from tdgen_desktop.core.model import Field, ForeignKey, Table
from tdgen_desktop.exporters.sql import create_table_sql
from tdgen_desktop.generation.cases import (
    SqlTarget,
    dangling_key,
    sql_unenforced,
    sql_unstorable,
)
from tdgen_desktop.generation.pipeline import GenerationRequest, run_pipeline

_DDL = """
CREATE TABLE artist (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL);
CREATE TABLE album (
    id INTEGER PRIMARY KEY,
    artist_id INTEGER NOT NULL REFERENCES artist (id),
    title VARCHAR(30) NOT NULL,
    price NUMERIC(5, 2) NOT NULL,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5)
);
CREATE TABLE pair (a INTEGER NOT NULL, b INTEGER NOT NULL, PRIMARY KEY (a, b));
CREATE TABLE link (
    x INTEGER NOT NULL, y INTEGER NOT NULL, FOREIGN KEY (x, y) REFERENCES pair (a, b)
);
"""


def _generate(tmp_path: Path, fmt: ExportFormat, dialect: Dialect) -> dict[str, dict[str, Any]]:
    source = tmp_path / "music.sql"
    source.write_text(_DDL, encoding="utf-8")
    request = GenerationRequest(
        source=source,
        out_dir=tmp_path / fmt.value,
        rows=20,
        format=fmt,
        seed=3,
        cases=frozenset({CaseKind.VALID, CaseKind.INVALID}),
        dialect=dialect,
        source_dialect=dialect,
    )
    result = run_pipeline(request)
    return {
        t.table: {
            "coverage": json.loads(t.coverage_path.read_text(encoding="utf-8")),
            "labels": [json.loads(x) for x in t.cases_path.read_text().splitlines()],
            "path": t.path,
        }
        for t in result.tables
    }


def _invalid(labels: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(x["field"], x["rule"]) for x in labels if x["case"] == "invalid"}


def test_sqlite_gets_no_rows_for_rules_it_ignores_and_says_why(tmp_path: Path) -> None:
    made = _generate(tmp_path, ExportFormat.SQL, Dialect.SQLITE)
    album = _invalid(made["album"]["labels"])
    assert ("title", "maxLength") not in album  # SQLite ignores VARCHAR(30)
    assert {("rating", "minimum"), ("rating", "maximum")} <= album  # the CHECK holds them
    assert ("artist_id", "foreignKey") in album
    assert ("id", "null") not in album  # INTEGER PRIMARY KEY: a NULL becomes the row id
    reasons = {
        (u["field"], u["rule"]): u["reason"] for u in made["album"]["coverage"]["not_in_format"]
    }
    assert reasons[("title", "maxLength")].startswith("sqlite: no CHECK backs it")
    assert "row id" in reasons[("id", "null")]


def test_postgres_keeps_lengths_and_drops_scale(tmp_path: Path) -> None:
    made = _generate(tmp_path, ExportFormat.SQL, Dialect.POSTGRES)
    album = _invalid(made["album"]["labels"])
    assert {("title", "maxLength"), ("price", "maximum"), ("id", "null")} <= album
    assert ("price", "multipleOf") not in album  # NUMERIC(5, 2) rounds 0.005
    reasons = {
        (u["field"], u["rule"]): u["reason"] for u in made["album"]["coverage"]["not_in_format"]
    }
    assert "scale" in reasons[("price", "multipleOf")]


def test_csv_keeps_every_rule_and_gets_the_dangling_reference_too(tmp_path: Path) -> None:
    made = _generate(tmp_path, ExportFormat.JSONL, Dialect.SQLITE)
    album = _invalid(made["album"]["labels"])
    assert {("title", "maxLength"), ("price", "multipleOf"), ("id", "null")} <= album
    assert ("artist_id", "foreignKey") in album
    assert ("x,y", "foreignKey") in _invalid(made["link"]["labels"])


def test_every_sqlite_invalid_row_is_rejected_by_its_foreign_key_or_rule(tmp_path: Path) -> None:
    made = _generate(tmp_path, ExportFormat.SQL, Dialect.SQLITE)
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.executescript(_DDL)
    for name in ("artist", "album", "pair", "link"):
        text = made[name]["path"].read_text(encoding="utf-8")
        valid, *invalid = text.split("\n-- invalid: ")
        connection.executescript(valid)
        assert invalid, name
        for statement in invalid:
            sql = statement.split("\n", 1)[1].strip()
            connection.execute("SAVEPOINT one")
            try:
                connection.execute(sql)
            except sqlite3.IntegrityError:
                pass
            else:
                raise AssertionError(f"accepted: {sql}")
            connection.execute("ROLLBACK TO one")


def test_a_dangling_key_is_absent_from_the_parents_and_within_the_column() -> None:
    number = Field("p", FieldType.INTEGER, constraints=_bounded(1, 10))
    child = Table("t", [number, Field("q")])
    fk = ForeignKey(("p",), "parent", ("id",))
    assert dangling_key(child, fk, [(1,), (2,), (3,)]) == 4
    assert dangling_key(child, fk, [(n,) for n in range(5, 11)]) == 1  # past the maximum: a gap
    assert dangling_key(child, fk, []) is None
    text = Table("t", [Field("code"), Field("q")])
    key = dangling_key(text, ForeignKey(("code",), "c", ("id",)), [("AB1",), ("AB2",)])
    assert key not in {"AB1", "AB2"}
    assert len(key) == 3
    pair = ForeignKey(("p", "q"), "parent", ("a", "b"))
    both = Table("t", [Field("p", FieldType.INTEGER), Field("q", FieldType.INTEGER)])
    assert dangling_key(both, pair, [(1, 1), (2, 2)]) == (1, 2)


def test_rules_by_target() -> None:
    ident = Field("id", sql_type="SERIAL", sql_identity="serial", constraints=_bounded(1, None))
    table = Table("t", [ident], primary_key=("id",), dialect=Dialect.POSTGRES)
    pg = SqlTarget(Dialect.POSTGRES)
    assert sql_unenforced(table, ident, "minimum", pg) is not None
    assert sql_unenforced(table, ident, "unique", pg) is None
    vector = Field("doc", sql_type="tsvector")
    assert sql_unenforced(Table("d", [vector], dialect=Dialect.POSTGRES), vector, "pattern", pg)


def test_an_unsigned_numbered_column_gets_its_range_as_a_check() -> None:
    f = Field("id", sql_type="INT UNSIGNED", sql_identity="auto_increment")
    f.constraints = _bounded(1, 4294967295)
    f.type = FieldType.INTEGER
    table = Table("t", [f], primary_key=("id",), dialect=Dialect.MYSQL)
    ddl = create_table_sql(table, Dialect.POSTGRES)
    assert '"id" >= 0' in ddl
    assert '"id" <= 4294967295' in ddl
    assert "CHECK" not in create_table_sql(table, Dialect.MYSQL)


def _bounded(low: float | None, high: float | None) -> Any:
    from tdgen_desktop.core.model import Constraints  # noqa: PLC0415

    return Constraints(minimum=low, maximum=high)


def test_boundary_rows_load_with_the_valid_rows(tmp_path: Path) -> None:
    """Boundary rows expect to be accepted: a foreign-key column gets none (an edge of its type
    names no parent row), and a unique column's boundary rows never repeat one another (the
    minimum length 0 and the empty string are one row, not two)."""
    source = tmp_path / "shop.sql"
    source.write_text(
        """
        CREATE TABLE customer (id INTEGER PRIMARY KEY, email VARCHAR(60) NOT NULL UNIQUE);
        CREATE TABLE orders (id INTEGER PRIMARY KEY,
                             customer_id INTEGER NOT NULL REFERENCES customer (id));
        """,
        encoding="utf-8",
    )
    request = GenerationRequest(
        source=source,
        out_dir=tmp_path / "out",
        rows=10,
        format=ExportFormat.SQL,
        cases=frozenset({CaseKind.VALID, CaseKind.BOUNDARY}),
    )
    result = run_pipeline(request)
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.executescript(source.read_text(encoding="utf-8"))
    for table in result.tables:
        connection.executescript(table.path.read_text(encoding="utf-8"))
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    made = {t.table: t for t in result.tables}
    for name, table in made.items():
        count = connection.execute(f"SELECT count(*) FROM {name}").fetchone()[0]  # noqa: S608
        assert count == table.rows
        assert table.case_counts.get("boundary", 0) > 0
    orders = json.loads(made["orders"].coverage_path.read_text(encoding="utf-8"))
    assert any(
        u["field"] == "customer_id" and "foreign key" in u["reason"] for u in orders["uncoverable"]
    )
    labels = [json.loads(x) for x in made["orders"].cases_path.read_text().splitlines()]
    assert not any(x["field"] == "customer_id" and x["case"] == "boundary" for x in labels)
    customer = json.loads(made["customer"].coverage_path.read_text(encoding="utf-8"))
    assert any(
        u["field"] == "email" and "same value" in u["reason"] for u in customer["uncoverable"]
    )


def test_mysql_rules_it_does_not_enforce_get_no_invalid_row() -> None:
    """MySQL/MariaDB turn a NULL in an AUTO_INCREMENT column into the next number and (without
    explicit_defaults_for_timestamp) one in a TIMESTAMP NOT NULL column into the current time;
    NCHAR/NVARCHAR and utf8 tables hold no character beyond U+FFFF."""
    ident = Field("id", sql_type="INT UNSIGNED", sql_identity="auto_increment", nullable=False)
    stamp = Field("at", FieldType.DATETIME, sql_type="TIMESTAMP", nullable=False)
    when = Field("on_day", FieldType.DATETIME, sql_type="DATETIME", nullable=False)
    national = Field("name", sql_type="NVARCHAR(40)")
    plain = Field("note", sql_type="VARCHAR(40)")
    wide = Field("wide", sql_type="VARCHAR(40) CHARACTER SET utf8mb4")
    table = Table("t", [ident, stamp, when, national, plain, wide], dialect=Dialect.MYSQL)
    mysql, pg = SqlTarget(Dialect.MYSQL), SqlTarget(Dialect.POSTGRES)
    assert "AUTO_INCREMENT" in (sql_unenforced(table, ident, "null", mysql) or "")
    assert "TIMESTAMP" in (sql_unenforced(table, stamp, "null", mysql) or "")
    assert sql_unenforced(table, when, "null", mysql) is None
    assert sql_unenforced(table, ident, "null", pg) is None
    assert sql_unenforced(table, stamp, "null", pg) is None
    emoji, bmp = "🙂👍🏽", "東京都 Zoë"
    assert "NVARCHAR" in (sql_unstorable(table, national, emoji, mysql) or "")
    assert sql_unstorable(table, plain, emoji, mysql) is not None  # the table may be utf8
    assert sql_unstorable(table, wide, emoji, mysql) is None
    assert sql_unstorable(table, national, bmp, mysql) is None
    assert sql_unstorable(table, national, emoji, pg) is None
    own = SqlTarget(Dialect.MYSQL, own_ddl=True)  # tdgen's CREATE TABLE declares VARCHAR
    assert sql_unstorable(table, plain, emoji, own) is None
    assert sql_unstorable(table, national, emoji, own) is None


def test_mysql_output_reports_the_rows_it_leaves_out(tmp_path: Path) -> None:
    source = tmp_path / "shop.sql"
    source.write_text(
        "CREATE TABLE item (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
        "name NVARCHAR(40) NOT NULL, at TIMESTAMP NOT NULL) ENGINE=InnoDB;\n",
        encoding="utf-8",
    )
    request = GenerationRequest(
        source=source,
        out_dir=tmp_path / "out",
        rows=5,
        format=ExportFormat.SQL,
        seed=3,
        cases=frozenset(CaseKind),
        dialect=Dialect.MYSQL,
    )
    made = run_pipeline(request).tables[0]
    labels = [json.loads(x) for x in made.cases_path.read_text().splitlines()]
    assert ("name", "null") in _invalid(labels)  # NVARCHAR NOT NULL is enforced
    assert not {("id", "null"), ("at", "null")} & _invalid(labels)
    unicode = [x["field"] for x in labels if x["rule"] == "unicode"]
    assert "name" in unicode  # the characters NVARCHAR holds stay
    assert "🙂" not in made.path.read_text(encoding="utf-8")
    coverage = json.loads(made.coverage_path.read_text(encoding="utf-8"))
    assert "U+FFFF" in json.dumps(coverage)
    assert "AUTO_INCREMENT" in json.dumps(coverage)
