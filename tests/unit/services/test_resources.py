"""resource_path from source, from a bundle, overridden; the icons, desktop files and examples."""

from __future__ import annotations

import configparser
import csv
import json
import sqlite3
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tdgen_desktop.services.resources import (
    ICON_SIZES,
    RESOURCES_ENV_VAR,
    icon_paths,
    resource_path,
    resources_root,
)

REPO = Path(__file__).resolve().parents[3]
MIME_TYPES = {
    "application/schema+json",
    "application/json",
    "application/sql",
    "text/csv",
    "application/yaml",
}


@pytest.fixture(autouse=True)
def _from_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts as a source checkout: no override, not frozen."""
    monkeypatch.delenv(RESOURCES_ENV_VAR, raising=False)
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_from_source_the_root_is_the_repository_resources_folder() -> None:
    assert resources_root() == REPO / "resources"
    assert resource_path("examples", "order.schema.json").is_file()


def test_in_a_bundle_the_root_is_under_meipass(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)

    assert resource_path("icons", "tdgen.svg") == tmp_path / "resources" / "icons" / "tdgen.svg"


def test_the_environment_overrides_both(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", "/elsewhere", raising=False)
    monkeypatch.setenv(RESOURCES_ENV_VAR, str(tmp_path))

    assert resource_path("examples") == tmp_path / "examples"
    assert icon_paths() == []


@pytest.mark.parametrize("parts", [("..", "pyproject.toml"), ("examples", "..", "..", "x")])
def test_a_path_cannot_climb_out(parts: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="inside the resources folder"):
        resource_path(*parts)


def test_an_absolute_part_is_refused() -> None:
    with pytest.raises(ValueError, match="inside the resources folder"):
        resource_path(str(REPO / "README.md"))


def test_every_icon_size_is_a_png_of_that_size() -> None:
    paths = icon_paths()

    assert [p.name for p in paths] == [f"tdgen-{size}.png" for size in ICON_SIZES]
    for size, path in zip(ICON_SIZES, paths, strict=True):
        assert _png_size(path.read_bytes()) == (size, size)


def test_the_ico_holds_png_images_up_to_256() -> None:
    data = resource_path("icons", "tdgen.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])

    assert (reserved, kind) == (0, 1)
    sizes = []
    for index in range(count):
        entry = data[6 + 16 * index : 22 + 16 * index]
        width, height, _colors, _res, _planes, _bits, length, offset = struct.unpack(
            "<BBBBHHII", entry
        )
        image = data[offset : offset + length]
        assert _png_size(image) == (width or 256, height or 256)
        sizes.append(width or 256)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]


def test_the_icns_container_is_well_formed() -> None:
    data = resource_path("icons", "tdgen.icns").read_bytes()

    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    kinds, position = {}, 8
    while position < len(data):
        kind = data[position : position + 4].decode("ascii")
        length = struct.unpack(">I", data[position + 4 : position + 8])[0]
        kinds[kind] = _png_size(data[position + 8 : position + length])[0]
        position += length
    assert position == len(data)
    assert kinds["ic07"] == 128
    assert kinds["ic09"] == 512
    assert kinds["ic10"] == 1024


def test_the_desktop_entry_opens_schema_files() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(resource_path("linux", "tdgen.desktop"), encoding="utf-8")
    entry = parser["Desktop Entry"]

    assert entry["Type"] == "Application"
    assert entry["Exec"] == "tdgen %F"
    assert entry["Icon"] == "tdgen"
    assert set(filter(None, entry["MimeType"].split(";"))) == MIME_TYPES


def test_the_appstream_metainfo_matches_the_desktop_entry() -> None:
    root = ET.parse(resource_path("linux", "io.tdgen.tdgen.metainfo.xml")).getroot()  # noqa: S314

    assert root.tag == "component"
    assert root.attrib["type"] == "desktop-application"
    assert root.findtext("id") == "io.tdgen.tdgen"
    assert root.findtext("launchable") == "tdgen.desktop"
    assert {m.text for m in root.iter("mediatype")} == MIME_TYPES


@pytest.mark.parametrize("name", ["order.schema.json", "customers.schema.json"])
def test_the_example_json_schemas_import(name: str) -> None:
    from tdgen_desktop.importers import load_schema  # noqa: PLC0415

    path = resource_path("examples", name)
    dataset = load_schema(path)

    assert json.loads(path.read_text(encoding="utf-8"))["type"] == "object"
    assert len(dataset.tables) == 1


def test_the_shop_ddl_runs_in_sqlite_with_keys_and_checks() -> None:
    ddl = resource_path("examples", "shop.sql").read_text(encoding="utf-8")
    with sqlite3.connect(":memory:") as db:
        db.executescript(ddl)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        keys = {row[2] for row in db.execute("PRAGMA foreign_key_list(order_items)")}
        db.execute("INSERT INTO products VALUES (1, 'A-1', 'Lamp', 10, 0)")
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO products VALUES (2, 'A-2', 'Pen', -1, 0)")  # CHECK price > 0
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO products VALUES (3, 'A-1', 'Cup', 5, 0)")  # UNIQUE sku
    db.close()

    assert tables == {"customers", "products", "orders", "order_items"}
    assert keys == {"orders", "products"}


def test_the_csv_sample_has_a_header_and_rows() -> None:
    with resource_path("examples", "products.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))

    assert len(rows) >= 5
    assert set(rows[0]) == {"sku", "name", "category", "price", "in_stock", "released_on"}
