"""The scheduler's status snapshot — the desktop counterpart of a service's status endpoint.

:class:`SchedulerStatus` is an immutable picture taken by :meth:`JobScheduler.status` and sent
with ``status_changed``; :class:`ThroughputMeter` keeps the figures behind its throughput fields.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from tdgen_desktop.core.enums import Priority

__all__ = ["THROUGHPUT_WINDOW_S", "SchedulerStatus", "ThroughputMeter"]

THROUGHPUT_WINDOW_S = 5.0
"""The "current throughput" is measured over this many most recent seconds."""


@dataclass(frozen=True, slots=True)
class SchedulerStatus:
    """What the scheduler is doing, at one moment.

    Attributes:
        queued_high: HIGH jobs waiting.
        queued_normal: NORMAL jobs waiting.
        queued_low: LOW jobs waiting.
        running: jobs a worker is busy with (cancelling ones included).
        workers_busy: workers busy with a job.
        workers_total: workers in the pool.
        completed: jobs done since the scheduler started.
        failed: jobs failed.
        cancelled: jobs cancelled (queued or running).
        rows_generated: rows made by every job (cancelled ones' partial rows included).
        throughput_now: rows/s over the last few seconds (:data:`THROUGHPUT_WINDOW_S`).
        throughput_avg: rows/s over the time at least one job was running.
        uptime_s: seconds since the scheduler was created.
    """

    queued_high: int
    queued_normal: int
    queued_low: int
    running: int
    workers_busy: int
    workers_total: int
    completed: int
    failed: int
    cancelled: int
    rows_generated: int
    throughput_now: float
    throughput_avg: float
    uptime_s: float

    @property
    def queued(self) -> int:
        """Jobs waiting, all priorities."""
        return self.queued_high + self.queued_normal + self.queued_low

    def queued_at(self, priority: Priority) -> int:
        """Jobs of ``priority`` waiting."""
        return {
            Priority.HIGH: self.queued_high,
            Priority.NORMAL: self.queued_normal,
            Priority.LOW: self.queued_low,
        }[priority]

    @property
    def ended(self) -> int:
        """Jobs that reached a final state."""
        return self.completed + self.failed + self.cancelled

    @property
    def idle(self) -> bool:
        """Whether nothing waits and nothing runs."""
        return self.queued == 0 and self.running == 0


class ThroughputMeter:
    """Counts rows as they are made and turns them into current and average rows per second.

    Args:
        window_s: the span of the current throughput.
    """

    def __init__(self, window_s: float = THROUGHPUT_WINDOW_S) -> None:
        self._window_s = window_s
        self._samples: deque[tuple[float, int]] = deque()
        self.rows = 0
        self._active_s = 0.0
        self._active_since: float | None = None

    def add(self, now: float, rows: int) -> None:
        """Count ``rows`` made at time ``now``."""
        if rows <= 0:
            return
        self.rows += rows
        self._samples.append((now, rows))
        self._trim(now)

    def set_active(self, now: float, *, active: bool) -> None:
        """Whether at least one job runs from ``now`` on (for the average)."""
        if active and self._active_since is None:
            self._active_since = now
        elif not active and self._active_since is not None:
            self._active_s += now - self._active_since
            self._active_since = None

    def current(self, now: float) -> float:
        """Rows/s over the last ``window_s`` seconds (or since jobs started running, if less)."""
        self._trim(now)
        if not self._samples:
            return 0.0
        span = self._window_s
        if self._active_since is not None:
            span = min(span, now - self._active_since)
        if span <= 0:
            return 0.0
        return sum(n for _, n in self._samples) / span

    def average(self, now: float) -> float:
        """Rows/s over the time at least one job was running."""
        active = self._active_s
        if self._active_since is not None:
            active += now - self._active_since
        return self.rows / active if active > 0 else 0.0

    def _trim(self, now: float) -> None:
        while self._samples and self._samples[0][0] < now - self._window_s:
            self._samples.popleft()
