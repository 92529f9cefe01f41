"""JSON Schema import: what a user sees after ``load_schema`` on their file.

Every test writes a small schema to ``tmp_path`` and checks the imported model (types,
nullability, constraints, variants, uniqueness) or the error a user would read.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tdgen_desktop.core import (
    Dataset,
    Field,
    FieldType,
    SchemaError,
    Table,
    UnsatisfiableError,
)
from tdgen_desktop.importers import load_schema

DRAFT_04 = "http://json-schema.org/draft-04/schema#"
DRAFT_07 = "http://json-schema.org/draft-07/schema#"
DRAFT_2019 = "https://json-schema.org/draft/2019-09/schema"
DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema"


def _write(tmp_path: Path, schema: Any, name: str = "schema.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(schema), encoding="utf-8")
    return path


def _load(tmp_path: Path, schema: Any, name: str = "schema.json") -> Dataset:
    return load_schema(_write(tmp_path, schema, name))


def _table(tmp_path: Path, schema: Any, name: str = "schema.json") -> Table:
    dataset = _load(tmp_path, schema, name)
    assert len(dataset.tables) == 1
    return dataset.tables[0]


def _obj(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, **extra}


# ------------------------------------------------------------------ drafts


@pytest.mark.parametrize(
    ("dialect", "definitions_key"),
    [(DRAFT_07, "definitions"), (DRAFT_2019, "$defs"), (DRAFT_2020, "$defs")],
    ids=["draft-07", "draft-2019-09", "draft-2020-12"],
)
def test_each_modern_draft_imports_bounds_and_refs(
    tmp_path: Path, dialect: str, definitions_key: str
) -> None:
    schema = {
        "$schema": dialect,
        "type": "object",
        "required": ["age", "code"],
        "properties": {
            "age": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 150},
            "code": {"$ref": f"#/{definitions_key}/code"},
        },
        definitions_key: {"code": {"type": "string", "minLength": 2, "maxLength": 4}},
    }
    table = _table(tmp_path, schema)
    assert table.schema_dialect == dialect
    age = table.field("age")
    assert age.type is FieldType.INTEGER
    assert (age.constraints.minimum, age.constraints.maximum) == (0, 150)
    assert age.constraints.exclusive_minimum
    assert age.constraints.exclusive_maximum
    code = table.field("code")
    assert code.type is FieldType.STRING
    assert (code.constraints.min_length, code.constraints.max_length) == (2, 4)


def test_draft04_boolean_exclusive_minimum_is_a_flag_on_minimum(tmp_path: Path) -> None:
    schema = {
        "$schema": DRAFT_04,
        "type": "object",
        "properties": {
            "price": {
                "type": "number",
                "minimum": 0,
                "exclusiveMinimum": True,
                "maximum": 10,
                "exclusiveMaximum": False,
            }
        },
    }
    price = _table(tmp_path, schema).field("price").constraints
    assert price.minimum == 0
    assert price.exclusive_minimum is True
    assert price.maximum == 10
    assert price.exclusive_maximum is False


def test_draft04_exclusive_flag_without_minimum_sets_no_bound(tmp_path: Path) -> None:
    schema = {
        "$schema": DRAFT_04,
        "type": "object",
        "properties": {"n": {"type": "number", "maximum": 5, "exclusiveMaximum": True}},
    }
    n = _table(tmp_path, schema).field("n").constraints
    assert n.minimum is None
    assert not n.exclusive_minimum
    assert n.maximum == 5
    assert n.exclusive_maximum


# ------------------------------------------------------------------ types


def test_type_list_with_null_is_a_nullable_single_type(tmp_path: Path) -> None:
    table = _table(tmp_path, _obj({"nick": {"type": ["string", "null"], "maxLength": 8}}))
    nick = table.field("nick")
    assert nick.type is FieldType.STRING
    assert nick.nullable
    assert not nick.variants
    assert nick.constraints.max_length == 8


def test_plain_type_is_not_nullable(tmp_path: Path) -> None:
    assert not _table(tmp_path, _obj({"a": {"type": "string"}})).field("a").nullable


def test_several_types_become_variants(tmp_path: Path) -> None:
    table = _table(tmp_path, _obj({"v": {"type": ["string", "integer", "null"], "minimum": 3}}))
    v = table.field("v")
    assert v.type is FieldType.ANY
    assert v.nullable
    assert sorted(x.type.value for x in v.variants) == ["integer", "string"]
    integer = next(x for x in v.variants if x.type is FieldType.INTEGER)
    assert integer.constraints.minimum == 3


def test_properties_required_and_additional_properties(tmp_path: Path) -> None:
    schema = _obj(
        {
            "id": {"type": "integer"},
            "note": {"type": "string"},
            "meta": _obj({"k": {"type": "string"}}, additionalProperties=False),
        },
        required=["id", "extra"],
        additionalProperties=False,
    )
    table = _table(tmp_path, schema)
    assert not table.bare
    assert table.additional_properties is False
    assert table.field("id").required
    assert not table.field("note").required
    # A required name without a schema of its own still becomes a column.
    assert table.field("extra").required
    assert table.field("extra").type is FieldType.ANY
    meta = table.field("meta")
    assert meta.type is FieldType.OBJECT
    assert meta.additional_properties is False
    assert [p.name for p in meta.properties] == ["k"]
    assert table.columns[:3] == ["id", "note", "meta"]


def test_additional_properties_default_to_allowed(tmp_path: Path) -> None:
    table = _table(tmp_path, _obj({"a": {"type": "string"}}))
    assert table.additional_properties is True


# ------------------------------------------------------------------ $ref


def test_local_ref_through_definitions_and_defs(tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"$ref": "#/definitions/small"},
            "b": {"$ref": "#/$defs/big"},
            "c": {"$ref": "#/$defs/alias"},
        },
        "definitions": {"small": {"type": "integer", "maximum": 9}},
        "$defs": {
            "big": {"type": "integer", "minimum": 1000},
            "alias": {"$ref": "#/definitions/small"},
        },
    }
    table = _table(tmp_path, schema)
    assert table.field("a").constraints.maximum == 9
    assert table.field("b").constraints.minimum == 1000
    assert table.field("c").type is FieldType.INTEGER
    assert table.field("c").constraints.maximum == 9


def test_self_recursive_ref_imports_in_bounded_time(tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#"}},
        },
    }
    started = time.perf_counter()
    table = _table(tmp_path, schema)
    assert time.perf_counter() - started < 5
    children = table.field("children")
    assert children.type is FieldType.ARRAY
    assert children.items is not None
    assert children.items.type is FieldType.OBJECT
    # The recursion is cut a few levels deep: the model is finite.
    depth = max(path.count("[]") for path, _ in children.walk())
    assert 1 <= depth <= 5


def test_mutually_recursive_definitions_import(tmp_path: Path) -> None:
    schema = {
        "$schema": DRAFT_07,
        "definitions": {
            "a": {"type": "object", "properties": {"b": {"$ref": "#/definitions/b"}}},
            "b": {"type": "object", "properties": {"a": {"$ref": "#/definitions/a"}}},
        },
        "type": "object",
        "properties": {"root": {"$ref": "#/definitions/a"}},
    }
    started = time.perf_counter()
    table = _table(tmp_path, schema)
    assert time.perf_counter() - started < 5
    assert table.field("root").type is FieldType.OBJECT


def test_remote_ref_on_required_property_is_an_error_naming_the_ref(tmp_path: Path) -> None:
    schema = _obj({"addr": {"$ref": "https://example.com/schemas/address.json"}}, required=["addr"])
    path = _write(tmp_path, schema)
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    message = info.value.message
    assert "https://example.com/schemas/address.json" in message
    assert "addr" in message
    assert str(path) in message


def test_remote_ref_on_optional_property_omits_it_with_a_notice(tmp_path: Path) -> None:
    schema = _obj(
        {
            "addr": {"$ref": "https://example.com/schemas/address.json"},
            "name": {"type": "string"},
        }
    )
    dataset = _load(tmp_path, schema)
    table = dataset.tables[0]
    assert table.field("addr").omit
    assert table.columns == ["name"]
    assert any("addr" in n and "example.com" in n for n in dataset.notices)


def test_dangling_local_ref_is_a_schema_error(tmp_path: Path) -> None:
    schema = _obj({"x": {"$ref": "#/$defs/nothing"}}, required=["x"])
    with pytest.raises(SchemaError, match=r"#/\$defs/nothing"):
        _load(tmp_path, schema)


# ------------------------------------------------------------------ combinators


def test_all_of_intersects_bounds(tmp_path: Path) -> None:
    schema = _obj(
        {
            "n": {
                "allOf": [
                    {"type": "integer", "minimum": 1, "maximum": 50},
                    {"minimum": 10, "maximum": 100},
                ]
            },
            "s": {"allOf": [{"type": "string", "maxLength": 10}, {"minLength": 2, "maxLength": 6}]},
        }
    )
    table = _table(tmp_path, schema)
    n = table.field("n")
    assert n.type is FieldType.INTEGER
    assert (n.constraints.minimum, n.constraints.maximum) == (10, 50)
    s = table.field("s")
    assert (s.constraints.min_length, s.constraints.max_length) == (2, 6)


def test_all_of_with_contradictory_types_names_the_field(tmp_path: Path) -> None:
    schema = _obj({"qty": {"allOf": [{"type": "integer"}, {"type": "string"}]}}, required=["qty"])
    with pytest.raises(UnsatisfiableError) as info:
        _load(tmp_path, schema)
    assert info.value.field == "qty"
    assert "qty" in info.value.message


def test_all_of_contradiction_on_optional_property_is_left_out(tmp_path: Path) -> None:
    schema = _obj({"qty": {"allOf": [{"type": "integer"}, {"type": "string"}]}})
    dataset = _load(tmp_path, schema)
    assert dataset.tables[0].field("qty").omit
    assert any("qty" in n for n in dataset.notices)


@pytest.mark.parametrize("keyword", ["anyOf", "oneOf"])
def test_any_of_and_one_of_become_variants(tmp_path: Path, keyword: str) -> None:
    schema = _obj(
        {
            "id": {
                keyword: [
                    {"type": "string", "format": "uuid"},
                    {"type": "integer", "minimum": 1},
                ]
            }
        }
    )
    f = _table(tmp_path, schema).field("id")
    assert f.type is FieldType.ANY
    assert [v.type for v in f.variants] == [FieldType.UUID, FieldType.INTEGER]
    assert f.variants[1].constraints.minimum == 1


def test_any_of_with_null_branch_is_nullable(tmp_path: Path) -> None:
    schema = _obj({"x": {"anyOf": [{"type": "string", "maxLength": 3}, {"type": "null"}]}})
    x = _table(tmp_path, schema).field("x")
    assert x.type is FieldType.STRING
    assert x.nullable
    assert x.constraints.max_length == 3


# ------------------------------------------------------------------ values


def test_enum_and_const(tmp_path: Path) -> None:
    schema = _obj(
        {
            "colour": {"enum": ["red", "green", "blue"]},
            "version": {"const": 2},
            "mixed": {"enum": ["a", 1, None]},
        }
    )
    table = _table(tmp_path, schema)
    colour = table.field("colour")
    assert colour.type is FieldType.STRING
    assert colour.constraints.enum == ("red", "green", "blue")
    version = table.field("version")
    assert version.type is FieldType.INTEGER
    assert version.constraints.has_const
    assert version.constraints.const == 2
    mixed = table.field("mixed")
    assert mixed.nullable
    assert sorted(v.type.value for v in mixed.variants) == ["integer", "string"]


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("date", FieldType.DATE),
        ("date-time", FieldType.DATETIME),
        ("time", FieldType.TIME),
        ("uuid", FieldType.UUID),
        ("email", FieldType.STRING),
    ],
)
def test_string_formats_map_to_field_types(tmp_path: Path, fmt: str, expected: FieldType) -> None:
    f = _table(tmp_path, _obj({"v": {"type": "string", "format": fmt}})).field("v")
    assert f.type is expected
    assert f.constraints.format == fmt


def test_x_unique_marks_field_unique(tmp_path: Path) -> None:
    schema = _obj({"u": {"type": "integer", "x-unique": True}, "n": {"type": "integer"}})
    table = _table(tmp_path, schema)
    assert table.field("u").unique
    assert not table.field("n").unique


def test_non_object_root_is_a_bare_table(tmp_path: Path) -> None:
    table = _table(tmp_path, {"type": "array", "items": {"type": "integer"}}, "nums.json")
    assert table.bare
    assert len(table.fields) == 1
    value = table.fields[0]
    assert value.type is FieldType.ARRAY
    assert isinstance(value.items, Field)
    assert value.items.type is FieldType.INTEGER
    assert table.name == "nums"


def test_table_is_named_after_title_else_file_stem(tmp_path: Path) -> None:
    assert _table(tmp_path, {"title": "Order Line", "type": "object"}).name == "order_line"
    assert _table(tmp_path, {"type": "object"}, "shop.items.json").name == "shop"


# ------------------------------------------------------------------ unreadable files


def test_not_json_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "type": "object",\n  "properties": {\n', encoding="utf-8")
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    message = info.value.message
    assert str(path) in message
    assert "line 4" in message
    assert "column" in message


@pytest.mark.parametrize("text", ["[1, 2, 3]", "42", '"a string"', "null"])
def test_top_level_non_object_json_is_a_clear_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "data.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    message = info.value.message
    assert str(path) in message
    assert "schema" in message.lower() or "not supported" in message.lower()


def test_binary_file_is_a_schema_error(tmp_path: Path) -> None:
    path = tmp_path / "image.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    with pytest.raises(SchemaError, match="binary"):
        load_schema(path)


def test_non_utf8_file_is_a_schema_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"title": "café", "type": "object"}'.encode("latin-1"))
    with pytest.raises(SchemaError, match="UTF-8"):
        load_schema(path)


def test_bom_prefixed_file_imports(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_obj({"a": {"type": "string"}})).encode())
    table = load_schema(path).tables[0]
    assert table.columns == ["a"]


def test_missing_file_is_a_schema_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="not found"):
        load_schema(tmp_path / "nope.json")


def test_invalid_schema_says_it_is_not_a_valid_json_schema(tmp_path: Path) -> None:
    path = _write(tmp_path, {"type": 12})
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    assert "not a valid JSON Schema" in info.value.message
    assert str(path) in info.value.message
