"""The jobs panel's actions and the status panel, on a scheduler whose jobs can be held."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from gui_support import EXAMPLE, WAIT_MS, GatedPipeline, Gui
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from tdgen_desktop.core.enums import Priority
from tdgen_desktop.scheduler import JobColumn, JobState
from tdgen_desktop.ui.status_panel import StatusPanel


def test_queue_priority_cancel_retry_and_status(make_window: Callable[..., Gui]) -> None:
    gate = GatedPipeline(hold_rows=True)
    gui = make_window(pipeline=gate, workers=1)
    window, panel = gui.window, gui.window.jobs_panel
    gui.drop_and_wait(EXAMPLE)
    window.generation_panel.set_rows(3000)
    running = gui.generate()
    gui.qtbot.waitUntil(gate.rows_reached.is_set, timeout=WAIT_MS)
    queued = gui.generate()

    # The new job is selected; it waits, so its priority can change.
    assert panel.selected_job() is gui.scheduler.job(queued)
    assert gui.action("change_priority_action").isEnabled()
    assert not gui.action("retry_job_action").isEnabled()
    gui.action("priority_high_action").trigger()
    assert gui.scheduler.job(queued).priority is Priority.HIGH
    row = panel.model.row_of(queued)
    assert panel.model.index(row, JobColumn.PRIORITY).data() == "High"

    # The status panel follows the scheduler.
    status: StatusPanel = window.status_panel
    gui.qtbot.waitUntil(lambda: status.text_of("queued") == "1 high · 0 normal · 0 low")
    assert status.text_of("workers") == "1 busy of 1"

    # Cancel the queued job, retry it, cancel everything.
    gui.action("cancel_job_action").trigger()
    assert gui.scheduler.job(queued).state is JobState.CANCELLED
    assert gui.action("retry_job_action").isEnabled()
    with gui.qtbot.waitSignal(gui.scheduler.job_added, timeout=WAIT_MS) as blocker:
        gui.action("retry_job_action").trigger()
    retried = str(blocker.args[0])
    assert gui.scheduler.job(retried).retry_of == queued
    gui.action("cancel_all_action").trigger()
    with gui.qtbot.waitSignal(gui.scheduler.job_cancelled, timeout=WAIT_MS):
        gate.release.set()
    assert gui.scheduler.job(running).state is JobState.CANCELLED
    gui.qtbot.waitUntil(lambda: status.text_of("ended").endswith("3 cancelled"))

    # Clear finished empties the list.
    gui.action("clear_finished_action").trigger()
    assert panel.model.rowCount() == 0


def test_open_folder_shows_the_output_folder(gui: Gui, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    gui.drop_and_wait(EXAMPLE)
    gui.window.generation_panel.set_rows(5)
    job = gui.wait_job(gui.generate())

    gui.action("open_folder_action").trigger()

    assert [Path(u.toLocalFile()) for u in opened] == [job.request.out_dir]
    assert gui.window.statusBar().currentMessage().startswith(f"{job.id} done: ")


def test_a_failed_job_shows_its_error(gui: Gui, tmp_path: Path) -> None:
    schema = tmp_path / "tiny.schema.json"
    schema.write_text(
        '{"title": "tiny", "type": "object", "required": ["b"],'
        ' "properties": {"b": {"type": "boolean", "x-unique": true}}}',
        encoding="utf-8",
    )
    gui.drop_and_wait(schema)
    gui.window.generation_panel.set_rows(50)

    with gui.qtbot.waitSignal(gui.bridge.error_shown, timeout=WAIT_MS) as blocker:
        job_id = gui.generate()

    assert blocker.args[0].startswith(f"{job_id} failed: ")
    assert "tiny.schema.json" in blocker.args[0]
    assert gui.scheduler.job(job_id).state is JobState.FAILED
    assert gui.bridge.open_dialogs[-1].windowTitle() == "Job failed"
    assert gui.action("retry_job_action").isEnabled()
