"""Shared test data for the exporters: a table with awkward values and its rows in two batches."""

from __future__ import annotations

from typing import Any

import pytest

from tdgen_desktop.core import (
    VALID_LABEL,
    CaseKind,
    CaseLabel,
    Expectation,
    Field,
    FieldType,
    RowBatch,
    Table,
)

AWKWARD_TEXTS = [
    "plain",
    "comma, inside",
    'quote " inside',
    '"fully quoted"',
    "line\nbreak",
    "crlf\r\nbreak",
    "cr\ronly",
    "tab\tinside",
    "back\\slash",
    "literal \\n and \\t",
    "ünïcødé ß",
    "emoji 🎉 👩‍💻",
    "עברית RTL",
    "",
    "  padded  ",
    "NULL",
    "\\N",
    "semi;colon|pipe",
]

COLUMNS = ["id", "text", "score", "active", "note", "tags", "meta"]

INVALID_LABEL = CaseLabel(
    CaseKind.INVALID, field="score", rule="maximum", expect=Expectation.REJECT
)


def make_row(i: int, text: str) -> tuple[Any, ...]:
    """Row ``i`` of the people table: every column type, ``note`` null on every third row."""
    return (
        i,
        text,
        i + 0.25,
        i % 2 == 0,
        None if i % 3 == 0 else text,
        [text, i],
        {"text": text, "n": i},
    )


def label_for(i: int) -> CaseLabel:
    """Valid labels, with every fourth row invalid."""
    return INVALID_LABEL if i % 4 == 1 else VALID_LABEL


@pytest.fixture
def people() -> Table:
    return Table(
        "people",
        fields=[
            Field("id", FieldType.INTEGER),
            Field("text", FieldType.STRING),
            Field("score", FieldType.NUMBER),
            Field("active", FieldType.BOOLEAN),
            Field("note", FieldType.STRING, nullable=True),
            Field("tags", FieldType.ARRAY),
            Field("meta", FieldType.OBJECT),
        ],
    )


@pytest.fixture
def rows() -> list[tuple[Any, ...]]:
    return [make_row(i, text) for i, text in enumerate(AWKWARD_TEXTS)]


@pytest.fixture
def labels(rows: list[tuple[Any, ...]]) -> list[CaseLabel]:
    return [label_for(i) for i in range(len(rows))]


@pytest.fixture
def columns() -> list[str]:
    return list(COLUMNS)


@pytest.fixture
def batches(people: Table, rows: list[tuple[Any, ...]], labels: list[CaseLabel]) -> list[RowBatch]:
    """The rows split into two batches, with labels and row numbers."""
    half = len(rows) // 2
    return [
        RowBatch(people, COLUMNS, rows[:half], labels[:half], start=0),
        RowBatch(people, COLUMNS, rows[half:], labels[half:], start=half),
    ]
