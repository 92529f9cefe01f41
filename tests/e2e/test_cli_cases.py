"""`tdgen generate --cases …` end to end: data, labels and coverage files, caps, pairwise,
inline label columns and priorities, through the real command line."""

from __future__ import annotations

import csv
import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tdgen_desktop.core.validation import Oracle

SCHEMA: dict[str, Any] = {
    "title": "order",
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "qty", "status", "express"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "x-unique": True},
        "qty": {"type": "integer", "minimum": 1, "maximum": 99},
        "status": {"enum": ["new", "paid", "shipped", "void"]},
        "express": {"type": "boolean"},
        "channel": {"enum": ["web", "shop", "phone"]},
        "note": {"type": ["string", "null"], "maxLength": 20},
    },
}


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    schema = tmp_path / "order.json"
    schema.write_text(json.dumps(SCHEMA), encoding="utf-8")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "tdgen_desktop",
            "generate",
            str(schema),
            "--out",
            str(tmp_path / "out"),
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_cases_all_writes_data_labels_and_coverage(tmp_path: Path) -> None:
    done = _run(tmp_path, "--rows", "10", "--cases", "all", "--format", "jsonl", "--seed", "4")
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    rows = _lines(out / "order.jsonl")
    labels = _lines(out / "order.cases.jsonl")
    assert len(rows) == len(labels) > 10
    assert [label["row"] for label in labels] == list(range(len(rows)))
    oracle = Oracle(SCHEMA)
    kinds = {label["case"] for label in labels}
    assert kinds == {"valid", "boundary", "invalid"}
    for row, label in zip(rows, labels, strict=True):
        assert (
            set(label) == {"row", "case", "field", "rule", "expect", "description"}
            or label["case"] == "valid"
        )
        if label["expect"] == "accept":
            assert oracle.is_valid(row), label
        elif label["rule"] != "unique":
            assert not oracle.is_valid(row), label
    described = [label["description"] for label in labels if label["rule"] == "maximum"]
    assert "qty = 100, above maximum 99" in described
    coverage = json.loads((out / "order.coverage.json").read_text(encoding="utf-8"))
    covered = {(c["field"], c["rule"]) for c in coverage["covered"]}
    assert {
        ("qty", "minimum"),
        ("status", "enum"),
        ("id", "unique"),
        ("", "additionalProperties"),
    } <= covered
    assert coverage["rows"]["valid"] == 10
    assert "rules covered" in done.stdout


def test_csv_reports_rules_it_cannot_carry(tmp_path: Path) -> None:
    done = _run(tmp_path, "--rows", "3", "--cases", "invalid")
    assert done.returncode == 0, done.stderr
    coverage = json.loads((tmp_path / "out" / "order.coverage.json").read_text(encoding="utf-8"))
    not_in_csv = {(c["field"], c["rule"]) for c in coverage["not_in_format"]}
    assert ("qty", "type") in not_in_csv
    assert all("csv" in c["reason"] for c in coverage["not_in_format"])
    labels = _lines(tmp_path / "out" / "order.cases.jsonl")
    assert not any(label["rule"] == "type" and label["field"] == "qty" for label in labels)
    assert {label["case"] for label in labels} == {"invalid"}


def test_max_cases_caps_and_reports_what_it_left_out(tmp_path: Path) -> None:
    done = _run(tmp_path, "--rows", "2", "--cases", "all", "--max-cases", "5", "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    labels = _lines(tmp_path / "out" / "order.cases.jsonl")
    assert sum(label["case"] != "valid" for label in labels) <= 5
    coverage = json.loads((tmp_path / "out" / "order.coverage.json").read_text(encoding="utf-8"))
    assert coverage["left_out_by_cap"]


def test_label_columns_inline(tmp_path: Path) -> None:
    done = _run(tmp_path, "--rows", "3", "--cases", "valid,boundary", "--label-columns")
    assert done.returncode == 0, done.stderr
    with (tmp_path / "out" / "order.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {"_case", "_rule"} <= set(rows[0])
    assert {r["_case"] for r in rows} == {"valid", "boundary"}


def test_pairwise_covers_every_pair_with_fewer_rows(tmp_path: Path) -> None:
    done = _run(tmp_path, "--rows", "1", "--combinatorial", "pairwise", "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    rows = _lines(tmp_path / "out" / "order.jsonl")
    domains = {
        "status": ["new", "paid", "shipped", "void"],
        "express": [True, False],
        "channel": ["web", "shop", "phone"],
        "qty": [1, 50, 99],
    }
    exhaustive = 1
    for values in domains.values():
        exhaustive *= len(values)
    assert len(rows) < exhaustive
    for (a, va), (b, vb) in itertools.combinations(domains.items(), 2):
        seen = {(r.get(a), r.get(b)) for r in rows}
        missing = {(x, y) for x in va for y in vb} - seen
        assert not missing, (a, b, missing)
    assert "pairwise:" in done.stdout
    assert "all combinations" in done.stdout


def test_bad_case_options_exit_2(tmp_path: Path) -> None:
    for args in (["--cases", "weird"], ["--combinatorial", "triples"], ["--priority", "urgent"]):
        done = _run(tmp_path, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.startswith("tdgen: error: ")
        assert not (tmp_path / "out").exists()
