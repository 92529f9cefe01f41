"""Importers: one module per input format, chosen by :func:`load_schema` through a registry.

Every importer returns a :class:`~tdgen_desktop.core.model.Dataset` or raises one of tdgen's
typed errors whose message names the file, the field and the problem.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tdgen_desktop.core.enums import ApiView, Dialect, SourceFormat
from tdgen_desktop.core.errors import SchemaError, TdgenError, UnsupportedFeatureError
from tdgen_desktop.core.model import Dataset

__all__ = ["MAX_FILE_BYTES", "detect_format", "load_schema", "read_text"]

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Schema files larger than this are refused with a message instead of being read."""

_UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_Importer = Callable[[Path, str, Dialect | None, ApiView | None], Dataset]
"""An importer: (file, its text, the SQL dialect if the user named one, the API side of an
OpenAPI description's rows if named) → dataset."""


def read_text(path: Path) -> str:
    """Read a schema file as text: UTF-8 (a BOM is ignored), or UTF-16/32 with a BOM.

    Raises:
        SchemaError: missing, unreadable, too large, binary or not UTF-8.
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            raise SchemaError(
                f"file is {size / 1e6:.0f} MB; schema files up to {limit} MiB are read", file=path
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise SchemaError("file not found", file=path) from None
    except IsADirectoryError:
        raise SchemaError("is a folder, not a schema file", file=path) from None
    except OSError as exc:
        raise SchemaError(f"cannot read: {exc.strerror or exc}", file=path) from None
    for bom, encoding in _UNICODE_BOMS:  # UTF-16/32 with a byte-order mark: decode it
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise SchemaError(
                    f"is not valid {encoding.upper()} text (offset {exc.start})", file=path
                ) from None
    if b"\x00" in data[:8192]:
        raise SchemaError("is a binary file, not a schema", file=path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SchemaError(
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})", file=path
        ) from None


def detect_format(path: Path, document: Any = None, text: str | None = None) -> SourceFormat:
    """Guess the kind of schema file from its name and its content.

    The extension decides first (``.tdgen.json``, ``.sql``, ``.csv``/``.tsv``/``.jsonl``); a
    parsed JSON/YAML ``document`` is OpenAPI when it has an ``openapi`` field and a sample when
    it is an array; for another extension the ``text`` is looked at: SQL statements, JSON Lines.
    """
    name = path.name.lower()
    if name.endswith(".tdgen.json"):
        return SourceFormat.PROJECT
    suffix = path.suffix.lower()
    if suffix == ".sql":
        return SourceFormat.SQL
    if suffix in {".csv", ".tsv", ".jsonl", ".ndjson"}:
        return SourceFormat.SAMPLE
    if document is None and text is not None and suffix not in _JSON_SUFFIXES:
        if _SQL_START.match(text):
            return SourceFormat.SQL
        lines = [line for line in text.splitlines()[:3] if line.strip()]
        if len(lines) > 1 and all(line.lstrip().startswith("{") for line in lines):
            return SourceFormat.SAMPLE
    if isinstance(document, dict) and ("openapi" in document or "swagger" in document):
        return SourceFormat.OPENAPI
    if isinstance(document, list) and document and all(isinstance(i, dict) for i in document):
        return SourceFormat.SAMPLE
    return SourceFormat.JSONSCHEMA


_JSON_SUFFIXES = frozenset({".json", ".yaml", ".yml"})
_SQL_START = re.compile(
    r"\A(\s|--[^\n]*\n|/\*.*?\*/)*(CREATE|ALTER|DROP|SET|BEGIN|PRAGMA)\b",
    re.IGNORECASE | re.DOTALL,
)


def _import_jsonschema(
    path: Path, text: str, _dialect: Dialect | None = None, view: ApiView | None = None
) -> Dataset:
    from tdgen_desktop.importers.jsonschema import import_jsonschema, parse_jsonschema  # noqa: PLC0415

    document = parse_jsonschema(path, text)
    fmt = detect_format(path, document)
    if fmt is SourceFormat.OPENAPI:
        return _import_openapi(path, text, None, view, document=document)
    if fmt is SourceFormat.SAMPLE:
        return _import_sample(path, text)
    if fmt is not SourceFormat.JSONSCHEMA:
        raise UnsupportedFeatureError(
            f"{_FORMAT_NAMES[fmt]} import is not supported yet", file=path
        )
    return import_jsonschema(path, document)


def _import_openapi(
    path: Path,
    text: str,
    _dialect: Dialect | None = None,
    view: ApiView | None = None,
    *,
    document: Any = None,
) -> Dataset:
    from tdgen_desktop.importers.openapi import import_openapi  # noqa: PLC0415

    return import_openapi(path, text, document, view=view)


def _import_sample(
    path: Path, text: str, _dialect: Dialect | None = None, _view: ApiView | None = None
) -> Dataset:
    from tdgen_desktop.importers.sample import import_sample  # noqa: PLC0415

    return import_sample(path, text)


_FORMAT_NAMES = {
    SourceFormat.JSONSCHEMA: "JSON Schema",
    SourceFormat.OPENAPI: "OpenAPI",
    SourceFormat.SQL: "SQL DDL",
    SourceFormat.SAMPLE: "Sample (CSV/JSON data)",
    SourceFormat.PROJECT: "Project file",
}


def _import_sql(
    path: Path, text: str, dialect: Dialect | None = None, _view: ApiView | None = None
) -> Dataset:
    from tdgen_desktop.importers.sql import import_sql  # noqa: PLC0415 — sqlglot loads on demand

    return import_sql(path, text, dialect)


def _import_project(
    path: Path, text: str, dialect: Dialect | None = None, _view: ApiView | None = None
) -> Dataset:
    from tdgen_desktop.importers.project import import_project  # noqa: PLC0415

    return import_project(path, text, dialect)


_IMPORTERS: dict[SourceFormat, _Importer] = {
    SourceFormat.JSONSCHEMA: _import_jsonschema,
    SourceFormat.SQL: _import_sql,
    SourceFormat.OPENAPI: _import_openapi,
    SourceFormat.SAMPLE: _import_sample,
    SourceFormat.PROJECT: _import_project,
}


def load_schema(
    path: str | Path,
    fmt: SourceFormat | None = None,
    *,
    dialect: Dialect | None = None,
    view: ApiView | None = None,
) -> Dataset:
    """Import a schema file into a dataset with semantic kinds inferred.

    Args:
        path: the file.
        fmt: the kind of file; detected from name and content when omitted.
        dialect: the SQL dialect of a DDL file; detected from its text when omitted.
        view: OpenAPI: rows for request bodies (no ``readOnly`` property) or responses (no
            ``writeOnly`` property); whole objects when omitted.

    Raises:
        SchemaError: unreadable or invalid input (the message names file, field and problem).
        UnsupportedFeatureError: a format or feature tdgen does not support.
        UnsatisfiableError: constraints that admit no value.
    """
    from tdgen_desktop.generation.semantics import annotate  # noqa: PLC0415

    source = Path(path)
    text = read_text(source)
    kind = fmt or detect_format(source, text=text)
    importer = _IMPORTERS.get(kind)
    if importer is None:
        raise UnsupportedFeatureError(
            f"{_FORMAT_NAMES[kind]} import is not supported yet", file=source
        )
    try:
        dataset = importer(source, text, dialect, view)
        if not dataset.tables:
            raise SchemaError("defines no table", file=source)
        annotate(dataset)
    except RecursionError:
        raise SchemaError("is nested too deeply to import", file=source) from None
    except TdgenError as exc:  # every importer's error names the file
        raise exc.with_context(file=source) from None
    return dataset
