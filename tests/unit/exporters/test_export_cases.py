"""The ``<table>.cases.jsonl`` labels file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tdgen_desktop.core import (
    VALID_LABEL,
    CaseKind,
    CaseLabel,
    Expectation,
    Field,
    RowBatch,
    Table,
)
from tdgen_desktop.exporters import CasesWriter

_TABLE = Table("people", fields=[Field("age")])


def _batch(labels: list[CaseLabel], start: int) -> RowBatch:
    return RowBatch(_TABLE, ["age"], [(n,) for n in range(len(labels))], labels, start=start)


def test_two_rows_exact_bytes(tmp_path: Path) -> None:
    invalid = CaseLabel(
        CaseKind.INVALID,
        field="age",
        rule="maximum",
        expect=Expectation.REJECT,
        description="age = 121, above maximum 120 ≠ ok",
    )
    with CasesWriter(tmp_path / "people.cases.jsonl") as writer:
        writer.write(_batch([VALID_LABEL], start=0))
        writer.write(_batch([invalid], start=1))

    assert (tmp_path / "people.cases.jsonl").read_bytes() == (
        b'{"row": 0, "case": "valid", "field": null, "rule": null, "expect": "accept"}\n'
        b'{"row": 1, "case": "invalid", "field": "age", "rule": "maximum", "expect": "reject", '
        b'"description": "age = 121, above maximum 120 \xe2\x89\xa0 ok"}\n'
    )


def test_row_numbers_follow_batch_start(tmp_path: Path) -> None:
    boundary = CaseLabel(CaseKind.BOUNDARY, field="age", rule="minimum")
    writer = CasesWriter(tmp_path / "t.cases.jsonl")
    writer.write(_batch([VALID_LABEL, boundary, VALID_LABEL], start=100))
    writer.write(_batch([], start=103))
    writer.write(_batch([boundary, boundary], start=103))
    path = writer.commit()

    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["row"] for r in records] == [100, 101, 102, 103, 104]
    assert [r["case"] for r in records] == ["valid", "boundary", "valid", "boundary", "boundary"]
    assert records[1] == boundary.as_record(101)


def test_labels_must_match_rows(tmp_path: Path) -> None:
    batch = RowBatch(_TABLE, ["age"], [(1,), (2,)], [VALID_LABEL], start=0)

    with (
        pytest.raises(ValueError, match="1 labels for 2 rows"),
        CasesWriter(tmp_path / "t.cases.jsonl") as writer,
    ):
        writer.write(batch)
    assert list(tmp_path.iterdir()) == []


def test_no_rows_gives_an_empty_file(tmp_path: Path) -> None:
    with CasesWriter(tmp_path / "t.cases.jsonl"):
        pass

    assert (tmp_path / "t.cases.jsonl").read_bytes() == b""
