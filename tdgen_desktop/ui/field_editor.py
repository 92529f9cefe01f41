"""The field editor: how the values of the selected field are made.

It offers a searchable list of generators (the semantic kinds that fit the field's type) with
live sample values, the share of nulls, uniqueness, the bounds and, for a field with allowed
values (an enum), the weight of each value in valid rows. Input is validated as it is typed;
a valid change is not applied here but requested with ``edit_requested`` — the window turns it
into an undoable command and calls :meth:`FieldEditor.refresh` when the model changed.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tdgen_desktop.core.enums import FieldType
from tdgen_desktop.core.errors import SchemaError
from tdgen_desktop.core.model import Field, check_enum_weights
from tdgen_desktop.generation.semantics import KINDS
from tdgen_desktop.ui.samples import SampleService
from tdgen_desktop.ui.schema_tree import SchemaNode

__all__ = ["AUTOMATIC", "FieldEditor"]

AUTOMATIC = "Automatic"
"""The generator entry that clears the user's choice."""

_KIND_ROLE = Qt.ItemDataRole.UserRole + 1
_WEIGHT_HEADERS = ("Value", "Weight", "Share")
_NUMERIC = (FieldType.INTEGER, FieldType.NUMBER)
_KINDS_MIN_HEIGHT = 132
"""The generator list shows about nine generators at least; on a taller editor it grows."""
_EMPTY_TEXT = (
    "Select a field in the schema tree to choose its generator, nulls, uniqueness and bounds."
)


def _parse_weight(text: str) -> float | None:
    """A typed weight: a finite number ≥ 0, or None when it is not one."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _fits(kind_types: tuple[FieldType, ...], field: Field) -> bool:
    return field.type in kind_types or (field.type is FieldType.ANY and bool(kind_types))


def _number_text(value: int | float | None) -> str:
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


class _BoundEdit(QLineEdit):
    """A line edit for an optional bound; marks itself invalid through a dynamic property."""

    def set_invalid(self, invalid: bool) -> None:
        if bool(self.property("invalid")) != invalid:
            self.setProperty("invalid", invalid)
            self.style().unpolish(self)
            self.style().polish(self)


class FieldEditor(QWidget):
    """Edits the generator, nulls, uniqueness, bounds and enum weights of one field.

    Signals:
        edit_requested(object, str, str, object): the field, its dotted path, the attribute
            (see :data:`~tdgen_desktop.ui.commands.EDITABLE_ATTRIBUTES`) and its new value; the
            input has been validated.

    Args:
        samples: makes the live sample values.
        parent: the Qt parent.
    """

    edit_requested = Signal(object, str, str, object)

    def __init__(self, samples: SampleService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._samples = samples
        self._node: SchemaNode | None = None
        self._locale = "en_US"
        self._seed = 0
        self._updating = False
        self._weights_for: Field | None = None
        self.setObjectName("field_editor")
        self.setAccessibleName("Field editor")
        samples.samples_ready.connect(self.on_samples_samples_ready)

        self._pages = QStackedWidget(self)
        empty = QLabel(_EMPTY_TEXT)
        empty.setObjectName("field_editor_empty")
        empty.setWordWrap(True)
        empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty.setAccessibleName("No field selected")
        self._empty = empty
        self._pages.addWidget(empty)
        self._pages.addWidget(self._build_form())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self._pages)

    # ------------------------------------------------------------------ construction

    def _build_form(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)

        self._title = QLabel()
        self._title.setObjectName("field_title")
        self._title.setTextFormat(Qt.TextFormat.PlainText)
        self._title.setWordWrap(True)
        font = self._title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self._title.setFont(font)
        self._subtitle = QLabel()
        self._subtitle.setObjectName("field_subtitle")
        self._subtitle.setWordWrap(True)
        self._subtitle.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self._title)
        layout.addWidget(self._subtitle)
        # The generator list takes the height there is: on a tall screen more generators show
        # without scrolling, and the values form stays right below.
        layout.addWidget(self._build_generator_group(), 1)
        layout.addWidget(self._build_values_group())
        return page

    def _build_generator_group(self) -> QGroupBox:
        generator = QGroupBox("Generator")
        generator.setObjectName("generator_group")
        generator_layout = QVBoxLayout(generator)
        self._search = QLineEdit()
        self._search.setObjectName("generator_search")
        self._search.setPlaceholderText("Search generators…")
        self._search.setClearButtonEnabled(True)
        self._search.setToolTip("Type to filter the generators by name")
        self._search.setAccessibleName("Search generators")
        self._search.textChanged.connect(self.on_search_text_changed)
        generator.setFocusProxy(self._search)
        self._kinds = QListWidget()
        self._kinds.setObjectName("generator_list")
        self._kinds.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._kinds.setToolTip(
            "What the values mean. Automatic uses the kind inferred from the field's name, "
            "format and description."
        )
        self._kinds.setAccessibleName("Generators")
        self._kinds.setMinimumHeight(_KINDS_MIN_HEIGHT)
        # No preferred height of its own: nine rows on a small screen, the room there is on a
        # tall one (the values form stays right below, with no gap).
        policy = self._kinds.sizePolicy()
        policy.setVerticalPolicy(QSizePolicy.Policy.Ignored)
        self._kinds.setSizePolicy(policy)
        self._kinds.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._kinds.setTextElideMode(Qt.TextElideMode.ElideRight)
        self._kinds.currentItemChanged.connect(self.on_kinds_current_item_changed)
        self._kind_note = QLabel()
        self._kind_note.setObjectName("generator_note")
        self._kind_note.setWordWrap(True)
        self._samples_label = QLabel()
        self._samples_label.setObjectName("samples_label")
        self._samples_label.setTextFormat(Qt.TextFormat.PlainText)
        self._samples_label.setSizePolicy(
            QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred
        )  # long samples are cut at the edge instead of widening the editor
        self._samples_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._samples_label.setToolTip("Values this field would get (made with the current seed)")
        self._samples_label.setAccessibleName("Sample values")
        generator_layout.addWidget(self._search)
        generator_layout.addWidget(self._kinds, 1)
        generator_layout.addWidget(self._kind_note)
        generator_layout.addWidget(QLabel("Samples:"))
        generator_layout.addWidget(self._samples_label)
        return generator

    def _build_values_group(self) -> QGroupBox:  # noqa: PLR0915 — one form, top to bottom
        values = QGroupBox("Values")
        values.setObjectName("values_group")
        form = QFormLayout(values)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self._nulls = QSpinBox()
        self._nulls.setObjectName("null_ratio")
        self._nulls.setRange(0, 100)
        self._nulls.setSuffix(" %")
        self._nulls.setAccessibleName("Null percentage")
        self._nulls.setToolTip("Share of valid rows that get null")
        self._nulls.valueChanged.connect(self.on_nulls_value_changed)
        values.setFocusProxy(self._nulls)
        self._unique = QCheckBox("Unique (no repeats)")
        self._unique.setObjectName("unique")
        self._unique.setToolTip("Unique: every row gets a different value")
        self._unique.setAccessibleName("Unique")
        self._unique.toggled.connect(self.on_unique_toggled)
        self._min_edit = _BoundEdit()
        self._min_edit.setObjectName("minimum")
        self._min_edit.setAccessibleName("Minimum")
        self._min_edit.textEdited.connect(self.on_min_edit_text_edited)
        self._max_edit = _BoundEdit()
        self._max_edit.setObjectName("maximum")
        self._max_edit.setAccessibleName("Maximum")
        self._max_edit.textEdited.connect(self.on_max_edit_text_edited)
        for edit in (self._min_edit, self._max_edit):
            edit.setToolTip("Smallest / largest value (empty: no bound)")
            edit.setClearButtonEnabled(True)
            edit.setPlaceholderText("none")
        self._min_label = QLabel("Minim&um:")
        self._min_edit.setMinimumWidth(80)
        self._max_edit.setMinimumWidth(80)
        self._min_label.setBuddy(self._min_edit)
        self._max_label = QLabel("Ma&ximum:")
        self._max_label.setBuddy(self._max_edit)
        nulls_label = QLabel("&Nulls:")
        nulls_label.setBuddy(self._nulls)
        form.addRow(nulls_label, self._nulls)
        form.addRow("", self._unique)
        form.addRow(self._min_label, self._min_edit)
        form.addRow(self._max_label, self._max_edit)
        self._enum_table = QTableWidget(0, len(_WEIGHT_HEADERS))
        self._enum_table.setObjectName("enum_values")
        self._enum_table.setHorizontalHeaderLabels(list(_WEIGHT_HEADERS))
        self._enum_table.verticalHeader().setVisible(False)
        self._enum_table.verticalHeader().setDefaultSectionSize(26)
        header = self._enum_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(1, 64)
        self._enum_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._enum_table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self._enum_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self._enum_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._enum_table.setMaximumHeight(150)
        self._enum_table.setToolTip(
            "The allowed values and how often each comes in valid rows: weights are relative "
            "(2 is twice as likely as 1; 0 never). Boundary cases still use every value."
        )
        self._enum_table.setAccessibleName("Allowed values and their weights")
        self._equal_weights = QToolButton()
        self._equal_weights.setObjectName("equal_weights")
        self._equal_weights.setText("Equal")
        self._equal_weights.setToolTip("Make every allowed value equally likely again")
        self._equal_weights.setAccessibleName("Equal weights")
        self._equal_weights.clicked.connect(self.on_equal_weights_clicked)
        self._enum_label = QLabel("Allowed values and their weights in valid rows:")
        self._enum_label.setWordWrap(True)
        enum_box = QWidget()
        enum_layout = QVBoxLayout(enum_box)
        enum_layout.setContentsMargins(0, 0, 0, 0)
        enum_layout.addWidget(self._enum_table)
        enum_layout.addWidget(self._equal_weights, 0, Qt.AlignmentFlag.AlignRight)
        self._enum_box = enum_box
        form.addRow(self._enum_label)
        form.addRow(enum_box)
        self._error = QLabel()
        self._error.setObjectName("field_error")
        self._error.setWordWrap(True)
        self._error.setTextFormat(Qt.TextFormat.PlainText)
        self._error.setAccessibleName("Input problem")
        form.addRow(self._error)
        return values

    # ------------------------------------------------------------------ public API

    @property
    def node(self) -> SchemaNode | None:
        """The field shown, or None."""
        return self._node if self._node is not None and self._node.field is not None else None

    def set_sampling(self, locale: str, seed: int) -> None:
        """Make samples with this locale and seed from now on."""
        if (locale, seed) != (self._locale, self._seed):
            self._locale, self._seed = locale, seed
            self._request_samples()

    def show_node(self, node: SchemaNode | None) -> None:
        """Show the field of ``node`` (or the hint when it is not a field)."""
        self._node = node if node is not None and node.field is not None else None
        if self._node is None:
            self._pages.setCurrentIndex(0)
            return
        self._pages.setCurrentIndex(1)
        self._search.clear()
        self._fill_kinds()
        self.refresh()

    def refresh(self) -> None:
        """Show the current values of the field again (after an edit, an undo or a redo)."""
        node = self.node
        if node is None or node.field is None:
            return
        field = node.field
        self._updating = True
        try:
            self._title.setText(f"{node.table.name if node.table else ''}.{node.path}")
            flags = [field.sql_type or field.type.value]
            flags.append("required" if field.required else "optional")
            if field.nullable:
                flags.append("nullable")
            if field.description:
                flags.append(field.description)
            self._subtitle.setText(" · ".join(flags))
            self._select_kind(field.generator)
            self._nulls.setValue(round(field.null_ratio * 100) if field.nullable else 0)
            self._nulls.setEnabled(field.nullable)
            self._nulls.setToolTip(
                "Share of valid rows that get null"
                if field.nullable
                else "The schema does not allow null for this field"
            )
            self._unique.setChecked(field.unique)
            self._show_bounds(field)
            self._show_weights(field)
        finally:
            self._updating = False
        self._request_samples()

    def weight_edits(self) -> list[QLineEdit]:
        """The weight boxes of the allowed values, in order (tests)."""
        return list(self._weight_edits())

    def _weight_edits(self) -> list[_BoundEdit]:
        edits = [self._enum_table.cellWidget(r, 1) for r in range(self._enum_table.rowCount())]
        return [e for e in edits if isinstance(e, _BoundEdit)]

    def samples_text(self) -> str:
        """The sample values shown (tests)."""
        return self._samples_label.text()

    # ------------------------------------------------------------------ internals

    def _fill_kinds(self) -> None:
        node = self.node
        if node is None or node.field is None:
            return
        field = node.field
        self._updating = True
        try:
            self._kinds.clear()
            inferred = KINDS.get(field.semantic or "")
            auto = QListWidgetItem(
                f"{AUTOMATIC} — {inferred.label if inferred else 'from the type and constraints'}"
            )
            auto.setData(_KIND_ROLE, None)
            auto.setToolTip("Use the kind tdgen inferred for this field")
            self._kinds.addItem(auto)
            for kind in sorted(KINDS.values(), key=lambda k: k.label.lower()):
                if _fits(kind.types, field) or kind.key == field.generator:
                    item = QListWidgetItem(f"{kind.label}  ({kind.key})")
                    item.setData(_KIND_ROLE, kind.key)
                    self._kinds.addItem(item)
        finally:
            self._updating = False
        fixed = field.constraints.enum is not None or field.constraints.has_const
        self._kinds.setEnabled(not fixed)
        self._search.setEnabled(not fixed)
        self._kind_note.setText(
            "The values come from the schema's allowed values; the generator does not apply."
            if fixed
            else ""
        )
        self._kind_note.setVisible(fixed)

    def _select_kind(self, key: str | None) -> None:
        for row in range(self._kinds.count()):
            item = self._kinds.item(row)
            if item.data(_KIND_ROLE) == key:
                self._kinds.setCurrentItem(item)
                return

    def _show_bounds(self, field: Field) -> None:
        c = field.constraints
        numeric = field.type in _NUMERIC
        text = field.type is FieldType.STRING
        for widget in (self._min_label, self._min_edit, self._max_label, self._max_edit):
            widget.setVisible(numeric or text)
        if numeric:
            self._min_label.setText("Minim&um:")
            self._max_label.setText("Ma&ximum:")
            low, high = _number_text(c.minimum), _number_text(c.maximum)
            tip = "Smallest / largest value (empty: no bound)"
        else:
            self._min_label.setText("Minim&um length:")
            self._max_label.setText("Ma&ximum length:")
            low = "" if c.min_length is None else str(c.min_length)
            high = "" if c.max_length is None else str(c.max_length)
            tip = "Shortest / longest text in characters (empty: no limit)"
        for edit, value in ((self._min_edit, low), (self._max_edit, high)):
            if edit.text() != value:
                edit.setText(value)
            edit.setToolTip(tip)
            edit.setAccessibleName(
                ("Minimum" if edit is self._min_edit else "Maximum") + (" length" if text else "")
            )
        self._validate_bounds(apply=False)

    def _show_weights(self, field: Field) -> None:
        """Fill the allowed values with their weights (a typed text that means the same stays)."""
        enum = field.constraints.enum
        self._enum_table.setVisible(enum is not None)
        self._enum_box.setVisible(enum is not None)
        self._enum_label.setVisible(enum is not None)
        if enum is None:
            self._enum_table.setRowCount(0)
            return
        weights = field.enum_weights or (1.0,) * len(enum)
        if self._enum_table.rowCount() != len(enum) or self._weights_for is not field:
            self._build_weight_rows(enum)
            self._weights_for = field
        for row, (value, weight) in enumerate(zip(enum, weights, strict=True)):
            edit = self._enum_table.cellWidget(row, 1)
            if isinstance(edit, _BoundEdit) and _parse_weight(edit.text()) != weight:
                edit.setText(_number_text(int(weight) if weight.is_integer() else weight))
            item = self._enum_table.item(row, 0)
            if item is not None:
                item.setText(repr(value))
        self._equal_weights.setEnabled(field.enum_weights is not None)
        self._validate_weights(apply=False)

    def _build_weight_rows(self, enum: tuple[Any, ...]) -> None:
        self._enum_table.setRowCount(len(enum))
        for row, value in enumerate(enum):
            item = QTableWidgetItem(repr(value))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setToolTip(repr(value))
            self._enum_table.setItem(row, 0, item)
            edit = _BoundEdit()
            edit.setFrame(False)
            edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            edit.setAccessibleName(f"Weight of {value!r}")
            edit.setToolTip(f"How often {value!r} comes in valid rows, relative to the others")
            edit.textEdited.connect(self.on_weight_text_edited)
            self._enum_table.setCellWidget(row, 1, edit)
            share = QTableWidgetItem()
            share.setFlags(Qt.ItemFlag.ItemIsEnabled)
            share.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self._enum_table.setItem(row, 2, share)

    def _validate_weights(self, *, apply: bool) -> None:
        """Check the typed weights; show each value's share; ask for them when valid."""
        node = self.node
        if node is None or node.field is None or node.field.constraints.enum is None:
            return
        field = node.field
        edits = self._weight_edits()
        parsed = [_parse_weight(e.text()) for e in edits]
        problem = ""
        for edit, value in zip(edits, parsed, strict=True):
            edit.set_invalid(value is None)
            if value is None and not problem:
                problem = f"weight '{edit.text().strip()}' is not a number ≥ 0"
        weights: tuple[float, ...] | None = None
        if not problem:
            try:
                weights = check_enum_weights(field.constraints.enum, parsed)
            except SchemaError as error:
                problem = error.problem
        total = sum(weights) if weights else 0.0
        for row in range(self._enum_table.rowCount()):
            share = self._enum_table.item(row, 2)
            if share is not None:
                share.setText(f"{weights[row] / total * 100:.0f} %" if weights else "—")
        self._error.setText(problem)
        self._error.setVisible(bool(problem))
        if not apply or problem or weights is None:
            return
        wanted = None if len(set(weights)) == 1 else weights
        if wanted != field.enum_weights:
            self._request("enum_weights", wanted)

    def _parse_bound(self, text: str, field: Field) -> tuple[bool, int | float | None, str]:
        """(ok, value, problem) for the text of a bound."""
        text = text.strip()
        if not text:
            return True, None, ""
        if field.type is FieldType.NUMBER:
            try:
                value: int | float = float(text)
            except ValueError:
                return False, None, f"'{text}' is not a number"
            if value != value or value in {float("inf"), float("-inf")}:  # noqa: PLR0124 — NaN
                return False, None, "a bound must be a finite number"
            return True, int(value) if value.is_integer() and "." not in text else value, ""
        try:
            whole = int(text)
        except ValueError:
            kind = "length" if field.type is FieldType.STRING else "whole number"
            return False, None, f"'{text}' is not a {kind}"
        if field.type is FieldType.STRING and whole < 0:
            return False, None, "a length cannot be negative"
        return True, whole, ""

    def _validate_bounds(self, *, apply: bool, edited: _BoundEdit | None = None) -> None:
        node = self.node
        if node is None or node.field is None:
            return
        field = node.field
        ok_low, low, problem_low = self._parse_bound(self._min_edit.text(), field)
        ok_high, high, problem_high = self._parse_bound(self._max_edit.text(), field)
        self._min_edit.set_invalid(not ok_low)
        self._max_edit.set_invalid(not ok_high)
        problem = problem_low or problem_high
        if ok_low and ok_high and low is not None and high is not None and low > high:
            problem = f"the minimum {low} is greater than the maximum {high}"
            if edited is not None:
                edited.set_invalid(True)
        self._error.setText(problem)
        self._error.setVisible(bool(problem))
        if not apply or problem or edited is None:
            return
        numeric = field.type in _NUMERIC
        if edited is self._min_edit:
            attribute = "constraints.minimum" if numeric else "constraints.min_length"
            value = low
        else:
            attribute = "constraints.maximum" if numeric else "constraints.max_length"
            value = high
        self._request(attribute, value)

    def _request(self, attribute: str, value: Any) -> None:
        node = self.node
        if self._updating or node is None or node.field is None:
            return
        self.edit_requested.emit(node.field, node.path, attribute, value)

    def _request_samples(self) -> None:
        node = self.node
        if node is None or node.field is None:
            return
        self._samples_label.setText("…")
        self._samples.request(node.field, self._locale, self._seed)

    # ------------------------------------------------------------------ slots

    @Slot(str)
    def on_search_text_changed(self, text: str) -> None:
        """Show only the generators whose name contains the text."""
        needle = text.strip().lower()
        first_visible: QListWidgetItem | None = None
        for row in range(self._kinds.count()):
            item = self._kinds.item(row)
            hidden = bool(needle) and needle not in item.text().lower()
            item.setHidden(hidden)
            if not hidden and first_visible is None:
                first_visible = item
        current = self._kinds.currentItem()
        if current is not None and current.isHidden() and first_visible is not None:
            self._kinds.scrollToItem(first_visible)

    @Slot(QListWidgetItem, QListWidgetItem)
    def on_kinds_current_item_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        """Ask for the chosen generator."""
        node = self.node
        if current is None or node is None or node.field is None:
            return
        key = current.data(_KIND_ROLE)
        if key != node.field.generator:
            self._request("generator", key)

    @Slot(int)
    def on_nulls_value_changed(self, value: int) -> None:
        """Ask for the new null ratio."""
        node = self.node
        if node is not None and node.field is not None and node.field.nullable:
            ratio = value / 100
            if abs(ratio - node.field.null_ratio) > 1e-9:
                self._request("null_ratio", ratio)

    @Slot(bool)
    def on_unique_toggled(self, checked: bool) -> None:
        """Ask for the new uniqueness."""
        self._request("unique", checked)

    @Slot(str)
    def on_min_edit_text_edited(self, _text: str) -> None:
        """Validate the bounds; ask for the new minimum when valid."""
        self._validate_bounds(apply=True, edited=self._min_edit)

    @Slot(str)
    def on_max_edit_text_edited(self, _text: str) -> None:
        """Validate the bounds; ask for the new maximum when valid."""
        self._validate_bounds(apply=True, edited=self._max_edit)

    @Slot(str)
    def on_weight_text_edited(self, _text: str) -> None:
        """Validate the weights; ask for them when valid."""
        self._validate_weights(apply=True)

    @Slot()
    def on_equal_weights_clicked(self) -> None:
        """Make every allowed value equally likely."""
        node = self.node
        if node is not None and node.field is not None and node.field.enum_weights is not None:
            self._request("enum_weights", None)

    @Slot(int, object, str)
    def on_samples_samples_ready(self, token: int, texts: object, error: str) -> None:
        """Show the samples of the newest request."""
        if token != self._samples.latest_token:
            return
        if error:
            self._samples_label.setText(f"⚠ {error}")
        elif isinstance(texts, list):
            self._samples_label.setText("\n".join(str(t) for t in texts))
