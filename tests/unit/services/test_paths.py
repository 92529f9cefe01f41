"""AppPaths: where tdgen's folders are, per-job temp folders and cleaning what old runs left."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest

from tdgen_desktop.services import AppPaths
from tdgen_desktop.services.paths import HOME_ENV_VAR


def _dead_pid() -> int:
    """The id of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_under_puts_every_folder_below_root(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path)

    assert paths.cache_dir == tmp_path / "cache"
    assert paths.log_dir == tmp_path / "log"
    assert paths.config_dir == tmp_path / "config"
    assert paths.jobs_dir == tmp_path / "cache" / "jobs"
    assert not any(tmp_path.iterdir()), "building paths must not create folders"


def test_default_uses_tdgen_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOME_ENV_VAR, str(tmp_path))

    assert AppPaths.default() == AppPaths.under(tmp_path)


def test_conftest_sets_tdgen_home() -> None:
    home = Path(os.environ[HOME_ENV_VAR])

    assert AppPaths.default().cache_dir.is_relative_to(home)


def test_default_without_tdgen_home_uses_platform_folders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(HOME_ENV_VAR, raising=False)

    paths = AppPaths.default()

    assert paths.cache_dir == Path(platformdirs.user_cache_dir("tdgen"))
    assert paths.log_dir == Path(platformdirs.user_log_dir("tdgen"))
    assert paths.config_dir == Path(platformdirs.user_config_dir("tdgen"))
    assert paths.jobs_dir.parent == paths.cache_dir


def test_ensure_dirs_creates_folders(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path)

    paths.ensure_dirs()

    assert paths.cache_dir.is_dir()
    assert paths.log_dir.is_dir()
    assert paths.config_dir.is_dir()


def test_job_temp_dir_creates_one_folder_per_job(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path)

    first = paths.job_temp_dir("job-1")
    second = paths.job_temp_dir("job-2")

    assert first.is_dir()
    assert second.is_dir()
    assert first != second
    assert first.is_relative_to(paths.jobs_dir)
    assert paths.job_temp_dir("job-1") == first, "asking again returns the same folder"


@pytest.mark.parametrize("job_id", ["", "..", "../escape", "a/b", "a\\b", ".hidden", "x" * 101])
def test_job_temp_dir_rejects_unsafe_ids(tmp_path: Path, job_id: str) -> None:
    with pytest.raises(ValueError, match="job id"):
        AppPaths.under(tmp_path).job_temp_dir(job_id)


def test_remove_job_temp_dir(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path)
    folder = paths.job_temp_dir("job-1")
    (folder / "part.csv").write_text("a,b\n", encoding="utf-8")

    paths.remove_job_temp_dir("job-1")
    paths.remove_job_temp_dir("job-1")  # already gone: no error

    assert not folder.exists()


def test_remove_run_dir(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path)
    paths.job_temp_dir("job-1")
    paths.job_temp_dir("job-2")

    paths.remove_run_dir()

    assert not paths.run_dir.exists()
    assert paths.jobs_dir.is_dir()


def test_clean_stale_job_dirs_without_jobs_folder(tmp_path: Path) -> None:
    assert AppPaths.under(tmp_path).clean_stale_job_dirs() == 0


def test_clean_stale_job_dirs_removes_leftovers_of_ended_runs(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path)
    mine = paths.job_temp_dir("current")
    dead_run = paths.jobs_dir / f"run-{_dead_pid()}-0badcafe"
    for job in ("a", "b"):
        (dead_run / job).mkdir(parents=True)
        (dead_run / job / "rows.csv").write_text("x\n", encoding="utf-8")
    reused_pid_run = paths.jobs_dir / f"run-{os.getpid()}-00000000"  # our pid, another run
    (reused_pid_run / "c").mkdir(parents=True)
    stray_file = paths.jobs_dir / "stray.tmp"
    stray_file.write_text("", encoding="utf-8")
    stray_dir = paths.jobs_dir / "not-a-run"
    stray_dir.mkdir()

    removed = paths.clean_stale_job_dirs()

    assert removed == 5  # jobs a, b, c, the stray file and the stray folder
    assert sorted(p.name for p in paths.jobs_dir.iterdir()) == [paths.run_dir.name]
    assert mine.is_dir()
    assert paths.clean_stale_job_dirs() == 0


def test_clean_stale_job_dirs_keeps_other_running_instances(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path)
    live_run = paths.jobs_dir / f"run-{os.getppid()}-12345678"  # the parent process is alive
    (live_run / "job").mkdir(parents=True)

    assert paths.clean_stale_job_dirs() == 0
    assert (live_run / "job").is_dir()
