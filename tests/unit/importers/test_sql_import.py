"""SQL DDL import: what a user sees after ``load_schema`` on a ``.sql`` file.

Each test writes a small DDL file (or reads the corpus) and checks the imported model — types,
limits, nullability, keys, references, CHECK constraints, the row schema — or the error a user
would read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tdgen_desktop.core import (
    Dataset,
    Dialect,
    Field,
    FieldType,
    ForeignKey,
    SchemaError,
    SourceFormat,
    UnsatisfiableError,
)
from tdgen_desktop.core.validation import Oracle
from tdgen_desktop.importers import detect_format, load_schema
from tdgen_desktop.importers.sql import detect_dialect, split_statements


def _load(tmp_path: Path, ddl: str, dialect: Dialect | None = None, name: str = "s.sql") -> Dataset:
    path = tmp_path / name
    path.write_text(ddl, encoding="utf-8")
    return load_schema(path, dialect=dialect)


def _field(dataset: Dataset, table: str, column: str) -> Field:
    return dataset.table(table).field(column)


# ====================================================================== dialects and statements


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CREATE TABLE `t` (id INT UNSIGNED AUTO_INCREMENT) ENGINE=InnoDB;", Dialect.MYSQL),
        ("CREATE TABLE t (id serial, v jsonb, d timestamp with time zone);", Dialect.POSTGRES),
        ("CREATE TABLE [t] ([id] INTEGER PRIMARY KEY AUTOINCREMENT);", Dialect.SQLITE),
        ("CREATE TABLE t (id INTEGER);", Dialect.SQLITE),
    ],
)
def test_dialect_is_detected_from_the_text(text: str, expected: Dialect) -> None:
    assert detect_dialect(text) is expected


def test_dialect_is_detected_from_the_file_name() -> None:
    assert detect_dialect("CREATE TABLE t (id INTEGER);", Path("shop-mysql.sql")) is Dialect.MYSQL


def test_sql_files_are_detected_by_extension() -> None:
    assert detect_format(Path("x.SQL")) is SourceFormat.SQL


def test_statements_keep_strings_comments_bodies_and_trigger_blocks_whole() -> None:
    text = (
        "-- a comment; with a semicolon\n"
        "CREATE TABLE a (s TEXT DEFAULT 'x;y');\n"
        "CREATE TRIGGER tr AFTER INSERT ON a BEGIN\n"
        "  UPDATE a SET s = 'z'; UPDATE a SET s = 'w';\n"
        "END;\n"
        "/* block; comment */ CREATE INDEX i ON a (s);\n"
    )
    statements, _ = split_statements(text, Dialect.SQLITE)

    assert [(s.line, s.kind) for s in statements] == [
        (2, "CREATE TABLE"),
        (3, "CREATE TRIGGER"),
        (6, "CREATE INDEX"),
    ]
    assert statements[0].text == "CREATE TABLE a (s TEXT DEFAULT 'x;y')"


def test_other_statements_are_skipped_with_one_notice(tmp_path: Path) -> None:
    ddl = """
        SET client_encoding = 'UTF8';
        \\c shop
        CREATE TABLE item (id integer PRIMARY KEY, name text);
        INSERT INTO item VALUES (1, 'a');
        CREATE INDEX item_name ON item (name);
        CREATE VIEW v AS SELECT * FROM item;
        CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
        COPY item (id, name) FROM stdin;
        2\tb;c
        \\.
        COMMENT ON TABLE item IS 'x';
    """
    dataset = _load(tmp_path, ddl, Dialect.POSTGRES)

    assert [t.name for t in dataset.tables] == ["item"]
    skipped = [n for n in dataset.notices if n.startswith("skipped statements")]
    assert len(skipped) == 1
    for kind in ("1 SET", "1 INSERT", "1 CREATE INDEX", "1 CREATE VIEW", "1 CREATE FUNCTION"):
        assert kind in skipped[0]
    assert any("meta-command" in n for n in dataset.notices)
    assert any("COPY" in n for n in dataset.notices)


def test_mysql_delimiter_blocks_are_skipped(tmp_path: Path) -> None:
    ddl = """
        CREATE TABLE a (id INT NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB;
        DELIMITER //
        CREATE PROCEDURE p() BEGIN
            IF 1 = 1 THEN SELECT 1; END IF;
        END//
        DELIMITER ;
        CREATE TABLE b (id INT);
    """
    dataset = _load(tmp_path, ddl, Dialect.MYSQL)

    assert [t.name for t in dataset.tables] == ["a", "b"]
    assert "1 CREATE PROCEDURE" in dataset.notices[0]


# ====================================================================== column types


def test_mysql_column_types(tmp_path: Path) -> None:
    ddl = """
        CREATE TABLE t (
          a INT UNSIGNED NOT NULL AUTO_INCREMENT,
          b TINYINT UNSIGNED NOT NULL DEFAULT 3,
          c DECIMAL(5,2) NOT NULL,
          d DECIMAL(6,2) UNSIGNED,
          e VARCHAR(45) NOT NULL,
          f ENUM('G','PG','PG-13') DEFAULT 'G',
          g SET('x','y'),
          h TINYTEXT,
          i BOOLEAN,
          j DATETIME,
          k TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
          l YEAR,
          m JSON,
          n VARBINARY(30),
          o BIGINT,
          PRIMARY KEY (a)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8;
    """
    dataset = _load(tmp_path, ddl)
    t = dataset.table("t")

    a = t.field("a")
    assert (a.type, a.constraints.minimum, a.constraints.maximum) == (
        FieldType.INTEGER,
        1,
        2**32 - 1,
    )
    assert (a.sql_identity, a.unique, a.nullable, a.sql_type) == (
        "auto_increment",
        True,
        False,
        "INT UNSIGNED",
    )
    assert (t.field("b").constraints.maximum, t.field("b").constraints.default) == (255, 3)
    c = t.field("c").constraints
    assert (c.minimum, c.maximum, c.multiple_of) == (-999.99, 999.99, 0.01)
    assert t.field("d").constraints.minimum == 0
    assert t.field("e").constraints.max_length == 45
    assert t.field("f").constraints.enum == ("G", "PG", "PG-13")
    assert t.field("f").nullable
    assert {"", "x", "y", "x,y"} <= set(t.field("g").constraints.enum or ())
    assert t.field("h").constraints.max_length == 63
    assert t.field("i").type is FieldType.BOOLEAN
    assert t.field("j").type is FieldType.DATETIME
    assert (t.field("k").type, t.field("k").nullable) == (FieldType.DATETIME, False)
    assert (t.field("l").constraints.minimum, t.field("l").constraints.maximum) == (1901, 2155)
    assert t.field("m").type is FieldType.OBJECT
    assert (t.field("n").type, t.field("n").constraints.max_length) == (FieldType.BINARY, 40)
    assert t.field("o").constraints.maximum == 2**63 - 1
    assert t.primary_key == ("a",)


def test_postgres_column_types(tmp_path: Path) -> None:
    ddl = """
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
        CREATE DOMAIN public.year AS integer
            CONSTRAINT year_check CHECK (((VALUE >= 1901) AND (VALUE <= 2155)));
        CREATE DOMAIN code AS varchar(5) NOT NULL;
        CREATE TABLE public.t (
            id serial PRIMARY KEY,
            big bigint GENERATED ALWAYS AS IDENTITY,
            seq integer DEFAULT nextval('t_seq'::regclass) NOT NULL,
            tags text[] NOT NULL,
            doc jsonb,
            at timestamp with time zone DEFAULT now(),
            day date,
            clock time without time zone,
            uid uuid,
            feeling mood DEFAULT 'ok'::mood,
            made public.year,
            short code,
            twice integer GENERATED ALWAYS AS (id * 2) STORED,
            "MixedCase" character varying(10),
            Folded integer,
            addr inet,
            words tsvector
        );
    """
    dataset = _load(tmp_path, ddl, name="pg.sql")
    t = dataset.table("t")

    assert t.dialect is Dialect.POSTGRES
    assert (t.field("id").sql_identity, t.field("id").constraints.minimum) == ("serial", 1)
    assert t.field("big").sql_identity == "identity always"
    assert t.field("seq").sql_identity == "serial"
    assert t.field("seq").sql_default == "NEXTVAL(CAST('t_seq' AS REGCLASS))"
    tags = t.field("tags")
    assert tags.type is FieldType.ARRAY
    assert tags.items is not None
    assert tags.items.type is FieldType.STRING
    assert t.field("doc").type is FieldType.OBJECT
    assert (t.field("at").type, t.field("day").type) == (FieldType.DATETIME, FieldType.DATE)
    assert (t.field("clock").type, t.field("uid").type) == (FieldType.TIME, FieldType.UUID)
    assert t.field("feeling").constraints.enum == ("sad", "ok", "happy")
    assert t.field("feeling").constraints.default == "ok"
    made = t.field("made")
    assert (made.type, made.constraints.minimum, made.constraints.maximum) == (
        FieldType.INTEGER,
        1901,
        2155,
    )
    assert made.sql_type == "public.year"
    short = t.field("short")
    assert (short.constraints.max_length, short.nullable) == (5, False)
    assert t.field("twice").omit
    assert "twice" not in t.columns
    assert t.field("MixedCase").constraints.max_length == 10
    assert t.field("folded").type is FieldType.INTEGER  # unquoted names fold to lower case
    assert t.field("addr").constraints.format == "ipv4"
    assert t.field("words").constraints.pattern is not None


def test_sqlite_types_and_untyped_columns(tmp_path: Path) -> None:
    ddl = (
        "CREATE TABLE [T] ([Id] INTEGER PRIMARY KEY AUTOINCREMENT, [Name] NVARCHAR(20), "
        "anything, b BLOB SUB_TYPE TEXT);"
    )
    dataset = _load(tmp_path, ddl)
    t = dataset.table("T")

    assert t.field("Id").sql_identity == "auto_increment"
    assert t.field("Name").constraints.max_length == 20
    assert t.field("anything").type is FieldType.STRING
    assert t.field("b").type is FieldType.STRING  # Firebird-style BLOB SUB_TYPE TEXT


def test_unknown_types_become_short_text_with_a_notice(tmp_path: Path) -> None:
    dataset = _load(tmp_path, "CREATE TABLE t (g geometry);", Dialect.POSTGRES)

    assert dataset.table("t").field("g").type is FieldType.STRING
    assert any("'GEOMETRY' is not known" in n for n in dataset.notices)


# ====================================================================== keys and references


def test_keys_unique_sets_and_foreign_keys(tmp_path: Path) -> None:
    ddl = """
        CREATE TABLE country (code CHAR(2) PRIMARY KEY, name TEXT UNIQUE NOT NULL);
        CREATE TABLE city (
            country CHAR(2) NOT NULL REFERENCES country,
            name VARCHAR(40) NOT NULL,
            PRIMARY KEY (country, name)
        );
        CREATE TABLE person (
            id INTEGER PRIMARY KEY,
            boss INTEGER REFERENCES person (id),
            home_country CHAR(2),
            home_city VARCHAR(40),
            email TEXT,
            login TEXT,
            UNIQUE (email, login),
            CONSTRAINT lives FOREIGN KEY (home_country, home_city) REFERENCES city (country, name)
        );
        CREATE TABLE badge (person_id INTEGER NOT NULL, label TEXT NOT NULL);
        ALTER TABLE badge ADD CONSTRAINT badge_person
            FOREIGN KEY (person_id) REFERENCES person (id);
        CREATE UNIQUE INDEX badge_once ON badge (person_id, label);
    """
    dataset = _load(tmp_path, ddl, Dialect.SQLITE)

    assert dataset.table("country").primary_key == ("code",)
    assert dataset.table("country").field("name").unique
    city = dataset.table("city")
    assert city.primary_key == ("country", "name")
    assert city.foreign_keys == [ForeignKey(("country",), "country", ("code",))]
    person = dataset.table("person")
    assert person.unique_sets == [("email", "login")]
    assert person.foreign_keys == [
        ForeignKey(("boss",), "person", ("id",)),
        ForeignKey(("home_country", "home_city"), "city", ("country", "name")),
    ]
    badge = dataset.table("badge")
    assert badge.foreign_keys == [ForeignKey(("person_id",), "person", ("id",))]
    assert badge.unique_sets == [("person_id", "label")]


def test_a_foreign_key_to_a_missing_table_names_both(tmp_path: Path) -> None:
    with pytest.raises(SchemaError) as caught:
        _load(tmp_path, "CREATE TABLE a (id INT, b_id INT REFERENCES b (id));")

    message = caught.value.message
    assert "s.sql" in message
    assert "table 'a'" in message
    assert "'b'" in message
    assert "does not create" in message


def test_a_foreign_key_to_a_missing_column_is_an_error(tmp_path: Path) -> None:
    ddl = "CREATE TABLE b (id INT PRIMARY KEY); CREATE TABLE a (x INT REFERENCES b (nope));"
    with pytest.raises(SchemaError, match="column 'nope'"):
        _load(tmp_path, ddl)


def test_alter_table_on_a_table_never_created_is_an_error(tmp_path: Path) -> None:
    ddl = "CREATE TABLE a (id INT);\nALTER TABLE ghost ADD CONSTRAINT k PRIMARY KEY (id);"
    with pytest.raises(SchemaError, match="line 2: ALTER TABLE names table 'ghost'"):
        _load(tmp_path, ddl, Dialect.POSTGRES)


# ====================================================================== CHECK constraints


def test_check_constraints_become_field_constraints(tmp_path: Path) -> None:
    ddl = """
        CREATE TABLE t (
            qty INTEGER CHECK (qty > 0 AND qty <= 100),
            price NUMERIC(8,2) CHECK (price BETWEEN 0.5 AND 999),
            size TEXT CHECK (size IN ('S', 'M', 'L')),
            rating TEXT,
            code TEXT CHECK (length(code) = 3),
            note TEXT CHECK (note IS NULL OR note LIKE '%!'),
            kind TEXT CHECK (kind <> 'x'),
            CONSTRAINT rating_ok CHECK (rating = ANY (ARRAY['G'::text, 'PG'::text])),
            CHECK (qty < price)
        );
    """
    dataset = _load(tmp_path, ddl, Dialect.POSTGRES)
    t = dataset.table("t")

    qty = t.field("qty").constraints
    assert (qty.minimum, qty.maximum, qty.exclusive_minimum) == (1, 100, False)
    price = t.field("price").constraints
    assert (price.minimum, price.maximum) == (0.5, 999)
    assert t.field("size").constraints.enum == ("S", "M", "L")
    assert t.field("rating").constraints.enum == ("G", "PG")
    assert (t.field("code").constraints.min_length, t.field("code").constraints.max_length) == (
        3,
        3,
    )
    assert t.field("note").constraints.pattern == "^.*!$"
    assert t.field("kind").constraints.not_values == ("x",)
    unenforced = [n for n in dataset.notices if "not enforced" in n]
    assert len(unenforced) == 1
    assert "qty < price" in unenforced[0]


def test_checks_that_leave_no_value_are_unsatisfiable(tmp_path: Path) -> None:
    with pytest.raises(UnsatisfiableError, match="column 'n'"):
        _load(tmp_path, "CREATE TABLE t (n SMALLINT CHECK (n > 40000));")


# ====================================================================== the row schema


def test_the_row_schema_accepts_good_rows_and_rejects_bad_ones(tmp_path: Path) -> None:
    ddl = """
        CREATE TABLE t (
            id INTEGER PRIMARY KEY,
            name VARCHAR(5) NOT NULL,
            price DECIMAL(4,2),
            size TEXT CHECK (size IN ('S', 'M')),
            day DATE
        );
    """
    table = _load(tmp_path, ddl, Dialect.MYSQL).table("t")
    oracle = Oracle(table.schema)
    good = {"id": 1, "name": "abc", "price": 12.34, "size": None, "day": "2024-01-31"}

    assert oracle.is_valid(good)
    for change in (
        {"name": "toolong"},
        {"price": 100.0},
        {"size": "L"},
        {"day": "31.1.2024"},
        {"name": None},
    ):
        assert not oracle.is_valid({**good, **change}), change


# ====================================================================== bad input


def test_sql_sqlglot_cannot_parse_names_line_and_statement(tmp_path: Path) -> None:
    ddl = "CREATE TABLE ok (id INT);\n\nCREATE TABLE broken (\n  id INT name TEXT\n);\n"
    with pytest.raises(SchemaError) as caught:
        _load(tmp_path, ddl, Dialect.SQLITE)

    message = caught.value.message
    assert message.startswith(str(tmp_path / "s.sql"))
    assert "line 4" in message
    assert "CREATE TABLE broken (" in message


def test_text_that_is_not_sql_is_refused(tmp_path: Path) -> None:
    with pytest.raises(
        SchemaError, match="line 2: not an SQL statement tdgen knows: 'hello world'"
    ):
        _load(tmp_path, "CREATE TABLE a (id INT);\nhello world;")


def test_an_unterminated_string_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="line 3"):
        _load(tmp_path, "CREATE TABLE a (id INT);\n\nCREATE TABLE b (s TEXT DEFAULT 'oops);\n")


def test_a_file_without_tables_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="no CREATE TABLE statement found"):
        _load(tmp_path, "SELECT 1;")


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dump.sql"
    path.write_bytes(b"SQLite format 3\x00\x10\x00\x01\x01")
    with pytest.raises(SchemaError, match="binary file"):
        load_schema(path)


# ====================================================================== the corpus


EXPECTED_TABLES = {
    "chinook-mysql.sql": 11,
    "chinook-postgres.sql": 11,
    "chinook-sqlite.sql": 11,
    "northwind-postgres.sql": 14,
    "pagila-schema.sql": 71,
    "sakila-mysql.sql": 16,
    "sakila-postgres.sql": 21,
    "sakila-sqlite.sql": 16,
}


@pytest.mark.parametrize("name", sorted(EXPECTED_TABLES))
def test_every_corpus_ddl_imports(corpus: Path, name: str) -> None:
    dataset = load_schema(corpus / "sql" / name)

    assert dataset.format is SourceFormat.SQL
    assert len(dataset.tables) == EXPECTED_TABLES[name]
    for table in dataset.tables:
        assert table.schema is not None
        assert all(f.sql_type for f in table.fields if f.sql_type is not None)
        for fk in table.foreign_keys:
            parent = dataset.table(fk.ref_table)
            assert all(parent.field(c) for c in fk.ref_columns)


def test_corpus_files_cover_every_sql_file(corpus: Path) -> None:
    assert {p.name for p in (corpus / "sql").glob("*.sql")} == set(EXPECTED_TABLES)


def test_sakila_details(corpus: Path) -> None:
    dataset = load_schema(corpus / "sql" / "sakila-mysql.sql")
    film = dataset.table("film")

    assert film.field("rating").constraints.enum == ("G", "PG", "PG-13", "R", "NC-17")
    assert film.field("rental_rate").constraints.default == 4.99
    rental = dataset.table("rental")
    assert ("rental_date", "inventory_id", "customer_id") in rental.unique_sets
    assert dataset.table("store").field("manager_staff_id").unique
    assert dataset.table("film_actor").primary_key == ("actor_id", "film_id")


def test_a_trigger_that_fills_another_table_is_named(corpus: Path, tmp_path: Path) -> None:
    """Sakila's ins_film copies each new film into film_text, which tdgen fills itself: loading
    both would repeat keys, so the import says so."""
    sakila = load_schema(corpus / "sql" / "sakila-mysql.sql")
    named = [n for n in sakila.notices if n.startswith("trigger ")]
    assert named == [
        "trigger ins_film inserts rows into film_text, which tdgen fills too: drop the trigger "
        "before loading the generated rows, or leave film_text out"
    ]
    ddl = """
        CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE audit (id INTEGER PRIMARY KEY, note TEXT);
        CREATE TRIGGER own AFTER INSERT ON item BEGIN
            INSERT INTO item (name) SELECT 'x' WHERE 0;
        END;
        CREATE TRIGGER log AFTER UPDATE ON item BEGIN
            INSERT INTO audit (note) VALUES ('changed');
        END;
    """
    path = tmp_path / "shop.sql"
    path.write_text(ddl, encoding="utf-8")
    notices = [n for n in load_schema(path, dialect=Dialect.SQLITE).notices if "trigger" in n]
    assert notices == [
        "trigger log inserts rows into audit, which tdgen fills too: drop the trigger before "
        "loading the generated rows, or leave audit out"
    ]
