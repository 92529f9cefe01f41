"""SQL DDL import (SQLite, PostgreSQL, MySQL) through sqlglot.

Every ``CREATE TABLE`` becomes a table: column types give field types and limits (lengths,
precision and scale, unsigned ranges, ``ENUM``/``SET``, arrays, JSON), ``NOT NULL`` and
``DEFAULT`` give nullability and defaults, ``PRIMARY KEY``, ``UNIQUE`` (also ``CREATE UNIQUE
INDEX``) and ``FOREIGN KEY`` (also ``ALTER TABLE … ADD CONSTRAINT``) give keys and references,
and ``CHECK`` constraints that compare a column with constants (``<``, ``BETWEEN``, ``IN``,
``LIKE``, ``length()``) become constraints. PostgreSQL ``CREATE TYPE … AS ENUM`` and ``CREATE
DOMAIN`` resolve to the constraints they stand for. Each table carries a JSON Schema of a row,
used to validate every generated valid row.

The text is cut into statements with sqlglot's tokenizer (so strings, comments and
dollar-quoted bodies are respected); statements that define no table data (``INSERT``,
``CREATE INDEX``, views, triggers, functions, ``SET`` …) are skipped and counted in one notice.
psql meta-commands (``\\c``), ``COPY … FROM stdin`` data and MySQL ``DELIMITER`` blocks are cut
out before tokenizing.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokenizer_core import Token, TokenType

from tdgen_desktop.core.enums import Dialect, FieldType, SourceFormat
from tdgen_desktop.core.errors import SchemaError, UnsatisfiableError
from tdgen_desktop.core.model import Constraints, Dataset, Field, ForeignKey, Table
from tdgen_desktop.importers._row_schema import JSON_SCHEMA_DIALECT, row_schema

__all__ = ["SqlStatement", "detect_dialect", "import_sql", "split_statements"]

_DT = exp.DataType.Type

# ====================================================================== dialect detection

_HINTS: dict[Dialect, tuple[str, ...]] = {
    Dialect.MYSQL: (
        r"`\w",
        r"\bAUTO_INCREMENT\b",
        r"\bENGINE\s*=",
        r"\bUNSIGNED\b",
        r"^\s*DELIMITER\s",
        r"\bCHARSET\b",
        r"\b(?:TINY|MEDIUM|LONG)(?:INT|TEXT|BLOB)\b",
        r"\bENUM\s*\(",
        r"\bON\s+UPDATE\s+CURRENT_TIMESTAMP\b",
    ),
    Dialect.POSTGRES: (
        r"::\s*\w",
        r"\b(?:BIG|SMALL)?SERIAL\b",
        r"\$\w*\$",
        r"\bCREATE\s+TYPE\b",
        r"\bOWNER\s+TO\b",
        r"\bnextval\s*\(",
        r"\bBYTEA\b",
        r"\bJSONB\b",
        r"\bWITH(?:OUT)?\s+TIME\s+ZONE\b",
        r"^\s*\\\w",
        r"\bsearch_path\b",
        r"\bCHARACTER\s+VARYING\b",
        r"\bGENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY\b",
    ),
    Dialect.SQLITE: (
        r"\bAUTOINCREMENT\b",
        r"\[[A-Za-z_][\w ]*\]",
        r"\bPRAGMA\b",
        r"\bWITHOUT\s+ROWID\b",
    ),
}
_NAME_HINTS: dict[Dialect, tuple[str, ...]] = {
    Dialect.MYSQL: ("mysql", "mariadb"),
    Dialect.POSTGRES: ("postgres", "pgsql", "psql", "pg_", "pagila"),
    Dialect.SQLITE: ("sqlite",),
}


def detect_dialect(text: str, path: Path | None = None) -> Dialect:
    """Guess the SQL dialect of a DDL file from tell-tale syntax (and the file name).

    Each dialect scores one point per kind of hint found (backticks and ``AUTO_INCREMENT`` for
    MySQL; ``::`` casts, ``SERIAL`` and ``$$`` bodies for PostgreSQL; ``[brackets]`` and
    ``AUTOINCREMENT`` for SQLite …) and three for its name in the file name. SQLite, the most
    permissive, wins when nothing points anywhere.
    """
    scores: Counter[Dialect] = Counter()
    for dialect, hints in _HINTS.items():
        scores[dialect] = sum(
            1 for hint in hints if re.search(hint, text, re.IGNORECASE | re.MULTILINE)
        )
    if path is not None:
        name = path.name.lower()
        for dialect, words in _NAME_HINTS.items():
            if any(word in name for word in words):
                scores[dialect] += 3
    best = max(scores.values(), default=0)
    if best == 0:
        return Dialect.SQLITE
    for dialect in (Dialect.POSTGRES, Dialect.MYSQL, Dialect.SQLITE):
        if scores[dialect] == best:
            return dialect
    return Dialect.SQLITE  # pragma: no cover — the loop always returns


# ====================================================================== statements


@dataclass(frozen=True, slots=True)
class SqlStatement:
    """One statement of a DDL file.

    Attributes:
        line: the line (1-based) where the statement starts.
        text: the statement without its terminating semicolon.
        kind: what it is, in words: ``CREATE TABLE``, ``ALTER TABLE``, ``CREATE INDEX`` …
    """

    line: int
    text: str
    kind: str


_OBJECT_KINDS = frozenset(
    {
        "TABLE", "VIEW", "INDEX", "UNIQUE", "TRIGGER", "FUNCTION", "PROCEDURE", "TYPE",
        "DOMAIN", "SEQUENCE", "SCHEMA", "DATABASE", "EXTENSION", "AGGREGATE", "MATERIALIZED",
        "PROCEDURAL", "LANGUAGE", "RULE", "POLICY", "ROLE", "USER", "EVENT", "CAST", "OPERATOR",
        "COLLATION", "SERVER", "TABLESPACE", "PUBLICATION", "SUBSCRIPTION", "STATISTICS",
        "FOREIGN", "TRANSFORM", "CONVERSION", "ACCESS", "VIRTUAL", "GROUP", "TEXT",
    }
)  # fmt: skip
_VERBS = frozenset(
    {
        "SELECT", "INSERT", "UPDATE", "DELETE", "DROP", "SET", "USE", "COMMENT", "GRANT",
        "REVOKE", "BEGIN", "COMMIT", "START", "ROLLBACK", "END", "TRUNCATE", "LOCK", "UNLOCK",
        "COPY", "PRAGMA", "EXPLAIN", "ANALYZE", "ANALYSE", "VACUUM", "WITH", "DECLARE", "CALL",
        "DO", "REPLACE", "RENAME", "SHOW", "DESCRIBE", "REINDEX", "CHECKPOINT", "CLUSTER",
        "REFRESH", "SAVEPOINT", "RELEASE", "DETACH", "ATTACH", "VALUES", "FLUSH", "OPTIMIZE",
        "PREPARE", "EXECUTE", "DEALLOCATE", "LISTEN", "NOTIFY", "SECURITY", "REASSIGN",
        "IMPORT", "LOAD", "SOURCE", "ABORT", "DISCARD", "RESET", "CREATE", "ALTER",
    }
)  # fmt: skip


def _statement_kind(tokens: list[Token]) -> str:
    """What a statement is, from its first words (``CREATE TABLE``, ``DROP``, ``?`` …)."""
    words = [t.text.upper() for t in tokens[:24]]
    if not words:
        return ""
    if words[0] == "CREATE":
        # Skip modifiers such as OR REPLACE, TEMPORARY, ALGORITHM=… DEFINER=… up to the object.
        start = next((i for i, w in enumerate(words) if i and w in _OBJECT_KINDS), len(words))
        rest = words[start:]
        if not rest:
            return "CREATE"
        if rest[0] == "UNIQUE" and len(rest) > 1 and rest[1] == "INDEX":
            return "CREATE UNIQUE INDEX"
        if rest[0] in {"MATERIALIZED", "PROCEDURAL"} and len(rest) > 1:
            return f"CREATE {rest[0]} {rest[1]}"
        return f"CREATE {rest[0]}"
    if words[0] in {"ALTER", "DROP"} and len(words) > 1:
        return f"{words[0]} {words[1]}"
    if words[0] in _VERBS:
        return words[0]
    return "?"


def split_statements(
    text: str, dialect: Dialect, *, path: Path | None = None
) -> tuple[list[SqlStatement], list[str]]:
    """Cut DDL text into statements with sqlglot's tokenizer.

    Returns the statements and notices about what was cut out before tokenizing (psql
    meta-commands, ``COPY`` data, MySQL ``DELIMITER`` blocks).

    Raises:
        SchemaError: the text cannot be tokenized (an unterminated string or comment); the
            message names the line.
    """
    cleaned, extra, notices = _cut_client_syntax(text)
    statements = _tokenized_statements(cleaned, dialect, path, line_offset=0)
    for line, piece in extra:
        # A piece of a DELIMITER block is one statement (a routine or trigger with its body).
        found = _tokenized_statements(piece, dialect, path, line_offset=line - 1, whole=True)
        statements.extend(found)
    statements.sort(key=lambda s: s.line)
    return statements, notices


_DELIMITER_RE = re.compile(r"^\s*DELIMITER\s+(\S+)\s*$", re.IGNORECASE)
_COPY_STDIN_RE = re.compile(r"^\s*COPY\b.*\bFROM\s+stdin\b.*;\s*$", re.IGNORECASE)


class _DelimiterBlocks:
    """Collects the statements of MySQL ``DELIMITER`` blocks (routines and triggers)."""

    def __init__(self) -> None:
        self.delimiter: str | None = None
        self.piece: list[str] = []
        self.piece_line = 0
        self.statements: list[tuple[int, str]] = []

    def switch(self, delimiter: str) -> None:
        self.flush()
        self.delimiter = None if delimiter == ";" else delimiter

    def add(self, number: int, line: str) -> None:
        assert self.delimiter is not None  # noqa: S101 — only called inside a block
        if not self.piece:
            self.piece_line = number
        stripped = line.rstrip()
        if stripped.endswith(self.delimiter):
            self.piece.append(stripped[: -len(self.delimiter)])
            self.flush()
        else:
            self.piece.append(line)

    def flush(self) -> None:
        if "".join(self.piece).strip():
            self.statements.append((self.piece_line, "\n".join(self.piece)))
        self.piece = []


def _cut_client_syntax(text: str) -> tuple[str, list[tuple[int, str]], list[str]]:
    """Blank out client-side syntax, keeping the line numbers of everything else.

    Returns the cleaned text, the statements of ``DELIMITER`` blocks (line, text) and notices.
    """
    out: list[str] = []
    blocks = _DelimiterBlocks()
    meta = copy_rows = 0
    in_copy = False
    for number, line in enumerate(text.split("\n"), start=1):
        keep = False
        match = _DELIMITER_RE.match(line)
        if in_copy:
            copy_rows += 1
            in_copy = line.strip() != "\\."
        elif match:
            blocks.switch(match.group(1))
        elif blocks.delimiter is not None:
            blocks.add(number, line)
        elif line.lstrip().startswith("\\"):
            meta += 1
        else:
            in_copy = bool(_COPY_STDIN_RE.match(line))
            keep = True
        out.append(line if keep else "")
    blocks.flush()
    notices = []
    if meta:
        notices.append(f"skipped {meta} psql meta-command line(s) such as \\c")
    if copy_rows:
        notices.append(f"skipped {copy_rows} line(s) of COPY … FROM stdin data")
    return "\n".join(out), blocks.statements, notices


def _tokenized_statements(
    text: str, dialect: Dialect, path: Path | None, *, line_offset: int, whole: bool = False
) -> list[SqlStatement]:
    try:
        tokens = sqlglot.Dialect.get_or_raise(dialect.value).tokenize(text)
    except TokenError as exc:
        raise SchemaError(
            f"line {_error_line(text, exc) + line_offset}: cannot read the SQL text "
            f"({_first_line(str(exc))})",
            file=path,
        ) from None
    statements: list[SqlStatement] = []
    current: list[Token] = []
    depth = 0
    for token in tokens:
        if token.token_type is TokenType.SEMICOLON and depth == 0 and not whole:
            if current:
                statements.append(_statement(text, current, line_offset))
            current = []
            continue
        current.append(token)
        if _is_trigger(current):
            if token.token_type in {TokenType.BEGIN, TokenType.CASE}:
                depth += 1
            elif token.token_type is TokenType.END and depth > 0:
                depth -= 1
    if current:
        statements.append(_statement(text, current, line_offset))
    return statements


def _is_trigger(tokens: list[Token]) -> bool:
    head = [t.text.upper() for t in tokens[:4]]
    return bool(head) and head[0] == "CREATE" and "TRIGGER" in head


def _statement(text: str, tokens: list[Token], line_offset: int) -> SqlStatement:
    start, end = tokens[0].start, tokens[-1].end
    # A quoted token's start points inside its quotes; widen to the opening quote.
    while start > 0 and text[start - 1] in "\"'`[$":
        start -= 1
    line = text.count("\n", 0, start) + 1 + line_offset
    return SqlStatement(line, text[start : end + 1], _statement_kind(tokens))


def _error_line(text: str, exc: TokenError) -> int:
    match = re.search(r"from (\d+):", f"{exc} {exc.__cause__}")
    if match:
        return int(match.group(1))
    context = re.search(r"Error tokenizing '(.{1,40})", str(exc), re.DOTALL)
    if context:
        where = text.find(context.group(1))
        if where >= 0:
            return text.count("\n", 0, where) + 1
    return 1


def _first_line(text: str, limit: int = 100) -> str:
    first = text.strip().split("\n", 1)[0].strip()
    return first if len(first) <= limit else first[: limit - 1] + "…"


# ====================================================================== parsed definitions


@dataclass(slots=True)
class _Column:
    """A column as declared, before its type is turned into a field."""

    name: str
    dtype: exp.DataType | None
    type_text: str
    line: int
    not_null: bool = False
    default: exp.Expr | None = None
    primary: bool = False
    unique: bool = False
    identity: str | None = None
    computed: bool = False
    checks: list[exp.Expr] = field(default_factory=list)


@dataclass(slots=True)
class _ForeignKeyDef:
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    line: int


@dataclass(slots=True)
class _TableDef:
    name: str
    line: int
    columns: dict[str, _Column] = field(default_factory=dict)
    primary_key: tuple[str, ...] = ()
    unique_sets: list[tuple[str, ...]] = field(default_factory=list)
    foreign_keys: list[_ForeignKeyDef] = field(default_factory=list)
    checks: list[exp.Expr] = field(default_factory=list)

    def column(self, name: str) -> _Column | None:
        found = self.columns.get(name)
        if found is not None:
            return found
        lowered = name.lower()
        return next((c for c in self.columns.values() if c.name.lower() == lowered), None)


@dataclass(slots=True)
class _Domain:
    base: _Column
    line: int


# ====================================================================== the importer


def import_sql(path: Path, text: str, dialect: Dialect | None = None) -> Dataset:
    """Build a dataset from SQL DDL text.

    Args:
        path: the file it came from (for messages).
        text: the DDL.
        dialect: the SQL dialect; detected from the text and file name when omitted.

    Raises:
        SchemaError: a statement sqlglot cannot parse (the message names the line and quotes
            the statement), a foreign key to a table or column that is not defined, or a file
            without any ``CREATE TABLE``.
        UnsatisfiableError: constraints that admit no value (e.g. a ``CHECK`` contradicting
            the column type).
    """
    chosen = dialect or detect_dialect(text, path)
    return _SqlImporter(path, text, chosen).run()


@contextmanager
def _quiet_sqlglot() -> Iterator[None]:
    """Silence sqlglot's "falling back to Command" warnings: tdgen reports skips itself."""
    logger = logging.getLogger("sqlglot")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)


class _SqlImporter:
    """Walks the statements of one DDL file and collects tables, types and domains."""

    def __init__(self, path: Path, text: str, dialect: Dialect) -> None:
        self.path, self.text, self.dialect = path, text, dialect
        self.tables: dict[str, _TableDef] = {}
        self.enums: dict[str, tuple[str, ...]] = {}
        self.domains: dict[str, _Domain] = {}
        self.skipped: Counter[str] = Counter()
        self.notices: list[str] = []
        self.triggers: list[str] = []

    # ---------------------------------------------------------------- driver

    def run(self) -> Dataset:
        statements, notices = split_statements(self.text, self.dialect, path=self.path)
        self.notices.extend(notices)
        handlers = {
            "CREATE TABLE": self._create_table,
            "ALTER TABLE": self._alter_table,
            "CREATE TYPE": self._create_type,
            "CREATE DOMAIN": self._create_domain,
            "CREATE UNIQUE INDEX": self._unique_index,
        }
        with _quiet_sqlglot():
            for statement in statements:
                if statement.kind == "?":
                    raise SchemaError(
                        f"line {statement.line}: not an SQL statement tdgen knows: "
                        f"'{_first_line(statement.text, 80)}'",
                        file=self.path,
                    )
                handler = handlers.get(statement.kind)
                if statement.kind == "CREATE TRIGGER":
                    self.triggers.append(statement.text)
                if handler is None:
                    self._skip(statement.kind)
                else:
                    handler(statement)
        if not self.tables:
            raise SchemaError(
                f"no CREATE TABLE statement found (read as {self.dialect.value} SQL)",
                file=self.path,
            )
        if self.skipped:
            listed = ", ".join(f"{n} {kind}" for kind, n in self.skipped.most_common())
            self.notices.insert(0, f"skipped statements that define no table: {listed}")
        self.notices.extend(_writing_triggers(self.triggers, set(self.tables)))
        return _DatasetBuilder(self).build()

    def _skip(self, kind: str) -> None:
        self.skipped[kind or "empty"] += 1

    def _parse(self, statement: SqlStatement) -> exp.Expr:
        """Parse one statement; a parse error becomes a SchemaError naming line and text."""
        try:
            parsed = sqlglot.parse_one(statement.text, read=self.dialect.value)
        except ParseError as exc:
            retry = _rewritten(statement.text, self.dialect)
            if retry is not None:
                try:
                    return sqlglot.parse_one(retry, read=self.dialect.value)
                except ParseError:
                    pass
            raise self._parse_error(statement, exc) from None
        except TokenError as exc:
            raise SchemaError(
                f"line {statement.line}: cannot read the statement "
                f"'{_first_line(statement.text, 80)}': {_first_line(str(exc))}",
                file=self.path,
            ) from None
        return parsed

    def _parse_error(self, statement: SqlStatement, exc: ParseError) -> SchemaError:
        error = exc.errors[0] if exc.errors else {}
        line = statement.line + int(error.get("line") or 1) - 1
        what = error.get("description") or _first_line(str(exc))
        near = error.get("highlight")
        near_text = f" near '{near}'" if near else ""
        return SchemaError(
            f"line {line}: sqlglot cannot parse this {statement.kind} statement "
            f"({what}{near_text}): '{_first_line(statement.text, 80)}'",
            file=self.path,
            details=str(exc),
        )

    # ---------------------------------------------------------------- names

    def _ident(self, node: exp.Expr | None) -> str:
        """An identifier's name as the database stores it (PostgreSQL folds unquoted names)."""
        if node is None:
            return ""
        if isinstance(node, exp.Identifier):
            if self.dialect is Dialect.POSTGRES and not node.quoted:
                return node.name.lower()
            return node.name
        if isinstance(node, (exp.Column, exp.Ordered, exp.Paren)):
            return self._ident(node.this)
        return node.name

    def _names(self, nodes: list[Any] | None) -> tuple[str, ...]:
        return tuple(self._ident(n) for n in nodes or [])

    def _table_name(self, node: exp.Expr) -> str:
        table = node.this if isinstance(node, exp.Schema) else node
        return self._ident(table.this) if isinstance(table, exp.Table) else self._ident(table)

    def _table(self, name: str, statement: SqlStatement) -> _TableDef:
        found = self.tables.get(name.lower())
        if found is None:
            raise SchemaError(
                f"line {statement.line}: {statement.kind} names table '{name}', which is not "
                "created before it in this file",
                file=self.path,
            )
        return found

    # ---------------------------------------------------------------- CREATE TABLE

    def _create_table(self, statement: SqlStatement) -> None:
        parsed = self._parse(statement)
        schema = parsed.this if isinstance(parsed, exp.Create) else None
        if not isinstance(schema, exp.Schema):
            if isinstance(parsed, exp.Create) and parsed.expression is not None:
                self._skip("CREATE TABLE … AS SELECT")
                return
            raise SchemaError(
                f"line {statement.line}: sqlglot cannot parse this CREATE TABLE statement: "
                f"'{_first_line(statement.text, 80)}'",
                file=self.path,
            )
        name = self._table_name(schema)
        if name.lower() in self.tables:
            raise SchemaError(
                f"line {statement.line}: table '{name}' is created twice", file=self.path
            )
        table = _TableDef(name, statement.line)
        self._inherit(table, parsed, statement)
        for item in schema.expressions:
            if isinstance(item, exp.ColumnDef):
                column = self._column(item, table, statement.line)
                table.columns[column.name] = column
            elif isinstance(item, exp.Identifier):  # SQLite: a column without a type
                name = self._ident(item)
                table.columns[name] = _Column(name, None, "", statement.line)
            else:
                self._table_constraint(table, item, statement)
        self.tables[name.lower()] = table

    def _inherit(self, table: _TableDef, parsed: exp.Expr, statement: SqlStatement) -> None:
        """PostgreSQL ``INHERITS (parent)``: the parent's columns, NOT NULL and CHECKs first."""
        properties = parsed.args.get("properties")
        for prop in properties.expressions if properties is not None else []:
            if not isinstance(prop, exp.InheritsProperty):
                continue
            for parent_node in prop.expressions:
                parent = self._table(self._table_name(parent_node), statement)
                for column in parent.columns.values():
                    table.columns[column.name] = _Column(
                        column.name,
                        column.dtype,
                        column.type_text,
                        column.line,
                        not_null=column.not_null,
                        default=column.default,
                        identity=column.identity,
                        checks=list(column.checks),
                    )
                table.checks.extend(parent.checks)

    def _column(self, node: exp.ColumnDef, table: _TableDef, line: int) -> _Column:
        kind = node.args.get("kind")
        dtype = kind if isinstance(kind, exp.DataType) else None
        type_text = dtype.sql(dialect=self.dialect.value) if dtype is not None else ""
        column = _Column(self._ident(node.this), dtype, type_text, line)
        for constraint in node.constraints:
            self._column_constraint(column, constraint.args.get("kind"), table, line)
        if dtype is not None and dtype.this in _SERIAL_TYPES:
            column.identity = column.identity or "serial"
            column.not_null = True
        return column

    def _column_constraint(
        self, column: _Column, kind: exp.Expr | None, table: _TableDef, line: int
    ) -> None:
        if isinstance(kind, exp.NotNullColumnConstraint):
            column.not_null = not kind.args.get("allow_null")
        elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
            column.primary = column.not_null = True
            table.primary_key = (column.name,)
        elif isinstance(kind, exp.UniqueColumnConstraint):
            column.unique = True
        elif isinstance(kind, exp.DefaultColumnConstraint):
            column.default = kind.this
            if kind.this is not None and kind.this.sql().lower().startswith("nextval("):
                column.identity = column.identity or "serial"
        elif isinstance(kind, exp.AutoIncrementColumnConstraint):
            column.identity = "auto_increment"
        elif isinstance(kind, exp.GeneratedAsIdentityColumnConstraint):
            if kind.args.get("expression") is not None:
                column.computed = True
            else:
                column.identity = "identity always" if kind.this else "identity"
                column.not_null = True
        elif isinstance(kind, exp.ComputedColumnConstraint):
            column.computed = True
        elif isinstance(kind, exp.CheckColumnConstraint):
            column.checks.append(kind.this)
        elif isinstance(kind, exp.Reference):
            ref_table, ref_columns = self._reference(kind)
            table.foreign_keys.append(_ForeignKeyDef((column.name,), ref_table, ref_columns, line))

    def _reference(self, reference: exp.Reference) -> tuple[str, tuple[str, ...]]:
        target = reference.this
        if isinstance(target, exp.Schema):
            return self._table_name(target), self._names(target.expressions)
        return self._table_name(target), ()

    def _table_constraint(self, table: _TableDef, item: exp.Expr, statement: SqlStatement) -> None:
        if isinstance(item, exp.Constraint):
            for inner in item.expressions:
                self._table_constraint(table, inner, statement)
        elif isinstance(item, exp.PrimaryKey):
            table.primary_key = self._names(item.expressions)
        elif isinstance(item, exp.PrimaryKeyColumnConstraint):
            # ``PRIMARY KEY (a, b)`` parsed as a column-constraint node (sqlglot, some dialects).
            table.primary_key = self._names(item.expressions)
        elif isinstance(item, exp.UniqueColumnConstraint):
            target = item.this
            names = self._names(target.expressions if isinstance(target, exp.Schema) else [])
            if names:
                table.unique_sets.append(names)
        elif isinstance(item, exp.ForeignKey):
            reference = item.args.get("reference")
            if isinstance(reference, exp.Reference):
                ref_table, ref_columns = self._reference(reference)
                table.foreign_keys.append(
                    _ForeignKeyDef(
                        self._names(item.expressions), ref_table, ref_columns, statement.line
                    )
                )
        elif isinstance(item, exp.CheckColumnConstraint):
            table.checks.append(item.this)
        # Plain indexes (MySQL ``KEY``), ``LIKE`` clauses and the like shape no values.

    # ---------------------------------------------------------------- other statements

    def _alter_table(self, statement: SqlStatement) -> None:
        try:
            parsed = self._parse(statement)
        except SchemaError:
            if re.search(r"\b(FOREIGN|PRIMARY|UNIQUE|CHECK|ADD\s+COLUMN)\b", statement.text, re.I):
                raise
            self._skip("ALTER TABLE (other)")
            return
        if not isinstance(parsed, exp.Alter):
            self._skip("ALTER TABLE (other)")
            return
        table = self._table(self._table_name(parsed.this), statement)
        for action in parsed.args.get("actions") or []:
            if isinstance(action, exp.AddConstraint):
                for item in action.expressions:
                    self._table_constraint(table, item, statement)
            elif isinstance(action, exp.ColumnDef):
                column = self._column(action, table, statement.line)
                table.columns[column.name] = column
            elif isinstance(action, exp.AlterColumn) and action.args.get("default") is not None:
                column_def = table.column(self._ident(action.this))
                if column_def is not None:
                    column_def.default = action.args["default"]
            else:
                self._skip("ALTER TABLE (other)")

    def _create_type(self, statement: SqlStatement) -> None:
        parsed = self._parse(statement)
        kind = parsed.args.get("expression") if isinstance(parsed, exp.Create) else None
        if isinstance(kind, exp.DataType) and kind.this is _DT.ENUM:
            values = tuple(str(_constant(v)[1]) for v in kind.expressions)
            self.enums[self._type_key(parsed.this)] = values
        else:
            self._skip("CREATE TYPE (not an enum)")

    def _type_key(self, node: exp.Expr | None) -> str:
        """The lookup key of a user-defined type: its last name part, lower case."""
        if isinstance(node, exp.Table):
            return self._ident(node.this).lower()
        if isinstance(node, exp.Dot):
            return self._ident(node.expression).lower()
        if isinstance(node, exp.DataType):
            return self._type_key(node.args.get("kind"))
        if isinstance(node, exp.Identifier):
            return self._ident(node).lower()
        if isinstance(node, str):  # a malformed type leaves its kind as plain text
            return node.lower()
        return (node.name if node is not None else "").lower()

    def _create_domain(self, statement: SqlStatement) -> None:
        """``CREATE DOMAIN name [AS] type [DEFAULT …] [NOT NULL] [CHECK (VALUE …)]``.

        sqlglot has no grammar for domains, so the part after the name is parsed as the one
        column of a stand-in table whose ``CHECK`` refers to ``VALUE``.
        """
        tokens = sqlglot.Dialect.get_or_raise(self.dialect.value).tokenize(statement.text)
        index = next(i for i, t in enumerate(tokens) if t.text.upper() == "DOMAIN") + 1
        name_token = tokens[index]
        while index + 2 < len(tokens) and tokens[index + 1].token_type is TokenType.DOT:
            index += 2
            name_token = tokens[index]
        index += 1
        if index < len(tokens) and tokens[index].text.upper() == "AS":
            index += 1
        if index >= len(tokens):
            raise SchemaError(
                f"line {statement.line}: CREATE DOMAIN without a type: "
                f"'{_first_line(statement.text, 80)}'",
                file=self.path,
            )
        rest = statement.text[tokens[index].start :]
        stand_in = SqlStatement(
            statement.line, f"CREATE TABLE tdgen_domain (value {rest})", "CREATE DOMAIN"
        )
        parsed = self._parse(stand_in)
        column_def = parsed.this.expressions[0] if isinstance(parsed.this, exp.Schema) else None
        if not isinstance(column_def, exp.ColumnDef):
            raise self._parse_error(statement, ParseError("not a domain definition"))
        holder = _TableDef("tdgen_domain", statement.line)
        base = self._column(column_def, holder, statement.line)
        base.checks.extend(holder.checks)
        key = name_token.text.lower() if name_token.token_type is TokenType.VAR else name_token.text
        self.domains[key.lower()] = _Domain(base, statement.line)

    def _unique_index(self, statement: SqlStatement) -> None:
        parsed = self._parse(statement)
        index = parsed.this if isinstance(parsed, exp.Create) else None
        if not isinstance(index, exp.Index):
            self._skip("CREATE UNIQUE INDEX (not understood)")
            return
        name = self._table_name(index.args["table"])
        if name.lower() not in self.tables:
            self._skip("CREATE UNIQUE INDEX (on a view)")
            return
        table = self.tables[name.lower()]
        params = index.args.get("params")
        columns = params.args.get("columns") if params is not None else None
        names: list[str] = []
        for item in columns or []:
            node = item.this if isinstance(item, exp.Ordered) else item
            if not isinstance(node, (exp.Column, exp.Identifier)):
                # An expression index (``lower(email)``): uniqueness of the plain column is
                # stronger and keeps rows valid.
                inner = node.find(exp.Column)
                if inner is None:
                    self._skip("CREATE UNIQUE INDEX (on an expression)")
                    return
                node = inner
            names.append(self._ident(node))
        if names:
            table.unique_sets.append(tuple(names))


_SERIAL_TYPES = frozenset({_DT.SERIAL, _DT.BIGSERIAL, _DT.SMALLSERIAL})
_VIRTUAL_RE = re.compile(r"(GENERATED\s+ALWAYS\s+AS\s*\(.*?\))\s*VIRTUAL\b", re.I | re.DOTALL)


_SUB_TYPE_RE = re.compile(r"\bBLOB\s+SUB_TYPE\s+(\w+)", re.I)


def _rewritten(text: str, dialect: Dialect) -> str | None:
    """The statement with syntax sqlglot 30 cannot parse rewritten to an equivalent it can.

    * PostgreSQL 18's ``GENERATED ALWAYS AS (…) VIRTUAL`` becomes ``STORED`` (the same for
      tdgen: the database computes the column).
    * SQLite accepts any words as a type name; the Firebird-style ``BLOB SUB_TYPE TEXT``
      (found in the Sakila port) becomes ``TEXT`` — SQLite gives it text affinity too.

    Returns None when nothing was rewritten.
    """
    rewritten = text
    if dialect is Dialect.POSTGRES:
        rewritten = _VIRTUAL_RE.sub(r"\1 STORED", rewritten)
    if dialect is Dialect.SQLITE:
        rewritten = _SUB_TYPE_RE.sub(
            lambda m: "TEXT" if m.group(1).upper() == "TEXT" else "BLOB", rewritten
        )
    return rewritten if rewritten != text else None


# ====================================================================== constants


def _constant(node: exp.Expr | None) -> tuple[bool, Any]:
    """``(True, value)`` when ``node`` is a constant (number, string, boolean, NULL)."""
    while isinstance(node, (exp.Paren, exp.Cast)):
        node = node.this
    if isinstance(node, exp.Literal):
        if node.is_string:
            return True, node.this
        return True, _number(node.this)
    if isinstance(node, exp.Neg):
        ok, value = _constant(node.this)
        return (True, -value) if ok and isinstance(value, (int, float)) else (False, None)
    if isinstance(node, exp.Boolean):
        return True, bool(node.this)
    if isinstance(node, exp.Null):
        return True, None
    return False, None


def _number(text: str) -> int | float:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return float("nan")
    if value == value.to_integral_value() and "e" not in text.lower() and "." not in text:
        return int(value)
    return float(value)


# ====================================================================== building the model


class _DatasetBuilder:
    """Turns the collected definitions into tables with fields, keys and JSON Schemas."""

    def __init__(self, importer: _SqlImporter) -> None:
        self.importer = importer
        self.path = importer.path
        self.dialect = importer.dialect
        self.notices = importer.notices

    def build(self) -> Dataset:
        tables = [self._table(d) for d in self.importer.tables.values()]
        for table, definition in zip(tables, self.importer.tables.values(), strict=True):
            table.foreign_keys = [
                self._foreign_key(definition, fk) for fk in definition.foreign_keys
            ]
        dataset = Dataset(source=self.path, format=SourceFormat.SQL, tables=tables)
        dataset.notices.extend(dict.fromkeys(self.notices))
        return dataset

    # ---------------------------------------------------------------- tables

    def _table(self, definition: _TableDef) -> Table:
        table = Table(name=definition.name, dialect=self.dialect)
        for column in definition.columns.values():
            table.fields.append(self._field(definition, column))
        table.primary_key = self._known(definition, definition.primary_key, "PRIMARY KEY")
        table.unique_sets = [
            self._known(definition, names, "UNIQUE")
            for names in dict.fromkeys(definition.unique_sets)
        ]
        for check in definition.checks:
            self._apply_check(definition, table, check, None)
        _mark_triggers(table, self.importer.triggers)
        self._mark_keys(table)
        table.schema = row_schema(table)
        table.schema_dialect = JSON_SCHEMA_DIALECT
        return table

    def _known(self, definition: _TableDef, names: tuple[str, ...], what: str) -> tuple[str, ...]:
        resolved = []
        for name in names:
            column = definition.column(name)
            if column is None:
                raise SchemaError(
                    f"table '{definition.name}': {what} names column '{name}', which the "
                    "table does not have",
                    file=self.path,
                )
            resolved.append(column.name)
        return tuple(resolved)

    def _mark_keys(self, table: Table) -> None:
        """Primary-key columns are NOT NULL; one-column keys and unique sets make a field unique."""
        for name in table.primary_key:
            table.field(name).nullable = False
        single = [s for s in ([table.primary_key] if table.primary_key else []) if len(s) == 1]
        single += [s for s in table.unique_sets if len(s) == 1]
        for (name,) in single:
            table.field(name).unique = True
        table.unique_sets = [s for s in table.unique_sets if len(s) > 1]

    def _foreign_key(self, definition: _TableDef, fk: _ForeignKeyDef) -> ForeignKey:
        where = f"line {fk.line}: table '{definition.name}'"
        columns = self._known(definition, fk.columns, "a FOREIGN KEY")
        target = self.importer.tables.get(fk.ref_table.lower())
        if target is None:
            raise SchemaError(
                f"{where}: foreign key ({', '.join(columns)}) references table "
                f"'{fk.ref_table}', which this file does not create",
                file=self.path,
            )
        ref_columns = fk.ref_columns or target.primary_key
        if not ref_columns:
            raise SchemaError(
                f"{where}: foreign key ({', '.join(columns)}) references table "
                f"'{target.name}' without naming columns, and that table has no primary key",
                file=self.path,
            )
        resolved = self._known(target, ref_columns, f"the foreign key of '{definition.name}'")
        if len(resolved) != len(columns):
            raise SchemaError(
                f"{where}: foreign key ({', '.join(columns)}) has {len(columns)} column(s) but "
                f"references {len(resolved)} in '{target.name}'",
                file=self.path,
            )
        return ForeignKey(columns, target.name, resolved)

    # ---------------------------------------------------------------- fields

    def _field(self, definition: _TableDef, column: _Column) -> Field:
        where = f"table '{definition.name}', column '{column.name}'"
        field_ = self._typed(column, where, depth=0)
        field_.name = column.name
        field_.required = True
        field_.sql_type = column.type_text or None
        field_.sql_identity = column.identity
        field_.nullable = not (column.not_null or column.primary)
        if column.identity is not None:
            c = field_.constraints
            c.minimum = max(c.minimum, 1) if c.minimum is not None else 1
        if column.unique or column.primary:
            field_.unique = True
        if column.default is not None:
            field_.sql_default = column.default.sql(dialect=self.dialect.value)
            ok, value = _constant(column.default)
            if ok and value is not None:
                field_.constraints.default = value
        if column.computed:
            field_.omit = True
            field_.omit_reason = "computed by the database (GENERATED … AS)"
        for check in column.checks:
            self._apply_check(definition, None, check, field_)
        _check_satisfiable(field_, where)
        return field_

    def _typed(self, column: _Column, where: str, depth: int) -> Field:
        """A field for the column's type, resolving enum types and domains."""
        dtype = column.dtype
        if dtype is None:  # SQLite allows a column without a type
            return Field(name=column.name, type=FieldType.STRING)
        if dtype.this is _DT.USERDEFINED or isinstance(dtype.this, str):
            key = self.importer._type_key(dtype)
            if key in self.importer.enums:
                values = self.importer.enums[key]
                return Field(name=column.name, constraints=Constraints(enum=values))
            domain = self.importer.domains.get(key)
            if domain is not None and depth < 8:
                return self._domain_field(column, domain, where, depth)
        field_ = _field_for_type(dtype, self.dialect, column.name)
        if field_ is None:
            self.notices.append(
                f"{where}: type '{column.type_text}' is not known to tdgen; short text is "
                "generated for it and the database may reject it"
            )
            field_ = Field(
                name=column.name, type=FieldType.STRING, constraints=Constraints(max_length=20)
            )
        return field_

    def _domain_field(self, column: _Column, domain: _Domain, where: str, depth: int) -> Field:
        field_ = self._typed(domain.base, where, depth + 1)
        holder = _TableDef("tdgen_domain", domain.line)
        for check in domain.base.checks:
            self._apply_check(holder, None, check, field_, column_alias="value", where=where)
        if domain.base.not_null:
            column.not_null = True
        if domain.base.default is not None and column.default is None:
            column.default = domain.base.default
        return field_

    # ---------------------------------------------------------------- CHECK constraints

    def _apply_check(
        self,
        definition: _TableDef,
        table: Table | None,
        check: exp.Expr,
        only: Field | None,
        *,
        column_alias: str | None = None,
        where: str | None = None,
    ) -> None:
        """Apply the parts of a CHECK that tdgen can enforce; note the rest as not enforced."""
        lookup = _FieldLookup(table, only, column_alias, self.importer)
        fields = [only] if only is not None else (table.fields if table is not None else [])
        before = [(f.nullable, replace(f.constraints)) for f in fields]
        unenforced = [part for part in _conjuncts(check) if not _apply_condition(part, lookup)]
        for f, (nullable, constraints) in zip(fields, before, strict=True):
            f.sql_checked |= _checked_rules(constraints, f.constraints, nullable and not f.nullable)
        for part in unenforced:
            place = where or f"table '{definition.name}'"
            self.notices.append(
                f"{place}: CHECK ({_first_line(part.sql(dialect=self.dialect.value), 120)}) "
                "is not enforced when generating; generated rows may break it"
            )


_TRIGGER_NAME = re.compile(r"TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w\"`.]+)", re.IGNORECASE)
_TRIGGER_TABLE = re.compile(r"\bON\s+(?:[\w\"`]+\.)?[\"`]?(\w+)", re.IGNORECASE)
_INSERT_INTO = re.compile(r"\bINSERT\s+INTO\s+(?:[\w\"`]+\.)?[\"`]?(\w+)", re.IGNORECASE)


def _writing_triggers(triggers: list[str], tables: set[str]) -> list[str]:
    """A notice per trigger that inserts rows into another table of the schema (Sakila's
    ``ins_film`` copies each film into ``film_text``): tdgen fills that table itself."""
    notices = []
    for text in triggers:
        on = _TRIGGER_TABLE.search(text)
        name = _TRIGGER_NAME.search(text)
        written = {m.group(1) for m in _INSERT_INTO.finditer(text)}
        for target in sorted(written):
            if target.lower() in tables and (on is None or target.lower() != on.group(1).lower()):
                trigger = name.group(1).strip('"`') if name else "a trigger"
                notices.append(
                    f"trigger {trigger} inserts rows into {target}, which tdgen fills too: drop "
                    f"the trigger before loading the generated rows, or leave {target} out"
                )
    return notices


def _mark_triggers(table: Table, triggers: list[str]) -> None:
    """Note the columns a ``BEFORE INSERT`` trigger on ``table`` sets (it may fill a null in)."""
    on_table = re.compile(
        rf"\bBEFORE\s+INSERT\b[^;]*?\bON\s+(?:[\w\"`]+\.)?[\"`]?{re.escape(table.name)}\b",
        re.IGNORECASE,
    )
    for text in triggers:
        if on_table.search(text) is None:
            continue
        name = re.search(r"TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w\"`.]+)", text, re.IGNORECASE)
        for f in table.fields:
            column = re.escape(f.name)
            sets = (
                rf"\bNEW\.[\"`]?{column}\b[\"`]?\s*:?=(?!=)",  # NEW.col := …, SET NEW.col = …
                rf"\btsvector_update_trigger(?:_column)?\s*\(\s*'{column}'",
            )
            if f.sql_trigger is None and any(re.search(p, text, re.I) for p in sets):
                f.sql_trigger = name.group(1).strip('"`') if name else "a trigger"


_CHECKED_RULES: dict[str, tuple[str, ...]] = {
    "minimum": ("minimum", "exclusiveMinimum"),
    "exclusive_minimum": ("minimum", "exclusiveMinimum"),
    "maximum": ("maximum", "exclusiveMaximum"),
    "exclusive_maximum": ("maximum", "exclusiveMaximum"),
    "multiple_of": ("multipleOf",),
    "min_length": ("minLength",),
    "max_length": ("maxLength",),
    "pattern": ("pattern",),
    "enum": ("enum",),
    "has_const": ("const",),
    "const": ("const",),
    "not_values": ("not",),
    "min_items": ("minItems",),
    "max_items": ("maxItems",),
    "date_minimum": ("dateMinimum",),
    "date_maximum": ("dateMaximum",),
}
"""The rules a CHECK backs when it changes each attribute of a field's constraints."""


def _checked_rules(before: Constraints, after: Constraints, made_not_null: bool) -> frozenset[str]:
    """The rules a CHECK set, from the constraints before and after applying it."""
    rules = {"null"} if made_not_null else set()
    for name, backed in _CHECKED_RULES.items():
        if getattr(before, name) != getattr(after, name):
            rules.update(backed)
    return frozenset(rules)


class _FieldLookup:
    """Finds the field a CHECK's column reference means (a table column, or a domain's VALUE)."""

    def __init__(
        self,
        table: Table | None,
        only: Field | None,
        alias: str | None,
        importer: _SqlImporter,
    ) -> None:
        self.table, self.only, self.alias, self.importer = table, only, alias, importer

    def __call__(self, node: exp.Expr) -> Field | None:
        while isinstance(node, (exp.Paren, exp.Cast)):
            node = node.this
        if not isinstance(node, exp.Column) or node.table:
            return None
        name = self.importer._ident(node.this)
        if self.only is not None:
            if self.alias is not None:
                return self.only if name.lower() == self.alias else None
            return self.only if name.lower() == self.only.name.lower() else None
        if self.table is None:
            return None
        lowered = name.lower()
        return next((f for f in self.table.fields if f.name.lower() == lowered), None)


def _conjuncts(node: exp.Expr) -> list[exp.Expr]:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.And):
        return _conjuncts(node.this) + _conjuncts(node.expression)
    return [node]


_FLIPPED: dict[type[exp.Expr], type[exp.Expr]] = {
    exp.GT: exp.LT,
    exp.GTE: exp.LTE,
    exp.LT: exp.GT,
    exp.LTE: exp.GTE,
    exp.EQ: exp.EQ,
    exp.NEQ: exp.NEQ,
}


def _apply_condition(node: exp.Expr, lookup: _FieldLookup) -> bool:
    """Apply one condition of a CHECK to its field; False when tdgen cannot enforce it."""
    while isinstance(node, exp.Paren):
        node = node.this
    for kinds, handler in _CONDITIONS:
        if isinstance(node, kinds):
            return bool(handler(node, lookup))
    return False


def _between(node: exp.Expr, lookup: _FieldLookup) -> bool:
    target = lookup(node.this)
    low_ok, low = _constant(node.args.get("low"))
    high_ok, high = _constant(node.args.get("high"))
    if target is not None and low_ok and high_ok and _is_date(target, low, high):
        return _date_bound(target, exp.GTE, low) and _date_bound(target, exp.LTE, high)
    if target is None or not (low_ok and high_ok) or not _is_numeric(target, low, high):
        return False
    _bound(target, exp.GTE, low)
    _bound(target, exp.LTE, high)
    return True


def _negation(node: exp.Expr, lookup: _FieldLookup) -> bool:
    inner = node.this
    while isinstance(inner, exp.Paren):
        inner = inner.this
    if isinstance(inner, exp.In):
        return _in_list(inner, lookup, negate=True)
    if isinstance(inner, exp.EQ):
        return _comparison(exp.NEQ(this=inner.this, expression=inner.expression), lookup)
    return False


def _is_not_null(node: exp.Expr, lookup: _FieldLookup) -> bool:
    target = lookup(node.this)
    if target is not None and isinstance(node.expression, exp.Null) and node.args.get("negate"):
        target.nullable = False
        return True
    return False


def _matching(node: exp.Expr, lookup: _FieldLookup) -> bool:
    target = lookup(node.this)
    ok, value = _constant(node.expression)
    if target is None or not ok or not isinstance(value, str):
        return False
    pattern = _like_regex(value) if isinstance(node, exp.Like) else value
    return _add_pattern(target, pattern)


def _comparison(node: exp.Expr, lookup: _FieldLookup) -> bool:
    left, right = node.this, node.expression
    op: type[exp.Expr] = type(node)
    ok, value = _constant(right)
    if not ok and not isinstance(right, exp.Any):
        ok, value = _constant(left)
        left, right, op = right, left, _FLIPPED[op]
    if isinstance(right, exp.Any) or isinstance(left, exp.Any):
        any_ok, values = _any_values(right)
        target = lookup(left)
        if op is exp.EQ and any_ok and target is not None:
            return _restrict_enum(target, values)
        return False
    if not ok or value is None:
        return False
    length_of = left.this if isinstance(left, exp.Length) else None
    if length_of is not None:
        target = lookup(length_of)
        return target is not None and isinstance(value, int) and _length(target, op, value)
    target = lookup(left)
    if target is None:
        return False
    if op is exp.EQ:
        return _restrict_enum(target, (value,))
    if op is exp.NEQ:
        target.constraints.not_values = (*target.constraints.not_values, value)
        return True
    if _is_date(target, value):
        return _date_bound(target, op, value)
    if not _is_numeric(target, value):
        return False
    _bound(target, op, value)
    return True


def _any_values(node: exp.Expr) -> tuple[bool, tuple[Any, ...]]:
    """``= ANY (ARRAY['a', 'b'])`` (PostgreSQL's form of ``IN`` in dumps) → the values."""
    if not isinstance(node, exp.Any):
        return False, ()
    inner = node.this
    while isinstance(inner, exp.Paren):
        inner = inner.this
    if not isinstance(inner, exp.Array):
        return False, ()
    values = [_constant(v) for v in inner.expressions]
    if not all(ok for ok, _ in values):
        return False, ()
    return True, tuple(v for _, v in values)


def _in_list(node: exp.In, lookup: _FieldLookup, *, negate: bool) -> bool:
    target = lookup(node.this)
    values = [_constant(v) for v in node.expressions]
    if target is None or not values or not all(ok for ok, _ in values):
        return False
    constants = tuple(v for _, v in values if v is not None)
    if negate:
        target.constraints.not_values = (*target.constraints.not_values, *constants)
        return True
    return _restrict_enum(target, constants)


def _disjunction(node: exp.Or, lookup: _FieldLookup) -> bool:
    """``x IS NULL OR …``, ``x = 'a' OR x = 'b'``, ``x LIKE … OR x LIKE …`` on one column."""
    parts: list[exp.Expr] = []
    stack: list[exp.Expr] = [node]
    while stack:
        item = stack.pop()
        while isinstance(item, exp.Paren):
            item = item.this
        if isinstance(item, exp.Or):
            stack.extend([item.expression, item.this])
        else:
            parts.append(item)
    targets: set[int] = set()
    values: list[Any] = []
    patterns: list[str] = []
    target: Field | None = None
    for part in parts:
        target, kind, payload = _simple_condition(part, lookup)
        if target is None or kind == "":
            return False
        targets.add(id(target))
        if kind == "values":
            values.extend(payload)
        elif kind == "pattern":
            patterns.append(payload)
    if len(targets) != 1 or target is None or (values and patterns):
        return False
    if values:
        return _restrict_enum(target, tuple(values))
    if patterns:
        joined = patterns[0] if len(patterns) == 1 else "|".join(f"(?:{p})" for p in patterns)
        return _add_pattern(target, joined)
    return True  # only "IS NULL": nothing to restrict


def _simple_condition(node: exp.Expr, lookup: _FieldLookup) -> tuple[Field | None, str, Any]:
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
        return (
            (lookup(node.this), "null", None) if not node.args.get("negate") else (None, "", None)
        )
    if isinstance(node, exp.EQ):
        ok, value = _constant(node.expression)
        if ok:
            return lookup(node.this), "values", (value,)
        any_ok, values = _any_values(node.expression)
        if any_ok:
            return lookup(node.this), "values", values
    if isinstance(node, exp.In):
        consts = [_constant(v) for v in node.expressions]
        if consts and all(ok for ok, _ in consts):
            return lookup(node.this), "values", tuple(v for _, v in consts)
    if isinstance(node, (exp.Like, exp.RegexpLike)):
        ok, value = _constant(node.expression)
        if ok and isinstance(value, str):
            pattern = _like_regex(value) if isinstance(node, exp.Like) else value
            return lookup(node.this), "pattern", pattern
    return None, "", None


_CONDITIONS: tuple[tuple[type[exp.Expr] | tuple[type[exp.Expr], ...], Any], ...] = (
    ((exp.GT, exp.GTE, exp.LT, exp.LTE, exp.EQ, exp.NEQ), _comparison),
    (exp.Between, _between),
    (exp.In, lambda n, lk: _in_list(n, lk, negate=False)),
    (exp.Not, _negation),
    (exp.Is, _is_not_null),
    ((exp.Like, exp.RegexpLike), _matching),
    (exp.Or, _disjunction),
)


def _is_numeric(target: Field, *values: Any) -> bool:
    return target.type in (FieldType.INTEGER, FieldType.NUMBER) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
    )


def _is_date(target: Field, *values: Any) -> bool:
    return target.type in (FieldType.DATE, FieldType.DATETIME) and all(
        isinstance(v, str) and _instant(v) is not None for v in values
    )


def _instant(text: str) -> dt.datetime | None:
    """A date or timestamp constant (``'2020-01-01'``, ``'2007-02-01 00:00:00'``), zone dropped."""
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.replace(tzinfo=None)


def _date_bound(target: Field, op: type[exp.Expr], text: str) -> bool:
    """Bound a date/timestamp field by a CHECK comparison with a constant (inclusive text)."""
    value = _instant(text)
    if value is None or op not in (exp.GT, exp.GTE, exp.LT, exp.LTE):
        return False
    is_date = target.type is FieldType.DATE
    step = dt.timedelta(days=1) if is_date else dt.timedelta(seconds=1)
    if op is exp.GT:
        value += step
    elif op is exp.LT:
        value -= step
    if is_date and op in (exp.GT, exp.GTE) and value.time() != dt.time():
        value = dt.datetime.combine(value.date() + dt.timedelta(days=1), dt.time())
    bound = value.date().isoformat() if is_date else value.isoformat(timespec="seconds")
    c = target.constraints
    if op in (exp.GT, exp.GTE):
        if c.date_minimum is None or bound > c.date_minimum:
            c.date_minimum = bound
    elif c.date_maximum is None or bound < c.date_maximum:
        c.date_maximum = bound
    return True


def _bound(target: Field, op: type[exp.Expr], value: float) -> None:
    c = target.constraints
    is_int = target.type is FieldType.INTEGER
    if op in (exp.GT, exp.GTE):
        exclusive = op is exp.GT
        if is_int:
            value, exclusive = (_int_above(value) if exclusive else _int_at_least(value)), False
        if c.minimum is None or value > c.minimum or (value == c.minimum and exclusive):
            c.minimum, c.exclusive_minimum = value, exclusive
    else:
        exclusive = op is exp.LT
        if is_int:
            value, exclusive = (_int_below(value) if exclusive else _int_at_most(value)), False
        if c.maximum is None or value < c.maximum or (value == c.maximum and exclusive):
            c.maximum, c.exclusive_maximum = value, exclusive


def _int_above(value: float) -> int:
    return int(value) + 1 if float(value).is_integer() else _int_at_least(value)


def _int_at_least(value: float) -> int:
    whole = int(value)
    return whole if whole >= value else whole + 1


def _int_below(value: float) -> int:
    return int(value) - 1 if float(value).is_integer() else _int_at_most(value)


def _int_at_most(value: float) -> int:
    whole = int(value)
    return whole if whole <= value else whole - 1


def _length(target: Field, op: type[exp.Expr], value: int) -> bool:
    c = target.constraints
    if target.type is not FieldType.STRING:
        return False
    if op in (exp.GT, exp.GTE):
        low = value + 1 if op is exp.GT else value
        c.min_length = max(c.min_length or 0, low)
    elif op in (exp.LT, exp.LTE):
        high = value - 1 if op is exp.LT else value
        c.max_length = high if c.max_length is None else min(c.max_length, high)
    elif op is exp.EQ:
        c.min_length = max(c.min_length or 0, value)
        c.max_length = value if c.max_length is None else min(c.max_length, value)
    else:
        return False
    return True


def _restrict_enum(target: Field, values: tuple[Any, ...]) -> bool:
    c = target.constraints
    allowed = tuple(dict.fromkeys(_coerce(target, v) for v in values if v is not None))
    if c.enum is not None:
        allowed = tuple(v for v in c.enum if v in allowed)
    c.enum = allowed
    return True


def _coerce(target: Field, value: Any) -> Any:
    if target.type is FieldType.INTEGER and isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    if (
        target.type is FieldType.STRING
        and isinstance(value, (int, float))
        and not isinstance(value, bool)
    ):
        return str(value)
    return value


def _add_pattern(target: Field, pattern: str) -> bool:
    if target.type is not FieldType.STRING or target.constraints.enum is not None:
        return False
    try:
        re.compile(pattern)
    except re.error:
        return False
    c = target.constraints
    c.pattern = pattern if c.pattern is None else f"(?=(?:{c.pattern}))(?:{pattern})"
    return True


def _like_regex(pattern: str) -> str:
    """A regular expression matching what the SQL ``LIKE`` pattern matches (whole value)."""
    out = []
    for ch in pattern:
        if ch == "%":
            out.append(".*")
        elif ch == "_":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return "^" + "".join(out) + "$"


def _check_satisfiable(field_: Field, where: str) -> None:
    c = field_.constraints
    if c.enum is not None and not c.enum:
        raise UnsatisfiableError(f"{where}: its CHECK constraints leave no allowed value")
    if c.minimum is not None and c.maximum is not None and c.minimum > c.maximum:
        raise UnsatisfiableError(
            f"{where}: its type and CHECK constraints need a value ≥ {c.minimum} and ≤ {c.maximum}"
        )


# ====================================================================== types


_INT_RANGES: dict[Any, tuple[int, int]] = {
    _DT.TINYINT: (-(2**7), 2**7 - 1),
    _DT.UTINYINT: (0, 2**8 - 1),
    _DT.SMALLINT: (-(2**15), 2**15 - 1),
    _DT.USMALLINT: (0, 2**16 - 1),
    _DT.MEDIUMINT: (-(2**23), 2**23 - 1),
    _DT.UMEDIUMINT: (0, 2**24 - 1),
    _DT.INT: (-(2**31), 2**31 - 1),
    _DT.UINT: (0, 2**32 - 1),
    _DT.BIGINT: (-(2**63), 2**63 - 1),
    _DT.UBIGINT: (0, 2**64 - 1),
    _DT.SMALLSERIAL: (1, 2**15 - 1),
    _DT.SERIAL: (1, 2**31 - 1),
    _DT.BIGSERIAL: (1, 2**63 - 1),
}
_TEXT_LIMITS: dict[Any, int | None] = {
    _DT.TINYTEXT: 63,  # 255 bytes of 4-byte UTF-8
    _DT.TEXT: None,
    _DT.MEDIUMTEXT: None,
    _DT.LONGTEXT: None,
    _DT.NAME: 63,
}
_CHAR_TYPES = frozenset(
    {_DT.CHAR, _DT.VARCHAR, _DT.NCHAR, _DT.NVARCHAR, _DT.BPCHAR, _DT.FIXEDSTRING}
)
_BINARY_TYPES = frozenset(
    {_DT.BINARY, _DT.VARBINARY, _DT.BLOB, _DT.TINYBLOB, _DT.MEDIUMBLOB, _DT.LONGBLOB, _DT.IMAGE}
)
_FLOAT_TYPES = frozenset({_DT.FLOAT, _DT.DOUBLE, _DT.UDOUBLE, _DT.DECFLOAT})
_DECIMAL_TYPES = frozenset(
    {_DT.DECIMAL, _DT.UDECIMAL, _DT.BIGDECIMAL, _DT.DECIMAL32, _DT.DECIMAL64, _DT.DECIMAL128}
)
_DATETIME_TYPES = frozenset(
    {
        _DT.DATETIME,
        _DT.DATETIME2,
        _DT.DATETIME64,
        _DT.SMALLDATETIME,
        _DT.TIMESTAMP,
        _DT.TIMESTAMPTZ,
        _DT.TIMESTAMPLTZ,
        _DT.TIMESTAMPNTZ,
        _DT.TIMESTAMP_S,
        _DT.TIMESTAMP_MS,
        _DT.TIMESTAMP_NS,
    }
)
_INTERVALS = ("1 day", "2 hours", "45 minutes", "3 days", "7 days", "1 mon", "00:30:00")


def _params(dtype: exp.DataType) -> list[int]:
    out = []
    for param in dtype.expressions:
        node = param.this if isinstance(param, exp.DataTypeParam) else param
        ok, value = _constant(node)
        if ok and isinstance(value, int):
            out.append(value)
    return out


def _field_for_type(dtype: exp.DataType, dialect: Dialect, name: str) -> Field | None:
    """A field for a built-in SQL type, or None for a type tdgen does not know."""
    kind = dtype.this
    params = _params(dtype)
    if kind in _INT_RANGES:
        low, high = _INT_RANGES[kind]
        if kind is _DT.TINYINT and dialect is Dialect.SQLITE:
            low, high = _INT_RANGES[_DT.INT]
        return Field(name, FieldType.INTEGER, constraints=Constraints(minimum=low, maximum=high))
    if kind in _DECIMAL_TYPES or kind in (_DT.MONEY, _DT.SMALLMONEY):
        return _decimal_field(name, kind, params, dialect)
    if kind in _FLOAT_TYPES:
        return Field(name, FieldType.NUMBER)
    if kind is _DT.BOOLEAN:
        return Field(name, FieldType.BOOLEAN)
    if kind in _CHAR_TYPES or kind in _TEXT_LIMITS:
        limit = params[0] if params else _TEXT_LIMITS.get(kind)
        return Field(name, FieldType.STRING, constraints=Constraints(max_length=limit))
    if kind in _BINARY_TYPES:
        limit = params[0] if params else None
        # Values are base64 text: n bytes take 4 * ceil(n / 3) characters.
        chars = 4 * (limit // 3) if limit else None
        c = Constraints(max_length=chars if chars else None)
        return Field(name, FieldType.BINARY, constraints=c)
    return _other_field(dtype, dialect, name, params)


_MAX_DECIMAL_DIGITS = 1000
"""PostgreSQL's largest NUMERIC precision; MySQL's is 65."""


def _decimal_field(name: str, kind: Any, params: list[int], dialect: Dialect) -> Field:
    if kind in (_DT.MONEY, _DT.SMALLMONEY):
        precision, scale = (18, 2) if kind is _DT.MONEY else (10, 4)
    elif params:
        precision, scale = params[0], params[1] if len(params) > 1 else 0
    elif dialect is Dialect.MYSQL:
        precision, scale = 10, 0
    else:
        return Field(name, FieldType.NUMBER)
    if precision > _MAX_DECIMAL_DIGITS or abs(scale) > _MAX_DECIMAL_DIGITS:  # 10 ** 10**20 hangs
        raise SchemaError(
            f"DECIMAL({precision},{scale}) has more than {_MAX_DECIMAL_DIGITS:,} digits",
            field=name,
        )
    span = 10 ** (precision - scale)
    unsigned = kind is _DT.UDECIMAL
    if scale <= 0:
        low, high = (0 if unsigned else -(span - 1)), span - 1
        return Field(name, FieldType.INTEGER, constraints=Constraints(minimum=low, maximum=high))
    step = float(Decimal(1).scaleb(-scale))
    top = float(Decimal(span) - Decimal(1).scaleb(-scale))
    c = Constraints(minimum=0 if unsigned else -top, maximum=top, multiple_of=step)
    return Field(name, FieldType.NUMBER, constraints=c)


def _other_field(
    dtype: exp.DataType, dialect: Dialect, name: str, params: list[int]
) -> Field | None:
    kind = dtype.this
    simple = {
        _DT.DATE: FieldType.DATE,
        _DT.DATE32: FieldType.DATE,
        _DT.TIME: FieldType.TIME,
        _DT.TIMETZ: FieldType.TIME,
        _DT.UUID: FieldType.UUID,
    }
    if kind in simple:
        return Field(name, simple[kind], constraints=_format_of(simple[kind]))
    if kind in _DATETIME_TYPES:
        return Field(name, FieldType.DATETIME, constraints=Constraints(format="date-time"))
    if kind is _DT.YEAR:
        return Field(name, FieldType.INTEGER, constraints=Constraints(minimum=1901, maximum=2155))
    if kind in (_DT.ENUM, _DT.ENUM8, _DT.ENUM16):
        values = tuple(str(_constant(v)[1]) for v in dtype.expressions)
        return Field(name, FieldType.STRING, constraints=Constraints(enum=values))
    if kind is _DT.SET:
        return Field(name, FieldType.STRING, constraints=Constraints(enum=_set_values(dtype)))
    if kind in (_DT.JSON, _DT.JSONB):
        return _json_field(name)
    if kind is _DT.ARRAY and dtype.expressions:
        element = dtype.expressions[0]
        while (
            isinstance(element, exp.DataType) and element.this is _DT.ARRAY and element.expressions
        ):
            element = element.expressions[0]  # PostgreSQL ignores the declared dimensions
        item = (
            _field_for_type(element, dialect, "item") if isinstance(element, exp.DataType) else None
        )
        if item is None:
            return None
        c = Constraints(min_items=0, max_items=4)
        return Field(name, FieldType.ARRAY, items=item, constraints=c)
    if kind is _DT.BIT:
        return _bit_field(name, params, dialect)
    return _special_field(dtype, name, params)


def _format_of(kind: FieldType) -> Constraints:
    formats = {FieldType.DATE: "date", FieldType.TIME: "time", FieldType.UUID: "uuid"}
    return Constraints(format=formats.get(kind))


def _set_values(dtype: exp.DataType) -> tuple[str, ...]:
    """MySQL ``SET('a','b',…)``: the empty set, each member, and members joined in order."""
    members = [str(_constant(v)[1]) for v in dtype.expressions]
    values = ["", *members]
    if len(members) <= 6:
        for size in range(2, len(members) + 1):
            values.append(",".join(members[:size]))
            values.append(",".join(members[-size:]))
    return tuple(dict.fromkeys(values))


def _json_field(name: str) -> Field:
    """A JSON column holds a small object (``{"id": 17, "label": "…"}``)."""
    return Field(
        name,
        FieldType.OBJECT,
        properties=[
            Field("id", FieldType.INTEGER, constraints=Constraints(minimum=1, maximum=1000)),
            Field("label", FieldType.STRING, constraints=Constraints(min_length=1, max_length=20)),
        ],
        additional_properties=True,
    )


def _bit_field(name: str, params: list[int], dialect: Dialect) -> Field:
    width = params[0] if params else 1
    if dialect is Dialect.POSTGRES:
        return Field(name, FieldType.STRING, constraints=Constraints(pattern=f"^[01]{{{width}}}$"))
    return Field(
        name, FieldType.INTEGER, constraints=Constraints(minimum=0, maximum=2 ** min(width, 64) - 1)
    )


def _special_field(dtype: exp.DataType, name: str, params: list[int]) -> Field | None:
    """PostgreSQL types with a text form of their own (inet, interval, tsvector, vector …)."""
    kind = dtype.this
    type_name = dtype.sql(dialect="postgres").lower()
    last = type_name.split(".")[-1].split("(")[0].strip('"')
    if kind in (_DT.INET, _DT.IPV4, _DT.IPADDRESS) or last in {"inet", "cidr"}:
        return Field(name, FieldType.STRING, constraints=Constraints(format="ipv4"))
    if kind is _DT.INTERVAL:
        return Field(name, FieldType.STRING, constraints=Constraints(enum=_INTERVALS))
    patterns = {
        "tsvector": r"^[a-z]{3,10}( [a-z]{3,10}){0,4}$",
        "macaddr": r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$",
        "citext": None,
        "xml": r"^<note>[a-z]{1,20}</note>$",
        "point": r"^\([0-9]{1,3}\.[0-9],[0-9]{1,3}\.[0-9]\)$",
    }
    if kind is _DT.XML:
        last = "xml"
    if kind is _DT.POINT:
        last = "point"
    if last in patterns:
        return Field(name, FieldType.STRING, constraints=Constraints(pattern=patterns[last]))
    if last == "vector" or kind is _DT.VECTOR:
        size = params[0] if params else 3
        element = r"-?[0-9]\.[0-9]{1,3}"
        return Field(
            name,
            FieldType.STRING,
            constraints=Constraints(pattern=rf"^\[{element}(,{element}){{{size - 1}}}\]$"),
        )
    return None
