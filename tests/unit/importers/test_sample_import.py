"""Sample import: a schema inferred from CSV / JSON / JSON Lines data, and generated data that
resembles the sample without copying it."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import statistics
from pathlib import Path
from typing import Any

import pytest

from tdgen_desktop.core import ExportFormat, FieldType, SchemaError, SourceFormat
from tdgen_desktop.core.validation import Oracle
from tdgen_desktop.generation.pipeline import GenerationRequest, run_pipeline
from tdgen_desktop.importers import detect_format, load_schema
from tdgen_desktop.importers.sample import DateText


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _generate(path: Path, out: Path, rows: int) -> list[dict[str, Any]]:
    result = run_pipeline(
        GenerationRequest(source=path, out_dir=out, rows=rows, format=ExportFormat.JSONL, seed=5)
    )
    assert result.validation_failures == 0
    made = result.tables[0].path
    return [json.loads(line) for line in made.read_text(encoding="utf-8").splitlines()]


ORDERS_CSV = "order_id,code,placed,status,amount,paid,note\n" + "".join(
    f"{1000 + i},AB-{1000 + i * 7},2024-01-{1 + i % 28:02d},{['new', 'paid', 'sent'][i % 3]},"
    f"{10 + i * 1.25:.2f},{'true' if i % 2 else 'false'},{'' if i % 4 else 'call first'}\n"
    for i in range(40)
)


def test_csv_columns_are_inferred(tmp_path: Path) -> None:
    dataset = load_schema(_write(tmp_path, "orders.csv", ORDERS_CSV))

    assert dataset.format is SourceFormat.SAMPLE
    table = dataset.tables[0]
    assert table.name == "orders"
    order_id = table.field("order_id")
    assert (order_id.type, order_id.unique) == (FieldType.INTEGER, True)
    assert (order_id.constraints.minimum, order_id.constraints.maximum) == (1000, None)
    code = table.field("code")
    assert (code.constraints.pattern, code.unique) == ("^[A-Z]{2}-[0-9]{4}$", True)
    assert table.field("placed").type is FieldType.DATE
    assert table.field("status").constraints.enum == ("new", "paid", "sent")
    amount = table.field("amount").constraints
    assert (amount.minimum, amount.maximum, amount.multiple_of) == (10.0, 58.75, 0.01)
    assert table.field("paid").type is FieldType.BOOLEAN
    note = table.field("note")
    assert note.nullable
    assert note.null_ratio == 0.75


def test_generated_rows_resemble_the_sample_and_never_copy_it(tmp_path: Path) -> None:
    path = _write(tmp_path, "orders.csv", ORDERS_CSV)
    sample = list(csv.DictReader(ORDERS_CSV.splitlines()))
    rows = _generate(path, tmp_path / "out", 400)

    assert {r["status"] for r in rows} == {"new", "paid", "sent"}
    assert all(10 <= r["amount"] <= 58.75 for r in rows)
    assert 0.6 < sum(r["note"] is None for r in rows) / len(rows) < 0.9
    assert len({r["code"] for r in rows}) == len(rows)
    as_text = {tuple(str(v) for v in r.values()) for r in rows}
    assert not as_text & {tuple(r.values()) for r in sample}


DATES = [dt.date(2019, 1, 3) + dt.timedelta(days=17 * i) for i in range(40)]
DATES_CSV = "eu,us,compact,dotted,named\n" + "".join(
    f"{d:%d/%m/%Y},{d.month}/{d.day}/{d.year},{d:%Y%m%d},{d:%d.%m.%Y},{d:%d %b %Y}\n" for d in DATES
)
DATE_FORMATS = {
    "eu": "%d/%m/%Y",
    "us": "%m/%d/%Y",
    "compact": "%Y%m%d",
    "dotted": "%d.%m.%Y",
    "named": "%d %b %Y",
}


def test_dates_in_other_formats_keep_their_format_and_range(tmp_path: Path) -> None:
    path = _write(tmp_path, "dates.csv", DATES_CSV)
    dataset = load_schema(path)
    table = dataset.tables[0]
    for name, fmt in DATE_FORMATS.items():
        check = table.field(name).check
        assert isinstance(check, DateText), name
        assert (check.fmt, check.low, check.high) == (fmt, DATES[0], DATES[-1])
    assert any("column 'us': dates written as MM/DD/YYYY" in n for n in dataset.notices)

    rows = _generate(path, tmp_path / "out", 300)

    for name, fmt in DATE_FORMATS.items():
        days = {dt.datetime.strptime(r[name], fmt).date() for r in rows}  # a real day, or raises
        assert DATES[0] <= min(days), name
        assert max(days) <= DATES[-1], name
        assert len(days) > 100, name  # spread over the range, not a few values
    assert all("/" in r["us"] and not r["us"].startswith("0") for r in rows)  # not padded
    assert all(len(r["eu"]) == 10 for r in rows)  # padded, as in the sample


CODES_CSV = "currency,individual,page\n" + "".join(
    f"{'"978,840"' if i % 10 == 0 else f'{i * 7 % 1000:03d}'},"
    f"N{i % 90 + 1}A{i % 2 + 1},https://example.org/wiki/Q{3 ** (i % 9)}\n"
    for i in range(60)
)


def test_codes_of_a_few_common_shapes_keep_those_shapes(tmp_path: Path) -> None:
    path = _write(tmp_path, "codes.csv", CODES_CSV)
    table = load_schema(path).tables[0]

    currency = table.field("currency").constraints.pattern
    assert currency == "^([0-9]{3}|[0-9]{3},[0-9]{3})$"
    assert table.field("individual").constraints.pattern == (
        "^([A-Z][0-9]{2}[A-Z][0-9]|[A-Z][0-9][A-Z][0-9])$"
    )
    assert table.field("page").constraints.pattern is None  # words: text, not a code
    rows = _generate(path, tmp_path / "out", 200)
    assert all(re.fullmatch(r"[0-9]{3}(,[0-9]{3})?", r["currency"]) for r in rows)
    assert all(re.fullmatch(r"[A-Z][0-9]{1,2}[A-Z][0-9]", r["individual"]) for r in rows)


KINDS_CSV = "contact,homepage,client,note\n" + "".join(
    f"user{i}.x@mail{i % 3}.example.com,https://site{i}.example.org/p/{i},10.0.{i % 7}.{i},"
    f"call {i}\n"
    for i in range(40)
)


def test_semantic_kinds_come_from_the_values_too(tmp_path: Path) -> None:
    path = _write(tmp_path, "people.csv", KINDS_CSV)  # no column is named for its content
    table = load_schema(path).tables[0]

    formats = {f.name: (f.constraints.format, f.kind) for f in table.fields}
    assert formats == {
        "contact": ("email", "email"),
        "homepage": ("uri", "url"),
        "client": ("ipv4", "ipv4"),
        "note": (None, formats["note"][1]),
    }
    assert table.field("contact").unique
    rows = _generate(path, tmp_path / "out", 300)  # validated against the formats on the way
    assert len({r["contact"] for r in rows}) == 300
    assert all(r["homepage"].startswith(("http://", "https://")) for r in rows)


def test_json_and_json_lines_samples(tmp_path: Path) -> None:
    items = [
        {
            "id": i,
            "tags": ["a", "b"][: i % 3],
            "meta": {"k": i},
            "at": f"2024-05-0{1 + i % 9}T10:00:00Z",
        }
        for i in range(12)
    ]
    array = load_schema(_write(tmp_path, "items.json", json.dumps(items))).tables[0]
    lines = load_schema(_write(tmp_path, "items.jsonl", "\n".join(map(json.dumps, items)))).tables[
        0
    ]

    for table in (array, lines):
        assert table.field("tags").type is FieldType.ARRAY
        assert table.field("meta").type is FieldType.OBJECT
        assert table.field("at").type is FieldType.DATETIME
        assert table.field("id").unique


def test_format_detection_by_content(tmp_path: Path) -> None:
    assert detect_format(tmp_path / "x.json", [{"a": 1}]) is SourceFormat.SAMPLE
    assert detect_format(tmp_path / "x.txt", text='{"a": 1}\n{"a": 2}\n') is SourceFormat.SAMPLE
    assert (
        detect_format(tmp_path / "x.txt", text="-- ddl\nCREATE TABLE t (a INT);")
        is SourceFormat.SQL
    )


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("empty.csv", "", "the sample is empty"),
        ("header.csv", "a,b\n", "has a header but no rows"),
        ("ragged.csv", "a,b\n1,2\n3\n", "row 3 has 1 cells but the header has 2 columns"),
        ("twice.csv", "a,a\n1,2\n", "repeats column names: a"),
        ("scalars.jsonl", "1\n2\n", "item 1 is int"),
        ("broken.jsonl", '{"a": 1}\n{"a": \n', "line 2: not valid JSON"),
    ],
)
def test_bad_samples_are_refused_with_a_reason(
    tmp_path: Path, name: str, text: str, problem: str
) -> None:
    with pytest.raises(SchemaError) as caught:
        load_schema(_write(tmp_path, name, text))

    assert name in caught.value.message
    assert problem in caught.value.message


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(SchemaError, match="binary file"):
        load_schema(path)


# ====================================================================== the corpus


@pytest.mark.parametrize("name", ["penguins.csv", "penguins_raw.csv", "country-codes.csv"])
def test_corpus_samples_import_and_generate(corpus: Path, tmp_path: Path, name: str) -> None:
    path = corpus / "csv" / name
    table = load_schema(path).tables[0]
    rows = _generate(path, tmp_path / "out", 150)

    oracle = Oracle(table.schema)
    assert all(oracle.is_valid(r) for r in rows)
    with path.open(encoding="utf-8", newline="") as handle:
        sample = {tuple(r.values()) for r in csv.DictReader(handle)}
    assert not {tuple("" if v is None else str(v) for v in r.values()) for r in rows} & sample


def test_penguins_resemble_the_sample(corpus: Path, tmp_path: Path) -> None:
    path = corpus / "csv" / "penguins.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        sample = list(csv.DictReader(handle))
    rows = _generate(path, tmp_path / "out", 300)

    species = {r["species"] for r in sample}
    assert {r["species"] for r in rows} == species
    masses = [r["body_mass_g"] for r in rows if r["body_mass_g"] is not None]
    known = [int(r["body_mass_g"]) for r in sample if r["body_mass_g"] != "NA"]
    assert min(known) <= min(masses)
    assert max(masses) <= max(known)
    assert abs(statistics.mean(masses) - statistics.mean(known)) < 600
    assert {r["year"] for r in rows} == {2007, 2008, 2009}
    assert all(
        r["bill_length_mm"] is None or round(r["bill_length_mm"], 1) == r["bill_length_mm"]
        for r in rows
    )
