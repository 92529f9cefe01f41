"""Weak fields nested in objects, and tuples of correlated fields, against the test model server.

A nested free-text property (``details.description``) is asked for by its dotted path, checked
against its own constraints and the schema, put into valid rows only, and named by its path in
the cases file. City, region and postal code are asked for together and applied as one tuple.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from ai_server import AiTestServer

from tdgen_desktop.core.enums import CaseKind, ExportFormat, ProviderKind
from tdgen_desktop.core.rows import VALID_LABEL, RowBatch, mark_column
from tdgen_desktop.core.validation import Oracle
from tdgen_desktop.generation.ai import AiSummary, weak_groups, weak_targets
from tdgen_desktop.generation.hybrid import FIELDS_PER_REQUEST, HybridBuilder
from tdgen_desktop.generation.null import NullProvider
from tdgen_desktop.generation.pipeline import GenerationRequest, JobResult, run_pipeline
from tdgen_desktop.importers import load_schema
from tdgen_desktop.llm import Completion

PRODUCT: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "product",
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "name", "details"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "x-unique": True},
        "name": {"type": "string", "maxLength": 40},
        "details": {
            "type": "object",
            "additionalProperties": False,
            "required": ["kind", "color"],
            "properties": {
                "kind": {"enum": ["tool", "part"]},
                "description": {"type": "string", "minLength": 5, "maxLength": 60},
                "color": {"type": "string", "format": "email"},  # a specific generator: kept
                "code": {"type": "string", "x-unique": True},  # unique nested: kept
                "size": {"type": "object", "properties": {"label": {"type": "string"}}},
            },
            # A rule of the object that the server's descriptions ("… #3") break for parts.
            "if": {"properties": {"kind": {"const": "part"}}},
            "then": {"properties": {"description": {"not": {"pattern": "#"}}}},
        },
    },
}
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
        seed=5,
        provider=ProviderKind.HYBRID if session is not None else ProviderKind.NULL,
        ai=session,
    )
    return run_pipeline(request)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _path(obj: Any, dotted: str) -> Any:
    for name in dotted.split("."):
        if not isinstance(obj, dict) or name not in obj:
            return "<absent>"
        obj = obj[name]
    return obj


def test_nested_weak_fields_are_found_by_path(tmp_path: Path) -> None:
    table = load_schema(_write(tmp_path, PRODUCT, "product")).tables[0]
    targets = weak_targets(table)
    assert [w.name for w in targets] == ["name", "details.description", "details.size.label"]
    assert [w.path for w in targets][1:] == [
        ("details", "description"),
        ("details", "size", "label"),
    ]
    nested = targets[1].field
    assert nested.constraints.min_length == 5
    assert nested.constraints.max_length == 60
    # the table's own field is not renamed
    details = next(f for f in table.fields if f.name == "details")
    assert [p.name for p in details.properties][:2] == ["kind", "description"]


def test_nested_values_come_from_the_model_only_in_valid_rows(
    tmp_path: Path, make_session: Any, ai_server: AiTestServer
) -> None:
    schema = _write(tmp_path, PRODUCT, "product")
    result = _run(schema, tmp_path / "ai", make_session())
    _run(schema, tmp_path / "null")

    assert result.warnings == []
    assert result.validation_failures == 0
    assert result.ai is not None
    assert result.ai.enhanced == {"product": ["name", "details.description", "details.size.label"]}
    assert [r.fields for r in ai_server.requests] == [
        ["name", "details.description", "details.size.label"]
    ]
    rows, null_rows = (
        _jsonl(tmp_path / "ai" / "product.jsonl"),
        _jsonl(tmp_path / "null" / "product.jsonl"),
    )
    labels = _jsonl(tmp_path / "ai" / "product.cases.jsonl")
    null_labels = _jsonl(tmp_path / "null" / "product.cases.jsonl")
    served = ai_server.values_for("details.description")
    oracle = Oracle(PRODUCT)
    enhanced_rows = 0
    for row, null_row, label, null_label in zip(rows, null_rows, labels, null_labels, strict=True):
        marks = label.pop("ai", [])
        assert label == null_label
        if label["case"] != "valid":
            assert row == null_row  # boundary and invalid rows untouched
            assert (
                oracle.is_valid(row) is (label["expect"] == "accept") or label["rule"] == "unique"
            )
            continue
        assert oracle.is_valid(row), row
        for dotted in ("name", "details.description", "details.size.label"):
            changed = _path(row, dotted) != _path(null_row, dotted)
            assert (dotted in marks) is changed, (dotted, row, null_row)
        assert marks == [
            m for m in ("name", "details.description", "details.size.label") if m in marks
        ]
        # what the model does not replace stays the foundation's, absent stays absent
        for key in ("kind", "color", "code"):
            assert _path(row, f"details.{key}") == _path(null_row, f"details.{key}")
        assert (_path(row, "details.description") == "<absent>") is (
            _path(null_row, "details.description") == "<absent>"
        )
        if "details.description" in marks:
            assert _path(row, "details.description") in served
            assert row["details"]["kind"] == "tool"  # parts keep theirs: the object's rule
            enhanced_rows += 1
        elif row["details"]["kind"] == "part" and "description" in row["details"]:
            assert "#" not in row["details"]["description"]
    assert enhanced_rows >= 5


def test_nested_values_that_break_their_constraints_fall_back(
    tmp_path: Path, make_session: Any, ai_server: AiTestServer
) -> None:
    schema = _write(tmp_path, PRODUCT, "product")
    ai_server.fault = "violating"
    result = _run(schema, tmp_path / "ai", make_session())
    _run(schema, tmp_path / "null")
    assert (tmp_path / "ai" / "product.jsonl").read_bytes() == (
        tmp_path / "null" / "product.jsonl"
    ).read_bytes()
    assert result.ai is not None
    fallen = {f.field: f.reason for f in result.ai.fallbacks}
    assert "longer than maxLength 60" in fallen["details.description"]
    assert any(
        "details.description" in w and "fit the field's constraints" in w for w in result.warnings
    )


PLACES: dict[str, Any] = {
    "title": "customer",
    "type": "object",
    "required": ["id", "city", "region", "postal_code", "note"],
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        **{f"note_{i}": {"type": "string", "maxLength": 30} for i in range(5)},
        "city": {"type": "string", "maxLength": 40},
        "note": {"type": "string", "maxLength": 30},
        "region": {"type": "string", "maxLength": 40},
        "postal_code": {"type": "string", "maxLength": 20},
    },
}


def test_places_are_asked_together_and_applied_as_one_tuple(
    tmp_path: Path, make_session: Any, ai_server: AiTestServer
) -> None:
    schema = _write(tmp_path, PLACES, "customer")
    table = load_schema(schema).tables[0]
    groups = [[w.name for w in g] for g in weak_groups(table, FIELDS_PER_REQUEST)]
    # 9 weak fields: the tuple stays in one request although table order would split it
    assert any({"city", "region", "postal_code"} <= set(g) for g in groups)
    assert all(len(g) <= FIELDS_PER_REQUEST for g in groups)
    assert sorted(n for g in groups for n in g) == sorted(w.name for w in weak_targets(table))

    result = _run(schema, tmp_path / "ai", make_session())
    assert result.validation_failures == 0
    assert result.ai is not None
    assert {"city", "region", "postal_code"} <= set(result.ai.enhanced["customer"])
    rows = _jsonl(tmp_path / "ai" / "customer.jsonl")[:ROWS]
    for row in rows:  # "City #7" goes with "Region #7" and "Postal code #7"
        numbers = {row[name].rsplit("#", 1)[1] for name in ("city", "region", "postal_code")}
        assert len(numbers) == 1, row
    assert len({row["city"] for row in rows}) > 5


def test_a_country_column_leaves_places_to_the_foundation(tmp_path: Path) -> None:
    schema = dict(PLACES, properties={**PLACES["properties"], "country": {"type": "string"}})
    table = load_schema(_write(tmp_path, schema, "customer")).tables[0]
    names = [w.name for w in weak_targets(table)]
    assert "city" not in names
    assert "note" in names
    one = dict(PLACES, properties={k: v for k, v in PLACES["properties"].items() if k != "region"})
    one["properties"].pop("postal_code")
    names = [w.name for w in weak_targets(load_schema(_write(tmp_path, one, "one")).tables[0])]
    assert "city" not in names  # a single place field is no tuple


def test_a_tuple_is_never_mixed_from_several_records(tmp_path: Path) -> None:
    schema = _write(
        tmp_path,
        dict(
            PLACES,
            properties={
                **PLACES["properties"],
                "postal_code": {"type": "string", "pattern": "^[0-9]{5}$"},
            },
        ),
        "customer",
    )
    table = load_schema(schema).tables[0]
    request = GenerationRequest(source=schema, out_dir=tmp_path, rows=3, seed=1)
    builder = HybridBuilder(request, [table], NullProvider(1))
    prompts = builder.prompts()
    place_prompt = next(i for i, p in enumerate(prompts) if "city" in p.fields)
    records = [
        {"city": "Lyon", "region": "Auvergne-Rhône-Alpes", "postal_code": "69001"},
        {"city": "Porto", "region": "Norte", "postal_code": "4000-123"},  # bad postal code
        {"city": "Graz", "region": "Styria", "postal_code": "8010"},  # bad postal code
        {"city": "Turku", "region": "Southwest Finland", "postal_code": "20100"},
    ]
    answers = [
        Completion({"records": records if i == place_prompt else []}) for i in range(len(prompts))
    ]
    summary = AiSummary("hybrid")
    provider = builder.build(answers, summary)
    pools = provider.tables["customer"]
    group = next(g for g in pools.groups if "city" in g.names)
    assert group.linked == ("city", "region", "postal_code")
    assert [r["city"] for r in group.complete] == ["Lyon", "Turku"]
    plan = provider.plan(table)
    index = {name: i for i, name in enumerate(plan.columns)}
    base = provider.foundation.batch(plan, 0, 0, 1).rows[0]
    rng = random.Random(4)
    tuples = set()
    for number in range(200):
        row = pools.apply(list(base), index, number, rng)
        tuples.add((row[index["city"]], row[index["region"]], row[index["postal_code"]]))
    assert tuples == {
        ("Lyon", "Auvergne-Rhône-Alpes", "69001"),
        ("Turku", "Southwest Finland", "20100"),
    }


def test_marks_of_nested_paths_belong_to_their_column(tmp_path: Path) -> None:
    table = load_schema(_write(tmp_path, PRODUCT, "product")).tables[0]
    columns = ["id", "details", "details.x"]
    assert mark_column(columns, "details.description") == "details"
    assert mark_column(columns, "details.x") == "details.x"
    assert mark_column(columns, "details.x.y") == "details.x"
    before = [(1, {"description": "a"}, None), (2, {"description": "b"}, None)]
    batch = RowBatch(table, columns, list(before), [VALID_LABEL, VALID_LABEL])
    batch.ai_fields = [("details.description",), ("details.description",)]
    batch.rows[1] = (2, {"description": "c"}, None)  # a later step replaced the object
    batch.forget_changed_ai(before)
    assert batch.ai_fields == [("details.description",), None]
