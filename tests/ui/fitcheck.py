"""Finding controls a window cuts off, for the fit tests and the processes they start."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QTabBar,
    QWidget,
)

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QTabBar, QLabel)


def clipped_controls(window: QMainWindow) -> list[str]:
    """Visible controls that stick out of the window or are narrower than they need to be."""
    inside = window.rect()
    problems = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or not widget.isVisible():
            continue
        if widget.window() is not window or _in_scroll_area(widget):
            continue
        where = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        name = widget.accessibleName() or type(widget).__name__
        if not inside.contains(where):
            problems.append(f"{name} is outside the window at {where}")
        elif not (isinstance(widget, QLabel) and widget.wordWrap()) and (
                widget.width() < widget.minimumSizeHint().width()
                or widget.height() < widget.minimumSizeHint().height()):
            hint = widget.minimumSizeHint()
            problems.append(f"{name} is {widget.width()}x{widget.height()} px, needs "
                            f"{hint.width()}x{hint.height()}")
    return problems


def _in_scroll_area(widget: QWidget) -> bool:
    """Controls inside a scrolled view (the advanced options, a table) may scroll out of it."""
    parent = widget.parentWidget()
    while parent is not None:
        if parent.objectName() == "qt_scrollarea_viewport":
            return True
        parent = parent.parentWidget()
    return False
