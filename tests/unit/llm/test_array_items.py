"""Weak fields in the object elements of arrays (``lines[].product_name``), against the test
model server.

Such a field is asked for by its path, checked against its own constraints and the schema,
put into every element of a valid row's array that has the property (each element drawing its
own value), and named by its path in the cases file. An element whose new values would break
its item schema, or equal another element of a ``uniqueItems`` array, keeps its foundation
values; boundary and invalid rows stay the null provider's.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from ai_server import AiTestServer

from tdgen_desktop.core.enums import CaseKind, ExportFormat, ProviderKind
from tdgen_desktop.core.model import MISSING
from tdgen_desktop.core.rows import VALID_LABEL, RowBatch, mark_column, mark_inside
from tdgen_desktop.core.validation import Oracle
from tdgen_desktop.generation.ai import (
    ITEMS,
    AiSummary,
    path_name,
    put_value,
    value_at,
    weak_groups,
    weak_targets,
)
from tdgen_desktop.generation.hybrid import FIELDS_PER_REQUEST, HybridBuilder
from tdgen_desktop.generation.null import NullProvider
from tdgen_desktop.generation.pipeline import GenerationRequest, JobResult, run_pipeline
from tdgen_desktop.importers import load_schema
from tdgen_desktop.llm import Completion

ORDER: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "order",
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "customer_name", "lines"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "x-unique": True},
        "customer_name": {"type": "string", "maxLength": 40},
        "lines": {
            "type": "array",
            "minItems": 1,
            "maxItems": 4,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["sku", "product_name", "qty", "kind"],
                "properties": {
                    "sku": {"type": "string", "x-unique": True},  # unique inside items: kept
                    "product_name": {"type": "string", "minLength": 3, "maxLength": 40},
                    "description": {"type": "string", "maxLength": 60},  # optional
                    "qty": {"type": "integer", "minimum": 1, "maximum": 9},
                    "kind": {"enum": ["tool", "part"]},
                    "meta": {"type": "object", "properties": {"label": {"type": "string"}}},
                },
                # A rule of the item that the server's values ("… #3") break for parts.
                "if": {"properties": {"kind": {"const": "part"}}},
                "then": {"properties": {"product_name": {"not": {"pattern": "#"}}}},
            },
        },
        "tags": {"type": "array", "items": {"type": "string"}},  # no objects: not enhanced
        "slots": {  # positional elements: not enhanced
            "type": "array",
            "prefixItems": [{"type": "object", "properties": {"note": {"type": "string"}}}],
            "items": False,
        },
    },
}
ARRAY_FIELDS = ["lines[].product_name", "lines[].description", "lines[].meta.label"]
ROWS = 40


def _write(tmp_path: Path, schema: dict[str, Any], name: str) -> Path:
    path = tmp_path / f"{name}.schema.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    return path


def _run(schema: Path, out: Path, session: Any = None, *, rows: int = ROWS) -> JobResult:
    request = GenerationRequest(
        source=schema,
        out_dir=out,
        rows=rows,
        cases=frozenset(CaseKind),
        format=ExportFormat.JSONL,
        seed=8,
        provider=ProviderKind.HYBRID if session is not None else ProviderKind.NULL,
        ai=session,
    )
    return run_pipeline(request)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_fields_of_array_elements_are_found_by_path(tmp_path: Path) -> None:
    table = load_schema(_write(tmp_path, ORDER, "order")).tables[0]
    targets = weak_targets(table)
    assert [w.name for w in targets] == ["customer_name", *ARRAY_FIELDS]
    assert [w.path for w in targets][1:] == [
        ("lines", ITEMS, "product_name"),
        ("lines", ITEMS, "description"),
        ("lines", ITEMS, "meta", "label"),
    ]
    assert targets[1].field.constraints.min_length == 3
    assert targets[1].field.constraints.max_length == 40
    assert path_name(("a", "b", ITEMS, "c", "d")) == "a.b[].c.d"
    # the row's own string is the one money amounts would join, not an element's
    groups = weak_groups(table, FIELDS_PER_REQUEST)
    assert [[w.name for w in g] for g in groups] == [["customer_name", *ARRAY_FIELDS]]


def test_put_value_and_value_at_step_into_every_element() -> None:
    row = {"lines": [{"a": 1}, {"b": 2}, "x", {"a": None}], "n": 0}
    assert value_at(row, ("lines", ITEMS, "a")) == (1, MISSING, MISSING, None)
    assert put_value(row, ("lines", ITEMS, "a"), 7) == {
        "lines": [{"a": 7}, {"b": 2}, "x", {"a": None}],
        "n": 0,
    }
    assert put_value(row, ("lines", ITEMS, "a"), 7, add=True) == {
        "lines": [{"a": 7}, {"b": 2, "a": 7}, "x", {"a": 7}],
        "n": 0,
    }
    assert put_value(row, ("lines", ITEMS, "c"), 7) is None  # no element has it
    assert put_value({"lines": []}, ("lines", ITEMS, "a"), 7, add=True) is None
    assert row["lines"][0] == {"a": 1}  # the original is not changed


def test_array_element_values_come_from_the_model_only_in_valid_rows(
    tmp_path: Path, make_session: Any, ai_server: AiTestServer
) -> None:
    schema = _write(tmp_path, ORDER, "order")
    result = _run(schema, tmp_path / "ai", make_session())
    _run(schema, tmp_path / "null")

    assert result.warnings == []
    assert result.validation_failures == 0
    assert result.ai is not None
    assert result.ai.enhanced == {"order": ["customer_name", *ARRAY_FIELDS]}
    assert [r.fields for r in ai_server.requests] == [["customer_name", *ARRAY_FIELDS]]
    rows, null_rows = (
        _jsonl(tmp_path / "ai" / "order.jsonl"),
        _jsonl(tmp_path / "null" / "order.jsonl"),
    )
    labels = _jsonl(tmp_path / "ai" / "order.cases.jsonl")
    null_labels = _jsonl(tmp_path / "null" / "order.cases.jsonl")
    served = {name: ai_server.values_for(name) for name in ARRAY_FIELDS}
    oracle = Oracle(ORDER)
    enhanced_elements = kept_parts = multi = 0
    for row, null_row, label, null_label in zip(rows, null_rows, labels, null_labels, strict=True):
        marks = label.pop("ai", [])
        assert label == null_label
        if label["case"] != "valid":
            assert not marks
            assert row == null_row  # boundary and invalid rows untouched
            continue
        assert oracle.first_error(row) is None, row
        assert {k: v for k, v in row.items() if k not in ("lines", "customer_name")} == {
            k: v for k, v in null_row.items() if k not in ("lines", "customer_name")
        }
        assert len(row["lines"]) == len(null_row["lines"])
        for dotted in ARRAY_FIELDS:  # a mark: at least one element got the model's value
            path = tuple(dotted.replace("[]", ".[]").split("."))
            changed = value_at(row, path) != value_at(null_row, path)
            assert (dotted in marks) is changed, (dotted, row, null_row)
        new_values = set()
        for element, before in zip(row["lines"], null_row["lines"], strict=True):
            # what the model does not replace stays; absent stays absent
            for key in ("sku", "qty", "kind"):
                assert element[key] == before[key]
            assert element.keys() == before.keys()
            assert ("meta" in element and element["meta"].keys()) == (
                "meta" in before and before["meta"].keys()
            )
            if element == before:
                kept_parts += element["kind"] == "part"
                continue
            assert element["kind"] == "tool"  # a part keeps its element: the item's rule
            assert element["product_name"] in served["lines[].product_name"]
            if "description" in element:
                assert element["description"] in served["lines[].description"]
            new_values.add(element["product_name"])
            enhanced_elements += 1
        multi += len(new_values) > 1  # each element draws its own value
    assert enhanced_elements >= 20
    assert kept_parts >= 5
    assert multi >= 3


def test_array_element_values_that_break_their_constraints_fall_back(
    tmp_path: Path, make_session: Any, ai_server: AiTestServer
) -> None:
    schema = _write(tmp_path, ORDER, "order")
    ai_server.fault = "violating"
    result = _run(schema, tmp_path / "ai", make_session())
    _run(schema, tmp_path / "null")
    assert (tmp_path / "ai" / "order.jsonl").read_bytes() == (
        tmp_path / "null" / "order.jsonl"
    ).read_bytes()
    assert result.ai is not None
    fallen = {f.field: f.reason for f in result.ai.fallbacks}
    assert "longer than maxLength 40" in fallen["lines[].product_name"]
    assert "longer than maxLength 60" in fallen["lines[].description"]
    assert any(
        "lines[].product_name" in w and "fit the field's constraints" in w for w in result.warnings
    )


UNIQUE_ITEMS: dict[str, Any] = {
    "title": "box",
    "type": "object",
    "required": ["parts"],
    "properties": {
        "parts": {
            "type": "array",
            "minItems": 3,
            "maxItems": 3,
            "uniqueItems": True,
            "items": {
                "type": "object",
                "required": ["label"],
                "additionalProperties": False,
                "properties": {"label": {"type": "string", "maxLength": 30}},
            },
        }
    },
}


def test_elements_of_a_unique_items_array_stay_distinct(tmp_path: Path) -> None:
    schema = _write(tmp_path, UNIQUE_ITEMS, "box")
    table = load_schema(schema).tables[0]
    request = GenerationRequest(source=schema, out_dir=tmp_path, rows=20, seed=2)
    builder = HybridBuilder(request, [table], NullProvider(2))
    prompts = builder.prompts()
    assert [p.fields for p in prompts] == [("parts[].label",)]
    records = [{"parts[].label": "M8 hex bolt"}, {"parts[].label": "x" * 31}]  # one too long
    summary = AiSummary("hybrid")
    provider = builder.build([Completion({"records": records})], summary)
    assert summary.values == {"box": {"parts[].label": 1}}
    plan = provider.plan(table)
    batch = provider.batch(plan, 0, 0, 20)
    oracle = Oracle(UNIQUE_ITEMS)
    marked = 0
    for row, marks in zip(batch.rows, batch.ai_fields or [None] * 20, strict=True):
        (parts,) = row
        assert oracle.is_valid({"parts": parts})
        labels = [p["label"] for p in parts]
        # only one element can take the single value: the others keep theirs
        assert labels.count("M8 hex bolt") == 1
        assert marks == ("parts[].label",)
        marked += 1
    assert marked == 20


def test_each_element_draws_from_its_own_record(tmp_path: Path) -> None:
    schema = _write(tmp_path, ORDER, "order")
    table = load_schema(schema).tables[0]
    request = GenerationRequest(source=schema, out_dir=tmp_path, rows=5, seed=4)
    builder = HybridBuilder(request, [table], NullProvider(4))
    assert len(builder.prompts()) == 1
    records = [
        {"lines[].product_name": f"Bolt {i}", "lines[].description": f"Steel bolt size {i}"}
        for i in range(10)
    ]
    provider = builder.build([Completion({"records": records})], AiSummary("hybrid"))
    pools = provider.tables["order"]
    plan = provider.plan(table)
    index = {name: i for i, name in enumerate(plan.columns)}
    base = list(provider.foundation.batch(plan, 0, 0, 1).rows[0])
    lines = [
        {"sku": f"S{i}", "product_name": "Thing", "description": "d", "qty": 1, "kind": "tool"}
        for i in range(4)
    ]
    base[index["lines"]] = lines
    rng = random.Random(1)
    seen = set()
    for number in range(50):
        row = pools.apply(list(base), index, number, rng)
        for element in row[index["lines"]]:
            name, text = element["product_name"], element["description"]
            assert text == f"Steel bolt size {name.split()[1]}"  # one record per element
            seen.add(name)
        assert lines[0]["product_name"] == "Thing"  # the foundation's elements not changed
    assert len(seen) >= 8
    again = [pools.apply(list(base), index, n, random.Random(1)) for n in range(3)]
    assert again == [pools.apply(list(base), index, n, random.Random(1)) for n in range(3)]


def test_marks_of_array_paths_belong_to_their_column(tmp_path: Path) -> None:
    table = load_schema(_write(tmp_path, ORDER, "order")).tables[0]
    columns = ["id", "lines", "lines2"]
    assert mark_column(columns, "lines[].product_name") == "lines"
    assert mark_column(columns, "lines2[].product_name") == "lines2"
    assert mark_inside("lines", "lines[].meta.label")
    assert not mark_inside("lines", "lines2[].meta.label")
    before = [(1, [{"product_name": "a"}], None), (2, [{"product_name": "b"}], None)]
    batch = RowBatch(table, columns, list(before), [VALID_LABEL, VALID_LABEL])
    batch.ai_fields = [("lines[].product_name",), ("lines[].product_name",)]
    batch.rows[1] = (2, [{"product_name": "c"}], None)  # a later step replaced the array
    batch.forget_changed_ai(before)
    assert batch.ai_fields == [("lines[].product_name",), None]
