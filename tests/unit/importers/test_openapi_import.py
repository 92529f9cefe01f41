"""OpenAPI 3.0 / 3.1 import: components become tables whose valid rows pass OpenAPI's own
validator (openapi-schema-validator), not only tdgen's JSON Schema oracle."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS30Validator, OAS31Validator

from tdgen_desktop.core import (
    Dataset,
    ExportFormat,
    FieldType,
    SchemaError,
    SourceFormat,
    UnsupportedFeatureError,
)
from tdgen_desktop.generation.pipeline import GenerationRequest, run_pipeline
from tdgen_desktop.importers import load_schema


def _spec(version: str, schemas: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }


def _write(tmp_path: Path, spec: dict[str, Any], name: str = "api.yaml") -> Path:
    path = tmp_path / name
    text = yaml.safe_dump(spec, sort_keys=False) if name.endswith(".yaml") else json.dumps(spec)
    path.write_text(text, encoding="utf-8")
    return path


def _generate(
    path: Path, out: Path, rows: int = 30, tables: tuple[str, ...] = ()
) -> dict[str, list[Any]]:
    result = run_pipeline(
        GenerationRequest(
            source=path, out_dir=out, rows=rows, format=ExportFormat.JSONL, tables=tables, seed=3
        )
    )
    assert result.validation_failures == 0
    return {
        t.table: [json.loads(line) for line in t.path.read_text(encoding="utf-8").splitlines()]
        for t in result.tables
    }


def _openapi_validator(spec: dict[str, Any], name: str) -> Any:
    cls = OAS31Validator if str(spec["openapi"]).startswith("3.1") else OAS30Validator
    return cls({"$ref": f"#/components/schemas/{name}", "components": spec["components"]})


PETS = _spec(
    "3.0.3",
    {
        "Pet": {
            "type": "object",
            "required": ["id", "name", "kind"],
            "properties": {
                "id": {"type": "integer", "format": "int64", "readOnly": True},
                "name": {"type": "string", "maxLength": 30},
                "tag": {"type": "string", "nullable": True},
                "weight": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
                "kind": {"$ref": "#/components/schemas/Kind"},
                "owner": {"$ref": "#/components/schemas/Owner"},
            },
        },
        "Kind": {"type": "string", "enum": ["cat", "dog"]},
        "Owner": {
            "type": "object",
            "nullable": True,
            "required": ["email"],
            "properties": {
                "email": {"type": "string", "format": "email"},
                "password": {"type": "string", "writeOnly": True, "minLength": 8},
            },
        },
        "Pets": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}, "maxItems": 3},
    },
)


def test_every_component_is_a_table(tmp_path: Path) -> None:
    dataset = load_schema(_write(tmp_path, PETS))

    assert dataset.format is SourceFormat.OPENAPI
    assert [t.name for t in dataset.tables] == ["Pet", "Kind", "Owner", "Pets"]
    pet = dataset.table("Pet")
    assert pet.field("id").type is FieldType.INTEGER
    assert (pet.field("id").constraints.minimum, pet.field("id").constraints.maximum) == (
        -(2**63),
        2**63 - 1,
    )
    assert pet.field("tag").nullable
    weight = pet.field("weight").constraints
    assert (weight.minimum, weight.exclusive_minimum) == (0, True)
    assert pet.field("kind").constraints.enum == ("cat", "dog")
    assert pet.field("owner").nullable
    assert dataset.table("Pets").bare
    assert any("readOnly/writeOnly" in n for n in dataset.notices)


def test_valid_rows_pass_the_openapi_validator(tmp_path: Path) -> None:
    rows = _generate(_write(tmp_path, PETS), tmp_path / "out")

    for name, instances in rows.items():
        validator = _openapi_validator(PETS, name)
        for instance in instances:
            assert validator.is_valid(instance), (name, instance)
    assert any(r.get("tag") is None for r in rows["Pet"])


def test_table_option_chooses_components(tmp_path: Path) -> None:
    rows = _generate(_write(tmp_path, PETS), tmp_path / "out", tables=("Owner",))

    assert list(rows) == ["Owner"]


def test_openapi_31_type_lists_and_discriminated_unions(tmp_path: Path) -> None:
    spec = _spec(
        "3.1.0",
        {
            "Cat": {
                "type": "object",
                "required": ["pet_type", "lives"],
                "properties": {
                    "pet_type": {"type": "string"},
                    "lives": {"type": "integer", "minimum": 1, "maximum": 9},
                },
            },
            "Dog": {
                "type": "object",
                "required": ["pet_type", "bark"],
                "properties": {
                    "pet_type": {"type": "string"},
                    "bark": {"type": ["string", "null"], "enum": ["woof", "yap", None]},
                },
            },
            "Pet": {
                "oneOf": [
                    {"$ref": "#/components/schemas/Cat"},
                    {"$ref": "#/components/schemas/Dog"},
                ],
                "discriminator": {
                    "propertyName": "pet_type",
                    "mapping": {
                        "cat": "#/components/schemas/Cat",
                        "dog": "#/components/schemas/Dog",
                    },
                },
            },
            "Named": {
                "allOf": [
                    {"$ref": "#/components/schemas/Cat"},
                    {"type": "object", "properties": {"name": {"type": ["string", "null"]}}},
                ]
            },
        },
    )
    path = _write(tmp_path, spec, "api.json")
    dataset = load_schema(path)
    assert dataset.table("Dog").field("bark").nullable

    rows = _generate(path, tmp_path / "out", rows=40)

    pets = rows["Pet"]
    assert {p["pet_type"] for p in pets} == {"cat", "dog"}
    for pet in pets:
        assert ("lives" in pet) == (pet["pet_type"] == "cat")
    for name, instances in rows.items():
        validator = _openapi_validator(spec, name)
        assert all(validator.is_valid(i) for i in instances), name


_PET_BASE = {
    "type": "object",
    "required": ["pet_type", "name"],
    "properties": {"pet_type": {"type": "string"}, "name": {"type": "string", "maxLength": 20}},
    "discriminator": {"propertyName": "pet_type"},
}
_REPTILE = {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}}
DISCRIMINATED = _spec(
    "3.0.3",
    {
        "Pet": _PET_BASE,
        "Cat": {
            "allOf": [
                {"$ref": "#/components/schemas/Pet"},
                {"type": "object", "properties": {"lives": {"type": "integer", "maximum": 9}}},
            ]
        },
        "Dog": {
            "allOf": [
                {"$ref": "#/components/schemas/Pet"},
                {
                    "type": "object",
                    "required": ["bark"],
                    "properties": {"bark": {"type": "boolean"}},
                },
            ]
        },
        "Lizard": _REPTILE,
        "Snake": _REPTILE,
        "Owner": {
            "type": "object",
            "required": ["pet"],
            "properties": {
                "pet": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/Cat"},
                        {"$ref": "#/components/schemas/Dog"},
                    ],
                    # Dog is left out of the mapping: its value is its name (implicit mapping).
                    "discriminator": {
                        "propertyName": "pet_type",
                        "mapping": {"kitty": "#/components/schemas/Cat"},
                    },
                }
            },
        },
        "Keeper": {
            "type": "object",
            "required": ["reptile"],
            "properties": {
                "reptile": {
                    "anyOf": [
                        {"$ref": "#/components/schemas/Lizard"},
                        {"$ref": "#/components/schemas/Snake"},
                    ],
                    # Two values select Lizard; one names it bare, as OpenAPI allows.
                    "discriminator": {
                        "propertyName": "kind",
                        "mapping": {"lizard": "Lizard", "gecko": "#/components/schemas/Lizard"},
                    },
                }
            },
        },
    },
)


def test_discriminator_values_follow_mapping_names_and_inheritance(tmp_path: Path) -> None:
    rows = _generate(_write(tmp_path, DISCRIMINATED), tmp_path / "out", rows=60)

    # A subtype made through allOf names itself in the base's discriminator property.
    assert {r["pet_type"] for r in rows["Cat"]} == {"Cat"}
    assert {r["pet_type"] for r in rows["Dog"]} == {"Dog"}
    # Each oneOf branch carries the value that selects it: mapped, or implicit when unmapped.
    owners = [r["pet"] for r in rows["Owner"]]
    assert {p["pet_type"] for p in owners} == {"kitty", "Dog"}
    for pet in owners:
        assert ("bark" in pet) == (pet["pet_type"] == "Dog"), pet
    # Several mapping keys to one branch (a bare name among them) are all used.
    kinds = {r["reptile"]["kind"] for r in rows["Keeper"]}
    assert kinds == {"lizard", "gecko", "Snake"}
    # OpenAPI's own validator dispatches on the discriminator value (OAS 3.0).
    for name in ("Pet", "Cat", "Dog", "Owner"):
        validator = _openapi_validator(DISCRIMINATED, name)
        for instance in rows[name]:
            assert validator.is_valid(instance), (name, instance)


def test_a_broken_ref_names_the_component_and_the_reference(tmp_path: Path) -> None:
    spec = _spec(
        "3.0.0",
        {
            "Good": {"type": "string"},
            "Order": {
                "type": "object",
                "properties": {"item": {"$ref": "#/components/schemas/Missing"}},
            },
        },
    )
    with pytest.raises(SchemaError) as caught:
        load_schema(_write(tmp_path, spec))

    message = caught.value.message
    assert "api.yaml" in message
    assert "component 'Order'" in message
    assert "#/components/schemas/Missing" in message


def test_swagger_2_is_not_supported(tmp_path: Path) -> None:
    path = _write(tmp_path, {"swagger": "2.0", "info": {}, "paths": {}, "definitions": {}})
    with pytest.raises(UnsupportedFeatureError, match=r"Swagger 2\.0 is not supported"):
        load_schema(path)


def test_a_description_without_schemas_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, {"openapi": "3.0.0", "info": {}, "paths": {}})
    with pytest.raises(SchemaError, match="has no components/schemas"):
        load_schema(path)


def test_invalid_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text("openapi: 3.0.0\ncomponents: [unclosed\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="not valid YAML"):
        load_schema(path)


# ====================================================================== the corpus


@pytest.fixture(scope="module")
def discord(corpus: Path) -> Dataset:
    return load_schema(corpus / "openapi" / "discord-3.1.json")


@pytest.mark.parametrize(
    ("name", "tables"),
    [("petstore-3.0.yaml", 3), ("petstore-expanded-3.0.yaml", 3)],
)
def test_corpus_petstores_import_and_validate(
    corpus: Path, tmp_path: Path, name: str, tables: int
) -> None:
    path = corpus / "openapi" / name
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert len(load_schema(path).tables) == tables

    rows = _generate(path, tmp_path / "out", rows=20)

    for table, instances in rows.items():
        validator = _openapi_validator(spec, table)
        assert all(validator.is_valid(i) for i in instances), table


def test_discord_imports_every_component(discord: Dataset, corpus: Path) -> None:
    spec = json.loads((corpus / "openapi" / "discord-3.1.json").read_text(encoding="utf-8"))
    assert [t.name for t in discord.tables] == list(spec["components"]["schemas"])


def test_discord_rows_pass_the_openapi_validator(
    discord: Dataset, corpus: Path, tmp_path: Path
) -> None:
    spec = json.loads((corpus / "openapi" / "discord-3.1.json").read_text(encoding="utf-8"))
    names = [t.name for t in discord.tables]
    random.Random(4).shuffle(names)
    chosen = (*names[:15], "ActionRowComponentResponse", "GuildResponse")
    result = run_pipeline(
        GenerationRequest(
            source=corpus / "openapi" / "discord-3.1.json",
            out_dir=tmp_path / "out",
            rows=5,
            format=ExportFormat.JSONL,
            tables=chosen,
        ),
        dataset=discord,
    )
    assert result.validation_failures == 0
    for made in result.tables:
        validator = _openapi_validator(spec, made.table)
        for line in made.path.read_text(encoding="utf-8").splitlines():
            assert validator.is_valid(json.loads(line)), made.table
