"""The null provider: rule-based, offline, fast — valid rows from the model's constraints.

Rows are made a chunk at a time, in two stages. :meth:`NullProvider.rows` makes chunk ``k`` of a
table from ``random.Random`` seeded with ``derive_seed(job seed, table, k)`` alone — any process
can make it. :meth:`NullProvider.fix` then replaces values that repeat those of earlier chunks
(unique columns and unique sets), chunk after chunk, in one place. So the output depends only on
the seed, the schema and the options — never on timing or on how many processes made chunks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from tdgen_desktop.core.errors import UnsupportedFeatureError
from tdgen_desktop.core.model import MISSING, Table
from tdgen_desktop.core.rows import VALID_LABEL, RowBatch
from tdgen_desktop.core.validation import Oracle
from tdgen_desktop.generation.pools import Pools, derive_seed
from tdgen_desktop.generation.relations import KeyStore
from tdgen_desktop.generation.values import (
    RETRY_BUDGET,
    ColumnFix,
    Env,
    GenContext,
    ObjectSource,
    compile_object,
    defer_uniques,
)

__all__ = ["NullProvider", "TablePlan", "row_instance"]

_ROW_RETRIES = 100


@dataclass(slots=True)
class TablePlan:
    """A table compiled for generation.

    Attributes:
        fixes: the unique columns :meth:`NullProvider.fix` keeps unique.
        independent: whether :meth:`NullProvider.rows` of one chunk depends on no other chunk,
            so chunks may be made in any order, in other processes.
    """

    table: Table
    columns: list[str]
    source: ObjectSource
    fixes: list[ColumnFix] = field(default_factory=list)
    independent: bool = False


def row_instance(table: Table, columns: list[str], row: tuple[Any, ...]) -> Any:
    """The JSON instance a row stands for: an object of its present columns, or a bare value."""
    if table.bare:
        return row[0]
    return {k: v for k, v in zip(columns, row, strict=True) if v is not MISSING}


class NullProvider:
    """Makes valid rows from the model alone.

    Args:
        seed: the job seed.
        locale: Faker locale for names, addresses and the like.
        keys: the job's key bookkeeping for related tables (foreign keys draw from the keys
            of written parent rows); None for unrelated tables.
    """

    def __init__(
        self,
        seed: int,
        locale: str = "en_US",
        *,
        pools: Pools | None = None,
        keys: KeyStore | None = None,
    ) -> None:
        self.seed = seed
        self.locale = locale
        self.pools = pools or Pools(seed, locale)
        self.keys = keys

    def plan(self, table: Table) -> TablePlan:
        """Compile a table's fields into sources (raises on contradictory constraints)."""
        env = Env(self.pools, derive_seed(self.seed, table.name))
        source = compile_object(table.fields, env)
        fixes, independent = defer_uniques(source, env)
        if self.keys is not None:
            source = self.keys.bind(table, source)
            independent = independent and not getattr(source, "inline", False)
        return TablePlan(table, list(source.names), source, fixes, independent)

    def needs_rows(self, plan: TablePlan) -> bool:
        """Whether a chunk's rows matter after it is made: to :meth:`fix` them, or because
        other tables draw their foreign keys from this table's keys."""
        if plan.fixes or getattr(plan.source, "fixes_rows", False):
            return True
        return self.keys is not None and bool(self.keys.plan.referenced.get(plan.table.name))

    def record(self, batch: RowBatch) -> None:
        """Remember the keys of written valid rows, for the tables that reference them."""
        if self.keys is not None:
            self.keys.record(batch)

    def batch(self, plan: TablePlan, chunk: int, start: int, count: int) -> RowBatch:
        """Make rows ``start .. start + count - 1`` (chunk number ``chunk``) of a table."""
        rows = self.rows(plan, chunk, start, count)
        self.fix(plan, rows, start)
        return RowBatch(plan.table, plan.columns, rows, [VALID_LABEL] * count, start)

    def rows(self, plan: TablePlan, chunk: int, start: int, count: int) -> list[tuple[Any, ...]]:
        """The first stage of :meth:`batch`: the chunk's rows before :meth:`fix`.

        For an ``independent`` plan this depends on nothing but the arguments and the job.
        """
        rng = random.Random(derive_seed(self.seed, plan.table.name, chunk))
        ctx = GenContext(rng, start, retries=[RETRY_BUDGET + 20 * count])
        columns = plan.source.columns(ctx, count)
        rows = list(zip(*columns, strict=True)) if columns else [() for _ in range(count)]
        check = plan.table.check
        if check is not None:
            for i, row in enumerate(rows):
                if not check(row_instance(plan.table, plan.columns, row)):
                    rows[i] = self._retry_row(plan, start + i)
        return rows

    def fix(self, plan: TablePlan, rows: list[tuple[Any, ...]], start: int) -> list[int]:
        """The second stage of :meth:`batch`: replace, in place, values of unique columns and
        unique sets that earlier rows have. Chunks must come in order. Returns the indexes of
        the rows changed."""
        changed: set[int] = set()
        relational = getattr(plan.source, "fix", None)
        if relational is not None:
            changed.update(relational(rows, start))
        table, columns, check = plan.table, plan.columns, plan.table.check
        for column in plan.fixes:
            position = column.position
            values = [row[position] for row in rows]

            def context(row: int, position: int = position) -> GenContext:
                seed = derive_seed(self.seed, table.name, "unique", position, row)
                return GenContext(random.Random(seed), row)

            def accept(
                index: int, value: Any, position: int = position, column: ColumnFix = column
            ) -> bool:
                if column.check is not None and not column.check(value):
                    return False
                if check is None:
                    return True
                row = rows[index]
                candidate = (*row[:position], value, *row[position + 1 :])
                return bool(check(row_instance(table, columns, candidate)))

            replaced = column.unique.fix(values, start, context, accept)
            for i in replaced:
                row = rows[i]
                rows[i] = (*row[:position], values[i], *row[position + 1 :])
            changed.update(replaced)
        return sorted(changed)

    def _retry_row(self, plan: TablePlan, row: int) -> tuple[Any, ...]:
        check = plan.table.check
        assert check is not None  # noqa: S101 — only called when the table has a check
        candidate: tuple[Any, ...] = ()
        budget = [RETRY_BUDGET]  # shared by every attempt for this row
        for attempt in range(_ROW_RETRIES):
            if budget[0] <= 0:
                break
            rng = random.Random(derive_seed(self.seed, plan.table.name, "retry", row, attempt))
            # After a few tries, optional properties may be left out (e.g. for "not required").
            ctx = GenContext(rng, row, sparse=attempt >= 5, retries=budget)
            columns = plan.source.columns(ctx, 1)
            candidate = tuple(c[0] for c in columns)
            if check(row_instance(plan.table, plan.columns, candidate)):
                return candidate
        reason = ""
        if plan.table.schema is not None:
            error = Oracle(plan.table.schema).first_error(
                row_instance(plan.table, plan.columns, candidate)
            )
            if error is not None:
                where = "/" + "/".join(str(p) for p in error.absolute_path)
                reason = f"; last attempt failed at {where}: {error.message[:200]}"
        raise UnsupportedFeatureError(
            f"no row satisfying every rule of the schema was found in {_ROW_RETRIES} tries "
            f"(conditional rules such as if/then or dependencies){reason}",
            field=plan.table.name,
        )
