"""OS failures become one-line ``ExportError``s naming the file, and leave no trace."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tdgen_desktop.core import ExportError, RowBatch, Table, TdgenError
from tdgen_desktop.exporters import (
    AtomicFile,
    CasesWriter,
    ExportOptions,
    TableWriter,
    available_formats,
    writer_for,
)


@pytest.fixture(params=available_formats(), ids=lambda f: f.value)
def writer_cls(request: pytest.FixtureRequest) -> type[TableWriter]:
    return writer_for(request.param)


def _can_write_in(folder: Path) -> bool:
    """Whether files can be created in ``folder`` (root ignores a folder's mode bits)."""
    probe = folder / "probe"
    try:
        probe.write_bytes(b"")
    except PermissionError:
        return False
    probe.unlink()
    return True


@pytest.fixture
def unwritable_target(tmp_path: Path) -> Iterator[Path]:
    """A target in a read-only folder; when running as root (where chmod does not stop writes),
    a target whose "folder" is a regular file."""
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    try:
        if _can_write_in(folder):
            blocker = tmp_path / "a-file"
            blocker.write_text("not a folder", encoding="utf-8")
            yield blocker / "out.csv"
        else:
            yield folder / "out.csv"
    finally:
        folder.chmod(0o755)


def _assert_clean_error(error: ExportError, target: Path) -> None:
    assert isinstance(error, TdgenError)
    assert isinstance(error, OSError)
    assert error.file == str(target)
    assert error.message.startswith(f"{target}: ")
    assert str(error) == error.message
    assert "\n" not in error.message
    assert ".part" not in error.message  # the user's file name, not our temporary one


def test_unwritable_folder_is_an_export_error(unwritable_target: Path) -> None:
    with pytest.raises(ExportError) as caught:
        AtomicFile(unwritable_target)

    _assert_clean_error(caught.value, unwritable_target)
    assert "cannot create: " in caught.value.message
    assert "[Errno" in caught.value.message


def test_unwritable_folder_fails_every_writer(
    unwritable_target: Path, writer_cls: type[TableWriter], people: Table, columns: list[str]
) -> None:
    with pytest.raises(ExportError) as caught:
        writer_cls(unwritable_target, people, columns, ExportOptions())

    _assert_clean_error(caught.value, unwritable_target)


def test_cases_writer_reports_an_unwritable_folder(unwritable_target: Path) -> None:
    with pytest.raises(ExportError) as caught:
        CasesWriter(unwritable_target)

    _assert_clean_error(caught.value, unwritable_target)


def test_parent_that_is_a_file_names_the_problem(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x", encoding="utf-8")
    target = blocker / "out.json"

    with pytest.raises(ExportError) as caught:
        AtomicFile(target)

    _assert_clean_error(caught.value, target)
    assert caught.value.message == (
        f"{target}: cannot create: [Errno {errno.ENOTDIR}] {os.strerror(errno.ENOTDIR)}"
    )


def test_missing_folder_names_the_problem(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.json"

    with pytest.raises(ExportError) as caught:
        AtomicFile(target)

    assert caught.value.message == (
        f"{target}: cannot create: [Errno {errno.ENOENT}] {os.strerror(errno.ENOENT)}"
    )


def test_os_error_while_writing_becomes_export_error_and_aborts(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    f = AtomicFile(target)

    def disk_full() -> None:
        with f.guard():
            f.stream.write("some rows")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(f.temp_path))

    with pytest.raises(ExportError) as caught:
        disk_full()

    assert caught.value.message == (
        f"{target}: cannot write: disk full ([Errno {errno.ENOSPC}] {os.strerror(errno.ENOSPC)})"
    )
    assert str(f.temp_path) in caught.value.details
    assert isinstance(caught.value.__cause__, OSError)
    assert f.closed
    assert list(tmp_path.iterdir()) == []


def test_commit_onto_a_folder_fails_cleanly(
    tmp_path: Path,
    writer_cls: type[TableWriter],
    people: Table,
    columns: list[str],
    batches: list[RowBatch],
) -> None:
    target = tmp_path / "taken"
    (target / "inside").mkdir(parents=True)
    writer = writer_cls(target, people, columns, ExportOptions())
    writer.write(batches[0])

    with pytest.raises(ExportError) as caught:
        writer.commit()

    _assert_clean_error(caught.value, target)
    assert "cannot save: [Errno" in caught.value.message
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]
    assert [p.name for p in target.iterdir()] == ["inside"]


_FILE_TOO_LARGE_SCRIPT = textwrap.dedent(
    """
    import resource, signal, sys
    from tdgen_desktop.core import VALID_LABEL, ExportError, ExportFormat, Field, RowBatch, Table
    from tdgen_desktop.exporters import ExportOptions, writer_for

    target, fmt = sys.argv[1], sys.argv[2]
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, hard))
    table = Table("t", fields=[Field("text")])
    # Varied text: compressed formats (XLSX, Parquet) must still outgrow the limit.
    rows = [(f"{i * 7919:0100x}",) for i in range(1000)]
    try:
        with writer_for(ExportFormat(fmt))(target, table, ["text"], ExportOptions()) as w:
            for start in range(0, 100_000, 1000):
                w.write(RowBatch(table, ["text"], rows, [VALID_LABEL] * 1000, start))
    except ExportError as exc:
        print(exc.message)
        sys.exit(3)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="file size limits are POSIX")
@pytest.mark.parametrize("fmt", available_formats(), ids=lambda f: f.value)
def test_a_real_write_failure_is_reported_without_a_traceback(tmp_path: Path, fmt: str) -> None:
    # The file size limit makes the kernel refuse writes (EFBIG), like a full disk would.
    target = tmp_path / "big.out"
    done = subprocess.run(
        [sys.executable, "-c", _FILE_TOO_LARGE_SCRIPT, str(target), str(fmt)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert done.returncode == 3, done.stderr
    assert done.stdout == (
        f"{target}: cannot write: [Errno {errno.EFBIG}] {os.strerror(errno.EFBIG)}\n"
    )
    assert done.stderr == ""
    assert list(tmp_path.iterdir()) == []
