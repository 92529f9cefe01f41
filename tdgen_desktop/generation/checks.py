"""Fast validation: checks compiled per column from the model, instead of ``jsonschema`` per row.

The validate step must check every valid row without dominating the job. For tables whose
fields the model describes completely (scalars with types, bounds, lengths, patterns, formats,
enums), each column gets one predicate, compiled to Python source (one expression per column,
evaluated in a list comprehension over the column), and a chunk is checked column by column. A
row a predicate rejects is re-checked with the full oracle, which gives the exact message.
Tables with nested values, unions or whole-schema rules keep the generic oracle for every row.
The generic ``jsonschema`` validator also stays the test suite's oracle for every output.

Formats are checked with :func:`format_predicate`: a strict regular expression that implies the
format (a date whose day is at most 28 is a date), then a memo of values already confirmed, and
only then ``jsonschema``'s own format checker — never laxer than the oracle, but cheap for the
values generation makes.
"""

from __future__ import annotations

import decimal
import itertools
import math
import operator
import re
from collections.abc import Callable, Sequence
from typing import Any

from tdgen_desktop.core.enums import FieldType
from tdgen_desktop.core.model import MISSING, Field, Table
from tdgen_desktop.core.pattern_check import checked_pattern

__all__ = ["ColumnCheck", "compile_field_check", "compile_table_check", "format_predicate"]

ColumnCheck = Callable[[Any], bool]
TableCheck = Callable[[list[str], list[tuple[Any, ...]]], list[int]]

_TYPE_TESTS: dict[FieldType, str] = {
    FieldType.STRING: "(v.__class__ is str or isinstance(v, str))",
    FieldType.BOOLEAN: "(v is True or v is False)",
    FieldType.INTEGER: (
        "(v.__class__ is int or (isinstance(v, int) and not isinstance(v, bool))"
        " or (isinstance(v, float) and v.is_integer()))"
    ),
    FieldType.NUMBER: (
        "(v.__class__ is int or v.__class__ is float"
        " or (isinstance(v, (int, float)) and not isinstance(v, bool)))"
    ),
    FieldType.NULL: "v is None",
}
for _text_type in (FieldType.DATE, FieldType.DATETIME, FieldType.TIME, FieldType.UUID):
    _TYPE_TESTS[_text_type] = _TYPE_TESTS[FieldType.STRING]
_TYPE_TESTS[FieldType.BINARY] = _TYPE_TESTS[FieldType.STRING]

_FORMAT_OF_TYPE = {
    FieldType.DATE: "date",
    FieldType.DATETIME: "date-time",
    FieldType.TIME: "time",
    FieldType.UUID: "uuid",
}

# Strict shapes that imply the format as jsonschema checks it (every month's days but 29
# February, years from 1000); anything else goes to jsonschema's checker.
_DAY = (
    r"[1-9][0-9]{3}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    r"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
)
_HOUR_MINUTE = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
_CLOCK = rf"{_HOUR_MINUTE}:[0-5][0-9](?:\.[0-9]+)?(?:Z|[+-]{_HOUR_MINUTE})"
_SUFFICIENT: dict[str, re.Pattern[str]] = {
    "date": re.compile(_DAY),
    "date-time": re.compile(f"{_DAY}T{_CLOCK}"),
    "time": re.compile(_CLOCK),
    "uuid": re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
}
_MEMO_LIMIT = 50_000
"""Values a format predicate remembers as confirmed (per predicate; bounded memory)."""


def format_predicate(fmt: str) -> ColumnCheck | None:
    """A predicate equal to ``jsonschema``'s check of ``fmt`` for strings, or None when
    ``jsonschema`` does not check that format.

    It tries a strict regular expression that implies the format, then the values it already
    confirmed, then ``jsonschema``'s format checker (and remembers a bounded number of values it
    confirmed).
    """
    import jsonschema  # noqa: PLC0415

    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    if fmt not in checker.checkers:
        return None
    if fmt in {"email", "idn-email"}:  # jsonschema asks for an "@" and nothing more
        return lambda v: "@" in v
    conforms = checker.conforms
    confirmed: set[str] = set()
    sufficient = _SUFFICIENT.get(fmt)
    shape = sufficient.fullmatch if sufficient is not None else None

    def check(value: Any) -> bool:
        if value in confirmed or (shape is not None and shape(value) is not None):
            return True
        if not conforms(value, fmt):
            return False
        if len(confirmed) < _MEMO_LIMIT:
            confirmed.add(value)
        return True

    return check


def compile_table_check(table: Table) -> TableCheck | None:
    """A function returning the indexes of rows that break a column rule, or None when the
    table needs the generic validator (nested values, unions, whole-schema rules)."""
    if table.check is not None or table.bare:
        return None
    checks: dict[str, Callable[[tuple[Any, ...]], list[int]]] = {}
    for f in table.fields:
        if f.omit:
            continue
        compiled = _compile_column(f)
        if compiled is None:
            return None
        checks[f.name] = compiled

    def failing(columns: list[str], rows: list[tuple[Any, ...]]) -> list[int]:
        if not rows:
            return []
        bad: set[int] = set()
        for name, values in zip(columns, zip(*rows, strict=True), strict=True):
            bad.update(checks[name](values))
        return sorted(bad)

    return failing


def compile_field_check(f: Field) -> ColumnCheck | None:
    """A predicate for one scalar field's values (``MISSING`` and null included), or None."""
    compiled = _expression(f)
    if compiled is None:
        return None
    source, names = compiled
    return _build(f"lambda v: {source}", names)  # type: ignore[no-any-return]


def _compile_column(f: Field) -> Callable[[tuple[Any, ...]], list[int]] | None:
    """A function returning the positions of a column's values that break the field's rules."""
    compiled = _expression(f)
    if compiled is None:
        return None
    source, names = compiled
    each: Callable[[tuple[Any, ...]], list[int]] = _build(
        f"lambda values: [i for i, v in enumerate(values) if not ({source})]", names
    )
    whole = _column_accept(f)
    if whole is None:
        return each

    def column(values: tuple[Any, ...]) -> list[int]:
        return [] if whole(values) else each(values)

    return column


# ------------------------------------------------------------------ whole-column shortcuts
#
# A column whose values all pass is the common case. These checks look at a whole column with
# built-in functions (``set``, ``min``, ``max``, ``map``) and say "every value passes" only when
# each rule holds for every value; on any doubt the column goes to the value-by-value check,
# which finds the rows. They are never laxer than that check (tested).

_BASE_TYPES: dict[FieldType, frozenset[type]] = {
    FieldType.STRING: frozenset({str}),
    FieldType.INTEGER: frozenset({int}),
    FieldType.NUMBER: frozenset({int, float}),
    FieldType.BOOLEAN: frozenset({bool}),
}
for _text_type in (FieldType.DATE, FieldType.DATETIME, FieldType.TIME, FieldType.UUID):
    _BASE_TYPES[_text_type] = _BASE_TYPES[FieldType.STRING]
_BASE_TYPES[FieldType.BINARY] = _BASE_TYPES[FieldType.STRING]

ColumnAccept = Callable[[Sequence[Any]], bool]


def _column_accept(f: Field) -> ColumnAccept | None:
    """A whole-column check that every value passes, or None when a rule has no such check."""
    base = _BASE_TYPES.get(f.type)
    if base is None:
        return None
    text = base == _BASE_TYPES[FieldType.STRING]
    membership = _membership_accepts(f, text)
    if membership is None:
        return None
    rules = membership
    if text:
        rules.extend(_text_accepts(f))
    elif f.type in (FieldType.INTEGER, FieldType.NUMBER):
        numeric = _number_accepts(f)
        if numeric is None:
            return None
        rules.extend(numeric)
    allowed_types = set(base)
    if f.nullable:
        allowed_types.add(type(None))
    if not f.required:
        allowed_types.add(type(MISSING))
    plain = frozenset(base)

    def accept(values: Sequence[Any]) -> bool:
        kinds = set(map(type, values))
        if not kinds <= allowed_types:
            return False
        if not kinds <= plain:  # nulls and absent values pass; the rules see the rest
            values = [v for v in values if v.__class__ in plain]
            if not values:
                return True
        return all(rule(values) for rule in rules)

    return accept


def _membership_accepts(f: Field, text: bool) -> list[ColumnAccept] | None:
    """Enum, const and excluded values, for text columns (None: other columns)."""
    c = f.constraints
    rules: list[ColumnAccept] = []
    for values in (c.enum, (c.const,) if c.has_const else None):
        if values is not None:
            if not text or not all(isinstance(v, str) for v in values):
                return None
            rules.append(frozenset(values).issuperset)
    if c.not_values:
        if not text:
            return None
        rules.append(frozenset(v for v in c.not_values if isinstance(v, str)).isdisjoint)
    return rules


def _finite(values: Sequence[Any]) -> bool:
    try:
        return all(map(math.isfinite, values))
    except OverflowError:  # an integer beyond the floats: let the value-by-value check see it
        return False


def _text_accepts(f: Field) -> list[ColumnAccept]:
    c = f.constraints
    rules: list[ColumnAccept] = []
    low, high = c.min_length, c.max_length
    if low:
        rules.append(lambda values: min(map(len, values)) >= low)
    if high is not None:
        rules.append(lambda values: max(map(len, values)) <= high)
    if c.pattern is not None:
        search = checked_pattern(c.pattern).search
        rules.append(lambda values: all(map(search, values)))
    fmt = c.format or _FORMAT_OF_TYPE.get(f.type)
    predicate = format_predicate(fmt) if fmt is not None else None
    if fmt is not None and predicate is not None:
        shape = _SUFFICIENT.get(fmt)
        if fmt in {"email", "idn-email"}:
            rules.append(lambda values: all(map(operator.contains, values, itertools.repeat("@"))))
        elif shape is not None:
            full = shape.fullmatch  # the rare value of another shape gets the full check
            rules.append(lambda values: all(map(predicate, itertools.filterfalse(full, values))))
        else:
            rules.append(lambda values: all(map(predicate, values)))
    return rules


def _number_accepts(f: Field) -> list[ColumnAccept] | None:
    c = f.constraints
    rules: list[ColumnAccept] = [_finite]
    if c.minimum is not None:
        low = c.minimum
        if c.exclusive_minimum:
            rules.append(lambda values: min(values) > low)
        else:
            rules.append(lambda values: min(values) >= low)
    if c.maximum is not None:
        high = c.maximum
        if c.exclusive_maximum:
            rules.append(lambda values: max(values) < high)
        else:
            rules.append(lambda values: max(values) <= high)
    if c.multiple_of:
        places = _power_of_ten_places(c.multiple_of)
        if places is None:
            return None
        # Integers are multiples of 10**-places; a float is when its shortest decimal form has
        # at most ``places`` digits after the point. ``repr`` of the whole column writes each
        # value's shortest form; one search finds a value with more digits (or an exponent).
        if not places:
            rules.append(lambda values: all(v.__class__ is int for v in values))
        else:
            too_fine = re.compile(rf"\.[0-9]{{{places + 1}}}|e").search
            rules.append(lambda values: too_fine(repr(values)) is None)
    return rules


def _power_of_ten_places(step: float) -> int | None:
    """``k`` when ``step`` is ``10**-k`` (0 for 1), else None."""
    exponent = decimal.Decimal(repr(step)).normalize().as_tuple()
    if exponent.digits == (1,) and isinstance(exponent.exponent, int) and exponent.exponent <= 0:
        return -exponent.exponent
    return None


def _build(source: str, names: dict[str, Any]) -> Any:
    # The source is assembled here from fixed fragments; the field's values (bounds, enums,
    # patterns) are passed as names, never spliced into the text.
    return eval(source, {"__builtins__": __builtins__, **names})  # noqa: S307


class _Names:
    """Values a compiled expression refers to, each under a fresh name."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {"MISSING": MISSING, "_key": _key}

    def add(self, value: Any) -> str:
        name = f"_c{len(self.values)}"
        self.values[name] = value
        return name


def _expression(f: Field) -> tuple[str, dict[str, Any]] | None:
    """The check of one field as a Python expression over ``v``, with the names it uses."""
    if f.variants or f.check is not None or f.type not in _TYPE_TESTS:
        return None
    c = f.constraints
    names = _Names()
    rules = [_TYPE_TESTS[f.type]]
    if c.enum is not None:
        rules.append(_member(c.enum, names, inside=True))
    if c.has_const:
        rules.append(_member((c.const,), names, inside=True))
    if c.not_values:
        rules.append(_member(c.not_values, names, inside=False))
    if f.type in (FieldType.INTEGER, FieldType.NUMBER):
        rules.extend(_numeric_rules(f, names))
    elif f.type in _FORMAT_OF_TYPE or f.type is FieldType.STRING or f.type is FieldType.BINARY:
        rules.extend(_string_rules(f, names))
    expression = " and ".join(f"({rule})" for rule in rules)
    alternatives = []
    if not f.required:
        alternatives.append("v is MISSING")
    if f.nullable or f.type is FieldType.NULL:
        alternatives.append("v is None")
    # MISSING and None fail every type test, so a required, non-null field needs no case here.
    expression = " or ".join([*alternatives, f"({expression})"])
    return expression, names.values


def _member(values: tuple[Any, ...], names: _Names, *, inside: bool) -> str:
    keys = names.add(frozenset(_key(v) for v in values))
    strings = names.add(frozenset(v for v in values if isinstance(v, str)))
    op = "in" if inside else "not in"
    # Text compares as itself; other values by key (True is not 1).
    return f"(v {op} {strings}) if v.__class__ is str else (_key(v) {op} {keys})"


def _key(value: Any) -> Any:
    return ("bool", value) if isinstance(value, bool) else value


def _numeric_rules(f: Field, names: _Names) -> list[str]:
    c = f.constraints
    rules: list[str] = []
    if c.minimum is not None:
        rules.append(f"v {'>' if c.exclusive_minimum else '>='} {names.add(c.minimum)}")
    if c.maximum is not None:
        rules.append(f"v {'<' if c.exclusive_maximum else '<='} {names.add(c.maximum)}")
    if c.multiple_of:
        rules.append(f"{names.add(_multiple_check(c.multiple_of))}(v)")
    return rules


_PLAIN_DECIMAL = re.compile(r"-?[0-9]+\.([0-9]*?)0*")


def _multiple_check(multiple_of: float) -> ColumnCheck:
    """Whether a number is a multiple of ``multiple_of``, in exact decimal arithmetic.

    For a step of ``10**-k`` (cents: 0.01) a float is a multiple exactly when its shortest
    decimal form has at most ``k`` digits after the point — read from ``repr`` without
    building a ``Decimal``.
    """
    step = decimal.Decimal(repr(multiple_of))
    integral = isinstance(multiple_of, int)
    exponent = step.normalize().as_tuple()
    places = (
        -exponent.exponent
        if exponent.digits == (1,) and isinstance(exponent.exponent, int) and exponent.exponent < 0
        else None
    )
    shape = _PLAIN_DECIMAL.fullmatch

    def multiple(v: Any) -> bool:
        if integral and isinstance(v, int):
            return v % int(step) == 0
        if places is not None and v.__class__ is float:
            match = shape(repr(v))
            if match is not None:
                return len(match.group(1)) <= places
        try:
            return decimal.Decimal(repr(v)) % step == 0
        except (decimal.InvalidOperation, ValueError):  # as core.validation decides
            return False

    return multiple


def _string_rules(f: Field, names: _Names) -> list[str]:
    c = f.constraints
    rules: list[str] = []
    low, high = c.min_length, c.max_length
    if low is not None and high is not None:
        rules.append(f"{names.add(low)} <= len(v) <= {names.add(high)}")
    elif low is not None:
        rules.append(f"len(v) >= {names.add(low)}")
    elif high is not None:
        rules.append(f"len(v) <= {names.add(high)}")
    if c.pattern is not None:
        rules.append(f"{names.add(checked_pattern(c.pattern).search)}(v) is not None")
    fmt = c.format or _FORMAT_OF_TYPE.get(f.type)
    if fmt is not None:
        predicate = format_predicate(fmt)
        if predicate is not None:
            rules.append(f"{names.add(predicate)}(v)")
    return rules
