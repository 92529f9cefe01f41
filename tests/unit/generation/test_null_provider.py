"""The null provider as a user sees it: valid, realistic, reproducible rows.

Null shares, uniqueness over thousands of rows, seeded determinism, and the links between
columns (e-mail from the name, end after start, city from the country, birth dates).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

import pytest

from tdgen_desktop.core import Table, TdgenError
from tdgen_desktop.generation.pools import Pools
from tdgen_desktop.generation.values import REFERENCE_DATE

if TYPE_CHECKING:
    from conftest import GenerateFn

BENCH_LIKE: dict[str, Any] = {
    "type": "object",
    "title": "customer",
    "additionalProperties": False,
    "required": [
        "id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "birth_date",
        "country",
        "city",
        "postal_code",
        "balance",
        "order_code",
    ],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "maximum": 2147483647, "x-unique": True},
        "first_name": {"type": "string", "minLength": 1, "maxLength": 50},
        "middle_name": {"type": ["string", "null"], "minLength": 1, "maxLength": 50},
        "last_name": {"type": "string", "minLength": 1, "maxLength": 50},
        "email": {"type": "string", "format": "email", "maxLength": 254},
        "phone": {"type": "string", "minLength": 7, "maxLength": 30},
        "birth_date": {"type": "string", "format": "date"},
        "country": {"type": "string", "enum": ["US", "DE", "FR"]},
        "city": {"type": "string", "minLength": 1, "maxLength": 60},
        "postal_code": {"type": "string", "minLength": 1, "maxLength": 12},
        "balance": {"type": "number", "minimum": 0, "maximum": 100000, "multipleOf": 0.01},
        "order_code": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{5}$"},
    },
}


PLAIN: dict[str, Any] = {
    **BENCH_LIKE,
    "required": [n for n in BENCH_LIKE["required"] if n != "country"],
    "properties": {k: v for k, v in BENCH_LIKE["properties"].items() if k != "country"},
}
"""Like the bench schema without a country column (one locale: quicker to set up)."""


def _set_null_ratio(name: str, ratio: float) -> Any:
    def edit(table: Table) -> None:
        table.field(name).null_ratio = ratio

    return edit


# ------------------------------------------------------------------ nulls


@pytest.mark.parametrize("ratio", [0.1, 0.3, 0.75])
def test_nullable_field_gets_about_the_configured_null_share(
    generate: GenerateFn, ratio: float
) -> None:
    schema = {
        "type": "object",
        "required": ["note"],
        "properties": {"note": {"type": ["string", "null"], "maxLength": 20}},
    }
    out = generate(schema, rows=2000, edit=_set_null_ratio("note", ratio))
    out.assert_all_valid()
    share = sum(v is None for v in out.column("note")) / 2000
    assert abs(share - ratio) < 0.04, share


def test_default_null_share_is_about_ten_percent(generate: GenerateFn) -> None:
    schema = {
        "type": "object",
        "required": ["n"],
        "properties": {"n": {"type": ["integer", "null"]}},
    }
    out = generate(schema, rows=2000)
    share = sum(v is None for v in out.column("n")) / 2000
    assert 0.06 < share < 0.14, share


def test_null_ratio_zero_gives_no_nulls(generate: GenerateFn) -> None:
    schema = {
        "type": "object",
        "required": ["note", "when"],
        "properties": {
            "note": {"type": ["string", "null"]},
            "when": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
        },
    }

    def edit(table: Table) -> None:
        for f in table.fields:
            f.null_ratio = 0.0

    out = generate(schema, rows=2000, edit=edit)
    out.assert_all_valid()
    assert None not in out.column("note")
    assert None not in out.column("when")


def test_non_nullable_fields_never_get_null(generate: GenerateFn) -> None:
    out = generate(BENCH_LIKE, rows=1000)
    out.assert_all_valid()
    for name in BENCH_LIKE["required"]:
        assert None not in out.column(name), name
    middles = out.column("middle_name")
    assert 0 < sum(v is None for v in middles) < len(middles)


# ------------------------------------------------------------------ uniqueness


def test_unique_fields_never_repeat_over_5000_rows(generate: GenerateFn) -> None:
    schema = {
        "type": "object",
        "required": ["n", "small", "email", "code", "uid", "cents"],
        "properties": {
            "n": {"type": "integer", "minimum": 1, "maximum": 100000, "x-unique": True},
            "small": {"type": "integer", "minimum": -2500, "maximum": 2499, "x-unique": True},
            "email": {"type": "string", "format": "email", "x-unique": True},
            "code": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{5}$", "x-unique": True},
            "uid": {"type": "string", "format": "uuid", "x-unique": True},
            "cents": {
                "type": "number",
                "minimum": 0,
                "maximum": 100,
                "multipleOf": 0.01,
                "x-unique": True,
            },
        },
    }
    out = generate(schema, rows=5000)
    out.assert_all_valid()
    for name in schema["required"]:
        values = out.column(name)
        assert len(values) == 5000
        assert len(set(values)) == 5000, name
    assert set(out.column("small")) == set(range(-2500, 2500))


def test_unique_short_strings_fill_their_space(generate: GenerateFn) -> None:
    """17,576 three-letter strings exist: 2,000 distinct ones must be found."""
    schema = {
        "type": "object",
        "required": ["code"],
        "properties": {
            "code": {"type": "string", "minLength": 3, "maxLength": 3, "x-unique": True}
        },
    }
    out = generate(schema, rows=2000)
    out.assert_all_valid()
    assert len(set(out.column("code"))) == 2000


def test_unique_tiny_strings_are_made_or_refused_naming_the_field(generate: GenerateFn) -> None:
    """703 strings of at most 2 letters exist: make 500 distinct ones, or say which field fails."""
    schema = {
        "type": "object",
        "required": ["code"],
        "properties": {"code": {"type": "string", "maxLength": 2, "x-unique": True}},
    }
    error: TdgenError | None = None
    try:
        out = generate(schema, rows=500)
    except TdgenError as exc:
        error = exc
    if error is not None:
        assert error.field == "code" or "'code'" in error.message, error.message
    else:
        out.assert_all_valid()
        assert len(set(out.column("code"))) == 500


def test_unique_numbers_without_a_step(generate: GenerateFn) -> None:
    """Numbers between 0 and 1 are plenty: 2,000 distinct ones, without ``multipleOf``."""
    schema = {
        "type": "object",
        "required": ["ratio"],
        "properties": {"ratio": {"type": "number", "minimum": 0, "maximum": 1, "x-unique": True}},
    }
    out = generate(schema, rows=2000)
    out.assert_all_valid()
    assert len(set(out.column("ratio"))) == 2000


def test_unique_email_linked_to_names_still_unique(generate: GenerateFn) -> None:
    schema = {
        "type": "object",
        "required": ["first_name", "last_name", "email"],
        "properties": {
            "first_name": {"type": "string"},
            "last_name": {"type": "string"},
            "email": {"type": "string", "format": "email", "maxLength": 40, "x-unique": True},
        },
    }
    out = generate(schema, rows=5000)
    out.assert_all_valid()
    assert len(set(out.column("email"))) == 5000


# ------------------------------------------------------------------ determinism


def test_same_seed_gives_identical_rows(generate: GenerateFn) -> None:
    first = generate(PLAIN, rows=600, seed=42)
    second = generate(PLAIN, rows=600, seed=42)
    assert first.rows == second.rows


def test_different_seed_gives_different_rows(generate: GenerateFn) -> None:
    first = generate(PLAIN, rows=100, seed=1)
    second = generate(PLAIN, rows=100, seed=2)
    assert first.rows != second.rows
    # Not just one column: most values differ.
    differing = sum(
        a["order_code"] != b["order_code"] for a, b in zip(first.rows, second.rows, strict=True)
    )
    assert differing > 90


def test_rows_do_not_depend_on_chunk_size(write_schema: Any, generate_rows: Any) -> None:
    path = write_schema(PLAIN)
    whole = generate_rows(path, 300, seed=5, chunk=300)
    again = generate_rows(path, 300, seed=5, chunk=300)
    assert whole.rows == again.rows
    # Chunks are seeded by their number: a chunk's rows are the same whichever job makes them.
    chunked = generate_rows(path, 600, seed=5, chunk=300)
    assert chunked.rows[:300] == whole.rows


# ------------------------------------------------------------------ linked columns


def test_email_is_derived_from_first_and_last_name(generate: GenerateFn) -> None:
    out = generate(BENCH_LIKE, rows=500)
    out.assert_all_valid()
    checked = 0
    for row in out.rows:
        last = row["last_name"]
        if re.fullmatch(r"[A-Za-z]+", last):
            local = row["email"].split("@")[0]
            assert last.lower() in local, row
            checked += 1
    assert checked > 100


def test_end_date_is_after_start_date(generate: GenerateFn) -> None:
    schema = {
        "type": "object",
        "required": ["start_date", "end_date", "created_at", "updated_at"],
        "properties": {
            "start_date": {"type": "string", "format": "date"},
            "end_date": {"type": "string", "format": "date"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    }
    out = generate(schema, rows=1000)
    out.assert_all_valid()
    for row in out.rows:
        assert dt.date.fromisoformat(row["end_date"]) > dt.date.fromisoformat(row["start_date"])
        assert row["updated_at"] > row["created_at"], row


def test_end_time_is_after_start_time(generate: GenerateFn) -> None:
    schema = {
        "type": "object",
        "required": ["start_time", "end_time"],
        "properties": {
            "start_time": {"type": "string", "format": "time"},
            "end_time": {"type": "string", "format": "time"},
        },
    }
    out = generate(schema, rows=300)
    out.assert_all_valid()
    earlier = [r for r in out.rows if r["end_time"] <= r["start_time"]]
    assert not earlier, f"{len(earlier)} of 300 rows end before they start, e.g. {earlier[:3]}"


def test_city_follows_the_country(generate: GenerateFn) -> None:
    seed = 3
    out = generate(BENCH_LIKE, rows=1000, seed=seed)
    out.assert_all_valid()
    pools = Pools(seed)
    german_cities = {r.city for r in pools.records("de_DE")}
    us_cities = {r.city for r in pools.records("en_US")}
    german_rows = [r for r in out.rows if r["country"] == "DE"]
    assert len(german_rows) > 100
    for row in german_rows:
        assert row["city"] in german_cities, row
        assert re.fullmatch(r"[0-9]{5}", row["postal_code"]), row
        assert re.match(r"(49|0049|0)", re.sub(r"[^0-9]", "", row["phone"])), row
    us_rows = [r for r in out.rows if r["country"] == "US"]
    assert sum(r["city"] in us_cities for r in us_rows) == len(us_rows)
    assert not any(r["phone"].startswith("+49") for r in us_rows)


def test_birth_dates_are_18_to_90_years_before_the_reference_day(generate: GenerateFn) -> None:
    assert dt.date(2026, 1, 1) == REFERENCE_DATE
    schema = {
        "type": "object",
        "required": ["birth_date", "date_of_birth"],
        "properties": {
            "birth_date": {"type": "string", "format": "date"},
            "date_of_birth": {"type": "string", "format": "date-time"},
        },
    }
    out = generate(schema, rows=1000)
    out.assert_all_valid()
    oldest, youngest = dt.date(1935, 12, 31), dt.date(2008, 1, 1)
    births = [dt.date.fromisoformat(v) for v in out.column("birth_date")]
    births += [dt.date.fromisoformat(v[:10]) for v in out.column("date_of_birth")]
    assert all(oldest <= b <= youngest for b in births)
    # Spread over the range, not clustered.
    assert min(births) < dt.date(1950, 1, 1)
    assert max(births) > dt.date(1995, 1, 1)
