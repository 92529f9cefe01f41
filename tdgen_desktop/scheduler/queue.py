"""The waiting line of the scheduler: priorities, first-in-first-out, and aging so nothing starves.

Each waiting job gets a *start key* when it is queued::

    key = time queued + rank × aging interval        (rank: HIGH 0, NORMAL 1, LOW 2)

and the job with the smallest key starts first; equal keys go in the order the jobs were queued
(a sequence number). Jobs queued within one aging interval of each other therefore start strictly
by priority, first-in-first-out within a priority, while a job that has waited ``rank × aging``
seconds is ahead of every job queued after that moment, whatever its priority.

**The bound.** A job of rank *r* queued at *t* can only be overtaken by jobs queued before
``t + r × aging``: a LOW job waits at most ``2 × aging`` (60 s with the default 30 s) before no
newly queued job can pass it, and from then on it waits only for the jobs already ahead of it.

The key does not change while a job waits, so the line is a plain binary heap; removal and
priority changes mark the old heap entry dead (lazy deletion) and are O(log n).
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from tdgen_desktop.core.enums import Priority

__all__ = ["DEFAULT_AGING_S", "RANKS", "JobQueue"]

DEFAULT_AGING_S = 30.0
"""Seconds of waiting worth one priority level."""

RANKS: dict[Priority, int] = {Priority.HIGH: 0, Priority.NORMAL: 1, Priority.LOW: 2}
"""Lower rank starts first."""


@dataclass(order=True, slots=True)
class _Entry:
    key: float
    seq: int
    job_id: str = field(compare=False)
    priority: Priority = field(compare=False)
    queued_at: float = field(compare=False)
    alive: bool = field(default=True, compare=False)


class JobQueue:
    """A priority queue of job ids with first-in-first-out order and aging.

    Args:
        aging_s: seconds of waiting worth one priority level; None turns aging off (strict
            priority order, first-in-first-out within a priority).
        clock: monotonic seconds (injectable for tests).
    """

    def __init__(
        self, aging_s: float | None = DEFAULT_AGING_S, clock: Callable[[], float] | None = None
    ) -> None:
        if aging_s is not None and aging_s <= 0:
            raise ValueError("aging_s must be positive (or None to turn aging off)")
        self._aging_s = aging_s
        self._clock = clock or time.monotonic
        self._heap: list[_Entry] = []
        self._entries: dict[str, _Entry] = {}
        self._seq = itertools.count()

    @property
    def aging_s(self) -> float | None:
        """Seconds of waiting worth one priority level (None: no aging)."""
        return self._aging_s

    def push(self, job_id: str, priority: Priority) -> None:
        """Queue ``job_id`` now.

        Raises:
            ValueError: the job is already queued.
        """
        if job_id in self._entries:
            raise ValueError(f"job {job_id} is already queued")
        self._add(job_id, priority, self._clock(), next(self._seq))

    def pop(self) -> str | None:
        """Remove and return the job that starts next (None when the queue is empty)."""
        while self._heap:
            entry = heapq.heappop(self._heap)
            if entry.alive:
                del self._entries[entry.job_id]
                return entry.job_id
        return None

    def peek(self) -> str | None:
        """The job that starts next, left in the queue."""
        self._drop_dead_head()
        return self._heap[0].job_id if self._heap else None

    def remove(self, job_id: str) -> bool:
        """Take ``job_id`` out of the queue; False if it was not queued."""
        entry = self._entries.pop(job_id, None)
        if entry is None:
            return False
        entry.alive = False
        self._drop_dead_head()
        return True

    def set_priority(self, job_id: str, priority: Priority) -> bool:
        """Give a queued job another priority; False if it is not queued.

        The job keeps the time it was queued (its waiting counts towards aging) and its place
        among jobs of the new priority is the order in which they were queued.
        """
        entry = self._entries.get(job_id)
        if entry is None:
            return False
        if entry.priority is priority:
            return True
        entry.alive = False
        self._add(job_id, priority, entry.queued_at, entry.seq)
        return True

    def priority(self, job_id: str) -> Priority | None:
        """The priority of a queued job (None if not queued)."""
        entry = self._entries.get(job_id)
        return entry.priority if entry is not None else None

    def depth(self, priority: Priority) -> int:
        """How many jobs of ``priority`` wait."""
        return sum(1 for e in self._entries.values() if e.priority is priority)

    def ids(self) -> list[str]:
        """Queued job ids in the order they would start if nothing else were queued."""
        return [e.job_id for e in sorted(self._entries.values())]

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids())

    def _add(self, job_id: str, priority: Priority, queued_at: float, seq: int) -> None:
        rank = RANKS[priority]
        key = float(rank) if self._aging_s is None else queued_at + rank * self._aging_s
        entry = _Entry(key, seq, job_id, priority, queued_at)
        self._entries[job_id] = entry
        heapq.heappush(self._heap, entry)

    def _drop_dead_head(self) -> None:
        while self._heap and not self._heap[0].alive:
            heapq.heappop(self._heap)
