"""Routes uncaught exceptions (main thread, Python threads, the asyncio loop) to one report dialog.

Every uncaught exception is logged with its traceback, written to a crash log in the user's log
folder (when one is given) and then handed to the GUI thread through a queued signal and shown by
:meth:`MessageBridge.show_error`; the dialog names the crash log. Showing it later from the event
loop, rather than inside the hook, also keeps the dialog out of whatever event handler failed, and
the app keeps running.

A crash log (``crash-<UTC time>-<pid>.log``, the newest :data:`KEEP_CRASH_LOGS` are kept) holds
the traceback, tdgen's version, Python, Qt and the platform — and no secrets: the value of
``TDGEN_AI_API_KEY`` and of any other credential-like environment variable, ``Authorization``
headers, ``key=…``/``token: …`` pairs and long key-like strings are replaced by ``***``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import platform
import re
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import PySide6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot, qVersion
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from tdgen_desktop.ui.message_bridge import MessageBridge

__all__ = [
    "CRASH_LOG_PATTERN",
    "KEEP_CRASH_LOGS",
    "install_excepthook",
    "route_loop_exceptions",
    "scrub_secrets",
    "write_crash_log",
]

_log = logging.getLogger(__name__)

_REPORT_TITLE = "tdgen — unexpected error"

CRASH_LOG_PATTERN = "crash-*.log"
"""The names of crash logs in the log folder."""

KEEP_CRASH_LOGS = 20
"""How many crash logs are kept; older ones are removed when a new one is written."""

_KEY_ENV_VAR = "TDGEN_AI_API_KEY"
_SECRET_ENV_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL", re.IGNORECASE)
_MIN_SECRET_LEN = 6
_SECRET_PATTERNS = (
    # "Authorization: Bearer abc…", "bearer abc…"
    re.compile(r"(?i)(\b(?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]{8,}"),
    # api_key=…, "x-api-key": "…", token: …, password=…, secret=…
    re.compile(
        r"(?i)(\b(?:[a-z_-]*api[_-]?key|token|secret|password|passwd|authorization)"
        r"[\"']?\s*[:=]\s*[\"']?)[^\s\"',;)}]{4,}"
    ),
    # provider-style keys: sk-…, pk-…, rk-…, sk_live_…
    re.compile(r"()\b(?:sk|pk|rk)[-_][A-Za-z0-9_-]{8,}"),
    # long key-like strings: 32+ letters/digits with both letters and digits
    re.compile(r"()\b(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{32,}\b"),
)


def scrub_secrets(text: str, env: Mapping[str, str] | None = None) -> str:
    """``text`` without anything that looks like a credential (replaced by ``***``).

    Args:
        text: the text to clean (a traceback, a message).
        env: the environment whose credential-like variables (``TDGEN_AI_API_KEY`` and any name
            with KEY, TOKEN, SECRET, PASSWORD or CREDENTIAL) are scrubbed by value;
            ``os.environ`` when None.
    """
    env = os.environ if env is None else env
    values = sorted(
        (
            value.strip()
            for name, value in env.items()
            if (name == _KEY_ENV_VAR or _SECRET_ENV_NAME.search(name))
            and len(value.strip()) >= _MIN_SECRET_LEN
        ),
        key=len,
        reverse=True,
    )
    for value in values:
        text = text.replace(value, "***")
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(r"\1***", text)
    return text


def _crash_text(error: BaseException, where: str) -> str:
    """The crash report of ``error``: when, where, versions, the traceback."""
    from tdgen_desktop import __version__  # noqa: PLC0415 — read lazily from the metadata

    lines = [
        "tdgen crash report",
        f"time: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
        f"where: {where}",
        f"tdgen: {__version__}",
        f"python: {platform.python_version()} ({platform.python_implementation()})",
        f"qt: PySide6 {PySide6.__version__}, Qt {qVersion()}",
        f"platform: {platform.platform()}",
        "",
        "".join(traceback.format_exception(error)).rstrip(),
        "",
    ]
    return "\n".join(lines)


def write_crash_log(
    error: BaseException, folder: Path, *, where: str = "main thread"
) -> Path | None:
    """Write the crash report of ``error`` to a new file in ``folder``; secrets scrubbed.

    Keeps the newest :data:`KEEP_CRASH_LOGS` crash logs. Never raises: a log that cannot be
    written is only logged (the report dialog still opens).

    Returns:
        The crash log, or None when it could not be written.
    """
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-%f")
    path = folder / f"crash-{stamp}-{os.getpid()}.log"
    try:
        text = scrub_secrets(_crash_text(error, where))
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except Exception:  # a failing crash log must not hide the crash
        _log.exception("Cannot write a crash log to %s", folder)
        return None
    for old in sorted(folder.glob(CRASH_LOG_PATTERN))[:-KEEP_CRASH_LOGS]:
        try:
            old.unlink()
        except OSError as exc:
            _log.warning("Cannot remove the old crash log %s: %s", old, exc)
    return path


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
        exception_raised(object, str): an uncaught exception (its ``__traceback__`` set) and its
            crash log ("" when none was written).
    """

    exception_raised = Signal(object, str)

    def __init__(self, bridge: MessageBridge) -> None:
        super().__init__(bridge)
        self._bridge = bridge
        self.exception_raised.connect(
            self.on_relay_exception_raised, Qt.ConnectionType.QueuedConnection
        )

    @Slot(object, str)
    def on_relay_exception_raised(self, error: BaseException, crash_log: str) -> None:
        """Show the report dialog (runs in the GUI thread)."""
        _show_report(self._bridge, error, crash_log)


def _show_report(bridge: MessageBridge, error: BaseException, crash_log: str) -> None:
    """Open the report dialog; it names the crash log when there is one."""
    box = bridge.show_error(error, _main_window(), title=_REPORT_TITLE)
    if box is not None and crash_log:
        box.setInformativeText(f"A crash report was saved to {crash_log}")


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

    def __init__(self, bridge: MessageBridge, crash_dir: Path | None) -> None:
        self._relay = _CrashRelay(bridge)
        self._crash_dir = crash_dir
        self._previous_sys_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook

    def _report(self, error: BaseException, where: str) -> bool:
        """Write the crash log, hand ``error`` to the GUI thread; False when that is impossible."""
        crash_log = None
        if self._crash_dir is not None:
            crash_log = write_crash_log(error, self._crash_dir, where=where)
        try:
            self._relay.exception_raised.emit(error, str(crash_log or ""))
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
        if not self._report(_as_exception(exc_type, exc_value, exc_tb), "main thread"):
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


def install_excepthook(bridge: MessageBridge, crash_dir: Path | None = None) -> Callable[[], None]:
    """Route ``sys.excepthook`` and ``threading.excepthook`` to a report dialog via ``bridge``.

    Call from the GUI thread, where ``bridge`` lives. Exceptions of other threads reach the dialog
    through a queued signal; every one is logged with its traceback first.

    Args:
        bridge: shows the report dialog.
        crash_dir: the folder crash logs are written to (the user log folder); None writes none.

    Returns:
        A callable that restores the previous hooks and detaches from ``bridge``.
    """
    hooks = _Hooks(bridge, crash_dir)
    hooks.install()
    return hooks.restore


def route_loop_exceptions(
    loop: asyncio.AbstractEventLoop, bridge: MessageBridge, crash_dir: Path | None = None
) -> None:
    """Show exceptions that escape asyncio tasks and callbacks on ``loop`` through ``bridge``.

    Context without an exception (e.g. an unclosed resource) is only logged. With ``crash_dir``
    each exception is also written to a crash log there.
    """

    def handler(loop_: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, BaseException):
            _log.critical(
                "%s",
                context.get("message") or "Unhandled exception in the event loop",
                exc_info=(type(error), error, error.__traceback__),
            )
            crash_log = None
            if crash_dir is not None:
                crash_log = write_crash_log(error, crash_dir, where="event loop")
            _show_report(bridge, error, str(crash_log or ""))
        else:
            loop_.default_exception_handler(context)

    loop.set_exception_handler(handler)
