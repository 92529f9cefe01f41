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
import re
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


def _text_columns(
    rows: Sequence[Sequence[Any]], labels: Sequence[CaseLabel], writer: TableWriter
) -> list[list[str]] | None:
    """Every column of a batch as text (the text ``_row_cells`` gives), label columns included;
    None when the batch has rows the guard skips (invalid rows): they take the row-wise path.

    A column of plain text or numbers is converted in bulk, and the formula guard looks at a
    text column once, joined, before it looks at any value.
    """
    options = writer.options
    guard = options.formula_guard
    if not rows or (guard and not all(guards_row(options, label) for label in labels)):
        return None
    columns = [_column_text(values, guard) for values in zip(*rows, strict=True)]
    if options.label_columns:
        columns.append([label.case.value for label in labels])
        columns.append([label.rule or "" for label in labels])
    return columns


_NONE = type(None)
_TEXT_OR_NULL = frozenset({str, _NONE})
_NUMBERS = frozenset({int, float})
_RISKY = re.compile("\x00[" + re.escape("".join(sorted(FORMULA_TRIGGERS))) + "]")
"""A formula trigger at the start of a value, in values joined (and led) by NUL characters."""


def _column_text(values: Sequence[Any], guard: bool) -> list[str]:
    kinds = set(map(type, values))
    if not kinds <= _PLAIN_KINDS or (guard and str in kinds and not kinds <= _TEXT_OR_NULL):
        return _guarded_cells(values) if guard else [_cell(v) for v in values]
    if kinds == {str}:
        text: list[str] = list(values)
    elif kinds <= _NUMBERS:
        return list(map(str, values))  # str() of an int or float is its repr, as in _cell
    elif kinds <= _TEXT_OR_NULL:
        text = ["" if v is None else v for v in values]
    else:
        text = [_cell(v) for v in values]
    if guard and str in kinds and _RISKY.search("\x00" + "\x00".join(text)):
        triggers = _TRIGGERS
        text = [("'" + v) if v.startswith(triggers) else v for v in text]
    return text


def _csv_quoted(column: list[str]) -> list[str]:
    """A column's cells as ``csv.writer`` writes them: quoted (quotes doubled) when they hold
    a comma, a quote or a line break."""
    joined = "".join(column)
    if "," not in joined and '"' not in joined and "\n" not in joined and "\r" not in joined:
        return column
    return [
        '"' + v.replace('"', '""') + '"' if ("," in v or '"' in v or "\n" in v or "\r" in v) else v
        for v in column
    ]


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
        columns = _text_columns(rows, labels, self)
        if columns is None or len(columns) < 2:  # a lone empty cell must be written as ""
            self._csv.writerows(_row_cells(rows, labels, self))
            return
        lines = map(",".join, zip(*map(_csv_quoted, columns), strict=True))
        self._file.stream.write("\r\n".join(lines) + "\r\n")


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
        columns = _text_columns(rows, labels, self)
        cells = _row_cells(rows, labels, self) if columns is None else zip(*columns, strict=True)
        self._file.stream.write("".join([_tsv_line(c) for c in cells]))
