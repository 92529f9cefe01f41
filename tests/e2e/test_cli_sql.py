"""`tdgen generate --format sql --dialect … --with-ddl` through the real command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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


def test_one_file_holds_every_table_in_insert_order(tmp_path: Path) -> None:
    import sqlite3  # noqa: PLC0415

    out = tmp_path / "one"
    done = _generate(tmp_path, "--with-ddl", "--one-file", "-o", str(out))  # -o: the last wins
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "out").exists()  # -o, given last, is the folder
    assert sorted(p.name for p in out.glob("*.sql")) == ["shop.sql"]
    text = (out / "shop.sql").read_text(encoding="utf-8")
    creates = [line.split('"')[1] for line in text.splitlines() if line.startswith("CREATE TABLE")]
    assert len(creates) >= 2
    assert creates.index("customers") < creates.index("orders")  # parents first
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.executescript(text)
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    assert connection.execute('SELECT count(*) FROM "customers"').fetchone() == (5,)
    assert not list(out.glob(".*.part"))


def test_one_file_is_only_for_sql(tmp_path: Path) -> None:
    done = _generate(tmp_path, "--format", "csv", "--one-file")
    assert done.returncode == 2
    assert "--one-file" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_one_file_with_cases_has_every_row_to_accept_before_the_invalid_rows(
    tmp_path: Path,
) -> None:
    """With cases, the one file loads every table's valid and boundary rows first; the
    invalid rows of all tables follow, each rejected on its own."""
    import sqlite3  # noqa: PLC0415

    out = tmp_path / "one"
    done = _generate(tmp_path, "--cases", "all", "--one-file", "-o", str(out))
    assert done.returncode == 0, done.stderr
    text = (out / "shop.sql").read_text(encoding="utf-8")
    accept, _, invalid = text.partition("-- invalid: ")
    invalid = "-- invalid: " + invalid
    assert "-- boundary:" in accept
    assert "-- boundary:" not in invalid
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.executescript(SHOP.read_text(encoding="utf-8"))
    connection.executescript(accept)  # every row to accept, of every table, loads
    counts = {
        table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
        for table in ("customers", "products", "orders", "order_items")
    }
    assert all(count > 5 for count in counts.values()), counts  # valid and boundary rows
    statements = invalid.split("-- invalid: ")[1:]
    assert len(statements) > 4
    tables = [s.split("INSERT INTO ")[1].split()[0] for s in statements]
    assert tables.index('"order_items"') > tables.index('"customers"')  # in insert order
    for statement in statements:
        with pytest.raises(sqlite3.DatabaseError):
            connection.execute(statement.split("\n", 1)[1])
