"""Where tdgen keeps its files: cache, logs, configuration and per-job temporary folders.

Nothing is created on disk until it is needed: :meth:`AppPaths.default` and :meth:`AppPaths.under`
only compute paths. Job folders live in ``jobs_dir/run-<pid>-<token>/<job id>``, so a second
instance of the app never removes the folders of one that is still running, and the leftovers of a
run that crashed are recognised by their dead process id.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

__all__ = ["APP_NAME", "HOME_ENV_VAR", "AppPaths"]

APP_NAME = "tdgen"
"""The application name used for every platform folder."""

HOME_ENV_VAR = "TDGEN_HOME"
"""If set, :meth:`AppPaths.default` puts every folder under this one (tests and CI set it)."""

_log = logging.getLogger(__name__)

_RUN_PREFIX = "run-"
_RUN_TOKEN = secrets.token_hex(4)
"""Tells this process's run folder apart from one left by an earlier process with the same pid."""

_RUN_NAME_RE = re.compile(r"^run-(?P<pid>\d+)-(?P<token>[0-9a-f]+)$")
_JOB_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True, slots=True)
class AppPaths:
    """The folders tdgen writes to.

    Attributes:
        cache_dir: cached data that can be rebuilt (AI answers).
        log_dir: log files and crash logs (``crash-*.log``, written by the window's crash
            hook, secrets scrubbed).
        config_dir: configuration files.
        jobs_dir: temporary job output, one folder per job; cleaned at start.
    """

    cache_dir: Path
    log_dir: Path
    config_dir: Path
    jobs_dir: Path

    @classmethod
    def default(cls) -> AppPaths:
        """The user's platform folders, or those under ``$TDGEN_HOME`` when it is set."""
        home = os.environ.get(HOME_ENV_VAR, "").strip()
        if home:
            return cls.under(Path(home))
        cache_dir = Path(platformdirs.user_cache_dir(APP_NAME))
        return cls(
            cache_dir=cache_dir,
            log_dir=Path(platformdirs.user_log_dir(APP_NAME)),
            config_dir=Path(platformdirs.user_config_dir(APP_NAME)),
            jobs_dir=cache_dir / "jobs",
        )

    @classmethod
    def under(cls, root: Path) -> AppPaths:
        """Every folder under ``root`` (``cache``, ``log``, ``config``, ``cache/jobs``)."""
        root = root.expanduser().absolute()
        return cls(
            cache_dir=root / "cache",
            log_dir=root / "log",
            config_dir=root / "config",
            jobs_dir=root / "cache" / "jobs",
        )

    @property
    def run_dir(self) -> Path:
        """This process's folder inside :attr:`jobs_dir` (not created here)."""
        return self.jobs_dir / f"{_RUN_PREFIX}{os.getpid()}-{_RUN_TOKEN}"

    def ensure_dirs(self) -> None:
        """Create the cache, log and configuration folders if they are missing.

        Raises:
            OSError: a folder cannot be created.
        """
        for folder in (self.cache_dir, self.log_dir, self.config_dir):
            folder.mkdir(parents=True, exist_ok=True)

    def job_temp_dir(self, job_id: str) -> Path:
        """Create (if needed) and return the temporary folder of job ``job_id``.

        Args:
            job_id: letters, digits, ``.``, ``_`` and ``-``; starts with a letter or digit.

        Raises:
            ValueError: ``job_id`` is not a safe folder name.
            OSError: the folder cannot be created.
        """
        if not _JOB_ID_RE.fullmatch(job_id):
            raise ValueError(f"job id {job_id!r} is not a safe folder name")
        folder = self.run_dir / job_id
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def remove_job_temp_dir(self, job_id: str) -> None:
        """Remove the temporary folder of job ``job_id`` (when the job ends); missing is fine."""
        if _JOB_ID_RE.fullmatch(job_id):
            _remove(self.run_dir / job_id)

    def remove_run_dir(self) -> None:
        """Remove every job folder of this process (when the app exits)."""
        _remove(self.run_dir)

    def clean_stale_job_dirs(self) -> int:
        """Remove what earlier runs left in :attr:`jobs_dir` (called at start).

        A run folder is stale when its process is gone, or when it carries this process's id but
        another run's token (the id was reused). Folders of other live processes are kept.

        Returns:
            The number of job folders (and stray entries) removed.
        """
        try:
            entries = list(self.jobs_dir.iterdir())
        except FileNotFoundError:
            return 0
        except OSError as exc:
            _log.warning("Cannot list %s: %s", self.jobs_dir, exc)
            return 0
        removed = 0
        for entry in entries:
            if not _is_stale(entry):
                continue
            count = _count_jobs(entry)
            if _remove(entry):
                removed += count
        if removed:
            _log.info("Removed %d stale job folder(s) from %s", removed, self.jobs_dir)
        return removed


def _is_stale(entry: Path) -> bool:
    """Whether ``entry`` (a child of the jobs folder) belongs to no running tdgen."""
    match = _RUN_NAME_RE.fullmatch(entry.name)
    if match is None or not entry.is_dir():
        return True
    pid = int(match["pid"])
    if pid == os.getpid():
        return match["token"] != _RUN_TOKEN
    return not _process_alive(pid)


def _count_jobs(entry: Path) -> int:
    """The number of job folders in a run folder; a stray entry counts as one."""
    if entry.is_dir() and not entry.is_symlink():
        try:
            return max(1, sum(1 for _ in entry.iterdir()))
        except OSError:
            return 1
    return 1


def _remove(entry: Path) -> bool:
    """Delete a file, link or folder tree; log and return False on failure."""
    try:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    except FileNotFoundError:
        return True
    except OSError as exc:
        _log.warning("Cannot remove %s: %s", entry, exc)
        return False
    return True


def _process_alive(pid: int) -> bool:
    """Whether a process with id ``pid`` is running (errs towards True when unsure)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists but belongs to someone else
    return True


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import ctypes
    from ctypes import wintypes

    _PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
    _STILL_ACTIVE = 259
    _ERROR_INVALID_PARAMETER = 87

    def _windows_process_alive(pid: int) -> bool:
        """Whether ``pid`` runs, without ``os.kill`` (which terminates processes on Windows)."""
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        handle = kernel32.OpenProcess(_PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
        if not handle:
            return ctypes.get_last_error() != _ERROR_INVALID_PARAMETER
        try:
            code = wintypes.DWORD()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == _STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
