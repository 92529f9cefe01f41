"""Atomic output files: write beside the target, rename onto it when complete.

An :class:`AtomicFile` writes to a hidden temporary file in the target's folder
(``.<name>.<random>.part``). ``commit()`` flushes, syncs and renames it onto the final name in
one step, so readers see either the earlier file or the complete new one, never a partial file.
``abort()`` deletes the temporary file. Operating-system failures (read-only folder, disk full, …)
are raised as :class:`~tdgen_desktop.core.errors.ExportError` naming the target file.

A process killed mid-export (SIGKILL, power loss) leaves its temporary file behind;
:func:`remove_stale_parts` removes such leftovers when the next job writes to the folder. On POSIX
each temporary file is locked (``flock``) while its export runs, so the clean-up never touches a
file another export — in this or another process — is still writing; the lock goes away with
the process that held it.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import secrets
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: an open file cannot be deleted there anyway
    fcntl = None  # type: ignore[assignment]
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal, Self

from tdgen_desktop.core.errors import ExportError

__all__ = ["AtomicFile", "remove_stale_parts"]

_log = logging.getLogger(__name__)

_PART_SUFFIX = ".part"
_TOKEN_BYTES = 6
_PART_NAME = re.compile(r"\..+\.[0-9a-f]{12}\.part", re.DOTALL)
"""Names of our temporary files: ``.<name>.<12 hex digits>.part``."""
_MAX_NAME_CHARS = 120
"""Longest target name kept in a temporary name (file names are limited to 255 bytes)."""
_CREATE_ATTEMPTS = 8
_BUFFER_BYTES = 256 * 1024
_OPEN_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
)

_State = Literal["open", "committed", "aborted"]

_DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})

_NEW_FILE_GRACE_S = 1.0
"""An empty temporary file younger than this may not be locked yet by its writer: kept."""


def _try_lock(fd: int) -> bool:
    """Take an exclusive lock on ``fd`` without waiting; True when taken (or not supported)."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:  # a file system without locks: behave as before
        return True
    return True


def _problem(action: str, exc: OSError, folder: Path) -> str:
    """``cannot write: disk full ([Errno 28] No space left on device)`` (no temporary name)."""
    reason = f"[Errno {exc.errno}] {exc.strerror}" if exc.errno and exc.strerror else str(exc)
    if exc.errno in _DISK_FULL:
        return f"{action}: disk full ({reason})"
    if exc.errno == errno.EROFS:
        return f"{action}: the folder {folder} is read-only ({reason})"
    if exc.errno in {errno.EACCES, errno.EPERM}:
        return f"{action}: no permission to write in the folder {folder} ({reason})"
    return f"{action}: {reason}"


def _export_error(path: Path, action: str, exc: OSError) -> ExportError:
    return ExportError(_problem(action, exc, path.parent), file=path, details=str(exc))


def _sync_directory(folder: Path) -> None:
    """Make a rename durable (POSIX); best effort, since not every file system allows it."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class AtomicFile:
    """A file written under a temporary name and renamed onto its final name on commit.

    Text mode writes UTF-8 with ``newline=""`` (line ends are written exactly as given); binary
    mode writes bytes. As a context manager it commits when the block ends normally and aborts
    when it raises.

    Args:
        path: the final file name.
        binary: open in binary mode instead of text mode.

    Raises:
        ExportError: the temporary file cannot be created (e.g. read-only folder).
    """

    def __init__(self, path: str | os.PathLike[str], *, binary: bool = False) -> None:
        self._path = Path(path)
        self._state: _State = "open"
        self._temp, self._stream = self._create(binary=binary)

    @property
    def path(self) -> Path:
        """The final file name."""
        return self._path

    @property
    def temp_path(self) -> Path:
        """The temporary file being written."""
        return self._temp

    @property
    def closed(self) -> bool:
        """Whether the file was committed or aborted."""
        return self._state != "open"

    @property
    def stream(self) -> IO[Any]:
        """The open temporary file (text or binary); wrap direct writes in :meth:`guard`."""
        self._require_open()
        return self._stream

    def write(self, data: Any) -> None:
        """Write ``data`` (``str`` in text mode, ``bytes`` in binary mode).

        Raises:
            ExportError: the write failed; the temporary file has been removed.
        """
        with self.guard():
            self._stream.write(data)

    def hand_over(self) -> tuple[int, int]:
        """Flush what is buffered; return the file descriptor and the byte offset of the end,
        for other processes to write at with ``os.pwrite`` until :meth:`take_back`.

        Raises:
            ExportError: the flush failed; the temporary file has been removed.
        """
        with self.guard():
            self._stream.flush()
            return self._stream.fileno(), self._stream.tell()

    def take_back(self, end: int) -> None:
        """Go on writing at byte offset ``end`` (where the other processes' writes ended).

        Raises:
            ExportError: the file cannot be positioned; the temporary file has been removed.
        """
        with self.guard():
            self._stream.seek(end)

    def failed(self, error: OSError, action: str = "cannot write") -> ExportError:
        """Abort, and give the error a failed write (e.g. by another process) stands for."""
        self.abort()
        return _export_error(self._path, action, error)

    @contextlib.contextmanager
    def guard(self, action: str = "cannot write") -> Iterator[None]:
        """Turn an ``OSError`` raised in the block into an ``ExportError`` and abort.

        Args:
            action: the first words of the problem, e.g. ``cannot write``.
        """
        self._require_open()
        try:
            yield
        except ExportError:
            self.abort()
            raise
        except OSError as exc:
            self.abort()
            raise _export_error(self._path, action, exc) from exc

    def commit(self) -> Path:
        """Flush, sync and rename the temporary file onto the final name.

        Returns:
            The final file name. Committing again returns it without doing anything.

        Raises:
            ExportError: flushing or renaming failed; the temporary file has been removed and an
                earlier file under the final name is left as it was.
            RuntimeError: the file was aborted.
        """
        if self._state == "committed":
            return self._path
        self._require_open()
        with self.guard("cannot write"):
            self._stream.flush()
            os.fsync(self._stream.fileno())
            self._stream.close()
        with self.guard("cannot save"):
            self._temp.replace(self._path)
        self._state = "committed"
        _sync_directory(self._path.parent)
        return self._path

    def abort(self) -> None:
        """Close and delete the temporary file; does nothing once committed or aborted."""
        if self._state != "open":
            return
        self._state = "aborted"
        with contextlib.suppress(OSError):
            self._stream.close()
        try:
            self._temp.unlink(missing_ok=True)
        except OSError as exc:
            _log.warning("cannot remove temporary file %s: %s", self._temp, exc)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.abort()
        elif not self.closed:
            self.commit()

    def __repr__(self) -> str:
        return f"AtomicFile({str(self._path)!r}, {self._state})"

    def _require_open(self) -> None:
        if self._state != "open":
            raise RuntimeError(f"{self._path}: the file is already {self._state}")

    def _create(self, *, binary: bool) -> tuple[Path, IO[Any]]:
        stem = self._path.name[:_MAX_NAME_CHARS]
        for _ in range(_CREATE_ATTEMPTS):
            temp = self._path.with_name(f".{stem}.{secrets.token_hex(_TOKEN_BYTES)}{_PART_SUFFIX}")
            try:
                fd = os.open(temp, _OPEN_FLAGS, 0o666)
            except FileExistsError:
                continue
            except OSError as exc:
                raise _export_error(self._path, "cannot create", exc) from exc
            _try_lock(fd)  # held until the file is closed: tells the clean-up it is in use
            try:
                if binary:
                    return temp, os.fdopen(fd, "wb", buffering=_BUFFER_BYTES)
                stream = os.fdopen(fd, "w", buffering=_BUFFER_BYTES, encoding="utf-8", newline="")
            except BaseException:
                os.close(fd)
                temp.unlink(missing_ok=True)
                raise
            return temp, stream
        raise ExportError("cannot create: no free temporary file name", file=self._path)


def remove_stale_parts(folder: str | os.PathLike[str], *, min_age: float = 0.0) -> list[Path]:
    """Delete temporary files that earlier, interrupted exports left in ``folder``.

    Only names of the form ``.<name>.<12 hex digits>.part`` that are regular files are removed;
    the folder is not searched recursively. Files that cannot be removed are skipped, and so are
    files an export still writes (locked, on POSIX) and empty files younger than a second (their
    writer may not have locked them yet).

    Args:
        folder: the folder to clean; a missing folder is fine.
        min_age: keep files modified less than this many seconds ago (they may belong to an
            export still running in another process).

    Returns:
        The files removed.
    """
    removed: list[Path] = []
    try:
        with os.scandir(folder) as entries:
            candidates = [e for e in entries if _PART_NAME.fullmatch(e.name)]
    except OSError:
        return removed
    now = time.time()
    for entry in candidates:
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            info = entry.stat(follow_symlinks=False)
            age = now - info.st_mtime
            if age < min_age or (info.st_size == 0 and age < _NEW_FILE_GRACE_S):
                continue
            if not _remove_unlocked(Path(entry.path)):
                continue
        except OSError as exc:
            _log.warning("cannot remove stale temporary file %s: %s", entry.path, exc)
            continue
        removed.append(Path(entry.path))
    return removed


def _remove_unlocked(path: Path) -> bool:
    """Delete ``path`` unless an export holds its lock; True when deleted."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        if not _try_lock(fd):
            return False
        path.unlink()  # while holding the lock, so no writer can take it meanwhile
    finally:
        os.close(fd)
    return True
