"""The Qt user interface: the main window, dialogs and the message bridge.

The only package that imports QtWidgets and QtGui (besides the composition root ``app``).
"""

from tdgen_desktop.ui.main_window import MainWindow
from tdgen_desktop.ui.message_bridge import MessageBridge

__all__ = ["MainWindow", "MessageBridge"]
