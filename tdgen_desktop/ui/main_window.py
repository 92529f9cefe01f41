"""The main window (placeholder): drop or open schema files and see their tables and fields.

The full window (field editor, generation, jobs) replaces the central area later; the menu, the
drop handling and the error path through the :class:`MessageBridge` stay.
"""

from __future__ import annotations

import importlib.metadata
import logging
import platform
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QMimeData, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tdgen_desktop.core.enums import SourceFormat
from tdgen_desktop.core.errors import TdgenError
from tdgen_desktop.core.model import Dataset, Field, Table
from tdgen_desktop.services.paths import AppPaths
from tdgen_desktop.ui.message_bridge import MessageBridge

__all__ = ["DROP_HINT", "MainWindow", "SchemaLoader"]

_log = logging.getLogger(__name__)

SchemaLoader = Callable[[Path], Dataset]
"""Reads one schema file into a :class:`Dataset`; raises :class:`TdgenError` for bad input."""

DROP_HINT = (
    "Drop a schema file here (JSON Schema, OpenAPI, SQL DDL, CSV/JSON sample)"
    " — or File ▸ Open (Ctrl+O)"
)

_OPEN_FILTERS = ";;".join(
    (
        "Schema files (*.json *.yaml *.yml *.sql *.ddl *.csv *.tsv *.jsonl *.ndjson)",
        "JSON Schema / OpenAPI (*.json *.yaml *.yml)",
        "SQL DDL (*.sql *.ddl)",
        "Samples (*.csv *.tsv *.json *.jsonl *.ndjson)",
        "All files (*)",
    )
)

_FORMAT_NAMES = {
    SourceFormat.JSONSCHEMA: "JSON Schema",
    SourceFormat.OPENAPI: "OpenAPI",
    SourceFormat.SQL: "SQL DDL",
    SourceFormat.SAMPLE: "Sample data",
    SourceFormat.PROJECT: "tdgen project",
}

_COLUMNS = ("Name", "Type", "Semantic kind", "Details")
_NAME, _TYPE, _KIND, _DETAILS = range(len(_COLUMNS))
_MAX_FIELD_DEPTH = 12
_EXPAND_TABLES_UP_TO = 5
_COLUMN_PADDING = 16

_STYLE = """
QLabel#drop_hint {
    border: 2px dashed palette(mid);
    border-radius: 14px;
    padding: 32px;
    font-size: 15pt;
    color: palette(window-text);
    background: palette(base);
}
QLabel#drop_hint[dragging="true"], QTreeWidget#schema_tree[dragging="true"] {
    border: 2px dashed palette(highlight);
    background: palette(alternate-base);
}
QLabel#drop_strip {
    padding: 4px 2px;
}
"""


def _app_version() -> str:
    """The installed tdgen version, or "dev" when running from a source tree."""
    try:
        return importlib.metadata.version("tdgen")
    except importlib.metadata.PackageNotFoundError:
        return "dev"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _local_files(mime: QMimeData) -> list[Path]:
    """The dragged local files, or [] unless every URL is a local file."""
    if not mime.hasUrls():
        return []
    urls = mime.urls()
    if not urls or not all(url.isLocalFile() for url in urls):
        return []
    return [Path(url.toLocalFile()) for url in urls]


@contextmanager
def _wait_cursor() -> Iterator[None]:
    """Show the busy cursor while a block runs."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


class MainWindow(QMainWindow):
    """The tdgen main window (placeholder): a drop area and the loaded schemas as a tree.

    Args:
        bridge: shows errors and status-bar notices.
        load_schema: reads one schema file (``tdgen_desktop.importers.load_schema``).
        paths: the app's folders (for jobs, later).
        parent: the parent widget, normally None.

    Signals:
        dataset_loaded(object): a :class:`Dataset` was loaded from a file.
    """

    dataset_loaded = Signal(object)

    def __init__(
        self,
        bridge: MessageBridge,
        load_schema: SchemaLoader,
        paths: AppPaths | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._load_schema = load_schema
        self._paths = paths
        self._datasets: dict[Path, Dataset] = {}
        self._file_items: dict[Path, QTreeWidgetItem] = {}
        self._last_dir: Path = Path.home()
        self._about_box: QMessageBox | None = None

        self.setObjectName("main_window")
        self.setWindowTitle("tdgen")
        self.setAccessibleName("tdgen main window")
        self.resize(1100, 700)
        self.setMinimumSize(640, 400)
        self.setAcceptDrops(True)
        self.setStyleSheet(_STYLE)

        self._build_central()
        self._build_actions()
        self._build_menus()
        self._build_status_bar()
        bridge.message_posted.connect(self.on_bridge_message_posted)

    # ------------------------------------------------------------------ construction

    def _build_central(self) -> None:
        self._hint = QLabel(DROP_HINT.replace(" — or ", "\n— or "))  # two balanced lines
        self._hint.setObjectName("drop_hint")
        self._hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._hint.setWordWrap(True)
        self._hint.setToolTip("Drag schema files from your file manager and drop them here")
        self._hint.setAccessibleName("Drop area")
        self._hint.setAccessibleDescription(DROP_HINT)

        hint_page = QWidget()
        hint_layout = QVBoxLayout(hint_page)
        hint_layout.setContentsMargins(48, 48, 48, 48)
        hint_layout.addWidget(self._hint)

        self._tree = QTreeWidget()
        self._tree.setObjectName("schema_tree")
        self._tree.setColumnCount(len(_COLUMNS))
        self._tree.setHeaderLabels(list(_COLUMNS))
        self._tree.setAlternatingRowColors(True)
        self._tree.setUniformRowHeights(True)
        self._tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._tree.header().setStretchLastSection(True)
        self._tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._tree.setToolTip("Loaded schema files, their tables and fields")
        self._tree.setAccessibleName("Loaded schemas")
        self._tree.setAccessibleDescription(
            "Tree of loaded files; each file lists its tables, each table its fields "
            "with type and semantic kind"
        )

        self._strip = QLabel("Drop more schema files to add them — or File ▸ Open (Ctrl+O)")
        self._strip.setObjectName("drop_strip")
        self._strip.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._strip.setToolTip("Dropping a file that is already loaded reloads it")
        self._strip.setAccessibleName("Drop hint")

        tree_page = QWidget()
        tree_layout = QVBoxLayout(tree_page)
        tree_layout.setContentsMargins(8, 8, 8, 0)
        tree_layout.addWidget(self._tree)
        tree_layout.addWidget(self._strip)

        self._stack = QStackedWidget()
        self._stack.setObjectName("central_stack")
        self._stack.setAccessibleName("Schemas")
        self._stack.addWidget(hint_page)
        self._stack.addWidget(tree_page)
        self.setCentralWidget(self._stack)

    def _build_actions(self) -> None:
        self._open_action = QAction("&Open…", self)
        self._open_action.setObjectName("open_action")
        self._open_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Open))
        self._open_action.setToolTip("Open schema files (Ctrl+O)")
        self._open_action.setStatusTip("Open JSON Schema, OpenAPI, SQL DDL or sample files")
        self._open_action.triggered.connect(self.on_open_action_triggered)

        self._quit_action = QAction("&Quit", self)
        self._quit_action.setObjectName("quit_action")
        self._quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self._quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self._quit_action.setToolTip("Quit tdgen (Ctrl+Q)")
        self._quit_action.setStatusTip("Close the window and quit tdgen")
        self._quit_action.triggered.connect(self.on_quit_action_triggered)

        self._about_action = QAction("&About tdgen", self)
        self._about_action.setObjectName("about_action")
        self._about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self._about_action.setToolTip("Show the tdgen version")
        self._about_action.setStatusTip("Show the tdgen version and the libraries it runs on")
        self._about_action.triggered.connect(self.on_about_action_triggered)

    def _build_menus(self) -> None:
        menu_bar = self.menuBar()
        menu_bar.setAccessibleName("Menu bar")

        file_menu = menu_bar.addMenu("&File")
        file_menu.setObjectName("file_menu")
        file_menu.setAccessibleName("File menu")
        file_menu.setToolTipsVisible(True)
        file_menu.addAction(self._open_action)
        file_menu.addSeparator()
        file_menu.addAction(self._quit_action)

        help_menu = menu_bar.addMenu("&Help")
        help_menu.setObjectName("help_menu")
        help_menu.setAccessibleName("Help menu")
        help_menu.setToolTipsVisible(True)
        help_menu.addAction(self._about_action)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        status.setObjectName("status_bar")
        status.setAccessibleName("Status")
        status.setToolTip("Messages about the last action")
        status.showMessage("Ready")

    # ------------------------------------------------------------------ public API

    @property
    def bridge(self) -> MessageBridge:
        """The bridge this window reports errors and notices through."""
        return self._bridge

    @property
    def datasets(self) -> tuple[Dataset, ...]:
        """The datasets loaded so far, in load order."""
        return tuple(self._datasets.values())

    def open_paths(self, paths: Iterable[Path]) -> list[Dataset]:
        """Load each schema file; show errors through the bridge and keep what was loaded.

        Returns:
            The datasets that loaded, in order.
        """
        loaded: list[Dataset] = []
        with _wait_cursor():
            for path in paths:
                dataset = self._load(Path(path))
                if dataset is not None:
                    loaded.append(dataset)
        return loaded

    def show_about(self) -> QMessageBox:
        """Open (or raise) the non-blocking About box and return it."""
        if self._about_box is not None:
            self._about_box.raise_()
            self._about_box.activateWindow()
            return self._about_box
        version = _app_version()
        box = QMessageBox(self)
        box.setObjectName("about_box")
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("About tdgen")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"tdgen {version}")
        box.setInformativeText(
            "Test data from your schemas: valid, boundary and invalid cases.\n\n"
            f"Python {platform.python_version()} · PySide6 {pyside_version}"
        )
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        box.setAccessibleName("About tdgen")
        box.setAccessibleDescription(f"tdgen version {version}")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(self.on_about_box_finished)
        self._about_box = box
        box.open()
        return box

    # ------------------------------------------------------------------ loading

    def _load(self, path: Path) -> Dataset | None:
        """Load one file; on failure report it and leave the tree as it was."""
        try:
            dataset = self._load_schema(path)
        except TdgenError as error:
            self._bridge.show_error(error.with_context(file=path), self)
            return None
        except OSError as error:
            problem = error.strerror or str(error)
            self._bridge.show_error(TdgenError(problem, file=path), self)
            return None
        except Exception as error:  # a bug in an importer: report it, keep the window usable
            _log.exception("Loading %s failed", path)
            self._bridge.show_error(error, self)
            return None
        key = path.resolve()
        self._datasets[key] = dataset
        self._show_dataset(key, path, dataset)
        self._last_dir = key.parent
        self._bridge.notify(f"Loaded {path.name}: {_plural(len(dataset.tables), 'table')}")
        self.dataset_loaded.emit(dataset)
        return dataset

    def _show_dataset(self, key: Path, path: Path, dataset: Dataset) -> None:
        """Add the dataset's file to the tree, replacing an earlier load of the same file."""
        item = QTreeWidgetItem()
        item.setText(_NAME, path.name)
        item.setText(_TYPE, _FORMAT_NAMES.get(dataset.format, str(dataset.format.value)))
        details = [_plural(len(dataset.tables), "table")]
        tip = str(key)
        if dataset.notices:
            details.append(_plural(len(dataset.notices), "notice"))
            tip += "\n\nNotices:\n" + "\n".join(f"• {n}" for n in dataset.notices)
        item.setText(_DETAILS, " · ".join(details))
        item.setToolTip(_NAME, tip)
        item.setToolTip(_DETAILS, tip)
        table_items = [_table_item(table) for table in dataset.tables]
        item.addChildren(table_items)

        old = self._file_items.pop(key, None)
        index = self._tree.indexOfTopLevelItem(old) if old is not None else -1
        if index >= 0:
            self._tree.takeTopLevelItem(index)
            self._tree.insertTopLevelItem(index, item)
        else:
            self._tree.addTopLevelItem(item)
        self._file_items[key] = item

        item.setExpanded(True)
        if len(dataset.tables) <= _EXPAND_TABLES_UP_TO:
            for table_item in table_items:
                table_item.setExpanded(True)
        self._stack.setCurrentIndex(1)
        for column in (_NAME, _TYPE, _KIND):
            self._tree.resizeColumnToContents(column)
            self._tree.setColumnWidth(column, self._tree.columnWidth(column) + _COLUMN_PADDING)
        self._tree.scrollToItem(item, QAbstractItemView.ScrollHint.PositionAtTop)

    # ------------------------------------------------------------------ drag and drop

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept a drag that carries only local files."""
        if _local_files(event.mimeData()):
            event.acceptProposedAction()
            self._set_dragging(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        """Keep accepting a drag of local files while it moves."""
        if _local_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        """Drop the highlight when the drag leaves."""
        self._set_dragging(False)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        """Load the dropped files once the drop has returned to the source application."""
        self._set_dragging(False)
        paths = _local_files(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        QTimer.singleShot(0, self, lambda: self.open_paths(paths))

    def _set_dragging(self, dragging: bool) -> None:
        """Highlight the drop target while a drag of files is over the window."""
        for widget in (self._hint, self._tree):
            widget.setProperty("dragging", dragging)
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    # ------------------------------------------------------------------ slots

    @Slot(str)
    def on_bridge_message_posted(self, text: str) -> None:
        """Show a notice in the status bar."""
        self.statusBar().showMessage(text)

    @Slot()
    def on_open_action_triggered(self) -> None:
        """Ask for schema files and load them."""
        names, _filter = QFileDialog.getOpenFileNames(
            self, "Open schema files", str(self._last_dir), _OPEN_FILTERS
        )
        if names:
            self.open_paths([Path(name) for name in names])

    @Slot()
    def on_quit_action_triggered(self) -> None:
        """Close the window; the app quits when its last window closes."""
        self.close()

    @Slot()
    def on_about_action_triggered(self) -> None:
        """Show the About box."""
        self.show_about()

    @Slot(int)
    def on_about_box_finished(self, _result: int) -> None:
        """Forget the About box once closed (it deletes itself)."""
        self._about_box = None

    def closeEvent(self, event: QCloseEvent) -> None:
        """Close the error dialogs with the window, so the app can quit."""
        self._bridge.close_dialogs()
        super().closeEvent(event)


def _table_item(table: Table) -> QTreeWidgetItem:
    """A tree item for a table, with its fields as children."""
    item = QTreeWidgetItem()
    item.setText(_NAME, table.name)
    item.setText(_TYPE, "table")
    details = [_plural(len(table.fields), "field")]
    if table.primary_key:
        details.append("primary key " + ", ".join(table.primary_key))
    if table.foreign_keys:
        details.append(_plural(len(table.foreign_keys), "foreign key"))
    item.setText(_DETAILS, " · ".join(details))
    if table.description:
        item.setToolTip(_NAME, table.description)
    item.addChildren([_field_item(field, 1) for field in table.fields])
    return item


def _field_item(field: Field, depth: int) -> QTreeWidgetItem:
    """A tree item for a field, with nested properties and array items as children."""
    item = QTreeWidgetItem()
    item.setText(_NAME, field.name)
    type_text = field.sql_type or str(field.type.value)
    if field.nullable:
        type_text += " | null"
    item.setText(_TYPE, type_text)
    item.setText(_KIND, field.kind or "")
    details: list[str] = []
    if not field.required:
        details.append("optional")
    if field.unique:
        details.append("unique")
    constraints = field.constraints.describe()
    if constraints:
        details.append(constraints)
    if field.omit:
        details.append(f"omitted: {field.omit_reason}" if field.omit_reason else "omitted")
    item.setText(_DETAILS, " · ".join(details))
    if field.description:
        item.setToolTip(_NAME, field.description)
    if details:
        item.setToolTip(_DETAILS, "\n".join(details))
    if depth < _MAX_FIELD_DEPTH:
        children = [_field_item(child, depth + 1) for child in field.properties]
        if field.items is not None:
            children.append(_field_item(field.items, depth + 1))
        item.addChildren(children)
    return item
