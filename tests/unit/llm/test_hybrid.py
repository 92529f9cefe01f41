"""The hybrid and pure AI providers through the pipeline, against the test model server.

Checks that weak fields get the server's values, that every exported row still validates, that
boundary and invalid case rows and all labels are exactly the null provider's, that a re-run is
answered from the cache with identical bytes, and that every fault ends with foundation data, a
``FELL_BACK`` enhance step and a warning naming the fields and the reason.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from ai_server import API_KEY, FAULTS, WIRES, AiTestServer, closed_port

from tdgen_desktop.core.enums import CaseKind, ExportFormat, ProviderKind, Step, StepState
from tdgen_desktop.core.errors import CancelledError
from tdgen_desktop.core.validation import Oracle
from tdgen_desktop.generation.ai import AiSummary, ValueCheck, weak_fields
from tdgen_desktop.generation.hybrid import POOL_SIZE, HybridBuilder
from tdgen_desktop.generation.null import NullProvider
from tdgen_desktop.generation.pipeline import (
    CancelToken,
    GenerationRequest,
    JobResult,
    ProgressEvent,
    run_pipeline,
)
from tdgen_desktop.importers import load_schema
from tdgen_desktop.llm import AiSession, Completion, LlmAuthError

PRODUCT: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "product",
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "product_name", "category", "sku", "price", "status", "email"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "x-unique": True},
        "product_name": {
            "type": "string",
            "minLength": 3,
            "maxLength": 40,
            "description": "what a hardware shop calls the product",
        },
        "category": {"type": "string", "maxLength": 30},
        "sku": {"type": "string", "pattern": "^[A-Z]{2}-[0-9]{4}$", "x-unique": True},
        "price": {"type": "number", "minimum": 0.5, "maximum": 999, "multipleOf": 0.01},
        "description": {"type": ["string", "null"], "maxLength": 120},
        "status": {"enum": ["active", "discontinued"]},
        "email": {"type": "string", "format": "email"},
    },
}
WEAK = ["product_name", "category", "sku", "price", "description"]
ROWS = 30


@pytest.fixture
def schema(tmp_path: Path) -> Path:
    path = tmp_path / "product.schema.json"
    path.write_text(json.dumps(PRODUCT), encoding="utf-8")
    return path


def _run(
    schema: Path,
    out: Path,
    session: AiSession | None = None,
    provider: ProviderKind = ProviderKind.HYBRID,
    *,
    rows: int = ROWS,
    events: list[ProgressEvent] | None = None,
    cancel: CancelToken | None = None,
) -> JobResult:
    request = GenerationRequest(
        source=schema,
        out_dir=out,
        rows=rows,
        cases=frozenset(CaseKind),
        format=ExportFormat.JSONL,
        seed=3,
        provider=provider if session is not None else ProviderKind.NULL,
        ai=session,
    )
    return run_pipeline(request, events.append if events is not None else None, cancel)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _rows(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / "product.jsonl").read_text().splitlines()]


def _labels(folder: Path) -> list[dict[str, Any]]:
    text = (folder / "product.cases.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines()]


def _assert_same_cases(ai: Path, null: Path) -> None:
    """Boundary and invalid rows and every label are the null provider's (a valid row's label
    adds ``ai``: exactly the cells whose value differs from the foundation row's).

    The one exception by design: the invalid row that repeats row 0's value of a unique field
    repeats the value row 0 really has (an AI value).
    """
    ai_rows, null_rows = _rows(ai), _rows(null)
    ai_labels, null_labels = _labels(ai), _labels(null)
    assert len(ai_rows) == len(null_rows)
    for i, (ai_label, null_label) in enumerate(zip(ai_labels, null_labels, strict=True)):
        if ai_label.get("rule") == "unique":
            name = ai_label["field"]
            assert ai_rows[i][name] == ai_rows[0][name]
            assert {k: v for k, v in ai_rows[i].items() if k != name} == {
                k: v for k, v in null_rows[i].items() if k != name
            }
            ai_label.pop("description")
            null_label.pop("description")
        elif ai_label["case"] != "valid":
            assert ai_rows[i] == null_rows[i], (i, ai_label)
        else:  # "ai" names exactly the cells that differ from the foundation row
            changed = [k for k in ai_rows[i] if ai_rows[i][k] != null_rows[i].get(k)]
            assert ai_label.pop("ai", []) == changed, (i, ai_label)
        assert ai_label == null_label


def _enhance_states(events: list[ProgressEvent]) -> list[StepState]:
    return [e.state for e in events if e.step is Step.ENHANCE]


@pytest.mark.parametrize("wire", WIRES)
def test_weak_fields_get_the_models_values(
    wire: str, schema: Path, tmp_path: Path, make_session: Any, ai_server: AiTestServer
) -> None:
    events: list[ProgressEvent] = []
    result = _run(schema, tmp_path / "ai", make_session(wire), events=events)
    _run(schema, tmp_path / "null")

    assert _enhance_states(events)[-1] is StepState.DONE
    assert any("AI answers 1/1" in e.message for e in events if e.step is Step.ENHANCE)
    assert result.warnings == []
    assert result.validation_failures == 0
    summary = result.ai
    assert isinstance(summary, AiSummary)
    assert summary.enhanced == {"product": WEAK}
    assert summary.cost.requests == 1  # five weak fields: one request
    assert summary.cost.tokens_in > 0
    assert summary.cost.tokens_out > 0
    assert summary.cost.cache_hits == 0

    rows, labels, null_rows = (
        _rows(tmp_path / "ai"),
        _labels(tmp_path / "ai"),
        _rows(tmp_path / "null"),
    )
    valid = [r for r, label in zip(rows, labels, strict=True) if label["case"] == "valid"]
    assert len(valid) == ROWS
    for name in WEAK:
        served = ai_server.values_for(name)
        values = [r[name] for r in valid if r.get(name) is not None]
        assert values
        assert set(values) <= served, name
    assert len({r["sku"] for r in valid}) == ROWS  # unique, from the model's values
    # Foundation fields, keys, nulls and every case row stay exactly the null provider's.
    for ai_row, null_row in zip(valid, null_rows, strict=False):
        assert ai_row["id"] == null_row["id"]
        assert ai_row["email"] == null_row["email"]
        assert ai_row["status"] == null_row["status"]
        assert (ai_row.get("description") is None) == (null_row.get("description") is None)
    _assert_same_cases(tmp_path / "ai", tmp_path / "null")
    # The oracle guarantee: valid and boundary rows pass, invalid rows fail.
    oracle = Oracle(PRODUCT)
    for row, label in zip(rows, labels, strict=True):
        if label["rule"] != "unique":  # a rule across rows: no per-row validator sees it
            assert oracle.is_valid(row) is (label["expect"] == "accept"), (row, label)


def test_tuples_keep_related_values_together(
    schema: Path, tmp_path: Path, make_session: Any
) -> None:
    _run(schema, tmp_path / "ai", make_session())
    for row in _rows(tmp_path / "ai")[:ROWS]:
        number = row["product_name"].rsplit("#", 1)[1]
        assert row["category"] == f"Category #{number}"


def test_rerun_is_answered_from_the_cache_with_identical_bytes(
    schema: Path, tmp_path: Path, make_session: Any, ai_server: AiTestServer
) -> None:
    first = _run(schema, tmp_path / "one", make_session())
    assert first.ai is not None
    assert first.ai.cost.requests == 1
    sent = len(ai_server.requests)
    # A new session (as in a new process) with the same cache folder.
    second = _run(schema, tmp_path / "two", make_session())
    assert len(ai_server.requests) == sent
    assert second.ai is not None
    assert second.ai.cost.requests == 0
    assert second.ai.cost.cache_hits == 1
    assert _files(tmp_path / "one") == _files(tmp_path / "two")


def test_no_cache_and_clear_cache(
    schema: Path, tmp_path: Path, make_session: Any, ai_server: AiTestServer
) -> None:
    uncached = make_session(cache=True)
    uncached.profile = uncached.profile.replace(cache=False)
    _run(schema, tmp_path / "a", uncached)
    _run(schema, tmp_path / "b", uncached)
    assert len(ai_server.requests) == 2
    assert uncached.cache is not None
    assert len(uncached.cache) == 0
    cached = make_session()
    _run(schema, tmp_path / "c", cached)
    assert len(cached.cache) == 1
    assert cached.clear_cache() == 1
    _run(schema, tmp_path / "d", cached)
    assert len(ai_server.requests) == 4


def test_every_wire_format_gives_the_same_rows(
    schema: Path, tmp_path: Path, make_session: Any
) -> None:
    outputs = []
    for wire in WIRES:
        _run(schema, tmp_path / wire, make_session(wire))
        outputs.append(_files(tmp_path / wire))
    assert outputs[0] == outputs[1] == outputs[2]


FAULT_WORDS = {
    "401": "check the API key",
    "403": "check the API key",
    "429": "429",
    "500": "500",
    "timeout": "did not answer within",
    "malformed": "not valid JSON",
    "malformed_body": "not JSON",
    "truncated": "cut off",
    "violating": "fit the field's constraints",
    "refused": "cannot connect",
    "echo_key": "answered 400",
}


@pytest.mark.parametrize("fault", [*FAULTS, "refused"])
def test_every_fault_ends_with_foundation_data(
    fault: str, schema: Path, tmp_path: Path, make_session: Any, ai_server: AiTestServer
) -> None:
    if fault == "refused":
        session = make_session(base_url=f"http://127.0.0.1:{closed_port()}/v1")
    else:
        ai_server.fault, ai_server.retry_after, ai_server.delay_s = fault, "0", 3
        session = make_session(timeout_s=0.3)
    events: list[ProgressEvent] = []
    result = _run(schema, tmp_path / "ai", session, events=events)
    _run(schema, tmp_path / "null")

    assert _files(tmp_path / "ai") == _files(tmp_path / "null")
    assert _enhance_states(events)[-1] is StepState.FELL_BACK
    assert result.validation_failures == 0
    assert result.warnings
    for warning in result.warnings:  # one per table and reason
        assert warning.startswith("product: AI values fell back to foundation values for ")
        assert FAULT_WORDS[fault] in warning
        assert API_KEY not in warning
    for name in WEAK:
        assert any(f" {name}" in w for w in result.warnings), name
    assert result.ai is not None
    assert {f.field for f in result.ai.fallbacks} == set(WEAK)


def test_values_that_break_constraints_are_dropped(schema: Path, tmp_path: Path) -> None:
    dataset = load_schema(schema)
    table = dataset.tables[0]
    request = GenerationRequest(source=schema, out_dir=tmp_path, rows=3, seed=1)
    builder = HybridBuilder(request, [table], NullProvider(1))
    (prompt,) = builder.prompts()
    assert prompt.count == POOL_SIZE
    records = [
        {"product_name": "M8 stainless hex bolt", "category": "Fasteners", "sku": "AB-1234",
         "price": 0.25, "description": None},
        {"product_name": "Xy", "category": "Fasteners", "sku": "ab-12", "price": 12.5,
         "description": "Zinc-plated"},
        {"product_name": 42, "category": "C" * 31, "sku": "CD-5678", "price": 3.333,
         "description": "Galvanised"},
        {"product_name": "Claw hammer 16 oz", "sku": "EF-0001", "price": 24.99,
         "extra": "ignored", "description": "x" * 121},
    ]  # fmt: skip
    summary = AiSummary("hybrid")
    provider = builder.build([Completion({"records": records})], summary)
    pools = provider.tables["product"].pools
    assert pools["product_name"] == ["M8 stainless hex bolt", "Claw hammer 16 oz"]
    assert pools["category"] == ["Fasteners"]
    assert pools["sku"] == ["AB-1234", "CD-5678", "EF-0001"]
    assert pools["price"] == [12.5, 24.99]
    assert pools["description"] == ["Zinc-plated", "Galvanised"]
    assert summary.fallbacks == []

    summary = AiSummary("hybrid")
    provider = builder.build([Completion({"records": records[1:2] * 3})], summary)
    fallen = {f.field: f.reason for f in summary.fallbacks}
    assert "shorter than minLength 3" in fallen["product_name"]
    assert "does not match pattern" in fallen["sku"]
    assert set(fallen) == {"product_name", "sku"}

    summary = AiSummary("hybrid")
    builder.build([LlmAuthError("host refused the request (401): check the API key")], summary)
    assert summary.warnings() == [
        "product: AI values fell back to foundation values for "
        "product_name, category, sku, price, description: "
        "host refused the request (401): check the API key"
    ]


def test_value_check_covers_every_constraint(schema: Path) -> None:
    table = load_schema(schema).tables[0]
    checks = {f.name: ValueCheck(f) for f in table.fields}
    assert checks["price"].problem(1000) == "above maximum 999"
    assert checks["price"].problem(0.1) == "below minimum 0.5"
    assert checks["price"].problem(1.005) == "not a multiple of 0.01"
    assert checks["price"].problem(True) == "not a number"
    assert checks["price"].problem(9.97) is None
    assert checks["id"].problem(2.5) == "not an integer"
    assert checks["status"].problem("sold") == "not one of the allowed values"
    assert checks["email"].problem("not an email") == "not a valid email"
    assert checks["description"].problem(None) == "null"
    assert checks["description"].problem(None, allow_null=True) is None
    assert checks["product_name"].problem("Hammer") is None


def test_a_unique_field_needs_a_value_per_row(
    schema: Path, tmp_path: Path, make_session: Any
) -> None:
    events: list[ProgressEvent] = []
    result = _run(schema, tmp_path / "ai", make_session(), rows=POOL_SIZE + 10, events=events)
    assert _enhance_states(events)[-1] is StepState.FELL_BACK
    assert result.ai is not None
    assert result.ai.enhanced == {"product": [n for n in WEAK if n != "sku"]}
    (warning,) = result.warnings
    assert "for sku:" in warning
    assert f"40 distinct valid values for {POOL_SIZE + 10} rows of a unique field" in warning
    assert result.validation_failures == 0


def test_requests_grow_with_fields_not_rows(tmp_path: Path, make_session: Any) -> None:
    wide = {
        "type": "object",
        "title": "item",
        "properties": {f"note_{i}": {"type": "string", "maxLength": 40} for i in range(8)},
    }
    path = tmp_path / "wide.schema.json"
    path.write_text(json.dumps(wide), encoding="utf-8")
    session = make_session(cache=False)
    small = _run(path, tmp_path / "small", session, rows=5)
    large = _run(path, tmp_path / "large", session, rows=500)
    assert small.ai is not None
    assert large.ai is not None
    assert small.ai.cost.requests == large.ai.cost.requests == 2  # 8 fields, 6 per request
    assert len(weak_fields(load_schema(path).tables[0])) == 8


def test_whole_row_rules_still_hold(tmp_path: Path, make_session: Any) -> None:
    schema = dict(PRODUCT)
    schema["if"] = {"properties": {"status": {"const": "discontinued"}}}
    schema["then"] = {"properties": {"category": {"maxLength": 5}}}
    path = tmp_path / "conditional.schema.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    result = _run(path, tmp_path / "ai", make_session())
    assert result.validation_failures == 0
    oracle = Oracle(schema)
    rows, labels = _rows(tmp_path / "ai"), _labels(tmp_path / "ai")
    for row, label in zip(rows, labels, strict=True):
        if label["rule"] != "unique":
            assert oracle.is_valid(row) is (label["expect"] == "accept")


def test_pure_ai_provider_writes_whole_rows(
    schema: Path, tmp_path: Path, make_session: Any, ai_server: AiTestServer
) -> None:
    events: list[ProgressEvent] = []
    result = _run(schema, tmp_path / "ai", make_session(), ProviderKind.AI, events=events)
    _run(schema, tmp_path / "null")
    assert _enhance_states(events)[-1] is StepState.DONE
    assert result.ai is not None
    assert result.ai.cost.requests == 2  # 30 rows, 25 per request
    assert result.ai.ai_rows == {"product": ROWS}
    assert result.validation_failures == 0
    rows, null_rows = _rows(tmp_path / "ai"), _rows(tmp_path / "null")
    served = ai_server.values_for("product_name")
    assert {r["product_name"] for r in rows[:ROWS]} <= served
    assert [r["id"] for r in rows[:ROWS]] == [r["id"] for r in null_rows[:ROWS]]  # keys stay
    assert [r["sku"] for r in rows[:ROWS]] == [r["sku"] for r in null_rows[:ROWS]]  # unique stay
    _assert_same_cases(tmp_path / "ai", tmp_path / "null")


def test_pure_ai_provider_falls_back_too(
    schema: Path, tmp_path: Path, make_session: Any, ai_server: AiTestServer
) -> None:
    ai_server.fault = "violating"
    result = _run(schema, tmp_path / "ai", make_session(), ProviderKind.AI)
    _run(schema, tmp_path / "null")
    assert _files(tmp_path / "ai") == _files(tmp_path / "null")
    (warning,) = result.warnings
    assert "30 of 30 rows keep foundation values" in warning


def test_cancel_aborts_the_enhance_step_within_a_second(
    schema: Path, tmp_path: Path, make_session: Any, ai_server: AiTestServer
) -> None:
    ai_server.fault, ai_server.delay_s = "timeout", 20
    session = make_session(timeout_s=30)
    cancel = CancelToken()
    outcome: list[BaseException] = []

    def job() -> None:
        try:
            _run(schema, tmp_path / "out", session, cancel=cancel)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=job)
    thread.start()
    deadline = time.monotonic() + 10
    while ai_server.in_flight == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ai_server.in_flight == 1
    started = time.perf_counter()
    cancel.cancel()
    thread.join(timeout=5)
    assert time.perf_counter() - started < 1.0
    assert len(outcome) == 1
    assert isinstance(outcome[0], CancelledError)
    assert not (tmp_path / "out").exists()


def test_ai_providers_need_a_profile(schema: Path, tmp_path: Path) -> None:
    request = GenerationRequest(source=schema, out_dir=tmp_path, provider=ProviderKind.HYBRID)
    with pytest.raises(ValueError, match="no AI profile is configured"):
        run_pipeline(request)


def test_nothing_is_asked_without_valid_rows(
    schema: Path, tmp_path: Path, make_session: Any, ai_server: AiTestServer
) -> None:
    events: list[ProgressEvent] = []
    request = GenerationRequest(
        source=schema,
        out_dir=tmp_path / "ai",
        cases=frozenset({CaseKind.BOUNDARY, CaseKind.INVALID}),
        provider=ProviderKind.HYBRID,
        ai=make_session(),
    )
    result = run_pipeline(request, events.append)
    assert ai_server.requests == []
    assert _enhance_states(events)[-1] is StepState.SKIPPED
    assert result.warnings == []
