"""File ▸ OpenAPI Rows For: an OpenAPI description read for request bodies (no readOnly
property) or responses (no writeOnly property), in the tree and in the generated rows."""

from __future__ import annotations

from pathlib import Path

from gui_support import WAIT_MS, Gui, read_jsonl
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QMenu

from tdgen_desktop.core.enums import ApiView, ExportFormat
from tdgen_desktop.scheduler import JobState

SPEC = """
openapi: 3.0.3
info: {title: accounts, version: "1"}
paths: {}
components:
  schemas:
    Account:
      type: object
      additionalProperties: false
      required: [id, login, password]
      properties:
        id: {type: integer, minimum: 1, readOnly: true}
        login: {type: string, minLength: 3, maxLength: 20}
        password: {type: string, minLength: 12, maxLength: 40, writeOnly: true}
"""


def _fields(gui: Gui) -> list[str]:
    (dataset,) = gui.window.datasets
    return [f.name for f in dataset.tables[0].fields]


def test_request_bodies_leave_out_read_only_properties(gui: Gui, tmp_path: Path) -> None:
    spec = tmp_path / "accounts.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    menu = gui.window.findChild(QMenu, "openapi_view_menu")
    assert menu is not None
    choices = [a for a in menu.actions() if a.isCheckable()]
    assert [a.objectName() for a in choices] == [
        "openapi_view_whole",
        "openapi_view_request",
        "openapi_view_response",
    ]
    assert [a.isChecked() for a in choices] == [True, False, False]
    assert all(a.toolTip() for a in choices)

    gui.drop_and_wait(spec)
    assert _fields(gui) == ["id", "login", "password"]

    with gui.qtbot.waitSignal(gui.window.load_finished, timeout=WAIT_MS):
        gui.action("openapi_view_request").trigger()  # the loaded description is read again
    assert gui.window.openapi_view is ApiView.REQUEST
    assert [a.isChecked() for a in choices] == [False, True, False]
    assert _fields(gui) == ["login", "password"]
    assert gui.window.datasets[0].view is ApiView.REQUEST

    gui.window.generation_panel.set_format(ExportFormat.JSONL)
    gui.window.generation_panel.set_rows(12)
    job = gui.wait_job(gui.generate())
    assert job.state is JobState.DONE, job.error
    rows = read_jsonl(gui.out_dir / "Account.jsonl")
    assert len(rows) == 12
    assert all(set(row) == {"login", "password"} for row in rows)

    with gui.qtbot.waitSignal(gui.window.load_finished, timeout=WAIT_MS):
        gui.window.set_openapi_view(ApiView.RESPONSE)
    assert [a.isChecked() for a in choices] == [False, False, True]
    assert _fields(gui) == ["id", "login"]


def test_with_field_edits_the_view_changes_only_after_a_yes(gui: Gui, tmp_path: Path) -> None:
    spec = tmp_path / "accounts.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    gui.drop_and_wait(spec)
    gui.window.undo_stack.push(QUndoCommand("an edit"))  # the model has been edited
    asked: list[int] = []

    def no(count: int) -> bool:
        asked.append(count)
        return False

    gui.window.confirm_read_again = no
    gui.action("openapi_view_request").trigger()
    assert asked == [1]
    assert gui.window.openapi_view is None
    assert gui.action("openapi_view_whole").isChecked()
    assert not gui.action("openapi_view_request").isChecked()
    assert not gui.window.loading
    assert _fields(gui) == ["id", "login", "password"]

    gui.window.confirm_read_again = lambda _count: True
    with gui.qtbot.waitSignal(gui.window.load_finished, timeout=WAIT_MS):
        gui.action("openapi_view_request").trigger()
    assert _fields(gui) == ["login", "password"]
