"""Apache Parquet through pyarrow: typed columns, one row group per chunk of rows.

Column types follow the model: integers ``int64``, numbers ``float64``, booleans ``bool``,
dates ``date32``, date-times ``timestamp[us, UTC]``, times ``time64[us]``, binary values
``binary`` (tdgen's base64 text decoded), arrays of simple elements lists of their type, text,
UUIDs and everything else ``string`` (objects and unions as compact JSON). A column is nullable
when its field is nullable or optional; a value absent from a row is null. With
``ExportOptions.label_columns`` the string columns ``_case`` and ``_rule`` follow.

pyarrow is an optional dependency (``pip install 'tdgen[parquet]'``); without it, asking for
Parquet output is a usage error that says how to install it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import json
import os
from collections.abc import Callable, Sequence
from typing import Any

from tdgen_desktop.core.enums import ExportFormat, FieldType
from tdgen_desktop.core.errors import ExportError, UsageError
from tdgen_desktop.core.model import MISSING, Field, Table
from tdgen_desktop.core.rows import CaseLabel
from tdgen_desktop.exporters.base import _DEFAULT_OPTIONS, ExportOptions, TableWriter

__all__ = ["ParquetWriter", "arrow_schema", "require_pyarrow"]

_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)
_LABEL_COLUMNS = ("_case", "_rule")


def require_pyarrow() -> Any:
    """Import pyarrow, or explain how to get it.

    Raises:
        UsageError: pyarrow is not installed.
    """
    try:
        import pyarrow  # noqa: PLC0415 — optional dependency
        import pyarrow.parquet  # noqa: PLC0415
    except ImportError:
        raise UsageError(
            "--format parquet needs the optional 'pyarrow' package: "
            "pip install 'tdgen[parquet]' (or pip install pyarrow)"
        ) from None
    return pyarrow


def _arrow_type(pa: Any, f: Field | None) -> Any:
    if f is None or f.variants:
        return pa.string()
    simple = {
        FieldType.INTEGER: pa.int64(),
        FieldType.NUMBER: pa.float64(),
        FieldType.BOOLEAN: pa.bool_(),
        FieldType.DATE: pa.date32(),
        FieldType.DATETIME: pa.timestamp("us", tz="UTC"),
        FieldType.TIME: pa.time64("us"),
        FieldType.BINARY: pa.binary(),
    }
    if f.type in simple:
        return simple[f.type]
    items = f.items
    element_types = {*simple, FieldType.STRING, FieldType.UUID}
    if (
        f.type is FieldType.ARRAY
        and items is not None
        and not items.variants
        and items.type in element_types
    ):
        return pa.list_(_arrow_type(pa, items))
    return pa.string()


def arrow_schema(table: Table, columns: Sequence[str], *, label_columns: bool = False) -> Any:
    """The Arrow schema of ``columns`` of ``table`` (see the module docstring)."""
    pa = require_pyarrow()
    fields = []
    for name in columns:
        f = _field(table, name)
        nullable = f is None or f.nullable or not f.required or table.bare
        fields.append(pa.field(name, _arrow_type(pa, f), nullable=nullable))
    if label_columns:
        fields.extend(pa.field(name, pa.string(), nullable=True) for name in _LABEL_COLUMNS)
    return pa.schema(fields)


def _field(table: Table, name: str) -> Field | None:
    try:
        return table.field(name)
    except KeyError:
        return None


class ParquetWriter(TableWriter):
    """One Parquet file for one table (see the module docstring)."""

    format = ExportFormat.PARQUET
    extension = "parquet"
    binary = True

    def __init__(
        self,
        path: str | os.PathLike[str],
        table: Table,
        columns: Sequence[str],
        options: ExportOptions = _DEFAULT_OPTIONS,
    ) -> None:
        self._pa = require_pyarrow()
        self._schema = arrow_schema(table, columns, label_columns=options.label_columns)
        self._converters = [_converter(_field(table, c)) for c in columns]
        super().__init__(path, table, columns, options)

    def _begin(self) -> None:
        import pyarrow.parquet as pq  # noqa: PLC0415

        self._writer = pq.ParquetWriter(self._file.stream, self._schema, compression="zstd")

    def _write_rows(self, rows: Sequence[Sequence[Any]], labels: Sequence[CaseLabel]) -> None:
        if not rows:
            return
        pa = self._pa
        arrays = []
        for index, convert in enumerate(self._converters):
            target = self._schema.field(index)
            values = [convert(row[index]) for row in rows]
            try:
                arrays.append(pa.array(values, type=target.type))
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError) as exc:
                raise ExportError(
                    f"column '{target.name}' is {target.type} in Parquet, and a value does not "
                    f"fit it ({exc}); Parquet columns are typed",
                    file=self.path,
                ) from None
        if self.options.label_columns:
            arrays.append(pa.array([label.case.value for label in labels], type=pa.string()))
            arrays.append(pa.array([label.rule for label in labels], type=pa.string()))
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))

    def _finish(self) -> None:
        self._writer.close()

    def abort(self) -> None:
        """Drop the partial file (closing pyarrow's writer first, so it never writes later)."""
        writer = getattr(self, "_writer", None)
        if writer is not None and writer.is_open:
            with contextlib.suppress(Exception):  # the file is deleted anyway
                writer.close()
        super().abort()


def _converter(f: Field | None) -> Callable[[Any], Any]:
    """Turns a generated value into what pyarrow expects for the column's Arrow type."""
    pa = require_pyarrow()
    target = _arrow_type(pa, f)
    kind = f.type if f is not None and not f.variants else FieldType.ANY
    if pa.types.is_string(target):
        return _as_text
    if pa.types.is_list(target) and f is not None and f.items is not None:
        inner = _converter(f.items)
        return lambda value: (
            [inner(v) for v in value] if isinstance(value, list) else _none_or(value)
        )

    def convert(value: Any) -> Any:
        if value is None or value is MISSING:
            return None
        if kind is FieldType.BINARY and isinstance(value, str):
            try:
                return base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                return value.encode("utf-8")
        if kind in (FieldType.DATE, FieldType.DATETIME, FieldType.TIME) and isinstance(value, str):
            return _moment(value, kind)
        return value

    return convert


def _none_or(value: Any) -> Any:
    return None if value is MISSING else value


def _as_text(value: Any) -> str | None:
    if value is None or value is MISSING:
        return None
    return value if isinstance(value, str) else _JSON.encode(value)


def _moment(text: str, kind: FieldType) -> Any:
    try:
        if kind is FieldType.DATE:
            return dt.date.fromisoformat(text)
        if kind is FieldType.TIME:
            return dt.time.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text  # not a date: pyarrow reports the mismatch with the column named
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
