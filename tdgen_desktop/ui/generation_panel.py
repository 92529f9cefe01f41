"""The generation panel: what to make for the current schema, and the Generate button.

Rows per table, seed (with "New seed"), locale, case kinds (with the most boundary and invalid
cases per table), pairwise, provider, priority, output format (with the SQL dialect, CREATE TABLE
and one-file options while the format is SQL) and folder. The panel only collects choices:
:meth:`GenerationPanel.build_request` turns them into a validated
:class:`~tdgen_desktop.generation.pipeline.GenerationRequest`, and the window submits it to the
scheduler when ``generate_requested`` fires — so pressing Generate never blocks.
"""

from __future__ import annotations

import copy
import dataclasses
import secrets
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tdgen_desktop.core.enums import CaseKind, Dialect, ExportFormat, Priority, ProviderKind
from tdgen_desktop.core.errors import TdgenError
from tdgen_desktop.core.model import Dataset
from tdgen_desktop.exporters import available_formats
from tdgen_desktop.generation.pipeline import GenerationRequest, one_file_name
from tdgen_desktop.generation.pools import COUNTRY_LOCALES
from tdgen_desktop.importers.project import ProjectSettings
from tdgen_desktop.ui.ai_profiles import PromptPreviewDialog, prompts_text
from tdgen_desktop.ui.settings import Preferences

__all__ = [
    "MAX_CASES",
    "MAX_ROWS",
    "MAX_SEED",
    "GenerationPanel",
    "display_path",
    "format_text",
    "locales",
    "priority_text",
]

MAX_ROWS = 10_000_000
"""The most valid rows per table the panel offers."""

MAX_SEED = 2**31 - 1
"""Seeds are drawn from 0 … MAX_SEED (a QSpinBox holds a 32-bit int)."""

MAX_CASES = 10_000_000
"""The highest "Max. cases per table" the panel offers (0 means no limit)."""

_PROVIDER_TEXT = {
    ProviderKind.NULL: "Rule-based (offline)",
    ProviderKind.AI: "AI",
    ProviderKind.HYBRID: "Hybrid (rules + AI)",
}
_PROVIDER_TIPS = {
    ProviderKind.NULL: "Rule-based values: fast, offline, always valid",
    ProviderKind.AI: "The model writes whole valid rows (slow; for comparison)",
    ProviderKind.HYBRID: "Rule-based rows with realistic values from the AI for weak fields",
}
_PRIORITY_TEXT = {Priority.HIGH: "High", Priority.NORMAL: "Normal", Priority.LOW: "Low"}
_FORMAT_TEXT = {
    ExportFormat.CSV: "CSV",
    ExportFormat.TSV: "TSV",
    ExportFormat.JSON: "JSON",
    ExportFormat.JSONL: "JSON Lines",
    ExportFormat.SQL: "SQL INSERTs",
    ExportFormat.XLSX: "Excel (XLSX)",
    ExportFormat.PARQUET: "Parquet",
}
_DIALECT_TEXT: dict[Dialect | None, str] = {
    None: "As the source DDL (else SQLite)",
    Dialect.SQLITE: "SQLite",
    Dialect.POSTGRES: "PostgreSQL",
    Dialect.MYSQL: "MySQL",
}
_AS_SOURCE = ""
"""The dialect combo's data for "as the source DDL" (a combo's data cannot be None)."""
_AI_HINT = (
    "AI and hybrid need an AI profile: add one in Settings ▸ AI profiles (Ctrl+,). "
    "Rule-based values work offline."
)
_ROWS_PER_TABLE_MAX_HEIGHT = 140


def display_path(path: Path) -> str:
    """``path`` as people read it: the home folder written as ``~``."""
    try:
        return str(Path("~") / Path(path).relative_to(Path.home()))
    except ValueError:
        return str(path)


def locales() -> list[str]:
    """The locales offered: every locale tdgen maps a country to, sorted, en_US first."""
    found = sorted(set(COUNTRY_LOCALES.values()) - {"en_US"})
    return ["en_US", *found]


def format_text(fmt: ExportFormat) -> str:
    """The name of an output format as the window shows it."""
    return _FORMAT_TEXT.get(fmt, fmt.value.upper())


def priority_text(priority: Priority) -> str:
    """ "High", "Normal" or "Low"."""
    return _PRIORITY_TEXT[priority]


class GenerationPanel(QWidget):
    """Collects the options of a generation job and offers the Generate button.

    Signals:
        generate_requested(): the user pressed Generate (or Ctrl+Enter) with valid options.
        sampling_changed(str, int): the locale or the seed changed (locale, seed).

    Args:
        prefs: the preferences that give the defaults.
        parent: the Qt parent.
    """

    generate_requested = Signal()
    sampling_changed = Signal(str, int)

    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._dataset: Dataset | None = None
        self._ai_available = False
        self.setObjectName("generation_panel")
        self.setAccessibleName("Generation options")
        self._build()
        self.apply_preferences(prefs)
        self.set_ai_available(False)
        self.set_dataset(None)

    # ------------------------------------------------------------------ construction

    def _build(self) -> None:  # noqa: PLR0915 — one form, built top to bottom
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self._schema_label = QLabel()
        self._schema_label.setObjectName("generation_schema")
        self._schema_label.setWordWrap(True)
        self._schema_label.setTextFormat(Qt.TextFormat.PlainText)
        self._schema_label.setAccessibleName("Schema to generate")
        layout.addWidget(self._schema_label)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(form)

        self._rows = QSpinBox()
        self._rows.setObjectName("rows")
        self._rows.setRange(0, MAX_ROWS)
        self._rows.setValue(100)
        self._rows.setGroupSeparatorShown(True)
        self._rows.setToolTip("Valid rows per table (boundary and invalid cases come on top)")
        self._rows.setAccessibleName("Rows per table")
        self._rows.valueChanged.connect(self.on_rows_value_changed)
        form.addRow(self._buddy("&Rows per table:", self._rows), self._rows)

        self._table_rows = QTableWidget(0, 2)
        self._table_rows.setObjectName("table_rows")
        self._table_rows.setHorizontalHeaderLabels(["Table", "Rows"])
        self._table_rows.verticalHeader().setVisible(False)
        self._table_rows.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._table_rows.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents
        )
        self._table_rows.setMaximumHeight(_ROWS_PER_TABLE_MAX_HEIGHT)
        self._table_rows.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self._table_rows.setToolTip("Rows of each table; child tables draw keys from their parents")
        self._table_rows.setAccessibleName("Rows of each table")
        form.addRow(self._table_rows)

        cases = QWidget()
        cases_layout = QHBoxLayout(cases)
        cases_layout.setContentsMargins(0, 0, 0, 0)
        self._case_boxes: dict[CaseKind, QCheckBox] = {}
        tips = {
            CaseKind.VALID: "Realistic rows that satisfy every rule",
            CaseKind.BOUNDARY: "Valid rows at the edges: bounds, lengths, every enum value …",
            CaseKind.INVALID: "Rows that break exactly one rule, labelled with it",
        }
        for kind, text in (
            (CaseKind.VALID, "V&alid"),
            (CaseKind.BOUNDARY, "&Boundary"),
            (CaseKind.INVALID, "&Invalid"),
        ):
            box = QCheckBox(text)
            box.setObjectName(f"case_{kind.value}")
            box.setToolTip(tips[kind])
            box.setAccessibleName(f"{kind.value.capitalize()} cases")
            box.setChecked(kind is CaseKind.VALID)
            box.toggled.connect(self.on_case_box_toggled)
            cases_layout.addWidget(box)
            self._case_boxes[kind] = box
        cases_layout.addStretch(1)
        form.addRow("Cases:", cases)

        self._pairwise = QCheckBox("Pair&wise: cover every pair of values")
        self._pairwise.setObjectName("pairwise")
        self._pairwise.setToolTip(
            "Valid rows cover every pair of values of small-domain fields "
            "(enums, booleans, null-or-not, low/middle/high numbers)"
        )
        self._pairwise.setAccessibleName("Pairwise")
        form.addRow("", self._pairwise)

        self._max_cases = QSpinBox()
        self._max_cases.setObjectName("max_cases")
        self._max_cases.setRange(0, MAX_CASES)
        self._max_cases.setGroupSeparatorShown(True)
        self._max_cases.setSpecialValueText("No limit")
        self._max_cases.setToolTip(
            "At most this many boundary and invalid rows per table (0: no limit); "
            "the job's coverage report lists the cases left out"
        )
        self._max_cases.setAccessibleName("Maximum cases per table")
        self._max_cases_row = QWidget()  # the label beside the box: the label column stays narrow
        max_cases_layout = QHBoxLayout(self._max_cases_row)
        max_cases_layout.setContentsMargins(0, 0, 0, 0)
        max_cases_layout.addWidget(self._buddy("Max. cases per table:", self._max_cases))
        max_cases_layout.addWidget(self._max_cases, 1)
        form.addRow("", self._max_cases_row)

        seed_row = QWidget()
        seed_layout = QHBoxLayout(seed_row)
        seed_layout.setContentsMargins(0, 0, 0, 0)
        self._seed = QSpinBox()
        self._seed.setObjectName("seed")
        self._seed.setRange(0, MAX_SEED)
        self._seed.setToolTip("The same seed, schema and options give the same files")
        self._seed.setAccessibleName("Seed")
        self._seed.valueChanged.connect(self.on_seed_value_changed)
        self._new_seed = QToolButton()
        self._new_seed.setObjectName("new_seed")
        self._new_seed.setText("New seed")
        self._new_seed.setToolTip("Draw a new random seed")
        self._new_seed.setAccessibleName("New seed")
        self._new_seed.clicked.connect(self.on_new_seed_clicked)
        seed_layout.addWidget(self._seed, 1)
        seed_layout.addWidget(self._new_seed)
        form.addRow(self._buddy("See&d:", self._seed), seed_row)

        self._locale = QComboBox()
        self._locale.setObjectName("locale")
        self._locale.addItems(locales())
        self._locale.setToolTip("Language and country of names, addresses, phone numbers")
        self._locale.setAccessibleName("Locale")
        self._locale.currentTextChanged.connect(self.on_locale_current_text_changed)
        form.addRow(self._buddy("&Locale:", self._locale), self._locale)

        self._provider = QComboBox()
        self._provider.setObjectName("provider")
        provider_model = QStandardItemModel(self._provider)
        for provider, text in _PROVIDER_TEXT.items():
            item = QStandardItem(text)
            item.setData(provider.value, Qt.ItemDataRole.UserRole)
            item.setToolTip(_PROVIDER_TIPS[provider])
            provider_model.appendRow(item)
        self._provider.setModel(provider_model)
        self._provider.setToolTip("Where values come from")
        self._provider.setAccessibleName("Value provider")
        provider_row = QWidget()
        provider_layout = QHBoxLayout(provider_row)
        provider_layout.setContentsMargins(0, 0, 0, 0)
        self._show_prompts = QToolButton()
        self._show_prompts.setObjectName("preview_prompts")
        self._show_prompts.setText("Prompts…")
        self._show_prompts.setToolTip(
            "Show the exact requests an AI or hybrid job would send for this schema (nothing is "
            "sent): schema metadata only, never rows or keys"
        )
        self._show_prompts.setAccessibleName("Preview AI prompts")
        self._show_prompts.clicked.connect(self.on_show_prompts_clicked)
        provider_layout.addWidget(self._provider, 1)
        provider_layout.addWidget(self._show_prompts)
        form.addRow(self._buddy("Provider:", self._provider), provider_row)
        self._ai_hint = QLabel(_AI_HINT)
        self._ai_hint.setObjectName("ai_hint")
        self._ai_hint.setWordWrap(True)
        self._ai_hint.setAccessibleName("AI hint")
        form.addRow("", self._ai_hint)

        self._priority = QComboBox()
        self._priority.setObjectName("priority")
        for priority, text in _PRIORITY_TEXT.items():
            self._priority.addItem(text, priority.value)
        self._priority.setToolTip("High jobs start first; waiting jobs move up over time")
        self._priority.setAccessibleName("Priority")
        form.addRow(self._buddy("Priorit&y:", self._priority), self._priority)

        self._format = QComboBox()
        self._format.setObjectName("format")
        for fmt in available_formats():
            self._format.addItem(format_text(fmt), fmt.value)
        self._format.setToolTip("The file format of the output")
        self._format.setAccessibleName("Output format")
        self._format.currentIndexChanged.connect(self.on_format_current_index_changed)
        form.addRow(self._buddy("For&mat:", self._format), self._format)
        form.addRow(self._build_sql_group())

        self._labels = QCheckBox("Add _case and _rule &columns")
        self._labels.setObjectName("label_columns")
        self._labels.setToolTip(
            "Write each row's case kind and rule into the data file too "
            "(labels are always in <table>.cases.jsonl)"
        )
        self._labels.setAccessibleName("Label columns")
        form.addRow("", self._labels)

        self._formula_guard = QCheckBox("Neutralise spreadsheet formulas")
        self._formula_guard.setObjectName("formula_guard")
        self._formula_guard.setChecked(True)
        self._formula_guard.setToolTip(
            "CSV, TSV and XLSX: text of valid rows starting with = + - @ is written so that "
            "spreadsheets show it as text instead of running it (a leading ' in CSV and TSV)"
        )
        self._formula_guard.setAccessibleName("Neutralise spreadsheet formulas")
        form.addRow("", self._formula_guard)

        folder_row = QWidget()
        folder_layout = QHBoxLayout(folder_row)
        folder_layout.setContentsMargins(0, 0, 0, 0)
        self._folder = QLineEdit()
        self._folder.setObjectName("output_folder")
        self._folder.setToolTip("The folder the files are written to (created if missing)")
        self._folder.setAccessibleName("Output folder")
        self._folder.textChanged.connect(self.on_folder_text_changed)
        self._browse = QToolButton()
        self._browse.setObjectName("browse_folder")
        self._browse.setText("…")
        self._browse.setToolTip("Choose the output folder")
        self._browse.setAccessibleName("Choose output folder")
        self._browse.clicked.connect(self.on_browse_clicked)
        folder_layout.addWidget(self._folder, 1)
        folder_layout.addWidget(self._browse)
        form.addRow(self._buddy("Folder:", self._folder), folder_row)

        self._problem = QLabel()
        self._problem.setObjectName("generation_problem")
        self._problem.setWordWrap(True)
        self._problem.setAccessibleName("Why Generate is not available")
        layout.addWidget(self._problem)

        self._generate = QPushButton("&Generate")
        self._generate.setObjectName("generate_button")
        self._generate.setDefault(True)
        self._generate.setToolTip("Queue a generation job (Ctrl+Enter); the window stays usable")
        self._generate.setAccessibleName("Generate")
        self._generate.setMinimumHeight(34)
        self._generate.clicked.connect(self.on_generate_clicked)
        layout.addWidget(self._generate)
        layout.addStretch(1)

    def _build_sql_group(self) -> QGroupBox:
        """The SQL options, shown only while the format is SQL (for XLSX: one file only)."""
        self._sql_group = QGroupBox("SQL output")
        self._sql_group.setObjectName("sql_options")
        self._sql_group.setToolTip("Options of SQL output (shown while the format is SQL)")
        self._sql_group.setAccessibleName("SQL options")
        sql_form = self._sql_form = QFormLayout(self._sql_group)
        sql_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        sql_form.setContentsMargins(6, 6, 6, 6)

        self._dialect = QComboBox()
        self._dialect.setObjectName("dialect")
        for dialect, text in _DIALECT_TEXT.items():
            self._dialect.addItem(text, dialect.value if dialect is not None else _AS_SOURCE)
        self._dialect.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self._dialect.setMinimumContentsLength(12)
        self._dialect.setToolTip(
            "Quoting, types and literals of the SQL: the dialect of a DDL schema (SQLite for "
            "other schemas), or the one chosen"
        )
        self._dialect.setAccessibleName("SQL dialect")
        sql_form.addRow(self._buddy("S&QL dialect:", self._dialect), self._dialect)

        self._with_ddl = QCheckBox("Start each table with CREATE TABLE")
        self._with_ddl.setObjectName("with_ddl")
        self._with_ddl.setToolTip(
            "Write each table's CREATE TABLE before its INSERTs, so the file loads into an "
            "empty database"
        )
        self._with_ddl.setAccessibleName("Start each table with CREATE TABLE")
        sql_form.addRow(self._with_ddl)

        self._one_file = QCheckBox()
        self._one_file.setObjectName("one_file")
        self._one_file.setToolTip(
            "Write every table into one file named after the schema, parents before children: "
            "one SQL file, or one workbook with a sheet per table (labels stay in "
            "<table>.cases.jsonl)"
        )
        self._one_file.setAccessibleName("All tables in one file")
        sql_form.addRow(self._one_file)
        return self._sql_group

    @staticmethod
    def _buddy(text: str, widget: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(widget)
        return label

    # ------------------------------------------------------------------ public API

    @property
    def dataset(self) -> Dataset | None:
        """The schema the panel generates for."""
        return self._dataset

    def apply_preferences(self, prefs: Preferences) -> None:
        """Take the defaults of ``prefs`` (priority, locale, format, folder, AI profile)."""
        self._set_combo_data(self._priority, prefs.default_priority.value)
        index = self._locale.findText(prefs.locale)
        if index < 0:
            self._locale.addItem(prefs.locale)
            index = self._locale.count() - 1
        self._locale.setCurrentIndex(index)
        self._set_combo_data(self._format, prefs.default_format.value)
        self._folder.setText(display_path(prefs.output_dir))

    def set_ai_available(self, available: bool, hint: str = "") -> None:
        """Enable the AI and hybrid providers, or disable them with ``hint`` (what to set up)."""
        self._ai_available = available
        hint = hint or _AI_HINT
        model = self._provider.model()
        assert isinstance(model, QStandardItemModel)  # noqa: S101 — set in _build
        for row in range(model.rowCount()):
            item = model.item(row)
            if item.data(Qt.ItemDataRole.UserRole) != ProviderKind.NULL.value:
                item.setEnabled(available)
                kind = ProviderKind(item.data(Qt.ItemDataRole.UserRole))
                item.setToolTip(_PROVIDER_TIPS[kind] if available else hint)
        if not available:
            self._provider.setCurrentIndex(0)
        self._ai_hint.setText(hint)
        self._ai_hint.setVisible(not available)

    @property
    def ai_available(self) -> bool:
        """Whether the AI and hybrid providers can be chosen."""
        return self._ai_available

    @property
    def provider(self) -> ProviderKind:
        """The provider chosen."""
        return ProviderKind(self._provider.currentData(Qt.ItemDataRole.UserRole))

    def set_provider(self, provider: ProviderKind) -> None:
        """Choose ``provider`` (ignored when it is not available)."""
        index = self._provider.findData(provider.value, Qt.ItemDataRole.UserRole)
        model = self._provider.model()
        if index >= 0 and model.flags(model.index(index, 0)) & Qt.ItemFlag.ItemIsEnabled:
            self._provider.setCurrentIndex(index)

    def set_dataset(self, dataset: Dataset | None) -> None:
        """Generate for ``dataset`` from now on (None: nothing loaded)."""
        self._dataset = dataset
        if dataset is None:
            self._schema_label.setText("No schema loaded yet.")
        else:
            count = len(dataset.tables)
            noun = "table" if count == 1 else "tables"
            self._schema_label.setText(f"{dataset.source.name} — {count} {noun}")
        self._fill_table_rows()
        self._update_state()

    def build_request(self) -> GenerationRequest:
        """The request for the current schema and options.

        Raises:
            UsageError: the options are not valid (the message says which).
            RuntimeError: no schema is loaded.
        """
        if self._dataset is None:
            raise RuntimeError("no schema is loaded")
        sql = self.output_format is ExportFormat.SQL
        return GenerationRequest(
            source=self._dataset.source,
            out_dir=self.output_dir,
            rows=self._rows.value(),
            table_rows=self._table_overrides(),
            cases=frozenset(self.case_kinds),
            format=self.output_format,
            seed=self._seed.value(),
            locale=self.locale_name,
            provider=ProviderKind(self._provider.currentData(Qt.ItemDataRole.UserRole)),
            label_columns=self._labels.isChecked(),
            max_cases=self.max_cases,
            pairwise=self._pairwise.isChecked(),
            dialect=self.dialect if sql else None,
            with_ddl=sql and self._with_ddl.isChecked(),
            one_file=self._joins_tables(),
            formula_guard=self._formula_guard.isChecked(),
        )

    def _joins_tables(self) -> bool:
        """Whether the tables go into one file (SQL or XLSX, with the box ticked)."""
        joinable = self.output_format in (ExportFormat.SQL, ExportFormat.XLSX)
        return joinable and self._one_file.isChecked()

    @property
    def output_format(self) -> ExportFormat:
        """The output format chosen."""
        return ExportFormat(self._format.currentData())

    @property
    def dialect(self) -> Dialect | None:
        """The SQL dialect chosen (None: the dialect of the source DDL, else SQLite)."""
        value = self._dialect.currentData()
        return Dialect(value) if value else None

    @property
    def max_cases(self) -> int | None:
        """The most boundary and invalid rows per table (None: no limit, or none ticked)."""
        if not self._max_cases.isEnabled():
            return None
        return self._max_cases.value() or None

    @property
    def priority(self) -> Priority:
        """The priority chosen for the next job."""
        return Priority(self._priority.currentData())

    @property
    def case_kinds(self) -> list[CaseKind]:
        """The case kinds ticked."""
        return [kind for kind, box in self._case_boxes.items() if box.isChecked()]

    @property
    def locale_name(self) -> str:
        """The Faker locale chosen (``en_US`` …)."""
        return self._locale.currentText()

    @property
    def seed(self) -> int:
        """The seed."""
        return self._seed.value()

    @property
    def output_dir(self) -> Path:
        """The output folder (``~`` expanded)."""
        return Path(self._folder.text().strip()).expanduser()

    def set_rows(self, rows: int) -> None:
        """Set the rows per table."""
        self._rows.setValue(rows)

    def set_case_kinds(self, kinds: set[CaseKind]) -> None:
        """Tick exactly ``kinds``."""
        for kind, box in self._case_boxes.items():
            box.setChecked(kind in kinds)

    def set_output_dir(self, folder: Path) -> None:
        """Write to ``folder``."""
        self._folder.setText(display_path(folder))

    def set_format(self, fmt: ExportFormat) -> None:
        """Write ``fmt`` files."""
        self._set_combo_data(self._format, fmt.value)

    def set_seed(self, seed: int) -> None:
        """Use ``seed``."""
        self._seed.setValue(seed)

    def set_sql_options(
        self, dialect: Dialect | None, *, with_ddl: bool = False, one_file: bool = False
    ) -> None:
        """Choose the SQL dialect (None: as the source DDL), CREATE TABLE and one file."""
        self._set_combo_data(self._dialect, dialect.value if dialect is not None else _AS_SOURCE)
        self._with_ddl.setChecked(with_ddl)
        self._one_file.setChecked(one_file)

    def set_max_cases(self, count: int | None) -> None:
        """At most ``count`` boundary and invalid rows per table (None or 0: no limit)."""
        self._max_cases.setValue(min(count or 0, MAX_CASES))

    def project_settings(self) -> ProjectSettings:
        """The panel's options as a project's generation settings (no folder, no priority)."""
        return ProjectSettings(
            rows=self._rows.value(),
            table_rows=self._table_overrides(),
            seed=self._seed.value(),
            locale=self.locale_name,
            cases=frozenset(self.case_kinds) or frozenset({CaseKind.VALID}),
            format=self.output_format,
            provider=self.provider,
            pairwise=self._pairwise.isChecked(),
            max_cases=self._max_cases.value() or None,
            label_columns=self._labels.isChecked(),
            dialect=self.dialect,
            with_ddl=self._with_ddl.isChecked(),
            # one file only for SQL and XLSX: a project stays valid for `tdgen generate`
            one_file=self._joins_tables(),
            formula_guard=self._formula_guard.isChecked(),
        )

    def apply_project_settings(self, settings: ProjectSettings) -> None:
        """Take a project's saved options (call after :meth:`set_dataset`)."""
        self._rows.setValue(settings.rows)
        for row in range(self._table_rows.rowCount()):
            spin = self._table_rows.cellWidget(row, 1)
            item = self._table_rows.item(row, 0)
            if isinstance(spin, QSpinBox) and item is not None:
                count = settings.table_rows.get(item.text())
                if count is not None:
                    spin.setValue(count)
                    spin.setProperty("overridden", True)
        self.set_seed(settings.seed)
        index = self._locale.findText(settings.locale)
        if index < 0:
            self._locale.addItem(settings.locale)
            index = self._locale.count() - 1
        self._locale.setCurrentIndex(index)
        self.set_case_kinds(set(settings.cases))
        self.set_format(settings.format)
        self.set_provider(settings.provider)
        self._pairwise.setChecked(settings.pairwise)
        self._labels.setChecked(settings.label_columns)
        self._formula_guard.setChecked(settings.formula_guard)
        self.set_max_cases(settings.max_cases)
        self.set_sql_options(
            settings.dialect, with_ddl=settings.with_ddl, one_file=settings.one_file
        )

    def can_generate(self) -> bool:
        """Whether Generate is enabled."""
        return self._generate.isEnabled()

    def focus_rows(self) -> None:
        """Put the keyboard focus in the rows box (the start of the panel's tab order)."""
        self._rows.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._rows.selectAll()

    # ------------------------------------------------------------------ internals

    @staticmethod
    def _set_combo_data(combo: QComboBox, value: str) -> None:
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)

    def _fill_table_rows(self) -> None:
        tables = self._dataset.tables if self._dataset is not None else []
        self._table_rows.setRowCount(len(tables))
        for row, table in enumerate(tables):
            name = QTableWidgetItem(table.name)
            name.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self._table_rows.setItem(row, 0, name)
            spin = QSpinBox()
            spin.setRange(0, MAX_ROWS)
            spin.setGroupSeparatorShown(True)
            spin.setValue(self._rows.value())
            spin.setProperty("overridden", False)
            spin.setAccessibleName(f"Rows of {table.name}")
            spin.setToolTip(f"Valid rows of table {table.name}")
            spin.valueChanged.connect(self.on_table_rows_value_changed)
            self._table_rows.setCellWidget(row, 1, spin)
        self._table_rows.setVisible(len(tables) > 1)

    def _table_overrides(self) -> dict[str, int]:
        overrides: dict[str, int] = {}
        for row in range(self._table_rows.rowCount()):
            spin = self._table_rows.cellWidget(row, 1)
            item = self._table_rows.item(row, 0)
            if isinstance(spin, QSpinBox) and item is not None and spin.property("overridden"):
                overrides[item.text()] = spin.value()
        return overrides

    def _update_state(self) -> None:
        problem = ""
        if self._dataset is None:
            problem = "Load a schema to generate data."
        elif not self.case_kinds:
            problem = "Tick at least one case kind: valid, boundary or invalid."
        elif not self._folder.text().strip():
            problem = "Choose an output folder."
        self._problem.setText(problem)
        self._problem.setVisible(bool(problem))
        kinds = set(self.case_kinds)
        self._max_cases_row.setEnabled(bool(kinds & {CaseKind.BOUNDARY, CaseKind.INVALID}))
        fmt = self.output_format
        self._sql_group.setVisible(fmt in (ExportFormat.SQL, ExportFormat.XLSX))
        self._sql_group.setTitle("Excel output" if fmt is ExportFormat.XLSX else "SQL output")
        self._sql_form.setRowVisible(self._dialect, fmt is ExportFormat.SQL)
        self._sql_form.setRowVisible(self._with_ddl, fmt is ExportFormat.SQL)
        extension = "xlsx" if fmt is ExportFormat.XLSX else "sql"
        source = self._dataset.source if self._dataset is not None else None
        name = one_file_name(source, extension) if source is not None else f"<schema>.{extension}"
        self._one_file.setText(f"All tables in one file ({name})")
        self._generate.setEnabled(not problem)
        self._show_prompts.setEnabled(self._dataset is not None and not problem)

    # ------------------------------------------------------------------ slots

    @Slot(int)
    def on_rows_value_changed(self, value: int) -> None:
        """Carry the rows per table to the tables not set one by one."""
        for row in range(self._table_rows.rowCount()):
            spin = self._table_rows.cellWidget(row, 1)
            if isinstance(spin, QSpinBox) and not spin.property("overridden"):
                spin.blockSignals(True)
                spin.setValue(value)
                spin.blockSignals(False)

    @Slot(int)
    def on_table_rows_value_changed(self, _value: int) -> None:
        """A table's own row count was set: it no longer follows the rows per table."""
        spin = self.sender()
        if isinstance(spin, QSpinBox):
            spin.setProperty("overridden", True)

    @Slot(bool)
    def on_case_box_toggled(self, _checked: bool) -> None:
        """Re-check whether Generate is possible."""
        self._update_state()

    @Slot(int)
    def on_format_current_index_changed(self, _index: int) -> None:
        """Show the SQL options only while the format is SQL."""
        self._update_state()

    @Slot(str)
    def on_folder_text_changed(self, _text: str) -> None:
        """Re-check whether Generate is possible."""
        self._update_state()

    @Slot(int)
    def on_seed_value_changed(self, value: int) -> None:
        """Announce the new seed (the field editor's samples use it)."""
        self.sampling_changed.emit(self.locale_name, value)

    @Slot(str)
    def on_locale_current_text_changed(self, text: str) -> None:
        """Announce the new locale."""
        self.sampling_changed.emit(text, self.seed)

    @Slot()
    def on_new_seed_clicked(self) -> None:
        """Draw a new seed."""
        self._seed.setValue(secrets.randbelow(MAX_SEED + 1))

    @Slot()
    def on_browse_clicked(self) -> None:
        """Choose the output folder."""
        folder = QFileDialog.getExistingDirectory(self, "Output folder", self._folder.text())
        if folder:
            self._folder.setText(folder)

    def show_prompts(self) -> PromptPreviewDialog:
        """Open a window with the exact prompts a job with these options would send."""
        title = self._dataset.source.name if self._dataset is not None else ""
        try:
            request = self.build_request()
            if request.provider is ProviderKind.NULL:
                request = dataclasses.replace(request, provider=ProviderKind.HYBRID)
            from tdgen_desktop.generation.ai import preview_prompts  # noqa: PLC0415

            prompts = preview_prompts(request, copy.deepcopy(self._dataset))
            text = prompts_text(request.provider, prompts)
        except (TdgenError, RuntimeError) as error:
            text = f"The prompts cannot be built: {error}"
        dialog = PromptPreviewDialog(title, text, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    @Slot()
    def on_show_prompts_clicked(self) -> None:
        """Show the prompts."""
        self.show_prompts()

    @Slot()
    def on_generate_clicked(self) -> None:
        """Ask the window to queue a job."""
        if self._generate.isEnabled():
            self.generate_requested.emit()
