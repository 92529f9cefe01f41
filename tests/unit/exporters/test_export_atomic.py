"""Atomic files and writers: nothing under the final name until commit; failures leave no trace."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import pytest

from tdgen_desktop.core import CancelledError, RowBatch, Table
from tdgen_desktop.core.errors import ExportError
from tdgen_desktop.exporters import (
    AtomicFile,
    CasesWriter,
    ExportOptions,
    TableWriter,
    available_formats,
    remove_stale_parts,
    writer_for,
)

_PART = re.compile(r"\.(?P<name>.+)\.[0-9a-f]{12}\.part")


def _parts(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(".part")]


class _Writable(Protocol):
    def write(self, data: Any, /) -> None: ...
    def __enter__(self) -> Any: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
        /,
    ) -> None: ...


def _fail_inside(target: _Writable, data: Any, error: BaseException) -> None:
    """Write ``data`` inside ``with target:``, then raise ``error`` there."""
    with target:
        target.write(data)
        raise error


def _open(writer_cls: type[TableWriter], path: Path, batches: list[RowBatch]) -> TableWriter:
    """A writer for the table and columns of ``batches``."""
    return writer_cls(path, batches[0].table, batches[0].columns, ExportOptions())


@pytest.fixture(params=available_formats(), ids=lambda f: f.value)
def writer_cls(request: pytest.FixtureRequest) -> type[TableWriter]:
    return writer_for(request.param)


# ------------------------------------------------------------------------------- AtomicFile


def test_temporary_file_is_hidden_beside_the_target(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    f = AtomicFile(target)
    f.write("data")

    assert not target.exists()
    assert f.temp_path.parent == tmp_path
    match = _PART.fullmatch(f.temp_path.name)
    assert match is not None
    assert match["name"] == "out.csv"
    assert _parts(tmp_path) == [f.temp_path]
    f.abort()


def test_commit_moves_the_complete_file_onto_the_final_name(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    f = AtomicFile(target)
    f.write("a\r\nb\nc\r")
    f.write("ünïcødé 🎉")

    assert f.commit() == target
    assert target.read_bytes() == "a\r\nb\nc\rünïcødé 🎉".encode()
    assert _parts(tmp_path) == []
    assert f.closed
    assert f.commit() == target  # committing again is harmless


def test_binary_mode_writes_bytes(tmp_path: Path) -> None:
    with AtomicFile(tmp_path / "out.bin", binary=True) as f:
        f.write(b"\x00\r\n\xff")

    assert (tmp_path / "out.bin").read_bytes() == b"\x00\r\n\xff"


def test_abort_leaves_neither_final_nor_temporary_file(tmp_path: Path) -> None:
    f = AtomicFile(tmp_path / "out.txt")
    f.write("partial")
    f.abort()
    f.abort()  # aborting again is harmless

    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RuntimeError, match="aborted"):
        f.write("more")
    with pytest.raises(RuntimeError, match="aborted"):
        f.commit()


def test_abort_after_commit_keeps_the_file(tmp_path: Path) -> None:
    f = AtomicFile(tmp_path / "out.txt")
    f.write("done")
    f.commit()
    f.abort()

    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "done"


def test_context_manager_commits_on_success_and_aborts_on_error(tmp_path: Path) -> None:
    with AtomicFile(tmp_path / "good.txt") as f:
        f.write("good")
    bad = AtomicFile(tmp_path / "bad.txt")
    with pytest.raises(KeyError):
        _fail_inside(bad, "bad", KeyError("boom"))

    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.txt"]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_committed_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with AtomicFile(tmp_path / "out.txt") as f:
            f.write("x")
    finally:
        os.umask(old)

    assert (tmp_path / "out.txt").stat().st_mode & 0o777 == 0o644


# ------------------------------------------------------------------------------- writers


def test_writer_abort_leaves_no_file(
    tmp_path: Path,
    writer_cls: type[TableWriter],
    batches: list[RowBatch],
) -> None:
    writer = _open(writer_cls, tmp_path / "people.out", batches)
    writer.write(batches[0])
    assert _parts(tmp_path) != []
    writer.abort()

    assert list(tmp_path.iterdir()) == []


def test_writer_context_manager_commits(
    tmp_path: Path,
    writer_cls: type[TableWriter],
    batches: list[RowBatch],
) -> None:
    target = tmp_path / f"people.{writer_cls.extension}"
    with _open(writer_cls, target, batches) as writer:
        for batch in batches:
            writer.write(batch)
        assert not target.exists()

    assert target.stat().st_size > 0
    assert list(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize("error", [RuntimeError("boom"), CancelledError()])
def test_exception_inside_with_leaves_no_file(
    tmp_path: Path,
    writer_cls: type[TableWriter],
    batches: list[RowBatch],
    error: Exception,
) -> None:
    writer = _open(writer_cls, tmp_path / "people.out", batches)
    with pytest.raises(type(error)):
        _fail_inside(writer, batches[0], error)

    assert list(tmp_path.iterdir()) == []


def test_commit_replaces_an_existing_file(
    tmp_path: Path,
    writer_cls: type[TableWriter],
    batches: list[RowBatch],
) -> None:
    target = tmp_path / "people.out"
    target.write_bytes(b"earlier export")
    writer = _open(writer_cls, target, batches)
    writer.write(batches[0])
    writer.write(batches[1])
    # Until the commit, readers still see the earlier file, whole.
    assert target.read_bytes() == b"earlier export"

    assert writer.commit() == target
    assert target.read_bytes() != b"earlier export"
    if not writer_cls.binary:  # XLSX and Parquet compress their text
        assert "emoji 🎉".encode() in target.read_bytes()
    assert list(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize("how", ["abort", "exception"])
def test_aborted_rewrite_keeps_the_earlier_file(
    tmp_path: Path,
    writer_cls: type[TableWriter],
    batches: list[RowBatch],
    how: str,
) -> None:
    target = tmp_path / "people.out"
    earlier = "id,text\r\n1,ünïcødé\r\n".encode()
    target.write_bytes(earlier)
    stamp = target.stat().st_mtime_ns

    if how == "abort":
        writer = _open(writer_cls, target, batches)
        writer.write(batches[0])
        writer.abort()
    else:
        writer = _open(writer_cls, target, batches)
        with pytest.raises(ZeroDivisionError):
            _fail_inside(writer, batches[0], ZeroDivisionError())

    assert target.read_bytes() == earlier
    assert target.stat().st_mtime_ns == stamp
    assert list(tmp_path.iterdir()) == [target]


def test_write_after_commit_is_refused(
    tmp_path: Path,
    writer_cls: type[TableWriter],
    batches: list[RowBatch],
) -> None:
    writer = _open(writer_cls, tmp_path / "people.out", batches)
    target = writer.commit()
    size = target.stat().st_size

    with pytest.raises(RuntimeError, match="committed"):
        writer.write(batches[0])
    assert writer.commit() == target
    assert target.stat().st_size == size


def test_cases_writer_is_atomic_too(tmp_path: Path, batches: list[RowBatch]) -> None:
    target = tmp_path / "people.cases.jsonl"
    with pytest.raises(CancelledError):
        _fail_inside(CasesWriter(target), batches[0], CancelledError())

    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------- stale parts


def test_remove_stale_parts_removes_only_our_temporary_files(tmp_path: Path) -> None:
    ours = [tmp_path / ".people.csv.0123456789ab.part", tmp_path / ".a.b.c.json.deadbeef0000.part"]
    others = [
        tmp_path / "people.csv",
        tmp_path / "notes.part",  # not hidden
        tmp_path / ".people.csv.part",  # no random part
        tmp_path / ".people.csv.0123456789AB.part",  # not our hex digits
        tmp_path / ".people.csv.0123456789ab.part.bak",
        tmp_path / ".people.csv.0123.part",
    ]
    for path in ours + others:
        path.write_text("x", encoding="utf-8")
    folder = tmp_path / ".dir.0123456789ab.part"
    folder.mkdir()
    nested = tmp_path / "sub"
    nested.mkdir()
    (nested / ".deep.0123456789ab.part").write_text("x", encoding="utf-8")

    removed = remove_stale_parts(tmp_path)

    assert sorted(removed) == sorted(ours)
    assert not any(p.exists() for p in ours)
    assert all(p.exists() for p in others)
    assert folder.is_dir()
    assert (nested / ".deep.0123456789ab.part").exists()


def test_remove_stale_parts_cleans_up_after_an_interrupted_export(
    tmp_path: Path, people: Table, columns: list[str], batches: list[RowBatch]
) -> None:
    (tmp_path / "people.csv").write_text("earlier", encoding="utf-8")
    writer = writer_for(available_formats()[0])(
        tmp_path / "people.csv", people, columns, ExportOptions()
    )
    writer.write(batches[0])
    assert remove_stale_parts(tmp_path) == []  # an export still writing keeps its file
    # Another process dies in the middle of its export (no clean-up, no abort).
    dying = (
        "import os, sys; from tdgen_desktop.exporters import AtomicFile; "
        "f = AtomicFile(sys.argv[1]); f.write('half a row'); f.stream.flush(); os._exit(9)"
    )
    done = subprocess.run(
        [sys.executable, "-c", dying, str(tmp_path / "other.csv")], check=False, timeout=60
    )
    assert done.returncode == 9
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".other.csv.")]
    assert len(left) == 1

    assert remove_stale_parts(tmp_path) == left
    writer.abort()
    assert [p.name for p in tmp_path.iterdir()] == ["people.csv"]
    assert (tmp_path / "people.csv").read_text(encoding="utf-8") == "earlier"


def test_remove_stale_parts_keeps_recent_files_when_asked(tmp_path: Path) -> None:
    fresh = tmp_path / ".fresh.csv.0123456789ab.part"
    old = tmp_path / ".old.csv.0123456789ab.part"
    fresh.write_text("x", encoding="utf-8")
    old.write_text("x", encoding="utf-8")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))

    assert remove_stale_parts(tmp_path, min_age=600) == [old]
    assert fresh.exists()


def test_remove_stale_parts_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert remove_stale_parts(tmp_path / "nope") == []


def test_other_processes_write_at_the_handed_over_offset(tmp_path: Path) -> None:
    # Worker processes append a chunk's text with os.pwrite between hand_over and take_back;
    # the writer's own text (a header before, an end after) lands around it, in order.
    target = tmp_path / "out.txt"
    file = AtomicFile(target)
    file.write("héader\n")
    fd, start = file.hand_over()
    assert start == len("héader\n".encode())
    code = f"import os; os.pwrite({fd}, 'ünder the writer\\'s feet\\n'.encode(), {start})"
    subprocess.run([sys.executable, "-c", code], pass_fds=[fd], check=True)  # another process
    file.take_back(start + len("ünder the writer's feet\n".encode()))
    file.write("end\n")
    file.commit()
    assert target.read_text(encoding="utf-8") == "héader\nünder the writer's feet\nend\n"


def test_a_failed_write_elsewhere_aborts_and_names_the_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    file = AtomicFile(target)
    file.write("a,b\n")
    error = file.failed(OSError(28, "No space left on device"))
    assert isinstance(error, ExportError)
    assert "out.csv" in error.message
    assert "disk full" in error.message
    assert file.closed
    assert _parts(tmp_path) == []
    assert not target.exists()
