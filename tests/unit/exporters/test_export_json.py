"""JSON and JSONL writers: read back with ``json``, values round-trip, layout is as documented."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from tdgen_desktop.core import (
    MISSING,
    VALID_LABEL,
    ExportFormat,
    Field,
    FieldType,
    RowBatch,
    Table,
)
from tdgen_desktop.exporters import ExportOptions
from tdgen_desktop.exporters.jsonfmt import JsonlWriter, JsonWriter

_Writer = type[JsonWriter | JsonlWriter]


def _objects(columns: list[str], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _rows(batches: list[RowBatch]) -> list[tuple[Any, ...]]:
    return [row for batch in batches for row in batch.rows]


def _write(
    writer_cls: _Writer,
    path: Path,
    table: Table,
    columns: list[str],
    batches: list[RowBatch],
    *,
    options: ExportOptions | None = None,
) -> Path:
    writer = writer_cls(path, table, columns, options or ExportOptions())
    for batch in batches:
        writer.write(batch)
    return writer.commit()


def _read(path: Path) -> list[Any]:
    """Read either format: ``json.load`` for JSON, ``json.loads`` per line for JSONL."""
    if path.suffix == ".json":
        with path.open(encoding="utf-8") as f:
            loaded = json.load(f)
        assert isinstance(loaded, list)
        return loaded
    text = path.read_bytes().decode("utf-8")
    assert text.endswith("\n")
    return [json.loads(line) for line in text[:-1].split("\n")]


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@pytest.fixture(params=[JsonWriter, JsonlWriter], ids=["json", "jsonl"])
def writer_cls(request: pytest.FixtureRequest) -> _Writer:
    cls: _Writer = request.param
    return cls


def test_rows_round_trip_with_awkward_strings(
    tmp_path: Path,
    writer_cls: _Writer,
    people: Table,
    columns: list[str],
    batches: list[RowBatch],
) -> None:
    rows = _rows(batches)
    path = _write(writer_cls, tmp_path / f"people.{writer_cls.extension}", people, columns, batches)

    read = _read(path)
    assert read == _objects(columns, rows)
    assert [list(obj) for obj in read] == [columns] * len(rows)
    # Empty string and null stay apart.
    assert {"text": "", "note": ""}.items() <= read[13].items()
    assert read[12]["note"] is None
    # Text is written as UTF-8, not as \\u escapes.
    raw = path.read_bytes()
    assert "emoji 🎉 👩‍💻".encode() in raw
    assert b"\\u" not in raw


def test_json_layout_is_one_compact_row_per_line(
    tmp_path: Path,
    people: Table,
    columns: list[str],
    batches: list[RowBatch],
) -> None:
    rows = _rows(batches)
    path = _write(JsonWriter, tmp_path / "people.json", people, columns, batches)

    expected = "[" + ",\n".join(_compact(o) for o in _objects(columns, rows)) + "]\n"
    assert path.read_bytes().decode("utf-8") == expected


def test_jsonl_layout_is_one_compact_row_per_line(
    tmp_path: Path,
    people: Table,
    columns: list[str],
    batches: list[RowBatch],
) -> None:
    rows = _rows(batches)
    path = _write(JsonlWriter, tmp_path / "people.jsonl", people, columns, batches)

    expected = "".join(_compact(o) + "\n" for o in _objects(columns, rows))
    assert path.read_bytes().decode("utf-8") == expected


@pytest.mark.parametrize("indent", [0, 2, 4])
def test_json_indent_reads_like_json_dumps(
    tmp_path: Path,
    people: Table,
    columns: list[str],
    batches: list[RowBatch],
    indent: int,
) -> None:
    rows = _rows(batches)
    path = _write(
        JsonWriter,
        tmp_path / "people.json",
        people,
        columns,
        batches,
        options=ExportOptions(indent=indent),
    )

    expected = json.dumps(_objects(columns, rows), indent=indent, ensure_ascii=False) + "\n"
    assert path.read_bytes().decode("utf-8") == expected


def test_jsonl_ignores_indent(
    tmp_path: Path,
    people: Table,
    columns: list[str],
    batches: list[RowBatch],
) -> None:
    rows = _rows(batches)
    path = _write(
        JsonlWriter,
        tmp_path / "people.jsonl",
        people,
        columns,
        batches,
        options=ExportOptions(indent=2),
    )

    assert path.read_bytes().decode("utf-8").count("\n") == len(rows)


@pytest.mark.parametrize("indent", [None, 2])
def test_json_without_rows_is_an_empty_array(
    tmp_path: Path, people: Table, columns: list[str], indent: int | None
) -> None:
    empty = RowBatch(people, columns, [], [])
    path = _write(
        JsonWriter,
        tmp_path / "p.json",
        people,
        columns,
        [empty],
        options=ExportOptions(indent=indent),
    )

    assert path.read_bytes() == b"[]\n"


def test_jsonl_without_rows_is_empty(tmp_path: Path, people: Table, columns: list[str]) -> None:
    path = _write(JsonlWriter, tmp_path / "p.jsonl", people, columns, [])

    assert path.read_bytes() == b""


def test_missing_values_leave_the_key_out(tmp_path: Path, writer_cls: _Writer) -> None:
    cols = ["id", "nickname", "email"]
    table = Table("t", fields=[Field(c) for c in cols])
    batch = RowBatch(
        table,
        cols,
        [(1, MISSING, "a@example.com"), (2, None, MISSING), (MISSING, MISSING, MISSING)],
        [VALID_LABEL] * 3,
    )
    path = _write(writer_cls, tmp_path / f"t.{writer_cls.extension}", table, cols, [batch])

    assert _read(path) == [{"id": 1, "email": "a@example.com"}, {"id": 2, "nickname": None}, {}]
    assert b"nickname" not in path.read_bytes().split(b"\n")[0]


def test_label_columns_add_case_and_rule(
    tmp_path: Path,
    writer_cls: _Writer,
    people: Table,
    columns: list[str],
    batches: list[RowBatch],
) -> None:
    rows = _rows(batches)
    labels = [label for batch in batches for label in batch.labels]
    path = _write(
        writer_cls,
        tmp_path / f"people.{writer_cls.extension}",
        people,
        columns,
        batches,
        options=ExportOptions(label_columns=True),
    )

    read = _read(path)
    expected = [
        {**obj, "_case": label.case.value, "_rule": label.rule}
        for obj, label in zip(_objects(columns, rows), labels, strict=True)
    ]
    assert read == expected
    assert list(read[1])[-2:] == ["_case", "_rule"]
    assert read[1]["_rule"] == "maximum"
    assert read[0]["_rule"] is None


_BARE_VALUES = ["text", "", None, 0, -1.5, True, [1, "two", None], {"k": "v"}, '🎉\n\t"']


def test_bare_rows_are_the_value_itself(tmp_path: Path, writer_cls: _Writer) -> None:
    table = Table("numbers", fields=[Field("value", FieldType.ANY)], bare=True)
    half = len(_BARE_VALUES) // 2
    batches = [
        RowBatch(table, ["value"], [(v,) for v in _BARE_VALUES[:half]], [VALID_LABEL] * half),
        RowBatch(
            table,
            ["value"],
            [(v,) for v in _BARE_VALUES[half:]],
            [VALID_LABEL] * (len(_BARE_VALUES) - half),
            start=half,
        ),
    ]
    path = _write(
        writer_cls,
        tmp_path / f"numbers.{writer_cls.extension}",
        table,
        ["value"],
        batches,
        options=ExportOptions(label_columns=True),  # cannot apply to bare rows: ignored
    )

    assert _read(path) == _BARE_VALUES


def test_bare_missing_value_is_null(tmp_path: Path, writer_cls: _Writer) -> None:
    table = Table("t", fields=[Field("value")], bare=True)
    batch = RowBatch(table, ["value"], [(MISSING,)], [VALID_LABEL])
    path = _write(writer_cls, tmp_path / f"t.{writer_cls.extension}", table, ["value"], [batch])

    assert _read(path) == [None]


def test_bare_table_needs_exactly_one_column(tmp_path: Path, writer_cls: _Writer) -> None:
    table = Table("t", fields=[Field("a"), Field("b")], bare=True)

    with pytest.raises(ValueError, match="one"):
        writer_cls(tmp_path / "t.json", table, ["a", "b"], ExportOptions())
    assert list(tmp_path.iterdir()) == []


def test_dates_uuids_decimals_and_bytes(tmp_path: Path, writer_cls: _Writer) -> None:
    cols = ["date", "time", "uuid", "decimal", "bytes"]
    table = Table("t", fields=[Field(c) for c in cols])
    row = (
        dt.date(2024, 2, 29),
        dt.time(23, 59, 59, 500000),
        UUID("12345678-1234-5678-1234-567812345678"),
        Decimal("12.5"),
        b"\x00\xff",
    )
    batch = RowBatch(table, cols, [row], [VALID_LABEL])
    path = _write(writer_cls, tmp_path / f"t.{writer_cls.extension}", table, cols, [batch])

    assert _read(path) == [
        {
            "date": "2024-02-29",
            "time": "23:59:59.500000",
            "uuid": "12345678-1234-5678-1234-567812345678",
            "decimal": 12.5,
            "bytes": "AP8=",
        }
    ]


def test_unknown_value_type_is_an_error(tmp_path: Path, writer_cls: _Writer) -> None:
    table = Table("t", fields=[Field("a")])
    batch = RowBatch(table, ["a"], [(object(),)], [VALID_LABEL])

    with (
        pytest.raises(TypeError, match="object"),
        writer_cls(tmp_path / "t.out", table, ["a"], ExportOptions()) as writer,
    ):
        writer.write(batch)
    assert list(tmp_path.iterdir()) == []


def test_rows_follow_the_writer_columns(tmp_path: Path, writer_cls: _Writer) -> None:
    table = Table("t", fields=[Field("a"), Field("b"), Field("c")])
    batch = RowBatch(table, ["c", "a"], [("C", "A")], [VALID_LABEL])
    path = _write(
        writer_cls, tmp_path / f"t.{writer_cls.extension}", table, ["a", "b", "c"], [batch]
    )

    read = _read(path)
    assert read == [{"a": "A", "c": "C"}]
    assert list(read[0]) == ["a", "c"]


def test_labels_must_match_rows(tmp_path: Path, writer_cls: _Writer) -> None:
    table = Table("t", fields=[Field("a")])
    batch = RowBatch(table, ["a"], [(1,), (2,)], [VALID_LABEL])

    with (
        pytest.raises(ValueError, match="zip"),
        writer_cls(tmp_path / "t.out", table, ["a"], ExportOptions(label_columns=True)) as writer,
    ):
        writer.write(batch)


def test_writer_class_attributes(writer_cls: _Writer) -> None:
    expected = {JsonWriter: (ExportFormat.JSON, "json"), JsonlWriter: (ExportFormat.JSONL, "jsonl")}
    assert (writer_cls.format, writer_cls.extension) == expected[writer_cls]
