"""Bad SQL, OpenAPI and sample input through the command line: exit 2, one line on stderr naming
the file and the problem, and nothing written (no output folder at all)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

_BROKEN_REF = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {},
    "components": {
        "schemas": {
            "Order": {
                "type": "object",
                "properties": {"item": {"$ref": "#/components/schemas/Missing"}},
            }
        }
    },
}

BAD_INPUTS: list[tuple[str, str | bytes, tuple[str, ...]]] = [
    (
        "broken.sql",
        "CREATE TABLE ok (id INT);\n\nCREATE TABLE broken (\n  id INT name TEXT\n);\n",
        ("broken.sql", "line 4", "CREATE TABLE broken ("),
    ),
    (
        "orphan.sql",
        "CREATE TABLE a (id INT PRIMARY KEY, b_id INT REFERENCES b (id));\n",
        ("orphan.sql", "table 'a'", "'b'", "does not create"),
    ),
    ("api.json", json.dumps(_BROKEN_REF), ("api.json", "Order", "#/components/schemas/Missing")),
    ("empty.csv", "", ("empty.csv", "the sample is empty")),
    ("ragged.csv", "a,b\n1,2\n3\n", ("ragged.csv", "row 3 has 1 cells but the header has 2")),
    ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ("photo.csv", "binary file")),
    ("dump.sql", b"SQLite format 3\x00\x10\x00\x01\x01", ("dump.sql", "binary file")),
]


@pytest.mark.parametrize(
    ("name", "content", "needles"), BAD_INPUTS, ids=[case[0] for case in BAD_INPUTS]
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    tmp_path: Path, name: str, content: str | bytes, needles: tuple[str, ...]
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("TDGEN_DEBUG", None)

    for command in (["generate", name, "--out", "out"], ["inspect", name]):
        done = subprocess.run(
            [sys.executable, "-m", "tdgen_desktop", *command],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 2, (command, done.returncode, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith("tdgen: error: "), lines[0]
        for needle in needles:
            assert needle in lines[0], (needle, lines[0])
        assert done.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no output folder, no file
