"""The priority job scheduler: every generation is a job, queued by priority, run on a pool.

QtCore only (no widgets): the window and the command line share it. ``JobScheduler`` queues jobs
(HIGH / NORMAL / LOW, first-in-first-out, with aging), runs them on its own ``QThreadPool`` and
reports through Qt signals; ``Job`` is the record of one job; ``SchedulerStatus`` a snapshot of
the whole; ``JobTableModel`` shows the jobs in a view; ``run_jobs`` runs jobs headless.
"""

from tdgen_desktop.scheduler.headless import ProgressCallback, run_jobs
from tdgen_desktop.scheduler.job import STEP_ORDER, Job, JobError, JobState
from tdgen_desktop.scheduler.model import JobColumn, JobTableModel, StepStates
from tdgen_desktop.scheduler.queue import DEFAULT_AGING_S, JobQueue
from tdgen_desktop.scheduler.runner import PipelineFn
from tdgen_desktop.scheduler.scheduler import (
    DEFAULT_WORKERS,
    PROGRESS_INTERVAL_S,
    RESPONSIVE_SWITCH_INTERVAL_S,
    JobScheduler,
)
from tdgen_desktop.scheduler.status import SchedulerStatus

__all__ = [
    "DEFAULT_AGING_S",
    "DEFAULT_WORKERS",
    "PROGRESS_INTERVAL_S",
    "RESPONSIVE_SWITCH_INTERVAL_S",
    "STEP_ORDER",
    "Job",
    "JobColumn",
    "JobError",
    "JobQueue",
    "JobScheduler",
    "JobState",
    "JobTableModel",
    "PipelineFn",
    "ProgressCallback",
    "SchedulerStatus",
    "StepStates",
    "run_jobs",
]
