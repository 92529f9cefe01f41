"""Samples: generated data resembles the sample, and ``tdgen inspect --compare`` shows how well.

Run against the real-world CSV files of the shared corpus through the command line.
"""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tdgen_desktop.importers import load_schema
from tdgen_desktop.importers.sample_compare import compare_sample, profile_column

CSV_FILES = ("penguins.csv", "penguins_raw.csv", "country-codes.csv")


def _null_tolerance(ratio: float, rows: int) -> float:
    """How far a generated null ratio may stray from the sample's: 4 σ of a binomial share."""
    return 4 * math.sqrt(ratio * (1 - ratio) / rows) + 0.01


SHARE_TOLERANCE = 0.09
"""Shares of enum values differ by at most this."""


def _tdgen(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("TDGEN_DEBUG", None)
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


def test_enum_weights_are_the_sample_frequencies(corpus: Path) -> None:
    path = corpus / "csv" / "penguins.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        species = [row["species"] for row in csv.DictReader(handle)]
    field = load_schema(path).tables[0].field("species")
    assert field.constraints.enum is not None
    assert field.enum_weights == tuple(float(species.count(v)) for v in field.constraints.enum)


@pytest.mark.parametrize("name", CSV_FILES)
def test_compare_report_prints_every_column_side_by_side(corpus: Path, name: str) -> None:
    path = corpus / "csv" / name
    result = _tdgen("inspect", "--compare", path, cwd=corpus)
    assert result.returncode == 0, result.stderr
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    lines = result.stdout.splitlines()
    assert "sample vs generated" in lines[0]
    for column in header:
        row = next(i for i, line in enumerate(lines) if line.startswith(f"  {column.strip()} "))
        assert " sample " in lines[row], lines[row]
        assert lines[row + 1].split()[0] == "generated", lines[row + 1]


@pytest.mark.parametrize("name", ["penguins.csv", "penguins_raw.csv"])
def test_null_ratios_and_enum_frequencies_match_the_sample(corpus: Path, name: str) -> None:
    path = corpus / "csv" / name
    result = _tdgen("inspect", "--compare", "--json", path, cwd=corpus)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["sample_rows"] == report["generated_rows"] == 344
    checked_shares = 0
    for column in report["columns"]:
        sample, generated = column["sample"], column["generated"]
        assert sample["type"] == generated["type"], column["name"]
        tolerance = _null_tolerance(sample["null_ratio"], sample["rows"])
        assert abs(sample["null_ratio"] - generated["null_ratio"]) <= tolerance, column
        shares = {t["value"]: t["share"] for t in generated["top"]}
        for top in sample["top"] if sample["distinct"] <= 5 else []:
            assert top["value"] in shares, (column["name"], top)
            assert abs(top["share"] - shares[top["value"]]) <= SHARE_TOLERANCE, column
            checked_shares += 1
        if sample["type"] in ("integer", "number"):
            assert sample["min"] <= generated["min"] <= generated["max"] <= sample["max"], column
    assert checked_shares >= 8


def test_country_codes_null_ratios_match_where_values_may_repeat(corpus: Path) -> None:
    report = compare_sample(corpus / "csv" / "country-codes.csv", seed=3)
    model = load_schema(corpus / "csv" / "country-codes.csv").tables[0]
    compared = 0
    for column in report.columns:
        if model.field(column.name).unique:
            continue  # a unique column gets no nulls (null would repeat)
        tolerance = _null_tolerance(column.sample.null_ratio, column.sample.rows)
        assert abs(column.sample.null_ratio - column.generated.null_ratio) <= tolerance, column
        compared += 1
    assert compared >= 30


@pytest.mark.parametrize("name", CSV_FILES)
def test_no_generated_row_copies_a_sample_row(corpus: Path, tmp_path: Path, name: str) -> None:
    path = corpus / "csv" / name
    result = _tdgen(
        "generate", path, "--rows", "500", "--out", tmp_path, "-q", "--seed", "5", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    [out] = list(tmp_path.glob("*.csv"))
    with path.open(encoding="utf-8", newline="") as handle:
        sample = [tuple(row) for row in csv.reader(handle)][1:]
    with out.open(encoding="utf-8", newline="") as handle:
        generated = [tuple(row) for row in csv.reader(handle)][1:]
    assert len(generated) == 500
    assert len(sample[0]) >= 8
    assert not set(generated) & set(sample)
    report = compare_sample(path, seed=5)
    assert report.copied_rows == 0


def test_compare_of_a_non_sample_is_refused(tmp_path: Path) -> None:
    schema = tmp_path / "s.json"
    schema.write_text('{"type": "object", "properties": {"a": {"type": "integer"}}}')
    result = _tdgen("inspect", "--compare", schema, cwd=tmp_path)
    assert result.returncode == 2
    assert "s.json" in result.stderr
    assert "--compare needs a sample" in result.stderr


def test_profile_reads_text_cells_and_typed_values_alike() -> None:
    cells: list[Any] = ["3", "1", None, "2", "NA"]
    typed: list[Any] = [3, 1, None, 2, None]
    assert profile_column(cells) == profile_column(typed)
    profile = profile_column(cells)
    assert (profile.type, profile.low, profile.high, profile.distinct) == ("integer", 1, 3, 3)
    assert profile.null_ratio == pytest.approx(0.4)
