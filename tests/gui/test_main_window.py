"""The main window, wired as the app wires it: drop and open schemas, errors, About, crash hook."""

from __future__ import annotations

import importlib.metadata
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMessageBox,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
)
from pytestqt.qtbot import QtBot

from tdgen_desktop.app import build_main_window
from tdgen_desktop.core.errors import SchemaError
from tdgen_desktop.core.model import Dataset
from tdgen_desktop.services import AppPaths
from tdgen_desktop.ui import MainWindow, MessageBridge
from tdgen_desktop.ui.crash import install_excepthook
from tdgen_desktop.ui.main_window import DROP_HINT

VALID_SCHEMA = """{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "person",
  "type": "object",
  "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 40},
    "email": {"type": "string", "format": "email"},
    "age": {"type": "integer", "minimum": 0, "maximum": 130}
  },
  "required": ["name", "email"]
}
"""

# ------------------------------------------------------------------ fixtures and helpers


@pytest.fixture
def bridge(qtbot: QtBot) -> Iterator[MessageBridge]:
    """The message bridge; error dialogs left open are closed after the test."""
    bridge = MessageBridge()
    yield bridge
    bridge.close_dialogs()


@pytest.fixture
def window(qtbot: QtBot, bridge: MessageBridge) -> MainWindow:
    """The main window as the app builds it, shown."""
    window = build_main_window(AppPaths.default(), bridge)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def valid_schema(tmp_path: Path) -> Path:
    path = tmp_path / "person.schema.json"
    path.write_text(VALID_SCHEMA, encoding="utf-8")
    return path


@pytest.fixture
def broken_schema(tmp_path: Path) -> Path:
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    return path


def _mime(urls: list[QUrl]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls(urls)
    return mime


def _drag_enter(window: MainWindow, mime: QMimeData) -> QDragEnterEvent:
    event = QDragEnterEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, event)
    return event


def _drop(window: MainWindow, path: Path) -> QDropEvent:
    """Drag ``path`` over the window and drop it."""
    mime = _mime([QUrl.fromLocalFile(str(path))])
    assert _drag_enter(window, mime).isAccepted()
    event = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, event)
    return event


def _drop_and_wait_loaded(qtbot: QtBot, window: MainWindow, path: Path) -> Dataset:
    """Drop ``path`` and wait until it loaded; fail at once with the text of an error dialog."""
    loaded: list[Dataset] = []
    errors: list[str] = []
    bridge = window.bridge
    window.dataset_loaded.connect(loaded.append)
    bridge.error_shown.connect(errors.append)
    try:
        assert _drop(window, path).isAccepted()
        qtbot.waitUntil(lambda: bool(loaded or errors), timeout=10_000)
    finally:
        window.dataset_loaded.disconnect(loaded.append)
        bridge.error_shown.disconnect(errors.append)
    assert not errors, errors
    return loaded[0]


def _tree(window: MainWindow) -> QTreeWidget:
    tree = window.findChild(QTreeWidget, "schema_tree")
    assert tree is not None
    return tree


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    return [item.child(i) for i in range(item.childCount())]


def _action(window: MainWindow, name: str) -> QAction:
    action = window.findChild(QAction, name)
    assert action is not None, name
    return action


def _raise_in_thread() -> None:
    raise RuntimeError("boom in a worker thread")


# ------------------------------------------------------------------ the window


def test_window_shows_drop_hint(window: MainWindow) -> None:
    hint = window.findChild(QLabel, "drop_hint")

    assert window.windowTitle() == "tdgen"
    assert (window.width(), window.height()) == (1100, 700)
    assert hint is not None
    assert hint.isVisible()
    assert hint.text().replace("\n", " ") == DROP_HINT
    assert hint.accessibleDescription() == DROP_HINT
    assert "Drop a schema file here" in hint.text()
    assert "Ctrl+O" in hint.text()


def test_controls_have_tooltips_and_accessible_names(window: MainWindow) -> None:
    for name in ("open_action", "quit_action", "about_action"):
        assert _action(window, name).toolTip(), name
    for widget in (
        window.findChild(QLabel, "drop_hint"),
        window.findChild(QLabel, "drop_strip"),
        _tree(window),
        window.statusBar(),
    ):
        assert widget is not None
        assert widget.toolTip(), widget.objectName()
        assert widget.accessibleName(), widget.objectName()
    assert window.menuBar().accessibleName()


def test_shortcuts(window: MainWindow) -> None:
    assert _action(window, "open_action").shortcut() == QKeySequence("Ctrl+O")
    assert _action(window, "quit_action").shortcut() == QKeySequence("Ctrl+Q")


def test_drag_enter_accepts_local_files(window: MainWindow, valid_schema: Path) -> None:
    event = _drag_enter(window, _mime([QUrl.fromLocalFile(str(valid_schema))]))

    assert event.isAccepted()


@pytest.mark.parametrize(
    "urls",
    [
        [QUrl("https://example.com/schema.json")],
        [QUrl.fromLocalFile("/tmp/a.json"), QUrl("https://example.com/b.json")],
    ],
    ids=["http", "local-and-http"],
)
def test_drag_enter_ignores_non_file_urls(window: MainWindow, urls: list[QUrl]) -> None:
    event = _drag_enter(window, _mime(urls))

    assert not event.isAccepted()


def test_drag_enter_ignores_text(window: MainWindow) -> None:
    mime = QMimeData()
    mime.setText("just some text")

    assert not _drag_enter(window, mime).isAccepted()


def test_drop_valid_schema_shows_tables(
    qtbot: QtBot, window: MainWindow, valid_schema: Path
) -> None:
    dataset = _drop_and_wait_loaded(qtbot, window, valid_schema)

    tree = _tree(window)
    assert tree.isVisible()
    assert tree.topLevelItemCount() == 1
    file_item = tree.topLevelItem(0)
    assert file_item.text(0) == valid_schema.name
    tables = _children(file_item)
    assert len(tables) == 1
    assert tables[0].text(3).startswith("3 fields")
    fields = {item.text(0): item for item in _children(tables[0])}
    assert set(fields) == {"name", "email", "age"}
    assert fields["age"].text(1).startswith("integer")
    assert fields["email"].text(2) == (dataset.tables[0].field("email").kind or "")
    assert window.statusBar().currentMessage() == f"Loaded {valid_schema.name}: 1 table"
    assert window.datasets == (dataset,)


def test_reloading_a_file_replaces_it(qtbot: QtBot, window: MainWindow, valid_schema: Path) -> None:
    _drop_and_wait_loaded(qtbot, window, valid_schema)
    _drop_and_wait_loaded(qtbot, window, valid_schema)

    assert _tree(window).topLevelItemCount() == 1
    assert len(window.datasets) == 1


def test_drop_broken_file_reports_error_and_keeps_content(
    qtbot: QtBot,
    window: MainWindow,
    bridge: MessageBridge,
    valid_schema: Path,
    broken_schema: Path,
) -> None:
    _drop_and_wait_loaded(qtbot, window, valid_schema)

    with qtbot.waitSignal(bridge.error_shown, timeout=10_000) as blocker:
        _drop(window, broken_schema)

    text = blocker.args[0]
    assert broken_schema.name in text
    assert "Unexpected error" not in text, "a broken file is the user's problem, not a bug"
    box = bridge.open_dialogs[-1]
    assert box.text() == text
    assert box.icon() == QMessageBox.Icon.Critical
    assert box.isVisible()
    assert box.parent() is window
    tree = _tree(window)
    assert tree.isVisible()
    assert tree.topLevelItemCount() == 1
    assert tree.topLevelItem(0).text(0) == valid_schema.name
    assert window.statusBar().currentMessage() == f"Loaded {valid_schema.name}: 1 table"


def test_missing_file_is_reported_with_its_name(
    qtbot: QtBot, window: MainWindow, bridge: MessageBridge, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.json"

    with qtbot.waitSignal(bridge.error_shown, timeout=10_000) as blocker:
        assert window.open_paths([missing]) == []

    assert "nowhere.json" in blocker.args[0]
    assert window.findChild(QLabel, "drop_hint").isVisible()


def test_open_action_loads_chosen_files(
    qtbot: QtBot, window: MainWindow, valid_schema: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        QFileDialog,
        "getOpenFileNames",
        lambda *_args, **_kwargs: ([str(valid_schema)], "Schema files"),
    )

    with qtbot.waitSignal(window.dataset_loaded, timeout=10_000):
        _action(window, "open_action").trigger()

    assert _tree(window).topLevelItem(0).text(0) == valid_schema.name


def test_open_paths_loads_a_corpus_schema(
    window: MainWindow, bridge: MessageBridge, corpus: Path
) -> None:
    path = corpus / "jsonschema" / "package.json"
    errors: list[str] = []
    bridge.error_shown.connect(errors.append)

    loaded = window.open_paths([path])

    assert errors == []
    assert len(loaded) == 1
    assert _tree(window).topLevelItem(0).text(0) == "package.json"


def test_about_shows_version(window: MainWindow) -> None:
    try:
        expected = importlib.metadata.version("tdgen")
    except importlib.metadata.PackageNotFoundError:
        expected = "dev"

    _action(window, "about_action").trigger()

    box = window.findChild(QMessageBox, "about_box")
    assert box is not None
    assert box.isVisible()
    assert box.text() == f"tdgen {expected}"
    box.done(0)


def test_quit_closes_window(window: MainWindow) -> None:
    _action(window, "quit_action").trigger()

    assert not window.isVisible()


def test_screenshot(qtbot: QtBot, window: MainWindow, valid_schema: Path, tmp_path: Path) -> None:
    _drop_and_wait_loaded(qtbot, window, valid_schema)
    target = tmp_path / "main_window.png"

    assert window.grab().save(str(target))

    assert target.stat().st_size > 0


# ------------------------------------------------------------------ message bridge


def test_bridge_shows_tdgen_error_message_and_details(qtbot: QtBot, bridge: MessageBridge) -> None:
    error = SchemaError("not valid JSON", file="a.json", details="line 1, column 2")

    with qtbot.waitSignal(bridge.error_shown) as blocker:
        box = bridge.show_error(error)

    assert blocker.args == ["a.json: not valid JSON"]
    assert box is not None
    assert box.detailedText() == "line 1, column 2"
    bridge.close_dialogs()
    assert bridge.open_dialogs == ()


def test_bridge_shows_unexpected_error_with_traceback(qtbot: QtBot, bridge: MessageBridge) -> None:
    try:
        raise ValueError("bad value")
    except ValueError as error:
        caught = error

    with qtbot.waitSignal(bridge.error_shown) as blocker:
        box = bridge.show_error(caught)

    assert blocker.args == ["Unexpected error: ValueError: bad value"]
    assert box is not None
    assert "Traceback" in box.detailedText()


def test_bridge_notify_reaches_status_bar(window: MainWindow, bridge: MessageBridge) -> None:
    bridge.notify("Hello")

    assert window.statusBar().currentMessage() == "Hello"


# ------------------------------------------------------------------ crash hook


def test_excepthook_routes_thread_exception_to_bridge(
    qtbot: QtBot, window: MainWindow, bridge: MessageBridge
) -> None:
    restore = install_excepthook(bridge)
    try:
        with qtbot.waitSignal(bridge.error_shown, timeout=10_000) as blocker:
            worker = threading.Thread(target=_raise_in_thread, name="worker")
            worker.start()
        worker.join()
    finally:
        restore()

    assert blocker.args == ["Unexpected error: RuntimeError: boom in a worker thread"]
    box = bridge.open_dialogs[-1]
    assert "_raise_in_thread" in box.detailedText()
    assert box.parent() is window
    assert threading.excepthook is not None


def test_excepthook_routes_main_thread_exception_to_bridge(
    qtbot: QtBot, bridge: MessageBridge
) -> None:
    previous = sys.excepthook
    restore = install_excepthook(bridge)
    try:
        try:
            raise KeyError("missing")
        except KeyError:
            exc_info = sys.exc_info()
        with qtbot.waitSignal(bridge.error_shown, timeout=10_000) as blocker:
            sys.excepthook(*exc_info)  # type: ignore[arg-type]
    finally:
        restore()

    assert blocker.args == ["Unexpected error: KeyError: 'missing'"]
    assert sys.excepthook is previous


def test_window_stack_switches_to_tree(
    qtbot: QtBot, window: MainWindow, valid_schema: Path
) -> None:
    stack = window.findChild(QStackedWidget, "central_stack")
    assert stack is not None
    assert stack.currentIndex() == 0

    _drop_and_wait_loaded(qtbot, window, valid_schema)

    assert stack.currentIndex() == 1
