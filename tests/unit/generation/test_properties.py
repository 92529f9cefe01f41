"""Property tests: for random small schemas in the supported subset, every generated row validates.

Schemas mix numbers with consistent bounds and ``multipleOf``, strings with lengths, simple
patterns and formats, enums, booleans, nullable types, nested objects and arrays. Property names
are drawn from names that trigger semantic kinds (``email``, ``age``, ``city`` …), so realistic
value sources are checked against the schema's constraints too.
"""

from __future__ import annotations

import decimal
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from tdgen_desktop.core.validation import Oracle
from tdgen_desktop.generation.null import NullProvider, row_instance
from tdgen_desktop.generation.pools import Pools
from tdgen_desktop.generation.preflight import preflight
from tdgen_desktop.importers import load_schema

ROWS = 20
NAMES = [
    "id",
    "age",
    "price",
    "amount",
    "email",
    "city",
    "first_name",
    "last_name",
    "name",
    "country",
    "created_at",
    "zip",
    "phone",
    "code",
    "count",
    "score",
    "latitude",
    "title",
    "url",
    "value",
    "tags",
]
PATTERNS = [
    "^[a-z]{3,8}$",
    "^[A-Z]{2}-[0-9]{3}$",
    "^(red|green|blue)$",
    "^[0-9a-f]+$",
    "^x[0-9]*y?$",
    r"^\w{1,5}@\w{1,5}\.com$",
    "^[A-Z][a-z]+( [A-Z][a-z]+)?$",
]
FORMATS = ["email", "date", "date-time", "time", "uuid", "ipv4", "ipv6", "uri", "hostname"]
MULTIPLES_INT = [None, 1, 2, 3, 5, 10]
MULTIPLES_NUM = [None, 0.01, 0.1, 0.25, 0.5, 1, 2.5]

_POOLS = Pools(0)
"""Faker pools are built once and shared by every example (the expensive part of a job)."""


def _admits_integer(low: int | None, high: int | None, excl: tuple[bool, bool], m: int) -> bool:
    if low is None or high is None:
        return True
    first = low + 1 if excl[0] else low
    last = high - 1 if excl[1] else high
    return any(x % m == 0 for x in range(first, last + 1))


def _admits_number(
    low: decimal.Decimal | None,
    high: decimal.Decimal | None,
    excl: tuple[bool, bool],
    m: decimal.Decimal | None,
) -> bool:
    if low is None or high is None:
        return True
    if m is None:
        return low < high or (low == high and not any(excl))
    k_low = (low / m).to_integral_value(rounding=decimal.ROUND_CEILING)
    if excl[0] and k_low * m == low:
        k_low += 1
    k_high = (high / m).to_integral_value(rounding=decimal.ROUND_FLOOR)
    if excl[1] and k_high * m == high:
        k_high -= 1
    return k_low <= k_high


@st.composite
def integers(draw: st.DrawFn) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer"}
    low = draw(st.none() | st.integers(-1000, 1000))
    high = None
    if draw(st.booleans()):
        base = low if low is not None else draw(st.integers(-1000, 1000))
        high = base + draw(st.integers(0, 400))
    excl = (draw(st.booleans()), draw(st.booleans()))
    m = draw(st.sampled_from(MULTIPLES_INT))
    if low is not None:
        schema["exclusiveMinimum" if excl[0] else "minimum"] = low
    if high is not None:
        schema["exclusiveMaximum" if excl[1] else "maximum"] = high
    if m is not None:
        schema["multipleOf"] = m
    assume(_admits_integer(low, high, excl, m or 1))
    return schema


@st.composite
def numbers(draw: st.DrawFn) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "number"}
    low = draw(st.none() | st.integers(-100_000, 100_000).map(lambda c: decimal.Decimal(c) / 100))
    high = None
    if draw(st.booleans()):
        base = low if low is not None else decimal.Decimal(draw(st.integers(-1000, 1000)))
        high = base + decimal.Decimal(draw(st.integers(0, 100_000))) / 100
    excl = (draw(st.booleans()), draw(st.booleans()))
    m = draw(st.sampled_from(MULTIPLES_NUM))
    if low is not None:
        schema["exclusiveMinimum" if excl[0] else "minimum"] = float(low)
    if high is not None:
        schema["exclusiveMaximum" if excl[1] else "maximum"] = float(high)
    if m is not None:
        schema["multipleOf"] = m
    m_dec = decimal.Decimal(repr(m)) if m is not None else None
    assume(_admits_number(low, high, excl, m_dec))
    return schema


@st.composite
def strings(draw: st.DrawFn) -> dict[str, Any]:
    choice = draw(st.sampled_from(["lengths", "pattern", "format", "plain"]))
    if choice == "pattern":
        return {"type": "string", "pattern": draw(st.sampled_from(PATTERNS))}
    if choice == "format":
        return {"type": "string", "format": draw(st.sampled_from(FORMATS))}
    if choice == "plain":
        return {"type": "string"}
    schema: dict[str, Any] = {"type": "string"}
    low = draw(st.integers(0, 20))
    if draw(st.booleans()):
        schema["minLength"] = low
    if draw(st.booleans()):
        schema["maxLength"] = low + draw(st.integers(0, 40))
    return schema


enums = st.lists(
    st.one_of(st.integers(-5, 5), st.sampled_from(["a", "b", "Zed", "ü", " ", "x y", ""])),
    min_size=1,
    max_size=5,
    unique=True,
).map(lambda values: {"enum": values})

leaves = st.one_of(
    integers(),
    numbers(),
    strings(),
    enums,
    st.just({"type": "boolean"}),
    st.sampled_from(FORMATS).map(lambda f: {"type": "string", "format": f}),
)


@st.composite
def nullable(draw: st.DrawFn, inner: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    schema = dict(draw(inner))
    if "type" in schema and isinstance(schema["type"], str) and draw(st.booleans()):
        schema["type"] = [schema["type"], "null"]
    return schema


@st.composite
def arrays(draw: st.DrawFn, depth: int) -> dict[str, Any]:
    low = draw(st.integers(0, 3))
    schema: dict[str, Any] = {"type": "array", "minItems": low}
    if draw(st.booleans()):
        schema["maxItems"] = low + draw(st.integers(0, 4))
    if draw(st.booleans()):
        # Wide item spaces only: uniqueness must stay possible.
        schema["items"] = draw(
            st.sampled_from(
                [{"type": "integer"}, {"type": "string", "minLength": 3, "maxLength": 20}]
            )
        )
        schema["uniqueItems"] = True
    else:
        schema["items"] = draw(fields(depth + 1))
    return schema


@st.composite
def objects(draw: st.DrawFn, depth: int) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    properties = {name: draw(fields(depth + 1)) for name in names}
    required = [n for n in names if draw(st.booleans())]
    schema: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
    if draw(st.booleans()):
        schema["additionalProperties"] = False
    return schema


unions = st.one_of(
    st.tuples(leaves, leaves).map(lambda t: {"anyOf": [t[0], t[1]]}),
    # oneOf branches of disjoint types: always satisfiable (overlapping ones may not be).
    st.tuples(
        st.one_of(integers(), numbers()), st.one_of(strings(), st.just({"type": "boolean"}))
    ).map(lambda t: {"oneOf": [t[0], t[1]]}),
)
"""``anyOf`` of two leaves, or ``oneOf`` of a numeric and a non-numeric leaf."""

unique_leaves = st.sampled_from(
    [
        {"type": "integer", "x-unique": True},
        {"type": "integer", "minimum": 1, "x-unique": True},
        {"type": "integer", "minimum": 0, "maximum": 10_000, "x-unique": True},
        {"type": "string", "format": "uuid", "x-unique": True},
        {"type": "string", "format": "email", "x-unique": True},
        {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$", "x-unique": True},
    ]
)
"""Unique columns with value spaces far larger than the rows made."""


def fields(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    if depth >= 2:
        return nullable(leaves)
    return st.one_of(
        nullable(leaves),
        nullable(leaves),
        nullable(leaves),
        unions,
        unique_leaves if depth == 1 else nullable(leaves),  # top-level columns
        arrays(depth),
        nullable(objects(depth)),
    )


@st.composite
def root_schemas(draw: st.DrawFn) -> dict[str, Any]:
    schema = draw(objects(0))
    schema["required"] = list(schema["properties"])  # columns: every row has every field
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure is reproducible, never flaky
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(schema=root_schemas(), seed=st.integers(0, 2**32))
def test_every_generated_row_validates(schema: dict[str, Any], seed: int) -> None:
    note(json.dumps(schema))
    with tempfile.TemporaryDirectory(prefix="tdgen-prop-") as folder:
        path = Path(folder) / "prop.json"
        path.write_text(json.dumps(schema), encoding="utf-8")
        table = load_schema(path).tables[0]
    provider = NullProvider(seed, pools=_POOLS)
    preflight(table, ROWS, provider, [])
    plan = provider.plan(table)
    batch = provider.batch(plan, 0, 0, ROWS)
    oracle = Oracle(schema)
    for row in batch.rows:
        instance = row_instance(table, batch.columns, row)
        error = oracle.first_error(instance)
        assert error is None, f"{instance!r}: {error.message if error else ''}"
