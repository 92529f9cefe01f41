"""Schema files are read on a worker: the window keeps handling events while a big file loads."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gui_support import EXAMPLE, WAIT_MS, Gui
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QProgressBar, QTreeWidget
from pytestqt.qtbot import QtBot

from tdgen_desktop.core.model import Dataset
from tdgen_desktop.importers import load_schema
from tdgen_desktop.scheduler import JobScheduler
from tdgen_desktop.services import AppPaths
from tdgen_desktop.ui import MainWindow, MessageBridge
from tdgen_desktop.ui.settings import SettingsStore

BROKEN = '{"type": "object", "properties": {"a": {"type": "integer", "minimum": 5, "maximum": 1}}'


class GatedLoader:
    """The real ``load_schema``, which waits for the test before it reads ``gated`` files."""

    def __init__(self, gated: set[Path]) -> None:
        self.gated = {p.resolve() for p in gated}
        self.release = threading.Event()
        self.reached = threading.Event()
        self.threads: list[str] = []

    def __call__(self, path: Path) -> Dataset:
        self.threads.append(threading.current_thread().name)
        if path.resolve() in self.gated:
            self.reached.set()
            assert self.release.wait(10), "the test never released the load"
        return load_schema(path)


@pytest.fixture
def make_loading_window(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[[GatedLoader], Gui]]:
    made: list[Gui] = []

    def make(loader: GatedLoader) -> Gui:
        paths = AppPaths.under(tmp_path / "home")
        settings_file = tmp_path / "config" / "tdgen.ini"
        store = SettingsStore(QSettings(str(settings_file), QSettings.Format.IniFormat))
        bridge = MessageBridge()
        scheduler = JobScheduler(paths, workers=1)
        window = MainWindow(bridge, loader, paths, scheduler=scheduler, settings=store)
        window.confirm_close = lambda _count: True
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        gui = Gui(qtbot, window, bridge, scheduler, settings_file, tmp_path / "out")
        bridge.error_shown.connect(gui.errors.append)
        made.append(gui)
        return gui

    yield make
    for gui in made:
        gui.scheduler.shutdown()
        gui.bridge.close_dialogs()


def _tree(window: MainWindow) -> QTreeWidget:
    tree = window.findChild(QTreeWidget, "schema_tree")
    assert tree is not None
    return tree


def test_a_slow_load_leaves_the_event_loop_running(
    make_loading_window: Callable[[GatedLoader], Gui],
) -> None:
    loader = GatedLoader({EXAMPLE})
    gui = make_loading_window(loader)
    window = gui.window
    bar = window.findChild(QProgressBar, "loading_bar")
    ticks: list[float] = []
    heartbeat = QTimer(window)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    heartbeat.start(10)

    assert gui.drop(EXAMPLE).isAccepted()
    gui.qtbot.waitUntil(loader.reached.is_set, timeout=WAIT_MS)
    # The file is being read and held there: the window goes on handling events.
    assert window.loading
    assert bar.isVisible()
    assert window.statusBar().currentMessage() == f"Loading {EXAMPLE.name} …"
    before = len(ticks)
    gui.qtbot.waitUntil(lambda: len(ticks) >= before + 10, timeout=2000)
    window.generation_panel.set_rows(7)  # still usable
    assert _tree(window).topLevelItemCount() == 0

    with gui.qtbot.waitSignal(window.load_finished, timeout=WAIT_MS) as blocker:
        loader.release.set()
    heartbeat.stop()

    assert [d.source.name for d in blocker.args[0]] == [EXAMPLE.name]
    assert loader.threads
    assert "MainThread" not in loader.threads
    assert not window.loading
    assert not bar.isVisible()
    assert _tree(window).topLevelItem(0).text(0) == EXAMPLE.name
    assert window.statusBar().currentMessage() == f"Loaded {EXAMPLE.name}: 1 table"


def test_a_big_schema_loads_without_stalling_the_window(
    make_loading_window: Callable[[GatedLoader], Gui], tmp_path: Path
) -> None:
    big = tmp_path / "big.schema.json"
    properties = {
        f"field_{i}": {"type": "string", "maxLength": 40, "description": f"Field number {i}"}
        for i in range(4000)
    }
    big.write_text(json.dumps({"type": "object", "properties": properties}), encoding="utf-8")
    gui = make_loading_window(GatedLoader(set()))
    window = gui.window
    ticks: list[float] = []
    heartbeat = QTimer(window)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    heartbeat.start(10)

    started = time.perf_counter()
    with gui.qtbot.waitSignal(window.load_finished, timeout=WAIT_MS):
        assert window.load_paths([big]) is not None
        returned = time.perf_counter() - started
    heartbeat.stop()

    assert returned < 0.1, "load_paths returns at once"
    assert _tree(window).topLevelItemCount() == 1
    assert len(window.datasets[0].tables[0].fields) == 4000
    load_ticks = [t for t in ticks if t >= started]
    gaps = [b - a for a, b in zip([started, *load_ticks], load_ticks, strict=False)]
    print(f"big schema: {len(load_ticks)} heartbeats, longest gap {max(gaps) * 1000:.0f} ms")
    assert len(load_ticks) >= 5, "the event loop ran while the file was read"


def test_a_broken_file_shows_the_dialog_and_keeps_the_previous_schema(
    make_loading_window: Callable[[GatedLoader], Gui], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.schema.json"
    broken.write_text(BROKEN, encoding="utf-8")
    loader = GatedLoader({broken})
    gui = make_loading_window(loader)
    window = gui.window
    gui.drop_and_wait(EXAMPLE)

    with gui.qtbot.waitSignal(gui.bridge.error_shown, timeout=WAIT_MS) as blocker:
        gui.drop(broken)
        gui.qtbot.waitUntil(loader.reached.is_set, timeout=WAIT_MS)
        assert window.loading
        loader.release.set()

    assert broken.name in blocker.args[0]
    assert gui.bridge.open_dialogs[-1].isVisible()
    assert not window.loading
    assert _tree(window).topLevelItemCount() == 1
    assert _tree(window).topLevelItem(0).text(0) == EXAMPLE.name
    assert window.generation_panel.dataset is window.datasets[0]


def test_an_empty_folder_is_reported(
    make_loading_window: Callable[[GatedLoader], Gui], tmp_path: Path
) -> None:
    gui = make_loading_window(GatedLoader(set()))
    folder = tmp_path / "empty"
    folder.mkdir()
    with gui.qtbot.waitSignal(gui.bridge.error_shown, timeout=WAIT_MS) as blocker:
        assert gui.window.load_paths([folder]) is None
    assert "no schema files in this folder" in blocker.args[0]
    assert "empty" in blocker.args[0]
