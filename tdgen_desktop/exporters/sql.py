"""SQL output: ``INSERT`` statements for SQLite, PostgreSQL or MySQL, optionally after the
table's ``CREATE TABLE``.

Valid and boundary rows go into multi-row ``INSERT`` statements of ``ExportOptions.batch_rows``
rows; each invalid row gets an ``INSERT`` of its own after a comment naming the rule it breaks,
so a database rejects exactly that row. Values are written the way each dialect reads them:

* identifiers are always quoted (``"name"``, MySQL ```name```), quotes inside doubled;
* text is UTF-8 with quotes doubled; NUL characters are removed (no database stores them in
  text). PostgreSQL text with a backslash or a control character is written as an ``E'…'``
  string with escapes, so it reads the same whatever ``standard_conforming_strings`` says;
  MySQL text escapes backslashes (its default ``sql_mode``), line breaks and tabs;
* booleans are ``TRUE``/``FALSE`` (SQLite: ``1``/``0``);
* dates and times are ISO 8601 text (``2025-03-01``, ``2025-03-01 14:05:09`` for SQLite and
  MySQL, ``2025-03-01T14:05:09Z`` for PostgreSQL);
* binary values are hexadecimal: ``X'…'`` (SQLite, MySQL), ``decode('…', 'hex')``
  (PostgreSQL);
* PostgreSQL array columns get an array literal (``'{"a","b"}'``); objects and other arrays
  are JSON text;
* a property absent from a row (``MISSING``) is written as ``NULL``.

``CREATE TABLE`` (``ExportOptions.with_ddl``) is built from the model with sqlglot: column types
for the target dialect (an unsigned or enum column gets a ``CHECK`` where the dialect lacks the
type), ``NOT NULL``, the primary key, unique columns and sets, and foreign keys.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import json
import math
import os
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tdgen_desktop.core.enums import CaseKind, Dialect, ExportFormat, FieldType
from tdgen_desktop.core.model import MISSING, Field, ForeignKey, Table
from tdgen_desktop.core.rows import CaseLabel
from tdgen_desktop.exporters.base import _DEFAULT_OPTIONS, ExportOptions, TableWriter

__all__ = [
    "DdlType",
    "SqlWriter",
    "create_table_sql",
    "ddl_checked_rules",
    "ddl_column_type",
    "quote_identifier",
    "sql_literal",
]

_Formatter = Callable[[Any], str]


# ====================================================================== identifiers and literals


def quote_identifier(name: str, dialect: Dialect) -> str:
    """``name`` quoted for ``dialect``: ``"name"`` or, for MySQL, ```name```."""
    if dialect is Dialect.MYSQL:
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


_PG_ESCAPES = {
    "\\": "\\\\",
    "'": "''",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}
_MYSQL_ESCAPES = {"\\": "\\\\", "'": "''", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1a": "\\Z"}
_PG_NEEDS_E = re.compile(r"[\\\x01-\x1f\x7f]")
_MYSQL_NEEDS_ESCAPE = re.compile(r"[\\\n\r\t\x1a]")


def _pg_char(ch: str) -> str:
    escaped = _PG_ESCAPES.get(ch)
    if escaped is not None:
        return escaped
    if ch < " " or ch == "\x7f":
        return f"\\x{ord(ch):02x}"
    return ch


def _text(value: str, dialect: Dialect) -> str:
    """A string literal for ``dialect`` (NUL characters removed)."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    if dialect is Dialect.POSTGRES and _PG_NEEDS_E.search(value):
        return "E'" + "".join(_pg_char(ch) for ch in value) + "'"
    if dialect is Dialect.MYSQL and _MYSQL_NEEDS_ESCAPE.search(value):
        return "'" + "".join(_MYSQL_ESCAPES.get(ch, ch) for ch in value) + "'"
    if dialect is Dialect.SQLITE and _SQLITE_CONTROL.search(value):
        return _sqlite_concat(value)
    return "'" + value.replace("'", "''") + "'"


_SQLITE_CONTROL = re.compile(r"[\x01-\x08\x0b-\x1f\x7f]")


def _sqlite_concat(value: str) -> str:
    """SQLite strings have no escapes: control characters (a carriage return would not survive
    line-ending conversion of the file) are joined in with ``char(n)``."""
    parts: list[str] = []
    for piece in re.split(r"([\x01-\x08\x0b-\x1f\x7f])", value):
        if len(piece) == 1 and _SQLITE_CONTROL.match(piece):
            parts.append(f"char({ord(piece)})")
        elif piece:
            parts.append("'" + piece.replace("'", "''") + "'")
    return "(" + " || ".join(parts) + ")"


def _number(value: float, dialect: Dialect) -> str:
    if math.isfinite(value):
        return repr(value)
    if dialect is Dialect.POSTGRES:
        return "'NaN'" if math.isnan(value) else ("'Infinity'" if value > 0 else "'-Infinity'")
    if dialect is Dialect.SQLITE and not math.isnan(value):
        return "9e999" if value > 0 else "-9e999"
    return "NULL"  # MySQL has no NaN or infinity, SQLite no NaN


def _binary(value: Any, dialect: Dialect) -> str | None:
    """A hexadecimal literal for bytes (or base64 text, tdgen's form of binary values)."""
    if isinstance(value, str):
        try:
            value = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return None
    if not isinstance(value, (bytes, bytearray, memoryview)):
        return None
    digits = bytes(value).hex()
    if dialect is Dialect.POSTGRES:
        return f"decode('{digits}', 'hex')"
    return f"X'{digits}'"


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def _pg_array(value: Any) -> str:
    """The text of a PostgreSQL array literal (``{"a","b"}``, nested for nested lists)."""
    if isinstance(value, list):
        return "{" + ",".join(_pg_array(v) for v in value) + "}"
    if value is None or value is MISSING:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (int, float)):
        return repr(value)
    text = value if isinstance(value, str) else _JSON.encode(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _datetime_text(value: str, dialect: Dialect, kind: FieldType) -> str:
    """ISO text as the dialect prefers it: SQLite and MySQL without ``T`` and ``Z``."""
    if dialect is Dialect.POSTGRES:
        return value
    text = value
    if kind is FieldType.DATETIME and len(text) > 10 and text[10] == "T":
        text = text[:10] + " " + text[11:]
    if text.endswith("Z"):
        text = text[:-1]
    elif dialect is Dialect.MYSQL and re.search(r"[+-]\d\d:\d\d$", text) and len(text) > 8:
        # MySQL reads an offset only since 8.0.19; the value is kept as local time.
        text = text[:-6]
    return text


def _scalar(value: Any, dialect: Dialect) -> str | None:
    """The literal of NULL, a boolean or a number; None for anything else."""
    if value is None or value is MISSING:
        return "NULL"
    if isinstance(value, bool):
        if dialect is Dialect.SQLITE:
            return "1" if value else "0"
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value, dialect)
    if isinstance(value, decimal.Decimal):
        return str(value) if value.is_finite() else _number(float(value), dialect)
    return None


def sql_literal(value: Any, dialect: Dialect, kind: FieldType | None = None) -> str:
    """The SQL literal of one value for ``dialect``; ``kind`` is the column's field type.

    Args:
        value: a generated value (JSON-like, or date/time, bytes, UUID, Decimal).
        dialect: the target dialect.
        kind: the field type, for values whose text depends on it (binary, dates).
    """
    scalar = _scalar(value, dialect)
    if scalar is not None:
        return scalar
    if kind is FieldType.BINARY or isinstance(value, (bytes, bytearray, memoryview)):
        literal = _binary(value, dialect)
        if literal is not None:
            return literal
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        value = value.isoformat()
    if isinstance(value, uuid.UUID):
        value = str(value)
    if isinstance(value, str):
        if kind in (FieldType.DATETIME, FieldType.TIME):
            value = _datetime_text(value, dialect, kind)
        return _text(value, dialect)
    return _text(_JSON.encode(value), dialect)


# ====================================================================== the writer


class SqlWriter(TableWriter):
    """``INSERT`` statements (and optionally ``CREATE TABLE``) for one table.

    The dialect is ``options.dialect``, else the dialect the table was imported from, else
    SQLite. A PostgreSQL table with a ``GENERATED ALWAYS AS IDENTITY`` column gets
    ``OVERRIDING SYSTEM VALUE`` so its generated keys are kept.

    The invalid rows are held back and written last, each as a statement of its own after a
    comment naming its rule: a file reads as the rows a database must accept (valid, then
    boundary), then the rows it must reject (from byte ``invalid_at`` of the finished file).
    With ``options.checks_off`` the rows to accept are written with the database's foreign-key
    checks off, switched on again before the invalid rows, so each of them is still rejected
    for its own rule.
    """

    format = ExportFormat.SQL
    extension = "sql"
    chunk_text = True

    def __init__(
        self,
        path: str | os.PathLike[str],
        table: Table,
        columns: Sequence[str],
        options: ExportOptions = _DEFAULT_OPTIONS,
    ) -> None:
        self.dialect = options.dialect or table.dialect or Dialect.SQLITE
        if options.batch_rows < 1:
            raise ValueError("batch_rows must be at least 1")
        self._formatters = [_formatter(table, name, self.dialect) for name in columns]
        quoted = ", ".join(quote_identifier(c, self.dialect) for c in columns)
        overriding = (
            " OVERRIDING SYSTEM VALUE"
            if self.dialect is Dialect.POSTGRES
            and any(_field(table, c).sql_identity == "identity always" for c in columns)
            else ""
        )
        self._head = (
            f"INSERT INTO {quote_identifier(table.name, self.dialect)} ({quoted}){overriding}"
            " VALUES"
        )
        self._held: list[str] = []  # invalid rows, written last
        self.invalid_at = 0  # where the invalid rows start in the finished file (bytes)
        super().__init__(path, table, columns, options)

    def _begin(self) -> None:
        stream = self._file.stream
        stream.write(f"-- tdgen: rows of table {self.table.name} ({self.dialect.value})\n")
        if self.dialect is Dialect.POSTGRES:
            stream.write("SET client_encoding = 'UTF8';\n")
        elif self.dialect is Dialect.MYSQL:
            stream.write("SET NAMES utf8mb4;\n")
        if self.options.checks_off:
            stream.write(_CHECKS_OFF[self.dialect])
        if self.options.with_ddl:
            later = self.options.keys_later if self.dialect is not Dialect.SQLITE else ()
            create = create_table_sql(self.table, self.dialect, self.columns, leave_out=later)
            stream.write(create + ";\n")

    def _rebind(self) -> None:
        self._held = []  # a chunk encoder's twin holds its own invalid rows

    def _finish(self) -> None:
        stream = self._file.stream
        if self.options.checks_off:
            stream.write(_CHECKS_ON[self.dialect])
        if self.options.with_ddl and self.dialect is not Dialect.SQLITE:
            for child, fk in self.options.keys_added:
                stream.write(add_foreign_key_sql(child, fk, self.dialect) + ";\n")
        stream.flush()
        self.invalid_at = os.lseek(stream.fileno(), 0, os.SEEK_CUR)
        stream.write("".join(self._held))
        self._held.clear()

    def _values(self, row: Sequence[Any]) -> str:
        return "(" + ", ".join(f(v) for f, v in zip(self._formatters, row, strict=True)) + ")"

    def _column_values(self, rows: Sequence[Sequence[Any]]) -> list[str]:
        """``_values`` of every row, with the literals made a column at a time."""
        if not rows:
            return []
        kinds = [_field(self.table, name).type for name in self.columns]
        columns = [
            _column_literals(values, formatter, kind, self.dialect)
            for values, formatter, kind in zip(
                zip(*rows, strict=True), self._formatters, kinds, strict=True
            )
        ]
        return list(map("({})".format, map(", ".join, zip(*columns, strict=True))))

    def _write_rows(self, rows: Sequence[Sequence[Any]], labels: Sequence[CaseLabel]) -> None:
        out: list[str] = []
        pending: list[tuple[str, str]] = []
        size = self.options.batch_rows
        texts = self._column_values(rows)
        if all(label.case is CaseKind.VALID for label in labels):  # no comments, no lone rows
            for first in range(0, len(texts), size):
                out.append(self._head + "\n" + ",\n".join(texts[first : first + size]) + ";\n")
            self._file.stream.write("".join(out))
            return
        for text, label in zip(texts, labels, strict=True):
            if label.case is CaseKind.INVALID:
                self._held.append(f"-- {_describe(label)}\n{self._head}\n{text};\n")
                continue
            comment = f" -- {_describe(label)}" if label.case is CaseKind.BOUNDARY else ""
            pending.append((text, comment))
            if len(pending) >= size:
                self._flush(pending, out)
        self._flush(pending, out)
        self._file.stream.write("".join(out))

    def _flush(self, pending: list[tuple[str, str]], out: list[str]) -> None:
        """One multi-row INSERT of the pending rows (a boundary row's comment ends its line)."""
        if not pending:
            return
        last = len(pending) - 1
        lines = [
            f"{values}{';' if i == last else ','}{comment}"
            for i, (values, comment) in enumerate(pending)
        ]
        out.append(self._head + "\n" + "\n".join(lines) + "\n")
        pending.clear()


_CHECKS_OFF = {
    Dialect.SQLITE: "PRAGMA foreign_keys = OFF;\n",
    Dialect.POSTGRES: "SET session_replication_role = replica;\n",
    Dialect.MYSQL: (
        "SET @TDGEN_FOREIGN_KEY_CHECKS = @@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS = 0;\n"
    ),
}
"""Switch foreign-key checks off for the rows of a table that points at later rows.

SQLite: outside a transaction only (the pragma does nothing inside one). PostgreSQL: replica
mode skips the foreign-key triggers; it needs a superuser (or, from PostgreSQL 15, the right to
set ``session_replication_role``)."""

_CHECKS_ON = {
    Dialect.SQLITE: "PRAGMA foreign_keys = ON;\n",
    Dialect.POSTGRES: "RESET session_replication_role;\n",
    Dialect.MYSQL: "SET FOREIGN_KEY_CHECKS = @TDGEN_FOREIGN_KEY_CHECKS;\n",
}

_NEEDS_CARE = {
    Dialect.POSTGRES: _PG_NEEDS_E,
    Dialect.MYSQL: _MYSQL_NEEDS_ESCAPE,
    Dialect.SQLITE: _SQLITE_CONTROL,
}


def _column_literals(
    values: Sequence[Any], formatter: _Formatter, kind: FieldType, dialect: Dialect
) -> list[str]:
    """The literals of one column's values: what ``formatter`` gives each, made in bulk for
    columns of plain text (nulls allowed), ISO date-times, booleans or finite numbers."""
    types = set(map(type, values))
    if str in types and types <= _TEXT_OR_NULL and kind is not FieldType.BINARY:
        present = values if len(types) == 1 else [v for v in values if v is not None]
        texts = _dialect_times(present, kind, dialect)
        quoted = _quoted(texts, dialect) if texts is not None else None
        if quoted is not None:
            if len(types) == 1:
                return quoted
            literals = iter(quoted)
            return ["NULL" if v is None else next(literals) for v in values]
    elif types <= {int, float} and _finite(values):
        return list(map(repr, values))
    elif types == {bool}:
        true, false = ("1", "0") if dialect is Dialect.SQLITE else ("TRUE", "FALSE")
        return [true if v else false for v in values]
    return list(map(formatter, values))


_TEXT_OR_NULL = frozenset({str, type(None)})


def _finite(values: Sequence[Any]) -> bool:
    """Whether every number is finite (False also for an integer beyond the floats' range)."""
    try:
        return all(map(math.isfinite, values))
    except OverflowError:
        return False


_ISO_TIMES = {
    FieldType.DATETIME: re.compile(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?Z"
    ),
    FieldType.TIME: re.compile(r"[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?Z"),
}


def _dialect_times(texts: Sequence[str], kind: FieldType, dialect: Dialect) -> Sequence[str] | None:
    """Date-times and times as ``_datetime_text`` writes them for ``dialect`` (SQLite and MySQL:
    no ``T``, no ``Z``), in bulk for values of tdgen's ISO shape; None for other values."""
    shape = _ISO_TIMES.get(kind)
    if shape is None or dialect is Dialect.POSTGRES:
        return texts
    if not all(map(shape.fullmatch, texts)):
        return None
    # The shape has its T and Z at those places only: the other characters are digits.
    return "\x00".join(texts).replace("T", " ").replace("Z", "").split("\x00")


def _quoted(texts: Sequence[str], dialect: Dialect) -> list[str] | None:
    """``_text`` of every text, in bulk when none has a character the dialect must escape."""
    joined = "\x00".join(texts)  # NUL-separated; the count shows that no text has its own NUL
    if joined.count("\x00") != len(texts) - 1 or _NEEDS_CARE[dialect].search(joined) is not None:
        return None
    return ("'" + joined.replace("'", "''").replace("\x00", "'\x00'") + "'").split("\x00")


def _describe(label: CaseLabel) -> str:
    """A one-line comment for a case row (no line breaks: it must end at the line end)."""
    parts = [label.case.value]
    if label.field:
        parts.append(label.field)
    if label.rule:
        parts.append(label.rule)
    text = ": ".join([parts[0], " ".join(parts[1:])]) if len(parts) > 1 else parts[0]
    text += f" (expect {label.expect.value})"
    if label.description:
        text += f" — {label.description}"
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text)


def _field(table: Table, name: str) -> Field:
    try:
        return table.field(name)
    except KeyError:
        return Field(name=name, type=FieldType.ANY)


def _formatter(table: Table, name: str, dialect: Dialect) -> _Formatter:
    f = _field(table, name)
    kind = f.type
    if dialect is Dialect.POSTGRES and kind is FieldType.ARRAY and _pg_native_array(table, f):

        def array(value: Any) -> str:
            if value is None or value is MISSING:
                return "NULL"
            if not isinstance(value, list):
                return sql_literal(value, dialect, kind)
            return _text(_pg_array(value), dialect)

        return array
    return lambda value: sql_literal(value, dialect, kind)


def _pg_native_array(table: Table, f: Field) -> bool:
    """Whether a PostgreSQL column is a native array (else an array is JSON text).

    A column imported from PostgreSQL DDL is one when it was declared so (``text[]``); for any
    other table it is one when ``CREATE TABLE`` would declare it so (simple element types).
    """
    if table.dialect is Dialect.POSTGRES and f.sql_type:
        text = f.sql_type.strip().upper()
        return text.endswith("]") or text.startswith("ARRAY")
    return f.items is not None and f.items.type in _PG_ELEMENTS


# ====================================================================== CREATE TABLE


def create_table_sql(
    table: Table,
    dialect: Dialect,
    columns: Sequence[str] | None = None,
    *,
    leave_out: Sequence[ForeignKey] = (),
) -> str:
    """``CREATE TABLE`` for ``table`` in ``dialect``, built with sqlglot from the model.

    Args:
        table: the table.
        dialect: the target dialect.
        columns: the columns to declare (default: every column that appears in rows).
        leave_out: foreign keys not to declare (they are added later, see
            :func:`add_foreign_key_sql`).
    """
    from sqlglot import exp  # noqa: PLC0415 — sqlglot loads only when DDL is wanted

    names = list(columns) if columns is not None else table.columns
    ident = _identifier_maker(exp)
    items: list[Any] = []
    for name in names:
        f = _field(table, name)
        constraints = []
        if not f.nullable:
            constraints.append(exp.ColumnConstraint(kind=exp.NotNullColumnConstraint()))
        if f.unique and tuple(table.primary_key) != (name,):
            constraints.append(exp.ColumnConstraint(kind=exp.UniqueColumnConstraint()))
        items.append(
            exp.ColumnDef(
                this=ident(name), kind=_column_type(table, f, dialect), constraints=constraints
            )
        )
    if table.primary_key:
        items.append(exp.PrimaryKey(expressions=[ident(c) for c in table.primary_key]))
    for unique in table.unique_sets:
        items.append(
            exp.UniqueColumnConstraint(this=exp.Schema(expressions=[ident(c) for c in unique]))
        )
    for fk in table.foreign_keys:
        if any(fk is later for later in leave_out):
            continue
        target = exp.Schema(
            this=exp.Table(this=ident(fk.ref_table)), expressions=[ident(c) for c in fk.ref_columns]
        )
        items.append(
            exp.ForeignKey(
                expressions=[ident(c) for c in fk.columns], reference=exp.Reference(this=target)
            )
        )
    for name in names:
        check = _check_for(table, _field(table, name), dialect)
        if check is not None:
            items.append(exp.CheckColumnConstraint(this=check))
    create = exp.Create(
        this=exp.Schema(this=exp.Table(this=ident(table.name)), expressions=items), kind="TABLE"
    )
    return str(create.sql(dialect=dialect.value, pretty=True))


def add_foreign_key_sql(table: str, fk: ForeignKey, dialect: Dialect) -> str:
    """``ALTER TABLE … ADD FOREIGN KEY`` for a key left out of ``table``'s ``CREATE TABLE``."""

    def names(columns: Sequence[str]) -> str:
        return ", ".join(quote_identifier(c, dialect) for c in columns)

    return (
        f"ALTER TABLE {quote_identifier(table, dialect)} ADD FOREIGN KEY ({names(fk.columns)}) "
        f"REFERENCES {quote_identifier(fk.ref_table, dialect)} ({names(fk.ref_columns)})"
    )


def _identifier_maker(exp: Any) -> Callable[[str], Any]:
    return lambda name: exp.to_identifier(name, quoted=True)


_INT_TYPES: tuple[tuple[int, int, str], ...] = (
    (-(2**15), 2**15 - 1, "SMALLINT"),
    (-(2**31), 2**31 - 1, "INT"),
    (-(2**63), 2**63 - 1, "BIGINT"),
)


def _int_type(f: Field) -> tuple[str, int, int]:
    low = f.constraints.minimum
    high = f.constraints.maximum
    lo = int(low) if low is not None else -(2**63)
    hi = int(high) if high is not None else 2**63 - 1
    for minimum, maximum, name in _INT_TYPES:
        if lo >= minimum and hi <= maximum:
            return name, minimum, maximum
    return "DECIMAL(20, 0)", -(10**20) + 1, 10**20 - 1


def _decimal_type(f: Field) -> str | None:
    c = f.constraints
    if c.multiple_of is None or c.maximum is None:
        return None
    step = decimal.Decimal(repr(c.multiple_of)).normalize()
    exponent = step.as_tuple().exponent
    scale = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if step != decimal.Decimal(1).scaleb(-scale):
        return None
    top = max(abs(c.maximum), abs(c.minimum or 0))
    digits = len(str(int(top))) if top >= 1 else 1
    return f"DECIMAL({digits + scale}, {scale})"


def _source_type(table: Table, f: Field, dialect: Dialect) -> Any:
    """The column's own declared type when writing for the dialect it came from, else None."""
    from sqlglot import exp  # noqa: PLC0415
    from sqlglot.errors import ParseError  # noqa: PLC0415

    if table.dialect is not dialect or not f.sql_type or f.constraints.enum is not None:
        return None
    try:
        parsed = exp.DataType.build(f.sql_type, dialect=dialect.value, udt=True)
    except ParseError:
        return None
    kind = parsed.this
    if kind in (exp.DataType.Type.ENUM, exp.DataType.Type.SET):
        return None
    if kind is exp.DataType.Type.USERDEFINED:
        # A domain becomes its base type (below); a type of an extension (tsvector …) stays.
        return parsed if f.type is FieldType.STRING and f.constraints.pattern else None
    return parsed


def _column_type(table: Table, f: Field, dialect: Dialect) -> Any:
    from sqlglot import exp  # noqa: PLC0415

    own = _source_type(table, f, dialect)
    if own is not None:
        return own
    return exp.DataType.build(_type_name(table, f, dialect), dialect=dialect.value, udt=True)


def _type_name(table: Table, f: Field, dialect: Dialect) -> str:
    """A type for the field in ``dialect``, from the model."""
    c = f.constraints
    match f.type:
        case FieldType.INTEGER:
            return _int_type(f)[0]
        case FieldType.NUMBER:
            return _decimal_type(f) or (
                "DOUBLE PRECISION" if dialect is Dialect.POSTGRES else "DOUBLE"
            )
        case FieldType.BOOLEAN:
            return "BOOLEAN"
        case FieldType.DATE:
            return "DATE"
        case FieldType.DATETIME:
            return "TIMESTAMP" if dialect is not Dialect.MYSQL else "DATETIME"
        case FieldType.TIME:
            return "TIME"
        case FieldType.UUID:
            return {Dialect.POSTGRES: "UUID", Dialect.MYSQL: "CHAR(36)"}.get(dialect, "TEXT")
        case FieldType.BINARY:
            return {Dialect.POSTGRES: "BYTEA", Dialect.MYSQL: "LONGBLOB"}.get(dialect, "BLOB")
        case FieldType.ARRAY if dialect is Dialect.POSTGRES and _pg_native_array(table, f):
            assert f.items is not None  # noqa: S101 — a native array has an element type
            return _type_name(table, f.items, dialect) + "[]"
        case FieldType.STRING:
            longest = max((len(str(v)) for v in c.enum), default=0) if c.enum else None
            limit = c.max_length if c.max_length is not None else longest
            if limit is not None and (dialect is not Dialect.MYSQL or limit <= 16383):
                return f"VARCHAR({max(limit, 1)})"
            return "TEXT"
    return {Dialect.POSTGRES: "JSONB", Dialect.MYSQL: "JSON"}.get(dialect, "TEXT")


_PG_ELEMENTS = frozenset(
    {
        FieldType.STRING,
        FieldType.INTEGER,
        FieldType.NUMBER,
        FieldType.BOOLEAN,
        FieldType.DATE,
        FieldType.DATETIME,
        FieldType.UUID,
    }
)


def _check_for(table: Table, f: Field, dialect: Dialect) -> Any:
    """A CHECK for what the target type does not say: an enum's values, an unusual range."""
    from sqlglot import exp  # noqa: PLC0415

    parts = [part for _rules, part in _check_parts(table, f, dialect)]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else exp.And(this=parts[0], expression=parts[1])


def ddl_checked_rules(table: Table, f: Field, dialect: Dialect) -> frozenset[str]:
    """The rules of ``f`` that a ``CHECK`` of :func:`create_table_sql`'s DDL enforces."""
    return frozenset(rule for rules, _part in _check_parts(table, f, dialect) for rule in rules)


def ddl_column_type(table: Table, f: Field, dialect: Dialect) -> DdlType:
    """The type :func:`create_table_sql` declares for ``f``, and the range it holds."""
    declared = str(_column_type(table, f, dialect).sql(dialect=dialect.value))
    if _source_type(table, f, dialect) is not None:
        return DdlType(declared, kept=True)
    name = _type_name(table, f, dialect)
    if f.type is FieldType.INTEGER and dialect is not Dialect.SQLITE:
        _, low, high = _int_type(f)
        return DdlType(declared, low, high)
    digits = re.fullmatch(r"DECIMAL\((\d+), (\d+)\)", name)
    if digits is not None:
        precision, scale = int(digits.group(1)), int(digits.group(2))
        top = float(decimal.Decimal(10) ** (precision - scale) - decimal.Decimal(1).scaleb(-scale))
        return DdlType(declared, -top, top)
    return DdlType(declared)


@dataclass(frozen=True, slots=True)
class DdlType:
    """A column type of :func:`create_table_sql`'s DDL.

    Attributes:
        declared: the type as written.
        low, high: the range an integer or ``DECIMAL(p, s)`` type holds (``None``: unknown).
        kept: the source DDL's own type, kept for its own dialect (its CHECKs are not).
    """

    declared: str
    low: float | None = None
    high: float | None = None
    kept: bool = False


def _unsigned(f: Field) -> bool:
    return "unsigned" in (f.sql_type or "").lower()


def _check_parts(table: Table, f: Field, dialect: Dialect) -> list[tuple[tuple[str, ...], Any]]:
    """The CHECK conditions of one column, each with the rules it enforces.

    A string enum without its own type gets ``IN (…)``; an integer gets bounds its target type
    does not have. A numbered column (serial, identity) keeps its type's bounds only: its
    minimum 1 is a generation rule, but a MySQL ``UNSIGNED`` one gets ``>= 0`` (and its
    maximum) where the target type is signed.
    """
    from sqlglot import exp  # noqa: PLC0415

    column = exp.column(f.name, quoted=True)
    c = f.constraints
    own = _source_type(table, f, dialect) is not None
    if c.enum is not None and f.type is FieldType.STRING and not own:
        return [
            (
                ("enum",),
                exp.In(this=column, expressions=[exp.Literal.string(str(v)) for v in c.enum]),
            )
        ]
    if f.type is not FieldType.INTEGER or own:
        return []
    _, low_limit, high_limit = _int_type(f)
    low = c.minimum
    if f.sql_identity is not None:
        if not (_unsigned(f) and dialect is not Dialect.MYSQL):
            return []
        low = 0
    parts: list[tuple[tuple[str, ...], Any]] = []
    if low is not None and low > low_limit:
        rules = ("minimum",) if low == c.minimum and not c.exclusive_minimum else ()
        parts.append((rules, exp.GTE(this=column.copy(), expression=exp.Literal.number(low))))
    if c.maximum is not None and c.maximum < high_limit:
        rules = ("maximum",) if not c.exclusive_maximum else ()
        parts.append((rules, exp.LTE(this=column.copy(), expression=exp.Literal.number(c.maximum))))
    return parts
