"""The whole flow in the window: drop → tables → rows and cases → Generate → steps → preview →
export → files that validate; and cancelling, which leaves no output behind."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path

from gui_support import EXAMPLE, WAIT_MS, GatedPipeline, Gui, read_jsonl
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialogButtonBox, QTreeWidgetItem

from tdgen_desktop.core.enums import CaseKind, ExportFormat, Step, StepState
from tdgen_desktop.core.validation import Oracle
from tdgen_desktop.scheduler import STEP_ORDER, JobColumn, JobState, JobTableModel
from tdgen_desktop.ui.colors import STEP_COLORS
from tdgen_desktop.ui.dialogs import ExportDialog
from tdgen_desktop.ui.jobs_panel import dot_centers
from tdgen_desktop.ui.preview import FIXED_COLUMNS, PreviewModel

Snapshot = tuple[tuple[Step, StepState], ...]

_RANK = {
    StepState.PENDING: 0,
    StepState.RUNNING: 1,
    StepState.DONE: 2,
    StepState.SKIPPED: 2,
    StepState.FELL_BACK: 2,
    StepState.FAILED: 2,
}


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    return [item.child(i) for i in range(item.childCount())]


def _dot_colors(gui: Gui, row: int) -> list[QColor]:
    """The colours at the centres of the five step dots of a job row, as painted."""
    view = gui.window.jobs_panel.view
    index = view.model().index(row, JobColumn.STEP)
    image = view.viewport().grab().toImage()
    return [image.pixelColor(center) for center in dot_centers(view.visualRect(index))]


def _assert_steps_in_order(snapshots: list[Snapshot]) -> None:
    """Steps leave "pending" in order, never go back, and all end done or skipped."""
    started: list[Step] = []
    for before, after in itertools.pairwise(snapshots):
        for (step, old), (_, new) in zip(before, after, strict=True):
            assert _RANK[new] >= _RANK[old], f"{step} went from {old} back to {new}"
            if old is StepState.PENDING and new is not StepState.PENDING:
                started.append(step)
    assert started == [s for s in STEP_ORDER if s in started], started
    assert dict(snapshots[-1]) == {
        Step.PARSE: StepState.DONE,
        Step.FOUNDATION: StepState.DONE,
        Step.ENHANCE: StepState.SKIPPED,
        Step.VALIDATE: StepState.DONE,
        Step.EXPORT: StepState.DONE,
    }


def test_drop_generate_preview_export(make_window: Callable[..., Gui], tmp_path: Path) -> None:
    gate = GatedPipeline(hold_steps=True)
    gui = make_window(pipeline=gate)
    window = gui.window

    # Drop the example → its table and fields appear.
    dataset = gui.drop_and_wait(EXAMPLE)
    tree = window.schema_tree
    file_item = tree.topLevelItem(0)
    assert file_item.text(0) == EXAMPLE.name
    tables = _children(file_item)
    assert [t.text(0) for t in tables] == ["order"]
    assert {f.text(0) for f in _children(tables[0])} == {
        "id", "qty", "status", "express", "channel", "note",
    }  # fmt: skip

    # Rows and cases, then Generate: the window returns at once (the job is gated).
    panel = window.generation_panel
    panel.set_rows(20)
    panel.set_case_kinds({CaseKind.VALID, CaseKind.BOUNDARY, CaseKind.INVALID})
    model = window.jobs_panel.model
    snapshots: list[Snapshot] = []
    colours: dict[str, list[QColor]] = {}

    def on_data_changed(top_left: QModelIndex, *_args: object) -> None:
        states = model.index(top_left.row(), 0).data(JobTableModel.STEP_STATES_ROLE)
        snapshot = tuple(states)
        if not snapshots or snapshots[-1] != snapshot:
            snapshots.append(snapshot)
            current = dict(snapshot)
            if current[Step.FOUNDATION] is StepState.RUNNING and "running" not in colours:
                colours["running"] = _dot_colors(gui, top_left.row())
        for step, state in snapshot:
            gate.acknowledge(step, state)

    model.dataChanged.connect(on_data_changed)
    job_id = gui.generate()
    assert gui.scheduler.job(job_id).state in {JobState.QUEUED, JobState.RUNNING}
    job = gui.wait_job(job_id)
    model.dataChanged.disconnect(on_data_changed)
    assert job.state is JobState.DONE, job.error
    assert gui.errors == []

    # The dots went through the steps in order, blue while running, green when done.
    _assert_steps_in_order(snapshots)
    states = [dict(snapshot) for snapshot in snapshots]
    assert set(states[0].values()) == {StepState.PENDING}
    assert states[1][Step.PARSE] is StepState.RUNNING, "the parse dot turned blue first"
    assert any(s[Step.FOUNDATION] is StepState.RUNNING for s in states)
    grey, blue, green = (
        STEP_COLORS[s] for s in (StepState.PENDING, StepState.RUNNING, StepState.DONE)
    )
    parse, foundation, _enhance, validate, export = colours["running"]
    assert parse.rgb() == green.rgb()
    assert foundation.rgb() == blue.rgb()
    assert validate.rgb() == grey.rgb() == export.rgb()
    done = _dot_colors(gui, model.row_of(job_id))
    assert [c.rgb() for c in done[:2]] == [green.rgb()] * 2
    assert done[2].rgb() not in {c.rgb() for c in STEP_COLORS.values()}, "skipped is hollow"

    # The preview shows the labelled rows of the finished (selected) job.
    preview = window.preview
    assert preview.job is job
    rows = preview.model
    rows.fetch_all()
    cases = {rows.index(r, 0).data() for r in range(rows.rowCount())}
    assert cases == {"valid", "boundary", "invalid"}
    assert rows.headerData(0, Qt.Orientation.Horizontal) == FIXED_COLUMNS[0]
    assert "qty" in rows.columns
    preview.set_case_filter(CaseKind.INVALID)
    proxy = preview.proxy
    assert 0 < proxy.rowCount() < rows.rowCount()
    assert {proxy.index(r, 0).data(PreviewModel.CASE_ROLE) for r in range(proxy.rowCount())} == {
        "invalid"
    }
    tip = proxy.index(0, 3).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("invalid row — expect reject")
    assert rows.label(proxy.mapToSource(proxy.index(0, 0)).row())["description"] in tip
    preview.set_case_filter(None)
    preview.select_column("qty")
    assert preview.stat_text("column") == "qty (number)"
    assert preview.chart.summary is not None
    assert preview.chart.summary.bins or preview.chart.summary.top

    # Export again as JSON Lines into another folder: same seed, same rows, files validate.
    gate.hold_steps = False
    window.jobs_panel.select_job(job_id)
    gui.action("export_again_action").trigger()
    dialog = window.findChild(ExportDialog)
    assert dialog is not None
    assert dialog.isVisible()
    dialog.format.setCurrentIndex(dialog.format.findData(ExportFormat.JSONL.value))
    export_dir = tmp_path / "export"
    dialog.folder.setText(str(export_dir))
    with gui.qtbot.waitSignal(window.job_submitted, timeout=WAIT_MS) as blocker:
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    exported = gui.wait_job(str(blocker.args[0]))
    assert exported.state is JobState.DONE, exported.error
    data, labels = export_dir / "order.jsonl", export_dir / "order.cases.jsonl"
    assert data.is_file()
    assert labels.is_file()
    instances, label_rows = read_jsonl(data), read_jsonl(labels)
    assert exported.result is not None
    assert job.result is not None
    assert len(instances) == len(label_rows) == exported.result.rows
    # JSON Lines carries the cases CSV cannot (type, null, absent property): more rows.
    assert exported.result.rows >= job.result.rows
    oracle = Oracle(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    for number, (instance, label) in enumerate(zip(instances, label_rows, strict=True)):
        if label["rule"] == "unique":  # across rows: the value repeats an earlier row's
            earlier = {row.get(label["field"]) for row in instances[:number]}
            assert instance[label["field"]] in earlier, (instance, label)
            continue
        valid = oracle.is_valid(instance)
        assert valid == (label["expect"] == "accept"), (instance, label)
    assert dataset.tables[0].name == "order"


def test_cancel_during_generation_leaves_no_output(make_window: Callable[..., Gui]) -> None:
    gate = GatedPipeline(hold_rows=True)
    gui = make_window(pipeline=gate)
    gui.drop_and_wait(EXAMPLE)
    gui.window.generation_panel.set_rows(5000)
    job_id = gui.generate()
    gui.qtbot.waitUntil(gate.rows_reached.is_set, timeout=WAIT_MS)
    gui.window.jobs_panel.select_job(job_id)

    gui.action("cancel_job_action").trigger()
    assert gui.scheduler.job(job_id).state is JobState.CANCELLING
    with gui.qtbot.waitSignal(gui.scheduler.job_cancelled, timeout=WAIT_MS):
        gate.release.set()

    assert gui.scheduler.job(job_id).state is JobState.CANCELLED
    leftovers = list(gui.out_dir.rglob("*")) if gui.out_dir.exists() else []
    assert leftovers == []
    assert gui.window.statusBar().currentMessage() == f"{job_id} cancelled; no output was left"
    assert gui.action("retry_job_action").isEnabled()


def test_drop_corpus_schema_generates_valid_rows(gui: Gui, corpus: Path) -> None:
    path = corpus / "jsonschema" / "web-manifest.json"
    gui.drop_and_wait(path)
    gui.window.generation_panel.set_rows(30)

    job = gui.wait_job(gui.generate())

    assert job.state is JobState.DONE, job.error
    assert job.result is not None
    assert job.result.validation_failures == 0
    gui.window.preview.model.fetch_all()
    assert gui.window.preview.model.rowCount() == 30
    assert all(gui.window.preview.model.label(r)["case"] == "valid" for r in range(30))
