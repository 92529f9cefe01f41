"""Every real-world schema of the shared corpus generates valid rows through the command line.

For each file: ``tdgen generate FILE --rows 25 --format jsonl --seed 1 -q --out DIR`` must exit 0
with every JSONL line valid against the file (checked by the validation oracle) and one case label
per row — or, for the files listed in ``EXPECTED_REFUSALS``, exit 2 with a one-line message.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tdgen_desktop.core.validation import Oracle

pytestmark = pytest.mark.slow

ROWS = 25
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "jsonschema"
CORPUS_FILES = sorted(CORPUS.glob("*.json")) if CORPUS.is_dir() else []

EXPECTED_REFUSALS: dict[str, str] = {}
"""Corpus files tdgen is expected to refuse (exit 2): file name → a word of the message."""


def test_corpus_is_present(corpus: Path) -> None:
    assert (corpus / "jsonschema").is_dir()
    assert len(CORPUS_FILES) >= 10
    assert set(EXPECTED_REFUSALS) <= {p.name for p in CORPUS_FILES}


@pytest.mark.parametrize("schema_path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_corpus_schema_generates_valid_rows(schema_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tdgen_desktop",
            "generate",
            str(schema_path),
            "--rows",
            str(ROWS),
            "--format",
            "jsonl",
            "--seed",
            "1",
            "-q",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=240,
        check=False,
    )
    if schema_path.name in EXPECTED_REFUSALS:
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert EXPECTED_REFUSALS[schema_path.name] in lines[0]
        return
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr

    produced = sorted(p.name for p in out.iterdir())
    data_files = [n for n in produced if not n.endswith(".cases.jsonl")]
    assert len(data_files) == 1, produced
    stem = data_files[0].removesuffix(".jsonl")
    assert produced == sorted([f"{stem}.jsonl", f"{stem}.cases.jsonl"])

    schema = json.loads(schema_path.read_text(encoding="utf-8-sig"))
    oracle = Oracle(schema)
    lines = (out / data_files[0]).read_text(encoding="utf-8").splitlines()
    assert len(lines) == ROWS
    for number, line in enumerate(lines):
        instance = json.loads(line)
        error = oracle.first_error(instance)
        if error is not None:
            where = "/" + "/".join(str(p) for p in error.absolute_path)
            pytest.fail(f"row {number} invalid at {where}: {error.message[:300]}")

    labels = (out / f"{stem}.cases.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(labels) == ROWS
    assert [json.loads(x)["row"] for x in labels] == list(range(ROWS))
    assert all(json.loads(x)["expect"] == "accept" for x in labels)
