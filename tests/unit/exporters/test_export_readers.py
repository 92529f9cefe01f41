"""The streaming readers read back what the writers wrote, a chunk at a time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tdgen_desktop.core import ExportError, ExportFormat, RowBatch, Table, UnsupportedFeatureError
from tdgen_desktop.core.enums import FieldType
from tdgen_desktop.core.model import Field
from tdgen_desktop.exporters import CasesWriter, writer_for
from tdgen_desktop.exporters.readers import (
    BARE_COLUMN,
    LabelReader,
    RowReader,
    format_of,
    preview_formats,
    read_labels,
    read_rows,
)

# The exporters' conftest defines the awkward rows; its constants are repeated here (a conftest
# is not importable as a module).
COLUMNS = ["id", "text", "score", "active", "note", "tags", "meta"]
N_ROWS = 18


def _write(tmp_path: Path, fmt: ExportFormat, people: Table, batches: list[RowBatch]) -> Path:
    path = tmp_path / f"people.{fmt.value}"
    with writer_for(fmt)(path, people, COLUMNS) as writer:
        for batch in batches:
            writer.write(batch)
    return path


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("fmt", [ExportFormat.CSV, ExportFormat.TSV])
def test_delimited_text_reads_back_cell_for_cell(
    tmp_path: Path, people: Table, batches: list[RowBatch], fmt: ExportFormat
) -> None:
    awkward_texts = [row[1] for batch in batches for row in batch.rows]
    path = _write(tmp_path, fmt, people, batches)

    rows = list(read_rows(path))

    assert len(rows) == N_ROWS
    for i, (row, text) in enumerate(zip(rows, awkward_texts, strict=True)):
        assert list(row) == COLUMNS
        assert row["id"] == str(i)
        assert row["text"] == text
        assert row["active"] == ("true" if i % 2 == 0 else "false")
        assert row["note"] == ("" if i % 3 == 0 else text)
        assert json.loads(row["tags"]) == [text, i]


@pytest.mark.parametrize("fmt", [ExportFormat.JSON, ExportFormat.JSONL])
def test_json_reads_back_typed_values(
    tmp_path: Path, people: Table, batches: list[RowBatch], fmt: ExportFormat
) -> None:
    path = _write(tmp_path, fmt, people, batches)

    rows = list(read_rows(path))

    assert len(rows) == N_ROWS
    assert rows[3]["id"] == 3
    assert rows[3]["note"] is None
    assert rows[4]["text"] == "line\nbreak"
    assert rows[5]["meta"] == {"text": batches[0].rows[5][1], "n": 5}


def test_reader_reads_in_chunks_and_stops_at_the_end(
    tmp_path: Path, people: Table, batches: list[RowBatch]
) -> None:
    path = _write(tmp_path, ExportFormat.CSV, people, batches)

    with RowReader(path) as reader:
        first = reader.read(5)
        assert reader.columns == COLUMNS
        rest = reader.read(1000)
        assert reader.read(10) == []

    assert len(first) == 5
    assert len(first) + len(rest) == N_ROWS
    assert reader.rows_read == N_ROWS


def test_json_array_streams_across_blocks(tmp_path: Path) -> None:
    """Elements (and numbers) split over the 64 KiB read blocks are read whole."""
    values = [{"n": i, "text": "x" * (i % 700)} for i in range(600)] + [1234567890, "tail"]
    path = tmp_path / "big.json"
    path.write_text("[\n" + ",\n".join(_json_text(v) for v in values) + "\n]\n", encoding="utf-8")

    rows = list(read_rows(path))

    assert rows[:600] == values[:600]
    assert rows[600:] == [{BARE_COLUMN: 1234567890}, {BARE_COLUMN: "tail"}]


def test_limit_reads_only_the_first_rows(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_text("".join(f'{{"n": {i}}}\n' for i in range(50_000)), encoding="utf-8")

    rows = list(read_rows(path, limit=10))

    assert rows == [{"n": i} for i in range(10)]


def test_json_columns_grow_with_new_keys(tmp_path: Path) -> None:
    path = tmp_path / "sparse.jsonl"
    path.write_text('{"a": 1}\n{"a": 2, "b": 3}\n', encoding="utf-8")

    with RowReader(path) as reader:
        reader.read(1)
        assert reader.columns == ["a"]
        reader.read(1)
        assert reader.columns == ["a", "b"]


def test_empty_json_array(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text("[]\n", encoding="utf-8")

    assert list(read_rows(path)) == []


def test_broken_json_is_an_export_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"a": 1}, {"a": ', encoding="utf-8")

    with pytest.raises(ExportError, match=r"broken\.json"):
        list(read_rows(path))


def test_sql_cannot_be_previewed(tmp_path: Path) -> None:
    path = tmp_path / "t.sql"
    path.write_text("INSERT INTO t VALUES (1);\n", encoding="utf-8")

    with pytest.raises(UnsupportedFeatureError, match="cannot be previewed"):
        RowReader(path)


def test_missing_file_is_an_export_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="cannot read"):
        RowReader(tmp_path / "none.csv")


def test_labels_read_back(tmp_path: Path, batches: list[RowBatch]) -> None:
    path = tmp_path / "people.cases.jsonl"
    with CasesWriter(path) as writer:
        for batch in batches:
            writer.write(batch)

    labels = list(read_labels(path))
    with LabelReader(path) as reader:
        assert len(reader.read(3)) == 3

    assert [label["row"] for label in labels] == list(range(N_ROWS))
    assert labels[1]["case"] == "invalid"
    assert labels[1]["rule"] == "maximum"


def test_formats() -> None:
    assert set(preview_formats()) == {
        ExportFormat.CSV,
        ExportFormat.TSV,
        ExportFormat.JSON,
        ExportFormat.JSONL,
    }
    assert format_of(Path("a/b.JSONL")) is ExportFormat.JSONL
    assert format_of(Path("a/b.txt")) is None


def test_bare_table_rows(tmp_path: Path) -> None:
    table = Table("n", fields=[Field("value", FieldType.INTEGER)], bare=True)
    path = tmp_path / "n.jsonl"
    from tdgen_desktop.core import VALID_LABEL  # noqa: PLC0415

    with writer_for(ExportFormat.JSONL)(path, table, ["value"]) as writer:
        writer.write(RowBatch(table, ["value"], [(1,), (2,)], [VALID_LABEL] * 2))

    assert list(read_rows(path)) == [{BARE_COLUMN: 1}, {BARE_COLUMN: 2}]
