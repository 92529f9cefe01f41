"""The main window, wired as the app wires it: drop and open schemas, errors, About, crash hook."""

from __future__ import annotations

import importlib.metadata
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gui_support import WAIT_MS, Gui, drag_enter, mime_for
from PySide6.QtCore import QMimeData, QUrl
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QTabBar,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tdgen_desktop.core.errors import SchemaError
from tdgen_desktop.ui import MainWindow, MessageBridge
from tdgen_desktop.ui.crash import install_excepthook
from tdgen_desktop.ui.dialogs import AboutDialog, GettingStartedDialog
from tdgen_desktop.ui.main_window import DROP_HINT
from tdgen_desktop.ui.schema_tree import SchemaColumn

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
    """A message bridge of its own; error dialogs left open are closed after the test."""
    bridge = MessageBridge()
    yield bridge
    bridge.close_dialogs()


@pytest.fixture
def window(gui: Gui) -> MainWindow:
    """The main window as the app builds it, shown."""
    return gui.window


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


def _tree(window: MainWindow) -> QTreeWidget:
    tree = window.findChild(QTreeWidget, "schema_tree")
    assert tree is not None
    return tree


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    return [item.child(i) for i in range(item.childCount())]


def _raise_in_thread() -> None:
    raise RuntimeError("boom in a worker thread")


# ------------------------------------------------------------------ the window


def test_window_shows_drop_hint(window: MainWindow) -> None:
    hint = window.findChild(QLabel, "drop_hint")

    assert window.windowTitle() == "tdgen"
    assert (window.width(), window.height()) == (1280, 800)
    assert hint is not None
    assert hint.isVisible()
    assert hint.text().replace("\n", " ") == DROP_HINT
    assert hint.accessibleDescription() == DROP_HINT
    assert "Drop a schema file" in hint.text()
    assert "Ctrl+O" in hint.text()
    assert not window.generation_panel.can_generate()


def test_controls_have_tooltips_and_accessible_names(window: MainWindow) -> None:
    for action in window.findChildren(QAction):
        if action.isSeparator() or not action.text() or action.menu() is not None:
            continue
        if action.parent() is window.findChild(QMenu, "recent_menu"):
            continue
        assert action.toolTip(), action.objectName() or action.text()
    missing = []
    for widget in window.findChildren(QWidget):
        interactive = isinstance(
            widget, (QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox, QAbstractItemView)
        )
        if not interactive or isinstance(widget, (QTabBar, QHeaderView)):
            continue  # tab bars and headers are named by their tabs and columns
        if widget.objectName().startswith("qt_"):
            continue  # Qt's own parts (a spin box's line edit, a table's corner button)
        if isinstance(widget, QAbstractItemView) and widget.objectName() == "":
            continue  # a combo box's popup list
        if type(widget).__name__ == "QToolButton" and not widget.isVisibleTo(window):
            continue  # the scroll buttons of a tab bar or a toolbar
        if not widget.accessibleName():
            missing.append(f"no accessible name: {type(widget).__name__} {widget.objectName()!r}")
        if not widget.toolTip():
            missing.append(f"no tooltip: {type(widget).__name__} {widget.objectName()!r}")
    assert missing == [], "\n".join(missing)
    for name in ("drop_hint", "drop_strip"):
        label = window.findChild(QLabel, name)
        assert label is not None
        assert label.toolTip()
        assert label.accessibleName()
    assert window.statusBar().toolTip()
    assert window.menuBar().accessibleName()


def test_shortcuts(gui: Gui) -> None:
    expected = {
        "open_action": "Ctrl+O",
        "quit_action": "Ctrl+Q",
        "undo_action": "Ctrl+Z",
        "generate_action": "Ctrl+Return",
        "settings_action": "Ctrl+,",
        "schema_tab_action": "Ctrl+1",
        "preview_tab_action": "Ctrl+2",
        "focus_jobs_action": "Ctrl+J",
        "focus_generation_action": "Ctrl+G",
        "export_again_action": "Ctrl+E",
        "guide_action": "F1",
    }
    for name, keys in expected.items():
        assert gui.action(name).shortcut() == QKeySequence(keys), name


def test_drag_enter_accepts_schema_files(window: MainWindow, valid_schema: Path) -> None:
    event = drag_enter(window, mime_for([valid_schema]))

    assert event.isAccepted()
    assert window.statusBar().currentMessage() == "Drop to load 1 schema file"


def test_drag_enter_of_a_folder_counts_its_schema_files(
    window: MainWindow, valid_schema: Path, broken_schema: Path
) -> None:
    (valid_schema.parent / "notes.txt").write_text("not a schema", encoding="utf-8")

    event = drag_enter(window, mime_for([valid_schema.parent]))

    assert event.isAccepted()
    assert window.statusBar().currentMessage() == "Drop to load 2 schema files"


def test_drag_enter_refuses_other_files(window: MainWindow, tmp_path: Path) -> None:
    picture = tmp_path / "cat.png"
    picture.write_bytes(b"\x89PNG")

    event = drag_enter(window, mime_for([picture]))

    assert not event.isAccepted()
    assert window.statusBar().currentMessage() == "Not a schema file: cat.png"


@pytest.mark.parametrize(
    "urls",
    [
        [QUrl("https://example.com/schema.json")],
        [QUrl.fromLocalFile("/tmp/a.json"), QUrl("https://example.com/b.json")],
    ],
    ids=["http", "local-and-http"],
)
def test_drag_enter_ignores_non_file_urls(window: MainWindow, urls: list[QUrl]) -> None:
    mime = QMimeData()
    mime.setUrls(urls)

    assert not drag_enter(window, mime).isAccepted()


def test_drag_enter_ignores_text(window: MainWindow) -> None:
    mime = QMimeData()
    mime.setText("just some text")

    assert not drag_enter(window, mime).isAccepted()


def test_drop_valid_schema_shows_tables(gui: Gui, valid_schema: Path) -> None:
    window = gui.window
    dataset = gui.drop_and_wait(valid_schema)

    tree = _tree(window)
    assert tree.isVisible()
    assert tree.topLevelItemCount() == 1
    file_item = tree.topLevelItem(0)
    assert file_item.text(SchemaColumn.NAME) == valid_schema.name
    tables = _children(file_item)
    assert len(tables) == 1
    assert tables[0].text(SchemaColumn.DETAILS).startswith("3 fields")
    fields = {item.text(0): item for item in _children(tables[0])}
    assert set(fields) == {"name", "email", "age"}
    assert fields["age"].text(SchemaColumn.TYPE).startswith("integer")
    assert fields["email"].text(SchemaColumn.KIND) == dataset.tables[0].field("email").kind
    assert fields["age"].text(SchemaColumn.DETAILS) == "optional · 0 ≤ x ≤ 130"
    assert window.statusBar().currentMessage() == f"Loaded {valid_schema.name}: 1 table"
    assert window.datasets == (dataset,)
    assert window.windowTitle() == f"tdgen — {valid_schema.name}"
    assert window.generation_panel.can_generate()


def test_foreign_keys_show_arrows(gui: Gui, corpus: Path) -> None:
    gui.window.open_paths([corpus / "sql" / "chinook-sqlite.sql"])

    file_item = _tree(gui.window).topLevelItem(0)
    album = next(t for t in _children(file_item) if t.text(0) == "Album")
    artist_id = next(f for f in _children(album) if f.text(0) == "ArtistId")
    assert artist_id.text(SchemaColumn.DETAILS).startswith("→ Artist.ArtistId")
    assert "→ Artist" in album.text(SchemaColumn.DETAILS)


def test_reloading_a_file_replaces_it(gui: Gui, valid_schema: Path) -> None:
    gui.drop_and_wait(valid_schema)
    gui.drop_and_wait(valid_schema)

    assert _tree(gui.window).topLevelItemCount() == 1
    assert len(gui.window.datasets) == 1


def test_drop_folder_loads_each_schema(gui: Gui, tmp_path: Path) -> None:
    folder = tmp_path / "schemas"
    folder.mkdir()
    for name in ("a", "b"):
        (folder / f"{name}.schema.json").write_text(VALID_SCHEMA, encoding="utf-8")

    with gui.qtbot.waitSignals([gui.window.dataset_loaded] * 2, timeout=WAIT_MS):
        gui.drop(folder)

    assert _tree(gui.window).topLevelItemCount() == 2


def test_drop_broken_file_reports_error_and_keeps_content(
    gui: Gui, valid_schema: Path, broken_schema: Path
) -> None:
    window, bridge = gui.window, gui.bridge
    gui.drop_and_wait(valid_schema)

    with gui.qtbot.waitSignal(bridge.error_shown, timeout=WAIT_MS) as blocker:
        gui.drop(broken_schema)

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
    assert window.generation_panel.dataset is window.datasets[0]
    assert window.statusBar().currentMessage() == f"Loaded {valid_schema.name}: 1 table"


def test_several_broken_files_give_one_dialog(
    gui: Gui, valid_schema: Path, broken_schema: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.json"
    other.write_text("[1, 2", encoding="utf-8")

    with gui.qtbot.waitSignal(gui.bridge.error_shown, timeout=WAIT_MS) as blocker:
        loaded = gui.window.open_paths([broken_schema, valid_schema, other])

    assert len(loaded) == 1
    assert blocker.args[0].startswith("2 of 3 files could not be loaded")
    assert len(gui.bridge.open_dialogs) == 1
    assert "other.json" in gui.bridge.open_dialogs[0].detailedText()


def test_missing_file_is_reported_with_its_name(gui: Gui, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"

    with gui.qtbot.waitSignal(gui.bridge.error_shown, timeout=WAIT_MS) as blocker:
        assert gui.window.open_paths([missing]) == []

    assert "nowhere.json" in blocker.args[0]
    assert gui.window.findChild(QLabel, "drop_hint").isVisible()


def test_open_action_loads_chosen_files(
    gui: Gui, valid_schema: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        QFileDialog,
        "getOpenFileNames",
        lambda *_args, **_kwargs: ([str(valid_schema)], "Schema files"),
    )

    with gui.qtbot.waitSignal(gui.window.dataset_loaded, timeout=WAIT_MS):
        gui.action("open_action").trigger()

    assert _tree(gui.window).topLevelItem(0).text(0) == valid_schema.name


def test_open_recent_lists_and_reloads_files(
    make_window: Callable[..., Gui], valid_schema: Path
) -> None:
    first = make_window()
    first.window.open_paths([valid_schema])
    first.window.close()

    second = make_window()
    recent = second.window.recent_actions()
    assert [a.data() for a in recent] == [str(valid_schema.resolve())]
    with second.qtbot.waitSignal(second.window.dataset_loaded, timeout=WAIT_MS):
        recent[0].trigger()
    assert _tree(second.window).topLevelItem(0).text(0) == valid_schema.name


def test_open_paths_loads_a_corpus_schema(gui: Gui, corpus: Path) -> None:
    loaded = gui.window.open_paths([corpus / "jsonschema" / "package.json"])

    assert gui.errors == []
    assert len(loaded) == 1
    assert _tree(gui.window).topLevelItem(0).text(0) == "package.json"


def test_about_shows_version_and_licences(gui: Gui) -> None:
    try:
        expected = importlib.metadata.version("tdgen")
    except importlib.metadata.PackageNotFoundError:
        expected = "dev"

    gui.action("about_action").trigger()

    dialog = gui.window.findChild(AboutDialog)
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.title.text() == f"tdgen {expected}"
    text = dialog.licences.toPlainText()
    for component in ("Qt", "Faker", "jsonschema", "httpx"):
        assert component in text
    assert "LGPL" in text
    assert "MIT" in text
    dialog.done(0)


def test_getting_started_opens_on_f1(gui: Gui) -> None:
    gui.action("guide_action").trigger()

    dialog = gui.window.findChild(GettingStartedDialog)
    assert dialog is not None
    assert dialog.isVisible()
    assert "Getting started" in dialog.browser.toPlainText()
    assert "Ctrl+Enter" in dialog.browser.toPlainText()
    dialog.done(0)


def test_quit_closes_window(gui: Gui) -> None:
    gui.action("quit_action").trigger()

    assert not gui.window.isVisible()


def test_window_stack_switches_to_tree(gui: Gui, valid_schema: Path) -> None:
    stack = gui.window.findChild(QStackedWidget, "schema_stack")
    assert stack is not None
    assert stack.currentIndex() == 0

    gui.drop_and_wait(valid_schema)

    assert stack.currentIndex() == 1


def test_screenshot(gui: Gui, valid_schema: Path, tmp_path: Path) -> None:
    gui.drop_and_wait(valid_schema)
    target = tmp_path / "main_window.png"

    assert gui.window.grab().save(str(target))

    assert target.stat().st_size > 0


def test_bridge_notify_reaches_status_bar(gui: Gui) -> None:
    gui.bridge.notify("Hello")

    assert gui.window.statusBar().currentMessage() == "Hello"


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


# ------------------------------------------------------------------ crash hook


def test_excepthook_routes_thread_exception_to_bridge(qtbot: QtBot, gui: Gui) -> None:
    window, bridge = gui.window, gui.bridge
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
