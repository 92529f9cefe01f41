"""The priority job scheduler: a queue of generation jobs, its own worker pool, and live signals.

Jobs wait in a :class:`~tdgen_desktop.scheduler.queue.JobQueue` owned by the scheduler (HIGH,
NORMAL, LOW, first-in-first-out within a priority, with aging) and are handed to the scheduler's
own ``QThreadPool`` only when a worker is free — so cancelling a queued job or changing its
priority is exact and immediate. Each running job drives
:func:`~tdgen_desktop.generation.pipeline.run_pipeline` on a pool thread; its progress events
come back to the main thread through queued connections, update the :class:`Job` record there,
and are announced at most :data:`PROGRESS_INTERVAL_S` apart per job (always with a final one).

Threads and the interpreter lock: generation is CPU-bound Python. While jobs run, the scheduler
lowers the interpreter's thread switch interval (``sys.setswitchinterval``) to
:data:`RESPONSIVE_SWITCH_INTERVAL_S`, so the main thread waits at most about that long for the
lock when it has an event to handle; the earlier value is restored when the last job ends.
"""

from __future__ import annotations

import itertools
import logging
import secrets
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QEventLoop,
    QObject,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)

from tdgen_desktop.core.enums import Priority
from tdgen_desktop.core.model import Dataset
from tdgen_desktop.generation.pipeline import (
    CancelToken,
    GenerationRequest,
    ProgressEvent,
    run_pipeline,
)
from tdgen_desktop.scheduler.job import Job, JobError, JobState
from tdgen_desktop.scheduler.queue import DEFAULT_AGING_S, JobQueue
from tdgen_desktop.scheduler.runner import JobRunnable, Outcome, PipelineFn, RunnerSignals
from tdgen_desktop.scheduler.status import SchedulerStatus, ThroughputMeter
from tdgen_desktop.services.paths import AppPaths

__all__ = [
    "DEFAULT_WORKERS",
    "PROGRESS_INTERVAL_S",
    "RESPONSIVE_SWITCH_INTERVAL_S",
    "STATUS_INTERVAL_S",
    "JobScheduler",
]

_log = logging.getLogger(__name__)

DEFAULT_WORKERS = 2
"""Worker threads when the settings say nothing else."""

PROGRESS_INTERVAL_S = 0.05
"""Least time between two ``job_progressed`` signals of one job (at most 20 per second)."""

STATUS_INTERVAL_S = 0.5
"""Least time between two ``status_changed`` signals sent only because rows were made."""

RESPONSIVE_SWITCH_INTERVAL_S = 0.001
"""The interpreter's thread switch interval while jobs run (Python's default is 0.005 s)."""

_TICK_MS = 50


class JobScheduler(QObject):
    """Queues generation jobs by priority and runs them on its own pool of worker threads.

    All methods are called, and all signals received, on the thread the scheduler lives in
    (the Qt main thread); workers report through queued connections.

    Signals:
        job_added(str): a job was queued (job id).
        job_state_changed(str, str): job id and its new :class:`JobState` value.
        job_priority_changed(str, str): job id and its new :class:`Priority` value.
        job_progressed(str): the job's progress fields changed (at most 20 per second per job;
            always once more when it ends).
        job_finished(str): the job is done; ``job.result`` holds what it made.
        job_failed(str, str): job id and the user message; ``job.error`` has the details.
        job_cancelled(str): the job was removed from the queue or stopped on a cancel.
        job_removed(str): a final job was dropped by :meth:`clear_finished`.
        status_changed(object): a new :class:`SchedulerStatus`.

    Args:
        paths: the app's folders (each job gets a temporary folder from it).
        workers: worker threads (default 2).
        aging_s: seconds of waiting worth one priority level (see
            :mod:`tdgen_desktop.scheduler.queue` for the bound); None turns aging off.
        switch_interval_s: the interpreter switch interval while jobs run; None leaves it.
        pipeline: the function that runs a job (``run_pipeline``; injectable for tests).
        clock: monotonic seconds for queue aging (injectable for tests).
        parent: the Qt parent.
    """

    job_added = Signal(str)
    job_state_changed = Signal(str, str)
    job_priority_changed = Signal(str, str)
    job_progressed = Signal(str)
    job_finished = Signal(str)
    job_failed = Signal(str, str)
    job_cancelled = Signal(str)
    job_removed = Signal(str)
    status_changed = Signal(object)

    def __init__(
        self,
        paths: AppPaths,
        *,
        workers: int = DEFAULT_WORKERS,
        aging_s: float | None = DEFAULT_AGING_S,
        switch_interval_s: float | None = RESPONSIVE_SWITCH_INTERVAL_S,
        pipeline: PipelineFn = run_pipeline,
        clock: Callable[[], float] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        _check_workers(workers)
        self._paths = paths
        self._workers = workers
        self._switch_interval_s = switch_interval_s
        self._saved_switch_interval: float | None = None
        self._pipeline = pipeline
        # The pool is the first child, so it is destroyed (waiting for its threads) before the
        # signal holder the threads emit through.
        self._pool = QThreadPool(self)
        self._pool.setObjectName("job_pool")
        self._pool.setMaxThreadCount(workers)
        self._signals = RunnerSignals(self)
        self._signals.setObjectName("job_runner_signals")
        self._signals.progressed.connect(
            self._on_runner_progressed, Qt.ConnectionType.QueuedConnection
        )
        self._signals.ended.connect(self._on_runner_ended, Qt.ConnectionType.QueuedConnection)
        self._tick = QTimer(self)
        self._tick.setObjectName("job_progress_timer")
        self._tick.setInterval(_TICK_MS)
        self._tick.timeout.connect(self._on_tick_timeout)

        self._queue = JobQueue(aging_s, clock)
        self._jobs: dict[str, Job] = {}
        self._runners: dict[str, JobRunnable] = {}
        self._cancel_asked_at: dict[str, float] = {}
        self._last_progress_at: dict[str, float] = {}
        self._dirty: set[str] = set()
        self._ids = itertools.count(1)
        self._folder_prefix = secrets.token_hex(3)
        self._counts: Counter[JobState] = Counter()
        self._meter = ThroughputMeter()
        self._created_at = time.monotonic()
        self._last_status_at = 0.0
        self._closed = False

    # ------------------------------------------------------------------ queries

    @property
    def worker_count(self) -> int:
        """Worker threads in the pool."""
        return self._workers

    def job(self, job_id: str) -> Job:
        """The record of job ``job_id``.

        Raises:
            KeyError: no such job (or it was dropped by :meth:`clear_finished`).
        """
        try:
            return self._jobs[job_id]
        except KeyError:
            raise KeyError(f"no job {job_id!r}") from None

    def jobs(self) -> list[Job]:
        """Every job known, in the order they were submitted."""
        return list(self._jobs.values())

    def queued_ids(self) -> list[str]:
        """Queued job ids in the order they would start."""
        return self._queue.ids()

    def status(self) -> SchedulerStatus:
        """A snapshot of queues, workers, counts and throughput."""
        now = time.monotonic()
        return SchedulerStatus(
            queued_high=self._queue.depth(Priority.HIGH),
            queued_normal=self._queue.depth(Priority.NORMAL),
            queued_low=self._queue.depth(Priority.LOW),
            running=len(self._runners),
            workers_busy=len(self._runners),
            workers_total=self._workers,
            completed=self._counts[JobState.DONE],
            failed=self._counts[JobState.FAILED],
            cancelled=self._counts[JobState.CANCELLED],
            rows_generated=self._meter.rows,
            throughput_now=self._meter.current(now),
            throughput_avg=self._meter.average(now),
            uptime_s=now - self._created_at,
        )

    # ------------------------------------------------------------------ control

    def submit(
        self,
        request: GenerationRequest,
        priority: Priority = Priority.NORMAL,
        *,
        dataset: Dataset | None = None,
    ) -> str:
        """Queue a job; it starts when a worker is free and no job ahead of it waits.

        Args:
            request: what to generate.
            priority: HIGH, NORMAL or LOW.
            dataset: an imported (possibly edited) dataset to use instead of reading
                ``request.source`` again.

        Returns:
            The new job's id.

        Raises:
            RuntimeError: the scheduler was shut down.
        """
        return self._submit(request, Priority(priority), dataset, None)

    def submit_many(
        self,
        jobs: Sequence[tuple[GenerationRequest, Priority]],
        datasets: Sequence[Dataset | None] = (),
    ) -> list[str]:
        """Queue several jobs at once, so they start by priority even while workers are free.

        Args:
            jobs: (request, priority) pairs, queued in this order.
            datasets: for each job, an imported dataset to use instead of reading the request's
                source again (e.g. the one its pre-flight check imported); none by default.

        Returns:
            The new jobs' ids, in the order given.

        Raises:
            RuntimeError: the scheduler was shut down.
        """
        given = list(datasets) + [None] * (len(jobs) - len(datasets))
        ids = [
            self._submit(request, Priority(priority), dataset, None, dispatch=False)
            for (request, priority), dataset in zip(jobs, given, strict=True)
        ]
        self._dispatch()
        self._emit_status()
        return ids

    def cancel(self, job_id: str) -> bool:
        """Cancel a job: a queued one is removed at once, a running one stops between chunks.

        A running job becomes ``cancelling`` and then ``cancelled`` when its worker stops; its
        temporary files are removed and no output file appears under its final name. A job
        whose worker had already finished its last chunk ends ``done``.

        Returns:
            True if the job was queued or running; False if it had ended or was cancelling.

        Raises:
            KeyError: no such job.
        """
        job = self.job(job_id)
        if job.state is JobState.QUEUED:
            self._queue.remove(job_id)
            job.mark_cancelled()
            self._counts[JobState.CANCELLED] += 1
            self.job_state_changed.emit(job_id, job.state.value)
            self.job_cancelled.emit(job_id)
            self._emit_status()
            return True
        if job.state is JobState.RUNNING:
            self._runners[job_id].token.cancel()
            self._cancel_asked_at[job_id] = time.monotonic()
            job.state = JobState.CANCELLING
            self.job_state_changed.emit(job_id, job.state.value)
            self._emit_status()
            return True
        return False

    def cancel_all(self) -> int:
        """Cancel every queued and running job.

        Returns:
            How many jobs were cancelled (or asked to stop).
        """
        count = 0
        for job_id in self._queue.ids():  # the queue first, so none of them starts meanwhile
            count += self.cancel(job_id)
        for job_id in list(self._runners):
            count += self.cancel(job_id)
        return count

    def set_priority(self, job_id: str, priority: Priority) -> bool:
        """Change the priority of a queued job.

        The job keeps the time it was queued, so the waiting it did still counts for aging.

        Returns:
            True if the job is queued (and now has ``priority``); False otherwise.

        Raises:
            KeyError: no such job.
        """
        job = self.job(job_id)
        priority = Priority(priority)
        if job.state is not JobState.QUEUED:
            return False
        if job.priority is not priority:
            self._queue.set_priority(job_id, priority)
            job.priority = priority
            self.job_priority_changed.emit(job_id, priority.value)
            self._emit_status()
        return True

    def retry(self, job_id: str) -> str:
        """Queue a new job with the request (and dataset) of a failed or cancelled one.

        Returns:
            The new job's id (its ``retry_of`` names the old one).

        Raises:
            KeyError: no such job.
            ValueError: the job is not failed or cancelled.
        """
        job = self.job(job_id)
        if job.state not in {JobState.FAILED, JobState.CANCELLED}:
            raise ValueError(f"job {job_id} is {job.state.value}: only failed or cancelled jobs")
        return self._submit(job.request, job.priority, job.dataset, job_id)

    def set_worker_count(self, workers: int) -> None:
        """Use ``workers`` worker threads from now on.

        More workers start waiting jobs at once; with fewer, running jobs finish and no new one
        starts until fewer than ``workers`` run.

        Raises:
            ValueError: ``workers`` is less than 1.
        """
        _check_workers(workers)
        self._workers = workers
        self._pool.setMaxThreadCount(workers)
        self._dispatch()
        self._emit_status()

    def clear_finished(self) -> list[str]:
        """Forget every job that has ended (emits ``job_removed`` for each).

        Returns:
            The ids dropped.
        """
        dropped = [job_id for job_id, job in self._jobs.items() if job.is_final]
        for job_id in dropped:
            del self._jobs[job_id]
            self.job_removed.emit(job_id)
        return dropped

    def wait_for_done(self, timeout_ms: int = -1) -> bool:
        """Run a local event loop until no job waits or runs (for headless use and tests).

        Args:
            timeout_ms: give up after this many milliseconds; negative waits for ever.

        Returns:
            True if every job has ended.
        """
        if self.status().idle:
            return True
        loop = QEventLoop()
        waiter = _IdleWaiter(self, loop)
        timer = QTimer(waiter)
        if timeout_ms >= 0:
            timer.setSingleShot(True)
            timer.timeout.connect(loop.quit)
            timer.start(timeout_ms)
        loop.exec()
        timer.stop()
        waiter.disconnect_from(self)
        return self.status().idle

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel every job, wait for the workers to stop and remove the jobs' temporary folders.

        No job can be submitted afterwards.

        Args:
            timeout_ms: how long to wait for running jobs to stop.

        Returns:
            True if every worker stopped in time.
        """
        self._closed = True
        self.cancel_all()
        stopped = self._pool.waitForDone(timeout_ms)
        # Deliver the outcomes the workers have queued, so the jobs reach their final state.
        QCoreApplication.sendPostedEvents(self, int(QEvent.Type.MetaCall))
        for job in self._jobs.values():
            self._remove_temp_dir(job)
        self._tick.stop()
        self._restore_switch_interval()
        return stopped

    # ------------------------------------------------------------------ worker reports

    @Slot(str, object)
    def _on_runner_progressed(self, job_id: str, event: object) -> None:
        job = self._jobs.get(job_id)
        if job is None or not job.state.is_active:
            return
        assert isinstance(event, ProgressEvent)  # noqa: S101 — the runner sends nothing else
        now = time.monotonic()
        self._meter.add(now, job.apply(event))
        if now - self._last_progress_at.get(job_id, float("-inf")) >= PROGRESS_INTERVAL_S:
            self._emit_progress(job_id, now)
        else:
            self._dirty.add(job_id)

    @Slot(str, object)
    def _on_runner_ended(self, job_id: str, outcome: object) -> None:
        assert isinstance(outcome, Outcome)  # noqa: S101 — the runner sends nothing else
        self._runners.pop(job_id, None)
        if not self._runners:
            self._on_idle()
        job = self._jobs.get(job_id)
        if job is not None and job.state.is_active:
            self._end_job(job, outcome)
        self._dispatch()
        self._emit_status()

    def _end_job(self, job: Job, outcome: Outcome) -> None:
        job_id = job.id
        asked = self._cancel_asked_at.pop(job_id, None)
        if outcome.cancelled:
            job.mark_cancelled()
            if asked is not None:
                job.cancel_latency_s = max(outcome.ended_at - asked, 0.0)
        elif outcome.error is not None:
            job.mark_failed(outcome.error)
        elif outcome.result is not None:
            job.mark_done(outcome.result)  # a cancel that came after the last chunk: done
        else:
            job.mark_failed(JobError("internal error: the job ended without a result"))
        self._counts[job.state] += 1
        self._remove_temp_dir(job)
        self._dirty.discard(job_id)
        self._emit_progress(job_id, time.monotonic())
        self._last_progress_at.pop(job_id, None)
        self.job_state_changed.emit(job_id, job.state.value)
        if job.state is JobState.DONE:
            self.job_finished.emit(job_id)
        elif job.state is JobState.FAILED:
            assert job.error is not None  # noqa: S101 — mark_failed sets it
            _log.info("job %s failed: %s", job_id, job.error.message)
            self.job_failed.emit(job_id, job.error.message)
        else:
            self.job_cancelled.emit(job_id)

    @Slot()
    def _on_tick_timeout(self) -> None:
        now = time.monotonic()
        for job_id in list(self._dirty):
            if now - self._last_progress_at.get(job_id, float("-inf")) >= PROGRESS_INTERVAL_S:
                self._dirty.discard(job_id)
                self._emit_progress(job_id, now)
        if self._runners and now - self._last_status_at >= STATUS_INTERVAL_S:
            self._emit_status()
        if not self._runners and not self._dirty:
            self._tick.stop()

    # ------------------------------------------------------------------ internals

    def _submit(
        self,
        request: GenerationRequest,
        priority: Priority,
        dataset: Dataset | None,
        retry_of: str | None,
        *,
        dispatch: bool = True,
    ) -> str:
        if self._closed:
            raise RuntimeError("the scheduler was shut down")
        job_id = f"job-{next(self._ids)}"
        job = Job(job_id, request, priority, dataset=dataset, retry_of=retry_of)
        self._jobs[job_id] = job
        self._queue.push(job_id, priority)
        self.job_added.emit(job_id)
        if dispatch:
            self._dispatch()
            self._emit_status()
        return job_id

    def _dispatch(self) -> None:
        """Start waiting jobs while workers are free."""
        while len(self._runners) < self._workers and not self._closed:
            job_id = self._queue.pop()
            if job_id is None:
                return
            self._start(self._jobs[job_id])

    def _start(self, job: Job) -> None:
        job.mark_started()
        try:
            job.temp_dir = self._paths.job_temp_dir(f"{self._folder_prefix}-{job.id}")
        except (OSError, ValueError) as exc:
            job.mark_failed(
                JobError(
                    f"{job.request.source}: cannot create the job's temporary folder: {exc}",
                    kind=type(exc).__name__,
                )
            )
            self._counts[JobState.FAILED] += 1
            self.job_state_changed.emit(job.id, job.state.value)
            self.job_failed.emit(job.id, job.error.message if job.error else "")
            return
        runner = JobRunnable(
            job.id, job.request, job.dataset, CancelToken(), self._signals, self._pipeline
        )
        self._runners[job.id] = runner
        if len(self._runners) == 1:
            self._on_busy()
        self.job_state_changed.emit(job.id, job.state.value)
        self._pool.start(runner)

    def _emit_progress(self, job_id: str, now: float) -> None:
        self._last_progress_at[job_id] = now
        self.job_progressed.emit(job_id)
        if not self._tick.isActive():
            self._tick.start()

    def _emit_status(self) -> None:
        self._last_status_at = time.monotonic()
        self.status_changed.emit(self.status())

    def _on_busy(self) -> None:
        self._meter.set_active(time.monotonic(), active=True)
        if self._switch_interval_s is not None and self._saved_switch_interval is None:
            self._saved_switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(self._switch_interval_s)
        self._tick.start()

    def _on_idle(self) -> None:
        self._meter.set_active(time.monotonic(), active=False)
        self._restore_switch_interval()

    def _restore_switch_interval(self) -> None:
        if self._saved_switch_interval is not None:
            sys.setswitchinterval(self._saved_switch_interval)
            self._saved_switch_interval = None

    def _remove_temp_dir(self, job: Job) -> None:
        if job.temp_dir is not None:
            self._paths.remove_job_temp_dir(job.temp_dir.name)
            job.temp_dir = None


class _IdleWaiter(QObject):
    """Quits an event loop when the scheduler reports that nothing waits or runs."""

    def __init__(self, scheduler: JobScheduler, loop: QEventLoop) -> None:
        super().__init__()
        self._loop = loop
        scheduler.status_changed.connect(self._on_scheduler_status_changed)

    def disconnect_from(self, scheduler: JobScheduler) -> None:
        """Stop listening to ``scheduler``."""
        scheduler.status_changed.disconnect(self._on_scheduler_status_changed)

    @Slot(object)
    def _on_scheduler_status_changed(self, status: object) -> None:
        if isinstance(status, SchedulerStatus) and status.idle:
            self._loop.quit()


def _check_workers(workers: int) -> None:
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
