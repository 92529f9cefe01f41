"""The pre-flight check: explain, before any row is made, why a request cannot be met."""

from __future__ import annotations

import math
import re
from typing import Any

from tdgen_desktop.core.enums import FieldType
from tdgen_desktop.core.errors import UnsatisfiableError
from tdgen_desktop.core.model import Field, Table
from tdgen_desktop.generation.null import NullProvider
from tdgen_desktop.generation.values import GenerationFailure

__all__ = ["preflight", "value_space"]

_PROBE_ROWS = 16
_MAX_OMISSIONS = 20
_INF = math.inf


def preflight(table: Table, rows: int, provider: NullProvider, notices: list[str]) -> None:
    """Check that ``rows`` valid rows of ``table`` can be made.

    Raises:
        UnsatisfiableError: a unique field's value space is smaller than ``rows``, or
            constraints contradict each other (the message names the field and the conflict).
        UnsupportedFeatureError: the schema needs something generation cannot do.

    An optional property whose own rules no generated value satisfies is left out of the rows
    (it is optional, so rows stay valid); ``notices`` says which and why.
    """
    for f in table.fields:
        if f.omit or not f.unique:
            continue
        space = value_space(f)
        if space < rows:
            raise UnsatisfiableError(
                f"is unique but admits only about {_count(space)} distinct values, "
                f"and {rows:,} rows were requested",
                field=f.name,
            )
    for _ in range(_MAX_OMISSIONS):
        probe = NullProvider(provider.seed, provider.locale, pools=provider.pools)
        try:
            plan = probe.plan(table)
            probe.batch(plan, chunk=-1, start=0, count=min(rows, _PROBE_ROWS) or 1)
        except GenerationFailure as exc:
            if not _omit_optional(table, exc.path, exc.problem, notices):
                raise
        else:
            return


def _omit_optional(table: Table, path: str, problem: str, notices: list[str]) -> bool:
    """Leave out the deepest optional property on ``path``; False when there is none."""
    names = [part for part in path.replace("[]", "").split(".") if part]
    omitted = False
    for chain in _routes(table.fields, names):
        optional = [f for f in chain if not f.required and not f.omit]
        if optional:
            target = optional[-1]
            target.omit, target.omit_reason = True, problem
            omitted = True
    if omitted:
        notices.append(f"field '{path}' left out (it is optional): {problem}")
    return omitted


def _routes(fields: list[Field], names: list[str]) -> list[list[Field]]:
    """Every chain of nested fields whose names follow ``names`` (through items and variants)."""
    if not names:
        return [[]]
    routes = []
    for f in _expand(fields):
        if f.name == names[0]:
            for rest in _routes(_children(f), names[1:]):
                routes.append([f, *rest])
    return routes


def _expand(fields: list[Field]) -> list[Field]:
    out = []
    for f in fields:
        out.append(f)
        out.extend(_expand(f.variants))
    return out


def _children(f: Field) -> list[Field]:
    children = list(f.properties)
    for v in f.variants:
        children.extend(_children(v))
    if f.items is not None:
        children.extend(_children(f.items))
    return children


def _count(space: float) -> str:
    return f"{int(space):,}" if space < 1e15 else f"{space:.1e}"


def value_space(f: Field) -> float:
    """Roughly how many distinct values ``f`` admits (``inf`` when practically unbounded)."""
    c = f.constraints
    if c.has_const:
        return 1
    if c.enum is not None:
        return len({repr(v) for v in c.enum if v not in c.not_values})
    if f.variants:
        return sum(value_space(v) for v in f.variants)
    match f.type:
        case FieldType.BOOLEAN:
            return 2
        case FieldType.NULL:
            return 1
        case FieldType.INTEGER | FieldType.NUMBER:
            return _numeric_space(f)
        case FieldType.STRING:
            if c.pattern is not None:
                return pattern_space(c.pattern)
            if c.max_length is not None:
                return _text_space(c.min_length or 0, c.max_length)
            return _INF
        case FieldType.DATE:
            return 5 * 366
        case FieldType.TIME:
            return 86_400
    return _INF


def _text_space(low: int, high: int) -> float:
    """Strings of lowercase letters with ``low..high`` characters (capped at 12)."""
    if low > 12:
        return _INF
    return sum(26.0**n for n in range(low, min(high, 12) + 1))


def _numeric_space(f: Field) -> float:
    c = f.constraints
    if c.minimum is None or c.maximum is None:
        return _INF
    step = c.multiple_of or (1 if f.type is FieldType.INTEGER else None)
    if step is None:
        return _INF
    span = math.floor(c.maximum / step) - math.ceil(c.minimum / step) + 1
    span -= int(c.exclusive_minimum) + int(c.exclusive_maximum)
    return float(max(span, 0))


def pattern_space(pattern: str) -> float:
    """An estimate of how many strings a regular expression matches (capped)."""
    try:
        from re import _parser  # noqa: PLC0415

        parsed = _parser.parse(pattern)
    except (re.error, ImportError, OverflowError, RecursionError):
        return _INF
    return min(_space(list(parsed)), 1e18)


def _space(items: list[Any]) -> float:
    total = 1.0
    for op, arg in items:
        total *= _item_space(str(op), arg)
        if total > 1e18:
            return 1e18
    return total


def _item_space(op: str, arg: Any) -> float:
    if op in {"LITERAL", "AT", "NOT_LITERAL"}:
        return 94 if op == "NOT_LITERAL" else 1
    if op == "ANY":
        return 95
    if op == "IN":
        return _set_size(arg)
    if op in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
        low, high, sub = arg
        base = _space(list(sub))
        top = min(high, low + 12)
        return sum(base**k for k in range(low, top + 1)) if base > 1 else 1.0
    if op == "SUBPATTERN":
        return _space(list(arg[-1]))
    if op == "BRANCH":
        return sum(_space(list(b)) for b in arg[1])
    return 1


def _set_size(items: Any) -> float:
    size = 0.0
    negate = False
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            size += 1
        elif name == "RANGE":
            size += arg[1] - arg[0] + 1
        elif name == "CATEGORY":
            size += {"CATEGORY_DIGIT": 10, "CATEGORY_SPACE": 6, "CATEGORY_WORD": 63}.get(
                str(arg), 30
            )
    return max(95 - size, 1) if negate else max(size, 1)
