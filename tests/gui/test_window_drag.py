"""While files are dragged over the window, the drop target shows whether they are accepted."""

from __future__ import annotations

from pathlib import Path

from gui_support import EXAMPLE, Gui, drag_enter, mime_for
from PySide6.QtCore import QPoint
from PySide6.QtGui import QDragLeaveEvent, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from tdgen_desktop.ui.main_window import MainWindow


def _border_colours(hint: QLabel) -> set[str]:
    """The colours painted down the middle of the drop hint's left border."""
    image = hint.grab().toImage()
    return {
        image.pixelColor(QPoint(x, y)).name()
        for x in range(4)
        for y in range(image.height() // 4, 3 * image.height() // 4)
    }


def _leave(window: MainWindow) -> None:
    QApplication.sendEvent(window, QDragLeaveEvent())


def test_the_drop_target_lights_up_for_schema_files_only(gui: Gui, tmp_path: Path) -> None:
    window = gui.window
    hint = window.findChild(QLabel, "drop_hint")
    assert hint is not None
    gui.qtbot.waitUntil(hint.isVisible)
    highlight = hint.palette().color(QPalette.ColorRole.Highlight).name()
    assert highlight not in _border_colours(hint), "no highlight before a drag"

    # Schema files: accepted, the dashed border takes the highlight colour.
    assert drag_enter(window, mime_for([EXAMPLE])).isAccepted()
    assert hint.property("dragging") is True
    assert highlight in _border_colours(hint)
    assert window.statusBar().currentMessage() == "Drop to load 1 schema file"
    _leave(window)
    assert hint.property("dragging") is False
    assert highlight not in _border_colours(hint)

    # A picture: refused, no highlight, the status bar names it.
    picture = tmp_path / "cat.png"
    picture.write_bytes(b"\x89PNG")
    assert not drag_enter(window, mime_for([picture])).isAccepted()
    assert hint.property("dragging") in {None, False}
    assert highlight not in _border_colours(hint)
    assert window.statusBar().currentMessage() == "Not a schema file: cat.png"

    # A schema with other files: accepted, the others counted as ignored.
    assert drag_enter(window, mime_for([EXAMPLE, picture])).isAccepted()
    assert window.statusBar().currentMessage() == (
        "Drop to load 1 schema file (1 other file ignored)"
    )
    _leave(window)
