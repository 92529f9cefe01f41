"""The compiled column checks agree with the jsonschema oracle (they must never be laxer)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
