"""Settings persist across a restart of the window; closing with unfinished jobs asks first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gui_support import EXAMPLE, WAIT_MS, GatedPipeline, Gui
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLabel, QSplitter

from tdgen_desktop.core.enums import ExportFormat, Priority
from tdgen_desktop.scheduler import JobState
from tdgen_desktop.ui.dialogs import SettingsDialog
from tdgen_desktop.ui.settings import Preferences, SettingsStore, open_settings


def test_settings_persist_across_a_restart(make_window: Callable[..., Gui], tmp_path: Path) -> None:
    first = make_window()
    dialog = first.window.open_settings()
    assert isinstance(dialog, SettingsDialog)
    assert dialog.isVisible()
    dialog.workers.setValue(3)
    dialog.priority.setCurrentIndex(dialog.priority.findData(Priority.HIGH.value))
    dialog.locale_combo.setCurrentText("de_DE")
    dialog.format.setCurrentIndex(dialog.format.findData(ExportFormat.JSONL.value))
    dialog.folder.setText(str(tmp_path / "elsewhere"))
    # No AI profile yet; the test session's keyring is the null backend: the page says so.
    assert dialog.ai.profiles() == ()
    assert not dialog.ai.test_button.isEnabled()
    assert dialog.ai.keyring_note.isVisibleTo(dialog.ai)
    assert "TDGEN_AI_API_KEY" in dialog.ai.keyring_note.text()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    assert first.scheduler.worker_count == 3
    assert first.window.generation_panel.locale_name == "de_DE"
    assert first.window.statusBar().currentMessage() == "Settings saved"
    first.window.resize(800, 560)  # within the offscreen screen (800 × 600)
    splitter = first.window.findChild(QSplitter, "schema_splitter")
    splitter.setSizes([400, 500])
    saved_sizes = splitter.sizes()
    first.window.close()

    second = make_window()
    prefs = second.window.preferences
    assert prefs == Preferences(
        worker_count=3,
        default_priority=Priority.HIGH,
        locale="de_DE",
        default_format=ExportFormat.JSONL,
        output_dir=tmp_path / "elsewhere",
    )
    assert second.scheduler.worker_count == 3
    panel = second.window.generation_panel
    assert panel.locale_name == "de_DE"
    assert panel.priority is Priority.HIGH
    assert panel.output_dir == tmp_path / "elsewhere"
    assert panel.findChild(QComboBox, "format").currentData() == "jsonl"
    assert (second.window.width(), second.window.height()) == (800, 560)
    assert second.window.findChild(QSplitter, "schema_splitter").sizes() == saved_sizes


def test_settings_file_is_where_the_app_says(tmp_path: Path) -> None:
    store = SettingsStore(open_settings(tmp_path))
    store.save(Preferences(locale="fr_FR"))

    assert Path(store.file_name) == tmp_path / "tdgen.ini"
    assert "fr_FR" in (tmp_path / "tdgen.ini").read_text(encoding="utf-8")
    native = open_settings(None)
    assert native.organizationName() == "tdgen"
    assert native.applicationName() == "tdgen"


def test_unreadable_settings_fall_back_to_defaults(tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "tdgen.ini"), QSettings.Format.IniFormat)
    settings.setValue("jobs/workers", "many")
    settings.setValue("jobs/priority", "urgent")
    settings.setValue("generation/format", "docx")

    prefs = SettingsStore(settings).load()

    assert prefs.worker_count == Preferences().worker_count
    assert prefs.default_priority is Priority.NORMAL
    assert prefs.default_format is ExportFormat.CSV


def test_ai_providers_are_disabled_with_a_hint(gui: Gui) -> None:
    panel = gui.window.generation_panel
    model = panel.findChild(QComboBox, "provider").model()
    enabled = {
        model.index(row, 0).data(Qt.ItemDataRole.UserRole): bool(
            model.flags(model.index(row, 0)) & Qt.ItemFlag.ItemIsEnabled
        )
        for row in range(model.rowCount())
    }

    assert enabled == {"null": True, "ai": False, "hybrid": False}
    hint = panel.findChild(QLabel, "ai_hint")
    assert hint.isVisible()
    assert "AI profile" in hint.text()


def test_closing_with_running_jobs_asks_and_cancels(make_window: Callable[..., Gui]) -> None:
    gate = GatedPipeline(hold_rows=True)
    gui = make_window(pipeline=gate)
    gui.drop_and_wait(EXAMPLE)
    gui.window.generation_panel.set_rows(5000)
    job_id = gui.generate()
    gui.qtbot.waitUntil(gate.rows_reached.is_set, timeout=WAIT_MS)
    asked: list[int] = []

    def refuse(count: int) -> bool:
        asked.append(count)
        return False

    temp_dir = gui.scheduler.job(job_id).temp_dir
    assert temp_dir is not None
    assert temp_dir.is_dir(), "the running job has its temporary folder"
    gui.window.confirm_close = refuse
    gui.window.close()
    assert asked == [1]
    assert gui.window.isVisible(), "No keeps the window open"
    assert gui.scheduler.job(job_id).state is JobState.RUNNING

    gui.window.confirm_close = lambda count: asked.append(count) or True
    gui.window.close()
    assert not gui.window.isVisible()
    assert gui.scheduler.job(job_id).state is JobState.CANCELLING
    with gui.qtbot.waitSignal(gui.scheduler.job_cancelled, timeout=WAIT_MS):
        gate.release.set()
    assert not list(gui.out_dir.rglob("*.csv"))
    assert not temp_dir.exists(), "the cancelled job's temporary folder was removed"
    leftovers = list(gui.out_dir.rglob("*")) if gui.out_dir.exists() else []
    assert leftovers == [], "no partial output either"


def test_general_settings_line_up_in_one_column(gui: Gui) -> None:
    dialog = gui.window.open_settings()
    gui.qtbot.waitUntil(dialog.workers.isVisible)

    lefts = {
        widget.mapTo(dialog, widget.rect().topLeft()).x()
        for widget in (
            dialog.workers,
            dialog.priority,
            dialog.locale_combo,
            dialog.format,
            dialog.folder,
        )
    }

    assert len(lefts) == 1, f"the fields of both groups start at one x: {lefts}"
    dialog.reject()
