"""Rows in flight: batches of generated rows with their case labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tdgen_desktop.core.enums import CaseKind, Expectation
from tdgen_desktop.core.model import Table

__all__ = [
    "VALID_LABEL",
    "CaseLabel",
    "RowBatch",
    "changed_columns",
    "mark_column",
    "mark_inside",
    "same_value",
]


@dataclass(slots=True, frozen=True)
class CaseLabel:
    """What one row tests: case kind, the field and rule it exercises, the expected outcome.

    ``description`` says it in words, e.g. ``age = 121, above maximum 120``.
    """

    case: CaseKind
    field: str | None = None
    rule: str | None = None
    expect: Expectation = Expectation.ACCEPT
    description: str = ""

    def as_record(self, row: int) -> dict[str, Any]:
        """The JSON object written to ``<table>.cases.jsonl`` for row number ``row``."""
        record: dict[str, Any] = {
            "row": row,
            "case": self.case.value,
            "field": self.field,
            "rule": self.rule,
            "expect": self.expect.value,
        }
        if self.description:
            record["description"] = self.description
        return record


VALID_LABEL = CaseLabel(CaseKind.VALID)
"""The label of an ordinary valid row."""


@dataclass(slots=True)
class RowBatch:
    """A chunk of rows of one table, in output order.

    Attributes:
        table: the table the rows belong to.
        columns: the column names each row tuple is aligned with.
        rows: one tuple per row; a value may be ``MISSING`` (property absent).
        labels: one label per row.
        start: the row number of the first row in the whole output.
        extras: per row, properties beyond the table's columns (an ``additionalProperties``
            case), or None; formats that cannot carry them leave them out.
        ai_fields: per row, the columns whose value came from the AI (None: none), or None
            when no row of the batch has one; a nested property is named by its path
            (``details.description``; ``items[].description`` in the elements of an array).
            Only valid rows of the AI providers have them.
    """

    table: Table
    columns: list[str]
    rows: list[tuple[Any, ...]]
    labels: list[CaseLabel]
    start: int = 0
    extras: list[dict[str, Any] | None] | None = None
    ai_fields: list[tuple[str, ...] | None] | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def forget_changed_ai(self, before: list[tuple[Any, ...]]) -> None:
        """Drop AI marks of cells changed since ``before`` (the rows as they were marked)."""
        if self.ai_fields is None:
            return
        index = {name: i for i, name in enumerate(self.columns)}
        for i, names in enumerate(self.ai_fields):
            if names and self.rows[i] is not before[i]:
                row, old = self.rows[i], before[i]
                at = [index[mark_column(self.columns, n)] for n in names]
                kept = tuple(
                    n for n, j in zip(names, at, strict=True) if same_value(row[j], old[j])
                )
                self.ai_fields[i] = kept or None
        if not any(self.ai_fields):
            self.ai_fields = None


def same_value(a: Any, b: Any) -> bool:
    """Whether two cell values are the same value of the same type (``True`` is not ``1``)."""
    return a is b or (type(a) is type(b) and bool(a == b))


def mark_column(columns: list[str], mark: str) -> str:
    """The column an AI mark belongs to: the column itself, or the object or array column of a
    nested property's path (``details.description`` → ``details``, ``items[].description`` →
    ``items``)."""
    if mark in columns:
        return mark
    owners = [c for c in columns if mark_inside(c, mark)]
    return max(owners, key=len) if owners else mark


def mark_inside(column: str, mark: str) -> bool:
    """Whether ``mark`` names a property inside column ``column``: of its object
    (``details.description``) or of its array's elements (``items[].description``)."""
    return mark.startswith((column + ".", column + "[]"))


def changed_columns(
    columns: list[str], before: tuple[Any, ...], after: tuple[Any, ...]
) -> tuple[str, ...] | None:
    """The columns whose value differs between two versions of a row (None: none)."""
    names = tuple(
        name
        for name, old, new in zip(columns, before, after, strict=True)
        if not same_value(old, new)
    )
    return names or None
