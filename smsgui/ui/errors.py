"""Errors people can act on: headline, cause, next step, and details to copy for support."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from smsgui import __version__

logger = logging.getLogger(__name__)
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


class ErrorDialog(QDialog):
    """Headline in bold, then why and what to do; technical details folded below."""

    def __init__(self, headline: str, cause: str, next_step: str, details: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("smsgui - something went wrong")
        self.details = details
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>{_escape(headline)}</b>")
        title.setWordWrap(True)
        title.setAccessibleName("Error headline")
        layout.addWidget(title)
        for name, text in (("Why", cause), ("What to do next", next_step)):
            label = QLabel(f"<b>{name}:</b> {_escape(text)}")
            label.setWordWrap(True)
            label.setAccessibleName(name)
            layout.addWidget(label)
        if details:
            self._add_details(layout)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _add_details(self, layout: QVBoxLayout) -> None:
        view = QPlainTextEdit(self.details)
        view.setReadOnly(True)
        view.setAccessibleName("Technical details")
        layout.addWidget(view)
        copy = QPushButton("&Copy details")
        copy.setAccessibleName("Copy details")
        copy.setToolTip("Copy the technical details, e.g. for a support ticket")
        copy.clicked.connect(self._on_copy_clicked)
        layout.addWidget(copy)

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.details)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def crash_details(kind: type[BaseException], error: BaseException,
                  trace: TracebackType | None) -> str:
    """What support needs: versions, OS and the traceback. Never message text or secrets."""
    import platform  # only when something went wrong

    lines = traceback.format_exception(kind, error, trace)
    header = (f"smsgui {__version__} on {platform.system()} {platform.release()}, "
              f"Python {platform.python_version()}\n\n")
    return header + "".join(lines)


def install_excepthook(parent: Callable[[], QWidget | None]) -> None:
    """Log any uncaught exception and show it in a dialog instead of dying silently."""

    def hook(kind: type[BaseException], error: BaseException,
             trace: TracebackType | None) -> None:
        details = crash_details(kind, error, trace)
        logger.error("Unexpected error\n%s", details)
        dialog = ErrorDialog(
            "smsgui hit an unexpected error.",
            f"Something inside smsgui failed ({kind.__name__}). Your last action may not have "
            "finished.",
            "Try again. If it happens again, click Copy details and send them to whoever "
            "supports smsgui for you.", details, parent())
        dialog.open()

    sys.excepthook = hook


def route_qt_messages_to_logging() -> Callable[..., object] | None:
    """Qt's own warnings go to the log file instead of a console nobody sees.

    Returns the handler it replaced, for whoever wants to put it back.
    """
    qt_logger = logging.getLogger("qt")

    def handler(kind: QtMsgType, context: object, message: str) -> None:
        qt_logger.log(_QT_LEVELS.get(kind, logging.INFO), "%s", message)

    return qInstallMessageHandler(handler)
