"""The lazy preview model, the case filter and the column summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QTableView, QWidget
from pytestqt.qtbot import QtBot

from tdgen_desktop.core.enums import CaseKind
from tdgen_desktop.core.errors import TdgenError
from tdgen_desktop.ui.preview import (
    FETCH_ROWS,
    PREVIEW_LIMIT,
    CaseFilterProxy,
    PreviewModel,
    PreviewPanel,
    SummaryChart,
)
from tdgen_desktop.ui.summary import summarize

ROWS = 25_000


@pytest.fixture(scope="module")
def big_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A JSON Lines output of 25,000 rows with its labels; every 10th row invalid."""
    folder = tmp_path_factory.mktemp("big")
    data, labels = folder / "t.jsonl", folder / "t.cases.jsonl"
    with data.open("w", encoding="utf-8") as rows, labels.open("w", encoding="utf-8") as cases:
        for i in range(ROWS):
            invalid = i % 10 == 9
            rows.write(json.dumps({"n": i, "name": f"name {i % 7}", "maybe": None}) + "\n")
            label = {
                "row": i,
                "case": "invalid" if invalid else "valid",
                "field": "n" if invalid else None,
                "rule": "maximum" if invalid else None,
                "expect": "reject" if invalid else "accept",
            }
            if invalid:
                label["description"] = f"n = {i}, above maximum"
            cases.write(json.dumps(label) + "\n")
    return data, labels


def test_model_reads_in_chunks_up_to_the_limit(qtbot: QtBot, big_output: tuple[Path, Path]) -> None:
    model = PreviewModel()
    model.open(*big_output)
    assert model.rowCount() == 0
    assert model.canFetchMore()

    model.fetchMore()
    assert model.rowCount() == FETCH_ROWS
    assert model.columns == ["n", "name", "maybe"]

    model.fetch_all()
    assert model.rowCount() == PREVIEW_LIMIT < ROWS
    assert not model.canFetchMore()
    assert model.at_end
    assert model.index(9, 0).data() == "invalid"
    assert model.index(9, 1).data() == "n: maximum"
    assert model.index(9, 2).data() == "9"
    assert model.index(9, 4).data() == "null"
    assert model.index(9, 4).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(9, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "n = 9, above maximum" in model.index(9, 3).data(Qt.ItemDataRole.ToolTipRole)
    assert model.headerData(9, Qt.Orientation.Vertical) == "9"


def test_view_only_reads_what_it_shows(qtbot: QtBot, big_output: tuple[Path, Path]) -> None:
    model = PreviewModel()
    view = QTableView()
    qtbot.addWidget(view)
    view.resize(600, 300)
    view.setModel(model)
    model.open(*big_output)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: model.rowCount() > 0)

    assert model.rowCount() == FETCH_ROWS, "a few hundred rows fill the view"
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == 2 * FETCH_ROWS)


def test_case_filter(qtbot: QtBot, big_output: tuple[Path, Path]) -> None:
    model = PreviewModel()
    proxy = CaseFilterProxy()
    proxy.setSourceModel(model)
    model.open(*big_output)
    model.fetchMore()

    proxy.set_case(CaseKind.INVALID)
    assert proxy.rowCount() == FETCH_ROWS // 10
    proxy.set_case(CaseKind.BOUNDARY)
    assert proxy.rowCount() == 0
    proxy.set_case(None)
    assert proxy.rowCount() == FETCH_ROWS


def test_unpreviewable_format_is_an_error(qtbot: QtBot, tmp_path: Path) -> None:
    data = tmp_path / "t.sql"
    data.write_text("INSERT INTO t VALUES (1);\n", encoding="utf-8")
    (tmp_path / "t.cases.jsonl").write_text("", encoding="utf-8")
    model = PreviewModel()

    with pytest.raises(TdgenError, match="cannot be previewed"):
        model.open(data, tmp_path / "t.cases.jsonl")
    assert model.rowCount() == 0
    assert not model.canFetchMore()


def test_summary_of_numbers() -> None:
    summary = summarize("n", [*range(100), None, ""])

    assert summary.kind == "number"
    assert summary.count == 102
    assert summary.nulls == 2
    assert summary.distinct == 100
    assert (summary.minimum, summary.maximum) == ("0", "99")
    assert len(summary.bins) == 12
    assert sum(count for _, count in summary.bins) == 100


def test_summary_of_csv_text_numbers_dates_and_booleans() -> None:
    numbers = summarize("price", ["1.5", "2.25", "10"])
    dates = summarize("day", [f"2024-01-{d:02d}" for d in range(1, 29)])
    flags = summarize("ok", ["true", "false", "true"])

    assert numbers.kind == "number"
    assert (numbers.minimum, numbers.maximum) == ("1.5", "10")
    assert dates.kind == "date"
    assert (dates.minimum, dates.maximum) == ("2024-01-01", "2024-01-28")
    assert dates.bins[0][0] == "2024-01-01"
    assert flags.kind == "boolean"
    assert flags.top == [("true", 2), ("false", 1)]


def test_summary_of_text_and_of_nothing() -> None:
    text = summarize("city", ["Oslo", "Rome", "Oslo", "Lima", None])
    empty = summarize("x", [None, None])

    assert text.kind == "text"
    assert text.top[0] == ("Oslo", 2)
    assert (text.minimum, text.maximum) == ("4 chars", "4 chars")
    assert text.null_ratio == pytest.approx(0.2)
    assert empty.kind == "empty"
    assert empty.null_ratio == 1.0


@pytest.mark.parametrize(
    "values",
    [list(range(50)), ["a", "b", "b", "c", "c", "c"], [None]],
    ids=["histogram", "top-values", "nothing"],
)
def test_chart_paints(qtbot: QtBot, values: list[object]) -> None:
    chart = SummaryChart()
    qtbot.addWidget(chart)
    chart.resize(300, 200)
    chart.set_summary(summarize("c", values))

    image = chart.grab().toImage()

    assert not image.isNull()
    assert chart.accessibleDescription().startswith("c:")
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 2, "something was drawn"


def test_chart_of_a_few_top_values_is_no_taller_than_its_bars(qtbot: QtBot) -> None:
    """In a tall summary pane the chart of three values ends below its last bar, with the
    figures right under it; a histogram keeps its full height."""
    panel = PreviewPanel()
    qtbot.addWidget(panel)
    side = panel.findChild(QWidget, "summary_panel")
    side.setParent(None)
    qtbot.addWidget(side)
    side.resize(300, 700)
    side.show()
    qtbot.waitExposed(side)
    chart = panel.chart
    figures = side.findChild(QLabel, "summary_column")

    chart.set_summary(summarize("c", list(range(50))))
    qtbot.waitUntil(lambda: chart.height() >= 300)
    chart.set_summary(summarize("c", ["a", "b", "b", "c", "c", "c"]))
    line = chart.fontMetrics().height()
    qtbot.waitUntil(lambda: chart.height() < 300)
    # The figures follow the chart up (the layout settles a moment after the chart shrinks).
    qtbot.waitUntil(lambda: figures.geometry().top() - chart.geometry().bottom() < 20)

    assert chart.height() <= max(3 * (line + 8) + line + 40, chart.minimumHeight())
    image = chart.grab().toImage()
    bar = chart.palette().color(QPalette.ColorRole.Highlight)
    last_bar_row = max(
        y for y in range(image.height()) if image.pixelColor(chart.width() // 2, y) == bar
    )
    assert last_bar_row < chart.height() - 10, "the last bar is inside the frame"
