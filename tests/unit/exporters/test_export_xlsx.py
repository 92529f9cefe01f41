"""Excel output: one typed sheet per table, styled header, read back from the workbook's XML.

The XML parsed here is the test's own output, not untrusted input (hence ``noqa: S314``).
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from tdgen_desktop.core import (
    CaseKind,
    Constraints,
    Expectation,
    ExportFormat,
    Field,
    FieldType,
    Table,
)
from tdgen_desktop.core.rows import VALID_LABEL, CaseLabel, RowBatch
from tdgen_desktop.exporters import ExportOptions, writer_for
from tdgen_desktop.exporters.xlsx import XlsxWriter, sheet_name
from tdgen_desktop.generation.pipeline import GenerationRequest, run_pipeline

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _cells(path: Path) -> tuple[str, list[list[tuple[str, str]]], str]:
    """Sheet name, rows of (cell type, text) and the raw sheet XML of a one-sheet workbook."""
    with zipfile.ZipFile(path) as archive:
        book = ET.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
        name = book.find("m:sheets/m:sheet", _NS).get("name")  # type: ignore[union-attr]
        shared: list[str] = []
        if "xl/sharedStrings.xml" in archive.namelist():
            strings = ET.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314
            shared = ["".join(t.itertext()) for t in strings.findall("m:si", _NS)]
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    rows = []
    for row in ET.fromstring(xml).findall("m:sheetData/m:row", _NS):  # noqa: S314
        cells = []
        for cell in row.findall("m:c", _NS):
            kind = cell.get("t", "n")
            if kind == "s":
                text = shared[int(cell.findtext("m:v", "", _NS))]
            elif kind == "inlineStr":
                text = "".join(cell.find("m:is", _NS).itertext())  # type: ignore[union-attr]
            else:
                text = cell.findtext("m:v", "", _NS)
            cells.append((kind, text))
        rows.append(cells)
    return name, rows, xml


def _table() -> Table:
    return Table(
        name="orders/2024",
        fields=[
            Field("id", FieldType.INTEGER),
            Field("name", FieldType.STRING, nullable=True),
            Field("paid", FieldType.BOOLEAN),
            Field("day", FieldType.DATE),
            Field("at", FieldType.DATETIME),
            Field("price", FieldType.NUMBER, constraints=Constraints(multiple_of=0.01)),
            Field("tags", FieldType.ARRAY),
            Field("big", FieldType.INTEGER),
        ],
    )


def _write(
    tmp_path: Path,
    rows: list[tuple[Any, ...]],
    labels: list[CaseLabel] | None = None,
    **options: Any,
) -> Path:
    table = _table()
    path = tmp_path / "orders.xlsx"
    batch = RowBatch(table, table.columns, rows, labels or [VALID_LABEL] * len(rows))
    with XlsxWriter(path, table, table.columns, ExportOptions(**options)) as writer:
        writer.write(batch)
    return path


ROWS = [
    (1, "=SUM(A1)", True, "2024-02-29", "2024-02-29T23:59:58Z", 12.5, ["a", 1], 2**60),
    (2, None, False, "2024-03-01", "2024-03-01T00:00:00Z", 0.07, [], 7),
]


def test_cells_keep_their_types(tmp_path: Path) -> None:
    name, rows, xml = _cells(_write(tmp_path, ROWS))

    assert name == "orders_2024"
    assert [text for _, text in rows[0]] == [
        "id",
        "name",
        "paid",
        "day",
        "at",
        "price",
        "tags",
        "big",
    ]
    first = rows[1]
    assert first[0] == ("n", "1")
    assert first[1][1] == "=SUM(A1)"  # text, never a formula
    assert first[1][0] in {"s", "inlineStr", "str"}
    assert first[2] == ("b", "1")
    assert first[3] == ("n", "45351")  # 2024-02-29 as an Excel date serial
    assert float(first[4][1]) == pytest.approx(45351.99997685185)
    assert first[5] == ("n", "12.5")
    assert first[6][1] == '["a",1]'
    assert first[7][1] == str(2**60)  # beyond a double's integers: text
    assert len(rows[2]) == 7  # the null name is an empty cell, left out of the XML
    assert '<pane ySplit="1"' in xml
    assert "<autoFilter" in xml


def test_the_header_is_styled(tmp_path: Path) -> None:
    path = _write(tmp_path, ROWS)
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("xl/styles.xml").decode("utf-8")
    assert "<b/>" in styles
    assert re.search(r'rgb="FFDDE7F0"', styles)


def test_label_columns(tmp_path: Path) -> None:
    labels = [VALID_LABEL, CaseLabel(CaseKind.INVALID, "id", "minimum", Expectation.REJECT)]
    _, rows, _ = _cells(_write(tmp_path, ROWS, labels, label_columns=True))

    assert [text for _, text in rows[0]][-2:] == ["_case", "_rule"]
    assert [text for _, text in rows[2]][-2:] == ["invalid", "minimum"]


def test_sheet_names_are_made_valid() -> None:
    assert sheet_name("a[b]:c*d?e/f\\g") == "a_b__c_d_e_f_g"
    assert len(sheet_name("x" * 50)) == 31


def test_registered_and_used_by_the_pipeline(tmp_path: Path) -> None:
    ddl = tmp_path / "shop.sql"
    ddl.write_text(
        "CREATE TABLE customer (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL);\n"
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL "
        "REFERENCES customer (id), placed DATE NOT NULL, total DECIMAL(7,2) NOT NULL);\n",
        encoding="utf-8",
    )
    assert writer_for(ExportFormat.XLSX) is XlsxWriter
    result = run_pipeline(
        GenerationRequest(source=ddl, out_dir=tmp_path / "out", rows=5, format=ExportFormat.XLSX)
    )

    assert [t.path.name for t in result.tables] == ["customer.xlsx", "orders.xlsx"]
    _, rows, _ = _cells(result.tables[1].path)
    assert len(rows) == 1 + 15
    customers = {int(float(r[0][1])) for r in _cells(result.tables[0].path)[1][1:]}
    assert {int(float(r[1][1])) for r in rows[1:]} <= customers
    assert all(kind == "n" for kind, _ in rows[1][:4] if kind != "s")


def _sheets(path: Path) -> list[tuple[str, list[list[str]]]]:
    """Every sheet of a workbook: its name and its rows of cell texts."""
    with zipfile.ZipFile(path) as archive:
        book = ET.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
        names = [s.get("name", "") for s in book.findall("m:sheets/m:sheet", _NS)]
        shared: list[str] = []
        if "xl/sharedStrings.xml" in archive.namelist():
            strings = ET.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314
            shared = ["".join(t.itertext()) for t in strings.findall("m:si", _NS)]
        sheets = []
        for number, name in enumerate(names, start=1):
            xml = archive.read(f"xl/worksheets/sheet{number}.xml")
            rows = []
            for row in ET.fromstring(xml).findall("m:sheetData/m:row", _NS):  # noqa: S314
                texts = []
                for cell in row.findall("m:c", _NS):
                    if cell.get("t") == "s":
                        texts.append(shared[int(cell.findtext("m:v", "", _NS))])
                    elif cell.get("t") == "inlineStr":
                        texts.append("".join(cell.find("m:is", _NS).itertext()))  # type: ignore[union-attr]
                    else:
                        texts.append(cell.findtext("m:v", "", _NS))
                rows.append(texts)
            sheets.append((name, rows))
    return sheets


def test_one_file_is_one_workbook_with_a_sheet_per_table(tmp_path: Path) -> None:
    """``--one-file`` with XLSX: the tables' sheets, in insert order, hold exactly what the
    workbooks of a run with one file per table hold."""
    shop = Path(__file__).resolve().parents[3] / "resources" / "examples" / "shop.sql"
    base = GenerationRequest(
        source=shop, out_dir=tmp_path / "each", rows=6, format=ExportFormat.XLSX, seed=3
    )
    each = run_pipeline(base)
    one = run_pipeline(dataclasses.replace(base, out_dir=tmp_path / "one", one_file=True))

    assert sorted(p.name for p in (tmp_path / "one").glob("*.xlsx")) == ["shop.xlsx"]
    assert {t.path for t in one.tables} == {tmp_path / "one" / "shop.xlsx"}
    sheets = _sheets(tmp_path / "one" / "shop.xlsx")
    assert [name for name, _ in sheets] == [t.table for t in each.tables]
    for (name, rows), table in zip(sheets, each.tables, strict=True):
        assert len(rows) == table.rows + 1, name  # the header and every row
        assert rows == _sheets(table.path)[0][1], name


def test_sheet_names_that_clash_after_cutting_get_a_number(tmp_path: Path) -> None:
    long_a = Table(name="a" * 40 + "_first", fields=[Field("id", FieldType.INTEGER)])
    long_b = Table(name="a" * 40 + "_second", fields=[Field("id", FieldType.INTEGER)])
    path = tmp_path / "book.xlsx"
    with XlsxWriter(path, long_a, ["id"]) as writer:
        writer.write(RowBatch(long_a, ["id"], [(1,)], [VALID_LABEL]))
        writer.next_sheet(long_b, ["id"])
        writer.write(RowBatch(long_b, ["id"], [(2,), (3,)], [VALID_LABEL] * 2))

    sheets = _sheets(path)
    assert [name for name, _ in sheets] == ["a" * 31, "a" * 27 + " (2)"]
    assert [len(rows) for _, rows in sheets] == [2, 3]
