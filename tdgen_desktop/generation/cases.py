"""Test-case design: boundary rows (valid, at the edges) and invalid rows (one rule broken).

For every field of a table the designer lists *case specs*: a rule, a case kind and the value
that exercises it. A case row is a fresh valid row with that one value put in. Each row is then
checked against the validation oracle — a boundary row must pass, an invalid row must fail for
the labelled field and rule — and a spec that cannot keep that promise (because another rule of
the schema interferes) is reported as uncoverable instead of being written with a wrong label.
"""

from __future__ import annotations

import copy
import itertools
import math
import random
import re
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tdgen_desktop.core.enums import CaseKind, Dialect, Expectation, ExportFormat, FieldType
from tdgen_desktop.core.errors import TdgenError
from tdgen_desktop.core.model import MISSING, Field, ForeignKey, Table
from tdgen_desktop.core.pattern_check import checked_pattern
from tdgen_desktop.core.rows import CaseLabel
from tdgen_desktop.generation.seen import value_key

__all__ = [
    "ADDITIONAL",
    "CaseRows",
    "CaseSpec",
    "Coverage",
    "SqlTarget",
    "Uncoverable",
    "design_cases",
    "sql_unenforced",
    "sql_unstorable",
    "unique_key",
    "unrepresentable_in",
    "validator_keywords",
]

_MAX_EDGE_LENGTH = 1_000_000
"""Length cases longer than this many characters are not made (they would not fit in memory)."""

ADDITIONAL = "_unexpected_property"
"""The name of the extra property an ``additionalProperties`` case adds."""

# Unicode text people forget: accents (precomposed and combining), CJK, right-to-left, emoji.
_UNICODE_SAMPLES = (
    "Zoë Ñúñez",
    "e\u0301le\u0300ve",
    "東京都",
    "שלום עולם",
    "مرحبا",
    "🙂👍🏽",
    "Ωmega",
)

_WRONG_TYPE: dict[FieldType, Any] = {
    FieldType.STRING: 12345,
    FieldType.INTEGER: "12",
    FieldType.NUMBER: "1.5",
    FieldType.BOOLEAN: "true",
    FieldType.DATE: 20240131,
    FieldType.DATETIME: 1704067200,
    FieldType.TIME: 1200,
    FieldType.UUID: 42,
    FieldType.BINARY: 7,
    FieldType.ARRAY: "not an array",
    FieldType.OBJECT: "not an object",
}

_BAD_FORMATS: dict[str, tuple[str, ...]] = {
    "email": ("not-an-email", "missing.at.sign"),
    "idn-email": ("not-an-email",),
    "date": ("2023-02-30", "2023-13-01", "31/01/2023"),
    "date-time": ("2023-02-30T10:00:00Z", "2023-01-01 25:00", "yesterday"),
    "time": ("25:61:00Z", "12:00"),
    "uuid": ("not-a-uuid", "1234"),
    "ipv4": ("999.1.1.1", "1.2.3"),
    "ipv6": ("12345::", "::g"),
    "hostname": ("-bad-.com", "a..b"),
    "idn-hostname": ("-bad-.com",),
    "uri": ("not a uri", "//no-scheme"),
    "iri": ("not a uri",),
    "uri-reference": ("\\\\bad",),
    "duration": ("P", "3 days"),
    "json-pointer": ("a/b", "no-slash"),
    "regex": ("([", "*a"),
    "uri-template": ("{unclosed",),
}

# Rules that a format cannot carry (a CSV cell has no type, no null, no absent key; a typed
# Parquet column or an SQL column cannot hold a value of another type, and every row has every
# column).
_ABSENCE = {
    "required": "a column cannot be absent from one row",
    "optional": "a column cannot be absent from one row",
    "additionalProperties": "a row cannot have a column the others lack",
}
_UNREPRESENTABLE: dict[ExportFormat, dict[str, str]] = {
    ExportFormat.CSV: {
        **_ABSENCE,
        "type": "a text cell has no type",
        "null": "an empty cell cannot tell null from an empty string",
    },
    ExportFormat.TSV: {
        **_ABSENCE,
        "type": "a text cell has no type",
        "null": "an empty cell cannot tell null from an empty string",
    },
    ExportFormat.XLSX: {
        **_ABSENCE,
        "null": "an empty cell cannot tell null from an empty string",
    },
    ExportFormat.PARQUET: {**_ABSENCE, "type": "a typed column holds one type only"},
    ExportFormat.SQL: {
        **_ABSENCE,
        "type": "a database converts quoted values to the column's type",
    },
}
# The jsonschema keywords that may report each rule (a field typed only by its enum rejects a
# null or a wrong type through "enum").
_VALIDATOR_KEYWORDS = {
    "null": {"type", "enum", "const"},
    "type": {"type", "enum", "const"},
    "exclusiveMinimum": {"exclusiveMinimum", "minimum"},
    "exclusiveMaximum": {"exclusiveMaximum", "maximum"},
}


@dataclass(frozen=True, slots=True)
class CaseSpec:
    """One designed case: put ``value`` into ``path`` of a valid row.

    Attributes:
        path: property names from the row down to the field (``("address", "zip")``).
        label: what the row tests.
        value: the value to put there (``MISSING`` removes the property).
        extra: for ``additionalProperties``: an extra property to add to the object.
        needs_unique_check: the value must not repeat a unique field's earlier value.
        also: more (column, value) pairs to put into the row (a composite foreign key).
    """

    path: tuple[str, ...]
    label: CaseLabel
    value: Any = None
    extra: bool = False
    needs_unique_check: bool = False
    also: tuple[tuple[str, Any], ...] = ()

    def apply(self, row: dict[str, Any]) -> dict[str, Any]:
        """A copy of ``row`` (a JSON object) with this case's value put in."""
        out = copy.deepcopy(row)
        target = out
        for name in self.path[:-1]:
            child = target.get(name)
            if not isinstance(child, dict):
                child = {}
                target[name] = child
            target = child
        if self.extra:
            target[ADDITIONAL] = "unexpected"
        elif self.value is MISSING:
            target.pop(self.path[-1], None)
        else:
            target[self.path[-1]] = copy.deepcopy(self.value)
        for name, value in self.also:
            out[name] = value
        return out


@dataclass(frozen=True, slots=True)
class Uncoverable:
    """A (field, rule) no row was written for, and why."""

    field: str
    rule: str
    reason: str

    def as_record(self) -> dict[str, str]:
        """A JSON object for the coverage report."""
        return {"field": self.field, "rule": self.rule, "reason": self.reason}


@dataclass(slots=True)
class Coverage:
    """What the cases of one table cover.

    Attributes:
        counts: (field, rule) → {"boundary": n, "invalid": n}.
        uncoverable: rules no row could be written for.
        not_in_format: rules the output format cannot carry (written in JSON/JSONL only).
        left_out: cases dropped by the ``max_cases`` cap.
    """

    counts: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    uncoverable: list[Uncoverable] = field(default_factory=list)
    not_in_format: list[Uncoverable] = field(default_factory=list)
    left_out: list[Uncoverable] = field(default_factory=list)

    def add(self, label: CaseLabel) -> None:
        """Count a written case row."""
        key = (label.field or "", label.rule or "")
        slot = self.counts.setdefault(key, {"boundary": 0, "invalid": 0})
        slot[label.case.value] = slot.get(label.case.value, 0) + 1

    def as_record(self, table: str, rows: dict[str, int], fmt: ExportFormat) -> dict[str, Any]:
        """The JSON object written to ``<table>.coverage.json``."""
        return {
            "table": table,
            "format": fmt.value,
            "rows": rows,
            "covered": [{"field": f, "rule": r, **n} for (f, r), n in sorted(self.counts.items())],
            "uncoverable": [u.as_record() for u in self.uncoverable],
            "not_in_format": [u.as_record() for u in self.not_in_format],
            "left_out_by_cap": [u.as_record() for u in self.left_out],
        }

    def summary(self) -> str:
        """One line for the command line."""
        parts = [f"{len(self.counts)} rules covered"]
        if self.uncoverable:
            parts.append(f"{len(self.uncoverable)} uncoverable")
        if self.not_in_format:
            parts.append(f"{len(self.not_in_format)} not representable in this format")
        if self.left_out:
            parts.append(f"{len(self.left_out)} left out by --max-cases")
        return ", ".join(parts)


def unrepresentable_in(fmt: ExportFormat) -> dict[str, str]:
    """Rules ``fmt`` cannot carry, with the reason."""
    return _UNREPRESENTABLE.get(fmt, {})


def design_cases(
    table: Table, kinds: frozenset[CaseKind], coverage: Coverage, rng: random.Random
) -> list[CaseSpec]:
    """Every boundary and invalid case of ``table`` the model allows, in field order.

    A foreign-key column gets no boundary rows: its valid values are the keys its parent's rows
    got, which the valid rows exercise (an edge of its type would name no parent row).
    """
    specs: list[CaseSpec] = []
    references = {c for fk in table.foreign_keys for c in fk.columns}
    for f in table.fields:
        if f.omit:
            continue
        field_kinds = kinds
        if f.name in references and CaseKind.BOUNDARY in kinds:
            field_kinds = kinds - {CaseKind.BOUNDARY}
            coverage.uncoverable.append(
                Uncoverable(
                    f.name,
                    "boundary",
                    "a foreign key: its valid values are the parent rows' keys (valid rows)",
                )
            )
        specs.extend(_field_cases(f, (f.name,), field_kinds, coverage, rng))
    if CaseKind.INVALID in kinds and not table.bare and not table.additional_properties:
        specs.append(
            CaseSpec(
                (ADDITIONAL,),
                _reject("", "additionalProperties", f"extra property '{ADDITIONAL}' not allowed"),
                extra=True,
            )
        )
    return specs


def _field_cases(
    f: Field,
    path: tuple[str, ...],
    kinds: frozenset[CaseKind],
    coverage: Coverage,
    rng: random.Random,
) -> Iterator[CaseSpec]:
    name = ".".join(path)
    if f.variants or f.type is FieldType.ANY:
        coverage.uncoverable.append(
            Uncoverable(name, "anyOf/oneOf", "a union: its branches are not designed one by one")
        )
        return
    makers: list[Callable[[Field, str], Iterator[CaseSpec]]] = []
    if CaseKind.BOUNDARY in kinds:
        makers.append(_boundary)
    if CaseKind.INVALID in kinds:
        makers.append(_invalid)
    for make in makers:
        for spec in make(f, name):
            yield CaseSpec(path, spec.label, spec.value, spec.extra, f.unique)
    if (
        f.type is FieldType.ARRAY
        and f.items is not None
        and (f.items.constraints.describe() or f.items.properties)
    ):
        coverage.uncoverable.append(
            Uncoverable(
                f"{name}[]", "items", "rules of array elements are exercised by valid rows only"
            )
        )
    if f.type is FieldType.OBJECT:
        for child in f.properties:
            if not child.omit:
                yield from _field_cases(child, (*path, child.name), kinds, coverage, rng)
    if f.check is not None and not f.variants:
        coverage.uncoverable.append(
            Uncoverable(name, "schema rules", "rules checked only as a whole (e.g. if/then)")
        )


# ------------------------------------------------------------------ labels


def _accept(name: str, rule: str, description: str) -> CaseLabel:
    return CaseLabel(CaseKind.BOUNDARY, name or None, rule, Expectation.ACCEPT, description)


def _reject(name: str, rule: str, description: str) -> CaseLabel:
    return CaseLabel(CaseKind.INVALID, name or None, rule, Expectation.REJECT, description)


def _spec(label: CaseLabel, value: Any) -> CaseSpec:
    return CaseSpec((), label, value)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…'"


# ------------------------------------------------------------------ boundary cases


def _boundary(f: Field, name: str) -> Iterator[CaseSpec]:
    c = f.constraints
    if f.nullable:
        yield _spec(_accept(name, "null", f"{name} = null, allowed"), None)
    if not f.required:
        yield _spec(_accept(name, "optional", f"{name} absent, optional"), MISSING)
    if c.has_const:
        return
    if c.enum is not None:
        for value in c.enum:
            if value not in c.not_values:
                yield _spec(_accept(name, "enum", f"{name} = {_show(value)}, enum value"), value)
        return
    if f.type is FieldType.BOOLEAN:
        yield _spec(_accept(name, "boolean", f"{name} = true"), True)
        yield _spec(_accept(name, "boolean", f"{name} = false"), False)
    elif f.type in (FieldType.INTEGER, FieldType.NUMBER):
        yield from _numeric_edges(f, name)
    elif f.type is FieldType.STRING:
        yield from _string_edges(f, name)
    elif f.type in (FieldType.DATE, FieldType.DATETIME, FieldType.TIME):
        yield from _date_edges(f, name)
    elif f.type is FieldType.ARRAY:
        yield from _array_edges(f, name)


def _numeric_edges(f: Field, name: str) -> Iterator[CaseSpec]:
    c = f.constraints
    step = _step(f)
    if c.minimum is not None:
        low = _next_value(c.minimum, step, up=True) if c.exclusive_minimum else c.minimum
        rule = "exclusiveMinimum" if c.exclusive_minimum else "minimum"
        low = _align(low, c.multiple_of, up=True)
        yield _spec(_accept(name, rule, f"{name} = {low!r}, the smallest value allowed"), low)
        inner = _next_value(low, step, up=True)
        yield _spec(_accept(name, rule, f"{name} = {inner!r}, just inside the minimum"), inner)
    if c.maximum is not None:
        high = _next_value(c.maximum, step, up=False) if c.exclusive_maximum else c.maximum
        rule = "exclusiveMaximum" if c.exclusive_maximum else "maximum"
        high = _align(high, c.multiple_of, up=False)
        yield _spec(_accept(name, rule, f"{name} = {high!r}, the largest value allowed"), high)
        inner = _next_value(high, step, up=False)
        yield _spec(_accept(name, rule, f"{name} = {inner!r}, just inside the maximum"), inner)
    if c.minimum is None and c.maximum is None:
        yield _spec(_accept(name, "zero", f"{name} = 0"), 0)
        if c.multiple_of is None:
            yield _spec(_accept(name, "negative", f"{name} = -1, a negative value"), -1)


def _step(f: Field) -> float | int | None:
    c = f.constraints
    if c.multiple_of:
        return c.multiple_of
    return 1 if f.type is FieldType.INTEGER else None


def _next_value(value: float, step: float | int | None, *, up: bool) -> Any:
    if step is None:
        return math.nextafter(float(value), math.inf if up else -math.inf)
    result = value + step if up else value - step
    return round(result, 12) if isinstance(result, float) else result


def _align(value: Any, multiple_of: float | int | None, *, up: bool) -> Any:
    if not multiple_of:
        return value
    try:
        k = value / multiple_of
    except OverflowError:
        return value
    if not math.isfinite(k):  # beyond a float's range (1e308 / 0.5): already a multiple
        return value
    k = math.ceil(k - 1e-9) if up else math.floor(k + 1e-9)
    result = k * multiple_of
    return round(result, 12) if isinstance(result, float) else result


def _plain(f: Field) -> bool:
    c = f.constraints
    return c.pattern is None and c.format is None and f.type is FieldType.STRING


def _string_edges(f: Field, name: str) -> Iterator[CaseSpec]:
    c = f.constraints
    low, high = c.min_length or 0, c.max_length
    maker = _string_of_length(f)
    if low > 0 or high is not None:
        value = maker(low)
        if value is not None:
            yield _spec(
                _accept(name, "minLength", f"{name} has {low} characters, the minimum"), value
            )
    if high is not None:
        value = maker(high)
        if value is not None:
            yield _spec(
                _accept(name, "maxLength", f"{name} has {high} characters, the maximum"), value
            )
    if low == 0 and _plain(f):
        yield _spec(_accept(name, "empty", f"{name} = '', the empty string"), "")
    if _plain(f):
        for sample in _UNICODE_SAMPLES:
            if low <= len(sample) and (high is None or len(sample) <= high):
                yield _spec(
                    _accept(name, "unicode", f"{name} = {sample!r}, non-ASCII text"), sample
                )


def _string_of_length(f: Field) -> Callable[[int], str | None]:
    c = f.constraints
    if c.pattern is not None:
        from tdgen_desktop.generation.patterns import PatternGenerator  # noqa: PLC0415

        def patterned(length: int) -> str | None:
            try:
                return PatternGenerator(c.pattern or "", length, length).generate(
                    random.Random(length)
                )
            except TdgenError:
                return None

        return patterned
    if c.format is not None:
        return lambda _length: None
    # No edge string longer than _MAX_EDGE_LENGTH (VARCHAR(10^20) has no case at its maximum).
    return lambda length: (
        ("Abcdefghij" * (length // 10 + 1))[:length] if length <= _MAX_EDGE_LENGTH else None
    )


def _date_edges(f: Field, name: str) -> Iterator[CaseSpec]:
    if f.type is FieldType.DATE:
        edges = [
            ("2024-02-29", "a leap day"),
            ("2023-01-31", "a month's last day"),
            ("2023-04-30", "a 30-day month's end"),
            ("2000-01-01", "a century's first day"),
            ("1999-12-31", "the last day of a year"),
        ]
    elif f.type is FieldType.DATETIME:
        edges = [
            ("2024-02-29T00:00:00Z", "midnight of a leap day"),
            ("2023-12-31T23:59:59Z", "the last second of a year"),
            ("2023-06-15T12:30:00+05:30", "a positive time zone offset"),
            ("2023-06-15T12:30:00-08:00", "a negative time zone offset"),
            ("2023-06-15T12:30:00.123456Z", "fractional seconds"),
        ]
    else:
        edges = [
            ("00:00:00Z", "midnight"),
            ("23:59:59Z", "the last second of a day"),
            ("12:30:00+05:30", "a time zone offset"),
        ]
    c = f.constraints
    if c.date_minimum is not None or c.date_maximum is not None:  # the bounds are the edges
        low, high = c.date_minimum, c.date_maximum
        edges = [
            (v, w) for v, w in edges if (low is None or v >= low) and (high is None or v <= high)
        ]
        edges += [
            (_date_text(f, v), w)
            for v, w in ((low, "the earliest date"), (high, "the latest date"))
            if v
        ]
    for value, what in edges:
        yield _spec(_accept(name, "date-edge", f"{name} = {value}, {what}"), value)


def _date_text(f: Field, bound: str) -> str:
    """A date bound as the field writes values (``2020-01-01`` or ``2020-01-01T00:00:00Z``)."""
    if f.type is FieldType.DATE:
        return bound[:10]
    text = bound.replace(" ", "T")
    return (text if len(text) > 10 else text + "T00:00:00")[:19] + "Z"


def _array_edges(f: Field, name: str) -> Iterator[CaseSpec]:
    c = f.constraints
    low = c.min_items or 0
    item = _item_value(f)
    if item is None:
        return
    if low == 0:
        yield _spec(_accept(name, "empty", f"{name} = [], the empty array"), [])
    elif not c.unique_items:
        yield _spec(_accept(name, "minItems", f"{name} has {low} items, the minimum"), [item] * low)
    if c.max_items is not None and c.max_items > 0 and not c.unique_items and c.max_items <= 1000:
        yield _spec(
            _accept(name, "maxItems", f"{name} has {c.max_items} items, the maximum"),
            [item] * c.max_items,
        )


def _item_value(f: Field) -> Any:
    """A simple valid element for arrays whose items are simple (else None)."""
    items = f.items
    if items is None:
        return "x"
    c = items.constraints
    if c.has_const:
        return c.const
    if c.enum:
        return c.enum[0]
    simple: dict[FieldType, Any] = {FieldType.BOOLEAN: True}
    if items.type in simple:
        return simple[items.type]
    if items.type in (FieldType.INTEGER, FieldType.NUMBER):
        return c.minimum if c.minimum is not None and not c.exclusive_minimum else None
    if items.type is FieldType.STRING and _plain(items):
        return _string_of_length(items)(max(c.min_length or 0, 1))
    return None


# ------------------------------------------------------------------ invalid cases


def _invalid(f: Field, name: str) -> Iterator[CaseSpec]:
    c = f.constraints
    if f.required:
        yield _spec(_reject(name, "required", f"{name} missing, it is required"), MISSING)
    if not f.nullable:
        yield _spec(_reject(name, "null", f"{name} = null, not allowed"), None)
    wrong = _WRONG_TYPE.get(f.type)
    if wrong is not None:
        yield _spec(_reject(name, "type", f"{name} = {wrong!r}, wrong type"), wrong)
    if c.not_values:
        banned = c.not_values[0]
        yield _spec(_reject(name, "not", f"{name} = {_show(banned)}, an excluded value"), banned)
    if c.has_const:
        other = _other_than([c.const])
        yield _spec(_reject(name, "const", f"{name} = {_show(other)}, not the constant"), other)
        return
    if c.enum is not None:
        other = _other_than(list(c.enum), f.type)
        yield _spec(_reject(name, "enum", f"{name} = {_show(other)}, not in the enum"), other)
        return
    if f.type in (FieldType.INTEGER, FieldType.NUMBER):
        yield from _numeric_breaks(f, name)
    elif f.type in (
        FieldType.STRING,
        FieldType.DATE,
        FieldType.DATETIME,
        FieldType.TIME,
        FieldType.UUID,
    ):
        yield from _string_breaks(f, name)
    elif f.type is FieldType.ARRAY:
        yield from _array_breaks(f, name)


def _other_than(values: list[Any], ftype: FieldType | None = None) -> Any:
    if ftype in (FieldType.INTEGER, FieldType.NUMBER) or all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
    ):
        numbers = [v for v in values if isinstance(v, (int, float))]
        return int(max(numbers, default=0)) + 1
    candidate = "not-in-list"
    while candidate in values:
        candidate += "-x"
    return candidate


def _numeric_breaks(f: Field, name: str) -> Iterator[CaseSpec]:
    c = f.constraints
    step = _step(f) or 1
    if c.minimum is not None:
        if c.exclusive_minimum:
            yield _spec(
                _reject(
                    name,
                    "exclusiveMinimum",
                    f"{name} = {c.minimum!r}, equal to the exclusive minimum",
                ),
                c.minimum,
            )
        else:
            below = _next_value(c.minimum, step, up=False)
            yield _spec(
                _reject(name, "minimum", f"{name} = {below!r}, below minimum {c.minimum!r}"), below
            )
    if c.maximum is not None:
        if c.exclusive_maximum:
            yield _spec(
                _reject(
                    name,
                    "exclusiveMaximum",
                    f"{name} = {c.maximum!r}, equal to the exclusive maximum",
                ),
                c.maximum,
            )
        else:
            above = _next_value(c.maximum, step, up=True)
            yield _spec(
                _reject(name, "maximum", f"{name} = {above!r}, above maximum {c.maximum!r}"), above
            )
    if c.multiple_of:
        base = c.minimum if c.minimum is not None else 0
        base = _align(base, c.multiple_of, up=True)
        if c.exclusive_minimum and base == c.minimum:
            base = _next_value(base, c.multiple_of, up=True)
        off = base + c.multiple_of / 2
        if f.type is FieldType.INTEGER and not float(off).is_integer():
            off = base + 1 if c.multiple_of > 1 else None
        if off is not None:
            yield _spec(
                _reject(
                    name, "multipleOf", f"{name} = {off!r}, not a multiple of {c.multiple_of!r}"
                ),
                off,
            )
    if f.type is FieldType.INTEGER:
        low = c.minimum if c.minimum is not None else 0
        value = float(low) + 0.5
        yield _spec(_reject(name, "type", f"{name} = {value!r}, not an integer"), value)


def _string_breaks(f: Field, name: str) -> Iterator[CaseSpec]:
    c = f.constraints
    maker = _string_of_length(f)
    low, high = c.min_length or 0, c.max_length
    if low > 0:
        short = _shorten(maker, low - 1)
        if short is not None:
            yield _spec(
                _reject(
                    name,
                    "minLength",
                    f"{name} has {low - 1} characters, fewer than minLength {low}",
                ),
                short,
            )
    if high is not None and high < _MAX_EDGE_LENGTH:
        long = ("Abcdefghij" * (high // 10 + 2))[: high + 1]
        if c.pattern is not None:
            base = maker(high)
            long = base + base[-1:] if base else long
        yield _spec(
            _reject(
                name, "maxLength", f"{name} has {high + 1} characters, more than maxLength {high}"
            ),
            long,
        )
    if c.pattern is not None:
        value = _not_matching(c.pattern, low, high)
        if value is not None:
            yield _spec(
                _reject(name, "pattern", f"{name} = {_show(value)}, does not match {c.pattern}"),
                value,
            )
    fmt = c.format or {
        FieldType.DATE: "date",
        FieldType.DATETIME: "date-time",
        FieldType.TIME: "time",
        FieldType.UUID: "uuid",
    }.get(f.type)
    for bad in _BAD_FORMATS.get(fmt or "", ())[:1]:
        if low <= len(bad) and (high is None or len(bad) <= high):
            yield _spec(_reject(name, "format", f"{name} = {bad!r}, not a valid {fmt}"), bad)


def _shorten(maker: Callable[[int], str | None], length: int) -> str | None:
    value = maker(length)
    if value is None and length >= 0:
        return ("Abcdefghij" * (length // 10 + 1))[:length]
    return value


def _not_matching(pattern: str, low: int, high: int | None) -> str | None:
    regex = checked_pattern(pattern)  # bounded time: the candidates are near misses
    size = max(low, 1)
    if high is not None:
        size = min(size, high)
    for filler in ("!", "~", " ", "0", "a", "Z", "-"):
        candidate = filler * size
        if size and regex.search(candidate) is None:
            return candidate
    return None


def _array_breaks(f: Field, name: str) -> Iterator[CaseSpec]:
    c = f.constraints
    item = _item_value(f)
    if item is None:
        return
    if c.min_items:
        yield _spec(
            _reject(
                name,
                "minItems",
                f"{name} has {c.min_items - 1} items, fewer than minItems {c.min_items}",
            ),
            [item] * (c.min_items - 1),
        )
    if c.max_items is not None and c.max_items < 1000:
        yield _spec(
            _reject(
                name,
                "maxItems",
                f"{name} has {c.max_items + 1} items, more than maxItems {c.max_items}",
            ),
            [item] * (c.max_items + 1),
        )
    if c.unique_items:
        count = max(c.min_items or 0, 2)
        if c.max_items is None or count <= c.max_items:
            yield _spec(
                _reject(name, "uniqueItems", f"{name} repeats an item, uniqueItems is set"),
                [item] * count,
            )


def validator_keywords(rule: str) -> set[str]:
    """The ``jsonschema`` keywords that report a broken ``rule``."""
    return _VALIDATOR_KEYWORDS.get(rule, {rule})


# ------------------------------------------------------------------ SQL targets


@dataclass(frozen=True, slots=True)
class SqlTarget:
    """The database SQL output goes to, for the rules it enforces.

    Attributes:
        dialect: the target database.
        own_ddl: the tables are created by tdgen's ``CREATE TABLE`` (``--with-ddl``), not by
            the source DDL.
    """

    dialect: Dialect
    own_ddl: bool = False


_ONLY_BY_CHECK = {"minLength", "not", "minItems", "maxItems", "uniqueItems", "multipleOf"}
_TEXT_TYPES = re.compile(
    r"^\s*(text|varchar|character varying|char|character|nvarchar|nchar|bpchar|citext|name|"
    r"tsvector|string|clob|tinytext|mediumtext|longtext)\b",
    re.IGNORECASE,
)
_DECLARED_LENGTH = re.compile(
    r"^\s*(?:n?varchar|character varying|n?char|character|varchar2)\s*\((\d+)\)", re.IGNORECASE
)
_TYPED_FORMATS = {FieldType.DATE, FieldType.DATETIME, FieldType.TIME, FieldType.UUID}


def sql_unenforced(table: Table, f: Field, rule: str, target: SqlTarget) -> str | None:
    """Why the target database accepts a row breaking ``rule`` of column ``f``, or None.

    The database enforces NOT NULL, keys and ``CHECK`` constraints; beyond those SQLite
    enforces nothing of a declared type, and PostgreSQL (and MySQL) enforce a type's range,
    length and input syntax but round a number to the column's scale.
    """
    from tdgen_desktop.exporters.sql import ddl_checked_rules  # noqa: PLC0415

    own = target.own_ddl or table.dialect is None
    checked = ddl_checked_rules(table, f, target.dialect) if own else f.sql_checked
    if rule in checked or rule in {"unique", "foreignKey", "type", *_ABSENCE}:
        return None
    dialect = target.dialect.value
    if rule == "null":
        if not own and f.sql_trigger is not None:
            return f"{dialect}: the BEFORE INSERT trigger {f.sql_trigger} fills the column in"
        if target.dialect is Dialect.SQLITE and _rowid_alias(table, f, own):
            return "sqlite: a NULL in an INTEGER PRIMARY KEY becomes the next row id"
        if target.dialect is Dialect.MYSQL:
            return _mysql_null_unenforced(table, f, own)
        return None
    if f.sql_identity is not None and rule in {"minimum", "exclusiveMinimum"}:
        return f"{dialect}: a numbered column's lower bound is a generation rule, no CHECK"
    if target.dialect is Dialect.SQLITE:
        return "sqlite: no CHECK backs it, and SQLite does not enforce a declared type"
    return _typed_unenforced(table, f, rule, target, own)


def _mysql_null_unenforced(table: Table, f: Field, own: bool) -> str | None:
    """Why MySQL/MariaDB stores a row with a NULL in the NOT NULL column ``f``, or None."""
    from tdgen_desktop.exporters.sql import ddl_column_type  # noqa: PLC0415

    if not own and f.sql_identity == "auto_increment":
        return "mysql: a NULL in an AUTO_INCREMENT column becomes the next number"
    declared = ddl_column_type(table, f, Dialect.MYSQL).declared if own else (f.sql_type or "")
    if declared.strip().upper().startswith("TIMESTAMP"):
        # Unless the server runs with explicit_defaults_for_timestamp (MariaDB's default is
        # off), a NULL in a TIMESTAMP NOT NULL column becomes the current time.
        return "mysql: a NULL in a TIMESTAMP NOT NULL column may become the current time"
    return None


_NATIONAL_TEXT = re.compile(r"^\s*(?:national\s+|n)(?:var)?char", re.IGNORECASE)
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")


def sql_unstorable(table: Table, f: Field, value: str, target: SqlTarget) -> str | None:
    """Why the target database cannot store the text ``value`` in column ``f``, or None.

    MySQL's ``utf8`` (``utf8mb3``) holds characters up to U+FFFF only: ``NCHAR``/``NVARCHAR``
    columns always use it, and a source DDL's table may declare it (``DEFAULT CHARSET=utf8``,
    which the model does not keep), so text beyond U+FFFF (emoji) goes only into a column
    tdgen's own ``CREATE TABLE`` declares, or one whose type names ``utf8mb4``.
    """
    if target.dialect is not Dialect.MYSQL or not _BEYOND_BMP.search(value):
        return None
    from tdgen_desktop.exporters.sql import ddl_column_type  # noqa: PLC0415

    own = target.own_ddl or table.dialect is None
    declared = ddl_column_type(table, f, target.dialect).declared if own else (f.sql_type or "")
    if _NATIONAL_TEXT.match(declared):
        return "mysql: NCHAR/NVARCHAR store utf8 (utf8mb3), no character beyond U+FFFF"
    if not own and "utf8mb4" not in declared.lower():
        return "mysql: the table may store utf8 (utf8mb3), no character beyond U+FFFF"
    return None


def _typed_unenforced(
    table: Table, f: Field, rule: str, target: SqlTarget, own: bool
) -> str | None:
    """:func:`sql_unenforced` for a database that enforces its column types (PostgreSQL,
    MySQL)."""
    from tdgen_desktop.exporters.sql import ddl_column_type  # noqa: PLC0415

    dialect = target.dialect.value
    ddl = ddl_column_type(table, f, target.dialect) if own else None
    if ddl is not None and ddl.kept and rule in f.sql_checked:
        return f"{dialect}: tdgen's CREATE TABLE keeps the column's type, not its CHECK"
    by_type = ddl is None or ddl.kept  # the source's own type: it holds the source's ranges
    sql_type = f.sql_type or "" if ddl is None else ddl.declared
    if rule == "multipleOf":
        return f"{dialect}: the column rounds a value to its scale (no CHECK)"
    if rule in _ONLY_BY_CHECK:
        return f"{dialect}: no CHECK backs it, and the column type does not"
    c = f.constraints
    if rule in {"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"}:
        bound = c.minimum if "inimum" in rule else c.maximum
        if by_type or (ddl is not None and bound is not None and bound in (ddl.low, ddl.high)):
            return None
        return f"{dialect}: no CHECK backs it, and the column type holds more"
    if rule == "maxLength":
        length = _DECLARED_LENGTH.match(sql_type)
        if length is not None and int(length.group(1)) == c.max_length:
            return None
        return f"{dialect}: no CHECK backs it, and the column type holds longer text"
    if rule in {"pattern", "format"}:
        typed = not _TEXT_TYPES.match(sql_type or "text") if by_type else f.type in _TYPED_FORMATS
        if typed and (rule == "format" or by_type):
            return None
        return f"{dialect}: no CHECK backs it, and the column type accepts any text"
    if rule in {"enum", "const"} and not by_type:
        return f"{dialect}: no CHECK backs it, and the column type does not"
    return None


def _rowid_alias(table: Table, f: Field, own: bool) -> bool:
    """Whether ``f`` is SQLite's ``INTEGER PRIMARY KEY`` (an alias of the row id)."""
    from tdgen_desktop.exporters.sql import ddl_column_type  # noqa: PLC0415

    if tuple(table.primary_key) != (f.name,):
        return False
    declared = ddl_column_type(table, f, Dialect.SQLITE).declared if own else (f.sql_type or "")
    return declared.strip().upper() == "INTEGER"


# ------------------------------------------------------------------ foreign keys


def dangling_key(table: Table, fk: ForeignKey, keys: Sequence[tuple[Any, ...]]) -> Any:
    """A value (a tuple for several columns) of ``fk``'s columns that no parent row has.

    For several columns, a combination of parts that parent keys have but no parent key
    combines; else one part changed to a value no parent key has there (an integer past the
    largest, a text with one character changed in kind). None when no such value is found.
    """
    taken = set(keys)
    if not taken:
        return None
    fields = [table.field(name) for name in fk.columns]
    ordered = sorted(taken, key=repr)
    if len(fields) > 1:
        parts = [list(dict.fromkeys(key[i] for key in ordered))[:20] for i in range(len(fields))]
        for combo in itertools.product(*parts):
            if combo not in taken:
                return combo
    for i, f in enumerate(fields):
        value = _absent_value(f, {key[i] for key in ordered}, ordered[0][i])
        if value is not None:
            key = tuple(value if j == i else ordered[0][j] for j in range(len(fields)))
            return key if len(fields) > 1 else key[0]
    return None


def _absent_value(f: Field, seen: set[Any], template: Any) -> Any:
    c = f.constraints
    if f.type is FieldType.INTEGER and all(isinstance(v, int) for v in seen):
        low = math.ceil(c.minimum) if c.minimum is not None else None
        high = math.floor(c.maximum) if c.maximum is not None else None
        for candidate in (
            max(seen) + 1,
            max(seen) + 1000,
            *range(low or 1, (low or 1) + len(seen) + 1),
        ):
            if (
                candidate not in seen
                and (low is None or candidate >= low)
                and (high is None or candidate <= high)
            ):
                return candidate
        return None
    if not isinstance(template, str) or not template:
        return None
    hexadecimal = f.type is FieldType.UUID or c.format == "uuid"
    for position in range(len(template) - 1, -1, -1):
        for char in _same_kind(template[position], hexadecimal):
            candidate = template[:position] + char + template[position + 1 :]
            if candidate not in seen:
                return candidate
    return None


def _same_kind(char: str, hexadecimal: bool) -> str:
    if hexadecimal and char in "0123456789abcdef":
        return "0123456789abcdef"
    if hexadecimal and char in "ABCDEF":
        return "0123456789ABCDEF"
    if char.isdigit():
        return "0123456789"
    if "a" <= char <= "z":
        return "abcdefghijklmnopqrstuvwxyz"
    if "A" <= char <= "Z":
        return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return ""


# ------------------------------------------------------------------ case rows


class CaseRows:
    """Builds the boundary and invalid rows of one table after its valid rows.

    Args:
        table: the table.
        kinds: the case kinds requested (valid is ignored here).
        fmt: the output format (rules it cannot carry are reported, not written).
        max_cases: cap on boundary + invalid rows (None: no cap).
        make_base: returns a fresh valid row instance (a JSON object, or the bare value)
            for case number ``i``.
        oracle: the validation oracle of the table's source schema, if any.
        sql: for SQL output, the target database: invalid rows it would accept are reported
            as not in the format instead of written.
        parent_keys: the keys the parent rows of a foreign key got (for rows whose reference
            has no parent row); None: no foreign-key cases.
    """

    def __init__(
        self,
        table: Table,
        kinds: frozenset[CaseKind],
        fmt: ExportFormat,
        max_cases: int | None,
        make_base: Callable[[int], Any],
        oracle: Any,
        *,
        sql: SqlTarget | None = None,
        parent_keys: Callable[[ForeignKey], Sequence[tuple[Any, ...]]] | None = None,
    ) -> None:
        self.table, self.kinds, self.fmt, self.max_cases = table, kinds, fmt, max_cases
        self.make_base, self.oracle = make_base, oracle
        self.sql = sql if fmt is ExportFormat.SQL else None
        self.parent_keys = parent_keys
        self.coverage = Coverage()
        self._edges: dict[str, set[Any]] = {}  # values of unique fields' boundary rows so far

    def specs(self, first_row: Any, seed: int) -> list[CaseSpec]:
        """The case specs to try, after format and cap filtering (both reported)."""
        specs = design_cases(self.table, self.kinds, self.coverage, random.Random(seed))
        if CaseKind.INVALID in self.kinds and isinstance(first_row, dict):
            for f in self.table.fields:
                if f.unique and not f.omit and first_row.get(f.name, MISSING) is not MISSING:
                    value = first_row[f.name]
                    label = _reject(f.name, "unique", f"{f.name} = {_show(value)}, repeats row 0")
                    specs.append(CaseSpec((f.name,), label, value))
            specs.extend(self._foreign_key_specs())
        unrepresentable = unrepresentable_in(self.fmt)
        kept = []
        for spec in specs:
            rule = spec.label.rule or ""
            reason = (
                f"{self.fmt.value}: {unrepresentable[rule]}"
                if rule in unrepresentable
                else self._unenforced(spec) or self._unstorable(spec)
            )
            if reason is not None:
                self.coverage.not_in_format.append(
                    Uncoverable(spec.label.field or "", rule, reason)
                )
            else:
                kept.append(spec)
        if self.max_cases is not None and len(kept) > self.max_cases:
            for spec in kept[self.max_cases :]:
                self.coverage.left_out.append(
                    Uncoverable(
                        spec.label.field or "", spec.label.rule or "", "over the --max-cases cap"
                    )
                )
            kept = kept[: self.max_cases]
        return kept

    def _unenforced(self, spec: CaseSpec) -> str | None:
        """Why the SQL target accepts this invalid row anyway (None: it rejects it)."""
        if self.sql is None or spec.label.expect is not Expectation.REJECT or len(spec.path) != 1:
            return None
        try:
            column = self.table.field(spec.path[0])
        except KeyError:
            return None
        return sql_unenforced(self.table, column, spec.label.rule or "", self.sql)

    def _unstorable(self, spec: CaseSpec) -> str | None:
        """Why the SQL target cannot store this case's text as it is (None: it can)."""
        if self.sql is None or len(spec.path) != 1 or not isinstance(spec.value, str):
            return None
        try:
            column = self.table.field(spec.path[0])
        except KeyError:
            return None
        return sql_unstorable(self.table, column, spec.value, self.sql)

    def _foreign_key_specs(self) -> Iterator[CaseSpec]:
        """A row per foreign key whose reference no parent row has."""
        if self.parent_keys is None or self.table.bare:
            return
        for fk in self.table.foreign_keys:
            name = ",".join(fk.columns)
            if any(self.table.field(c).omit for c in fk.columns):
                continue
            value = dangling_key(self.table, fk, self.parent_keys(fk))
            if value is None:
                self._drop_rule(name, "foreignKey", "the job made no rows of the parent table")
                continue
            parts = value if len(fk.columns) > 1 else (value,)
            shown = ", ".join(_show(v) for v in parts)
            label = _reject(
                name,
                "foreignKey",
                f"{name} = {shown}, no row of {fk.ref_table} has that key",
            )
            others = tuple(zip(fk.columns[1:], parts[1:], strict=True))
            yield CaseSpec((fk.columns[0],), label, parts[0], also=others)

    def _drop_rule(self, name: str, rule: str, reason: str) -> None:
        self.coverage.uncoverable.append(Uncoverable(name, rule, reason))

    def build(self, spec: CaseSpec, index: int, used: Mapping[str, Container[Any]]) -> Any | None:
        """The row instance for ``spec``, or None (reported) when its label could not hold."""
        try:
            base = self.make_base(index)
        except TdgenError as exc:
            self._drop(spec, f"no valid row to build it on: {exc.problem}")
            return None
        bare = self.table.bare
        wrapped = {self.table.fields[0].name: base} if bare else base
        problem: str | None = "the row is not an object"
        if isinstance(wrapped, dict):
            instance = spec.apply(wrapped)
            if bare:
                instance = instance.get(self.table.fields[0].name, MISSING)
            problem = (
                "a bare value cannot be absent"
                if instance is MISSING
                else self._check(spec, instance, used)
            )
            if problem is None:
                return instance
        self._drop(spec, problem or "unknown")
        return None

    def _check(
        self, spec: CaseSpec, instance: Any, used: Mapping[str, Container[Any]]
    ) -> str | None:
        name = spec.label.field or ""
        if spec.label.expect is Expectation.ACCEPT:
            unique = spec.needs_unique_check and len(spec.path) == 1
            key = unique_key(spec.value) if unique else None
            if unique and key in used.get(name, ()):
                return "the edge value is already taken by a valid row of this unique field"
            if unique and key in self._edges.get(name, ()):
                return "an earlier boundary row of this unique field has the same value"
            if self.oracle is not None and not self.oracle.is_valid(instance):
                return "other rules of the schema reject this edge value"
            if unique:  # boundary rows are loaded together: their unique values differ too
                self._edges.setdefault(name, set()).add(key)
            return None
        if spec.label.rule in {"unique", "foreignKey"}:  # rules the schema cannot see
            ok = self.oracle is None or self.oracle.is_valid(instance)
            return None if ok else "other rules of the schema interfere"
        if self.oracle is None:
            return None
        errors = self.oracle.errors(instance)
        return (
            None
            if _errors_match(errors, spec, self.table.bare)
            else ("the schema does not reject this value for this rule alone")
        )

    def _drop(self, spec: CaseSpec, reason: str) -> None:
        self.coverage.uncoverable.append(
            Uncoverable(spec.label.field or "", spec.label.rule or "", reason)
        )


def unique_key(value: Any) -> Any:
    """How a unique column's value is remembered (``True`` and ``1`` stay apart, a list or
    object by its JSON text) — the same key the unique columns use while they are made."""
    return value_key(value)


def _errors_match(errors: list[Any], spec: CaseSpec, bare: bool) -> bool:
    """Every error concerns the labelled field, and one reports the labelled rule."""
    if not errors:
        return False
    path = list(spec.path[1:] if bare else spec.path)
    parent = path[:-1]
    rule = spec.label.rule or ""
    keywords = validator_keywords(rule)
    expected_path = parent if rule in {"required", "additionalProperties"} else path
    found = False
    for error in errors:
        where = list(error.absolute_path)
        if error.validator in keywords and where == expected_path:
            found = True
        elif where[: len(path)] != path and not (
            rule in {"required", "additionalProperties"} and where == parent
        ):
            return False
    return found
