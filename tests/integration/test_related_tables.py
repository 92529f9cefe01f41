"""Related tables end to end: DDL in, JSON Lines out, keys and references checked in the files.

Each test imports a small DDL, runs the whole pipeline (import, relation plan, generation in
chunks, validation, export) and reads the output back: every foreign-key value must be a key a
parent row really got, composite keys must match a parent row as a whole, and primary keys and
unique sets must never repeat — also across chunks.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tdgen_desktop.core import CaseKind, ExportFormat, UnsatisfiableError
from tdgen_desktop.generation.pipeline import GenerationRequest, JobResult, run_pipeline
from tdgen_desktop.generation.relations import CHILD_FACTOR, plan_relations
from tdgen_desktop.importers import load_schema

SHOP = """
CREATE TABLE customer (id INTEGER PRIMARY KEY, email VARCHAR(60) NOT NULL UNIQUE);
CREATE TABLE product (sku CHAR(8) PRIMARY KEY, title TEXT NOT NULL);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customer (id),
    referrer_id INTEGER REFERENCES customer (id)
);
CREATE TABLE order_line (
    order_id INTEGER NOT NULL REFERENCES orders (id),
    line_no SMALLINT NOT NULL CHECK (line_no BETWEEN 1 AND 50),
    sku CHAR(8) NOT NULL REFERENCES product (sku),
    PRIMARY KEY (order_id, line_no)
);
CREATE TABLE favourite (
    customer_id INTEGER NOT NULL REFERENCES customer (id),
    sku CHAR(8) NOT NULL REFERENCES product (sku),
    PRIMARY KEY (customer_id, sku)
);
CREATE TABLE employee (
    id INTEGER PRIMARY KEY,
    manager_id INTEGER REFERENCES employee (id)
);
CREATE TABLE shipment (
    order_id INTEGER NOT NULL,
    customer_id INTEGER NOT NULL,
    FOREIGN KEY (order_id) REFERENCES orders (id)
);
"""


def _write(tmp_path: Path, ddl: str) -> Path:
    path = tmp_path / "schema.sql"
    path.write_text(ddl, encoding="utf-8")
    return path


def _run(
    tmp_path: Path, ddl: str, **options: Any
) -> tuple[JobResult, dict[str, list[dict[str, Any]]]]:
    source = _write(tmp_path, ddl)
    request = GenerationRequest(
        source=source, out_dir=tmp_path / "out", format=ExportFormat.JSONL, **options
    )
    result = run_pipeline(request)
    assert result.validation_failures == 0
    rows = {
        t.table: [json.loads(line) for line in t.path.read_text(encoding="utf-8").splitlines()]
        for t in result.tables
    }
    return result, rows


def _keys(rows: list[dict[str, Any]], *columns: str) -> set[tuple[Any, ...]]:
    return {tuple(r[c] for c in columns) for r in rows}


def test_children_use_parent_keys_and_keys_never_repeat(tmp_path: Path) -> None:
    result, rows = _run(tmp_path, SHOP, rows=30, chunk_size=7, table_rows={"order_line": 200})

    order = [t.table for t in result.tables]
    assert order.index("customer") < order.index("orders") < order.index("order_line")
    assert order.index("product") < order.index("order_line")
    customers = _keys(rows["customer"], "id")
    assert [r["id"] for r in rows["customer"]] == list(range(1, 31))  # numbered keys
    assert {r["customer_id"] for r in rows["orders"]} <= {k[0] for k in customers}
    assert {r["referrer_id"] for r in rows["orders"]} - {None} <= {k[0] for k in customers}
    lines = rows["order_line"]
    assert len(lines) == 200
    assert len(_keys(lines, "order_id", "line_no")) == 200  # composite key, across chunks
    assert {r["sku"] for r in lines} <= {r["sku"] for r in rows["product"]}
    favourites = rows["favourite"]
    assert len(_keys(favourites, "customer_id", "sku")) == len(favourites)
    assert len({r["email"] for r in rows["customer"]}) == 30


def test_child_counts_are_derived_from_parents(tmp_path: Path) -> None:
    result, _ = _run(tmp_path, SHOP, rows=10, table_rows={"customer": 4})

    counts = {t.table: t.rows for t in result.tables}
    assert counts["customer"] == 4
    assert counts["product"] == 10
    assert counts["orders"] == CHILD_FACTOR * 4
    assert counts["order_line"] == CHILD_FACTOR * counts["orders"]
    assert counts["favourite"] == min(CHILD_FACTOR * 10, 4 * 10)
    assert counts["employee"] == 10


def test_self_references_point_to_earlier_rows(tmp_path: Path) -> None:
    _, rows = _run(tmp_path, SHOP, rows=40, chunk_size=9, tables=("employee",))

    employees = rows["employee"]
    assert employees[0]["manager_id"] is None
    seen: set[int] = set()
    for row in employees:
        assert row["manager_id"] is None or row["manager_id"] in seen
        seen.add(row["id"])
    assert sum(r["manager_id"] is not None for r in employees) > 20


def test_composite_foreign_keys_match_a_parent_row_as_a_whole(tmp_path: Path) -> None:
    ddl = """
        CREATE TABLE city (country CHAR(2) NOT NULL, name VARCHAR(30) NOT NULL,
                           PRIMARY KEY (country, name));
        CREATE TABLE person (id INTEGER PRIMARY KEY, country CHAR(2) NOT NULL,
                             city VARCHAR(30) NOT NULL,
                             FOREIGN KEY (country, city) REFERENCES city (country, name));
    """
    _, rows = _run(tmp_path, ddl, rows=25)

    assert _keys(rows["person"], "country", "city") <= _keys(rows["city"], "country", "name")


def test_a_one_to_one_key_uses_each_parent_once(tmp_path: Path) -> None:
    ddl = """
        CREATE TABLE account (id INTEGER PRIMARY KEY);
        CREATE TABLE profile (account_id INTEGER PRIMARY KEY REFERENCES account (id), bio TEXT);
    """
    result, rows = _run(tmp_path, ddl, rows=12, chunk_size=5)

    assert {t.table: t.rows for t in result.tables} == {"account": 12, "profile": 12}
    assert sorted(r["account_id"] for r in rows["profile"]) == list(range(1, 13))


def test_too_many_rows_for_a_unique_pair_of_parents_is_unsatisfiable(tmp_path: Path) -> None:
    with pytest.raises(UnsatisfiableError) as caught:
        _run(tmp_path, SHOP, rows=3, table_rows={"favourite": 10})

    assert "favourite" in caught.value.message
    assert "9 distinct combinations" in caught.value.message


def test_a_nullable_cycle_is_broken_through_the_nullable_key(tmp_path: Path) -> None:
    ddl = """
        CREATE TABLE team (id INTEGER PRIMARY KEY, captain_id INTEGER REFERENCES player (id));
        CREATE TABLE player (id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL REFERENCES team (id));
    """
    result, rows = _run(tmp_path, ddl, rows=8)

    assert [t.table for t in result.tables] == ["team", "player"]
    assert {r["captain_id"] for r in rows["team"]} == {None}
    assert {r["team_id"] for r in rows["player"]} <= {r["id"] for r in rows["team"]}
    assert any("left null to break a cycle" in n for n in result.notices)


CYCLE = """
    CREATE TABLE address (id INTEGER PRIMARY KEY, street TEXT NOT NULL);
    CREATE TABLE store (id INTEGER PRIMARY KEY,
                        manager_id INTEGER NOT NULL UNIQUE REFERENCES staff (id),
                        address_id INTEGER NOT NULL REFERENCES address (id));
    CREATE TABLE staff (id INTEGER PRIMARY KEY, name TEXT NOT NULL,
                        store_id INTEGER NOT NULL REFERENCES store (id));
"""


def test_a_cycle_of_not_null_keys_points_at_the_numbers_of_the_later_table(
    tmp_path: Path,
) -> None:
    """Sakila's store ↔ staff: each store's manager is a staff row made after the stores."""
    result, rows = _run(tmp_path, CYCLE, rows=5, chunk_size=4)

    assert [t.table for t in result.tables] == ["address", "store", "staff"]
    staff_ids = {r["id"] for r in rows["staff"]}
    managers = [r["manager_id"] for r in rows["store"]]
    assert set(managers) <= staff_ids
    assert len(set(managers)) == len(managers)  # UNIQUE manager_id
    assert {r["store_id"] for r in rows["staff"]} <= {r["id"] for r in rows["store"]}
    assert any("points at rows made after it" in n for n in result.notices)


@pytest.mark.parametrize("with_ddl", [False, True])
def test_a_not_null_cycle_loads_into_sqlite_with_foreign_keys_on(
    tmp_path: Path, with_ddl: bool
) -> None:
    import sqlite3  # noqa: PLC0415

    source = _write(tmp_path, CYCLE)
    request = GenerationRequest(
        source=source, out_dir=tmp_path / "out", rows=5, format=ExportFormat.SQL, with_ddl=with_ddl
    )
    result = run_pipeline(request)
    store_sql = (tmp_path / "out" / "store.sql").read_text(encoding="utf-8")
    assert "PRAGMA foreign_keys = OFF;" in store_sql
    assert store_sql.rstrip().endswith("PRAGMA foreign_keys = ON;")
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA foreign_keys = ON")
    if not with_ddl:
        connection.executescript(CYCLE)
    for table in result.tables:
        connection.executescript(table.path.read_text(encoding="utf-8"))
    assert connection.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    counts = [
        connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
        for t in ("store", "staff")
    ]
    assert counts == [result.tables[1].rows, result.tables[2].rows]


@pytest.mark.parametrize(
    ("dialect", "off", "on"),
    [
        ("postgres", "SET session_replication_role = replica;", "RESET session_replication_role;"),
        (
            "mysql",
            "SET @TDGEN_FOREIGN_KEY_CHECKS = @@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS = 0;",
            "SET FOREIGN_KEY_CHECKS = @TDGEN_FOREIGN_KEY_CHECKS;",
        ),
    ],
)
def test_a_not_null_cycle_in_other_dialects_declares_the_forward_key_later(
    tmp_path: Path, dialect: str, off: str, on: str
) -> None:
    from tdgen_desktop.core import Dialect  # noqa: PLC0415

    source = _write(tmp_path, CYCLE)
    request = GenerationRequest(
        source=source,
        out_dir=tmp_path / "out",
        rows=5,
        format=ExportFormat.SQL,
        dialect=Dialect(dialect),
        with_ddl=True,
    )
    run_pipeline(request)
    store_sql = (tmp_path / "out" / "store.sql").read_text(encoding="utf-8")
    staff_sql = (tmp_path / "out" / "staff.sql").read_text(encoding="utf-8")
    assert off in store_sql
    assert store_sql.rstrip().endswith(on)
    create_store = store_sql[store_sql.index("CREATE TABLE") :].split(";")[0]
    assert "staff" not in create_store  # staff does not exist yet when store is created
    last = staff_sql.rstrip().splitlines()[-1]
    assert last.startswith("ALTER TABLE ")
    assert "staff" in last
    assert off not in staff_sql


def test_a_cycle_of_not_null_keys_names_the_cycle(tmp_path: Path) -> None:
    """Text keys are not numbered: no key of the later table is known in advance."""
    ddl = """
        CREATE TABLE store (code CHAR(4) PRIMARY KEY,
                            manager_code CHAR(4) NOT NULL REFERENCES staff (code));
        CREATE TABLE staff (code CHAR(4) PRIMARY KEY,
                            store_code CHAR(4) NOT NULL REFERENCES store (code));
        CREATE TABLE other (id INTEGER PRIMARY KEY);
    """
    with pytest.raises(UnsatisfiableError) as caught:
        _run(tmp_path, ddl)

    message = caught.value.message
    assert "schema.sql" in message
    assert "cycle of NOT NULL foreign keys" in message
    assert "store.manager_code → staff" in message
    assert "staff.store_code → store" in message
    assert not (tmp_path / "out").exists()


def test_choosing_a_table_brings_the_parents_it_needs(tmp_path: Path) -> None:
    result, rows = _run(tmp_path, SHOP, rows=6, tables=("order_line",))

    assert [t.table for t in result.tables] == ["customer", "product", "orders", "order_line"]
    assert any("'orders' is generated too" in n for n in result.notices)
    assert any("referrer" not in n for n in result.notices)
    assert Counter(r["order_id"] for r in rows["order_line"]).keys() <= {
        r["id"] for r in rows["orders"]
    }


def test_a_nullable_key_to_a_table_not_generated_is_left_null(tmp_path: Path) -> None:
    ddl = """
        CREATE TABLE tag (id INTEGER PRIMARY KEY);
        CREATE TABLE note (id INTEGER PRIMARY KEY, tag_id INTEGER REFERENCES tag (id));
    """
    result, rows = _run(tmp_path, ddl, rows=5, tables=("note",))

    assert [t.table for t in result.tables] == ["note"]
    assert {r["tag_id"] for r in rows["note"]} == {None}
    assert any("left null because table 'tag' is not generated" in n for n in result.notices)


def test_the_plan_orders_corpus_tables_parents_first(corpus: Path) -> None:
    dataset = load_schema(corpus / "sql" / "chinook-sqlite.sql")
    plan = plan_relations(dataset, dataset.tables, 10, {})

    placed: set[str] = set()
    for table in plan.tables:
        for fk in table.foreign_keys:
            assert fk.ref_table in placed or fk.ref_table == table.name
        placed.add(table.name)


def test_case_rows_of_a_junction_table_keep_clear_of_valid_keys(tmp_path: Path) -> None:
    result, rows = _run(tmp_path, SHOP, rows=4, cases=frozenset(CaseKind), tables=("favourite",))

    favourites = rows["favourite"]
    labels = [
        json.loads(line)
        for line in result.tables[-1].cases_path.read_text(encoding="utf-8").splitlines()
    ]
    valid = {
        (r["customer_id"], r["sku"])
        for r, lab in zip(favourites, labels, strict=True)
        if lab["case"] == "valid"
    }
    assert len(valid) == sum(lab["case"] == "valid" for lab in labels) < 16
    for row, label in zip(favourites, labels, strict=True):
        if label["case"] == "boundary":
            assert (row["customer_id"], row["sku"]) not in valid


def test_invalid_rows_of_a_table_pointing_ahead_come_after_the_checks_are_on(
    tmp_path: Path,
) -> None:
    """Checks are off only for the valid and boundary rows: every invalid row — the one whose
    reference has no parent row too — is still rejected, once the valid rows are loaded."""
    import re  # noqa: PLC0415
    import sqlite3  # noqa: PLC0415

    source = _write(tmp_path, CYCLE)
    request = GenerationRequest(
        source=source,
        out_dir=tmp_path / "out",
        rows=5,
        format=ExportFormat.SQL,
        cases=frozenset(CaseKind),
    )
    result = run_pipeline(request)
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.executescript(CYCLE)
    invalid: list[str] = []
    for table in result.tables:
        text = table.path.read_text(encoding="utf-8")
        valid, *rows = re.split(r"(?m)^(?=-- invalid: )", text)
        if "PRAGMA foreign_keys = OFF;" in valid:
            assert valid.rstrip().endswith("PRAGMA foreign_keys = ON;")
        connection.executescript(valid)
        invalid.extend(rows)
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    assert any("foreignKey" in row for row in invalid)
    for row in invalid:
        with pytest.raises(sqlite3.IntegrityError):
            connection.execute(row.split("\n", 1)[1])
