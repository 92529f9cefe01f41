"""The field editor: live samples, generator choice, validation as you type, undo and redo."""

from __future__ import annotations

from gui_support import EXAMPLE, WAIT_MS, Gui
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QListWidget, QSpinBox

from tdgen_desktop.core.model import Field
from tdgen_desktop.ui.field_editor import AUTOMATIC
from tdgen_desktop.ui.schema_tree import SchemaColumn


def _select(gui: Gui, table: str, path: str) -> Field:
    assert gui.window.schema_tree.select_field(table, path)
    node = gui.window.field_editor.node
    assert node is not None
    assert node.field is not None
    return node.field


def _wait_samples(gui: Gui) -> str:
    editor = gui.window.field_editor
    gui.qtbot.waitUntil(lambda: editor.samples_text() not in {"", "…"}, timeout=WAIT_MS)
    return editor.samples_text()


def _tree_text(gui: Gui, column: int) -> str:
    item = gui.window.schema_tree.currentItem()
    assert item is not None
    return item.text(column)


def test_selecting_a_field_shows_samples_and_generators(gui: Gui) -> None:
    gui.drop_and_wait(EXAMPLE)

    field = _select(gui, "order", "qty")

    samples = _wait_samples(gui).splitlines()
    assert len(samples) == 5
    assert all(1 <= int(s) <= 99 for s in samples)
    kinds = gui.window.field_editor.findChild(QListWidget, "generator_list")
    assert kinds.currentItem().text().startswith(AUTOMATIC)
    texts = [kinds.item(i).text() for i in range(kinds.count())]
    assert any("(age)" in t for t in texts), "number kinds are offered for an integer"
    assert not any("(email)" in t for t in texts), "text kinds are not"
    assert field.kind == "quantity" or field.generator is None


def test_generator_search_and_choice_is_undoable(gui: Gui) -> None:
    gui.drop_and_wait(EXAMPLE)
    field = _select(gui, "order", "note")
    editor = gui.window.field_editor
    search = editor.findChild(QLineEdit, "generator_search")
    kinds = editor.findChild(QListWidget, "generator_list")

    gui.qtbot.keyClicks(search, "city")
    visible = [kinds.item(i) for i in range(kinds.count()) if not kinds.item(i).isHidden()]
    assert [item.text() for item in visible] == ["City  (city)"]
    kinds.setCurrentItem(visible[0])

    assert field.generator == "city"
    assert _tree_text(gui, SchemaColumn.KIND) == "city (chosen)"
    _wait_samples(gui)
    gui.window.undo_stack.undo()
    assert field.generator is None
    assert not _tree_text(gui, SchemaColumn.KIND).endswith("(chosen)")


def test_null_ratio_edit_and_ctrl_z(gui: Gui) -> None:
    gui.drop_and_wait(EXAMPLE)
    field = _select(gui, "order", "note")
    nulls = gui.window.field_editor.findChild(QSpinBox, "null_ratio")
    assert nulls.isEnabled()
    assert _tree_text(gui, SchemaColumn.NULLS) == "10 %"

    nulls.setValue(35)
    nulls.setValue(40)  # merges with the edit before: one undo step

    assert field.null_ratio == 0.4
    assert _tree_text(gui, SchemaColumn.NULLS) == "40 %"
    assert gui.window.undo_stack.count() == 1
    assert gui.window.undo_stack.undoText() == "Change null ratio of note"

    gui.window.schema_tree.setFocus()
    gui.qtbot.keyClick(gui.window.schema_tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    assert field.null_ratio == 0.1
    assert _tree_text(gui, SchemaColumn.NULLS) == "10 %"
    assert nulls.value() == 10
    gui.action("redo_action").trigger()
    assert field.null_ratio == 0.4


def test_bounds_are_validated_as_you_type(gui: Gui) -> None:
    gui.drop_and_wait(EXAMPLE)
    field = _select(gui, "order", "qty")
    editor = gui.window.field_editor
    maximum = editor.findChild(QLineEdit, "maximum")
    error = editor.findChild(QLabel, "field_error")
    assert maximum.text() == "99"

    maximum.selectAll()
    gui.qtbot.keyClicks(maximum, "50")
    assert field.constraints.maximum == 50
    assert error.isHidden()
    assert "1 ≤ x ≤ 50" in _tree_text(gui, SchemaColumn.DETAILS)

    gui.qtbot.keyClicks(maximum, "x")
    assert maximum.property("invalid") is True
    assert error.text() == "'50x' is not a whole number"
    assert field.constraints.maximum == 50, "an invalid bound is not applied"

    maximum.setText("")
    gui.qtbot.keyClicks(maximum, "0")
    assert error.text() == "the minimum 1 is greater than the maximum 0"
    assert field.constraints.maximum == 50

    gui.window.undo_stack.undo()
    assert field.constraints.maximum == 99
    assert maximum.text() == "99"


def test_unique_toggle_and_non_nullable_field(gui: Gui) -> None:
    gui.drop_and_wait(EXAMPLE)
    field = _select(gui, "order", "qty")
    editor = gui.window.field_editor
    assert not editor.findChild(QSpinBox, "null_ratio").isEnabled()

    box = editor.findChild(QCheckBox, "unique")
    box.click()
    assert field.unique
    assert _tree_text(gui, SchemaColumn.UNIQUE) == "✓"
    gui.window.undo_stack.undo()
    assert not field.unique


def test_generation_uses_the_edited_field(gui: Gui) -> None:
    gui.drop_and_wait(EXAMPLE)
    field = _select(gui, "order", "qty")
    editor = gui.window.field_editor
    maximum = editor.findChild(QLineEdit, "maximum")
    maximum.selectAll()
    gui.qtbot.keyClicks(maximum, "3")
    assert field.constraints.maximum == 3
    gui.window.generation_panel.set_rows(40)

    job = gui.wait_job(gui.generate())

    preview = gui.window.preview
    preview.model.fetch_all()
    column = 2 + preview.model.columns.index("qty")
    values = {int(preview.model.index(r, column).data()) for r in range(40)}
    assert job.result is not None
    assert values <= {1, 2, 3}
    field.constraints.maximum = 99  # the job had its own copy: later edits do not matter
    assert job.dataset is not None
    assert job.dataset.tables[0].field("qty").constraints.maximum == 3
