"""The few colours the window adds to the system palette: step states and case kinds.

Everything else (text, backgrounds, selection) comes from the palette, so the window follows the
system's light or dark theme. These colours are mid-tone on purpose: each colour that carries a
state (running, done, fell back, failed; valid, boundary, invalid) keeps a contrast of at least
3:1 against a white and against a near-black background (WCAG's figure for graphics).
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

from tdgen_desktop.core.enums import CaseKind, StepState

__all__ = [
    "CASE_COLORS",
    "STEP_COLORS",
    "STEP_STATE_NAMES",
    "case_color",
    "contrast",
    "dark_palette",
    "tint",
]

STEP_COLORS: dict[StepState, QColor] = {
    StepState.PENDING: QColor("#9e9e9e"),
    StepState.RUNNING: QColor("#1e88e5"),
    StepState.DONE: QColor("#43a047"),
    StepState.FELL_BACK: QColor("#c88400"),  # amber dark enough for white
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
    CaseKind.BOUNDARY: QColor("#e07000"),
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


def contrast(first: QColor, second: QColor) -> float:
    """The WCAG contrast ratio of two colours: 1 (the same) to 21 (black on white)."""

    def luminance(color: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(color.redF())
            + 0.7152 * channel(color.greenF())
            + 0.0722 * channel(color.blueF())
        )

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


_DARK_ROLES: dict[QPalette.ColorRole, tuple[str, str]] = {
    # role: (active and inactive, disabled)
    QPalette.ColorRole.Window: ("#2b2b2b", "#2b2b2b"),
    QPalette.ColorRole.WindowText: ("#e6e6e6", "#7a7a7a"),
    QPalette.ColorRole.Base: ("#1e1e1e", "#262626"),
    QPalette.ColorRole.AlternateBase: ("#262626", "#262626"),
    QPalette.ColorRole.Text: ("#e6e6e6", "#7a7a7a"),
    QPalette.ColorRole.PlaceholderText: ("#a0a0a0", "#6a6a6a"),
    QPalette.ColorRole.Button: ("#363636", "#303030"),
    QPalette.ColorRole.ButtonText: ("#e6e6e6", "#7a7a7a"),
    QPalette.ColorRole.BrightText: ("#ff6e6e", "#ff6e6e"),
    QPalette.ColorRole.Light: ("#505050", "#505050"),
    QPalette.ColorRole.Midlight: ("#404040", "#404040"),
    QPalette.ColorRole.Mid: ("#4d4d4d", "#404040"),
    QPalette.ColorRole.Dark: ("#1a1a1a", "#1a1a1a"),
    QPalette.ColorRole.Shadow: ("#000000", "#000000"),
    QPalette.ColorRole.Highlight: ("#2f6fce", "#3a3a3a"),
    QPalette.ColorRole.HighlightedText: ("#ffffff", "#7a7a7a"),
    QPalette.ColorRole.ToolTipBase: ("#363636", "#363636"),
    QPalette.ColorRole.ToolTipText: ("#e6e6e6", "#e6e6e6"),
    QPalette.ColorRole.Link: ("#6aa8ff", "#6a6a6a"),
}


def dark_palette() -> QPalette:
    """A dark palette like the common desktop dark themes (a dark-mode preview on any system).

    The window itself takes whatever palette the system gives; this one is what ``make
    screenshots`` and the tests switch to, to see and check the window in a dark theme.
    """
    palette = QPalette()
    for role, (normal, disabled) in _DARK_ROLES.items():
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, role, QColor(normal))
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled))
    return palette
