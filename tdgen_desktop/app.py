"""The composition root: builds the application's objects, wires them and runs the event loop.

``main`` serves the ``tdgen-desktop`` GUI script and ``tdgen gui [SCHEMA...]``. Tests build the same
wiring with :func:`build_main_window` and drive it through pytest-qt, without the loop.

Settings live in the platform's native store (organisation and application "tdgen"), or in an INI
file under ``$TDGEN_HOME/config`` when that variable is set (tests and CI never touch the user's
settings). The job scheduler is made here with the worker count of the settings, handed to the
window, and shut down when the loop ends.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import logging.handlers
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

import qasync
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

import tdgen_desktop
from tdgen_desktop.exporters.atomic import remove_stale_parts
from tdgen_desktop.importers import load_schema
from tdgen_desktop.llm import LoopRunner
from tdgen_desktop.scheduler import JobScheduler
from tdgen_desktop.services.credentials import CredentialStore
from tdgen_desktop.services.paths import HOME_ENV_VAR, AppPaths
from tdgen_desktop.services.resources import icon_paths
from tdgen_desktop.ui.ai_profiles import AiSupport
from tdgen_desktop.ui.crash import install_excepthook, route_loop_exceptions
from tdgen_desktop.ui.main_window import MainWindow
from tdgen_desktop.ui.message_bridge import MessageBridge
from tdgen_desktop.ui.settings import SettingsStore, open_settings

__all__ = ["build_main_window", "build_settings", "main"]

_log = logging.getLogger(__name__)

APP_NAME = "tdgen"
_LOG_FILE = "tdgen.log"
_LOG_HANDLER_NAME = "tdgen"
_LOG_BYTES = 1_000_000
_LOG_BACKUPS = 3
_SIGNAL_POLL_MS = 250
MEASURE_STARTUP_ENV = "TDGEN_MEASURE_STARTUP"
"""If set, print the time to the shown window and the memory in use, then quit (bench)."""


def build_settings(paths: AppPaths) -> SettingsStore:
    """The settings: an INI file under ``$TDGEN_HOME`` when it is set, else the native store."""
    in_home = bool(os.environ.get(HOME_ENV_VAR, "").strip())
    return SettingsStore(open_settings(paths.config_dir if in_home else None))


def build_main_window(
    paths: AppPaths,
    bridge: MessageBridge,
    *,
    settings: SettingsStore | None = None,
    scheduler: JobScheduler | None = None,
    ai: AiSupport | None = None,
) -> MainWindow:
    """The main window, wired to the bridge, the importers, the scheduler and the settings.

    Args:
        paths: the app's folders.
        bridge: the message bridge.
        settings: the settings store; :func:`build_settings` when None.
        scheduler: the job scheduler; when None the window makes its own (with the worker count
            of the settings) and shuts it down when it closes.
        ai: AI profiles' keys and sessions; when None the window makes its own (system keyring,
            a private event loop for the AI client).
    """
    store = settings if settings is not None else build_settings(paths)
    return MainWindow(bridge, load_schema, paths=paths, scheduler=scheduler, settings=store, ai=ai)


def _configure_logging(paths: AppPaths) -> None:
    """Log to a rotating file in the log folder, and warnings to stderr when there is one."""
    root = logging.getLogger()
    if any(h.get_name() == _LOG_HANDLER_NAME for h in root.handlers):
        return  # main() ran before in this process
    root.setLevel(logging.INFO)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        paths.log_dir.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            paths.log_dir / _LOG_FILE,
            maxBytes=_LOG_BYTES,
            backupCount=_LOG_BACKUPS,
            encoding="utf-8",
        )
    except OSError as exc:
        print(f"tdgen: cannot write the log in {paths.log_dir}: {exc}", file=sys.stderr)
    else:
        file_handler.set_name(_LOG_HANDLER_NAME)
        file_handler.setFormatter(formatter)
        root.addHandler(file_handler)
    if sys.stderr is not None:  # None under pythonw / a frozen GUI build
        stream_handler = logging.StreamHandler(sys.stderr)
        stream_handler.set_name(_LOG_HANDLER_NAME)
        stream_handler.setLevel(logging.WARNING)
        stream_handler.setFormatter(formatter)
        root.addHandler(stream_handler)


def _application(argv: Sequence[str]) -> tuple[QApplication, list[str]]:
    """The QApplication and the arguments left once Qt has taken its own options."""
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName(APP_NAME)
    existing = QApplication.instance()
    if isinstance(existing, QApplication):  # e.g. an end-to-end test's
        return existing, list(argv)
    app = QApplication([sys.argv[0] if sys.argv else APP_NAME, *argv])
    app.setApplicationVersion(tdgen_desktop.__version__)
    app.setWindowIcon(_app_icon())
    app.setQuitOnLastWindowClosed(True)
    return app, app.arguments()[1:]


def _app_icon() -> QIcon:
    """The app icon with every PNG size of ``resources/icons`` (empty when none is found)."""
    icon = QIcon()
    for path in icon_paths():
        icon.addFile(str(path))
    return icon


def _report_startup_and_quit(app: QApplication, started: float) -> None:
    """Print ``tdgen-startup: main_s=… rss_mb=…`` once the window is shown, then quit."""
    rss_mb = float("nan")
    try:  # Linux; elsewhere the figure is left out
        status = Path("/proc/self/status").read_text(encoding="ascii")
        rss_mb = int(status.split("VmRSS:")[1].split()[0]) / 1024
    except (OSError, IndexError, ValueError):
        pass
    print(f"tdgen-startup: main_s={time.perf_counter() - started:.3f} rss_mb={rss_mb:.1f}")
    sys.stdout.flush()
    app.quit()


def _quit_on_ctrl_c(app: QApplication) -> Callable[[], None]:
    """Make Ctrl+C in the terminal quit the app; return a callable that undoes it.

    Python runs signal handlers only between bytecodes, and the Qt event loop runs none while
    idle, so a timer wakes the interpreter now and then.
    """

    def on_sigint(_signum: int, _frame: FrameType | None) -> None:
        _log.info("Interrupted; quitting")
        QTimer.singleShot(0, app.quit)  # a quit() before the loop has started would be lost

    previous = signal.signal(signal.SIGINT, on_sigint)
    timer = QTimer(app)
    timer.setObjectName("signal_poll_timer")
    timer.timeout.connect(lambda: None)
    timer.start(_SIGNAL_POLL_MS)

    def undo() -> None:
        timer.stop()
        timer.deleteLater()
        signal.signal(signal.SIGINT, previous)

    return undo


def main(argv: list[str] | None = None) -> int:
    """Open the window, load the schema files named in ``argv`` and run until it closes.

    Args:
        argv: schema paths (and Qt options); ``sys.argv[1:]`` when None.

    Returns:
        The exit code: 0 when the window was closed normally.
    """
    multiprocessing.freeze_support()
    started = time.perf_counter()
    args = list(sys.argv[1:] if argv is None else argv)

    paths = AppPaths.default()
    _configure_logging(paths)
    app, schema_args = _application(args)
    paths.clean_stale_job_dirs()

    bridge = MessageBridge()
    restore_hooks = install_excepthook(bridge, paths.log_dir)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    route_loop_exceptions(loop, bridge, paths.log_dir)
    restore_sigint = _quit_on_ctrl_c(app)
    code = 0
    settings = build_settings(paths)
    remove_stale_parts(settings.load().output_dir)  # left by an export killed mid-way
    scheduler = JobScheduler(paths, workers=settings.load().worker_count)
    # The AI client runs on the Qt event loop (qasync); jobs on worker threads wait on it.
    ai = AiSupport(CredentialStore(), paths.cache_dir / "ai", runner=LoopRunner(loop))
    try:
        window = build_main_window(paths, bridge, settings=settings, scheduler=scheduler, ai=ai)
        window.show()
        if schema_args:
            window.load_paths([Path(arg) for arg in schema_args])
        if os.environ.get(MEASURE_STARTUP_ENV):
            QTimer.singleShot(0, lambda: _report_startup_and_quit(app, started))
        # The objects made at start-up live as long as the app: keep the garbage collector from
        # walking them on every full collection (shorter pauses of the window's thread).
        gc.freeze()
        with loop:
            code = loop.run_forever()
    finally:
        scheduler.shutdown()
        ai.close()
        restore_sigint()
        restore_hooks()
        asyncio.set_event_loop(None)
        paths.remove_run_dir()
    _log.info("Exiting with code %s", code)
    return int(code or 0)
