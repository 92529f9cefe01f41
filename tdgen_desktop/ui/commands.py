"""Undoable edits of the dataset model, for the window's ``QUndoStack`` (Ctrl+Z / Ctrl+Shift+Z).

A :class:`FieldEditCommand` changes one attribute of one field (``null_ratio``, ``generator``,
``constraints.maximum`` …). Consecutive edits of the same attribute of the same field merge into
one step, so typing "120" in a bound is undone at once, not digit by digit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

from tdgen_desktop.core.model import Field

__all__ = ["EDITABLE_ATTRIBUTES", "FieldEditCommand", "get_attribute", "set_attribute"]

EDITABLE_ATTRIBUTES = {
    "generator": "generator",
    "null_ratio": "null ratio",
    "unique": "uniqueness",
    "constraints.minimum": "minimum",
    "constraints.maximum": "maximum",
    "constraints.min_length": "minimum length",
    "constraints.max_length": "maximum length",
    "enum_weights": "weights",
}
"""The field attributes the editor changes, with their names in the Edit menu."""

_MERGE_ID = 6061


def get_attribute(field: Field, attribute: str) -> Any:
    """The value of ``attribute`` (``constraints.maximum`` reads ``field.constraints.maximum``)."""
    target: Any = field
    for part in attribute.split("."):
        target = getattr(target, part)
    return target


def set_attribute(field: Field, attribute: str, value: Any) -> None:
    """Set ``attribute`` of ``field`` (a dotted path, as :func:`get_attribute`).

    Raises:
        KeyError: not an attribute the editor may change.
    """
    if attribute not in EDITABLE_ATTRIBUTES:
        raise KeyError(attribute)
    *parents, name = attribute.split(".")
    target: Any = field
    for part in parents:
        target = getattr(target, part)
    setattr(target, name, value)


def _changed_weights(old: Any, new: Any) -> set[int]:
    """The positions whose weight differs (no weights: every value weighs 1)."""
    size = len(old or new or ())
    before, after = old or (1.0,) * size, new or (1.0,) * size
    return {i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b}


def _same_weight(first: FieldEditCommand, then: FieldEditCommand) -> bool:
    """Whether two weight edits changed the weight of one and the same value."""
    changed = _changed_weights(first.old, first.new)
    return len(changed) <= 1 and _changed_weights(then.old, then.new) <= changed


class FieldEditCommand(QUndoCommand):
    """Set one attribute of one field; undo puts the old value back.

    Args:
        field: the field to change.
        path: the field's dotted path in its table (for the command's text).
        attribute: one of :data:`EDITABLE_ATTRIBUTES`.
        value: the new value.
        changed: called with the field after every redo and undo (refreshes the views).
    """

    def __init__(
        self,
        field: Field,
        path: str,
        attribute: str,
        value: Any,
        changed: Callable[[Field], None],
    ) -> None:
        super().__init__(f"Change {EDITABLE_ATTRIBUTES[attribute]} of {path}")
        self.field = field
        self.attribute = attribute
        self.old = get_attribute(field, attribute)
        self.new = value
        self._changed = changed

    def id(self) -> int:
        """Edits of this kind may merge (see :meth:`mergeWith`)."""
        return _MERGE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        """Absorb a following edit of the same attribute of the same field."""
        if (
            not isinstance(other, FieldEditCommand)
            or other.field is not self.field
            or other.attribute != self.attribute
            or self.attribute in {"unique", "generator"}  # a click is a step of its own
        ):
            return False
        if self.attribute == "enum_weights" and not _same_weight(self, other):
            return False  # typing in another value's weight is a step of its own
        self.new = other.new
        return True

    def redo(self) -> None:
        """Apply the new value."""
        set_attribute(self.field, self.attribute, self.new)
        self._changed(self.field)

    def undo(self) -> None:
        """Put the old value back."""
        set_attribute(self.field, self.attribute, self.old)
        self._changed(self.field)
