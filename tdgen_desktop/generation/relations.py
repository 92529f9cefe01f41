"""Related tables: insert order, row counts, and the key bookkeeping behind foreign keys.

A job over several tables linked by foreign keys runs in three parts:

1. :func:`plan_relations` puts the tables in insert order (parents before children,
   topologically), adds the parents a chosen table cannot do without, breaks a cycle through a
   nullable foreign key (its columns are then null) or, for a cycle of NOT NULL foreign keys,
   through one that points at a numbered key (its values are drawn from the numbers the parent's
   rows will get, and SQL output switches foreign-key checks off around that table's rows), or
   explains why it cannot, and settles how many rows each table gets: the request's count for
   the table, else — for a child — three times its largest parent's (capped), else the
   request's default.
2. :meth:`KeyStore.bind` wraps a table's compiled row source so that foreign-key columns take
   values drawn from the keys its parents really got (a composite key as a whole, consistent),
   single integer primary keys number the rows 1, 2, 3 …, and every primary key and unique
   column set stays free of repeats, across chunks.
3. :meth:`KeyStore.record` remembers the keys of every written valid row of a table that other
   tables reference.

All random choices come from the chunk's seeded generator, so output stays reproducible.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tdgen_desktop.core.enums import FieldType
from tdgen_desktop.core.errors import UnsatisfiableError
from tdgen_desktop.core.model import Dataset, ForeignKey, Table
from tdgen_desktop.core.rows import RowBatch
from tdgen_desktop.generation.pools import derive_seed
from tdgen_desktop.generation.values import GenContext, ObjectSource

__all__ = [
    "CASE_ROOM",
    "CHILD_FACTOR",
    "KeyStore",
    "RelationPlan",
    "plan_relations",
]

CHILD_FACTOR = 3
"""A child table without a row count of its own gets this many rows per row of its largest
parent."""

DERIVED_CAP_FACTOR = 10
"""…but never more than this many times the largest count the request names."""

CASE_ROOM = 200
"""Key combinations a derived row count leaves free for case rows (at most half of them)."""

_RETRIES = 40
_SCAN_LIMIT = 2_000_000


@dataclass(slots=True)
class RelationPlan:
    """How a job's tables relate.

    Attributes:
        tables: the tables to make, parents before children.
        rows: valid rows per table name.
        nulled: per table, the foreign keys left null to break a cycle or because their
            parent table is not made.
        ahead: per table, the NOT NULL foreign keys that break a cycle by pointing at rows of
            a table made after it (their values are the numbers that table's key will get).
        referenced: per table, the column sets other tables (or itself) reference.
    """

    tables: list[Table]
    rows: dict[str, int]
    nulled: dict[str, list[ForeignKey]] = field(default_factory=dict)
    ahead: dict[str, list[ForeignKey]] = field(default_factory=dict)
    referenced: dict[str, set[tuple[str, ...]]] = field(default_factory=dict)

    def rows_for(self, table: str) -> int:
        """Valid rows of ``table``."""
        return self.rows[table]


def plan_relations(
    dataset: Dataset,
    selected: Sequence[Table],
    rows: int,
    table_rows: Mapping[str, int],
    notices: list[str] | None = None,
    *,
    case_rows: bool = False,
) -> RelationPlan:
    """Order the tables of a job and settle their row counts.

    Args:
        dataset: the imported dataset (it holds the parents of the selected tables).
        selected: the tables the user chose (all of the dataset when nothing was chosen).
        rows: the request's default row count.
        table_rows: the request's per-table counts (table name → rows).
        notices: receives one line per parent table added and per foreign key left null.
        case_rows: boundary/invalid case rows follow the valid rows; a derived count then
            leaves unique foreign-key combinations free for them.

    Raises:
        UnsatisfiableError: a cycle of NOT NULL foreign keys (the message names the tables and
            columns), or a row count larger than a unique foreign-key combination admits.
    """
    notes = notices if notices is not None else []
    tables = _with_required_parents(dataset, list(selected), notes)
    names = {t.name for t in tables}
    nulled: dict[str, list[ForeignKey]] = {}
    for table in tables:
        for fk in table.foreign_keys:
            if fk.ref_table not in names:
                nulled.setdefault(table.name, []).append(fk)
                notes.append(
                    f"table '{table.name}': foreign key ({', '.join(fk.columns)}) is left null "
                    f"because table '{fk.ref_table}' is not generated"
                )
    ahead: dict[str, list[ForeignKey]] = {}
    ordered = _insert_order(tables, nulled, ahead, notes)
    plan = RelationPlan(ordered, {}, nulled, ahead)
    lookup = {t.name: t for t in ordered}
    for table in ordered:
        for fk in _active(table, nulled):
            plan.referenced.setdefault(fk.ref_table, set()).add(fk.ref_columns)
    explicit = {name: n for name, n in table_rows.items() if name in lookup}
    cap = DERIVED_CAP_FACTOR * max([rows, *explicit.values()])
    room = CASE_ROOM if case_rows else 0
    for table in ordered:
        plan.rows[table.name] = _row_count(table, plan, rows, explicit, cap, room)
    for name, fks in ahead.items():
        for fk in fks:
            if plan.rows[fk.ref_table] == 0 and plan.rows[name] > 0:
                raise UnsatisfiableError(
                    f"table '{name}': foreign key ({', '.join(fk.columns)}) needs rows of "
                    f"table '{fk.ref_table}', which gets none"
                )
    return plan


def _active(table: Table, nulled: Mapping[str, list[ForeignKey]]) -> list[ForeignKey]:
    """The foreign keys of ``table`` whose values come from parent keys."""
    skipped = nulled.get(table.name, [])
    return [fk for fk in table.foreign_keys if not any(fk is s for s in skipped)]


def _fk_nullable(table: Table, fk: ForeignKey) -> bool:
    return all(table.field(c).nullable for c in fk.columns)


def _with_required_parents(
    dataset: Dataset, selected: list[Table], notes: list[str]
) -> list[Table]:
    """The selected tables plus every table a NOT NULL foreign key of theirs needs."""
    chosen = {t.name for t in selected}
    queue = list(selected)
    while queue:
        table = queue.pop(0)
        for fk in table.foreign_keys:
            if fk.ref_table in chosen or _fk_nullable(table, fk):
                continue
            try:
                parent = dataset.table(fk.ref_table)
            except KeyError:
                continue
            chosen.add(parent.name)
            queue.append(parent)
            notes.append(
                f"table '{parent.name}' is generated too: '{table.name}' needs its keys "
                f"(NOT NULL foreign key {', '.join(fk.columns)})"
            )
    return [t for t in dataset.tables if t.name in chosen] or selected


def _insert_order(
    tables: list[Table],
    nulled: dict[str, list[ForeignKey]],
    ahead: dict[str, list[ForeignKey]],
    notes: list[str],
) -> list[Table]:
    """Parents before children; a cycle is broken through nullable foreign keys, else through
    NOT NULL ones that point at numbered keys."""
    remaining = list(tables)
    placed: set[str] = set()
    order: list[Table] = []
    while remaining:
        ready = next(
            (t for t in remaining if all(p in placed for p in _parents(t, nulled, ahead))), None
        )
        if ready is None:
            ready = _break_cycle(remaining, placed, nulled, ahead, notes)
        order.append(ready)
        placed.add(ready.name)
        remaining.remove(ready)
    return order


def _parents(
    table: Table,
    nulled: Mapping[str, list[ForeignKey]],
    ahead: Mapping[str, list[ForeignKey]] | None = None,
) -> set[str]:
    """The tables whose rows ``table``'s rows need first."""
    later = (ahead or {}).get(table.name, [])
    return {
        fk.ref_table
        for fk in _active(table, nulled)
        if fk.ref_table != table.name and not any(fk is a for a in later)
    }


def _break_cycle(
    remaining: list[Table],
    placed: set[str],
    nulled: dict[str, list[ForeignKey]],
    ahead: dict[str, list[ForeignKey]],
    notes: list[str],
) -> Table:
    by_name = {t.name: t for t in remaining}

    def blocking(table: Table) -> list[ForeignKey]:
        return _blocking(table, nulled, placed)

    # Break the cycle where it costs least: in a table of the cycle with the fewest keys.
    cyclic = sorted(
        (t for t in remaining if _waits_for_itself(t, by_name, blocking)),
        key=lambda t: len(blocking(t)),
    )
    for table in cyclic:
        fks = blocking(table)
        if fks and all(_fk_nullable(table, fk) for fk in fks):
            for fk in fks:
                nulled.setdefault(table.name, []).append(fk)
                notes.append(
                    f"table '{table.name}': foreign key ({', '.join(fk.columns)}) → "
                    f"'{fk.ref_table}' is left null to break a cycle of foreign keys"
                )
            return table
    for table in cyclic:
        fks = blocking(table)
        if fks and all(
            _fk_nullable(table, fk) or _points_at_numbered_key(fk, by_name) for fk in fks
        ):
            for fk in fks:
                if _fk_nullable(table, fk):
                    nulled.setdefault(table.name, []).append(fk)
                    continue
                ahead.setdefault(table.name, []).append(fk)
                notes.append(
                    f"table '{table.name}': foreign key ({', '.join(fk.columns)}) → "
                    f"'{fk.ref_table}' points at rows made after it, to break a cycle of NOT "
                    "NULL foreign keys; SQL output turns foreign-key checks off around its rows"
                )
            return table
    raise UnsatisfiableError(
        "the tables reference each other in a cycle of NOT NULL foreign keys, so no insert "
        f"order exists: {_describe_cycle(remaining, placed, nulled)}; make one of these "
        "columns nullable, or generate the tables without it (--table)"
    )


def _blocking(
    table: Table, nulled: Mapping[str, list[ForeignKey]], placed: set[str]
) -> list[ForeignKey]:
    """The foreign keys of ``table`` whose parent is not placed yet."""
    return [
        fk
        for fk in _active(table, nulled)
        if fk.ref_table != table.name and fk.ref_table not in placed
    ]


def _waits_for_itself(
    table: Table, tables: Mapping[str, Table], blocking: Callable[[Table], list[ForeignKey]]
) -> bool:
    """Whether ``table`` is in a cycle (not merely waiting for a table caught in one)."""
    seen: set[str] = set()
    stack = [fk.ref_table for fk in blocking(table)]
    while stack:
        name = stack.pop()
        if name == table.name:
            return True
        if name in seen or name not in tables:
            continue
        seen.add(name)
        stack.extend(fk.ref_table for fk in blocking(tables[name]))
    return False


def _points_at_numbered_key(fk: ForeignKey, tables: Mapping[str, Table]) -> bool:
    """Whether ``fk`` references a key numbered 1, 2, 3 … (known before its rows are made)."""
    parent = tables.get(fk.ref_table)
    return (
        parent is not None
        and tuple(parent.primary_key) == fk.ref_columns
        and numbering(parent) is not None
    )


def numbering(table: Table) -> int | None:
    """The first number of ``table``'s numbered key, or None when its key is not numbered.

    A single integer primary key that is part of no foreign key of its table, with no step
    other than 1, is numbered first, first + 1, … (first: its minimum, at least 1 when it can).
    """
    if len(table.primary_key) != 1:
        return None
    name = table.primary_key[0]
    key_field = table.field(name)
    if key_field.type is not FieldType.INTEGER or key_field.omit:
        return None
    if any(name in fk.columns for fk in table.foreign_keys):
        return None
    c = key_field.constraints
    if c.multiple_of not in (None, 1):
        return None
    low = c.minimum if c.minimum is not None else 1
    first = max(math.ceil(low), 1) if c.maximum is None or c.maximum >= 1 else math.ceil(low)
    return int(first)


def _describe_cycle(
    remaining: list[Table], placed: set[str], nulled: Mapping[str, list[ForeignKey]]
) -> str:
    """One cycle among ``remaining``, e.g. ``store.manager_staff_id → staff, staff.store_id →
    store``."""
    by_name = {t.name: t for t in remaining}
    start = remaining[0]
    path: list[tuple[Table, ForeignKey]] = []
    seen: dict[str, int] = {}
    table = start
    while table.name not in seen:
        seen[table.name] = len(path)
        fk = next(
            fk
            for fk in _active(table, nulled)
            if fk.ref_table != table.name and fk.ref_table not in placed and fk.ref_table in by_name
        )
        path.append((table, fk))
        table = by_name[fk.ref_table]
    cycle = path[seen[table.name] :]
    return ", ".join(f"{t.name}.{'+'.join(fk.columns)} → {fk.ref_table}" for t, fk in cycle)


def _row_count(
    table: Table,
    plan: RelationPlan,
    rows: int,
    explicit: Mapping[str, int],
    cap: int,
    room: int,
) -> int:
    parents = [plan.rows[p] for p in _parents(table, plan.nulled) if p in plan.rows]
    capacity = _capacity(table, plan)
    if table.name in explicit:
        wanted = explicit[table.name]
        if capacity is not None and wanted > capacity[0]:
            raise UnsatisfiableError(
                f"table '{table.name}': {wanted:,} rows were requested, but its unique "
                f"column set ({', '.join(capacity[1])}) admits only {capacity[0]:,} distinct "
                "combinations of parent keys"
            )
        return wanted
    count = min(CHILD_FACTOR * max(parents), cap) if parents else rows
    if capacity is not None:
        # Leave room for boundary and invalid case rows, which need fresh keys too.
        count = min(count, capacity[0] - min(capacity[0] // 2, room))
    return count


def _capacity(table: Table, plan: RelationPlan) -> tuple[int, tuple[str, ...]] | None:
    """The fewest distinct combinations a unique set made only of foreign-key columns admits."""
    best: tuple[int, tuple[str, ...]] | None = None
    groups = _active(table, plan.nulled)
    for unique in _unique_sets(table):
        covering = [fk for fk in groups if set(fk.columns) & set(unique)]
        covered = {c for fk in covering for c in fk.columns}
        if not covering or not set(unique) <= covered:
            continue
        if any(fk.ref_table == table.name or fk.ref_table not in plan.rows for fk in covering):
            continue
        size = math.prod(plan.rows[fk.ref_table] for fk in covering)
        if best is None or size < best[0]:
            best = (size, unique)
    return best


def _unique_sets(table: Table) -> list[tuple[str, ...]]:
    """Every column set whose values must not repeat: the primary key, unique sets and columns."""
    sets: list[tuple[str, ...]] = []
    if table.primary_key:
        sets.append(tuple(table.primary_key))
    sets.extend(tuple(s) for s in table.unique_sets)
    sets.extend((f.name,) for f in table.fields if f.unique and not f.omit)
    return list(dict.fromkeys(sets))


# ====================================================================== keys during a job


class KeyStore:
    """The keys a job's tables got, and the binding that makes children use them.

    Args:
        plan: the job's relation plan.
        seed: the job seed.
    """

    def __init__(self, plan: RelationPlan, seed: int) -> None:
        self.plan = plan
        self.seed = seed
        self._keys: dict[tuple[str, tuple[str, ...]], list[tuple[Any, ...]]] = {}

    def keys(self, table: str, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
        """The recorded key tuples of ``table``'s ``columns`` (rows with a null part left out)."""
        return self._keys.get((table, columns), [])

    def record(self, batch: RowBatch) -> None:
        """Remember the referenced keys of a batch of written valid rows."""
        wanted = self.plan.referenced.get(batch.table.name)
        if not wanted:
            return
        for columns in wanted:
            try:
                positions = [batch.columns.index(c) for c in columns]
            except ValueError:
                continue
            store = self._keys.setdefault((batch.table.name, columns), [])
            for row in batch.rows:
                key = tuple(row[i] for i in positions)
                if all(v is not None for v in key):
                    store.append(key)

    def bind(self, table: Table, source: ObjectSource) -> ObjectSource:
        """Wrap a table's row source so keys and foreign keys follow the plan."""
        binding = _TableBinding(table, self, source.names)
        if binding.is_empty:
            return source
        return _RelationalSource(source, binding)


@dataclass(slots=True)
class _FkGroup:
    fk: ForeignKey
    positions: list[int]
    nullable: bool
    self_ref: bool
    ahead: list[tuple[Any, ...]] | None = None  # the numbers a later table's key will get


class _TableBinding:
    """What to do with one table's rows: numbered keys, foreign-key groups, unique sets."""

    def __init__(self, table: Table, store: KeyStore, names: list[str]) -> None:
        self.table, self.store, self.names = table, store, names
        where = {name: i for i, name in enumerate(names)}
        nulled = store.plan.nulled.get(table.name, [])
        self.nulled = sorted({where[c] for fk in nulled for c in fk.columns if c in where})
        self.groups = [
            _FkGroup(
                fk,
                [where[c] for c in fk.columns],
                _fk_nullable(table, fk),
                fk.ref_table == table.name,
            )
            for fk in _active(table, store.plan.nulled)
            if all(c in where for c in fk.columns)
        ]
        for group in self.groups:
            if any(group.fk is a for a in store.plan.ahead.get(table.name, [])):
                group.ahead = _numbers(store.plan, group.fk.ref_table)
        fk_positions = {p for g in self.groups for p in g.positions}
        self.numbered = self._numbered_key(where, fk_positions)
        self.unique_sets = [
            [where[c] for c in s]
            for s in _unique_sets(table)
            if all(c in where for c in s) and (len(s) > 1 or where[s[0]] in fk_positions)
        ]
        self.self_keys: list[tuple[Any, ...]] = []
        self.seen: list[set[tuple[Any, ...]]] = [set() for _ in self.unique_sets]
        self.case_seen: list[set[tuple[Any, ...]]] = [set() for _ in self.unique_sets]

    def _numbered_key(
        self, where: Mapping[str, int], fk_positions: set[int]
    ) -> tuple[int, int] | None:
        """A single integer primary key that is no foreign key is numbered 1, 2, 3 …

        Returns (position, first number), or None.
        """
        first = numbering(self.table)
        position = where.get(self.table.primary_key[0]) if first is not None else None
        if first is None or position is None or position in fk_positions:
            return None
        return position, first

    @property
    def is_empty(self) -> bool:
        return not (self.groups or self.nulled or self.numbered or self.unique_sets)


def _numbers(plan: RelationPlan, table: str) -> list[tuple[Any, ...]]:
    """The keys the valid rows of ``table`` (a numbered key) will get, as key tuples."""
    first = numbering(next(t for t in plan.tables if t.name == table))
    assert first is not None  # noqa: S101 — only numbered keys are pointed at ahead
    return [(n,) for n in range(first, first + plan.rows[table])]


class _RelationalSource(ObjectSource):
    """A table's row source with keys, foreign keys and unique sets applied.

    Unique sets are kept by :meth:`fix`, which the provider calls on each chunk in chunk order
    (chunks may be made in other processes). A self-referencing table picks parent keys among
    its own earlier rows, so it keeps them as it makes rows (``inline``): its chunks depend on
    each other and are always made in order, in one place.
    """

    def __init__(self, inner: ObjectSource, binding: _TableBinding) -> None:
        super().__init__(inner.names, inner.sources, inner.order, inner.optional)
        self.inner, self.binding = inner, binding
        self.inline = any(g.self_ref for g in binding.groups)

    @property
    def fixes_rows(self) -> bool:
        """Whether :meth:`fix` has anything to do."""
        return bool(self.binding.unique_sets) and not self.inline

    def fix(self, rows: list[tuple[Any, ...]], start: int) -> list[int]:
        """Give rows ``start …`` keys no earlier valid row has, in place; return the indexes of
        the rows changed."""
        if self.inline or not self.binding.unique_sets:
            return []
        changed: list[int] = []
        valid = self.binding.store.plan.rows.get(self.binding.table.name)
        for i, row in enumerate(rows):
            case = valid is not None and start + i >= valid
            if self._clash(row, cases=case) is None:
                self._keep(row, case=case)
                continue
            mutable = list(row)
            self._make_unique(mutable, start + i)
            rows[i] = tuple(mutable)
            changed.append(i)
        return changed

    def columns(self, ctx: GenContext, n: int) -> list[list[Any]]:
        made = self.inner.columns(ctx, n)
        b = self.binding
        for position in b.nulled:
            made[position] = [None] * n
        if b.numbered is not None:
            position, first = b.numbered
            made[position] = list(range(first + ctx.start, first + ctx.start + n))
            self._check_numbered_range(first + ctx.start + n - 1)
        rows = [list(r) for r in zip(*made, strict=True)] if made else [[] for _ in range(n)]
        b.self_keys = []  # keys of earlier chunks are in the store already
        remember = any(g.self_ref for g in b.groups)
        for i, row in enumerate(rows):
            for group in b.groups:
                self._pick(group, row, ctx.rng)
            if self.inline:
                self._make_unique(row, ctx.start + i)
            if remember:
                self._remember_self(row)
        return [list(col) for col in zip(*rows, strict=True)] if rows else made

    def _check_numbered_range(self, last: int) -> None:
        b = self.binding
        assert b.numbered is not None  # noqa: S101 — only called when numbering
        name = b.names[b.numbered[0]]
        maximum = b.table.field(name).constraints.maximum
        if maximum is not None and last > maximum:
            raise UnsatisfiableError(
                f"table '{b.table.name}': primary key '{name}' runs out of values at {last:,} "
                f"(its maximum is {maximum:,})"
            )

    def _remember_self(self, row: list[Any]) -> None:
        """Keys of this table's rows made so far, for a self-referencing foreign key."""
        b = self.binding
        for group in b.groups:
            if group.self_ref:
                positions = [b.names.index(c) for c in group.fk.ref_columns]
                key = tuple(row[p] for p in positions)
                if all(v is not None for v in key):
                    b.self_keys.append(key)

    def _candidates(self, group: _FkGroup) -> list[tuple[Any, ...]]:
        b = self.binding
        if group.ahead is not None:
            return group.ahead
        if group.self_ref:
            return b.store.keys(b.table.name, group.fk.ref_columns) + b.self_keys
        return b.store.keys(group.fk.ref_table, group.fk.ref_columns)

    def _pick(self, group: _FkGroup, row: list[Any], rng: random.Random) -> None:
        """Fill the group's columns with one parent key (or null, for a nullable key)."""
        if group.nullable and row[group.positions[0]] is None:
            for p in group.positions:
                row[p] = None
            return
        candidates = self._candidates(group)
        if group.self_ref and not group.nullable:
            own = self._own_key(group, row)
            candidates = [*candidates, own] if own is not None else candidates
        if not candidates:
            if group.nullable:
                for p in group.positions:
                    row[p] = None
                return
            raise UnsatisfiableError(
                f"table '{self.binding.table.name}': foreign key "
                f"({', '.join(group.fk.columns)}) needs rows of table '{group.fk.ref_table}', "
                "which has none"
            )
        key = candidates[rng.randrange(len(candidates))]
        for p, value in zip(group.positions, key, strict=True):
            row[p] = value

    def _own_key(self, group: _FkGroup, row: list[Any]) -> tuple[Any, ...] | None:
        names = self.binding.names
        key = tuple(row[names.index(c)] for c in group.fk.ref_columns)
        return key if all(v is not None for v in key) else None

    # ---------------------------------------------------------------- unique sets

    def _make_unique(self, row: list[Any], number: int) -> None:
        """Give the row keys no earlier row has.

        Rows past the table's valid count are the bases of boundary and invalid case rows:
        they avoid the keys of the valid rows and of the case rows before them (boundary rows
        are loaded together, so they must not repeat one another); only when no such key is
        left does a case row share a key with another case row — never with a valid row.
        """
        b = self.binding
        if not b.unique_sets:
            return
        case = number >= b.store.plan.rows.get(b.table.name, number + 1)
        if self._unique_among(row, number, cases=case):
            self._keep(row, case=case)
            return
        if case and self._unique_among(row, number, cases=False):
            return
        names = ", ".join(b.names[p] for p in b.unique_sets[self._clash(row) or 0])
        valid = b.store.plan.rows.get(b.table.name, 0)
        during = (
            f"making boundary and invalid case rows after {valid:,} valid rows"
            if number >= valid
            else f"row {number + 1:,}"
        )
        raise UnsatisfiableError(
            f"table '{b.table.name}': ran out of distinct values for the unique columns "
            f"({names}) at {during}; they admit too few combinations — ask for fewer rows "
            "(--rows) or fewer cases (--max-cases)"
        )

    def _unique_among(self, row: list[Any], number: int, *, cases: bool) -> bool:
        """Redraw the row's clashing sets until no kept key (with ``cases``: no case row's key
        either) repeats; False when none is found."""
        clash = self._clash(row, cases=cases)
        if clash is None:
            return True
        rng = random.Random(
            derive_seed(self.binding.store.seed, self.binding.table.name, "unique", number)
        )
        for _ in range(_RETRIES):
            self._redraw(row, clash, rng, number)
            clash = self._clash(row, cases=cases)
            if clash is None:
                return True
        return self._scan(row, clash, cases=cases)

    def _clash(self, row: Sequence[Any], *, cases: bool = False) -> int | None:
        b = self.binding
        for index, positions in enumerate(b.unique_sets):
            key = tuple(row[p] for p in positions)
            if any(v is None for v in key):
                continue  # SQL lets rows with a null in a unique set repeat
            if key in b.seen[index] or (cases and key in b.case_seen[index]):
                return index
        return None

    def _keep(self, row: Sequence[Any], *, case: bool = False) -> None:
        kept = self.binding.case_seen if case else self.binding.seen
        for index, positions in enumerate(self.binding.unique_sets):
            key = tuple(row[p] for p in positions)
            if all(v is not None for v in key):
                kept[index].add(key)

    def _redraw(self, row: list[Any], clash: int, rng: random.Random, number: int) -> None:
        """Draw new values for the clashing set: parent keys for its foreign-key columns, fresh
        values for its other columns."""
        b = self.binding
        positions = set(b.unique_sets[clash])
        for group in b.groups:
            if positions & set(group.positions):
                self._pick(group, row, rng)
        fk_positions = {p for g in b.groups for p in g.positions}
        own = [p for p in positions if p not in fk_positions and p != (b.numbered or (-1, 0))[0]]
        if own:
            fresh = self.inner.columns(GenContext(rng, number), 1)
            for p in own:
                row[p] = fresh[p][0]

    def _scan(self, row: list[Any], clash: int | None, *, cases: bool = False) -> bool:
        """For a set made only of foreign-key columns, walk the parent-key combinations for one
        not used yet."""
        b = self.binding
        if clash is None:
            return True
        positions = set(b.unique_sets[clash])
        groups = [g for g in b.groups if positions & set(g.positions)]
        covered = {p for g in groups for p in g.positions}
        if not groups or not positions <= covered:
            return False
        pools = [self._candidates(g) for g in groups]
        if math.prod(len(p) for p in pools) > _SCAN_LIMIT:
            return False
        for combo in itertools.product(*pools):
            for group, key in zip(groups, combo, strict=True):
                for p, value in zip(group.positions, key, strict=True):
                    row[p] = value
            if self._clash(row, cases=cases) is None:
                return True
        return False
