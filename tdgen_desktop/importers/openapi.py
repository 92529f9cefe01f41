"""OpenAPI 3.0 and 3.1 import (YAML or JSON): every ``components/schemas`` entry is a table.

Each component becomes a table through the JSON Schema importer: its schema is
``{"$ref": "#/components/schemas/<name>", "components": …}``, so references between
components (``#/components/schemas/Other``, also parameters and responses) resolve in the
document itself, and the same document is the validation oracle of the table's rows.

OpenAPI 3.0's dialect is rewritten to JSON Schema 2020-12 first (3.1 already is JSON Schema):
``nullable: true`` adds ``null`` to the type, boolean ``exclusiveMinimum``/``exclusiveMaximum``
become numbers, ``format: int32``/``int64`` add the integer range when no bound is given. A
``oneOf``/``anyOf`` with a ``discriminator`` pins the discriminator property of each branch to
the value that selects it (the ``mapping`` keys that point to it — by reference or by bare
component name — else the component name), so every row is self-consistent; a component that
extends a discriminated base through ``allOf`` gets its own value in the base's property.
``readOnly`` and ``writeOnly`` properties are generated like the others (a row is the whole
object; a notice counts them), unless a view is asked for: rows for request bodies leave out
every ``readOnly`` property, rows for responses every ``writeOnly`` one — also from the
``required`` lists, as the OpenAPI specification says — and the rows are checked against that
view of the schema.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tdgen_desktop.core.enums import ApiView, SourceFormat
from tdgen_desktop.core.errors import SchemaError, TdgenError, UnsupportedFeatureError
from tdgen_desktop.core.model import Dataset, Table
from tdgen_desktop.importers.jsonschema import check_schema, import_jsonschema, parse_jsonschema

__all__ = ["import_openapi", "is_openapi", "openapi_version"]

_DIALECT_2020 = "https://json-schema.org/draft/2020-12/schema"
_REF_PREFIX = "#/components/schemas/"
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def is_openapi(document: Any) -> bool:
    """Whether a parsed document is an OpenAPI (or Swagger) description."""
    return isinstance(document, dict) and ("openapi" in document or "swagger" in document)


def openapi_version(document: dict[str, Any]) -> tuple[int, int]:
    """The ``openapi`` version as (major, minor).

    Raises:
        UnsupportedFeatureError: Swagger 2.0 or an OpenAPI version other than 3.0 and 3.1.
    """
    if "swagger" in document and "openapi" not in document:
        raise UnsupportedFeatureError(
            f"Swagger {document.get('swagger')} is not supported; convert it to OpenAPI 3"
        )
    match = re.match(r"^\s*(\d+)\.(\d+)", str(document.get("openapi", "")))
    if match is None:
        raise SchemaError(f"'openapi: {document.get('openapi')}' is not a version number")
    version = (int(match.group(1)), int(match.group(2)))
    if version not in {(3, 0), (3, 1)}:
        raise UnsupportedFeatureError(
            f"OpenAPI {document.get('openapi')} is not supported; tdgen reads 3.0 and 3.1"
        )
    return version


def import_openapi(
    path: Path, text: str | None = None, document: Any = None, *, view: ApiView | None = None
) -> Dataset:
    """Build a dataset with one table per ``components/schemas`` entry.

    Args:
        path: the file (for messages, and read from when neither text nor document is given).
        text: the file's text (YAML or JSON), parsed when ``document`` is omitted.
        document: the parsed description.
        view: rows for request bodies (no ``readOnly`` property) or responses (no
            ``writeOnly`` property); whole objects when omitted.

    Raises:
        SchemaError: not an OpenAPI description, no ``components/schemas``, a broken ``$ref``
            (the message names the component and the reference), an invalid schema.
        UnsupportedFeatureError: Swagger 2.0 or another OpenAPI version.
    """
    if document is None:
        document = parse_jsonschema(path, text if text is not None else path.read_text("utf-8"))
    if not is_openapi(document):
        raise SchemaError("not an OpenAPI description (no 'openapi' field)", file=path)
    try:
        version = openapi_version(document)
    except TdgenError as exc:
        raise exc.with_context(file=path) from None
    components = document.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    if not isinstance(schemas, dict) or not schemas:
        raise SchemaError("has no components/schemas: there is nothing to generate", file=path)
    converted = _as_2020(components, version)
    left_out = _apply_view(converted, view) if view is not None else 0
    _check_components(path, converted)
    dataset = Dataset(source=path, format=SourceFormat.OPENAPI, view=view)
    for name in schemas:
        dataset.tables.append(_component_table(path, name, converted, dataset.notices))
    if view is not None:
        flag = _VIEW_FLAGS[view]
        dataset.notices.append(
            f"rows for {view.value} bodies: {left_out} {flag} "
            f"propert{'y' if left_out == 1 else 'ies'} left out"
        )
        return dataset
    marked = sum(1 for _ in _flags(converted, ("readOnly", "writeOnly")))
    if marked:
        dataset.notices.append(
            f"{marked} readOnly/writeOnly properties are generated like the others "
            "(each row is the whole object; --openapi-view request|response leaves them out)"
        )
    return dataset


_VIEW_FLAGS = {ApiView.REQUEST: "readOnly", ApiView.RESPONSE: "writeOnly"}


def _apply_view(components: dict[str, Any], view: ApiView) -> int:
    """Remove the properties a request (``readOnly``) or a response (``writeOnly``) does not
    carry, and their names from ``required``; return how many were removed."""
    flag = _VIEW_FLAGS[view]
    removed = 0
    for schema in list(_schemas(components)):
        properties = schema.get("properties")
        if not isinstance(properties, dict):
            continue
        gone = [n for n, p in properties.items() if isinstance(p, dict) and p.get(flag) is True]
        for name in gone:
            del properties[name]
        if gone and isinstance(schema.get("required"), list):
            schema["required"] = [n for n in schema["required"] if n not in gone]
        removed += len(gone)
    return removed


def _component_table(
    path: Path, name: str, components: dict[str, Any], notices: list[str]
) -> Table:
    wrapper: dict[str, Any] = {"$schema": _DIALECT_2020, "$ref": _REF_PREFIX + _escape(name)}
    pin = _inherited_pin(name, components["schemas"])
    if pin is not None:  # a subtype of a discriminated base names itself in the base's property
        wrapper = {"$schema": _DIALECT_2020, "allOf": [{"$ref": wrapper["$ref"]}, pin]}
    wrapper["components"] = components
    schema = components["schemas"][name]
    try:
        imported = import_jsonschema(path, wrapper, table_name=name)
    except TdgenError as exc:
        exc.problem = f"component '{name}': {exc.problem}"
        raise exc.with_context(file=path) from None
    notices.extend(f"component '{name}': {n}" for n in imported.notices)
    table = imported.tables[0]
    title = schema.get("title", "") if isinstance(schema, dict) else ""
    table.description = table.description or str(title)
    return table


def _check_components(path: Path, components: dict[str, Any]) -> None:
    """Check every component schema against the 2020-12 meta-schema before any is imported
    (the wrapper's own check does not look inside ``components``).

    Raises:
        SchemaError: the message names the component and the location in it.
    """
    named = [(f"component '{n}'", s) for n, s in components["schemas"].items()]
    for key, group in components.items():
        if key != "schemas":
            named.extend((f"a schema in components/{key}", s) for s in _embedded(group))
    for label, schema in named:
        try:
            check_schema(
                path, {"$schema": _DIALECT_2020, **schema} if isinstance(schema, dict) else schema
            )
        except TdgenError as exc:
            exc.problem = f"{label}: {exc.problem}"
            raise


def _escape(name: str) -> str:
    """A JSON Pointer token for a component name (``~`` and ``/`` escaped)."""
    return name.replace("~", "~0").replace("/", "~1")


# ====================================================================== 3.0 → 2020-12


def _as_2020(components: dict[str, Any], version: tuple[int, int]) -> dict[str, Any]:
    """A copy of ``components`` in JSON Schema 2020-12 terms, with discriminators pinned."""
    converted = copy.deepcopy(components)
    for schema in _schemas(converted):
        if version == (3, 0):
            _nullable(schema)
            _exclusive_bounds(schema)
        _integer_format(schema)
    for schema in _schemas(converted):
        _pin_discriminator(schema, converted.get("schemas", {}))
    for schema in _schemas(converted):
        _drop_implied_members(schema, converted)
    return converted


_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_SINGLES = (
    "additionalProperties",
    "items",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
)


def _schemas(components: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every schema of the components: ``schemas`` entries and the ``schema`` of parameters,
    headers and media types, with every subschema inside them."""
    stack: list[Any] = list((components.get("schemas") or {}).values())
    for key, group in components.items():
        if key != "schemas":
            stack.extend(_embedded(group))
    while stack:
        item = stack.pop()
        if not isinstance(item, dict):
            continue
        yield item
        for key in _SCHEMA_MAPS:
            if isinstance(item.get(key), dict):
                stack.extend(item[key].values())
        for key in _SCHEMA_LISTS:
            if isinstance(item.get(key), list):
                stack.extend(item[key])
        for key in _SCHEMA_SINGLES:
            value = item.get(key)
            stack.extend(value if isinstance(value, list) else [value])


def _embedded(node: Any) -> Iterator[Any]:
    """The values under ``schema`` keys anywhere in a non-schema component tree."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key == "schema":
                    yield value
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)


def _nullable(schema: dict[str, Any]) -> None:
    if "nullable" not in schema:
        return
    if schema.pop("nullable") is not True:
        return
    declared = schema.get("type")
    if isinstance(declared, str):
        schema["type"] = [declared, "null"]
        if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
    elif isinstance(declared, list):
        if "null" not in declared:
            declared.append("null")
    else:
        rest = {k: schema.pop(k) for k in list(schema) if not k.startswith("x-")}
        schema["anyOf"] = [rest, {"type": "null"}]


def _exclusive_bounds(schema: dict[str, Any]) -> None:
    for flag, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = schema.get(flag)
        if isinstance(value, bool):
            if value and bound in schema:
                schema[flag] = schema.pop(bound)
            else:
                del schema[flag]


def _integer_format(schema: dict[str, Any]) -> None:
    declared = schema.get("type")
    types = [declared] if isinstance(declared, str) else declared
    if not isinstance(types, list):  # absent, or not a type at all (the check reports it)
        return
    bounds = _INT_RANGES.get(str(schema.get("format")))
    if "integer" not in types or bounds is None:
        return
    if not any(k in schema for k in ("minimum", "exclusiveMinimum")):
        schema["minimum"] = bounds[0]
    if not any(k in schema for k in ("maximum", "exclusiveMaximum")):
        schema["maximum"] = bounds[1]


def _pin_discriminator(schema: dict[str, Any], named: dict[str, Any]) -> None:
    """Each ``oneOf``/``anyOf`` branch sets the discriminator property to its own value(s)."""
    discriminator = schema.get("discriminator")
    keyword = "oneOf" if "oneOf" in schema else "anyOf" if "anyOf" in schema else None
    if not isinstance(discriminator, dict) or keyword is None:
        return
    prop = discriminator.get("propertyName")
    if not isinstance(prop, str) or not isinstance(schema[keyword], list):
        return
    branches = []
    for branch in schema[keyword]:
        ref = branch.get("$ref") if isinstance(branch, dict) else None
        name = _component_name(ref)
        if name is None or name not in named:
            branches.append(branch)
            continue
        branches.append({"allOf": [branch, _pin(prop, _values_for(discriminator, name))]})
    schema[keyword] = branches


def _component_name(ref: Any) -> str | None:
    """The component a local ``#/components/schemas/…`` reference (or a bare name) names."""
    if not isinstance(ref, str):
        return None
    if ref.startswith(_REF_PREFIX):
        return ref[len(_REF_PREFIX) :].replace("~1", "/").replace("~0", "~")
    return None


def _values_for(discriminator: dict[str, Any], name: str) -> list[str]:
    """The discriminator values that select component ``name``: the ``mapping`` keys that point
    to it (a mapping value is a reference or a bare component name), else its own name
    (OpenAPI's implicit mapping, which also holds for components the mapping leaves out)."""
    mapping = discriminator.get("mapping")
    values = []
    if isinstance(mapping, dict):
        for key, target in mapping.items():
            bare = isinstance(target, str) and "/" not in target and "#" not in target
            if (target if bare else _component_name(target)) == name:
                values.append(str(key))
    return values or [name]


def _pin(prop: str, values: list[str]) -> dict[str, Any]:
    rule: dict[str, Any] = {"const": values[0]} if len(values) == 1 else {"enum": values}
    return {"properties": {prop: rule}, "required": [prop]}


def _inherited_pin(name: str, named: dict[str, Any]) -> dict[str, Any] | None:
    """For a component that extends a discriminated base through ``allOf`` (``Cat: allOf: [Pet,
    …]`` where ``Pet`` has ``discriminator: {propertyName: pet_type}``): the rule that sets the
    base's discriminator property to the value naming this component."""
    schema = named.get(name)
    members = schema.get("allOf") if isinstance(schema, dict) else None
    for member in members if isinstance(members, list) else []:
        base = (
            named.get(_component_name(member.get("$ref")) or "")
            if isinstance(member, dict)
            else None
        )
        discriminator = base.get("discriminator") if isinstance(base, dict) else None
        if isinstance(discriminator, dict) and isinstance(discriminator.get("propertyName"), str):
            return _pin(discriminator["propertyName"], _values_for(discriminator, name))
    return None


def _drop_implied_members(schema: dict[str, Any], components: dict[str, Any]) -> None:
    """Drop ``allOf`` members that every allowed value already satisfies.

    OpenAPI descriptions often say ``{"enum": [1], "allOf": [{"$ref": "…/ComponentTypes"}]}``
    where the referenced schema is a ``oneOf`` of constants: the member adds nothing, but
    merging it makes every ``oneOf`` branch but one contradict the enum.
    """
    members = schema.get("allOf")
    if not isinstance(members, list) or not members:
        return
    if "enum" in schema and isinstance(schema["enum"], list):
        values = list(schema["enum"])
    elif "const" in schema:
        values = [schema["const"]]
    else:
        return
    import jsonschema  # noqa: PLC0415

    kept = []
    for member in members:
        probe = {"$schema": _DIALECT_2020, "allOf": [member], "components": components}
        validator = jsonschema.Draft202012Validator(probe)
        if not all(validator.is_valid(v) for v in values):
            kept.append(member)
    if kept:
        schema["allOf"] = kept
    else:
        del schema["allOf"]


def _flags(components: dict[str, Any], keys: tuple[str, ...]) -> Iterator[str]:
    for schema in _schemas(components):
        for key in keys:
            if schema.get(key) is True:
                yield key
