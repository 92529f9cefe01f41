"""Pairwise combinations: valid rows that cover every pair of values of small-domain fields.

The domains are enum values, both booleans, "null or not" for nullable fields, and three
equivalence classes (lowest, middle, highest allowed value) for bounded numbers. The covering
array comes from ``allpairspy``; its rows override those fields in the first valid rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from tdgen_desktop.core.enums import FieldType
from tdgen_desktop.core.model import Field, Table
from tdgen_desktop.core.rows import RowBatch

__all__ = ["KEEP", "PairwisePlan", "pairwise_plan"]

KEEP: Any = object()
"""A domain value meaning "keep the generated (non-null) value"."""

_MAX_DOMAIN = 12


@dataclass(slots=True)
class PairwisePlan:
    """The fields combined and the covering rows.

    Attributes:
        fields: the combined field names.
        combos: one tuple of values per covering row (``KEEP`` keeps the generated value).
        exhaustive: how many rows all combinations would take.
    """

    fields: list[str] = field(default_factory=list)
    combos: list[tuple[Any, ...]] = field(default_factory=list)
    exhaustive: int = 0

    def apply(self, batch: RowBatch, check: Any = None) -> int:
        """Override the combined fields in the batch's rows that fall within the combos.

        Returns how many rows were overridden (a row whose override breaks a whole-row
        ``check`` keeps its generated values).
        """
        done = 0
        positions = [batch.columns.index(name) for name in self.fields]
        for offset, row in enumerate(batch.rows):
            number = batch.start + offset
            if number >= len(self.combos):
                break
            values = list(row)
            for pos, value in zip(positions, self.combos[number], strict=True):
                if value is not KEEP:
                    values[pos] = value
            candidate = tuple(values)
            if check is not None and not check(dict(zip(batch.columns, candidate, strict=True))):
                continue
            batch.rows[offset] = candidate
            done += 1
        return done


def pairwise_plan(table: Table) -> PairwisePlan:
    """The covering rows for ``table`` (empty when fewer than two fields have small domains)."""
    domains: list[tuple[str, list[Any]]] = []
    for f in table.fields:
        if f.omit or f.unique:
            continue
        domain = _domain(f)
        if domain is not None and 2 <= len(domain) <= _MAX_DOMAIN:
            domains.append((f.name, domain))
    if len(domains) < 2:
        return PairwisePlan()
    from allpairspy import AllPairs  # noqa: PLC0415

    combos = [tuple(row) for row in AllPairs([d for _, d in domains])]
    return PairwisePlan(
        [name for name, _ in domains], combos, math.prod(len(d) for _, d in domains)
    )


def _domain(f: Field) -> list[Any] | None:
    c = f.constraints
    values: list[Any] | None = None
    if c.has_const:
        return None
    if c.enum is not None:
        weights = f.enum_weights or (1.0,) * len(c.enum)  # a zero-weighted value stays out
        values = [v for v, w in zip(c.enum, weights, strict=False) if v not in c.not_values and w]
    elif f.type is FieldType.BOOLEAN:
        values = [True, False]
    elif f.type in (FieldType.INTEGER, FieldType.NUMBER):
        values = _classes(f)
    if values is None:
        return [None, KEEP] if f.nullable else None
    return [*values, None] if f.nullable else values


def _classes(f: Field) -> list[Any] | None:
    c = f.constraints
    if c.minimum is None or c.maximum is None:
        return None
    step = c.multiple_of or (1 if f.type is FieldType.INTEGER else None)
    low, high = float(c.minimum), float(c.maximum)
    if step is None:
        eps = (high - low) / 1000
        low, high = (
            (low + eps if c.exclusive_minimum else low),
            (high - eps if c.exclusive_maximum else high),
        )
        return sorted({low, (low + high) / 2, high})
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    if c.exclusive_minimum and first * step == low:
        first += 1
    if c.exclusive_maximum and last * step == high:
        last -= 1
    if last < first:
        return None
    ks = sorted({first, (first + last) // 2, last})
    if f.type is FieldType.INTEGER and float(step).is_integer():
        return [int(k * step) for k in ks]
    return [round(k * step, 12) for k in ks]
