"""Delimited text: CSV (RFC 4180) and TSV.

Both start with a header row of column names. Cells are text: ``None`` and ``MISSING`` become an
empty cell (so null and the empty string look alike), booleans ``true``/``false``, integers
their digits, floats Python's shortest round-trip ``repr`` (``1.0``, ``1e+20``, ``nan``),
objects and arrays compact JSON, dates and times ISO 8601, bytes base64. With
``ExportOptions.label_columns`` two columns follow the data: ``_case`` (the case kind) and
``_rule`` (the rule an invalid or boundary row exercises, else empty).

With ``ExportOptions.formula_guard`` (the default) a text value of a valid or boundary row that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a leading
``'``, so a spreadsheet opening the file shows it as text instead of running it as a formula
(OWASP's advice on CSV injection). Numbers and invalid rows are written as they are.
"""

from __future__ import annotations

import csv
import decimal
import json
from collections.abc import Callable, Sequence
from typing import Any

from tdgen_desktop.core.enums import ExportFormat
from tdgen_desktop.core.model import MISSING
from tdgen_desktop.core.rows import CaseLabel
from tdgen_desktop.exporters.base import (
    FORMULA_TRIGGERS,
    TableWriter,
    _json_default,
    guards_row,
)

__all__ = ["CsvWriter", "TsvWriter"]

_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default)
_LABEL_COLUMNS = ("_case", "_rule")


def _cell(value: Any) -> str:
    """The text of one cell (the common types first: this runs for every value)."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if value is None or value is MISSING:
        return ""
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return repr(value)
    return _other_cell(value)


_PLAIN_TEXT: tuple[tuple[type, Callable[[Any], str]], ...] = (
    (str, str.__str__),
    (int, int.__repr__),
    (float, float.__repr__),
)
"""Text of subclasses of the plain types (e.g. enums): the plain value's text."""


def _guarded_cells(row: Sequence[Any]) -> list[str]:
    """The cells of a row under the formula guard: risky text gets a leading ``'``."""
    triggers, cell = FORMULA_TRIGGERS, _cell
    return [
        "'" + value if isinstance(value, str) and value[:1] in triggers else cell(value)
        for value in row
    ]


def _row_cells(
    rows: Sequence[Sequence[Any]],
    labels: Sequence[CaseLabel],
    writer: TableWriter,
) -> list[list[str]]:
    """The cells of every row, with the label columns and the formula guard as the options say."""
    options = writer.options
    cell = _cell
    if not options.formula_guard:
        cells = [[cell(value) for value in row] for row in rows]
    else:
        cells = [
            _guarded_cells(row) if guards_row(options, label) else [cell(v) for v in row]
            for row, label in zip(rows, labels, strict=True)
        ]
    if options.label_columns:
        for line, label in zip(cells, labels, strict=True):
            line.extend((label.case.value, label.rule or ""))
    return cells


_TRIGGERS = tuple(FORMULA_TRIGGERS)
_PLAIN_KINDS = frozenset({str, int, float, type(None)})
"""Exact types whose cells ``csv.writer`` writes as ``_cell`` does (None as an empty cell)."""


def _column_cells(
    rows: Sequence[Sequence[Any]],
    labels: Sequence[CaseLabel],
    writer: TableWriter,
    *,
    text_only: bool,
) -> Sequence[Sequence[Any]]:
    """The cells of every row, converted a column at a time (same text as ``_row_cells``).

    A column of plain text and numbers is checked for formula triggers with one ``startswith``
    per value (or not at all without the guard) and otherwise passed through: ``csv.writer``
    writes numbers as ``_cell`` does (``text_only`` converts them for writers that join text).
    Batches with rows the guard skips (invalid rows) take the row-wise path.
    """
    options = writer.options
    guard = options.formula_guard
    if not rows or (guard and not all(guards_row(options, label) for label in labels)):
        return _row_cells(rows, labels, writer)
    columns = [_column_text(values, guard, text_only) for values in zip(*rows, strict=True)]
    if options.label_columns:
        columns.append([label.case.value for label in labels])
        columns.append([label.rule or "" for label in labels])
    return list(zip(*columns, strict=True))


def _column_text(values: Sequence[Any], guard: bool, text_only: bool) -> Sequence[Any]:
    kinds = set(map(type, values))
    if not kinds <= _PLAIN_KINDS:
        return _guarded_cells(values) if guard else [_cell(v) for v in values]
    if guard and str in kinds:
        triggers = _TRIGGERS
        if len(kinds) == 1:
            values = [("'" + v) if v.startswith(triggers) else v for v in values]
        else:
            values = [
                ("'" + v) if v.__class__ is str and v.startswith(triggers) else v for v in values
            ]
    if text_only and kinds != {str}:
        values = [_cell(v) for v in values]
    return values


def _other_cell(value: Any) -> str:
    """The text of a cell whose type is not exactly str, int, float, bool or None."""
    if isinstance(value, dict | list | tuple):
        return _COMPACT_JSON.encode(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    for base, text in _PLAIN_TEXT:
        if isinstance(value, base):
            return text(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    return _cell(_json_default(value))


class CsvWriter(TableWriter):
    """CSV as in RFC 4180: comma-separated, ``\\r\\n`` line ends, fields quoted only when they
    contain a comma, a quote or a line break (quotes doubled). UTF-8 without a byte-order mark.
    """

    format = ExportFormat.CSV
    extension = "csv"
    chunk_text = True

    def _rebind(self) -> None:
        self._csv = csv.writer(self._file.stream, lineterminator="\r\n")

    def _begin(self) -> None:
        self._rebind()
        header = list(self.columns)
        if self.options.label_columns:
            header.extend(_LABEL_COLUMNS)
        self._csv.writerow(header)

    def _write_rows(self, rows: Sequence[Sequence[Any]], labels: Sequence[CaseLabel]) -> None:
        self._csv.writerows(_column_cells(rows, labels, self, text_only=False))


def _tsv_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _tsv_line(cells: Sequence[str]) -> str:
    line = "\t".join(cells)
    # Fast path: most lines need no escaping (the only tabs are the separators).
    if "\\" in line or "\n" in line or "\r" in line or line.count("\t") != len(cells) - 1:
        line = "\t".join([_tsv_escape(text) for text in cells])
    return line + "\n"


class TsvWriter(TableWriter):
    """Tab-separated values: one line per row, ``\\n`` line ends, no quoting.

    Inside a value a tab, line feed, carriage return and backslash are written as the two
    characters ``\\t``, ``\\n``, ``\\r`` and ``\\\\`` (the convention of PostgreSQL's text
    format, MySQL's ``LOAD DATA`` and most TSV readers); every other character is written as is.
    """

    format = ExportFormat.TSV
    extension = "tsv"
    chunk_text = True

    def _begin(self) -> None:
        header = list(self.columns)
        if self.options.label_columns:
            header.extend(_LABEL_COLUMNS)
        self._file.stream.write(_tsv_line(header))

    def _write_rows(self, rows: Sequence[Sequence[Any]], labels: Sequence[CaseLabel]) -> None:
        cells = _column_cells(rows, labels, self, text_only=True)
        self._file.stream.write("".join([_tsv_line(c) for c in cells]))
