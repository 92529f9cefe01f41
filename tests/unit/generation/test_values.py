"""Generated values satisfy each constraint of the source schema.

Each test builds a small schema, makes rows with the null provider and checks every row with the
validation oracle — plus a direct check of the rule at hand, so a lax oracle cannot hide a bug.
"""

from __future__ import annotations

import datetime as dt
import decimal
import ipaddress
import re
import uuid
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import GenerateFn

INT_MAX = 2**31 - 1


def _obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }


# ------------------------------------------------------------------ numbers


def test_integers_respect_inclusive_bounds_and_reach_both_ends(generate: GenerateFn) -> None:
    out = generate(_obj({"n": {"type": "integer", "minimum": -3, "maximum": 3}}), rows=400)
    out.assert_all_valid()
    values = out.column("n")
    assert all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    assert set(values) == set(range(-3, 4))


def test_integers_respect_exclusive_bounds(generate: GenerateFn) -> None:
    schema = _obj({"n": {"type": "integer", "exclusiveMinimum": 10, "exclusiveMaximum": 14}})
    out = generate(schema, rows=300)
    out.assert_all_valid()
    assert set(out.column("n")) == {11, 12, 13}


def test_draft04_exclusive_flags_are_honoured(generate: GenerateFn) -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        **_obj(
            {
                "n": {
                    "type": "integer",
                    "minimum": 0,
                    "exclusiveMinimum": True,
                    "maximum": 3,
                    "exclusiveMaximum": True,
                }
            }
        ),
    }
    out = generate(schema, rows=200)
    out.assert_all_valid()
    assert set(out.column("n")) == {1, 2}


def test_integer_multiple_of_within_bounds(generate: GenerateFn) -> None:
    schema = _obj({"n": {"type": "integer", "minimum": 1, "maximum": 100, "multipleOf": 7}})
    out = generate(schema, rows=300)
    out.assert_all_valid()
    values = out.column("n")
    assert all(v % 7 == 0 and 7 <= v <= 98 for v in values)
    assert len(set(values)) > 5


def test_number_multiple_of_cents(generate: GenerateFn) -> None:
    schema = _obj({"price": {"type": "number", "minimum": 0, "maximum": 50, "multipleOf": 0.01}})
    out = generate(schema, rows=500)
    out.assert_all_valid()
    for value in out.column("price"):
        assert 0 <= value <= 50
        assert decimal.Decimal(repr(value)) % decimal.Decimal("0.01") == 0, value


def test_number_exclusive_bounds_with_cents(generate: GenerateFn) -> None:
    schema = _obj(
        {
            "x": {
                "type": "number",
                "exclusiveMinimum": 0,
                "exclusiveMaximum": 0.05,
                "multipleOf": 0.01,
            }
        }
    )
    out = generate(schema, rows=300)
    out.assert_all_valid()
    assert set(out.column("x")) == {0.01, 0.02, 0.03, 0.04}


def test_number_without_multiple_of_stays_in_a_narrow_open_interval(generate: GenerateFn) -> None:
    schema = _obj({"x": {"type": "number", "exclusiveMinimum": 0.5, "exclusiveMaximum": 0.6}})
    out = generate(schema, rows=300)
    out.assert_all_valid()
    assert all(0.5 < v < 0.6 for v in out.column("x"))


def test_semantic_ranges_never_escape_the_schema_bounds(generate: GenerateFn) -> None:
    """``age``/``price``/``latitude`` have realistic defaults, but the schema wins."""
    schema = _obj(
        {
            "age": {"type": "integer", "minimum": 0, "maximum": 10},
            "price": {"type": "number", "minimum": 20000, "maximum": 20001},
            "latitude": {"type": "number", "minimum": 10, "maximum": 11},
            "id": {"type": "integer", "minimum": 1, "maximum": INT_MAX},
        }
    )
    generate(schema, rows=300).assert_all_valid()


@pytest.mark.parametrize("name", ["score", "rating", "value"])
def test_multiple_of_without_bounds_is_met_whatever_the_name(
    generate: GenerateFn, name: str
) -> None:
    """A semantic default range (a rating is 1..5) must not make ``multipleOf 10`` impossible."""
    out = generate(_obj({name: {"type": "integer", "multipleOf": 10}}), rows=100)
    out.assert_all_valid()
    assert all(v % 10 == 0 for v in out.column(name))


# ------------------------------------------------------------------ strings


@pytest.mark.parametrize("name", ["price", "note", "city", "email"])
def test_max_length_zero_gives_empty_strings(generate: GenerateFn, name: str) -> None:
    out = generate(_obj({name: {"type": "string", "maxLength": 0}}), rows=50)
    out.assert_all_valid()
    assert set(out.column(name)) == {""}


def test_string_lengths_count_code_points(generate: GenerateFn) -> None:
    schema = _obj(
        {
            "short": {"type": "string", "minLength": 2, "maxLength": 3},
            "exact": {"type": "string", "minLength": 5, "maxLength": 5},
            "long": {"type": "string", "minLength": 60},
            "name": {"type": "string", "maxLength": 4},
            "city": {"type": "string", "minLength": 30, "maxLength": 40},
        }
    )
    out = generate(schema, rows=300)
    out.assert_all_valid()
    assert all(2 <= len(v) <= 3 for v in out.column("short"))
    assert all(len(v) == 5 for v in out.column("exact"))
    assert all(len(v) >= 60 for v in out.column("long"))
    assert all(len(v) <= 4 for v in out.column("name"))
    assert all(30 <= len(v) <= 40 for v in out.column("city"))


@pytest.mark.parametrize(
    "pattern",
    [
        r"^[A-Z]{3}-[0-9]{5}$",
        r"^(cat|dog|bird)s?$",
        r"^[a-f0-9]{8}(-[a-f0-9]{4}){3}-[a-f0-9]{12}$",
        r"^\d{2,4}[._-]\w+$",
        r"^[^@\s]+@example\.(com|org)$",
        r"ab+c",
        r"^\+?[1-9][0-9]{7,14}$",
    ],
)
def test_patterns_are_matched(generate: GenerateFn, pattern: str) -> None:
    out = generate(_obj({"code": {"type": "string", "pattern": pattern}}), rows=300)
    out.assert_all_valid()
    regex = re.compile(pattern)
    assert all(regex.search(v) for v in out.column("code"))
    assert len(set(out.column("code"))) > 1


def test_pattern_with_length_limits(generate: GenerateFn) -> None:
    schema = _obj(
        {"tag": {"type": "string", "pattern": "^[a-z]+$", "minLength": 4, "maxLength": 6}}
    )
    out = generate(schema, rows=300)
    out.assert_all_valid()
    assert all(re.fullmatch(r"[a-z]{4,6}", v) for v in out.column("tag"))


def test_alternation_reaches_every_branch(generate: GenerateFn) -> None:
    out = generate(_obj({"pet": {"type": "string", "pattern": "^(cat|dog|bird)$"}}), rows=300)
    assert set(out.column("pet")) == {"cat", "dog", "bird"}


def _is_date(v: str) -> bool:
    return dt.date.fromisoformat(v).isoformat() == v


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("email", lambda v: re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", v) is not None),
        ("uri", lambda v: re.match(r"[a-z][a-z0-9+.-]*:", v) is not None),
        ("date", _is_date),
        ("date-time", lambda v: dt.datetime.fromisoformat(v.replace("Z", "+00:00")) is not None),
        ("time", lambda v: re.fullmatch(r"\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", v) is not None),
        ("uuid", lambda v: str(uuid.UUID(v)) == v),
        ("ipv4", lambda v: ipaddress.IPv4Address(v) is not None),
        ("ipv6", lambda v: ipaddress.IPv6Address(v) is not None),
        ("hostname", lambda v: re.fullmatch(r"[A-Za-z0-9.-]+", v) is not None and len(v) <= 253),
    ],
)
def test_formats_produce_conforming_strings(generate: GenerateFn, fmt: str, check: Any) -> None:
    out = generate(_obj({"value": {"type": "string", "format": fmt}}), rows=200)
    out.assert_all_valid()
    values = out.column("value")
    assert all(isinstance(v, str) and check(v) for v in values)
    assert len(set(values)) > 20


def test_format_with_short_max_length(generate: GenerateFn) -> None:
    schema = _obj({"contact": {"type": "string", "format": "email", "maxLength": 20}})
    out = generate(schema, rows=200)
    out.assert_all_valid()
    assert all(len(v) <= 20 and "@" in v for v in out.column("contact"))


# ------------------------------------------------------------------ enums, const, booleans


def test_enum_const_and_boolean(generate: GenerateFn) -> None:
    schema = _obj(
        {
            "colour": {"enum": ["red", "green", "blue"]},
            "level": {"type": "integer", "enum": [1, 2, 3]},
            "kind": {"const": "fixed"},
            "flag": {"type": "boolean"},
            "any_enum": {"enum": ["x", 1, None, True]},
        }
    )
    out = generate(schema, rows=300)
    out.assert_all_valid()
    assert set(out.column("colour")) == {"red", "green", "blue"}
    assert set(out.column("level")) == {1, 2, 3}
    assert set(out.column("kind")) == {"fixed"}
    assert set(out.column("flag")) == {True, False}
    assert all(v in ("x", 1, None, True) for v in out.column("any_enum"))


def test_not_enum_values_are_avoided(generate: GenerateFn) -> None:
    schema = _obj({"s": {"type": "string", "enum": ["a", "b", "c"], "not": {"enum": ["b"]}}})
    out = generate(schema, rows=200)
    out.assert_all_valid()
    assert set(out.column("s")) == {"a", "c"}


# ------------------------------------------------------------------ arrays


def test_arrays_respect_item_counts_and_unique_items(generate: GenerateFn) -> None:
    schema = _obj(
        {
            "tags": {
                "type": "array",
                "items": {"type": "string", "maxLength": 8},
                "minItems": 2,
                "maxItems": 4,
                "uniqueItems": True,
            },
            "empty_ok": {"type": "array", "items": {"type": "integer"}, "maxItems": 0},
            "few": {"type": "array", "items": {"type": "boolean"}, "minItems": 1, "maxItems": 2},
        }
    )
    out = generate(schema, rows=300)
    out.assert_all_valid()
    assert all(2 <= len(t) <= 4 and len(set(t)) == len(t) for t in out.column("tags"))
    assert {len(t) for t in out.column("tags")} == {2, 3, 4}
    assert all(e == [] for e in out.column("empty_ok"))
    assert {len(f) for f in out.column("few")} == {1, 2}


def test_unique_items_using_every_item_value(generate: GenerateFn) -> None:
    """``minItems`` equal to the number of distinct items: every array holds each value once."""
    schema = _obj(
        {
            "digits": {
                "type": "array",
                "items": {"type": "integer", "minimum": 0, "maximum": 3},
                "minItems": 4,
                "maxItems": 4,
                "uniqueItems": True,
            },
            "sizes": {
                "type": "array",
                "items": {"enum": ["S", "M", "L"]},
                "minItems": 3,
                "uniqueItems": True,
            },
        }
    )
    out = generate(schema, rows=300)
    out.assert_all_valid()
    assert all(sorted(d) == [0, 1, 2, 3] for d in out.column("digits"))
    assert all(sorted(s) == ["L", "M", "S"] for s in out.column("sizes"))


def test_prefix_items_and_contains(generate: GenerateFn) -> None:
    schema = _obj(
        {
            "point": {
                "type": "array",
                "prefixItems": [
                    {"type": "number", "minimum": -90, "maximum": 90},
                    {"type": "number", "minimum": -180, "maximum": 180},
                    {"type": "string", "enum": ["N", "S"]},
                ],
                "items": False,
                "minItems": 2,
            },
            "lucky": {
                "type": "array",
                "items": {"type": "integer", "minimum": 0, "maximum": 100},
                "contains": {"const": 7},
                "maxItems": 3,
            },
        }
    )
    out = generate(schema, rows=300)
    out.assert_all_valid()
    assert all(2 <= len(p) <= 3 for p in out.column("point"))
    assert all(7 in v for v in out.column("lucky"))


def test_draft07_tuple_items(generate: GenerateFn) -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        **_obj(
            {
                "pair": {
                    "type": "array",
                    "items": [{"type": "integer"}, {"type": "boolean"}],
                    "additionalItems": False,
                    "minItems": 2,
                }
            }
        ),
    }
    out = generate(schema, rows=200)
    out.assert_all_valid()
    assert all(isinstance(a, int) and isinstance(b, bool) for a, b in out.column("pair"))


def test_root_array_rows_are_bare_lists(generate: GenerateFn) -> None:
    schema = {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 9}}
    out = generate(schema, rows=100)
    out.assert_all_valid()
    assert out.table.bare
    assert all(isinstance(r, list) for r in out.rows)


# ------------------------------------------------------------------ objects and unions


def test_nested_objects_keep_required_and_additional_properties(generate: GenerateFn) -> None:
    schema = _obj(
        {
            "address": {
                "type": "object",
                "additionalProperties": False,
                "required": ["street", "zip"],
                "properties": {
                    "street": {"type": "string", "minLength": 1, "maxLength": 40},
                    "zip": {"type": "string", "pattern": "^[0-9]{5}$"},
                    "geo": _obj(
                        {
                            "lat": {"type": "number", "minimum": -90, "maximum": 90},
                            "lng": {"type": "number", "minimum": -180, "maximum": 180},
                        }
                    ),
                },
            }
        }
    )
    out = generate(schema, rows=300)
    out.assert_all_valid()
    addresses = out.column("address")
    assert all({"street", "zip"} <= set(a) <= {"street", "zip", "geo"} for a in addresses)
    # Optional nested properties are sometimes present, sometimes not.
    assert 0 < sum("geo" in a for a in addresses) < len(addresses)


@pytest.mark.parametrize("keyword", ["anyOf", "oneOf"])
def test_unions_use_each_branch(generate: GenerateFn, keyword: str) -> None:
    schema = _obj(
        {
            "ref": {
                keyword: [
                    {"type": "string", "format": "uuid"},
                    {"type": "integer", "minimum": 1, "maximum": 999},
                    {"type": "object", "required": ["code"], "properties": {"code": {"const": 1}}},
                ]
            }
        }
    )
    out = generate(schema, rows=300)
    out.assert_all_valid()
    kinds = {type(v).__name__ for v in out.column("ref")}
    assert kinds == {"str", "int", "dict"}


def test_one_of_with_overlapping_branches_stays_exclusive(generate: GenerateFn) -> None:
    schema = _obj(
        {
            "n": {
                "oneOf": [
                    {"type": "integer", "minimum": 0, "maximum": 10},
                    {"type": "integer", "minimum": 5, "maximum": 20},
                ]
            }
        }
    )
    out = generate(schema, rows=300)
    out.assert_all_valid()
    assert not any(5 <= v <= 10 for v in out.column("n"))


def test_all_of_and_ref_merge_into_valid_values(generate: GenerateFn) -> None:
    schema = {
        "$defs": {"base": {"type": "integer", "minimum": 0, "maximum": 1000}},
        **_obj(
            {
                "n": {"allOf": [{"$ref": "#/$defs/base"}, {"minimum": 500, "multipleOf": 5}]},
                "s": {"$ref": "#/$defs/base", "maximum": 3},
            }
        ),
    }
    out = generate(schema, rows=300)
    out.assert_all_valid()
    assert all(500 <= v <= 1000 and v % 5 == 0 for v in out.column("n"))
    assert all(0 <= v <= 3 for v in out.column("s"))


def test_recursive_tree_rows_are_valid(generate: GenerateFn) -> None:
    schema = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "maxLength": 20},
            "children": {"type": "array", "items": {"$ref": "#"}, "maxItems": 3},
        },
    }
    generate(schema, rows=200).assert_all_valid()
