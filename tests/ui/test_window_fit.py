"""The window fits the screens people have: nothing off the edge, nothing squeezed below its
minimum, at 1280x720, a 1366x768 laptop with its task bar, 1920x1080 and 200% scaling."""
# ruff: noqa: F811 - the window fixtures come from test_main_window and are named as arguments

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fitcheck import clipped_controls
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from test_main_window import prompter, send, window  # noqa: F401 (fixtures)

from smsgui.ui.main_window import MainWindow, fitted_geometry

TASK_BAR = 40
SCREENS = [(1280, 720), (1366, 768 - TASK_BAR), (1920, 1080 - TASK_BAR)]


@pytest.mark.parametrize(("width", "height"), SCREENS)
def test_every_control_fits_at_each_screen_size(qtbot: QtBot, window: MainWindow, width: int,
                                                height: int) -> None:
    minimum = window.minimumSizeHint()
    assert minimum.width() <= width and minimum.height() <= height
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height)
    QApplication.processEvents()
    assert clipped_controls(window) == []


@pytest.mark.parametrize(("width", "height"), SCREENS[:2])
def test_the_results_of_a_send_fit_too(qtbot: QtBot, window: MainWindow, width: int,
                                       height: int) -> None:
    window.resize(width, height)
    send(qtbot, window, "447700900000, 447700900029", sender="Acme")
    QApplication.processEvents()
    assert clipped_controls(window) == []


def test_a_window_bigger_than_the_screen_is_shrunk_and_brought_back_on_it() -> None:
    screen = QRect(0, 0, 1366, 728)
    assert fitted_geometry(QRect(100, 50, 1400, 820), screen) == QRect(0, 0, 1366, 728)
    assert fitted_geometry(QRect(900, 400, 800, 600), screen) == QRect(566, 128, 800, 600)
    assert fitted_geometry(QRect(-300, -20, 800, 600), screen) == QRect(0, 0, 800, 600)
    assert fitted_geometry(QRect(10, 10, 800, 600), screen) == QRect(10, 10, 800, 600)


FIRST_START = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from fitcheck import clipped_controls
from PySide6.QtWidgets import QApplication
from smsgui.core.api.secrets import MemorySecretStore
from smsgui.ui.app import AppPaths, build_services, close_services
from smsgui.ui.main_window import MainWindow

app = QApplication([])
base = Path(sys.argv[1])
services = build_services(AppPaths(base / "c", base / "d", base / "l", base / "k"),
                          secrets=MemorySecretStore())
window = MainWindow(services)
window.show()
app.processEvents()
if sys.argv[3] == "resize":
    window.resize(1000, 640)
    window.splitter.setSizes([450, 350, 200])
    app.processEvents()
frame, screen = window.frameGeometry(), window.screen().availableGeometry()
print(json.dumps({"ratio": window.devicePixelRatioF(), "screen": screen.getRect(),
                  "frame": frame.getRect(), "size": [window.width(), window.height()],
                  "panes": window.splitter.sizes(), "clipped": clipped_controls(window)}))
window.close()
close_services(services)
"""


def open_window(tmp_path: Path, width: int, height: int, scale: int = 1,
                step: str = "open") -> dict[str, object]:
    """Start smsgui in a process whose only screen is ``width`` x ``height`` device pixels,
    shown at ``scale`` times (QT_SCALE_FACTOR, as a desktop's 200% setting does)."""
    screen = {"name": "screen", "x": 0, "y": 0, "width": width, "height": height,
              "logicalDpiX": 96, "logicalDpiY": 96}
    config = tmp_path / f"screen-{width}x{height}.json"
    config.write_text(json.dumps({"windowFrameMargins": True, "screens": [screen]}))
    environment = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
                   "QT_SCALE_FACTOR": str(scale)}
    done = subprocess.run(
        [sys.executable, "-c", FIRST_START, str(tmp_path), str(Path(__file__).parent), step],
        env=environment, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    shown: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return shown


@pytest.mark.parametrize(("width", "height", "scale"), [
    (1280, 720, 1), (1366, 768 - TASK_BAR, 1), (1920, 1080 - TASK_BAR, 1),
    (2560, 1440 - 2 * TASK_BAR, 2),
])
def test_a_first_start_opens_on_the_screen_with_nothing_cut_off(
    tmp_path: Path, width: int, height: int, scale: int
) -> None:
    shown = open_window(tmp_path, width, height, scale)
    assert shown["ratio"] == scale
    left, top, frame_width, frame_height = shown["frame"]  # type: ignore[misc]
    screen_left, screen_top, screen_width, screen_height = shown["screen"]  # type: ignore[misc]
    assert left >= screen_left and top >= screen_top
    assert left + frame_width <= screen_left + screen_width
    assert top + frame_height <= screen_top + screen_height
    assert shown["clipped"] == []


def test_the_window_remembers_its_size_and_pane_widths(tmp_path: Path) -> None:
    resized = open_window(tmp_path, 1920, 1040, step="resize")
    reopened = open_window(tmp_path, 1920, 1040)
    assert reopened["size"] == resized["size"] == [1000, 640]
    assert reopened["panes"] == resized["panes"]


def test_a_screen_smaller_than_the_minimum_never_squeezes_the_window_below_it() -> None:
    fitted = fitted_geometry(QRect(0, 0, 900, 700), QRect(0, 0, 800, 600), QSize(805, 500))
    assert (fitted.width(), fitted.height()) == (805, 600)
