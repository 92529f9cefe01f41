"""The worker side of a job: a ``QRunnable`` that drives the pipeline on a pool thread.

The runnable never touches the :class:`~tdgen_desktop.scheduler.job.Job` record. It reports
through one long-lived :class:`RunnerSignals` object owned by the scheduler (PySide6 cannot
declare a ``Signal`` on a plain ``QRunnable``, and signals of short-lived senders were seen to be
lost), and the scheduler's slots receive them on the main thread through queued connections.

Progress events are coalesced here already: a step change is always forwarded, other events at
most every :data:`FORWARD_INTERVAL_S`, and the last one is always flushed before the outcome, so
tiny chunks cannot flood the main thread's event queue.
"""

from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject, QRunnable, Signal

from tdgen_desktop.core.errors import CancelledError, TdgenError
from tdgen_desktop.core.model import Dataset
from tdgen_desktop.generation.pipeline import (
    CancelToken,
    GenerationRequest,
    JobResult,
    ProgressEvent,
    ProgressSink,
)
from tdgen_desktop.scheduler.job import JobError

__all__ = ["FORWARD_INTERVAL_S", "JobRunnable", "Outcome", "PipelineFn", "RunnerSignals"]

_log = logging.getLogger(__name__)

FORWARD_INTERVAL_S = 0.02
"""Least time between two forwarded progress events of one job that do not change its step."""


class PipelineFn(Protocol):
    """The shape of :func:`~tdgen_desktop.generation.pipeline.run_pipeline` (injectable)."""

    def __call__(
        self,
        request: GenerationRequest,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
        *,
        dataset: Dataset | None = None,
    ) -> JobResult:
        """Run one job to the end."""
        ...


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a job's run ended.

    Attributes:
        result: what the pipeline produced (done).
        error: why it failed (failed).
        cancelled: it stopped on its cancel token.
        ended_at: ``time.monotonic()`` on the worker when the pipeline returned or raised.
    """

    result: JobResult | None = None
    error: JobError | None = None
    cancelled: bool = False
    ended_at: float = 0.0


class RunnerSignals(QObject):
    """The signals every job runnable of one scheduler emits from its worker thread.

    Signals:
        progressed(str, object): job id and a :class:`ProgressEvent`.
        ended(str, object): job id and an :class:`Outcome`; the last signal of a run.
    """

    progressed = Signal(str, object)
    ended = Signal(str, object)


class JobRunnable(QRunnable):
    """Runs one job's pipeline on a pool thread and reports through ``signals``.

    Auto-delete is off: the scheduler keeps the runnable in its registry until the job ends.

    Args:
        job_id: the job's id, sent with every signal.
        request: what to generate.
        dataset: an already imported dataset, or None to read ``request.source``.
        token: the job's cancel token (the scheduler sets it).
        signals: the scheduler's long-lived signal holder.
        pipeline: the function that runs the job.
    """

    def __init__(
        self,
        job_id: str,
        request: GenerationRequest,
        dataset: Dataset | None,
        token: CancelToken,
        signals: RunnerSignals,
        pipeline: PipelineFn,
    ) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.job_id = job_id
        self.token = token
        self._request = request
        self._dataset = dataset
        self._signals = signals
        self._pipeline = pipeline
        self._last_sent: ProgressEvent | None = None
        self._last_sent_at = 0.0
        self._pending: ProgressEvent | None = None

    def run(self) -> None:
        """Run the pipeline and emit the outcome (always, whatever happens)."""
        outcome = Outcome(error=JobError("internal error: the job ended unexpectedly"))
        try:
            outcome = self._run()
        finally:
            self._flush()
            self._signals.ended.emit(self.job_id, outcome)

    def _run(self) -> Outcome:
        try:
            self.token.raise_if_cancelled()
            result = self._pipeline(
                self._request, self._on_progress, self.token, dataset=self._dataset
            )
        except CancelledError:
            return Outcome(cancelled=True, ended_at=time.monotonic())
        except TdgenError as exc:
            error = JobError(exc.message, exc.details, type(exc).__name__)
            return Outcome(error=error, ended_at=time.monotonic())
        except Exception as exc:  # a bug: report it as a failed job, never kill the worker
            _log.exception("job %s: internal error", self.job_id)
            error = JobError(
                f"{self._request.source}: internal error: {type(exc).__name__}: {exc}",
                traceback.format_exc(),
                type(exc).__name__,
                internal=True,
            )
            return Outcome(error=error, ended_at=time.monotonic())
        return Outcome(result=result, ended_at=time.monotonic())

    def _on_progress(self, event: ProgressEvent) -> None:
        now = time.monotonic()
        last = self._last_sent
        changed = last is None or (last.step, last.state) != (event.step, event.state)
        if changed or now - self._last_sent_at >= FORWARD_INTERVAL_S:
            self._send(event, now)
        else:
            self._pending = event

    def _flush(self) -> None:
        if self._pending is not None:
            self._send(self._pending, time.monotonic())

    def _send(self, event: ProgressEvent, now: float) -> None:
        self._pending = None
        self._last_sent, self._last_sent_at = event, now
        self._signals.progressed.emit(self.job_id, event)
