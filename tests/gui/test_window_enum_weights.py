"""Enum weights in the field editor: typed, checked as typed, undoable, and used by the job."""

from __future__ import annotations

import csv
from collections import Counter

from gui_support import EXAMPLE, Gui
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableWidget, QToolButton

from tdgen_desktop.core.enums import CaseKind
from tdgen_desktop.core.model import Field
from tdgen_desktop.scheduler import JobState


def _select_status(gui: Gui) -> Field:
    assert gui.window.schema_tree.select_field("order", "status")
    node = gui.window.field_editor.node
    assert node is not None
    assert node.field is not None
    return node.field


def _shares(gui: Gui) -> list[str]:
    table = gui.window.field_editor.findChild(QTableWidget, "enum_values")
    return [table.item(row, 2).text() for row in range(table.rowCount())]


def test_weights_are_checked_as_typed_and_undoable(gui: Gui) -> None:
    gui.drop_and_wait(EXAMPLE)
    field = _select_status(gui)
    editor = gui.window.field_editor
    table = editor.findChild(QTableWidget, "enum_values")
    error = editor.findChild(QLabel, "field_error")
    assert [table.item(r, 0).text() for r in range(4)] == ["'new'", "'paid'", "'shipped'", "'void'"]
    edits = editor.weight_edits()
    assert [e.text() for e in edits] == ["1", "1", "1", "1"]
    assert _shares(gui) == ["25 %"] * 4
    assert field.enum_weights is None

    paid = edits[1]
    paid.selectAll()
    gui.qtbot.keyClicks(paid, "5")
    assert field.enum_weights == (1.0, 5.0, 1.0, 1.0)
    assert _shares(gui) == ["12 %", "62 %", "12 %", "12 %"]
    assert not error.isVisible()

    gui.qtbot.keyClicks(paid, "x")  # "5x"
    assert error.isVisible()
    assert error.text() == "weight '5x' is not a number ≥ 0"
    assert paid.property("invalid") is True
    assert field.enum_weights == (1.0, 5.0, 1.0, 1.0), "an invalid weight is not applied"
    gui.qtbot.keyClick(paid, Qt.Key.Key_Backspace)
    assert not error.isVisible()
    assert paid.property("invalid") is False

    for edit in edits:  # all zero: not allowed
        edit.selectAll()
        gui.qtbot.keyClicks(edit, "0")
    assert "all zero" in error.text()
    assert field.enum_weights == (0.0, 0.0, 0.0, 1.0)
    edits[3].selectAll()
    gui.qtbot.keyClicks(edits[3], "2")
    assert field.enum_weights == (0.0, 0.0, 0.0, 2.0)

    undo = gui.window.undo_stack
    assert undo.undoText() == "Change weights of status"
    undo.undo()
    assert field.enum_weights == (0.0, 0.0, 0.0, 1.0)
    assert [e.text() for e in editor.weight_edits()] == ["0", "0", "0", "1"]
    while undo.canUndo():
        undo.undo()
    assert field.enum_weights is None
    assert [e.text() for e in editor.weight_edits()] == ["1", "1", "1", "1"]
    undo.redo()
    assert field.enum_weights == (1.0, 5.0, 1.0, 1.0)

    equal = editor.findChild(QToolButton, "equal_weights")
    assert equal.isEnabled()
    equal.click()
    assert field.enum_weights is None
    assert not equal.isEnabled()


def test_a_job_draws_enum_values_with_the_weights(gui: Gui) -> None:
    gui.drop_and_wait(EXAMPLE)
    _select_status(gui)
    edits = gui.window.field_editor.weight_edits()
    for edit, weight in zip(edits, ("0", "9", "1", "0"), strict=True):
        edit.selectAll()
        gui.qtbot.keyClicks(edit, weight)
    panel = gui.window.generation_panel
    panel.set_rows(400)
    panel.set_case_kinds({CaseKind.VALID})
    job = gui.wait_job(gui.generate())
    assert job.state is JobState.DONE, job.error

    with (job.result.tables[0].path).open(encoding="utf-8", newline="") as handle:
        counts = Counter(row["status"] for row in csv.DictReader(handle))
    assert set(counts) == {"paid", "shipped"}
    assert counts["paid"] > 5 * counts["shipped"]
