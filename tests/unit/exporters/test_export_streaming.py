"""Writers stream: memory does not grow with the number of rows written."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tdgen_desktop.core import VALID_LABEL, ExportFormat, Field, FieldType, RowBatch, Table
from tdgen_desktop.exporters import CasesWriter, ExportOptions, available_formats, writer_for

_TABLE = Table(
    "t",
    fields=[Field("id", FieldType.INTEGER), Field("name"), Field("tags", FieldType.ARRAY)],
)
_COLUMNS = _TABLE.columns
_BATCH_ROWS = 500


def _batches(count: int, first: int = 0) -> Iterator[RowBatch]:
    """Fresh batches, made one at a time so only the writer could keep rows alive."""
    for b in range(first, first + count):
        start = b * _BATCH_ROWS
        rows = [
            (i, f"name number {i} ünïcødé", [i, "x"]) for i in range(start, start + _BATCH_ROWS)
        ]
        yield RowBatch(_TABLE, _COLUMNS, rows, [VALID_LABEL] * _BATCH_ROWS, start=start)


def _peak_while_writing(write: Callable[[RowBatch], None], batches: Iterator[RowBatch]) -> int:
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    for batch in batches:
        write(batch)
    return tracemalloc.get_traced_memory()[1] - base


_CASES = [(fmt, None) for fmt in available_formats()] + [(ExportFormat.JSON, 2)]


@pytest.mark.parametrize(("fmt", "indent"), _CASES, ids=[f"{f.value}-indent{i}" for f, i in _CASES])
def test_memory_does_not_grow_with_rows(
    tmp_path: Path, fmt: ExportFormat, indent: int | None
) -> None:
    options = ExportOptions(label_columns=True, indent=indent)
    tracemalloc.start()
    try:
        with writer_for(fmt)(tmp_path / "t.out", _TABLE, _COLUMNS, options) as writer:
            short = _peak_while_writing(writer.write, _batches(5))
            long = _peak_while_writing(writer.write, _batches(40, first=5))
        rows = writer.rows_written
    finally:
        tracemalloc.stop()

    assert rows == 45 * _BATCH_ROWS
    # Keeping the rows (or their text) would make the long run's peak about 8 times higher.
    assert long < short * 2 + 64 * 1024, (short, long)


def test_cases_writer_memory_does_not_grow(tmp_path: Path) -> None:
    tracemalloc.start()
    try:
        with CasesWriter(tmp_path / "t.cases.jsonl") as writer:
            short = _peak_while_writing(writer.write, _batches(5))
            long = _peak_while_writing(writer.write, _batches(40, first=5))
    finally:
        tracemalloc.stop()

    assert long < short * 2 + 64 * 1024, (short, long)
