"""tdgen's public Python API for test suites: load a schema, get labelled cases — no files, no Qt.

Example::

    import pytest
    from tdgen_desktop.api import generate_cases

    CASES = generate_cases("schemas/customer.json", kinds="all", rows=5, seed=1)

    @pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
    def test_api_validates_customers(case):
        response = client.post("/customers", json=case.row)
        assert (response.status_code < 400) == case.accept, case.label.description
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tdgen_desktop.core.enums import CaseKind, Expectation, ExportFormat
from tdgen_desktop.core.model import Dataset
from tdgen_desktop.core.rows import CaseLabel

__all__ = ["Case", "generate_cases", "load"]


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled test case.

    Attributes:
        table: the table the row belongs to.
        number: the row's number within its table.
        row: the row as a JSON value (an object, or the bare value for non-object schemas).
        label: what the row tests (case kind, field, rule, expected outcome, description).
    """

    table: str
    number: int
    row: Any
    label: CaseLabel

    @property
    def accept(self) -> bool:
        """Whether a correct system accepts this row."""
        return self.label.expect is Expectation.ACCEPT

    @property
    def id(self) -> str:
        """A short id for ``pytest.mark.parametrize`` (``invalid-age-maximum-12``)."""
        parts = [
            self.label.case.value,
            self.label.field or "",
            self.label.rule or "",
            str(self.number),
        ]
        return "-".join(p for p in parts if p)


def load(path: str | Path) -> Dataset:
    """Import a schema file into tdgen's model (tables and fields with constraints)."""
    from tdgen_desktop.importers import load_schema  # noqa: PLC0415

    return load_schema(path)


def generate_cases(
    schema: str | Path | Dataset,
    *,
    kinds: str | Iterable[CaseKind | str] = "all",
    rows: int = 10,
    seed: int = 0,
    locale: str = "en_US",
    table: str | None = None,
    max_cases: int | None = None,
) -> list[Case]:
    """Valid, boundary and invalid rows of a schema with their labels, in memory.

    Args:
        schema: a schema file or an imported dataset.
        kinds: ``"all"``, or case kinds (``"valid"``, ``"boundary"``, ``"invalid"``).
        rows: valid rows per table.
        seed: the same seed gives the same cases.
        locale: Faker locale.
        table: only this table.
        max_cases: at most this many boundary + invalid rows per table.

    Raises:
        TdgenError: the schema cannot be read or the request cannot be met.
    """
    from tdgen_desktop.generation.null import NullProvider, row_instance  # noqa: PLC0415
    from tdgen_desktop.generation.pipeline import GenerationRequest, prepare_job  # noqa: PLC0415

    wanted = _kinds(kinds)
    dataset = schema if isinstance(schema, Dataset) else None
    source = dataset.source if dataset is not None else Path(schema)  # type: ignore[arg-type]
    request = GenerationRequest(
        source=source,
        out_dir=Path(),
        rows=rows,
        cases=wanted,
        format=ExportFormat.JSONL,
        seed=seed,
        locale=locale,
        tables=(table,) if table else (),
        max_cases=max_cases,
    )
    dataset = prepare_job(request, dataset)
    provider = NullProvider(seed, locale)
    out: list[Case] = []
    for t in dataset.tables if not table else [dataset.table(table)]:
        plan = provider.plan(t)
        valid = provider.batch(plan, 0, 0, rows) if rows else None
        instances = [row_instance(t, plan.columns, r) for r in valid.rows] if valid else []
        if CaseKind.VALID in wanted:
            out.extend(
                Case(t.name, i, inst, lab)
                for i, (inst, lab) in enumerate(
                    zip(instances, valid.labels if valid else [], strict=True)
                )
            )
        if wanted - {CaseKind.VALID}:
            out.extend(_designed(t, plan, provider, wanted, max_cases, instances))
    return out


def _designed(
    t: Any,
    plan: Any,
    provider: Any,
    wanted: frozenset[CaseKind],
    max_cases: int | None,
    instances: list[Any],
) -> list[Case]:
    from tdgen_desktop.core.validation import Oracle  # noqa: PLC0415
    from tdgen_desktop.generation.case_rows import build_cases, unique_key  # noqa: PLC0415
    from tdgen_desktop.generation.pools import derive_seed  # noqa: PLC0415

    start = len(instances)
    oracle = Oracle(t.schema) if t.schema is not None else None
    used = {
        f.name: {unique_key(r.get(f.name)) for r in instances if isinstance(r, dict)}
        for f in t.fields
        if f.unique
    }
    first = instances[0] if instances else None
    built, _coverage = build_cases(
        t,
        plan,
        provider,
        oracle,
        (wanted, ExportFormat.JSONL, max_cases),
        (first, used, start, derive_seed(provider.seed, t.name)),
    )
    return [Case(t.name, start + i, row, spec.label) for i, (spec, row) in enumerate(built)]


def _kinds(kinds: str | Iterable[CaseKind | str]) -> frozenset[CaseKind]:
    if isinstance(kinds, str):
        if kinds.strip().lower() == "all":
            return frozenset(CaseKind)
        kinds = kinds.split(",")
    return frozenset(
        k if isinstance(k, CaseKind) else CaseKind.parse(k, option="kinds") for k in kinds
    )
