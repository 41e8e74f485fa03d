"""The window's colour scheme: the system's, or always light or dark.

Where the platform honours Qt's colour-scheme hint (recent Windows, macOS, GNOME and KDE), that
hint alone switches everything, native style and dialogs included. Where the hint is ignored
(plain X11, the offscreen platform) a forced scheme also sets the Fusion style with a matching
palette; choosing System again puts back the style and palette the app started with.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyleFactory

_DARK_COLOURS = {
    QPalette.ColorRole.Window: "#2b2b2b",
    QPalette.ColorRole.WindowText: "#e8e8e8",
    QPalette.ColorRole.Base: "#1f1f1f",
    QPalette.ColorRole.AlternateBase: "#2a2a2a",
    QPalette.ColorRole.ToolTipBase: "#3a3a3a",
    QPalette.ColorRole.ToolTipText: "#e8e8e8",
    QPalette.ColorRole.PlaceholderText: "#9a9a9a",
    QPalette.ColorRole.Text: "#e8e8e8",
    QPalette.ColorRole.Button: "#353535",
    QPalette.ColorRole.ButtonText: "#e8e8e8",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Link: "#7ab7ff",
    QPalette.ColorRole.LinkVisited: "#c39bff",
    QPalette.ColorRole.Highlight: "#3d7fd9",
    QPalette.ColorRole.HighlightedText: "#ffffff",
}
_DISABLED_TEXT = "#7a7a7a"


class Theme(enum.Enum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"

    @property
    def label(self) -> str:
        return {Theme.SYSTEM: "&System", Theme.LIGHT: "&Light", Theme.DARK: "&Dark"}[self]

    @classmethod
    def from_setting(cls, value: str | None) -> Theme:
        return next((theme for theme in cls if theme.value == value), cls.SYSTEM)


@dataclass
class _Startup:
    style: str
    palette: QPalette
    forced: bool = False


_startup: _Startup | None = None
_current: list[Theme] = []


def current_theme() -> Theme | None:
    """The theme the application was last switched to; None before the first switch."""
    return _current[0] if _current else None


def apply_theme(theme: Theme) -> None:
    """Switch the whole application to ``theme``."""
    global _startup  # noqa: PLW0603 - the style and palette the app started with, kept once
    _current[:] = [theme]
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if _startup is None:
        _startup = _Startup(app.style().name(), QPalette(app.palette()))
    hints = QGuiApplication.styleHints()
    if theme is Theme.SYSTEM:
        hints.unsetColorScheme()
        if _startup.forced:  # a style is built anew only when a forced scheme is undone
            app.setStyle(_startup.style)
            app.setPalette(_startup.palette)
            _startup.forced = False
        return
    wanted = Qt.ColorScheme.Dark if theme is Theme.DARK else Qt.ColorScheme.Light
    hints.setColorScheme(wanted)
    if hints.colorScheme() == wanted and not _startup.forced:
        return  # the platform switched everything itself, native style included
    _startup.forced = True
    fusion = QStyleFactory.create("Fusion")
    app.setStyle(fusion)
    app.setPalette(dark_palette() if theme is Theme.DARK else _standard(fusion))


def _standard(style: QStyle) -> QPalette:
    return style.standardPalette()


def dark_palette() -> QPalette:
    """Every role dark, the bevel shades Fusion draws frames and handles with included."""
    palette = QPalette()
    for role, colour in _DARK_COLOURS.items():
        palette.setColor(role, QColor(colour))
    button = QColor(_DARK_COLOURS[QPalette.ColorRole.Button])
    for role, shade in ((QPalette.ColorRole.Light, button.lighter(150)),
                        (QPalette.ColorRole.Midlight, button.lighter(125)),
                        (QPalette.ColorRole.Mid, button.darker(125)),
                        (QPalette.ColorRole.Dark, button.darker(150)),
                        (QPalette.ColorRole.Shadow, QColor("#000000"))):
        palette.setColor(role, shade)
    disabled = QPalette.ColorGroup.Disabled
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.WindowText):
        palette.setColor(disabled, role, QColor(_DISABLED_TEXT))
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Button):
        palette.setColor(disabled, role, QColor(_DARK_COLOURS[QPalette.ColorRole.Window]))
    palette.setColor(disabled, QPalette.ColorRole.Highlight, QColor("#505050"))
    return palette
