"""Security: formula injection, SQL text round trips, no network with the null provider, and a scan
of everything a session writes for the API key.

* **Formula guard** — CSV, TSV and XLSX cells of valid and boundary rows that start with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return are neutralised by default (a leading ``'`` in
  CSV/TSV, Excel's quote-prefix in XLSX); numbers and invalid rows are written as they are;
  ``--no-formula-guard`` turns it off. The files are read back as a spreadsheet would read them:
  the CSV with the project's reader, the XLSX through its XML (``zipfile``).
* **SQL** — generated strings full of quotes, backslashes, comments, ``$$`` and ``E'…'`` go
  through SQL files into real SQLite and PostgreSQL databases and come back byte for byte.
* **No network** — ``tdgen generate`` runs with every socket connection and name lookup blocked
  (a ``sitecustomize`` in the subprocess records any attempt) on corpus schemas, one with a
  remote ``$ref``.
* **Secrets** — a hybrid job through the command line and through the scheduler with a random
  key, settings saved, a crash log and a debug log written; then every file under the test's
  folders and the session's ``TDGEN_HOME`` is searched for the key (inside XLSX and Parquet
  files too; the scanner itself is tested on planted keys). A session finaliser repeats the
  search over every temporary folder of the test session, after the last test.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from ai_server import API_KEY, FAST_RETRY, AiTestServer, MemoryKeyring
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from tdgen_desktop.core.enums import (
    CaseKind,
    Dialect,
    Expectation,
    ExportFormat,
    Priority,
    ProviderKind,
)
from tdgen_desktop.core.rows import CaseLabel, RowBatch
from tdgen_desktop.exporters import ExportOptions, writer_for
from tdgen_desktop.exporters.readers import read_rows
from tdgen_desktop.generation.pipeline import GenerationRequest, run_pipeline
from tdgen_desktop.importers import load_schema
from tdgen_desktop.llm import AiProfile, AiSession, AnswerCache, ProfileKind
from tdgen_desktop.scheduler import JobScheduler, JobState
from tdgen_desktop.services import AppPaths
from tdgen_desktop.services.credentials import CredentialStore
from tdgen_desktop.ui.crash import write_crash_log
from tdgen_desktop.ui.settings import Preferences, SettingsStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from pg_support import PgServer, postgres  # noqa: F401 — the PostgreSQL fixture

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
WAIT_MS = 120_000

Recorder = Callable[..., None]


def tdgen(
    *args: str | Path, home: Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m tdgen_desktop ARGS`` with its own ``TDGEN_HOME``."""
    full = {**os.environ, "PYTHONIOENCODING": "utf-8", "TDGEN_HOME": str(home)}
    for name in list(full):
        if name.startswith("TDGEN_AI_") or name == "TDGEN_DEBUG":
            del full[name]
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tdgen_desktop", *map(str, args)],
        env=full,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# ====================================================================== formula guard

RISKY = ("=1+1", "+41 44 000", "-2", "@SUM(A1:A9)", "\tTAB", "\rCR", '=HYPERLINK("x")')
SAFE = ("plain", "1-2", "a=b", "'quoted", "")
TRIGGERS = frozenset("=+-@\t\r")
FORMULA_SCHEMA = {
    "title": "sheet",
    "type": "object",
    "required": ["id", "text", "delta", "ratio"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "x-unique": True},
        "text": {"type": "string", "maxLength": 40},
        "delta": {"type": "integer", "minimum": -50, "maximum": -1},
        "ratio": {"type": "number", "minimum": -5, "maximum": -0.5},
    },
}


def _formula_batch(tmp_path: Path) -> tuple[Any, list[str], RowBatch]:
    schema = tmp_path / "sheet.schema.json"
    schema.write_text(json.dumps(FORMULA_SCHEMA), encoding="utf-8")
    table = load_schema(schema).tables[0]
    columns = ["id", "text", "delta", "ratio"]
    texts = [*RISKY, *SAFE]
    rows = [(i + 1, text, -(i + 1), -1.5) for i, text in enumerate(texts)]
    labels = [CaseLabel(CaseKind.VALID)] * len(rows)
    labels[1] = CaseLabel(CaseKind.BOUNDARY, "text", "maxLength")
    # invalid rows carry their text exactly as designed
    rows += [(100, "=2+2", -3, -1.0), (101, "@bad", -4, -1.0)]
    labels += [CaseLabel(CaseKind.INVALID, "text", "pattern", Expectation.REJECT)] * 2
    return table, columns, RowBatch(table, columns, rows, labels)


def _write(fmt: ExportFormat, folder: Path, table: Any, columns: list[str], batch: RowBatch,
           **options: Any) -> Path:  # fmt: skip
    path = folder / f"sheet.{fmt.value}"
    with writer_for(fmt)(path, table, columns, ExportOptions(**options)) as writer:
        writer.write(batch)
    return path


def _ooxml_text(text: str) -> str:
    """Undo OOXML's ``_xHHHH_`` escapes (control characters such as a carriage return)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m[1], 16)), text)


def _xlsx_cells(path: Path) -> list[dict[str, tuple[str, bool]]]:
    """Per row of the first sheet: column letter → (cell text, shown with a quote prefix)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    tag = "{%s}%%s" % ns["m"]  # noqa: UP031
    with zipfile.ZipFile(path) as book:
        styles = ET.fromstring(book.read("xl/styles.xml"))  # noqa: S314 — our own file
        shared: list[str] = []
        if "xl/sharedStrings.xml" in book.namelist():
            strings = ET.fromstring(book.read("xl/sharedStrings.xml"))  # noqa: S314
            shared = ["".join(t.text or "" for t in si.iter(tag % "t")) for si in strings]
        sheet = ET.fromstring(book.read("xl/worksheets/sheet1.xml"))  # noqa: S314
    xfs = styles.find("m:cellXfs", ns)
    assert xfs is not None
    quoted = [xf.get("quotePrefix") == "1" for xf in xfs]
    table = []
    for row in sheet.iter(tag % "row"):
        cells = {}
        for cell in row.iter(tag % "c"):
            assert cell.find("m:f", ns) is None  # never a formula
            kind, style = cell.get("t"), int(cell.get("s", "0"))
            value = cell.find("m:v", ns)
            if kind == "s":
                text = shared[int(value.text or "0")] if value is not None else ""
            elif kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(tag % "t"))
            else:
                text = (value.text or "") if value is not None else ""
            column = re.sub(r"[0-9]", "", cell.get("r", ""))
            cells[column] = (_ooxml_text(text), quoted[style])
        table.append(cells)
    return table


def test_formula_guard_neutralises_valid_text_cells(tmp_path: Path, record: Recorder) -> None:
    table, columns, batch = _formula_batch(tmp_path)
    texts = [row[1] for row in batch.rows]
    valid = [label.case is not CaseKind.INVALID for label in batch.labels]

    csv_rows = list(read_rows(_write(ExportFormat.CSV, tmp_path, table, columns, batch)))
    tsv_rows = list(read_rows(_write(ExportFormat.TSV, tmp_path, table, columns, batch)))
    for rows in (csv_rows, tsv_rows):
        expected = [
            "'" + text if ok and text[:1] in TRIGGERS else text
            for text, ok in zip(texts, valid, strict=True)
        ]
        assert [row["text"] for row in rows] == expected
        assert [row["delta"] for row in rows] == [str(r[2]) for r in batch.rows]  # numbers as is
        assert {row["ratio"] for row in rows} <= {"-1.5", "-1.0"}
    neutralised = sum(row["text"] != text for row, text in zip(csv_rows, texts, strict=True))
    assert neutralised == len(RISKY)

    sheet = _xlsx_cells(_write(ExportFormat.XLSX, tmp_path, table, columns, batch))
    body = sheet[1:]
    assert [cells.get("B", ("", False))[0] for cells in body] == texts  # text kept exactly
    assert [cells.get("B", ("", False))[1] for cells in body] == [
        ok and text[:1] in TRIGGERS for text, ok in zip(texts, valid, strict=True)
    ]
    assert not any(cells["C"][1] for cells in body)  # negative numbers are numbers
    assert [float(cells["C"][0]) for cells in body] == [float(r[2]) for r in batch.rows]

    off = tmp_path / "off"
    off.mkdir()
    plain = list(read_rows(_write(ExportFormat.CSV, off, table, columns, batch,
                                  formula_guard=False)))  # fmt: skip
    assert [row["text"] for row in plain] == texts
    assert not any(quoted for cells in _xlsx_cells(
        _write(ExportFormat.XLSX, off, table, columns, batch, formula_guard=False)
    ) for _text, quoted in cells.values())  # fmt: skip
    record(
        "Security",
        "formula injection: text cells starting with = + - @ tab CR "
        f"({len(RISKY)} kinds) in valid, boundary and invalid rows, CSV/TSV/XLSX",
        "valid and boundary cells get a leading ' (CSV, TSV) or Excel's quote prefix (XLSX, "
        "text kept exact, no formula cell); negative numbers untouched; invalid rows verbatim; "
        "formula_guard=False writes everything verbatim",
    )


def test_formula_guard_on_the_command_line(tmp_path: Path, record: Recorder) -> None:
    schema = tmp_path / "sheet.schema.json"
    spec = json.loads(json.dumps(FORMULA_SCHEMA))
    spec["properties"]["text"] = {"enum": ["=cmd|' /C calc'!A0", "@SUM(1)", "+1", "-1", "ok"]}
    schema.write_text(json.dumps(spec), encoding="utf-8")
    home = tmp_path / "home"
    on = tdgen("generate", schema, "--rows", "60", "--out", tmp_path / "on", "-q", home=home)
    off = tdgen("generate", schema, "--rows", "60", "--out", tmp_path / "off", "-q",
                "--no-formula-guard", home=home)  # fmt: skip
    assert on.returncode == 0, on.stderr
    assert off.returncode == 0, off.stderr
    on_rows = list(read_rows(tmp_path / "on" / "sheet.csv"))
    off_rows = list(read_rows(tmp_path / "off" / "sheet.csv"))
    assert len(on_rows) == len(off_rows) == 60
    for guarded, plain in zip(on_rows, off_rows, strict=True):
        assert plain["text"] in spec["properties"]["text"]["enum"]
        assert guarded["text"] == ("'" + plain["text"] if plain["text"] != "ok" else "ok")
        assert guarded["delta"] == plain["delta"]
        assert int(guarded["delta"]) < 0
    record(
        "Security",
        "`tdgen generate` (CSV) of an enum with formula payloads, with and without "
        "--no-formula-guard",
        "guarded by default: every payload starts with ', negative numbers untouched; "
        "--no-formula-guard writes them verbatim",
        f"{len(on_rows)} rows",
    )


def test_formula_guard_switch_in_the_window(qtbot: QtBot, tmp_path: Path, record: Recorder) -> None:
    from PySide6.QtWidgets import QCheckBox, QPushButton  # noqa: PLC0415

    from tdgen_desktop.app import build_main_window  # noqa: PLC0415
    from tdgen_desktop.ui import MessageBridge  # noqa: PLC0415

    schema = tmp_path / "sheet.schema.json"
    spec = json.loads(json.dumps(FORMULA_SCHEMA))
    spec["properties"]["text"] = {"enum": ["=1+1", "@A1", "ok"]}
    schema.write_text(json.dumps(spec), encoding="utf-8")
    paths = AppPaths.under(tmp_path / "home")
    settings = SettingsStore(QSettings(str(tmp_path / "tdgen.ini"), QSettings.Format.IniFormat))
    bridge = MessageBridge()
    scheduler = JobScheduler(paths, workers=1)
    window = build_main_window(paths, bridge, settings=settings, scheduler=scheduler)
    qtbot.addWidget(window)
    texts: dict[bool, set[str]] = {}
    try:
        window.show()
        loaded: list[object] = []
        window.dataset_loaded.connect(loaded.append)
        window.open_paths([schema])
        qtbot.waitUntil(lambda: bool(loaded), timeout=WAIT_MS)
        panel = window.generation_panel
        guard = panel.findChild(QCheckBox, "formula_guard")
        assert guard is not None
        assert guard.isChecked()  # on by default
        for on in (True, False):
            guard.setChecked(on)
            panel.set_rows(30)
            panel.set_output_dir(tmp_path / ("on" if on else "off"))
            with qtbot.waitSignal(window.job_submitted, timeout=WAIT_MS) as submitted:
                button = window.findChild(QPushButton, "generate_button")
                assert button is not None
                button.click()
            job_id = str(submitted.args[0])
            qtbot.waitUntil(lambda: scheduler.job(job_id).is_final, timeout=WAIT_MS)  # noqa: B023
            assert scheduler.job(job_id).state is JobState.DONE
            rows = read_rows(tmp_path / ("on" if on else "off") / "sheet.csv")
            texts[on] = {row["text"] for row in rows}
            assert panel.project_settings().formula_guard is on
    finally:
        scheduler.shutdown()
        bridge.close_dialogs()
    assert texts[True] == {"'=1+1", "'@A1", "ok"}
    assert texts[False] == {"=1+1", "@A1", "ok"}
    record(
        "Security",
        "the window's 'Neutralise spreadsheet formulas' switch (Generate panel, saved in projects)",
        "on by default: payloads written with a leading '; switched off: written verbatim",
    )


# ====================================================================== no network

_BLOCK_NETWORK = '''
"""Blocks every socket connection and name lookup of this process; records each attempt."""
import os, socket

_LOG = os.environ["TDGEN_NETWORK_LOG"]


def _refuse(what):
    def refuse(*args, **kwargs):
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{what} {args[:2]!r}\\n")
        raise OSError(f"network blocked by the test: {what}")
    return refuse


socket.socket.connect = _refuse("connect")
socket.socket.connect_ex = _refuse("connect_ex")
socket.getaddrinfo = _refuse("getaddrinfo")
socket.gethostbyname = _refuse("gethostbyname")
socket.create_connection = _refuse("create_connection")
'''


def _no_network_inputs(corpus: Path) -> list[tuple[Path, str]]:
    package = corpus / "jsonschema" / "package.json"
    assert "https://json.schemastore.org" in package.read_text(encoding="utf-8")  # remote $ref
    return [
        (package, "jsonschema with remote $ref"),
        (corpus / "jsonschema" / "bower.json", "jsonschema"),
        (corpus / "openapi" / "petstore-expanded-3.0.yaml", "openapi"),
        (corpus / "sql" / "chinook-sqlite.sql", "sql"),
        (corpus / "csv" / "penguins.csv", "csv sample"),
    ]


@pytest.mark.slow
def test_the_null_provider_never_touches_the_network(
    corpus: Path, tmp_path: Path, record: Recorder
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_BLOCK_NETWORK, encoding="utf-8")
    log = tmp_path / "network.log"
    env = {
        "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        ),
        "TDGEN_NETWORK_LOG": str(log),
    }
    # The block works: a lookup from the same interpreter set-up is refused and recorded.
    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.getaddrinfo('example.org', 443)"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.returncode != 0
    assert "network blocked by the test" in probe.stderr
    log.unlink()

    inputs = _no_network_inputs(corpus)
    done = tdgen("generate", *(source for source, _kind in inputs), "--rows", "20", "--cases",
                 "all", "--max-cases", "20", "--out", tmp_path / "out", "-q",
                 home=tmp_path / "home", env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "network blocked" not in done.stderr
    assert not log.exists(), log.read_text(encoding="utf-8")
    written = sorted(p.parent.name for p in (tmp_path / "out").rglob("*.cases.jsonl"))
    assert set(written) == {source.name.split(".")[0] for source, _kind in inputs}
    record(
        "Security",
        "`tdgen generate --cases all` (null provider) with every socket connect and name lookup "
        f"blocked: {', '.join(f'{p.name} ({k})' for p, k in inputs)}",
        "all generated, exit 0; not one connection or lookup was attempted; the remote $ref was "
        "not fetched",
        f"{len(inputs)} schemas",
    )


# ====================================================================== SQL round trips

SQL_SCHEMA = {
    "title": "awkward_text",
    "type": "object",
    "required": ["id", "mix", "chars"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "x-unique": True},
        "mix": {
            "type": "string",
            "pattern": "^(E'|\\$\\$|\\$q\\$|--|/\\*|\\*/|;|\\\\|\\\\'|''|'|\"|\n|\r\n|\t|%|_|"
            "ü|🙂|שלום|[a-z ]){0,20}$",
        },
        "chars": {"type": "string", "pattern": "^[\\\\'\";$/*E%_\\- a-zA-Z0-9]{1,40}$"},
    },
}
EXTRA = (
    "E'\\x41'",
    "'); DROP TABLE awkward_text; --",
    "\\'; SELECT 1; --",
    "U&'\\0041'",
    "$$; DROP TABLE awkward_text; $$",
    "/* unclosed comment",
    "*/ closing first",
    "'' ''' ''''",
    "\\\\\\",
    "E",
)


def _generated(tmp_path: Path, dialect: Dialect) -> tuple[Path, list[dict[str, Any]]]:
    """The SQL file (with CREATE TABLE) and, from a JSONL run of the same seed, its rows."""
    schema = tmp_path / "awkward_text.schema.json"
    schema.write_text(json.dumps(SQL_SCHEMA), encoding="utf-8")
    common = {"source": schema, "rows": 400, "seed": 11}
    run_pipeline(GenerationRequest(out_dir=tmp_path / "jsonl", format=ExportFormat.JSONL,
                                   **common))  # fmt: skip
    run_pipeline(GenerationRequest(out_dir=tmp_path / dialect.value, format=ExportFormat.SQL,
                                   dialect=dialect, with_ddl=True, **common))  # fmt: skip
    rows = [json.loads(line) for line in (tmp_path / "jsonl" / "awkward_text.jsonl").open()]
    rows += [{"id": 1000 + i, "mix": text, "chars": text} for i, text in enumerate(EXTRA)]
    # the hand-picked strings go through the same writer, in a file of their own
    table = load_schema(schema).tables[0]
    extra = tmp_path / dialect.value / "extra.sql"
    batch = RowBatch(table, ["id", "mix", "chars"], [tuple(r.values()) for r in rows[-len(EXTRA):]],
                     [CaseLabel(CaseKind.VALID)] * len(EXTRA))  # fmt: skip
    with writer_for(ExportFormat.SQL)(extra, table, batch.columns,
                                      ExportOptions(dialect=dialect)) as writer:  # fmt: skip
        writer.write(batch)
    return tmp_path / dialect.value / "awkward_text.sql", rows


def _awkward_count(rows: list[dict[str, Any]]) -> int:
    marks = ("'", "\\", "--", "/*", "$$", ";", "E'", "\n")
    return sum(any(m in r["mix"] + r["chars"] for m in marks) for r in rows)


def test_generated_strings_round_trip_through_sqlite(tmp_path: Path, record: Recorder) -> None:
    sql, rows = _generated(tmp_path, Dialect.SQLITE)
    connection = sqlite3.connect(":memory:")
    connection.executescript(sql.read_text(encoding="utf-8"))
    connection.executescript((sql.parent / "extra.sql").read_text(encoding="utf-8"))
    found = connection.execute("SELECT id, mix, chars FROM awkward_text ORDER BY id").fetchall()
    connection.close()
    assert found == [(r["id"], r["mix"], r["chars"]) for r in rows]
    assert _awkward_count(rows) > 300  # the strings really are awkward
    record(
        "Security",
        f"SQL export of {len(rows)} generated and hand-picked strings (quotes, backslashes, "
        "-- and /* */, ;, $$, E'…', U&'…', line breaks, tabs, unicode) loaded into SQLite",
        "every string came back exactly; no statement was broken or injected",
        f"{_awkward_count(rows)} awkward strings",
    )


@pytest.mark.parametrize("conforming", ["on", "off"])
def test_generated_strings_round_trip_through_postgres(
    conforming: str,
    tmp_path: Path,
    postgres: PgServer,  # noqa: F811 — the fixture imported above
    record: Recorder,
) -> None:
    sql, rows = _generated(tmp_path, Dialect.POSTGRES)
    database = f"t_security_{conforming}"
    postgres.create_database(database)
    setting = tmp_path / "setting.sql"
    setting.write_text(f"SET standard_conforming_strings = {conforming};\n", encoding="utf-8")
    assert postgres.psql(database, setting, sql, setting, sql.parent / "extra.sql").strip() == ""
    query = (
        "SELECT id, encode(convert_to(mix, 'UTF8'), 'hex'), encode(convert_to(chars, 'UTF8'), "
        "'hex') FROM awkward_text ORDER BY id"
    )
    found = []
    for line in postgres.psql(database, sql=query).splitlines():
        number, mix, chars = line.split("|")
        found.append((int(number), bytes.fromhex(mix).decode(), bytes.fromhex(chars).decode()))
    assert found == [(r["id"], r["mix"], r["chars"]) for r in rows]
    record(
        "Security",
        f"the same {len(rows)} strings loaded into PostgreSQL 15 with "
        f"standard_conforming_strings = {conforming}",
        "every string came back byte for byte; no statement was broken or injected",
        f"{_awkward_count(rows)} awkward strings",
    )


# ====================================================================== secrets scan

SCAN_KEY = "sk-tdgen-scan-" + secrets.token_hex(20)
"""A random key used only by this module's tests; nothing the session writes may contain it."""
PROFILE = "work"
TICKET_SCHEMA = {
    "type": "object",
    "title": "ticket",
    "required": ["id", "subject", "body"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "x-unique": True},
        "subject": {"type": "string", "maxLength": 60},
        "body": {"type": "string", "maxLength": 400},
        "priority": {"enum": ["low", "high"]},
    },
}
_CHUNK = 1 << 20


def files_containing(roots: list[Path], needles: tuple[str, ...]) -> list[Path]:
    """Every file under ``roots`` that contains one of ``needles``.

    Plain files are read in chunks (a needle across two chunks is found); compressed containers
    are opened, because their bytes would hide a key: the members of a ZIP archive (XLSX
    workbooks) are read decompressed, and a Parquet file's values are read with pyarrow.
    Symbolic links are not followed.
    """
    encoded = tuple(n.encode("utf-8") for n in needles)
    found = []
    for root in roots:
        for path in root.rglob("*") if root.is_dir() else []:
            if not path.is_file() or path.is_symlink():
                continue
            if _holds(path, encoded):
                found.append(path)
    return found


def _holds(path: Path, needles: tuple[bytes, ...]) -> bool:
    with path.open("rb") as stream:
        if _stream_holds(stream, needles):
            return True
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                for member in archive.infolist():
                    with archive.open(member) as stream:
                        if _stream_holds(stream, needles):
                            return True
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
            pass  # not really an archive: its raw bytes were searched above
    if path.read_bytes()[:4] == b"PAR1":
        import pyarrow.parquet as pq  # noqa: PLC0415 — only for Parquet files

        text = repr(pq.read_table(path).to_pylist()).encode("utf-8", "backslashreplace")
        return any(n in text for n in needles)
    return False


def _stream_holds(stream: Any, needles: tuple[bytes, ...]) -> bool:
    overlap = max(len(n) for n in needles)
    tail = b""
    while chunk := stream.read(_CHUNK):
        window = tail + chunk
        if any(n in window for n in needles):
            return True
        tail = window[-overlap:]
    return False


def test_the_scan_finds_a_planted_key(tmp_path: Path) -> None:
    """The scanner itself: a key across a chunk boundary, inside an XLSX (deflated ZIP) and in a
    compressed Parquet file is found; clean files and a link to a planted file are not listed."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    key = "sk-planted-" + secrets.token_hex(16)
    nested = tmp_path / "home" / "cache" / "ai"
    nested.mkdir(parents=True)
    straddling = nested / "answers.bin"
    straddling.write_bytes(b"x" * (_CHUNK - 7) + key.encode() + b"y" * 100)
    workbook = tmp_path / "out" / "ticket.xlsx"
    workbook.parent.mkdir()
    with zipfile.ZipFile(workbook, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", f"<sst><si><t>{key}</t></si></sst>" * 50)
    assert key.encode() not in workbook.read_bytes()  # compressed: invisible to a byte search
    table = tmp_path / "out" / "ticket.parquet"
    values = pa.table({"body": [f"note {i} {key}" for i in range(200)]})
    pq.write_table(values, table, compression="zstd", write_statistics=False)
    assert key.encode() not in table.read_bytes()
    clean = tmp_path / "out" / "ticket.csv"
    clean.write_text("id,body\n1,hello\n", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "out" / "clean.xlsx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", "<sst><si><t>hello</t></si></sst>")
    (tmp_path / "link").symlink_to(straddling)

    found = files_containing([tmp_path], (key,))
    assert sorted(found) == sorted([straddling, workbook, table])
    assert files_containing([tmp_path], ("sk-never-written",)) == []


@pytest.fixture(scope="session")
def session_secret_scan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Yields the scan key; at the end of the session searches every temporary folder for it.

    Session fixtures end before ``tests/conftest.py`` removes ``TDGEN_HOME`` (in
    ``pytest_sessionfinish``), so the session's home folder is still there to be searched, with
    every ``tmp_path`` of the session (the test model server's key too).
    """
    yield SCAN_KEY
    roots = [Path(os.environ["TDGEN_HOME"]), tmp_path_factory.getbasetemp()]
    leaks = files_containing(roots, (SCAN_KEY, API_KEY))
    assert leaks == [], f"an API key was written to {leaks}"


def _scan_env(server: AiTestServer, home: Path) -> dict[str, str]:
    return {
        "TDGEN_AI_PROVIDER": "openai",
        "TDGEN_AI_BASE_URL": server.base_url("openai"),
        "TDGEN_AI_MODEL": "test-model",
        "TDGEN_AI_API_KEY": SCAN_KEY,
        "TDGEN_HOME": str(home),
    }


@pytest.fixture
def scan_server() -> Iterator[AiTestServer]:
    server = AiTestServer(SCAN_KEY).start()
    yield server
    server.stop()


@pytest.fixture
def debug_log(tmp_path: Path) -> Iterator[Path]:
    """Every log record of the test, at DEBUG level, in a file under the test's home."""
    path = tmp_path / "home" / "log" / "tdgen-debug.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield path
    root.removeHandler(handler)
    root.setLevel(level)
    handler.close()


def _cli_hybrid_runs(tmp_path: Path, schema: Path, server: AiTestServer) -> list[str]:
    """Hybrid runs through the command line (also a failing server that echoes the key)."""
    home = tmp_path / "cli-home"
    env = _scan_env(server, home)
    printed = []
    for fmt, fault in (("csv", None), ("json", "echo_key"), ("xlsx", "401")):
        server.fault = fault
        cache = ["--no-ai-cache"] if fault else []
        done = tdgen("generate", schema, "--rows", "30", "--cases", "all", "--format", fmt,
                     *cache, "--out", tmp_path / "cli-out" / fmt, home=home, env=env)  # fmt: skip
        assert done.returncode == 0, done.stderr
        printed += [done.stdout, done.stderr]
    server.fault = None
    preview = tdgen("generate", schema, "--show-prompts", "--out", tmp_path / "cli-out" / "p",
                    home=home, env=env)  # fmt: skip
    printed += [preview.stdout, preview.stderr]
    assert "ai (hybrid, test-model)" in printed[0]
    return printed


def _gui_hybrid_run(
    qtbot: QtBot, tmp_path: Path, schema: Path, server: AiTestServer, keep: list[object]
) -> Path:
    """A hybrid job started from the window, key in the (in-memory) keyring; project saved.

    The window's objects go to ``keep``: they must outlive the window, which pytest-qt closes
    when the test ends.
    """
    from tdgen_desktop.app import build_main_window  # noqa: PLC0415
    from tdgen_desktop.ui import MessageBridge  # noqa: PLC0415
    from tdgen_desktop.ui.ai_profiles import AiSupport  # noqa: PLC0415

    home = tmp_path / "home"
    paths = AppPaths.under(home)
    backend = MemoryKeyring()
    credentials = CredentialStore(backend, env={})
    credentials.set(PROFILE, SCAN_KEY)
    settings = SettingsStore(QSettings(str(paths.config_dir / "tdgen.ini"),
                                       QSettings.Format.IniFormat))  # fmt: skip
    profile = AiProfile(PROFILE, ProfileKind.OPENAI, server.base_url("openai"), "test-model")
    settings.save(Preferences(output_dir=tmp_path / "gui-out", ai_profiles=(profile,),
                              ai_profile=PROFILE))  # fmt: skip
    bridge = MessageBridge()
    scheduler = JobScheduler(paths, workers=2)
    ai = AiSupport(credentials, paths.cache_dir / "ai", env={}, retry=FAST_RETRY)
    window = build_main_window(paths, bridge, settings=settings, scheduler=scheduler, ai=ai)
    keep.extend([bridge, scheduler, ai, window])
    qtbot.addWidget(window)
    try:
        window.show()
        loaded: list[object] = []
        window.dataset_loaded.connect(loaded.append)
        window.open_paths([schema])
        qtbot.waitUntil(lambda: bool(loaded), timeout=WAIT_MS)
        panel = window.generation_panel
        panel.set_rows(25)
        panel.set_case_kinds(set(CaseKind))
        panel.set_provider(ProviderKind.HYBRID)
        assert panel.provider is ProviderKind.HYBRID
        with qtbot.waitSignal(window.job_submitted, timeout=WAIT_MS) as submitted:
            from PySide6.QtWidgets import QPushButton  # noqa: PLC0415

            button = window.findChild(QPushButton, "generate_button")
            assert button is not None
            button.click()
        job_id = str(submitted.args[0])
        qtbot.waitUntil(lambda: scheduler.job(job_id).is_final, timeout=WAIT_MS)
        job = scheduler.job(job_id)
        assert job.state is JobState.DONE, job.error
        assert job.result is not None
        assert job.result.ai is not None
        assert "field(s) with AI values" in job.result.ai.message()
        project = window.save_project(tmp_path / "projects" / "ticket")
        assert project is not None
        assert project.is_file()
    finally:
        scheduler.shutdown()
        bridge.close_dialogs()
        ai.close()
    return home


def test_no_file_written_holds_the_api_key(
    qtbot: QtBot,
    tmp_path: Path,
    scan_server: AiTestServer,
    session_secret_scan: str,
    debug_log: Path,
    monkeypatch: pytest.MonkeyPatch,
    record: Recorder,
) -> None:
    key = session_secret_scan
    schema = tmp_path / "ticket.schema.json"
    schema.write_text(json.dumps(TICKET_SCHEMA), encoding="utf-8")
    monkeypatch.setattr(keyring, "get_keyring", MemoryKeyring)  # no system keyring is touched
    for name in ("TDGEN_AI_PROVIDER", "TDGEN_AI_BASE_URL", "TDGEN_AI_MODEL", "TDGEN_AI_API_KEY"):
        monkeypatch.delenv(name, raising=False)

    printed = _cli_hybrid_runs(tmp_path, schema, scan_server)
    window_objects: list[object] = []
    home = _gui_hybrid_run(qtbot, tmp_path, schema, scan_server, window_objects)
    # the scheduler alone (the engine under the window), key from the keyring, XLSX out
    session = AiSession(
        AiProfile(PROFILE, ProfileKind.ANTHROPIC, scan_server.base_url("anthropic"), "test-model"),
        CredentialStore(_keyring_with(key), env={}).get(PROFILE),
        cache=AnswerCache(AppPaths.under(home).cache_dir / "ai"),
        retry=FAST_RETRY,
    )
    scheduler = JobScheduler(AppPaths.under(home), workers=1)
    try:
        job_id = scheduler.submit(GenerationRequest(source=schema, out_dir=tmp_path / "sched-out",
                                                    rows=20, format=ExportFormat.XLSX,
                                                    provider=ProviderKind.AI, ai=session),
                                  Priority.HIGH)  # fmt: skip
        qtbot.waitUntil(lambda: scheduler.job(job_id).is_final, timeout=WAIT_MS)
        assert scheduler.job(job_id).state is JobState.DONE, scheduler.job(job_id).error
    finally:
        scheduler.shutdown()
        session.close()
    # a crash with the key in the environment and in the message
    monkeypatch.setenv("TDGEN_AI_API_KEY", key)
    crash = write_crash_log(RuntimeError(f"request with {key} failed"), home / "log")
    assert crash is not None
    monkeypatch.delenv("TDGEN_AI_API_KEY")

    assert any(r.status == 200 for r in scan_server.requests)  # the key was really accepted
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    kinds = {
        "settings": any(p.suffix == ".ini" for p in written),
        "AI answer cache": any("ai" in p.parts and "cache" in p.parts for p in written),
        "logs": debug_log.stat().st_size > 0,
        "crash log": crash.is_file(),
        "project file": any(p.name.endswith(".tdgen.json") for p in written),
        "exports": any(p.suffix in {".csv", ".json", ".xlsx"} for p in written),
    }
    assert all(kinds.values()), kinds
    leaks = files_containing([tmp_path, Path(os.environ["TDGEN_HOME"])], (key,))
    assert leaks == []
    assert all(key not in text for text in printed)
    size = sum(p.stat().st_size for p in written)
    record(
        "Security",
        "secrets scan: hybrid/AI jobs through the command line (incl. a server echoing the key "
        "and a 401), the window (key in the keyring) and the scheduler, settings and a project "
        "saved, a crash log and a DEBUG log written — with a random API key",
        f"the key appears in none of the {len(written)} files ({', '.join(kinds)}) nor in "
        "anything printed; the session's home folder and every pytest folder are scanned again "
        "at the end of the session",
        f"{len(written)} files, {size / 1e6:.1f} MB scanned; {len(scan_server.requests)} requests",
    )


def _keyring_with(key: str) -> MemoryKeyring:
    backend = MemoryKeyring()
    backend.set_password("tdgen", PROFILE, key)
    return backend
