"""The pre-flight check: impossible requests are refused before any row is made, naming the field.

Also the ``value_space`` estimates the uniqueness check relies on.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tdgen_desktop.core import (
    Constraints,
    Field,
    FieldType,
    Table,
    TdgenError,
    UnsatisfiableError,
)
from tdgen_desktop.generation.null import NullProvider
from tdgen_desktop.generation.preflight import preflight, value_space
from tdgen_desktop.importers import load_schema

if TYPE_CHECKING:
    from conftest import GenerateFn


def _one(name: str, schema: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: schema},
        "required": [name] if required else [],
    }


def _preflight_file(path: Path, rows: int) -> list[str]:
    table = load_schema(path).tables[0]
    notices: list[str] = []
    preflight(table, rows, NullProvider(1), notices)
    return notices


@pytest.mark.parametrize(
    ("name", "schema", "words"),
    [
        ("age", {"type": "integer", "minimum": 10, "maximum": 1}, ["minimum", "maximum"]),
        ("price", {"type": "number", "minimum": 5.5, "maximum": 5}, ["minimum", "maximum"]),
        ("code", {"type": "string", "minLength": 10, "maxLength": 2}, ["minLength", "maxLength"]),
        ("qty", {"type": "integer", "minimum": 1, "maximum": 4, "multipleOf": 5}, ["multipleOf"]),
        ("n", {"type": "integer", "exclusiveMinimum": 1, "exclusiveMaximum": 2}, []),
        ("x", {"type": "number", "exclusiveMinimum": 1, "maximum": 1}, []),
        ("tags", {"type": "array", "minItems": 3, "maxItems": 1}, ["minItems", "maxItems"]),
        ("status", {"type": "string", "enum": [1, 2]}, ["enum"]),
    ],
    ids=[
        "min>max int",
        "min>max number",
        "minLength>maxLength",
        "no multiple in range",
        "exclusive int gap",
        "exclusive number point",
        "minItems>maxItems",
        "enum of wrong type",
    ],
)
def test_contradictory_constraints_name_the_field(
    write_schema: Callable[..., Path], name: str, schema: dict[str, Any], words: list[str]
) -> None:
    path = write_schema(_one(name, schema))
    with pytest.raises(UnsatisfiableError) as info:
        _preflight_file(path, 10)
    assert info.value.field == name
    message = info.value.message
    assert f"'{name}'" in message
    for word in words:
        assert word in message


def test_nested_contradiction_names_the_dotted_path(write_schema: Callable[..., Path]) -> None:
    schema = _one(
        "address",
        {
            "type": "object",
            "required": ["zip"],
            "properties": {"zip": {"type": "string", "minLength": 6, "maxLength": 5}},
        },
    )
    with pytest.raises(UnsatisfiableError) as info:
        _preflight_file(write_schema(schema), 10)
    assert "address.zip" in info.value.message


def test_invalid_regex_in_the_model_is_unsatisfiable_naming_the_field() -> None:
    table = Table(
        name="t",
        fields=[Field("code", FieldType.STRING, constraints=Constraints(pattern="[a-"))],
    )
    with pytest.raises(UnsatisfiableError) as info:
        preflight(table, 10, NullProvider(1), [])
    assert "code" in info.value.message
    assert "[a-" in info.value.message


def test_invalid_regex_in_a_file_is_refused_naming_the_field(
    write_schema: Callable[..., Path],
) -> None:
    path = write_schema(_one("code", {"type": "string", "pattern": "(ab"}))
    with pytest.raises(TdgenError) as info:
        _preflight_file(path, 10)
    assert "code" in info.value.message
    assert "(ab" in info.value.message


def test_pattern_longer_than_max_length_is_refused_naming_the_field(
    write_schema: Callable[..., Path],
) -> None:
    path = write_schema(_one("zip", {"type": "string", "pattern": "^[0-9]{5}$", "maxLength": 3}))
    with pytest.raises(TdgenError) as info:
        _preflight_file(path, 10)
    assert info.value.field == "zip" or "'zip'" in info.value.message, info.value.message


def test_empty_enum_on_required_property_is_refused(write_schema: Callable[..., Path]) -> None:
    """``"enum": []`` admits no value (valid in draft 2020-12): refuse it, naming the field."""
    path = write_schema(_one("status", {"enum": []}))
    with pytest.raises(TdgenError) as info:
        _preflight_file(path, 10)
    assert "status" in info.value.message


def test_empty_enum_is_refused_by_the_draft04_metaschema(
    write_schema: Callable[..., Path],
) -> None:
    schema = {"$schema": "http://json-schema.org/draft-04/schema#", **_one("status", {"enum": []})}
    with pytest.raises(TdgenError, match="status"):
        _preflight_file(write_schema(schema), 10)


def test_empty_enum_on_optional_property_is_left_out(generate: GenerateFn) -> None:
    schema = {
        "type": "object",
        "required": ["name"],
        "properties": {"status": {"enum": []}, "name": {"type": "string"}},
    }
    out = generate(schema, rows=50)
    out.assert_all_valid()
    assert not out.column("status")
    assert any("status" in n for n in out.dataset.notices + out.notices)


@pytest.mark.parametrize(
    ("schema", "space"),
    [
        ({"enum": ["a", "b", "c"], "x-unique": True}, 3),
        ({"type": "integer", "minimum": 1, "maximum": 5, "x-unique": True}, 5),
        ({"type": "boolean", "x-unique": True}, 2),
        ({"type": "string", "pattern": "^[ab]$", "x-unique": True}, 2),
    ],
    ids=["enum", "int 1..5", "boolean", "pattern"],
)
def test_unique_field_smaller_than_rows_is_refused(
    write_schema: Callable[..., Path], schema: dict[str, Any], space: int
) -> None:
    path = write_schema(_one("pick", schema))
    with pytest.raises(UnsatisfiableError) as info:
        _preflight_file(path, 10)
    message = info.value.message
    assert info.value.field == "pick"
    assert "unique" in message
    assert str(space) in message
    assert "10" in message


def test_unique_field_exactly_as_large_as_rows_is_accepted(generate: GenerateFn) -> None:
    schema = _one("pick", {"type": "integer", "minimum": 1, "maximum": 5, "x-unique": True})
    out = generate(schema, rows=5)
    out.assert_all_valid()
    assert sorted(out.column("pick")) == [1, 2, 3, 4, 5]


def test_unique_items_with_too_few_distinct_items_is_refused(
    write_schema: Callable[..., Path],
) -> None:
    """Arrays of 3 distinct items drawn from 2 values cannot exist."""
    schema = _one(
        "tags",
        {"type": "array", "items": {"enum": ["x", "y"]}, "minItems": 3, "uniqueItems": True},
    )
    with pytest.raises(TdgenError) as info:
        _preflight_file(write_schema(schema), 10)
    assert "tags" in info.value.message


# ------------------------------------------------------------------ value_space


def _field(ftype: FieldType, **constraints: Any) -> Field:
    return Field("f", ftype, constraints=Constraints(**constraints))


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        (_field(FieldType.BOOLEAN), 2),
        (_field(FieldType.STRING, enum=("a", "b", "c")), 3),
        (_field(FieldType.STRING, enum=("a", "b", "c"), not_values=("b",)), 2),
        (_field(FieldType.INTEGER, has_const=True, const=4), 1),
        (_field(FieldType.INTEGER, minimum=1, maximum=5), 5),
        (
            _field(
                FieldType.INTEGER,
                minimum=0,
                maximum=5,
                exclusive_minimum=True,
                exclusive_maximum=True,
            ),
            4,
        ),
        (_field(FieldType.INTEGER, minimum=1, maximum=100, multiple_of=5), 20),
        (_field(FieldType.NUMBER, minimum=0, maximum=1, multiple_of=0.01), 101),
        (_field(FieldType.STRING, pattern="^[A-Z]{3}$"), 26**3),
        (_field(FieldType.STRING, pattern="^(cat|dog)$"), 2),
        (_field(FieldType.STRING, pattern=r"^\d{4}$"), 10_000),
        (_field(FieldType.STRING, max_length=1), 27),
    ],
    ids=[
        "boolean",
        "enum",
        "enum minus not",
        "const",
        "int range",
        "exclusive range",
        "multipleOf",
        "cents",
        "pattern class",
        "pattern alternation",
        "pattern digits",
        "max length 1",
    ],
)
def test_value_space_estimates(field: Field, expected: int) -> None:
    assert value_space(field) == pytest.approx(expected)


@pytest.mark.parametrize(
    "field",
    [
        _field(FieldType.INTEGER),
        _field(FieldType.INTEGER, minimum=0),
        _field(FieldType.NUMBER, minimum=0, maximum=1),
        _field(FieldType.STRING),
        _field(FieldType.UUID),
    ],
    ids=["int", "int from 0", "number without step", "string", "uuid"],
)
def test_value_space_of_unbounded_fields_is_infinite(field: Field) -> None:
    assert math.isinf(value_space(field))


def test_value_space_of_a_union_adds_its_variants() -> None:
    union = Field(
        "u",
        FieldType.ANY,
        variants=[_field(FieldType.BOOLEAN), _field(FieldType.INTEGER, minimum=1, maximum=3)],
    )
    assert value_space(union) == 5


def test_value_space_of_a_large_pattern_is_large() -> None:
    assert value_space(_field(FieldType.STRING, pattern="^[A-Z]{3}-[0-9]{5}$")) >= 1e9
