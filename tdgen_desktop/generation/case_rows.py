"""Writes a table's boundary and invalid rows after its valid rows, and its coverage report."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from tdgen_desktop.core.enums import CaseKind, Dialect, ExportFormat
from tdgen_desktop.core.model import MISSING, ForeignKey, Table
from tdgen_desktop.core.rows import RowBatch
from tdgen_desktop.generation.cases import (
    ADDITIONAL,
    CaseRows,
    CaseSpec,
    Coverage,
    SqlTarget,
    unique_key,
)
from tdgen_desktop.generation.null import NullProvider, row_instance
from tdgen_desktop.generation.pools import derive_seed

if TYPE_CHECKING:
    from collections.abc import Container, Mapping

    from tdgen_desktop.exporters import AtomicFile
    from tdgen_desktop.generation.pipeline import GenerationRequest, TableResult

__all__ = ["CASE_CHUNK_BASE", "build_cases", "unique_key", "write_case_rows"]

CASE_CHUNK_BASE = 1_000_000_000
"""Chunk numbers of case base rows start here, apart from the valid rows' chunks."""


def write_case_rows(
    request: GenerationRequest,
    table: Table,
    plan: Any,
    provider: Any,
    oracle: Any,
    keep: Any,
    writers: tuple[Any, Any],
    result: TableResult,
) -> AtomicFile:
    """Append the case rows to the data and labels writers; return the coverage file (uncommitted).

    ``result`` gets the rows written, case counts, and the coverage path and summary.
    """
    from tdgen_desktop.exporters import AtomicFile  # noqa: PLC0415

    data, labels = writers
    start = result.rows
    built, coverage = build_cases(
        table,
        plan,
        provider,
        oracle,
        (request.cases, request.format, request.max_cases),
        (keep.first_row, keep.used, start, derive_seed(request.seed, table.name)),
        SqlTarget(request.dialect or table.dialect or Dialect.SQLITE, request.with_ddl),
    )
    rows: list[tuple[Any, ...]] = []
    row_labels = []
    extras: list[dict[str, Any] | None] = []
    for spec, instance in built:
        rows.append(_as_row(table, plan.columns, instance))
        extras.append(
            {ADDITIONAL: instance[ADDITIONAL]}
            if spec.extra and isinstance(instance, dict)
            else None
        )
        row_labels.append(spec.label)
    if rows:
        batch = RowBatch(table, plan.columns, rows, row_labels, start)
        batch.extras = extras if any(e is not None for e in extras) else None
        data.write(batch)
        labels.write(batch)
    result.rows += len(rows)
    result.case_counts = dict(Counter(label.case.value for label in row_labels))
    counts = {"valid": start, **result.case_counts}
    report = coverage.as_record(table.name, counts, request.format)
    path = request.out_dir / f"{table.name}.coverage.json"
    coverage_file = AtomicFile(path)
    coverage_file.write(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    result.coverage_path = path
    result.coverage_summary = coverage.summary()
    return coverage_file


def build_cases(
    table: Table,
    plan: Any,
    provider: Any,
    oracle: Any,
    request: tuple[frozenset[CaseKind], ExportFormat, int | None],
    context: tuple[Any, Mapping[str, Container[Any]], int, int],
    sql: SqlTarget | None = None,
) -> tuple[list[tuple[CaseSpec, Any]], Coverage]:
    """The case rows of a table that keep their labels' promise, and the coverage.

    Args:
        table: the table; plan, provider: its compiled plan and the job's provider.
        oracle: the table's validation oracle, if any.
        request: (case kinds, output format, cap on boundary + invalid rows).
        context: (the first valid row, values taken by unique columns — keyed with
            :func:`unique_key` —, the row number of the first case row, the design seed).
        sql: the database SQL output goes to (its invalid rows break rules it enforces).

    Each case row is built on a fresh valid base row made with its own chunk seed
    (``CASE_CHUNK_BASE + case number``), so the file and in-memory paths give the same cases.
    """
    kinds, fmt, max_cases = request
    first_row, used, start, seed = context

    def make_base(index: int) -> Any:
        batch = provider.batch(plan, CASE_CHUNK_BASE + index, start + index, 1)
        return row_instance(table, plan.columns, batch.rows[0])

    builder = CaseRows(
        table, kinds, fmt, max_cases, make_base, oracle, sql=sql, parent_keys=_parent_keys(provider)
    )
    built: list[tuple[CaseSpec, Any]] = []
    for index, spec in enumerate(builder.specs(first_row, seed)):
        instance = builder.build(spec, index, used)
        if instance is not None:
            built.append((spec, instance))
            builder.coverage.add(spec.label)
    return built, builder.coverage


def _as_row(table: Table, columns: list[str], instance: Any) -> tuple[Any, ...]:
    if table.bare:
        return (instance,)
    return tuple(instance.get(name, MISSING) for name in columns)


def _parent_keys(provider: Any) -> Any:
    """The keys of the job's parent rows, per foreign key (None: the job keeps none)."""
    foundation = provider if isinstance(provider, NullProvider) else provider.foundation
    store = foundation.keys
    if store is None:
        return None

    def keys(fk: ForeignKey) -> list[tuple[Any, ...]]:
        return store.keys(fk.ref_table, fk.ref_columns)

    return keys
