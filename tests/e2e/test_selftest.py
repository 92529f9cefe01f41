"""``tdgen --self-test`` from source, and what a double-click or "Open with" starts.

The built bundle runs the same self-test in ``.ci/run`` (``dist/tdgen/tdgen --self-test``); here
it runs from source, which is fast. The checks of the oracle step are driven with hand-made
output files, so a self-test that stopped checking would fail here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tdgen_desktop import cli, selftest
from tdgen_desktop.services.resources import RESOURCES_ENV_VAR, resource_path

REPO = Path(__file__).resolve().parents[2]
OK_LINE = re.compile(r"^self-test: ok — (?P<rows>\d+) rows, (?P<files>\d+) files, [\d.]+ s$")
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "qty"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "x-unique": True},
        "qty": {"type": "integer", "minimum": 1, "maximum": 9},
    },
}


def _run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **env}
    return subprocess.run(
        [sys.executable, "-m", "tdgen_desktop", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _write_output(folder: Path, rows: list[object], labels: list[dict[str, object]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "order.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    (folder / "order.cases.jsonl").write_text(
        "".join(json.dumps(label) + "\n" for label in labels), "utf-8"
    )


def _label(case: str, expect: str, field: str | None = None, rule: str | None = None) -> dict:
    return {"case": case, "field": field, "rule": rule, "expect": expect}


# ------------------------------------------------------------------ from source, as a user runs it


def test_self_test_from_source_prints_one_ok_line(tmp_path: Path) -> None:
    done = _run("--self-test", cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    match = OK_LINE.match(lines[0])
    assert match is not None, lines[0]
    assert int(match["rows"]) > 20  # 20 valid rows plus boundary and invalid cases
    assert int(match["files"]) == 3  # data, labels, coverage
    assert list(tmp_path.iterdir()) == []  # everything went to a temporary folder


def test_self_test_fails_with_the_reason_when_the_example_is_missing(tmp_path: Path) -> None:
    done = _run("--self-test", cwd=tmp_path, **{RESOURCES_ENV_VAR: str(tmp_path / "none")})

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("self-test: failed — the example schema is missing")


# ------------------------------------------------------------------ the oracle step


def test_the_output_check_accepts_correctly_labelled_rows(tmp_path: Path) -> None:
    rows = [{"id": 1, "qty": 1}, {"id": 2, "qty": 10}, {"id": 1, "qty": 2}]
    labels = [
        _label("valid", "accept"),
        _label("invalid", "reject", "qty", "maximum"),
        _label("invalid", "reject", "id", "unique"),
    ]
    _write_output(tmp_path, rows, labels)

    assert selftest._check_output(SCHEMA, tmp_path) == 3


@pytest.mark.parametrize(
    ("rows", "labels", "reason"),
    [
        ([{"id": 1, "qty": 10}], [_label("valid", "accept")], "fails validation but is labelled"),
        (
            [{"id": 1, "qty": 5}],
            [_label("invalid", "reject", "qty", "maximum")],
            "validates but is labelled invalid/maximum",
        ),
        (
            [{"id": 1, "qty": 1}, {"id": 2, "qty": 1}],
            [_label("valid", "accept"), _label("invalid", "reject", "id", "unique")],
            "does not occur in an earlier row",
        ),
        ([{"id": 1, "qty": 1}], [], "has 1 rows but order.cases.jsonl has 0 labels"),
    ],
)
def test_the_output_check_finds_a_wrong_row(
    tmp_path: Path, rows: list[object], labels: list[dict[str, object]], reason: str
) -> None:
    _write_output(tmp_path, rows, labels)

    with pytest.raises(selftest.SelfTestError, match=reason):
        selftest._check_output(SCHEMA, tmp_path)


def test_the_output_check_fails_on_an_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(selftest.SelfTestError, match="no rows were written"):
        selftest._check_output(SCHEMA, tmp_path)


# ------------------------------------------------------------------ double-click and "Open with"


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[list[Path]]:
    """The schema lists the window would have been opened with (the window is not started)."""
    calls: list[list[Path]] = []

    def fake_gui(schemas: list[Path]) -> int:
        calls.append(list(schemas))
        return 0

    monkeypatch.setattr(cli, "_gui", fake_gui)
    return calls


def test_no_argument_opens_the_window(opened: list[list[Path]]) -> None:
    assert cli.main([]) == 0
    assert opened == [[]]


def test_file_arguments_open_the_window_with_them(opened: list[list[Path]], tmp_path: Path) -> None:
    first, second = tmp_path / "a.schema.json", tmp_path / "b.sql"
    first.write_text("{}", encoding="utf-8")
    second.write_text("", encoding="utf-8")

    assert cli.main([str(first), str(second)]) == 0
    assert opened == [[first, second]]


def test_a_command_wins_over_a_file_of_the_same_name(
    opened: list[list[Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inspect").write_text("{}", encoding="utf-8")

    with pytest.raises(SystemExit) as exit_info:  # `inspect` without its SCHEMA argument
        cli.main(["inspect"])

    assert exit_info.value.code == 2
    assert opened == []


def test_a_missing_file_is_not_opened(opened: list[list[Path]], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main([str(tmp_path / "missing.json")])

    assert exit_info.value.code == 2
    assert opened == []


def test_the_window_opens_a_file_argument_and_reports_its_start(tmp_path: Path) -> None:
    example = resource_path("examples", "order.schema.json")

    done = _run(str(example), cwd=tmp_path, TDGEN_MEASURE_STARTUP="1", QT_QPA_PLATFORM="offscreen")

    assert done.returncode == 0, done.stderr
    assert re.search(r"^tdgen-startup: main_s=[\d.]+ rss_mb=", done.stdout, re.MULTILINE)
