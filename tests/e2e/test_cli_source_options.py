"""``--source-format`` and ``--source-dialect``: the user overrides how a schema file is read
(the kind is otherwise told by extension and content, the SQL dialect detected)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _tdgen(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("TDGEN_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "tdgen_desktop", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_a_csv_sample_with_another_extension_is_read_when_named(tmp_path: Path) -> None:
    (tmp_path / "people.txt").write_text("name,age\nAnn,31\nBob,42\nCy,\n", encoding="utf-8")

    guessed = _tdgen("inspect", "people.txt", cwd=tmp_path)
    assert guessed.returncode == 2  # read as JSON by default: not valid JSON
    assert "people.txt" in guessed.stderr

    named = _tdgen("inspect", "people.txt", "--source-format", "sample", "--json", cwd=tmp_path)
    assert named.returncode == 0, named.stderr
    model = json.loads(named.stdout)
    assert model["format"] == "sample"
    assert [f["name"] for f in model["tables"][0]["fields"]] == ["name", "age"]

    made = _tdgen(
        "generate", "people.txt", "--source-format", "sample", "--rows", "5", "-q", "--out",
        "out", cwd=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert len((tmp_path / "out" / "people.csv").read_text(encoding="utf-8").splitlines()) == 6


def test_the_source_dialect_decides_how_the_ddl_is_read(tmp_path: Path) -> None:
    # Nothing in this DDL tells MySQL from SQLite; it is detected as SQLite, and SQL output
    # follows the source's dialect unless --dialect says otherwise.
    (tmp_path / "t.sql").write_text(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL);\n", encoding="utf-8"
    )

    def first_insert(*options: str) -> str:
        out = tmp_path / "out"
        done = _tdgen(
            "generate", "t.sql", "--format", "sql", "--rows", "2", "-q", "--out", out, *options,
            cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        text = (out / "t.sql").read_text(encoding="utf-8")
        return next(line for line in text.splitlines() if line.startswith("INSERT"))

    assert first_insert().startswith('INSERT INTO "t"')
    assert first_insert("--source-dialect", "mysql").startswith("INSERT INTO `t`")


def test_unknown_source_options_exit_2_listing_the_choices(tmp_path: Path) -> None:
    (tmp_path / "t.sql").write_text("CREATE TABLE t (id INT);\n", encoding="utf-8")

    kind = _tdgen("generate", "t.sql", "--source-format", "csv", "--out", "out", cwd=tmp_path)
    dialect = _tdgen("inspect", "t.sql", "--source-dialect", "oracle", cwd=tmp_path)

    assert (kind.returncode, dialect.returncode) == (2, 2)
    assert "jsonschema, openapi, sql, sample" in kind.stderr
    assert "sqlite, postgres, mysql" in dialect.stderr
    assert not (tmp_path / "out").exists()


ACCOUNT_SPEC = """
openapi: 3.0.3
info: {title: accounts, version: "1"}
paths: {}
components:
  schemas:
    Account:
      type: object
      additionalProperties: false
      required: [id, login, password, created]
      properties:
        id: {type: integer, format: int64, minimum: 1, readOnly: true}
        login: {type: string, minLength: 3, maxLength: 20}
        password: {type: string, minLength: 12, maxLength: 40, writeOnly: true}
        created: {type: string, format: date-time, readOnly: true}
        nickname: {type: string, maxLength: 30, nullable: true}
"""


def _rows(folder: Path) -> list[dict[str, object]]:
    text = (folder / "Account.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_openapi_view_leaves_out_read_only_or_write_only_properties(tmp_path: Path) -> None:
    """Rows for request bodies have no readOnly property, rows for responses no writeOnly one;
    each view's rows validate with openapi-schema-validator's write or read validator."""
    import yaml  # noqa: PLC0415
    from openapi_schema_validator import (  # noqa: PLC0415
        OAS30ReadValidator,
        OAS30WriteValidator,
    )

    (tmp_path / "accounts.yaml").write_text(ACCOUNT_SPEC, encoding="utf-8")
    spec = yaml.safe_load(ACCOUNT_SPEC)
    schema = {**spec["components"]["schemas"]["Account"], "components": spec["components"]}
    checks = {"request": OAS30WriteValidator(schema), "response": OAS30ReadValidator(schema)}
    kept = {
        "request": {"login", "password"},
        "response": {"id", "login", "created"},
    }
    for view, validator in checks.items():
        done = _tdgen(
            *("generate", "accounts.yaml", "--openapi-view", view, "--rows", "40"),
            *("--format", "jsonl", "--out", view),
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        left_out = {"request": "2 readOnly properties", "response": "1 writeOnly property"}
        assert f"rows for {view} bodies: {left_out[view]} left out" in done.stderr
        rows = _rows(tmp_path / view)
        assert len(rows) == 40
        for row in rows:
            assert kept[view] <= set(row) <= kept[view] | {"nickname"}, row
            validator.validate(row)

    whole = _tdgen("generate", "accounts.yaml", "--format", "jsonl", "--out", "all", cwd=tmp_path)
    assert whole.returncode == 0, whole.stderr
    assert "--openapi-view request|response leaves them out" in whole.stderr
    assert all({"id", "password", "created"} <= set(r) for r in _rows(tmp_path / "all"))

    shown = _tdgen("inspect", "accounts.yaml", "--openapi-view", "request", "--json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    fields = [f["name"] for f in json.loads(shown.stdout)["tables"][0]["fields"]]
    assert fields == ["login", "password", "nickname"]

    wrong = _tdgen("inspect", "accounts.yaml", "--openapi-view", "both", cwd=tmp_path)
    assert wrong.returncode == 2
    assert "--openapi-view" in wrong.stderr
    assert "request, response" in wrong.stderr
