"""Reads schema files on a worker thread, so a big schema never stalls the window.

:class:`SchemaLoadWorker` owns a one-thread :class:`QThreadPool`; :meth:`SchemaLoadWorker.load`
queues a batch of files and returns at once. The files are read in order, each through
:func:`read_schema`, which turns every failure into a value (the error, with the file named), and
the whole batch comes back on the main thread through :attr:`SchemaLoadWorker.batch_loaded`.
Batches are read one after the other in the order they were queued.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from tdgen_desktop.core.errors import TdgenError
from tdgen_desktop.core.model import Dataset

__all__ = ["LoadOutcome", "SchemaLoadWorker", "read_schema"]

_log = logging.getLogger(__name__)

LoadOutcome = list[tuple[Path, Dataset | Exception]]
"""Per file of a batch, in order: the dataset, or the error that stopped it."""


def read_schema(load: Callable[[Path], Dataset], path: Path) -> Dataset | Exception:
    """Read one schema file; a failure is returned (naming the file), never raised."""
    try:
        return load(path)
    except TdgenError as error:
        return error.with_context(file=path)
    except OSError as error:
        return TdgenError(error.strerror or str(error), file=path)
    except Exception as error:  # a bug in an importer: report it, keep the window usable
        _log.exception("Loading %s failed", path)
        return error


class _Signals(QObject):
    done = Signal(int, object)


class _LoadRunnable(QRunnable):
    def __init__(
        self,
        batch: int,
        paths: Sequence[Path],
        load: Callable[[Path], Dataset],
        signals: _Signals,
    ) -> None:
        super().__init__()
        self._batch, self._paths, self._load, self._signals = batch, list(paths), load, signals

    def run(self) -> None:
        outcome: LoadOutcome = [(p, read_schema(self._load, p)) for p in self._paths]
        self._signals.done.emit(self._batch, outcome)


class SchemaLoadWorker(QObject):
    """Reads batches of schema files off the main thread.

    Signals:
        batch_loaded(int, object): a batch was read: its number and its :data:`LoadOutcome`.
        busy_changed(bool): whether files are being read.

    Args:
        load: reads one schema file (``tdgen_desktop.importers.load_schema``).
        parent: the Qt parent.
    """

    batch_loaded = Signal(int, object)
    busy_changed = Signal(bool)

    def __init__(self, load: Callable[[Path], Dataset], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._load = load
        self._pool = QThreadPool(self)
        self._pool.setObjectName("schema_load_pool")
        self._pool.setMaxThreadCount(1)
        self._signals = _Signals(self)
        self._signals.done.connect(self._on_done)
        self._numbers = itertools.count(1)
        self._pending: set[int] = set()
        self._runnables: dict[int, _LoadRunnable] = {}

    @property
    def busy(self) -> bool:
        """Whether a batch is being read or waits to be."""
        return bool(self._pending)

    def load(self, paths: Sequence[Path]) -> int:
        """Queue ``paths`` to be read; returns the batch number at once."""
        batch = next(self._numbers)
        was_busy = self.busy
        self._pending.add(batch)
        runnable = _LoadRunnable(batch, paths, self._load, self._signals)
        runnable.setAutoDelete(False)  # kept until it reports: signals of a deleted one get lost
        self._runnables[batch] = runnable
        self._pool.start(runnable)
        if not was_busy:
            self.busy_changed.emit(True)
        return batch

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Wait for the batch being read (queued ones are dropped); True when none is left."""
        self._pool.clear()
        return self._pool.waitForDone(timeout_ms)

    @Slot(int, object)
    def _on_done(self, batch: int, outcome: object) -> None:
        self._runnables.pop(batch, None)
        self._pending.discard(batch)
        self.batch_loaded.emit(batch, outcome)
        if not self._pending:
            self.busy_changed.emit(False)
