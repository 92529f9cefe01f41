"""Column summaries for the preview: null ratio, distinct count, min/max, histogram or top values.

Pure Python (no Qt): :func:`summarize` reads the values of one column as loaded from a file —
typed JSON values, or CSV text that looks like numbers, dates or booleans — and says what a
person would want to know at a glance.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["HISTOGRAM_BINS", "TOP_VALUES", "ColumnSummary", "summarize"]

HISTOGRAM_BINS = 12
"""Bars of a histogram."""

TOP_VALUES = 8
"""Bars of a top-values chart."""

_BOOL_TEXT = {"true": True, "false": False}
_EPOCH = dt.datetime(1970, 1, 1)


@dataclass(slots=True)
class ColumnSummary:
    """What a column's values look like.

    Attributes:
        name: the column.
        count: values looked at.
        nulls: null, empty or absent values among them.
        distinct: distinct non-null values.
        kind: ``number``, ``date``, ``boolean``, ``text`` or ``empty``.
        minimum: the smallest value as text ("" when not ordered).
        maximum: the largest value as text.
        bins: histogram bars ``(low label, count)`` for numbers and dates.
        top: the most frequent values ``(text, count)`` for text and booleans.
    """

    name: str
    count: int = 0
    nulls: int = 0
    distinct: int = 0
    kind: str = "empty"
    minimum: str = ""
    maximum: str = ""
    bins: list[tuple[str, int]] = field(default_factory=list)
    top: list[tuple[str, int]] = field(default_factory=list)

    @property
    def null_ratio(self) -> float:
        """Share of null values (0.0 … 1.0)."""
        return self.nulls / self.count if self.count else 0.0


def _is_null(value: Any) -> bool:
    return value is None or value == ""


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _as_date(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or len(value) < 10 or value[4:5] != "-":
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=None)


def _number_text(value: float, integral: bool) -> str:
    if integral:
        return f"{value:,.0f}"
    return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"


def _histogram(values: Sequence[float], label: Any) -> list[tuple[str, int]]:
    low, high = min(values), max(values)
    if low == high:
        return [(label(low), len(values))]
    width = (high - low) / HISTOGRAM_BINS
    counts = [0] * HISTOGRAM_BINS
    for v in values:
        counts[min(int((v - low) / width), HISTOGRAM_BINS - 1)] += 1
    return [(label(low + i * width), c) for i, c in enumerate(counts)]


def summarize(name: str, values: Sequence[Any]) -> ColumnSummary:
    """Summarise the values of one column."""
    summary = ColumnSummary(name, count=len(values))
    present = [v for v in values if not _is_null(v)]
    summary.nulls = len(values) - len(present)
    if not present:
        return summary
    texts = [_text(v) for v in present]
    summary.distinct = len(set(texts))

    numbers = [_as_number(v) for v in present]
    if all(n is not None for n in numbers):
        found = [n for n in numbers if n is not None]
        integral = all(n.is_integer() for n in found)
        summary.kind = "number"
        summary.minimum = _number_text(min(found), integral)
        summary.maximum = _number_text(max(found), integral)
        if summary.distinct > TOP_VALUES:
            summary.bins = _histogram(found, lambda x: _number_text(x, integral))
            return summary
        summary.top = Counter(texts).most_common(TOP_VALUES)
        return summary

    dates = [_as_date(v) for v in present]
    if all(d is not None for d in dates):
        stamps = [d for d in dates if d is not None]
        summary.kind = "date"
        summary.minimum = min(texts)
        summary.maximum = max(texts)
        seconds = [(d - _EPOCH).total_seconds() for d in stamps]
        summary.bins = _histogram(
            seconds, lambda x: (_EPOCH + dt.timedelta(seconds=x)).strftime("%Y-%m-%d")
        )
        return summary

    lowered = {t.lower() for t in texts}
    summary.kind = "boolean" if lowered <= set(_BOOL_TEXT) else "text"
    if summary.kind == "text":
        lengths = [len(t) for t in texts]
        summary.minimum = f"{min(lengths)} chars"
        summary.maximum = f"{max(lengths)} chars"
    summary.top = Counter(texts).most_common(TOP_VALUES)
    return summary
