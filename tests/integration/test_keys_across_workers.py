"""Keys of related tables made by worker processes: tables of 5,000 rows and more are made in
chunks by forked workers; primary keys, unique columns and composite keys must never collide
across chunks and every foreign key must resolve. A real SQLite database with
``PRAGMA foreign_keys=ON`` loads the DDL and tdgen's INSERTs and enforces all of it."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from tdgen_desktop.core import Dialect, ExportFormat
from tdgen_desktop.generation import parallel
from tdgen_desktop.generation.null import TablePlan
from tdgen_desktop.generation.pipeline import GenerationRequest, run_pipeline

DDL = """
CREATE TABLE customer (
    id INTEGER PRIMARY KEY,
    email VARCHAR(80) NOT NULL UNIQUE,
    handle CHAR(4) NOT NULL UNIQUE
);
CREATE TABLE product (sku CHAR(8) PRIMARY KEY, title TEXT NOT NULL);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customer (id)
);
CREATE TABLE order_line (
    order_id INTEGER NOT NULL REFERENCES orders (id),
    sku CHAR(8) NOT NULL REFERENCES product (sku),
    qty SMALLINT NOT NULL CHECK (qty BETWEEN 1 AND 9),
    PRIMARY KEY (order_id, sku)
);
"""
ROWS = {"customer": 6000, "product": 300, "orders": 7000, "order_line": 9000}


def _load(ddl: Path, out: Path) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("PRAGMA foreign_keys=ON")
    db.executescript(ddl.read_text(encoding="utf-8"))
    for table in ROWS:  # parents first, as tdgen made them
        db.executescript((out / f"{table}.sql").read_text(encoding="utf-8"))
    return db


def test_keys_never_collide_across_worker_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ddl = tmp_path / "shop.sql"
    ddl.write_text(DDL, encoding="utf-8")
    forked: list[str] = []
    real_forks = parallel.forks

    def spy(plan: TablePlan, chunks: Sequence[parallel.Chunk], processes: int) -> bool:
        did = real_forks(plan, chunks, processes)
        if did:
            forked.append(plan.table.name)
        return did

    monkeypatch.setattr(parallel, "forks", spy)
    request = GenerationRequest(
        source=ddl,
        out_dir=tmp_path / "out",
        rows=0,
        table_rows=ROWS,
        format=ExportFormat.SQL,
        dialect=Dialect.SQLITE,
        chunk_size=500,
        seed=5,
    )  # processes=None: one worker per core for tables of 5,000 rows or more
    result = run_pipeline(request)

    assert result.validation_failures == 0
    assert {t.table: t.rows for t in result.tables} == ROWS
    assert {"customer", "orders", "order_line"} <= set(forked)
    db = _load(ddl, tmp_path / "out")  # PRIMARY KEY, UNIQUE and FOREIGN KEY enforced here
    for table, count in ROWS.items():
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone() == (count,)  # noqa: S608
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    distinct = "SELECT count(DISTINCT email), count(DISTINCT handle) FROM customer"
    assert db.execute(distinct).fetchone() == (6000, 6000)
    pairs = "SELECT count(*) FROM (SELECT DISTINCT order_id, sku FROM order_line)"
    assert db.execute(pairs).fetchone() == (9000,)
