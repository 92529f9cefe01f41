"""The job record: what the scheduler knows about one generation job, kept on the main thread.

A :class:`Job` is created by :meth:`JobScheduler.submit` and updated only on the Qt main thread,
from the progress events its worker sends through queued signals; worker threads never touch it.
Windows and the command line read it when the scheduler's signals say it changed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tdgen_desktop.core.enums import Priority, Step, StepState
from tdgen_desktop.core.model import Dataset
from tdgen_desktop.generation.pipeline import GenerationRequest, JobResult, ProgressEvent

__all__ = ["STEP_ORDER", "Job", "JobError", "JobState"]

STEP_ORDER: tuple[Step, ...] = tuple(Step)
"""The five steps in the order every job walks them."""


class JobState(enum.StrEnum):
    """Where a job is in its life.

    ``QUEUED`` → ``RUNNING`` → ``DONE`` | ``FAILED`` | ``CANCELLED``; a running job that was asked
    to stop is ``CANCELLING`` until its worker notices (between two chunks of rows).
    """

    QUEUED = "queued"
    RUNNING = "running"
    CANCELLING = "cancelling"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        """Whether the job has ended (done, failed or cancelled)."""
        return self in _FINAL_STATES

    @property
    def is_active(self) -> bool:
        """Whether a worker is busy with the job (running or cancelling)."""
        return self in {JobState.RUNNING, JobState.CANCELLING}


_FINAL_STATES = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED})


@dataclass(frozen=True, slots=True)
class JobError:
    """Why a job failed.

    Attributes:
        message: one line for people, naming the file, the field and the problem.
        details: longer text for logs or a details pane (a traceback for internal errors).
        kind: the error's class name (``SchemaError``, ``ExportError`` …).
        internal: True when the failure is a bug in tdgen rather than bad input.
    """

    message: str
    details: str = ""
    kind: str = ""
    internal: bool = False


def _pending_steps() -> dict[Step, StepState]:
    return dict.fromkeys(STEP_ORDER, StepState.PENDING)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(eq=False, slots=True)
class Job:
    """One generation job as the scheduler tracks it.

    Attributes:
        id: the job id (``job-1``, ``job-2`` … per scheduler).
        request: what to generate.
        priority: its place in the queue (changeable while queued).
        state: queued, running, cancelling, done, failed or cancelled.
        steps: the state of each of the five steps (pending, running, done, skipped …).
        step: the step the job is in (None before it starts).
        table: the table being made, if any.
        fraction: overall progress 0.0 … 1.0; never decreases.
        rows_done: rows made so far (all tables).
        rows_total: rows the job will make (known once the schema is read).
        rows_per_s: the job's throughput since its foundation step started.
        eta_s: seconds left at that throughput (None when unknown).
        message: the last note of the pipeline (e.g. why a step was skipped).
        submitted_at: when it was queued (UTC).
        started_at: when a worker took it (UTC).
        finished_at: when it ended (UTC).
        result: output files, row counts per table and case kind, warnings (when done).
        error: the user message and details (when failed).
        retry_of: the id of the job this one retries, if any.
        dataset: an imported (possibly edited) dataset to generate from instead of re-reading
            ``request.source``.
        temp_dir: the job's temporary folder while it runs.
        cancel_latency_s: seconds from the cancel of a running job to its worker stopping.
    """

    id: str
    request: GenerationRequest
    priority: Priority
    state: JobState = JobState.QUEUED
    steps: dict[Step, StepState] = field(default_factory=_pending_steps)
    step: Step | None = None
    table: str | None = None
    fraction: float = 0.0
    rows_done: int = 0
    rows_total: int = 0
    rows_per_s: float = 0.0
    eta_s: float | None = None
    message: str = ""
    submitted_at: datetime = field(default_factory=_now)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    result: JobResult | None = None
    error: JobError | None = None
    retry_of: str | None = None
    dataset: Dataset | None = field(default=None, repr=False)
    temp_dir: Path | None = None
    cancel_latency_s: float | None = None

    @property
    def schema_name(self) -> str:
        """The schema file's name, as a window shows it."""
        return self.request.source.name

    @property
    def is_final(self) -> bool:
        """Whether the job has ended."""
        return self.state.is_final

    @property
    def elapsed_s(self) -> float | None:
        """Seconds from start to end (or to now while running); None before it starts."""
        if self.started_at is None:
            return None
        end = self.finished_at or _now()
        return max((end - self.started_at).total_seconds(), 0.0)

    def apply(self, event: ProgressEvent) -> int:
        """Take in one progress event of the pipeline.

        Returns:
            The number of rows made since the previous event (for throughput figures).
        """
        if event.state is not StepState.SKIPPED:
            self.step = event.step
        self.steps[event.step] = event.state
        if event.table is not None:
            self.table = event.table
        if event.message:
            self.message = event.message
        added = max(event.rows_done - self.rows_done, 0)
        self.rows_done = max(self.rows_done, event.rows_done)
        self.rows_total = max(self.rows_total, event.rows_total)
        self.fraction = max(self.fraction, min(event.fraction, 1.0))
        self.rows_per_s = event.rows_per_s
        left = self.rows_total - self.rows_done
        if left <= 0:
            self.eta_s = 0.0 if self.rows_total else None
        elif event.rows_per_s > 0:
            self.eta_s = left / event.rows_per_s
        else:
            self.eta_s = None
        return added

    def mark_started(self) -> None:
        """The job was handed to a worker."""
        self.state = JobState.RUNNING
        self.started_at = _now()

    def mark_done(self, result: JobResult) -> None:
        """The pipeline returned ``result``."""
        self.state = JobState.DONE
        self.result = result
        self.fraction = 1.0
        self.eta_s = 0.0
        self.finished_at = _now()

    def mark_failed(self, error: JobError) -> None:
        """The pipeline raised; the step it was in is marked failed."""
        self.state = JobState.FAILED
        self.error = error
        self.eta_s = None
        for step, state in self.steps.items():
            if state is StepState.RUNNING:
                self.steps[step] = StepState.FAILED
        self.finished_at = _now()

    def mark_cancelled(self) -> None:
        """The job stopped on a cancel (or was removed from the queue)."""
        self.state = JobState.CANCELLED
        self.eta_s = None
        for step, state in self.steps.items():
            if state is StepState.RUNNING:
                self.steps[step] = StepState.PENDING
        self.finished_at = _now()
