"""Parquet output: typed columns read back with pyarrow, and a clear message without pyarrow."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tdgen_desktop.core import (
    Constraints,
    ExportError,
    ExportFormat,
    Field,
    FieldType,
    Table,
    UsageError,
)
from tdgen_desktop.core.rows import VALID_LABEL, RowBatch
from tdgen_desktop.exporters import ExportOptions, writer_for
from tdgen_desktop.exporters.parquet import ParquetWriter
from tdgen_desktop.generation.pipeline import GenerationRequest, run_pipeline


def _table() -> Table:
    return Table(
        name="t",
        fields=[
            Field("id", FieldType.INTEGER),
            Field("name", FieldType.STRING, nullable=True),
            Field("ok", FieldType.BOOLEAN),
            Field("day", FieldType.DATE),
            Field("at", FieldType.DATETIME),
            Field("clock", FieldType.TIME),
            Field("price", FieldType.NUMBER, constraints=Constraints(multiple_of=0.01)),
            Field("raw", FieldType.BINARY),
            Field("tags", FieldType.ARRAY, items=Field("item", FieldType.STRING)),
            Field("doc", FieldType.OBJECT, nullable=True),
            Field("uid", FieldType.UUID),
        ],
    )


ROWS = [
    (
        1,
        "Zoë",
        True,
        "2024-02-29",
        "2024-02-29T23:59:58Z",
        "12:30:00Z",
        9.99,
        "AP8n",
        ["a"],
        {"k": 1},
        "8c7d1d3e-8a4b-4c3e-9f1a-2b3c4d5e6f70",
    ),
    (
        2,
        None,
        False,
        "2024-03-01",
        "2024-03-01T00:00:00Z",
        "00:00:01Z",
        0.07,
        "",
        [],
        None,
        "8c7d1d3e-8a4b-4c3e-9f1a-2b3c4d5e6f71",
    ),
]


def _write(tmp_path: Path, rows: list[tuple[Any, ...]], **options: Any) -> Path:
    table = _table()
    path = tmp_path / "t.parquet"
    with ParquetWriter(path, table, table.columns, ExportOptions(**options)) as writer:
        writer.write(RowBatch(table, table.columns, rows, [VALID_LABEL] * len(rows)))
    return path


def test_columns_are_typed(tmp_path: Path) -> None:
    table = pq.read_table(_write(tmp_path, ROWS))

    assert table.schema.field("id").type == pa.int64()
    assert not table.schema.field("id").nullable
    assert table.schema.field("name").nullable
    assert table.schema.field("day").type == pa.date32()
    assert table.schema.field("at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("clock").type == pa.time64("us")
    assert table.schema.field("raw").type == pa.binary()
    assert table.schema.field("tags").type == pa.list_(pa.string())
    first = table.to_pylist()[0]
    assert first["day"] == dt.date(2024, 2, 29)
    assert first["at"] == dt.datetime(2024, 2, 29, 23, 59, 58, tzinfo=dt.UTC)
    assert first["clock"] == dt.time(12, 30)
    assert first["raw"] == b"\x00\xff'"
    assert first["doc"] == '{"k":1}'
    assert table.to_pylist()[1]["name"] is None


def test_label_columns(tmp_path: Path) -> None:
    table = pq.read_table(_write(tmp_path, ROWS, label_columns=True))

    assert table.column_names[-2:] == ["_case", "_rule"]
    assert table.column("_case").to_pylist() == ["valid", "valid"]


def test_a_value_that_does_not_fit_names_the_column(tmp_path: Path) -> None:
    bad = [
        (
            1,
            "x",
            True,
            "2024-02-29",
            "2024-02-29T23:59:58Z",
            "12:30:00Z",
            "cheap",
            "",
            [],
            None,
            "u",
        )
    ]
    with pytest.raises(ExportError) as caught:
        _write(tmp_path, bad)

    assert "column 'price'" in caught.value.message
    assert not (tmp_path / "t.parquet").exists()


def test_without_pyarrow_the_format_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(UsageError, match=r"pip install 'tdgen\[parquet\]'"):
        writer_for(ExportFormat.PARQUET)


def test_the_pipeline_writes_the_same_values_as_json_lines(tmp_path: Path) -> None:
    schema = tmp_path / "s.json"
    schema.write_text(
        json.dumps(
            {
                "type": "object",
                "required": ["id", "email", "born", "score"],
                "properties": {
                    "id": {"type": "integer", "minimum": 1, "x-unique": True},
                    "email": {"type": "string", "format": "email"},
                    "born": {"type": "string", "format": "date"},
                    "score": {"type": ["number", "null"], "minimum": 0, "maximum": 10},
                },
                "additionalProperties": False,
            }
        ),
        encoding="utf-8",
    )
    runs = {}
    for fmt in (ExportFormat.PARQUET, ExportFormat.JSONL):
        result = run_pipeline(
            GenerationRequest(source=schema, out_dir=tmp_path / fmt.value, rows=50, format=fmt)
        )
        runs[fmt] = result.tables[0].path
    parquet_rows = pq.read_table(runs[ExportFormat.PARQUET]).to_pylist()
    json_rows = [json.loads(line) for line in runs[ExportFormat.JSONL].read_text().splitlines()]

    assert len(parquet_rows) == 50
    for from_parquet, from_json in zip(parquet_rows, json_rows, strict=True):
        assert from_parquet["born"].isoformat() == from_json["born"]
        assert {k: v for k, v in from_parquet.items() if k != "born"} == {
            k: v for k, v in from_json.items() if k != "born"
        }


def test_without_pyarrow_the_command_line_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    # A separate interpreter where ``import pyarrow`` fails as it does when the package is not
    # installed: a module of that name earlier on the path raises ModuleNotFoundError.
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "pyarrow.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'pyarrow'\", name='pyarrow')\n",
        encoding="utf-8",
    )
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"type": "object", "properties": {"n": {"type": "integer"}}}))
    env = {**os.environ, "PYTHONPATH": str(shadow)}
    env.pop("TDGEN_DEBUG", None)

    done = subprocess.run(
        [sys.executable, "-m", "tdgen_desktop", "generate", str(schema), "--format", "parquet",
         "--out", str(tmp_path / "out")],
        capture_output=True, text=True, check=False, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip

    assert done.returncode == 2, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("tdgen: error: "), line
    assert line.endswith(
        "--format parquet needs the optional 'pyarrow' package: "
        "pip install 'tdgen[parquet]' (or pip install pyarrow)"
    )
    assert not (tmp_path / "out").exists()
    # The other formats still work in that interpreter.
    csv_run = subprocess.run(
        [sys.executable, "-m", "tdgen_desktop", "generate", str(schema), "-q", "--out",
         str(tmp_path / "csv")],
        capture_output=True, text=True, check=False, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert csv_run.returncode == 0, csv_run.stderr
