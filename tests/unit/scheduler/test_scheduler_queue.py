"""The scheduler's parts without an event loop: queue order and aging, job records, the meter."""

from __future__ import annotations

from pathlib import Path

import pytest

from tdgen_desktop.core.enums import Priority, Step, StepState
from tdgen_desktop.generation.pipeline import GenerationRequest, JobResult, ProgressEvent
from tdgen_desktop.scheduler import Job, JobError, JobQueue, JobState
from tdgen_desktop.scheduler.status import SchedulerStatus, ThroughputMeter

H, N, L = Priority.HIGH, Priority.NORMAL, Priority.LOW


class FakeClock:
    """Monotonic seconds that only move when told to."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def drain(queue: JobQueue) -> list[str]:
    out = []
    while (job_id := queue.pop()) is not None:
        out.append(job_id)
    return out


def test_priority_order_and_fifo_within_a_priority() -> None:
    queue = JobQueue(aging_s=30.0, clock=FakeClock())
    for job_id, priority in [("n1", N), ("l1", L), ("h1", H), ("n2", N), ("h2", H), ("l2", L)]:
        queue.push(job_id, priority)
    assert queue.ids() == ["h1", "h2", "n1", "n2", "l1", "l2"]
    assert (queue.depth(H), queue.depth(N), queue.depth(L)) == (2, 2, 2)
    assert drain(queue) == ["h1", "h2", "n1", "n2", "l1", "l2"]
    assert queue.pop() is None
    assert len(queue) == 0


def test_aging_bounds_the_wait_of_a_low_job() -> None:
    clock = FakeClock()
    queue = JobQueue(aging_s=10.0, clock=clock)
    queue.push("low", L)
    started = []
    # A steady stream of HIGH jobs, one queued every 5 s, one started every 5 s.
    for i in range(10):
        queue.push(f"h{i}", H)
        started.append(queue.pop())
        clock.now += 5.0
    # Queued at 0, the LOW job is passed only by HIGH jobs queued before 2 × aging = 20 s.
    assert "low" in started
    assert started.index("low") == 4  # h0 … h3 (queued at 0, 5, 10, 15) went first
    assert started[:4] == ["h0", "h1", "h2", "h3"]


def test_without_aging_a_low_job_waits_for_every_high_job() -> None:
    clock = FakeClock()
    queue = JobQueue(aging_s=None, clock=clock)
    queue.push("low", L)
    for i in range(5):
        clock.now += 100.0
        queue.push(f"h{i}", H)
    assert drain(queue) == ["h0", "h1", "h2", "h3", "h4", "low"]


def test_remove_and_set_priority() -> None:
    queue = JobQueue(clock=FakeClock())
    for job_id, priority in [("a", L), ("b", L), ("c", N), ("d", N)]:
        queue.push(job_id, priority)
    assert queue.remove("c")
    assert not queue.remove("c")
    assert "c" not in queue
    assert queue.set_priority("b", H)
    assert queue.priority("b") is H
    assert not queue.set_priority("zz", H)
    assert queue.peek() == "b"
    assert drain(queue) == ["b", "d", "a"]


def test_a_raised_job_keeps_its_place_by_queue_time() -> None:
    clock = FakeClock()
    queue = JobQueue(aging_s=60.0, clock=clock)
    queue.push("early-low", L)
    clock.now += 1
    queue.push("high", H)
    queue.set_priority("early-low", H)
    assert queue.ids() == ["early-low", "high"]


def test_queue_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="aging_s"):
        JobQueue(aging_s=0)
    queue = JobQueue()
    queue.push("a", N)
    with pytest.raises(ValueError, match="already queued"):
        queue.push("a", H)


def _job() -> Job:
    request = GenerationRequest(source=Path("people.json"), out_dir=Path("out"), rows=10)
    return Job("job-1", request, N)


def test_job_maps_progress_events() -> None:
    job = _job()
    assert job.steps == dict.fromkeys(Step, StepState.PENDING)
    assert job.schema_name == "people.json"
    job.mark_started()
    assert job.state is JobState.RUNNING
    job.apply(ProgressEvent(Step.PARSE, StepState.RUNNING, 0.0))
    job.apply(ProgressEvent(Step.PARSE, StepState.DONE, 0.0))
    job.apply(ProgressEvent(Step.FOUNDATION, StepState.RUNNING, 0.0, 0, 1000))
    job.apply(ProgressEvent(Step.ENHANCE, StepState.SKIPPED, 0.0, 0, 1000, message="no AI"))
    assert job.step is Step.FOUNDATION  # a skipped step does not become the current one
    assert (
        job.apply(ProgressEvent(Step.FOUNDATION, StepState.RUNNING, 0.4, 400, 1000, 200.0)) == 400
    )
    assert job.eta_s == pytest.approx(3.0)
    assert job.message == "no AI"
    assert job.steps[Step.ENHANCE] is StepState.SKIPPED
    # A stale event never makes progress go back.
    job.apply(ProgressEvent(Step.FOUNDATION, StepState.RUNNING, 0.3, 300, 1000, 200.0))
    assert (job.fraction, job.rows_done) == (0.4, 400)
    job.mark_failed(JobError("people.json: boom"))
    assert job.state is JobState.FAILED
    assert job.steps[Step.FOUNDATION] is StepState.FAILED
    assert job.is_final
    assert job.elapsed_s is not None


def test_job_done_and_cancelled_marks() -> None:
    job = _job()
    job.mark_started()
    job.apply(ProgressEvent(Step.FOUNDATION, StepState.RUNNING, 0.5, 5, 10))
    job.mark_cancelled()
    assert job.state is JobState.CANCELLED
    assert job.steps[Step.FOUNDATION] is StepState.PENDING
    done = _job()
    done.mark_done(JobResult(source=Path("people.json")))
    assert (done.state, done.fraction, done.eta_s) == (JobState.DONE, 1.0, 0.0)
    assert JobState.CANCELLING.is_active
    assert not JobState.QUEUED.is_active


def test_throughput_meter() -> None:
    meter = ThroughputMeter(window_s=5.0)
    meter.set_active(0.0, active=True)
    meter.add(1.0, 100)
    meter.add(2.0, 100)
    assert meter.current(2.0) == pytest.approx(100.0)  # 200 rows in the 2 s since start
    meter.add(9.0, 50)
    assert meter.current(9.0) == pytest.approx(10.0)  # only the last 5 s count
    meter.set_active(10.0, active=False)
    assert meter.average(20.0) == pytest.approx(25.0)  # 250 rows over 10 active seconds
    assert meter.rows == 250


def test_status_snapshot_helpers() -> None:
    status = SchedulerStatus(1, 2, 3, 0, 0, 2, 4, 1, 1, 0, 0.0, 0.0, 1.0)
    assert status.queued == 6
    assert status.queued_at(L) == 3
    assert status.ended == 6
    assert not status.idle
