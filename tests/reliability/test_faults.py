"""Faults while exporting: a read-only folder, a full disk, a process killed mid-export, a storm
of cancels.

The read-only folder and the full disk are real file systems: a 1 MB / 256 kB ``tmpfs`` mounted
for the test (the tests run as root in CI and on the development machines; where mounting is
refused, the read-only case falls back to a folder without write permission — non-root only —
and the full disk to a writer whose writes fail with ``ENOSPC``, and the record says so). The
command line runs as a user runs it: ``python -m tdgen_desktop`` in a subprocess with its own
``TDGEN_HOME``.
"""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tdgen_desktop.core.enums import CaseKind, ExportFormat, Priority
from tdgen_desktop.core.errors import ExportError
from tdgen_desktop.exporters import AtomicFile
from tdgen_desktop.generation.pipeline import GenerationRequest, run_pipeline
from tdgen_desktop.scheduler import JobScheduler, JobState
from tdgen_desktop.services import AppPaths

ROOT = Path(__file__).resolve().parents[2]
ORDER = ROOT / "resources" / "examples" / "order.schema.json"
WAIT_MS = 120_000

Recorder = Callable[..., None]


# ====================================================================== helpers


def tdgen(
    *args: str | Path, home: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m tdgen_desktop ARGS`` with its own ``TDGEN_HOME``."""
    return subprocess.run(
        [sys.executable, "-m", "tdgen_desktop", *map(str, args)],
        env=_env(home, env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    full = {**os.environ, "PYTHONIOENCODING": "utf-8", "TDGEN_HOME": str(home)}
    for name in ("TDGEN_DEBUG", "TDGEN_AI_PROVIDER", "TDGEN_AI_API_KEY"):
        full.pop(name, None)
    full.update(extra or {})
    return full


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name → bytes)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def parts(folder: Path) -> list[Path]:
    """Temporary export files (``.<name>.<hex>.part``) under ``folder``."""
    return sorted(p for p in folder.rglob(".*.part") if p.is_file())


class Mounts:
    """Small ``tmpfs`` file systems made for one test and unmounted after it."""

    def __init__(self) -> None:
        self.mounted: list[Path] = []

    def tmpfs(self, folder: Path, size: str) -> bool:
        """Mount a ``tmpfs`` of ``size`` on ``folder``; False when this machine refuses."""
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            return False
        self.mounted.append(folder)
        return True

    def read_only(self, folder: Path) -> None:
        """Remount ``folder`` (a mount of this test) read-only."""
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)

    def unmount_all(self) -> None:
        for folder in reversed(self.mounted):
            subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture
def mounts() -> Iterator[Mounts]:
    made = Mounts()
    yield made
    made.unmount_all()


class FillsUp:
    """A file stream on a disk that is full after ``limit`` bytes (writes raise ``ENOSPC``)."""

    def __init__(self, stream: Any, limit: int) -> None:
        self._stream, self._left = stream, limit

    def write(self, data: Any) -> int:
        self._left -= len(data)
        if self._left < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return int(self._stream.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _earlier_export(out: Path, home: Path) -> dict[str, bytes]:
    done = tdgen("generate", ORDER, "--rows", "5", "--seed", "1", "-q", "--out", out, home=home)
    assert done.returncode == 0, done.stderr
    return snapshot(out)


# ====================================================================== read-only folder


def test_export_into_a_read_only_folder_fails_cleanly(
    tmp_path: Path, mounts: Mounts, record: Recorder
) -> None:
    out = tmp_path / "readonly"
    home = tmp_path / "home"
    if mounts.tmpfs(out, "1m"):
        earlier = _earlier_export(out, home)
        mounts.read_only(out)
        how = "a tmpfs remounted read-only"
    else:
        assert os.geteuid() != 0, "cannot mount a tmpfs, and root ignores folder permissions"
        earlier = _earlier_export(out, home)
        out.chmod(0o555)
        how = "a folder without write permission"

    done = tdgen("generate", ORDER, "--rows", "50", "--out", out, home=home)

    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"the folder {out} is read-only" in lines[0] or "no permission" in lines[0]
    assert lines[0].startswith(f"tdgen: error: {out / 'order.csv'}")
    assert snapshot(out) == earlier  # nothing written, the earlier export untouched
    assert parts(out) == []
    record(
        "Faults",
        f"export into a read-only folder ({how})",
        f"exit 2 — {lines[0][14:].replace(str(out), 'DIR')}; "
        "the earlier export in the folder is byte-identical, nothing else written",
    )


# ====================================================================== full disk


def test_a_full_disk_leaves_no_file_and_the_earlier_export_untouched(
    tmp_path: Path, mounts: Mounts, record: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "small-disk"
    home = tmp_path / "home"
    # a second table, "ledger", is exported after the earlier "order" files
    ledger = tmp_path / "ledger.schema.json"
    ledger.write_text(ORDER.read_text(encoding="utf-8").replace('"order"', '"ledger"'), "utf-8")
    mounted = mounts.tmpfs(out, "256k")
    earlier = _earlier_export(out, home)
    if mounted:
        # the same table again (its files exist) and a new one (no file yet)
        for schema in (ORDER, ledger):
            done = tdgen("generate", schema, "--rows", "200000", "--out", out, home=home)
            assert done.returncode == 2
            message = done.stderr.strip()
            assert len(message.splitlines()) == 1, message
            assert "disk full" in message
        how, figure = "a 256 kB tmpfs filled by 200,000-row exports", "256 kB"
    else:  # no mount allowed here: the file stream fails as on a full disk
        create = AtomicFile._create

        def create_on_a_full_disk(self: AtomicFile, *, binary: bool) -> tuple[Path, Any]:
            temp, stream = create(self, binary=binary)
            return temp, FillsUp(stream, 64 * 1024)

        monkeypatch.setattr(AtomicFile, "_create", create_on_a_full_disk)
        for schema in (ORDER, ledger):
            request = GenerationRequest(source=schema, out_dir=out, rows=200_000)
            with pytest.raises(ExportError) as caught:
                run_pipeline(request)
            message = caught.value.message
            assert "disk full" in message
        how, figure = "ENOSPC injected into the file stream (mounting refused)", "injected"

    assert "Traceback" not in message
    assert snapshot(out) == earlier  # order.* are the earlier files; no ledger.* at all
    assert not (out / "ledger.csv").exists()
    assert parts(out) == []
    record(
        "Faults",
        f"full disk during export ({how}): a table exported before, and a new one",
        f"exit 2 — '{message.removeprefix('tdgen: error: ').replace(str(out), 'DIR')}'; "
        "the earlier export byte-identical, no file under the new table's name, temporary "
        "files removed",
        figure,
    )


# ====================================================================== SIGKILL mid-export


def _wait_for_part_with_data(out: Path, process: subprocess.Popen[bytes]) -> Path:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "the export ended before it could be killed"
        # mid-export: both the data file and the labels file have text in them (workers write
        # into the files themselves, so the data file's header can come well before the rest)
        found = {p.name.split(".")[2]: p for p in parts(out) if p.stat().st_size}
        if {"csv", "cases"} <= found.keys():
            return found["csv"]
        time.sleep(0.05)  # polling another process's files: there is no signal to wait on
    raise AssertionError("no temporary export file appeared")


@pytest.mark.slow
@pytest.mark.parametrize("next_start", ["cli", "app"])
def test_sigkill_mid_export_leaves_no_partial_file_and_the_next_start_cleans_up(
    next_start: str, tmp_path: Path, record: Recorder
) -> None:
    out = tmp_path / "out"
    home = tmp_path / "home"
    earlier = _earlier_export(out, home)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "tdgen_desktop", "generate", ORDER, "--rows", "3000000", "-q",
         "--out", str(out)],
        env=_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the whole app, worker processes included, is killed
    )  # fmt: skip
    try:
        part = _wait_for_part_with_data(out, process)
        os.killpg(process.pid, signal.SIGKILL)
        assert process.wait(30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)
    killed_after = time.monotonic() - started
    part_bytes = part.stat().st_size

    leftovers = parts(out)
    assert part in leftovers  # the kill really hit an export in progress
    assert (out / "order.csv").read_bytes() == earlier["order.csv"]
    assert {p.name for p in out.iterdir() if not p.name.endswith(".part")} == set(earlier)
    jobs_dir = AppPaths.under(home).jobs_dir
    stale_runs = [p for p in jobs_dir.iterdir() if p.name.startswith(f"run-{process.pid}-")]
    assert stale_runs, "the killed run left no job folder: nothing to clean up"

    if next_start == "cli":
        again = tdgen("generate", ORDER, "--rows", "5", "--seed", "1", "-q", "--out", out,
                      home=home)  # fmt: skip
        assert again.returncode == 0, again.stderr
        how = "the next `tdgen generate` into the folder"
    else:
        config = home / "config"
        config.mkdir(parents=True, exist_ok=True)
        (config / "tdgen.ini").write_text(f"[generation]\noutput_dir={out}\n", encoding="utf-8")
        again = subprocess.run(
            [sys.executable, "-m", "tdgen_desktop", "gui"],
            env=_env(home, {"TDGEN_MEASURE_STARTUP": "1", "QT_QPA_PLATFORM": "offscreen"}),
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert again.returncode == 0, again.stderr
        assert "tdgen-startup:" in again.stdout
        how = "the next start of the window (output folder from the settings)"

    assert parts(out) == []
    assert all(not p.exists() for p in stale_runs)
    assert snapshot(out) == earlier  # the same seed gives the same bytes; nothing else left
    record(
        "Faults",
        f"SIGKILL in the middle of a 3,000,000-row CSV export; next start: {how}",
        f"no file under the final name changed (earlier export byte-identical); the "
        f"{len(leftovers)} temporary file(s) and the killed run's job folder were removed",
        f"killed after {killed_after:.1f} s with {part_bytes / 1e6:.1f} MB in the temp file",
    )


# ====================================================================== cancel storm

SIZES = (50, 200, 1000, 3000)


def test_cancel_storm_of_100_jobs_leaves_consistent_state(
    qtbot: QtBot, tmp_path: Path, record: Recorder
) -> None:
    paths = AppPaths.under(tmp_path / "home")
    scheduler = JobScheduler(paths, workers=2)
    rng = random.Random(100)
    priorities = (Priority.HIGH, Priority.NORMAL, Priority.LOW)
    requests = [
        (
            GenerationRequest(
                source=ORDER,
                out_dir=tmp_path / "out" / f"job{i:03d}",
                rows=rng.choice(SIZES),
                cases=frozenset({CaseKind.VALID, CaseKind.INVALID})
                if i % 3
                else frozenset({CaseKind.VALID}),
                format=rng.choice((ExportFormat.CSV, ExportFormat.JSONL, ExportFormat.XLSX)),
                seed=i,
            ),
            rng.choice(priorities),
        )
        for i in range(100)
    ]
    try:
        ids = scheduler.submit_many(requests)
        qtbot.waitUntil(lambda: scheduler.status().running == 2, timeout=WAIT_MS)
        running_at_cancel = [j for j in ids if scheduler.job(j).state is JobState.RUNNING]
        order = ids[:]
        rng.shuffle(order)
        started = time.perf_counter()
        answers = [scheduler.cancel(job_id) for job_id in order]
        cancel_calls_s = time.perf_counter() - started
        qtbot.waitUntil(lambda: scheduler.status().idle, timeout=WAIT_MS)
        jobs = [scheduler.job(j) for j in ids]
        status = scheduler.status()
    finally:
        scheduler.shutdown()

    assert len(running_at_cancel) == 2
    assert all(answers)  # every job was queued or running when cancelled
    assert all(job.state.is_final for job in jobs)
    by_state = {state: sum(job.state is state for job in jobs) for state in JobState}
    assert by_state[JobState.DONE] + by_state[JobState.FAILED] + by_state[JobState.CANCELLED] == 100
    assert (status.completed, status.failed, status.cancelled) == (
        by_state[JobState.DONE],
        by_state[JobState.FAILED],
        by_state[JobState.CANCELLED],
    )
    assert (status.queued_high, status.queued_normal, status.queued_low, status.running) == (
        0,
        0,
        0,
        0,
    )
    assert by_state[JobState.FAILED] == 0
    assert by_state[JobState.CANCELLED] >= 98
    out = tmp_path / "out"
    assert parts(out) == []
    for job in jobs:  # a cancelled job leaves nothing; a done one (cancel too late) its files
        folder = job.request.out_dir
        if job.state is JobState.CANCELLED:
            assert not folder.exists()  # not even the output folder it created
        else:
            assert job.result is not None
            assert all(p.is_file() and p.stat().st_size for p in job.result.paths)
    assert not paths.run_dir.exists() or list(paths.run_dir.iterdir()) == []
    record(
        "Faults",
        "100 queued and running jobs (mixed priorities, sizes, formats) cancelled "
        "one after another in random order, 2 workers",
        f"every job final: {by_state[JobState.CANCELLED]} cancelled, "
        f"{by_state[JobState.DONE]} done (cancel came after the last chunk), 0 failed; status "
        "counts match; no temporary file, no output of a cancelled job, no job folder left",
        f"100 cancel calls in {cancel_calls_s * 1000:.0f} ms",
    )
