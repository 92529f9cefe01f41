"""The ``tdgen`` command line, run as a user runs it: ``python -m tdgen_desktop …`` in a subprocess.

Checks the output files (rows, labels, formats, folders), byte-identical reruns, and that every
bad input exits 2 with one line on stderr naming the file and the problem, writing nothing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tdgen_desktop.core.validation import Oracle
from tdgen_desktop.exporters.base import formula_risk

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO.parent / "shared" / "bench" / "customers.schema.json"
CASE_RECORD = {"case": "valid", "field": None, "rule": None, "expect": "accept"}

SMALL_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "item",
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "sku", "price", "in_stock", "tags", "note"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "x-unique": True},
        "sku": {"type": "string", "pattern": "^[A-Z]{2}-[0-9]{4}$"},
        "price": {"type": "number", "minimum": 0, "maximum": 999, "multipleOf": 0.01},
        "in_stock": {"type": "boolean"},
        "tags": {"type": "array", "items": {"enum": ["new", "sale", "eco"]}, "maxItems": 2},
        "note": {"type": ["string", "null"], "minLength": 1, "maxLength": 20},
        "size": {"enum": ["S", "M", "L"]},
    },
}


def tdgen(
    *args: str | Path, cwd: Path, hash_seed: int | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m tdgen_desktop ARGS`` in ``cwd`` and capture its output.

    ``hash_seed`` pins ``PYTHONHASHSEED``; runs of the same command with different hash seeds
    stand for separate runs on a user's machine (which get random ones).
    """
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("TDGEN_DEBUG", None)
    env.pop("PYTHONHASHSEED", None)
    if hash_seed is not None:
        env["PYTHONHASHSEED"] = str(hash_seed)
    return subprocess.run(
        [sys.executable, "-m", "tdgen_desktop", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def _ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr


def _read_jsonl(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _from_cell(text: str, schema: dict[str, Any]) -> Any:
    """A CSV cell back as the JSON value the schema's type calls for."""
    declared = schema.get("type", "string")
    types = declared if isinstance(declared, list) else [declared]
    if text == "" and "null" in types:
        return None
    if "integer" in types:
        return int(text)
    if "number" in types:
        return float(text)
    if "boolean" in types:
        return {"true": True, "false": False}[text]
    if "array" in types or "object" in types:
        return json.loads(text)
    return text


@pytest.fixture(scope="module")
def bench_schema() -> dict[str, Any]:
    if not BENCH.is_file():
        pytest.fail(f"the benchmark schema is not at {BENCH}")
    return json.loads(BENCH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def bench_csv(tmp_path_factory: pytest.TempPathFactory, bench_schema: Any) -> Path:
    """``tdgen generate customers.schema.json --rows 500 --seed 7`` into a fresh folder."""
    work = tmp_path_factory.mktemp("bench-csv")
    _ok(
        tdgen(
            "generate",
            BENCH,
            "--rows",
            "500",
            "--seed",
            "7",
            "-q",
            "--out",
            "out",
            cwd=work,
            hash_seed=1,
        )
    )
    return work / "out"


@pytest.fixture(scope="module")
def bench_jsonl(tmp_path_factory: pytest.TempPathFactory, bench_schema: Any) -> Path:
    """The same command as ``bench_csv`` with ``--format jsonl``."""
    work = tmp_path_factory.mktemp("bench-jsonl")
    _ok(
        tdgen(
            "generate",
            BENCH,
            "--rows",
            "500",
            "--seed",
            "7",
            "--format",
            "jsonl",
            "-q",
            "--out",
            "out",
            cwd=work,
            hash_seed=2,
        )
    )
    return work / "out"


@pytest.fixture
def write_schema(tmp_path: Path) -> Callable[..., Path]:
    def write(schema: Any, name: str = "schema.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(schema), encoding="utf-8")
        return path

    return write


# ------------------------------------------------------------------ basics


def test_version(tmp_path: Path) -> None:
    result = tdgen("--version", cwd=tmp_path)
    _ok(result)
    assert result.stdout.startswith("tdgen ")
    assert result.stdout.split()[1][0].isdigit()


def test_inspect_lists_each_field_with_type_and_kind(
    tmp_path: Path, bench_schema: dict[str, Any]
) -> None:
    result = tdgen("inspect", BENCH, cwd=tmp_path)
    _ok(result)
    lines = result.stdout.splitlines()
    assert any("customer" in line for line in lines)
    expected = {
        "id": ("integer", "id"),
        "first_name": ("string", "first_name"),
        "email": ("string", "email"),
        "birth_date": ("date", "date_of_birth"),
        "signup_ts": ("datetime", "past_timestamp"),
        "balance": ("number", "amount"),
        "city": ("string", "city"),
        "is_active": ("boolean", "-"),
    }
    for name in bench_schema["properties"]:
        row = next((line.split() for line in lines if line.split()[:1] == [name]), None)
        assert row is not None, f"{name} missing from:\n{result.stdout}"
        if name in expected:
            assert tuple(row[1:3]) == expected[name], row


def test_inspect_json_parses_and_describes_the_model(
    tmp_path: Path, bench_schema: dict[str, Any]
) -> None:
    result = tdgen("inspect", BENCH, "--json", cwd=tmp_path)
    _ok(result)
    model = json.loads(result.stdout)
    assert model["format"] == "jsonschema"
    (table,) = model["tables"]
    assert table["name"] == "customer"
    assert table["bare"] is False
    fields = {f["name"]: f for f in table["fields"]}
    assert list(fields) == list(bench_schema["properties"])
    assert fields["id"]["unique"] is True
    assert fields["middle_name"]["nullable"] is True
    assert fields["email"]["kind"] == "email"
    assert fields["balance"]["constraints"]["multiple_of"] == 0.01
    assert fields["order_code"]["constraints"]["pattern"] == "^[A-Z]{3}-[0-9]{5}$"


# ------------------------------------------------------------------ the bench schema


def test_generate_bench_writes_rows_and_case_labels(
    bench_csv: Path, bench_schema: dict[str, Any]
) -> None:
    assert _files(bench_csv) == ["customer.cases.jsonl", "customer.csv"]
    text = (bench_csv / "customer.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(bench_schema["properties"])
    assert len(rows) == 501
    labels = _read_jsonl(bench_csv / "customer.cases.jsonl")
    assert labels == [{"row": i, **CASE_RECORD} for i in range(500)]
    first_line = (bench_csv / "customer.cases.jsonl").read_text(encoding="utf-8").splitlines()[0]
    assert (
        first_line == '{"row": 0, "case": "valid", "field": null, "rule": null, "expect": "accept"}'
    )


def test_bench_csv_rows_validate_when_read_back(
    bench_csv: Path, bench_schema: dict[str, Any]
) -> None:
    oracle = Oracle(bench_schema)
    properties = bench_schema["properties"]
    with (bench_csv / "customer.csv").open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert len(records) == 500
    for number, record in enumerate(records):
        instance = {k: _from_cell(v, properties[k]) for k, v in record.items()}
        error = oracle.first_error(instance)
        assert error is None, f"row {number}: {instance}: {error.message if error else ''}"
    ids = [r["id"] for r in records]
    assert len(set(ids)) == 500


def test_bench_jsonl_rows_validate(bench_jsonl: Path, bench_schema: dict[str, Any]) -> None:
    rows = _read_jsonl(bench_jsonl / "customer.jsonl")
    assert len(rows) == 500
    oracle = Oracle(bench_schema)
    bad = [(i, r) for i, r in enumerate(rows) if not oracle.is_valid(r)]
    assert not bad, bad[:3]
    assert len({r["id"] for r in rows}) == 500


def test_bench_csv_and_jsonl_hold_the_same_rows(
    bench_jsonl: Path, bench_csv: Path, bench_schema: dict[str, Any]
) -> None:
    """Same seed, same rows, whatever the format (and whichever process makes them).

    The CSV carries the formula guard: text starting with = + - @ has a leading ``'``.
    """
    rows = _read_jsonl(bench_jsonl / "customer.jsonl")
    with (bench_csv / "customer.csv").open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    properties = bench_schema["properties"]
    for number, (row, record) in enumerate(zip(rows, records, strict=True)):
        back = {k: _from_cell(v, properties[k]) for k, v in record.items()}
        guarded = {k: "'" + v if formula_risk(v) else v for k, v in row.items()}
        assert guarded == back, f"row {number}"
    assert (bench_jsonl / "customer.cases.jsonl").read_bytes() == (
        bench_csv / "customer.cases.jsonl"
    ).read_bytes()


def test_same_command_twice_gives_byte_identical_files(tmp_path: Path, bench_csv: Path) -> None:
    _ok(
        tdgen(
            "generate",
            BENCH,
            "--rows",
            "500",
            "--seed",
            "7",
            "-q",
            "--out",
            "again",
            cwd=tmp_path,
            hash_seed=3,
        )
    )
    for name in ("customer.csv", "customer.cases.jsonl"):
        ours = (tmp_path / "again" / name).read_text(encoding="utf-8").splitlines()
        theirs = (bench_csv / name).read_text(encoding="utf-8").splitlines()
        differing = [(a, b) for a, b in zip(ours, theirs, strict=True) if a != b]
        assert not differing, f"{name}: {len(differing)} lines differ, e.g. {differing[:2]}"
        assert (tmp_path / "again" / name).read_bytes() == (bench_csv / name).read_bytes()


def test_different_seed_gives_different_data(tmp_path: Path, bench_csv: Path) -> None:
    _ok(
        tdgen(
            "generate", BENCH, "--rows", "500", "--seed", "8", "-q", "--out", "other", cwd=tmp_path
        )
    )
    ours = (tmp_path / "other" / "customer.csv").read_text(encoding="utf-8").splitlines()
    theirs = (bench_csv / "customer.csv").read_text(encoding="utf-8").splitlines()
    assert ours[0] == theirs[0]
    assert len(ours) == len(theirs)
    same = sum(a == b for a, b in zip(ours[1:], theirs[1:], strict=True))
    assert same == 0


# ------------------------------------------------------------------ formats and folders


def test_all_four_formats_hold_the_same_rows(
    tmp_path: Path, write_schema: Callable[..., Path]
) -> None:
    schema_path = write_schema(SMALL_SCHEMA, "item.schema.json")
    for fmt in ("csv", "tsv", "json", "jsonl"):
        _ok(
            tdgen(
                "generate",
                schema_path,
                "--rows",
                "120",
                "--seed",
                "3",
                "--format",
                fmt,
                "-q",
                "--out",
                fmt,
                cwd=tmp_path,
            )
        )
        assert _files(tmp_path / fmt) == sorted([f"item.{fmt}", "item.cases.jsonl"])

    oracle = Oracle(SMALL_SCHEMA)
    jsonl = _read_jsonl(tmp_path / "jsonl" / "item.jsonl")
    assert len(jsonl) == 120
    assert all(oracle.is_valid(r) for r in jsonl)

    as_json = json.loads((tmp_path / "json" / "item.json").read_text(encoding="utf-8"))
    assert as_json == jsonl

    columns = list(SMALL_SCHEMA["properties"])
    props = SMALL_SCHEMA["properties"]
    with (tmp_path / "csv" / "item.csv").open(encoding="utf-8", newline="") as handle:
        csv_rows = list(csv.reader(handle))
    tsv_rows = [
        line.split("\t")
        for line in (tmp_path / "tsv" / "item.tsv").read_text(encoding="utf-8").splitlines()
    ]
    for table in (csv_rows, tsv_rows):
        assert table[0] == columns
        assert len(table) == 121
        for cells, row in zip(table[1:], jsonl, strict=True):
            back = {k: _from_cell(v, props[k]) for k, v in zip(columns, cells, strict=True)}
            if back.get("size") == "" and "size" not in row:
                del back["size"]  # an absent optional property is an empty cell
            assert back == row
    for fmt in ("csv", "tsv", "json"):
        assert (tmp_path / fmt / "item.cases.jsonl").read_bytes() == (
            tmp_path / "jsonl" / "item.cases.jsonl"
        ).read_bytes()


def test_two_schemas_get_a_subfolder_each(
    tmp_path: Path, write_schema: Callable[..., Path]
) -> None:
    first = write_schema(SMALL_SCHEMA, "shop.schema.json")
    second = write_schema(
        {
            "title": "tick",
            "type": "object",
            "required": ["n"],
            "properties": {"n": {"type": "integer"}},
        },
        "clock.json",
    )
    _ok(tdgen("generate", first, second, "--rows", "7", "-q", "--out", "out", cwd=tmp_path))
    assert _files(tmp_path / "out") == [
        "clock/tick.cases.jsonl",
        "clock/tick.csv",
        "shop/item.cases.jsonl",
        "shop/item.csv",
    ]
    assert len((tmp_path / "out" / "shop" / "item.csv").read_text().splitlines()) == 8


def test_default_output_folder_is_tdgen_out(
    tmp_path: Path, write_schema: Callable[..., Path]
) -> None:
    schema_path = write_schema(SMALL_SCHEMA, "item.json")
    _ok(tdgen("generate", schema_path, "--rows", "3", "-q", cwd=tmp_path))
    assert _files(tmp_path / "tdgen-out") == ["item.cases.jsonl", "item.csv"]


def test_summary_is_printed_without_quiet(
    tmp_path: Path, write_schema: Callable[..., Path]
) -> None:
    schema_path = write_schema(SMALL_SCHEMA, "item.json")
    result = tdgen("generate", schema_path, "--rows", "5", "--out", "out", cwd=tmp_path)
    _ok(result)
    assert "item" in result.stdout
    assert "5 rows" in result.stdout


def test_root_not_object_writes_bare_instances(
    tmp_path: Path, write_schema: Callable[..., Path]
) -> None:
    schema = {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 99}}
    schema_path = write_schema(schema, "numbers.json")
    for fmt in ("jsonl", "json"):
        _ok(
            tdgen(
                "generate",
                schema_path,
                "--rows",
                "30",
                "--format",
                fmt,
                "-q",
                "--out",
                fmt,
                cwd=tmp_path,
            )
        )
    lines = (tmp_path / "jsonl" / "numbers.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 30
    rows = [json.loads(line) for line in lines]
    assert all(isinstance(r, list) for r in rows)
    assert all(line.startswith("[") for line in lines)
    oracle = Oracle(schema)
    assert all(oracle.is_valid(r) for r in rows)
    assert json.loads((tmp_path / "json" / "numbers.json").read_text(encoding="utf-8")) == rows


# ------------------------------------------------------------------ bad input


def _assert_refused(result: subprocess.CompletedProcess[str], folder: Path, *needles: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("tdgen: error: "), line
    for needle in needles:
        assert needle in line, line
    assert not (folder / "out").exists(), "an output folder was created"
    assert not (folder / "tdgen-out").exists(), "an output folder was created"
    return line


@pytest.mark.parametrize(
    ("schema", "needles"),
    [
        (
            {
                "type": "object",
                "required": ["age"],
                "properties": {"age": {"type": "integer", "minimum": 10, "maximum": 1}},
            },
            ["field 'age'", "minimum", "maximum"],
        ),
        (
            {
                "type": "object",
                "required": ["code"],
                "properties": {"code": {"type": "string", "minLength": 9, "maxLength": 3}},
            },
            ["field 'code'", "minLength", "maxLength"],
        ),
        (
            {
                "type": "object",
                "required": ["code"],
                "properties": {"code": {"type": "string", "pattern": "[a-"}},
            },
            ["code", "[a-"],
        ),
        (
            {
                "type": "object",
                "required": ["size"],
                "properties": {"size": {"enum": ["S", "M", "L"], "x-unique": True}},
            },
            ["field 'size'", "unique", "3", "10"],
        ),
        (
            {
                "type": "object",
                "required": ["n"],
                "properties": {
                    "n": {"type": "integer", "minimum": 1, "maximum": 5, "x-unique": True}
                },
            },
            ["field 'n'", "unique", "5", "10"],
        ),
        ({"type": 12}, ["not a valid JSON Schema"]),
    ],
    ids=[
        "min>max",
        "minLength>maxLength",
        "invalid regex",
        "unique enum",
        "unique int",
        "not schema",
    ],
)
def test_bad_schemas_exit_2_with_one_line(
    tmp_path: Path, write_schema: Callable[..., Path], schema: Any, needles: list[str]
) -> None:
    path = write_schema(schema, "bad.json")
    result = tdgen("generate", path, "--rows", "10", "--out", "out", cwd=tmp_path)
    _assert_refused(result, tmp_path, str(path), *needles)


def test_not_json_exits_2_naming_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"type": "object",\n  "properties": {\n', encoding="utf-8")
    result = tdgen("generate", path, "--out", "out", cwd=tmp_path)
    _assert_refused(result, tmp_path, str(path), "not valid JSON", "line 3")


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = tdgen("generate", tmp_path / "absent.json", "--out", "out", cwd=tmp_path)
    _assert_refused(result, tmp_path, "absent.json", "not found")


def test_empty_enum_is_refused_not_generated(
    tmp_path: Path, write_schema: Callable[..., Path]
) -> None:
    schema = {"type": "object", "required": ["status"], "properties": {"status": {"enum": []}}}
    path = write_schema(schema, "empty-enum.json")
    result = tdgen("generate", path, "--rows", "10", "--out", "out", cwd=tmp_path)
    _assert_refused(result, tmp_path, str(path), "status")


def test_failure_during_generation_names_file_and_field_and_leaves_no_folder(
    tmp_path: Path, write_schema: Callable[..., Path]
) -> None:
    """Either the rows are made, or the one-line error names file and field, writing nothing."""
    schema = {
        "type": "object",
        "required": ["code"],
        "properties": {"code": {"type": "string", "maxLength": 2, "x-unique": True}},
    }
    path = write_schema(schema, "tiny.json")
    result = tdgen(
        "generate", path, "--rows", "500", "--format", "jsonl", "--out", "out", cwd=tmp_path
    )
    if result.returncode == 0:
        rows = _read_jsonl(tmp_path / "out" / "tiny.jsonl")
        assert len({r["code"] for r in rows}) == 500
    else:
        _assert_refused(result, tmp_path, str(path), "field 'code'")


def test_format_xml_exits_2_listing_formats(tmp_path: Path) -> None:
    result = tdgen("generate", BENCH, "--format", "xml", "--out", "out", cwd=tmp_path)
    line = _assert_refused(result, tmp_path, "--format", "xml")
    for name in ("csv", "tsv", "json", "jsonl"):
        assert name in line


def test_rows_not_a_number_exits_2(tmp_path: Path) -> None:
    result = tdgen("generate", BENCH, "--rows", "abc", "--out", "out", cwd=tmp_path)
    _assert_refused(result, tmp_path, "--rows", "abc")


def test_wrong_table_exits_2_naming_the_tables(tmp_path: Path) -> None:
    result = tdgen("generate", BENCH, "--table", "orders", "--out", "out", cwd=tmp_path)
    _assert_refused(result, tmp_path, str(BENCH), "orders", "customer")


def test_bad_second_schema_writes_nothing_for_either(
    tmp_path: Path, write_schema: Callable[..., Path]
) -> None:
    good = write_schema(SMALL_SCHEMA, "good.json")
    bad = write_schema({"type": 12}, "bad.json")
    result = tdgen("generate", good, bad, "--rows", "5", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert "bad.json" in result.stderr
    assert not (tmp_path / "out").exists()


def test_closed_stdout_is_not_an_internal_error(tmp_path: Path) -> None:
    """``tdgen inspect SCHEMA --json | head -1`` must not report an internal error."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    with subprocess.Popen(
        [sys.executable, "-m", "tdgen_desktop", "inspect", str(BENCH), "--json"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None
        assert proc.stderr is not None
        proc.stdout.close()
        stderr = proc.stderr.read().decode("utf-8")
        proc.wait(timeout=60)
    assert "internal error" not in stderr
    assert "Traceback" not in stderr
