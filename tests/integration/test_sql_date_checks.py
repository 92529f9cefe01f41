"""Date-range CHECK constraints are kept by generation: the rows load into PostgreSQL.

A DDL bounds date and timestamp columns with ``>=``, ``>``, ``<``, ``<=`` and ``BETWEEN``
(also with ``::date``/``::timestamp`` casts, as pg_dump writes them). tdgen turns these into
date bounds of the fields, so valid and boundary rows satisfy every CHECK: the server accepts
all of them, and each CHECK is tested by the server itself with an invalid row just outside.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pg_support import PgServer

from tdgen_desktop.core import CaseKind, ExportFormat
from tdgen_desktop.generation.pipeline import GenerationRequest, run_pipeline
from tdgen_desktop.importers import load_schema

DDL = """
CREATE TABLE booking (
    id integer PRIMARY KEY,
    booked date NOT NULL CHECK (booked >= '2020-01-01'),
    stay date CHECK (stay BETWEEN '2024-07-01' AND '2024-07-10'),
    paid timestamp without time zone NOT NULL,
    closed date,
    CONSTRAINT paid_in_january CHECK (((paid >= '2007-01-01 00:00:00'::timestamp without time zone)
        AND (paid < '2007-02-01 00:00:00'::timestamp without time zone))),
    CHECK (closed > '2021-06-01'::date AND closed <= '2021-06-03')
);
"""


def test_date_checks_become_bounds(tmp_path: Path) -> None:
    schema = tmp_path / "booking.sql"
    schema.write_text(DDL, encoding="utf-8")
    dataset = load_schema(schema)
    table = dataset.tables[0]
    bounds = {
        f.name: (f.constraints.date_minimum, f.constraints.date_maximum) for f in table.fields
    }
    assert bounds["booked"] == ("2020-01-01", None)
    assert bounds["stay"] == ("2024-07-01", "2024-07-10")
    assert bounds["paid"] == ("2007-01-01T00:00:00", "2007-01-31T23:59:59")
    assert bounds["closed"] == ("2021-06-02", "2021-06-03")
    assert not [n for n in dataset.notices if "not enforced" in n], dataset.notices


def test_rows_within_date_checks_load_into_postgres(tmp_path: Path, postgres: PgServer) -> None:
    schema = tmp_path / "booking.sql"
    schema.write_text(DDL, encoding="utf-8")
    result = run_pipeline(
        GenerationRequest(
            source=schema,
            out_dir=tmp_path / "out",
            rows=400,
            format=ExportFormat.SQL,
            seed=3,
            cases=frozenset({CaseKind.VALID, CaseKind.BOUNDARY}),
        )
    )
    postgres.create_database("date_checks")
    output = postgres.psql(
        "date_checks",
        schema,
        result.tables[0].path,
        sql=(
            "SELECT count(*), min(booked), min(stay), max(stay), min(paid), max(paid), "
            "count(DISTINCT closed) FROM booking"
        ),
    )  # psql stops at the first rejected row
    count, booked, stay_low, stay_high, paid_low, paid_high, closed = output.strip().split("|")
    assert int(count) == result.tables[0].rows > 400  # valid and boundary rows, all accepted
    assert dt.date.fromisoformat(booked) >= dt.date(2020, 1, 1)
    assert (stay_low, stay_high) == ("2024-07-01", "2024-07-10")  # the boundary rows
    assert paid_low == "2007-01-01 00:00:00"
    assert paid_high == "2007-01-31 23:59:59"
    assert int(closed) == 2
    # The bounds are tight: the day before and after each range is refused by the server.
    for statement in (
        "INSERT INTO booking VALUES (-1, '2019-12-31', NULL, '2007-01-05', NULL)",
        "INSERT INTO booking VALUES (-2, '2020-01-01', '2024-07-11', '2007-01-05', NULL)",
        "INSERT INTO booking VALUES (-3, '2020-01-01', NULL, '2007-02-01 00:00:00', NULL)",
        "INSERT INTO booking VALUES (-4, '2020-01-01', NULL, '2007-01-05', '2021-06-01')",
    ):
        with pytest.raises(AssertionError, match="violates check constraint"):
            postgres.psql("date_checks", sql=statement)
