"""The interface every table writer implements, its options, and the case-labels writer.

A writer streams :class:`~tdgen_desktop.core.rows.RowBatch` chunks into an
:class:`~tdgen_desktop.exporters.atomic.AtomicFile`; nothing is kept per row, so memory does not
grow with the number of rows. Use a writer as a context manager: it commits when the block ends
normally and aborts (no file under the final name) when the block raises.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import datetime as dt
import decimal
import io
import json
import os
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Self

from tdgen_desktop.core.enums import CaseKind, Dialect, ExportFormat
from tdgen_desktop.core.model import MISSING, ForeignKey, Table
from tdgen_desktop.core.rows import CaseLabel, RowBatch
from tdgen_desktop.core.targets import FileTarget
from tdgen_desktop.exporters.atomic import AtomicFile

__all__ = [
    "FORMULA_TRIGGERS",
    "CasesWriter",
    "ExportOptions",
    "TableWriter",
    "formula_risk",
    "guards_row",
]


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """How to write a table.

    Attributes:
        label_columns: add the row's case kind and rule (``_case``, ``_rule``) to every row.
        indent: pretty-print JSON arrays with this indent (``None``: one compact row per line).
        dialect: the SQL dialect of SQL output; ``None`` means the dialect of the DDL the
            table was imported from, else SQLite.
        with_ddl: SQL output starts with the table's ``CREATE TABLE`` statement.
        batch_rows: valid rows per multi-row ``INSERT`` statement of SQL output.
        formula_guard: neutralise spreadsheet formula injection in CSV, TSV and XLSX output
            (on by default; see :func:`formula_risk`). Text cells of valid and boundary rows
            that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a leading
            ``'`` in CSV and TSV, and Excel's quote-prefix (text, never a formula) in XLSX.
            Numbers are never touched, and invalid rows are written exactly as designed. The
            guard changes the written file only: rows are validated before it applies.
        checks_off: the table's rows point at rows of a table written after them (a cycle of
            NOT NULL foreign keys): SQL output switches the database's foreign-key checks off
            around them.
        keys_later: foreign keys of the table whose parent table is created after it; SQL
            output with ``with_ddl`` leaves them out of its ``CREATE TABLE`` (PostgreSQL and
            MySQL cannot reference a table that does not exist yet; SQLite can and keeps them).
        keys_added: (child table, foreign key) pairs that SQL output with ``with_ddl`` adds with
            ``ALTER TABLE`` after this table's rows: the ``keys_later`` of tables made before it.
    """

    label_columns: bool = False
    indent: int | None = None
    dialect: Dialect | None = None
    with_ddl: bool = False
    batch_rows: int = 500
    formula_guard: bool = True
    checks_off: bool = False
    keys_later: tuple[ForeignKey, ...] = ()
    keys_added: tuple[tuple[str, ForeignKey], ...] = ()


_DEFAULT_OPTIONS = ExportOptions()

FORMULA_TRIGGERS = frozenset("=+-@\t\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP's list)."""


def formula_risk(value: Any) -> bool:
    """Whether ``value`` is text a spreadsheet could run as a formula (numbers never are)."""
    return isinstance(value, str) and value[:1] in FORMULA_TRIGGERS


def guards_row(options: ExportOptions, label: CaseLabel) -> bool:
    """Whether the formula guard applies to a row with ``label`` (valid and boundary rows)."""
    return options.formula_guard and label.case is not CaseKind.INVALID


def _json_default(value: Any) -> Any:
    """Convert values ``json`` does not know: dates and times to ISO 8601, UUIDs to text,
    decimals to numbers, bytes to base64.

    Raises:
        TypeError: the value has no JSON form.
    """
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"a value of type {type(value).__name__} cannot be exported: {value!r}")


class _MemoryFile:
    """Stands in for a writer's file while a chunk's text is made in memory."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    def write(self, data: str) -> None:
        self.stream.write(data)

    def guard(self, action: str = "") -> contextlib.nullcontext[None]:  # noqa: ARG002
        return contextlib.nullcontext()

    def take(self) -> str:
        text = self.stream.getvalue()
        self.stream.seek(0)
        self.stream.truncate()
        return text


class _AtomicWriter:
    """The commit/abort/context-manager life cycle shared by all writers.

    A text format whose text of a chunk depends on that chunk alone sets ``chunk_text``: its
    :meth:`chunk_encoder` makes the text anywhere (e.g. in a worker process) and
    :meth:`write_text` appends it, so the file is the same as with :meth:`write`.
    """

    chunk_text: ClassVar[bool] = False

    def __init__(self, path: str | os.PathLike[str], *, binary: bool = False) -> None:
        self.path = Path(path)
        self._file = AtomicFile(self.path, binary=binary)
        self._finished = False

    def write(self, batch: RowBatch) -> None:
        """Append the rows of ``batch``."""
        raise NotImplementedError

    def chunk_encoder(self) -> Callable[[RowBatch], str] | None:
        """A function giving the text :meth:`write` would append for a batch, touching neither
        this writer nor its file; None when the format cannot be written a chunk at a time."""
        if not self.chunk_text:
            return None
        twin = copy.copy(self)
        memory = _MemoryFile()
        twin._file = memory  # type: ignore[assignment]  # the twin never commits
        twin._rebind()

        def encode(batch: RowBatch) -> str:
            twin.write(batch)
            return memory.take()

        return encode

    def write_text(self, text: str, rows: int) -> None:  # noqa: ARG002 — TableWriter counts
        """Append the text a :meth:`chunk_encoder` made for a batch of ``rows`` rows.

        Raises:
            ExportError: writing failed.
        """
        with self._file.guard():
            self._file.write(text)

    def hand_over(self) -> FileTarget:
        """Let worker processes append text that a :meth:`chunk_encoder` made, themselves: the
        file to write at and where. Nothing else may be written until :meth:`take_back`;
        :meth:`placed` counts their rows.

        Raises:
            ExportError: the file could not be flushed.
        """
        fd, start = self._file.hand_over()
        return FileTarget(fd, start, self._file.failed)

    def placed(self, rows: int) -> None:
        """Count ``rows`` rows a worker wrote into the file (see :meth:`hand_over`)."""

    def take_back(self, end: int) -> None:
        """Write on from byte offset ``end``, where the workers' text ended."""
        self._file.take_back(end)

    def _rebind(self) -> None:
        """Point what writes to the file (e.g. a ``csv.writer``) at ``self._file`` again."""

    def commit(self) -> Path:
        """Finish the file and move it onto its final name.

        Returns:
            The final file name.

        Raises:
            ExportError: the file could not be written; nothing is left under a temporary name.
        """
        if self._file.closed:
            return self._file.commit()
        self.finish()
        return self._file.commit()

    def finish(self) -> Path:
        """Write what closes the file and flush it, without committing: the temporary file then
        holds the whole text (e.g. to copy it into another file). Returns its path.

        Raises:
            ExportError: the file could not be written; the temporary file has been removed.
        """
        with self._file.guard():
            if not self._finished:
                self._finish()
                self._finished = True
            self._file.stream.flush()
        return self._file.temp_path

    def abort(self) -> None:
        """Delete the partial file; an earlier file under the final name is left as it was."""
        self._file.abort()

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
            return
        try:
            self.commit()
        except BaseException:
            self.abort()
            raise

    def _finish(self) -> None:
        """Write what closes the file (e.g. a JSON array's ``]``); called once, by commit."""


class TableWriter(_AtomicWriter, ABC):
    """Streams the rows of one table to one file in one format.

    Subclasses set ``format`` and ``extension`` and implement ``_write_rows`` (and optionally
    ``_begin`` and ``_finish``). Rows of a batch are aligned with ``batch.columns``; the writer
    reorders them to ``columns`` when the two differ (a column the batch lacks is ``MISSING``).

    Args:
        path: the final file name.
        table: the table the rows belong to.
        columns: the columns to write, in order.
        options: export options.

    Raises:
        ExportError: the file cannot be created.
    """

    format: ClassVar[ExportFormat]
    extension: ClassVar[str]
    binary: ClassVar[bool] = False

    def __init__(
        self,
        path: str | os.PathLike[str],
        table: Table,
        columns: Sequence[str],
        options: ExportOptions = _DEFAULT_OPTIONS,
    ) -> None:
        super().__init__(path, binary=self.binary)
        self.table = table
        self.columns = list(columns)
        self.options = options
        self._rows_written = 0
        self._alignments: dict[tuple[str, ...], list[int]] = {}
        self._extras: list[dict[str, Any] | None] | None = None
        try:
            with self._file.guard():
                self._begin()
        except BaseException:
            self._file.abort()
            raise

    @property
    def rows_written(self) -> int:
        """How many rows were written so far."""
        return self._rows_written

    def write_text(self, text: str, rows: int) -> None:
        """Append the text a :meth:`chunk_encoder` made for a batch of ``rows`` rows."""
        super().write_text(text, rows)
        self._rows_written += rows

    def placed(self, rows: int) -> None:
        """Count ``rows`` rows a worker wrote into the file (see :meth:`hand_over`)."""
        self._rows_written += rows

    def write(self, batch: RowBatch) -> None:
        """Append the rows of ``batch``.

        Raises:
            ExportError: writing failed; the partial file has been removed.
            ValueError: a row or the labels do not match the columns or the rows.
        """
        rows = self._aligned(batch)
        self._extras = batch.extras
        with self._file.guard():
            self._write_rows(rows, batch.labels)
        self._rows_written += len(rows)

    def _begin(self) -> None:
        """Write what opens the file (e.g. a header row)."""

    @abstractmethod
    def _write_rows(self, rows: Sequence[Sequence[Any]], labels: Sequence[CaseLabel]) -> None:
        """Write ``rows`` (aligned with ``self.columns``) with their ``labels``."""

    def _aligned(self, batch: RowBatch) -> Sequence[Sequence[Any]]:
        if batch.columns == self.columns:
            return batch.rows
        key = tuple(batch.columns)
        positions = self._alignments.get(key)
        if positions is None:
            where = {name: i for i, name in enumerate(batch.columns)}
            positions = [where.get(name, -1) for name in self.columns]
            self._alignments[key] = positions
        return [tuple(row[i] if i >= 0 else MISSING for i in positions) for row in batch.rows]


_CASES_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


class CasesWriter(_AtomicWriter):
    """Writes ``<table>.cases.jsonl``: one label object per exported row, in row order.

    Each line is ``label.as_record(row)`` with ``row = batch.start + i``, e.g.
    ``{"row": 0, "case": "valid", "field": null, "rule": null, "expect": "accept"}``. A row
    with AI values (``batch.ai_fields``) ends with their columns: ``…, "ai": ["title"]}``.

    Args:
        path: the final file name.

    Raises:
        ExportError: the file cannot be created.
    """

    chunk_text = True

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(path)
        self._tails: dict[CaseLabel, str] = {}
        self._ai_tails: dict[tuple[str, ...], str] = {}

    def write(self, batch: RowBatch) -> None:
        """Append one line per row of ``batch``.

        Raises:
            ExportError: writing failed; the partial file has been removed.
            ValueError: the batch has not one label (or AI mark) per row.
        """
        if len(batch.labels) != len(batch.rows):
            raise ValueError(f"{self.path}: {len(batch.labels)} labels for {len(batch.rows)} rows")
        ai = batch.ai_fields
        if ai is not None and len(ai) != len(batch.rows):
            raise ValueError(f"{self.path}: {len(ai)} AI marks for {len(batch.rows)} rows")
        labels, start = batch.labels, batch.start
        if labels and all(label is labels[0] for label in labels):  # e.g. a chunk of valid rows
            tail = self._tail(labels[0])
            lines = [f'{{"row": {row}{tail}' for row in range(start, start + len(labels))]
        else:
            tail_of = self._tail
            lines = [f'{{"row": {start + i}{tail_of(label)}' for i, label in enumerate(labels)]
        if ai is not None:
            ai_tail = self._ai_tail
            for i, names in enumerate(ai):
                if names:  # the record's closing brace moves after the AI columns
                    lines[i] = lines[i][:-1] + ai_tail(names)
        if lines:
            self._file.write("\n".join(lines) + "\n")

    def _ai_tail(self, names: tuple[str, ...]) -> str:
        """``, "ai": [...]}``: what ends the record of a row with AI values in ``names``."""
        tail = self._ai_tails.get(names)
        if tail is None:
            tail = f', "ai": {_CASES_ENCODER.encode(list(names))}}}'
            if len(self._ai_tails) < 4096:
                self._ai_tails[names] = tail
        return tail

    def _tail(self, label: CaseLabel) -> str:
        """A label's line after the row number: the encoded record, kept for repeated labels."""
        tail = self._tails.get(label)
        if tail is None:
            line = _CASES_ENCODER.encode(label.as_record(0))
            if not line.startswith('{"row": 0'):  # the record's first key is the row number
                raise ValueError(f"{self.path}: a case label record must start with its row")
            tail = line[len('{"row": 0') :]
            if len(self._tails) < 4096:
                self._tails[label] = tail
        return tail
