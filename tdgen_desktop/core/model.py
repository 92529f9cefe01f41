"""The dataset model: ``Dataset`` → ``Table`` → ``Field`` with constraints.

Importers build it, the user edits it (generator override, null ratio, uniqueness, bounds), and
generation reads it. It is plain data: no Qt, no I/O.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tdgen_desktop.core.enums import ApiView, Dialect, FieldType, SourceFormat
from tdgen_desktop.core.errors import SchemaError

__all__ = [
    "MISSING",
    "Constraints",
    "Dataset",
    "Field",
    "ForeignKey",
    "Table",
    "check_enum_weights",
]


class _Missing:
    """Marks a property absent from a row (distinct from JSON null)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()
"""A row value meaning "this property is absent" (JSON exporters leave the key out)."""


@dataclass(slots=True)
class Constraints:
    """Constraints on a field's values (JSON Schema's vocabulary, also used for SQL and samples).

    Numeric bounds are inclusive unless the matching ``exclusive_*`` flag is set. Lengths count
    code points. ``enum`` and ``const`` restrict values outright; ``not_values`` excludes some.
    ``date_minimum``/``date_maximum`` bound a date or date-time field (inclusive ISO text, e.g.
    from a SQL ``CHECK (d >= '2020-01-01')``).
    """

    minimum: int | float | None = None
    maximum: int | float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    multiple_of: int | float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    format: str | None = None
    enum: tuple[Any, ...] | None = None
    has_const: bool = False
    const: Any = None
    not_values: tuple[Any, ...] = ()
    min_items: int | None = None
    max_items: int | None = None
    unique_items: bool = False
    min_properties: int | None = None
    max_properties: int | None = None
    default: Any = MISSING
    date_minimum: str | None = None
    date_maximum: str | None = None

    def describe(self) -> str:
        """A compact human-readable summary, e.g. ``1 ≤ x ≤ 120, len 1..50``."""
        parts: list[str] = []
        lo = "<" if self.exclusive_minimum else "≤"
        hi = "<" if self.exclusive_maximum else "≤"
        if self.minimum is not None and self.maximum is not None:
            parts.append(f"{self.minimum} {lo} x {hi} {self.maximum}")
        elif self.minimum is not None:
            parts.append(f"x {'>' if self.exclusive_minimum else '≥'} {self.minimum}")
        elif self.maximum is not None:
            parts.append(f"x {hi} {self.maximum}")
        if self.multiple_of is not None:
            parts.append(f"multipleOf {self.multiple_of}")
        parts.extend(self._date_range())
        if self.min_length is not None or self.max_length is not None:
            parts.append(f"len {self.min_length or 0}..{_or_inf(self.max_length)}")
        if self.pattern is not None:
            parts.append(f"pattern {self.pattern}")
        if self.format is not None:
            parts.append(f"format {self.format}")
        if self.enum is not None:
            shown = ", ".join(repr(v) for v in self.enum[:5])
            more = f", … ({len(self.enum)})" if len(self.enum) > 5 else ""
            parts.append(f"enum [{shown}{more}]")
        if self.has_const:
            parts.append(f"const {self.const!r}")
        if self.min_items is not None or self.max_items is not None:
            parts.append(f"items {self.min_items or 0}..{_or_inf(self.max_items)}")
        if self.unique_items:
            parts.append("uniqueItems")
        return ", ".join(parts)

    def _date_range(self) -> list[str]:
        if self.date_minimum is None and self.date_maximum is None:
            return []
        return [f"{self.date_minimum or '…'} ≤ date ≤ {self.date_maximum or '…'}"]


def _or_inf(value: int | None) -> str:
    return "∞" if value is None else str(value)


@dataclass(slots=True)
class ForeignKey:
    """A reference from some columns of a table to the key columns of another table."""

    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass(slots=True, eq=False)
class Field:
    """One field (column or property) of a table, possibly with nested fields.

    Attributes:
        name: the property or column name.
        type: the value type; ``ANY`` for a union (see ``variants``) or an unconstrained value.
        nullable: null is a valid value.
        required: the property must be present (JSON objects); columns are always present.
        constraints: value constraints.
        semantic: the semantic kind inferred from name, format and description (e.g. ``email``).
        generator: the user's override of the semantic kind, if any.
        null_ratio: share of valid rows that get null, for nullable fields.
        unique: no two rows share a value.
        description: the schema's description, if any.
        properties: nested fields of an object.
        items: the field describing each element of an array.
        prefix_items: positional element fields of an array (tuple validation).
        contains: a field that at least one array element must satisfy.
        variants: alternatives of a union (``anyOf``/``oneOf``/type lists); one is chosen per row.
        additional_properties: whether an object admits properties beyond ``properties``.
        check: a predicate from the importer for source rules the model cannot express (e.g.
            ``oneOf`` exclusivity, ``if``/``then``); generation retries a value until it holds.
        omit: the property is left out of rows (e.g. an optional property behind a remote
            ``$ref`` that is never fetched); ``omit_reason`` says why.
        sql_type: the column's SQL type as the DDL declares it (SQL import only).
        sql_default: the column's SQL ``DEFAULT`` expression as text, if any.
        sql_identity: how the database numbers the column itself, if it does: ``serial``,
            ``auto_increment``, ``identity`` (``BY DEFAULT``) or ``identity always`` (an
            explicit value then needs ``OVERRIDING SYSTEM VALUE`` in PostgreSQL).
        enum_weights: relative frequencies of ``constraints.enum``'s values in valid rows, in
            the same order (``None``: all equally likely); see :func:`check_enum_weights`.
        sql_checked: the rules a ``CHECK`` constraint of the DDL backs (``minimum``,
            ``maxLength``, ``enum`` …), so a database rejects a row breaking them.
        sql_trigger: a ``BEFORE INSERT`` trigger of the DDL that names the column (it may fill
            a null in), if any.
    """

    name: str
    type: FieldType = FieldType.STRING
    nullable: bool = False
    required: bool = True
    constraints: Constraints = dataclasses.field(default_factory=Constraints)
    semantic: str | None = None
    generator: str | None = None
    null_ratio: float = 0.1
    unique: bool = False
    description: str = ""
    properties: list[Field] = dataclasses.field(default_factory=list)
    items: Field | None = None
    prefix_items: list[Field] = dataclasses.field(default_factory=list)
    contains: Field | None = None
    variants: list[Field] = dataclasses.field(default_factory=list)
    additional_properties: bool = True
    check: Callable[[Any], bool] | None = dataclasses.field(default=None, repr=False)
    omit: bool = False
    omit_reason: str = ""
    sql_type: str | None = None
    sql_default: str | None = None
    sql_identity: str | None = None
    enum_weights: tuple[float, ...] | None = None
    sql_checked: frozenset[str] = frozenset()
    sql_trigger: str | None = None

    @property
    def kind(self) -> str | None:
        """The semantic kind in effect: the user's override, else the inferred one."""
        return self.generator or self.semantic

    def walk(self, prefix: str = "") -> Iterator[tuple[str, Field]]:
        """Yield ``(dotted path, field)`` for this field and every nested field."""
        path = f"{prefix}.{self.name}" if prefix else self.name
        yield path, self
        for child in self.properties:
            yield from child.walk(path)
        if self.items is not None:
            yield from self.items.walk(path + "[]")
        for i, item in enumerate(self.prefix_items):
            yield from item.walk(f"{path}[{i}]")
        for i, variant in enumerate(self.variants):
            yield from variant.walk(f"{path}<{i}>")


@dataclass(slots=True, eq=False)
class Table:
    """A table: the unit that becomes one output file.

    Attributes:
        name: table name (file stem of the output).
        fields: the columns / top-level properties, in output order.
        primary_key: names of the primary-key columns.
        unique_sets: column sets that must be unique together.
        foreign_keys: references to other tables.
        bare: the source describes a non-object value; JSON rows are the bare value of the
            single field.
        additional_properties: whether a row object admits properties beyond ``fields``.
        schema: the JSON Schema every valid row must satisfy (the validation oracle).
        schema_dialect: ``$schema`` URI of ``schema``.
        check: a predicate for whole-row rules the model cannot express (e.g. ``if``/``then``).
        dialect: the SQL dialect of the DDL the table came from (SQL import only).
    """

    name: str
    fields: list[Field] = dataclasses.field(default_factory=list)
    primary_key: tuple[str, ...] = ()
    unique_sets: list[tuple[str, ...]] = dataclasses.field(default_factory=list)
    foreign_keys: list[ForeignKey] = dataclasses.field(default_factory=list)
    bare: bool = False
    additional_properties: bool = True
    description: str = ""
    schema: dict[str, Any] | bool | None = dataclasses.field(default=None, repr=False)
    schema_dialect: str | None = None
    check: Callable[[Any], bool] | None = dataclasses.field(default=None, repr=False)
    min_properties: int | None = None
    max_properties: int | None = None
    dialect: Dialect | None = None

    def field(self, name: str) -> Field:
        """Return the field called ``name``.

        Raises:
            KeyError: no such field.
        """
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def columns(self) -> list[str]:
        """Names of the fields that appear in rows, in order."""
        return [f.name for f in self.fields if not f.omit]


@dataclass(slots=True, eq=False)
class Dataset:
    """Everything imported from one schema file.

    Attributes:
        source: the file it came from.
        format: what kind of file that was.
        tables: the tables, in file order.
        notices: things the importer skipped or could not enforce, in words.
        view: an OpenAPI description imported for request or response bodies (else None).
        validator_factory: builds the validation oracle for a table (set by the importer).
    """

    source: Path
    format: SourceFormat
    tables: list[Table] = dataclasses.field(default_factory=list)
    notices: list[str] = dataclasses.field(default_factory=list)
    view: ApiView | None = None
    registry: Any = dataclasses.field(default=None, repr=False)
    cache: dict[Any, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)
    """Work worth keeping between the pre-flight check and the job (e.g. value pools)."""
    project_settings: Any = dataclasses.field(default=None, repr=False, compare=False)
    """The generation settings saved with a project file the dataset was opened from (a
    ``tdgen_desktop.importers.project.ProjectSettings``), else ``None``."""

    def table(self, name: str) -> Table:
        """Return the table called ``name`` (case-insensitive).

        Raises:
            KeyError: no such table.
        """
        for t in self.tables:
            if t.name == name or t.name.lower() == name.lower():
                return t
        raise KeyError(name)


def constraint_dict(constraints: Constraints) -> dict[str, Any]:
    """The constraints that are set, as a plain dict (for ``inspect --json``)."""
    out: dict[str, Any] = {}
    defaults = Constraints()
    for f in dataclasses.fields(constraints):
        value = getattr(constraints, f.name)
        if value != getattr(defaults, f.name) and value is not MISSING:
            out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def check_enum_weights(enum: tuple[Any, ...] | None, weights: Any) -> tuple[float, ...]:
    """Validate enum weights against the enum they weigh and return them as floats.

    Weights are relative (they need not sum to 1): one per enum value, in the same order, each a
    finite number ≥ 0, not all zero.

    Raises:
        SchemaError: no enum, a different number of weights, or a weight that is not a finite
            non-negative number (the caller adds file and field).
    """
    if enum is None:
        raise SchemaError("enum weights need an enum (a list of allowed values)")
    if not isinstance(weights, (list, tuple)):
        raise SchemaError(f"enum weights must be a list of numbers, not {weights!r}")
    if len(weights) != len(enum):
        raise SchemaError(
            f"{len(weights)} enum weight(s) for {len(enum)} enum value(s); give one per value"
        )
    out: list[float] = []
    for weight in weights:
        if (
            isinstance(weight, bool)
            or not isinstance(weight, (int, float))
            or not math.isfinite(weight)
            or weight < 0
        ):
            raise SchemaError(f"enum weight {weight!r} is not a finite number ≥ 0")
        out.append(float(weight))
    if not any(out):
        raise SchemaError("enum weights are all zero; at least one value must have a weight > 0")
    return tuple(out)
