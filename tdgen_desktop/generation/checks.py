"""Fast validation: checks compiled per column from the model, instead of ``jsonschema`` per row.

The validate step must check every valid row without dominating the job. For tables whose
fields the model describes completely (scalars with types, bounds, lengths, patterns, formats,
enums), each column gets one compiled predicate and a chunk is checked column by column. A row a
predicate rejects is re-checked with the full oracle, which gives the exact message. Tables with
nested values, unions or whole-schema rules keep the generic oracle for every row. The generic
``jsonschema`` validator also stays the test suite's oracle for every output.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable
from typing import Any

from tdgen_desktop.core.enums import FieldType
from tdgen_desktop.core.model import MISSING, Field, Table

__all__ = ["ColumnCheck", "compile_table_check"]

ColumnCheck = Callable[[Any], bool]

_SCALAR_TYPES: dict[FieldType, Callable[[Any], bool]] = {
    FieldType.STRING: lambda v: isinstance(v, str),
    FieldType.DATE: lambda v: isinstance(v, str),
    FieldType.DATETIME: lambda v: isinstance(v, str),
    FieldType.TIME: lambda v: isinstance(v, str),
    FieldType.UUID: lambda v: isinstance(v, str),
    FieldType.BINARY: lambda v: isinstance(v, str),
    FieldType.BOOLEAN: lambda v: isinstance(v, bool),
    FieldType.INTEGER: lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
    FieldType.NUMBER: lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    FieldType.NULL: lambda v: v is None,
}
_FORMAT_OF_TYPE = {
    FieldType.DATE: "date",
    FieldType.DATETIME: "date-time",
    FieldType.TIME: "time",
    FieldType.UUID: "uuid",
}


def compile_table_check(
    table: Table,
) -> Callable[[list[str], list[tuple[Any, ...]]], list[int]] | None:
    """A function returning the indexes of rows that break a column rule, or None when the
    table needs the generic validator (nested values, unions, whole-schema rules)."""
    if table.check is not None or table.bare:
        return None
    checks: dict[str, ColumnCheck] = {}
    for f in table.fields:
        if f.omit:
            continue
        check = compile_field_check(f)
        if check is None:
            return None
        checks[f.name] = check

    def failing(columns: list[str], rows: list[tuple[Any, ...]]) -> list[int]:
        bad: set[int] = set()
        for index, name in enumerate(columns):
            check = checks[name]
            for number, row in enumerate(rows):
                if not check(row[index]):
                    bad.add(number)
        return sorted(bad)

    return failing


def compile_field_check(f: Field) -> ColumnCheck | None:
    """A predicate for one scalar field's values (``MISSING`` and null included), or None."""
    if f.variants or f.check is not None or f.type not in _SCALAR_TYPES:
        return None
    c = f.constraints
    rules: list[ColumnCheck] = [_SCALAR_TYPES[f.type]]
    if c.enum is not None:
        allowed = {_key(v) for v in c.enum}
        rules.append(lambda v: _key(v) in allowed)
    if c.has_const:
        const = _key(c.const)
        rules.append(lambda v: _key(v) == const)
    if c.not_values:
        banned = {_key(v) for v in c.not_values}
        rules.append(lambda v: _key(v) not in banned)
    if f.type in (FieldType.INTEGER, FieldType.NUMBER):
        rules.extend(_numeric_rules(f))
    elif f.type in _FORMAT_OF_TYPE or f.type is FieldType.STRING or f.type is FieldType.BINARY:
        rules.extend(_string_rules(f))
    required, nullable = f.required, f.nullable or f.type is FieldType.NULL
    combined = _all(rules)

    def check(value: Any) -> bool:
        if value is MISSING:
            return not required
        if value is None:
            return nullable
        return combined(value)

    return check


def _all(rules: list[ColumnCheck]) -> ColumnCheck:
    if len(rules) == 1:
        return rules[0]
    first, rest = rules[0], _all(rules[1:])
    return lambda v: first(v) and rest(v)


def _key(value: Any) -> Any:
    return ("bool", value) if isinstance(value, bool) else value


def _numeric_rules(f: Field) -> list[ColumnCheck]:
    c = f.constraints
    rules: list[ColumnCheck] = []
    if c.minimum is not None:
        low = c.minimum
        rules.append((lambda v: v > low) if c.exclusive_minimum else (lambda v: v >= low))
    if c.maximum is not None:
        high = c.maximum
        rules.append((lambda v: v < high) if c.exclusive_maximum else (lambda v: v <= high))
    if c.multiple_of:
        step = decimal.Decimal(repr(c.multiple_of))
        integral = isinstance(c.multiple_of, int)

        def multiple(v: Any) -> bool:
            if integral and isinstance(v, int):
                return v % int(step) == 0
            return decimal.Decimal(repr(v)) % step == 0

        rules.append(multiple)
    return rules


def _string_rules(f: Field) -> list[ColumnCheck]:
    c = f.constraints
    rules: list[ColumnCheck] = []
    low, high = c.min_length, c.max_length
    if low is not None:
        rules.append(lambda v: len(v) >= low)
    if high is not None:
        rules.append(lambda v: len(v) <= high)
    if c.pattern is not None:
        search = re.compile(c.pattern).search
        rules.append(lambda v: search(v) is not None)
    fmt = c.format or _FORMAT_OF_TYPE.get(f.type)
    if fmt is not None:
        import jsonschema  # noqa: PLC0415

        checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
        if fmt in checker.checkers:
            conforms = checker.conforms
            rules.append(lambda v: bool(conforms(v, fmt)))
    return rules
