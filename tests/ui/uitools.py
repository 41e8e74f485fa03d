"""Helpers for driving real widgets the way a person (or a screen reader) finds them."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

W = TypeVar("W", bound=QWidget)


def find(root: QWidget, kind: type[W], name: str) -> W:
    """The one visible-or-not child of ``kind`` whose accessible name is ``name``."""
    matches = [w for w in root.findChildren(kind) if w.accessibleName() == name]
    assert len(matches) == 1, f"expected one {kind.__name__} named {name!r}, found {len(matches)}"
    return matches[0]


def type_text(widget: QWidget, text: str) -> None:
    """Type any text, emoji included: QTest.keyClicks only knows printable ASCII."""
    widget.setFocus()
    for char in text:
        if char == "\n":
            QTest.keyClick(widget, Qt.Key.Key_Return)
        else:
            QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_unknown,
                                                     Qt.KeyboardModifier.NoModifier, char))
