"""Uniqueness at scale: the pre-flight check refuses a too-small unique field before anything
is made, and admits the benchmark's million unique e-mails and names."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest

from tdgen_desktop.core.enums import Step
from tdgen_desktop.core.errors import UnsatisfiableError
from tdgen_desktop.generation.pipeline import (
    GenerationRequest,
    ProgressEvent,
    prepare_job,
    run_pipeline,
)

BENCH = Path(__file__).resolve().parents[3] / "bench" / "unique.schema.json"


def test_a_too_small_unique_field_is_refused_before_generation_starts(tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "required": ["code"],
        "properties": {"code": {"type": "string", "pattern": "^[A-C][0-9]{3}$", "x-unique": True}},
    }
    source = tmp_path / "codes.json"
    source.write_text(json.dumps(schema), encoding="utf-8")
    out = tmp_path / "out"
    events: list[ProgressEvent] = []
    started = time.perf_counter()
    with pytest.raises(UnsatisfiableError) as caught:
        run_pipeline(GenerationRequest(source, out, rows=1_000_000), events.append)
    assert time.perf_counter() - started < 30  # refused up front, not after making rows
    assert caught.value.field == "code"
    assert "3,000" in caught.value.message  # 3 letters × 1,000 numbers
    assert "1,000,000" in caught.value.message
    assert [e.step for e in events] == [Step.PARSE]  # no foundation step, no row made
    assert not out.exists()
    # One row fewer than the space holds is refused too; exactly the space is admitted.
    with pytest.raises(UnsatisfiableError):
        prepare_job(GenerationRequest(source, out, rows=3_001))
    prepare_job(GenerationRequest(source, out, rows=3_000))


def test_the_benchmark_million_passes_the_pre_flight_check(tmp_path: Path) -> None:
    prepare_job(GenerationRequest(BENCH, tmp_path, rows=1_000_000))


def test_unique_emails_and_names_with_suffixes_are_distinct_and_valid(tmp_path: Path) -> None:
    result = run_pipeline(GenerationRequest(BENCH, tmp_path, rows=6_000, processes=0))
    assert result.validation_failures == 0
    with (tmp_path / "account.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 6_000
    for column in ("id", "email", "full_name"):
        assert len({row[column] for row in rows}) == 6_000, column
    # The name pool is far smaller than 6,000: most names carry a numeric suffix.
    suffixed = sum(row["full_name"][-1].isdigit() for row in rows)
    assert suffixed > 3_000
    assert all("@" in row["email"] and row["email"].split("@")[0] for row in rows)


def test_unique_urls_do_not_run_dry(tmp_path: Path) -> None:
    """Faker's URL pool repeats after a few hundred values; repeats get a path number."""
    schema = {
        "type": "object",
        "required": ["id", "link"],
        "properties": {
            "id": {"type": "integer"},
            "link": {"type": "string", "format": "uri", "maxLength": 60, "x-unique": True},
        },
    }
    source = tmp_path / "links.json"
    source.write_text(json.dumps(schema), encoding="utf-8")
    result = run_pipeline(GenerationRequest(source, tmp_path / "out", rows=3_000, processes=0))
    assert result.validation_failures == 0
    with (tmp_path / "out" / "links.csv").open(encoding="utf-8", newline="") as handle:
        links = [row["link"] for row in csv.DictReader(handle)]
    assert len(links) == len(set(links)) == 3_000
    assert all(link.startswith(("http://", "https://")) and len(link) <= 60 for link in links)
