"""The keyboard path: open → rows → generate → jobs → preview → export, without the mouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_support import EXAMPLE, WAIT_MS, Gui
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QSpinBox

from tdgen_desktop.scheduler import JobState
from tdgen_desktop.ui.dialogs import ExportDialog

CTRL = Qt.KeyboardModifier.ControlModifier


def _focus(gui: Gui) -> object:
    return QApplication.focusWidget()


def test_keyboard_only_flow(gui: Gui, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    window, qtbot = gui.window, gui.qtbot
    with qtbot.waitActive(window):
        window.activateWindow()
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *_a, **_k: ([str(EXAMPLE)], "Schema files")
    )

    # Ctrl+O opens the (patched) file dialog and loads the schema.
    with qtbot.waitSignal(window.dataset_loaded, timeout=WAIT_MS):
        qtbot.keyClick(window, Qt.Key.Key_O, CTRL)

    # Ctrl+G jumps to the rows box; type a number; Ctrl+Enter generates.
    qtbot.keyClick(window, Qt.Key.Key_G, CTRL)
    rows = _focus(gui)
    assert isinstance(rows, QSpinBox)
    assert rows.objectName() == "rows"
    qtbot.keyClicks(rows, "25")
    assert window.generation_panel.findChild(QSpinBox, "rows").value() == 25
    with qtbot.waitSignal(window.job_submitted, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(rows, Qt.Key.Key_Return, CTRL)
    job = gui.wait_job(str(blocker.args[0]))
    assert job.state is JobState.DONE, job.error

    # Ctrl+J focuses the jobs; Enter on the job opens its preview.
    qtbot.keyClick(window, Qt.Key.Key_J, CTRL)
    view = window.jobs_panel.view
    assert _focus(gui) is view
    assert window.jobs_panel.selected_job() is job
    view.setCurrentIndex(view.model().index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert window.tabs.currentIndex() == 1
    assert window.preview.model.rowCount() == 25

    # Ctrl+E asks for the export; type the folder, Enter exports.
    qtbot.keyClick(window, Qt.Key.Key_E, CTRL)
    dialog = window.findChild(ExportDialog)
    assert dialog is not None
    assert dialog.isVisible()
    qtbot.keyClick(dialog.format, Qt.Key.Key_Down)  # another format
    dialog.folder.setFocus()
    dialog.folder.selectAll()
    target = tmp_path / "kbd"
    qtbot.keyClicks(dialog.folder, str(target))
    with qtbot.waitSignal(window.job_submitted, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(dialog.folder, Qt.Key.Key_Return)
    exported = gui.wait_job(str(blocker.args[0]))
    assert exported.state is JobState.DONE, exported.error
    assert exported.request.format is not job.request.format
    assert sorted(p.name for p in target.iterdir()) == sorted(p.name for p in exported.result.paths)

    # Ctrl+1 / Ctrl+2 switch tabs; Ctrl+T focuses the tree.
    # The offscreen platform has no window manager to give the window back its activation
    # when the dialog closes; a desktop does that by itself.
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_1, CTRL)
    assert window.tabs.currentIndex() == 0
    qtbot.keyClick(window, Qt.Key.Key_T, CTRL)
    assert _focus(gui) is window.schema_tree
    qtbot.keyClick(window, Qt.Key.Key_2, CTRL)
    assert window.tabs.currentIndex() == 1


def test_tab_order_reaches_every_generation_control(gui: Gui) -> None:
    window, qtbot = gui.window, gui.qtbot
    with qtbot.waitActive(window):
        window.activateWindow()
    gui.drop_and_wait(EXAMPLE)
    qtbot.keyClick(window, Qt.Key.Key_G, CTRL)

    seen = []
    for _ in range(40):
        widget = _focus(gui)
        name = widget.objectName() if widget is not None else ""
        if name == "generate_button":
            break
        seen.append(name)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)

    assert _focus(gui).objectName() == "generate_button"
    for name in ("rows", "case_valid", "case_invalid", "seed", "locale", "format", "output_folder"):
        assert name in seen, (name, seen)
