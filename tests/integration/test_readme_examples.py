"""The README's multi-table example, run exactly as written: the console commands of the
"Related tables" section (``tdgen generate`` on the shop DDL, then ``psql`` loading the DDL
and the files into a real PostgreSQL database) and the Python snippet beside them.

The commands and the expected output are read from README.md, so the test follows the README.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from pg_support import PgServer

REPO = Path(__file__).resolve().parents[2]


def _section(title: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(f"### {title}\n")
    end = text.index("\n## ", start) if "\n## " in text[start:] else len(text)
    following = text.find("\n### ", start + 1)
    return text[start : min(end, following) if following != -1 else end]


def _blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section, re.DOTALL)


def _session(block: str) -> list[tuple[str, list[str]]]:
    """(command, the output lines shown after it) for each ``$`` line (``\\`` continues)."""
    steps: list[tuple[str, list[str]]] = []
    lines = block.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.startswith("$ "):
            steps[-1][1].append(line)
            continue
        command = line[2:]
        while command.endswith("\\"):
            command = command[:-1] + " " + lines[index].strip()
            index += 1
        steps.append((command, []))
    return steps


def _workdir(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    (work / "resources" / "examples").mkdir(parents=True)
    shutil.copy(REPO / "resources" / "examples" / "shop.sql", work / "resources" / "examples")
    return work


def test_the_related_tables_console_example_runs_and_loads_into_postgres(
    postgres: PgServer, tmp_path: Path
) -> None:
    work = _workdir(tmp_path)
    [block] = _blocks(_section("Related tables"), "console")
    steps = _session(block)
    assert {shlex.split(c)[0] for c, _ in steps} == {"tdgen", "psql"}
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("TDGEN_DEBUG", None)

    made: dict[str, int] = {}  # table → rows, as the last tdgen command printed them
    for command, shown in steps:
        argv = shlex.split(command)
        if argv[0] == "tdgen":
            done = subprocess.run(
                [sys.executable, "-m", "tdgen_desktop", *argv[1:]],
                cwd=work, env=env, capture_output=True, text=True, check=False, timeout=300,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            printed = done.stdout.splitlines()
            if shown:  # the README shows this command's output: it is what tdgen prints
                assert len(printed) == len(shown), done.stdout
                for line, expected in zip(printed, shown, strict=True):
                    assert line.startswith(expected.rstrip("…").rstrip()), (line, expected)
            summary = [re.match(r"(\w+): ([\d,]+) rows", line) for line in printed]
            made = {m.group(1): int(m.group(2).replace(",", "")) for m in summary if m}
        else:  # psql -d DB -f FILE …: run against the test's own server
            database = argv[argv.index("-d") + 1]
            files = [work / argv[i + 1] for i, arg in enumerate(argv) if arg == "-f"]
            postgres.create_database(database)
            postgres.psql(database, *files)
            assert made
            for table, rows in made.items():  # every row loaded, every foreign key resolved
                query = f"SELECT count(*) FROM {table}"  # noqa: S608 — names from tdgen's output
                assert postgres.psql(database, sql=query).strip() == str(rows)


def test_the_related_tables_python_example_prints_what_the_readme_says(tmp_path: Path) -> None:
    work = _workdir(tmp_path)
    python = next(b for b in _blocks(_section("Related tables"), "python") if "run_pipeline" in b)
    expected = next(
        line[2:] for line in python.splitlines() if line.startswith("# [")
    )  # the commented output

    printed = io.StringIO()
    cwd = Path.cwd()
    os.chdir(work)
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(python, "README.md", "exec"), {})  # noqa: S102 — the README's own code
    finally:
        os.chdir(cwd)

    assert printed.getvalue().strip() == expected
