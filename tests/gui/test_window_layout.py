"""The schema tree's columns at 1280 × 800 and 1920 × 1080: nothing cut off without a tooltip."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_support import Gui
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QListWidget, QScrollArea

from tdgen_desktop.ui.schema_tree import SchemaColumn, SchemaTree

CUSTOMERS = Path(__file__).resolve().parents[2] / "bench" / "customers.schema.json"


def _widths(tree: SchemaTree) -> list[int]:
    return [tree.columnWidth(c) for c in range(tree.columnCount())]


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_constraints_column_is_readable_and_within_the_view(
    gui: Gui, size: tuple[int, int]
) -> None:
    gui.window.resize(*size)
    gui.drop_and_wait(CUSTOMERS)
    tree = gui.window.schema_tree
    gui.qtbot.waitUntil(lambda: tree.viewport().width() > 300)
    view = tree.viewport().width()
    widths = _widths(tree)

    assert sum(widths) <= view + 1, f"no horizontal scrolling: {widths} in {view}"
    assert widths[SchemaColumn.DETAILS] >= 0.25 * view
    assert min(widths) >= 40
    tree.select_field("customer", "email")
    item = tree.currentItem()
    details = item.text(SchemaColumn.DETAILS)
    assert details == "len 0..254, format email"
    assert item.toolTip(SchemaColumn.DETAILS) == details
    assert tree.headerItem().toolTip(SchemaColumn.DETAILS)
    metrics = tree.fontMetrics()
    assert widths[SchemaColumn.DETAILS] > metrics.horizontalAdvance(details)
    if size == (1920, 1080):
        # Room enough: the names show whole too.
        flags = Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive
        name = tree.findItems("street_address", flags, SchemaColumn.NAME)[0]
        assert tree.visualItemRect(name).width() >= metrics.horizontalAdvance("street_address")


def test_columns_the_user_resized_stay_as_they_are(gui: Gui) -> None:
    gui.window.resize(1280, 800)
    gui.drop_and_wait(CUSTOMERS)
    tree = gui.window.schema_tree
    gui.qtbot.waitUntil(lambda: tree.viewport().width() > 300)
    fitted = tree.columnWidth(SchemaColumn.KIND)
    assert fitted != 200
    tree.header().resizeSection(SchemaColumn.KIND, 200)  # as a drag of the column edge does
    before = tree.viewport().width()
    gui.window.resize(1100, 760)
    gui.qtbot.waitUntil(lambda: tree.viewport().width() != before, timeout=2000)
    assert tree.columnWidth(SchemaColumn.KIND) == 200


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_field_editor_uses_the_height_it_has(gui: Gui, size: tuple[int, int]) -> None:
    gui.window.resize(*size)
    gui.drop_and_wait(CUSTOMERS)
    gui.window.schema_tree.select_field("customer", "email")
    kinds = gui.window.findChild(QListWidget, "generator_list")
    values = gui.window.findChild(QGroupBox, "values_group")
    scroll = gui.window.findChild(QScrollArea, "field_editor_scroll")
    assert kinds is not None
    assert values is not None
    assert scroll is not None
    gui.qtbot.waitUntil(lambda: kinds.isVisible() and scroll.viewport().height() > 300)
    rows = kinds.sizeHintForRow(0)

    assert kinds.height() >= 9 * rows, "nine generators at least"
    if size == (1920, 1080):
        # A tall editor: many more generators show, and the whole form fits without scrolling.
        gui.qtbot.waitUntil(lambda: kinds.height() >= 20 * rows)
        bottom = values.mapTo(scroll.viewport(), values.rect().bottomLeft()).y()
        assert bottom <= scroll.viewport().height()
        gap = values.geometry().top() - kinds.parentWidget().geometry().bottom()
        assert gap < 30, "the values form follows right after the generators"
