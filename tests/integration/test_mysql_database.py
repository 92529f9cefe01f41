"""Real-database checks of MySQL output: tdgen's SQL loads into a real MariaDB server.

For each MySQL DDL file of ``../shared/corpus/sql`` the file itself is loaded into MariaDB,
followed by tdgen's INSERTs (valid and boundary rows, in insert order) with foreign-key checks
on and a strict ``sql_mode``: the load must finish without a single error, every table must
hold the rows tdgen wrote, and an anti-join finds no foreign-key value without its parent row.
Then each invalid row's INSERT runs on its own (inside a transaction that is rolled back), and
MariaDB must reject it for the rule its label gives. Strings with every awkward character
round-trip byte for byte, and tdgen's own ``CREATE TABLE`` (``--with-ddl``) loads into an
empty database.

The MariaDB server is started by the session fixture ``mariadb`` (tests/integration/
mysql_support.py) in a temporary folder, with a Unix socket and no TCP, and stopped at the end.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from mysql_support import MariaDb
from test_sql_databases import AWKWARD, _awkward_rows, _orphans_sql
from test_sql_invalid_cases import _EXPECTED, InvalidRow, _split

from tdgen_desktop.core import CaseKind, Dataset, Dialect, ExportFormat
from tdgen_desktop.core.rows import VALID_LABEL, RowBatch
from tdgen_desktop.exporters import ExportOptions
from tdgen_desktop.exporters.sql import SqlWriter, quote_identifier
from tdgen_desktop.generation.pipeline import GenerationRequest, JobResult, run_pipeline
from tdgen_desktop.importers import load_schema

ROWS = 6
FILES = ("chinook-mysql.sql", "sakila-mysql.sql")
AFTER_DDL = {"sakila-mysql.sql": "DROP TRIGGER ins_film;"}
"""Run after the corpus DDL: sakila's ``ins_film`` trigger copies every ``film`` row into
``film_text``, whose rows tdgen makes itself (they would collide), and whose signed ``INT``
key cannot hold the top of ``film.film_id``'s ``INT UNSIGNED`` range."""


def _database_of(ddl_text: str) -> str:
    """The database the corpus DDL creates and switches to (``USE …``)."""
    found = re.search(r"^USE\s+`?(\w+)`?\s*;", ddl_text, re.MULTILINE | re.IGNORECASE)
    assert found, "the corpus DDL selects its database"
    return found.group(1)


def _generate(source: Path, out: Path, *, with_ddl: bool = False) -> tuple[Dataset, JobResult]:
    dataset = load_schema(source)
    request = GenerationRequest(
        source=source,
        out_dir=out,
        rows=ROWS,
        format=ExportFormat.SQL,
        seed=5,
        cases=frozenset(CaseKind),
        dialect=Dialect.MYSQL,
        with_ddl=with_ddl,
    )
    return dataset, run_pipeline(request, dataset=dataset)


def _verify_sql(dataset: Dataset, result: JobResult) -> str:
    made = {t.table for t in result.tables}
    lines = []
    for name in made:
        table = dataset.table(name)
        quoted = quote_identifier(name, Dialect.MYSQL)
        lines.append(f"SELECT 'count', '{name}', count(*) FROM {quoted};")  # noqa: S608
        for fk in table.foreign_keys:
            if fk.ref_table in made:
                label = f"{name}.{'+'.join(fk.columns)}"
                orphans = _orphans_sql(table, fk, Dialect.MYSQL)
                lines.append(f"SELECT 'orphans', '{label}', ({orphans});")
    return "\n".join(lines)


def _counts(output: str) -> tuple[dict[str, int], dict[str, int]]:
    counts: dict[str, int] = {}
    orphans: dict[str, int] = {}
    for line in output.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0] == "count":
            counts[parts[1]] = int(parts[2])
        elif len(parts) == 3 and parts[0] == "orphans" and int(parts[2]):
            orphans[parts[1]] = int(parts[2])
    return counts, orphans


# ---------------------------------------------------------------- invalid rows


@dataclass(frozen=True)
class Outcome:
    row: InvalidRow
    reason: str
    message: str


_REASONS = (
    (("cannot be null", "doesn't have a default value"), "not null"),
    (("duplicate entry",), "unique"),
    (("foreign key constraint fails",), "foreign key"),
    (("check constraint", "failed for `"), "check"),  # MariaDB: CONSTRAINT `x` failed for …
    (
        (
            "out of range value",
            "data too long",
            "incorrect date",
            "incorrect datetime",
            "incorrect time",
            "incorrect integer value",
            "incorrect decimal value",
            "incorrect double value",
            "truncated incorrect",
            "data truncated",
            "invalid json",
            "incorrect string value",
        ),
        "type",
    ),
)


def _reason(message: str) -> str:
    text = message.lower()
    for needles, reason in _REASONS:
        if any(n in text for n in needles):
            return reason
    return f"other: {message.strip()[:200]}"


def _run_invalid(server: MariaDb, database: str, rows: list[InvalidRow]) -> list[Outcome]:
    """Each invalid row on its own, rolled back; ``--force`` goes on after each error, and
    the error's line number tells the row."""
    lines = ["SET FOREIGN_KEY_CHECKS = 1;"]
    starts: list[int] = []
    for row in rows:
        lines.append("START TRANSACTION;")
        starts.append(len(lines) + 1)
        lines += row.sql.splitlines()
        lines.append("ROLLBACK;")
    script = "\n".join(lines) + "\n"
    done = subprocess.run(
        server.command(database, force=True),
        input=script.encode("utf-8"),
        capture_output=True,
        timeout=180,
        check=False,
    )
    errors: dict[int, str] = {}
    for found in re.finditer(
        r"^ERROR \d+ \(\w+\) at line (\d+): (.*)$", done.stderr.decode(), re.M
    ):
        line = int(found.group(1))
        number = max(i for i, start in enumerate(starts) if start <= line)
        errors[number] = found.group(2)
    return [
        Outcome(row, _reason(errors[i]) if i in errors else "accepted", errors.get(i, ""))
        for i, row in enumerate(rows)
    ]


# ---------------------------------------------------------------- the corpus


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.removesuffix(".sql"))
def test_corpus_ddl_and_inserts_load_into_mariadb_and_invalid_rows_are_rejected(
    file: str, corpus: Path, tmp_path: Path, mariadb: MariaDb
) -> None:
    source = corpus / "sql" / file
    dataset, result = _generate(source, tmp_path / "out")
    assert result.validation_failures == 0
    made = {t.table: t for t in result.tables}
    assert set(made) == {t.name for t in dataset.tables}
    if file.startswith("sakila"):  # store ↔ staff: a cycle of NOT NULL foreign keys
        assert "FOREIGN_KEY_CHECKS = 0" in made["staff"].path.read_text(encoding="utf-8")
    valid, rows = _split(result)
    assert any("-- boundary:" in part for part in valid)
    database = _database_of(source.read_text(encoding="utf-8"))
    mariadb.run(None, sql=f"DROP DATABASE IF EXISTS `{database}`;")
    valid_file = tmp_path / "valid.sql"
    start = AFTER_DDL.get(file, "") + "\nSET FOREIGN_KEY_CHECKS = 1;\n"
    valid_file.write_text(start + "\n".join(valid), encoding="utf-8")
    # One session, stopping at the first error: the DDL, then every valid and boundary row.
    output = mariadb.run(None, source, valid_file, sql=_verify_sql(dataset, result))
    counts, orphans = _counts(output)
    expected = {
        name: t.case_counts.get("valid", 0) + t.case_counts.get("boundary", 0)
        for name, t in made.items()
    }
    assert counts == expected
    assert orphans == {}, f"foreign-key values without a parent row: {orphans}"

    outcomes = _run_invalid(mariadb, database, rows)
    wrong = [
        (o.row.table, o.row.field, o.row.rule, o.reason, o.message)
        for o in outcomes
        if o.reason not in _EXPECTED.get(o.row.rule, set())
    ]
    by_rule = Counter(o.row.rule for o in outcomes)
    rejected = sum(o.reason != "accepted" for o in outcomes)
    print(f"{file}: {sum(expected.values())} rows loaded, {rejected}/{len(outcomes)} invalid")
    print(f"  rejected, by rule: {dict(by_rule)}")
    assert rows, "the corpus file has invalid cases"
    assert not wrong, f"{len(wrong)} of {len(outcomes)} invalid rows: {wrong}"
    assert rejected == len(outcomes)
    with_fk = {t.name for t in dataset.tables if t.foreign_keys}
    assert with_fk <= {r.table for r in rows if r.rule == "foreignKey"}, "a table lacks its FK case"


# ---------------------------------------------------------------- tdgen's own CREATE TABLE


@pytest.mark.parametrize(
    "source", ["sql/chinook-mysql.sql", "order.schema.json"], ids=lambda s: Path(s).stem
)
def test_with_ddl_output_loads_into_an_empty_mariadb_database(
    source: str, corpus: Path, tmp_path: Path, mariadb: MariaDb
) -> None:
    root = Path(__file__).resolve().parents[2] / "resources" / "examples"
    path = corpus / source if source.startswith("sql/") else root / source
    dataset, result = _generate(path, tmp_path / "out", with_ddl=True)
    assert result.validation_failures == 0
    valid, rows = _split(result)
    assert all("CREATE TABLE" in part for part in valid)
    database = "wd_" + re.sub(r"\W", "_", path.stem)
    mariadb.create_database(database)
    valid_file = tmp_path / "valid.sql"
    valid_file.write_text("SET FOREIGN_KEY_CHECKS = 1;\n" + "\n".join(valid), encoding="utf-8")
    output = mariadb.run(database, valid_file, sql=_verify_sql(dataset, result))
    counts, orphans = _counts(output)
    assert counts == {
        t.table: t.case_counts.get("valid", 0) + t.case_counts.get("boundary", 0)
        for t in result.tables
    }
    assert orphans == {}
    outcomes = _run_invalid(mariadb, database, rows)
    wrong = [
        (o.row.table, o.row.field, o.row.rule, o.reason, o.message)
        for o in outcomes
        if o.reason not in _EXPECTED.get(o.row.rule, set())
    ]
    print(f"{path.name} --with-ddl: {sum(counts.values())} rows, {len(outcomes)} invalid rejected")
    assert not wrong, f"{len(wrong)} of {len(outcomes)} invalid rows: {wrong}"


# ---------------------------------------------------------------- awkward text

_AWKWARD_DDL = (
    "CREATE TABLE awkward (id INT PRIMARY KEY, body LONGTEXT NOT NULL, raw LONGBLOB, "
    "flag BOOLEAN, day DATE, at DATETIME, tags JSON) DEFAULT CHARSET=utf8mb4"
)


def test_awkward_text_round_trips_through_mariadb(tmp_path: Path, mariadb: MariaDb) -> None:
    ddl = tmp_path / "awkward.ddl.sql"
    ddl.write_text(_AWKWARD_DDL + ";\n", encoding="utf-8")
    table = load_schema(ddl, dialect=Dialect.MYSQL).tables[0]
    inserts = tmp_path / "awkward.sql"
    columns = ["id", "body", "raw", "flag", "day", "at", "tags"]
    batch = RowBatch(table, columns, _awkward_rows(), [VALID_LABEL] * len(AWKWARD))
    options = ExportOptions(dialect=Dialect.MYSQL, batch_rows=7)
    with SqlWriter(inserts, table, columns, options) as writer:
        writer.write(batch)
    mariadb.create_database("t_awkward")
    # Hexadecimal: byte-exact, whatever the client does with line breaks and tabs.
    query = "SELECT id, HEX(body), HEX(raw), flag, day, at, HEX(tags) FROM awkward ORDER BY id;"
    assert mariadb.run("t_awkward", ddl, inserts).strip() == ""
    found = mariadb.run("t_awkward", sql=query).splitlines()
    expected = _awkward_rows()
    assert len(found) == len(expected)
    for line, row in zip(found, expected, strict=True):
        number, body, raw, flag, day, at, tags = line.split("\t")
        assert int(number) == row[0]
        assert bytes.fromhex(body).decode("utf-8") == str(row[1]).replace("\x00", "")
        assert bytes.fromhex(raw) == base64.b64decode(str(row[2]))
        assert flag == ("1" if row[3] else "0")
        assert (day, at) == ("2024-02-29", "2024-02-29 23:59:58")
        expected_tags = [str(t).replace("\x00", "") for t in row[6]]  # type: ignore[attr-defined]
        assert json.loads(bytes.fromhex(tags).decode("utf-8")) == expected_tags
