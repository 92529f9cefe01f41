"""Exporters: streaming, atomic writers of generated rows, one module per file format.

Use :func:`writer_for` to get the writer class of a format, and write a table with it::

    with writer_for(ExportFormat.CSV)(path, table, table.columns) as writer:
        for batch in batches:
            writer.write(batch)

Adding a format is adding one module with a :class:`TableWriter` subclass and one line in
``_WRITERS``.
"""

from __future__ import annotations

from tdgen_desktop.core.enums import ExportFormat
from tdgen_desktop.core.errors import UsageError
from tdgen_desktop.exporters.atomic import AtomicFile, remove_stale_parts
from tdgen_desktop.exporters.base import CasesWriter, ExportOptions, TableWriter
from tdgen_desktop.exporters.delimited import CsvWriter, TsvWriter
from tdgen_desktop.exporters.jsonfmt import JsonlWriter, JsonWriter
from tdgen_desktop.exporters.parquet import ParquetWriter, require_pyarrow
from tdgen_desktop.exporters.sql import SqlWriter
from tdgen_desktop.exporters.xlsx import XlsxWriter

__all__ = [
    "AtomicFile",
    "CasesWriter",
    "ExportOptions",
    "TableWriter",
    "available_formats",
    "extension_for",
    "remove_stale_parts",
    "writer_for",
]

_WRITERS: dict[ExportFormat, type[TableWriter]] = {
    ExportFormat.CSV: CsvWriter,
    ExportFormat.TSV: TsvWriter,
    ExportFormat.JSON: JsonWriter,
    ExportFormat.JSONL: JsonlWriter,
    ExportFormat.SQL: SqlWriter,
    ExportFormat.XLSX: XlsxWriter,
    ExportFormat.PARQUET: ParquetWriter,
}

_EXTENSIONS: dict[ExportFormat, str] = {
    ExportFormat.CSV: "csv",
    ExportFormat.TSV: "tsv",
    ExportFormat.JSON: "json",
    ExportFormat.JSONL: "jsonl",
    ExportFormat.SQL: "sql",
    ExportFormat.XLSX: "xlsx",
    ExportFormat.PARQUET: "parquet",
}


def available_formats() -> tuple[ExportFormat, ...]:
    """The formats that have a writer, in menu order."""
    return tuple(fmt for fmt in ExportFormat if fmt in _WRITERS)


def writer_for(fmt: ExportFormat) -> type[TableWriter]:
    """The writer class for ``fmt``.

    Raises:
        UsageError: no writer for that format yet (the message names the available ones), or
            the format needs a package that is not installed (Parquet: pyarrow).
    """
    try:
        writer = _WRITERS[fmt]
    except KeyError:
        names = ", ".join(f.value for f in available_formats())
        raise UsageError(
            f"export format '{fmt}' is not available yet; available: {names}"
        ) from None
    if fmt is ExportFormat.PARQUET:
        require_pyarrow()
    return writer


def extension_for(fmt: ExportFormat) -> str:
    """The file extension (without a dot) of ``fmt``, e.g. ``jsonl``."""
    return _EXTENSIONS[fmt]
