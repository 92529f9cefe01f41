"""The SQL options and the case limit of the Generate panel: shown only for SQL output, carried
into the job (one PostgreSQL file with CREATE TABLE that loads into a real server), saved in
projects; "Max. cases per table" reaches the job."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gui_support import EXAMPLE, ROOT, WAIT_MS, Gui, read_jsonl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QGroupBox, QLabel, QSpinBox

from tdgen_desktop.core.enums import CaseKind, Dialect, ExportFormat
from tdgen_desktop.scheduler import JobState
from tdgen_desktop.ui.generation_panel import GenerationPanel

SHOP = ROOT / "resources" / "examples" / "shop.sql"
SHOP_TABLES = ["customers", "products", "orders", "order_items"]  # parents before children

# The session's own PostgreSQL server of the real-database tests (tests/integration/pg_support).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
postgres = importlib.import_module("pg_support").postgres


def _child[W](panel: GenerationPanel, kind: type[W], name: str) -> W:
    widget = panel.findChild(kind, name)  # type: ignore[arg-type]
    assert widget is not None, name
    return widget  # type: ignore[return-value]


def _choose(combo: QComboBox, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, (text, [combo.itemText(i) for i in range(combo.count())])
    combo.setCurrentIndex(index)


def test_sql_group_is_shown_only_for_sql(gui: Gui) -> None:
    panel = gui.window.generation_panel
    group = _child(panel, QGroupBox, "sql_options")
    fmt = _child(panel, QComboBox, "format")
    dialect = _child(panel, QComboBox, "dialect")
    one_file = _child(panel, QCheckBox, "one_file")

    assert panel.output_format is ExportFormat.CSV
    assert not group.isVisibleTo(panel)
    assert one_file.text() == "All tables in one file (<schema>.sql)"
    _choose(fmt, "SQL INSERTs")
    assert group.isVisibleTo(panel)
    assert [dialect.itemText(i) for i in range(dialect.count())] == [
        "As the source DDL (else SQLite)", "SQLite", "PostgreSQL", "MySQL",
    ]  # fmt: skip
    assert panel.dialect is None
    _choose(fmt, "JSON Lines")
    assert not group.isVisibleTo(panel)

    gui.drop_and_wait(SHOP)
    assert one_file.text() == "All tables in one file (shop.sql)"

    # Alt+Q (the dialect's mnemonic) reaches the dialect combo while SQL is chosen.
    _choose(fmt, "SQL INSERTs")
    with gui.qtbot.waitActive(gui.window):
        gui.window.activateWindow()
    label = next(w for w in panel.findChildren(QLabel) if w.buddy() is dialect)
    assert label.text() == "S&QL dialect:"
    gui.qtbot.keyClick(gui.window, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is dialect


def test_sql_options_write_one_postgres_file_through_the_window(gui: Gui, postgres: Any) -> None:
    gui.drop_and_wait(SHOP)
    panel = gui.window.generation_panel
    panel.set_rows(6)
    _choose(_child(panel, QComboBox, "format"), "SQL INSERTs")
    _choose(_child(panel, QComboBox, "dialect"), "PostgreSQL")
    _child(panel, QCheckBox, "with_ddl").click()
    _child(panel, QCheckBox, "one_file").click()
    assert not gui.out_dir.exists()

    job = gui.wait_job(gui.generate())

    assert job.state is JobState.DONE, job.error
    gui.qtbot.waitUntil(lambda: gui.window.preview.job is job, timeout=WAIT_MS)
    assert not gui.errors  # the preview cannot read SQL: it says so, without an error dialog
    assert gui.bridge.open_dialogs == ()
    request = job.request
    assert (request.format, request.dialect, request.with_ddl, request.one_file) == (
        ExportFormat.SQL, Dialect.POSTGRES, True, True,
    )  # fmt: skip
    assert sorted(p.name for p in gui.out_dir.iterdir()) == sorted(
        ["shop.sql", *(f"{t}.cases.jsonl" for t in SHOP_TABLES)]
    )
    text = (gui.out_dir / "shop.sql").read_text(encoding="utf-8")
    creates = [text.index(f'CREATE TABLE "{t}" (') for t in SHOP_TABLES]
    inserts = [text.index(f'INSERT INTO "{t}" (') for t in SHOP_TABLES]
    assert creates == sorted(creates)  # the tables in insert order …
    assert all(c < i for c, i in zip(creates, inserts, strict=True))  # … each with its DDL first
    assert not any(text.index(f'INSERT INTO "{t}"') < creates[0] for t in SHOP_TABLES)
    assert '"email" VARCHAR(254) NOT NULL UNIQUE' in text  # PostgreSQL types, not SQLite TEXT
    assert "`" not in text  # not MySQL quoting

    # The file loads into an empty PostgreSQL database as it is.
    postgres.create_database("window_sql")
    postgres.psql("window_sql", gui.out_dir / "shop.sql")
    for table in SHOP_TABLES:
        query = f'SELECT count(*) FROM "{table}"'  # noqa: S608 — a fixed table name
        count = postgres.psql("window_sql", sql=query).strip()
        assert int(count) == len(read_jsonl(gui.out_dir / f"{table}.cases.jsonl")) > 0


def test_sql_options_apply_only_to_sql_output(gui: Gui) -> None:
    gui.drop_and_wait(SHOP)
    panel = gui.window.generation_panel
    panel.set_format(ExportFormat.SQL)
    panel.set_sql_options(Dialect.MYSQL, with_ddl=True, one_file=True)
    assert (panel.build_request().dialect, panel.build_request().one_file) == (Dialect.MYSQL, True)

    panel.set_format(ExportFormat.CSV)  # the choices stay, but a CSV job ignores them
    request = panel.build_request()
    assert (request.dialect, request.with_ddl, request.one_file) == (None, False, False)
    settings = panel.project_settings()
    assert (settings.dialect, settings.with_ddl, settings.one_file) == (Dialect.MYSQL, True, False)
    assert _child(panel, QComboBox, "dialect").currentText() == "MySQL"


def test_xlsx_offers_only_one_workbook_for_every_table(gui: Gui) -> None:
    gui.drop_and_wait(SHOP)
    panel = gui.window.generation_panel
    group = _child(panel, QGroupBox, "sql_options")
    dialect = _child(panel, QComboBox, "dialect")
    with_ddl = _child(panel, QCheckBox, "with_ddl")
    one_file = _child(panel, QCheckBox, "one_file")

    panel.set_format(ExportFormat.XLSX)
    assert group.isVisibleTo(panel)
    assert group.title() == "Excel output"
    assert not dialect.isVisibleTo(panel)
    assert not with_ddl.isVisibleTo(panel)
    assert one_file.isVisibleTo(panel)
    assert one_file.text() == "All tables in one file (shop.xlsx)"
    one_file.click()
    request = panel.build_request()
    assert (request.format, request.one_file, request.dialect) == (ExportFormat.XLSX, True, None)
    assert panel.project_settings().one_file

    job = gui.wait_job(gui.generate())
    assert job.state is JobState.DONE, job.error
    assert sorted(p.name for p in gui.out_dir.glob("*.xlsx")) == ["shop.xlsx"]

    panel.set_format(ExportFormat.SQL)
    assert group.title() == "SQL output"
    assert dialect.isVisibleTo(panel)
    assert one_file.text() == "All tables in one file (shop.sql)"


def test_project_restores_sql_options_and_max_cases(
    make_window: Callable[..., Gui], tmp_path: Path
) -> None:
    first = make_window()
    first.drop_and_wait(SHOP)
    panel = first.window.generation_panel
    panel.set_format(ExportFormat.SQL)
    panel.set_case_kinds({CaseKind.VALID, CaseKind.INVALID})
    _choose(_child(panel, QComboBox, "dialect"), "PostgreSQL")
    _child(panel, QCheckBox, "with_ddl").setChecked(True)
    _child(panel, QCheckBox, "one_file").setChecked(True)
    _child(panel, QSpinBox, "max_cases").setValue(12)
    settings = panel.project_settings()
    assert (settings.dialect, settings.with_ddl, settings.one_file, settings.max_cases) == (
        Dialect.POSTGRES, True, True, 12,
    )  # fmt: skip

    written = first.window.save_project(tmp_path / "projects" / "shop")
    assert not first.errors
    saved = json.loads(written.read_text(encoding="utf-8"))["generation"]
    assert (saved["dialect"], saved["with_ddl"], saved["one_file"], saved["max_cases"]) == (
        "postgres", True, True, 12,
    )  # fmt: skip

    second = make_window()
    reopened = second.window.generation_panel
    assert (reopened.dialect, reopened.max_cases) == (None, None)  # a fresh window's defaults
    second.drop_and_wait(written)
    assert reopened.project_settings() == settings
    assert _child(reopened, QGroupBox, "sql_options").isVisibleTo(reopened)
    assert _child(reopened, QComboBox, "dialect").currentText() == "PostgreSQL"
    assert _child(reopened, QCheckBox, "with_ddl").isChecked()
    assert _child(reopened, QCheckBox, "one_file").isChecked()
    assert _child(reopened, QSpinBox, "max_cases").value() == 12
    request = reopened.build_request()
    assert (request.dialect, request.with_ddl, request.one_file, request.max_cases) == (
        Dialect.POSTGRES, True, True, 12,
    )  # fmt: skip


def _non_valid_rows(folder: Path) -> int:
    labels = read_jsonl(folder / "order.cases.jsonl")
    return sum(1 for label in labels if label["case"] != "valid")


def test_max_cases_reaches_the_job(gui: Gui) -> None:
    gui.drop_and_wait(EXAMPLE)
    panel = gui.window.generation_panel
    spin = _child(panel, QSpinBox, "max_cases")
    panel.set_rows(3)

    panel.set_case_kinds({CaseKind.VALID})
    spin.setValue(5)
    assert not spin.isEnabled()  # nothing to limit without boundary or invalid cases
    assert panel.build_request().max_cases is None
    assert spin.specialValueText() == "No limit"

    panel.set_case_kinds({CaseKind.VALID, CaseKind.BOUNDARY, CaseKind.INVALID})
    assert spin.isEnabled()
    spin.setValue(0)
    assert panel.build_request().max_cases is None
    unlimited = gui.wait_job(gui.generate())
    assert unlimited.state is JobState.DONE, unlimited.error
    all_cases = _non_valid_rows(gui.out_dir)
    assert all_cases > 5

    spin.setValue(5)
    panel.set_output_dir(gui.out_dir / "limited")
    limited = gui.wait_job(gui.generate())
    assert limited.state is JobState.DONE, limited.error
    assert limited.request.max_cases == 5
    # At most 5 cases are tried (some may be uncoverable); the coverage report lists the rest.
    assert 0 < _non_valid_rows(gui.out_dir / "limited") <= 5 < all_cases
    coverage = json.loads((gui.out_dir / "limited" / "order.coverage.json").read_text("utf-8"))
    assert len(coverage["left_out_by_cap"]) > 0
    unlimited_coverage = json.loads((gui.out_dir / "order.coverage.json").read_text("utf-8"))
    assert unlimited_coverage["left_out_by_cap"] == []
