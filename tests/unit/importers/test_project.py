"""Project files: saving stores exactly the user's edits and settings; loading restores them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tdgen_desktop.core import CaseKind, ExportFormat, ProviderKind, SchemaError, SourceFormat
from tdgen_desktop.importers import detect_format, load_schema
from tdgen_desktop.importers.project import (
    PROJECT_VERSION,
    ProjectSettings,
    load_project,
    read_project_settings,
    save_project,
)

SCHEMA = {
    "title": "person",
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 40},
        "age": {"type": "integer", "minimum": 0, "maximum": 130},
        "tier": {"enum": ["gold", "silver", "bronze"]},
        "note": {"type": ["string", "null"]},
        "address": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
    "required": ["name", "age", "tier"],
}


@pytest.fixture
def schema(tmp_path: Path) -> Path:
    folder = tmp_path / "schemas"
    folder.mkdir()
    path = folder / "person.json"
    path.write_text(json.dumps(SCHEMA), encoding="utf-8")
    return path


def test_save_and_load_restore_every_edit_and_setting(schema: Path, tmp_path: Path) -> None:
    dataset = load_schema(schema)
    table = dataset.tables[0]
    table.field("name").generator = "first_name"
    table.field("name").constraints.max_length = 12
    table.field("age").constraints.minimum = 18
    table.field("tier").enum_weights = (5.0, 1.0, 0.0)
    table.field("note").null_ratio = 0.75
    table.field("address").properties[0].generator = "city"
    table.field("age").unique = True
    settings = ProjectSettings(
        rows=321,
        table_rows={"person": 12},
        seed=99,
        locale="fr_FR",
        cases=frozenset({CaseKind.VALID, CaseKind.BOUNDARY}),
        format=ExportFormat.XLSX,
        provider=ProviderKind.HYBRID,
        pairwise=True,
        max_cases=7,
        label_columns=True,
    )
    path = save_project(tmp_path / "projects" / "mine.tdgen.json", dataset, settings)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["tdgen_project"] == PROJECT_VERSION
    assert document["source"] == {
        "path": "../schemas/person.json",
        "format": "jsonschema",
        "dialect": None,
    }
    assert document["overrides"]["person"]["address.city"] == {"generator": "city"}
    assert "tier" in document["overrides"]["person"]
    assert set(document["overrides"]["person"]) == {"name", "age", "tier", "note", "address.city"}
    assert not list(path.parent.glob(".*part"))  # written atomically, nothing left over

    project = load_project(path)
    assert project.settings == settings
    assert read_project_settings(path) == settings
    loaded = project.dataset.tables[0]
    assert loaded.field("name").generator == "first_name"
    assert loaded.field("name").constraints.max_length == 12
    assert loaded.field("age").constraints.minimum == 18
    assert loaded.field("age").unique is True
    assert loaded.field("tier").enum_weights == (5.0, 1.0, 0.0)
    assert loaded.field("note").null_ratio == 0.75
    assert loaded.field("address").properties[0].generator == "city"
    assert project.dataset.source == schema
    assert project.dataset.format is SourceFormat.JSONSCHEMA


def test_saving_a_loaded_project_gives_the_same_bytes(schema: Path, tmp_path: Path) -> None:
    shop = Path(__file__).resolve().parents[3] / "resources" / "examples" / "shop.sql"
    sql = shutil.copy(shop, schema.parent / "shop.sql")
    edited = load_schema(sql)
    edited.table("customers").field("email").null_ratio = 0.2
    edited.table("orders").field("status").enum_weights = (9.0, 1.0, 0.0, 2.5)
    edited.table("products").field("price").constraints.maximum = 500
    settings = ProjectSettings(
        rows=40,
        table_rows={"order_items": 7, "customers": 3},
        seed=12,
        locale="de_DE",
        cases=frozenset(CaseKind),
        format=ExportFormat.SQL,
        max_cases=9,
    )
    first = save_project(tmp_path / "one.tdgen.json", edited, settings)

    project = load_project(first)
    second = save_project(tmp_path / "two.tdgen.json", project.dataset, project.settings)
    third = save_project(
        tmp_path / "three.tdgen.json", load_project(second).dataset, read_project_settings(second)
    )

    assert first.read_bytes() == second.read_bytes() == third.read_bytes()
    assert json.loads(first.read_text(encoding="utf-8"))["tdgen_project"] == PROJECT_VERSION


def test_an_unedited_model_has_no_overrides(schema: Path, tmp_path: Path) -> None:
    path = save_project(tmp_path / "plain", load_schema(schema), ProjectSettings())
    assert path.name == "plain.tdgen.json"
    assert json.loads(path.read_text(encoding="utf-8"))["overrides"] == {}


def test_load_schema_detects_a_project_and_carries_its_settings(
    schema: Path, tmp_path: Path
) -> None:
    path = save_project(tmp_path / "p.tdgen.json", load_schema(schema), ProjectSettings(seed=5))
    assert detect_format(path) is SourceFormat.PROJECT
    dataset = load_schema(path)
    assert dataset.tables[0].name == "person"
    assert dataset.project_settings == ProjectSettings(seed=5)


def test_the_project_moves_with_its_schema(schema: Path, tmp_path: Path) -> None:
    dataset = load_schema(schema)
    dataset.tables[0].field("age").constraints.maximum = 60
    save_project(schema.parent / "p.tdgen.json", dataset, ProjectSettings())
    moved = tmp_path / "moved"
    shutil.copytree(schema.parent, moved)
    shutil.rmtree(schema.parent)
    loaded = load_project(moved / "p.tdgen.json").dataset
    assert loaded.source == moved / "person.json"
    assert loaded.tables[0].field("age").constraints.maximum == 60


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"age": {"minimum": 200}}, "the minimum 200 is greater than the maximum 130"),
        ({"age": {"colour": 1}}, "'colour' cannot be overridden"),
        ({"name": {"generator": "warp_drive"}}, "'warp_drive' is not a generator"),
        ({"name": {"max_length": -1}}, "-1 is not a length ≥ 0"),
        ({"age": {"unique": "yes"}}, "'yes' is not true or false"),
        ({"name": {"enum_weights": [1]}}, "need an enum"),
    ],
)
def test_bad_overrides_name_the_entry(
    schema: Path, tmp_path: Path, overrides: dict[str, object], problem: str
) -> None:
    path = save_project(tmp_path / "p", load_schema(schema), ProjectSettings())
    document = json.loads(path.read_text(encoding="utf-8"))
    document["overrides"] = {"person": overrides}
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(SchemaError) as caught:
        load_project(path)
    assert caught.value.file == str(path)
    assert caught.value.field is not None
    assert caught.value.field.startswith(f"overrides.person.{next(iter(overrides))}")
    assert problem in caught.value.problem


@pytest.mark.parametrize(
    ("generation", "where"),
    [
        ({"rows": -1}, "generation.rows"),
        ({"seed": "x"}, "generation.seed"),
        ({"cases": []}, "generation.cases"),
        ({"cases": ["valid", "weird"]}, "generation.cases"),
        ({"table_rows": {"person": -2}}, "generation.table_rows.person"),
        ({"api_key": "sk-123"}, "generation.api_key"),
        ({"provider": "oracle"}, "generation.provider"),
    ],
)
def test_bad_settings_name_the_entry(
    schema: Path, tmp_path: Path, generation: dict[str, object], where: str
) -> None:
    path = save_project(tmp_path / "p", load_schema(schema), ProjectSettings())
    document = json.loads(path.read_text(encoding="utf-8"))
    document["generation"] = generation
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(SchemaError) as caught:
        read_project_settings(path)
    assert (caught.value.file, caught.value.field) == (str(path), where)


def test_not_a_project(tmp_path: Path) -> None:
    path = tmp_path / "x.tdgen.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(SchemaError, match="is not a tdgen project"):
        load_schema(path)


def test_a_project_keeps_the_openapi_view(tmp_path: Path) -> None:
    """A description opened for request bodies reopens for request bodies."""
    from tdgen_desktop.core.enums import ApiView  # noqa: PLC0415

    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "Item": {
                    "type": "object",
                    "required": ["id", "label"],
                    "properties": {
                        "id": {"type": "integer", "readOnly": True},
                        "label": {"type": "string", "maxLength": 20},
                    },
                }
            }
        },
    }
    source = tmp_path / "items.json"
    source.write_text(json.dumps(spec), encoding="utf-8")
    dataset = load_schema(source, view=ApiView.REQUEST)
    assert [f.name for f in dataset.tables[0].fields] == ["label"]

    path = save_project(tmp_path / "items", dataset, ProjectSettings())
    assert json.loads(path.read_text(encoding="utf-8"))["source"]["view"] == "request"
    assert json.loads(path.read_text(encoding="utf-8"))["overrides"] == {}
    again = load_project(path).dataset
    assert again.view is ApiView.REQUEST
    assert [f.name for f in again.tables[0].fields] == ["label"]
    assert [f.name for f in load_schema(source).tables[0].fields] == ["id", "label"]
