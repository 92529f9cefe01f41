"""The few colours the window adds to the system palette: step states and case kinds.

Everything else (text, backgrounds, selection) comes from the palette, so the window follows the
system's light or dark theme. These colours are mid-tone on purpose: they read on both.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

from tdgen_desktop.core.enums import CaseKind, StepState

__all__ = ["CASE_COLORS", "STEP_COLORS", "STEP_STATE_NAMES", "case_color", "tint"]

STEP_COLORS: dict[StepState, QColor] = {
    StepState.PENDING: QColor("#9e9e9e"),
    StepState.RUNNING: QColor("#1e88e5"),
    StepState.DONE: QColor("#43a047"),
    StepState.FELL_BACK: QColor("#ffb300"),
    StepState.FAILED: QColor("#e53935"),
    StepState.SKIPPED: QColor("#9e9e9e"),  # drawn hollow
}
"""The dot colour of each step state (skipped is an outline of this colour)."""

STEP_STATE_NAMES: dict[StepState, str] = {
    StepState.PENDING: "pending",
    StepState.RUNNING: "running",
    StepState.DONE: "done",
    StepState.FELL_BACK: "fell back",
    StepState.FAILED: "failed",
    StepState.SKIPPED: "skipped",
}

CASE_COLORS: dict[CaseKind, QColor] = {
    CaseKind.VALID: QColor("#43a047"),
    CaseKind.BOUNDARY: QColor("#fb8c00"),
    CaseKind.INVALID: QColor("#e53935"),
}
"""Case kinds: green for valid, orange for boundary, red for invalid."""


def case_color(case: str | None) -> QColor | None:
    """The colour of a case kind given as its text (``"valid"`` …), or None."""
    try:
        return CASE_COLORS[CaseKind(case or "")]
    except ValueError:
        return None


def tint(color: QColor, palette: QPalette, amount: float = 0.22) -> QColor:
    """``color`` blended into the palette's base colour: a background that keeps text readable."""
    base = palette.color(QPalette.ColorRole.Base)
    mix = max(0.0, min(amount, 1.0))
    return QColor(
        round(base.red() + (color.red() - base.red()) * mix),
        round(base.green() + (color.green() - base.green()) * mix),
        round(base.blue() + (color.blue() - base.blue()) * mix),
    )
