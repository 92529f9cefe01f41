"""Render the main window's states offscreen into ``docs/screenshots/`` (``make screenshots``).

States: the empty window with its drop hint, a schema loaded with a field selected, jobs running,
the preview of a finished job with its cases, the settings dialog (general and AI profiles), and
the preview and the schema tree at 1920×1080, and the window switched to a dark palette while open
(the preview and the schema with the field editor, as a dark system theme shows them).
Everything runs in a temporary home folder (settings, output, job folders), so the user's own
settings are never touched; the window is driven through its public methods, as a person would
drive it, and jobs run the real pipeline (one of them held halfway so it can be seen running).

    QT_QPA_PLATFORM=offscreen .venv/bin/python build_scripts/screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_HOME = Path(tempfile.mkdtemp(prefix="tdgen-screenshots-"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["TDGEN_HOME"] = str(_HOME / "tdgen")
os.environ["HOME"] = str(_HOME / "home")  # paths in the pictures read ~/tdgen-out
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
(_HOME / "home").mkdir(parents=True)
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget  # noqa: E402

from tdgen_desktop.app import build_main_window  # noqa: E402
from tdgen_desktop.core.enums import CaseKind, ExportFormat, Priority  # noqa: E402
from tdgen_desktop.core.model import Dataset  # noqa: E402
from tdgen_desktop.generation.pipeline import (  # noqa: E402
    CancelToken,
    GenerationRequest,
    JobResult,
    ProgressEvent,
    ProgressSink,
    run_pipeline,
)
from tdgen_desktop.llm import AiProfile, ProfileKind  # noqa: E402
from tdgen_desktop.scheduler import JobScheduler, JobState  # noqa: E402
from tdgen_desktop.services.paths import AppPaths  # noqa: E402
from tdgen_desktop.ui import MainWindow, MessageBridge  # noqa: E402
from tdgen_desktop.ui.colors import dark_palette  # noqa: E402
from tdgen_desktop.ui.settings import Preferences, SettingsStore  # noqa: E402

ORDER = ROOT / "resources" / "examples" / "order.schema.json"
CUSTOMERS = ROOT / "bench" / "customers.schema.json"
SIZE = (1280, 800)
WIDE = (1920, 1080)
HELD_ROWS = 40_000
"""A job of this many rows is held at 45 % so it can be seen running."""


class _HeldPipeline:
    """The real pipeline; a job of :data:`HELD_ROWS` rows waits at 45 % until released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.reached = threading.Event()

    def __call__(
        self,
        request: GenerationRequest,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
        *,
        dataset: Dataset | None = None,
    ) -> JobResult:
        if request.rows != HELD_ROWS:
            return run_pipeline(request, progress, cancel, dataset=dataset)
        request = dataclasses.replace(request, chunk_size=500)

        def sink(event: ProgressEvent) -> None:
            if progress is not None:
                progress(event)
            if event.fraction >= 0.45 and not self.reached.is_set():
                self.reached.set()
                self.release.wait(60)

        return run_pipeline(request, sink, cancel, dataset=dataset)


def _settle(ms: int = 150) -> None:
    """Let the event loop run for a moment (layouts, queued signals, repaints)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _wait(condition: Callable[[], bool], what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshots: timed out waiting for {what}")
        _settle(30)


def _save(widget: QWidget, out_dir: Path, name: str) -> None:
    _settle()
    path = out_dir / name
    if not widget.grab().save(str(path)):
        raise SystemExit(f"screenshots: cannot write {path}")
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def _window(pipeline: _HeldPipeline) -> tuple[MainWindow, JobScheduler, MessageBridge]:
    paths = AppPaths.default()
    store = SettingsStore(
        QSettings(str(paths.config_dir / "tdgen.ini"), QSettings.Format.IniFormat)
    )
    store.save(Preferences(output_dir=Path.home() / "tdgen-out"))
    bridge = MessageBridge()
    scheduler = JobScheduler(paths, workers=2, pipeline=pipeline)
    window = build_main_window(paths, bridge, settings=store, scheduler=scheduler)
    window.confirm_close = lambda _count: True
    window.resize(*SIZE)
    window.show()
    return window, scheduler, bridge


def _finish(window: MainWindow, job_id: str) -> None:
    _wait(lambda: window.scheduler.job(job_id).is_final, f"{job_id} to end")
    job = window.scheduler.job(job_id)
    if job.state is not JobState.DONE:
        raise SystemExit(f"screenshots: {job_id} {job.state.value}: {job.error}")


def render(out_dir: Path) -> None:  # noqa: PLR0915 — one story, state after state
    """Render every state into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    QCoreApplication.setApplicationName("tdgen")
    assert isinstance(app, QApplication)  # noqa: S101 — made just above
    app.setStyle("Fusion")
    pipeline = _HeldPipeline()
    window, scheduler, bridge = _window(pipeline)
    try:
        _save(window, out_dir, "01-empty.png")

        window.open_paths([CUSTOMERS])
        window.schema_tree.select_field("customer", "email")
        _wait(lambda: window.field_editor.samples_text() not in {"", "…"}, "samples")
        _save(window, out_dir, "02-schema.png")

        # A finished job with every case kind, one held halfway, one waiting.
        panel = window.generation_panel
        window.open_paths([ORDER])
        panel.set_rows(40)
        panel.set_case_kinds(set(CaseKind))
        panel.set_format(ExportFormat.JSONL)
        finished = window.generate()
        if finished is None:
            raise SystemExit("screenshots: Generate did not queue a job")
        _finish(window, finished)
        window.schema_tree.select_field("customer", "email")
        panel.set_case_kinds({CaseKind.VALID})
        panel.set_format(ExportFormat.CSV)
        panel.set_rows(HELD_ROWS)
        scheduler.set_worker_count(1)  # the third job waits while the second holds
        held = window.generate()
        _wait(pipeline.reached.is_set, "the held job to reach 45 %")
        panel.set_rows(5000)
        waiting = window.generate()
        if held is None or waiting is None:
            raise SystemExit("screenshots: Generate did not queue a job")
        scheduler.set_priority(waiting, Priority.LOW)
        window.jobs_panel.select_job(waiting)
        _settle(400)
        _save(window, out_dir, "03-jobs-running.png")

        # The preview of the finished job: every case kind, the summary of one column.
        window.jobs_panel.select_job(finished)
        window.tabs.setCurrentIndex(1)
        preview = window.preview
        preview.select_column("status")
        preview.view.scrollTo(
            preview.proxy.index(34, 0), QAbstractItemView.ScrollHint.PositionAtTop
        )
        _save(window, out_dir, "04-preview.png")

        dialog = window.open_settings()
        _settle()
        _save(dialog, out_dir, "05-settings.png")
        dialog.reject()

        # An AI profile for a model served on this machine (no key needed), then its tab.
        local = AiProfile("local", ProfileKind.OPENAI, "http://localhost:1234/v1", "qwen2.5-7b")
        window.apply_preferences(
            dataclasses.replace(
                window.preferences,
                worker_count=scheduler.worker_count,
                ai_profiles=(local,),
                ai_profile="local",
            )
        )
        dialog = window.open_settings()
        dialog.tabs.setCurrentIndex(1)
        _settle()
        _save(dialog, out_dir, "07-settings-ai.png")
        dialog.reject()

        window.resize(*WIDE)
        preview.select_column("qty")
        preview.view.scrollTo(
            preview.proxy.index(40, 0), QAbstractItemView.ScrollHint.PositionAtTop
        )
        _save(window, out_dir, "06-preview-1920x1080.png")
        window.tabs.setCurrentIndex(0)
        window.schema_tree.select_field("customer", "street_address")
        _wait(lambda: window.field_editor.samples_text() not in {"", "…"}, "samples")
        _save(window, out_dir, "08-schema-1920x1080.png")

        # The system switches to a dark theme while the window is open.
        window.resize(*SIZE)
        app.setPalette(dark_palette())
        window.tabs.setCurrentIndex(1)
        preview.select_column("status")
        preview.view.scrollTo(
            preview.proxy.index(34, 0), QAbstractItemView.ScrollHint.PositionAtTop
        )
        _save(window, out_dir, "09-dark-preview.png")
        window.tabs.setCurrentIndex(0)
        window.schema_tree.select_field("customer", "email")
        _wait(lambda: window.field_editor.samples_text() not in {"", "…"}, "samples")
        _save(window, out_dir, "10-dark-schema.png")
        pipeline.release.set()
        scheduler.cancel_all()
        scheduler.wait_for_done(30_000)
    finally:
        pipeline.release.set()
        scheduler.shutdown()
        bridge.close_dialogs()
        window.close()
        _settle()


def main() -> int:
    """Render the screenshots (into the folder given, default docs/screenshots)."""
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    try:
        render(out_dir.resolve())
    finally:
        shutil.rmtree(_HOME, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
