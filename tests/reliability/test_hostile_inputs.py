"""Hostile inputs: each is answered within seconds, with rows or a message naming the file.

Every test has a time bound (``pytest.mark.timeout``) and records the measured seconds for
docs/RELIABILITY.md. A few of the files also go through the ``tdgen generate`` command line,
which must exit with code 2, print one line on stderr without a traceback and write no file.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tdgen_desktop.core.enums import CaseKind, ExportFormat
from tdgen_desktop.core.errors import SchemaError, TdgenError
from tdgen_desktop.generation.pipeline import GenerationRequest, JobResult, run_pipeline
from tdgen_desktop.importers import MAX_FILE_BYTES, load_schema

Recorder = Callable[..., None]

_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def _schema(folder: Path, name: str, document: Any) -> Path:
    return _write(folder, name, json.dumps(document))


def _job(path: Path, out: Path, rows: int = 20) -> JobResult:
    """Import and generate valid, boundary and invalid rows as JSON Lines."""
    request = GenerationRequest(
        source=path, out_dir=out, rows=rows, cases=frozenset(CaseKind), format=ExportFormat.JSONL
    )
    return run_pipeline(request)


def _outcome(path: Path, out: Path, rows: int = 20) -> tuple[str, float]:
    """('rows: N' or the error message, seconds); any other exception fails the test."""
    started = time.perf_counter()
    try:
        outcome = f"{_job(path, out, rows).rows} rows generated"
    except TdgenError as exc:
        outcome = exc.message
    seconds = time.perf_counter() - started
    if outcome.endswith("rows generated"):
        return outcome, seconds
    assert path.name in outcome, f"the message does not name the file: {outcome}"
    return outcome.replace(str(path.parent) + "/", ""), seconds


def _cli(path: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tdgen_desktop", "generate", str(path), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _assert_cli_refuses(path: Path, out: Path, *extra: str) -> str:
    done = _cli(path, out, *extra)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert path.name in lines[0]
    assert not out.exists() or not any(out.iterdir()), "the refused job wrote output"
    return lines[0]


# ------------------------------------------------------------------------- $ref


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("label", "document"),
    [
        ("a root that is only {'$ref': '#'}", {"$schema": _DRAFT, "$ref": "#"}),
        (
            "a property referring to the root",
            {
                "$schema": _DRAFT,
                "type": "object",
                "properties": {"a": {"$ref": "#"}, "b": {"type": "string"}},
            },
        ),
        (
            "two definitions referring to each other",
            {
                "$schema": _DRAFT,
                "type": "object",
                "properties": {"a": {"$ref": "#/$defs/a"}},
                "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
            },
        ),
        (
            "a chain of 2,000 $ref hops",
            {
                "$schema": _DRAFT,
                "type": "object",
                "properties": {"x": {"$ref": "#/$defs/d0"}},
                "$defs": {f"d{i}": {"$ref": f"#/$defs/d{i + 1}"} for i in range(2000)}
                | {"d2000": {"type": "string"}},
            },
        ),
    ],
)
def test_recursive_refs(label: str, document: Any, tmp_path: Path, record: Recorder) -> None:
    path = _schema(tmp_path, "refs.json", document)
    result, seconds = _outcome(path, tmp_path / "out")
    record("Hostile input", f"$ref: {label}", result, f"{seconds:.2f} s")
    assert seconds < 15


def test_self_reference_at_the_root_is_refused(tmp_path: Path) -> None:
    """Regression: ``{"$ref": "#"}`` raised an internal exception instead of a message."""
    path = _schema(tmp_path, "self.json", {"$schema": _DRAFT, "$ref": "#"})
    with pytest.raises(TdgenError, match=r"self\.json: the schema admits no value"):
        load_schema(path)


# ------------------------------------------------------------------------- deep nesting


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("label", "name", "text"),
    [
        ("100,000 nested JSON arrays", "deep.json", "[" * 100_000 + "]" * 100_000),
        ("100,000 nested YAML lists", "deep.yaml", "[" * 100_000 + "]" * 100_000),
        (
            "a JSON Schema with objects nested 3,000 deep",
            "deep-schema.json",
            '{"type":"object","properties":{"a":' * 3000 + "{}" + "}}" * 3000,
        ),
    ],
)
def test_very_deep_documents(
    label: str, name: str, text: str, tmp_path: Path, record: Recorder
) -> None:
    path = _write(tmp_path, name, text)
    started = time.perf_counter()
    with pytest.raises(SchemaError, match="nested too deeply") as caught:
        load_schema(path)
    seconds = time.perf_counter() - started
    record("Hostile input", label, caught.value.problem, f"{seconds:.2f} s")
    assert seconds < 15
    assert name in caught.value.message


@pytest.mark.timeout(60)
def test_deep_json_on_the_command_line(tmp_path: Path, record: Recorder) -> None:
    path = _write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    line = _assert_cli_refuses(path, tmp_path / "out")
    record(
        "Hostile input",
        "tdgen generate on 100,000 nested arrays",
        "exit 2: " + line.replace(str(path.parent) + "/", ""),
    )


# ------------------------------------------------------------------------- size


@pytest.mark.timeout(120)
def test_a_200_mb_file_is_refused_before_reading(tmp_path: Path, record: Recorder) -> None:
    path = tmp_path / "huge.json"
    chunk = b"x" * (1024 * 1024)
    with path.open("wb") as out:
        out.write(b'{"type": "object", "description": "')
        for _ in range(200):
            out.write(chunk)
        out.write(b'"}')
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(SchemaError, match="MiB are read") as caught:
            load_schema(path)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "huge.json" in caught.value.message
    assert peak < 5 * 1024 * 1024, f"peak memory {peak / 1e6:.1f} MB while refusing the file"
    record(
        "Hostile input",
        f"a 200 MB JSON file (limit: {MAX_FILE_BYTES // (1024 * 1024)} MiB, checked before "
        "reading)",
        caught.value.problem,
        f"{seconds:.3f} s, peak {peak / 1e6:.2f} MB",
    )
    line = _assert_cli_refuses(path, tmp_path / "out")
    assert "MiB" in line


# ------------------------------------------------------------------------- YAML


def _alias_bomb(place: str) -> str:
    lines = [
        "openapi: 3.0.0",
        "info: {title: bomb, version: '1'}",
        "paths: {}",
        "components:",
        "  schemas:",
        "    Bomb:",
        "      type: object",
        '      x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ]
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"      x-{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    lines += ["      properties:", f"        name: {{type: string, {place}: *i}}"]
    return "\n".join(lines) + "\n"


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("label", "text", "expected"),
    [
        ("a billion-laughs alias bomb (9^9 values)", _alias_bomb("default"), "alias bomb"),
        (
            "an alias that contains itself",
            "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: {}\ncomponents:\n"
            "  schemas:\n    Loop: &l\n      type: object\n      properties:\n        self: *l\n",
            "refers to a value that contains it",
        ),
    ],
)
def test_yaml_aliases(
    label: str, text: str, expected: str, tmp_path: Path, record: Recorder
) -> None:
    path = _write(tmp_path, "api.yaml", text)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(SchemaError, match=expected) as caught:
            load_schema(path)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "api.yaml" in caught.value.message
    assert seconds < 10
    record(
        "Hostile input",
        f"OpenAPI YAML: {label}",
        caught.value.problem,
        f"{seconds:.2f} s, peak {peak / 1e6:.1f} MB",
    )


@pytest.mark.timeout(60)
def test_alias_bomb_on_the_command_line(tmp_path: Path, record: Recorder) -> None:
    path = _write(tmp_path, "bomb.yaml", _alias_bomb("default"))
    line = _assert_cli_refuses(path, tmp_path / "out")
    assert "alias bomb" in line
    record(
        "Hostile input",
        "tdgen generate on the alias bomb",
        "exit 2: " + line.replace(str(path.parent) + "/", ""),
    )


# ------------------------------------------------------------------------- patterns


_TOO_MANY = "at most 10,000 are generated"
_OVERLAP = "took more than 1 s to check"


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("pattern", "refused"),
    [
        ("(a+)+$", ""),
        ("^(a+)+$", ""),
        ("((a*)*b)*", ""),
        ("(a|aa)+$", ""),
        ("^(\\w+\\s?)*$", ""),
        # Python's re needed minutes or more per near miss on these two (valid rows stalled).
        ("^(([a-z])+.)+[A-Z]([a-z])+$", ""),
        ("^(.*a){25}$", ""),
        ("[a-z]{1,1000000}", ""),
        ("a{1000000}", _TOO_MANY),
        ("^a{1000000000}$", _TOO_MANY),
        ("(x{1000}){1000}", _TOO_MANY),
        # No engine that backtracks answers this one on a long run of a: refused in bounded time.
        ("^(a|aa)+(?<!a)$", _OVERLAP),
    ],
)
def test_explosive_patterns(pattern: str, refused: str, tmp_path: Path, record: Recorder) -> None:
    """Valid, boundary and invalid rows of a field with the pattern, each row checked by the
    oracle (the pattern-mismatch row is a near miss), or one message naming field and pattern.
    """
    document = {
        "$schema": _DRAFT,
        "type": "object",
        "required": ["code"],
        "properties": {"code": {"type": "string", "pattern": pattern}},
    }
    path = _schema(tmp_path, "pattern.json", document)
    result, seconds = _outcome(path, tmp_path / "out")
    record("Hostile input", f"pattern {pattern!r} (all cases)", result, f"{seconds:.2f} s")
    assert seconds < 15
    if refused:
        assert "field 'code'" in result
        assert repr(pattern) in result
        assert refused in result, result
    else:
        assert result.endswith("rows generated"), result
        rows = (tmp_path / "out" / "pattern.cases.jsonl").read_text().splitlines()
        if re.search(pattern, "") is None:  # else every string matches: no mismatch case
            assert any('"rule": "pattern"' in row for row in rows), "no pattern-mismatch case"


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("pattern", "code"), [("^(([a-z])+.)+[A-Z]([a-z])+$", 0), ("^(a|aa)+(?<!a)$", 2)]
)
def test_explosive_pattern_on_the_command_line(
    pattern: str, code: int, tmp_path: Path, record: Recorder
) -> None:
    """`tdgen generate --cases all` answers within seconds: rows, or exit 2 with one line."""
    document = {
        "type": "object",
        "required": ["code"],
        "properties": {"code": {"type": "string", "pattern": pattern}},
    }
    path = _schema(tmp_path, "pattern.json", document)
    out = tmp_path / "out"
    started = time.perf_counter()
    if code == 2:
        line = _assert_cli_refuses(path, out, "--cases", "all")
        assert _OVERLAP in line
        assert "simplify the pattern" in line
        result = f"exit 2: {line.replace(str(tmp_path) + '/', '')}"
    else:
        done = _cli(path, out, "--cases", "all", "-q")
        assert done.returncode == 0, done.stderr
        labels = (out / "pattern.cases.jsonl").read_text().splitlines()
        result = f"exit 0, {len(labels)} rows (valid, boundary, invalid)"
    seconds = time.perf_counter() - started
    record(
        "Hostile input",
        f"tdgen generate --cases all, pattern {pattern!r}",
        result,
        f"{seconds:.1f} s",
    )
    assert seconds < 30


# ------------------------------------------------------------------------- encodings

_ENCODED = '{"type": "object", "title": "Café", "properties": {"name": {"type": "string"}}}'


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("UTF-8 with a byte-order mark", _ENCODED.encode("utf-8-sig")),
        ("UTF-16 (little-endian) with a byte-order mark", _ENCODED.encode("utf-16")),
        ("UTF-16 big-endian with a byte-order mark", b"\xfe\xff" + _ENCODED.encode("utf-16-be")),
        ("UTF-32 with a byte-order mark", _ENCODED.encode("utf-32")),
    ],
    ids=["utf-8-bom", "utf-16-le", "utf-16-be", "utf-32"],
)
def test_unicode_files_with_a_bom_import(
    label: str, data: bytes, tmp_path: Path, record: Recorder
) -> None:
    path = _write(tmp_path, "customer.json", data)
    started = time.perf_counter()
    dataset = load_schema(path)
    seconds = time.perf_counter() - started
    reference = load_schema(_write(tmp_path, "utf8.json", _ENCODED))
    assert dataset.tables[0].name == reference.tables[0].name
    assert [f.name for f in dataset.tables[0].fields] == ["name"]
    record(
        "Hostile input",
        f"a JSON Schema in {label}",
        "imported like the UTF-8 file",
        f"{seconds:.3f} s",
    )


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("latin1.json", _ENCODED.encode("latin-1")),
        ("latin1.csv", "name,city\nJosé,Zürich\n".encode("latin-1")),
    ],
    ids=["json", "csv"],
)
def test_latin1_files_are_refused_with_the_offset(
    name: str, data: bytes, tmp_path: Path, record: Recorder
) -> None:
    path = _write(tmp_path, name, data)
    with pytest.raises(
        SchemaError, match=r"is not UTF-8 text \(byte 0xe9 at offset \d+\)"
    ) as caught:
        load_schema(path)
    assert name in caught.value.message
    record("Hostile input", f"a Latin-1 file ({name})", caught.value.problem)
    line = _assert_cli_refuses(path, tmp_path / "out")
    assert "not UTF-8" in line


# ------------------------------------------------------------------------- CSV


@pytest.mark.timeout(60)
def test_crlf_csv_reads_like_lf(tmp_path: Path, record: Recorder) -> None:
    body = "name,age,joined\nAnn,34,2020-01-05\nBob,41,2019-11-30\nCleo,29,2021-06-01\n"
    lf = load_schema(_write(tmp_path, "lf.csv", body))
    crlf_path = _write(tmp_path, "crlf.csv", body.replace("\n", "\r\n").encode())
    started = time.perf_counter()
    crlf = load_schema(crlf_path)
    seconds = time.perf_counter() - started
    assert [(f.name, f.type) for f in crlf.tables[0].fields] == [
        (f.name, f.type) for f in lf.tables[0].fields
    ]
    result, _ = _outcome(crlf_path, tmp_path / "out")
    assert result.endswith("rows generated"), result
    record(
        "Hostile input",
        "a CSV sample with CRLF line ends",
        "the same columns and types as with LF; " + result,
        f"{seconds:.3f} s",
    )


@pytest.mark.timeout(60)
def test_ragged_csv_names_the_row(tmp_path: Path, record: Recorder) -> None:
    path = _write(tmp_path, "ragged.csv", "name,age\nAnn,3,extra\nBob\n")
    with pytest.raises(SchemaError, match="row 2 has 3 cells but the header has 2") as caught:
        load_schema(path)
    assert "ragged.csv" in caught.value.message
    record(
        "Hostile input", "a ragged CSV sample (rows with more or fewer cells)", caught.value.problem
    )


# ------------------------------------------------------------------------- impossible requests


@pytest.mark.timeout(60)
def test_a_billion_unique_values_from_three(tmp_path: Path, record: Recorder) -> None:
    path = _write(
        tmp_path,
        "codes.sql",
        "CREATE TABLE codes (code TEXT NOT NULL UNIQUE CHECK (code IN ('a', 'b', 'c')));",
    )
    result, seconds = _outcome(path, tmp_path / "out", rows=10**9)
    assert "field 'code'" in result
    assert "admits only about 3 distinct values" in result
    assert seconds < 10
    record(
        "Hostile input",
        "10^9 unique rows from a 3-value enum (SQL DDL)",
        result,
        f"{seconds:.2f} s",
    )
    line = _assert_cli_refuses(path, tmp_path / "cli-out", "--rows", "1000000000")
    assert "3 distinct values" in line


@pytest.mark.timeout(60)
def test_a_billion_unique_array_items_from_three(tmp_path: Path, record: Recorder) -> None:
    document = {
        "$schema": _DRAFT,
        "type": "array",
        "uniqueItems": True,
        "minItems": 10**9,
        "items": {"enum": ["a", "b", "c"]},
    }
    path = _schema(tmp_path, "items.json", document)
    result, seconds = _outcome(path, tmp_path / "out", rows=1)
    assert "minItems 1,000,000,000 is more than the 10,000 items" in result
    assert seconds < 10
    record(
        "Hostile input",
        "an array of 10^9 unique items from a 3-value enum",
        result,
        f"{seconds:.2f} s",
    )
