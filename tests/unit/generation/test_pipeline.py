"""The pipeline: progress a window can show, cancellation and failures that leave no files."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from tdgen_desktop.core import (
    CancelledError,
    ExportError,
    ExportFormat,
    Step,
    StepState,
    UsageError,
)
from tdgen_desktop.core.validation import Oracle
from tdgen_desktop.generation.pipeline import (
    CancelToken,
    GenerationRequest,
    ProgressEvent,
    run_pipeline,
)

SCHEMA: dict[str, Any] = {
    "title": "order",
    "type": "object",
    "required": ["id", "code", "total"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "x-unique": True},
        "code": {"type": "string", "pattern": "^[A-Z]{2}[0-9]{4}$"},
        "total": {"type": "number", "minimum": 0, "maximum": 1000, "multipleOf": 0.01},
        "note": {"type": ["string", "null"], "maxLength": 30},
    },
}
STEP_ORDER = [Step.PARSE, Step.FOUNDATION, Step.ENHANCE, Step.VALIDATE, Step.EXPORT]


@pytest.fixture
def schema_path(tmp_path: Path) -> Path:
    path = tmp_path / "order.schema.json"
    path.write_text(json.dumps(SCHEMA), encoding="utf-8")
    return path


def _files(folder: Path) -> list[Path]:
    """Every file below ``folder`` (hidden temporary files too)."""
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_progress_walks_the_steps_in_order(schema_path: Path, tmp_path: Path) -> None:
    events: list[ProgressEvent] = []
    out = tmp_path / "out"
    request = GenerationRequest(
        source=schema_path, out_dir=out, rows=1000, chunk_size=100, format=ExportFormat.JSONL
    )
    result = run_pipeline(request, progress=events.append)

    first_seen = list(dict.fromkeys(e.step for e in events))
    assert first_seen == STEP_ORDER
    order = [STEP_ORDER.index(e.step) for e in events]
    # Steps never go back, except that the foundation step closes after the skipped enhance.
    enhance = next(e for e in events if e.step is Step.ENHANCE)
    assert enhance.state is StepState.SKIPPED
    assert enhance.message
    assert order[-1] == STEP_ORDER.index(Step.EXPORT)
    assert events[-1].state is StepState.DONE
    assert [e.step for e in events if e.state is StepState.DONE][-2:] == [
        Step.VALIDATE,
        Step.EXPORT,
    ]

    chunk_events = [e for e in events if e.step is Step.FOUNDATION and e.table == "order"]
    assert [e.rows_done for e in chunk_events] == list(range(100, 1001, 100))
    assert all(e.rows_total == 1000 for e in chunk_events)
    assert all(e.rows_per_s > 0 for e in chunk_events)

    assert events[-1].fraction == 1.0
    assert events[-1].rows_done == 1000
    assert result.rows == 1000
    assert result.validation_failures == 0
    assert not result.warnings


def test_progress_fraction_never_goes_back(schema_path: Path, tmp_path: Path) -> None:
    events: list[ProgressEvent] = []
    request = GenerationRequest(
        source=schema_path, out_dir=tmp_path / "out", rows=500, chunk_size=100
    )
    run_pipeline(request, progress=events.append)
    fractions = [e.fraction for e in events]
    assert all(0.0 <= f <= 1.0 for f in fractions)
    went_back = [(a, b) for a, b in itertools.pairwise(fractions) if b < a]
    assert not went_back, f"fraction went back: {[(e.step.value, e.fraction) for e in events]}"
    assert fractions[-1] == 1.0


def test_output_files_hold_the_rows_and_labels(schema_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    request = GenerationRequest(
        source=schema_path, out_dir=out, rows=250, chunk_size=100, format=ExportFormat.JSONL, seed=3
    )
    result = run_pipeline(request)
    table = result.tables[0]
    assert table.path == out / "order.jsonl"
    assert table.cases_path == out / "order.cases.jsonl"
    assert _files(out) == sorted([table.path, table.cases_path])
    oracle = Oracle(SCHEMA)
    rows = [json.loads(line) for line in table.path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 250
    assert all(oracle.is_valid(r) for r in rows)
    labels = table.cases_path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["row"] for x in labels] == list(range(250))
    assert table.case_counts == {"valid": 250}
    assert table.rows_validated == 250


def test_cancel_after_first_chunk_leaves_no_file(schema_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    token = CancelToken()
    seen: list[int] = []

    def on_progress(event: ProgressEvent) -> None:
        if event.step is Step.FOUNDATION and event.rows_done > 0:
            seen.append(event.rows_done)
            token.cancel()

    request = GenerationRequest(source=schema_path, out_dir=out, rows=1000, chunk_size=100)
    with pytest.raises(CancelledError):
        run_pipeline(request, progress=on_progress, cancel=token)
    assert seen == [100]
    assert _files(out) == []


def test_cancel_before_start_leaves_no_file(schema_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        run_pipeline(GenerationRequest(source=schema_path, out_dir=out, rows=10), cancel=token)
    assert _files(out) == []


def test_output_folder_that_is_a_file_raises_export_error(
    schema_path: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("not a folder", encoding="utf-8")
    before = _files(tmp_path)
    request = GenerationRequest(source=schema_path, out_dir=blocker, rows=50)
    with pytest.raises(ExportError) as info:
        run_pipeline(request)
    assert str(blocker) in info.value.message
    assert _files(tmp_path) == before
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_output_folder_below_a_file_raises_export_error(schema_path: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x", encoding="utf-8")
    before = _files(tmp_path)
    request = GenerationRequest(source=schema_path, out_dir=blocker / "out", rows=50)
    with pytest.raises(ExportError) as info:
        run_pipeline(request)
    assert str(blocker / "out") in info.value.message
    assert _files(tmp_path) == before


def test_failed_write_mid_job_leaves_no_file(
    schema_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tdgen_desktop.exporters.base import CasesWriter  # noqa: PLC0415

    original = CasesWriter.write
    calls = {"n": 0}

    def failing_write(self: Any, batch: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise ExportError("disk full", file=tmp_path / "out" / "order.cases.jsonl")
        return original(self, batch)

    monkeypatch.setattr(CasesWriter, "write", failing_write)
    out = tmp_path / "out"
    request = GenerationRequest(source=schema_path, out_dir=out, rows=1000, chunk_size=100)
    with pytest.raises(ExportError, match="disk full"):
        run_pipeline(request)
    assert _files(out) == []


def test_existing_file_is_kept_when_a_job_is_cancelled(schema_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_pipeline(GenerationRequest(source=schema_path, out_dir=out, rows=20, seed=1))
    before = {p: p.read_bytes() for p in _files(out)}
    token = CancelToken()

    def on_progress(event: ProgressEvent) -> None:
        if event.rows_done > 0:
            token.cancel()

    request = GenerationRequest(source=schema_path, out_dir=out, rows=500, chunk_size=100, seed=2)
    with pytest.raises(CancelledError):
        run_pipeline(request, progress=on_progress, cancel=token)
    assert {p: p.read_bytes() for p in _files(out)} == before


def test_unknown_table_is_a_usage_error_naming_the_tables(
    schema_path: Path, tmp_path: Path
) -> None:
    request = GenerationRequest(source=schema_path, out_dir=tmp_path / "out", tables=("orders",))
    with pytest.raises(UsageError) as info:
        run_pipeline(request)
    assert "orders" in info.value.message
    assert "order" in info.value.message.replace("'orders'", "")
    assert not (tmp_path / "out").exists()


def test_unavailable_format_is_a_usage_error_listing_available_ones(
    schema_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tdgen_desktop import exporters  # noqa: PLC0415

    monkeypatch.delitem(exporters._WRITERS, ExportFormat.PARQUET)  # every format has a writer
    request = GenerationRequest(
        source=schema_path, out_dir=tmp_path / "out", format=ExportFormat.PARQUET
    )
    with pytest.raises(UsageError) as info:
        run_pipeline(request)
    for name in ("csv", "tsv", "json", "jsonl"):
        assert name in info.value.message
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "kwargs", [{"rows": -1}, {"chunk_size": 0}, {"cases": frozenset()}, {"table_rows": {"t": -5}}]
)
def test_bad_requests_are_refused_when_built(tmp_path: Path, kwargs: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        GenerationRequest(source=tmp_path / "s.json", out_dir=tmp_path / "out", **kwargs)


def test_zero_rows_writes_empty_files(schema_path: Path, tmp_path: Path) -> None:
    events: list[ProgressEvent] = []
    out = tmp_path / "out"
    request = GenerationRequest(source=schema_path, out_dir=out, rows=0, format=ExportFormat.JSONL)
    result = run_pipeline(request, progress=events.append)
    assert result.rows == 0
    assert result.tables[0].path.read_text(encoding="utf-8") == ""
    assert events[-1].step is Step.EXPORT
    assert events[-1].fraction == 1.0
