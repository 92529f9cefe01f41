"""Chunks made in worker processes: the same files for any number of processes, clean cancel.

These run the real pipeline with real forked workers on real schemas; small chunks make many
chunks from few rows, so the round-robin over workers and the in-order fix-up are exercised.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from tdgen_desktop.core.enums import ExportFormat
from tdgen_desktop.core.errors import CancelledError, TdgenError
from tdgen_desktop.core.rows import RowBatch
from tdgen_desktop.core.targets import FileTarget
from tdgen_desktop.exporters import CasesWriter
from tdgen_desktop.exporters.base import TableWriter
from tdgen_desktop.generation.parallel import CAN_FORK, Chunk, make_chunks
from tdgen_desktop.generation.pipeline import (
    CancelToken,
    GenerationRequest,
    ProgressEvent,
    run_pipeline,
)


def _children() -> set[int]:
    """This process's child processes, running or not yet reaped (zombies)."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            found.update(int(pid) for pid in (task / "children").read_text().split())
    return found


@pytest.fixture
def reaped() -> Iterator[None]:
    """Fail the test when it leaves a worker process behind, running or unreaped. (Other
    children of the test session — e.g. a database server — were there before and stay.)"""
    before = _children()
    yield
    left = _children() - before
    assert not left, f"worker processes left behind: {sorted(left)}"


def test_this_platform_forks_workers() -> None:
    assert CAN_FORK, "the suite runs on Linux, where chunks are made in forked workers"


_UNIQUE_SCHEMA = {
    "type": "object",
    "required": ["code", "handle", "email", "first_name", "last_name", "n"],
    "properties": {
        # Three letters: 17,576 values, so 4,000 rows repeat values across chunks and the
        # fix-up in the job has real work to do.
        "code": {"type": "string", "pattern": "^[A-Z]{3}$", "x-unique": True},
        "handle": {"type": "string", "minLength": 2, "maxLength": 4, "x-unique": True},
        "first_name": {"type": "string", "maxLength": 30},
        "last_name": {"type": "string", "maxLength": 30},
        "email": {"type": "string", "format": "email", "x-unique": True},
        "n": {"type": "integer", "minimum": 0, "maximum": 9000, "x-unique": True},
    },
    "additionalProperties": False,
}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _run(source: Path, out: Path, processes: int, **options: object) -> dict[str, bytes]:
    request = GenerationRequest(
        source=source, out_dir=out, processes=processes, chunk_size=200, seed=11, **options
    )
    result = run_pipeline(request)
    assert result.validation_failures == 0
    return _files(out)


@pytest.fixture
def unique_schema(tmp_path: Path) -> Path:
    path = tmp_path / "unique.schema.json"
    path.write_text(json.dumps(_UNIQUE_SCHEMA), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", [ExportFormat.CSV, ExportFormat.JSONL, ExportFormat.JSON])
def test_files_identical_for_any_number_of_processes(
    unique_schema: Path, tmp_path: Path, fmt: ExportFormat
) -> None:
    counts = (0, 1, 3) if fmt is ExportFormat.CSV else (0, 3)
    made = {n: _run(unique_schema, tmp_path / f"p{n}", n, rows=4000, format=fmt) for n in counts}
    assert all(files == made[0] for files in made.values())
    if fmt is ExportFormat.CSV:
        with (tmp_path / "p3" / "unique.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == 4000
        for column in ("code", "handle", "email", "n"):
            assert len({row[column] for row in rows}) == 4000, column


def test_related_tables_identical_for_any_number_of_processes(corpus: Path, tmp_path: Path) -> None:
    source = corpus / "sql" / "chinook-sqlite.sql"
    made = {
        n: _run(source, tmp_path / f"p{n}", n, rows=1500, format=ExportFormat.SQL) for n in (0, 2)
    }
    assert made[0] == made[2]
    assert len(made[2]) > 10  # every table, with its cases file


def test_benchmark_schema_identical_and_progress_complete(corpus: Path, tmp_path: Path) -> None:
    source = corpus.parent / "bench" / "customers.schema.json"
    events: list[ProgressEvent] = []
    request = GenerationRequest(
        source=source, out_dir=tmp_path / "p2", rows=5000, processes=2, chunk_size=250
    )
    run_pipeline(request, events.append)
    single = GenerationRequest(
        source=source, out_dir=tmp_path / "p0", rows=5000, processes=0, chunk_size=250
    )
    run_pipeline(single)
    assert _files(tmp_path / "p2") == _files(tmp_path / "p0")
    done = [e.rows_done for e in events]
    assert done == sorted(done)
    assert done[-1] == 5000
    assert events[-1].fraction == 1.0


@pytest.mark.parametrize("fmt", [ExportFormat.CSV, ExportFormat.SQL])
def test_workers_write_the_text_into_the_files_themselves(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: ExportFormat
) -> None:
    # When the job needs nothing of the rows but their text, the workers write it into the
    # data and cases files at the offsets the job gives them: the job's writers never get it.
    source = corpus.parent / "bench" / "customers.schema.json"
    single = _run(source, tmp_path / "p0", 0, rows=3000, format=fmt, with_ddl=True)

    def job_must_not_write(*_args: object) -> None:
        raise AssertionError("the job wrote a chunk's text itself")

    monkeypatch.setattr(TableWriter, "write_text", job_must_not_write)
    monkeypatch.setattr(CasesWriter, "write_text", job_must_not_write)
    placed = _run(source, tmp_path / "p2", 2, rows=3000, format=fmt, with_ddl=True)
    assert placed == single  # header, DDL, every chunk and the end, byte for byte


def test_a_worker_that_cannot_write_fails_the_job_with_the_targets_error(
    tmp_path: Path, reaped: None
) -> None:
    path = tmp_path / "read-only.txt"
    path.write_text("", encoding="utf-8")
    fd = os.open(path, os.O_RDONLY)  # os.pwrite on it fails with EBADF, as a full disk would
    seen: list[OSError] = []

    def failed(error: OSError) -> Exception:
        seen.append(error)
        return TdgenError(f"cannot write {path.name}: {error.strerror}")

    def encode(batch: RowBatch) -> str:
        return "".join(f"{row[0]}\n" for row in batch.rows)

    chunks = [Chunk(i, i * 10, 10) for i in range(6)]
    try:
        made = make_chunks(
            _FailingProvider("never"),
            _Plan(),  # type: ignore[arg-type]
            chunks,
            2,
            None,
            CancelToken(),
            [encode],
            confirm=lambda _columns, _rows, _flagged: [],
            targets=[FileTarget(fd, 0, failed)],
        )
        with pytest.raises(TdgenError, match=r"cannot write read-only\.txt"):
            list(made)
    finally:
        os.close(fd)
    assert [error.errno for error in seen] == [errno.EBADF]


def test_cancel_stops_workers_and_leaves_nothing(
    corpus: Path, tmp_path: Path, reaped: None
) -> None:
    out = tmp_path / "out"
    cancel = CancelToken()

    def progress(event: ProgressEvent) -> None:
        if event.rows_done >= 1000:
            cancel.cancel()

    request = GenerationRequest(
        source=corpus.parent / "bench" / "customers.schema.json",
        out_dir=out,
        rows=1_000_000,
        processes=2,
        chunk_size=200,
    )
    with pytest.raises(CancelledError):
        run_pipeline(request, progress, cancel)
    assert not out.exists()


class _FailingProvider:
    """Makes rows like the null provider until chunk 3, then fails as a schema rule would (or
    the worker dies); ``never`` makes every chunk."""

    def __init__(self, fail_how: str) -> None:
        self.fail_how = fail_how

    def rows(self, plan: object, chunk: int, start: int, count: int) -> list[tuple[int]]:  # noqa: ARG002
        if chunk == 3 and self.fail_how != "never":
            if self.fail_how == "error":
                raise TdgenError("no value satisfying every rule was found", field="x")
            os._exit(9)  # the worker dies as if the system killed it
        return [(start + i,) for i in range(count)]


class _Plan:
    independent = True
    columns: ClassVar[list[str]] = ["x"]
    table = None  # the encoders of these tests do not look at it


@pytest.mark.parametrize("fail_how", ["error", "death"])
def test_worker_failures_reach_the_job(fail_how: str, reaped: None) -> None:
    chunks = [Chunk(i, i * 10, 10) for i in range(6)]
    made = make_chunks(_FailingProvider(fail_how), _Plan(), chunks, 2, None, CancelToken())  # type: ignore[arg-type]
    got = []
    with pytest.raises(TdgenError) as caught:
        got.extend(chunk.rows[0][0] for chunk in made)
    assert got == [0, 10, 20]  # chunks before the failure arrive, in order
    expected = "no value satisfying" if fail_how == "error" else "stopped unexpectedly"
    assert expected in caught.value.message


def test_workers_from_a_thread_with_other_threads_running(
    unique_schema: Path, tmp_path: Path
) -> None:
    """The scheduler runs jobs on pool threads while the window's thread runs: fork from there."""
    stop = threading.Event()
    busy = threading.Thread(target=lambda: stop.wait(30), daemon=True)
    busy.start()
    results: list[dict[str, bytes]] = []
    worker = threading.Thread(
        target=lambda: results.append(_run(unique_schema, tmp_path / "t", 2, rows=3000))
    )
    worker.start()
    worker.join(120)
    stop.set()
    assert results
    assert results[0] == _run(unique_schema, tmp_path / "s", 0, rows=3000)
