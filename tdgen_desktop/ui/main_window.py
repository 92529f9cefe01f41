"""The tdgen main window: import, field editing, generation, jobs, preview, status and settings.

Layout: a central tab widget with the *Schema* tab (drop hint, or the schema tree beside the
field editor in a splitter) and the *Preview* tab; dock panes for *Generate* (right), *Jobs* and
*Status* (bottom). Generate queues a job on the :class:`~tdgen_desktop.scheduler.JobScheduler`
and returns at once; the panes follow the scheduler's signals. Every error reaches the user
through the :class:`~tdgen_desktop.ui.message_bridge.MessageBridge`.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QMimeData, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
    QPalette,
    QShowEvent,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tdgen_desktop.core.enums import ApiView, ExportFormat, SourceFormat
from tdgen_desktop.core.errors import TdgenError, UnsupportedFeatureError
from tdgen_desktop.core.model import Dataset, Field
from tdgen_desktop.importers.project import save_project
from tdgen_desktop.scheduler import Job, JobScheduler, JobState, SchedulerStatus
from tdgen_desktop.scheduler.loader import SchemaLoadWorker, read_schema
from tdgen_desktop.services.credentials import CredentialStore
from tdgen_desktop.services.paths import AppPaths
from tdgen_desktop.ui.ai_profiles import AiSupport
from tdgen_desktop.ui.commands import FieldEditCommand
from tdgen_desktop.ui.dialogs import (
    AboutDialog,
    ExportDialog,
    GettingStartedDialog,
    SettingsDialog,
)
from tdgen_desktop.ui.field_editor import FieldEditor
from tdgen_desktop.ui.generation_panel import GenerationPanel, display_path, format_text
from tdgen_desktop.ui.jobs_panel import JobsPanel
from tdgen_desktop.ui.message_bridge import MessageBridge
from tdgen_desktop.ui.preview import PreviewPanel
from tdgen_desktop.ui.samples import SampleService
from tdgen_desktop.ui.schema_tree import SchemaNode, SchemaTree, plural
from tdgen_desktop.ui.settings import Preferences, SettingsStore
from tdgen_desktop.ui.status_panel import StatusPanel, status_line

__all__ = ["DROP_HINT", "SCHEMA_SUFFIXES", "MainWindow", "SchemaLoader", "schema_files"]

_log = logging.getLogger(__name__)

SchemaLoader = Callable[..., Dataset]
"""Reads one schema file: ``load(path)``, or ``load(path, view=…)`` for an OpenAPI view."""

OPENAPI_VIEWS: tuple[tuple[ApiView | None, str, str], ...] = (
    (None, "&Whole objects", "Rows hold every property"),
    (ApiView.REQUEST, "&Request bodies", "Rows leave out readOnly properties (e.g. id)"),
    (ApiView.RESPONSE, "Re&sponses", "Rows leave out writeOnly properties (e.g. password)"),
)
"""The choices of File ▸ OpenAPI Rows For: (view, menu text, tooltip)."""
"""Reads one schema file into a :class:`Dataset`; raises :class:`TdgenError` for bad input."""

DROP_HINT = (
    "Drop a schema file or a folder here (JSON Schema, OpenAPI, SQL DDL) — or File ▸ Open (Ctrl+O)"
)

SCHEMA_SUFFIXES = frozenset(
    {".json", ".yaml", ".yml", ".sql", ".ddl", ".csv", ".tsv", ".jsonl", ".ndjson"}
)
"""File name endings a drop accepts (the importer then detects the exact format)."""

_OPEN_FILTERS = ";;".join(
    (
        "Schema files (*.json *.yaml *.yml *.sql *.ddl *.csv *.tsv *.jsonl *.ndjson)",
        "JSON Schema / OpenAPI (*.json *.yaml *.yml)",
        "SQL DDL (*.sql *.ddl)",
        "All files (*)",
    )
)

_SCHEMA_TAB, _PREVIEW_TAB = 0, 1
_HINT_PAGE, _TREE_PAGE = 0, 1
_DEFAULT_SIZE = (1280, 800)
_STATE_VERSION = 1

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
QLabel#drop_strip, QLabel#ai_hint, QLabel#generation_problem, QLabel#field_editor_empty,
QLabel#preview_empty, QLabel#generator_note {
    color: palette(placeholder-text);
}
QLabel#field_error { color: #e53935; }
QLineEdit[invalid="true"] { border: 1px solid #e53935; border-radius: 3px; padding: 2px; }
QPushButton#generate_button { font-weight: bold; }
"""


def schema_files(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Split dropped paths into schema files to load and paths that are not schemas.

    A folder stands for the schema files directly inside it (sorted by name).
    """
    accepted: list[Path] = []
    rejected: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SCHEMA_SUFFIXES
            )
            (accepted.extend(found) if found else rejected.append(path))
        elif path.suffix.lower() in SCHEMA_SUFFIXES:
            accepted.append(path)
        else:
            rejected.append(path)
    return accepted, rejected


def _example() -> Path:
    """The example schema the empty window offers to load (the button hides when it is missing).

    Looked up in the source tree's ``resources/examples``.
    """
    return Path(__file__).resolve().parents[2] / "resources" / "examples" / "order.schema.json"


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


def _snapshot(dataset: Dataset) -> Dataset:
    """A copy of ``dataset`` for a job, so later edits in the window do not race its thread.

    The immutable parts (the reference registry, the source schemas) are shared, not copied.
    """
    memo: dict[int, Any] = {id(dataset.registry): dataset.registry}
    for table in dataset.tables:
        memo[id(table.schema)] = table.schema
    return copy.deepcopy(dataset, memo)


def _ask(parent: QWidget, title: str, question: str) -> bool:
    """Ask a yes/no question whose safe answer, No, is the default (True: yes)."""
    answer = QMessageBox.question(
        parent,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def _ask_to_cancel_jobs(parent: QWidget, count: int) -> bool:
    """Ask whether to cancel ``count`` unfinished jobs and close (True: yes)."""
    return _ask(
        parent,
        "Jobs are running",
        f"{plural(count, 'job')} not finished. Cancel and close? "
        "Their temporary files are removed; no partial output is left.",
    )


def _ask_to_read_again(parent: QWidget, count: int) -> bool:
    """Ask whether to read ``count`` OpenAPI descriptions again, dropping field edits."""
    return _ask(
        parent,
        "Read again",
        f"Read {plural(count, 'OpenAPI description')} again for the new view? Field edits "
        "made since they were opened are dropped.",
    )


class MainWindow(QMainWindow):
    """The tdgen main window.

    Signals:
        dataset_loaded(object): a :class:`Dataset` was loaded from a file.
        job_submitted(str): Generate or Export again queued a job (its id).

    Args:
        bridge: shows errors and status-bar notices.
        load_schema: reads one schema file (``tdgen_desktop.importers.load_schema``).
        paths: the app's folders.
        scheduler: runs the jobs; the window makes (and shuts down) its own when None.
        settings: where preferences and the window state persist; nothing persists when None.
        ai: AI profiles' keys, sessions and connection tests; the window makes (and closes) its
            own, with the system keyring and a private event loop, when None.
        parent: the parent widget, normally None.

    Attributes:
        confirm_close: asked with the number of unfinished jobs when the window closes; True
            cancels them and closes (tests replace it).
        confirm_read_again: asked with the number of OpenAPI descriptions to read again for a
            new view while there are field edits; True drops the edits (tests replace it).
    """

    dataset_loaded = Signal(object)
    job_submitted = Signal(str)
    load_finished = Signal(object)

    def __init__(
        self,
        bridge: MessageBridge,
        load_schema: SchemaLoader,
        paths: AppPaths | None = None,
        *,
        scheduler: JobScheduler | None = None,
        settings: SettingsStore | None = None,
        ai: AiSupport | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._load_schema = load_schema
        self._openapi_view: ApiView | None = None
        self._paths = paths or AppPaths.default()
        self._settings = settings
        self._prefs = settings.load() if settings is not None else Preferences()
        self._owns_scheduler = scheduler is None
        self._scheduler = scheduler or JobScheduler(
            self._paths, workers=self._prefs.worker_count, parent=self
        )
        self._owns_ai = ai is None
        self._ai = ai or AiSupport(CredentialStore(), self._paths.cache_dir / "ai", parent=self)
        self._datasets: dict[Path, Dataset] = {}
        self._last_dir: Path = Path.home()
        self._dialogs: dict[str, QDialog] = {}
        self._status_before_drag = ""
        self.confirm_close: Callable[[int], bool] = lambda n: _ask_to_cancel_jobs(self, n)
        self.confirm_read_again: Callable[[int], bool] = lambda n: _ask_to_read_again(self, n)

        self.setObjectName("main_window")
        self.setWindowTitle("tdgen")
        self.setAccessibleName("tdgen main window")
        self.resize(*_DEFAULT_SIZE)
        self.setMinimumSize(800, 520)
        self.setAcceptDrops(True)
        self.setStyleSheet(_STYLE)
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks
        )

        self._undo = QUndoStack(self)
        self._undo.setObjectName("undo_stack")
        self._samples = SampleService(self)
        self._samples.setObjectName("sample_service")

        self._build_central()
        self._build_docks()
        self._build_actions()
        self._build_menus()
        self._build_status_bar()
        self._build_loading()
        self._wire()
        self._restore_state()
        self._update_ai_choice()
        self._field_editor.set_sampling(self._generation.locale_name, self._generation.seed)
        status = self._scheduler.status()
        self.on_scheduler_status_changed(status)
        self._status_panel.on_scheduler_status_changed(status)

    # ------------------------------------------------------------------ construction

    def _build_central(self) -> None:
        self._schema_stack = QStackedWidget()
        self._schema_stack.setObjectName("schema_stack")
        self._schema_stack.setAccessibleName("Schemas")
        self._schema_stack.addWidget(self._build_hint_page())
        self._schema_stack.addWidget(self._build_schema_splitter())
        schema_tab = QWidget()
        schema_layout = QVBoxLayout(schema_tab)
        schema_layout.setContentsMargins(6, 6, 6, 6)
        schema_layout.addWidget(self._schema_stack)

        self._preview = PreviewPanel()
        self._tabs = QTabWidget()
        self._tabs.setObjectName("central_tabs")
        self._tabs.setDocumentMode(True)
        self._tabs.setAccessibleName("Schema and preview")
        self._tabs.addTab(schema_tab, "&Schema")
        self._tabs.addTab(self._preview, "&Preview")
        self._tabs.setTabToolTip(_SCHEMA_TAB, "Loaded schemas and the field editor (Ctrl+1)")
        self._tabs.setTabToolTip(_PREVIEW_TAB, "Rows of the selected finished job (Ctrl+2)")
        self.setCentralWidget(self._tabs)

    def _build_hint_page(self) -> QWidget:
        self._hint = QLabel(DROP_HINT.replace(" — or ", "\n— or "))  # two balanced lines
        self._hint.setObjectName("drop_hint")
        self._hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._hint.setWordWrap(True)
        self._hint.setToolTip("Drag schema files or a folder from your file manager and drop them")
        self._hint.setAccessibleName("Drop area")
        self._hint.setAccessibleDescription(DROP_HINT)
        self._open_button = QPushButton("&Open schema…")
        self._open_button.setObjectName("open_button")
        self._open_button.setToolTip("Choose schema files to load (Ctrl+O)")
        self._example_button = QPushButton("Load the e&xample")
        self._example_button.setObjectName("example_button")
        self._example_button.setToolTip("Load a small order schema to try tdgen")
        self._example_button.setVisible(_example().is_file())
        self._guide_button = QPushButton("Getting started")
        self._guide_button.setObjectName("guide_button")
        self._guide_button.setToolTip("A short guide: load, check, generate, preview (F1)")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self._open_button, self._example_button, self._guide_button):
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
            buttons.addWidget(button)
        buttons.addStretch(1)
        hint_page = QWidget()
        hint_layout = QVBoxLayout(hint_page)
        hint_layout.setContentsMargins(48, 40, 48, 40)
        hint_layout.addWidget(self._hint, 1)
        hint_layout.addSpacing(12)
        hint_layout.addLayout(buttons)
        return hint_page

    def _build_schema_splitter(self) -> QSplitter:
        self._tree = SchemaTree()
        self._strip = QLabel("Drop more files to add them — dropping a loaded file reloads it")
        self._strip.setObjectName("drop_strip")
        self._strip.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._strip.setToolTip("Dropping a file that is already loaded reloads it")
        self._strip.setAccessibleName("Drop hint")
        tree_page = QWidget()
        tree_layout = QVBoxLayout(tree_page)
        tree_layout.setContentsMargins(0, 0, 0, 0)
        tree_layout.addWidget(self._tree, 1)
        tree_layout.addWidget(self._strip)

        self._field_editor = FieldEditor(self._samples)
        editor_scroll = QScrollArea()
        editor_scroll.setObjectName("field_editor_scroll")
        editor_scroll.setWidgetResizable(True)
        editor_scroll.setWidget(self._field_editor)
        editor_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        editor_scroll.setMinimumWidth(290)
        editor_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self._schema_splitter = QSplitter(Qt.Orientation.Horizontal)
        self._schema_splitter.setObjectName("schema_splitter")
        self._schema_splitter.addWidget(tree_page)
        self._schema_splitter.addWidget(editor_scroll)
        self._schema_splitter.setStretchFactor(0, 3)
        self._schema_splitter.setStretchFactor(1, 2)
        self._schema_splitter.setChildrenCollapsible(False)
        self._schema_splitter.setSizes([620, 310])
        return self._schema_splitter

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setAccessibleName(title.replace("&", ""))
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        return dock

    def _build_docks(self) -> None:
        self._generation = GenerationPanel(self._prefs)
        generation_scroll = QScrollArea()
        generation_scroll.setObjectName("generation_scroll")
        generation_scroll.setWidgetResizable(True)
        generation_scroll.setWidget(self._generation)
        generation_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        generation_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        generation_scroll.setMinimumWidth(self._generation.minimumSizeHint().width() + 8)
        self._generation_dock = self._dock("Generate", "generation_dock", generation_scroll)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self._generation_dock)

        self._jobs = JobsPanel(self._scheduler)
        self._jobs_dock = self._dock("Jobs", "jobs_dock", self._jobs)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self._jobs_dock)

        self._status_panel = StatusPanel()
        self._status_dock = self._dock("Status", "status_dock", self._status_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self._status_dock)
        self.splitDockWidget(self._generation_dock, self._status_dock, Qt.Orientation.Vertical)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self._docks_sized = False

    def _size_docks(self) -> None:
        """Give the docks their first sizes (once shown; a restored state has its own)."""
        self._docks_sized = True
        self.resizeDocks([self._generation_dock], [335], Qt.Orientation.Horizontal)
        self.resizeDocks(
            [self._generation_dock, self._status_dock],
            [self.height() - 220, 180],
            Qt.Orientation.Vertical,
        )
        self.resizeDocks([self._jobs_dock], [210], Qt.Orientation.Vertical)

    def showEvent(self, event: QShowEvent) -> None:
        """Size the docks the first time the window is shown, unless a saved state did."""
        super().showEvent(event)
        if not self._docks_sized:
            self._size_docks()

    def event(self, event: QEvent) -> bool:
        """Follow a change of the system palette (light ↔ dark) while the window is open.

        Widgets under a style sheet keep the palette they were polished with (the style sheet
        resolves ``palette(...)`` once), so without a new polish the panes would stay in the old
        theme while only the window's background changed. Setting the sheet again repolishes
        the window and everything in it.
        """
        handled = super().event(event)
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            self.setStyleSheet("")
            self.setStyleSheet(_STYLE)
        return handled

    def _action(
        self,
        text: str,
        name: str,
        tip: str,
        slot: Callable[[], None],
        shortcut: QKeySequence | str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self._open_action = self._action(
            "&Open…",
            "open_action",
            "Open schema files (Ctrl+O)",
            self.on_open_action_triggered,
            QKeySequence(QKeySequence.StandardKey.Open),
        )
        self._save_project_action = self._action(
            "&Save Project…",
            "save_project_action",
            "Save the schema, your field edits and the generation options as a .tdgen.json "
            "project (Ctrl+S)",
            self.on_save_project_action_triggered,
            QKeySequence(QKeySequence.StandardKey.Save),
        )
        self._settings_action = self._action(
            "&Settings…",
            "settings_action",
            "Workers, default priority, locale, format and folder (Ctrl+,)",
            self.on_settings_action_triggered,
            "Ctrl+,",
        )
        self._settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self._quit_action = self._action(
            "&Quit",
            "quit_action",
            "Close the window and quit tdgen (Ctrl+Q)",
            self.on_quit_action_triggered,
            "Ctrl+Q",
        )
        self._quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        self._undo_action = self._undo.createUndoAction(self, "&Undo")
        self._undo_action.setObjectName("undo_action")
        self._undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self._undo_action.setToolTip("Undo the last field edit (Ctrl+Z)")
        self._redo_action = self._undo.createRedoAction(self, "&Redo")
        self._redo_action.setObjectName("redo_action")
        self._redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self._redo_action.setToolTip("Redo the field edit undone last (Ctrl+Shift+Z)")
        self.addAction(self._undo_action)
        self.addAction(self._redo_action)

        self._generate_action = self._action(
            "&Generate",
            "generate_action",
            "Queue a generation job for the current schema (Ctrl+Enter)",
            self.on_generate_action_triggered,
        )
        self._generate_action.setShortcuts(
            [QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")]
        )
        self._cancel_all_action = self._action(
            "Cancel &all jobs",
            "cancel_all_action",
            "Empty the queue and stop every running job",
            self.on_cancel_all_action_triggered,
        )

        self._schema_tab_action = self._action(
            "&Schema",
            "schema_tab_action",
            "Show the schema tree and field editor (Ctrl+1)",
            self.on_schema_tab_action_triggered,
            "Ctrl+1",
        )
        self._preview_tab_action = self._action(
            "&Preview",
            "preview_tab_action",
            "Show the preview of the selected job (Ctrl+2)",
            self.on_preview_tab_action_triggered,
            "Ctrl+2",
        )
        self._focus_jobs_action = self._action(
            "&Jobs list",
            "focus_jobs_action",
            "Move the keyboard focus to the jobs (Ctrl+J)",
            self.on_focus_jobs_action_triggered,
            "Ctrl+J",
        )
        self._focus_generation_action = self._action(
            "&Generation options",
            "focus_generation_action",
            "Move the keyboard focus to the generation options (Ctrl+G)",
            self.on_focus_generation_action_triggered,
            "Ctrl+G",
        )
        self._focus_tree_action = self._action(
            "Schema &tree",
            "focus_tree_action",
            "Move the keyboard focus to the schema tree (Ctrl+T)",
            self.on_focus_tree_action_triggered,
            "Ctrl+T",
        )
        self._guide_action = self._action(
            "&Getting started",
            "guide_action",
            "A short guide to tdgen (F1)",
            self.on_guide_action_triggered,
            QKeySequence(QKeySequence.StandardKey.HelpContents),
        )
        self._about_action = self._action(
            "&About tdgen",
            "about_action",
            "The version of tdgen and of the components it bundles",
            self.on_about_action_triggered,
        )
        self._about_action.setMenuRole(QAction.MenuRole.AboutRole)

        # The job actions live in the jobs panel; most work from anywhere in the window.
        for action in (
            self._jobs.retry_action,
            self._jobs.export_action,
            self._jobs.open_folder_action,
        ):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self._jobs.export_action.setShortcut(QKeySequence("Ctrl+E"))

    def _build_menus(self) -> None:
        bar = self.menuBar()
        bar.setAccessibleName("Menu bar")

        file_menu = bar.addMenu("&File")
        file_menu.setObjectName("file_menu")
        file_menu.setAccessibleName("File menu")
        file_menu.setToolTipsVisible(True)
        file_menu.addAction(self._open_action)
        self._recent_menu = QMenu("Open &Recent", self)
        self._recent_menu.setObjectName("recent_menu")
        self._recent_menu.setToolTipsVisible(True)
        self._recent_menu.aboutToShow.connect(self.on_recent_menu_about_to_show)
        file_menu.addMenu(self._recent_menu)
        file_menu.addMenu(self._build_openapi_menu())
        file_menu.addAction(self._save_project_action)
        file_menu.addSeparator()
        file_menu.addAction(self._settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self._quit_action)
        self._fill_recent_menu()

        edit_menu = bar.addMenu("&Edit")
        edit_menu.setObjectName("edit_menu")
        edit_menu.setAccessibleName("Edit menu")
        edit_menu.addAction(self._undo_action)
        edit_menu.addAction(self._redo_action)

        jobs_menu = bar.addMenu("&Jobs")
        jobs_menu.setObjectName("jobs_menu")
        jobs_menu.setAccessibleName("Jobs menu")
        jobs_menu.setToolTipsVisible(True)
        jobs_menu.addAction(self._generate_action)
        jobs_menu.addSeparator()
        jobs = self._jobs
        for action in (jobs.cancel_action, jobs.retry_action):
            jobs_menu.addAction(action)
        jobs_menu.addMenu(jobs.priority_menu)
        for action in (jobs.export_action, jobs.open_folder_action):
            jobs_menu.addAction(action)
        jobs_menu.addSeparator()
        jobs_menu.addAction(self._cancel_all_action)
        jobs_menu.addAction(jobs.clear_action)

        self._build_view_menu()

        help_menu = bar.addMenu("&Help")
        help_menu.setObjectName("help_menu")
        help_menu.setAccessibleName("Help menu")
        help_menu.setToolTipsVisible(True)
        help_menu.addAction(self._guide_action)
        help_menu.addAction(self._about_action)

    def _build_view_menu(self) -> None:
        view_menu = self.menuBar().addMenu("&View")
        view_menu.setObjectName("view_menu")
        view_menu.setAccessibleName("View menu")
        for action in (
            self._schema_tab_action,
            self._preview_tab_action,
            self._focus_tree_action,
            self._focus_generation_action,
            self._focus_jobs_action,
        ):
            view_menu.addAction(action)
        view_menu.addSeparator()
        for dock in (self._generation_dock, self._jobs_dock, self._status_dock):
            toggle = dock.toggleViewAction()
            toggle.setObjectName(f"{dock.objectName()}_toggle")
            toggle.setText(f"{dock.windowTitle()} pane")
            toggle.setToolTip(f"Show or hide the {dock.windowTitle()} pane")
            view_menu.addAction(toggle)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        status.setObjectName("status_bar")
        status.setAccessibleName("Status")
        status.setToolTip("Messages about the last action")
        self._scheduler_label = QLabel()
        self._scheduler_label.setObjectName("scheduler_summary")
        self._scheduler_label.setToolTip("Workers busy, jobs queued and the current throughput")
        self._scheduler_label.setAccessibleName("Scheduler summary")
        status.addPermanentWidget(self._scheduler_label)
        status.showMessage("Ready")

        export_button = QToolButton()
        export_button.setDefaultAction(self._jobs.export_action)
        export_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        export_button.setAccessibleName("Export again")
        self._preview.add_action_button(export_button)

    def _build_openapi_menu(self) -> QMenu:
        """File ▸ OpenAPI Rows For: whole objects, request bodies or responses."""
        menu = QMenu("OpenAPI Rows &For", self)
        menu.setObjectName("openapi_view_menu")
        menu.setToolTipsVisible(True)
        menu.setToolTip("Which properties of an OpenAPI component a row holds")
        group = QActionGroup(menu)
        group.setExclusive(True)
        for view, text, tip in OPENAPI_VIEWS:
            action = menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(view is None)
            action.setData(view.value if view is not None else "")
            action.setToolTip(tip)
            action.setObjectName(f"openapi_view_{view.value if view else 'whole'}")
            group.addAction(action)
        group.triggered.connect(self.on_openapi_view_triggered)
        return menu

    def _read_schema(self, path: Path) -> Dataset:
        """Read one schema file with the OpenAPI view chosen (runs on the loader's thread)."""
        view = self._openapi_view
        return self._load_schema(path) if view is None else self._load_schema(path, view=view)

    @property
    def openapi_view(self) -> ApiView | None:
        """The OpenAPI view new files are read with (None: whole objects)."""
        return self._openapi_view

    def set_openapi_view(self, view: ApiView | None) -> None:
        """Read OpenAPI files for ``view`` from now on; the loaded ones are read again (after
        :attr:`confirm_read_again` says yes, when there are field edits to drop)."""
        again = [d.source for d in self.datasets if d.format is SourceFormat.OPENAPI]
        if view != self._openapi_view and not (
            again and self._undo.count() and not self.confirm_read_again(len(again))
        ):
            self._openapi_view = view
            if again:
                self.load_paths(again)
        for action in self.findChildren(QAction):  # also puts the check back on a "no"
            if action.objectName().startswith("openapi_view_"):
                chosen = self._openapi_view
                action.setChecked(action.data() == (chosen.value if chosen is not None else ""))

    def _build_loading(self) -> None:
        """Schema files are read on a worker; a busy bar in the status bar says so."""
        self._loader = SchemaLoadWorker(self._read_schema, self)
        self._loader.setObjectName("schema_loader")
        self._loader.batch_loaded.connect(self.on_loader_batch_loaded)
        self._loader.busy_changed.connect(self.on_loader_busy_changed)
        self._loading_bar = QProgressBar()
        self._loading_bar.setObjectName("loading_bar")
        self._loading_bar.setRange(0, 0)  # busy: no percentage
        self._loading_bar.setMaximumWidth(120)
        self._loading_bar.setMaximumHeight(14)
        self._loading_bar.setTextVisible(False)
        self._loading_bar.setAccessibleName("Loading schema files")
        self._loading_bar.setToolTip("Reading schema files; the window stays usable")
        self._loading_bar.hide()
        self.statusBar().insertPermanentWidget(0, self._loading_bar)
        self._loading: dict[int, list[Path]] = {}
        self._status_before_load = ""

    def _wire(self) -> None:
        self._bridge.message_posted.connect(self.on_bridge_message_posted)
        self._tree.node_selected.connect(self.on_tree_node_selected)
        self._field_editor.edit_requested.connect(self.on_field_editor_edit_requested)
        self._generation.generate_requested.connect(self.on_generation_generate_requested)
        self._generation.sampling_changed.connect(self.on_generation_sampling_changed)
        self._jobs.job_selected.connect(self.on_jobs_job_selected)
        self._jobs.job_activated.connect(self.on_jobs_job_activated)
        self._jobs.export_requested.connect(self.on_jobs_export_requested)
        self._preview.preview_failed.connect(self.on_preview_preview_failed)
        scheduler = self._scheduler
        scheduler.status_changed.connect(self._status_panel.on_scheduler_status_changed)
        scheduler.status_changed.connect(self.on_scheduler_status_changed)
        scheduler.job_finished.connect(self.on_scheduler_job_finished)
        scheduler.job_failed.connect(self.on_scheduler_job_failed)
        scheduler.job_cancelled.connect(self.on_scheduler_job_cancelled)
        self._open_button.clicked.connect(self._open_action.trigger)
        self._example_button.clicked.connect(self.on_example_button_clicked)
        self._guide_button.clicked.connect(self._guide_action.trigger)

    # ------------------------------------------------------------------ state

    def _restore_state(self) -> None:
        store = self._settings
        if store is None:
            return
        geometry = store.byte_array("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = store.byte_array("state")
        if state is not None and self.restoreState(state, _STATE_VERSION):
            self._docks_sized = True
        for key, splitter in (
            ("schema_splitter", self._schema_splitter),
            ("preview_splitter", self._preview.splitter),
        ):
            saved = store.byte_array(key)
            if saved is not None:
                splitter.restoreState(saved)

    def _save_state(self) -> None:
        store = self._settings
        if store is None:
            return
        store.set_byte_array("geometry", self.saveGeometry())
        store.set_byte_array("state", self.saveState(_STATE_VERSION))
        store.set_byte_array("schema_splitter", self._schema_splitter.saveState())
        store.set_byte_array("preview_splitter", self._preview.splitter.saveState())
        store.sync()

    # ------------------------------------------------------------------ public API

    @property
    def bridge(self) -> MessageBridge:
        """The bridge this window reports errors and notices through."""
        return self._bridge

    @property
    def scheduler(self) -> JobScheduler:
        """The job scheduler."""
        return self._scheduler

    @property
    def preferences(self) -> Preferences:
        """The preferences in effect."""
        return self._prefs

    @property
    def datasets(self) -> tuple[Dataset, ...]:
        """The datasets loaded so far, in load order."""
        return tuple(self._datasets.values())

    @property
    def undo_stack(self) -> QUndoStack:
        """The undo stack of field edits."""
        return self._undo

    @property
    def schema_tree(self) -> SchemaTree:
        """The schema tree."""
        return self._tree

    @property
    def field_editor(self) -> FieldEditor:
        """The field editor."""
        return self._field_editor

    @property
    def generation_panel(self) -> GenerationPanel:
        """The generation options."""
        return self._generation

    @property
    def jobs_panel(self) -> JobsPanel:
        """The jobs list."""
        return self._jobs

    @property
    def preview(self) -> PreviewPanel:
        """The preview."""
        return self._preview

    @property
    def status_panel(self) -> StatusPanel:
        """The scheduler status."""
        return self._status_panel

    @property
    def tabs(self) -> QTabWidget:
        """The Schema / Preview tabs."""
        return self._tabs

    @property
    def sample_service(self) -> SampleService:
        """Makes the field editor's sample values."""
        return self._samples

    def load_paths(self, paths: Iterable[Path]) -> int | None:
        """Read schema files (a folder stands for its schema files) on a worker; never blocks.

        Each file shows when the batch is read (``dataset_loaded`` per file, ``load_finished``
        with the loaded datasets at the end); errors go to one dialog through the bridge, and
        what was loaded before stays.

        Returns:
            The batch number, or None when there was nothing to read (the reason is shown).
        """
        given = [Path(p) for p in paths]
        files = []
        for path in given:
            files.extend(schema_files([path])[0] if path.is_dir() else [path])
        if not files:
            folders = [p for p in given if p.is_dir()]
            if folders:
                error = TdgenError("no schema files in this folder", file=folders[0])
                self._report_load_errors([error], 0)
            self.load_finished.emit([])
            return None
        if not self._loader.busy:
            self._status_before_load = self.statusBar().currentMessage()
        batch = self._loader.load(files)
        self._loading[batch] = files
        names = ", ".join(p.name for p in files[:3]) + (" …" if len(files) > 3 else "")
        self._bridge.notify(f"Loading {names} …")
        return batch

    @property
    def loading(self) -> bool:
        """Whether schema files are being read."""
        return self._loader.busy

    def open_paths(self, paths: Iterable[Path]) -> list[Dataset]:
        """Load schema files now, on this thread (scripts, tests); see :meth:`load_paths`.

        Errors go to one dialog through the bridge; what was loaded before stays.

        Returns:
            The datasets that loaded, in order.
        """
        given = [Path(p) for p in paths]
        files = []
        for path in given:
            files.extend(schema_files([path])[0] if path.is_dir() else [path])
        folders = [p for p in given if p.is_dir()]
        loaded: list[Dataset] = []
        errors: list[Exception] = []
        with _wait_cursor():
            for path in files:
                result = self._load(path)
                if isinstance(result, Dataset):
                    loaded.append(result)
                else:
                    errors.append(result)
        if not files and folders:
            errors.append(TdgenError("no schema files in this folder", file=folders[0]))
        self._report_load_errors(errors, len(files))
        return loaded

    def generate(self) -> str | None:
        """Queue a job for the current schema with the panel's options (never blocks).

        Returns:
            The job id, or None when nothing could be queued (the reason is shown).
        """
        panel = self._generation
        dataset = panel.dataset
        if dataset is None:
            self._bridge.notify("Load a schema first: drop a file or press Ctrl+O")
            return None
        if not panel.can_generate():
            self._bridge.notify("Generate is not available: see the generation panel")
            return None
        try:
            request = self._ai.attach(panel.build_request(), self._prefs)
        except TdgenError as error:
            self._bridge.show_error(error, self)
            return None
        job_id = self._scheduler.submit(request, panel.priority, dataset=_snapshot(dataset))
        kinds = ", ".join(k.value for k in request.cases)
        self._bridge.notify(
            f"Queued {job_id}: {dataset.source.name}, {request.rows:,} rows per table, {kinds}, "
            f"{format_text(request.format)} → {display_path(request.out_dir)}"
        )
        self.job_submitted.emit(job_id)
        return job_id

    def export_again(self, job_id: str, fmt: ExportFormat, folder: Path) -> str | None:
        """Queue a finished job again with another format and folder: a replay of the job from
        its kept snapshot, seed and AI answers (no request), so the rows are the same; each
        format gets the case rows it can carry.

        Returns:
            The new job's id, or None when the job cannot be exported again.
        """
        try:
            job = self._scheduler.job(job_id)
        except KeyError:
            return None
        if job.state is not JobState.DONE:
            self._bridge.notify(
                f"{job_id} is {job.state.value}: only finished jobs can be exported"
            )
            return None
        ai = job.result.ai if job.result is not None else None
        request = dataclasses.replace(
            job.request,
            format=fmt,
            out_dir=folder,
            ai_answers=ai.answers if ai is not None and not ai.fallbacks else None,
            ai_model=ai.model if ai is not None else "",
        )
        new_id = self._scheduler.submit(request, job.priority, dataset=job.dataset)
        self._bridge.notify(
            f"Queued {new_id}: {job_id} again as {format_text(fmt)} → {display_path(folder)}"
        )
        self.job_submitted.emit(new_id)
        return new_id

    def open_settings(self) -> SettingsDialog:
        """Open (or raise) the settings dialog and return it."""
        dialog = self._dialogs.get("settings")
        if isinstance(dialog, SettingsDialog):
            dialog.raise_()
            return dialog
        dialog = SettingsDialog(self._prefs, self._ai, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.preferences_accepted.connect(self.on_settings_dialog_preferences_accepted)
        self._keep_dialog("settings", dialog)
        dialog.open()
        return dialog

    def apply_preferences(self, prefs: Preferences) -> None:
        """Use and save ``prefs``: worker count, generation defaults."""
        self._prefs = prefs
        if self._settings is not None:
            self._settings.save(prefs)
        if self._scheduler.worker_count != prefs.worker_count:
            self._scheduler.set_worker_count(prefs.worker_count)
        self._generation.apply_preferences(prefs)
        self._update_ai_choice()
        self._bridge.notify("Settings saved")

    def _update_ai_choice(self) -> None:
        """Offer AI and hybrid when the profile in effect is usable; else say what to set up."""
        problem = self._ai.readiness(self._prefs)
        self._generation.set_ai_available(not problem, problem)

    @property
    def ai(self) -> AiSupport:
        """AI profiles' keys, sessions and connection tests."""
        return self._ai

    def show_about(self) -> AboutDialog:
        """Open (or raise) the About dialog and return it."""
        return self._show_dialog("about", AboutDialog)

    def show_getting_started(self) -> GettingStartedDialog:
        """Open (or raise) the Getting started guide and return it."""
        return self._show_dialog("guide", GettingStartedDialog)

    # ------------------------------------------------------------------ dialogs

    def _show_dialog[D: (AboutDialog, GettingStartedDialog)](self, key: str, kind: type[D]) -> D:
        dialog = self._dialogs.get(key)
        if isinstance(dialog, kind):
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        created = kind(self)
        created.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._keep_dialog(key, created)
        created.open()
        return created

    def _keep_dialog(self, key: str, dialog: QDialog) -> None:
        self._dialogs[key] = dialog
        dialog.finished.connect(self.on_dialog_finished)

    # ------------------------------------------------------------------ loading

    def _load(self, path: Path) -> Dataset | Exception:
        """Load one file; on failure return the error and leave the window as it was."""
        dataset = read_schema(self._load_schema, path)
        return self._show_loaded(path, dataset) if isinstance(dataset, Dataset) else dataset

    def _show_loaded(self, path: Path, dataset: Dataset) -> Dataset:
        """Show a dataset read from ``path`` (it replaces an earlier load of the same file)."""
        key = path.resolve()
        replacing = key in self._datasets
        self._datasets[key] = dataset
        if replacing:
            self._undo.clear()  # its commands point at the fields of the old load
        self._tree.show_dataset(key, dataset)
        self._schema_stack.setCurrentIndex(_TREE_PAGE)
        self._tabs.setCurrentIndex(_SCHEMA_TAB)
        self._last_dir = key.parent
        if self._settings is not None:
            self._settings.add_recent(key)
            self._fill_recent_menu()
        self._generation.set_dataset(dataset)
        if dataset.project_settings is not None:  # a project: its saved generation options
            self._generation.apply_project_settings(dataset.project_settings)
        self.setWindowTitle(f"tdgen — {key.name}")
        self._bridge.notify(f"Loaded {path.name}: {plural(len(dataset.tables), 'table')}")
        self.dataset_loaded.emit(dataset)
        return dataset

    def _report_load_errors(self, errors: list[Exception], attempted: int) -> None:
        if not errors:
            return
        if len(errors) == 1:
            self._bridge.show_error(errors[0], self)
            return
        lines = []
        for error in errors:
            text = (
                error.message
                if isinstance(error, TdgenError)
                else f"{type(error).__name__}: {error}"
            )
            lines.append(text)
        summary = TdgenError(
            f"{len(errors)} of {attempted} files could not be loaded; the others were. "
            f"First: {lines[0]}",
            details="\n".join(lines),
        )
        self._bridge.show_error(summary, self)

    def _fill_recent_menu(self) -> None:
        menu = self._recent_menu
        menu.clear()
        recent = self._settings.recent_files() if self._settings is not None else []
        for number, path in enumerate(recent, start=1):
            prefix = f"&{number} " if number < 10 else ""
            action = menu.addAction(f"{prefix}{path.name}")
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.setData(str(path))
            action.triggered.connect(self.on_recent_action_triggered)
        if recent:
            menu.addSeparator()
        clear = menu.addAction("&Clear list")
        clear.setObjectName("clear_recent_action")
        clear.setEnabled(bool(recent))
        clear.triggered.connect(self.on_clear_recent_action_triggered)
        menu.setEnabled(self._settings is not None)

    def recent_actions(self) -> list[QAction]:
        """The File ▸ Open Recent entries (tests)."""
        return [a for a in self._recent_menu.actions() if a.data()]

    # ------------------------------------------------------------------ drag and drop

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept a drag of local schema files or folders; say what would be loaded."""
        accepted, rejected = schema_files(_local_files(event.mimeData()))
        self._status_before_drag = self.statusBar().currentMessage()
        if accepted:
            event.acceptProposedAction()
            self._set_dragging(True)
            note = f"Drop to load {plural(len(accepted), 'schema file')}"
            if rejected:
                note += f" ({plural(len(rejected), 'other file')} ignored)"
            self.statusBar().showMessage(note)
        else:
            event.ignore()
            if rejected:
                names = ", ".join(p.name for p in rejected[:3])
                self.statusBar().showMessage(f"Not a schema file: {names}")

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        """Keep accepting a drag of schema files while it moves."""
        if schema_files(_local_files(event.mimeData()))[0]:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        """Drop the highlight when the drag leaves."""
        self._set_dragging(False)
        self.statusBar().showMessage(self._status_before_drag)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        """Load the dropped files once the drop has returned to the source application."""
        self._set_dragging(False)
        self.statusBar().showMessage(self._status_before_drag)
        paths = _local_files(event.mimeData())
        accepted, _rejected = schema_files(paths)
        if not accepted:
            event.ignore()
            return
        event.acceptProposedAction()
        QTimer.singleShot(0, self, lambda: self.load_paths(accepted))

    def _set_dragging(self, dragging: bool) -> None:
        """Highlight the drop target while a drag of files is over the window."""
        for widget in (self._hint, self._tree):
            widget.setProperty("dragging", dragging)
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    # ------------------------------------------------------------------ closing

    def unfinished_jobs(self) -> list[Job]:
        """Jobs queued, running or cancelling."""
        return [j for j in self._scheduler.jobs() if not j.is_final]

    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask before cancelling unfinished jobs; save the window state; stop the workers."""
        unfinished = self.unfinished_jobs()
        if unfinished and not self.confirm_close(len(unfinished)):
            event.ignore()
            return
        if unfinished:
            self._scheduler.cancel_all()
        self._save_state()
        self._samples.shutdown()
        self._loader.shutdown()
        if self._owns_scheduler:
            self._scheduler.shutdown()
        if self._owns_ai:
            self._ai.close()
        self._bridge.close_dialogs()
        for dialog in list(self._dialogs.values()):
            dialog.close()
        super().closeEvent(event)

    # ------------------------------------------------------------------ slots: loading

    @Slot(int, object)
    def on_loader_batch_loaded(self, batch: int, outcome: object) -> None:
        """Show what a batch read; report what it could not."""
        files = self._loading.pop(batch, [])
        loaded: list[Dataset] = []
        errors: list[Exception] = []
        for path, result in outcome if isinstance(outcome, list) else []:
            if isinstance(result, Dataset):
                loaded.append(self._show_loaded(path, result))
            elif isinstance(result, Exception):
                errors.append(result)
        if not loaded and not self._loader.busy and self._status_before_load:
            self._bridge.notify(self._status_before_load)  # nothing new: the old note stands
        self._report_load_errors(errors, len(files))
        self.load_finished.emit(loaded)

    @Slot(QAction)
    def on_openapi_view_triggered(self, action: QAction) -> None:
        """Read OpenAPI files for the view chosen in File ▸ OpenAPI Rows For."""
        data = action.data()
        self.set_openapi_view(ApiView(data) if data else None)

    @Slot(bool)
    def on_loader_busy_changed(self, busy: bool) -> None:
        """Show the busy bar while files are read."""
        self._loading_bar.setVisible(busy)

    # ------------------------------------------------------------------ slots: bridge, tree

    @Slot(str)
    def on_bridge_message_posted(self, text: str) -> None:
        """Show a notice in the status bar."""
        self.statusBar().showMessage(text)

    @Slot(object)
    def on_tree_node_selected(self, node: object) -> None:
        """Show the selected field in the editor; generate for the selected file."""
        chosen = node if isinstance(node, SchemaNode) else None
        self._field_editor.show_node(chosen)
        if chosen is not None and chosen.dataset is not self._generation.dataset:
            self._generation.set_dataset(chosen.dataset)
            self.setWindowTitle(f"tdgen — {chosen.key.name}")

    @Slot(object, str, str, object)
    def on_field_editor_edit_requested(
        self, field: object, path: str, attribute: str, value: object
    ) -> None:
        """Apply a field edit as an undoable command."""
        if isinstance(field, Field):
            self._undo.push(FieldEditCommand(field, path, attribute, value, self._field_changed))

    def _field_changed(self, field: Field) -> None:
        self._tree.refresh_field(field)
        node = self._field_editor.node
        if node is not None and node.field is field:
            self._field_editor.refresh()

    # ------------------------------------------------------------------ slots: generation, jobs

    @Slot()
    def on_generation_generate_requested(self) -> None:
        """Queue a job."""
        self.generate()

    @Slot(str, int)
    def on_generation_sampling_changed(self, locale: str, seed: int) -> None:
        """Make the editor's samples with the new locale and seed."""
        self._field_editor.set_sampling(locale, seed)

    @Slot(str)
    def on_jobs_job_selected(self, job_id: str) -> None:
        """Preview the selected job if it has finished."""
        job = self._job(job_id)
        if job is not None and job is not self._preview.job:
            self._preview.show_job(job)

    @Slot(str)
    def on_jobs_job_activated(self, job_id: str) -> None:
        """Show the activated job in the Preview tab."""
        job = self._job(job_id)
        if job is not None:
            self._preview.show_job(job)
            self._tabs.setCurrentIndex(_PREVIEW_TAB)

    @Slot(str)
    def on_jobs_export_requested(self, job_id: str) -> None:
        """Ask for the format and folder of an export."""
        job = self._job(job_id)
        if job is None:
            return
        old = self._dialogs.get("export")
        if old is not None:
            old.close()
        dialog = ExportDialog(job_id, job.request.format, job.request.out_dir, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.export_accepted.connect(self.on_export_dialog_export_accepted)
        self._keep_dialog("export", dialog)
        dialog.open()

    @Slot(str, object, object)
    def on_export_dialog_export_accepted(self, job_id: str, fmt: object, folder: object) -> None:
        """Queue the export."""
        if isinstance(fmt, ExportFormat) and isinstance(folder, Path):
            self.export_again(job_id, fmt, folder)

    @Slot(object)
    def on_preview_preview_failed(self, error: object) -> None:
        """A preview file could not be read (a format the preview cannot read: a notice only)."""
        if isinstance(error, UnsupportedFeatureError):  # SQL, XLSX, Parquet: the preview says so
            self._bridge.notify(error.message)
        elif isinstance(error, Exception):
            self._bridge.show_error(error, self)

    @Slot(object)
    def on_scheduler_status_changed(self, status: object) -> None:
        """Summarise the scheduler in the status bar."""
        if isinstance(status, SchedulerStatus):
            self._scheduler_label.setText(status_line(status))

    @Slot(str)
    def on_scheduler_job_finished(self, job_id: str) -> None:
        """Report what the job made; preview it when it is the selected job."""
        job = self._job(job_id)
        if job is None or job.result is None:
            return
        result = job.result
        where = result.tables[0].path.parent if result.tables else job.request.out_dir
        tables = plural(len(result.tables), "table")
        self._bridge.notify(
            f"{job_id} done: {result.rows:,} rows in {tables} → {display_path(where)}"
        )
        for warning in result.warnings:
            self._bridge.notify(f"{job_id}: {warning}")
        selected = self._jobs.selected_job()
        if selected is not None and selected.id == job_id:
            self._preview.show_job(job)

    @Slot(str, str)
    def on_scheduler_job_failed(self, job_id: str, message: str) -> None:
        """Show why the job failed, with the details."""
        job = self._job(job_id)
        details = job.error.details if job is not None and job.error is not None else ""
        self._bridge.show_error(
            TdgenError(f"{job_id} failed: {message}", details=details), self, title="Job failed"
        )

    @Slot(str)
    def on_scheduler_job_cancelled(self, job_id: str) -> None:
        """Say that the job was cancelled."""
        self._bridge.notify(f"{job_id} cancelled; no output was left")

    def _job(self, job_id: str) -> Job | None:
        if not job_id:
            return None
        try:
            return self._scheduler.job(job_id)
        except KeyError:
            return None

    # ------------------------------------------------------------------ slots: actions

    @Slot()
    def on_open_action_triggered(self) -> None:
        """Ask for schema files and load them."""
        names, _filter = QFileDialog.getOpenFileNames(
            self, "Open schema files", str(self._last_dir), _OPEN_FILTERS
        )
        if names:
            self.load_paths([Path(name) for name in names])

    @Slot()
    def on_save_project_action_triggered(self) -> None:
        """Ask where to save the current schema as a project, and save it."""
        dataset = self._generation.dataset
        if dataset is None:
            self._bridge.notify("Load a schema first: drop a file or press Ctrl+O")
            return
        suggested = dataset.source.with_name(dataset.source.name.split(".")[0] + ".tdgen.json")
        name, _filter = QFileDialog.getSaveFileName(
            self, "Save project", str(suggested), "tdgen projects (*.tdgen.json)"
        )
        if name:
            self.save_project(Path(name))

    def save_project(self, path: Path) -> Path | None:
        """Save the current schema, its field edits and the generation options as a project.

        Returns:
            The file written, or None when nothing was saved (the reason is shown).
        """
        dataset = self._generation.dataset
        if dataset is None:
            self._bridge.notify("Load a schema first: drop a file or press Ctrl+O")
            return None
        try:
            written = save_project(path, dataset, self._generation.project_settings())
        except TdgenError as error:
            self._bridge.show_error(error, self)
            return None
        self._bridge.notify(f"Saved project {written.name}")
        return written

    @Slot()
    def on_example_button_clicked(self) -> None:
        """Load the bundled example schema."""
        self.load_paths([_example()])

    @Slot()
    def on_recent_menu_about_to_show(self) -> None:
        """List the recent files as they are now."""
        self._fill_recent_menu()

    @Slot()
    def on_recent_action_triggered(self) -> None:
        """Load a recent file."""
        action = self.sender()
        if isinstance(action, QAction) and action.data():
            self.load_paths([Path(str(action.data()))])

    @Slot()
    def on_clear_recent_action_triggered(self) -> None:
        """Forget the recent files."""
        if self._settings is not None:
            self._settings.clear_recent()
        self._fill_recent_menu()

    @Slot()
    def on_settings_action_triggered(self) -> None:
        """Open the settings dialog."""
        self.open_settings()

    @Slot(object)
    def on_settings_dialog_preferences_accepted(self, prefs: object) -> None:
        """Use the preferences chosen in the dialog."""
        if isinstance(prefs, Preferences):
            self.apply_preferences(prefs)

    @Slot()
    def on_quit_action_triggered(self) -> None:
        """Close the window; the app quits when its last window closes."""
        self.close()

    @Slot()
    def on_generate_action_triggered(self) -> None:
        """Queue a job (Ctrl+Enter)."""
        self.generate()

    @Slot()
    def on_cancel_all_action_triggered(self) -> None:
        """Cancel every queued and running job."""
        count = self._scheduler.cancel_all()
        self._bridge.notify(f"Cancelled {plural(count, 'job')}" if count else "No job to cancel")

    @Slot()
    def on_schema_tab_action_triggered(self) -> None:
        """Show the Schema tab."""
        self._tabs.setCurrentIndex(_SCHEMA_TAB)

    @Slot()
    def on_preview_tab_action_triggered(self) -> None:
        """Show the Preview tab and put the focus in its table."""
        self._tabs.setCurrentIndex(_PREVIEW_TAB)
        self._preview.view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    @Slot()
    def on_focus_jobs_action_triggered(self) -> None:
        """Show the jobs pane and focus its list."""
        self._jobs_dock.show()
        self._jobs_dock.raise_()
        self._jobs.focus_view()

    @Slot()
    def on_focus_generation_action_triggered(self) -> None:
        """Show the generation pane and focus its first field."""
        self._generation_dock.show()
        self._generation_dock.raise_()
        self._generation.focus_rows()

    @Slot()
    def on_focus_tree_action_triggered(self) -> None:
        """Show the Schema tab and focus the tree."""
        self._tabs.setCurrentIndex(_SCHEMA_TAB)
        self._tree.setFocus(Qt.FocusReason.ShortcutFocusReason)

    @Slot()
    def on_guide_action_triggered(self) -> None:
        """Show the Getting started guide."""
        self.show_getting_started()

    @Slot()
    def on_about_action_triggered(self) -> None:
        """Show the About dialog."""
        self.show_about()

    @Slot(int)
    def on_dialog_finished(self, _result: int) -> None:
        """Forget a dialog once it is closed (it deletes itself)."""
        dialog = self.sender()
        self._dialogs = {k: d for k, d in self._dialogs.items() if d is not dialog}
