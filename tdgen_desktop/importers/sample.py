"""Sample import: a schema inferred from example data (CSV/TSV with a header, a JSON array of
objects, or JSON Lines).

For every column the importer infers the type (boolean, integer, number, date, date-time, time,
UUID, text; arrays and objects in JSON), nullability and the share of nulls, numeric ranges and
decimal places, dates written in other common formats (``31/12/2024``, ``12/31/2024``,
``31.12.2024``, ``20241231``, ``31 Dec 2024`` …: generated dates keep the format and the
sample's range, and are real calendar days), text lengths, a list of allowed values for
low-cardinality columns (weighted by how often each value occurs, so generated rows keep the
sample's proportions), one character-class pattern for fixed-format codes (``AB-1234``), and
uniqueness. Semantic kinds then come from the column names as for any schema. The sample's rows
are read only to infer these facts — generation never copies a row, and nothing leaves the
machine.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import ipaddress
import json
import math
import re
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from tdgen_desktop.core.enums import FieldType, SourceFormat
from tdgen_desktop.core.errors import SchemaError
from tdgen_desktop.core.model import Constraints, Dataset, Field, Table
from tdgen_desktop.importers._row_schema import JSON_SCHEMA_DIALECT, row_schema

__all__ = [
    "ENUM_MAX_VALUES",
    "DateText",
    "import_sample",
    "infer_table",
    "infer_value_type",
    "read_sample",
]

ENUM_MAX_VALUES = 20
"""A text column with at most this many distinct values (each seen twice on average) becomes a
list of allowed values."""

UNIQUE_MIN_ROWS = 10
"""A column is taken as unique only when the sample has at least this many non-null values."""

NULL_TOKENS = frozenset({"", "NA", "N/A", "null", "NULL", "None"})
"""Text cells read as null in CSV/TSV samples."""

_KEY_WORDS = frozenset({"id", "code", "key", "sku", "uuid", "email", "number", "no", "ref"})
_TRUE = {"true", "yes", "t", "y"}
_FALSE = {"false", "no", "f", "n"}
_INTEGER_RE = re.compile(r"^[+-]?(0|[1-9][0-9]*)$")
_NUMBER_RE = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"
)
_TIME_RE = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


# ====================================================================== reading


def read_sample(path: Path, text: str) -> tuple[list[str], list[list[Any]]]:
    """Read a sample into column names and rows (missing cells and null tokens are ``None``).

    Raises:
        SchemaError: no header or no rows, a row with a different number of cells (the message
            names the line), JSON that is not an array of objects, or invalid JSON.
    """
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson"}:
        return _objects(path, _json_lines(path, text))
    stripped = text.lstrip()
    if suffix == ".json" or stripped.startswith(("[", "{")):
        return _objects(path, _json_array(path, text))
    return _delimited(path, text)


def _json_lines(path: Path, text: str) -> list[Any]:
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise SchemaError(f"line {number}: not valid JSON: {exc.msg}", file=path) from None
    return items


def _json_array(path: Path, text: str) -> list[Any]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", file=path
        ) from None
    if not isinstance(document, list):
        raise SchemaError("a JSON sample must be an array of objects", file=path)
    return document


def _objects(path: Path, items: list[Any]) -> tuple[list[str], list[list[Any]]]:
    if not items:
        raise SchemaError("the sample has no rows", file=path)
    columns: dict[str, None] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise SchemaError(
                f"item {index + 1} is {type(item).__name__}, but a sample is a list of objects",
                file=path,
            )
        columns.update(dict.fromkeys(item))
    if not columns:
        raise SchemaError("the sample's objects have no properties", file=path)
    names = list(columns)
    return names, [[item.get(name) for name in names] for item in items]


def _delimited(path: Path, text: str) -> tuple[list[str], list[list[Any]]]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise SchemaError(f"line {reader.line_num}: not valid CSV: {exc}", file=path) from None
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise SchemaError(
            "the sample is empty: a header row and at least one row are needed", file=path
        )
    header = [name.strip() for name in rows[0]]
    if not any(header):
        raise SchemaError("the first line must be a header of column names", file=path)
    if len(set(header)) != len(header):
        repeated = sorted(n for n, c in Counter(header).items() if c > 1)
        raise SchemaError(f"the header repeats column names: {', '.join(repeated)}", file=path)
    body = rows[1:]
    if not body:
        raise SchemaError("the sample has a header but no rows", file=path)
    line = 1
    out = []
    for row in body:
        line += 1
        if len(row) != len(header):
            raise SchemaError(
                f"row {line} has {len(row)} cells but the header has {len(header)} columns "
                "(a ragged CSV)",
                file=path,
            )
        out.append([None if cell in NULL_TOKENS else cell for cell in row])
    return header, out


def _sniff(text: str) -> str:
    head = text[:8192]
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


# ====================================================================== inference


def import_sample(path: Path, text: str) -> Dataset:
    """Build a one-table dataset from a sample file.

    Raises:
        SchemaError: see :func:`read_sample`.
    """
    names, rows = read_sample(path, text)
    table = infer_table(_table_name(path), names, rows)
    dataset = Dataset(source=path, format=SourceFormat.SAMPLE, tables=[table])
    dataset.notices.append(
        f"schema inferred from {len(rows):,} sample rows; generated rows follow its types, "
        "ranges and value lists but never copy a sample row"
    )
    for f in table.fields:
        if isinstance(f.check, DateText):
            dataset.notices.append(
                f"column '{f.name}': dates written as {f.check.shown}, from {f.check.low} to "
                f"{f.check.high}; generated dates keep that format and range"
            )
    return dataset


def _table_name(path: Path) -> str:
    cleaned = re.sub(r"[^0-9A-Za-z_]+", "_", path.name.split(".")[0]).strip("_").lower()
    return cleaned or "sample"


def infer_table(name: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    """A table whose fields describe the columns of ``rows``."""
    table = Table(name=name)
    for index, column in enumerate(columns):
        table.fields.append(_infer_field(column, [row[index] for row in rows]))
    table.additional_properties = False
    table.schema = row_schema(table)
    table.schema_dialect = JSON_SCHEMA_DIALECT
    return table


@dataclass(slots=True)
class _Kind:
    """A candidate type: how to recognise a value and how to read it."""

    type: FieldType
    accepts: Callable[[Any], bool]
    convert: Callable[[Any], Any]


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool) or (isinstance(value, str) and value.lower() in _TRUE | _FALSE)


def _to_bool(value: Any) -> bool:
    return value if isinstance(value, bool) else value.lower() in _TRUE


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, str) and bool(_INTEGER_RE.match(value.strip()))


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return math.isfinite(value)
    return isinstance(value, str) and bool(_NUMBER_RE.match(value.strip()))


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or not _DATE_RE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str) or not _DATETIME_RE.match(value):
        return False
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


_KINDS = (
    _Kind(FieldType.BOOLEAN, _is_bool, _to_bool),
    _Kind(FieldType.INTEGER, _is_int, lambda v: int(float(v)) if isinstance(v, float) else int(v)),
    _Kind(FieldType.NUMBER, _is_number, lambda v: v if isinstance(v, (int, float)) else float(v)),
    _Kind(FieldType.DATE, _is_date, str),
    _Kind(FieldType.DATETIME, _is_datetime, str),
    _Kind(FieldType.TIME, lambda v: isinstance(v, str) and bool(_TIME_RE.match(v)), str),
    _Kind(FieldType.UUID, _is_uuid, str),
    _Kind(FieldType.ARRAY, lambda v: isinstance(v, list), list),
    _Kind(FieldType.OBJECT, lambda v: isinstance(v, dict), dict),
)


def infer_value_type(values: Sequence[Any]) -> FieldType | None:
    """The first type every one of ``values`` (non-null) fits, ``None`` for text."""
    return next((k.type for k in _KINDS if all(k.accepts(v) for v in values)), None)


def _infer_field(name: str, raw: list[Any]) -> Field:
    values = [v for v in raw if v is not None]
    nulls = len(raw) - len(values)
    field = Field(name=name, type=FieldType.STRING)
    if nulls:
        field.nullable = True
        field.null_ratio = round(nulls / len(raw), 3)
    if not values:
        field.constraints = Constraints(max_length=0)
        return field
    if _date_field(field, values):  # 31/12/2024, 20241231 …: dates, not text or numbers
        return field
    kind = next((k for k in _KINDS if all(k.accepts(v) for v in values)), None)
    if kind is None:
        _text_field(field, [v if isinstance(v, str) else json.dumps(v) for v in values])
        return field
    field.type = kind.type
    converted = [kind.convert(v) for v in values]
    if kind.type is FieldType.BOOLEAN:
        counts = Counter(converted)
        if len(counts) == 2 and counts[True] != counts[False]:
            field.constraints.enum = (True, False)  # keep the sample's proportion
            field.enum_weights = (float(counts[True]), float(counts[False]))
    elif kind.type in (FieldType.INTEGER, FieldType.NUMBER):
        _numeric_field(field, converted, raw_values=values)
    elif kind.type in (FieldType.DATE, FieldType.DATETIME, FieldType.TIME, FieldType.UUID):
        formats = {
            FieldType.DATE: "date",
            FieldType.DATETIME: "date-time",
            FieldType.TIME: None,
            FieldType.UUID: "uuid",
        }
        field.constraints.format = formats[kind.type]
        if kind.type is FieldType.TIME:
            field.type = FieldType.STRING
            field.constraints.pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
        field.unique = _looks_unique(converted)
    elif kind.type is FieldType.ARRAY:
        field.items = Field(name="item", type=FieldType.ANY)
        sizes = [len(v) for v in converted]
        field.constraints.min_items, field.constraints.max_items = min(sizes), max(sizes)
    elif kind.type is FieldType.OBJECT:
        field.additional_properties = True
    return field


def _looks_unique(values: list[Any]) -> bool:
    return len(values) >= UNIQUE_MIN_ROWS and len(set(map(str, values))) == len(values)


def _numeric_field(field: Field, values: list[Any], raw_values: list[Any]) -> None:
    c = field.constraints
    low, high = min(values), max(values)
    c.minimum, c.maximum = low, high
    distinct = set(values)
    if field.type is FieldType.INTEGER:
        field.unique = _looks_unique(values) and len(distinct) == len(values)
        if field.unique:
            c.maximum = None  # keys go on beyond the sample's last one
        if _is_category(len(distinct), len(values)) and len(distinct) <= 5:
            c.enum = tuple(sorted(distinct))
            counts = Counter(values)
            field.enum_weights = tuple(float(counts[v]) for v in c.enum)
        return
    places = max(_decimal_places(v) for v in raw_values)
    if 0 < places <= 6:
        c.multiple_of = float(Decimal(1).scaleb(-places))


def _decimal_places(value: Any) -> int:
    text = value if isinstance(value, str) else repr(value)
    try:
        exponent = Decimal(text.strip()).normalize().as_tuple().exponent
    except InvalidOperation:
        return 0
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _is_category(distinct: int, count: int) -> bool:
    return distinct <= ENUM_MAX_VALUES and distinct * 2 <= count


def _text_field(field: Field, values: list[str]) -> None:
    c = field.constraints
    lengths = [len(v) for v in values]
    c.min_length, c.max_length = min(lengths), max(lengths)
    counts = Counter(values)
    if _is_category(len(counts), len(values)):
        common = counts.most_common()
        c.enum = tuple(value for value, _ in common)
        field.enum_weights = tuple(float(n) for _, n in common)  # generated rows follow suit
        return
    value_format = _value_format(values)
    if value_format is not None:  # e-mails, URLs, IP addresses: the kind follows the format
        c.format = value_format
        c.min_length = c.max_length = None  # the sample's lengths would starve the generator
        field.unique = value_format == "email" and _looks_unique(values)  # an account each
        return
    pattern = _shared_shape(values)
    if pattern is not None:
        c.pattern = pattern
    else:
        c.pattern = _common_shapes(values)  # 840 and 978,840; N1A1 and N12A2 …
    # Distinct free text (names, sentences) is usually distinct by chance; codes and keys are
    # distinct by rule.
    keyish = bool(_KEY_WORDS & set(re.findall(r"[a-z]+", field.name.lower())))
    field.unique = _looks_unique(values) and (
        pattern is not None or (keyish and c.max_length is not None and c.max_length <= 12)
    )


_VALUE_FORMATS = (
    ("email", re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")),
    ("uri", re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)),
)


def _value_format(values: list[str]) -> str | None:
    """The ``format`` every value has — ``email``, ``uri``, ``ipv4``, ``ipv6`` — if any: the
    semantic kind then comes from the values, whatever the column is called."""
    for name, regex in _VALUE_FORMATS:
        if all(regex.match(v) for v in values):
            return name
    for name, version in (("ipv4", 4), ("ipv6", 6)):
        if all(_is_ip(v, version) for v in values):
            return name
    return None


def _is_ip(value: str, version: int) -> bool:
    try:
        return ipaddress.ip_address(value).version == version
    except ValueError:
        return False


def _shape(value: str) -> list[tuple[str, int]]:
    """Runs of character classes: ``AB-12`` → [(A-Z, 2), (-, 1), (0-9, 2)]."""
    runs: list[tuple[str, int]] = []
    for ch in value:
        if ch.isascii() and ch.isupper():
            cls = "A-Z"
        elif ch.isascii() and ch.islower():
            cls = "a-z"
        elif ch.isascii() and ch.isdigit():
            cls = "0-9"
        else:
            cls = ch
        if runs and runs[-1][0] == cls:
            runs[-1] = (cls, runs[-1][1] + 1)
        else:
            runs.append((cls, 1))
    return runs


def _shared_shape(values: list[str]) -> str | None:
    """A pattern when every value has the same fixed-format shape (codes, not free text)."""
    first = _shape(values[0])
    if len(values) < UNIQUE_MIN_ROWS or not 1 < len(values[0]) <= 40:
        return None
    if not any(cls in {"A-Z", "0-9"} for cls, _ in first):
        return None  # words (lower-case letters and spaces) are text, not codes
    if any(cls not in {"A-Z", "a-z", "0-9"} and not re.match(r"[-_./:#]", cls) for cls, _ in first):
        return None
    for value in values[1:]:
        if _shape(value) != first:
            return None
    parts = []
    for cls, count in first:
        atom = f"[{cls}]" if cls in {"A-Z", "a-z", "0-9"} else _literal(cls)
        parts.append(atom if count == 1 else f"{atom}{{{count}}}")
    return "^" + "".join(parts) + "$"


COMMON_SHAPE_SHARE = 0.05
"""A code column with several shapes keeps those each held by at least this share of its values
(at most :data:`COMMON_SHAPE_MAX` of them, together at least 90 % of the values)."""
COMMON_SHAPE_MAX = 4


def _common_shapes(values: list[str]) -> str | None:
    """A pattern of the few fixed-format shapes most code values take (codes, not free text):
    ``971`` and ``978,840`` → ``^([0-9]{3}|[0-9]{3},[0-9]{3})$`` when both are common."""
    if len(values) < UNIQUE_MIN_ROWS:
        return None
    shapes = Counter(tuple(_shape(v)) for v in values)
    common = [
        (shape, n) for shape, n in shapes.most_common() if n >= COMMON_SHAPE_SHARE * len(values)
    ]
    if not 1 <= len(common) <= COMMON_SHAPE_MAX or sum(n for _, n in common) < 0.9 * len(values):
        return None
    patterns = []
    for shape, _ in common:
        pattern = _shape_pattern(list(shape))
        if pattern is None:
            return None
        patterns.append(pattern)
    if len(patterns) == 1:
        return f"^{patterns[0]}$"
    return "^(" + "|".join(patterns) + ")$"


def _shape_pattern(shape: list[tuple[str, int]]) -> str | None:
    """The regular expression of one code shape; ``None`` for words (text, not a code)."""
    if not any(cls in {"A-Z", "0-9"} for cls, _ in shape) or sum(n for _, n in shape) > 40:
        return None
    if any(cls == "a-z" and n > 3 for cls, n in shape):
        return None  # a word (https, wiki …): its letters matter, not their class
    if any(
        cls not in {"A-Z", "a-z", "0-9"} and not re.match(r"[-_./:#,]", cls) for cls, _ in shape
    ):
        return None
    parts = []
    for cls, count in shape:
        atom = f"[{cls}]" if cls in {"A-Z", "a-z", "0-9"} else _literal(cls)
        parts.append(atom if count == 1 else f"{atom}{{{count}}}")
    return "".join(parts)


def _literal(ch: str) -> str:
    """A separator as a regular expression (``-``, ``_``, ``:``, ``/`` need no escape)."""
    return ch if ch in "-_:/" else re.escape(ch)


# ====================================================================== dates in other formats

_DATE_FORMATS = (
    # (strftime format, as shown to people); where day and month could swap, the more common
    # reading of the separator comes first: 01/02/2024 is US month/day, 01.02.2024 day.month.
    ("%m/%d/%Y", "MM/DD/YYYY"),
    ("%d/%m/%Y", "DD/MM/YYYY"),
    ("%d.%m.%Y", "DD.MM.YYYY"),
    ("%d-%m-%Y", "DD-MM-YYYY"),
    ("%m-%d-%Y", "MM-DD-YYYY"),
    ("%Y/%m/%d", "YYYY/MM/DD"),
    ("%Y.%m.%d", "YYYY.MM.DD"),
    ("%Y%m%d", "YYYYMMDD"),
    ("%d %b %Y", "DD Mon YYYY"),
    ("%b %d, %Y", "Mon DD, YYYY"),
    ("%d-%b-%Y", "DD-Mon-YYYY"),
    ("%m/%d/%y", "MM/DD/YY"),
    ("%d/%m/%y", "DD/MM/YY"),
    ("%d.%m.%y", "DD.MM.YY"),
)
_MONTHS = "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_DAY = ("(0[1-9]|[12][0-9]|3[01])", "([1-9]|[12][0-9]|3[01])")  # zero-padded, not padded
_MONTH = ("(0[1-9]|1[0-2])", "([1-9]|1[0-2])")


@dataclass(frozen=True, slots=True)
class DateText:
    """The check of a text column holding dates in a non-ISO format: the text is a real calendar
    day in ``fmt`` between ``low`` and ``high`` (a pattern alone would allow 31/02)."""

    fmt: str
    shown: str
    low: dt.date
    high: dt.date

    def __call__(self, value: Any) -> bool:
        """Whether ``value`` is such a date."""
        if not isinstance(value, str):
            return False
        try:
            day = dt.datetime.strptime(value, self.fmt).date()
        except ValueError:
            return False
        return self.low <= day <= self.high


def _date_field(field: Field, values: list[Any]) -> bool:
    """Make ``field`` a date-in-text column when every value is a date in one known format."""
    texts = [v for v in values if isinstance(v, str)]
    if len(texts) != len(values) or len(texts) < 2 or not any(ch.isdigit() for ch in texts[0]):
        return False
    for fmt, shown in _DATE_FORMATS:
        days = _parse_all(texts, fmt)
        if days is None:
            continue
        pattern = _date_pattern(fmt, texts, min(days).year, max(days).year)
        if pattern is None:
            continue
        field.type = FieldType.STRING
        c = field.constraints
        c.pattern = pattern
        lengths = [len(t) for t in texts]
        c.min_length, c.max_length = min(lengths), max(lengths)
        field.check = DateText(fmt, shown, min(days), max(days))
        field.unique = _looks_unique(texts)
        return True
    return False


def _parse_all(texts: list[str], fmt: str) -> list[dt.date] | None:
    days = []
    for text in texts:
        try:
            days.append(dt.datetime.strptime(text, fmt).date())
        except ValueError:
            return None
    return days


def _date_pattern(fmt: str, texts: list[str], first_year: int, last_year: int) -> str | None:
    """A regular expression of ``fmt`` the sample's texts all match (padded or not)."""
    years = "(" + "|".join(str(y) for y in range(first_year, last_year + 1)) + ")"
    short_years = "(" + "|".join(f"{y % 100:02d}" for y in range(first_year, last_year + 1)) + ")"
    for padded in (0, 1):
        parts = []
        directive = False
        for ch in fmt:
            if directive:
                parts.append(
                    {
                        "d": _DAY[padded],
                        "m": _MONTH[padded],
                        "Y": years,
                        "y": short_years,
                        "b": _MONTHS,
                    }[ch]
                )
                directive = False
            elif ch == "%":
                directive = True
            else:
                parts.append(re.escape(ch))
        pattern = "^" + "".join(parts) + "$"
        if all(re.match(pattern, t) for t in texts):
            return pattern
    return None
