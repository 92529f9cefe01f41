"""The preview: a finished job's rows, read lazily from its files, with a column summary.

:class:`PreviewModel` reads a data file and its ``.cases.jsonl`` labels in step, a chunk at a time
as the view scrolls (``canFetchMore``/``fetchMore``), and never more than the first
:data:`PREVIEW_LIMIT` rows. Its first columns are the row's case kind (coloured) and the rule
it exercises; every cell's tooltip is the label's description. Cells whose value came from the
AI (the enhanced fields of valid rows, as the job's ``AiSummary`` lists them) get a subtle violet
tint and say so in their tooltip. :class:`CaseFilterProxy` shows one case kind;
:class:`SummaryChart` paints the selected column's histogram or top values.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QRegularExpression,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QFontMetrics, QIcon, QPainter, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tdgen_desktop.core.enums import CaseKind
from tdgen_desktop.core.errors import TdgenError
from tdgen_desktop.core.model import MISSING
from tdgen_desktop.core.rows import mark_column, mark_inside
from tdgen_desktop.exporters.readers import LabelReader, RowReader
from tdgen_desktop.scheduler import Job, JobState
from tdgen_desktop.ui.colors import CASE_COLORS, case_color, tint
from tdgen_desktop.ui.samples import format_value
from tdgen_desktop.ui.summary import ColumnSummary, summarize

__all__ = [
    "AI_COLOR",
    "FETCH_ROWS",
    "FIXED_COLUMNS",
    "PREVIEW_LIMIT",
    "CaseFilterProxy",
    "PreviewModel",
    "PreviewPanel",
    "SummaryChart",
]

PREVIEW_LIMIT = 10_000
"""The preview reads at most this many rows of a file."""

FETCH_ROWS = 500
"""Rows read per ``fetchMore``."""

FIXED_COLUMNS = ("Case", "Rule")
"""The label columns shown before the data columns."""

AI_COLOR = QColor("#8e24aa")
"""The colour AI values are tinted with (mid-tone violet: apart from the case colours)."""

_CHART_MAX_HEIGHT = 320
_CHART_PADDING = 18
"""The chart's frame and margins above and below its content (pixels)."""

_AI_TINT = 0.16
_CASE, _RULE = 0, 1
_Index = QModelIndex | QPersistentModelIndex
_EMPTY_HINT = "Select a finished job in the Jobs list to preview its rows."


def _dot_icon(color: QColor, size: int = 10) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(color.darker(130))
    painter.setBrush(color)
    painter.drawEllipse(QRectF(0.5, 0.5, size - 1, size - 1))
    painter.end()
    return QIcon(pixmap)


def _label_tip(label: dict[str, Any]) -> str:
    case = label.get("case") or "?"
    expect = label.get("expect") or ""
    lines = [f"{case} row — expect {expect}" if expect else f"{case} row"]
    if label.get("description"):
        lines.append(str(label["description"]))
    elif label.get("field") or label.get("rule"):
        lines.append(f"{label.get('field') or '(row)'}: {label.get('rule') or ''}")
    return "\n".join(lines)


def _ai_note(job: Job) -> str:
    """What the AI values of ``job`` are: the model, and how they were checked."""
    ai = job.result.ai if job.result is not None else None
    if ai is None:
        return ""
    if ai.provider == "ai":
        return f"model {ai.model}; rows the model got wrong keep rule-based values"
    return f"model {ai.model}, checked against the field's constraints"


def _ai_names(label: dict[str, Any]) -> tuple[str, ...]:
    """The cells a label record marks as AI values (its ``ai`` key): columns, and paths of
    nested properties (``details.description``, ``items[].description``)."""
    names = label.get("ai")
    return tuple(n for n in names if isinstance(n, str)) if isinstance(names, list) else ()


def _nested_ai(name: str, marks: tuple[str, ...]) -> list[str]:
    """The marks of nested properties inside column ``name``."""
    return [m for m in marks if mark_inside(name, m)]


class PreviewModel(QAbstractTableModel):
    """The first rows of one output file with their labels, read as the view needs them.

    Roles:
        ``Qt.ItemDataRole.DisplayRole``: the cell's text.
        ``Qt.ItemDataRole.ToolTipRole``: the row's label (case, expected outcome, description).
        :data:`CASE_ROLE`: the row's case kind as text (any column; the filter reads it).
        :data:`VALUE_ROLE`: the cell's value as read from the file.
        :data:`AI_ROLE`: True for a cell whose value came from the AI (the ``ai`` columns of
            the row's label record).

    Args:
        parent: the Qt parent.
    """

    CASE_ROLE = int(Qt.ItemDataRole.UserRole) + 1
    VALUE_ROLE = int(Qt.ItemDataRole.UserRole) + 2
    AI_ROLE = int(Qt.ItemDataRole.UserRole) + 3

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []
        self._labels: list[dict[str, Any]] = []
        self._columns: list[str] = []
        self._reader: RowReader | None = None
        self._label_reader: LabelReader | None = None
        self._limit = PREVIEW_LIMIT
        self._done = True
        self._icons = {kind.value: _dot_icon(color) for kind, color in CASE_COLORS.items()}
        self._ai_columns: frozenset[str] = frozenset()  # columns with an AI value so far
        self._ai_marks: frozenset[str] = frozenset()  # and the cells' marks (nested paths)
        self._ai_note = ""
        self._ai_icon = _dot_icon(AI_COLOR, 8)

    # ------------------------------------------------------------------ loading

    def open(self, data_path: Path, cases_path: Path, *, limit: int = PREVIEW_LIMIT) -> None:
        """Show ``data_path`` with the labels of ``cases_path`` (nothing is read yet).

        Raises:
            TdgenError: a file cannot be opened or the format cannot be previewed; the model
                is then empty.
        """
        self.beginResetModel()
        try:
            self._close_readers()
            self._rows, self._labels, self._columns = [], [], []
            self._ai_columns = self._ai_marks = frozenset()
            self._limit = limit
            self._done = True
            reader = RowReader(data_path)
            try:
                labels = LabelReader(cases_path)
            except TdgenError:
                reader.close()
                raise
            self._reader, self._label_reader = reader, labels
            self._columns = list(reader.columns)
            self._done = False
        finally:
            self.endResetModel()

    def set_ai_note(self, note: str) -> None:
        """Say where the AI values came from (the model) in their tooltips."""
        self._ai_note = note

    @property
    def ai_columns(self) -> frozenset[str]:
        """The columns with at least one AI value in the rows read so far."""
        return self._ai_columns

    def ai_names(self) -> list[str]:
        """What the AI values are, in column order: columns, and nested properties by path."""
        return [
            mark
            for column in self._columns
            if column in self._ai_columns
            for mark in sorted(m for m in self._ai_marks if mark_column(self._columns, m) == column)
        ]

    def is_ai_value(self, row: int, name: str) -> bool:
        """Whether the value of column ``name`` in ``row`` came from the AI (its label says so)
        — the whole value, or a nested property of it."""
        marks = _ai_names(self._labels[row])
        return name in marks or bool(_nested_ai(name, marks))

    def clear(self) -> None:
        """Show nothing and close the files."""
        self._ai_columns, self._ai_note = frozenset(), ""
        self._ai_marks = frozenset()
        self.beginResetModel()
        self._close_readers()
        self._rows, self._labels, self._columns = [], [], []
        self._done = True
        self.endResetModel()

    def _close_readers(self) -> None:
        for reader in (self._reader, self._label_reader):
            if reader is not None:
                reader.close()
        self._reader = self._label_reader = None

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008 — Qt's signature
        """Whether more rows can be read (not at the end, not at the limit)."""
        return not parent.isValid() and not self._done

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008 — Qt's signature
        """Read the next :data:`FETCH_ROWS` rows."""
        if parent.isValid() or self._done or self._reader is None:
            return
        want = min(FETCH_ROWS, self._limit - len(self._rows))
        try:
            rows = self._reader.read(want)
            labels = self._label_reader.read(len(rows)) if self._label_reader else []
        except TdgenError:
            self._done = True
            self._close_readers()
            raise
        if len(rows) < want or len(self._rows) + len(rows) >= self._limit:
            self._done = True
        new_columns = [c for c in self._reader.columns if c not in self._columns]
        if new_columns:
            first = len(FIXED_COLUMNS) + len(self._columns)
            self.beginInsertColumns(QModelIndex(), first, first + len(new_columns) - 1)
            self._columns.extend(new_columns)
            self.endInsertColumns()
        if rows:
            labels += [{}] * (len(rows) - len(labels))
            first = len(self._rows)
            self._ai_marks |= {name for label in labels for name in _ai_names(label)}
            seen = self._ai_columns | {mark_column(self._columns, m) for m in self._ai_marks}
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self._labels.extend(labels)
            new_ai, self._ai_columns = seen != self._ai_columns, seen
            self.endInsertRows()
            if new_ai:  # the header marks the columns that got their first AI value
                last = max(self.columnCount() - 1, 0)
                self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, last)
        if self._done:
            self._close_readers()

    def fetch_all(self) -> None:
        """Read up to the limit now (tests, summaries of the whole preview)."""
        while self.canFetchMore():
            self.fetchMore()

    # ------------------------------------------------------------------ queries

    @property
    def columns(self) -> list[str]:
        """The data columns (after the case and rule columns)."""
        return list(self._columns)

    @property
    def at_end(self) -> bool:
        """Whether every row that will be shown has been read."""
        return self._done

    def label(self, row: int) -> dict[str, Any]:
        """The label object of ``row``."""
        return self._labels[row]

    def column_values(self, column: int, rows: list[int] | None = None) -> list[Any]:
        """The values of a model column for ``rows`` (all loaded rows when None)."""
        chosen = range(len(self._rows)) if rows is None else rows
        if column == _CASE:
            return [self._labels[r].get("case") for r in chosen]
        if column == _RULE:
            return [self._rule_text(self._labels[r]) or None for r in chosen]
        name = self._columns[column - len(FIXED_COLUMNS)]
        return [self._rows[r].get(name) for r in chosen]

    # ------------------------------------------------------------------ model

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 — Qt's signature
        """Rows read so far."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 — Qt's signature
        """Case, rule and the data columns."""
        return 0 if parent.isValid() else len(FIXED_COLUMNS) + len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column names (AI columns with a violet dot); row numbers as the labels count them."""
        if orientation is Qt.Orientation.Horizontal and role in (
            Qt.ItemDataRole.DecorationRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            index = section - len(FIXED_COLUMNS)
            if 0 <= index < len(self._columns) and self._columns[index] in self._ai_columns:
                if role == Qt.ItemDataRole.DecorationRole:
                    return self._ai_icon
                return f"{self._columns[index]}: the tinted cells hold {self._ai_what('AI values')}"
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation is Qt.Orientation.Horizontal:
            if section < len(FIXED_COLUMNS):
                return FIXED_COLUMNS[section]
            index = section - len(FIXED_COLUMNS)
            return self._columns[index] if 0 <= index < len(self._columns) else None
        if 0 <= section < len(self._labels):
            return str(self._labels[section].get("row", section))
        return None

    def _ai_what(self, what: str) -> str:
        """``what (model …)``: ``what`` with the note on where the AI values came from."""
        return f"{what} ({self._ai_note})" if self._ai_note else what

    @staticmethod
    def _rule_text(label: dict[str, Any]) -> str:
        field, rule = label.get("field"), label.get("rule")
        if field and rule:
            return f"{field}: {rule}"
        return str(rule or field or "")

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The value of one cell for ``role``."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = index.row(), index.column()
        label = self._labels[row]
        case = label.get("case")
        if role == self.CASE_ROLE:
            return case
        if column >= len(FIXED_COLUMNS):
            return self._data_cell(row, self._columns[column - len(FIXED_COLUMNS)], role)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _label_tip(label)
        if column == _CASE:
            if role == Qt.ItemDataRole.DisplayRole:
                return case or ""
            if role == Qt.ItemDataRole.DecorationRole:
                return self._icons.get(case or "")
            if role == Qt.ItemDataRole.BackgroundRole:
                color = case_color(case)
                return tint(color, QPalette()) if color is not None else None
            return None
        return self._rule_text(label) if role == Qt.ItemDataRole.DisplayRole else None

    def _data_cell(self, row: int, name: str, role: int) -> Any:
        """A data column's cell: its value, text, AI tint and tooltip."""
        value = self._rows[row].get(name, MISSING)
        match role:
            case self.VALUE_ROLE:
                return value
            case Qt.ItemDataRole.DisplayRole:
                return "" if value is MISSING else format_value(value)
            case self.AI_ROLE:
                return self.is_ai_value(row, name)
            case Qt.ItemDataRole.BackgroundRole:
                ai = self.is_ai_value(row, name)
                return tint(AI_COLOR, QPalette(), _AI_TINT) if ai else None
            case Qt.ItemDataRole.ToolTipRole:
                tip = _label_tip(self._labels[row])
                nested = _nested_ai(name, _ai_names(self._labels[row]))
                if nested:  # AI values inside an object: say which properties
                    return f"{self._ai_what('AI values at ' + ', '.join(nested))}\n{tip}"
                return f"{self._ai_what('AI value')}\n{tip}" if self.is_ai_value(row, name) else tip
            case Qt.ItemDataRole.ForegroundRole if value is None or value is MISSING:
                return QPalette().color(QPalette.ColorRole.PlaceholderText)
        return None


class CaseFilterProxy(QSortFilterProxyModel):
    """Shows the rows of one case kind (or all)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setFilterRole(PreviewModel.CASE_ROLE)
        self.setFilterKeyColumn(0)

    def set_case(self, case: CaseKind | None) -> None:
        """Show only ``case`` rows (None: every row)."""
        pattern = f"^{case.value}$" if case is not None else ""
        self.setFilterRegularExpression(QRegularExpression(pattern))


class SummaryChart(QWidget):
    """Paints a column summary: a histogram for numbers and dates, top values otherwise."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._summary: ColumnSummary | None = None
        self.setObjectName("summary_chart")
        self.setMinimumSize(220, 150)
        self.setMaximumHeight(_CHART_MAX_HEIGHT)
        self.setAccessibleName("Column chart")
        self.setToolTip("Distribution of the selected column's loaded values")

    @property
    def summary(self) -> ColumnSummary | None:
        """The summary painted."""
        return self._summary

    def set_summary(self, summary: ColumnSummary | None) -> None:
        """Paint ``summary`` (None: a hint)."""
        self._summary = summary
        self.setAccessibleDescription(self._describe())
        # A few top values need only a few rows: the chart is no taller than they are, so the
        # figures below it stay close instead of under an empty frame.
        self.setMaximumHeight(max(self.content_height(), self.minimumHeight()))
        self.updateGeometry()
        self.update()

    def content_height(self) -> int:
        """The height the chart needs: its title and one row per top value (histograms: 320)."""
        s = self._summary
        if s is None or s.bins or not s.top:
            return _CHART_MAX_HEIGHT
        line = QFontMetrics(self.font()).height()
        return min(_CHART_PADDING + line + 6 + len(s.top) * (line + 8), _CHART_MAX_HEIGHT)

    def sizeHint(self) -> QSize:
        """A small chart, as tall as its content needs."""
        return QSize(300, self.content_height())

    def _describe(self) -> str:
        s = self._summary
        if s is None:
            return "No column selected"
        bars = s.bins or s.top
        return f"{s.name}: " + ", ".join(f"{label} {count}" for label, count in bars)

    def paintEvent(self, _event: QPaintEvent) -> None:
        """Draw the chart with the palette's colours."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, 6, 6)
        inner = rect.adjusted(10, 8, -10, -8)
        s = self._summary
        text_color = palette.color(QPalette.ColorRole.Text)
        if s is None or (not s.bins and not s.top):
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            message = "Select a column" if s is None else "No values to chart"
            painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, message)
            painter.end()
            return
        metrics = QFontMetrics(self.font())
        painter.setPen(text_color)
        title = "Histogram" if s.bins else "Most frequent values"
        painter.drawText(inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, title)
        area = inner.adjusted(0, metrics.height() + 6, 0, 0)
        bar_color = palette.color(QPalette.ColorRole.Highlight)
        if s.bins:
            top = max(count for _, count in s.bins)
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                inner, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, f"≤ {top:,} per bar"
            )
            axis = (s.minimum or s.bins[0][0], s.maximum or s.bins[-1][0])
            self._paint_histogram(painter, area, s.bins, axis, metrics, bar_color, text_color)
        else:
            self._paint_top(painter, area, s.top, metrics, bar_color, text_color)
        painter.end()

    @staticmethod
    def _paint_histogram(
        painter: QPainter,
        area: QRectF,
        bins: list[tuple[str, int]],
        axis: tuple[str, str],
        metrics: QFontMetrics,
        bar: QColor,
        text: QColor,
    ) -> None:
        axis_h = metrics.height() + 4
        plot = area.adjusted(0, 0, 0, -axis_h)
        top = max(count for _, count in bins) or 1
        gap = 2.0
        width = (plot.width() - gap * (len(bins) - 1)) / len(bins)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(bar)
        for i, (_label, count) in enumerate(bins):
            height = plot.height() * count / top
            x = plot.left() + i * (width + gap)
            painter.drawRect(QRectF(x, plot.bottom() - height, width, height))
        painter.setPen(text)
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        labels = area.adjusted(0, plot.height() + 3, 0, 0)
        painter.drawText(labels, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, axis[0])
        painter.drawText(labels, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, axis[1])

    @staticmethod
    def _paint_top(
        painter: QPainter,
        area: QRectF,
        top: list[tuple[str, int]],
        metrics: QFontMetrics,
        bar: QColor,
        text: QColor,
    ) -> None:
        most = max(count for _, count in top) or 1
        row_h = min(area.height() / len(top), metrics.height() + 8)
        label_w = min(area.width() * 0.42, max(metrics.horizontalAdvance(t) for t, _ in top) + 8)
        count_w = metrics.horizontalAdvance(f"{most:,}") + 8
        bar_w = max(area.width() - label_w - count_w, 10)
        for i, (label, count) in enumerate(top):
            y = area.top() + i * row_h
            painter.setPen(text)
            shown = metrics.elidedText(
                label or "(empty)", Qt.TextElideMode.ElideRight, int(label_w) - 6
            )
            painter.drawText(
                QRectF(area.left(), y, label_w - 6, row_h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                shown,
            )
            length = bar_w * count / most
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(bar)
            painter.drawRoundedRect(
                QRectF(area.left() + label_w, y + row_h * 0.18, max(length, 1.5), row_h * 0.64),
                2,
                2,
            )
            painter.setPen(text)
            painter.drawText(
                QRectF(area.left() + label_w + length + 4, y, count_w, row_h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                f"{count:,}",
            )


class PreviewPanel(QWidget):
    """A finished job's rows, one table at a time, with a case filter and a column summary.

    Signals:
        preview_failed(object): a file could not be read (the :class:`TdgenError`); the window
            shows it through the message bridge.

    Args:
        parent: the Qt parent.
    """

    preview_failed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._job: Job | None = None
        self.setObjectName("preview_panel")
        self.setAccessibleName("Preview")

        self._model = PreviewModel(self)
        self._model.setObjectName("preview_model")
        self._proxy = CaseFilterProxy(self)
        self._proxy.setSourceModel(self._model)
        self._total = 0
        self._note = ""
        self._build_bar()
        self._build_view()
        side = self._build_summary()
        self._build_pages(side)
        self._show_summary(None)

    # ------------------------------------------------------------------ construction

    def _build_bar(self) -> None:
        self._job_label = QLabel()
        self._job_label.setObjectName("preview_job")
        self._job_label.setTextFormat(Qt.TextFormat.PlainText)
        self._job_label.setAccessibleName("Job previewed")
        self._table = QComboBox()
        self._table.setObjectName("preview_table")
        self._table.setToolTip("The table of the job to preview")
        self._table.setAccessibleName("Table")
        self._table.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._table.currentIndexChanged.connect(self.on_table_current_index_changed)
        table_label = QLabel("&Table:")
        table_label.setBuddy(self._table)
        self._case = QComboBox()
        self._case.setObjectName("case_filter")
        self._case.addItem("All cases", "")
        for kind in CaseKind:
            self._case.addItem(_dot_icon(CASE_COLORS[kind]), kind.value.capitalize(), kind.value)
        self._case.setToolTip("Show only valid, boundary or invalid rows")
        self._case.setAccessibleName("Case filter")
        self._case.currentIndexChanged.connect(self.on_case_current_index_changed)
        case_label = QLabel("Show:")
        case_label.setBuddy(self._case)
        self._info = QLabel()
        self._info.setObjectName("preview_info")
        self._info.setAccessibleName("Rows loaded")
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self._job_label)
        bar.addSpacing(12)
        bar.addWidget(table_label)
        bar.addWidget(self._table)
        bar.addSpacing(12)
        bar.addWidget(case_label)
        bar.addWidget(self._case)
        bar.addSpacing(12)
        bar.addWidget(self._info, 1)
        self._bar = bar

    def _build_view(self) -> None:
        self._view = QTableView()
        self._view.setObjectName("preview_view")
        self._view.setModel(self._proxy)
        self._view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self._view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._view.setAlternatingRowColors(True)
        self._view.setWordWrap(False)
        self._view.setTabKeyNavigation(False)
        self._view.verticalHeader().setDefaultSectionSize(24)
        self._view.horizontalHeader().setDefaultSectionSize(130)
        self._view.horizontalHeader().setHighlightSections(True)
        self._view.horizontalHeader().setStretchLastSection(True)
        self._view.setToolTip("The job's rows; hover a row to read its label")
        self._view.setAccessibleName("Preview rows")
        self._view.setAccessibleDescription(
            "The job's rows with their case kind and rule; hover a row for the label"
        )
        self._view.selectionModel().currentColumnChanged.connect(
            self.on_view_current_column_changed
        )
        self._proxy.rowsInserted.connect(self.on_proxy_rows_inserted)

    def _build_summary(self) -> QWidget:
        self._chart = SummaryChart()
        self._stats: dict[str, QLabel] = {}
        stats = QFormLayout()
        stats.setContentsMargins(0, 6, 0, 0)
        for key, text in (
            ("column", "Column:"),
            ("values", "Values:"),
            ("nulls", "Null / empty:"),
            ("distinct", "Distinct:"),
            ("min", "Min:"),
            ("max", "Max:"),
        ):
            label = QLabel("—")
            label.setObjectName(f"summary_{key}")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAccessibleName(text.rstrip(":"))
            label.setWordWrap(True)
            stats.addRow(text, label)
            self._stats[key] = label
        side = QWidget()
        side.setObjectName("summary_panel")
        side.setAccessibleName("Column summary")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(6, 0, 0, 0)
        side_layout.addWidget(self._chart)
        side_layout.addLayout(stats)
        side_layout.addStretch(1)
        return side

    def _build_pages(self, side: QWidget) -> None:
        self._splitter = QSplitter(Qt.Orientation.Horizontal)
        self._splitter.setObjectName("preview_splitter")
        self._splitter.addWidget(self._view)
        self._splitter.addWidget(side)
        self._splitter.setStretchFactor(0, 3)
        self._splitter.setStretchFactor(1, 1)
        self._splitter.setChildrenCollapsible(False)

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addLayout(self._bar)
        content_layout.addWidget(self._splitter, 1)
        self._empty = QLabel(_EMPTY_HINT)
        self._empty.setObjectName("preview_empty")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setAccessibleName("No preview")
        self._pages = QStackedWidget()
        self._pages.addWidget(self._empty)
        self._pages.addWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self._pages)

    # ------------------------------------------------------------------ public API

    @property
    def model(self) -> PreviewModel:
        """The lazy model of the file shown."""
        return self._model

    @property
    def proxy(self) -> CaseFilterProxy:
        """The case filter over the model (the view's model)."""
        return self._proxy

    @property
    def view(self) -> QTableView:
        """The preview table."""
        return self._view

    @property
    def chart(self) -> SummaryChart:
        """The column chart."""
        return self._chart

    @property
    def splitter(self) -> QSplitter:
        """The splitter between the rows and the summary."""
        return self._splitter

    @property
    def job(self) -> Job | None:
        """The job previewed."""
        return self._job

    def add_action_button(self, button: QToolButton) -> None:
        """Put a button at the end of the preview's bar (the window adds "Export again…")."""
        self._bar.addWidget(button)

    def stat_text(self, key: str) -> str:
        """A summary figure as shown (column, values, nulls, distinct, min, max)."""
        return self._stats[key].text()

    def show_job(self, job: Job | None) -> None:
        """Preview a finished job's first table (or the hint when there is none)."""
        self._job = job
        result = job.result if job is not None and job.state is JobState.DONE else None
        if job is None or result is None or not result.tables:
            self._model.clear()
            self._table.blockSignals(True)
            self._table.clear()
            self._table.blockSignals(False)
            self._empty.setText(
                _EMPTY_HINT
                if job is None or job.state is JobState.DONE
                else f"{job.id} is {job.state.value}: only finished jobs can be previewed."
            )
            self._pages.setCurrentIndex(0)
            self._show_summary(None)
            return
        self._job_label.setText(f"{job.id} · {job.schema_name}")
        self._table.blockSignals(True)
        self._table.clear()
        for table in result.tables:
            self._table.addItem(table.table)
        self._table.blockSignals(False)
        self._pages.setCurrentIndex(1)
        self._open_table(0)

    def set_case_filter(self, case: CaseKind | None) -> None:
        """Show only ``case`` rows (None: all)."""
        index = self._case.findData(case.value if case is not None else "")
        self._case.setCurrentIndex(index)

    def select_column(self, name: str) -> None:
        """Make ``name`` the current column (the summary follows)."""
        names = [*FIXED_COLUMNS, *self._model.columns]
        if name in names and self._proxy.rowCount() > 0:
            self._view.setCurrentIndex(self._proxy.index(0, names.index(name)))

    # ------------------------------------------------------------------ internals

    def _open_table(self, index: int) -> None:
        job = self._job
        if job is None or job.result is None or not 0 <= index < len(job.result.tables):
            return
        table = job.result.tables[index]
        try:
            self._model.open(table.path, table.cases_path)
            self._model.set_ai_note(_ai_note(job))
            self._model.fetchMore()
        except TdgenError as error:
            self._model.clear()
            self._info.setText(error.problem)
            self.preview_failed.emit(error)
            return
        note = ""
        finished = job.finished_at
        try:
            changed = datetime.fromtimestamp(table.path.stat().st_mtime, UTC)
        except OSError:
            changed = None
        if finished is not None and changed is not None and changed > finished:
            note = " — the file was replaced by a later job"
        self._update_info(table.rows, note)
        self._view.resizeColumnsToContents()
        for column in range(self._model.columnCount()):
            width = self._view.columnWidth(column)
            self._view.setColumnWidth(column, min(max(width + 8, 60), 260))
        first_data = len(FIXED_COLUMNS) if self._model.columns else 0
        if self._proxy.rowCount() > 0:
            self._view.setCurrentIndex(self._proxy.index(0, first_data))
        else:
            self._show_summary(first_data)

    def _update_info(self, total: int | None = None, note: str = "") -> None:
        if total is not None:
            self._total, self._note = total, note
        loaded = self._model.rowCount()
        shown = self._proxy.rowCount()
        total = self._total or loaded
        text = f"{loaded:,} of {total:,} rows loaded"
        if shown != loaded:
            text += f" · {shown:,} shown"
        if total > PREVIEW_LIMIT:
            text += f" (the preview reads the first {PREVIEW_LIMIT:,})"
        note, ai = self._note, self._model.ai_names()
        if ai:
            note += f" · AI values (tinted): {', '.join(ai)}"
        self._info.setText(text + note)

    def _show_summary(self, column: int | None) -> None:
        if column is None or column >= self._model.columnCount():
            self._chart.set_summary(None)
            for label in self._stats.values():
                label.setText("—")
            return
        rows = [
            self._proxy.mapToSource(self._proxy.index(r, 0)).row()
            for r in range(self._proxy.rowCount())
        ]
        name = str(self._model.headerData(column, Qt.Orientation.Horizontal))
        summary = summarize(name, self._model.column_values(column, rows))
        self._chart.set_summary(summary)
        self._stats["column"].setText(f"{name} ({summary.kind})")
        self._stats["values"].setText(f"{summary.count:,} loaded")
        self._stats["nulls"].setText(f"{summary.null_ratio * 100:.1f} % ({summary.nulls:,})")
        self._stats["distinct"].setText(f"{summary.distinct:,}")
        self._stats["min"].setText(summary.minimum or "—")
        self._stats["max"].setText(summary.maximum or "—")

    # ------------------------------------------------------------------ slots

    @Slot(int)
    def on_table_current_index_changed(self, index: int) -> None:
        """Preview the chosen table."""
        self._open_table(index)

    @Slot(int)
    def on_case_current_index_changed(self, index: int) -> None:
        """Filter the rows by case kind."""
        value = self._case.itemData(index)
        self._proxy.set_case(CaseKind(value) if value else None)
        self._update_info()
        current = self._view.currentIndex()
        self._show_summary(current.column() if current.isValid() else None)

    @Slot(QModelIndex, QModelIndex)
    def on_view_current_column_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        """Summarise the column now current."""
        self._show_summary(current.column() if current.isValid() else None)

    @Slot(QModelIndex, int, int)
    def on_proxy_rows_inserted(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        """More rows were read: update the counts and the summary."""
        self._update_info()
        current = self._view.currentIndex()
        if current.isValid():
            self._show_summary(current.column())
