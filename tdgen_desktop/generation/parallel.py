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

When the job needs nothing back but that text, the workers write it into the files
themselves (``targets``): a worker sends only the byte sizes of a chunk's texts, the job — which
sees the chunks in order — answers with the offsets where they go, and the worker writes them
there with ``os.pwrite``. The job then moves no data at all, so two workers have both cores to
themselves, and the file is the same byte for byte.

A worker is at most a few chunks ahead of the job (its pipe, or its unplaced chunks, hold no
more): memory stays flat. Cancelling (or any error) kills the workers at once.

Workers are forked (no interpreter start-up, no pickled plan), which Linux offers; elsewhere,
and for plans whose chunks depend on each other, the chunks are made in the job's own thread.
A forked child runs only tdgen's pure-Python generation code and leaves with ``os._exit``.
"""

from __future__ import annotations

import contextlib
import gc
import os
import select
import signal
import sys
import traceback
import warnings
from collections import deque
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from tdgen_desktop.core.errors import CancelledError, TdgenError
from tdgen_desktop.core.rows import VALID_LABEL, RowBatch
from tdgen_desktop.core.targets import FileTarget

if TYPE_CHECKING:
    from tdgen_desktop.generation.null import NullProvider, TablePlan
    from tdgen_desktop.generation.pipeline import CancelToken

__all__ = ["CAN_FORK", "Chunk", "MadeChunk", "forks", "make_chunks"]

CAN_FORK = hasattr(os, "fork") and sys.platform.startswith("linux")
"""Whether chunks can be made in forked worker processes on this platform."""

_PIPE_BYTES = 1 << 20
"""Bytes a worker's pipe holds (Linux's default maximum for a process without privileges)."""
_POLL_MS = 50
"""How often (milliseconds) the job looks at its cancel token while it waits for a worker."""
_UNPLACED = 8
"""Chunks a worker that writes its own text may hold before it waits for their offsets."""

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
        sizes: when the workers write the text into the ``targets`` themselves, its size in
            bytes for each target.
    """

    rows: list[tuple[Any, ...]] | None
    flagged: list[int] | None
    texts: list[str] | None = None
    failures: list[str] | None = None
    sizes: list[int] | None = None


def forks(plan: TablePlan, chunks: Sequence[Chunk], processes: int) -> bool:
    """Whether :func:`make_chunks` makes these chunks in worker processes."""
    return processes >= 1 and CAN_FORK and plan.independent and len(chunks) >= 2


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
    targets: Sequence[FileTarget] = (),
) -> Generator[MadeChunk]:
    """Yield the chunks' rows in order, made in ``processes`` workers where possible.

    ``check`` flags rows for validation and ``encoders`` turn a chunk into text — both run in
    the workers (only there: in the job's thread the caller does that work itself). With
    ``confirm`` (and encoders) the workers send only the text and ``confirm``'s verdict on the
    flagged rows, not the rows: the job then has nothing to unpickle but strings. With
    ``targets`` as well (one per encoder, only when :func:`forks`), the workers write the text
    into the targets' files themselves and send only its sizes; when the generator ends, every
    byte is written and chunk ``i``'s text of target ``t`` lies at ``t.start`` plus the sizes of
    the chunks before it.

    Raises:
        CancelledError: ``cancel`` was set (the workers are stopped first).
        TdgenError: a worker met an error (the same error), or stopped unexpectedly; a failed
            write into a target raises what its ``failed`` gives.
    """
    if not forks(plan, chunks, processes):
        for chunk in chunks:
            cancel.raise_if_cancelled()
            yield MadeChunk(provider.rows(plan, chunk.index, chunk.start, chunk.count), None)
        return
    text_only = confirm if encoders else None
    work = _Work(provider, plan, check, tuple(encoders), text_only)
    placing = tuple(targets) if text_only is not None else ()
    workers = _Workers(work, chunks, min(processes, len(chunks)), placing)
    try:
        for number in range(len(chunks)):
            yield workers.receive(number, cancel)
        workers.finish(cancel)
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
    """The forked workers of one table, each with the pipe it sends its chunks through (and,
    when it writes into ``targets`` itself, the pipe it gets their offsets from)."""

    def __init__(
        self, work: _Work, chunks: Sequence[Chunk], count: int, targets: tuple[FileTarget, ...]
    ) -> None:
        self.pids: list[int] = []
        self.pipes: list[Connection] = []
        self.waits: list[select.poll] = []  # one poll object per pipe: a wait is one system call
        self.offsets: list[Connection] = []
        self.targets = targets
        self.ends = [target.start for target in targets]
        try:
            for worker in range(count):
                reader, writer = Pipe(duplex=False)
                _widen(writer)
                offsets_in, offsets_out = Pipe(duplex=False) if targets else (None, None)
                with warnings.catch_warnings():
                    # Python warns about forking a process with threads; the child only runs
                    # tdgen's own generation code (no locks of other threads) and exits.
                    warnings.filterwarnings("ignore", "This process", DeprecationWarning)
                    pid = os.fork()
                if pid == 0:  # the child: make its share of the chunks, then leave at once
                    reader.close()
                    if offsets_out is not None:
                        offsets_out.close()
                    _child(writer, work, chunks[worker::count], offsets_in, targets)
                writer.close()
                self.pids.append(pid)
                self.pipes.append(reader)
                self.waits.append(select.poll())
                self.waits[-1].register(reader.fileno(), select.POLLIN)
                if offsets_out is not None and offsets_in is not None:
                    offsets_in.close()
                    self.offsets.append(offsets_out)
        except OSError as exc:
            self.stop()
            raise TdgenError(f"cannot start a worker process: {exc.strerror or exc}") from None

    def receive(self, number: int, cancel: CancelToken) -> MadeChunk:
        """Chunk ``number`` (the chunks come from the workers in turn)."""
        worker = number % len(self.pipes)
        message = self._next(worker, cancel)
        if message[0] == "rows":
            return MadeChunk(message[1], message[2], message[3])
        if message[0] == "text":
            return MadeChunk(None, None, message[1], message[2])
        if message[0] == "sized":  # the worker writes the text where the job says
            sizes = message[1]
            try:
                self.offsets[worker].send(self.ends)
            except OSError:  # the worker has left: its next message says why (a failed write)
                raise self._failure(self._next(worker, cancel)) from None
            self.ends = [end + size for end, size in zip(self.ends, sizes, strict=True)]
            return MadeChunk(None, None, None, message[2], sizes)
        raise self._failure(message)

    def finish(self, cancel: CancelToken) -> None:
        """Wait until the workers have written every chunk they were told where to put."""
        for worker in range(len(self.pipes) if self.targets else 0):
            message = self._next(worker, cancel)
            if message[0] != "written":
                raise self._failure(message)

    def _next(self, worker: int, cancel: CancelToken) -> tuple[Any, ...]:
        pipe, wait = self.pipes[worker], self.waits[worker].poll
        while not wait(_POLL_MS):  # readable, or the worker has gone (recv then tells)
            if cancel.cancelled:
                self.stop()
                raise CancelledError()
        try:
            message: tuple[Any, ...] = pipe.recv()
        except (EOFError, OSError):
            raise TdgenError(
                "a worker process stopped unexpectedly (out of memory?); try fewer processes"
            ) from None
        return message

    def _failure(self, message: tuple[Any, ...]) -> Exception:
        """The error a worker's failure message stands for."""
        if message[0] == "error":
            error: Exception = message[1]
            return error
        if message[0] == "unwritten":
            target: FileTarget = self.targets[message[1]]
            return target.failed(message[2])
        return TdgenError("a worker process failed", details=str(message[1]))

    def stop(self) -> None:
        """Stop the workers that are still running and reap them all."""
        for pipe in [*self.pipes, *self.offsets]:
            pipe.close()
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self.pids, self.pipes, self.waits, self.offsets = [], [], [], []


def _widen(pipe: Connection) -> None:
    """Let a pipe hold a few chunks (Linux pipes hold 64 KiB, less than one chunk), so a worker
    that is a little ahead of its neighbour does not wait for the job to read."""
    import fcntl  # noqa: PLC0415 — POSIX only; workers are forked on Linux only

    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)


def _child(
    pipe: Connection,
    work: _Work,
    chunks: Sequence[Chunk],
    offsets: Connection | None,
    targets: tuple[FileTarget, ...],
) -> None:
    """A worker's whole life. Never returns."""
    code = 0
    try:
        # Ctrl+C reaches the whole process group: the job, not its workers, decides what to do.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        gc.freeze()  # the inherited objects are never collected: their pages stay shared
        if offsets is None:
            for chunk in chunks:
                pipe.send(work.make(chunk))
        else:
            _place_chunks(pipe, work, chunks, offsets, targets)
            pipe.send(("written",))
    except TdgenError as exc:
        code = _send(pipe, ("error", exc))
    except _Unwritten as failed:
        code = _send(pipe, ("unwritten", failed.target, failed.error))
    except (BrokenPipeError, EOFError):
        code = 1  # the job is gone
    except BaseException:
        code = _send(pipe, ("crash", traceback.format_exc()))
    finally:
        os._exit(code)


class _Unwritten(Exception):
    """A worker could not write into target number ``target``."""

    def __init__(self, target: int, error: OSError) -> None:
        super().__init__(target, error)
        self.target, self.error = target, error


def _place_chunks(
    pipe: Connection,
    work: _Work,
    chunks: Sequence[Chunk],
    offsets: Connection,
    targets: tuple[FileTarget, ...],
) -> None:
    """Make the chunks, send their sizes, and write each into the targets where the job says.

    The offsets come in the order the sizes went; a worker keeps at most :data:`_UNPLACED`
    chunks waiting for theirs.
    """
    unplaced: deque[list[bytes]] = deque()
    for chunk in chunks:
        _kind, texts, failures = work.make(chunk)
        data = [text.encode("utf-8") for text in texts]
        pipe.send(("sized", [len(part) for part in data], failures))
        unplaced.append(data)
        while unplaced and (len(unplaced) > _UNPLACED or offsets.poll()):
            _write_at(targets, unplaced.popleft(), offsets.recv())
    while unplaced:
        _write_at(targets, unplaced.popleft(), offsets.recv())


def _write_at(targets: tuple[FileTarget, ...], data: list[bytes], offsets: list[int]) -> None:
    for number, (target, part, offset) in enumerate(zip(targets, data, offsets, strict=True)):
        view, at = memoryview(part), offset
        try:
            while view:
                written = os.pwrite(target.fd, view, at)
                view, at = view[written:], at + written
        except OSError as exc:
            raise _Unwritten(number, exc) from None


def _send(pipe: Connection, message: tuple[Any, ...]) -> int:
    try:
        pipe.send(message)
    except (OSError, ValueError):
        return 1
    return 0
