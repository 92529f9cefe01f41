"""Invalid SQL cases are rejected by real databases, each for the reason its label gives.

For every DDL file of ``../shared/corpus/sql`` tdgen writes valid, boundary and invalid rows as
SQL for SQLite and PostgreSQL. The DDL, the valid and the boundary rows load first (every one
must be accepted: boundary rows are edges of the rules, not breaks); then
each invalid row's INSERT runs on its own inside a savepoint, so one rejection cannot hide
another, and the database's error must match the rule the row breaks: NOT NULL, UNIQUE/PRIMARY
KEY, FOREIGN KEY, CHECK, or the column type's range and length. Every invalid row must be
rejected: rules a database does not enforce (SQLite ignores declared lengths and ranges,
PostgreSQL rounds to a column's scale …) get no invalid row for SQL output, and each table
with a foreign key gets a row whose reference has no parent row.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from pg_support import PgServer
from test_sql_databases import CASES, ROWS, LoadCase, _case_id, _generable

from tdgen_desktop.core import CaseKind, Dataset, Dialect, ExportFormat
from tdgen_desktop.generation.pipeline import GenerationRequest, JobResult, run_pipeline
from tdgen_desktop.importers import load_schema

_INVALID_MARK = re.compile(r"^-- invalid: ", re.MULTILINE)


@dataclass(frozen=True)
class InvalidRow:
    """One invalid row's INSERT and its label."""

    table: str
    field: str
    rule: str
    sql: str


@dataclass(frozen=True)
class Outcome:
    """What the database did with one invalid row: the reason it gave, or ``accepted``."""

    row: InvalidRow
    reason: str
    message: str


# ---------------------------------------------------------------- generating and splitting


def _generate(corpus: Path, case: LoadCase, out: Path) -> tuple[Dataset, JobResult]:
    source = corpus / "sql" / case.file
    dataset = load_schema(source)
    request = GenerationRequest(
        source=source,
        out_dir=out,
        rows=ROWS,
        format=ExportFormat.SQL,
        seed=5,
        tables=_generable(dataset, case.leave_out),
        cases=frozenset(CaseKind),  # boundary rows load with the valid ones
        dialect=case.engine,
    )
    if case.own_ddl:
        request = replace(request, with_ddl=True)
    return dataset, run_pipeline(request, dataset=dataset)


def _split(result: JobResult) -> tuple[list[str], list[InvalidRow]]:
    """Each table's valid part (DDL and valid INSERTs) and every invalid row, in file order."""
    valid: list[str] = []
    invalid: list[InvalidRow] = []
    for made in result.tables:
        text = made.path.read_text(encoding="utf-8")
        first, *statements = _INVALID_MARK.split(text)
        labels = [
            record
            for record in map(json.loads, made.cases_path.read_text().splitlines())
            if record["case"] == "invalid"
        ]
        assert len(labels) == len(statements), made.table
        valid.append(first)
        for label, statement in zip(labels, statements, strict=True):
            sql = statement.split("\n", 1)[1].strip()  # after the comment line
            invalid.append(InvalidRow(made.table, label["field"], label["rule"], sql))
    return valid, invalid


# ---------------------------------------------------------------- the reasons


def _reason(message: str) -> str:
    """The constraint a database error message names."""
    text = message.lower()
    for needles, reason in _REASONS:
        if any(n in text for n in needles):
            return reason
    return f"other: {message.strip()[:200]}"


_REASONS = (
    (("not null constraint", "violates not-null constraint"), "not null"),
    (("unique constraint", "duplicate key value"), "unique"),
    (("foreign key constraint",), "foreign key"),
    (("check constraint",), "check"),
    (
        (
            "out of range",
            "value too long",
            "numeric field overflow",
            "invalid input syntax",
            "invalid input value for enum",
            "datatype mismatch",
            "malformed array literal",
        ),
        "type",
    ),
)

_EXPECTED = {
    "null": {"not null", "check"},
    "unique": {"unique"},
    "foreignKey": {"foreign key"},
    "minimum": {"check", "type"},
    "maximum": {"check", "type"},
    "exclusiveMinimum": {"check", "type"},
    "exclusiveMaximum": {"check", "type"},
    "maxLength": {"type", "check"},
    "minLength": {"check"},
    "enum": {"check", "type"},
    "pattern": {"check", "type"},
    "format": {"type", "check"},
    "multipleOf": {"type", "check"},
}
"""The reasons a database may give for each rule an invalid row breaks."""


# ---------------------------------------------------------------- running


def _run_sqlite(
    ddl: Path,
    case: LoadCase,
    valid: list[str],
    rows: list[InvalidRow],
) -> list[Outcome]:
    connection = sqlite3.connect(":memory:", isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        if not case.own_ddl:
            connection.executescript(ddl.read_text(encoding="utf-8"))
        for part in valid:
            connection.executescript(part)  # every valid row must be accepted
        outcomes = []
        for row in rows:
            connection.execute("SAVEPOINT invalid_row")
            try:
                connection.execute(row.sql)
            except sqlite3.Error as exc:
                outcomes.append(Outcome(row, _reason(str(exc)), str(exc)))
            else:
                outcomes.append(Outcome(row, "accepted", ""))
            connection.execute("ROLLBACK TO invalid_row")
            connection.execute("RELEASE invalid_row")
        return outcomes
    finally:
        connection.close()


def _run_postgres(
    server: PgServer,
    ddl: Path,
    case: LoadCase,
    valid: list[str],
    rows: list[InvalidRow],
    work: Path,
) -> list[Outcome]:
    database = "inv_" + _case_id(case).replace("-", "_")
    server.create_database(database)
    files = [] if case.own_ddl else [ddl]
    for created in re.findall(r"^CREATE DATABASE (\w+)", ddl.read_text(encoding="utf-8"), re.M):
        if not case.own_ddl:  # the DDL creates its own database and connects to it
            server.psql("postgres", sql=f'DROP DATABASE IF EXISTS "{created}"')
    valid_file = work / "valid.sql"
    valid_file.write_text("\n".join(valid), encoding="utf-8")
    script = ["\\warn @@valid-loaded", "\\set ON_ERROR_STOP 0", "BEGIN;"]
    for number, row in enumerate(rows):
        script += [f"\\warn @@row {number}", "SAVEPOINT invalid_row;", row.sql]
        script += ["ROLLBACK TO SAVEPOINT invalid_row;"]
    script += ["\\warn @@end", "ROLLBACK;"]
    invalid_file = work / "invalid.sql"
    invalid_file.write_text("\n".join(script) + "\n", encoding="utf-8")
    # One session: the DDL may connect to its own database (\c) and set the search path; the
    # DDL and the valid rows stop at the first error, the invalid rows do not.
    command = [
        str(server.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
        "-h", str(server.socket_dir), "-U", "postgres", "-d", database,
    ]  # fmt: skip
    for file in [*files, valid_file, invalid_file]:
        command += ["-f", str(file)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    loaded, _sep, tail = done.stderr.partition("@@valid-loaded\n")
    assert "ERROR:" not in loaded, f"the DDL or a valid row failed: {loaded[-2000:]}"
    assert "@@end" in tail, done.stderr[-2000:]
    chunks = re.split(r"^@@row (\d+)\n", tail, flags=re.MULTILINE)
    errors: dict[int, str] = {}
    for marker, body in zip(chunks[1::2], chunks[2::2], strict=True):
        found = re.search(r"ERROR:\s+(.*)", body)
        if found:
            errors[int(marker)] = found.group(1)
    return [
        Outcome(row, _reason(errors[i]) if i in errors else "accepted", errors.get(i, ""))
        for i, row in enumerate(rows)
    ]


# ---------------------------------------------------------------- the test


@pytest.mark.parametrize("case", [c for c in CASES if not c.one_file], ids=_case_id)
def test_every_invalid_row_is_rejected_for_its_reason(
    case: LoadCase, corpus: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    dataset, result = _generate(corpus, case, tmp_path / "out")
    valid, rows = _split(result)
    assert any("-- boundary:" in part for part in valid)  # loaded, and must be accepted
    assert rows, "the corpus file has invalid cases"
    ddl = corpus / "sql" / case.file
    if case.engine is Dialect.SQLITE:
        outcomes = _run_sqlite(ddl, case, valid, rows)
    else:
        server: PgServer = request.getfixturevalue("postgres")
        outcomes = _run_postgres(server, ddl, case, valid, rows, tmp_path)
    wrong = [
        (o.row.table, o.row.field, o.row.rule, o.reason, o.message)
        for o in outcomes
        if o.reason not in _EXPECTED.get(o.row.rule, set())
    ]
    rejected = sum(o.reason != "accepted" for o in outcomes)
    by_rule = Counter(o.row.rule for o in outcomes)
    print(f"{_case_id(case)}: {len(outcomes)} invalid rows, {rejected} rejected, {dict(by_rule)}")
    assert not wrong, f"{len(wrong)} of {len(outcomes)} invalid rows: {wrong[:8]}"
    assert rejected == len(outcomes)
    with_fk = {t.name for t in dataset.tables if t.foreign_keys} & {r.table for r in rows}
    assert with_fk <= {r.table for r in rows if r.rule == "foreignKey"}, "a table lacks its FK case"
