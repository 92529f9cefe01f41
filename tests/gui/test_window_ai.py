"""The window's AI side against the test model server: profiles, keys, connection tests, jobs.

Every test talks real HTTP to :class:`ai_server.AiTestServer` on 127.0.0.1 and keeps keys in an
in-memory keyring. At the end of each test every file under the test's folder (settings, cache,
output) is searched for the API key.
"""

from __future__ import annotations

import asyncio
import csv
import gc
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
from ai_server import API_KEY, FAST_RETRY, AiTestServer, MemoryKeyring
from gui_support import WAIT_MS, Gui, read_jsonl, write_prefs
from PySide6.QtCore import QModelIndex, QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QSpinBox,
    QToolButton,
)
from pytestqt.qtbot import QtBot

from tdgen_desktop.app import build_main_window
from tdgen_desktop.core.enums import CaseKind, ExportFormat, ProviderKind, Step, StepState
from tdgen_desktop.llm import AiProfile, LoopRunner, ProfileKind
from tdgen_desktop.scheduler import JobColumn, JobScheduler, JobState, JobTableModel
from tdgen_desktop.services import AppPaths
from tdgen_desktop.services.credentials import SERVICE, CredentialStore
from tdgen_desktop.ui import MessageBridge
from tdgen_desktop.ui.ai_profiles import AiSupport, PromptPreviewDialog
from tdgen_desktop.ui.colors import STEP_COLORS, tint
from tdgen_desktop.ui.dialogs import SettingsDialog
from tdgen_desktop.ui.preview import AI_COLOR, PreviewModel
from tdgen_desktop.ui.settings import SettingsStore

PROFILE = "work"


@pytest.fixture
def server() -> Iterator[AiTestServer]:
    server = AiTestServer(API_KEY).start()
    yield server
    server.stop()


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture(autouse=True)
def _no_key_in_any_file(tmp_path: Path) -> Iterator[None]:
    yield
    leaks = [p for p in tmp_path.rglob("*") if p.is_file() and API_KEY.encode() in p.read_bytes()]
    assert leaks == []


@pytest.fixture
def make_ai_window(
    qtbot: QtBot, tmp_path: Path, memory_keyring: MemoryKeyring
) -> Iterator[Callable[..., Gui]]:
    """Windows sharing this test's settings file, keyring and cache; no TDGEN_AI_* variables."""
    settings_file = tmp_path / "config" / "tdgen.ini"
    out_dir = tmp_path / "out"
    write_prefs(settings_file, output_dir=out_dir)
    made: list[tuple[Gui, AiSupport]] = []

    def make(env: dict[str, str] | None = None, keyring: Any = memory_keyring) -> Gui:
        paths = AppPaths.under(tmp_path / "home")
        store = SettingsStore(QSettings(str(settings_file), QSettings.Format.IniFormat))
        bridge = MessageBridge()
        scheduler = JobScheduler(paths, workers=2)
        ai = AiSupport(
            CredentialStore(keyring, env=env or {}),
            paths.cache_dir / "ai",
            env=env or {},
            retry=FAST_RETRY,
        )
        window = build_main_window(paths, bridge, settings=store, scheduler=scheduler, ai=ai)
        window.confirm_close = lambda _count: True
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        gui = Gui(qtbot, window, bridge, scheduler, settings_file, out_dir)
        bridge.error_shown.connect(gui.errors.append)
        made.append((gui, ai))
        return gui

    yield make
    for gui, ai in made:
        gui.scheduler.cancel_all()
        gui.scheduler.wait_for_done(WAIT_MS)
        gui.scheduler.shutdown()
        gui.bridge.close_dialogs()
        ai.close()


def _provider_states(gui: Gui) -> dict[str, bool]:
    model = gui.window.generation_panel.findChild(QComboBox, "provider").model()
    return {
        model.index(row, 0).data(Qt.ItemDataRole.UserRole): bool(
            model.flags(model.index(row, 0)) & Qt.ItemFlag.ItemIsEnabled
        )
        for row in range(model.rowCount())
    }


def _add_profile(dialog: SettingsDialog, server: AiTestServer, wire: str = "openai") -> None:
    page = dialog.ai
    dialog.tabs.setCurrentIndex(1)
    page.add_button.click()
    page.name.setText(PROFILE)
    page.name.textEdited.emit(PROFILE)
    page.kind.setCurrentIndex(page.kind.findData(wire))
    page.url.setText(server.base_url(wire))
    page.url.textEdited.emit(server.base_url(wire))
    page.model.setText("test-model")
    page.model.textEdited.emit("test-model")
    assert page.problem == ""


def _ok(dialog: SettingsDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_profile_key_goes_to_the_keyring_and_never_to_the_settings_file(
    make_ai_window: Callable[..., Gui], server: AiTestServer, memory_keyring: MemoryKeyring
) -> None:
    first = make_ai_window()
    assert _provider_states(first) == {"null": True, "ai": False, "hybrid": False}
    hint = first.window.generation_panel.findChild(QLabel, "ai_hint")
    assert "Settings ▸ AI profiles" in hint.text()

    dialog = first.window.open_settings()
    page = dialog.ai
    assert not page.keyring_note.isVisibleTo(page), "the in-memory keyring is a real backend"
    _add_profile(dialog, server)
    page.key.setText(API_KEY)
    page.store_key.click()
    assert memory_keyring.entries == {(SERVICE, PROFILE): API_KEY}
    assert page.key.text() == ""
    assert page.key_state.text() == "A key is set (kept in the system keyring)"
    assert API_KEY not in page.key_state.text()
    _ok(dialog)

    ini = first.settings_file.read_text(encoding="utf-8")
    assert server.base_url("openai") in ini
    assert API_KEY not in ini
    assert first.window.preferences.ai_profile == PROFILE
    assert _provider_states(first) == {"null": True, "ai": True, "hybrid": True}
    assert not first.window.generation_panel.findChild(QLabel, "ai_hint").isVisibleTo(
        first.window.generation_panel
    )
    first.window.close()

    second = make_ai_window()
    profile = second.window.preferences.selected_ai_profile
    assert profile == AiProfile(
        name=PROFILE,
        kind=ProfileKind.OPENAI,
        base_url=server.base_url("openai"),
        model="test-model",
    )
    assert _provider_states(second) == {"null": True, "ai": True, "hybrid": True}
    dialog = second.window.open_settings()
    assert dialog.ai.name.text() == PROFILE
    assert dialog.ai.key.text() == "", "the key is never shown"
    dialog.ai.remove_key.click()
    assert memory_keyring.entries == {}
    assert dialog.ai.key_state.text() == (
        "No key set (none is needed for a server on this machine)"
    )
    _ok(dialog)
    assert _provider_states(second)["hybrid"] is True, "a server on this machine needs no key"
    dialog = second.window.open_settings()
    dialog.ai.url.setText("https://models.example.com/v1")
    dialog.ai.url.textEdited.emit(dialog.ai.url.text())
    _ok(dialog)
    assert _provider_states(second)["hybrid"] is False
    assert "has no API key" in second.window.generation_panel.findChild(QLabel, "ai_hint").text()


def test_renaming_a_profile_moves_its_key_and_removing_it_deletes_the_key(
    make_ai_window: Callable[..., Gui], server: AiTestServer, memory_keyring: MemoryKeyring
) -> None:
    gui = make_ai_window()
    dialog = gui.window.open_settings()
    _add_profile(dialog, server)
    dialog.ai.key.setText(API_KEY)
    dialog.ai.store_key.click()
    dialog.ai.name.setText("renamed")
    dialog.ai.name.textEdited.emit("renamed")
    _ok(dialog)
    assert memory_keyring.entries == {(SERVICE, "renamed"): API_KEY}
    assert gui.window.preferences.ai_profile == "renamed"

    dialog = gui.window.open_settings()
    dialog.ai.remove_button.click()
    assert dialog.ai.profiles() == ()
    _ok(dialog)
    assert memory_keyring.entries == {}
    assert gui.window.preferences.ai_profiles == ()


def test_invalid_settings_are_flagged_as_typed_and_block_ok(
    make_ai_window: Callable[..., Gui], server: AiTestServer
) -> None:
    gui = make_ai_window()
    dialog = gui.window.open_settings()
    _add_profile(dialog, server)
    page = dialog.ai
    page.url.setText("http://models.example.com/v1")
    page.url.textEdited.emit(page.url.text())
    assert "must use https" in page.problem
    assert page.error.isVisibleTo(page)
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert not page.test_button.isEnabled()
    page.url.setText("https://models.example.com/v1")
    page.url.textEdited.emit(page.url.text())
    assert page.problem == ""
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


@pytest.mark.parametrize("wire", ["openai", "anthropic", "ollama"])
def test_connection_test_reports_model_and_latency(
    make_ai_window: Callable[..., Gui], server: AiTestServer, wire: str
) -> None:
    gui = make_ai_window()
    dialog = gui.window.open_settings()
    _add_profile(dialog, server, wire)
    page = dialog.ai
    page.key.setText(API_KEY)  # typed, not stored yet: the test uses it
    with gui.qtbot.waitSignal(page.connection_tested, timeout=WAIT_MS) as blocker:
        page.test_button.click()
        assert not page.test_button.isEnabled(), "one test at a time"
        assert "Asking test-model" in page.test_result.text()
    text = str(blocker.args[0])
    assert text.startswith(f"Connected: model {server.model} answered in ")
    assert text.endswith(" ms")
    assert page.test_result.text() == text
    assert page.test_button.isEnabled()
    assert len(server.requests) == 1
    assert server.requests[0].wire == wire


def test_connection_test_with_a_wrong_key_says_check_the_key(
    make_ai_window: Callable[..., Gui], server: AiTestServer
) -> None:
    gui = make_ai_window()
    dialog = gui.window.open_settings()
    _add_profile(dialog, server)
    page = dialog.ai
    page.key.setText("sk-wrong-key-000000")
    with gui.qtbot.waitSignal(page.connection_tested, timeout=WAIT_MS) as blocker:
        page.test_button.click()
    text = str(blocker.args[0])
    assert text.startswith("Failed: ")
    assert "(401)" in text
    assert "check the API key" in text
    assert "sk-wrong-key" not in text
    assert len(server.requests) == 1, "a refused key is not retried"


def test_connection_test_to_a_closed_port_says_so(
    make_ai_window: Callable[..., Gui], server: AiTestServer
) -> None:
    from ai_server import closed_port  # noqa: PLC0415

    gui = make_ai_window()
    dialog = gui.window.open_settings()
    _add_profile(dialog, server)
    page = dialog.ai
    url = f"http://127.0.0.1:{closed_port()}/v1"
    page.url.setText(url)
    page.url.textEdited.emit(url)
    with gui.qtbot.waitSignal(page.connection_tested, timeout=WAIT_MS) as blocker:
        page.test_button.click()
    assert "Failed: cannot connect to 127.0.0.1" in str(blocker.args[0])
    assert "connection refused" in str(blocker.args[0])


def test_without_a_keyring_the_page_points_to_the_variable_and_shows_overrides(
    make_ai_window: Callable[..., Gui], server: AiTestServer
) -> None:
    import keyring.backends.fail  # noqa: PLC0415 — the backend a headless box gets

    env = {"TDGEN_AI_MODEL": "env-model", "TDGEN_AI_API_KEY": API_KEY}
    gui = make_ai_window(env=env, keyring=keyring.backends.fail.Keyring())
    dialog = gui.window.open_settings()
    _add_profile(dialog, server)
    page = dialog.ai
    assert page.keyring_note.isVisibleTo(page)
    assert "TDGEN_AI_API_KEY" in page.keyring_note.text()
    assert not page.key.isEnabled()
    assert "through TDGEN_AI_API_KEY" in page.key_state.text()
    assert page.env_note.isVisibleTo(page)
    assert "TDGEN_AI_MODEL=env-model" in page.env_note.text()
    assert "TDGEN_AI_API_KEY=(set)" in page.env_note.text()
    assert API_KEY not in page.env_note.text()
    assert "TDGEN_AI_MODEL" in page.model.toolTip()
    with gui.qtbot.waitSignal(page.connection_tested, timeout=WAIT_MS) as blocker:
        page.test_button.click()
    assert "Connected" in str(blocker.args[0])
    assert server.requests[0].body["model"] == "env-model"
    _ok(dialog)
    # The key from the environment makes the profile usable.
    assert _provider_states(gui)["hybrid"] is True


def test_cache_settings_persist_and_clear_cache_empties_it(
    make_ai_window: Callable[..., Gui], server: AiTestServer
) -> None:
    gui = make_ai_window()
    cache = gui.window.ai.cache
    cache.folder.joinpath("ab").mkdir(parents=True)
    for name in ("ab01", "ab02"):
        cache.folder.joinpath("ab", f"{name}.json").write_text("{}", encoding="utf-8")
    dialog = gui.window.open_settings()
    page = dialog.ai
    assert page.cache_state.text() == "2 answers cached"
    page.clear_cache.click()
    assert page.cache_state.text() == "Removed 2 cached answers"
    assert len(cache) == 0
    assert not page.clear_cache.isEnabled()
    page.no_cache.setChecked(True)
    _ok(dialog)
    assert gui.window.preferences.ai_cache is False
    assert "cache=false" in gui.settings_file.read_text(encoding="utf-8")


SHOP_SQL = """
CREATE TABLE category (
  id INTEGER PRIMARY KEY,
  title VARCHAR(40) NOT NULL,
  description TEXT
);
CREATE TABLE product (
  id INTEGER PRIMARY KEY,
  category_id INTEGER NOT NULL REFERENCES category (id),
  label VARCHAR(60) NOT NULL,
  sku_code VARCHAR(12),
  price NUMERIC(8, 2)
);
CREATE TABLE review (
  id INTEGER PRIMARY KEY,
  product_id INTEGER NOT NULL REFERENCES product (id),
  headline VARCHAR(80),
  body TEXT
);
"""
"""Three tables with weak fields: the hybrid provider sends one request per table."""


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    path = tmp_path / "shop.sql"
    path.write_text(SHOP_SQL, encoding="utf-8")
    return path


@pytest.fixture
def ai_gui(
    make_ai_window: Callable[..., Gui],
    server: AiTestServer,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
) -> Gui:
    """A window whose saved profile points at the test server, with its key in the keyring."""
    profile = AiProfile(PROFILE, ProfileKind.OPENAI, server.base_url("openai"), "test-model")
    write_prefs(
        tmp_path / "config" / "tdgen.ini",
        output_dir=tmp_path / "out",
        ai_profiles=(profile,),
        ai_profile=PROFILE,
    )
    memory_keyring.set_password(SERVICE, PROFILE, API_KEY)
    gui = make_ai_window()
    assert _provider_states(gui) == {"null": True, "ai": True, "hybrid": True}
    return gui


def _enhance_state(gui: Gui, job_id: str) -> StepState:
    model = gui.window.jobs_panel.model
    states = dict(model.index(model.row_of(job_id), 0).data(JobTableModel.STEP_STATES_ROLE))
    return states[Step.ENHANCE]


def _dots_index(gui: Gui, job_id: str) -> QModelIndex:
    model = gui.window.jobs_panel.model
    return model.index(model.row_of(job_id), JobColumn.STEP)


def _generate_hybrid(gui: Gui, shop: Path) -> str:
    gui.drop_and_wait(shop)
    panel = gui.window.generation_panel
    panel.set_rows(20)
    panel.set_case_kinds({CaseKind.VALID, CaseKind.BOUNDARY})
    panel.set_provider(ProviderKind.HYBRID)
    assert panel.provider is ProviderKind.HYBRID
    return gui.generate()


def test_hybrid_job_shows_request_progress_turns_green_and_tints_ai_cells(
    ai_gui: Gui, server: AiTestServer, shop: Path
) -> None:
    server.fault, server.fault_count, server.delay_s = "timeout", 1, 1.5  # one slow answer
    notes: list[str] = []
    panel = ai_gui.window.jobs_panel
    ai_gui.scheduler.job_progressed.connect(
        lambda job_id: notes.append(panel.dots.text(_dots_index(ai_gui, job_id)))
    )
    job_id = _generate_hybrid(ai_gui, shop)
    ai_gui.qtbot.waitUntil(lambda: "Enhance · 2/3 requests" in notes, timeout=WAIT_MS)
    tip_running = panel.dots.tooltip(_dots_index(ai_gui, job_id))
    job = ai_gui.wait_job(job_id)

    assert job.state is JobState.DONE, job.error
    assert "Enhance: running" in tip_running
    assert "AI: 2/3 requests answered" in tip_running
    assert _enhance_state(ai_gui, job_id) is StepState.DONE
    assert STEP_COLORS[StepState.DONE] == QColor("#43a047")  # green
    assert len(server.requests) == 3
    tip = panel.dots.tooltip(_dots_index(ai_gui, job_id))
    assert "Enhance: done" in tip
    assert "AI (hybrid, test-model): 7 field(s) with AI values; 3 requests" in tip
    assert job.result is not None
    assert job.result.ai is not None
    cost = job.result.ai.cost
    assert cost.tokens_in > 0
    assert f"{cost.tokens_in:,} tokens in / {cost.tokens_out:,} out, 0 cache hits" in tip
    assert "⚠" not in tip
    assert panel.dots.text(_dots_index(ai_gui, job_id)) == "Export"

    preview = ai_gui.window.preview
    ai_gui.qtbot.waitUntil(lambda: preview.model.rowCount() > 0, timeout=WAIT_MS)
    model = preview.model
    assert model.ai_columns == {"title", "description"}
    assert (
        "AI values (tinted): title, description" in preview.findChild(QLabel, "preview_info").text()
    )
    columns = ["Case", "Rule", *model.columns]
    title, ident = columns.index("title"), columns.index("id")
    valid = [r for r in range(model.rowCount()) if model.label(r).get("case") == "valid"]
    boundary = [r for r in range(model.rowCount()) if model.label(r).get("case") == "boundary"]
    assert len(valid) == 20
    assert boundary
    answered = server.values_for("title")
    ai_tint = tint(AI_COLOR, QPalette(), 0.16)
    for row in valid:
        cell = model.index(row, title)
        assert cell.data(PreviewModel.VALUE_ROLE) in answered
        assert cell.data(PreviewModel.AI_ROLE) is True
        assert cell.data(Qt.ItemDataRole.BackgroundRole) == ai_tint
        assert cell.data(Qt.ItemDataRole.ToolTipRole).startswith("AI value (model test-model")
        assert model.index(row, ident).data(PreviewModel.AI_ROLE) is False
        assert model.index(row, ident).data(Qt.ItemDataRole.BackgroundRole) is None
    for row in boundary:
        assert model.index(row, title).data(PreviewModel.AI_ROLE) is False
        assert model.index(row, title).data(Qt.ItemDataRole.BackgroundRole) is None
    assert model.headerData(title, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert model.headerData(ident, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) is None


def test_hybrid_job_with_a_failing_server_turns_amber_with_a_warning(
    ai_gui: Gui, server: AiTestServer, shop: Path
) -> None:
    server.fault = "500"
    notices: list[str] = []
    ai_gui.bridge.message_posted.connect(notices.append)
    job_id = _generate_hybrid(ai_gui, shop)
    job = ai_gui.wait_job(job_id)

    assert job.state is JobState.DONE, job.error
    assert _enhance_state(ai_gui, job_id) is StepState.FELL_BACK
    assert STEP_COLORS[StepState.FELL_BACK] == QColor("#c88400")  # amber
    panel = ai_gui.window.jobs_panel
    assert panel.dots.text(_dots_index(ai_gui, job_id)) == "Export · AI fell back"
    tip = panel.dots.tooltip(_dots_index(ai_gui, job_id))
    assert "Enhance: fell back" in tip
    assert "⚠ category: AI values fell back to foundation values for title, description" in tip
    assert "server error (500)" in tip
    assert any("AI values fell back" in n and "server error (500)" in n for n in notices)
    assert all(r.status == 500 for r in server.requests)
    assert len(server.requests) <= 3 * (1 + FAST_RETRY.max_retries)

    preview = ai_gui.window.preview
    ai_gui.qtbot.waitUntil(lambda: preview.model.rowCount() > 0, timeout=WAIT_MS)
    assert preview.model.ai_columns == frozenset()
    rows = range(preview.model.rowCount())
    columns = preview.model.columnCount()
    assert not any(
        preview.model.index(r, c).data(PreviewModel.AI_ROLE)
        for r in rows
        for c in range(2, columns)
    )


def test_export_again_keeps_the_ai_values_and_sends_nothing(
    ai_gui: Gui, server: AiTestServer, shop: Path, tmp_path: Path
) -> None:
    """Export again replays the job with the model's answers of the first run: the same rows,
    no request — even when the model would fail (or answer differently) now."""
    job_id = _generate_hybrid(ai_gui, shop)
    first = ai_gui.wait_job(job_id)
    assert first.state is JobState.DONE, first.error
    sent = len(server.requests)
    assert sent == 3
    server.fault = "500"

    again_id = ai_gui.window.export_again(job_id, ExportFormat.JSONL, tmp_path / "again")
    assert again_id is not None
    again = ai_gui.wait_job(again_id)

    assert again.state is JobState.DONE, again.error
    assert len(server.requests) == sent  # nothing asked
    assert _enhance_state(ai_gui, again_id) is StepState.DONE  # green, not amber
    assert again.result is not None
    assert again.result.ai is not None
    assert again.result.ai.reused
    assert not again.result.ai.fallbacks
    tip = ai_gui.window.jobs_panel.dots.tooltip(_dots_index(ai_gui, again_id))
    assert "the values of the job exported again; no request" in tip
    # The valid rows are the same, row for row (CSV and JSON Lines carry different boundary
    # rows: CSV cannot tell an empty string from null).
    first_labels = read_jsonl(tmp_path / "out" / "category.cases.jsonl")[:20]
    assert read_jsonl(tmp_path / "again" / "category.cases.jsonl")[:20] == first_labels
    assert all(label["case"] == "valid" and label.get("ai") for label in first_labels)
    with (tmp_path / "out" / "category.csv").open(encoding="utf-8", newline="") as stream:
        first_titles = [row["title"] for row in csv.DictReader(stream)][:20]
    titles = [r["title"] for r in read_jsonl(tmp_path / "again" / "category.jsonl")[:20]]
    assert titles == first_titles
    assert set(titles) <= server.values_for("title")


ITEM_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "item",
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "label", "category", "status"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "x-unique": True},
        "label": {"type": "string", "minLength": 3, "maxLength": 40},
        "category": {"type": "string", "maxLength": 30},
        "notes": {"type": ["string", "null"], "maxLength": 120},
        "status": {"enum": ["active", "discontinued"]},
    },
    # The server's categories ("Category #3") break this rule; rule-based ones never do.
    "if": {"properties": {"status": {"const": "discontinued"}}},
    "then": {"properties": {"category": {"not": {"pattern": "#"}}}},
}


def test_only_cells_whose_value_came_from_the_model_are_tinted(
    ai_gui: Gui, server: AiTestServer, tmp_path: Path
) -> None:
    schema = tmp_path / "item.schema.json"
    schema.write_text(json.dumps(ITEM_SCHEMA), encoding="utf-8")
    ai_gui.drop_and_wait(schema)
    panel = ai_gui.window.generation_panel
    panel.set_rows(30)
    panel.set_case_kinds({CaseKind.VALID, CaseKind.BOUNDARY})
    panel.set_provider(ProviderKind.HYBRID)
    # Seed 1: the row values are probed in is active (a discontinued one rejects categories).
    panel.findChild(QSpinBox, "seed").setValue(1)
    job = ai_gui.wait_job(ai_gui.generate())
    assert job.state is JobState.DONE, job.error

    preview = ai_gui.window.preview
    ai_gui.qtbot.waitUntil(lambda: preview.model.rowCount() > 0, timeout=WAIT_MS)
    model = preview.model
    model.fetch_all()
    columns = ["Case", "Rule", *model.columns]
    weak = ("label", "category", "notes")
    ai_tint = tint(AI_COLOR, QPalette(), 0.16)
    tinted_rows, kept_rows = 0, 0
    for row in range(model.rowCount()):
        label = model.label(row)
        marked = set(label.get("ai", []))
        status = model.index(row, columns.index("status")).data(PreviewModel.VALUE_ROLE)
        for name in model.columns:
            cell = model.index(row, columns.index(name))
            value = cell.data(PreviewModel.VALUE_ROLE)
            tinted = cell.data(Qt.ItemDataRole.BackgroundRole) == ai_tint
            assert tinted is (name in marked) is cell.data(PreviewModel.AI_ROLE), (row, name)
            if tinted:
                assert value in server.values_for(name), (row, name)
                tip = cell.data(Qt.ItemDataRole.ToolTipRole)
                assert tip.startswith("AI value (model test-model, checked against"), tip
            elif name in weak and value is not None:  # a rule-based value, shown plain
                assert value not in server.values_for(name), (row, name)
        if label["case"] != "valid":
            assert not marked, row
        elif status == "discontinued":  # the row broke the schema's if/then with AI values
            assert not marked, row
            kept_rows += 1
        else:
            assert {"label", "category"} <= marked, row
            tinted_rows += 1
    assert tinted_rows >= 5
    assert kept_rows >= 5
    assert model.ai_columns == {"label", "category", "notes"}
    header = Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
    assert "tinted cells hold AI values (model test-model" in model.headerData(
        columns.index("category"), *header
    )
    assert model.headerData(columns.index("status"), *header) is None
    info = preview.findChild(QLabel, "preview_info").text()
    assert "AI values (tinted): label, category, notes" in info


NESTED_SCHEMA: dict[str, Any] = {
    "title": "part",
    "type": "object",
    "required": ["id", "details"],
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "details": {
            "type": "object",
            "required": ["description", "weight"],
            "properties": {
                "description": {"type": "string", "maxLength": 60},
                "weight": {"type": "integer", "minimum": 1, "maximum": 50},
            },
        },
    },
}


ARRAY_SCHEMA: dict[str, Any] = {
    "title": "order",
    "type": "object",
    "required": ["id", "lines"],
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "lines": {
            "type": "array",
            "minItems": 1,
            "maxItems": 3,
            "items": {
                "type": "object",
                "required": ["product_name", "qty"],
                "properties": {
                    "product_name": {"type": "string", "maxLength": 40},
                    "qty": {"type": "integer", "minimum": 1, "maximum": 9},
                },
            },
        },
    },
}


def _served_in_nested(value: Any) -> set[Any]:
    return {value["description"]}


def _served_in_array(value: Any) -> set[Any]:
    return {element["product_name"] for element in value}


@pytest.mark.parametrize(
    ("schema_doc", "column", "path", "served_in"),
    [
        (NESTED_SCHEMA, "details", "details.description", _served_in_nested),
        (ARRAY_SCHEMA, "lines", "lines[].product_name", _served_in_array),
    ],
    ids=["object", "array"],
)
def test_a_nested_ai_value_tints_its_cell_and_names_its_path(
    ai_gui: Gui,
    server: AiTestServer,
    tmp_path: Path,
    schema_doc: dict[str, Any],
    column: str,
    path: str,
    served_in: Callable[[Any], set[Any]],
) -> None:
    """A model value inside an object (``details.description``) or in array elements
    (``lines[].product_name``) tints the whole cell and names its path."""
    schema = tmp_path / f"{schema_doc['title']}.schema.json"
    schema.write_text(json.dumps(schema_doc), encoding="utf-8")
    ai_gui.drop_and_wait(schema)
    panel = ai_gui.window.generation_panel
    panel.set_rows(10)
    panel.set_case_kinds({CaseKind.VALID, CaseKind.BOUNDARY})
    panel.set_provider(ProviderKind.HYBRID)
    job = ai_gui.wait_job(ai_gui.generate())
    assert job.state is JobState.DONE, job.error
    assert [r.fields for r in server.requests] == [[path]]

    preview = ai_gui.window.preview
    ai_gui.qtbot.waitUntil(lambda: preview.model.rowCount() > 0, timeout=WAIT_MS)
    model = preview.model
    model.fetch_all()
    columns = ["Case", "Rule", *model.columns]
    ai_tint = tint(AI_COLOR, QPalette(), 0.16)
    served = server.values_for(path)
    valid = 0
    for row in range(model.rowCount()):
        marked = model.label(row).get("ai", [])
        cell = model.index(row, columns.index(column))
        tinted = cell.data(Qt.ItemDataRole.BackgroundRole) == ai_tint
        assert tinted is (path in marked) is cell.data(PreviewModel.AI_ROLE)
        assert model.index(row, columns.index("id")).data(PreviewModel.AI_ROLE) is False
        if model.label(row).get("case") == "valid":
            valid += 1
            assert marked == [path], row
            value = cell.data(PreviewModel.VALUE_ROLE)  # an object or array: JSON text in CSV
            value = json.loads(value) if isinstance(value, str) else value
            assert served_in(value) <= served
            tip = cell.data(Qt.ItemDataRole.ToolTipRole)
            assert tip.startswith(f"AI values at {path} (model test-model"), tip
        else:
            assert not tinted, row
            assert not cell.data(Qt.ItemDataRole.ToolTipRole).startswith("AI value")
    assert valid == 10
    assert model.ai_columns == {column}
    assert model.ai_names() == [path]
    info = preview.findChild(QLabel, "preview_info").text()
    assert f"AI values (tinted): {path}" in info


@pytest.fixture
def make_qasync_loop(qtbot: QtBot) -> Iterator[Callable[[], asyncio.AbstractEventLoop]]:
    """Makes the app's kind of loop: asyncio on the Qt event loop (qasync)."""
    made: list[asyncio.AbstractEventLoop] = []

    def make() -> asyncio.AbstractEventLoop:
        loop = qasync.QEventLoop(QApplication.instance())
        asyncio.set_event_loop(loop)
        made.append(loop)
        return loop

    yield make
    asyncio.set_event_loop(None)
    made.clear()
    # Its timers and notifiers are Qt objects: let them go now, on this thread, rather than
    # whenever a collection happens to run on a worker thread.
    gc.collect()


def test_on_the_apps_qasync_loop_test_and_job_share_one_client_loop(
    qtbot: QtBot,
    tmp_path: Path,
    server: AiTestServer,
    memory_keyring: MemoryKeyring,
    shop: Path,
    make_qasync_loop: Callable[[], asyncio.AbstractEventLoop],
) -> None:
    """As ``app.main`` wires it: the AI client runs on the Qt event loop through qasync."""
    loop = make_qasync_loop()
    settings_file = tmp_path / "config" / "tdgen.ini"
    profile = AiProfile(PROFILE, ProfileKind.ANTHROPIC, server.base_url("anthropic"), "m")
    write_prefs(
        settings_file, output_dir=tmp_path / "out", ai_profiles=(profile,), ai_profile=PROFILE
    )
    memory_keyring.set_password(SERVICE, PROFILE, API_KEY)
    paths = AppPaths.under(tmp_path / "home")
    store = SettingsStore(QSettings(str(settings_file), QSettings.Format.IniFormat))
    ai = AiSupport(
        CredentialStore(memory_keyring, env={}),
        paths.cache_dir / "ai",
        runner=LoopRunner(loop),
        env={},
    )
    scheduler = JobScheduler(paths, workers=1)
    window = build_main_window(paths, MessageBridge(), settings=store, scheduler=scheduler, ai=ai)
    window.confirm_close = lambda _count: True
    qtbot.addWidget(window)

    async def drive() -> tuple[str, str]:
        dialog = window.open_settings()
        tested: asyncio.Future[str] = loop.create_future()
        dialog.ai.connection_tested.connect(lambda text: tested.done() or tested.set_result(text))
        dialog.ai.test_button.click()
        text = await asyncio.wait_for(tested, WAIT_MS / 1000)
        dialog.reject()
        window.open_paths([shop])
        window.generation_panel.set_rows(10)
        window.generation_panel.set_provider(ProviderKind.HYBRID)
        job_id = window.generate()
        assert job_id is not None
        while not scheduler.job(job_id).is_final:
            await asyncio.sleep(0.02)
        return text, job_id

    with loop:
        text, job_id = loop.run_until_complete(drive())
        ai.close()
        scheduler.shutdown()
    assert text.startswith(f"Connected: model {server.model} answered in ")
    job = scheduler.job(job_id)
    assert job.state is JobState.DONE, job.error
    assert job.steps[Step.ENHANCE] is StepState.DONE
    assert job.result is not None
    assert job.result.ai is not None
    assert job.result.ai.cost.requests == 3
    assert [r.wire for r in server.requests] == ["anthropic"] * 4


def test_prompt_preview_shows_the_exact_requests_and_sends_nothing(
    ai_gui: Gui, server: AiTestServer, shop: Path
) -> None:
    ai_gui.drop_and_wait(shop)
    panel = ai_gui.window.generation_panel
    panel.set_rows(20)
    button = panel.findChild(QToolButton, "preview_prompts")
    assert button.isEnabled()
    button.click()
    dialog = ai_gui.window.findChild(PromptPreviewDialog)
    assert dialog is not None
    assert dialog.isVisible()
    text = dialog.text.toPlainText()
    assert text.startswith("3 request(s) for the hybrid provider; nothing was sent.")
    assert "=== category: title, description" in text
    assert "=== product: label, sku_code, price" in text
    assert "=== review: headline, body" in text
    assert API_KEY not in text
    assert server.requests == []
    dialog.close()
