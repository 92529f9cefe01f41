"""A table model of the scheduler's jobs that a view can show as it is.

One row per job, in the order jobs were submitted; the columns are listed by :class:`JobColumn`.
Besides the display text, every cell answers :data:`JobTableModel.SORT_ROLE` with a raw value
for sorting, and every row answers :data:`JobTableModel.STEP_STATES_ROLE` with the states of
the five steps (for the coloured dots) and :data:`JobTableModel.JOB_ID_ROLE` with the job id.
"""

from __future__ import annotations

import enum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Slot,
)

from tdgen_desktop.core.enums import Step, StepState
from tdgen_desktop.scheduler.job import STEP_ORDER, Job
from tdgen_desktop.scheduler.queue import RANKS
from tdgen_desktop.scheduler.scheduler import JobScheduler

__all__ = ["JobColumn", "JobTableModel", "StepStates"]

StepStates = tuple[tuple[Step, StepState], ...]
"""The five steps with their states, in order."""

_Index = QModelIndex | QPersistentModelIndex


class JobColumn(enum.IntEnum):
    """The model's columns, in order."""

    ID = 0
    SCHEMA = 1
    PRIORITY = 2
    STATE = 3
    STEP = 4
    PROGRESS = 5
    ROWS = 6
    RATE = 7
    ETA = 8


_HEADERS = {
    JobColumn.ID: "Job",
    JobColumn.SCHEMA: "Schema",
    JobColumn.PRIORITY: "Priority",
    JobColumn.STATE: "State",
    JobColumn.STEP: "Step",
    JobColumn.PROGRESS: "Progress",
    JobColumn.ROWS: "Rows",
    JobColumn.RATE: "Rows/s",
    JobColumn.ETA: "ETA",
}
_NUMERIC = frozenset({JobColumn.PROGRESS, JobColumn.ROWS, JobColumn.RATE, JobColumn.ETA})
_DASH = "—"


def _eta_text(seconds: float | None) -> str:
    if seconds is None:
        return _DASH
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _rows_text(job: Job) -> str:
    if job.rows_total:
        return f"{job.rows_done:,} / {job.rows_total:,}"
    return f"{job.rows_done:,}"


def _display(job: Job, column: JobColumn) -> str:
    match column:
        case JobColumn.ID:
            return job.id
        case JobColumn.SCHEMA:
            return job.schema_name
        case JobColumn.PRIORITY:
            return job.priority.value.capitalize()
        case JobColumn.STATE:
            return job.state.value.capitalize()
        case JobColumn.STEP:
            return job.step.value.capitalize() if job.step is not None else _DASH
        case JobColumn.PROGRESS:
            return f"{job.fraction * 100:.0f} %"
        case JobColumn.ROWS:
            return _rows_text(job)
        case JobColumn.RATE:
            return f"{job.rows_per_s:,.0f}" if job.state.is_active else _DASH
        case JobColumn.ETA:
            return _eta_text(job.eta_s) if job.state.is_active else _DASH


def _sort_value(job: Job, column: JobColumn) -> Any:
    match column:
        case JobColumn.ID:
            return int(job.id.rsplit("-", 1)[-1]) if job.id[-1:].isdigit() else job.id
        case JobColumn.PRIORITY:
            return RANKS[job.priority]
        case JobColumn.STEP:
            return STEP_ORDER.index(job.step) if job.step is not None else -1
        case JobColumn.PROGRESS:
            return job.fraction
        case JobColumn.ROWS:
            return job.rows_done
        case JobColumn.RATE:
            return job.rows_per_s
        case JobColumn.ETA:
            return job.eta_s if job.eta_s is not None else float("inf")
        case _:
            return _display(job, column)


class JobTableModel(QAbstractTableModel):
    """The scheduler's jobs as a read-only table, kept up to date from its signals.

    Roles:
        ``Qt.ItemDataRole.DisplayRole``: the cell's text.
        ``Qt.ItemDataRole.TextAlignmentRole``: numbers right-aligned.
        ``Qt.ItemDataRole.ToolTipRole``: the error message of a failed job.
        :data:`SORT_ROLE`: a raw value for sorting (a proxy's ``sortRole``).
        :data:`STEP_STATES_ROLE`: :data:`StepStates` of the row's job (any column).
        :data:`JOB_ID_ROLE`: the row's job id (any column).
        :data:`FRACTION_ROLE`: progress 0.0 … 1.0 (any column, for a progress-bar delegate).

    Args:
        scheduler: the scheduler whose jobs to show.
        parent: the Qt parent.
    """

    SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
    STEP_STATES_ROLE = int(Qt.ItemDataRole.UserRole) + 2
    JOB_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 3
    FRACTION_ROLE = int(Qt.ItemDataRole.UserRole) + 4

    def __init__(self, scheduler: JobScheduler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._scheduler = scheduler
        self._jobs = scheduler.jobs()  # the records themselves: they change in place
        self._rows = {job.id: row for row, job in enumerate(self._jobs)}
        scheduler.job_added.connect(self._on_scheduler_job_added)
        scheduler.job_state_changed.connect(self._on_scheduler_job_state_changed)
        scheduler.job_priority_changed.connect(self._on_scheduler_job_priority_changed)
        scheduler.job_progressed.connect(self._on_scheduler_job_progressed)
        scheduler.job_removed.connect(self._on_scheduler_job_removed)

    def job_at(self, row: int) -> Job:
        """The job shown in ``row``.

        Raises:
            IndexError: no such row.
        """
        return self._jobs[row]

    def row_of(self, job_id: str) -> int:
        """The row showing ``job_id`` (-1 if none)."""
        return self._rows.get(job_id, -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 — Qt's signature
        """Jobs shown (none under a valid parent: this is a flat table)."""
        return 0 if parent.isValid() else len(self._jobs)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 — Qt's signature
        """The :class:`JobColumn` count."""
        return 0 if parent.isValid() else len(JobColumn)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        """Column titles."""
        if (
            orientation is Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(JobColumn)
        ):
            return _HEADERS[JobColumn(section)]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The value of one cell for ``role``."""
        if not index.isValid() or not 0 <= index.row() < len(self._jobs):
            return None
        job = self._jobs[index.row()]
        column = JobColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(job, column)
        if role == self.SORT_ROLE:
            return _sort_value(job, column)
        if role == self.STEP_STATES_ROLE:
            return tuple((step, job.steps[step]) for step in STEP_ORDER)
        if role == self.JOB_ID_ROLE:
            return job.id
        if role == self.FRACTION_ROLE:
            return job.fraction
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ToolTipRole and job.error is not None:
            return job.error.message
        return None

    @Slot(str)
    def _on_scheduler_job_added(self, job_id: str) -> None:
        row = len(self._jobs)
        self.beginInsertRows(QModelIndex(), row, row)
        self._jobs.append(self._scheduler.job(job_id))
        self._rows[job_id] = row
        self.endInsertRows()

    @Slot(str, str)
    def _on_scheduler_job_state_changed(self, job_id: str, _state: str) -> None:
        self._row_changed(job_id)

    @Slot(str, str)
    def _on_scheduler_job_priority_changed(self, job_id: str, _priority: str) -> None:
        self._row_changed(job_id)

    @Slot(str)
    def _on_scheduler_job_progressed(self, job_id: str) -> None:
        self._row_changed(job_id)

    @Slot(str)
    def _on_scheduler_job_removed(self, job_id: str) -> None:
        row = self._rows.get(job_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._jobs[row]
        self._rows = {job.id: r for r, job in enumerate(self._jobs)}
        self.endRemoveRows()

    def _row_changed(self, job_id: str) -> None:
        row = self._rows.get(job_id)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(JobColumn) - 1))
