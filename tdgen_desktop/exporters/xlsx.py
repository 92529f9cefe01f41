"""Excel workbooks (``.xlsx``) through xlsxwriter: one sheet per table, typed cells.

A workbook holds one table, or — with :meth:`XlsxWriter.next_sheet` (``--one-file``) — every
table of a job, a sheet each, in insert order. A sheet is named after its table (at most 31
characters, without ``[]:*?/\\``; a name already taken gets a number). The first row
holds the column names in bold on a shaded background, frozen, with an autofilter over the
data. Cells keep their types: numbers (integers beyond ±2⁵³ as text, Excel stores doubles),
booleans, dates, date-times and times as Excel dates with a display format, text as text (never
read as a formula, number or link); objects and arrays are compact JSON text; nulls are empty
cells. With ``ExportOptions.formula_guard`` (the default) a text cell of a valid or boundary row
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return carries Excel's
quote-prefix attribute: its text is kept exactly, and Excel and LibreOffice show it as text and do
not turn it into a formula even when the cell is edited. Rows are streamed (xlsxwriter's
``constant_memory`` mode), so memory does not grow with the row count. A sheet holds at most
1,048,575 data rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import json
import math
import re
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from tdgen_desktop.core.enums import ExportFormat, FieldType
from tdgen_desktop.core.errors import ExportError
from tdgen_desktop.core.model import MISSING, Table
from tdgen_desktop.core.rows import CaseLabel
from tdgen_desktop.exporters.base import TableWriter, formula_risk, guards_row

__all__ = ["MAX_ROWS", "XlsxWriter", "sheet_name"]

MAX_ROWS = 1_048_575
"""Data rows one sheet holds (Excel's 1,048,576 rows less the header)."""

_MAX_TEXT = 32_767
_EXACT_INT = 2**53
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)
_LABEL_COLUMNS = ("_case", "_rule")


def sheet_name(name: str) -> str:
    """A valid sheet name for a table: forbidden characters replaced, 31 characters at most."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'") or "data"
    return cleaned[:31]


def _excel_datetime(text: str, kind: FieldType) -> dt.datetime | dt.date | dt.time | None:
    try:
        if kind is FieldType.DATE:
            return dt.date.fromisoformat(text)
        if kind is FieldType.TIME:
            clock = dt.time.fromisoformat(text.replace("Z", "+00:00"))
            return clock.replace(tzinfo=None)
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


class XlsxWriter(TableWriter):
    """One workbook with one sheet for one table (see the module docstring)."""

    format = ExportFormat.XLSX
    extension = "xlsx"
    binary = True

    def _begin(self) -> None:
        try:
            import xlsxwriter  # noqa: PLC0415 — loaded only for Excel output
        except ImportError:  # pragma: no cover — xlsxwriter is a dependency
            raise ExportError("Excel output needs the 'xlsxwriter' package") from None
        self._book = xlsxwriter.Workbook(
            self._file.stream,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "nan_inf_to_errors": True,
            },
        )
        self._header = self._book.add_format(
            {"bold": True, "bg_color": "#DDE7F0", "bottom": 1, "text_wrap": False}
        )
        self._formats = {
            FieldType.DATE: self._book.add_format({"num_format": "yyyy-mm-dd"}),
            FieldType.DATETIME: self._book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            FieldType.TIME: self._book.add_format({"num_format": "hh:mm:ss"}),
        }
        self._quoted = self._book.add_format({"quote_prefix": True})
        self._add_sheet()

    def next_sheet(self, table: Table, columns: Sequence[str]) -> None:
        """Go on with ``table``'s rows on a new sheet of the same workbook.

        Raises:
            ExportError: the sheet cannot be added; the partial file has been removed.
        """
        with self._file.guard():
            self._close_sheet()
            self.table = table
            self.columns = list(columns)
            self._rows_written = 0
            self._alignments = {}
            self._add_sheet()

    def _add_sheet(self) -> None:
        taken = {sheet.name.lower() for sheet in self._book.worksheets()}
        name = sheet_name(self.table.name)
        for number in range(2, len(taken) + 3):
            if name.lower() not in taken:
                break
            suffix = f" ({number})"
            name = sheet_name(self.table.name)[: 31 - len(suffix)] + suffix
        self._sheet = self._book.add_worksheet(name)
        header = self._header
        names = list(self.columns)
        if self.options.label_columns:
            names.extend(_LABEL_COLUMNS)
        self._kinds = [_kind(self.table, c) for c in self.columns]
        for column, name in enumerate(names):
            width = max(10, min(len(name) + 2, 40))
            if column < len(self._kinds) and self._kinds[column] is FieldType.DATETIME:
                width = max(width, 20)
            self._sheet.set_column(column, column, width)
            self._sheet.write_string(0, column, name, header)
        self._sheet.freeze_panes(1, 0)
        self._writers = [self._cell_writer(kind) for kind in self._kinds]

    def _cell_writer(self, kind: FieldType) -> Callable[[int, int, Any], None]:
        sheet = self._sheet
        date_format = self._formats.get(kind)

        def write(row: int, column: int, value: Any) -> None:
            if value is None or value is MISSING:
                return
            if isinstance(value, bool):
                sheet.write_boolean(row, column, value)
            elif isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
                _write_number(sheet, row, column, value)
            elif isinstance(value, str) and date_format is not None:
                moment = _excel_datetime(value, kind)
                if moment is None:
                    sheet.write_string(row, column, value[:_MAX_TEXT])
                else:
                    sheet.write_datetime(row, column, moment, date_format)
            else:
                sheet.write_string(row, column, _text(value)[:_MAX_TEXT])

        return write

    def _write_rows(self, rows: Sequence[Sequence[Any]], labels: Sequence[CaseLabel]) -> None:
        first = self.rows_written + 1
        if self.rows_written + len(rows) > MAX_ROWS:
            raise ExportError(
                f"an Excel sheet holds at most {MAX_ROWS:,} rows; "
                f"{self.rows_written + len(rows):,} were written",
                file=self.path,
            )
        writers = self._writers
        labelled = self.options.label_columns
        width = len(writers)
        sheet, quoted = self._sheet, self._quoted
        for offset, (row, label) in enumerate(zip(rows, labels, strict=True)):
            number = first + offset
            guard = guards_row(self.options, label)
            for column, (write, value) in enumerate(zip(writers, row, strict=True)):
                if guard and formula_risk(value):
                    sheet.write_string(number, column, value[:_MAX_TEXT], quoted)
                else:
                    write(number, column, value)
            if labelled:
                self._sheet.write_string(number, width, label.case.value)
                if label.rule:
                    self._sheet.write_string(number, width + 1, label.rule)

    def _close_sheet(self) -> None:
        last_column = len(self._writers) - 1 + (2 if self.options.label_columns else 0)
        if last_column >= 0:
            self._sheet.autofilter(0, 0, max(self.rows_written, 1), last_column)

    def _finish(self) -> None:
        self._close_sheet()
        self._book.close()

    def abort(self) -> None:
        """Drop the partial file and the workbook's temporary row files."""
        book = getattr(self, "_book", None)
        if book is not None and not book.fileclosed:
            book.fileclosed = True  # the workbook is discarded, not written
            for sheet in book.worksheets():
                with contextlib.suppress(Exception):
                    sheet._opt_close()  # xlsxwriter keeps a temporary file per sheet open
        super().abort()


def _kind(table: Table, name: str) -> FieldType:
    try:
        return table.field(name).type
    except KeyError:
        return FieldType.ANY


def _write_number(sheet: Any, row: int, column: int, value: float | decimal.Decimal) -> None:
    if isinstance(value, int) and abs(value) >= _EXACT_INT:
        sheet.write_string(row, column, str(value))  # a double would round it
    elif isinstance(value, float) and not math.isfinite(value):
        sheet.write_string(row, column, repr(value))
    else:
        sheet.write_number(
            row, column, float(value) if isinstance(value, decimal.Decimal) else value
        )


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list, tuple)):
        return _JSON.encode(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    return str(value)
