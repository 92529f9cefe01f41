"""The window's dialogs: Settings, Export again, About and Getting started.

Each dialog is opened non-modally to the app (``open()``, window-modal), so tests and the event
loop keep running; the window acts on ``accepted``.
"""

from __future__ import annotations

import importlib.metadata
import platform
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Signal, Slot, qVersion
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tdgen_desktop.core.enums import ExportFormat, Priority
from tdgen_desktop.exporters import available_formats
from tdgen_desktop.ui.generation_panel import display_path, format_text, locales, priority_text
from tdgen_desktop.ui.settings import MAX_WORKERS, Preferences

__all__ = [
    "BUNDLED",
    "AboutDialog",
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

_AI_PROVIDERS = (
    ("", "None"),
    ("openai", "OpenAI-compatible"),
    ("anthropic", "Anthropic"),
    ("ollama", "Ollama"),
)


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
    """Edits :class:`Preferences`: workers, default priority, locale, format, folder, AI profile.

    The AI profile's fields are shown but disabled until the AI provider lands.

    Signals:
        preferences_accepted(object): OK was pressed; the new :class:`Preferences`.

    Args:
        prefs: the preferences to start from.
        parent: the window.
    """

    preferences_accepted = Signal(object)

    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._prefs = prefs
        self.setObjectName("settings_dialog")
        self.setWindowTitle("tdgen settings")
        self.setAccessibleName("Settings")
        self.setMinimumWidth(520)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.setObjectName("settings_buttons")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_jobs_group(prefs))
        layout.addWidget(self._build_output_group(prefs))
        layout.addWidget(self._build_ai_group(prefs))
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.accepted.connect(self.on_dialog_accepted)

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

    def _build_ai_group(self, prefs: Preferences) -> QGroupBox:
        ai = QGroupBox("AI profile — coming soon")
        ai.setObjectName("settings_ai")
        ai.setToolTip("AI-enhanced values arrive with the AI provider; the profile is kept here")
        ai_form = QFormLayout(ai)
        note = QLabel(
            "The AI and hybrid providers are not available yet. Their profile will be set here: "
            "the API key will be kept in the system keyring, never in a file."
        )
        note.setWordWrap(True)
        ai_form.addRow(note)
        self.ai_provider = QComboBox()
        self.ai_provider.setObjectName("settings_ai_provider")
        for value, text in _AI_PROVIDERS:
            self.ai_provider.addItem(text, value)
        self.ai_provider.setCurrentIndex(max(self.ai_provider.findData(prefs.ai_provider), 0))
        self.ai_provider.setAccessibleName("AI provider kind")
        self.ai_url = QLineEdit(prefs.ai_base_url)
        self.ai_url.setObjectName("settings_ai_url")
        self.ai_url.setPlaceholderText("https://api.example.com/v1")
        self.ai_url.setAccessibleName("AI base URL")
        self.ai_model = QLineEdit(prefs.ai_model)
        self.ai_model.setObjectName("settings_ai_model")
        self.ai_model.setAccessibleName("AI model")
        self.ai_key = QLineEdit()
        self.ai_key.setObjectName("settings_ai_key")
        self.ai_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.ai_key.setPlaceholderText("no key set")
        self.ai_key.setAccessibleName("AI API key")
        self.ai_test = QPushButton("Test connection")
        self.ai_test.setObjectName("settings_ai_test")
        self.ai_test.setAccessibleName("Test connection")
        for text, widget in (
            ("Provider:", self.ai_provider),
            ("Base URL:", self.ai_url),
            ("Model:", self.ai_model),
            ("API key:", self.ai_key),
            ("", self.ai_test),
        ):
            widget.setEnabled(False)
            widget.setToolTip("Coming soon, with the AI provider")
            ai_form.addRow(text, widget)
        return ai

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
            ai_provider=self._prefs.ai_provider,
            ai_base_url=self._prefs.ai_base_url,
            ai_model=self._prefs.ai_model,
        )

    @Slot()
    def on_browse_clicked(self) -> None:
        """Choose the default output folder."""
        folder = QFileDialog.getExistingDirectory(self, "Default output folder", self.folder.text())
        if folder:
            self.folder.setText(folder)

    @Slot()
    def on_dialog_accepted(self) -> None:
        """Hand the new preferences to the window."""
        self.preferences_accepted.emit(self.preferences())


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
(<span style='color:#43a047'>valid</span>, <span style='color:#fb8c00'>boundary</span>,
<span style='color:#e53935'>invalid</span>), seed, locale, format and output folder.</li>
<li><b>Generate</b> (Ctrl+Enter). The job runs in the background; its dots show the steps
parse → foundation → enhance → validate → export. Queue as many jobs as you like, change
their priority, cancel or retry them.</li>
<li><b>Preview.</b> Select a finished job: its rows appear in the <i>Preview</i> tab
(Ctrl+2), the case of each row in colour, the rule it tests as a tooltip, and a summary of the
selected column. <i>Export again…</i> (Ctrl+E) writes the same rows in another format.</li>
</ol>
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
