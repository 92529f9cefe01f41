"""`tdgen generate --format sql --dialect … --with-ddl` through the real command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SHOP = Path(__file__).resolve().parents[2] / "resources" / "examples" / "shop.sql"


def _generate(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "tdgen_desktop",
            "generate",
            str(SHOP),
            "--rows",
            "5",
            "--format",
            "sql",
            "--out",
            str(tmp_path / "out"),
            "-q",
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_dialect_and_ddl_reach_the_sql_files(tmp_path: Path) -> None:
    done = _generate(tmp_path, "--dialect", "mysql", "--with-ddl")
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "out" / "customers.sql").read_text(encoding="utf-8")
    assert "CREATE TABLE `customers`" in text
    assert "INSERT INTO `customers`" in text


def test_unknown_dialect_is_bad_input(tmp_path: Path) -> None:
    done = _generate(tmp_path, "--dialect", "oracle")
    assert done.returncode == 2
    assert "sqlite, postgres, mysql" in done.stderr
    assert not (tmp_path / "out").exists()
