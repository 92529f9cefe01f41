"""The JSON Schema of a row of a table built from a model (SQL DDL, samples).

Importers whose source is not a JSON Schema build one from the fields, so the validation step
checks generated rows against exactly the constraints the model holds: types (``null`` added
for nullable columns), lengths, bounds, ``multipleOf``, enums, patterns and formats.
"""

from __future__ import annotations

from typing import Any

from tdgen_desktop.core.enums import FieldType
from tdgen_desktop.core.model import MISSING, Field, Table

__all__ = ["JSON_SCHEMA_DIALECT", "field_schema", "row_schema"]

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
"""The dialect of the schemas built here."""


def row_schema(table: Table) -> dict[str, Any]:
    """The JSON Schema every valid row of ``table`` satisfies (the validation oracle)."""
    present = [f for f in table.fields if not f.omit]
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": table.name,
        "type": "object",
        "properties": {f.name: field_schema(f) for f in present},
        "required": [f.name for f in present],
        "additionalProperties": False,
    }


_SCHEMA_TYPES = {
    FieldType.STRING: "string",
    FieldType.INTEGER: "integer",
    FieldType.NUMBER: "number",
    FieldType.BOOLEAN: "boolean",
    FieldType.DATE: "string",
    FieldType.DATETIME: "string",
    FieldType.TIME: "string",
    FieldType.UUID: "string",
    FieldType.BINARY: "string",
    FieldType.ARRAY: "array",
    FieldType.OBJECT: "object",
}


def field_schema(f: Field) -> dict[str, Any]:
    """The JSON Schema of one column's values (nullable columns admit ``null``)."""
    c = f.constraints
    out: dict[str, Any] = {}
    json_type = _SCHEMA_TYPES.get(f.type)
    if json_type is not None:
        out["type"] = [json_type, "null"] if f.nullable else json_type
    if c.enum is not None:
        out["enum"] = [*c.enum, None] if f.nullable else list(c.enum)
    for key, value in (
        ("minimum", None if c.exclusive_minimum else c.minimum),
        ("exclusiveMinimum", c.minimum if c.exclusive_minimum else None),
        ("maximum", None if c.exclusive_maximum else c.maximum),
        ("exclusiveMaximum", c.maximum if c.exclusive_maximum else None),
        ("multipleOf", c.multiple_of),
        ("minLength", c.min_length),
        ("maxLength", c.max_length),
        ("pattern", c.pattern),
        ("format", c.format),
        ("minItems", c.min_items),
        ("maxItems", c.max_items),
    ):
        if value is not None:
            out[key] = value
    if c.not_values:
        out["not"] = {"enum": list(c.not_values)}
    if f.type is FieldType.BINARY:
        out["contentEncoding"] = "base64"
    if f.type is FieldType.ARRAY and f.items is not None:
        out["items"] = field_schema(f.items)
    if f.type is FieldType.OBJECT:
        out["properties"] = {p.name: field_schema(p) for p in f.properties}
        out["required"] = [p.name for p in f.properties if p.required]
    if c.default is not MISSING:
        out["default"] = c.default
    return out
