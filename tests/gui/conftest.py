"""Fixtures for the main-window tests: a window wired as the app wires it, in a temporary home.

``make_window`` builds the window with its own scheduler (optionally with a gated pipeline), a
settings INI file under the test's temporary folder and the output folder there too, so no test
touches the user's settings or home folder. ``gui`` is one such window with the real pipeline.
The helpers live in ``gui_support``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_support import WAIT_MS, Gui, write_prefs
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from tdgen_desktop.app import build_main_window
from tdgen_desktop.scheduler import JobScheduler, PipelineFn
from tdgen_desktop.services import AppPaths
from tdgen_desktop.ui import MessageBridge
from tdgen_desktop.ui.settings import SettingsStore


@pytest.fixture
def make_window(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[..., Gui]]:
    """A factory of windows sharing this test's settings file and output folder."""
    settings_file = tmp_path / "config" / "tdgen.ini"
    out_dir = tmp_path / "out"
    made: list[Gui] = []
    write_prefs(settings_file, output_dir=out_dir)

    def make(pipeline: PipelineFn | None = None, workers: int | None = None) -> Gui:
        paths = AppPaths.under(tmp_path / "home")
        store = SettingsStore(QSettings(str(settings_file), QSettings.Format.IniFormat))
        bridge = MessageBridge()
        kwargs: dict[str, Any] = {"workers": workers or store.load().worker_count}
        if pipeline is not None:
            kwargs["pipeline"] = pipeline
        scheduler = JobScheduler(paths, **kwargs)
        window = build_main_window(paths, bridge, settings=store, scheduler=scheduler)
        window.confirm_close = lambda _count: True
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        gui = Gui(qtbot, window, bridge, scheduler, settings_file, out_dir)
        bridge.error_shown.connect(gui.errors.append)
        made.append(gui)
        return gui

    yield make
    for gui in made:
        gui.scheduler.cancel_all()
        gui.scheduler.wait_for_done(WAIT_MS)
        gui.scheduler.shutdown()
        gui.bridge.close_dialogs()


@pytest.fixture
def gui(make_window: Callable[..., Gui]) -> Gui:
    """One window with the real pipeline."""
    return make_window()
