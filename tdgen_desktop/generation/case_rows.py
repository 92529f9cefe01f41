"""Writes a table's boundary and invalid rows after its valid rows, and its coverage report."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from tdgen_desktop.core.model import MISSING, Table
from tdgen_desktop.core.rows import RowBatch
from tdgen_desktop.generation.cases import ADDITIONAL, CaseRows
from tdgen_desktop.generation.null import row_instance
from tdgen_desktop.generation.pools import derive_seed

if TYPE_CHECKING:
    from tdgen_desktop.exporters import AtomicFile
    from tdgen_desktop.generation.pipeline import GenerationRequest, TableResult

__all__ = ["CASE_CHUNK_BASE", "write_case_rows"]

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

    def make_base(index: int) -> Any:
        batch = provider.batch(plan, CASE_CHUNK_BASE + index, start + index, 1)
        return row_instance(table, plan.columns, batch.rows[0])

    builder = CaseRows(table, request.cases, request.format, request.max_cases, make_base, oracle)
    rows: list[tuple[Any, ...]] = []
    row_labels = []
    extras: list[dict[str, Any] | None] = []
    for index, spec in enumerate(
        builder.specs(keep.first_row, derive_seed(request.seed, table.name))
    ):
        instance = builder.build(spec, index, keep.used)
        if instance is None:
            continue
        rows.append(_as_row(table, plan.columns, instance))
        extras.append(
            {ADDITIONAL: instance[ADDITIONAL]}
            if spec.extra and isinstance(instance, dict)
            else None
        )
        row_labels.append(spec.label)
        builder.coverage.add(spec.label)
    if rows:
        batch = RowBatch(table, plan.columns, rows, row_labels, start)
        batch.extras = extras if any(e is not None for e in extras) else None
        data.write(batch)
        labels.write(batch)
    result.rows += len(rows)
    result.case_counts = dict(Counter(label.case.value for label in row_labels))
    counts = {"valid": start, **result.case_counts}
    report = builder.coverage.as_record(table.name, counts, request.format)
    path = request.out_dir / f"{table.name}.coverage.json"
    coverage_file = AtomicFile(path)
    coverage_file.write(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    result.coverage_path = path
    result.coverage_summary = builder.coverage.summary()
    return coverage_file


def _as_row(table: Table, columns: list[str], instance: Any) -> tuple[Any, ...]:
    if table.bare:
        return (instance,)
    return tuple(instance.get(name, MISSING) for name in columns)
