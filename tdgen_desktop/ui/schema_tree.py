"""The schema tree: loaded files, their tables and fields with type, kind, null %, unique, rules.

Each field row shows what generation will do with it: its type, the semantic kind in effect
(a user's choice is marked), the share of nulls, uniqueness, and its constraints; a foreign key
shows an arrow to the column it references (``→ customer.id``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from tdgen_desktop.core.enums import SourceFormat
from tdgen_desktop.core.model import Dataset, Field, Table

__all__ = ["FORMAT_NAMES", "SchemaColumn", "SchemaNode", "SchemaTree", "plural"]

FORMAT_NAMES = {
    SourceFormat.JSONSCHEMA: "JSON Schema",
    SourceFormat.OPENAPI: "OpenAPI",
    SourceFormat.SQL: "SQL DDL",
    SourceFormat.SAMPLE: "Sample data",
    SourceFormat.PROJECT: "tdgen project",
}

_HEADERS = ("Name", "Type", "Semantic kind", "Null %", "Unique", "Constraints")
_HEADER_TIPS = {
    0: "Files, their tables and fields (drag the column edges to resize)",
    1: "The field's type (SQL type for DDL); | null when null is allowed",
    2: "What makes the values: inferred from name, format and type, or chosen",
    3: "Share of valid rows that are null",
    4: "✓: no value repeats",
    5: "Bounds, lengths, patterns, formats, enums, foreign keys (hover for all of it)",
}


class SchemaColumn:
    """The tree's columns."""

    NAME = 0
    TYPE = 1
    KIND = 2
    NULLS = 3
    UNIQUE = 4
    DETAILS = 5


_COLUMN_LIMITS = {
    SchemaColumn.NAME: 220,
    SchemaColumn.TYPE: 130,
    SchemaColumn.KIND: 160,
    SchemaColumn.NULLS: 58,
    SchemaColumn.UNIQUE: 58,
}
"""The widest each column before Constraints gets when it is fitted to its contents."""

_SHRINK_ORDER = ((SchemaColumn.KIND, 90), (SchemaColumn.TYPE, 80), (SchemaColumn.NAME, 140))
"""Who gives up width first for Constraints, and down to how much."""
_DETAILS_SHARE = 0.3
"""At least this share of the tree's width is left to the Constraints column."""

_ASSUMED_VIEW = 560
"""The view width assumed before the tree is laid out (the window's default size)."""

_MAX_FIELD_DEPTH = 12
_EXPAND_TABLES_UP_TO = 5
_NODE_ROLE = Qt.ItemDataRole.UserRole + 1


def plural(count: int, noun: str) -> str:
    """``1 table``, ``2 tables``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@dataclass(frozen=True, slots=True, eq=False)
class SchemaNode:
    """What a tree item stands for: a file, a table of it, or a field of a table."""

    key: Path
    dataset: Dataset
    table: Table | None = None
    field: Field | None = None
    path: str = ""
    """The field's dotted path inside its table (``address.city``)."""


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    """The child items of ``item``."""
    return [child for i in range(item.childCount()) if (child := item.child(i)) is not None]


def _references(table: Table) -> dict[str, str]:
    """Field name → ``table.column`` it references, from the table's foreign keys."""
    refs: dict[str, str] = {}
    for fk in table.foreign_keys:
        for column, target in zip(fk.columns, fk.ref_columns, strict=False):
            refs[column] = f"{fk.ref_table}.{target}"
    return refs


class SchemaTree(QTreeWidget):
    """The tree of loaded schema files → tables → fields.

    Signals:
        node_selected(object): the current item changed; a :class:`SchemaNode` or None.
    """

    node_selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._file_items: dict[Path, QTreeWidgetItem] = {}
        self._field_items: dict[int, QTreeWidgetItem] = {}
        self.setObjectName("schema_tree")
        self.setColumnCount(len(_HEADERS))
        self.setHeaderLabels(list(_HEADERS))
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Constraints takes the rest of the width and elides; the other columns can be resized.
        header.setSectionResizeMode(SchemaColumn.DETAILS, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._auto_fit = True
        self._fitting = False
        header.sectionResized.connect(self.on_header_section_resized)
        header_item = self.headerItem()
        for column, tip in _HEADER_TIPS.items():
            header_item.setToolTip(column, tip)
        self.setToolTip(
            "Loaded schema files, their tables and fields. Select a field to edit how its "
            "values are made."
        )
        self.setAccessibleName("Schema tree")
        self.setAccessibleDescription(
            "Tree of loaded files; each file lists its tables, each table its fields with type, "
            "semantic kind, null percentage, uniqueness and constraints"
        )
        self.currentItemChanged.connect(self.on_tree_current_item_changed)

    # ------------------------------------------------------------------ content

    def show_dataset(self, key: Path, dataset: Dataset) -> None:
        """Add a loaded file, replacing an earlier load of the same file, and select it."""
        item = QTreeWidgetItem()
        item.setData(SchemaColumn.NAME, _NODE_ROLE, SchemaNode(key, dataset))
        item.setText(SchemaColumn.NAME, key.name)
        item.setText(SchemaColumn.TYPE, FORMAT_NAMES.get(dataset.format, str(dataset.format.value)))
        details = [plural(len(dataset.tables), "table")]
        tip = str(key)
        if dataset.notices:
            details.append(plural(len(dataset.notices), "notice"))
            tip += "\n\nNotices:\n" + "\n".join(f"• {n}" for n in dataset.notices[:30])
        item.setText(SchemaColumn.DETAILS, " · ".join(details))
        item.setToolTip(SchemaColumn.NAME, tip)
        item.setToolTip(SchemaColumn.DETAILS, tip)
        bold = QFont(self.font())
        bold.setBold(True)
        item.setFont(SchemaColumn.NAME, bold)
        table_items = [self._table_item(key, dataset, table) for table in dataset.tables]
        item.addChildren(table_items)

        old = self._file_items.pop(key, None)
        index = self.indexOfTopLevelItem(old) if old is not None else -1
        if old is not None:
            self._forget_fields(old)
        if index >= 0:
            self.takeTopLevelItem(index)
            self.insertTopLevelItem(index, item)
        else:
            self.addTopLevelItem(item)
        self._file_items[key] = item
        item.setExpanded(True)
        if len(dataset.tables) <= _EXPAND_TABLES_UP_TO:
            for table_item in table_items:
                table_item.setExpanded(True)
        self._fit_columns()
        self.setCurrentItem(item)
        self.scrollToItem(item, QAbstractItemView.ScrollHint.PositionAtTop)

    def refresh_field(self, field: Field) -> None:
        """Show a field's current settings again (after an edit or an undo)."""
        item = self._field_items.get(id(field))
        if item is None:
            return
        node = item.data(SchemaColumn.NAME, _NODE_ROLE)
        if isinstance(node, SchemaNode) and node.table is not None:
            _fill_field(item, field, _references(node.table))

    def current_node(self) -> SchemaNode | None:
        """What the current item stands for, or None."""
        item = self.currentItem()
        node = item.data(SchemaColumn.NAME, _NODE_ROLE) if item is not None else None
        return node if isinstance(node, SchemaNode) else None

    def file_count(self) -> int:
        """Loaded files shown."""
        return self.topLevelItemCount()

    def select_field(self, table_name: str, path: str) -> bool:
        """Make the field at ``path`` of ``table_name`` current (the current file first)."""
        node = self.current_node()
        files = [self._file_items[node.key]] if node is not None else []
        files += list(self._file_items.values())
        for file_item in files:
            for table_item in _children(file_item):
                table_node = table_item.data(SchemaColumn.NAME, _NODE_ROLE)
                if isinstance(table_node, SchemaNode) and table_node.table is not None:
                    if table_node.table.name != table_name:
                        continue
                    found = self._find_path(table_item, path)
                    if found is not None:
                        self.setCurrentItem(found)
                        return True
        return False

    # ------------------------------------------------------------------ internals

    def _find_path(self, parent: QTreeWidgetItem, path: str) -> QTreeWidgetItem | None:
        for child in _children(parent):
            node = child.data(SchemaColumn.NAME, _NODE_ROLE)
            if isinstance(node, SchemaNode) and node.path == path:
                return child
            found = self._find_path(child, path)
            if found is not None:
                return found
        return None

    def _forget_fields(self, item: QTreeWidgetItem) -> None:
        node = item.data(SchemaColumn.NAME, _NODE_ROLE)
        if isinstance(node, SchemaNode) and node.field is not None:
            self._field_items.pop(id(node.field), None)
        for child in _children(item):
            self._forget_fields(child)

    def _fit_columns(self) -> None:
        """Fit the columns to their contents within limits, leaving Constraints room to read.

        The first five columns take what their contents need, up to a limit; if together they
        would leave Constraints less than :data:`_DETAILS_SHARE` of the view, semantic kind,
        then type, then name give up space, each down to its floor. Constraints fills the rest
        and elides what does not fit (its tooltip has the whole text). Once the user drags a
        column edge, the widths are theirs and are no longer refitted.
        """
        self._fitting = True
        try:
            widths: dict[int, int] = {}
            for column, limit in _COLUMN_LIMITS.items():
                self.resizeColumnToContents(column)
                widths[column] = min(self.columnWidth(column) + 10, limit)
            room = round(max(self.viewport().width(), _ASSUMED_VIEW) * (1 - _DETAILS_SHARE))
            excess = sum(widths.values()) - room
            for column, floor in _SHRINK_ORDER:
                if excess <= 0:
                    break
                cut = min(excess, max(widths[column] - floor, 0))
                widths[column] -= cut
                excess -= cut
            for column, width in widths.items():
                self.setColumnWidth(column, width)
        finally:
            self._fitting = False

    def showEvent(self, event: QShowEvent) -> None:
        """Fit the columns to the width the tree now has."""
        super().showEvent(event)
        if self._auto_fit and self.topLevelItemCount():
            self._fit_columns()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Refit the columns to the new width, unless the user has resized them."""
        super().resizeEvent(event)
        resized = event.size().width() != event.oldSize().width()
        if self._auto_fit and resized and self.topLevelItemCount():
            self._fit_columns()

    @Slot(int, int, int)
    def on_header_section_resized(self, column: int, _old: int, _new: int) -> None:
        """A column edge was dragged: keep the user's widths from now on."""
        if not self._fitting and column != SchemaColumn.DETAILS:
            self._auto_fit = False

    def _table_item(self, key: Path, dataset: Dataset, table: Table) -> QTreeWidgetItem:
        item = QTreeWidgetItem()
        item.setData(SchemaColumn.NAME, _NODE_ROLE, SchemaNode(key, dataset, table))
        item.setText(SchemaColumn.NAME, table.name)
        item.setText(SchemaColumn.TYPE, "table")
        details = [plural(len(table.fields), "field")]
        if table.primary_key:
            details.append("primary key " + ", ".join(table.primary_key))
        if table.foreign_keys:
            targets = sorted({fk.ref_table for fk in table.foreign_keys})
            details.append("→ " + ", ".join(targets))
        item.setText(SchemaColumn.DETAILS, " · ".join(details))
        tip = table.description or f"Table {table.name}"
        if table.foreign_keys:
            tip += "\n\nForeign keys:\n" + "\n".join(
                f"• {', '.join(fk.columns)} → {fk.ref_table}({', '.join(fk.ref_columns)})"
                for fk in table.foreign_keys
            )
        item.setToolTip(SchemaColumn.NAME, tip)
        item.setToolTip(SchemaColumn.DETAILS, tip)
        refs = _references(table)
        item.addChildren(
            [self._field_item(key, dataset, table, f, f.name, refs, 1) for f in table.fields]
        )
        return item

    def _field_item(
        self,
        key: Path,
        dataset: Dataset,
        table: Table,
        field: Field,
        path: str,
        refs: dict[str, str],
        depth: int,
    ) -> QTreeWidgetItem:
        item = QTreeWidgetItem()
        item.setData(SchemaColumn.NAME, _NODE_ROLE, SchemaNode(key, dataset, table, field, path))
        _fill_field(item, field, refs if depth == 1 else {})
        self._field_items[id(field)] = item
        if depth < _MAX_FIELD_DEPTH:
            children = [
                self._field_item(key, dataset, table, c, f"{path}.{c.name}", refs, depth + 1)
                for c in field.properties
            ]
            if field.items is not None:
                items = field.items
                children.append(
                    self._field_item(key, dataset, table, items, f"{path}[]", refs, depth + 1)
                )
            item.addChildren(children)
        return item

    # ------------------------------------------------------------------ slots

    @Slot(QTreeWidgetItem, QTreeWidgetItem)
    def on_tree_current_item_changed(
        self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None
    ) -> None:
        """Announce the node now current."""
        node = current.data(SchemaColumn.NAME, _NODE_ROLE) if current is not None else None
        self.node_selected.emit(node if isinstance(node, SchemaNode) else None)


def _fallback_kind(field: Field) -> str:
    """What makes the values of a field without a semantic kind."""
    c = field.constraints
    if c.has_const:
        return "constant"
    if c.enum is not None:
        return f"one of {len(c.enum)}"
    if c.pattern is not None:
        return "pattern"
    if c.format is not None:
        return f"format {c.format}"
    return f"any {field.type.value}" if field.type.value != "any" else "any value"


def _fill_field(item: QTreeWidgetItem, field: Field, refs: dict[str, str]) -> None:
    """Write a field's columns and tooltips."""
    item.setText(SchemaColumn.NAME, field.name)
    type_text = field.sql_type or str(field.type.value)
    if field.nullable:
        type_text += " | null"
    item.setText(SchemaColumn.TYPE, type_text)
    kind = field.kind or _fallback_kind(field)
    if field.generator:
        kind += " (chosen)"
    item.setText(SchemaColumn.KIND, kind)
    item.setText(SchemaColumn.NULLS, f"{field.null_ratio * 100:.0f} %" if field.nullable else "—")
    item.setText(SchemaColumn.UNIQUE, "✓" if field.unique else "")
    for column in (SchemaColumn.NULLS, SchemaColumn.UNIQUE):
        item.setTextAlignment(column, Qt.AlignmentFlag.AlignCenter)
    details: list[str] = []
    ref = refs.get(field.name)
    if ref:
        details.append(f"→ {ref}")
    if not field.required:
        details.append("optional")
    constraints = field.constraints.describe()
    if constraints:
        details.append(constraints)
    if field.omit:
        details.append(f"left out: {field.omit_reason}" if field.omit_reason else "left out")
    item.setText(SchemaColumn.DETAILS, " · ".join(details))
    tip = field.description or field.name
    if ref:
        tip += f"\nForeign key → {ref}"
    item.setToolTip(SchemaColumn.NAME, tip)
    item.setToolTip(SchemaColumn.DETAILS, "\n".join(details) or "no constraints")
    item.setToolTip(
        SchemaColumn.KIND,
        "Chosen in the field editor" if field.generator else "Inferred from name, format, type",
    )
    item.setToolTip(
        SchemaColumn.NULLS,
        "Share of valid rows that are null" if field.nullable else "The schema forbids null",
    )
