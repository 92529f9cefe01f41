"""CSV and TSV writers: read back with the standard library, values round-trip."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from tdgen_desktop.core import (
    MISSING,
    VALID_LABEL,
    CaseLabel,
    ExportFormat,
    Field,
    RowBatch,
    Table,
)
from tdgen_desktop.exporters import ExportOptions
from tdgen_desktop.exporters.delimited import CsvWriter, TsvWriter


def _expected_cells(row: tuple[Any, ...]) -> list[str]:
    """The cells of a conftest row, spelled out independently of the writer."""
    i, text, score, active, note, tags, meta = row
    return [
        str(i),
        text,
        repr(score),
        "true" if active else "false",
        "" if note is None else note,
        json.dumps(tags, ensure_ascii=False, separators=(",", ":")),
        json.dumps(meta, ensure_ascii=False, separators=(",", ":")),
    ]


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


_TSV_UNESCAPE = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}


def _read_tsv(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8")
    assert text.endswith("\n")
    lines = text[:-1].split("\n")
    return [
        [re.sub(r"\\(.)", lambda m: _TSV_UNESCAPE[m.group(1)], cell) for cell in line.split("\t")]
        for line in lines
    ]


def _write(
    writer_cls: type[CsvWriter | TsvWriter],
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


# ---------------------------------------------------------------------------------------- CSV


def test_csv_round_trips_awkward_values(
    tmp_path: Path, people: Table, columns: list[str], rows: list[Any], batches: list[RowBatch]
) -> None:
    path = _write(CsvWriter, tmp_path / "people.csv", people, columns, batches)

    assert path == tmp_path / "people.csv"
    read = _read_csv(path)
    assert read[0] == columns
    assert read[1:] == [_expected_cells(row) for row in rows]


def test_csv_uses_crlf_and_quotes_only_when_needed(
    tmp_path: Path, people: Table, columns: list[str], batches: list[RowBatch]
) -> None:
    path = _write(CsvWriter, tmp_path / "people.csv", people, columns, batches)
    raw = path.read_bytes()

    assert raw.startswith(b"id,text,score,active,note,tags,meta\r\n")
    assert raw.endswith(b"\r\n")
    # Row 0 (plain text, null note): nothing needs quotes except the JSON cells with quotes.
    assert b'\r\n0,plain,0.25,true,,"[""plain"",0]","{""text"":""plain"",""n"":0}"\r\n' in raw
    # A lone line feed inside a value stays inside a quoted field, not a record end.
    assert b'"line\nbreak"' in raw
    assert b'"comma, inside"' in raw
    assert b'"quote "" inside"' in raw
    assert "emoji 🎉 👩‍💻".encode() in raw
    assert not raw.startswith(b"\xef\xbb\xbf")


def test_csv_cell_conversion(tmp_path: Path) -> None:
    cols = ["missing", "null", "yes", "no", "int", "integral_float", "big_float", "empty", "nested"]
    table = Table("t", fields=[Field(c) for c in cols])
    row = (MISSING, None, True, False, 3, 2.0, 1e20, "", {"a": [1, None, "é"]})
    path = _write(
        CsvWriter,
        tmp_path / "t.csv",
        table,
        cols,
        [RowBatch(table, cols, [row], [VALID_LABEL])],
    )

    assert path.read_bytes().split(b"\r\n")[1] == (
        ',,true,false,3,2.0,1e+20,,"{""a"":[1,null,""é""]}"'.encode()
    )
    assert _read_csv(path)[1] == [
        "",
        "",
        "true",
        "false",
        "3",
        "2.0",
        "1e+20",
        "",
        '{"a":[1,null,"é"]}',
    ]


def test_csv_converts_dates_uuids_decimals_and_bytes(tmp_path: Path) -> None:
    cols = ["date", "datetime", "uuid", "decimal", "bytes"]
    table = Table("t", fields=[Field(c) for c in cols])
    row = (
        dt.date(2024, 2, 29),
        dt.datetime(2024, 2, 29, 23, 59, 58, tzinfo=dt.UTC),
        UUID("12345678-1234-5678-1234-567812345678"),
        Decimal("12.340"),
        b"\x00\xff",
    )
    path = _write(
        CsvWriter, tmp_path / "t.csv", table, cols, [RowBatch(table, cols, [row], [VALID_LABEL])]
    )

    assert _read_csv(path)[1] == [
        "2024-02-29",
        "2024-02-29T23:59:58+00:00",
        "12345678-1234-5678-1234-567812345678",
        "12.340",
        "AP8=",
    ]


def test_csv_label_columns(
    tmp_path: Path, people: Table, columns: list[str], batches: list[RowBatch]
) -> None:
    path = _write(
        CsvWriter,
        tmp_path / "people.csv",
        people,
        columns,
        batches,
        options=ExportOptions(label_columns=True),
    )
    rows = [row for batch in batches for row in batch.rows]
    labels = [label for batch in batches for label in batch.labels]

    read = _read_csv(path)
    assert read[0] == [*columns, "_case", "_rule"]
    assert [r[-2:] for r in read[1:]] == [[lb.case.value, lb.rule or ""] for lb in labels]
    assert ["invalid", "maximum"] in [r[-2:] for r in read[1:]]
    assert [r[:-2] for r in read[1:]] == [_expected_cells(row) for row in rows]


def test_csv_reorders_rows_to_the_writer_columns(tmp_path: Path) -> None:
    table = Table("t", fields=[Field("a"), Field("b"), Field("c")])
    batch = RowBatch(table, ["c", "a"], [("C", "A")], [VALID_LABEL])
    path = _write(CsvWriter, tmp_path / "t.csv", table, ["a", "b", "c"], [batch])

    assert _read_csv(path) == [["a", "b", "c"], ["A", "", "C"]]


# ---------------------------------------------------------------------------------------- TSV


def test_tsv_round_trips_awkward_values(
    tmp_path: Path, people: Table, columns: list[str], rows: list[Any], batches: list[RowBatch]
) -> None:
    path = _write(TsvWriter, tmp_path / "people.tsv", people, columns, batches)

    read = _read_tsv(path)
    assert read[0] == columns
    assert read[1:] == [_expected_cells(row) for row in rows]


def test_tsv_escapes_tabs_newlines_and_backslashes(tmp_path: Path) -> None:
    table = Table("t", fields=[Field("a"), Field("b")])
    batch = RowBatch(table, ["a", "b"], [("x\ty\nz\r\\", "plain")], [VALID_LABEL])
    path = _write(TsvWriter, tmp_path / "t.tsv", table, ["a", "b"], [batch])

    assert path.read_bytes() == b"a\tb\nx\\ty\\nz\\r\\\\\tplain\n"


def test_tsv_escapes_header_names_and_label_columns(tmp_path: Path) -> None:
    table = Table("t", fields=[Field("odd\tname")])
    label = CaseLabel(VALID_LABEL.case, rule="rule\twith tab")
    batch = RowBatch(table, ["odd\tname"], [(None,)], [label])
    path = _write(
        TsvWriter,
        tmp_path / "t.tsv",
        table,
        ["odd\tname"],
        [batch],
        options=ExportOptions(label_columns=True),
    )

    assert path.read_bytes() == b"odd\\tname\t_case\t_rule\n\tvalid\trule\\twith tab\n"


# ---------------------------------------------------------------------------------------- both


@pytest.mark.parametrize("writer_cls", [CsvWriter, TsvWriter])
def test_writer_class_attributes(writer_cls: type[CsvWriter | TsvWriter]) -> None:
    expected = {CsvWriter: (ExportFormat.CSV, "csv"), TsvWriter: (ExportFormat.TSV, "tsv")}
    assert (writer_cls.format, writer_cls.extension) == expected[writer_cls]


@pytest.mark.parametrize("writer_cls", [CsvWriter, TsvWriter])
def test_header_only_when_no_rows(
    tmp_path: Path, writer_cls: type[CsvWriter | TsvWriter], people: Table, columns: list[str]
) -> None:
    path = _write(writer_cls, tmp_path / f"p.{writer_cls.extension}", people, columns, [])

    sep, end = (",", "\r\n") if writer_cls is CsvWriter else ("\t", "\n")
    assert path.read_bytes().decode("utf-8") == sep.join(columns) + end


@pytest.mark.parametrize("writer_cls", [CsvWriter, TsvWriter])
def test_rows_written_counts_rows(
    tmp_path: Path,
    writer_cls: type[CsvWriter | TsvWriter],
    batches: list[RowBatch],
) -> None:
    first = batches[0]
    with writer_cls(tmp_path / "p", first.table, first.columns, ExportOptions()) as writer:
        for batch in batches:
            writer.write(batch)
        assert writer.rows_written == sum(len(batch) for batch in batches) > 0
