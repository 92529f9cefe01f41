"""The window follows the system palette: switched to dark while open, every pane turns dark and
the fixed colours (step dots, case tints, chart bars) stay legible on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gui_support import EXAMPLE, Gui
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from tdgen_desktop.core.enums import CaseKind, Step, StepState
from tdgen_desktop.scheduler import JobColumn, JobState
from tdgen_desktop.ui.colors import CASE_COLORS, STEP_COLORS, contrast, dark_palette
from tdgen_desktop.ui.jobs_panel import dot_centers
from tdgen_desktop.ui.preview import PreviewModel

_BASE = QPalette.ColorRole.Base
_TEXT = QPalette.ColorRole.Text


@pytest.fixture
def restore_palette() -> Iterator[None]:
    """Put the application's palette back after the test."""
    before = QPalette(QApplication.palette())
    yield
    QApplication.setPalette(before)


def _panes(gui: Gui) -> dict[str, QWidget]:
    window = gui.window
    return {
        "schema tree": window.schema_tree,
        "jobs": window.jobs_panel.view,
        "preview": window.preview.view,
        "generation rows": window.generation_panel.findChild(QWidget, "rows"),
    }


def _painted_base(widget: QWidget) -> QColor:
    """The colour painted in the bottom-left corner of a view's empty area."""
    viewport = widget.viewport() if hasattr(widget, "viewport") else widget
    image = viewport.grab().toImage()
    return image.pixelColor(QPoint(3, image.height() - 3))


def test_a_switch_to_dark_reaches_every_pane_and_keeps_colours_legible(
    gui: Gui, restore_palette: None
) -> None:
    window = gui.window
    gui.drop_and_wait(EXAMPLE)
    gui.window.generation_panel.set_rows(20)
    gui.window.generation_panel.set_case_kinds(set(CaseKind))
    job = gui.wait_job(gui.generate())
    assert job.state is JobState.DONE, job.error
    panes = _panes(gui)
    assert all(panes.values()), panes
    light = QPalette(QApplication.palette())

    dark = dark_palette()
    QApplication.setPalette(dark)
    gui.qtbot.waitUntil(lambda: window.schema_tree.palette().color(_BASE) == dark.color(_BASE))

    # Every pane (not only the window's background) took the dark palette, and paints with it.
    for name, widget in panes.items():
        assert widget.palette().color(_BASE) == dark.color(_BASE), name
        assert widget.palette().color(_TEXT) == dark.color(_TEXT), name
    painted = _painted_base(window.schema_tree)
    assert contrast(painted, dark.color(_BASE)) < 1.2, painted.name()
    hint = window.generation_panel.findChild(QLabel, "ai_hint")
    hint_colour = hint.palette().color(hint.foregroundRole())
    assert hint_colour == dark.color(QPalette.ColorRole.PlaceholderText), hint_colour.name()
    assert contrast(hint_colour, dark.color(QPalette.ColorRole.Window)) >= 4.5

    # Step dots: drawn in their colours, each at least 3:1 against the dark base.
    view = window.jobs_panel.view
    view.clearSelection()
    row = window.jobs_panel.model.row_of(job.id)
    image = view.viewport().grab().toImage()
    rect = view.visualRect(view.model().index(row, JobColumn.STEP))
    centres = dot_centers(rect)
    painted_dots = [image.pixelColor(c).rgb() for c in centres]
    assert painted_dots[:2] == [STEP_COLORS[StepState.DONE].rgb()] * 2
    for state, colour in STEP_COLORS.items():
        assert contrast(colour, dark.color(_BASE)) >= 3, state
    assert job.steps[Step.ENHANCE] is StepState.SKIPPED

    # Case tints: dark backgrounds under readable text; the case colours stand out as icons.
    model = window.preview.model
    model.fetch_all()
    tints = {
        model.index(r, 0).data(PreviewModel.CASE_ROLE): model.index(r, 0).data(
            Qt.ItemDataRole.BackgroundRole
        )
        for r in range(model.rowCount())
    }
    assert set(tints) == {"valid", "boundary", "invalid"}
    for case, background in tints.items():
        assert contrast(background, dark.color(_TEXT)) >= 4.5, case
        assert contrast(background, dark.color(_BASE)) < 2, f"{case}: a tint, not a light patch"
    for kind, colour in CASE_COLORS.items():
        assert contrast(colour, dark.color(_BASE)) >= 3, kind
        assert contrast(colour, QColor("#ffffff")) >= 3, kind  # and on a light theme
    signals = (StepState.RUNNING, StepState.DONE, StepState.FELL_BACK, StepState.FAILED)
    for state in signals:
        assert contrast(STEP_COLORS[state], dark.color(_BASE)) >= 3, state
        assert contrast(STEP_COLORS[state], QColor("#ffffff")) >= 3, state

    # The summary chart's bars and text.
    window.preview.select_column("qty")
    chart = window.preview.chart
    assert chart.palette().color(_BASE) == dark.color(_BASE)
    bars = chart.palette().color(QPalette.ColorRole.Highlight)
    assert contrast(bars, chart.palette().color(_BASE)) >= 3

    # And back to light.
    QApplication.setPalette(light)
    gui.qtbot.waitUntil(lambda: window.schema_tree.palette().color(_BASE) != dark.color(_BASE))
    assert contrast(_painted_base(window.schema_tree), dark.color(_BASE)) > 3
