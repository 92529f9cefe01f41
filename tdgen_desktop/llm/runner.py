"""Runs the AI client's coroutines on one event loop, for callers on other threads.

The client lives on one event loop for its whole life (an ``httpx.AsyncClient`` belongs to the
loop it first ran on). In the window that loop is the Qt event loop, run by qasync: pass it to
:class:`LoopRunner`. In the command line and in tests the runner starts its own asyncio loop in
a daemon thread. Generation jobs run on worker threads and call :meth:`LoopRunner.run`, which
waits for the coroutine while checking the job's cancel flag: a cancel cancels the task on the
loop, which aborts its HTTP requests at once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from tdgen_desktop.core.errors import CancelledError

__all__ = ["LoopRunner"]

T = TypeVar("T")

_log = logging.getLogger(__name__)

POLL_S = 0.05
"""How often a waiting caller checks its cancel flag."""


class LoopRunner:
    """Runs coroutines on one event loop.

    Args:
        loop: the loop to use (the window's qasync loop); None to start a private loop in a
            daemon thread on first use.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._loop = loop
        self._own = loop is None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The loop coroutines run on (a private one is started here if needed)."""
        with self._lock:
            if self._loop is None or (self._own and self._loop.is_closed()):
                self._start()
            assert self._loop is not None  # noqa: S101 — set by _start
            return self._loop

    def _start(self) -> None:
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def main() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=main, name="tdgen-ai-loop", daemon=True)
        self._thread.start()
        ready.wait()
        self._loop = loop

    def run(
        self,
        make: Callable[[], Coroutine[Any, Any, T]],
        *,
        cancelled: Callable[[], bool] = lambda: False,
        on_poll: Callable[[], None] | None = None,
    ) -> T:
        """Run ``make()`` on the loop and wait for its result (from another thread).

        Args:
            make: builds the coroutine.
            cancelled: polled every 50 ms; when it returns True the task is cancelled.
            on_poll: called on this thread at every poll (to forward progress).

        Raises:
            CancelledError: ``cancelled()`` became true; the task on the loop was cancelled.
            RuntimeError: called on the loop's own thread (that would deadlock: await instead).
        """
        loop = self.loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            raise RuntimeError("LoopRunner.run would block its own event loop; await instead")
        future = asyncio.run_coroutine_threadsafe(make(), loop)
        while True:
            try:
                return future.result(timeout=POLL_S)
            except concurrent.futures.TimeoutError:
                if on_poll is not None:
                    on_poll()
                if cancelled():
                    future.cancel()
                    raise CancelledError() from None
            except concurrent.futures.CancelledError:
                raise CancelledError() from None

    def close(self, cleanup: Callable[[], Coroutine[Any, Any, None]] | None = None) -> None:
        """Run ``cleanup`` on the loop, then stop the private loop (a given loop is left alone)."""
        with self._lock:
            loop, thread = self._loop, self._thread
        if loop is None or loop.is_closed():
            return
        if cleanup is not None:
            future = asyncio.run_coroutine_threadsafe(cleanup(), loop)
            try:
                future.result(timeout=5)
            except (concurrent.futures.TimeoutError, concurrent.futures.CancelledError):
                future.cancel()
            except Exception:  # a failing clean-up must not stop the shutdown
                _log.warning("AI client clean-up failed", exc_info=True)
        if self._own and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
            with self._lock:
                self._thread = None
