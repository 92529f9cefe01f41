"""Prompts carry schema metadata only; the answer cache is keyed by profile, model, prompt, seed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tdgen_desktop.core.enums import ExportFormat, ProviderKind
from tdgen_desktop.generation.ai import preview_prompts
from tdgen_desktop.generation.pipeline import GenerationRequest, run_pipeline
from tdgen_desktop.llm import AiProfile, AnswerCache, Completion, ProfileKind, pool_prompt
from tdgen_desktop.llm.prompts import field_spec

SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "patient_visit",
    "description": "A visit of a patient to a clinic",
    "required": ["diagnosis_code", "notes"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "x-unique": True},
        "diagnosis_code": {
            "type": "string",
            "pattern": "^[A-Z][0-9]{2}(\\.[0-9])?$",
            "description": "ICD-10 code of the main diagnosis",
        },
        "notes": {"type": "string", "minLength": 10, "maxLength": 200},
        "ward": {"type": "string", "maxLength": 20, "not": {"enum": ["closed"]}},
        "email": {"type": "string", "format": "email"},
        "fee": {"type": "number", "exclusiveMinimum": 0, "maximum": 500, "multipleOf": 0.5},
        "status": {"enum": ["open", "closed"]},
    },
}


@pytest.fixture
def schema(tmp_path: Path) -> Path:
    path = tmp_path / "visit.schema.json"
    path.write_text(json.dumps(SCHEMA), encoding="utf-8")
    return path


def test_prompt_describes_fields_by_metadata(schema: Path, tmp_path: Path) -> None:
    request = GenerationRequest(
        source=schema, out_dir=tmp_path, provider=ProviderKind.HYBRID, seed=11
    )
    (prompt,) = preview_prompts(request)
    assert prompt.fields == ("diagnosis_code", "notes", "ward", "fee")
    fields = json.loads(prompt.user.split("FIELDS (JSON): ", 1)[1].splitlines()[0])
    by_name = {f["name"]: f for f in fields}
    assert by_name["diagnosis_code"] == {
        "name": "diagnosis_code",
        "type": "string",
        "description": "ICD-10 code of the main diagnosis",
        "constraints": {"pattern": "^[A-Z][0-9]{2}(\\.[0-9])?$"},
    }
    assert by_name["notes"]["constraints"] == {"minLength": 10, "maxLength": 200}
    assert by_name["ward"]["constraints"] == {"maxLength": 20, "not": ["closed"]}
    assert by_name["fee"]["constraints"] == {
        "exclusiveMinimum": 0,
        "maximum": 500,
        "multipleOf": 0.5,
    }
    assert "Table: patient_visit — A visit of a patient to a clinic" in prompt.user
    assert "Write 40 records" in prompt.user
    assert "Variation key: 11" in prompt.user
    preview = prompt.preview()
    assert prompt.system in preview
    assert prompt.user in preview
    assert "--- answer schema (tdgen_records)" in preview


def test_prompts_never_carry_row_values(schema: Path, tmp_path: Path) -> None:
    """Generate rows, then look for every longer value of them in the prompts."""
    out = tmp_path / "rows"
    run_pipeline(GenerationRequest(source=schema, out_dir=out, rows=200, format=ExportFormat.JSONL))
    values = {
        str(v)
        for line in (out / "patient_visit.jsonl").read_text().splitlines()
        for v in json.loads(line).values()
        if len(str(v)) >= 8
    }
    assert len(values) > 100
    for provider in (ProviderKind.HYBRID, ProviderKind.AI):
        request = GenerationRequest(source=schema, out_dir=tmp_path, provider=provider, rows=30)
        text = "\n".join(p.preview() for p in preview_prompts(request))
        assert [v for v in values if v in text] == []


def test_field_spec_says_unique_and_nullable() -> None:
    from tdgen_desktop.core.enums import FieldType  # noqa: PLC0415
    from tdgen_desktop.core.model import Field  # noqa: PLC0415

    spec = field_spec(Field("code", FieldType.STRING, nullable=True, unique=True))
    assert spec == {
        "name": "code",
        "type": "string",
        "constraints": {"unique": True, "nullable": True},
    }
    assert field_spec(Field("day", FieldType.DATE))["constraints"] == {"format": "date"}


def _prompt(count: int = 5, seed: int = 0) -> Any:
    from tdgen_desktop.core.enums import FieldType  # noqa: PLC0415
    from tdgen_desktop.core.model import Field, Table  # noqa: PLC0415

    table = Table("t", [Field("name", FieldType.STRING)])
    return pool_prompt(table, table.fields, count, seed)


def test_cache_key_depends_on_profile_model_prompt_and_seed() -> None:
    base = AiProfile(name="p", model="m")
    key = AnswerCache.key(base, _prompt(), 0)
    assert AnswerCache.key(base, _prompt(), 0) == key
    different = [
        AnswerCache.key(base.replace(name="q"), _prompt(), 0),
        AnswerCache.key(base.replace(model="n"), _prompt(), 0),
        AnswerCache.key(base.replace(kind=ProfileKind.OLLAMA), _prompt(), 0),
        AnswerCache.key(base, _prompt(count=6), 0),
        AnswerCache.key(base, _prompt(seed=1), 0),
        AnswerCache.key(base, _prompt(), 1),
    ]
    assert len({key, *different}) == 7


def test_cache_round_trip_and_damage(tmp_path: Path) -> None:
    cache = AnswerCache(tmp_path / "ai")
    assert len(cache) == 0
    assert cache.clear() == 0
    completion = Completion({"records": [{"name": "x"}]}, "m", 10, 20)
    cache.put("ab" * 32, completion)
    assert cache.get("ab" * 32) == completion
    assert len(cache) == 1
    path = next((tmp_path / "ai").glob("*/*.json"))
    path.write_text("{not json", encoding="utf-8")
    assert cache.get("ab" * 32) is None
    assert not path.exists()
    cache.put("cd" * 32, completion)
    assert cache.clear() == 1
    assert list((tmp_path / "ai").iterdir()) == []


ODD_NAMES: dict[str, Any] = {
    "title": "crate",
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "product label", "lines"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "x-unique": True},
        "product label": {"type": "string", "minLength": 2, "maxLength": 60},
        "lines": {
            "type": "array",
            "minItems": 1,
            "maxItems": 3,
            "items": {
                "type": "object",
                "required": ["line note"],
                "properties": {"line note": {"type": "string", "maxLength": 80}},
            },
        },
    },
}


def test_answer_keys_are_safe_for_every_wire_format(
    tmp_path: Path, make_session: Any, ai_server: Any
) -> None:
    """Field names with spaces or array paths ('lines[].line note') travel under safe answer
    keys (Anthropic's tool schema allows only letters, digits, '_', '.', '-') and come back to
    their fields."""
    import re  # noqa: PLC0415

    from tdgen_desktop.llm.prompts import answer_key  # noqa: PLC0415

    safe = re.compile(r"[a-zA-Z0-9_.-]{1,64}")
    names = ["title", "zip code", "lines[].line note", "ünïcode", "x" * 80, "$weird/key"]
    keys = [answer_key(n) for n in names]
    assert keys[0] == "title"
    assert all(safe.fullmatch(k) for k in keys), keys
    assert len(set(keys)) == len(keys)
    assert keys == [answer_key(n) for n in names]  # stable: the cache key depends on it

    source = tmp_path / "crate.schema.json"
    source.write_text(json.dumps(ODD_NAMES), encoding="utf-8")
    request = GenerationRequest(
        source=source,
        out_dir=tmp_path / "out",
        rows=12,
        format=ExportFormat.JSONL,
        provider=ProviderKind.HYBRID,
        ai=make_session("anthropic"),
    )
    result = run_pipeline(request)
    assert result.warnings == []
    assert result.validation_failures == 0
    bodies = [r.body for r in ai_server.requests]
    assert bodies
    for body in bodies:
        schema = body["tools"][0]["input_schema"]
        record = schema["properties"]["records"]["items"]["properties"]
        assert all(safe.fullmatch(k) for k in record), list(record)
    rows = [json.loads(x) for x in (tmp_path / "out" / "crate.jsonl").read_text().splitlines()]
    assert {r["product label"] for r in rows} <= ai_server.values_for("product label")
    notes = {line["line note"] for r in rows for line in r["lines"]}
    assert notes <= ai_server.values_for("lines[].line note")
