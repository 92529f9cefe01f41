"""JSON (one top-level array) and JSON Lines (one value per line).

A row becomes an object of column → value in column order; a ``MISSING`` value leaves its key
out. For a table whose rows are bare values (``Table.bare``, e.g. a JSON Schema whose root is not
an object) a row is the value of its single column (``MISSING`` there is written as ``null``).
With ``ExportOptions.label_columns`` object rows get ``"_case"`` and ``"_rule"`` keys; bare rows
cannot carry them and are written unchanged. Text is UTF-8, not escaped to ASCII. Dates and times
become ISO 8601 strings, UUIDs strings, decimals numbers, bytes base64 strings; a float NaN or
infinity is written as Python's ``json`` writes it (``NaN``, ``Infinity``).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from json.encoder import encode_basestring
from typing import Any, ClassVar

from tdgen_desktop.core.enums import ExportFormat
from tdgen_desktop.core.model import MISSING, Table
from tdgen_desktop.core.rows import CaseLabel
from tdgen_desktop.exporters.base import (
    _DEFAULT_OPTIONS,
    ExportOptions,
    TableWriter,
    _json_default,
)

__all__ = ["JsonWriter", "JsonlWriter"]


class _JsonRowsWriter(TableWriter):
    """Turns rows into JSON texts, one per row, with one encoder made up front."""

    _honours_indent: ClassVar[bool] = False

    def __init__(
        self,
        path: str | os.PathLike[str],
        table: Table,
        columns: Sequence[str],
        options: ExportOptions = _DEFAULT_OPTIONS,
    ) -> None:
        if table.bare and len(columns) != 1:
            raise ValueError(
                f"table '{table.name}' has bare rows but {len(columns)} columns; it needs one"
            )
        indent = options.indent if self._honours_indent else None
        self._encode = _encoder(indent).encode
        self._template: str | None = None
        super().__init__(path, table, columns, options)

    def _texts(self, rows: Sequence[Sequence[Any]], labels: Sequence[CaseLabel]) -> list[str]:
        encode = self._encode
        if self.table.bare:
            return [encode(None if row[0] is MISSING else row[0]) for row in rows]
        columns = self.columns
        extras = self._extras
        if not self.options.label_columns and extras is None:
            made = self._object_texts(rows)
            if made is not None:
                return made
            return [encode(_row_object(columns, row)) for row in rows]
        texts: list[str] = []
        for i, (row, label) in enumerate(zip(rows, labels, strict=True)):
            obj = _row_object(columns, row)
            extra = extras[i] if extras is not None else None
            if extra:
                obj.update(extra)
            if self.options.label_columns:
                obj["_case"] = label.case.value
                obj["_rule"] = label.rule
            texts.append(encode(obj))
        return texts

    def _object_texts(self, rows: Sequence[Sequence[Any]]) -> list[str] | None:
        """Compact object texts made a column at a time: each column's values are encoded in
        bulk (text with ``json``'s own string encoder, finite numbers with ``repr``) and each
        row fills a ``{"key":%s,…}`` template — the same text as encoding the row's object.
        None when a value is ``MISSING`` (its key is left out) or the output is indented."""
        if not rows or (self._honours_indent and self.options.indent is not None):
            return None
        if self._template is None:
            self._template = (
                "{"
                + ",".join(
                    encode_basestring(name).replace("%", "%%") + ":%s" for name in self.columns
                )
                + "}"
            )
        encode, missing = self._encode, type(MISSING)
        cells: list[list[str]] = []
        for values in zip(*rows, strict=True):
            kinds = set(map(type, values))
            if missing in kinds:
                return None
            if kinds == {str}:
                cells.append(list(map(encode_basestring, values)))
            elif kinds <= _NUMBERS and _finite(values):
                cells.append(list(map(repr, values)))
            elif kinds == _TEXT_OR_NULL:
                cells.append(["null" if v is None else encode_basestring(v) for v in values])
            elif kinds == {bool}:
                cells.append(["true" if v else "false" for v in values])
            else:
                cells.append(list(map(encode, values)))
        return list(map(self._template.__mod__, zip(*cells, strict=True)))


_NUMBERS = frozenset({int, float})
_TEXT_OR_NULL = frozenset({str, type(None)})


def _finite(values: Sequence[Any]) -> bool:
    """Whether every number is finite (False also for an integer beyond the floats' range)."""
    try:
        return all(map(math.isfinite, values))
    except OverflowError:
        return False


def _encoder(indent: int | None) -> json.JSONEncoder:
    """A compact encoder, or a pretty one with ``indent``; text is not escaped to ASCII."""
    if indent is None:
        return json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default)
    return json.JSONEncoder(
        ensure_ascii=False, indent=indent, separators=(",", ": "), default=_json_default
    )


def _row_object(columns: list[str], row: Sequence[Any]) -> dict[str, Any]:
    """The row as an object, leaving out ``MISSING`` values."""
    if MISSING in row:
        return {c: v for c, v in zip(columns, row, strict=True) if v is not MISSING}
    return dict(zip(columns, row, strict=True))


class JsonWriter(_JsonRowsWriter):
    """One JSON array of all rows, streamed row by row.

    Compact (``indent=None``): ``[`` then one compact row per line, separated by ``,\\n``, then
    ``]``. With an indent the file reads exactly like ``json.dumps(rows, indent=indent)``. The
    file ends with a line feed.
    """

    format = ExportFormat.JSON
    extension = "json"

    _honours_indent = True

    def _begin(self) -> None:
        self._file.stream.write("[")
        indent = self.options.indent
        self._pad = "" if indent is None else " " * indent
        self._separator = ",\n" + self._pad
        self._first_separator = "" if indent is None else "\n" + self._pad

    def _write_rows(self, rows: Sequence[Sequence[Any]], labels: Sequence[CaseLabel]) -> None:
        texts = self._texts(rows, labels)
        if not texts:
            return
        if self._pad:
            newline = "\n" + self._pad
            texts = [text.replace("\n", newline) for text in texts]
        lead = self._first_separator if self.rows_written == 0 else self._separator
        self._file.stream.write(lead + self._separator.join(texts))

    def _finish(self) -> None:
        closing = "]\n" if self.options.indent is None or self.rows_written == 0 else "\n]\n"
        self._file.stream.write(closing)


class JsonlWriter(_JsonRowsWriter):
    """JSON Lines: one compact JSON value per row, each line ending in ``\\n``."""

    format = ExportFormat.JSONL
    extension = "jsonl"
    chunk_text = True

    def _write_rows(self, rows: Sequence[Sequence[Any]], labels: Sequence[CaseLabel]) -> None:
        texts = self._texts(rows, labels)
        if texts:
            self._file.stream.write("\n".join(texts) + "\n")
