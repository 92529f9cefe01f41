"""The core: error messages, option parsing, the model's helpers and the validation oracle."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tdgen_desktop.core import (
    MISSING,
    CancelledError,
    CaseKind,
    Constraints,
    ExportError,
    ExportFormat,
    Field,
    FieldType,
    Priority,
    SchemaError,
    Table,
    TdgenError,
    UnsatisfiableError,
    UnsupportedFeatureError,
    UsageError,
)
from tdgen_desktop.core.validation import Oracle

# ------------------------------------------------------------------ errors


def test_error_message_names_file_field_and_problem() -> None:
    error = SchemaError("bad thing", file="shop.json", field="order.total")
    assert error.message == "shop.json: field 'order.total': bad thing"
    assert str(error) == error.message
    assert error.problem == "bad thing"


def test_with_context_fills_only_what_is_unknown() -> None:
    error = UnsatisfiableError("no value", field="inner")
    error.with_context(file="a.json", field="outer")
    assert error.field == "inner"
    assert error.file == "a.json"
    assert str(error) == "a.json: field 'inner': no value"


@pytest.mark.parametrize(
    ("error", "builtin"),
    [
        (SchemaError("x"), ValueError),
        (UnsupportedFeatureError("x"), SchemaError),
        (UnsatisfiableError("x"), ValueError),
        (UsageError("x"), ValueError),
        (ExportError("x"), OSError),
        (CancelledError(), TdgenError),
    ],
)
def test_errors_also_inherit_the_matching_builtin(error: TdgenError, builtin: type) -> None:
    assert isinstance(error, TdgenError)
    assert isinstance(error, builtin)


def test_cancelled_error_has_a_message() -> None:
    assert CancelledError().message == "cancelled"


# ------------------------------------------------------------------ enums


def test_parse_accepts_any_case_and_spaces() -> None:
    assert ExportFormat.parse(" JSONL ") is ExportFormat.JSONL
    assert CaseKind.parse("Boundary") is CaseKind.BOUNDARY


def test_parse_lists_the_valid_choices() -> None:
    with pytest.raises(UsageError) as info:
        Priority.parse("urgent", option="--priority")
    assert info.value.message == "--priority: 'urgent' is not one of high, normal, low"


# ------------------------------------------------------------------ model


def test_missing_is_a_falsy_singleton() -> None:
    assert not MISSING
    assert repr(MISSING) == "MISSING"
    assert type(MISSING)() is MISSING


def test_table_columns_skip_omitted_fields_and_lookup_by_name() -> None:
    table = Table(
        name="t",
        fields=[Field("a"), Field("b", omit=True, required=False), Field("c", FieldType.INTEGER)],
    )
    assert table.columns == ["a", "c"]
    assert table.field("c").type is FieldType.INTEGER
    with pytest.raises(KeyError):
        table.field("zzz")


def test_field_walk_yields_dotted_paths() -> None:
    root = Field(
        "order",
        FieldType.OBJECT,
        properties=[
            Field("id", FieldType.INTEGER),
            Field("lines", FieldType.ARRAY, items=Field("item", FieldType.OBJECT)),
        ],
    )
    assert [path for path, _ in root.walk()] == [
        "order",
        "order.id",
        "order.lines",
        "order.lines[].item",
    ]


def test_field_kind_prefers_the_users_override() -> None:
    field = Field("contact", semantic="email")
    assert field.kind == "email"
    field.generator = "phone"
    assert field.kind == "phone"


def test_constraints_describe() -> None:
    c = Constraints(minimum=1, maximum=120, exclusive_maximum=True, min_length=None)
    assert c.describe() == "1 ≤ x < 120"
    assert "len 1..50" in Constraints(min_length=1, max_length=50).describe()
    assert "(7)" in Constraints(enum=tuple("abcdefg")).describe()


# ------------------------------------------------------------------ oracle


def test_oracle_multiple_of_uses_decimal_arithmetic() -> None:
    oracle = Oracle({"type": "number", "multipleOf": 0.01})
    assert oracle.is_valid(0.07)
    assert oracle.is_valid(19.99)
    assert oracle.is_valid(3)
    assert not oracle.is_valid(0.075)


def test_oracle_asserts_formats() -> None:
    assert not Oracle({"type": "string", "format": "email"}).is_valid("not an address")
    assert not Oracle({"type": "string", "format": "date"}).is_valid("2026-02-30")
    assert Oracle({"type": "string", "format": "date"}).is_valid("2024-02-29")
    assert not Oracle({"type": "string", "format": "uuid"}).is_valid("1234")


def test_oracle_follows_the_schema_dialect() -> None:
    draft4 = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "number",
        "minimum": 0,
        "exclusiveMinimum": True,
    }
    oracle = Oracle(draft4)
    assert not oracle.is_valid(0)
    assert oracle.is_valid(0.5)


def test_oracle_resolves_local_refs_and_reports_errors() -> None:
    schema = {
        "$defs": {"code": {"type": "string", "pattern": "^[A-Z]{2}$"}},
        "type": "object",
        "properties": {"c": {"$ref": "#/$defs/code"}},
    }
    oracle = Oracle(schema)
    assert oracle.is_valid({"c": "AB"})
    assert oracle.first_error({"c": "AB"}) is None
    error = oracle.first_error({"c": "abc"})
    assert error is not None
    assert list(error.absolute_path) == ["c"]
    assert len(oracle.errors({"c": 1})) == 1


def test_an_oracle_loads_jsonschema_only_when_it_first_validates() -> None:
    # jsonschema and its format checkers cost ~0.2 s to import: a job that never needs the
    # oracle (no row flagged by the compiled checks, a SQL or sample source) never pays it.
    code = (
        "import sys\n"
        "from tdgen_desktop.core.validation import Oracle\n"
        "oracle = Oracle({'type': 'string', 'format': 'date'})\n"
        "print('jsonschema' in sys.modules)\n"
        "print(oracle.is_valid('2026-02-30'), 'jsonschema' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert done.stdout.split() == ["False", "False", "True"]
