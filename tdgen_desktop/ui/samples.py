"""Live sample values of one field, made on a background thread so typing never waits for Faker.

The field editor asks for samples after every change; :class:`SampleService` compiles a copy of
the field with the engine's value sources on its own single worker thread and answers with
``samples_ready``. Only the answer to the latest request matters: older ones are dropped by the
receiver, which compares the request token.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import random
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from tdgen_desktop.core.errors import TdgenError
from tdgen_desktop.core.model import MISSING, Field
from tdgen_desktop.generation.pools import Pools
from tdgen_desktop.generation.values import Env, GenContext, compile_field

__all__ = ["SAMPLE_COUNT", "SampleService", "format_value"]

_log = logging.getLogger(__name__)

SAMPLE_COUNT = 5
"""Values shown per field."""

_MAX_TEXT = 60


def format_value(value: Any) -> str:
    """A short text for one value as people read it: null, (absent), text, numbers, JSON."""
    if value is MISSING:
        return "(absent)"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value
    elif isinstance(value, int | float):
        text = repr(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = str(value)
    text = text.replace("\n", "⏎")
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


class _SampleSignals(QObject):
    """The long-lived sender the sample tasks report through (see MACHINE_NOTES: no signals on a
    plain QRunnable, no short-lived senders).

    Signals:
        finished(int, object, str): token, the sample texts (list of str), an error message.
    """

    finished = Signal(int, object, str)


class _SampleTask(QRunnable):
    """Compiles one field copy and makes a few values of it."""

    def __init__(
        self,
        token: int,
        field: Field,
        locale: str,
        seed: int,
        pools: dict[str, Pools],
        signals: _SampleSignals,
    ) -> None:
        super().__init__()
        self._token = token
        self._field = field
        self._locale = locale
        self._seed = seed
        self._pools = pools
        self._signals = signals

    def run(self) -> None:
        """Make the samples and report them (always, whatever happens)."""
        texts: list[str] = []
        error = ""
        try:
            pools = self._pools.get(self._locale)
            if pools is None:
                pools = self._pools[self._locale] = Pools(0, self._locale)
            source = compile_field(self._field, Env(pools, self._seed, self._field.name))
            values = source.column(GenContext(random.Random(self._seed)), SAMPLE_COUNT)
            texts = [format_value(v) for v in values]
        except TdgenError as exc:
            error = exc.problem
        except Exception as exc:  # a bug in a value source must not kill the thread
            _log.exception("sampling field %s failed", self._field.name)
            error = f"cannot make samples: {type(exc).__name__}: {exc}"
        with contextlib.suppress(RuntimeError):  # the service was deleted while this ran
            self._signals.finished.emit(self._token, texts, error)


class SampleService(QObject):
    """Makes sample values of fields on one background thread.

    Signals:
        samples_ready(int, object, str): the request token, the sample texts (a list of str)
            and an error message ("" when the samples were made).

    Args:
        parent: the Qt parent.
    """

    samples_ready = Signal(int, object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # The pool is the first child, so it is destroyed (waiting for its thread) before the
        # signal holder its tasks emit through.
        self._pool = QThreadPool(self)
        self._pool.setObjectName("sample_pool")
        self._pool.setMaxThreadCount(1)
        self._signals = _SampleSignals(self)
        self._signals.finished.connect(self.samples_ready)
        self._pools: dict[str, Pools] = {}  # only touched by the pool's one thread
        self._token = 0
        self._closed = False

    def request(self, field: Field, locale: str, seed: int) -> int:
        """Ask for samples of ``field`` (copied now, so later edits do not race the thread).

        Returns:
            The token ``samples_ready`` will carry.
        """
        self._token += 1
        if self._closed:
            return self._token
        field_copy = copy.deepcopy(field)
        self._pool.clear()  # drop requests not started yet: only the newest counts
        self._pool.start(
            _SampleTask(self._token, field_copy, locale, seed, self._pools, self._signals)
        )
        return self._token

    @property
    def latest_token(self) -> int:
        """The token of the newest request."""
        return self._token

    def wait(self, timeout_ms: int = -1) -> bool:
        """Wait until no sample task runs (tests, shutting down)."""
        return self._pool.waitForDone(timeout_ms)

    def shutdown(self) -> None:
        """Drop waiting requests and wait for the running one; no request runs afterwards."""
        self._closed = True
        self._pool.clear()
        self._pool.waitForDone()
