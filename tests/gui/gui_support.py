"""Helpers of the main-window tests: drag-and-drop events, a gated pipeline, the ``Gui`` bundle.

A module of its own (not ``conftest``), so test modules can import it by a unique name.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from tdgen_desktop.core.enums import Step, StepState
from tdgen_desktop.core.model import Dataset
from tdgen_desktop.generation.pipeline import (
    CancelToken,
    GenerationRequest,
    JobResult,
    ProgressEvent,
    ProgressSink,
    run_pipeline,
)
from tdgen_desktop.scheduler import Job, JobScheduler
from tdgen_desktop.ui import MainWindow, MessageBridge
from tdgen_desktop.ui.settings import Preferences, SettingsStore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "examples" / "order.schema.json"
WAIT_MS = 30_000


def mime_for(paths: list[Path]) -> QMimeData:
    """Drag data carrying local files."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drag_enter(window: MainWindow, mime: QMimeData) -> QDragEnterEvent:
    """Send a drag-enter event to the window."""
    event = QDragEnterEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, event)
    return event


class GatedPipeline:
    """``run_pipeline`` whose worker stops at chosen moments until the test lets it go on.

    * ``hold_steps``: at every change of a step's state the worker waits until the test has
      seen that state in the job model (:meth:`acknowledge`), so no state is coalesced away.
    * ``hold_rows``: after the first chunk of rows the worker waits for :attr:`release`.
    """

    def __init__(self, *, hold_steps: bool = False, hold_rows: bool = False) -> None:
        self.hold_steps = hold_steps
        self.hold_rows = hold_rows
        self.release = threading.Event()
        self.rows_reached = threading.Event()
        self.wanted: tuple[Step, StepState] | None = None
        self._ack = threading.Event()

    def acknowledge(self, step: Step, state: StepState) -> None:
        """The test saw ``step`` in ``state``: let the worker go on if it waits for that."""
        if self.wanted == (step, state):
            self._ack.set()

    def __call__(
        self,
        request: GenerationRequest,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
        *,
        dataset: Dataset | None = None,
    ) -> JobResult:
        last: tuple[Step, StepState] | None = None

        def sink(event: ProgressEvent) -> None:
            nonlocal last
            key = (event.step, event.state)
            changed = key != last
            last = key
            if changed and self.hold_steps:
                self._ack.clear()
                self.wanted = key
            if progress is not None:
                progress(event)
            if changed and self.hold_steps:
                assert self._ack.wait(10), f"the window never showed {key}"
            if self.hold_rows and event.rows_done > 0 and not self.rows_reached.is_set():
                self.rows_reached.set()
                assert self.release.wait(10), "the test never released the job"

        return run_pipeline(request, sink, cancel, dataset=dataset)


@dataclass
class Gui:
    """A window under test with its parts and helpers."""

    qtbot: QtBot
    window: MainWindow
    bridge: MessageBridge
    scheduler: JobScheduler
    settings_file: Path
    out_dir: Path
    errors: list[str] = field(default_factory=list)

    def action(self, name: str) -> QAction:
        """The window's action called ``name``."""
        action = self.window.findChild(QAction, name)
        assert action is not None, name
        return action

    def drop(self, *paths: Path) -> QDropEvent:
        """Drag ``paths`` over the window and drop them."""
        mime = mime_for(list(paths))
        assert drag_enter(self.window, mime).isAccepted()
        event = QDropEvent(
            QPointF(50, 50),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(self.window, event)
        return event

    def drop_and_wait(self, path: Path) -> Dataset:
        """Drop ``path`` and wait until it loaded; fail with the text of an error dialog."""
        loaded: list[Dataset] = []
        errors: list[str] = []
        self.window.dataset_loaded.connect(loaded.append)
        self.bridge.error_shown.connect(errors.append)
        try:
            assert self.drop(path).isAccepted()
            self.qtbot.waitUntil(lambda: bool(loaded or errors), timeout=WAIT_MS)
        finally:
            self.window.dataset_loaded.disconnect(loaded.append)
            self.bridge.error_shown.disconnect(errors.append)
        assert not errors, errors
        return loaded[0]

    def wait_job(self, job_id: str) -> Job:
        """Wait until ``job_id`` has ended and return it."""
        self.qtbot.waitUntil(lambda: self.scheduler.job(job_id).is_final, timeout=WAIT_MS)
        return self.scheduler.job(job_id)

    def generate(self) -> str:
        """Press Generate and return the id of the job it queued."""
        with self.qtbot.waitSignal(self.window.job_submitted, timeout=WAIT_MS) as blocker:
            button = self.window.findChild(QPushButton, "generate_button")
            assert button is not None
            button.click()
        return str(blocker.args[0])


def write_prefs(settings_file: Path, **changes: Any) -> None:
    """Store preferences in ``settings_file`` before a window reads them."""
    store = SettingsStore(QSettings(str(settings_file), QSettings.Format.IniFormat))
    prefs = Preferences(**changes)
    store.save(prefs)


def read_jsonl(path: Path) -> list[Any]:
    """The values of a JSON Lines file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
