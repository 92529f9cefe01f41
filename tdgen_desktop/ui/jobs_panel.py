"""The jobs panel: every job with its five step dots, a progress bar, rows, rows/s, ETA, priority.

The view shows the scheduler's :class:`~tdgen_desktop.scheduler.JobTableModel` as it is; two
delegates paint the step dots (grey pending, blue running, green done, amber fell back, red
failed, hollow skipped) and the progress bar. The actions (Cancel, Retry, Open folder, Change
priority, Export again, Clear finished) act on the selected job through the scheduler.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QDesktopServices,
    QHelpEvent,
    QKeySequence,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from tdgen_desktop.core.enums import Priority, Step, StepState
from tdgen_desktop.scheduler import Job, JobColumn, JobScheduler, JobState, JobTableModel
from tdgen_desktop.ui.colors import STEP_COLORS, STEP_STATE_NAMES
from tdgen_desktop.ui.generation_panel import priority_text

__all__ = ["DOT_DIAMETER", "DOT_SPACING", "JobsPanel", "ProgressDelegate", "StepDotsDelegate"]

DOT_DIAMETER = 10
"""Diameter of a step dot in pixels."""

DOT_SPACING = 16
"""Distance between the centres of two step dots."""

_DOTS_MARGIN = 6
_Index = QModelIndex | QPersistentModelIndex
_ANSWERS_RE = re.compile(r"(\d+)/(\d+)")

StepNotes = Callable[[str], tuple[str, list[str]]]
"""For a job id: a note after the step name, and extra lines for the dots' tooltip."""


def _no_notes(_job_id: str) -> tuple[str, list[str]]:
    return "", []


def _step_states(index: _Index) -> tuple[tuple[Step, StepState], ...]:
    value = index.data(JobTableModel.STEP_STATES_ROLE)
    return tuple(value) if value else ()


def dot_centers(rect: QRect, count: int = 5) -> list[QPoint]:
    """Where the step dots of a cell are drawn."""
    y = rect.center().y()
    x0 = rect.left() + _DOTS_MARGIN + DOT_DIAMETER // 2
    return [QPoint(x0 + i * DOT_SPACING, y) for i in range(count)]


class StepDotsDelegate(QStyledItemDelegate):
    """Paints the five step states of a job as coloured dots, then the current step's name.

    Args:
        parent: the view.
        notes: gives a job's note (e.g. the AI requests answered) and extra tooltip lines.
    """

    def __init__(self, parent: QWidget | None = None, notes: StepNotes = _no_notes) -> None:
        super().__init__(parent)
        self._notes = notes

    def _job_id(self, index: _Index) -> str:
        return str(index.data(JobTableModel.JOB_ID_ROLE) or "")

    def text(self, index: _Index) -> str:
        """The text after the dots: the step's name and the job's note."""
        name = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        note, _lines = self._notes(self._job_id(index))
        return f"{name} · {note}" if note else name

    def tooltip(self, index: _Index) -> str:
        """Each step with its state, then the job's notes (AI requests, fallback warnings)."""
        lines = [
            f"{step.value.capitalize()}: {STEP_STATE_NAMES[state]}"
            for step, state in _step_states(index)
        ]
        _note, extra = self._notes(self._job_id(index))
        return "\n".join([*lines, *extra])

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        """Draw the dots over the cell's normal background and selection."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.fontMetrics.elidedText(
            self.text(index),
            Qt.TextElideMode.ElideRight,
            max(opt.rect.width() - _DOTS_MARGIN * 3 - DOT_SPACING * 5, 0),
        )
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        states = _step_states(index)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        # On a selected row the dots get a ring of the selection's text colour, so a blue
        # "running" dot stays visible on a blue highlight.
        ring = opt.palette.color(QPalette.ColorRole.HighlightedText) if selected else None
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        radius = DOT_DIAMETER / 2
        for center, (_step, state) in zip(dot_centers(opt.rect, len(states)), states, strict=True):
            color = STEP_COLORS[state]
            if state is StepState.SKIPPED:
                painter.setPen(QPen(ring or color, 1.6))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                r = radius - 0.8
            else:
                painter.setPen(QPen(ring or color.darker(125), 1.4 if ring else 1))
                painter.setBrush(color)
                r = radius
            painter.drawEllipse(center, r, r)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(opt.palette.color(role))
        text_rect = opt.rect.adjusted(_DOTS_MARGIN * 2 + DOT_SPACING * len(states), 0, -4, 0)
        painter.drawText(
            text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        """Room for five dots and the step name."""
        size = super().sizeHint(option, index)
        return QSize(size.width() + _DOTS_MARGIN * 2 + DOT_SPACING * 5, max(size.height(), 22))

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: _Index,
    ) -> bool:
        """A tooltip listing each step and its state."""
        if event.type() == QEvent.Type.ToolTip and index.isValid():
            QToolTip.showText(event.globalPos(), self.tooltip(index), view)
            return True
        return super().helpEvent(event, view, option, index)


class ProgressDelegate(QStyledItemDelegate):
    """Paints a job's progress as the style's progress bar."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        """Draw the cell background, then a progress bar with the percentage."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        fraction = index.data(JobTableModel.FRACTION_ROLE) or 0.0
        bar = QStyleOptionProgressBar()
        bar.rect = opt.rect.adjusted(3, 3, -3, -3)
        bar.minimum = 0
        bar.maximum = 1000
        bar.progress = round(float(fraction) * 1000)
        bar.text = f"{float(fraction) * 100:.0f} %"
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        bar.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Horizontal
        bar.palette = opt.palette
        bar.fontMetrics = opt.fontMetrics
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, opt.widget)

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        """Wide enough for a readable bar."""
        size = super().sizeHint(option, index)
        return QSize(max(size.width(), 110), max(size.height(), 22))


class JobsPanel(QWidget):
    """The list of jobs and the actions on the selected one.

    Signals:
        job_selected(str): the selected job changed (its id; "" when none is selected).
        job_activated(str): a job was double-clicked or Enter was pressed on it.
        export_requested(str): "Export again…" was chosen for a finished job.

    Args:
        scheduler: the scheduler whose jobs are shown and acted on.
        parent: the Qt parent.
    """

    job_selected = Signal(str)
    job_activated = Signal(str)
    export_requested = Signal(str)

    def __init__(self, scheduler: JobScheduler, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scheduler = scheduler
        self._ai_answers: dict[str, str] = {}
        scheduler.job_progressed.connect(self.on_scheduler_job_progressed)
        self.setObjectName("jobs_panel")
        self.setAccessibleName("Jobs")
        self._model = JobTableModel(scheduler, self)
        self._model.setObjectName("job_model")
        self._view = self._build_view()
        self._view.selectionModel().selectionChanged.connect(self.on_view_selection_changed)
        self._view.activated.connect(self.on_view_activated)
        self._model.dataChanged.connect(self.on_model_data_changed)
        self._model.rowsInserted.connect(self.on_model_rows_inserted)

        self._build_actions()
        toolbar = QHBoxLayout()
        toolbar.setContentsMargins(0, 0, 0, 0)
        for action in (
            self.cancel_action,
            self.retry_action,
            self.open_folder_action,
            self.export_action,
        ):
            toolbar.addWidget(self._tool_button(action))
        priority_button = self._tool_button(self.priority_menu.menuAction())
        priority_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        toolbar.addWidget(priority_button)
        toolbar.addStretch(1)
        toolbar.addWidget(self._tool_button(self.clear_action))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(toolbar)
        layout.addWidget(self._view)
        self._update_actions()

    # ------------------------------------------------------------------ construction

    def _build_view(self) -> QTableView:
        self._view = QTableView()
        self._view.setObjectName("jobs_view")
        self._view.setModel(self._model)
        self._view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._view.setAlternatingRowColors(True)
        self._view.setShowGrid(False)
        self._view.setWordWrap(False)
        self._view.verticalHeader().setVisible(False)
        self._view.verticalHeader().setDefaultSectionSize(26)
        self._view.setTabKeyNavigation(False)
        self._view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self._view.setToolTip(
            "Generation jobs. Dots: parse, foundation, enhance, validate, export — grey pending, "
            "blue running, green done, amber fell back, red failed, hollow skipped."
        )
        self._view.setAccessibleName("Job list")
        self._view.setAccessibleDescription(
            "One row per job with its step states, progress, rows, rows per second and ETA"
        )
        self._dots = StepDotsDelegate(self._view, self.step_notes)
        self._progress = ProgressDelegate(self._view)
        self._view.setItemDelegateForColumn(JobColumn.STEP, self._dots)
        self._view.setItemDelegateForColumn(JobColumn.PROGRESS, self._progress)
        header = self._view.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        widths = {
            JobColumn.ID: 60,
            JobColumn.PRIORITY: 64,
            JobColumn.STATE: 80,
            JobColumn.STEP: 210,
            JobColumn.PROGRESS: 116,
            JobColumn.ROWS: 110,
            JobColumn.RATE: 70,
            JobColumn.ETA: 60,
        }
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in widths.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(JobColumn.SCHEMA, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(48)
        return self._view

    def _action(self, text: str, name: str, tip: str, shortcut: str | None = None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._view.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.cancel_action = self._action(
            "&Cancel", "cancel_job_action", "Cancel the selected job (Delete)", "Delete"
        )
        self.cancel_action.triggered.connect(self.on_cancel_action_triggered)
        self.retry_action = self._action(
            "&Retry", "retry_job_action", "Queue a failed or cancelled job again (Ctrl+R)", "Ctrl+R"
        )
        self.retry_action.triggered.connect(self.on_retry_action_triggered)
        self.open_folder_action = self._action(
            "Open &folder", "open_folder_action", "Show the job's output folder (Ctrl+Shift+O)"
        )
        self.open_folder_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.open_folder_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.open_folder_action.triggered.connect(self.on_open_folder_action_triggered)
        self.export_action = self._action(
            "&Export again…",
            "export_again_action",
            "Write a finished job's rows again in another format or folder (Ctrl+E)",
        )
        self.export_action.triggered.connect(self.on_export_action_triggered)
        self.clear_action = self._action(
            "Clear finis&hed", "clear_finished_action", "Remove ended jobs from the list"
        )
        self.clear_action.triggered.connect(self.on_clear_action_triggered)

        self.priority_menu = QMenu("Pri&ority", self)
        self.priority_menu.setObjectName("priority_menu")
        self.priority_menu.menuAction().setToolTip("Change the priority of a queued job")
        self.priority_menu.menuAction().setObjectName("change_priority_action")
        self._priority_group = QActionGroup(self)
        self._priority_actions: dict[Priority, QAction] = {}
        for priority in Priority:
            action = QAction(priority_text(priority), self)
            action.setObjectName(f"priority_{priority.value}_action")
            action.setCheckable(True)
            action.setData(priority.value)
            action.triggered.connect(self.on_priority_action_triggered)
            self._priority_group.addAction(action)
            self.priority_menu.addAction(action)
            self._priority_actions[priority] = action
        self._view.addAction(self.priority_menu.menuAction())

    @staticmethod
    def _tool_button(action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setAutoRaise(False)
        button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
        return button

    # ------------------------------------------------------------------ public API

    @property
    def model(self) -> JobTableModel:
        """The job table model."""
        return self._model

    @property
    def view(self) -> QTableView:
        """The job table view."""
        return self._view

    def selected_job(self) -> Job | None:
        """The selected job, or None."""
        rows = self._view.selectionModel().selectedRows()
        if not rows:
            return None
        try:
            return self._model.job_at(rows[0].row())
        except IndexError:
            return None

    def select_job(self, job_id: str) -> None:
        """Select the row of ``job_id``."""
        row = self._model.row_of(job_id)
        if row >= 0:
            self._view.selectRow(row)
            self._view.scrollTo(self._model.index(row, 0))

    @property
    def dots(self) -> StepDotsDelegate:
        """The delegate painting the step dots."""
        return self._dots

    def step_notes(self, job_id: str) -> tuple[str, list[str]]:
        """What the AI step of ``job_id`` is doing or did: a short note and tooltip lines.

        While the enhance step runs the note counts the answered requests ("2/3 requests");
        after it, the tooltip gives the requests, tokens and cache hits and every fallback
        warning, and a fallback shows as "AI fell back".
        """
        try:
            job = self._scheduler.job(job_id)
        except KeyError:
            return "", []
        state = job.steps[Step.ENHANCE]
        if state is StepState.RUNNING:
            answers = self._ai_answers.get(job_id, "")
            note = f"{answers} requests" if answers else "asking the AI"
            return note, [f"AI: {note} answered" if answers else "AI: asking"]
        ai = job.result.ai if job.result is not None else None
        if ai is None:
            return "", []
        lines = [f"AI ({ai.provider}, {ai.model}): {ai.message()}"]
        lines.extend(f"⚠ {warning}" for warning in ai.warnings())
        return ("AI fell back" if state is StepState.FELL_BACK else ""), lines

    def focus_view(self) -> None:
        """Put the keyboard focus on the job list, selecting the newest job if none is."""
        self._view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if self.selected_job() is None and self._model.rowCount() > 0:
            self._view.selectRow(self._model.rowCount() - 1)

    # ------------------------------------------------------------------ internals

    def _update_actions(self) -> None:
        job = self.selected_job()
        state = job.state if job is not None else None
        self.cancel_action.setEnabled(state in {JobState.QUEUED, JobState.RUNNING})
        self.retry_action.setEnabled(state in {JobState.FAILED, JobState.CANCELLED})
        self.open_folder_action.setEnabled(job is not None)
        self.export_action.setEnabled(state is JobState.DONE)
        self.priority_menu.setEnabled(state is JobState.QUEUED)
        self.priority_menu.menuAction().setEnabled(state is JobState.QUEUED)
        if job is not None:
            self._priority_actions[job.priority].setChecked(True)
        self.clear_action.setEnabled(any(j.is_final for j in self._scheduler.jobs()))

    # ------------------------------------------------------------------ slots

    @Slot(QItemSelection, QItemSelection)
    def on_view_selection_changed(
        self, _selected: QItemSelection, _deselected: QItemSelection
    ) -> None:
        """Update the actions and announce the selected job."""
        self._update_actions()
        job = self.selected_job()
        self.job_selected.emit(job.id if job is not None else "")

    @Slot(QModelIndex)
    def on_view_activated(self, index: QModelIndex) -> None:
        """Announce the activated job."""
        job_id = index.data(JobTableModel.JOB_ID_ROLE)
        if job_id:
            self.job_activated.emit(str(job_id))

    @Slot(QModelIndex, QModelIndex, "QList<int>")
    def on_model_data_changed(
        self, _top_left: QModelIndex, _bottom_right: QModelIndex, _roles: list[int]
    ) -> None:
        """A job changed: its actions may have changed too."""
        self._update_actions()

    @Slot(QModelIndex, int, int)
    def on_model_rows_inserted(self, _parent: QModelIndex, _first: int, last: int) -> None:
        """Select a new job, so its actions are at hand."""
        self._view.selectRow(last)
        self._update_actions()

    @Slot(str)
    def on_scheduler_job_progressed(self, job_id: str) -> None:
        """Remember how many AI requests of a job's enhance step are answered."""
        try:
            job = self._scheduler.job(job_id)
        except KeyError:
            return
        if job.steps[Step.ENHANCE] is StepState.RUNNING:
            match = _ANSWERS_RE.search(job.message)
            if match:
                self._ai_answers[job_id] = match.group(0)
        else:
            self._ai_answers.pop(job_id, None)

    @Slot()
    def on_cancel_action_triggered(self) -> None:
        """Cancel the selected job."""
        job = self.selected_job()
        if job is not None:
            self._scheduler.cancel(job.id)

    @Slot()
    def on_retry_action_triggered(self) -> None:
        """Queue the selected failed or cancelled job again."""
        job = self.selected_job()
        if job is not None and job.state in {JobState.FAILED, JobState.CANCELLED}:
            self._scheduler.retry(job.id)

    @Slot()
    def on_open_folder_action_triggered(self) -> None:
        """Show the selected job's output folder in the file manager."""
        job = self.selected_job()
        if job is not None:
            folder = job.request.out_dir
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    @Slot()
    def on_export_action_triggered(self) -> None:
        """Ask the window for the export dialog."""
        job = self.selected_job()
        if job is not None and job.state is JobState.DONE:
            self.export_requested.emit(job.id)

    @Slot()
    def on_clear_action_triggered(self) -> None:
        """Forget the ended jobs."""
        self._scheduler.clear_finished()
        self._update_actions()

    @Slot()
    def on_priority_action_triggered(self) -> None:
        """Move the selected queued job to the chosen priority."""
        action = self.sender()
        job = self.selected_job()
        if isinstance(action, QAction) and job is not None:
            self._scheduler.set_priority(job.id, Priority(action.data()))


def step_dot_color(painted: QColor) -> StepState | None:
    """The step state whose (filled) dot has colour ``painted``, if any (for tests)."""
    for state, color in STEP_COLORS.items():
        if state is not StepState.SKIPPED and color.rgb() == painted.rgb():
            return state
    return None
