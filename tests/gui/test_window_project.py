"""Projects in the window: File ▸ Save Project… (Ctrl+S) stores the schema, the field edits and
the generation options; dropping the ``.tdgen.json`` on a fresh window brings all of them back."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from gui_support import EXAMPLE, Gui
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QCheckBox, QSpinBox

from tdgen_desktop.core.enums import CaseKind, ExportFormat


def test_save_project_and_reopen_in_a_fresh_window(
    make_window: Callable[..., Gui], tmp_path: Path
) -> None:
    schema = tmp_path / "schemas" / EXAMPLE.name
    schema.parent.mkdir()
    shutil.copy(EXAMPLE, schema)
    first = make_window()
    action = first.action("save_project_action")
    assert action.shortcut() == QKeySequence(QKeySequence.StandardKey.Save)
    assert action in first.window.menuBar().actions()[0].menu().actions()

    first.drop_and_wait(schema)
    assert first.window.schema_tree.select_field("order", "note")
    first.window.field_editor.findChild(QSpinBox, "null_ratio").setValue(40)
    assert first.window.schema_tree.select_field("order", "qty")
    first.window.field_editor.findChild(QCheckBox, "unique").setChecked(True)
    panel = first.window.generation_panel
    panel.set_rows(42)
    panel.set_seed(777)
    panel.set_format(ExportFormat.JSONL)
    panel.set_case_kinds({CaseKind.VALID, CaseKind.BOUNDARY})
    settings = panel.project_settings()

    written = first.window.save_project(tmp_path / "projects" / "orders")
    assert written == tmp_path / "projects" / "orders.tdgen.json"
    assert not first.errors
    document = json.loads(written.read_text(encoding="utf-8"))
    assert document["overrides"] == {
        "order": {"note": {"null_ratio": 0.4}, "qty": {"unique": True}}
    }

    second = make_window()
    dataset = second.drop_and_wait(written)
    assert [t.name for t in dataset.tables] == ["order"]
    table = dataset.tables[0]
    assert table.field("note").null_ratio == 0.4
    assert table.field("qty").unique is True
    reopened = second.window.generation_panel
    assert reopened.project_settings() == settings
    assert (reopened.seed, reopened.case_kinds) == (777, [CaseKind.VALID, CaseKind.BOUNDARY])
    assert second.window.schema_tree.select_field("order", "note")
    assert second.window.field_editor.findChild(QSpinBox, "null_ratio").value() == 40
