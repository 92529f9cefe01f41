"""The one place that turns errors and notices into UI: error dialogs and status-bar messages.

Engine code raises :class:`~tdgen_desktop.core.errors.TdgenError` with a one-line ``message``;
widgets catch it and hand it to :meth:`MessageBridge.show_error`. Short notices go through
:meth:`MessageBridge.notify`, which the main window shows in its status bar.
"""

from __future__ import annotations

import logging
import traceback

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from tdgen_desktop.core.errors import TdgenError

__all__ = ["MessageBridge", "describe_error"]

_log = logging.getLogger(__name__)

_MAX_OPEN_DIALOGS = 5
"""Beyond this many open error dialogs, further errors are only logged and noted in the status bar
(an error repeating in a paint handler must not bury the user in dialogs)."""


def describe_error(error: BaseException) -> tuple[str, str]:
    """The text and the details shown for ``error``.

    A :class:`TdgenError` shows its ``message`` and ``details``; anything else is a bug and shows
    "Unexpected error: <type>: <message>" with the traceback as details.
    """
    if isinstance(error, TdgenError):
        return error.message, error.details
    text = f"Unexpected error: {type(error).__name__}"
    if str(error):
        text += f": {error}"
    details = "".join(traceback.format_exception(error)).rstrip()
    return text, details


class MessageBridge(QObject):
    """Shows errors in dialogs and posts notices to the status bar.

    Must live in, and be called from, the GUI thread (the crash hook marshals other threads).

    Signals:
        message_posted(str): a notice for the status bar; the main window shows it.
        error_shown(str): an error dialog was opened with this text.
    """

    message_posted = Signal(str)
    error_shown = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._dialogs: list[QMessageBox] = []

    @property
    def open_dialogs(self) -> tuple[QMessageBox, ...]:
        """The error dialogs currently open (oldest first)."""
        return tuple(self._dialogs)

    def show_error(
        self, error: BaseException, parent: QWidget | None = None, *, title: str = "tdgen"
    ) -> QMessageBox | None:
        """Open a non-blocking critical message box for ``error``.

        Args:
            error: the error; see :func:`describe_error` for what is shown.
            parent: the window the dialog belongs to (modal to it), or None.
            title: the dialog's window title.

        Returns:
            The dialog, or None when too many error dialogs are already open.
        """
        text, details = describe_error(error)
        if isinstance(error, TdgenError):
            _log.warning("%s", text)
            if details:
                _log.debug("%s", details)
        if len(self._dialogs) >= _MAX_OPEN_DIALOGS:
            _log.error("Too many error dialogs open; not showing: %s", text)
            self.message_posted.emit(text)
            return None
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(title)
        box.setText(text)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if details:
            box.setDetailedText(details)
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        box.setObjectName("error_dialog")
        box.setAccessibleName("Error")
        box.setAccessibleDescription(text)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(self.on_dialog_finished)
        self._dialogs.append(box)
        box.open()
        self.error_shown.emit(text)
        return box

    def notify(self, text: str) -> None:
        """Post ``text`` to the status bar."""
        self.message_posted.emit(text)

    def close_dialogs(self) -> None:
        """Close every open error dialog (tests; shutting down)."""
        for box in list(self._dialogs):
            box.done(QMessageBox.StandardButton.Close.value)

    @Slot(int)
    def on_dialog_finished(self, _result: int) -> None:
        """Forget a dialog once the user has closed it."""
        box = self.sender()
        self._dialogs = [d for d in self._dialogs if d is not box]
