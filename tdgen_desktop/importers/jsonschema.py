"""JSON Schema import (drafts 4, 6, 7, 2019-09, 2020-12) into the dataset model.

A root object schema becomes one table whose columns are its properties; any other root becomes
a one-column table whose JSON rows are bare instances. ``$ref`` is resolved locally through
``referencing`` (never over the network), ``allOf`` is merged, ``anyOf``/``oneOf`` and type lists
become variants, and rules the model cannot express (``if``/``then``, ``oneOf`` exclusivity,
``dependentSchemas`` …) are kept as check predicates built from the schema itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from referencing.exceptions import Unresolvable

from tdgen_desktop.core.enums import FieldType, SourceFormat
from tdgen_desktop.core.errors import SchemaError, TdgenError, UnsatisfiableError
from tdgen_desktop.core.model import Constraints, Dataset, Field, Table
from tdgen_desktop.core.validation import Oracle, make_registry

__all__ = ["MAX_REF_DEPTH", "check_schema", "import_jsonschema", "parse_jsonschema"]

MAX_REF_DEPTH = 64
"""How many ``$ref`` hops deep one value may go (a bound on pathological chains)."""

MAX_YAML_VALUES = 1_000_000
"""A YAML document may hold at most this many values once its aliases are expanded."""

MAX_RECURSION = 2
"""How many times the same ``$ref`` target may be entered on one path (recursive schemas)."""

_REF_KEYWORDS = ("$ref", "$recursiveRef", "$dynamicRef")

_JSON_TYPES: dict[str, FieldType] = {
    "string": FieldType.STRING,
    "integer": FieldType.INTEGER,
    "number": FieldType.NUMBER,
    "boolean": FieldType.BOOLEAN,
    "array": FieldType.ARRAY,
    "object": FieldType.OBJECT,
    "null": FieldType.NULL,
}
_FORMAT_TYPES: dict[str, FieldType] = {
    "date": FieldType.DATE,
    "date-time": FieldType.DATETIME,
    "time": FieldType.TIME,
    "uuid": FieldType.UUID,
}
# Keywords whose rules the model does not express: a value is checked against the schema.
_CHECKED_KEYWORDS = frozenset(
    {
        "if",
        "dependentSchemas",
        "dependentRequired",
        "dependencies",
        "propertyNames",
        "unevaluatedProperties",
        "unevaluatedItems",
        "patternProperties",
        "not",
        "contains",
    }
)
_STRING_HINTS = ("minLength", "maxLength", "pattern", "format")
_NUMBER_HINTS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_OBJECT_HINTS = ("properties", "required", "additionalProperties", "patternProperties")
_ARRAY_HINTS = ("items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains")


class _Omit(Exception):
    """A schema part that cannot be generated; optional properties holding it are left out."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _BrokenRef(SchemaError):
    """A local ``$ref`` that points to nothing: the whole schema is broken, not one branch."""


def parse_jsonschema(path: Path, text: str) -> Any:
    """Parse JSON (or YAML for ``.yaml``/``.yml``) text into a Python value.

    Raises:
        SchemaError: the text is not valid JSON / YAML; the message gives line and column.
    """
    if path.suffix.lower() in {".yaml", ".yml"}:
        import yaml  # noqa: PLC0415 — only YAML files pay for the import

        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SchemaError(f"not valid YAML: {exc}".splitlines()[0], file=path) from exc
        except RecursionError as exc:
            raise SchemaError("YAML nested too deeply to read", file=path) from exc
        _check_expanded_size(path, value)
        return value
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problem = f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        raise SchemaError(problem, file=path) from exc
    except RecursionError as exc:
        raise SchemaError("JSON nested too deeply to read", file=path) from exc


def _check_expanded_size(path: Path, document: Any) -> None:
    """Refuse a YAML document whose aliases refer to themselves or expand to more than
    ``MAX_YAML_VALUES`` values (an alias bomb); linear in the values actually stored."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Any, bool]] = [(document, False)]
    while stack:
        node, done = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        children = list(node.values()) if isinstance(node, dict) else node
        key = id(node)
        if done:
            open_.discard(key)
            sizes[key] = 1 + sum(sizes.get(id(c), 1) for c in children)
            if sizes[key] > MAX_YAML_VALUES:
                raise SchemaError(
                    f"YAML aliases expand to more than {MAX_YAML_VALUES:,} values (an alias bomb?)",
                    file=path,
                )
        elif key in open_:
            raise SchemaError("a YAML alias refers to a value that contains it", file=path)
        elif key not in sizes:
            open_.add(key)
            stack.append((node, True))
            stack.extend((c, False) for c in children)


def import_jsonschema(path: Path, document: Any, *, table_name: str | None = None) -> Dataset:
    """Build a dataset from a parsed JSON Schema document.

    Args:
        path: the file it came from (for messages).
        document: the parsed schema.
        table_name: name of the table; default the schema's ``title`` or the file stem.

    Raises:
        SchemaError: the document is not a valid schema or has an unresolvable ``$ref``.
        UnsatisfiableError: constraints that admit no value.
    """
    if not isinstance(document, (dict, bool)):
        kind = _json_type_of(document)
        raise SchemaError(
            f"not a JSON Schema (the top level is {'an' if kind[0] in 'aeiou' else 'a'} "
            f"{kind}, not an object)",
            file=path,
        )
    check_schema(path, document)
    name = table_name or _table_name(document, path)
    converter = _Converter(path, document)
    try:
        table = converter.table(name)
    except _Omit as exc:  # the root itself cannot be generated (e.g. {"$ref": "#"})
        raise UnsatisfiableError(f"the schema admits no value: {exc.reason}", file=path) from None
    dataset = Dataset(source=path, format=SourceFormat.JSONSCHEMA, tables=[table])
    dataset.notices.extend(converter.notices)
    dataset.registry = converter.registry
    return dataset


def check_schema(path: Path, document: Any) -> None:
    """Check ``document`` against its dialect's meta-schema (2020-12 when it names none).

    Raises:
        SchemaError: the document is not a valid schema; the message gives the location.
    """
    if not isinstance(document, (dict, bool)):
        raise SchemaError(
            f"not a JSON Schema: {_json_type_of(document)} is not a schema", file=path
        )
    import jsonschema.validators  # noqa: PLC0415
    from jsonschema.exceptions import SchemaError as _JsError  # noqa: PLC0415

    schema: Any = document
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except _JsError as exc:
        where = "/" + "/".join(str(p) for p in exc.absolute_path)
        raise SchemaError(
            f"not a valid JSON Schema: at {where}: {exc.message}", file=path, details=str(exc)
        ) from exc


def _table_name(document: Any, path: Path) -> str:
    title = document.get("title") if isinstance(document, dict) else None
    stem = path.name.split(".")[0] or "table"
    raw = title if isinstance(title, str) and title.strip() else stem
    cleaned = re.sub(r"[^0-9A-Za-z_]+", "_", raw.strip()).strip("_").lower()
    return cleaned or "table"


class _Converter:
    """Turns (parts of) one schema document into fields."""

    def __init__(self, path: Path, document: Any) -> None:
        self.path = path
        self.document = document
        self.registry, self.uri = make_registry(document)
        self.resolver: Any = self.registry.resolver(base_uri=self.uri)
        self.oracle = Oracle(document, self.registry)
        self.notices: list[str] = []

    # ---------------------------------------------------------------- tables

    def table(self, name: str) -> Table:
        schema, resolver, complex_, stack = self._flatten(
            self.document, self.resolver, name, (id(self.document),)
        )
        table = Table(name=name, schema=self.document, description=_text(schema, "description"))
        if isinstance(self.document, dict):
            table.schema_dialect = self.document.get("$schema")
        if _is_object_schema(schema):
            table.fields = self._properties(schema, resolver, "", stack)
            table.additional_properties = schema.get("additionalProperties", True) is not False
            table.min_properties = schema.get("minProperties")
            table.max_properties = schema.get("maxProperties")
            if complex_ or _has_checked_keyword(schema):
                table.check = self.oracle.is_valid
        else:
            table.bare = True
            value = self._field("value", self.document, self.resolver, "", (), required=True)
            table.fields = [value]
            table.check = self.oracle.is_valid if _needs_check(value) else None
        return table

    # ---------------------------------------------------------------- fields

    def _properties(
        self, schema: dict[str, Any], resolver: Any, path: str, stack: tuple[int, ...]
    ) -> list[Field]:
        required = set(schema.get("required", []) or [])
        fields = []
        for name, sub in (schema.get("properties") or {}).items():
            fpath = f"{path}.{name}" if path else name
            is_required = name in required
            try:
                field = self._field(name, sub, resolver, fpath, stack, required=is_required)
            except (_Omit, UnsatisfiableError) as exc:
                reason = exc.reason if isinstance(exc, _Omit) else exc.problem
                if is_required:
                    if isinstance(exc, UnsatisfiableError):
                        raise
                    raise SchemaError(reason, file=self.path, field=fpath) from None
                field = Field(name=name, required=False, omit=True, omit_reason=reason)
                self.notices.append(f"field '{fpath}' left out (it is optional): {reason}")
            fields.append(field)
        for name in sorted(required - {f.name for f in fields}):
            # A required property with no schema of its own: any value will do.
            fields.append(Field(name=name, type=FieldType.ANY, required=True))
        return fields

    def _field(
        self,
        name: str,
        schema: Any,
        resolver: Any,
        path: str,
        stack: tuple[int, ...],
        *,
        required: bool,
    ) -> Field:
        try:
            return self._field_inner(name, schema, resolver, path, stack, required=required)
        except TdgenError as exc:
            raise exc.with_context(file=self.path, field=path or name) from None

    def _field_inner(
        self,
        name: str,
        schema: Any,
        resolver: Any,
        path: str,
        stack: tuple[int, ...],
        *,
        required: bool,
    ) -> Field:
        outer_resolver = resolver
        flat, resolver, complex_, stack = self._flatten(schema, resolver, path, stack)
        if flat is False:
            raise _Omit("its schema admits no value (false)")
        if flat is True or not flat:
            return Field(name=name, type=FieldType.ANY, required=required)
        variants = self._variants(name, flat, resolver, path, stack)
        field = (
            variants
            if isinstance(variants, Field)
            else self._typed(name, flat, resolver, path, stack)
        )
        field.required = required
        field.unique = bool(flat.get("x-unique", False))
        field.description = _text(flat, "description") or _text(flat, "title")
        if complex_ or _has_checked_keyword(flat) or "oneOf" in flat:
            field.check = self.oracle.for_subschema(schema, outer_resolver).is_valid
        if "default" in flat:
            field.constraints.default = flat["default"]
        return field

    def _variants(
        self, name: str, flat: dict[str, Any], resolver: Any, path: str, stack: tuple[int, ...]
    ) -> Field | None:
        """A union field for ``anyOf``/``oneOf``, or None when the schema has neither."""
        keyword = "oneOf" if "oneOf" in flat else "anyOf" if "anyOf" in flat else None
        if keyword is None:
            return None
        base = {k: v for k, v in flat.items() if k != keyword}
        variants: list[Field] = []
        reasons: list[str] = []
        for i, branch in enumerate(flat[keyword]):
            merged = {"allOf": [base, branch]} if base else branch
            try:
                variants.append(
                    self._field_inner(name, merged, resolver, f"{path}<{i}>", stack, required=True)
                )
            except _BrokenRef:
                raise  # the validator would stumble on it too, whichever branch a row takes
            except (_Omit, TdgenError) as exc:
                reasons.append(exc.reason if isinstance(exc, _Omit) else exc.problem)
        if not variants:
            detail = "; ".join(dict.fromkeys(reasons)) or "no branch"
            raise _Omit(f"no {keyword} branch can be generated ({detail})")
        if len(variants) == 1:
            return variants[0]
        nullable = any(v.type is FieldType.NULL for v in variants)
        kept = [v for v in variants if v.type is not FieldType.NULL]
        if len(kept) == 1:
            kept[0].nullable = True
            return kept[0]
        return Field(name=name, type=FieldType.ANY, variants=kept, nullable=nullable)

    def _typed(
        self, name: str, flat: dict[str, Any], resolver: Any, path: str, stack: tuple[int, ...]
    ) -> Field:
        if flat.get("enum") == []:
            raise UnsatisfiableError("enum is empty: no value is allowed")
        types = _types_of(flat)
        nullable = "null" in types
        kinds = [t for t in types if t != "null"]
        if not kinds:
            if nullable:
                return Field(name=name, type=FieldType.NULL, nullable=True)
            return Field(name=name, type=FieldType.ANY)
        if len(kinds) > 1:
            variants = [self._single(name, flat, t, resolver, path, stack) for t in kinds]
            return Field(name=name, type=FieldType.ANY, variants=variants, nullable=nullable)
        field = self._single(name, flat, kinds[0], resolver, path, stack)
        field.nullable = nullable
        return field

    def _single(
        self,
        name: str,
        flat: dict[str, Any],
        json_type: str,
        resolver: Any,
        path: str,
        stack: tuple[int, ...],
    ) -> Field:
        c = Constraints()
        ftype = _JSON_TYPES.get(json_type, FieldType.ANY)
        if "enum" in flat:
            values = tuple(v for v in flat["enum"] if _matches_type(v, json_type))
            if not values:
                raise UnsatisfiableError(f"enum has no value of type {json_type}")
            c.enum = values
        if "const" in flat:
            if not _matches_type(flat["const"], json_type):
                raise UnsatisfiableError(f"const {flat['const']!r} is not of type {json_type}")
            c.has_const, c.const = True, flat["const"]
        _not_values(flat, c)
        if json_type in {"integer", "number"}:
            self._numeric(flat, c)
        elif json_type == "string":
            c.min_length = flat.get("minLength")
            c.max_length = flat.get("maxLength")
            c.pattern = flat.get("pattern")
            c.format = flat.get("format")
            ftype = _FORMAT_TYPES.get(c.format or "", FieldType.STRING)
            if flat.get("contentEncoding") == "base64":
                ftype = FieldType.BINARY
        field = Field(name=name, type=ftype, constraints=c)
        if json_type == "array":
            self._array(field, flat, resolver, path, stack)
        elif json_type == "object":
            field.properties = self._properties(flat, resolver, path, stack)
            field.additional_properties = flat.get("additionalProperties", True) is not False
            c.min_properties = flat.get("minProperties")
            c.max_properties = flat.get("maxProperties")
        return field

    def _numeric(self, flat: dict[str, Any], c: Constraints) -> None:
        c.minimum = flat.get("minimum")
        c.maximum = flat.get("maximum")
        c.multiple_of = flat.get("multipleOf")
        low, high = flat.get("exclusiveMinimum"), flat.get("exclusiveMaximum")
        if isinstance(low, bool):  # draft 4: a flag on minimum
            c.exclusive_minimum = low and c.minimum is not None
        elif low is not None and (c.minimum is None or low >= c.minimum):
            c.minimum, c.exclusive_minimum = low, True
        if isinstance(high, bool):
            c.exclusive_maximum = high and c.maximum is not None
        elif high is not None and (c.maximum is None or high <= c.maximum):
            c.maximum, c.exclusive_maximum = high, True

    def _array(
        self, field: Field, flat: dict[str, Any], resolver: Any, path: str, stack: tuple[int, ...]
    ) -> None:
        c = field.constraints
        c.min_items = flat.get("minItems")
        c.max_items = flat.get("maxItems")
        c.unique_items = bool(flat.get("uniqueItems", False))
        prefix = flat.get("prefixItems")
        items = flat.get("items")
        if isinstance(items, list):  # draft 2019-09 and earlier: tuple validation
            prefix, items = items, flat.get("additionalItems")
        for i, sub in enumerate(prefix or []):
            field.prefix_items.append(self._element(f"{path}[{i}]", sub, resolver, stack))
        if items is False:
            c.max_items = min(
                c.max_items if c.max_items is not None else len(field.prefix_items),
                len(field.prefix_items),
            )
        elif items is not None and items is not True:
            try:
                field.items = self._element(f"{path}[]", items, resolver, stack)
            except _Omit:
                # Elements cannot be generated: only the empty array (or the prefix) is possible.
                c.max_items = len(field.prefix_items)
        if "contains" in flat:
            try:
                field.contains = self._element(
                    f"{path}[contains]", flat["contains"], resolver, stack
                )
            except _Omit:
                field.contains = None

    def _element(self, path: str, schema: Any, resolver: Any, stack: tuple[int, ...]) -> Field:
        return self._field_inner("item", schema, resolver, path, stack, required=True)

    # ---------------------------------------------------------------- flattening

    def _flatten(
        self, schema: Any, resolver: Any, path: str, stack: tuple[int, ...]
    ) -> tuple[Any, Any, bool, tuple[int, ...]]:
        """Resolve ``$ref`` and merge ``allOf``.

        Returns the flat schema, the resolver for refs inside it, whether a rule could not be
        merged (so values need a check), and the stack of ``$ref`` targets entered so far — a
        target entered twice already is recursion, cut here.
        """
        complex_ = False
        while isinstance(schema, dict) and any(k in schema for k in _REF_KEYWORDS):
            ref = str(next(schema[k] for k in _REF_KEYWORDS if k in schema))
            target, resolver = self._lookup(ref, resolver)
            if stack.count(id(target)) >= MAX_RECURSION or len(stack) >= MAX_REF_DEPTH:
                raise _Omit(f"recursive $ref '{ref}' is cut after {MAX_RECURSION} levels")
            stack = (*stack, id(target))
            siblings = {
                k: v for k, v in schema.items() if k not in _REF_KEYWORDS and k not in _ANNOTATIONS
            }
            if siblings and not _is_draft7_or_older(self.document):
                schema = {"allOf": [target, siblings]}
            else:
                schema = target
        if isinstance(schema, dict) and "allOf" in schema:
            parts = []
            for member in schema["allOf"]:
                flat, resolver, member_complex, stack = self._flatten(member, resolver, path, stack)
                complex_ = complex_ or member_complex
                if flat is False:
                    raise _Omit("allOf contains a schema that admits nothing")
                if isinstance(flat, dict):
                    parts.append(flat)
            rest = {k: v for k, v in schema.items() if k != "allOf"}
            merged, conflict = _merge([rest, *parts])
            complex_ = complex_ or conflict or len(parts) > 1
            schema = merged
        return schema, resolver, complex_, stack

    def _lookup(self, ref: str, resolver: Any) -> tuple[Any, Any]:
        try:
            resolved = resolver.lookup(ref)
        except Unresolvable as exc:
            if ref.startswith("#"):
                raise _BrokenRef(f"$ref '{ref}' points to nothing in this file") from exc
            raise _Omit(f"$ref '{ref}' is remote and is never fetched") from exc
        return resolved.contents, resolved.resolver


_ANNOTATIONS = frozenset(
    {"description", "title", "$comment", "examples", "markdownDescription", "deprecated"}
)


def _is_draft7_or_older(document: Any) -> bool:
    dialect = str(document.get("$schema", "")) if isinstance(document, dict) else ""
    return any(d in dialect for d in ("draft-03", "draft-04", "draft-06", "draft-07"))


def _text(schema: Any, key: str) -> str:
    value = schema.get(key) if isinstance(schema, dict) else None
    return value if isinstance(value, str) else ""


def _is_object_schema(schema: Any) -> bool:
    if not isinstance(schema, dict) or "anyOf" in schema or "oneOf" in schema:
        return False
    types = [t for t in _types_of(schema) if t != "null"]
    return types == ["object"]


def _has_checked_keyword(schema: dict[str, Any]) -> bool:
    return any(k in schema for k in _CHECKED_KEYWORDS)


def _needs_check(field: Field) -> bool:
    return any(f.check is not None for _, f in field.walk())


def _types_of(schema: dict[str, Any]) -> list[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return list(dict.fromkeys(str(t) for t in declared))
    if "const" in schema:
        return [_json_type_of(schema["const"])]
    if "enum" in schema:
        return list(dict.fromkeys(_json_type_of(v) for v in schema["enum"]))
    inferred = []
    if any(k in schema for k in _OBJECT_HINTS):
        inferred.append("object")
    if any(k in schema for k in _ARRAY_HINTS):
        inferred.append("array")
    if any(k in schema for k in _STRING_HINTS):
        inferred.append("string")
    if any(k in schema for k in _NUMBER_HINTS):
        inferred.append("number")
    return inferred or ["string"]


def _json_type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _matches_type(value: Any, json_type: str) -> bool:
    actual = _json_type_of(value)
    return actual == json_type or (json_type == "number" and actual == "integer")


def _not_values(flat: dict[str, Any], c: Constraints) -> None:
    negated = flat.get("not")
    if not isinstance(negated, dict):
        return
    if "enum" in negated:
        c.not_values = tuple(negated["enum"])
    elif "const" in negated:
        c.not_values = (negated["const"],)


_Merger = Callable[[Any, Any], Any]


def _merge(parts: Iterable[dict[str, Any]]) -> tuple[dict[str, Any], bool]:
    """Merge ``allOf`` members into one schema; the flag says whether a rule could not be merged."""
    merged: dict[str, Any] = {}
    conflict = False
    for part in parts:
        for key, value in part.items():
            if key not in merged:
                merged[key] = value
                continue
            rule = _MERGE_RULES.get(key)
            if rule is None:
                conflict = conflict or merged[key] != value
                continue
            merged[key] = rule(merged[key], value)
    return merged, conflict


def _merge_types(a: Any, b: Any) -> Any:
    left = {a} if isinstance(a, str) else set(a)
    right = {b} if isinstance(b, str) else set(b)
    if "number" in left and "integer" in right:
        left.add("integer")
    if "number" in right and "integer" in left:
        right.add("integer")
    common = left & right
    if not common:
        raise UnsatisfiableError(
            f"allOf demands contradictory types {sorted(left)} and {sorted(right)}"
        )
    return sorted(common) if len(common) > 1 else common.pop()


def _merge_enum(a: Any, b: Any) -> Any:
    kept = [v for v in a if v in b]
    if not kept:
        raise UnsatisfiableError("allOf enums have no value in common")
    return kept


def _merge_properties(a: Any, b: Any) -> Any:
    out = dict(a)
    for key, value in b.items():
        out[key] = {"allOf": [out[key], value]} if key in out else value
    return out


def _merge_additional(a: Any, b: Any) -> Any:
    if a is False or b is False:
        return False
    return (
        {"allOf": [a, b]}
        if isinstance(a, dict) and isinstance(b, dict)
        else (a if b is True else b)
    )


_MERGE_RULES: dict[str, _Merger] = {
    "type": _merge_types,
    "enum": _merge_enum,
    "required": lambda a, b: list(dict.fromkeys([*a, *b])),
    "properties": _merge_properties,
    "minimum": max,
    "maximum": min,
    "minLength": max,
    "maxLength": min,
    "minItems": max,
    "maxItems": min,
    "minProperties": max,
    "maxProperties": min,
    "uniqueItems": lambda a, b: bool(a or b),
    "additionalProperties": _merge_additional,
    "items": lambda a, b: {"allOf": [a, b]} if isinstance(a, dict) and isinstance(b, dict) else a,
    "description": lambda a, _b: a,
    "title": lambda a, _b: a,
    "$comment": lambda a, _b: a,
    "default": lambda a, _b: a,
    "examples": lambda a, _b: a,
}


def _exclusive_merge(key: str) -> _Merger:
    pick = max if key == "exclusiveMinimum" else min

    def merge(a: Any, b: Any) -> Any:
        if isinstance(a, bool) or isinstance(b, bool):
            return a or b
        return pick(a, b)

    return merge


_MERGE_RULES["exclusiveMinimum"] = _exclusive_merge("exclusiveMinimum")
_MERGE_RULES["exclusiveMaximum"] = _exclusive_merge("exclusiveMaximum")
