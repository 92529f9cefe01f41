"""A file that other processes write into: the engine's worker processes and the exporters meet
here (see :mod:`tdgen_desktop.generation.parallel` and ``TableWriter.hand_over``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["FileTarget"]


@dataclass(frozen=True, slots=True)
class FileTarget:
    """An open file that worker processes append a format's text to with ``os.pwrite``.

    Attributes:
        fd: the open file (forked workers inherit it).
        start: the byte offset the first chunk's text goes to.
        failed: turns a worker's failed write into the error the job raises (it names the
            file, and removes the partial one).
    """

    fd: int
    start: int
    failed: Callable[[OSError], Exception]
