"""``run_jobs``: the command line's way through the scheduler, without a window."""

from __future__ import annotations

import csv
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from tdgen_desktop.core.enums import Priority, Step
from tdgen_desktop.generation.pipeline import GenerationRequest
from tdgen_desktop.importers import load_schema
from tdgen_desktop.scheduler import Job, JobState, run_jobs
from tdgen_desktop.services import AppPaths

SCHEMA = {
    "title": "item",
    "type": "object",
    "required": ["id", "qty"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "x-unique": True},
        "qty": {"type": "integer", "minimum": 0, "maximum": 99},
        "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
    },
}


@pytest.fixture
def schema(tmp_path: Path) -> Path:
    path = tmp_path / "item.json"
    path.write_text(json.dumps(SCHEMA), encoding="utf-8")
    return path


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths.under(tmp_path / "home")


def request(schema: Path, out: Path, rows: int = 300, chunk: int = 100) -> GenerationRequest:
    return GenerationRequest(source=schema, out_dir=out, rows=rows, seed=3, chunk_size=chunk)


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_run_jobs_runs_every_job_to_its_end(
    qapp: Any, tmp_path: Path, schema: Path, paths: AppPaths
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    seen: list[tuple[str, JobState, Step | None]] = []

    def on_progress(job_id: str, job: Job) -> None:
        seen.append((job_id, job.state, job.step))

    jobs = run_jobs(
        [
            (request(schema, tmp_path / "a"), Priority.LOW),
            (request(broken, tmp_path / "b"), Priority.HIGH),
            (request(schema, tmp_path / "c", rows=500), Priority.NORMAL),
        ],
        on_progress,
        workers=1,
        paths=paths,
    )
    assert [job.state for job in jobs] == [JobState.DONE, JobState.FAILED, JobState.DONE]
    assert jobs[1].error is not None
    assert "broken.json" in jobs[1].error.message
    assert [job.rows_done for job in jobs] == [300, 0, 500]
    assert sorted(p.name for p in files_under(tmp_path / "c")) == ["item.cases.jsonl", "item.csv"]
    # One worker, all queued together: HIGH, then NORMAL, then LOW.
    starts = [job_id for job_id, state, _ in seen if state is JobState.RUNNING]
    assert list(dict.fromkeys(starts)) == [jobs[1].id, jobs[2].id, jobs[0].id]
    assert (jobs[0].id, JobState.DONE, Step.EXPORT) in seen
    assert not paths.run_dir.exists() or not any(paths.run_dir.iterdir())


def test_ctrl_c_cancels_every_job_and_leaves_no_file(
    qapp: Any, tmp_path: Path, schema: Path, paths: AppPaths
) -> None:
    interrupted: list[str] = []

    def on_progress(job_id: str, job: Job) -> None:
        if job.rows_done > 0 and not interrupted:
            interrupted.append(job_id)
            signal.raise_signal(signal.SIGINT)

    previous = signal.getsignal(signal.SIGINT)
    requests = [
        (request(schema, tmp_path / f"o{i}", rows=5_000_000), Priority.NORMAL) for i in (1, 2)
    ]
    requests.append((request(schema, tmp_path / "o3"), Priority.LOW))
    with pytest.raises(KeyboardInterrupt):
        run_jobs(requests, on_progress, workers=2, paths=paths)
    assert interrupted
    assert signal.getsignal(signal.SIGINT) is previous
    for i in (1, 2, 3):
        assert files_under(tmp_path / f"o{i}") == []
    assert not paths.run_dir.exists() or not any(paths.run_dir.iterdir())


def test_run_jobs_generates_from_the_datasets_it_is_given(
    qapp: Any, tmp_path: Path, schema: Path, paths: AppPaths
) -> None:
    # The command line hands each job the dataset its pre-flight check imported; a job given a
    # dataset must generate from it, not read the file again.
    edited = load_schema(schema)
    edited.tables[0].field("qty").constraints.maximum = 5
    jobs = run_jobs(
        [
            (request(schema, tmp_path / "given"), Priority.NORMAL),
            (request(schema, tmp_path / "read"), Priority.NORMAL),
        ],
        workers=1,
        paths=paths,
        datasets=[edited],
    )
    assert [job.state for job in jobs] == [JobState.DONE, JobState.DONE]

    def quantities(folder: Path) -> list[int]:
        with (folder / "item.csv").open(encoding="utf-8", newline="") as handle:
            return [int(row["qty"]) for row in csv.DictReader(handle)]

    assert max(quantities(tmp_path / "given")) <= 5
    assert max(quantities(tmp_path / "read")) > 5


def test_an_error_in_the_callback_stops_the_jobs_and_is_raised(
    qapp: Any, tmp_path: Path, schema: Path, paths: AppPaths
) -> None:
    def on_progress(_job_id: str, job: Job) -> None:
        if job.rows_done:
            raise RuntimeError("callback broke")

    with pytest.raises(RuntimeError, match="callback broke"):
        run_jobs(
            [(request(schema, tmp_path / "x", rows=5_000_000), Priority.HIGH)],
            on_progress,
            paths=paths,
        )
    assert files_under(tmp_path / "x") == []


def test_run_jobs_creates_a_core_application_when_there_is_none(
    tmp_path: Path, schema: Path
) -> None:
    code = textwrap.dedent(
        f"""
        from pathlib import Path
        from PySide6.QtCore import QCoreApplication
        from tdgen_desktop.core.enums import Priority
        from tdgen_desktop.generation.pipeline import GenerationRequest
        from tdgen_desktop.scheduler import run_jobs

        request = GenerationRequest(
            source=Path({str(schema)!r}), out_dir=Path({str(tmp_path / "out")!r}), rows=250, seed=5
        )
        jobs = run_jobs([(request, Priority.HIGH)])
        print(type(QCoreApplication.instance()).__name__, jobs[0].state.value, jobs[0].rows_done)
        """
    )
    env = {**os.environ, "TDGEN_HOME": str(tmp_path / "home")}
    env.pop("QT_QPA_PLATFORM", None)  # no GUI platform needed
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["QCoreApplication", "done", "250"]
    assert (tmp_path / "out" / "item.csv").is_file()
    jobs_dir = AppPaths.under(tmp_path / "home").jobs_dir
    assert not jobs_dir.exists() or not any(jobs_dir.iterdir())


def test_ctrl_c_in_a_terminal_exits_130_and_leaves_no_file(tmp_path: Path) -> None:
    """`tdgen generate a.json b.json --priority high` in a terminal: one progress bar per job;
    SIGINT to the real process while both write their temporary files: exit 130, no file under
    the output folder (final or temporary), no job folder left."""
    bench = Path(__file__).resolve().parents[2] / "bench" / "customers.schema.json"
    for name in ("a", "b"):
        (tmp_path / f"{name}.json").write_bytes(bench.read_bytes())
    out, home = tmp_path / "out", tmp_path / "home"
    argv = [sys.executable, "-m", "tdgen_desktop", "generate", "a.json", "b.json"]
    argv += ["--priority", "high", "--rows", "5000000", "--out", str(out)]
    env = {**os.environ, "TDGEN_HOME": str(home), "COLUMNS": "120"}
    terminal, child_end = pty.openpty()  # stderr a terminal: progress bars are drawn
    process = subprocess.Popen(
        argv, cwd=tmp_path, env=env, stdin=child_end, stdout=child_end, stderr=child_end
    )
    os.close(child_end)
    screen = b""

    def read_for(seconds: float) -> None:
        nonlocal screen
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if select.select([terminal], [], [], 0.05)[0]:
                try:
                    screen += os.read(terminal, 65536)
                except OSError:  # the child closed the terminal
                    return

    def both_writing() -> bool:
        text = screen.decode(errors="replace")
        bars = {name for name in ("a.json", "b.json") if re.search(rf"{name} · \w+", text)}
        temporary = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
        return bars == {"a.json", "b.json"} and len(temporary) >= 2

    try:
        deadline = time.monotonic() + 90
        while not both_writing() and time.monotonic() < deadline:
            read_for(0.2)
        assert both_writing(), screen.decode(errors="replace")[-2000:]
        process.send_signal(signal.SIGINT)
        asked = time.monotonic()
        read_for(10)
        code = process.wait(10)
        stopped = time.monotonic() - asked
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(terminal)
    assert code == 130
    assert stopped < 10
    text = screen.decode(errors="replace")
    assert "cancelled; no output files were written" in text
    assert "Traceback" not in text
    assert files_under(out) == []
    assert files_under(AppPaths.under(home).jobs_dir) == []
