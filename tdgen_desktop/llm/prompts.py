"""The prompts tdgen sends: built from schema metadata only, never from rows.

Every builder here takes a :class:`~tdgen_desktop.core.model.Table` and its
:class:`~tdgen_desktop.core.model.Field` objects and reads only what the schema says — names,
types, constraints, descriptions and the table's context. No builder takes rows, so no
generated or sample value can reach a prompt. :meth:`Prompt.preview` is the exact text sent
(``tdgen generate --show-prompts`` prints it).

The answer is asked for as structured output: ``{"records": [{field: value, …}, …]}``, described
by :attr:`Prompt.answer_schema`.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from tdgen_desktop.core.enums import FieldType
from tdgen_desktop.core.model import Field, Table

__all__ = ["ANSWER_NAME", "Prompt", "answer_key", "field_spec", "pool_prompt", "rows_prompt"]

ANSWER_NAME = "tdgen_records"
"""The name of the structured answer (OpenAI ``json_schema.name``, Anthropic tool name)."""

SYSTEM = (
    "You write realistic test data for software tests. You know real-world domains — shops, "
    "medicine, finance, logistics, software — and their names, codes and wording. Invent "
    "values; never use real people's personal data. Every value must satisfy the constraints "
    "given for its field. Answer only with JSON in the requested structure."
)

_JSON_TYPES: dict[FieldType, tuple[str, str | None]] = {
    FieldType.STRING: ("string", None),
    FieldType.INTEGER: ("integer", None),
    FieldType.NUMBER: ("number", None),
    FieldType.BOOLEAN: ("boolean", None),
    FieldType.DATE: ("string", "date"),
    FieldType.DATETIME: ("string", "date-time"),
    FieldType.TIME: ("string", "time"),
    FieldType.UUID: ("string", "uuid"),
}
_MAX_DESCRIPTION = 300
_SAFE_KEY = re.compile(r"[a-zA-Z0-9_.-]{1,64}")
"""Property names every wire format accepts in a structured-output schema (Anthropic's tool
``input_schema`` is the strictest: letters, digits, ``_ . -``, at most 64)."""
_UNSAFE = re.compile(r"[^a-zA-Z0-9_.-]")


def answer_key(name: str) -> str:
    """The key a field's values come under in the model's answer: the field's name when every
    wire format accepts it, else a safe spelling of it with a short digest (``zip code`` →
    ``zip_code_1f0c…``, ``lines[].sku`` → ``lines__.sku_…``)."""
    if _SAFE_KEY.fullmatch(name):
        return name
    digest = hashlib.sha1(name.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
    return f"{_UNSAFE.sub('_', name)[:55] or 'field'}_{digest}"


_STRICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["records"],
    "properties": {"records": {"type": "array", "items": {"type": "object"}}},
}


@dataclass(frozen=True, slots=True)
class Prompt:
    """One request to the model.

    Attributes:
        table: the table it is about.
        fields: the fields it asks values for.
        count: records asked for.
        system: the system prompt.
        user: the user prompt.
        answer_schema: JSON Schema of the answer, sent as the structured-output format.
        strict_schema: the shape an answer must have to be accepted at all; values are
            checked one by one afterwards, against their fields' constraints.
        max_tokens: the answer's token limit.
    """

    table: str
    fields: tuple[str, ...]
    count: int
    system: str
    user: str
    answer_schema: dict[str, Any]
    strict_schema: dict[str, Any]
    max_tokens: int

    def key_text(self) -> str:
        """Everything that shapes the answer, as canonical text (part of the cache key)."""
        return json.dumps(
            [self.system, self.user, self.answer_schema, self.max_tokens],
            sort_keys=True,
            ensure_ascii=False,
        )

    def preview(self) -> str:
        """The exact prompt, for people: system text, user text and the answer's schema."""
        schema = json.dumps(self.answer_schema, indent=2, ensure_ascii=False)
        return (
            f"=== {self.table}: {', '.join(self.fields)}\n"
            f"--- system\n{self.system}\n"
            f"--- user\n{self.user}\n"
            f"--- answer schema ({ANSWER_NAME})\n{schema}\n"
        )


def field_spec(field: Field) -> dict[str, Any]:
    """What the prompt says about one field: name, JSON type, description and constraints."""
    json_type, implied_format = _JSON_TYPES.get(field.type, ("string", None))
    spec: dict[str, Any] = {"name": field.name, "type": json_type}
    if answer_key(field.name) != field.name:
        spec["answer_key"] = answer_key(field.name)
    if field.description:
        spec["description"] = " ".join(field.description.split())[:_MAX_DESCRIPTION]
    c = field.constraints
    rules: dict[str, Any] = {}
    for key, value in (
        ("minLength", c.min_length),
        ("maxLength", c.max_length),
        ("pattern", c.pattern),
        ("format", c.format or implied_format),
        ("multipleOf", c.multiple_of),
    ):
        if value is not None:
            rules[key] = value
    if c.minimum is not None:
        rules["exclusiveMinimum" if c.exclusive_minimum else "minimum"] = c.minimum
    if c.maximum is not None:
        rules["exclusiveMaximum" if c.exclusive_maximum else "maximum"] = c.maximum
    if c.enum is not None:
        rules["enum"] = [v for v in c.enum if isinstance(v, (str, int, float, bool))]
    if c.not_values:
        rules["not"] = [v for v in c.not_values if isinstance(v, (str, int, float, bool))]
    if field.unique:
        rules["unique"] = True
    if field.nullable:
        rules["nullable"] = True
    if rules:
        spec["constraints"] = rules
    return spec


def _context(table: Table) -> str:
    about = f" — {_one_line(table.description)}" if table.description else ""
    lines = [f"Table: {table.name}{about}"]
    columns = ", ".join(f"{f.name} ({f.type.value})" for f in table.fields if not f.omit)
    if columns:
        lines.append(f"Columns of the table: {columns}")
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())[:_MAX_DESCRIPTION]


def _answer_schema(fields: list[Field], *, allow_null: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for f in fields:
        json_type = _JSON_TYPES.get(f.type, ("string", None))[0]
        nullable = allow_null and f.nullable
        properties[answer_key(f.name)] = {"type": [json_type, "null"] if nullable else json_type}
    return {
        "type": "object",
        "properties": {
            "records": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": properties,
                    "required": [answer_key(f.name) for f in fields],
                    "additionalProperties": False,
                },
            }
        },
        "required": ["records"],
        "additionalProperties": False,
    }


def _max_tokens(count: int, fields: int) -> int:
    return max(1024, min(8192, 256 + count * fields * 24))


def pool_prompt(table: Table, fields: list[Field], count: int, seed: int) -> Prompt:
    """Ask for ``count`` records of realistic, mutually consistent values for ``fields``.

    The values become pools the valid rows sample from; the fields of one record stay
    together (a product name with its category and price).
    """
    specs = json.dumps([field_spec(f) for f in fields], ensure_ascii=False, sort_keys=True)
    user = (
        f"{_context(table)}\n"
        f"Write {count} records of realistic, varied values for the fields below, as they "
        "would appear in a real system. The values of one record belong together. Do not "
        "number the values, do not repeat them, and keep every value within its field's "
        "constraints.\n"
        f"FIELDS (JSON): {specs}\n"
        f"Variation key: {seed}"
    )
    return Prompt(
        table=table.name,
        fields=tuple(f.name for f in fields),
        count=count,
        system=SYSTEM,
        user=user,
        answer_schema=_answer_schema(fields, allow_null=False),
        strict_schema=_STRICT_SCHEMA,
        max_tokens=_max_tokens(count, len(fields)),
    )


def rows_prompt(table: Table, fields: list[Field], count: int, first: int, seed: int) -> Prompt:
    """Ask for ``count`` whole rows (rows ``first + 1`` … ``first + count``) of ``table``."""
    specs = json.dumps([field_spec(f) for f in fields], ensure_ascii=False, sort_keys=True)
    user = (
        f"{_context(table)}\n"
        f"Write {count} rows (rows {first + 1} to {first + count}) of realistic test data for "
        "this table, one record per row, with the fields below. Vary the rows; keep every "
        "value within its field's constraints; use null only where a field allows it.\n"
        f"FIELDS (JSON): {specs}\n"
        f"Variation key: {seed}"
    )
    return Prompt(
        table=table.name,
        fields=tuple(f.name for f in fields),
        count=count,
        system=SYSTEM,
        user=user,
        answer_schema=_answer_schema(fields, allow_null=True),
        strict_schema=_STRICT_SCHEMA,
        max_tokens=_max_tokens(count, len(fields)),
    )
