"""The oracle guarantee of the case design: accept rows validate, reject rows fail for the
labelled field and rule — on schemas covering every supported keyword and on random schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tdgen_desktop.api import Case, generate_cases
from tdgen_desktop.core.enums import CaseKind
from tdgen_desktop.core.validation import Oracle
from tdgen_desktop.generation.cases import validator_keywords

KEYWORDS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "everything",
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "age", "price", "name", "code", "email", "status", "flag", "born", "tags"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "x-unique": True},
        "age": {"type": "integer", "minimum": 0, "maximum": 120},
        "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "price": {"type": "number", "minimum": 0, "maximum": 1000, "multipleOf": 0.01},
        "step": {"type": "integer", "multipleOf": 5, "minimum": 0, "maximum": 100},
        "name": {"type": "string", "minLength": 2, "maxLength": 12},
        "code": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
        "email": {"type": "string", "format": "email", "maxLength": 80},
        "site": {"type": "string", "format": "uri"},
        "uid": {"type": "string", "format": "uuid"},
        "ip": {"type": "string", "format": "ipv4"},
        "status": {"enum": ["new", "active", "closed"]},
        "kind": {"const": "customer"},
        "flag": {"type": "boolean"},
        "note": {"type": ["string", "null"], "maxLength": 30},
        "born": {"type": "string", "format": "date"},
        "seen": {"type": "string", "format": "date-time"},
        "at": {"type": "string", "format": "time"},
        "color": {"type": "string", "not": {"enum": ["red"]}},
        "tags": {
            "type": "array",
            "items": {"type": "string", "maxLength": 8},
            "minItems": 1,
            "maxItems": 4,
            "uniqueItems": True,
        },
        "address": {
            "type": "object",
            "required": ["city"],
            "properties": {
                "city": {"type": "string", "minLength": 1, "maxLength": 40},
                "zip": {"type": "string", "pattern": "^[0-9]{5}$"},
            },
        },
    },
}


def _write(tmp_path: Path, schema: dict[str, Any], name: str = "schema.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(schema), encoding="utf-8")
    return path


def assert_oracle_guarantee(schema: dict[str, Any], cases: list[Case]) -> None:
    """Accept rows validate; each reject row fails, for its labelled field and rule."""
    oracle = Oracle(schema)
    problems = []
    for case in cases:
        errors = oracle.errors(case.row)
        if case.accept:
            if errors:
                problems.append((case.id, "accept row rejected", errors[0].message))
            continue
        if case.label.rule == "unique":
            continue  # cross-row rule: checked separately
        field_path = (case.label.field or "").split(".") if case.label.field else []
        rule = case.label.rule or ""
        expected = field_path[:-1] if rule in {"required", "additionalProperties"} else field_path
        hits = [
            e
            for e in errors
            if e.validator in validator_keywords(rule) and list(e.absolute_path) == expected
        ]
        if not hits:
            got = [(list(e.absolute_path), e.validator) for e in errors]
            problems.append((case.id, "not rejected for its rule", got))
    assert not problems, problems[:5]


def test_every_keyword_gets_labelled_cases_that_keep_their_promise(tmp_path: Path) -> None:
    cases = generate_cases(_write(tmp_path, KEYWORDS_SCHEMA), rows=5, seed=3)
    assert_oracle_guarantee(KEYWORDS_SCHEMA, cases)
    covered = {(c.label.field, c.label.rule, c.label.case) for c in cases}
    for field, rule in [
        ("age", "minimum"),
        ("age", "maximum"),
        ("ratio", "exclusiveMinimum"),
        ("price", "multipleOf"),
        ("step", "multipleOf"),
        ("name", "minLength"),
        ("name", "maxLength"),
        ("code", "pattern"),
        ("email", "format"),
        ("uid", "format"),
        ("status", "enum"),
        ("kind", "const"),
        ("flag", "type"),
        ("id", "required"),
        ("id", "null"),
        ("color", "not"),
        ("tags", "maxItems"),
        ("tags", "uniqueItems"),
        ("id", "unique"),
        ("address.city", "maxLength"),
        ("address.zip", "pattern"),
        (None, "additionalProperties"),
    ]:
        assert (field, rule, CaseKind.INVALID) in covered, (field, rule)
    for field, rule in [
        ("age", "minimum"),
        ("age", "maximum"),
        ("name", "maxLength"),
        ("status", "enum"),
        ("flag", "boolean"),
        ("note", "null"),
        ("born", "date-edge"),
        ("name", "unicode"),
        ("note", "empty"),
    ]:
        assert (field, rule, CaseKind.BOUNDARY) in covered, (field, rule)


def test_boundary_values_sit_exactly_on_the_edges(tmp_path: Path) -> None:
    cases = generate_cases(_write(tmp_path, KEYWORDS_SCHEMA), kinds="boundary", rows=0, seed=1)
    by = {}
    for c in cases:
        by.setdefault((c.label.field, c.label.rule), []).append(c.row)
    ages = sorted(r["age"] for r in by[("age", "minimum")] + by[("age", "maximum")])
    assert ages == [0, 1, 119, 120]
    names = sorted(len(r["name"]) for r in by[("name", "minLength")] + by[("name", "maxLength")])
    assert names == [2, 12]
    statuses = sorted(r["status"] for r in by[("status", "enum")])
    assert statuses == ["active", "closed", "new"]
    assert all(0 < r["ratio"] < 1 for r in by[("ratio", "exclusiveMinimum")])


def test_the_unique_case_repeats_a_valid_rows_value(tmp_path: Path) -> None:
    cases = generate_cases(_write(tmp_path, KEYWORDS_SCHEMA), rows=4, seed=2)
    first = cases[0].row["id"]
    dup = [c for c in cases if c.label.rule == "unique"]
    assert [c.row["id"] for c in dup] == [first]
    assert dup[0].label.description.startswith(f"id = {first}")


def test_a_field_that_admits_anything_is_uncoverable_not_an_error(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"anything": {}, "n": {"type": "integer"}}}
    cases = generate_cases(_write(tmp_path, schema), rows=2)
    assert not any(c.label.field == "anything" and not c.accept for c in cases)
    assert any(c.label.field == "n" and c.label.rule == "type" for c in cases)


def test_same_seed_same_cases(tmp_path: Path) -> None:
    path = _write(tmp_path, KEYWORDS_SCHEMA)
    first = [(c.row, c.label) for c in generate_cases(path, rows=3, seed=9)]
    again = [(c.row, c.label) for c in generate_cases(path, rows=3, seed=9)]
    assert first == again


CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "jsonschema"


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.json")), ids=lambda p: p.name)
def test_corpus_cases_keep_the_oracle_guarantee(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    cases = generate_cases(path, rows=2, seed=1, max_cases=40)
    assert_oracle_guarantee(schema, cases)


# ------------------------------------------------------------------ property test

_bounds = st.tuples(st.integers(-50, 50), st.integers(0, 60)).map(lambda t: (t[0], t[0] + t[1]))


@st.composite
def _field_schema(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["int", "num", "str", "enum", "bool", "pattern", "array"]))
    if kind == "int":
        low, high = draw(_bounds)
        out: dict[str, Any] = {"type": "integer", "minimum": low, "maximum": high}
        if draw(st.booleans()):
            out["multipleOf"] = draw(st.sampled_from([1, 2, 5]))
            out["maximum"] = high + 10
    elif kind == "num":
        low, high = draw(_bounds)
        out = {
            "type": "number",
            draw(st.sampled_from(["minimum", "exclusiveMinimum"])): low,
            "maximum": high + 1,
        }
    elif kind == "str":
        low = draw(st.integers(0, 5))
        out = {"type": "string", "minLength": low, "maxLength": low + draw(st.integers(0, 10))}
    elif kind == "enum":
        out = {
            "enum": draw(
                st.lists(
                    st.sampled_from(["a", "b", "c", 1, 2]), min_size=1, max_size=4, unique=True
                )
            )
        }
    elif kind == "bool":
        out = {"type": "boolean"}
    elif kind == "pattern":
        out = {
            "type": "string",
            "pattern": draw(st.sampled_from(["^[a-z]{2,4}$", "^[0-9]{3}-[A-Z]$"])),
        }
    else:
        out = {
            "type": "array",
            "items": {"type": "integer", "minimum": 0},
            "maxItems": draw(st.integers(1, 4)),
        }
    if draw(st.booleans()) and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    fields=st.dictionaries(
        st.sampled_from(list("abcdefg")), _field_schema(), min_size=1, max_size=4
    ),
    required=st.booleans(),
    closed=st.booleans(),
)
def test_random_schemas_keep_the_oracle_guarantee(
    tmp_path: Path, fields: dict[str, Any], required: bool, closed: bool
) -> None:
    schema = {"type": "object", "properties": fields, "additionalProperties": not closed}
    if required:
        schema["required"] = sorted(fields)
    path = _write(tmp_path, schema, "random.json")
    assert_oracle_guarantee(schema, generate_cases(path, rows=2, seed=0))
