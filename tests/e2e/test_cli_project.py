"""Project files through the command line: a project reproduces its run byte for byte, its
saved options yield to the command line, and a broken project is refused with a clear message.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tdgen_desktop.core import CaseKind, Dialect, ExportFormat
from tdgen_desktop.importers import load_schema
from tdgen_desktop.importers.project import ProjectSettings, save_project


def _tdgen(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    for name in ("TDGEN_DEBUG", "TDGEN_AI_PROVIDER", "TDGEN_AI_API_KEY"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "tdgen_desktop", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
        check=False,
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.parametrize(
    ("source", "options", "settings"),
    [
        (
            "sql/chinook-sqlite.sql",
            [
                "--rows",
                "20,InvoiceLine=60",
                "--seed",
                "11",
                "--format",
                "sql",
                "--with-ddl",
                "--cases",
                "valid,invalid",
                "--max-cases",
                "15",
                "--dialect",
                "postgres",
            ],
            ProjectSettings(
                rows=20,
                table_rows={"InvoiceLine": 60},
                seed=11,
                format=ExportFormat.SQL,
                with_ddl=True,
                cases=frozenset({CaseKind.VALID, CaseKind.INVALID}),
                max_cases=15,
                dialect=Dialect.POSTGRES,
            ),
        ),
        (
            "csv/penguins_raw.csv",
            [
                "--rows",
                "300",
                "--seed",
                "4",
                "--format",
                "jsonl",
                "--locale",
                "de_DE",
                "--cases",
                "all",
                "--label-columns",
                "--combinatorial",
                "pairwise",
            ],
            ProjectSettings(
                rows=300,
                seed=4,
                format=ExportFormat.JSONL,
                locale="de_DE",
                cases=frozenset(CaseKind),
                label_columns=True,
                pairwise=True,
            ),
        ),
    ],
)
def test_a_project_reproduces_its_run_byte_for_byte(
    corpus: Path, tmp_path: Path, source: str, options: list[str], settings: ProjectSettings
) -> None:
    schema = corpus / source
    direct = _tdgen("generate", schema, *options, "--out", tmp_path / "direct", "-q", cwd=tmp_path)
    assert direct.returncode == 0, direct.stderr
    project = save_project(tmp_path / "work", load_schema(schema), settings)
    assert project.name == "work.tdgen.json"
    again = _tdgen("generate", project, "--out", tmp_path / "again", "-q", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    first, second = _files(tmp_path / "direct"), _files(tmp_path / "again")
    assert len(first) >= 2
    assert first == second


def test_overrides_change_the_output_and_flags_beat_saved_options(
    corpus: Path, tmp_path: Path
) -> None:
    dataset = load_schema(corpus / "csv" / "penguins.csv")
    table = dataset.tables[0]
    table.field("species").enum_weights = (0.0, 1.0, 0.0)  # only the second value
    table.field("body_mass_g").constraints.maximum = 3000
    table.field("sex").null_ratio = 0.0
    project = save_project(
        tmp_path / "p.tdgen.json",
        dataset,
        ProjectSettings(rows=40, seed=2, format=ExportFormat.JSONL),
    )
    saved = json.loads(project.read_text(encoding="utf-8"))
    assert saved["overrides"] == {
        "penguins": {
            "species": {"enum_weights": [0.0, 1.0, 0.0]},
            "body_mass_g": {"maximum": 3000},
            "sex": {"null_ratio": 0.0},
        }
    }
    result = _tdgen(
        "generate", project, "--rows", "70", "--out", tmp_path / "o", "-q", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    rows = [
        json.loads(line) for line in (tmp_path / "o" / "penguins.jsonl").read_text().splitlines()
    ]
    assert len(rows) == 70  # --rows beat the saved 40; the saved format (jsonl) stayed
    second = dataset.tables[0].field("species").constraints.enum[1]  # type: ignore[index]
    assert {r["species"] for r in rows} == {second}
    assert all(r["body_mass_g"] is None or r["body_mass_g"] <= 3000 for r in rows)
    assert all(r["sex"] is not None for r in rows)


def test_no_secret_is_stored(corpus: Path, tmp_path: Path) -> None:
    project = save_project(
        tmp_path / "p", load_schema(corpus / "csv" / "penguins.csv"), ProjectSettings()
    )
    text = project.read_text(encoding="utf-8").lower()
    for word in ("key", "secret", "token", "password", "authorization"):
        assert word not in text


def _project(tmp_path: Path, corpus: Path, **changes: Any) -> Path:
    document: dict[str, Any] = {
        "tdgen_project": 1,
        "source": {"path": str(corpus / "csv" / "penguins.csv"), "format": "sample"},
        "overrides": {"penguins": {"sex": {"null_ratio": 0.2}}},
        "generation": {"rows": 5},
    }
    for key, value in changes.items():
        document[key] = value
    path = tmp_path / "bad.tdgen.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("changes", "needles"),
    [
        ({"tdgen_project": 2}, ["field 'tdgen_project'", "version 2", "newer tdgen"]),
        (
            {"source": {"path": "gone/missing.sql", "format": "sql"}},
            ["field 'source.path'", "gone/missing.sql does not exist"],
        ),
        (
            {"overrides": {"penguins": {"wingspan": {"null_ratio": 0.1}}}},
            ["field 'overrides.penguins.wingspan'", "no field 'wingspan'"],
        ),
        (
            {"overrides": {"penguins": {"sex": {"null_ratio": 1.5}}}},
            ["field 'overrides.penguins.sex.null_ratio'", "1.5 is not a ratio between 0 and 1"],
        ),
        (
            {"overrides": {"penguins": {"sex": {"enum_weights": [1]}}}},
            ["field 'overrides.penguins.sex.enum_weights'", "1 enum weight(s) for 2"],
        ),
        (
            {"overrides": {"nope": {}}},
            ["field 'overrides.nope'", "no table 'nope'"],
        ),
        (
            {"generation": {"format": "docx"}},
            ["field 'generation.format'", "docx"],
        ),
    ],
)
def test_a_broken_project_is_refused_naming_file_and_entry(
    corpus: Path, tmp_path: Path, changes: dict[str, Any], needles: list[str]
) -> None:
    project = _project(tmp_path, corpus, **changes)
    result = _tdgen("generate", project, "--out", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "bad.tdgen.json" in lines[0]
    for needle in needles:
        assert needle in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
