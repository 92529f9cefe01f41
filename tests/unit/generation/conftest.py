"""Helpers for the generation tests: import a schema from ``tmp_path`` and make rows from it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tdgen_desktop.core import Dataset, Table
from tdgen_desktop.core.validation import Oracle
from tdgen_desktop.generation.null import NullProvider, row_instance
from tdgen_desktop.generation.preflight import preflight
from tdgen_desktop.importers import load_schema

CHUNK = 500
"""Rows per batch: small enough that 2,000+ rows span several chunks (like the pipeline)."""


@dataclass
class Generated:
    """Rows made from one schema, as JSON instances, with the imported model."""

    dataset: Dataset
    table: Table
    rows: list[Any]
    notices: list[str] = field(default_factory=list)

    def column(self, name: str) -> list[Any]:
        """Values of property ``name`` in rows where it is present."""
        return [r[name] for r in self.rows if name in r]

    def invalid(self) -> list[tuple[int, Any, str]]:
        """``(row number, row, first error)`` for every row the source schema rejects."""
        oracle = Oracle(self.table.schema)
        bad = []
        for i, row in enumerate(self.rows):
            error = oracle.first_error(row)
            if error is not None:
                where = "/" + "/".join(str(p) for p in error.absolute_path)
                bad.append((i, row, f"{where}: {error.message}"))
        return bad

    def assert_all_valid(self) -> None:
        """Fail with the first few invalid rows and why."""
        bad = self.invalid()
        assert not bad, f"{len(bad)} of {len(self.rows)} rows invalid, e.g. {bad[:3]}"


GenerateFn = Callable[..., Generated]


def generate_rows(
    path: Path,
    rows: int,
    seed: int = 1,
    edit: Callable[[Table], None] | None = None,
    chunk: int = CHUNK,
) -> Generated:
    """Import ``path`` and make ``rows`` valid rows of its first table with the null provider."""
    dataset = load_schema(path)
    table = dataset.tables[0]
    if edit is not None:
        edit(table)
    provider = NullProvider(seed)
    notices: list[str] = []
    preflight(table, rows, provider, notices)
    plan = provider.plan(table)
    out: list[Any] = []
    for number, start in enumerate(range(0, rows, chunk)):
        batch = provider.batch(plan, number, start, min(chunk, rows - start))
        out.extend(row_instance(table, batch.columns, row) for row in batch.rows)
    return Generated(dataset, table, out, notices)


@pytest.fixture
def write_schema(tmp_path: Path) -> Callable[..., Path]:
    """Write a schema document to a fresh file in ``tmp_path`` and return its path."""
    counter = iter(range(1_000_000))

    def write(schema: Any, name: str | None = None) -> Path:
        path = tmp_path / (name or f"schema{next(counter)}.json")
        path.write_text(json.dumps(schema), encoding="utf-8")
        return path

    return write


@pytest.fixture(name="generate_rows")
def _generate_rows_fixture() -> Callable[..., Generated]:
    """:func:`generate_rows` itself: ``generate_rows(path, rows, seed=1, edit=None, chunk=500)``."""
    return generate_rows


@pytest.fixture
def generate(write_schema: Callable[..., Path]) -> GenerateFn:
    """``generate(schema, rows=200, seed=1, edit=None)`` → :class:`Generated`."""

    def run(
        schema: Any,
        rows: int = 200,
        seed: int = 1,
        edit: Callable[[Table], None] | None = None,
        name: str | None = None,
    ) -> Generated:
        return generate_rows(write_schema(schema, name), rows, seed, edit)

    return run
