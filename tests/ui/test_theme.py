"""View > Theme: the system's scheme, or always light or dark, remembered; no colour breaks."""
# ruff: noqa: F811 - the window fixtures come from test_main_window and are named as arguments

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from test_main_window import prompter, window  # noqa: F401 (fixtures)

from smsgui.ui.main_window import MainWindow
from smsgui.ui.services import Services
from smsgui.ui.theme import Theme, apply_theme


@pytest.fixture(autouse=True)
def system_scheme_afterwards() -> Iterator[None]:
    yield
    apply_theme(Theme.SYSTEM)


def lightness(role: QPalette.ColorRole) -> int:
    return QApplication.palette().color(role).lightness()


def test_dark_and_light_change_the_palette_and_system_gives_it_back(
    qtbot: QtBot, window: MainWindow
) -> None:
    startup = QPalette(QApplication.palette())
    window.theme_actions[Theme.DARK].trigger()
    assert lightness(QPalette.ColorRole.Window) < 128
    assert lightness(QPalette.ColorRole.WindowText) > 128
    window.theme_actions[Theme.LIGHT].trigger()
    assert lightness(QPalette.ColorRole.Window) > 128
    window.theme_actions[Theme.SYSTEM].trigger()
    assert window.theme_actions[Theme.SYSTEM].isChecked()
    assert QApplication.palette() == startup


def test_the_chosen_theme_is_remembered(qtbot: QtBot, window: MainWindow,
                                        services: Services) -> None:
    window.theme_actions[Theme.DARK].trigger()
    again = MainWindow(services)
    qtbot.addWidget(again)
    assert again.theme_actions[Theme.DARK].isChecked()
    assert lightness(QPalette.ColorRole.Window) < 128


def test_the_sandbox_badge_uses_the_palette_so_dark_mode_keeps_it_readable(
    window: MainWindow
) -> None:
    style = window.badge.styleSheet()
    assert "palette(highlight)" in style and "palette(highlighted-text)" in style
    assert "white" not in style


def test_the_troubleshooting_panel_can_be_hidden_and_brought_back(window: MainWindow) -> None:
    window.troubleshooting_action.trigger()
    assert not window.troubleshooting.isVisible()
    window.troubleshooting_action.trigger()
    assert window.troubleshooting.isVisible()


def test_a_second_window_such_as_the_self_tests_keeps_the_users_theme(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    from smsgui.core.api.secrets import MemorySecretStore
    from smsgui.ui.app import AppPaths, build_services, close_services

    window.theme_actions[Theme.DARK].trigger()
    base = tmp_path  # fresh settings, as the self-test's throwaway folders
    other = build_services(AppPaths(base / "c", base / "d", base / "l"),
                           secrets=MemorySecretStore())
    try:
        second = MainWindow(other)
        qtbot.addWidget(second)
        assert lightness(QPalette.ColorRole.Window) < 128
        assert second.theme_actions[Theme.DARK].isChecked()
    finally:
        close_services(other)


def test_the_dark_palette_darkens_the_shades_frames_and_handles_are_drawn_with() -> None:
    from smsgui.ui.theme import dark_palette

    palette = dark_palette()
    for role in (QPalette.ColorRole.Light, QPalette.ColorRole.Midlight, QPalette.ColorRole.Mid,
                 QPalette.ColorRole.Dark, QPalette.ColorRole.Shadow, QPalette.ColorRole.Base):
        assert palette.color(role).lightness() < 128, role
