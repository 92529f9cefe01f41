"""Streaming readers for the files tdgen writes: CSV, TSV, JSON, JSON Lines and the case labels.

The window's preview reads a job's output a chunk at a time: it never loads a whole file.
Every reader is a context manager whose :meth:`~RowReader.read` returns the next rows (at most
``n``) and an empty list at the end of the file.

Rows come back as dicts of column → value. CSV and TSV cells are text, exactly as written
(an empty cell is ``""``); JSON and JSON Lines values keep their JSON types. A bare JSON value
(a schema whose root is not an object) becomes ``{"value": value}``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Generator, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from tdgen_desktop.core.enums import ExportFormat
from tdgen_desktop.core.errors import ExportError, UnsupportedFeatureError

__all__ = [
    "BARE_COLUMN",
    "LabelReader",
    "RowReader",
    "format_of",
    "preview_formats",
    "read_labels",
    "read_rows",
]

BARE_COLUMN = "value"
"""The column name under which a bare (non-object) JSON row is returned."""

_PREVIEW_FORMATS = (ExportFormat.CSV, ExportFormat.TSV, ExportFormat.JSON, ExportFormat.JSONL)
_SUFFIXES = {f".{fmt.value}": fmt for fmt in ExportFormat}
_BLOCK_CHARS = 64 * 1024
_TSV_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}


def preview_formats() -> tuple[ExportFormat, ...]:
    """The formats :class:`RowReader` can read."""
    return _PREVIEW_FORMATS


def format_of(path: Path) -> ExportFormat | None:
    """The export format a file name stands for (by its extension), or None."""
    return _SUFFIXES.get(path.suffix.lower())


def _unescape_tsv(text: str) -> str:
    """Undo the TSV writer's escapes (``\\t``, ``\\n``, ``\\r``, ``\\\\``)."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in _TSV_ESCAPES:
            out.append(_TSV_ESCAPES[text[i + 1]])
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _as_row(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {BARE_COLUMN: value}


class _JsonArrayStream:
    """Yields the elements of a top-level JSON array one by one, reading the text in blocks."""

    def __init__(self, stream: IO[str], path: Path) -> None:
        self._stream = stream
        self._path = path
        self._buffer = ""
        self._pos = 0
        self._started = False
        self._ended = False
        self._eof = False
        self._decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        """Read one more block; False at the end of the file."""
        if self._eof:
            return False
        block = self._stream.read(_BLOCK_CHARS)
        if not block:
            self._eof = True
            return False
        self._buffer = self._buffer[self._pos :] + block
        self._pos = 0
        return True

    def _next_char(self) -> str:
        """The next non-blank character (not consumed); "" at the end of the file."""
        while True:
            while self._pos < len(self._buffer) and self._buffer[self._pos] in " \t\r\n":
                self._pos += 1
            if self._pos < len(self._buffer):
                return self._buffer[self._pos]
            if not self._fill():
                return ""

    def _expect(self, chars: str) -> str:
        char = self._next_char()
        if not char or char not in chars:
            found = repr(char) if char else "the end of the file"
            raise ExportError(
                f"not a JSON array: expected {chars!r}, found {found}", file=self._path
            )
        self._pos += 1
        return char

    def next(self) -> tuple[bool, Any]:
        """``(True, element)``, or ``(False, None)`` after the last element."""
        if self._ended:
            return False, None
        if not self._started:
            self._expect("[")
            self._started = True
            if self._next_char() == "]":
                self._pos += 1
                self._ended = True
                return False, None
        while True:
            try:
                self._next_char()
                value, end = self._decoder.raw_decode(self._buffer, self._pos)
            except json.JSONDecodeError as exc:
                if self._fill():
                    continue  # the element runs on into the next block
                raise ExportError(f"not valid JSON: {exc.msg}", file=self._path) from None
            # A number may continue in the next block ("12" then "34"): read on first.
            at_end = end >= len(self._buffer) and not self._eof
            if at_end and isinstance(value, int | float) and self._fill():
                continue
            self._pos = end
            break
        if self._expect(",]") == "]":
            self._ended = True
        return True, value


class RowReader:
    """Reads the rows of one data file written by tdgen, a chunk at a time.

    Args:
        path: the data file.
        fmt: its format; taken from the extension when omitted.

    Raises:
        UnsupportedFeatureError: the format cannot be read back (SQL, XLSX, Parquet).
        ExportError: the file cannot be opened.
    """

    def __init__(self, path: Path, fmt: ExportFormat | None = None) -> None:
        self.path = Path(path)
        found = fmt or format_of(self.path)
        if found not in _PREVIEW_FORMATS:
            name = found.value.upper() if found is not None else self.path.suffix or "this file"
            raise UnsupportedFeatureError(
                f"{name} files cannot be previewed; CSV, TSV, JSON and JSONL can", file=self.path
            )
        self.format: ExportFormat = found
        self.columns: list[str] = []
        """The columns seen so far: the header of a CSV/TSV file; JSON keys in order of first
        appearance (so it can grow as rows are read)."""
        self.rows_read = 0
        try:
            self._stream: IO[str] = self.path.open(encoding="utf-8", newline="")
        except OSError as exc:
            raise ExportError(f"cannot read: {exc.strerror or exc}", file=self.path) from None
        self._rows = self._iterate()

    def _iterate(self) -> Generator[dict[str, Any]]:
        if self.format is ExportFormat.CSV:
            yield from self._delimited(csv.reader(self._stream), unescape=False)
        elif self.format is ExportFormat.TSV:
            lines = (line.rstrip("\r\n").split("\t") for line in self._stream)
            yield from self._delimited(lines, unescape=True)
        elif self.format is ExportFormat.JSONL:
            for number, line in enumerate(self._stream, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ExportError(
                        f"line {number} is not valid JSON: {exc.msg}", file=self.path
                    ) from None
                yield self._note_keys(_as_row(value))
        else:
            array = _JsonArrayStream(self._stream, self.path)
            while True:
                more, value = array.next()
                if not more:
                    return
                yield self._note_keys(_as_row(value))

    def _delimited(self, lines: Iterator[list[str]], *, unescape: bool) -> Iterator[dict[str, Any]]:
        header = next(lines, None)
        if header is None:
            return
        self.columns = [_unescape_tsv(c) for c in header] if unescape else list(header)
        columns = self.columns
        for cells in lines:
            values = [_unescape_tsv(c) for c in cells] if unescape else cells
            yield dict(zip(columns, values, strict=False))

    def _note_keys(self, row: dict[str, Any]) -> dict[str, Any]:
        if len(row) > len(self.columns) or any(key not in self.columns for key in row):
            known = set(self.columns)
            self.columns.extend(key for key in row if key not in known)
        return row

    def read(self, n: int) -> list[dict[str, Any]]:
        """The next ``n`` rows at most; an empty list at the end of the file.

        Raises:
            ExportError: the file is not what its format says.
        """
        out: list[dict[str, Any]] = []
        try:
            for row in self._rows:
                out.append(row)
                if len(out) >= n:
                    break
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ExportError(
                f"cannot read row {self.rows_read + len(out) + 1}: {exc}", file=self.path
            ) from None
        self.rows_read += len(out)
        return out

    def close(self) -> None:
        """Close the file."""
        self._rows.close()
        self._stream.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class LabelReader:
    """Reads ``<table>.cases.jsonl`` (one label object per row) a chunk at a time.

    Raises:
        ExportError: the file cannot be opened.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self._stream: IO[str] = self.path.open(encoding="utf-8")
        except OSError as exc:
            raise ExportError(f"cannot read: {exc.strerror or exc}", file=self.path) from None

    def read(self, n: int) -> list[dict[str, Any]]:
        """The next ``n`` labels at most; an empty list at the end of the file.

        Raises:
            ExportError: a line is not a JSON object.
        """
        out: list[dict[str, Any]] = []
        while len(out) < n:
            line = self._stream.readline()
            if not line:
                break
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ExportError(f"not a label line: {exc.msg}", file=self.path) from None
            out.append(value if isinstance(value, dict) else {})
        return out

    def close(self) -> None:
        """Close the file."""
        self._stream.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def read_rows(
    path: Path, fmt: ExportFormat | None = None, *, limit: int | None = None
) -> Iterator[dict[str, Any]]:
    """Yield the rows of a data file, at most ``limit`` of them, reading as it goes."""
    with RowReader(path, fmt) as reader:
        count = 0
        while limit is None or count < limit:
            chunk = reader.read(min(1000, limit - count) if limit is not None else 1000)
            if not chunk:
                return
            count += len(chunk)
            yield from chunk


def read_labels(path: Path, *, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Yield the label objects of a ``.cases.jsonl`` file, at most ``limit`` of them."""
    with LabelReader(path) as reader:
        count = 0
        while limit is None or count < limit:
            chunk = reader.read(min(1000, limit - count) if limit is not None else 1000)
            if not chunk:
                return
            count += len(chunk)
            yield from chunk
