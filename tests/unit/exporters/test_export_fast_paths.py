"""The writers' column-at-a-time paths write exactly what the row-at-a-time ones do."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tdgen_desktop.core import VALID_LABEL, CaseKind, CaseLabel, Expectation, RowBatch, Table
from tdgen_desktop.core.model import MISSING
from tdgen_desktop.exporters import CasesWriter
from tdgen_desktop.exporters.base import ExportOptions
from tdgen_desktop.exporters.delimited import CsvWriter, TsvWriter, _row_cells, _text_columns

_CELL = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["=1+2", "+31 20", "-5", "@home", "\tx", "\rx", "ok", "a,b", 'q"q', "a\nb"]),
    st.text(alphabet=',"\r\n\x00ab=-', max_size=5),
    st.none(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.just(MISSING),
    st.lists(st.integers(), max_size=2),
    st.dates(),
)
_COLUMN_KIND = st.sampled_from(["text", "mixed", "numbers", "nullable text", "any"])
_INVALID = CaseLabel(CaseKind.INVALID, field="a", rule="maximum", expect=Expectation.REJECT)
_BOUNDARY = CaseLabel(CaseKind.BOUNDARY, field="a", rule="minimum")


def _column(kind: str, n: int) -> st.SearchStrategy[list[Any]]:
    value = {
        "text": st.text(max_size=6) | st.sampled_from(["=x", "-1", "+2"]),
        "numbers": st.integers(-99, 99) | st.floats(allow_nan=False) | st.none(),
        "nullable text": st.none() | st.text(max_size=4) | st.just("@x"),
        "mixed": st.text(max_size=3) | st.integers() | st.none(),
        "any": _CELL,
    }[kind]
    return st.lists(value, min_size=n, max_size=n)


@st.composite
def _batches(draw: st.DrawFn) -> tuple[list[tuple[Any, ...]], list[CaseLabel]]:
    n = draw(st.integers(1, 6))
    kinds = draw(st.lists(_COLUMN_KIND, min_size=1, max_size=4))
    columns = [draw(_column(kind, n)) for kind in kinds]
    labels = draw(
        st.one_of(
            st.just([VALID_LABEL] * n),
            st.lists(st.sampled_from([VALID_LABEL, _BOUNDARY, _INVALID]), min_size=n, max_size=n),
        )
    )
    return list(zip(*columns, strict=True)), labels


class _Options:
    def __init__(self, options: ExportOptions) -> None:
        self.options = options


@settings(max_examples=300, deadline=None, derandomize=True)
@given(batch=_batches(), guard=st.booleans(), labelled=st.booleans())
def test_text_columns_equal_row_cells(
    batch: tuple[list[tuple[Any, ...]], list[CaseLabel]], guard: bool, labelled: bool
) -> None:
    rows, labels = batch
    writer: Any = _Options(ExportOptions(label_columns=labelled, formula_guard=guard))
    expected = _row_cells(rows, labels, writer)
    columns = _text_columns(rows, labels, writer)
    if columns is None:  # rows the guard skips: the writers take the row-wise path
        assert guard
        assert any(label.case is CaseKind.INVALID for label in labels)
        return
    assert [list(r) for r in zip(*columns, strict=True)] == expected


@settings(max_examples=300, deadline=None, derandomize=True)
@given(batch=_batches(), guard=st.booleans(), labelled=st.booleans())
def test_csv_files_equal_csv_writer_output(
    tmp_path_factory: pytest.TempPathFactory,
    batch: tuple[list[tuple[Any, ...]], list[CaseLabel]],
    guard: bool,
    labelled: bool,
) -> None:
    import csv  # noqa: PLC0415
    import io  # noqa: PLC0415

    from tdgen_desktop.core import Field, FieldType  # noqa: PLC0415

    rows, labels = batch
    names = [f"c{i}" for i in range(len(rows[0]))]
    table = Table("t", [Field(name, FieldType.ANY) for name in names])
    options = ExportOptions(label_columns=labelled, formula_guard=guard)
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    with CsvWriter(path, table, names, options) as writer:
        writer.write(RowBatch(table, names, rows, labels))
    expected = io.StringIO()
    reference = csv.writer(expected, lineterminator="\r\n")
    reference.writerow(names + (["_case", "_rule"] if labelled else []))
    reference.writerows(_row_cells(rows, labels, _Options(options)))  # type: ignore[arg-type]
    assert path.read_bytes().decode("utf-8") == expected.getvalue()


def _table() -> Table:
    from tdgen_desktop.core import Field, FieldType  # noqa: PLC0415

    return Table("t", [Field("a", FieldType.STRING), Field("b", FieldType.NUMBER)])


def test_csv_and_tsv_files_from_the_column_path(tmp_path: Path) -> None:
    table = _table()
    rows: list[tuple[Any, ...]] = [("=SUM(A1)", 1.5), ("plain", None), ("-x", 10**20), ("a,b", 0.1)]
    for cls, name in ((CsvWriter, "t.csv"), (TsvWriter, "t.tsv")):
        with cls(tmp_path / name, table, ["a", "b"]) as writer:
            writer.write(RowBatch(table, ["a", "b"], rows, [VALID_LABEL] * 4))
    assert (tmp_path / "t.csv").read_bytes() == (
        b"a,b\r\n'=SUM(A1),1.5\r\nplain,\r\n'-x,100000000000000000000\r\n\"a,b\",0.1\r\n"
    )
    assert (tmp_path / "t.tsv").read_text(encoding="utf-8") == (
        "a\tb\n'=SUM(A1)\t1.5\nplain\t\n'-x\t100000000000000000000\na,b\t0.1\n"
    )


def test_cases_lines_from_label_templates(tmp_path: Path) -> None:
    table = _table()
    described = CaseLabel(CaseKind.BOUNDARY, "b", "maximum", description='b = 9, "max"')
    labels = [VALID_LABEL, VALID_LABEL, described, _INVALID, VALID_LABEL]
    with CasesWriter(tmp_path / "t.cases.jsonl") as cases:
        cases.write(RowBatch(table, ["a", "b"], [("x", 1)] * 2, [VALID_LABEL] * 2, 0))
        cases.write(RowBatch(table, ["a", "b"], [("x", 1)] * 5, labels, 2))
    import json  # noqa: PLC0415

    lines = (tmp_path / "t.cases.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        label.as_record(i) for i, label in enumerate([VALID_LABEL] * 2 + labels)
    ]
    assert (
        lines[0] == '{"row": 0, "case": "valid", "field": null, "rule": null, "expect": "accept"}'
    )


_SQL_TEXT = st.text(max_size=6) | st.sampled_from(
    ["it's", "back\\slash", "nul\x00", "cr\r", "tab\t"]
)
_JSON_CELL = st.one_of(
    _SQL_TEXT,
    st.text(max_size=6),
    st.integers(-(10**20), 10**20),
    st.sampled_from([10**400, -(10**400), 2**63]),
    st.floats(),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)


@st.composite
def _typed_rows(draw: st.DrawFn, cell: st.SearchStrategy[Any]) -> list[tuple[Any, ...]]:
    n = draw(st.integers(1, 5))
    width = draw(st.integers(1, 4))
    plain = [st.text(max_size=5), _SQL_TEXT, st.integers(), st.floats(allow_nan=False), cell, _ISO]
    strategies = [draw(st.sampled_from(plain)) for _ in range(width)]
    columns = [draw(st.lists(s, min_size=n, max_size=n)) for s in strategies]
    return list(zip(*columns, strict=True))


def _wide_table(width: int) -> Table:
    from tdgen_desktop.core import Field, FieldType  # noqa: PLC0415

    names = ["a", "b%s", 'c"', "d"][:width]
    return Table("t", [Field(name, FieldType.ANY) for name in names])


@settings(max_examples=200, deadline=None, derandomize=True)
@given(rows=_typed_rows(_JSON_CELL))
def test_jsonl_column_path_equals_encoding_each_object(rows: list[tuple[Any, ...]]) -> None:
    from tdgen_desktop.exporters.jsonfmt import JsonlWriter, _encoder  # noqa: PLC0415

    table = _wide_table(len(rows[0]))
    columns = [f.name for f in table.fields]
    import tempfile  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.jsonl"
        with JsonlWriter(path, table, columns) as writer:
            writer.write(RowBatch(table, columns, rows, [VALID_LABEL] * len(rows)))
        text = path.read_text(encoding="utf-8")
    encode = _encoder(None).encode
    assert text == "".join(encode(dict(zip(columns, r, strict=True))) + "\n" for r in rows)


_ISO = st.one_of(
    st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2100, 1, 1)).map(
        lambda t: t.replace(microsecond=0).isoformat() + "Z"
    ),
    st.times().map(lambda t: t.replace(microsecond=0).isoformat() + "Z"),
    st.sampled_from(["2024-01-01T10:00:00+02:00", "10:00:00", "2024-01-01", "T1Z"]),
)
_SQL_CELL = st.one_of(_JSON_CELL, _ISO, st.booleans(), st.none())


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    rows=_typed_rows(_SQL_CELL),
    dialect=st.sampled_from(["sqlite", "postgres", "mysql"]),
    kinds=st.lists(
        st.sampled_from(["any", "datetime", "time", "date", "string", "boolean", "binary"]),
        min_size=4,
        max_size=4,
    ),
)
def test_sql_column_literals_equal_each_value_literal(
    rows: list[tuple[Any, ...]], dialect: str, kinds: list[str]
) -> None:
    from tdgen_desktop.core import Dialect, Field, FieldType  # noqa: PLC0415
    from tdgen_desktop.exporters.sql import SqlWriter  # noqa: PLC0415

    names = [f"c{i}" for i in range(len(rows[0]))]
    table = Table("t", [Field(n, FieldType(k)) for n, k in zip(names, kinds, strict=False)])
    import tempfile  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        options = ExportOptions(dialect=Dialect(dialect))
        writer = SqlWriter(Path(tmp) / "t.sql", table, names, options)
        try:
            assert writer._column_values(rows) == [writer._values(row) for row in rows]
        finally:
            writer.abort()
