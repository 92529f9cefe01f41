"""The job scheduler on a live Qt event loop: order, aging, cancel, progress, failures, status.

Ordering tests use a scripted pipeline (a job whose schema name starts with ``block`` waits until
released, so the pool stays saturated); the rest run the real pipeline on small schemas.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt, Slot
from pytestqt.qtbot import QtBot

from tdgen_desktop.core.enums import Priority, Step, StepState
from tdgen_desktop.core.errors import SchemaError
from tdgen_desktop.core.model import Dataset
from tdgen_desktop.generation.pipeline import (
    DEFAULT_CHUNK,
    CancelToken,
    GenerationRequest,
    JobResult,
    ProgressEvent,
    ProgressSink,
)
from tdgen_desktop.scheduler import (
    PROGRESS_INTERVAL_S,
    STEP_ORDER,
    JobColumn,
    JobScheduler,
    JobState,
    JobTableModel,
)
from tdgen_desktop.services import AppPaths

H, N, L = Priority.HIGH, Priority.NORMAL, Priority.LOW
WAIT_MS = 20_000

ITEM_SCHEMA = {
    "title": "item",
    "type": "object",
    "required": ["id", "qty", "code"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "x-unique": True},
        "qty": {"type": "integer", "minimum": 0, "maximum": 99},
        "code": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2}$"},
        "note": {"type": "string", "maxLength": 20},
    },
}
BROKEN_SCHEMA = {
    "title": "broken",
    "type": "object",
    "required": ["age"],
    "properties": {"age": {"type": "integer", "minimum": 5, "maximum": 4}},
}


class FakeClock:
    """Monotonic seconds that move only when told to (for queue aging)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class ScriptedPipeline:
    """Stands in for ``run_pipeline``: records starts; ``block*`` jobs wait, ``bad*`` jobs fail."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.events_per_job = 2

    def __call__(
        self,
        request: GenerationRequest,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
        *,
        dataset: Dataset | None = None,  # noqa: ARG002 — run_pipeline's signature
    ) -> JobResult:
        assert progress is not None
        assert cancel is not None
        name = request.source.stem
        progress(ProgressEvent(Step.PARSE, StepState.RUNNING, 0.0))
        if name.startswith("bad"):
            raise SchemaError("not a schema", file=request.source)
        if name.startswith("block"):
            while not self.release.wait(0.002):
                cancel.raise_if_cancelled()
        total = self.events_per_job
        for i in range(1, total + 1):
            cancel.raise_if_cancelled()
            progress(ProgressEvent(Step.FOUNDATION, StepState.RUNNING, i / total, i, total))
        progress(ProgressEvent(Step.EXPORT, StepState.DONE, 1.0, total, total))
        return JobResult(source=request.source)


class Recorder(QObject):
    """Collects the scheduler's signals in arrival order."""

    def __init__(self, scheduler: JobScheduler) -> None:
        super().__init__()
        self.scheduler = scheduler
        self.started: list[str] = []
        self.states: list[tuple[str, str]] = []
        self.progress: dict[str, list[tuple[Step | None, float, int, float]]] = {}
        self.on_start: Callable[[str], None] | None = None
        scheduler.job_state_changed.connect(self.on_scheduler_job_state_changed)
        scheduler.job_progressed.connect(self.on_scheduler_job_progressed)

    @Slot(str, str)
    def on_scheduler_job_state_changed(self, job_id: str, state: str) -> None:
        self.states.append((job_id, state))
        if state == JobState.RUNNING:
            self.started.append(self.name(job_id))
            if self.on_start is not None:
                self.on_start(job_id)

    @Slot(str)
    def on_scheduler_job_progressed(self, job_id: str) -> None:
        job = self.scheduler.job(job_id)
        point = (job.step, job.fraction, job.rows_done, time.monotonic())
        self.progress.setdefault(job_id, []).append(point)

    def name(self, job_id: str) -> str:
        return self.scheduler.job(job_id).request.source.stem


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths.under(tmp_path / "home")


@pytest.fixture
def make_scheduler(paths: AppPaths, qapp: Any) -> Iterator[Callable[..., JobScheduler]]:
    made: list[JobScheduler] = []

    def make(**kwargs: Any) -> JobScheduler:
        scheduler = JobScheduler(paths, **kwargs)
        made.append(scheduler)
        return scheduler

    yield make
    for scheduler in made:
        assert scheduler.shutdown(10_000)


@pytest.fixture
def item_schema(tmp_path: Path) -> Path:
    path = tmp_path / "item.json"
    path.write_text(json.dumps(ITEM_SCHEMA), encoding="utf-8")
    return path


def fake(tmp_path: Path, name: str) -> GenerationRequest:
    return GenerationRequest(source=tmp_path / f"{name}.json", out_dir=tmp_path / "out" / name)


def real(schema: Path, out: Path, rows: int = 300, seed: int = 1, chunk: int = 100) -> Any:
    return GenerationRequest(source=schema, out_dir=out, rows=rows, seed=seed, chunk_size=chunk)


def wait_done(qtbot: QtBot, scheduler: JobScheduler) -> None:
    qtbot.waitUntil(lambda: scheduler.status().idle, timeout=WAIT_MS)


# ---------------------------------------------------------------- order and aging


def test_queued_jobs_start_by_priority_then_fifo(
    qtbot: QtBot, tmp_path: Path, make_scheduler: Callable[..., JobScheduler]
) -> None:
    pipeline = ScriptedPipeline()
    scheduler = make_scheduler(workers=1, pipeline=pipeline)
    recorder = Recorder(scheduler)
    blocker = scheduler.submit(fake(tmp_path, "block"), L)
    qtbot.waitUntil(lambda: scheduler.job(blocker).state is JobState.RUNNING)
    for name, priority in [("n1", N), ("l1", L), ("h1", H), ("n2", N), ("h2", H), ("l2", L)]:
        scheduler.submit(fake(tmp_path, name), priority)
    status = scheduler.status()
    assert (status.queued_high, status.queued_normal, status.queued_low) == (2, 2, 2)
    assert (status.running, status.workers_busy, status.workers_total) == (1, 1, 1)
    pipeline.release.set()
    assert scheduler.wait_for_done(WAIT_MS)
    assert recorder.started == ["block", "h1", "h2", "n1", "n2", "l1", "l2"]
    assert scheduler.status().completed == 7


def test_aging_lets_a_low_job_through_a_stream_of_high_jobs(
    qtbot: QtBot, tmp_path: Path, make_scheduler: Callable[..., JobScheduler]
) -> None:
    clock = FakeClock()
    pipeline = ScriptedPipeline()
    scheduler = make_scheduler(workers=1, pipeline=pipeline, aging_s=10.0, clock=clock)
    recorder = Recorder(scheduler)
    scheduler.submit(fake(tmp_path, "block"), H)
    scheduler.submit(fake(tmp_path, "low"), L)
    scheduler.submit(fake(tmp_path, "h0"), H)
    started_at: dict[str, float] = {}
    stream = iter(range(1, 12))

    def on_start(job_id: str) -> None:  # every start: 5 s pass and one more HIGH job arrives
        started_at[recorder.name(job_id)] = clock.now
        clock.now += 5.0
        if (i := next(stream, None)) is not None:
            scheduler.submit(fake(tmp_path, f"h{i}"), H)

    recorder.on_start = on_start
    pipeline.release.set()
    assert scheduler.wait_for_done(WAIT_MS)
    order = recorder.started
    assert order.index("low") < order.index("h11")
    # Queued at t=0 with aging 10 s, only HIGH jobs queued before t=20 pass it.
    assert started_at["low"] <= 2 * 10.0 + 5.0
    assert all(order.index(f"h{i}") < order.index("low") for i in range(4))
    assert all(order.index(f"h{i}") > order.index("low") for i in range(4, 12))


def test_set_priority_and_worker_count(
    qtbot: QtBot, tmp_path: Path, make_scheduler: Callable[..., JobScheduler]
) -> None:
    pipeline = ScriptedPipeline()
    scheduler = make_scheduler(workers=1, pipeline=pipeline)
    recorder = Recorder(scheduler)
    scheduler.submit(fake(tmp_path, "block-a"), N)
    ids = {name: scheduler.submit(fake(tmp_path, name), L) for name in ("l1", "l2")}
    ids["n"] = scheduler.submit(fake(tmp_path, "n"), N)
    with qtbot.waitSignal(scheduler.job_priority_changed, timeout=1000) as blocker:
        assert scheduler.set_priority(ids["l2"], H)
    assert blocker.args == [ids["l2"], "high"]
    assert scheduler.queued_ids() == [ids["l2"], ids["n"], ids["l1"]]
    assert scheduler.job(ids["l2"]).priority is H
    scheduler.set_worker_count(2)  # a second worker takes the first in line at once
    assert scheduler.job(ids["l2"]).state is JobState.RUNNING
    assert not scheduler.set_priority(ids["l2"], L)  # running: too late
    with pytest.raises(ValueError, match="at least 1"):
        scheduler.set_worker_count(0)
    pipeline.release.set()
    assert scheduler.wait_for_done(WAIT_MS)
    assert recorder.started == ["block-a", "l2", "n", "l1"]


# ---------------------------------------------------------------- cancel


def test_cancel_a_queued_job_removes_it_at_once(
    qtbot: QtBot, tmp_path: Path, make_scheduler: Callable[..., JobScheduler]
) -> None:
    pipeline = ScriptedPipeline()
    scheduler = make_scheduler(workers=1, pipeline=pipeline)
    recorder = Recorder(scheduler)
    scheduler.submit(fake(tmp_path, "block"), N)
    queued = scheduler.submit(fake(tmp_path, "queued"), H)
    with qtbot.waitSignal(scheduler.job_cancelled, timeout=1000) as blocker:
        assert scheduler.cancel(queued)
    assert blocker.args == [queued]
    job = scheduler.job(queued)
    assert job.state is JobState.CANCELLED
    assert job.started_at is None
    assert job.temp_dir is None
    assert scheduler.queued_ids() == []
    assert scheduler.status().cancelled == 1
    assert not scheduler.cancel(queued)
    with pytest.raises(KeyError):
        scheduler.cancel("job-999")
    pipeline.release.set()
    assert scheduler.wait_for_done(WAIT_MS)
    assert "queued" not in recorder.started


def test_cancel_a_running_job_stops_it_quickly_and_leaves_nothing(
    qtbot: QtBot,
    tmp_path: Path,
    item_schema: Path,
    paths: AppPaths,
    make_scheduler: Callable[..., JobScheduler],
) -> None:
    scheduler = make_scheduler(workers=1)
    recorder = Recorder(scheduler)
    out = tmp_path / "out" / "big"
    job_id = scheduler.submit(real(item_schema, out, rows=5_000_000, chunk=200), N)
    job = scheduler.job(job_id)
    qtbot.waitUntil(lambda: job.rows_done > 0, timeout=WAIT_MS)
    temp_dir = job.temp_dir
    assert temp_dir is not None
    assert temp_dir.is_dir()
    assert temp_dir.is_relative_to(paths.jobs_dir)
    with qtbot.waitSignal(scheduler.job_cancelled, timeout=WAIT_MS):
        asked = time.monotonic()
        assert scheduler.cancel(job_id)
        assert job.state is JobState.CANCELLING
    latency = time.monotonic() - asked
    assert job.state is JobState.CANCELLED
    assert job.cancel_latency_s is not None
    assert job.cancel_latency_s < 0.25
    assert latency < 0.25
    assert not temp_dir.exists()
    assert not out.exists() or list(out.iterdir()) == []  # no file, not even a temporary one
    assert (job_id, "cancelling") in recorder.states
    assert scheduler.status().cancelled == 1
    assert 0 < job.rows_done < 5_000_000


@pytest.mark.parametrize("processes", [0, 2], ids=["threads", "worker-processes"])
def test_cancel_at_the_default_chunk_size_stops_within_250_ms(
    processes: int,
    qtbot: QtBot,
    tmp_path: Path,
    paths: AppPaths,
    make_scheduler: Callable[..., JobScheduler],
) -> None:
    """The benchmark's customer schema at the default chunk size (500 rows), made in the job's
    thread or by two worker processes: a cancel stops the job within 250 ms and leaves nothing."""
    schema = Path(__file__).resolve().parents[2] / "bench" / "customers.schema.json"
    scheduler = make_scheduler(workers=1)
    out = tmp_path / "out" / "customers"
    request = GenerationRequest(
        source=schema, out_dir=out, rows=2_000_000, seed=4, processes=processes
    )
    assert request.chunk_size == DEFAULT_CHUNK
    job_id = scheduler.submit(request, N)
    job = scheduler.job(job_id)
    qtbot.waitUntil(lambda: job.rows_done >= 4 * DEFAULT_CHUNK, timeout=60_000)
    temp_dir = job.temp_dir
    assert temp_dir is not None
    assert any(p.is_file() for p in out.iterdir()), "no temporary file was being written"
    with qtbot.waitSignal(scheduler.job_cancelled, timeout=WAIT_MS):
        assert scheduler.cancel(job_id)
    assert job.cancel_latency_s is not None
    assert job.cancel_latency_s < 0.25, f"stopped after {job.cancel_latency_s * 1000:.0f} ms"
    assert not temp_dir.exists()
    assert not out.exists() or list(out.iterdir()) == []  # no final file, no temporary one
    assert job.rows_done < 2_000_000


def test_retry_a_failed_or_cancelled_job(
    qtbot: QtBot, tmp_path: Path, make_scheduler: Callable[..., JobScheduler]
) -> None:
    scheduler = make_scheduler(workers=1, pipeline=ScriptedPipeline())
    with qtbot.waitSignal(scheduler.job_failed, timeout=WAIT_MS) as blocker:
        bad = scheduler.submit(fake(tmp_path, "bad"), H)
    assert blocker.args[0] == bad
    assert "bad.json" in blocker.args[1]
    again = scheduler.retry(bad)
    assert again != bad
    assert scheduler.job(again).retry_of == bad
    assert scheduler.job(again).priority is H
    assert scheduler.wait_for_done(WAIT_MS)
    assert scheduler.job(again).state is JobState.FAILED
    good = scheduler.submit(fake(tmp_path, "good"), N)
    assert scheduler.wait_for_done(WAIT_MS)
    with pytest.raises(ValueError, match="only failed or cancelled"):
        scheduler.retry(good)


def test_cancel_all_and_shutdown(qtbot: QtBot, tmp_path: Path, paths: AppPaths, qapp: Any) -> None:
    pipeline = ScriptedPipeline()
    scheduler = JobScheduler(paths, workers=2, pipeline=pipeline)
    ids = [scheduler.submit(fake(tmp_path, f"block{i}"), N) for i in range(2)]
    ids += [scheduler.submit(fake(tmp_path, f"q{i}"), L) for i in range(3)]
    qtbot.waitUntil(lambda: all(scheduler.job(i).temp_dir for i in ids[:2]))
    assert scheduler.cancel_all() == 5
    assert scheduler.shutdown(10_000)
    assert all(scheduler.job(i).state is JobState.CANCELLED for i in ids)
    assert not any(paths.run_dir.iterdir()) if paths.run_dir.exists() else True
    with pytest.raises(RuntimeError, match="shut down"):
        scheduler.submit(fake(tmp_path, "late"), N)


# ---------------------------------------------------------------- progress and failures


def test_progress_is_monotonic_ordered_and_ends_at_one(
    qtbot: QtBot, tmp_path: Path, item_schema: Path, make_scheduler: Callable[..., JobScheduler]
) -> None:
    scheduler = make_scheduler(workers=2)
    recorder = Recorder(scheduler)
    ids = [scheduler.submit(real(item_schema, tmp_path / f"o{i}", rows=3000), N) for i in range(2)]
    with qtbot.waitSignals([scheduler.job_finished, scheduler.job_finished], timeout=WAIT_MS):
        pass
    for job_id in ids:
        points = recorder.progress[job_id]
        fractions = [p[1] for p in points]
        rows = [p[2] for p in points]
        steps = [STEP_ORDER.index(p[0]) for p in points if p[0] is not None]
        assert fractions == sorted(fractions)
        assert rows == sorted(rows)
        assert steps == sorted(steps)
        assert fractions[-1] == 1.0
        assert points[-1][0] is Step.EXPORT
        job = scheduler.job(job_id)
        assert job.state is JobState.DONE
        assert job.rows_done == job.rows_total == 3000
        assert job.steps == {
            Step.PARSE: StepState.DONE,
            Step.FOUNDATION: StepState.DONE,
            Step.ENHANCE: StepState.SKIPPED,
            Step.VALIDATE: StepState.DONE,
            Step.EXPORT: StepState.DONE,
        }
        assert job.result is not None
        assert job.result.rows == 3000
        assert all(path.is_file() for path in job.result.paths)
        assert job.temp_dir is None


def test_progress_signals_are_throttled_with_a_final_one(
    qtbot: QtBot, tmp_path: Path, make_scheduler: Callable[..., JobScheduler]
) -> None:
    pipeline = ScriptedPipeline()
    pipeline.events_per_job = 200_000  # far more events than could be shown
    scheduler = make_scheduler(workers=1, pipeline=pipeline)
    recorder = Recorder(scheduler)
    job_id = scheduler.submit(fake(tmp_path, "chatty"), N)
    with qtbot.waitSignal(scheduler.job_finished, timeout=WAIT_MS):
        pass
    times = [p[3] for p in recorder.progress[job_id]]
    gaps = [b - a for a, b in itertools.pairwise(times[:-1])]  # the final one may come sooner
    # Times are taken when the signal arrives, a little after the scheduler's own clock read; on
    # a busy machine that delay varies by a few ms. Without throttling the gaps would be µs.
    assert all(gap >= PROGRESS_INTERVAL_S * 0.5 for gap in gaps)
    assert recorder.progress[job_id][-1][1:3] == (1.0, 200_000)


def test_a_failing_job_names_the_file_and_the_scheduler_keeps_serving(
    qtbot: QtBot, tmp_path: Path, item_schema: Path, make_scheduler: Callable[..., JobScheduler]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(BROKEN_SCHEMA), encoding="utf-8")
    scheduler = make_scheduler(workers=1)
    with qtbot.waitSignal(scheduler.job_failed, timeout=WAIT_MS) as blocker:
        bad = scheduler.submit(real(broken, tmp_path / "bad-out"), H)
    job = scheduler.job(bad)
    assert blocker.args[0] == bad
    assert "broken.json" in blocker.args[1]
    assert "age" in blocker.args[1]
    assert job.error is not None
    assert job.error.message == blocker.args[1]
    assert job.error.kind == "UnsatisfiableError"
    assert not job.error.internal
    assert job.steps[Step.PARSE] is StepState.FAILED
    assert not (tmp_path / "bad-out").exists()
    with qtbot.waitSignal(scheduler.job_finished, timeout=WAIT_MS):
        good = scheduler.submit(real(item_schema, tmp_path / "good-out"), N)
    assert scheduler.job(good).state is JobState.DONE
    status = scheduler.status()
    assert (status.completed, status.failed, status.cancelled) == (1, 1, 0)


def test_twenty_mixed_jobs_all_end_and_the_counts_add_up(
    qtbot: QtBot, tmp_path: Path, item_schema: Path, make_scheduler: Callable[..., JobScheduler]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(BROKEN_SCHEMA), encoding="utf-8")
    scheduler = make_scheduler(workers=2)
    priorities = [H, N, L]
    ids = []
    for i in range(20):
        schema = broken if i % 5 == 4 else item_schema
        request = real(schema, tmp_path / f"m{i}", rows=200 + i, seed=i)
        ids.append(scheduler.submit(request, priorities[i % 3]))
    cancelled = [job_id for job_id in ids[10:] if scheduler.job(job_id).state is JobState.QUEUED]
    for job_id in cancelled[:3]:
        assert scheduler.cancel(job_id)
    assert scheduler.wait_for_done(60_000)
    jobs = [scheduler.job(job_id) for job_id in ids]
    assert all(job.is_final for job in jobs)
    status = scheduler.status()
    by_state = {state: sum(job.state is state for job in jobs) for state in JobState}
    assert status.completed == by_state[JobState.DONE]
    assert status.failed == by_state[JobState.FAILED] == 4
    assert status.cancelled == by_state[JobState.CANCELLED] == 3
    assert status.completed + status.failed + status.cancelled == 20
    assert (status.queued, status.running, status.workers_busy) == (0, 0, 0)
    assert status.rows_generated == sum(job.rows_done for job in jobs)
    assert status.rows_generated == sum(200 + i for i, job in enumerate(jobs) if job.result)
    assert status.throughput_avg > 0
    assert status.uptime_s > 0
    assert not any(job.temp_dir for job in jobs)


def test_the_same_requests_give_identical_files_with_1_and_4_workers(
    tmp_path: Path, item_schema: Path, make_scheduler: Callable[..., JobScheduler]
) -> None:
    outputs: dict[int, dict[str, bytes]] = {}
    for workers in (1, 4):
        scheduler = make_scheduler(workers=workers)
        for seed in range(4):
            out = tmp_path / f"w{workers}" / f"s{seed}"
            scheduler.submit(real(item_schema, out, rows=900, seed=seed, chunk=128), N)
        assert scheduler.wait_for_done(60_000)
        assert scheduler.status().completed == 4
        root = tmp_path / f"w{workers}"
        outputs[workers] = {
            str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
        }
    assert len(outputs[1]) == 8
    assert outputs[1] == outputs[4]


# ---------------------------------------------------------------- the table model


def test_job_table_model_reflects_the_jobs(
    qtbot: QtBot,
    tmp_path: Path,
    make_scheduler: Callable[..., JobScheduler],
    qtmodeltester: Any,
) -> None:
    pipeline = ScriptedPipeline()
    scheduler = make_scheduler(workers=1, pipeline=pipeline)
    model = JobTableModel(scheduler)
    running = scheduler.submit(fake(tmp_path, "block"), N)
    waiting = scheduler.submit(fake(tmp_path, "later"), L)
    qtmodeltester.check(model)

    def cell(job_id: str, column: JobColumn, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return model.data(model.index(model.row_of(job_id), column), role)

    assert model.rowCount() == 2
    assert model.columnCount() == len(JobColumn)
    assert model.headerData(JobColumn.RATE, Qt.Orientation.Horizontal) == "Rows/s"
    assert cell(running, JobColumn.ID) == running
    assert cell(running, JobColumn.SCHEMA) == "block.json"
    assert cell(waiting, JobColumn.PRIORITY) == "Low"
    assert cell(waiting, JobColumn.STATE) == "Queued"
    assert cell(waiting, JobColumn.STEP) == "—"
    qtbot.waitUntil(lambda: cell(running, JobColumn.STEP) == "Parse")
    assert cell(running, JobColumn.STATE) == "Running"
    dots = cell(running, JobColumn.ID, JobTableModel.STEP_STATES_ROLE)
    assert dots[0] == (Step.PARSE, StepState.RUNNING)
    assert [step for step, _ in dots] == list(STEP_ORDER)
    assert cell(waiting, JobColumn.PRIORITY, JobTableModel.SORT_ROLE) == 2
    assert cell(waiting, JobColumn.STATE, JobTableModel.JOB_ID_ROLE) == waiting
    with qtbot.waitSignal(model.dataChanged, timeout=1000):
        scheduler.set_priority(waiting, H)
    assert cell(waiting, JobColumn.PRIORITY) == "High"
    pipeline.release.set()
    assert scheduler.wait_for_done(WAIT_MS)
    assert cell(running, JobColumn.STATE) == "Done"
    assert cell(running, JobColumn.PROGRESS) == "100 %"
    assert cell(running, JobColumn.ROWS) == "2 / 2"
    assert cell(running, JobColumn.ID, JobTableModel.FRACTION_ROLE) == 1.0
    with qtbot.waitSignal(model.rowsRemoved, timeout=1000):
        assert scheduler.clear_finished() == [running, waiting]
    assert model.rowCount() == 0
    with pytest.raises(KeyError):
        scheduler.job(running)
