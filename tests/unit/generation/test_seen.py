"""What unique columns remember: a compact, deterministic digest per text value.

Digest collisions (forced here with a narrow digest) only replace a value that was new, so a
column stays unique; the digest does not depend on the process's hash salt.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from tdgen_desktop.core.enums import CaseKind, ExportFormat, FieldType
from tdgen_desktop.core.errors import UnsatisfiableError
from tdgen_desktop.core.model import Constraints, Field
from tdgen_desktop.generation.pipeline import GenerationRequest, run_pipeline
from tdgen_desktop.generation.pools import Pools, derive_seed
from tdgen_desktop.generation.seen import SeenValues, text_digest, value_key
from tdgen_desktop.generation.values import Env, GenContext, UniqueSource, compile_field

TEXTS = ["anna.smith@example.com", "Zoë Ørsted", "שלום", "", "a" * 300, "x\ud800y"]


def test_the_digest_is_the_same_whatever_the_hash_salt() -> None:
    script = (
        "from tdgen_desktop.generation.seen import text_digest\n"
        f"print([text_digest(t) for t in {TEXTS!r}])"
    )
    printed = set()
    for salt in ("1", "2", "random"):
        env = {**os.environ, "PYTHONHASHSEED": salt}
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        printed.add(done.stdout.strip())
    assert printed == {str([text_digest(t) for t in TEXTS])}
    assert len({text_digest(t) for t in TEXTS}) == len(TEXTS)
    assert all(-(2**63) <= text_digest(t) < 2**63 for t in TEXTS)


def test_seen_values_hold_every_key_before_and_after_the_buckets() -> None:
    seen = SeenValues()
    given = [f"user{i}@example.com" for i in range(30_000)]  # past the small set's limit
    assert all(seen.add(text) for text in given)
    assert not any(seen.add(text) for text in given)
    assert all(text in seen for text in given)
    others = [f"user{i}@example.org" for i in range(30_000)]
    assert not any(text in seen for text in others)
    # Keys that are not text are kept as they are, with a set's equality.
    for key in (7, ("bool", True), None, 2.5):
        assert key not in seen
        assert seen.add(key)
        assert not seen.add(key)
    assert 7.0 in seen
    assert ("bool", False) not in seen
    assert "7" not in seen


def test_a_match_across_two_packed_entries_is_no_match() -> None:
    def digest(packed: bytes) -> int:  # 8 bytes, little-endian: the first two are the bucket
        return int.from_bytes(packed, "little", signed=True)

    chosen = {
        "first": digest(b"\x09\x00\xaa\xbb\x09\x00\xcc\xdd"),
        "second": digest(b"\x09\x00\xee\xff\x11\x22\x33\x44"),
        "straddling": digest(b"\x09\x00\xcc\xdd\x09\x00\xee\xff"),  # bucket bytes 4..11
    }

    def filler(text: str) -> int:
        found = text_digest(text)
        return found + 1 if found & 0xFFFF == 9 else found  # keep bucket 9 for the chosen

    seen = SeenValues(digest=lambda text: chosen.get(text) or filler(text))
    for i in range(10_000):  # past the small set, into the buckets
        seen.add(f"filler{i}")
    assert seen.add("first")
    assert seen.add("second")
    assert "straddling" not in seen
    assert seen.add("straddling")
    assert "straddling" in seen


def test_seen_text_costs_a_few_bytes_a_value() -> None:
    seen = SeenValues()
    tracemalloc.start()
    try:
        for i in range(50_000):  # the buckets exist (a fixed 3 to 4 MB)
            seen.add(f"firstname.lastname{i}@example.com")
        before = tracemalloc.get_traced_memory()[0]
        for i in range(50_000, 200_000):
            seen.add(f"firstname.lastname{i}@example.com")
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # A set of the strings themselves takes about 100 bytes a value, a set of 64-bit ints about
    # 70; a digest in a bucket about 12 while the buckets are short, 7 to 9 at a million.
    assert grown / 150_000 < 20


def test_value_key_compares_lists_by_their_json_text() -> None:
    assert value_key([1, {"b": 2, "a": 1}]) == value_key([1, {"a": 1, "b": 2}])
    assert value_key(True) != value_key(1)
    seen = SeenValues()
    assert seen.add(value_key([1, 2]))
    assert value_key([1, 2]) in seen
    assert value_key([2, 1]) not in seen


def _unique_nicknames() -> UniqueSource:
    field = Field(
        name="nick",
        type=FieldType.STRING,
        constraints=Constraints(min_length=1, max_length=12),
        unique=True,
    )
    source = compile_field(field, Env(Pools(0), derive_seed(0, "t")))
    assert isinstance(source, UniqueSource)
    source.deferred = True
    return source


def _fixed_column(source: UniqueSource, rows: int) -> tuple[list[str], list[int]]:
    values = source.column(GenContext(random.Random(5), 0), rows)
    changed = source.fix(values, 0, lambda row: GenContext(random.Random(row), row))
    return values, changed


def test_forced_digest_collisions_still_give_distinct_values() -> None:
    rows = 12_000
    normal = _unique_nicknames()
    values, changed = _fixed_column(normal, rows)
    assert len(set(values)) == rows

    narrow = _unique_nicknames()
    narrow.seen = SeenValues(digest=lambda text: text_digest(text) & 0xFFFFF)  # 20 bits
    narrow_values, narrow_changed = _fixed_column(narrow, rows)
    # About rows² / 2 / 2²⁰ ≈ 69 new values collide and are replaced: still all distinct.
    assert len(set(narrow_values)) == rows
    assert all(isinstance(v, str) and 1 <= len(v) <= 12 for v in narrow_values)
    assert len(narrow_changed) > len(changed) + 20


def test_a_digest_with_too_few_values_runs_out_instead_of_repeating() -> None:
    narrow = _unique_nicknames()
    narrow.seen = SeenValues(digest=lambda text: text_digest(text) & 0xFF)  # 256 digests
    with pytest.raises(UnsatisfiableError):
        _fixed_column(narrow, 1_000)


def test_a_unique_list_column_gets_boundary_and_invalid_cases(tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "required": ["tags"],
        "properties": {
            "tags": {
                "type": "array",
                "items": {"type": "integer", "minimum": 0, "maximum": 50},
                "minItems": 1,
                "maxItems": 3,
                "x-unique": True,
            }
        },
    }
    source = tmp_path / "tagged.json"
    source.write_text(json.dumps(schema), encoding="utf-8")
    out = tmp_path / "out"
    request = GenerationRequest(
        source, out, rows=300, cases=frozenset(CaseKind), processes=0, format=ExportFormat.JSONL
    )
    result = run_pipeline(request, lambda _event: None)  # lists were unhashable here before
    assert result.validation_failures == 0
    rows = [json.loads(line) for line in (out / "tagged.jsonl").read_text("utf-8").splitlines()]
    labels = (out / "tagged.cases.jsonl").read_text("utf-8").splitlines()
    valid = [row["tags"] for row, label in zip(rows, labels, strict=True) if '"valid"' in label]
    assert len(valid) == 300
    assert len({json.dumps(tags) for tags in valid}) == 300
    assert any('"invalid"' in label for label in labels)
