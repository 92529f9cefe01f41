"""The window's dialogs: Settings, Export again, About and Getting started.

Each dialog is opened non-modally to the app (``open()``, window-modal), so tests and the event
loop keep running; the window acts on ``accepted``.
"""

from __future__ import annotations

import importlib.metadata
import platform
from dataclasses import dataclass
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, Signal, Slot, qVersion
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tdgen_desktop.core.enums import ExportFormat, Priority
from tdgen_desktop.core.errors import TdgenError
from tdgen_desktop.exporters import available_formats
from tdgen_desktop.llm import (
    ENV_API_KEY,
    AiProfile,
    LlmError,
    ProfileKind,
    Secret,
    profile_from_env,
)
from tdgen_desktop.llm.settings import DEFAULT_BASE_URLS, DEFAULT_MODELS
from tdgen_desktop.services.credentials import CredentialError
from tdgen_desktop.ui.ai_profiles import AiSupport, ConnectionTest, connection_error_text
from tdgen_desktop.ui.generation_panel import display_path, format_text, locales, priority_text
from tdgen_desktop.ui.settings import MAX_WORKERS, Preferences

__all__ = [
    "BUNDLED",
    "AboutDialog",
    "AiProfilesPage",
    "ExportDialog",
    "GettingStartedDialog",
    "SettingsDialog",
    "app_version",
    "component_licences",
]

BUNDLED = (
    "PySide6-Essentials",
    "shiboken6",
    "qasync",
    "httpx",
    "Faker",
    "keyring",
    "jsonschema",
    "referencing",
    "rstr",
    "platformdirs",
    "rich",
    "PyYAML",
    "sqlglot",
    "XlsxWriter",
    "openapi-schema-validator",
    "allpairspy",
)
"""The third-party components tdgen ships with (the About box lists their licences)."""

_KIND_TEXT = {
    ProfileKind.OPENAI: "OpenAI-compatible (Chat Completions)",
    ProfileKind.ANTHROPIC: "Anthropic (Messages)",
    ProfileKind.OLLAMA: "Ollama (native /api/chat)",
}


def app_version() -> str:
    """The installed tdgen version, or "dev" when running from a source tree."""
    try:
        return importlib.metadata.version("tdgen")
    except importlib.metadata.PackageNotFoundError:
        return "dev"


def _licence(meta: importlib.metadata.PackageMetadata) -> str:
    expression = meta.get("License-Expression")
    if expression:
        return str(expression)
    classifiers = [
        c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")
    ]
    if classifiers:
        return ", ".join(dict.fromkeys(classifiers))
    text = str(meta.get("License") or "").strip()
    first = text.splitlines()[0] if text else ""
    return first if 0 < len(first) <= 60 else "see the package"


def component_licences() -> list[tuple[str, str, str]]:
    """(name, version, licence) of each bundled component that is installed, plus Qt."""
    rows = [("Qt", qVersion(), "LGPL-3.0-only (GPL and commercial also offered)")]
    for name in BUNDLED:
        try:
            meta = importlib.metadata.metadata(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        rows.append(
            (str(meta.get("Name") or name), str(meta.get("Version") or "?"), _licence(meta))
        )
    return rows


class SettingsDialog(QDialog):
    """Edits :class:`Preferences`: workers, default priority, locale, format, folder, AI profiles.

    Signals:
        preferences_accepted(object): OK was pressed; the new :class:`Preferences`.

    Args:
        prefs: the preferences to start from.
        ai: the window's AI support (keyring, connection tests, answer cache).
        parent: the window.
    """

    preferences_accepted = Signal(object)

    def __init__(self, prefs: Preferences, ai: AiSupport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._prefs = prefs
        self.setObjectName("settings_dialog")
        self.setWindowTitle("tdgen settings")
        self.setAccessibleName("Settings")
        self.setMinimumWidth(600)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.setObjectName("settings_buttons")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        general = QWidget()
        general_layout = QVBoxLayout(general)
        general_layout.addWidget(self._build_jobs_group(prefs))
        general_layout.addWidget(self._build_output_group(prefs))
        general_layout.addStretch(1)
        # One label column for both groups, so their fields line up.
        labels = general.findChildren(QLabel)
        label_width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(label_width)
        self.ai = AiProfilesPage(prefs, ai, self)
        self.ai.validity_changed.connect(self.on_ai_validity_changed)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settings_tabs")
        self.tabs.addTab(general, "&General")
        ai_scroll = QScrollArea()
        ai_scroll.setObjectName("settings_ai_scroll")
        ai_scroll.setWidgetResizable(True)
        ai_scroll.setFrameShape(QFrame.Shape.NoFrame)
        ai_scroll.setWidget(self.ai)
        self.tabs.addTab(ai_scroll, "&AI profiles")
        self.tabs.setTabToolTip(0, "Workers, default priority, locale, format and folder")
        self.tabs.setTabToolTip(1, "Servers and models for the AI and hybrid providers")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.accepted.connect(self.on_dialog_accepted)
        self._fit_height()

    def _fit_height(self) -> None:
        """Tall enough for the AI profiles without scrolling, if the screen allows."""
        wanted = self.ai.sizeHint().height() + self.buttons.sizeHint().height() + 90
        screen = self.screen()
        available = screen.availableGeometry().height() - 60 if screen is not None else wanted
        self.resize(max(self.minimumWidth(), self.sizeHint().width()), min(wanted, available))

    def _build_jobs_group(self, prefs: Preferences) -> QGroupBox:
        jobs = QGroupBox("Jobs")
        jobs_form = QFormLayout(jobs)
        self.workers = QSpinBox()
        self.workers.setObjectName("settings_workers")
        self.workers.setRange(1, MAX_WORKERS)
        self.workers.setValue(prefs.worker_count)
        self.workers.setToolTip("Jobs that run at the same time")
        self.workers.setAccessibleName("Worker count")
        jobs_form.addRow(self._buddy("&Workers:", self.workers), self.workers)
        self.priority = QComboBox()
        self.priority.setObjectName("settings_priority")
        for priority in Priority:
            self.priority.addItem(priority_text(priority), priority.value)
        self.priority.setCurrentIndex(self.priority.findData(prefs.default_priority.value))
        self.priority.setToolTip("The priority a new job gets")
        self.priority.setAccessibleName("Default priority")
        jobs_form.addRow(self._buddy("Default &priority:", self.priority), self.priority)
        return jobs

    def _build_output_group(self, prefs: Preferences) -> QGroupBox:
        output = QGroupBox("Generation")
        output_form = QFormLayout(output)
        self.locale_combo = QComboBox()
        self.locale_combo.setObjectName("settings_locale")
        self.locale_combo.addItems(locales())
        if self.locale_combo.findText(prefs.locale) < 0:
            self.locale_combo.addItem(prefs.locale)
        self.locale_combo.setCurrentText(prefs.locale)
        self.locale_combo.setToolTip("Language and country of names, addresses, phone numbers")
        self.locale_combo.setAccessibleName("Default locale")
        output_form.addRow(self._buddy("&Locale:", self.locale_combo), self.locale_combo)
        self.format = QComboBox()
        self.format.setObjectName("settings_format")
        for fmt in available_formats():
            self.format.addItem(format_text(fmt), fmt.value)
        self.format.setCurrentIndex(max(self.format.findData(prefs.default_format.value), 0))
        self.format.setToolTip("The output format of a new job")
        self.format.setAccessibleName("Default format")
        output_form.addRow(self._buddy("&Format:", self.format), self.format)
        folder_row = QWidget()
        folder_layout = QHBoxLayout(folder_row)
        folder_layout.setContentsMargins(0, 0, 0, 0)
        self.folder = QLineEdit(display_path(prefs.output_dir))
        self.folder.setObjectName("settings_folder")
        self.folder.setToolTip("Where output files go by default")
        self.folder.setAccessibleName("Default output folder")
        browse = QToolButton()
        browse.setText("…")
        browse.setToolTip("Choose the default output folder")
        browse.setAccessibleName("Choose default output folder")
        browse.clicked.connect(self.on_browse_clicked)
        folder_layout.addWidget(self.folder, 1)
        folder_layout.addWidget(browse)
        output_form.addRow(self._buddy("F&older:", self.folder), folder_row)
        return output

    @staticmethod
    def _buddy(text: str, widget: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(widget)
        return label

    def preferences(self) -> Preferences:
        """The preferences as the dialog shows them."""
        return Preferences(
            worker_count=self.workers.value(),
            default_priority=Priority(self.priority.currentData()),
            locale=self.locale_combo.currentText(),
            default_format=ExportFormat(self.format.currentData()),
            output_dir=Path(self.folder.text().strip() or str(self._prefs.output_dir)).expanduser(),
            ai_profiles=self.ai.profiles(),
            ai_profile=self.ai.selected_name(),
            ai_cache=not self.ai.no_cache.isChecked(),
        )

    @Slot()
    def on_browse_clicked(self) -> None:
        """Choose the default output folder."""
        folder = QFileDialog.getExistingDirectory(self, "Default output folder", self.folder.text())
        if folder:
            self.folder.setText(folder)

    @Slot(bool)
    def on_ai_validity_changed(self, valid: bool) -> None:
        """OK needs valid AI profiles."""
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(valid)

    @Slot()
    def on_dialog_accepted(self) -> None:
        """Store a key typed but not stored yet, then hand the new preferences to the window."""
        self.ai.commit_keys()
        self.preferences_accepted.emit(self.preferences())

    def done(self, result: int) -> None:
        """Close; a connection test still running is abandoned."""
        self.ai.cancel_test()
        super().done(result)


@dataclass(slots=True)
class _Entry:
    """A profile as the dialog edits it; ``key_name`` is the keyring entry holding its key."""

    profile: AiProfile
    key_name: str | None


class AiProfilesPage(QWidget):
    """The AI profiles tab: profiles, their keys (in the keyring), a connection test, the cache.

    The profile chosen in the list is the one AI and hybrid jobs use. Keys go straight to the
    keyring ("Store key") or when OK is pressed; the page shows only whether a key is set.

    Signals:
        validity_changed(bool): whether every profile's settings are valid.
        connection_tested(str): a connection test ended; the text shown.

    Args:
        prefs: the preferences to start from.
        ai: the window's AI support.
        parent: the dialog.
    """

    validity_changed = Signal(bool)
    connection_tested = Signal(str)

    def __init__(self, prefs: Preferences, ai: AiSupport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settings_ai")
        self.setAccessibleName("AI profiles")
        self._ai = ai
        self._entries = [_Entry(p, p.name) for p in prefs.ai_profiles]
        self._removed: list[str] = []
        self._problem = ""
        self._test: ConnectionTest | None = None
        self._loading = False
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_profiles_group())
        layout.addWidget(self._build_key_group())
        layout.addWidget(self._build_test_group(prefs))
        layout.addStretch(1)
        self.profile_combo.setCurrentIndex(
            max(self.profile_combo.findText(prefs.ai_profile), 0 if self._entries else -1)
        )
        self._show_entry()

    # ------------------------------------------------------------------ construction

    def _build_profiles_group(self) -> QGroupBox:  # noqa: PLR0915 — one form, top to bottom
        group = QGroupBox("Profile")
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        self.profile_combo = QComboBox()
        self.profile_combo.setObjectName("settings_ai_profile")
        self.profile_combo.setAccessibleName("AI profile")
        self.profile_combo.setToolTip("The profile AI and hybrid jobs use")
        for entry in self._entries:
            self.profile_combo.addItem(entry.profile.name)
        self.profile_combo.currentIndexChanged.connect(self.on_profile_combo_current_index_changed)
        self.add_button = QPushButton("&New")
        self.add_button.setObjectName("settings_ai_add")
        self.add_button.setToolTip("Add an AI profile")
        self.add_button.setAccessibleName("New AI profile")
        self.add_button.clicked.connect(self.on_add_button_clicked)
        self.remove_button = QPushButton("Re&move")
        self.remove_button.setObjectName("settings_ai_remove")
        self.remove_button.setToolTip("Remove this profile and its key")
        self.remove_button.setAccessibleName("Remove AI profile")
        self.remove_button.clicked.connect(self.on_remove_button_clicked)
        row_layout.addWidget(self.profile_combo, 1)
        row_layout.addWidget(self.add_button)
        row_layout.addWidget(self.remove_button)
        form.addRow(_buddy("&Use:", self.profile_combo), row)

        self.name = QLineEdit()
        self.name.setObjectName("settings_ai_name")
        self.name.setAccessibleName("Profile name")
        self.name.setToolTip("The profile's name; its key is kept in the keyring under it")
        self.kind = QComboBox()
        self.kind.setObjectName("settings_ai_kind")
        self.kind.setAccessibleName("Provider kind")
        self.kind.setToolTip(
            "The wire format the server speaks. OpenAI-compatible covers OpenAI, OpenRouter, "
            "vLLM, LM Studio, llama.cpp server and Ollama's /v1"
        )
        for kind, text in _KIND_TEXT.items():
            self.kind.addItem(text, kind.value)
        self.url = QLineEdit()
        self.url.setObjectName("settings_ai_url")
        self.url.setAccessibleName("Base URL")
        self.url.setToolTip("https:// (plain http:// only for localhost); empty for the default")
        self.model = QLineEdit()
        self.model.setObjectName("settings_ai_model")
        self.model.setAccessibleName("Model")
        self.model.setToolTip("The model name; empty for the kind's default")
        self.temperature = QDoubleSpinBox()
        self.temperature.setObjectName("settings_ai_temperature")
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setDecimals(2)
        self.temperature.setAccessibleName("Temperature")
        self.temperature.setToolTip("Sampling temperature: 0 is the most predictable")
        self.timeout = QDoubleSpinBox()
        self.timeout.setObjectName("settings_ai_timeout")
        self.timeout.setRange(1.0, 600.0)
        self.timeout.setDecimals(0)
        self.timeout.setSuffix(" s")
        self.timeout.setAccessibleName("Timeout in seconds")
        self.timeout.setToolTip("How long to wait for one answer")
        self.concurrent = QSpinBox()
        self.concurrent.setObjectName("settings_ai_concurrent")
        self.concurrent.setRange(1, 32)
        self.concurrent.setAccessibleName("Requests at once")
        self.concurrent.setToolTip("Requests in flight at the same time")
        self.budget = QSpinBox()
        self.budget.setObjectName("settings_ai_budget")
        self.budget.setRange(1, 100_000)
        self.budget.setAccessibleName("Request budget per job")
        self.budget.setToolTip("The most HTTP requests one job may send (retries included)")
        limits = QWidget()
        limits_layout = QGridLayout(limits)
        limits_layout.setContentsMargins(0, 0, 0, 0)
        limit_widgets: tuple[tuple[str, QWidget], ...] = (
            ("Temperature:", self.temperature),
            ("Timeout:", self.timeout),
            ("Requests at once:", self.concurrent),
            ("Requests per job:", self.budget),
        )
        for number, (text, limit) in enumerate(limit_widgets):
            grid_row, column = divmod(number, 2)
            limits_layout.addWidget(_buddy(text, limit), grid_row, column * 2)
            limits_layout.addWidget(limit, grid_row, column * 2 + 1)
        limits_layout.setColumnStretch(1, 1)
        limits_layout.setColumnStretch(3, 1)
        for text, widget in (
            ("Na&me:", self.name),
            ("&Kind:", self.kind),
            ("Base &URL:", self.url),
            ("M&odel:", self.model),
        ):
            form.addRow(_buddy(text, widget), widget)
        form.addRow("Limits:", limits)
        self.env_note = QLabel()
        self.env_note.setObjectName("settings_ai_env")
        self.env_note.setWordWrap(True)
        self.env_note.setAccessibleName("Environment overrides")
        form.addRow(self.env_note)
        self.error = QLabel()
        self.error.setObjectName("field_error")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Profile problem")
        form.addRow(self.error)
        for line in (self.name, self.url, self.model):
            line.textEdited.connect(self.on_form_edited)
        self.kind.currentIndexChanged.connect(self.on_form_edited)
        for spin in (self.temperature, self.timeout):
            spin.valueChanged.connect(self.on_form_edited)
        for int_spin in (self.concurrent, self.budget):
            int_spin.valueChanged.connect(self.on_form_edited)
        return group

    def _build_key_group(self) -> QGroupBox:
        group = QGroupBox("API key")
        form = QFormLayout(group)
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        self.key = QLineEdit()
        self.key.setObjectName("settings_ai_key")
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setAccessibleName("API key")
        self.key.setToolTip("Paste a key and press Store key: it goes to the system keyring only")
        self.store_key = QPushButton("S&tore key")
        self.store_key.setObjectName("settings_ai_store_key")
        self.store_key.setAccessibleName("Store key")
        self.store_key.setToolTip("Keep the key in the system keyring (never in a file)")
        self.store_key.clicked.connect(self.on_store_key_clicked)
        self.remove_key = QPushButton("Remove &key")
        self.remove_key.setObjectName("settings_ai_remove_key")
        self.remove_key.setAccessibleName("Remove key")
        self.remove_key.setToolTip("Delete this profile's key from the keyring")
        self.remove_key.clicked.connect(self.on_remove_key_clicked)
        self.key.textChanged.connect(self.on_key_text_changed)
        row_layout.addWidget(self.key, 1)
        row_layout.addWidget(self.store_key)
        row_layout.addWidget(self.remove_key)
        form.addRow(_buddy("K&ey:", self.key), row)
        self.key_state = QLabel()
        self.key_state.setObjectName("settings_ai_key_state")
        self.key_state.setAccessibleName("Key state")
        self.key_state.setWordWrap(True)
        form.addRow("", self.key_state)
        self.keyring_note = QLabel(
            "This system has no keyring (e.g. a Linux box without Secret Service): keys cannot "
            f"be stored. Set {ENV_API_KEY} in the environment before starting tdgen instead."
        )
        self.keyring_note.setObjectName("settings_ai_no_keyring")
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setAccessibleName("No keyring")
        self.keyring_note.setVisible(not self._ai.credentials.available)
        form.addRow(self.keyring_note)
        return group

    def _build_test_group(self, prefs: Preferences) -> QGroupBox:
        group = QGroupBox("Connection and cache")
        form = QFormLayout(group)
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        self.test_button = QPushButton("Test &connection")
        self.test_button.setObjectName("settings_ai_test")
        self.test_button.setAccessibleName("Test connection")
        self.test_button.setToolTip("Send one small request and report the model and the time")
        self.test_button.clicked.connect(self.on_test_button_clicked)
        self.test_result = QLabel()
        self.test_result.setObjectName("settings_ai_test_result")
        self.test_result.setWordWrap(True)
        self.test_result.setAccessibleName("Connection test result")
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row_layout.addWidget(self.test_button)
        row_layout.addWidget(self.test_result, 1)
        form.addRow(row)
        cache_row = QWidget()
        cache_layout = QHBoxLayout(cache_row)
        cache_layout.setContentsMargins(0, 0, 0, 0)
        self.no_cache = QCheckBox("&Don't cache AI answers")
        self.no_cache.setObjectName("settings_ai_no_cache")
        self.no_cache.setChecked(not prefs.ai_cache)
        self.no_cache.setAccessibleName("Don't cache AI answers")
        self.no_cache.setToolTip(
            "Ask the model every time; by default a job run again reuses the saved answers"
        )
        self.clear_cache = QPushButton("C&lear AI cache")
        self.clear_cache.setObjectName("settings_ai_clear_cache")
        self.clear_cache.setAccessibleName("Clear AI cache")
        self.clear_cache.setToolTip("Delete every saved AI answer")
        self.clear_cache.clicked.connect(self.on_clear_cache_clicked)
        self.cache_state = QLabel()
        self.cache_state.setObjectName("settings_ai_cache_state")
        self.cache_state.setAccessibleName("AI cache")
        cache_layout.addWidget(self.no_cache)
        cache_layout.addStretch(1)
        cache_layout.addWidget(self.cache_state)
        cache_layout.addWidget(self.clear_cache)
        form.addRow(cache_row)
        self._show_cache_state()
        return group

    # ------------------------------------------------------------------ public API

    def profiles(self) -> tuple[AiProfile, ...]:
        """The profiles as the page shows them."""
        return tuple(entry.profile for entry in self._entries)

    def selected_name(self) -> str:
        """The name of the profile AI and hybrid jobs use ("" for none)."""
        entry = self._current()
        return entry.profile.name if entry is not None else ""

    @property
    def problem(self) -> str:
        """What is wrong with the profile being edited ("" when nothing is)."""
        return self._problem

    def commit_keys(self) -> None:
        """Store a typed key and move or delete keys of renamed and removed profiles."""
        store = self._ai.credentials
        if not store.available:
            return
        try:
            if self.key.text().strip():
                self._store_typed_key()
            for name in self._removed:
                if all(e.key_name != name for e in self._entries):
                    store.delete(name)
            for entry in self._entries:
                if entry.key_name is not None and entry.key_name != entry.profile.name:
                    self._move_key(entry)
        except CredentialError as error:
            self.key_state.setText(error.problem)

    def cancel_test(self) -> None:
        """Abandon a connection test that is still running."""
        if self._test is not None:
            self._test.cancel()
            self._test = None

    # ------------------------------------------------------------------ internals

    def _current(self) -> _Entry | None:
        index = self.profile_combo.currentIndex()
        return self._entries[index] if 0 <= index < len(self._entries) else None

    def _show_entry(self) -> None:
        entry = self._current()
        self._loading = True
        try:
            profile = entry.profile if entry is not None else AiProfile()
            self.name.setText(profile.name if entry is not None else "")
            self.kind.setCurrentIndex(self.kind.findData(profile.kind.value))
            self.url.setText(profile.base_url)
            self.model.setText(profile.model)
            self.temperature.setValue(profile.temperature)
            self.timeout.setValue(profile.timeout_s)
            self.concurrent.setValue(profile.max_concurrent)
            self.budget.setValue(profile.request_budget)
            self.key.clear()
        finally:
            self._loading = False
        self._set_problem("")
        self._update_state()

    def _form_profile(self) -> AiProfile:
        """The profile the form describes. Raises LlmError when a setting is invalid."""
        name = self.name.text().strip()
        index = self.profile_combo.currentIndex()
        if any(e.profile.name == name for i, e in enumerate(self._entries) if i != index):
            raise _NameTakenError(f"AI profile: another profile is called '{name}'")
        return AiProfile(
            name=name,
            kind=ProfileKind(self.kind.currentData()),
            base_url=self.url.text().strip(),
            model=self.model.text().strip(),
            temperature=self.temperature.value(),
            timeout_s=self.timeout.value(),
            max_concurrent=self.concurrent.value(),
            request_budget=self.budget.value(),
        )

    def _set_problem(self, problem: str) -> None:
        self._problem = problem
        self.error.setText(problem)
        self.error.setVisible(bool(problem))
        self.name.setProperty("invalid", "name" in problem)
        self.url.setProperty("invalid", "URL" in problem)
        for line in (self.name, self.url):
            line.style().unpolish(line)
            line.style().polish(line)
        self.validity_changed.emit(not problem)

    def _key_name(self, entry: _Entry) -> str:
        return entry.key_name or entry.profile.name

    def _update_state(self) -> None:
        entry = self._current()
        has = entry is not None
        valid = not self._problem
        store = self._ai.credentials
        editors: tuple[QWidget, ...] = (
            self.name,
            self.kind,
            self.url,
            self.model,
            self.temperature,
            self.timeout,
            self.concurrent,
            self.budget,
        )
        for editor in editors:
            editor.setEnabled(has)
        self.profile_combo.setEnabled(valid and has)
        self.add_button.setEnabled(valid)
        self.remove_button.setEnabled(has)
        self.key.setEnabled(has and store.available)
        self.store_key.setEnabled(has and valid and store.available and bool(self.key.text()))
        stored = has and entry is not None and store.available and self._stored(entry)
        self.remove_key.setEnabled(bool(stored))
        self.test_button.setEnabled(has and valid and self._test is None)
        if entry is None:
            self.key_state.setText("Add a profile to use the AI and hybrid providers.")
        else:
            state = self._ai.key_state(self._key_name(entry))
            if state == "No key set" and entry.profile.is_local:
                state += " (none is needed for a server on this machine)"
            self.key_state.setText(state)
        kind = ProfileKind(self.kind.currentData())
        self.url.setPlaceholderText(DEFAULT_BASE_URLS[kind])
        self.model.setPlaceholderText(DEFAULT_MODELS[kind])
        self._show_env()

    def _stored(self, entry: _Entry) -> bool:
        try:
            return self._ai.credentials.source(self._key_name(entry)) is not None and bool(
                entry.key_name
            )
        except CredentialError:
            return False

    def _show_env(self) -> None:
        overrides = self._ai.env_overrides()
        if not overrides:
            self.env_note.setVisible(False)
            return
        listed = ", ".join(f"{name}={value}" for name, value in overrides.items())
        self.env_note.setText(f"Set in the environment, these override the profile: {listed}")
        self.env_note.setVisible(True)
        marks = {
            "TDGEN_AI_PROVIDER": self.kind,
            "TDGEN_AI_BASE_URL": self.url,
            "TDGEN_AI_MODEL": self.model,
            ENV_API_KEY: self.key,
        }
        for name, widget in marks.items():
            if name in overrides:
                widget.setToolTip(f"Overridden by the environment variable {name}")

    def _show_cache_state(self) -> None:
        count = self._ai.cached_answers()
        self.cache_state.setText(f"{count:,} answer{'s' if count != 1 else ''} cached")
        self.clear_cache.setEnabled(count > 0)

    def _store_typed_key(self) -> None:
        entry = self._current()
        typed = self.key.text().strip()
        if entry is None or not typed:
            return
        store = self._ai.credentials
        store.set(entry.profile.name, Secret(typed))
        old = entry.key_name
        entry.key_name = entry.profile.name
        if old and old != entry.profile.name and all(e.key_name != old for e in self._entries):
            store.delete(old)
        self.key.clear()

    def _move_key(self, entry: _Entry) -> None:
        store = self._ai.credentials
        old = entry.key_name
        if old is None:
            return
        key = store.get(old) if store.source(old) == "keyring" else None
        if key is not None:
            store.set(entry.profile.name, key)
        store.delete(old)
        entry.key_name = entry.profile.name

    # ------------------------------------------------------------------ slots

    @Slot(int)
    def on_profile_combo_current_index_changed(self, _index: int) -> None:
        """Show the chosen profile."""
        self.test_result.clear()
        self._show_entry()

    @Slot()
    def on_form_edited(self) -> None:
        """Check the settings as they are typed; keep the valid ones."""
        if self._loading:
            return
        entry = self._current()
        if entry is None:
            return
        try:
            profile = self._form_profile()
        except LlmError as error:
            self._set_problem(error.problem)
        else:
            entry.profile = profile
            self.profile_combo.setItemText(self.profile_combo.currentIndex(), profile.name)
            self._set_problem("")
        self._update_state()

    @Slot()
    def on_add_button_clicked(self) -> None:
        """Add a profile with a free name and default settings."""
        names = {e.profile.name for e in self._entries}
        name = "default" if "default" not in names else ""
        number = 2
        while not name:
            candidate = f"profile {number}"
            name = candidate if candidate not in names else ""
            number += 1
        self._entries.append(_Entry(AiProfile(name=name), None))
        self.profile_combo.addItem(name)
        self.profile_combo.setCurrentIndex(len(self._entries) - 1)
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)
        self.name.selectAll()

    @Slot()
    def on_remove_button_clicked(self) -> None:
        """Remove the profile (its key is deleted when OK is pressed)."""
        index = self.profile_combo.currentIndex()
        if not 0 <= index < len(self._entries):
            return
        entry = self._entries.pop(index)
        if entry.key_name:
            self._removed.append(entry.key_name)
        self._problem = ""
        self.profile_combo.removeItem(index)  # shows the next profile
        self._show_entry()

    @Slot(str)
    def on_key_text_changed(self, _text: str) -> None:
        """Store key needs a key."""
        self._update_state()

    @Slot()
    def on_store_key_clicked(self) -> None:
        """Put the typed key into the keyring."""
        try:
            self._store_typed_key()
        except CredentialError as error:
            self._update_state()
            self.key_state.setText(error.problem)
            return
        self._update_state()

    @Slot()
    def on_remove_key_clicked(self) -> None:
        """Delete the profile's key from the keyring."""
        entry = self._current()
        if entry is None or entry.key_name is None:
            return
        try:
            self._ai.credentials.delete(entry.key_name)
        except CredentialError as error:
            self.key_state.setText(error.problem)
            return
        self._update_state()

    @Slot()
    def on_test_button_clicked(self) -> None:
        """Send one request with the profile as shown (and the environment's overrides)."""
        entry = self._current()
        if entry is None or self._problem:
            return
        typed = self.key.text().strip()
        try:
            profile = profile_from_env(self._ai.env, entry.profile) or entry.profile
            key = Secret(typed) if typed else self._ai.credentials.get(self._key_name(entry))
        except TdgenError as error:
            self._show_test_result(f"Cannot test: {error.problem}")
            return
        self.test_result.setText(f"Asking {profile.model_name} at {profile.endpoint} …")
        self._test = self._ai.test_connection(profile, key)
        self._test.finished.connect(self.on_test_finished)
        self._update_state()

    @Slot(object)
    def on_test_finished(self, outcome: object) -> None:
        """Report the model and the latency, or what went wrong."""
        if self.sender() is not self._test:
            return
        self._test = None
        from tdgen_desktop.llm import ConnectionReport  # noqa: PLC0415 — httpx loads on use

        if isinstance(outcome, ConnectionReport):
            text = (
                f"Connected: model {outcome.model} answered in {outcome.latency_s * 1000:,.0f} ms"
            )
        elif isinstance(outcome, BaseException):
            text = f"Failed: {connection_error_text(outcome)}"
        else:
            text = "Failed: no answer"
        self._show_test_result(text)
        self._update_state()

    def _show_test_result(self, text: str) -> None:
        self.test_result.setText(text)
        self.connection_tested.emit(text)

    @Slot()
    def on_clear_cache_clicked(self) -> None:
        """Delete the saved AI answers."""
        removed = self._ai.clear_cache()
        self._show_cache_state()
        self.cache_state.setText(f"Removed {removed:,} cached answer{'s' if removed != 1 else ''}")


class _NameTakenError(LlmError, ValueError):
    """Two profiles cannot share a name (their keys would share a keyring entry)."""


def _buddy(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    return label


class ExportDialog(QDialog):
    """Asks for the format and folder to write a finished job's rows again.

    The job is run again with the same seed and options (the same seed gives the same rows) and
    the chosen format, into the chosen folder.

    Signals:
        export_accepted(str, object, object): job id, :class:`ExportFormat`, folder (Path).

    Args:
        job_id: the finished job.
        current: the format it wrote.
        folder: the folder to offer.
        parent: the window.
    """

    export_accepted = Signal(str, object, object)

    def __init__(
        self, job_id: str, current: ExportFormat, folder: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._job_id = job_id
        self.setObjectName("export_dialog")
        self.setWindowTitle(f"Export {job_id} again")
        self.setAccessibleName("Export again")
        self.setMinimumWidth(460)
        intro = QLabel(
            f"Write the rows of {job_id} again in another format. The job runs again with the "
            "same seed and options, so the rows are the same."
        )
        intro.setWordWrap(True)
        self.format = QComboBox()
        self.format.setObjectName("export_format")
        for fmt in available_formats():
            self.format.addItem(format_text(fmt), fmt.value)
        others = [f for f in available_formats() if f is not current]
        choice = others[0] if others else current
        self.format.setCurrentIndex(self.format.findData(choice.value))
        self.format.setAccessibleName("Export format")
        self.format.setToolTip("The format to write")
        self.folder = QLineEdit(display_path(folder))
        self.folder.setObjectName("export_folder")
        self.folder.setAccessibleName("Export folder")
        self.folder.setToolTip("The folder to write to (created if missing)")
        browse = QToolButton()
        browse.setText("…")
        browse.setToolTip("Choose the folder")
        browse.setAccessibleName("Choose export folder")
        browse.clicked.connect(self.on_browse_clicked)
        folder_row = QWidget()
        row = QHBoxLayout(folder_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        form = QFormLayout()
        format_label = QLabel("&Format:")
        format_label.setBuddy(self.format)
        folder_label = QLabel("F&older:")
        folder_label.setBuddy(self.folder)
        form.addRow(format_label, self.format)
        form.addRow(folder_label, folder_row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.folder.textChanged.connect(self.on_folder_text_changed)
        self._ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.accepted.connect(self.on_dialog_accepted)

    @Slot(str)
    def on_folder_text_changed(self, text: str) -> None:
        """Export needs a folder."""
        self._ok.setEnabled(bool(text.strip()))

    @Slot()
    def on_browse_clicked(self) -> None:
        """Choose the folder."""
        folder = QFileDialog.getExistingDirectory(self, "Export folder", self.folder.text())
        if folder:
            self.folder.setText(folder)

    @Slot()
    def on_dialog_accepted(self) -> None:
        """Hand the choice to the window."""
        self.export_accepted.emit(
            self._job_id,
            ExportFormat(self.format.currentData()),
            Path(self.folder.text().strip()).expanduser(),
        )


class AboutDialog(QDialog):
    """The version of tdgen and of the components it bundles, with their licences.

    Args:
        parent: the window.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle("About tdgen")
        self.setAccessibleName("About tdgen")
        self.setMinimumSize(520, 440)
        version = app_version()
        title = QLabel(f"tdgen {version}")
        title.setObjectName("about_title")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        self.title = title
        text = QLabel(
            "Test data from your schemas: valid, boundary and invalid cases, each labelled.\n"
            f"MIT licence · Python {platform.python_version()} · PySide6 {pyside_version}"
        )
        text.setWordWrap(True)
        rows = "".join(
            f"<tr><td>{name}</td><td>{ver}</td><td>{lic}</td></tr>"
            for name, ver, lic in component_licences()
        )
        table = QTextBrowser()
        table.setObjectName("about_licences")
        table.setAccessibleName("Bundled components and their licences")
        table.setHtml(
            "<p><b>Bundled components</b></p>"
            "<table cellspacing='0' cellpadding='3'>"
            "<tr><th align='left'>Component</th><th align='left'>Version</th>"
            f"<th align='left'>Licence</th></tr>{rows}</table>"
        )
        self.licences = table
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addWidget(table, 1)
        layout.addWidget(buttons)


GETTING_STARTED_HTML = """
<h2>Getting started</h2>
<ol>
<li><b>Load a schema.</b> Drop a JSON Schema, OpenAPI or SQL DDL file — or a folder of them —
onto the window, or use <i>File ▸ Open</i> (Ctrl+O). Its tables and fields appear in the
schema tree.</li>
<li><b>Check the fields.</b> Select a field to see sample values. Choose another generator
(e.g. <i>City</i> for a column called <tt>town</tt>), the share of nulls, uniqueness or
narrower bounds. Every edit can be undone with Ctrl+Z.</li>
<li><b>Choose what to make.</b> In the <i>Generate</i> panel: rows per table, the case kinds
(<span style='color:#43a047'>valid</span>, <span style='color:#e07000'>boundary</span>,
<span style='color:#e53935'>invalid</span>), seed, locale, format and output folder.</li>
<li><b>Generate</b> (Ctrl+Enter). The job runs in the background; its dots show the steps
parse → foundation → enhance → validate → export. Queue as many jobs as you like, change
their priority, cancel or retry them.</li>
<li><b>Preview.</b> Select a finished job: its rows appear in the <i>Preview</i> tab
(Ctrl+2), the case of each row in colour, the rule it tests as a tooltip, and a summary of the
selected column. <i>Export again…</i> (Ctrl+E) writes the same rows in another format.</li>
</ol>
<p><b>AI values (optional).</b> Add a profile in <i>Settings ▸ AI profiles</i> (Ctrl+,) —
OpenAI-compatible, Anthropic or Ollama; the key goes to the system keyring — and press
<i>Test connection</i>. Then choose <i>Hybrid</i> as the provider: rule-based rows with realistic
values from the model for names, codes and descriptions, each checked against the schema. Cells
with AI values are tinted violet in the preview; <i>Prompts…</i> shows what would be asked.</p>
<p>Each output file <tt>&lt;table&gt;.&lt;ext&gt;</tt> comes with
<tt>&lt;table&gt;.cases.jsonl</tt>: one label per row saying its case, field, rule and whether
the system under test should accept or reject it.</p>
<h3>Keyboard</h3>
<table cellpadding='2'>
<tr><td>Ctrl+O</td><td>Open schema files</td></tr>
<tr><td>Ctrl+Enter</td><td>Generate</td></tr>
<tr><td>Ctrl+1 / Ctrl+2</td><td>Schema / Preview tab</td></tr>
<tr><td>Ctrl+J</td><td>Jobs list (Delete cancels, Ctrl+R retries, Ctrl+E exports again)</td></tr>
<tr><td>Ctrl+G</td><td>Generation options</td></tr>
<tr><td>Ctrl+Z / Ctrl+Shift+Z</td><td>Undo / redo a field edit</td></tr>
<tr><td>Ctrl+,</td><td>Settings</td></tr>
</table>
"""


class GettingStartedDialog(QDialog):
    """A short in-app guide: load, check, choose, generate, preview.

    Args:
        parent: the window.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("getting_started_dialog")
        self.setWindowTitle("Getting started with tdgen")
        self.setAccessibleName("Getting started")
        self.resize(620, 560)
        browser = QTextBrowser()
        browser.setObjectName("getting_started_text")
        browser.setOpenExternalLinks(False)
        browser.setHtml(GETTING_STARTED_HTML)
        browser.setAccessibleName("Getting started guide")
        self.browser = browser
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(browser, 1)
        layout.addWidget(buttons)
