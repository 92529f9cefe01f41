"""Sample vs generated: how closely rows made from an imported sample resemble the sample.

:func:`compare_sample` imports a sample, generates as many valid rows in memory (nothing is
written) and profiles every column of both the same way — the values are read as text cells, so
the sample's CSV strings and the generated values meet on equal terms: the type the values look
like, the share of nulls, the number of distinct values, the smallest and largest value (numbers
and dates) or length (text), and the most frequent values of columns with a value list.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tdgen_desktop.core.enums import FieldType
from tdgen_desktop.core.model import MISSING, Dataset, Table

__all__ = ["ColumnProfile", "ColumnReport", "SampleReport", "compare_sample", "profile_column"]

TOP_VALUES = 5
"""How many of the most frequent values a profile lists."""


@dataclass(slots=True)
class ColumnProfile:
    """What one column's values look like.

    Attributes:
        type: the type every non-null value fits (``integer``, ``number``, ``date``, ``text`` …).
        rows: number of values, nulls included.
        null_ratio: share of nulls.
        distinct: number of distinct non-null values.
        low: the smallest value (numbers, dates) or length (text); ``None`` for no values.
        high: the largest value or length.
        top: the most frequent values with their share of the non-null values.
    """

    type: str
    rows: int
    null_ratio: float
    distinct: int
    low: Any = None
    high: Any = None
    top: list[tuple[str, float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON object for ``inspect --compare --json``."""
        return {
            "type": self.type,
            "rows": self.rows,
            "null_ratio": round(self.null_ratio, 4),
            "distinct": self.distinct,
            "min": self.low,
            "max": self.high,
            "top": [{"value": v, "share": round(s, 4)} for v, s in self.top],
        }


@dataclass(slots=True)
class ColumnReport:
    """One column of the sample next to the same column of the generated rows."""

    name: str
    sample: ColumnProfile
    generated: ColumnProfile


@dataclass(slots=True)
class SampleReport:
    """The side-by-side profile of a sample and of rows generated from it."""

    source: Path
    table: str
    seed: int
    columns: list[ColumnReport]
    copied_rows: int
    """Generated rows equal to a sample row (cell for cell, as text)."""

    def as_dict(self) -> dict[str, Any]:
        """A JSON object for ``inspect --compare --json``."""
        return {
            "source": str(self.source),
            "table": self.table,
            "seed": self.seed,
            "sample_rows": self.columns[0].sample.rows if self.columns else 0,
            "generated_rows": self.columns[0].generated.rows if self.columns else 0,
            "copied_rows": self.copied_rows,
            "columns": [
                {"name": c.name, "sample": c.sample.as_dict(), "generated": c.generated.as_dict()}
                for c in self.columns
            ],
        }

    def text(self) -> str:
        """The report as aligned text, sample and generated side by side."""
        first = self.columns[0] if self.columns else None
        lines = [
            f"{self.source.name} — sample vs generated (table {self.table}, seed {self.seed}): "
            f"{first.sample.rows if first else 0:,} sample rows, "
            f"{first.generated.rows if first else 0:,} generated rows, "
            f"{self.copied_rows} generated row(s) equal to a sample row",
            f"  {'column':<26} {'':<9} {'type':<9} {'nulls':>6} {'distinct':>8}  "
            f"{'min':>12} {'max':>12}  top values",
        ]
        for column in self.columns:
            for label, p in (("sample", column.sample), ("generated", column.generated)):
                name = column.name if label == "sample" else ""
                top = ", ".join(f"{v} {s:.0%}" for v, s in p.top)
                lines.append(
                    f"  {name:<26} {label:<9} {p.type:<9} {p.null_ratio:>6.1%} {p.distinct:>8}  "
                    f"{_short(p.low):>12} {_short(p.high):>12}  {top}".rstrip()
                )
        return "\n".join(lines)


def _short(value: Any) -> str:
    if value is None:
        return "-"
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text if len(text) <= 12 else text[:11] + "…"


def compare_sample(path: str | Path, *, seed: int = 0, rows: int | None = None) -> SampleReport:
    """Import a sample, generate rows from it in memory and profile both side by side.

    Args:
        path: a CSV/TSV, JSON or JSON Lines sample.
        seed: the generation seed.
        rows: how many rows to generate (default: as many as the sample has).

    Raises:
        SchemaError: the file is not a readable sample (or not a sample at all).
    """
    from tdgen_desktop.core.enums import SourceFormat  # noqa: PLC0415
    from tdgen_desktop.core.errors import SchemaError  # noqa: PLC0415
    from tdgen_desktop.importers import load_schema, read_text  # noqa: PLC0415
    from tdgen_desktop.importers.sample import read_sample  # noqa: PLC0415

    source = Path(path)
    dataset = load_schema(source)
    if dataset.format is not SourceFormat.SAMPLE:
        raise SchemaError(
            f"--compare needs a sample (CSV, TSV, JSON array or JSON Lines of rows), not "
            f"{dataset.format.value}",
            file=source,
        )
    names, sample_rows = read_sample(source, read_text(source))
    table = dataset.tables[0]
    count = len(sample_rows) if rows is None else rows
    generated = _generate(dataset, table, count, seed)
    columns = []
    for index, name in enumerate(names):
        columns.append(
            ColumnReport(
                name,
                profile_column([row[index] for row in sample_rows]),
                profile_column([row[index] for row in generated]),
            )
        )
    sample_set = {tuple(_cell(v) for v in row) for row in sample_rows}
    copied = sum(tuple(_cell(v) for v in row) in sample_set for row in generated)
    return SampleReport(source, table.name, seed, columns, copied)


def _generate(dataset: Dataset, table: Table, rows: int, seed: int) -> list[list[Any]]:
    """``rows`` valid rows of ``table`` in the column order of ``table.fields``."""
    from tdgen_desktop.generation.null import NullProvider  # noqa: PLC0415
    from tdgen_desktop.generation.preflight import preflight  # noqa: PLC0415

    provider = NullProvider(seed)
    preflight(table, rows, provider, dataset.notices)
    plan = provider.plan(table)
    names = [f.name for f in table.fields]
    out: list[list[Any]] = []
    chunk = 500
    for number, start in enumerate(range(0, rows, chunk)):
        batch = provider.batch(plan, number, start, min(chunk, rows - start))
        where = {name: i for i, name in enumerate(batch.columns)}
        for row in batch.rows:
            out.append([row[where[n]] if n in where else None for n in names])
    return out


def _cell(value: Any) -> str | None:
    """A value as a text cell (the way a CSV shows it); ``None`` for null or absent."""
    if value is None or value is MISSING:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def profile_column(values: list[Any]) -> ColumnProfile:
    """Profile one column of values (text cells or typed values; ``None`` is null)."""
    from tdgen_desktop.importers.sample import (  # noqa: PLC0415
        _TRUE,
        ENUM_MAX_VALUES,
        NULL_TOKENS,
        infer_value_type,
    )

    cells = [_cell(v) for v in values]
    present = [c for c in cells if c is not None and c not in NULL_TOKENS]
    rows = len(cells)
    null_ratio = (rows - len(present)) / rows if rows else 0.0
    kind = infer_value_type(present) if present else None
    type_name = (_TYPE_NAMES.get(kind, "text") if kind else "text") if present else "empty"
    if kind is FieldType.BOOLEAN:  # "Yes"/"No", "t"/"f" … are compared as true/false
        present = [_cell(c.lower() in _TRUE) or "" for c in present]
    counts = Counter(present)
    low: Any = None
    high: Any = None
    if present:
        if kind in (FieldType.INTEGER, FieldType.NUMBER):
            numbers = [float(c) for c in present]
            low, high = min(numbers), max(numbers)
            if kind is FieldType.INTEGER:
                low, high = int(low), int(high)
        elif kind in (FieldType.DATE, FieldType.DATETIME):
            low, high = min(present), max(present)
        else:
            lengths = [len(c) for c in present]
            low, high = min(lengths), max(lengths)
    top = (
        [(value, n / len(present)) for value, n in counts.most_common(TOP_VALUES)]
        if len(counts) <= ENUM_MAX_VALUES
        else []
    )
    return ColumnProfile(type_name, rows, null_ratio, len(counts), low, high, top)


_TYPE_NAMES = {
    FieldType.BOOLEAN: "boolean",
    FieldType.INTEGER: "integer",
    FieldType.NUMBER: "number",
    FieldType.DATE: "date",
    FieldType.DATETIME: "datetime",
    FieldType.TIME: "time",
    FieldType.UUID: "uuid",
    FieldType.ARRAY: "array",
    FieldType.OBJECT: "object",
}
