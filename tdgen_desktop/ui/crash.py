"""Routes uncaught exceptions (main thread, Python threads, the asyncio loop) to one report dialog.

Every uncaught exception is logged with its traceback, then handed to the GUI thread through a
queued signal and shown by :meth:`MessageBridge.show_error`. Showing it later from the event loop,
rather than inside the hook, also keeps the dialog out of whatever event handler failed.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from tdgen_desktop.ui.message_bridge import MessageBridge

__all__ = ["install_excepthook", "route_loop_exceptions"]

_log = logging.getLogger(__name__)

_REPORT_TITLE = "tdgen — unexpected error"


def _main_window() -> QWidget | None:
    """The visible main window to parent a report dialog to, if any.

    Not ``activeWindow()``: that may be another error dialog, which deletes its children on close.
    """
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMainWindow) and widget.isVisible():
            return widget
    return None


class _CrashRelay(QObject):
    """Carries exceptions from any thread to the bridge in the GUI thread.

    Signals:
        exception_raised(object): an uncaught exception (its ``__traceback__`` set).
    """

    exception_raised = Signal(object)

    def __init__(self, bridge: MessageBridge) -> None:
        super().__init__(bridge)
        self._bridge = bridge
        self.exception_raised.connect(
            self.on_relay_exception_raised, Qt.ConnectionType.QueuedConnection
        )

    @Slot(object)
    def on_relay_exception_raised(self, error: BaseException) -> None:
        """Show the report dialog (runs in the GUI thread)."""
        self._bridge.show_error(error, _main_window(), title=_REPORT_TITLE)


def _as_exception(
    exc_type: type[BaseException], exc_value: BaseException | None, exc_tb: TracebackType | None
) -> BaseException:
    """The exception instance with its traceback attached."""
    error = exc_value if exc_value is not None else exc_type()
    if exc_tb is not None and error.__traceback__ is None:
        error = error.with_traceback(exc_tb)
    return error


class _Hooks:
    """The installed hooks: log, hand over to the relay, fall back to the previous hooks."""

    def __init__(self, bridge: MessageBridge) -> None:
        self._relay = _CrashRelay(bridge)
        self._previous_sys_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook

    def _report(self, error: BaseException, where: str) -> bool:
        """Hand ``error`` to the GUI thread; False when that is no longer possible."""
        try:
            self._relay.exception_raised.emit(error)
        except RuntimeError:  # the relay's C++ object is gone (app shutting down)
            _log.exception("Cannot report the %s exception", where)
            return False
        return True

    def sys_hook(
        self,
        exc_type: type[BaseException],
        exc_value: BaseException,
        exc_tb: TracebackType | None,
    ) -> None:
        """Replacement for ``sys.excepthook``."""
        if issubclass(exc_type, KeyboardInterrupt):
            _log.info("Interrupted; quitting")
            QCoreApplication.quit()
            return
        _log.critical("Uncaught exception", exc_info=(exc_type, exc_value, exc_tb))
        if not self._report(_as_exception(exc_type, exc_value, exc_tb), "uncaught"):
            self._previous_sys_hook(exc_type, exc_value, exc_tb)

    def thread_hook(self, args: threading.ExceptHookArgs) -> None:
        """Replacement for ``threading.excepthook``."""
        if issubclass(args.exc_type, SystemExit):
            return  # as the default hook: a thread may end itself with SystemExit
        name = args.thread.name if args.thread is not None else "unknown"
        error = _as_exception(args.exc_type, args.exc_value, args.exc_traceback)
        _log.critical(
            "Uncaught exception in thread %s",
            name,
            exc_info=(type(error), error, error.__traceback__),
        )
        if not self._report(error, f"thread {name}"):
            self._previous_thread_hook(args)

    def install(self) -> None:
        """Make these the process's hooks."""
        sys.excepthook = self.sys_hook
        threading.excepthook = self.thread_hook

    def restore(self) -> None:
        """Put the previous hooks back (only where ours are still installed); drop the relay."""
        if sys.excepthook == self.sys_hook:
            sys.excepthook = self._previous_sys_hook
        if threading.excepthook == self.thread_hook:
            threading.excepthook = self._previous_thread_hook
        try:
            self._relay.exception_raised.disconnect(self._relay.on_relay_exception_raised)
            self._relay.deleteLater()
        except RuntimeError:  # already deleted with the bridge
            pass


def install_excepthook(bridge: MessageBridge) -> Callable[[], None]:
    """Route ``sys.excepthook`` and ``threading.excepthook`` to a report dialog via ``bridge``.

    Call from the GUI thread, where ``bridge`` lives. Exceptions of other threads reach the dialog
    through a queued signal; every one is logged with its traceback first.

    Returns:
        A callable that restores the previous hooks and detaches from ``bridge``.
    """
    hooks = _Hooks(bridge)
    hooks.install()
    return hooks.restore


def route_loop_exceptions(loop: asyncio.AbstractEventLoop, bridge: MessageBridge) -> None:
    """Show exceptions that escape asyncio tasks and callbacks on ``loop`` through ``bridge``.

    Context without an exception (e.g. an unclosed resource) is only logged.
    """

    def handler(loop_: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, BaseException):
            _log.critical(
                "%s",
                context.get("message") or "Unhandled exception in the event loop",
                exc_info=(type(error), error, error.__traceback__),
            )
            bridge.show_error(error, _main_window(), title=_REPORT_TITLE)
        else:
            loop_.default_exception_handler(context)

    loop.set_exception_handler(handler)
