"""Chunks of a table made in worker processes.

Python threads share one interpreter lock, so generation in a thread neither uses a second core
nor leaves the window's thread alone. For a table whose plan is ``independent`` (see
:class:`~tdgen_desktop.generation.null.TablePlan`) the job forks ``processes`` workers once the
plan is compiled — the children inherit the plan, the value pools and the parent tables' keys,
so nothing has to be pickled but the rows coming back. Worker ``w`` of ``n`` makes chunks
``w, w + n, w + 2n …`` with :meth:`NullProvider.rows` and the compiled column checks, and
also the text the job's writers would append for it (for formats written a chunk at a time:
CSV, TSV, JSON Lines, SQL and the cases file), and sends all through its own pipe; the job
reads them back in chunk order and does the rest (uniqueness fix-up, validation, writing) as if
it had made them itself — a chunk the fix-up changed is encoded again by the job. A chunk
depends only on the job seed and its index, so the files are byte-identical for any number of
processes.

A pipe holds at most about one chunk, so a worker is never more than two chunks ahead of the
writer: memory stays flat. Cancelling (or any error) kills the workers at once.

Workers are forked (no interpreter start-up, no pickled plan), which Linux offers; elsewhere,
and for plans whose chunks depend on each other, the chunks are made in the job's own thread.
A forked child runs only tdgen's pure-Python generation code and leaves with ``os._exit``.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import traceback
import warnings
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from tdgen_desktop.core.errors import CancelledError, TdgenError
from tdgen_desktop.core.rows import VALID_LABEL, RowBatch

if TYPE_CHECKING:
    from tdgen_desktop.generation.null import NullProvider, TablePlan
    from tdgen_desktop.generation.pipeline import CancelToken

__all__ = ["CAN_FORK", "Chunk", "MadeChunk", "make_chunks"]

CAN_FORK = hasattr(os, "fork") and sys.platform.startswith("linux")
"""Whether chunks can be made in forked worker processes on this platform."""

_PIPE_BYTES = 1 << 20
"""Bytes a worker's pipe holds (Linux's default maximum for a process without privileges)."""
_POLL_S = 0.05
"""How often the job looks at its cancel token while it waits for a worker."""

RowCheck = Callable[[list[str], list[tuple[Any, ...]]], Any]
Encoder = Callable[[RowBatch], str]
Confirm = Callable[[list[str], list[tuple[Any, ...]], list[int]], list[str]]


@dataclass(frozen=True, slots=True)
class Chunk:
    """Chunk ``index`` of a table: rows ``start .. start + count - 1``."""

    index: int
    start: int
    count: int


@dataclass(frozen=True, slots=True)
class MadeChunk:
    """A chunk's rows before the uniqueness fix-up.

    Attributes:
        rows: the rows (``None`` when only their text was asked for).
        flagged: indexes of the rows the compiled column checks flagged (``None``: not
            checked yet).
        texts: the text of each encoder for these rows (``None``: not encoded).
        failures: when only text was asked for, the confirmed validation failures.
    """

    rows: list[tuple[Any, ...]] | None
    flagged: list[int] | None
    texts: list[str] | None = None
    failures: list[str] | None = None


def make_chunks(
    provider: NullProvider,
    plan: TablePlan,
    chunks: Sequence[Chunk],
    processes: int,
    check: RowCheck | None,
    cancel: CancelToken,
    encoders: Sequence[Encoder] = (),
    *,
    confirm: Confirm | None = None,
) -> Generator[MadeChunk]:
    """Yield the chunks' rows in order, made in ``processes`` workers where possible.

    ``check`` flags rows for validation and ``encoders`` turn a chunk into text — both run in
    the workers (only there: in the job's thread the caller does that work itself). With
    ``confirm`` (and encoders) the workers send only the text and ``confirm``'s verdict on the
    flagged rows, not the rows: the job then has nothing to unpickle but strings.

    Raises:
        CancelledError: ``cancel`` was set (the workers are stopped first).
        TdgenError: a worker met an error (the same error), or stopped unexpectedly.
    """
    if processes < 1 or not CAN_FORK or not plan.independent or len(chunks) < 2:
        for chunk in chunks:
            cancel.raise_if_cancelled()
            yield MadeChunk(provider.rows(plan, chunk.index, chunk.start, chunk.count), None)
        return
    work = _Work(provider, plan, check, tuple(encoders), confirm if encoders else None)
    workers = _Workers(work, chunks, min(processes, len(chunks)))
    try:
        for number in range(len(chunks)):
            yield workers.receive(number, cancel)
    finally:
        workers.stop()


@dataclass(frozen=True, slots=True)
class _Work:
    """What a worker does with each of its chunks."""

    provider: NullProvider
    plan: TablePlan
    check: RowCheck | None
    encoders: tuple[Encoder, ...]
    confirm: Confirm | None

    def make(self, chunk: Chunk) -> tuple[Any, ...]:
        """The message for one chunk."""
        plan = self.plan
        rows = self.provider.rows(plan, chunk.index, chunk.start, chunk.count)
        flagged = list(self.check(plan.columns, rows)) if self.check is not None else None
        texts = None
        if self.encoders:
            labels = [VALID_LABEL] * len(rows)
            batch = RowBatch(plan.table, plan.columns, rows, labels, chunk.start)
            texts = [encode(batch) for encode in self.encoders]
        if self.confirm is not None:
            return ("text", texts, self.confirm(plan.columns, rows, flagged or []))
        return ("rows", rows, flagged, texts)


class _Workers:
    """The forked workers of one table, each with the pipe it sends its chunks through."""

    def __init__(self, work: _Work, chunks: Sequence[Chunk], count: int) -> None:
        self.pids: list[int] = []
        self.pipes: list[Connection] = []
        try:
            for worker in range(count):
                reader, writer = Pipe(duplex=False)
                _widen(writer)
                with warnings.catch_warnings():
                    # Python warns about forking a process with threads; the child only runs
                    # tdgen's own generation code (no locks of other threads) and exits.
                    warnings.filterwarnings("ignore", "This process", DeprecationWarning)
                    pid = os.fork()
                if pid == 0:  # the child: make its share of the chunks, then leave at once
                    reader.close()
                    _child(writer, work, chunks[worker::count])
                writer.close()
                self.pids.append(pid)
                self.pipes.append(reader)
        except OSError as exc:
            self.stop()
            raise TdgenError(f"cannot start a worker process: {exc.strerror or exc}") from None

    def receive(self, number: int, cancel: CancelToken) -> MadeChunk:
        """Chunk ``number`` (the chunks come from the workers in turn)."""
        pipe = self.pipes[number % len(self.pipes)]
        while not pipe.poll(_POLL_S):
            if cancel.cancelled:
                self.stop()
                raise CancelledError()
        try:
            message = pipe.recv()
        except (EOFError, OSError):
            raise TdgenError(
                "a worker process stopped unexpectedly (out of memory?); try fewer processes"
            ) from None
        if message[0] == "rows":
            return MadeChunk(message[1], message[2], message[3])
        if message[0] == "text":
            return MadeChunk(None, None, message[1], message[2])
        if message[0] == "error":
            raise message[1]
        raise TdgenError("a worker process failed", details=message[1])

    def stop(self) -> None:
        """Stop the workers that are still running and reap them all."""
        for pipe in self.pipes:
            pipe.close()
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self.pids, self.pipes = [], []


def _widen(pipe: Connection) -> None:
    """Let a pipe hold a few chunks (Linux pipes hold 64 KiB, less than one chunk), so a worker
    that is a little ahead of its neighbour does not wait for the job to read."""
    import fcntl  # noqa: PLC0415 — POSIX only; workers are forked on Linux only

    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)


def _child(pipe: Connection, work: _Work, chunks: Sequence[Chunk]) -> None:
    """A worker's whole life. Never returns."""
    code = 0
    try:
        # Ctrl+C reaches the whole process group: the job, not its workers, decides what to do.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        gc.freeze()  # the inherited objects are never collected: their pages stay shared
        for chunk in chunks:
            pipe.send(work.make(chunk))
    except TdgenError as exc:
        code = _send(pipe, ("error", exc))
    except BrokenPipeError:
        code = 1  # the job is gone
    except BaseException:
        code = _send(pipe, ("crash", traceback.format_exc()))
    finally:
        os._exit(code)


def _send(pipe: Connection, message: tuple[Any, ...]) -> int:
    try:
        pipe.send(message)
    except (OSError, ValueError):
        return 1
    return 0
