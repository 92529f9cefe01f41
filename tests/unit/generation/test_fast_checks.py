"""The compiled column checks agree with the jsonschema oracle (they must never be laxer)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tdgen_desktop.core.model import MISSING
from tdgen_desktop.core.validation import Oracle
from tdgen_desktop.generation.checks import compile_table_check
from tdgen_desktop.importers import load_schema

FIELDS: dict[str, Any] = {
    "n": {"type": "integer", "minimum": 1, "maximum": 9},
    "x": {"type": "number", "exclusiveMinimum": 0, "maximum": 5, "multipleOf": 0.25},
    "s": {"type": "string", "minLength": 2, "maxLength": 4, "pattern": "^[a-z]+$"},
    "e": {"enum": ["a", "b", "c"]},
    "d": {"type": "string", "format": "date"},
    "b": {"type": ["boolean", "null"]},
    "m": {"type": "string", "format": "email"},
}
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 12),
    st.floats(-1, 6, allow_nan=False),
    st.sampled_from(
        [
            0.25,
            0.3,
            4.75,
            5.0,
            "ab",
            "abcde",
            "AB",
            "a",
            "b",
            "2024-02-29",
            "2023-02-30",
            "x@y.z",
            "nope",
            1,
            "1",
        ]
    ),
    st.text(max_size=6),
)


def _table(tmp_path: Path) -> Any:
    schema = {"type": "object", "required": list(FIELDS), "properties": FIELDS}
    path = tmp_path / "fast.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    return schema, load_schema(path).tables[0]


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(name=st.sampled_from(sorted(FIELDS)), value=VALUES)
def test_fast_check_agrees_with_the_oracle(tmp_path: Path, name: str, value: Any) -> None:
    schema, table = _table(tmp_path)
    check = compile_table_check(table)
    assert check is not None
    valid_row = {"n": 3, "x": 0.5, "s": "abc", "e": "a", "d": "2024-01-31", "b": None, "m": "a@b.c"}
    assert Oracle(schema).is_valid(valid_row)
    row = dict(valid_row, **{name: value})
    columns = list(valid_row)
    flagged = check(columns, [tuple(row[c] for c in columns)])
    assert (flagged == []) == Oracle(schema).is_valid(row), (name, value)


def test_missing_required_and_nested_tables(tmp_path: Path) -> None:
    _schema, table = _table(tmp_path)
    check = compile_table_check(table)
    assert check is not None
    columns = [f.name for f in table.fields]
    row = tuple(
        MISSING
        if c == "n"
        else {"n": 3, "x": 0.5, "s": "abc", "e": "a", "d": "2024-01-31", "b": None, "m": "a@b.c"}[c]
        for c in columns
    )
    assert check(columns, [row]) == [0]
    nested = tmp_path / "nested.json"
    nested.write_text(json.dumps({"type": "object", "properties": {"o": {"type": "object"}}}))
    assert compile_table_check(load_schema(nested).tables[0]) is None


# ------------------------------------------------------------------ the compiled shortcuts

_FORMATS = ("date", "date-time", "time", "uuid", "email", "ipv4")
_TEXT = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}[Zz]", fullmatch=True),
    st.from_regex(
        r"[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})", fullmatch=True
    ),
    st.uuids().map(str),
    st.uuids().map(lambda u: str(u).upper()),
    st.sampled_from(["0000-01-01", "2023-02-29", "2024-02-29", "2024-04-31", "2024-01-28"]),
)


@settings(max_examples=600, deadline=None, derandomize=True)
@given(fmt=st.sampled_from(_FORMATS), value=_TEXT)
def test_format_predicates_equal_jsonschema(fmt: str, value: str) -> None:
    import jsonschema  # noqa: PLC0415

    from tdgen_desktop.generation.checks import format_predicate  # noqa: PLC0415

    predicate = format_predicate(fmt)
    assert predicate is not None
    expected = jsonschema.Draft202012Validator.FORMAT_CHECKER.conforms(value, fmt)
    assert predicate(value) is expected, (fmt, value)
    assert predicate(value) is expected, (fmt, value)  # the second answer comes from the memo


@pytest.mark.parametrize(
    ("fmt", "pattern"),
    [
        ("date", r"[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"),
        (
            "date-time",
            r"[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T[01][0-9]:[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]2[0-3]:[0-5][0-9])",
        ),
        ("time", r"2[0-3]:[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|-0[0-9]:[0-5][0-9])"),
    ],
)
def test_the_shortcut_shapes_only_admit_conforming_values(fmt: str, pattern: str) -> None:
    """Every value of the shortcut's shape conforms (hypothesis builds them from the shape)."""
    import jsonschema  # noqa: PLC0415

    from tdgen_desktop.generation.checks import _SUFFICIENT  # noqa: PLC0415

    conforms = jsonschema.Draft202012Validator.FORMAT_CHECKER.conforms

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(value=st.from_regex(_SUFFICIENT[fmt], fullmatch=True))
    def shortcut_implies_format(value: str) -> None:
        assert conforms(value, fmt), value

    shortcut_implies_format()
    assert _SUFFICIENT[fmt].fullmatch(pattern.replace("(", "").replace(")", "")) is None


@settings(max_examples=500, deadline=None, derandomize=True)
@given(
    step=st.sampled_from([0.01, 0.1, 0.001, 0.05, 0.25, 1, 3, 2.5]),
    value=st.one_of(
        st.floats(-1e6, 1e6, allow_nan=False),
        st.integers(-(10**6), 10**6),
        st.decimals(-10000, 10000, places=3, allow_nan=False).map(float),
        st.decimals(-1000, 1000, places=2, allow_nan=False).map(float),
        st.sampled_from([1e-05, 1e-7, 12345.67, 0.3, 5e20]),
    ),
)
def test_multiple_of_check_is_exact_decimal_arithmetic(step: float, value: float) -> None:
    from decimal import Decimal  # noqa: PLC0415

    from tdgen_desktop.generation.checks import _multiple_check  # noqa: PLC0415

    expected = Decimal(repr(value)) % Decimal(repr(step)) == 0
    assert _multiple_check(step)(value) is expected, (step, value)


def test_compiled_columns_flag_exactly_the_bad_rows(tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "required": ["id", "when", "code", "cents"],
        "properties": {
            "id": {"type": "integer", "minimum": 1},
            "when": {"type": "string", "format": "date-time"},
            "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "cents": {"type": "number", "minimum": 0, "multipleOf": 0.01},
            "note": {"type": ["string", "null"], "maxLength": 3},
            "kind": {"type": "string", "enum": ["a", "b"]},
            "level": {"type": "integer", "enum": [1, 2]},
        },
    }
    path = tmp_path / "cols.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    table = load_schema(path).tables[0]
    check = compile_table_check(table)
    assert check is not None
    columns = [f.name for f in table.fields]
    good = {"id": 1, "when": "2024-02-29T23:59:59Z", "code": "ABC", "cents": 1.5}
    good |= {"note": None, "kind": "a", "level": 2}
    bad_values = {
        "id": [0, True, "1", MISSING],
        "when": ["2023-02-29T00:00:00Z", "2024-01-01", None],
        "code": ["abc", "ABCD"],
        "cents": [0.001, -0.01, False],
        "note": ["long", 3],
        "kind": ["c", 1, False],
        "level": [True, 3, "1"],
    }
    rows: list[tuple[Any, ...]] = [tuple(good.get(c, MISSING) for c in columns)]
    expected = []
    for name, values in bad_values.items():
        for value in values:
            expected.append(len(rows))
            rows.append(tuple(value if c == name else good.get(c, MISSING) for c in columns))
    rows.append(tuple(MISSING if c in {"note", "kind", "level"} else good[c] for c in columns))
    rows.append(tuple(1.0 if c == "level" else good[c] for c in columns))
    assert check(columns, rows) == expected
    oracle = Oracle(schema)
    for i, row in enumerate(rows):
        instance = {k: v for k, v in zip(columns, row, strict=True) if v is not MISSING}
        assert oracle.is_valid(instance) is (i not in expected), (i, instance)


_COLUMN_FIELDS: dict[str, Any] = {
    **FIELDS,
    "cents": {"type": "number", "minimum": 0, "maximum": 100, "multipleOf": 0.01},
    "whole": {"type": "number", "exclusiveMaximum": 10, "multipleOf": 1},
    "five": {"type": "integer", "multipleOf": 5},
    "when": {"type": "string", "format": "date-time"},
    "id": {"type": "string", "format": "uuid"},
    "pick": {"type": ["string", "null"], "enum": ["a", "b", None]},
}
_COLUMN_VALUES = st.one_of(
    VALUES,
    st.sampled_from(
        [
            12.34,
            12.345,
            1e-05,
            10**400,
            float("inf"),
            float("nan"),
            9.99,
            10.0,
            "2024-02-29T10:00:00Z",
            "2023-02-29T10:00:00Z",
            "2024-02-28T10:00:00z",
            "0b0f4d3c-9a8e-4c1e-8f3a-3f5d1e2c4b6a",
            "0B0F4D3C-9A8E-4C1E-8F3A-3F5D1E2C4B6A",
            MISSING,
        ]
    ),
)


@settings(max_examples=800, deadline=None, derandomize=True)
@given(
    name=st.sampled_from(sorted(_COLUMN_FIELDS)),
    values=st.lists(_COLUMN_VALUES, min_size=1, max_size=6),
    optional=st.booleans(),
)
def test_whole_column_shortcut_is_never_laxer(
    tmp_path_factory: pytest.TempPathFactory, name: str, values: list[Any], optional: bool
) -> None:
    from tdgen_desktop.generation.checks import _column_accept, compile_field_check  # noqa: PLC0415

    schema = {
        "type": "object",
        "required": [] if optional else [name],
        "properties": {name: _COLUMN_FIELDS[name]},
    }
    path = tmp_path_factory.mktemp("col") / "col.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    field = load_schema(path).tables[0].fields[0]
    accept = _column_accept(field)
    each = compile_field_check(field)
    assert each is not None
    oracle = Oracle(schema)
    if accept is not None and accept(values):
        for value in values:
            assert each(value), (name, value)
            assert oracle.is_valid({} if value is MISSING else {name: value}), (name, value)
    column = compile_table_check(load_schema(path).tables[0])
    assert column is not None
    flagged = column([name], [(v,) for v in values])
    assert flagged == [i for i, v in enumerate(values) if not each(v)]
