"""Hypothesis strategies that turn the shared corpus into malformed and adversarial schema files.

Each importer gets a :class:`Target`: seed documents taken from the corpus (kept small, so ten
thousand inputs run in minutes) and a strategy drawing one file's bytes. A drawn input is one of

* a structured mutation of a seed — keys dropped or replaced, values of the wrong type, huge and
  negative numbers and lengths, ``minimum`` above ``maximum``, bad regular expressions, unknown
  formats, cyclic ``$ref`` (JSON/YAML); changed types, sizes and constraints (SQL); ragged rows,
  odd quoting and delimiters, extreme values (samples);
* a seed cut off at a random byte (a truncated file);
* random bytes, or random text.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

__all__ = ["PROJECT_SOURCE", "TARGETS", "Target"]

_CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

# Values of the wrong type or at the edge of what a number can hold.
_HOSTILE_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    -(10**30),
    10**30,
    2**63,
    1e308,
    -1e308,
    1e-300,
    0.5,
    "",
    "x" * 300,
    "\u202e\u0000\ud7ff",
    [],
    [None],
    {},
    {"$ref": "#"},
    {"type": "nonsense"},
]

# Schema keywords with hostile values: contradictions, impossible sizes, bad patterns, cycles.
_KEYWORD_EDITS: list[tuple[str, Any]] = [
    ("type", "nonsense"),
    ("type", ["string", "integer", "null"]),
    ("type", []),
    ("type", 7),
    ("minimum", 10),
    ("maximum", -10),
    ("minimum", 10**40),
    ("maximum", -(10**40)),
    ("exclusiveMinimum", 5),
    ("exclusiveMaximum", 5),
    ("exclusiveMinimum", True),
    ("multipleOf", 0),
    ("multipleOf", -3),
    ("multipleOf", 1e-300),
    ("multipleOf", 0.1),
    ("minLength", -1),
    ("minLength", 10**12),
    ("maxLength", 0),
    ("maxLength", -5),
    ("minLength", 50),
    ("maxLength", 3),
    ("pattern", "["),
    ("pattern", "(?P<"),
    ("pattern", "(a+)+$"),
    ("pattern", "a{1000000}"),
    ("pattern", "(x{1000}){1000}"),
    ("pattern", "^[a-z]{3}$"),
    ("pattern", "\\p{L}+"),
    ("format", "unknown-format"),
    ("format", "email"),
    ("format", "date-time"),
    ("format", "uuid"),
    ("format", 12),
    ("enum", []),
    ("enum", [1, "a", None, 1.5]),
    ("enum", "not-a-list"),
    ("const", {"deep": [1, 2]}),
    ("minItems", 5),
    ("maxItems", 1),
    ("minItems", -2),
    ("maxItems", 10**9),
    ("uniqueItems", True),
    ("items", False),
    ("items", {"$ref": "#"}),
    ("required", ["does-not-exist"]),
    ("required", "name"),
    ("additionalProperties", False),
    ("properties", {"a": {"$ref": "#"}}),
    ("properties", []),
    ("$ref", "#"),
    ("$ref", "#/definitions/nope"),
    ("$ref", "#/$defs/loop"),
    ("$ref", "https://example.invalid/remote.json"),
    ("$ref", 5),
    ("$defs", {"loop": {"$ref": "#/$defs/loop"}}),
    ("allOf", [{"$ref": "#"}]),
    ("allOf", [{"type": "string"}, {"type": "integer"}]),
    ("anyOf", []),
    ("oneOf", [{"type": "string", "minLength": 9}, {"maxLength": 2}]),
    ("not", {}),
    ("if", {"type": "string"}),
    ("default", {"unexpected": True}),
    ("nullable", True),
    ("discriminator", {"propertyName": "kind"}),
    ("x-unknown", {"anything": [1, 2, 3]}),
]

_SQL_TYPES = [
    "INTEGER",
    "BIGINT",
    "SMALLINT",
    "NUMERIC(10,2)",
    "NUMERIC(2,10)",
    "DECIMAL(99999999999999999999,1)",
    "VARCHAR(-5)",
    "VARCHAR(0)",
    "VARCHAR(99999999999999999999)",
    "CHAR(1)",
    "TEXT",
    "BOOLEAN",
    "DATE",
    "TIMESTAMP",
    "TIMESTAMP WITH TIME ZONE",
    "UUID",
    "BLOB",
    "BYTEA",
    "JSON",
    "ENUM('a','b','a')",
    "ENUM()",
    "SET('x')",
    "INTEGER[]",
    "INTERVAL",
    "GEOMETRY",
    "MYSTERY_TYPE",
    "VARCHAR(",
    "",
]

_SQL_CONSTRAINTS = [
    "NOT NULL",
    "NULL",
    "UNIQUE",
    "PRIMARY KEY",
    "DEFAULT 0",
    "DEFAULT 'x'",
    "DEFAULT now()",
    "CHECK (x > 10 AND x < 5)",
    "CHECK (char_length(x) BETWEEN 9 AND 2)",
    "CHECK (x IN ())",
    "CHECK (x IN ('a','b'))",
    "CHECK (x ~ '(a+)+$')",
    "CHECK (x LIKE '%')",
    "CHECK (",
    "REFERENCES nowhere(id)",
    "REFERENCES [Artist] ([ArtistId])",
    "AUTO_INCREMENT",
    "GENERATED ALWAYS AS IDENTITY",
    "COLLATE NOCASE",
    "COMMENT 'x'",
]

_SQL_STATEMENTS = [
    "CREATE TABLE t (id INTEGER PRIMARY KEY, id INTEGER);",
    "CREATE TABLE t ();",
    "CREATE TABLE t (a INT REFERENCES t(a));",
    "CREATE TABLE a (id INT PRIMARY KEY, b_id INT REFERENCES b(id));\n"
    "CREATE TABLE b (id INT PRIMARY KEY, a_id INT REFERENCES a(id));",
    "ALTER TABLE [Album] ADD COLUMN extra VARCHAR(10);",
    "ALTER TABLE nowhere ADD CONSTRAINT fk FOREIGN KEY (x) REFERENCES y(z);",
    "CREATE INDEX i ON [Album] ([Title]);",
    "CREATE VIEW v AS SELECT 1;",
    "CREATE TYPE mood AS ENUM ('sad', 'ok');",
    "CREATE DOMAIN d AS integer CHECK (VALUE > 0);",
    "INSERT INTO [Artist] VALUES (1, 'x');",
    "DROP TABLE [Album];",
    "/* unterminated comment",
    "'unterminated string",
    "SELECT * FROM;",
    ";;;;",
    "BEGIN; COMMIT;",
]


@dataclass(frozen=True)
class Target:
    """One importer under fuzzing.

    Attributes:
        name: the importer, as the report names it.
        suffix: the file name's ending (it decides the importer).
        seeds: where the seed documents come from, in words.
        inputs: the strategy drawing one file's bytes.
    """

    name: str
    suffix: str
    seeds: str
    inputs: st.SearchStrategy[bytes]


# ---------------------------------------------------------------------------- seeds


@cache
def _json_seed(name: str) -> Any:
    return json.loads((_CORPUS / name).read_text(encoding="utf-8"))


@cache
def _yaml_seed(name: str) -> Any:
    return yaml.safe_load((_CORPUS / name).read_text(encoding="utf-8"))


@cache
def _sql_statements(name: str, limit: int) -> tuple[str, ...]:
    """The first ``limit`` CREATE TABLE statements of a corpus DDL file."""
    text = (_CORPUS / name).read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    text = re.sub(r"--[^\n]*", "", text)
    statements = [s.strip() + ";" for s in text.split(";") if s.strip()]
    tables = [s for s in statements if re.match(r"CREATE\s+TABLE", s, re.IGNORECASE)]
    return tuple(tables[:limit])


@cache
def _csv_rows(name: str, limit: int) -> tuple[tuple[str, ...], ...]:
    text = (_CORPUS / name).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    return tuple(tuple(r[:12]) for r in rows[:limit])


def _sample_records() -> list[dict[str, Any]]:
    rows = _csv_rows("csv/penguins.csv", 25)
    header, body = rows[0], rows[1:]
    out = []
    for row in body:
        record: dict[str, Any] = {}
        for key, value in zip(header, row, strict=False):
            try:
                record[key] = int(value)
            except ValueError:
                try:
                    record[key] = float(value)
                except ValueError:
                    record[key] = None if value == "NA" else value
        out.append(record)
    return out


_JSONSCHEMA_SEEDS = ("jsonschema/bower.json", "jsonschema/openweather.current.json")

# A small schema that carries every constraint the importer reads, so mutations hit them all.
_CONSTRAINED_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Customer",
    "type": "object",
    "required": ["id", "email", "age"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "maximum": 1000000},
        "email": {"type": "string", "format": "email", "maxLength": 80},
        "name": {"type": "string", "minLength": 1, "maxLength": 40, "pattern": "^[A-Za-z ]+$"},
        "age": {"type": "integer", "minimum": 0, "exclusiveMaximum": 130},
        "score": {"type": "number", "multipleOf": 0.5, "minimum": -10, "maximum": 10},
        "kind": {"enum": ["a", "b", "c"]},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3, "uniqueItems": True},
        "joined": {"type": "string", "format": "date"},
        "address": {"$ref": "#/$defs/address"},
        "token": {"type": "string", "format": "uuid"},
    },
    "$defs": {
        "address": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "zip": {"type": "string"}},
        }
    },
}

_OPENAPI_SEEDS = ("openapi/petstore-3.0.yaml", "openapi/petstore-expanded-3.0.yaml")


def _jsonschema_seeds() -> list[Any]:
    return [_CONSTRAINED_SCHEMA, *(_json_seed(n) for n in _JSONSCHEMA_SEEDS)]


def _openapi_seeds() -> list[Any]:
    seeds = [_yaml_seed(n) for n in _OPENAPI_SEEDS]
    constrained = copy.deepcopy(seeds[0])
    constrained.setdefault("components", {}).setdefault("schemas", {})["Customer"] = {
        k: v for k, v in _CONSTRAINED_SCHEMA.items() if k not in {"$schema", "$defs"}
    } | {"properties": {**_CONSTRAINED_SCHEMA["properties"], "address": {"type": "object"}}}
    return [*seeds, constrained]


# ---------------------------------------------------------------------------- tree mutations


def _nodes(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every dict and list in ``doc`` (the root included)."""
    out: list[tuple[Any, ...]] = []
    stack = [(doc, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            out.append(where)
            stack.extend((v, (*where, k)) for k, v in node.items())
        elif isinstance(node, list):
            out.append(where)
            stack.extend((v, (*where, i)) for i, v in enumerate(node))
    out.sort(key=repr)  # a stable order: the same draw picks the same node
    return out


def _at(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


@st.composite
def _mutated_tree(draw: st.DrawFn, seeds: Callable[[], list[Any]]) -> Any:
    """A seed document with one to four structured edits."""
    pool = seeds()
    doc = copy.deepcopy(pool[draw(st.integers(0, len(pool) - 1))])
    for _ in range(draw(st.integers(1, 4))):
        nodes = _nodes(doc)
        where = nodes[draw(st.integers(0, len(nodes) - 1))]
        node = _at(doc, where)
        action = draw(st.integers(0, 5))
        if isinstance(node, dict):
            keys = sorted(node, key=str)
            if action == 0 and keys:  # drop a key
                del node[keys[draw(st.integers(0, len(keys) - 1))]]
            elif action == 1 and keys:  # replace a value by one of the wrong type
                node[keys[draw(st.integers(0, len(keys) - 1))]] = copy.deepcopy(
                    draw(st.sampled_from(_HOSTILE_VALUES))
                )
            elif action == 2 and where:  # replace the whole node
                _at(doc, where[:-1])[where[-1]] = copy.deepcopy(
                    draw(st.sampled_from(_HOSTILE_VALUES))
                )
            else:  # set a keyword to a hostile value
                key, value = draw(st.sampled_from(_KEYWORD_EDITS))
                node[key] = copy.deepcopy(value)
        elif node:
            index = draw(st.integers(0, len(node) - 1))
            if action < 2:
                del node[index]
            else:
                node[index] = copy.deepcopy(draw(st.sampled_from(_HOSTILE_VALUES)))
        elif not where:
            return copy.deepcopy(draw(st.sampled_from(_HOSTILE_VALUES)))
    return doc


def _dump_json(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _dump_yaml(doc: Any) -> bytes:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8")


# ---------------------------------------------------------------------------- SQL mutations


@st.composite
def _mutated_sql(draw: st.DrawFn, source: str) -> bytes:
    """CREATE TABLE statements of a corpus file (all or one to four), then edits of types and
    clauses."""
    statements = _sql_statements(source, 12)
    if draw(st.booleans()):  # all tables, so foreign keys resolve
        parts = list(statements)
    else:
        start = draw(st.integers(0, len(statements) - 1))
        parts = list(statements[start : start + draw(st.integers(1, 4))])
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(parts) - 1))
        lines = parts[index].split("\n")
        action = draw(st.integers(0, 6))
        line_no = draw(st.integers(0, len(lines) - 1))
        if action == 0:  # change a column's type
            lines[line_no] = (
                re.sub(
                    r"\b(N?VARCHAR|CHAR|INTEGER|INT|NUMERIC|DECIMAL|TEXT|DATE\w*|TIMESTAMP|"
                    r"BOOLEAN|SMALLINT|BIGINT|REAL|BLOB|BYTEA|\w+)\b(\s*\([^)]*\))?",
                    lambda _m: draw(st.sampled_from(_SQL_TYPES)),
                    lines[line_no],
                    count=1,
                )
                if line_no
                else lines[line_no]
            )
        elif action == 1:  # add a column constraint
            lines[line_no] = (
                lines[line_no].rstrip(",")
                + " "
                + draw(st.sampled_from(_SQL_CONSTRAINTS))
                + ("," if lines[line_no].endswith(",") else "")
            )
        elif action == 2:  # drop a line
            del lines[line_no]
        elif action == 3:  # duplicate a line
            lines.insert(line_no, lines[line_no])
        elif action == 4:  # numbers: huge, negative, zero
            lines[line_no] = re.sub(
                r"\d+",
                lambda _m: draw(st.sampled_from(["0", "-1", "99999999999999999999", "1e308"])),
                lines[line_no],
            )
        elif action == 5:  # a whole extra statement
            parts.insert(index, draw(st.sampled_from(_SQL_STATEMENTS)))
            continue
        else:  # random text in a line
            cut = draw(st.integers(0, len(lines[line_no])))
            lines[line_no] = lines[line_no][:cut] + draw(_SHORT_TEXT) + lines[line_no][cut:]
        parts[index] = "\n".join(lines) if lines else ""
    return "\n\n".join(parts).encode("utf-8")


# ---------------------------------------------------------------------------- sample mutations

_CELL_EDITS = [
    "",
    "NA",
    "null",
    "-0",
    "1e999",
    "-99999999999999999999999",
    "0x1F",
    "2024-02-30",
    "2024-13-01T25:61:61Z",
    "true",
    '"',
    '""quoted""',
    "a,b",
    "line\nbreak",
    "\u202e\u00e9\U0001f600",
    "x" * 2000,
    "=cmd|' /C calc'!A0",
]


@st.composite
def _mutated_rows(draw: st.DrawFn) -> list[list[str]]:
    """Rows of a corpus CSV (header first) with cells, rows and columns edited."""
    source = draw(st.sampled_from(["csv/penguins.csv", "csv/country-codes.csv"]))
    rows = [list(r) for r in _csv_rows(source, 25)]
    rows = rows[: draw(st.integers(1, len(rows)))]
    for _ in range(draw(st.integers(1, 6))):
        r = draw(st.integers(0, len(rows) - 1))
        action = draw(st.integers(0, 4))
        if action == 0 and rows[r]:  # edit a cell
            rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(st.sampled_from(_CELL_EDITS))
        elif action == 1 and rows[r]:  # ragged: a cell fewer
            rows[r].pop()
        elif action == 2:  # ragged: a cell more
            rows[r].append(draw(st.sampled_from(_CELL_EDITS)))
        elif action == 3 and len(rows) > 1:  # drop a row
            del rows[r]
        elif rows[0]:  # duplicate or blank a header name
            c = draw(st.integers(0, len(rows[0]) - 1))
            rows[0][c] = draw(st.sampled_from(["", rows[0][0], "a b", "\ufeffid", "1"]))
    return rows


@st.composite
def _csv_bytes(draw: st.DrawFn) -> bytes:
    rows = draw(_mutated_rows())
    delimiter = draw(st.sampled_from([",", ",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buffer.getvalue().encode("utf-8")


@st.composite
def _sample_documents(draw: st.DrawFn) -> list[Any]:
    """Records of the penguins sample with keys and values edited."""
    records = copy.deepcopy(_sample_records())
    records = records[: draw(st.integers(0, len(records)))]
    for _ in range(draw(st.integers(1, 6))):
        if not records:
            records.append(copy.deepcopy(draw(st.sampled_from(_HOSTILE_VALUES))))
            continue
        i = draw(st.integers(0, len(records) - 1))
        record = records[i]
        if not isinstance(record, dict) or not record:
            records[i] = copy.deepcopy(draw(st.sampled_from(_HOSTILE_VALUES)))
            continue
        keys = sorted(record)
        key = keys[draw(st.integers(0, len(keys) - 1))]
        action = draw(st.integers(0, 3))
        if action == 0:
            del record[key]
        elif action == 1:
            record[key] = copy.deepcopy(draw(st.sampled_from(_HOSTILE_VALUES)))
        elif action == 2:
            record[draw(st.sampled_from(["", "extra", "a.b", "$ref", "1"]))] = draw(
                st.sampled_from(_CELL_EDITS)
            )
        else:
            records[i] = copy.deepcopy(draw(st.sampled_from(_HOSTILE_VALUES)))
    return records


def _jsonl(records: list[Any]) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode("utf-8")


# ---------------------------------------------------------------------------- project files

PROJECT_SOURCE = ("customer.json", _CONSTRAINED_SCHEMA)
"""The schema the fuzzed project files name: the test writes it beside them."""

_PROJECT_SEED: dict[str, Any] = {
    "tdgen_project": 1,
    "source": {"path": "customer.json", "format": "jsonschema"},
    "overrides": {
        "customer": {
            "email": {"null_ratio": 0.2, "generator": "email"},
            "age": {"minimum": 18, "maximum": 90},
            "name": {"min_length": 2, "max_length": 30, "unique": True},
            "kind": {"enum_weights": [0.5, 0.3, 0.2]},
        }
    },
    "generation": {
        "rows": 50,
        "table_rows": {"customer": 20},
        "seed": 7,
        "locale": "de_DE",
        "cases": ["valid", "invalid"],
        "format": "csv",
        "provider": "null",
        "pairwise": False,
        "max_cases": 10,
        "label_columns": False,
        "dialect": None,
        "with_ddl": False,
    },
}


def _project_seeds() -> list[Any]:
    return [_PROJECT_SEED]


# ---------------------------------------------------------------------------- whole inputs

_SHORT_TEXT = st.text(max_size=40)


@st.composite
def _truncated(draw: st.DrawFn, whole: st.SearchStrategy[bytes]) -> bytes:
    data = draw(whole)
    return data[: draw(st.integers(0, max(len(data) - 1, 0)))]


@st.composite
def _byte_flips(draw: st.DrawFn, whole: st.SearchStrategy[bytes]) -> bytes:
    data = bytearray(draw(whole))
    for _ in range(draw(st.integers(1, 8))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


def _inputs(structured: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """Structured mutations most of the time; truncations, byte flips and noise besides."""
    return st.one_of(
        structured,
        structured,
        structured,
        _truncated(structured),
        _byte_flips(structured),
        st.binary(max_size=512),
        st.text(max_size=512).map(lambda s: s.encode("utf-8", "surrogatepass")),
    )


def _tree_inputs(seeds: Callable[[], list[Any]], dump: Callable[[Any], bytes]) -> Any:
    return _inputs(_mutated_tree(seeds).map(dump))


TARGETS: dict[str, Target] = {
    t.name: t
    for t in [
        Target(
            "JSON Schema",
            ".json",
            "bower.json, openweather.current.json and a schema using every constraint",
            _tree_inputs(_jsonschema_seeds, _dump_json),
        ),
        Target(
            "OpenAPI (JSON)",
            ".json",
            "the two petstore specifications and one with a constrained component",
            _tree_inputs(_openapi_seeds, _dump_json),
        ),
        Target(
            "OpenAPI (YAML)",
            ".yaml",
            "the two petstore specifications and one with a constrained component",
            _tree_inputs(_openapi_seeds, _dump_yaml),
        ),
        Target(
            "SQL DDL (SQLite)",
            ".sql",
            "12 CREATE TABLE statements (all or 1-4) of chinook-sqlite.sql and sakila-sqlite.sql",
            _inputs(
                st.sampled_from(["sql/chinook-sqlite.sql", "sql/sakila-sqlite.sql"]).flatmap(
                    _mutated_sql
                )
            ),
        ),
        Target(
            "SQL DDL (PostgreSQL)",
            ".sql",
            "12 CREATE TABLE statements (all or 1-4) of chinook-postgres.sql and pagila-schema.sql",
            _inputs(
                st.sampled_from(["sql/chinook-postgres.sql", "sql/pagila-schema.sql"]).flatmap(
                    _mutated_sql
                )
            ),
        ),
        Target(
            "SQL DDL (MySQL)",
            ".sql",
            "12 CREATE TABLE statements (all or 1-4) of chinook-mysql.sql and sakila-mysql.sql",
            _inputs(
                st.sampled_from(["sql/chinook-mysql.sql", "sql/sakila-mysql.sql"]).flatmap(
                    _mutated_sql
                )
            ),
        ),
        Target(
            "CSV sample",
            ".csv",
            "the first 25 rows (12 columns) of penguins.csv and country-codes.csv",
            _inputs(_csv_bytes()),
        ),
        Target(
            "JSON sample",
            ".json",
            "24 penguins records as a JSON array",
            _inputs(_sample_documents().map(_dump_json)),
        ),
        Target(
            "JSON Lines sample",
            ".jsonl",
            "24 penguins records, one per line",
            _inputs(_sample_documents().map(_jsonl)),
        ),
        Target(
            "Project file",
            ".tdgen.json",
            "a project file naming a JSON Schema, field overrides and generation settings",
            _tree_inputs(_project_seeds, _dump_json),
        ),
    ]
}
