"""The composition root of the window: builds the QApplication and the main window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from smsgui import APP_ID, APP_NAME, __version__
from smsgui.core.knowledge import default_knowledge_base
from smsgui.ui.decode_window import DecodeWindow


def run_app(argv: list[str] | None = None) -> int:
    """Open the window and run the event loop until it closes."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    window = DecodeWindow(default_knowledge_base())
    window.show()
    return app.exec()
