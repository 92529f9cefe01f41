"""build_scripts/reliability_report.py: a table per area; the long fuzz wins; banned words."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

_SCRIPT = Path(__file__).resolve().parents[2] / "build_scripts" / "reliability_report.py"


@pytest.fixture(scope="module")
def report() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reliability_report", _SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _suite(folder: Path, name: str, finished: str, rows: list[tuple[str, str, str]]) -> None:
    payload: dict[str, Any] = {
        "suite": name,
        "finished": finished,
        "python": "3.13.0",
        "rows": [
            {
                "area": a,
                "what": w,
                "result": r,
                "figure": "1 s",
                "test": f"t::{w}",
                "outcome": "passed",
            }
            for a, w, r in rows
        ],
    }
    (folder / f"{name}.json").write_text(json.dumps(payload), encoding="utf-8")


def test_the_long_fuzz_replaces_the_short_run(report: ModuleType, tmp_path: Path) -> None:
    _suite(tmp_path, "fuzz", "2026-01-01 10:00:00", [("Fuzzing", "long fuzz", "10,000 inputs")])
    _suite(
        tmp_path,
        "test",
        "2026-01-02 10:00:00",
        [("Fuzzing", "short fuzz", "300 inputs"), ("Faults", "read-only folder", "refused")],
    )
    out = tmp_path / "RELIABILITY.md"
    assert report.main(["--evidence", str(tmp_path), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "| long fuzz | 10,000 inputs | 1 s | passed |" in text
    assert "short fuzz" not in text
    assert "## Faults" in text
    assert text.index("## Fuzzing") < text.index("## Faults")
    assert "Python 3.13.0" in text


def test_a_banned_word_writes_nothing(report: ModuleType, tmp_path: Path) -> None:
    _suite(tmp_path, "test", "2026-01-02 10:00:00", [("Faults", "kill", "the file was lost")])
    out = tmp_path / "RELIABILITY.md"
    assert report.main(["--evidence", str(tmp_path), "--out", str(out)]) == 1
    assert not out.exists()


def test_no_evidence_is_an_error(report: ModuleType, tmp_path: Path) -> None:
    assert report.main(["--evidence", str(tmp_path), "--out", str(tmp_path / "r.md")]) == 1


def test_machine_folders_are_left_out(report: ModuleType, tmp_path: Path) -> None:
    _suite(
        tmp_path,
        "test",
        "2026-01-02 10:00:00",
        [("Hostile input", "deep JSON", "error: /tmp/pytest-1/case0/deep.json: nested -- /* */")],
    )
    out = tmp_path / "RELIABILITY.md"
    assert report.main(["--evidence", str(tmp_path), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "| error: deep.json: nested -- /* */ |" in text
    assert "/tmp" not in text


def test_the_committed_page_holds_figures_and_none_of_the_banned_words(
    report: ModuleType,
) -> None:
    """docs/RELIABILITY.md as committed: every area has a table whose rows passed, the areas of
    the issue carry measured figures, and no line says 'lost', 'partial' or 'crashed'."""
    page = _SCRIPT.parents[1] / "docs" / "RELIABILITY.md"
    text = page.read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if report.FORBIDDEN.search(line)] == []
    sections = dict(re.findall(r"^## (.+?)\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL))
    for area in report.AREA_ORDER:
        assert area in sections, f"no section {area!r}"
        rows = [line for line in sections[area].splitlines() if line.startswith("| ")][1:]
        assert rows, f"{area}: no rows"
        assert all(line.rstrip().endswith("| passed |") for line in rows), area
        figures = [line.split(" | ")[-2] for line in rows]
        if area in {"Fuzzing", "Hostile input", "Faults", "Load", "Security"}:
            assert any(re.search(r"\d", figure) for figure in figures), f"{area}: no figure"
    assert "10,000 inputs in" in sections["Fuzzing"]  # the long fuzz of make fuzz
