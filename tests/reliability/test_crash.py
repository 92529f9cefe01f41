"""Crash handling: an unexpected exception in the window opens the report dialog, writes a crash
log without secrets to the user log folder, and the app keeps working.

The window is wired as ``app.main`` wires it (crash hook with the log folder of ``AppPaths``), in
a temporary home; exceptions are raised from a real slot (a button's ``clicked``) and from a
Python thread.
"""

from __future__ import annotations

import secrets
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from tdgen_desktop.app import build_main_window
from tdgen_desktop.scheduler import JobScheduler
from tdgen_desktop.services import AppPaths
from tdgen_desktop.ui import MainWindow, MessageBridge
from tdgen_desktop.ui.crash import CRASH_LOG_PATTERN, KEEP_CRASH_LOGS, install_excepthook
from tdgen_desktop.ui.settings import Preferences, SettingsStore

ROOT = Path(__file__).resolve().parents[2]
ORDER = ROOT / "resources" / "examples" / "order.schema.json"
WAIT_MS = 30_000

Recorder = Callable[..., None]

pytestmark = pytest.mark.qt_no_exception_capture  # the app's own hook must see the exceptions


class App:
    """A window wired as the app wires it, with the crash hook installed."""

    def __init__(self, qtbot: QtBot, root: Path) -> None:
        self.qtbot = qtbot
        self.paths = AppPaths.under(root / "home")
        self.out = root / "out"
        store = SettingsStore(QSettings(str(root / "tdgen.ini"), QSettings.Format.IniFormat))
        store.save(Preferences(output_dir=self.out))
        self.bridge = MessageBridge()
        self.scheduler = JobScheduler(self.paths, workers=1)
        self.window: MainWindow = build_main_window(
            self.paths, self.bridge, settings=store, scheduler=self.scheduler
        )
        qtbot.addWidget(self.window)
        self.window.show()
        qtbot.waitExposed(self.window)
        self.restore = install_excepthook(self.bridge, self.paths.log_dir)

    def crash_logs(self) -> list[Path]:
        return sorted(self.paths.log_dir.glob(CRASH_LOG_PATTERN))

    def close(self) -> None:
        self.restore()
        self.scheduler.shutdown()
        self.bridge.close_dialogs()


@pytest.fixture
def app(qtbot: QtBot, tmp_path: Path) -> Iterator[App]:
    made = App(qtbot, tmp_path)
    yield made
    made.close()


def _key() -> str:
    return "tdgen-crash-" + secrets.token_hex(16)


def test_an_exception_in_a_slot_opens_the_report_and_writes_a_crash_log(
    app: App, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, record: Recorder
) -> None:
    env_key, other_key = _key(), "sk-" + secrets.token_hex(20)
    monkeypatch.setenv("TDGEN_AI_API_KEY", env_key)

    def on_button_clicked() -> None:
        headers = {"Authorization": f"Bearer {other_key}"}
        raise RuntimeError(f"boom with key {env_key}, api_key={other_key} and {headers}")

    button = QPushButton("crash", app.window)
    button.setObjectName("crash_button")
    button.clicked.connect(on_button_clicked)
    with qtbot.waitSignal(app.bridge.error_shown, timeout=WAIT_MS) as shown:
        button.click()

    # the report dialog
    assert str(shown.args[0]).startswith("Unexpected error: RuntimeError: boom")
    box = app.bridge.open_dialogs[-1]
    assert box.parent() is app.window
    logs = app.crash_logs()
    assert len(logs) == 1
    assert str(logs[0]) in box.informativeText()
    assert logs[0].parent == app.paths.log_dir

    # the crash log: traceback, version, platform — and no secrets
    text = logs[0].read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text
    assert "on_button_clicked" in text
    assert "RuntimeError: boom" in text
    for label in ("tdgen: ", "python: ", "qt: PySide6 ", "platform: ", "where: main thread"):
        assert label in text
    assert env_key not in text
    assert other_key not in text
    assert other_key[:12] not in text
    assert "***" in text

    # the app keeps running: the window still loads a schema and runs a job
    app.bridge.close_dialogs()
    loaded: list[object] = []
    app.window.dataset_loaded.connect(loaded.append)
    app.window.open_paths([ORDER])
    qtbot.waitUntil(lambda: bool(loaded), timeout=WAIT_MS)
    with qtbot.waitSignal(app.window.job_submitted, timeout=WAIT_MS) as submitted:
        generate = app.window.findChild(QPushButton, "generate_button")
        assert generate is not None
        generate.click()
    job_id = str(submitted.args[0])
    qtbot.waitUntil(lambda: app.scheduler.job(job_id).is_final, timeout=WAIT_MS)
    assert app.scheduler.job(job_id).result is not None
    assert (app.out / "order.csv").is_file()
    record(
        "Crash handling",
        "an exception raised from a slot in the window (button click), with an API key in the "
        "environment and two more key-like strings in the message",
        "the report dialog opened and named the crash log in the user log folder; the log holds "
        "the traceback, tdgen/Python/Qt versions and platform, and none of the three keys; the "
        "window then loaded a schema and finished a job",
    )


def test_an_exception_in_a_thread_is_reported_and_logged(
    app: App, qtbot: QtBot, record: Recorder
) -> None:
    def work() -> None:
        raise ValueError("worker gave up")

    with qtbot.waitSignal(app.bridge.error_shown, timeout=WAIT_MS) as shown:
        thread = threading.Thread(target=work, name="export-helper")
        thread.start()
    thread.join()

    assert shown.args == ["Unexpected error: ValueError: worker gave up"]
    logs = app.crash_logs()
    assert len(logs) == 1
    text = logs[0].read_text(encoding="utf-8")
    assert "where: thread export-helper" in text
    assert "ValueError: worker gave up" in text
    assert app.window.isVisible()
    record(
        "Crash handling",
        "an exception in a Python thread",
        "report dialog opened in the GUI thread; crash log written naming the thread",
    )


def test_crash_logs_are_capped(app: App, qtbot: QtBot) -> None:
    app.bridge.close_dialogs()
    for n in range(KEEP_CRASH_LOGS + 3):
        try:
            raise KeyError(f"repeat {n}")
        except KeyError as error:
            with qtbot.waitSignal(app.bridge.error_shown, timeout=WAIT_MS):
                sys.excepthook(type(error), error, error.__traceback__)
        app.bridge.close_dialogs()

    logs = app.crash_logs()
    assert len(logs) == KEEP_CRASH_LOGS
    assert "repeat 22" in logs[-1].read_text(encoding="utf-8")
