"""Run jobs through the scheduler without a window — the command line's entry point.

:func:`run_jobs` creates a ``QCoreApplication`` when there is none (no widgets, no display),
queues every request on a :class:`JobScheduler` and runs an event loop until every job has ended.
Ctrl+C (SIGINT) cancels every job cleanly — queued ones at once, running ones between two chunks,
with no output file under a final name — and then raises ``KeyboardInterrupt``.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QTimer, Slot

from tdgen_desktop.core.enums import Priority
from tdgen_desktop.core.model import Dataset
from tdgen_desktop.generation.pipeline import GenerationRequest
from tdgen_desktop.scheduler.job import Job
from tdgen_desktop.scheduler.scheduler import DEFAULT_WORKERS, JobScheduler
from tdgen_desktop.services.paths import AppPaths

__all__ = ["ProgressCallback", "run_jobs"]

ProgressCallback = Callable[[str, Job], None]
"""Called with the job id and its record when a job progresses or changes state."""

_SIGNAL_POLL_MS = 100
"""Python runs signal handlers only between bytecodes: a timer wakes the interpreter this often."""


class _Runner(QObject):
    """Relays the scheduler's signals to the callback and ends the loop when all jobs are final."""

    def __init__(
        self,
        scheduler: JobScheduler,
        loop: QEventLoop,
        on_progress: ProgressCallback | None,
    ) -> None:
        super().__init__()
        self.scheduler = scheduler
        self.loop = loop
        self.on_progress = on_progress
        self.interrupted = False
        self.cancelling = False
        self.callback_error: BaseException | None = None
        scheduler.job_progressed.connect(self._on_scheduler_job_progressed)
        scheduler.job_state_changed.connect(self._on_scheduler_job_state_changed)
        scheduler.status_changed.connect(self._on_scheduler_status_changed)

    def on_sigint(self, _signum: int, _frame: FrameType | None) -> None:
        """SIGINT handler: only note it; the poll timer acts on it outside the handler."""
        self.interrupted = True

    @Slot()
    def on_poll_timer_timeout(self) -> None:
        """Cancel everything once after an interrupt or a failing callback."""
        if (self.interrupted or self.callback_error is not None) and not self.cancelling:
            self.cancelling = True
            self.scheduler.cancel_all()
        self._quit_if_done()

    @Slot(str)
    def _on_scheduler_job_progressed(self, job_id: str) -> None:
        self._report(job_id)

    @Slot(str, str)
    def _on_scheduler_job_state_changed(self, job_id: str, _state: str) -> None:
        self._report(job_id)

    @Slot(object)
    def _on_scheduler_status_changed(self, _status: object) -> None:
        self._quit_if_done()

    def _report(self, job_id: str) -> None:
        if self.on_progress is None or self.callback_error is not None:
            return
        try:
            self.on_progress(job_id, self.scheduler.job(job_id))
        except Exception as exc:  # re-raised by run_jobs after a clean stop
            self.callback_error = exc
            self.on_poll_timer_timeout()

    def _quit_if_done(self) -> None:
        if self.scheduler.status().idle:
            self.loop.quit()


def run_jobs(
    requests: Sequence[tuple[GenerationRequest, Priority]],
    on_progress: ProgressCallback | None = None,
    workers: int = DEFAULT_WORKERS,
    *,
    paths: AppPaths | None = None,
    datasets: Sequence[Dataset | None] = (),
) -> list[Job]:
    """Run every request as a job, by priority, and return the jobs once all have ended.

    Args:
        requests: (request, priority) pairs; jobs are queued in this order.
        on_progress: called with (job id, job) on progress and on every state change, on the
            calling thread.
        workers: worker threads.
        paths: the app's folders (``AppPaths.default()`` when omitted; then this process's job
            folders are removed at the end).
        datasets: for each request, the dataset its pre-flight check imported (see
            :func:`~tdgen_desktop.generation.pipeline.prepare_job`), so the job neither reads
            the schema nor builds its value pools again.

    Returns:
        The jobs in the order of ``requests``, each done, failed or cancelled.

    Raises:
        KeyboardInterrupt: Ctrl+C was pressed; every job was cancelled first (no partial files).
        Exception: whatever ``on_progress`` raised; every job was cancelled first.
    """
    if QCoreApplication.instance() is None:
        QCoreApplication([sys.argv[0] if sys.argv else "tdgen"])
    own_paths = paths is None
    app_paths = AppPaths.default() if paths is None else paths
    scheduler = JobScheduler(app_paths, workers=workers)
    loop = QEventLoop()
    runner = _Runner(scheduler, loop, on_progress)
    poll = QTimer(runner)
    poll.setObjectName("sigint_poll_timer")
    poll.timeout.connect(runner.on_poll_timer_timeout)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, runner.on_sigint) if in_main_thread else None
    try:
        ids = scheduler.submit_many(requests, datasets)
        poll.start(_SIGNAL_POLL_MS)
        if not scheduler.status().idle:
            loop.exec()
        jobs = [scheduler.job(job_id) for job_id in ids]
    finally:
        poll.stop()
        if in_main_thread:
            signal.signal(signal.SIGINT, previous or signal.default_int_handler)
        scheduler.shutdown()
        if own_paths:
            app_paths.remove_run_dir()
    if runner.callback_error is not None:
        raise runner.callback_error
    if runner.interrupted:
        raise KeyboardInterrupt
    return jobs
