"""The hybrid provider: the null provider's rows, with AI values for the weak fields.

Per table, the weak fields (:func:`~tdgen_desktop.generation.ai.weak_targets`, nested ones by
dotted path) are asked for in groups of up to :data:`FIELDS_PER_REQUEST` — so the number of
requests grows with the fields, never with the rows — as :data:`POOL_SIZE` records of values
that belong together (a product name with its category and price; a city with its region and
postal code, which always come whole from one record). Every value is checked against its field
(:class:`~tdgen_desktop.generation.ai.ValueCheck`); invalid ones are dropped, and a field left
without values keeps its foundation values.

Valid rows then sample whole records (seeded per chunk, so output stays reproducible); a cell
whose value in the chosen record was dropped takes another checked value of its field. Nulls
and absent properties of the foundation row stay, so null ratios hold. A unique field takes its
values without repeats (a seeded permutation by row number) and is enhanced only when the model
gave at least as many distinct values as there are rows. A row that breaks a whole-row rule of
the schema keeps its foundation values. Boundary and invalid case rows are the foundation's,
unchanged — and re-drawn if a unique value of theirs is one the model's values took.

A nested value goes into the object of a valid row only where the foundation put that property
(copying the objects on the way); a row whose object then breaks a rule of its own keeps its
foundation values. A field of an array's object elements (``items[].description``) goes into
every element that has the property, each element taking its own record; an element whose new
values break its item schema (or repeat another element of a ``uniqueItems`` array) keeps its
foundation values. Each batch says which cells hold AI values (``RowBatch.ai_fields``): per
accepted row, the columns whose value differs from the foundation row's, and for object and
array columns the paths of the nested properties that differ (in at least one element).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tdgen_desktop.core.enums import CaseKind
from tdgen_desktop.core.model import MISSING, Field, Table
from tdgen_desktop.core.rows import RowBatch, changed_columns, same_value
from tdgen_desktop.generation.ai import (
    ITEMS,
    AiSummary,
    RowProbe,
    ValueCheck,
    WeakField,
    answer_records,
    put_value,
    sample_rng,
    show_value,
    value_at,
    weak_fields,
    weak_groups,
)
from tdgen_desktop.generation.case_rows import CASE_CHUNK_BASE
from tdgen_desktop.generation.null import NullProvider, TablePlan, row_instance
from tdgen_desktop.generation.pools import derive_seed
from tdgen_desktop.llm.errors import LlmError
from tdgen_desktop.llm.prompts import Prompt, pool_prompt
from tdgen_desktop.llm.session import Answer

if TYPE_CHECKING:
    from tdgen_desktop.generation.pipeline import GenerationRequest

__all__ = ["FIELDS_PER_REQUEST", "POOL_SIZE", "HybridBuilder", "HybridProvider"]

POOL_SIZE = 40
"""Records asked for per request: the size of each field's pool before checking."""

FIELDS_PER_REQUEST = 6
"""Weak fields asked about together in one request (and kept together as tuples)."""

_GUARD_TRIES = 10
_GUARD_STRIDE = 10_000_000
_ABSENT = object()


def _key(value: Any) -> Any:
    return ("bool", value) if isinstance(value, bool) else value


@dataclass(slots=True)
class _Group:
    """The checked records of one request: names, records, and the place tuple in them.

    ``arrays``: the names of array element fields, by the path of their array (up to and with
    its :data:`~tdgen_desktop.generation.ai.ITEMS` step).
    """

    names: list[str]
    records: list[dict[str, Any]]
    linked: tuple[str, ...] = ()
    complete: list[dict[str, Any]] = field(default_factory=list)
    arrays: dict[tuple[str, ...], list[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _ArraySpec:
    """What an array's elements must keep: the array's field, and the rules checked per
    element (the item's and those of objects inside it, by their path in the element)."""

    array: Field
    rules: tuple[tuple[tuple[str, ...], Any], ...]

    @classmethod
    def of(cls, array: Field) -> _ArraySpec:
        rules: list[tuple[tuple[str, ...], Any]] = []

        def collect(f: Field, path: tuple[str, ...]) -> None:
            if f.check is not None:
                rules.append((path, f.check))
            for child in f.properties:
                collect(child, (*path, child.name))

        if array.items is not None:
            collect(array.items, ())
        return cls(array, tuple(rules))

    def fits(self, element: dict[str, Any]) -> bool:
        """Whether an element with AI values keeps the rules of its item schema."""
        for path, check in self.rules:
            value = value_at(element, path) if path else element
            if value is not MISSING and not check(value):
                return False
        return True


def _array_spec(table: Table, prefix: tuple[str, ...]) -> _ArraySpec:
    """The :class:`_ArraySpec` of the array at ``prefix`` (its path with the ``[]`` step)."""
    fields, found = table.fields, None
    for name in prefix[:-1]:
        found = next(f for f in fields if f.name == name)
        fields = found.properties
    assert found is not None  # noqa: S101 — a prefix names at least the array's column
    return _ArraySpec.of(found)


@dataclass(slots=True)
class _TablePools:
    """The checked AI values of one table."""

    groups: list[_Group] = field(default_factory=list)
    pools: dict[str, list[Any]] = field(default_factory=dict)
    unique: dict[str, tuple[int, int]] = field(default_factory=dict)
    taken: dict[str, set[Any]] = field(default_factory=dict)
    paths: dict[str, tuple[str, ...]] = field(default_factory=dict)
    parents: dict[str, Field] = field(default_factory=dict)
    arrays: dict[tuple[str, ...], _ArraySpec] = field(default_factory=dict)

    def apply(
        self, row: list[Any], index: dict[str, int], number: int, rng: random.Random
    ) -> list[Any]:
        """Put AI values into one foundation row (row number ``number``)."""
        for group in self.groups:
            record = group.records[rng.randrange(len(group.records))]
            if group.linked and any(name not in record for name in group.linked):
                # a place tuple comes whole from one record
                record = {**record, **group.complete[rng.randrange(len(group.complete))]}
            for name in group.names:
                path = self.paths[name]
                if ITEMS in path:
                    continue  # per element of its array, below
                position = index.get(path[0])
                if position is None or row[position] is None or row[position] is MISSING:
                    continue
                pool = self.pools[name]
                if name in self.unique:
                    if number < len(pool):
                        multiplier, offset = self.unique[name]
                        row[position] = pool[(multiplier * number + offset) % len(pool)]
                    continue
                value = record.get(name, _ABSENT)
                if value is _ABSENT:
                    value = pool[rng.randrange(len(pool))]
                if len(path) == 1:
                    row[position] = value
                else:
                    nested = put_value(row[position], path[1:], value)
                    if nested is not None:
                        row[position] = nested
            for prefix, names in group.arrays.items():
                self._apply_array(row, index, prefix, names, group, rng)
        return row

    def _apply_array(
        self,
        row: list[Any],
        index: dict[str, int],
        prefix: tuple[str, ...],
        names: list[str],
        group: _Group,
        rng: random.Random,
    ) -> None:
        """Put AI values into the elements of one array of a row, each from its own record.

        An element whose values would break its item schema keeps its foundation values, and
        so does one that would equal another element of a ``uniqueItems`` array; absent
        properties and nulls stay.
        """
        position = index.get(prefix[0])
        if position is None:
            return
        cell, inside = row[position], prefix[1:-1]
        elements = value_at(cell, inside) if inside else cell
        if not isinstance(elements, list) or not elements:
            return
        spec = self.arrays[prefix]
        changed = list(elements)
        for i, element in enumerate(elements):
            if not isinstance(element, dict):
                continue
            record = group.records[rng.randrange(len(group.records))]
            new = element
            for name in names:
                value = record.get(name, _ABSENT)
                if value is _ABSENT:
                    pool = self.pools[name]
                    value = pool[rng.randrange(len(pool))]
                put = put_value(new, self.paths[name][len(prefix) :], value)
                if put is not None:
                    new = put
            if new is element or not spec.fits(new):
                continue
            if spec.array.constraints.unique_items and any(
                new == other for j, other in enumerate(changed) if j != i
            ):
                continue
            changed[i] = new
        if any(new is not old for new, old in zip(changed, elements, strict=True)):
            row[position] = put_value(cell, inside, changed) if inside else changed

    def breaks_parent(self, columns: list[str], before: tuple[Any, ...], row: list[Any]) -> bool:
        """Whether a nested AI value broke a rule of the object column it sits in."""
        for i, name in enumerate(columns):
            parent = self.parents.get(name)
            check = parent.check if parent is not None else None
            if check is not None and row[i] is not before[i] and not check(row[i]):
                return True
        return False

    def marks(
        self, columns: list[str], before: tuple[Any, ...], after: tuple[Any, ...]
    ) -> tuple[str, ...] | None:
        """The cells that got AI values: columns, and dotted paths of nested properties."""
        changed = changed_columns(columns, before, after)
        if changed is None or not self.parents:
            return changed
        index = {name: i for i, name in enumerate(columns)}
        out: list[str] = []
        for column in changed:
            if column not in self.parents:
                out.append(column)
                continue
            old, new = before[index[column]], after[index[column]]
            out.extend(
                name
                for name, path in self.paths.items()
                if len(path) > 1
                and path[0] == column
                and not same_value(value_at(old, path[1:]), value_at(new, path[1:]))
            )
        return tuple(out) or None

    def clashes(self, batch: RowBatch) -> bool:
        """Whether a row of ``batch`` repeats a unique value the AI values took."""
        for name, taken in self.taken.items():
            try:
                position = batch.columns.index(name)
            except ValueError:
                continue
            if any(_key(row[position]) in taken for row in batch.rows):
                return True
        return False


def _permutation(seed: int, table: str, name: str, size: int) -> tuple[int, int]:
    rng = random.Random(derive_seed(seed, table, name, "ai-unique"))
    multiplier = rng.randrange(1, size) if size > 1 else 1
    while math.gcd(multiplier, size) != 1:
        multiplier += 1
    return multiplier, rng.randrange(size)


class HybridBuilder:
    """Plans the hybrid provider's requests and builds it from the answers.

    Args:
        request: the job's request.
        tables: the job's tables.
        foundation: the job's null provider.
    """

    def __init__(
        self, request: GenerationRequest, tables: list[Table], foundation: NullProvider
    ) -> None:
        self.request, self.tables, self.foundation = request, tables, foundation
        self._plan: list[tuple[Table, list[WeakField], Prompt]] = []

    def fields(self, table: Table) -> list[Field]:
        """The fields of ``table`` the model is asked about (nested ones by dotted path)."""
        return weak_fields(table)

    def prompts(self) -> list[Prompt]:
        """One prompt per group of weak fields per table (tuples kept in one group)."""
        self._plan = []
        for table in self.tables:
            if not self._makes_valid_rows(table):
                continue
            for group in weak_groups(table, FIELDS_PER_REQUEST):
                fields = [w.field for w in group]
                prompt = pool_prompt(table, fields, POOL_SIZE, self.request.seed)
                self._plan.append((table, group, prompt))
        return [prompt for _, _, prompt in self._plan]

    def _makes_valid_rows(self, table: Table) -> bool:
        request = self.request
        return CaseKind.VALID in request.cases and (
            request.rows_for(table.name) > 0 or request.pairwise
        )

    def build(self, answers: list[Answer], summary: AiSummary) -> HybridProvider:
        """Check the answers' values and make the provider; ``summary`` gets the outcome."""
        tables: dict[str, _TablePools] = {}
        probes: dict[str, RowProbe | None] = {}
        for (table, group, prompt), answer in zip(self._plan, answers, strict=True):
            names = [w.name for w in group]
            try:
                records = answer_records(answer, prompt.fields)
            except LlmError as exc:
                summary.fall_back(table.name, names, exc.reason)
                continue
            if table.name not in probes:
                probes[table.name] = RowProbe.build(table, self.foundation)
            pools = tables.setdefault(table.name, _TablePools())
            self._add_group(table, group, records, probes[table.name], pools, summary)
        return HybridProvider(
            self.foundation, {name: pools for name, pools in tables.items() if pools.groups}
        )

    def _add_group(
        self,
        table: Table,
        group: list[WeakField],
        records: list[Any],
        probe: RowProbe | None,
        pools: _TablePools,
        summary: AiSummary,
    ) -> None:
        checks = {w.name: ValueCheck(w.field, probe, w.path) for w in group}
        valid, values, rejected = _checked_records(records, checks)
        rows = self.request.rows_for(table.name)
        kept: list[WeakField] = []
        for w in group:
            reason = _fallback_reason(
                w.field, list(values[w.name].values()), rejected.get(w.name), rows
            )
            if reason is not None:
                summary.fall_back(table.name, [w.name], reason)
            else:
                kept.append(w)
        linked = tuple(w.name for w in kept if w.linked)
        complete = [
            {k: cells[k] for k in linked} for cells in valid if all(k in cells for k in linked)
        ]
        if linked and (len(linked) < 2 or not complete):
            why = (
                "no record of the model's has every part of the tuple "
                f"{', '.join(w.name for w in group if w.linked)} within its constraints"
            )
            summary.fall_back(table.name, list(linked), why)
            kept = [w for w in kept if not w.linked]
            linked, complete = (), []
        arrays: dict[tuple[str, ...], list[str]] = {}
        for w in kept:
            distinct = list(values[w.name].values())
            pools.pools[w.name] = distinct
            pools.paths[w.name] = w.path
            if len(w.path) > 1:
                parent = next(f for f in table.fields if f.name == w.path[0])
                pools.parents[parent.name] = parent
            if ITEMS in w.path:
                prefix = w.path[: w.path.index(ITEMS) + 1]
                arrays.setdefault(prefix, []).append(w.name)
                if prefix not in pools.arrays:
                    pools.arrays[prefix] = _array_spec(table, prefix)
            summary.values.setdefault(table.name, {})[w.name] = len(distinct)
            if w.field.unique:
                pools.unique[w.name] = _permutation(
                    self.request.seed, table.name, w.name, len(distinct)
                )
                pools.taken[w.name] = {_key(v) for v in distinct}
        if not kept:
            return
        names = [w.name for w in kept]
        records_kept = [
            {k: v for k, v in cells.items() if k in names}
            for cells in valid
            if any(k in names for k in cells)
        ]
        pools.groups.append(_Group(names, records_kept, linked, complete, arrays))
        summary.enhanced.setdefault(table.name, []).extend(names)


def _checked_records(
    records: list[Any], checks: dict[str, ValueCheck]
) -> tuple[list[dict[str, Any]], dict[str, dict[Any, Any]], dict[str, tuple[int, str]]]:
    """The answer's records with only the values that pass their checks.

    Returns the checked records, each field's distinct checked values, and per field how many
    values were refused with an example.
    """
    valid: list[dict[str, Any]] = []
    values: dict[str, dict[Any, Any]] = {name: {} for name in checks}
    rejected: dict[str, tuple[int, str]] = {}
    for record in records:
        if not isinstance(record, dict):
            continue
        cells: dict[str, Any] = {}
        for name, check in checks.items():
            value = record.get(name, _ABSENT)
            if value is _ABSENT:
                continue
            problem = check.problem(value)
            if problem is None:
                cells[name] = value
                values[name].setdefault(_key(value), value)
            else:
                count, example = rejected.get(name, (0, f"{show_value(value)}: {problem}"))
                rejected[name] = (count + 1, example)
        valid.append(cells)
    return valid, values, rejected


def _fallback_reason(
    f: Field, distinct: list[Any], rejected: tuple[int, str] | None, rows: int
) -> str | None:
    if not distinct:
        if rejected is None:
            return "the model gave no values for it"
        count, example = rejected
        return (
            f"none of the {count} values the model gave fit the field's constraints "
            f"(e.g. {example})"
        )
    if f.unique and len(distinct) < rows:
        return (
            f"the model gave {len(distinct)} distinct valid values for {rows} rows of a unique "
            "field"
        )
    return None


class HybridProvider:
    """The null provider's rows with the model's checked values in the weak fields.

    Args:
        foundation: the job's null provider (plans, keys, case base rows).
        tables: the checked AI values per table name.
    """

    def __init__(self, foundation: NullProvider, tables: dict[str, _TablePools]) -> None:
        self.foundation = foundation
        self.tables = tables

    @property
    def seed(self) -> int:
        """The job seed."""
        return self.foundation.seed

    def plan(self, table: Table) -> TablePlan:
        """The foundation's plan."""
        return self.foundation.plan(table)

    def record(self, batch: RowBatch) -> None:
        """Remember keys of written rows (the foundation's bookkeeping)."""
        self.foundation.record(batch)

    def batch(self, plan: TablePlan, chunk: int, start: int, count: int) -> RowBatch:
        """Rows ``start …`` of a table: valid rows enhanced, case base rows unchanged."""
        pools = self.tables.get(plan.table.name)
        if chunk >= CASE_CHUNK_BASE:
            return self._case_batch(plan, chunk, start, count, pools)
        batch = self.foundation.batch(plan, chunk, start, count)
        if pools is None:
            return batch
        table = plan.table
        rng = sample_rng(self.seed, table.name, chunk)
        index = {name: i for i, name in enumerate(plan.columns)}
        check = table.check
        marks: list[tuple[str, ...] | None] = [None] * len(batch.rows)
        for i, row in enumerate(batch.rows):
            values = pools.apply(list(row), index, start + i, rng)
            if pools.parents and pools.breaks_parent(plan.columns, row, values):
                continue  # a rule of an object column: keep the foundation row
            candidate = tuple(values)
            if check is not None and not check(row_instance(table, plan.columns, candidate)):
                continue  # a whole-row rule of the schema: keep the foundation row
            batch.rows[i] = candidate
            marks[i] = pools.marks(plan.columns, row, candidate)
        batch.ai_fields = marks if any(marks) else None
        return batch

    def _case_batch(
        self, plan: TablePlan, chunk: int, start: int, count: int, pools: _TablePools | None
    ) -> RowBatch:
        batch = self.foundation.batch(plan, chunk, start, count)
        if pools is None or not pools.taken:
            return batch
        for attempt in range(1, _GUARD_TRIES + 1):
            if not pools.clashes(batch):
                break
            batch = self.foundation.batch(plan, chunk + attempt * _GUARD_STRIDE, start, count)
        return batch
