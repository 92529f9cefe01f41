"""Real-database checks: tdgen's INSERTs for the SQL corpus load into SQLite and PostgreSQL.

For each DDL file of ``../shared/corpus/sql`` the file itself (or, where the engine cannot read
it as it is, tdgen's own ``CREATE TABLE`` output) is loaded into a real database, followed by
tdgen's INSERT files in insert order. The load must finish without a single error, with foreign
keys enforced (SQLite ``PRAGMA foreign_keys=ON``; PostgreSQL always), every table must hold the
rows tdgen wrote, and an explicit anti-join finds no foreign-key value without its parent row.
A second test writes strings with every awkward character (quotes, backslashes, line breaks,
control characters, NUL, emoji, right-to-left text) and reads them back byte for byte.

The PostgreSQL 15 server is started by a session fixture in a temporary folder (initdb, pg_ctl,
a Unix socket in that folder, no TCP) and stopped at the end. When its binaries are missing the
fixture fails with the reason — ``.ci/run`` installs the ``postgresql`` package.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from pg_support import PgServer

from tdgen_desktop.core import Dataset, Dialect, ExportFormat, ForeignKey, Table
from tdgen_desktop.core.rows import VALID_LABEL, RowBatch
from tdgen_desktop.exporters import ExportOptions
from tdgen_desktop.exporters.sql import SqlWriter, quote_identifier
from tdgen_desktop.generation.pipeline import GenerationRequest, JobResult, run_pipeline
from tdgen_desktop.generation.relations import plan_relations
from tdgen_desktop.importers import load_schema

ROWS = 6
"""Rows per root table (children get three times their largest parent's, capped)."""


# ====================================================================== the corpus cases


@dataclass(frozen=True)
class LoadCase:
    """One corpus file loaded into one engine.

    Attributes:
        file: the DDL file name in the corpus.
        engine: ``sqlite`` or ``postgres``.
        own_ddl: load tdgen's CREATE TABLE output instead of the file (the engine cannot read
            the file as it is); the reason says why.
        leave_out: tables left out of generation (with the reason).
        one_file: every table's INSERTs in one file (``--one-file``).
    """

    file: str
    engine: Dialect
    own_ddl: str = ""
    leave_out: tuple[str, ...] = ()
    one_file: bool = False


CASES = (
    LoadCase("chinook-sqlite.sql", Dialect.SQLITE),
    LoadCase("sakila-sqlite.sql", Dialect.SQLITE),
    LoadCase("chinook-postgres.sql", Dialect.POSTGRES),
    LoadCase("northwind-postgres.sql", Dialect.POSTGRES),
    LoadCase("sakila-postgres.sql", Dialect.POSTGRES),
    LoadCase(
        "pagila-schema.sql",
        Dialect.POSTGRES,
        own_ddl="written for PostgreSQL 18 with pgvector (uuidv7(), VIRTUAL columns, vector)",
        leave_out=("film_embedding",),  # its vector(20) column needs the pgvector extension
    ),
    LoadCase("chinook-mysql.sql", Dialect.SQLITE, own_ddl="MySQL DDL"),
    LoadCase("chinook-mysql.sql", Dialect.POSTGRES, own_ddl="MySQL DDL"),
    LoadCase("sakila-mysql.sql", Dialect.POSTGRES, own_ddl="MySQL DDL"),
    LoadCase("sakila-sqlite.sql", Dialect.SQLITE, one_file=True),
    LoadCase("sakila-postgres.sql", Dialect.POSTGRES, one_file=True),
    LoadCase("sakila-mysql.sql", Dialect.POSTGRES, own_ddl="MySQL DDL", one_file=True),
)


def _case_id(case: LoadCase) -> str:
    one = "-one-file" if case.one_file else ""
    return f"{case.file.removesuffix('.sql')}-into-{case.engine.value}{one}"


def test_every_corpus_sql_file_is_covered(corpus: Path) -> None:
    """A new DDL file in the corpus must get a load case here."""
    files = {p.name for p in (corpus / "sql").glob("*.sql")}
    assert files == {c.file for c in CASES}


def _generable(dataset: Dataset, leave_out: tuple[str, ...]) -> tuple[str, ...]:
    """The tables that can be generated (not left out), together with the parents they need."""
    kept = []
    for table in dataset.tables:
        if table.name in leave_out:
            continue
        plan = plan_relations(dataset, [table], ROWS, {})
        if not any(t.name in leave_out for t in plan.tables):
            kept.append(table.name)
    return tuple(kept)


def _generate(corpus: Path, case: LoadCase, out: Path) -> tuple[Dataset, JobResult]:
    source = corpus / "sql" / case.file
    dataset = load_schema(source)
    tables = _generable(dataset, case.leave_out)
    request = GenerationRequest(
        source=source,
        out_dir=out,
        rows=ROWS,
        format=ExportFormat.SQL,
        seed=11,
        tables=tables,
        one_file=case.one_file,
    )
    if case.own_ddl:
        request = replace(request, dialect=case.engine, with_ddl=True)
    result = run_pipeline(request, dataset=dataset)
    return dataset, result


def _orphans_sql(table: Table, fk: ForeignKey, dialect: Dialect) -> str:
    """Count the rows whose foreign-key value has no parent row."""

    def q(name: str) -> str:
        return quote_identifier(name, dialect)

    present = " AND ".join(f"c.{q(col)} IS NOT NULL" for col in fk.columns)
    joined = " AND ".join(
        f"p.{q(ref)} = c.{q(col)}" for col, ref in zip(fk.columns, fk.ref_columns, strict=True)
    )
    return (
        f"SELECT count(*) FROM {q(table.name)} c WHERE {present} AND NOT EXISTS "  # noqa: S608
        f"(SELECT 1 FROM {q(fk.ref_table)} p WHERE {joined})"
    )


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_corpus_ddl_and_inserts_load_into_a_real_database(
    case: LoadCase, corpus: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    dataset, result = _generate(corpus, case, tmp_path / "out")
    assert result.validation_failures == 0
    assert result.rows > 0
    made = {t.table: t for t in result.tables}
    assert set(made) == {t.name for t in dataset.tables} - set(case.leave_out)
    if case.file.startswith("sakila"):  # store ↔ staff: a cycle of NOT NULL foreign keys
        assert {"store", "staff"} <= set(made)
    if case.engine is Dialect.SQLITE:
        counts, orphans = _load_sqlite(corpus / "sql" / case.file, case, dataset, result)
    else:
        server: PgServer = request.getfixturevalue("postgres")
        counts, orphans = _load_postgres(server, corpus / "sql" / case.file, case, dataset, result)
    assert counts == {name: t.rows for name, t in made.items()}
    assert orphans == {}, f"foreign-key values without a parent row: {orphans}"


def _insert_files(result: JobResult) -> list[Path]:
    files = list(dict.fromkeys(t.path for t in result.tables))
    written = sorted(p.name for p in files[0].parent.glob("*.sql") if p.name != "verify.sql")
    if len(files) == 1:  # --one-file: named after the source, no file per table
        assert written == [result.source.name]
    else:
        assert written == sorted(f"{t.table}.sql" for t in result.tables)
    return files


def _load_sqlite(
    ddl: Path, case: LoadCase, dataset: Dataset, result: JobResult
) -> tuple[dict[str, int], dict[str, int]]:
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        if not case.own_ddl:
            connection.executescript(ddl.read_text(encoding="utf-8"))
        for path in _insert_files(result):
            text = path.read_text(encoding="utf-8")
            if case.own_ddl:
                assert "CREATE TABLE" in text
            connection.executescript(text)
        problems = connection.execute("PRAGMA foreign_key_check").fetchall()
        assert problems == [], problems
        counts = {}
        orphans = {}
        for made in result.tables:
            table = dataset.table(made.table)
            quoted = quote_identifier(table.name, Dialect.SQLITE)
            query = f"SELECT count(*) FROM {quoted}"  # noqa: S608 — a quoted table name
            counts[table.name] = connection.execute(query).fetchone()[0]
            for fk in table.foreign_keys:
                if fk.ref_table in {t.table for t in result.tables}:
                    found = connection.execute(_orphans_sql(table, fk, Dialect.SQLITE)).fetchone()[
                        0
                    ]
                    if found:
                        orphans[f"{table.name}.{'+'.join(fk.columns)}"] = found
        return counts, orphans
    finally:
        connection.close()


def _load_postgres(
    server: PgServer, ddl: Path, case: LoadCase, dataset: Dataset, result: JobResult
) -> tuple[dict[str, int], dict[str, int]]:
    database = "t_" + _case_id(case).replace("-", "_")
    server.create_database(database)
    verify = result.tables[0].path.parent / "verify.sql"
    made = {t.table for t in result.tables}
    lines = []
    for name in made:
        table = dataset.table(name)
        quoted = quote_identifier(table.name, Dialect.POSTGRES)
        # ONLY: Sakila's payment_p2007_* tables inherit from payment, whose plain count
        # would include their rows.
        lines.append(f"SELECT 'count', '{table.name}', count(*) FROM ONLY {quoted};")  # noqa: S608
        for fk in table.foreign_keys:
            if fk.ref_table in made:
                label = f"{table.name}.{'+'.join(fk.columns)}"
                lines.append(
                    f"SELECT 'orphans', '{label}', ({_orphans_sql(table, fk, Dialect.POSTGRES)});"
                )
    verify.write_text("\n".join(lines) + "\n", encoding="utf-8")
    files = [] if case.own_ddl else [ddl]
    # One psql session: the DDL may switch databases (\c) and set options; the INSERTs follow.
    output = server.psql(database, *files, *_insert_files(result), verify)
    counts: dict[str, int] = {}
    orphans: dict[str, int] = {}
    for line in output.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[0] == "count":
            counts[parts[1]] = int(parts[2])
        elif len(parts) == 3 and parts[0] == "orphans" and int(parts[2]):
            orphans[parts[1]] = int(parts[2])
    return counts, orphans


# ====================================================================== awkward text round trip

AWKWARD = (
    "it's",
    'say "hi"',
    "back\\slash",
    "ends with a backslash\\",
    "\\'",
    "\\\\'' --",
    "line one\nline two",
    "carriage\r\nreturn",
    "\ttab\t",
    "ctrl \x01\x02\x1a\x1f\x7f",
    "nul\x00removed",
    "$$ dollar $tag$ quote",
    "/* not a comment */ -- nor this; DROP TABLE x;",
    "percent % and _ underscore",
    "Zoë Ñúñez e\u0301le\u0300ve",
    "東京都 🙂👍🏽",
    "שלום עולם مرحبا",
    "\u200b zero width and \ufeff bom",
    "",
    " ",
    "x" * 3000,
)
_DDL = {
    Dialect.SQLITE: (
        "CREATE TABLE awkward (id INTEGER PRIMARY KEY, body TEXT NOT NULL, raw BLOB, "
        "flag BOOLEAN, day DATE, at TIMESTAMP, tags TEXT)"
    ),
    Dialect.POSTGRES: (
        "CREATE TABLE awkward (id integer PRIMARY KEY, body text NOT NULL, raw bytea, "
        "flag boolean, day date, at timestamp without time zone, tags text[])"
    ),
}


def _awkward_rows() -> list[tuple[object, ...]]:
    rows = []
    for i, text in enumerate(AWKWARD):
        raw = base64.b64encode(bytes(range(i, i + 40)) + b"\x00'\\").decode("ascii")
        tags = [text, "plain", 'q"uote', "b\\s"] if i % 2 else []
        rows.append((i + 1, text, raw, i % 2 == 0, "2024-02-29", "2024-02-29T23:59:58Z", tags))
    return rows


def _write_awkward(tmp_path: Path, dialect: Dialect) -> tuple[Path, Path]:
    ddl = tmp_path / f"awkward-{dialect.value}.ddl.sql"
    ddl.write_text(_DDL[dialect] + ";\n", encoding="utf-8")
    table = load_schema(ddl, dialect=dialect).tables[0]
    out = tmp_path / f"awkward-{dialect.value}.sql"
    columns = ["id", "body", "raw", "flag", "day", "at", "tags"]
    batch = RowBatch(table, columns, _awkward_rows(), [VALID_LABEL] * len(AWKWARD))
    with SqlWriter(out, table, columns, ExportOptions(dialect=dialect, batch_rows=7)) as writer:
        writer.write(batch)
    return ddl, out


def test_awkward_text_round_trips_through_sqlite(tmp_path: Path) -> None:
    ddl, inserts = _write_awkward(tmp_path, Dialect.SQLITE)
    connection = sqlite3.connect(":memory:")
    text = ddl.read_bytes().decode("utf-8") + inserts.read_bytes().decode("utf-8")
    assert "\r" not in text  # a carriage return is written as char(13)
    connection.executescript(text)
    found = connection.execute(
        "SELECT id, body, raw, flag, day, at FROM awkward ORDER BY id"
    ).fetchall()
    connection.close()
    expected = _awkward_rows()
    assert [r[1] for r in found] == [str(r[1]).replace("\x00", "") for r in expected]
    assert [r[2] for r in found] == [base64.b64decode(str(r[2])) for r in expected]
    assert [r[3] for r in found] == [int(bool(r[3])) for r in expected]
    assert {(r[4], r[5]) for r in found} == {("2024-02-29", "2024-02-29 23:59:58")}


def test_awkward_text_round_trips_through_postgres(tmp_path: Path, postgres: PgServer) -> None:
    ddl, inserts = _write_awkward(tmp_path, Dialect.POSTGRES)
    postgres.create_database("t_awkward")
    # Byte-exact comparison through hex: psql's own output would escape line breaks.
    query = (
        "SELECT id, encode(convert_to(body, 'UTF8'), 'hex'), encode(raw, 'hex'), flag, day, at, "
        "encode(convert_to(array_to_json(tags)::text, 'UTF8'), 'hex') FROM awkward ORDER BY id"
    )
    # The file may meet a server that reads backslashes in plain strings (sakila's setting).
    settings = tmp_path / "old-strings.sql"
    settings.write_text("SET standard_conforming_strings = off;\n", encoding="utf-8")
    output = postgres.psql("t_awkward", settings, ddl, inserts)
    assert output.strip() == ""
    rows = postgres.psql("t_awkward", sql=query).splitlines()
    expected = _awkward_rows()
    assert len(rows) == len(expected)
    for line, row in zip(rows, expected, strict=True):
        number, body, raw, flag, day, at, tags = line.split("|")
        assert int(number) == row[0]
        assert bytes.fromhex(body).decode("utf-8") == str(row[1]).replace("\x00", "")
        assert bytes.fromhex(raw) == base64.b64decode(str(row[2]))
        assert flag == ("t" if row[3] else "f")
        assert (day, at) == ("2024-02-29", "2024-02-29 23:59:58")
        expected_tags = [str(t).replace("\x00", "") for t in row[6]]  # type: ignore[attr-defined]
        assert json.loads(bytes.fromhex(tags).decode("utf-8")) == expected_tags
